/**
 * The direct solve on the coarsest level: the level's matrix made dense and
 * factored once by Cholesky (`A = L Lᵀ`) when it is symmetric, falling back
 * to LU with partial pivoting when Cholesky meets a non-positive pivot or
 * the matrix is nonsymmetric. Solves run in place on preallocated storage.
 *
 * @module
 */

import { SingularMatrixError } from "../../errors.ts";
import { denseLu, type DenseLuFactors } from "../dense.ts";
import type { CsrMatrix } from "../../sparse/csr.ts";

/** A factored coarsest-level matrix. */
export interface DenseCoarseSolver {
  /** `"cholesky"` or `"lu"`: which factorisation succeeded. */
  readonly kind: "cholesky" | "lu";
  /** Order of the matrix. */
  readonly n: number;
  /** `x ← A⁻¹ b` (no allocation). */
  solve(b: Float64Array, x: Float64Array): void;
  /** `x ← A⁻ᵀ b` (no allocation). */
  solveTranspose(b: Float64Array, x: Float64Array): void;
}

/**
 * Factors `A` densely: Cholesky when `symmetric`, else (or when a pivot is
 * not positive) LU. Throws {@linkcode SingularMatrixError} when LU finds no
 * nonzero pivot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseCoarseSolver } from "./coarse_solve.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const s = denseCoarseSolver(CsrMatrix.fromDense([[4, 2], [2, 3]]), true);
 * const x = new Float64Array(2);
 * s.solve(Float64Array.of(6, 5), x);
 * assert.equal(s.kind, "cholesky");
 * assert.ok(Math.abs(x[0] - 1) < 1e-15 && Math.abs(x[1] - 1) < 1e-15);
 * ```
 */
export function denseCoarseSolver(A: CsrMatrix, symmetric: boolean): DenseCoarseSolver {
  const n = A.shape[0];
  const a = A.toDense();
  if (symmetric) {
    const L = Float64Array.from(a);
    if (cholesky(L, n)) return choleskySolver(L, n);
  }
  return luSolver(a, n);
}

/** In-place lower Cholesky of the row-major `a`; false on a non-positive pivot. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0 && d < Infinity)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

function choleskySolver(L: Float64Array, n: number): DenseCoarseSolver {
  const solve = (b: Float64Array, x: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
      x[i] = s / L[ri + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      const xi = x[i] / L[i * n + i];
      x[i] = xi;
      for (let k = 0; k < i; k++) x[k] -= L[i * n + k] * xi;
    }
  };
  return { kind: "cholesky", n, solve, solveTranspose: solve };
}

function luSolver(a: Float64Array, n: number): DenseCoarseSolver {
  let f: DenseLuFactors;
  try {
    f = denseLu(a, n, { pivotTolerance: 1e-15 });
  } catch (e) {
    if (!(e instanceof SingularMatrixError)) throw e;
    throw new SingularMatrixError(
      `Cannot set up AMG: the coarsest matrix (${n}x${n}) is singular at column ${e.column}; ` +
        "try a larger coarseSize or a different nullspace",
      e.column,
    );
  }
  return { kind: "lu", n, solve: f.solveInto, solveTranspose: f.solveTransposeInto };
}
