/**
 * Sparse LU with threshold partial pivoting, left-looking (Gilbert & Peierls,
 * 1988): `P A Q = L U` with Q a fill-reducing column order fixed in advance
 * and P chosen column by column.
 *
 * Column k of the factors is one sparse triangular solve
 * `x = L(:, 0:k)⁻¹ A(:, q[k])`. Its nonzero pattern is the set of rows
 * reachable from the nonzeros of `A(:, q[k])` in the graph of the columns of
 * L computed so far (`j → i` when `L(i, j) ≠ 0`), found by depth-first search;
 * the reverse post-order of that search is a valid order for the solve. So
 * the work is proportional to the flops, never to n.
 *
 * Pivoting (threshold partial pivoting): among the rows not yet pivoted, a
 * row is acceptable when `|x| ≥ τ · max|x|` (τ = 0.1 by default, so entries
 * of L are bounded by 1/τ). The row of A's diagonal entry (`q[k]`) is taken
 * when acceptable (it keeps the fill-reducing order of a symmetric pattern);
 * otherwise the acceptable row with the fewest entries in A, then the largest
 * magnitude, then the lowest index (the choice never depends on the order of
 * the search). Preferring sparse rows matters on KKT matrices: hangGlider_2
 * has one row with 1463 entries, and pivoting on it early fills every later
 * column (452k entries in L+U instead of about 50k).
 *
 * Refactorisation ({@linkcode luRefactor}) replays the stored patterns with
 * new values and the old row order, checking in every column that the
 * pivoting rule above picks the same row; if so the factors are bitwise
 * those a fresh {@linkcode luFactor} would produce (same operations in the
 * same order), otherwise it reports the column where the choice changed.
 *
 * @module
 */

import { maxAbs } from "../vector.ts";
import { SingularMatrixError } from "../../errors.ts";

/**
 * Matrix A by columns, with the index of each entry in A's (CSR) value array.
 *
 * @category Solvers
 */
export interface CscView {
  /** Order n. */
  readonly n: number;
  /** Column offsets, length n + 1. */
  readonly colPtr: Int32Array;
  /** Row index of each entry. */
  readonly rowIdx: Int32Array;
  /** `values[source[p]]` is the value of entry p. */
  readonly source: Int32Array;
}

/** The factors of `P A Q = L U`, all indices in pivot order. */
export interface LuFactors {
  /** Order n. */
  readonly n: number;
  /** Column order: column k of the factors is column `q[k]` of A. */
  readonly q: Int32Array;
  /** `pinv[i]` = pivot step of row i of A. */
  readonly pinv: Int32Array;
  /** `prow[k]` = row of A pivoted at step k (inverse of pinv). */
  readonly prow: Int32Array;
  /** L by columns (unit diagonal stored first in each column). */
  readonly lColPtr: Int32Array;
  /** Row indices of L (pivot order). */
  readonly lRowIdx: Int32Array;
  /** Values of L. */
  readonly lValues: Float64Array;
  /** U by columns (diagonal stored last in each column). */
  readonly uColPtr: Int32Array;
  /** Row indices of U (pivot order), in the order the solve used them. */
  readonly uRowIdx: Int32Array;
  /** Values of U. */
  readonly uValues: Float64Array;
  /** `max|U(i,j)| / max|A(i,j)|`. */
  readonly pivotGrowth: number;
}

/**
 * The pivot rule, shared by the fresh factorisation and the replay: the
 * candidate rows are `rows[from .. to-1]` whose `pinv` is negative (`pinv`
 * null: all of them), with values `x[xIndex[p]]` (`xIndex` null: `x[row]`).
 * Rows whose magnitude passes `τ · max` are acceptable; the diagonal row wins
 * if acceptable, else the acceptable row with the fewest entries in A (a
 * dense row pivoted early would fill every later column), then the larger
 * magnitude, then the lower row index. Returns -1 when there is no candidate.
 */
function choosePivot(
  x: Float64Array,
  rows: Int32Array,
  from: number,
  to: number,
  xIndex: Int32Array | null,
  pinv: Int32Array | null,
  diagonal: number,
  tau: number,
  rowCount: Int32Array,
): number {
  let maxAbs = -1, diagAbs = -1;
  for (let p = from; p < to; p++) {
    const i = rows[p];
    if (pinv && pinv[i] >= 0) continue;
    const t = Math.abs(x[xIndex ? xIndex[p] : i]);
    if (t > maxAbs) maxAbs = t;
    if (i === diagonal) diagAbs = t;
  }
  if (maxAbs < 0) return -1;
  const accept = tau * maxAbs;
  if (diagAbs >= 0 && diagAbs >= accept) return diagonal;
  let best = -1, bestAbs = -1, bestCount = 0;
  for (let p = from; p < to; p++) {
    const i = rows[p];
    if (pinv && pinv[i] >= 0) continue;
    const t = Math.abs(x[xIndex ? xIndex[p] : i]);
    if (t < accept) continue;
    const c = rowCount[i];
    if (
      best < 0 || c < bestCount || (c === bestCount && (t > bestAbs || (t === bestAbs && i < best)))
    ) {
      best = i;
      bestAbs = t;
      bestCount = c;
    }
  }
  return best;
}

