/**
 * Sparse Cholesky `P A Pᵀ = L Lᵀ`, up-looking: row k of L solves the
 * triangular system `L(0:k, 0:k) · L(k, 0:k)ᵀ = C(0:k, k)` (with `C = PAPᵀ`),
 * whose nonzero pattern is the row subtree of the elimination tree. The
 * symbolic phase ({@linkcode analyzeCholesky}) computes the whole structure of
 * L once; every numeric factorisation ({@linkcode choleskyNumeric}) only fills
 * values, so a value change reuses it at no symbolic cost.
 *
 * @module
 */

import type { CsrPattern } from "../../sparse/pattern.ts";
import { eliminationTree, rowPattern } from "./etree.ts";

/**
 * Structure of a Cholesky factorisation, independent of the values.
 *
 * @category Solvers
 */
export interface CholeskySymbolic {
  /** Order n. */
  readonly n: number;
  /** `perm[k]` = row/column of A that comes k-th. */
  readonly perm: Int32Array;
  /** Inverse of `perm`. */
  readonly pinv: Int32Array;
  /** Upper triangle of `C = PAPᵀ` by columns: offsets. */
  readonly cColPtr: Int32Array;
  /** Row index (in C) of each stored entry of C's upper triangle. */
  readonly cRowIdx: Int32Array;
  /** Index into A's value array of each stored entry of C's upper triangle. */
  readonly cSource: Int32Array;
  /** Elimination tree of C. */
  readonly parent: Int32Array;
  /** Column offsets of L (diagonal entry first in each column). */
  readonly lColPtr: Int32Array;
  /** Row indices of L, increasing within each column. */
  readonly lRowIdx: Int32Array;
}

/** Values of L, or the column where a pivot was not positive. */
export type CholeskyNumeric =
  | { readonly ok: true; readonly lValues: Float64Array }
  | {
    readonly ok: false;
    /** Original column (of A) of the failed pivot. */
    readonly column: number;
    /** The pivot `d = C(k,k) − ‖L(k, 0:k)‖²` that failed. */
    readonly pivot: number;
    /** True when `d` is positive but below `n·eps·C(k,k)` (numerically singular). */
    readonly tiny: boolean;
  };

/**
 * Symbolic Cholesky of a structurally symmetric square pattern under the
 * symmetric permutation `perm`: C's upper triangle, the elimination tree and
 * the full pattern of L. O(nnz(A) + nnz(L)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeCholesky } from "./cholesky.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 1], [0, 1, 4]]);
 * const s = analyzeCholesky(A.pattern, Int32Array.of(0, 1, 2));
 * assert.equal(s.lColPtr[3], 5); // tridiagonal: no fill
 * ```
 */
export function analyzeCholesky(pattern: CsrPattern, perm: Int32Array): CholeskySymbolic {
  const n = pattern.nRows;
  const { rowPtr, colIdx } = pattern;
  const pinv = new Int32Array(n);
  for (let k = 0; k < n; k++) pinv[perm[k]] = k;
  // Upper triangle of C by columns (counting sort on the permuted column).
  const cColPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const ci = pinv[i], cj = pinv[colIdx[p]];
      if (ci <= cj) cColPtr[cj + 1]++;
    }
  }
  for (let j = 0; j < n; j++) cColPtr[j + 1] += cColPtr[j];
  const fill = cColPtr.slice(0, n);
  const cRowIdx = new Int32Array(cColPtr[n]);
  const cSource = new Int32Array(cColPtr[n]);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const ci = pinv[i], cj = pinv[colIdx[p]];
      if (ci > cj) continue;
      const dst = fill[cj]++;
      cRowIdx[dst] = ci;
      cSource[dst] = p;
    }
  }
  const parent = eliminationTree(n, cColPtr, cRowIdx);
  // Column counts from the row patterns, then the row indices themselves.
  const stack = new Int32Array(n), mark = new Int32Array(n);
  const lColPtr = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const top = rowPattern(k, cColPtr, cRowIdx, parent, stack, mark);
    for (let t = top; t < n; t++) lColPtr[stack[t] + 1]++;
    lColPtr[k + 1]++; // the diagonal
  }
  for (let j = 0; j < n; j++) lColPtr[j + 1] += lColPtr[j];
  const lRowIdx = new Int32Array(lColPtr[n]);
  const next = lColPtr.slice(0, n);
  mark.fill(0);
  for (let k = 0; k < n; k++) {
    const top = rowPattern(k, cColPtr, cRowIdx, parent, stack, mark);
    lRowIdx[next[k]++] = k; // diagonal first: column k receives no row < k
    for (let t = top; t < n; t++) lRowIdx[next[stack[t]]++] = k;
  }
  return { n, perm, pinv, cColPtr, cRowIdx, cSource, parent, lColPtr, lRowIdx };
}

