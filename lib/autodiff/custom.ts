/**
 * User-defined gradients. `customVjp` turns a numeric forward computation
 * and a hand-written backward rule into one graph node (the differentiable
 * solve is built on it); `customJvp` takes a forward-mode rule instead and
 * derives the reverse rule by transposing it.
 *
 * @module
 */

import { backward, isRecording, record, traced, untraced, watch } from "./tape.ts";
import { type Cotangents, type Saved, type Tensor, type VjpRule, zeros } from "./tensor.ts";

/**
 * What the forward function of {@linkcode customVjp} returns.
 *
 * @category Autodiff
 */
export interface CustomVjpStep {
  /** The forward value (computed untraced; only its data and shape are used). */
  readonly value: Tensor;
  /**
   * `(ḡ, needs) ↦` one cotangent per input. Write it with differentiable ops
   * on the inputs so that gradients of gradients work. May return a Promise
   * (then only the async transforms can run it).
   */
  readonly backward: VjpRule;
  /** Buffers `backward` keeps alive besides the inputs (counted by `tapeBytes`). @default {[]} */
  readonly saved?: readonly Saved[];
}

/**
 * Defines a function with its own vector–Jacobian product. `forward` runs
 * without recording (its inner ops leave no graph); the result is one node
 * named `custom:NAME` whose vjp is `step.backward`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { customVjp, div, grad, mul, scalar, sqrt, type Tensor } from "@gradsolve/gradsolve";
 * // √x with a hand-written rule ḡ / (2√x)
 * const mySqrt = customVjp("sqrt", (x: Tensor) => {
 *   const y = sqrt(x);
 *   return { value: y, backward: (g) => [div(g, mul(sqrt(x), 2))] };
 * });
 * assert.equal(grad(mySqrt)(scalar(4)).item(), 0.25);
 * ```
 *
 * @category Autodiff
 */
export function customVjp<A extends Tensor[]>(
  name: string,
  forward: (...inputs: A) => CustomVjpStep,
): (...inputs: A) => Tensor {
  return (...inputs) => {
    const step = untraced(() => forward(...inputs));
    return record(
      `custom:${name}`,
      step.value.data,
      step.value.shape,
      inputs,
      step.backward,
      step.saved ?? [],
    );
  };
}

/**
 * {@linkcode customVjp} with an asynchronous forward (e.g. a GPU solve).
 * Its inner ops are not paused (an await would let other work run), so
 * write the forward with numeric code rather than traced ops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { customVjpAsync, gradAsync, mul, scalar, type Tensor } from "@gradsolve/gradsolve";
 * const twice = customVjpAsync("twice", async (x: Tensor) => ({
 *   value: scalar(2 * x.item()),
 *   backward: async (g) => [mul(g, 2)],
 * }));
 * assert.equal((await gradAsync(twice)(scalar(1))).item(), 2);
 * ```
 *
 * @category Autodiff
 */
export function customVjpAsync<A extends Tensor[]>(
  name: string,
  forward: (...inputs: A) => Promise<CustomVjpStep>,
): (...inputs: A) => Promise<Tensor> {
  return async (...inputs) => {
    const step = await forward(...inputs);
    return record(
      `custom:${name}`,
      step.value.data,
      step.value.shape,
      inputs,
      step.backward,
      step.saved ?? [],
    );
  };
}

/**
 * Defines a function by its forward-mode rule: `jvpRule(primals, tangents)`
 * returns the output tangent and must be linear in the tangents. The reverse
 * rule is its transpose, obtained exactly as the vjp of
 * `t ↦ jvpRule(primals, t)` (a linear map) at the output cotangent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { customJvp, exp, grad, mul, scalar, type Tensor } from "@gradsolve/gradsolve";
 * const myExp = customJvp("exp", (x: Tensor) => exp(x), ([x], [t]) => mul(exp(x), t));
 * assert.equal(grad(myExp)(scalar(0)).item(), 1);
 * ```
 *
 * @category Autodiff
 */
export function customJvp<A extends Tensor[]>(
  name: string,
  f: (...inputs: A) => Tensor,
  jvpRule: (primals: A, tangents: Tensor[]) => Tensor,
): (...inputs: A) => Tensor {
  return customVjp<A>(name, (...inputs) => ({
    value: f(...inputs),
    backward: (g, needs): Cotangents => {
      const createGraph = isRecording();
      const tangents = inputs.map((x) => watch(zeros(x.shape)));
      const out = traced(() => jvpRule(inputs, tangents));
      const cts = backward(out, g, tangents, { createGraph });
      return cts.map((c, i) => (needs[i] ? c ?? zeros(inputs[i].shape) : null));
    },
  }));
}