/** Number of entries in each row of A. */
function rowCounts(a: CscView): Int32Array {
  const c = new Int32Array(a.n);
  for (let p = 0; p < a.colPtr[a.n]; p++) c[a.rowIdx[p]]++;
  return c;
}

function singular(column: number, detail: string): SingularMatrixError {
  return new SingularMatrixError(
    `Cannot factor: matrix is singular, ${detail} in column ${column} (1-based ${column + 1})`,
    column,
  );
}

/** Largest magnitude in column `col` of A. */
function columnMax(a: CscView, values: Float64Array, col: number): number {
  let m = 0;
  for (let p = a.colPtr[col]; p < a.colPtr[col + 1]; p++) {
    m = Math.max(m, Math.abs(values[a.source[p]]));
  }
  return m;
}

function growInt(arr: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(arr);
  return bigger;
}

function growFloat(arr: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(size);
  bigger.set(arr);
  return bigger;
}

/**
 * Factors `P A Q = L U` (A given by columns, values in CSR order) with the
 * column order `q` and pivot threshold `tau` ∈ (0, 1]. Throws
 * {@linkcode SingularMatrixError} naming the column of A when no row is left
 * to pivot on (structurally singular) or when the pivot candidates of a
 * column are all below `n·eps` times the largest magnitude the column held
 * (numerically singular).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { luFactor, luSolve } from "./lu.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[0, 2], [3, 1]]); // zero diagonal: needs a row swap
 * const { pattern, perm } = A.pattern.transpose();
 * const f = luFactor({ n: 2, colPtr: pattern.rowPtr, rowIdx: pattern.colIdx, source: perm }, A.values, Int32Array.of(0, 1), 0.1);
 * const x = new Float64Array(2);
 * luSolve(f, Float64Array.of(2, 4), x, new Float64Array(2));
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * ```
 */
export function luFactor(a: CscView, values: Float64Array, q: Int32Array, tau: number): LuFactors {
  const n = a.n;
  const eps = n * Number.EPSILON;
  let cap = 4 * a.colPtr[n] + n;
  let lRowIdx = new Int32Array(cap), lValues = new Float64Array(cap);
  let uCap = cap;
  let uRowIdx = new Int32Array(uCap), uValues = new Float64Array(uCap);
  const lColPtr = new Int32Array(n + 1), uColPtr = new Int32Array(n + 1);
  const pinv = new Int32Array(n).fill(-1);
  const x = new Float64Array(n);
  const xi = new Int32Array(n); // reach, in xi[top .. n-1]
  const stack = new Int32Array(n), pstack = new Int32Array(n);
  const mark = new Int32Array(n);
  const rowCount = rowCounts(a);
  let lnz = 0, unz = 0, uMax = 0;
  for (let k = 0; k < n; k++) {
    lColPtr[k] = lnz;
    uColPtr[k] = unz;
    if (lnz + n > cap) {
      cap = 2 * cap + n;
      lRowIdx = growInt(lRowIdx, cap);
      lValues = growFloat(lValues, cap);
    }
    if (unz + n > uCap) {
      uCap = 2 * uCap + n;
      uRowIdx = growInt(uRowIdx, uCap);
      uValues = growFloat(uValues, uCap);
    }
    const col = q[k];
    // Reach: rows of x = L⁻¹ A(:, col), in topological order.
    const stamp = k + 1;
    let top = n;
    for (let p0 = a.colPtr[col]; p0 < a.colPtr[col + 1]; p0++) {
      const start = a.rowIdx[p0];
      if (mark[start] === stamp) continue;
      let head = 0;
      stack[0] = start;
      while (head >= 0) {
        const j = stack[head];
        const jnew = pinv[j];
        if (mark[j] !== stamp) {
          mark[j] = stamp;
          pstack[head] = jnew < 0 ? 0 : lColPtr[jnew] + 1;
        }
        let done = true;
        const end = jnew < 0 ? 0 : lColPtr[jnew + 1];
        for (let p = pstack[head]; p < end; p++) {
          const i = lRowIdx[p];
          if (mark[i] === stamp) continue;
          pstack[head] = p + 1;
          stack[++head] = i;
          done = false;
          break;
        }
        if (done) {
          head--;
          xi[--top] = j;
        }
      }
    }
    // Sparse triangular solve in that order.
    for (let p = top; p < n; p++) x[xi[p]] = 0;
    for (let p = a.colPtr[col]; p < a.colPtr[col + 1]; p++) x[a.rowIdx[p]] = values[a.source[p]];
    for (let px = top; px < n; px++) {
      const j = xi[px];
      const J = pinv[j];
      if (J < 0) continue;
      const xj = x[j];
      for (let p = lColPtr[J] + 1; p < lColPtr[J + 1]; p++) x[lRowIdx[p]] -= lValues[p] * xj;
    }
    // Pivot, then store U(:, k) (in solve order, diagonal last) and L(:, k).
    const ipiv = choosePivot(x, xi, top, n, null, pinv, col, tau, rowCount);
    if (ipiv < 0) throw singular(col, "no row is left to pivot on (structurally singular)");
    let scale = columnMax(a, values, col);
    for (let p = top; p < n; p++) scale = Math.max(scale, Math.abs(x[xi[p]]));
    const pivot = x[ipiv];
    if (!(Math.abs(pivot) > eps * scale)) {
      throw singular(col, `the pivot is ${pivot.toExponential(3)} (below n·eps of the column)`);
    }
    for (let p = top; p < n; p++) {
      const i = xi[p];
      if (pinv[i] < 0) continue;
      uRowIdx[unz] = pinv[i];
      uMax = Math.max(uMax, Math.abs(x[i]));
      uValues[unz++] = x[i];
    }
    uRowIdx[unz] = k;
    uMax = Math.max(uMax, Math.abs(pivot));
    uValues[unz++] = pivot;
    pinv[ipiv] = k;
    lRowIdx[lnz] = ipiv;
    lValues[lnz++] = 1;
    for (let p = top; p < n; p++) {
      const i = xi[p];
      if (pinv[i] < 0) {
        lRowIdx[lnz] = i;
        lValues[lnz++] = x[i] / pivot;
      }
      x[i] = 0;
    }
  }
  lColPtr[n] = lnz;
  uColPtr[n] = unz;
  for (let p = 0; p < lnz; p++) lRowIdx[p] = pinv[lRowIdx[p]];
  const prow = new Int32Array(n);
  for (let i = 0; i < n; i++) prow[pinv[i]] = i;
  return {
    n,
    q,
    pinv,
    prow,
    lColPtr,
    lRowIdx: lRowIdx.slice(0, lnz),
    lValues: lValues.slice(0, lnz),
    uColPtr,
    uRowIdx: uRowIdx.slice(0, unz),
    uValues: uValues.slice(0, unz),
    pivotGrowth: uMax / (maxAbs(values) || 1),
  };
}

