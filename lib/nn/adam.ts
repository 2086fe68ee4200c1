/**
 * The Adam optimiser (Kingma & Ba, 2015) over a list of tensors.
 *
 * @module
 */

import { Tensor } from "../autodiff/tensor.ts";
import { ShapeError } from "../errors.ts";

/**
 * Options of {@linkcode Adam}.
 *
 * @category Networks
 */
export interface AdamOptions {
  /** Step size. @default {1e-3} */
  lr?: number;
  /** First-moment decay. @default {0.9} */
  beta1?: number;
  /** Second-moment decay. @default {0.999} */
  beta2?: number;
  /** Denominator guard. @default {1e-8} */
  eps?: number;
}

/**
 * Adam state for a fixed list of parameter shapes. `step(params, grads)`
 * returns the updated parameters as new (untraced) tensors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam, tensor } from "@gradsolve/gradsolve";
 * const opt = new Adam({ lr: 0.1 });
 * const [p] = opt.step([tensor([1])], [tensor([2])]);
 * assert.ok(Math.abs(p.data[0] - 0.9) < 1e-6);
 * ```
 *
 * @category Networks
 */
export class Adam {
  readonly #lr: number;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  #m: Float64Array[] = [];
  #v: Float64Array[] = [];
  #t = 0;

  /** Creates the optimiser; moments are allocated on the first step. */
  constructor(options: AdamOptions = {}) {
    this.#lr = options.lr ?? 1e-3;
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.999;
    this.#eps = options.eps ?? 1e-8;
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.#t;
  }

  /** One update; `grads[i]` must have the shape of `params[i]`. */
  step(params: readonly Tensor[], grads: readonly Tensor[]): Tensor[] {
    if (params.length !== grads.length) {
      throw new ShapeError(
        `Cannot take Adam step: ${params.length} parameters but ${grads.length} gradients`,
      );
    }
    if (this.#t === 0) {
      this.#m = params.map((p) => new Float64Array(p.size));
      this.#v = params.map((p) => new Float64Array(p.size));
    }
    this.#t++;
    const b1 = this.#beta1, b2 = this.#beta2;
    const c1 = 1 - b1 ** this.#t, c2 = 1 - b2 ** this.#t;
    return params.map((p, i) => {
      const g = grads[i].data, m = this.#m[i], v = this.#v[i];
      if (g.length !== p.size || m.length !== p.size) {
        throw new ShapeError(
          `Cannot take Adam step: parameter ${i} has ${p.size} entries, gradient ${g.length}`,
        );
      }
      const out = new Float64Array(p.size);
      for (let k = 0; k < out.length; k++) {
        m[k] = b1 * m[k] + (1 - b1) * g[k];
        v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
        out[k] = p.data[k] - this.#lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + this.#eps);
      }
      return new Tensor(out, p.shape);
    });
  }
}
