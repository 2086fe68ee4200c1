/**
 * Dense LU with partial pivoting, for small systems and as the reference
 * the tests compare every iterative solver against. O(n³); not meant for
 * large matrices.
 *
 * @module
 */

import { ShapeError, SingularMatrixError } from "../errors.ts";

/**
 * The factors `P A = L U` of a square dense matrix, packed in one row-major
 * array (`L` unit lower, below the diagonal; `U` on and above it).
 *
 * @category Solvers
 */
export interface DenseLuFactors {
  /** Order of the matrix. */
  readonly n: number;
  /** Packed `L` and `U`, row-major, `n·n` entries. */
  readonly lu: Float64Array;
  /** `pivots[k]` is the original row moved to position k. */
  readonly pivots: Int32Array;
  /** Solves `A x = b` and returns `x`. */
  solve(b: ArrayLike<number>): Float64Array;
  /** Solves `Aᵀ x = b` and returns `x`. */
  solveTranspose(b: ArrayLike<number>): Float64Array;
  /** Solves `A x = b` into `x` (no allocation; `x` must not alias `b`). */
  solveInto(b: ArrayLike<number>, x: Float64Array): void;
  /** Solves `Aᵀ x = b` into `x` (no allocation; `x` must not alias `b`). */
  solveTransposeInto(b: ArrayLike<number>, x: Float64Array): void;
}

/**
 * Options of {@linkcode denseLu}.
 *
 * @category Solvers
 */
export interface DenseLuOptions {
  /**
   * A pivot counts as zero when `|pivot| ≤ pivotTolerance · max|A|`.
   * @default {0}
   */
  pivotTolerance?: number;
}

/**
 * Factors a square row-major matrix with partial pivoting. Throws
 * {@linkcode SingularMatrixError} naming the column when no nonzero pivot
 * is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseLu } from "@gradsolve/gradsolve";
 * const f = denseLu([0, 1, 2, 3], 2);
 * const x = f.solve([1, 5]);
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * ```
 *
 * @category Solvers
 */
export function denseLu(
  A: ArrayLike<number>,
  n: number,
  options: DenseLuOptions = {},
): DenseLuFactors {
  if (!(Number.isInteger(n) && n > 0)) {
    throw new ShapeError(`Cannot factor: order n must be a positive integer, got ${n}`);
  }
  if (A.length !== n * n) {
    throw new ShapeError(
      `Cannot factor: matrix has ${A.length} entries but a ${n}x${n} matrix needs ${n * n}`,
    );
  }
  const lu = Float64Array.from(A);
  const pivots = new Int32Array(n);
  for (let i = 0; i < n; i++) pivots[i] = i;
  let scale = 0;
  for (let k = 0; k < lu.length; k++) scale = Math.max(scale, Math.abs(lu[k]));
  const zero = (options.pivotTolerance ?? 0) * scale;
  for (let k = 0; k < n; k++) {
    let p = k, best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > zero)) {
      throw new SingularMatrixError(
        `Cannot factor: matrix is singular, no nonzero pivot in column ${k}`,
        k,
      );
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = pivots[k];
      pivots[k] = pivots[p];
      pivots[p] = t;
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const l = (lu[i * n + k] /= pivot);
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j];
    }
  }
  const checkLength = (b: ArrayLike<number>) => {
    if (b.length !== n) {
      throw new ShapeError(`Cannot solve: b has length ${b.length} but the matrix has order ${n}`);
    }
  };
  const w = new Float64Array(n);
  // P A = L U  ⇒  L y = P b, U x = y.
  const solveInto = (b: ArrayLike<number>, x: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = b[pivots[i]];
      for (let j = 0; j < i; j++) s -= lu[i * n + j] * x[j];
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i];
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j];
      x[i] = s / lu[i * n + i];
    }
  };
  // Aᵀ = Uᵀ Lᵀ P  ⇒  Uᵀ w = b, Lᵀ v = w, x = Pᵀ v.
  const solveTransposeInto = (b: ArrayLike<number>, x: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let j = 0; j < i; j++) s -= lu[j * n + i] * w[j];
      w[i] = s / lu[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = w[i];
      for (let j = i + 1; j < n; j++) s -= lu[j * n + i] * w[j];
      w[i] = s;
    }
    for (let i = 0; i < n; i++) x[pivots[i]] = w[i];
  };
  return {
    n,
    lu,
    pivots,
    solve(b) {
      checkLength(b);
      const x = new Float64Array(n);
      solveInto(b, x);
      return x;
    },
    solveTranspose(b) {
      checkLength(b);
      const x = new Float64Array(n);
      solveTransposeInto(b, x);
      return x;
    },
    solveInto,
    solveTransposeInto,
  };
}

/**
 * Solves `A x = b` for a square row-major `A` of order `n`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseSolve } from "@gradsolve/gradsolve";
 * const x = denseSolve([2, 0, 0, 4], 2, [2, 2]);
 * assert.equal(x[0], 1);
 * assert.equal(x[1], 0.5);
 * ```
 *
 * @category Solvers
 */
export function denseSolve(A: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  return denseLu(A, n).solve(b);
}

/**
 * Solves `Aᵀ x = b` for a square row-major `A` of order `n`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseSolveTranspose } from "@gradsolve/gradsolve";
 * // A = [[1, 1], [0, 1]], Aᵀ = [[1, 0], [1, 1]].
 * const x = denseSolveTranspose([1, 1, 0, 1], 2, [1, 3]);
 * assert.equal(x[0], 1);
 * assert.equal(x[1], 2);
 * ```
 *
 * @category Solvers
 */
export function denseSolveTranspose(
  A: ArrayLike<number>,
  n: number,
  b: ArrayLike<number>,
): Float64Array {
  return denseLu(A, n).solveTranspose(b);
}