/**
 * Replays a previous factorisation's patterns and row order with new values.
 * Returns the new factors when the pivot rule picks the same row in every
 * column (the result then equals a fresh {@linkcode luFactor} bit for bit),
 * or `null` at the first column where it would pick another row (the caller
 * factors afresh). Throws {@linkcode SingularMatrixError} like luFactor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { luFactor, luRefactor } from "./lu.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const { pattern, perm } = A.pattern.transpose();
 * const a = { n: 2, colPtr: pattern.rowPtr, rowIdx: pattern.colIdx, source: perm };
 * const f = luFactor(a, A.values, Int32Array.of(0, 1), 0.1);
 * const g = luRefactor(f, a, Float64Array.of(5, 1, 1, 3), 0.1);
 * assert.ok(g !== null);
 * assert.equal(g.uValues[0], 5);
 * ```
 */
export function luRefactor(
  prev: LuFactors,
  a: CscView,
  values: Float64Array,
  tau: number,
): LuFactors | null {
  const { n, q, pinv, prow, lColPtr, lRowIdx, uColPtr, uRowIdx } = prev;
  const eps = n * Number.EPSILON;
  const lValues = new Float64Array(lRowIdx.length);
  const uValues = new Float64Array(uRowIdx.length);
  const x = new Float64Array(n); // indexed by pivot step
  const candidates = new Int32Array(n), candidateStep = new Int32Array(n);
  const rowCount = rowCounts(a);
  let uMax = 0;
  for (let k = 0; k < n; k++) {
    const col = q[k];
    for (let p = a.colPtr[col]; p < a.colPtr[col + 1]; p++) {
      x[pinv[a.rowIdx[p]]] = values[a.source[p]];
    }
    const uEnd = uColPtr[k + 1] - 1; // the diagonal is last
    for (let p = uColPtr[k]; p < uEnd; p++) {
      const J = uRowIdx[p];
      const xj = x[J];
      for (let t = lColPtr[J] + 1; t < lColPtr[J + 1]; t++) x[lRowIdx[t]] -= lValues[t] * xj;
    }
    // The candidates are the old pivot row and the rows of L(:, k), as original rows.
    let m = 0;
    for (let t = lColPtr[k]; t < lColPtr[k + 1]; t++) {
      candidates[m] = prow[lRowIdx[t]];
      candidateStep[m++] = lRowIdx[t];
    }
    if (choosePivot(x, candidates, 0, m, candidateStep, null, col, tau, rowCount) !== prow[k]) {
      return null;
    }
    let scale = columnMax(a, values, col);
    for (let p = uColPtr[k]; p < uEnd; p++) scale = Math.max(scale, Math.abs(x[uRowIdx[p]]));
    for (let t = 0; t < m; t++) scale = Math.max(scale, Math.abs(x[candidateStep[t]]));
    const pivot = x[k];
    if (!(Math.abs(pivot) > eps * scale)) {
      throw singular(col, `the pivot is ${pivot.toExponential(3)} (below n·eps of the column)`);
    }
    for (let p = uColPtr[k]; p < uEnd; p++) {
      const J = uRowIdx[p];
      uValues[p] = x[J];
      uMax = Math.max(uMax, Math.abs(x[J]));
      x[J] = 0;
    }
    uValues[uEnd] = pivot;
    uMax = Math.max(uMax, Math.abs(pivot));
    lValues[lColPtr[k]] = 1;
    x[k] = 0;
    for (let t = lColPtr[k] + 1; t < lColPtr[k + 1]; t++) {
      lValues[t] = x[lRowIdx[t]] / pivot;
      x[lRowIdx[t]] = 0;
    }
  }
  return { ...prev, lValues, uValues, pivotGrowth: uMax / (maxAbs(values) || 1) };
}

