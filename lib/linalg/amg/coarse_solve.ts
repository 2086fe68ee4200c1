/**
 * The direct solve on the coarsest level: the level's matrix made dense and
 * factored once by Cholesky (`A = L Lᵀ`) when it is symmetric, falling back
 * to LU with partial pivoting when Cholesky meets a negative pivot or the
 * matrix is nonsymmetric. Solves run in place on preallocated storage.
 *
 * A symmetric positive *semi*definite coarsest matrix — a pure Neumann
 * problem or a graph Laplacian keeps its constant nullspace on every level
 * — gets a semidefinite Cholesky: a pivot `d_j ≤ 10⁻¹⁰·a_jj` (zero but for
 * rounding) marks j as a null direction, column j of L is set to 0 and the
 * solves set `x_j = 0`. That applies the symmetric positive semidefinite
 * generalised inverse `G = L⁺ᵀ L⁺` (`A G A = A` when the null pivots are
 * exact), which is what CG needs on a consistent singular system.
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
  /** Null pivots of a semidefinite Cholesky (0: A is definite, and always for LU). */
  readonly nullity: number;
  /** Order of the matrix. */
  readonly n: number;
  /** `x ← A⁻¹ b` (no allocation). */
  solve(b: Float64Array, x: Float64Array): void;
  /** `x ← A⁻ᵀ b` (no allocation). */
  solveTranspose(b: Float64Array, x: Float64Array): void;
}

/**
 * Factors `A` densely: Cholesky when `symmetric` (semidefinite allowed,
 * see the module documentation), else (or when a pivot is negative) LU.
 * Throws {@linkcode SingularMatrixError} when LU finds no nonzero pivot.
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
 * // Singular but semidefinite (nullspace: constants): solves consistent right-hand sides.
 * const N = denseCoarseSolver(CsrMatrix.fromDense([[1, -1], [-1, 1]]), true);
 * N.solve(Float64Array.of(1, -1), x);
 * assert.equal(N.nullity, 1);
 * assert.deepEqual([...x], [1, 0]); // x − [1, 0] is in the nullspace
 * ```
 */
export function denseCoarseSolver(A: CsrMatrix, symmetric: boolean): DenseCoarseSolver {
  const n = A.shape[0];
  const a = A.toDense();
  if (symmetric) {
    const L = Float64Array.from(a);
    const nullity = cholesky(L, n);
    if (nullity >= 0) return choleskySolver(L, n, nullity);
  }
  return luSolver(a, n);
}

/** Relative size below which a Cholesky pivot counts as zero (a null direction). */
const NULL_PIVOT = 1e-10;

/**
 * In-place semidefinite lower Cholesky of the row-major `a`: the number of
 * null pivots (their columns of L zero, their diagonal entries 0), or −1 on
 * a negative pivot (A is not semidefinite) or a non-finite one.
 */
function cholesky(a: Float64Array, n: number): number {
  let nullity = 0;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const ajj = a[rj + j];
    let d = ajj;
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(ajj > 0 && Number.isFinite(d)) || d < -NULL_PIVOT * ajj) return -1;
    if (d <= NULL_PIVOT * ajj) {
      // A null direction: column j of L is 0 (the solves skip it).
      nullity++;
      for (let i = j; i < n; i++) a[i * n + j] = 0;
      continue;
    }
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
  }
  return nullity;
}

function choleskySolver(L: Float64Array, n: number, nullity: number): DenseCoarseSolver {
  // x = L⁺ᵀ L⁺ b: forward then back substitution, x_j = 0 for a null pivot (L_jj = 0).
  const solve = (b: Float64Array, x: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      if (L[ri + i] === 0) {
        x[i] = 0;
        continue;
      }
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
      x[i] = s / L[ri + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      const lii = L[i * n + i];
      const xi = lii === 0 ? 0 : x[i] / lii;
      x[i] = xi;
      for (let k = 0; k < i; k++) x[k] -= L[i * n + k] * xi;
    }
  };
  return { kind: "cholesky", n, nullity, solve, solveTranspose: solve };
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
  return {
    kind: "lu",
    n,
    nullity: 0,
    solve: f.solveInto,
    solveTranspose: f.solveTransposeInto,
  };
}