/**
 * Numeric up-looking Cholesky on a symbolic structure: fills L's values from
 * A's `values`, or reports the first pivot that is not positive (or is
 * positive but below `n·eps·C(k,k)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeCholesky, choleskyNumeric } from "./cholesky.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 2], [2, 5]]);
 * const f = choleskyNumeric(analyzeCholesky(A.pattern, Int32Array.of(0, 1)), A.values);
 * assert.ok(f.ok);
 * assert.equal(f.lValues[0], 2);
 * assert.equal(f.lValues[2], 2); // L = [[2, 0], [1, 2]]
 * ```
 */
export function choleskyNumeric(sym: CholeskySymbolic, values: Float64Array): CholeskyNumeric {
  const { n, cColPtr, cRowIdx, cSource, parent, lColPtr, lRowIdx, perm } = sym;
  const lValues = new Float64Array(lColPtr[n]);
  const x = new Float64Array(n);
  const stack = new Int32Array(n), mark = new Int32Array(n);
  const next = lColPtr.slice(0, n); // next free slot of each column
  const tol = n * Number.EPSILON;
  for (let k = 0; k < n; k++) {
    const top = rowPattern(k, cColPtr, cRowIdx, parent, stack, mark);
    for (let p = cColPtr[k]; p < cColPtr[k + 1]; p++) x[cRowIdx[p]] = values[cSource[p]];
    let d = x[k];
    const ckk = d;
    x[k] = 0;
    // x ← L(0:k,0:k)⁻¹ C(0:k,k), one column of the row subtree at a time
    for (let t = top; t < n; t++) {
      const i = stack[t];
      const lki = x[i] / lValues[lColPtr[i]];
      x[i] = 0;
      const end = next[i];
      for (let p = lColPtr[i] + 1; p < end; p++) x[lRowIdx[p]] -= lValues[p] * lki;
      d -= lki * lki;
      lValues[next[i]++] = lki;
    }
    if (!(d > tol * Math.abs(ckk))) {
      return { ok: false, column: perm[k], pivot: d, tiny: d > 0 };
    }
    lValues[next[k]++] = Math.sqrt(d);
  }
  return { ok: true, lValues };
}

/**
 * Solves `A x = b` with `PAPᵀ = LLᵀ`: `x = Pᵀ L⁻ᵀ L⁻¹ P b`. `work` has length n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeCholesky, choleskyNumeric, choleskySolve } from "./cholesky.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 2], [2, 5]]);
 * const s = analyzeCholesky(A.pattern, Int32Array.of(1, 0));
 * const f = choleskyNumeric(s, A.values);
 * const x = new Float64Array(2);
 * if (f.ok) choleskySolve(s, f.lValues, Float64Array.of(6, 7), x, new Float64Array(2));
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * ```
 */
export function choleskySolve(
  sym: CholeskySymbolic,
  lValues: Float64Array,
  b: Float64Array,
  x: Float64Array,
  work: Float64Array,
): void {
  const { n, perm, lColPtr, lRowIdx } = sym;
  const y = work;
  for (let k = 0; k < n; k++) y[k] = b[perm[k]];
  for (let j = 0; j < n; j++) {
    const p0 = lColPtr[j];
    const yj = (y[j] /= lValues[p0]);
    for (let p = p0 + 1; p < lColPtr[j + 1]; p++) y[lRowIdx[p]] -= lValues[p] * yj;
  }
  for (let j = n - 1; j >= 0; j--) {
    const p0 = lColPtr[j];
    let s = y[j];
    for (let p = p0 + 1; p < lColPtr[j + 1]; p++) s -= lValues[p] * y[lRowIdx[p]];
    y[j] = s / lValues[p0];
  }
  for (let k = 0; k < n; k++) x[perm[k]] = y[k];
}