/**
 * Solves `A x = b` from `PAQ = LU`: `x = Q U⁻¹ L⁻¹ P b`. `work` has length n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { luFactor, luSolve } from "./lu.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 1], [1, 3]]);
 * const { pattern, perm } = A.pattern.transpose();
 * const f = luFactor({ n: 2, colPtr: pattern.rowPtr, rowIdx: pattern.colIdx, source: perm }, A.values, Int32Array.of(1, 0), 0.1);
 * const x = new Float64Array(2);
 * luSolve(f, Float64Array.of(3, 4), x, new Float64Array(2));
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * ```
 */
export function luSolve(f: LuFactors, b: Float64Array, x: Float64Array, work: Float64Array): void {
  const { n, q, pinv, lColPtr, lRowIdx, lValues, uColPtr, uRowIdx, uValues } = f;
  const y = work;
  for (let i = 0; i < n; i++) y[pinv[i]] = b[i];
  for (let j = 0; j < n; j++) {
    const yj = y[j];
    if (yj === 0) continue;
    for (let p = lColPtr[j] + 1; p < lColPtr[j + 1]; p++) y[lRowIdx[p]] -= lValues[p] * yj;
  }
  for (let j = n - 1; j >= 0; j--) {
    const d = uColPtr[j + 1] - 1;
    const yj = (y[j] /= uValues[d]);
    if (yj === 0) continue;
    for (let p = uColPtr[j]; p < d; p++) y[uRowIdx[p]] -= uValues[p] * yj;
  }
  for (let k = 0; k < n; k++) x[q[k]] = y[k];
}

/**
 * Solves `Aᵀ x = b` with the same factors: `Aᵀ = Q Uᵀ Lᵀ P`, so
 * `x = Pᵀ L⁻ᵀ U⁻ᵀ Qᵀ b` (two triangular solves, no new factorisation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { luFactor, luSolveTranspose } from "./lu.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0], [1, 3]]);
 * const { pattern, perm } = A.pattern.transpose();
 * const f = luFactor({ n: 2, colPtr: pattern.rowPtr, rowIdx: pattern.colIdx, source: perm }, A.values, Int32Array.of(0, 1), 0.1);
 * const x = new Float64Array(2);
 * luSolveTranspose(f, Float64Array.of(3, 3), x, new Float64Array(2)); // Aᵀ = [[2, 1], [0, 3]]
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * ```
 */
export function luSolveTranspose(
  f: LuFactors,
  b: Float64Array,
  x: Float64Array,
  work: Float64Array,
): void {
  const { n, q, prow, lColPtr, lRowIdx, lValues, uColPtr, uRowIdx, uValues } = f;
  const y = work;
  for (let k = 0; k < n; k++) y[k] = b[q[k]];
  for (let j = 0; j < n; j++) {
    const d = uColPtr[j + 1] - 1;
    let s = y[j];
    for (let p = uColPtr[j]; p < d; p++) s -= uValues[p] * y[uRowIdx[p]];
    y[j] = s / uValues[d];
  }
  for (let j = n - 1; j >= 0; j--) {
    let s = y[j];
    for (let p = lColPtr[j] + 1; p < lColPtr[j + 1]; p++) s -= lValues[p] * y[lRowIdx[p]];
    y[j] = s;
  }
  for (let k = 0; k < n; k++) x[prow[k]] = y[k];
}
