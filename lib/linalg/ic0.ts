/**
 * The IC(0) preconditioner: incomplete Cholesky `A ≈ L Lᵀ` on the lower
 * triangle of the pattern of `A` (no fill-in), with an optional diagonal
 * shift (Manteuffel, 1980) for matrices where plain IC(0) breaks down.
 *
 * @module
 */

import { type LowerPattern, lowerPattern } from "../sparse/lower_pattern.ts";
import { FactorizationError, ShapeError } from "../errors.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { CsrPattern } from "../sparse/pattern.ts";
import { factorPreconditioner } from "./factor_preconditioner.ts";
import type { Preconditioner } from "./preconditioner.ts";

/**
 * Options of {@linkcode ic0}.
 *
 * @category Preconditioners
 */
export interface Ic0Options {
  /**
   * Diagonal shift α: factor `A + α·diag(A)` instead of `A`. `"auto"` tries
   * α = 0, then 1e-3, 1e-2, … up to 1e3 until no pivot is non-positive.
   * @default {0}
   */
  shift?: number | "auto";
}

/**
 * An IC(0) preconditioner, with the diagonal shift that was used.
 *
 * @category Preconditioners
 */
export interface IncompleteCholesky extends Preconditioner {
  /** The shift α of `A + α·diag(A)` that was factored (0 when none was needed). */
  readonly shift: number;
  /** The factor `L` (lower triangle of A's pattern, diagonal last in each row). */
  readonly factor: CsrMatrix;
}

const AUTO_FIRST_SHIFT = 1e-3;
const AUTO_MAX_SHIFT = 1e3;

/**
 * Factors `A + α·diag(A) ≈ L Lᵀ` using only the lower triangle of `A`
 * (entries `(i, j)` with `j ≤ i`) and returns `M⁻¹ = (L Lᵀ)⁻¹`, which is
 * symmetric positive definite. Throws {@linkcode FactorizationError} naming
 * the row when a diagonal entry is missing or a pivot is not positive
 * (suggesting `shift: "auto"`), `RangeError` for a negative shift.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, ic0 } from "@gradsolve/gradsolve";
 * // Tridiagonal SPD: no fill-in, so IC(0) is the exact Cholesky factor.
 * const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 1], [0, 1, 4]]);
 * const M = ic0(A);
 * const z = new Float64Array(3);
 * M.apply(A.multiply(Float64Array.of(1, 2, 3)), z);
 * assert.ok(Math.abs(z[1] - 2) < 1e-14);
 * assert.equal(M.shift, 0);
 * ```
 *
 * @category Preconditioners
 */
export function ic0(A: CsrMatrix, options: Ic0Options = {}): IncompleteCholesky {
  const [n, cols] = A.shape;
  if (n !== cols) {
    throw new ShapeError(
      `Cannot build IC(0) preconditioner: matrix is ${n}x${cols} but must be square`,
    );
  }
  A.assertFinite("A");
  const shift = options.shift ?? 0;
  if (shift !== "auto" && !(shift >= 0 && shift < Infinity)) {
    throw new RangeError(
      `Cannot build IC(0) preconditioner: shift must be "auto" or a finite number >= 0, got ${shift}`,
    );
  }
  const lower = lowerTriangle(A);
  if (shift !== "auto") {
    const failure = factor(lower, shift);
    if (failure) {
      const hint = shift === 0
        ? 'retry with shift: "auto"'
        : 'retry with a larger shift or shift: "auto"';
      throw new FactorizationError(
        `Cannot build IC(0) preconditioner: pivot of row ${failure.row} is ${failure.pivot} ` +
          `with shift ${shift}; ${hint}`,
        failure.row,
      );
    }
    return preconditioner(lower, shift);
  }
  for (let i = 0; i < n; i++) {
    const d = lower.values[lower.rowPtr[i + 1] - 1];
    if (!(d > 0)) {
      throw new FactorizationError(
        `Cannot build IC(0) preconditioner: diagonal entry of row ${i} is ${d}; ` +
          "no shift makes a non-positive diagonal factorable",
        i,
      );
    }
  }
  let failure = factor(lower, 0);
  let alpha = 0;
  while (failure) {
    alpha = alpha === 0 ? AUTO_FIRST_SHIFT : alpha * 10;
    if (alpha > AUTO_MAX_SHIFT) {
      throw new FactorizationError(
        `Cannot build IC(0) preconditioner: pivot of row ${failure.row} is still ${failure.pivot} ` +
          `with shift ${AUTO_MAX_SHIFT}, the largest shift "auto" tries`,
        failure.row,
      );
    }
    failure = factor(lower, alpha);
  }
  return preconditioner(lower, alpha);
}

/** The lower triangle of a CSR matrix (diagonal last in each row) and, later, its factor. */
interface LowerTriangle {
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** Entries of `A`'s lower triangle. */
  readonly values: Float64Array;
  /** Entries of `L` after {@linkcode factor}. */
  readonly factor: Float64Array;
}

function lowerTriangle(A: CsrMatrix): LowerTriangle {
  let lower: LowerPattern;
  try {
    lower = lowerPattern(A);
  } catch (e) {
    if (!(e instanceof FactorizationError)) throw e;
    throw new FactorizationError(
      `Cannot build IC(0) preconditioner: diagonal entry of row ${e.row} is not stored`,
      e.row,
    );
  }
  const { pattern, source } = lower;
  const values = new Float64Array(source.length);
  for (let k = 0; k < source.length; k++) values[k] = A.values[source[k]];
  return {
    n: pattern.nRows,
    rowPtr: pattern.rowPtr,
    colIdx: pattern.colIdx,
    values,
    factor: new Float64Array(source.length),
  };
}

/**
 * Left-looking IC(0) of `A + α·diag(A)` into `lower.factor`; returns the
 * first failing row and its pivot², or `undefined` on success.
 */
function factor(lower: LowerTriangle, alpha: number): { row: number; pivot: number } | undefined {
  const { n, rowPtr, colIdx, values } = lower;
  const L = lower.factor;
  L.set(values);
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i], last = rowPtr[i + 1] - 1;
    for (let k = start; k < last; k++) pos[colIdx[k]] = k;
    // L[i][j] = (A[i][j] − Σ_{m<j} L[i][m] L[j][m]) / L[j][j]
    for (let kk = start; kk < last; kk++) {
      const j = colIdx[kk];
      let s = L[kk];
      const jLast = rowPtr[j + 1] - 1;
      for (let m = rowPtr[j]; m < jLast; m++) {
        const p = pos[colIdx[m]];
        if (p >= 0) s -= L[p] * L[m];
      }
      L[kk] = s / L[jLast];
    }
    // L[i][i]² = (1 + α) A[i][i] − Σ_{m<i} L[i][m]²
    let d = (1 + alpha) * L[last];
    for (let k = start; k < last; k++) {
      d -= L[k] * L[k];
      pos[colIdx[k]] = -1;
    }
    if (!(d > 0 && d < Infinity)) return { row: i, pivot: d };
    L[last] = Math.sqrt(d);
  }
  return undefined;
}

function preconditioner(lower: LowerTriangle, shift: number): IncompleteCholesky {
  const { n, rowPtr, colIdx } = lower;
  const factor = new CsrMatrix(new CsrPattern(n, n, rowPtr, colIdx), lower.factor);
  return { ...factorPreconditioner(factor, "ic0"), shift, factor };
}
