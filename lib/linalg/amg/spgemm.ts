/**
 * Sparse × sparse products in two phases: a symbolic phase that gives the
 * pattern of `C = A·B` from the patterns alone (no entry is ever dropped
 * for its value, so the pattern holds for any values), and a numeric phase
 * that fills `C`'s values and can be re-run whenever `A` or `B` get new
 * values on the same patterns. Row-by-row (Gustavson) with a dense marker
 * array; no per-entry objects.
 *
 * @module
 */

import { ShapeError } from "../../errors.ts";
import { CsrPattern } from "../../sparse/pattern.ts";

/** Sorts `a[lo..hi)` ascending (insertion sort for short rows). */
function sortRange(a: Int32Array, lo: number, hi: number): void {
  if (hi - lo > 48) {
    a.subarray(lo, hi).sort();
    return;
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * The pattern of `A·B` (columns sorted). O(flops) time, O(nnz(C) + nCols(B))
 * memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spgemmPattern } from "./spgemm.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const A = CsrMatrix.fromDense([[1, 1, 0], [0, 0, 1]]);
 * const B = CsrMatrix.fromDense([[1, 0], [0, 1], [1, 1]]);
 * const C = spgemmPattern(A.pattern, B.pattern);
 * assert.deepEqual([...C.rowPtr], [0, 2, 4]);
 * assert.deepEqual([...C.colIdx], [0, 1, 0, 1]);
 * ```
 */
export function spgemmPattern(A: CsrPattern, B: CsrPattern): CsrPattern {
  if (A.nCols !== B.nRows) {
    throw new ShapeError(
      `Cannot multiply patterns: A is ${A.nRows}x${A.nCols} but B is ${B.nRows}x${B.nCols}`,
    );
  }
  const { rowPtr: ap, colIdx: ac, nRows } = A;
  const { rowPtr: bp, colIdx: bc, nCols } = B;
  // One pass into a buffer sized by the product count (an upper bound), then trimmed.
  let bound = 0;
  for (let ka = 0; ka < ac.length; ka++) bound += bp[ac[ka] + 1] - bp[ac[ka]];
  if (bound > 2147483647) {
    throw new ShapeError("Cannot multiply patterns: the product has too many entries for Int32");
  }
  const mark = new Int32Array(nCols).fill(-1);
  const rowPtr = new Int32Array(nRows + 1);
  const buf = new Int32Array(bound);
  let dst = 0;
  for (let i = 0; i < nRows; i++) {
    const rowStart = dst;
    for (let ka = ap[i]; ka < ap[i + 1]; ka++) {
      const j = ac[ka];
      for (let kb = bp[j]; kb < bp[j + 1]; kb++) {
        const c = bc[kb];
        if (mark[c] !== i) {
          mark[c] = i;
          buf[dst++] = c;
        }
      }
    }
    sortRange(buf, rowStart, dst);
    rowPtr[i + 1] = dst;
  }
  const colIdx = dst === bound ? buf : buf.slice(0, dst);
  return new CsrPattern(nRows, nCols, rowPtr, colIdx);
}

/**
 * Fills `out` (length `C.nnz`) with the values of `A·B` on the pattern `C`
 * from {@linkcode spgemmPattern}. `work` is an Int32Array of length
 * `C.nCols` (contents ignored). The sum for each entry runs in the order of
 * A's row, then B's row, so the result is bit-for-bit reproducible.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spgemmPattern, spgemmValues } from "./spgemm.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const A = CsrMatrix.fromDense([[1, 2], [0, 3]]);
 * const B = CsrMatrix.fromDense([[4, 0], [1, 1]]);
 * const C = spgemmPattern(A.pattern, B.pattern);
 * const out = new Float64Array(C.nnz);
 * spgemmValues(A.pattern, A.values, B.pattern, B.values, C, out, new Int32Array(2));
 * assert.deepEqual([...out], [6, 2, 3, 3]);
 * ```
 */
export function spgemmValues(
  A: CsrPattern,
  aValues: Float64Array,
  B: CsrPattern,
  bValues: Float64Array,
  C: CsrPattern,
  out: Float64Array,
  work: Int32Array,
): void {
  const { rowPtr: ap, colIdx: ac, nRows } = A;
  const { rowPtr: bp, colIdx: bc } = B;
  const { rowPtr: cp, colIdx: cc } = C;
  for (let i = 0; i < nRows; i++) {
    const c0 = cp[i], c1 = cp[i + 1];
    for (let k = c0; k < c1; k++) {
      work[cc[k]] = k;
      out[k] = 0;
    }
    for (let ka = ap[i]; ka < ap[i + 1]; ka++) {
      const a = aValues[ka];
      const j = ac[ka];
      for (let kb = bp[j]; kb < bp[j + 1]; kb++) out[work[bc[kb]]] += a * bValues[kb];
    }
  }
}
