/**
 * Asynchronous transforms for functions whose forward or backward pass
 * awaits (WebGPU solves): `f` may be async and a vjp rule may return a
 * Promise. They run the same backward algorithm as the sync transforms,
 * awaiting each step in order.
 *
 * Concurrent async transforms may interleave safely (recording is a counter,
 * so an interleaving can only record more graph than needed, never less).
 *
 * @module
 */

import { checkScalar, onesLike, orZeros, prepareCall } from "./_inputs.ts";
import { backwardAsync, isRecording, tracedAsync } from "./tape.ts";
import type { Tensor } from "./tensor.ts";

/**
 * A function of tensors returning a tensor, possibly asynchronously.
 *
 * @category Autodiff
 */
export type AsyncTensorFn = (...args: Tensor[]) => Tensor | Promise<Tensor>;

/**
 * Async pullback: cotangent of the output to cotangents of the primals.
 *
 * @category Autodiff
 */
export type AsyncPullback = (cotangent: Tensor) => Promise<Tensor[]>;

async function valueAndGradAtAsync(
  f: AsyncTensorFn,
  argnums: readonly number[],
  args: readonly Tensor[],
): Promise<[Tensor, Tensor[]]> {
  const nested = isRecording();
  const { call, inputs } = prepareCall("gradAsync", args, argnums);
  const out = checkScalar("gradAsync", await tracedAsync(() => f(...call)));
  const grads = await backwardAsync(out, onesLike(out), inputs, { createGraph: nested });
  return [nested ? out : out.detach(), orZeros(grads, inputs)];
}

/**
 * Async {@linkcode valueAndGrad}: value and gradient with respect to
 * argument `argnum` (default 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mul, sum, tensor, valueAndGradAsync } from "@gradsolve/gradsolve";
 * const [v, g] = await valueAndGradAsync(async (x) => sum(mul(x, x)))(tensor([3]));
 * assert.equal(v.item(), 9);
 * assert.equal(g.data[0], 6);
 * ```
 *
 * @category Autodiff
 */
export function valueAndGradAsync(
  f: AsyncTensorFn,
  argnum = 0,
): (...args: Tensor[]) => Promise<[Tensor, Tensor]> {
  return async (...args) => {
    const [v, g] = await valueAndGradAtAsync(f, [argnum], args);
    return [v, g[0]];
  };
}

/**
 * Async {@linkcode grad}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradAsync, square, sum, tensor } from "@gradsolve/gradsolve";
 * const g = await gradAsync(async (x) => sum(square(x)))(tensor([1, 2]));
 * assert.equal(g.data.join(), "2,4");
 * ```
 *
 * @category Autodiff
 */
export function gradAsync(f: AsyncTensorFn, argnum = 0): (...args: Tensor[]) => Promise<Tensor> {
  return async (...args) => (await valueAndGradAtAsync(f, [argnum], args))[1][0];
}

/**
 * Async {@linkcode vjp}: `f(...primals)` and an async pullback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mul, tensor, vjpAsync } from "@gradsolve/gradsolve";
 * const [y, pullback] = await vjpAsync(async (x) => mul(x, 2), tensor([1]));
 * assert.equal((await pullback(tensor([1])))[0].data[0], 2);
 * assert.equal(y.data[0], 2);
 * ```
 *
 * @category Autodiff
 */
export async function vjpAsync(
  f: AsyncTensorFn,
  ...primals: Tensor[]
): Promise<[Tensor, AsyncPullback]> {
  const nested = isRecording();
  const { call, inputs } = prepareCall("vjpAsync", primals, primals.map((_, i) => i));
  const y = await tracedAsync(() => f(...call));
  const pullback: AsyncPullback = async (ct) =>
    orZeros(await backwardAsync(y, ct, inputs, { createGraph: isRecording() }), inputs);
  return [nested ? y : y.detach(), pullback];
}
