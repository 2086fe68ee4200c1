/**
 * Dense float64 vector kernels for the Krylov solvers: dot products,
 * norms, axpy updates and a finiteness check. Loops are written for V8:
 * typed-array locals, no allocation, and a 4-way unrolled reduction so the
 * additions of the dot product do not form one long dependency chain.
 *
 * @module
 */

import { NonFiniteError } from "../errors.ts";

/**
 * `aᵀb` over the first `a.length` entries (4-way unrolled).
 *
 * @example
 * ```ts
 * import { dot } from "./vector.ts";
 * console.assert(dot(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)) === 32);
 * ```
 */
export function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const n4 = n - (n & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Euclidean norm `‖a‖₂`.
 *
 * @example
 * ```ts
 * import { norm2 } from "./vector.ts";
 * console.assert(norm2(Float64Array.of(3, 4)) === 5);
 * ```
 */
export function norm2(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * `y ← y + α x` in place.
 *
 * @example
 * ```ts
 * import { axpy } from "./vector.ts";
 * const y = Float64Array.of(1, 1);
 * axpy(2, Float64Array.of(1, 2), y);
 * console.assert(y[0] === 3 && y[1] === 5);
 * ```
 */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/**
 * `y ← x + β y` in place (the CG search-direction update).
 *
 * @example
 * ```ts
 * import { xpby } from "./vector.ts";
 * const y = Float64Array.of(1, 2);
 * xpby(Float64Array.of(1, 1), 3, y);
 * console.assert(y[0] === 4 && y[1] === 7);
 * ```
 */
export function xpby(x: Float64Array, beta: number, y: Float64Array): void {
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] = x[i] + beta * y[i];
}

/**
 * `y ← α x` (overwrites `y`).
 *
 * @example
 * ```ts
 * import { scaleInto } from "./vector.ts";
 * const y = new Float64Array(2);
 * scaleInto(0.5, Float64Array.of(2, 4), y);
 * console.assert(y[0] === 1 && y[1] === 2);
 * ```
 */
export function scaleInto(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] = alpha * x[i];
}

/**
 * Throws {@linkcode NonFiniteError} naming the first NaN or infinite entry
 * of `v`; `what` names the vector in the message.
 *
 * @example
 * ```ts
 * import { assertFiniteVector } from "./vector.ts";
 * assertFiniteVector(Float64Array.of(1, 2), "b"); // passes
 * try {
 *   assertFiniteVector(Float64Array.of(1, NaN), "b");
 * } catch (e) {
 *   console.assert((e as Error).message === "Cannot use b: b[1] is NaN");
 * }
 * ```
 */
export function assertFiniteVector(v: Float64Array, what: string): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    if (vi - vi !== 0) throw new NonFiniteError(`Cannot use ${what}: ${what}[${i}] is ${vi}`);
  }
}

/**
 * Largest absolute entry, NaN when any entry is NaN. Unlike the 2-norm it
 * cannot underflow, so it is the scale used to normalise tiny right-hand
 * sides.
 *
 * @example
 * ```ts
 * import { maxAbs } from "./vector.ts";
 * console.assert(maxAbs(Float64Array.of(1e-300, -3e-300)) === 3e-300);
 * ```
 */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (a > m || a !== a) m = a;
  }
  return m;
}
