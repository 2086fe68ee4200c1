/**
 * One code path for synchronous and asynchronous backends: a value that may
 * be a promise, and `then` that continues with it either way (synchronously
 * when it is a plain value). The solver driver and the implicit node use it
 * so the CPU and the GPU run the same text.
 *
 * @module
 */

/**
 * A value, or a promise of one.
 *
 * @category Solvers
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * `f(v)`, after `v` resolves when it is a promise; synchronous otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { then } from "@gradsolve/gradsolve";
 * assert.equal(then(2, (v) => v + 1), 3);
 * assert.equal(await then(Promise.resolve(2), (v) => v + 1), 3);
 * ```
 *
 * @category Solvers
 */
export function then<T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
