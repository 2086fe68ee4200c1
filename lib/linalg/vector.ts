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
 * import assert from "node:assert/strict";
 * import { dot } from "./vector.ts";
 * assert.equal(dot(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)), 32);
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
 * Euclidean norm `‖a‖₂` that neither overflows nor underflows (as LAPACK's
 * `dnrm2`): `√(aᵀa)` when the sum of squares is safely inside the float64
 * range, else `s·√Σ(aᵢ/s)²` with `s` the power of two nearest `max|aᵢ|`. NaN when an entry is NaN,
 * Infinity when one is infinite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { norm2 } from "./vector.ts";
 * assert.equal(norm2(Float64Array.of(3, 4)), 5);
 * // √Σa² would be Infinity here:
 * assert.ok(Math.abs(norm2(Float64Array.of(3e200, 4e200)) / 5e200 - 1) < 1e-15);
 * ```
 */
export function norm2(a: Float64Array): number {
  const ss = dot(a, a);
  // Squares below 2⁻⁹⁶⁰ relative to the sum cannot matter, and none overflowed.
  if (ss > SAFE_MIN_SQUARES && ss < SAFE_MAX_SQUARES) return Math.sqrt(ss);
  const m = maxAbs(a);
  if (m === 0 || !(m < Infinity)) return m; // zero, NaN or Infinity
  const scale = unitScale(a); // a power of two: aᵢ/scale is exact
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** Bounds of a sum of squares whose square root is accurate without rescaling. */
const SAFE_MIN_SQUARES = 2 ** -960, SAFE_MAX_SQUARES = 2 ** 960;

/**
 * `y ← y + α x` in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axpy } from "./vector.ts";
 * const y = Float64Array.of(1, 1);
 * axpy(2, Float64Array.of(1, 2), y);
 * assert.equal(y[0], 3);
 * assert.equal(y[1], 5);
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
 * import assert from "node:assert/strict";
 * import { xpby } from "./vector.ts";
 * const y = Float64Array.of(1, 2);
 * xpby(Float64Array.of(1, 1), 3, y);
 * assert.equal(y[0], 4);
 * assert.equal(y[1], 7);
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
 * import assert from "node:assert/strict";
 * import { scaleInto } from "./vector.ts";
 * const y = new Float64Array(2);
 * scaleInto(0.5, Float64Array.of(2, 4), y);
 * assert.equal(y[0], 1);
 * assert.equal(y[1], 2);
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
 * import assert from "node:assert/strict";
 * import { assertFiniteVector } from "./vector.ts";
 * assertFiniteVector(Float64Array.of(1, 2), "b"); // passes
 * try {
 *   assertFiniteVector(Float64Array.of(1, NaN), "b");
 * } catch (e) {
 *   assert.equal((e as Error).message, "Cannot use b: b[1] is NaN");
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
 * import assert from "node:assert/strict";
 * import { maxAbs } from "./vector.ts";
 * assert.equal(maxAbs(Float64Array.of(1e-300, -3e-300)), 3e-300);
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

/**
 * The power of two nearest `max|vᵢ|` (1 for a zero or non-finite `v`).
 * Dividing by it is exact, so a solve of `A y = v/s` followed by `x = s·y`
 * gives the same digits as at unit scale while no dot product of the
 * solver can overflow or underflow: the numeric solvers solve at this scale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unitScale } from "./vector.ts";
 * assert.equal(unitScale(Float64Array.of(3e-170, -1e-170)), 2 ** -563);
 * assert.equal(unitScale(new Float64Array(2)), 1);
 * ```
 */
export function unitScale(v: Float64Array): number {
  const m = maxAbs(v);
  if (m === 0 || !(m < Infinity)) return 1;
  const e = Math.min(1023, Math.max(-1074, Math.round(Math.log2(m))));
  return 2 ** e;
}
