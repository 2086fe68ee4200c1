/**
 * A small multilayer perceptron for the experiments: dense layers,
 * an activation between them, parameters as plain tensors so any transform
 * (grad, vjp, hvp) can differentiate a loss with respect to them.
 *
 * @module
 */

import { add, relu, softplus, tanh } from "../autodiff/elementwise.ts";
import { matmul } from "../autodiff/matmul.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { ShapeError } from "../errors.ts";
import { Rng } from "../random.ts";

/**
 * Activation applied between layers.
 *
 * @category Networks
 */
export type Activation = "tanh" | "relu" | "softplus";

/**
 * Options of {@linkcode initMlp}.
 *
 * @category Networks
 */
export interface MlpOptions {
  /** Layer widths, input first, output last, e.g. `[2, 32, 32, 1]`. */
  sizes: readonly number[];
  /** Seed of the Glorot-uniform initialisation. @default {0} */
  seed?: number;
  /** Hidden activation. @default {"tanh"} */
  activation?: Activation;
}

/**
 * The parameters of an MLP: `[W₀, b₀, W₁, b₁, …]`, `Wₗ` of shape `[in, out]`.
 *
 * @category Networks
 */
export interface Mlp {
  /** Layer widths. */
  readonly sizes: readonly number[];
  /** Hidden activation. */
  readonly activation: Activation;
  /** Weights and biases, alternating. */
  readonly params: readonly Tensor[];
}

/**
 * Creates an MLP with Glorot-uniform weights and zero biases.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initMlp } from "@gradsolve/gradsolve";
 * const net = initMlp({ sizes: [2, 8, 1], seed: 1 });
 * assert.equal(net.params.length, 4);
 * assert.equal(net.params[0].shape[1], 8);
 * ```
 *
 * @category Networks
 */
export function initMlp(options: MlpOptions): Mlp {
  const { sizes } = options;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ShapeError(
      `Cannot build MLP: sizes must be at least two positive integers, got [${sizes}]`,
    );
  }
  const rng = new Rng(options.seed ?? 0);
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l], fanOut = sizes[l + 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float64Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
    params.push(new Tensor(w, [fanIn, fanOut]), new Tensor(new Float64Array(fanOut), [fanOut]));
  }
  return { sizes: [...sizes], activation: options.activation ?? "tanh", params };
}

function activate(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case "tanh":
      return tanh(x);
    case "relu":
      return relu(x);
    case "softplus":
      return softplus(x);
  }
}

/**
 * Evaluates the MLP on a batch `x` of shape `[batch, sizes[0]]` with the
 * given parameters (pass traced parameters to differentiate). Returns
 * `[batch, sizes.at(-1)]`; the last layer is linear.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initMlp, mlpForward, tensor } from "@gradsolve/gradsolve";
 * const net = initMlp({ sizes: [2, 4, 1] });
 * const y = mlpForward(net, net.params, tensor([0.1, 0.2, 0.3, 0.4], [2, 2]));
 * assert.equal(y.shape[0], 2);
 * assert.equal(y.shape[1], 1);
 * ```
 *
 * @category Networks
 */
export function mlpForward(net: Mlp, params: readonly Tensor[], x: Tensor): Tensor {
  if (params.length !== net.params.length) {
    throw new ShapeError(
      `Cannot evaluate MLP: ${params.length} parameters given, ${net.params.length} expected`,
    );
  }
  let h = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    h = add(matmul(h, params[2 * l]), params[2 * l + 1]);
    if (l + 1 < layers) h = activate(h, net.activation);
  }
  return h;
}
