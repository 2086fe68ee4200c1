/**
 * The lower triangle of a CSR pattern: the pattern of an incomplete or
 * learned Cholesky factor `L` on the sparsity of `A`.
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../errors.ts";
import { CsrMatrix } from "./csr.ts";
import { CsrPattern } from "./pattern.ts";

/**
 * The lower triangle (with diagonal) of a pattern, and where its entries come from.
 *
 * @category Sparse
 */
export interface LowerPattern {
  /** Pattern of the entries `(i, j)` with `j ≤ i`; the diagonal is last in each row. */
  readonly pattern: CsrPattern;
  /** Index into the source's stored entries (`A.values`) of each lower entry. */
  readonly source: Int32Array;
}

/**
 * The lower triangle `{(i, j) : j ≤ i}` of a square matrix's pattern, columns
 * sorted, with the position in `A` of each kept entry (so the lower values
 * are `source.map((k) => A.values[k])`). Throws {@linkcode ShapeError} for a
 * non-square pattern and {@linkcode FactorizationError} (with the row) when
 * a diagonal entry is not stored, as a Cholesky-type factor on this pattern
 * needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, lowerPattern } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 2], [0, 2, 4]]);
 * const { pattern, source } = lowerPattern(A);
 * assert.deepEqual([...pattern.rowPtr], [0, 1, 3, 5]);
 * assert.deepEqual([...pattern.colIdx], [0, 0, 1, 1, 2]);
 * assert.deepEqual([...source].map((k) => A.values[k]), [4, 1, 4, 2, 4]);
 * ```
 *
 * @category Sparse
 */
export function lowerPattern(A: CsrMatrix | CsrPattern): LowerPattern {
  const P = A instanceof CsrMatrix ? A.pattern : A;
  const { rowPtr, colIdx, nRows: n, nCols } = P;
  if (n !== nCols) {
    throw new ShapeError(`Cannot take lower pattern: the pattern is ${n}x${nCols}, not square`);
  }
  const lp = new Int32Array(n + 1), cols: number[] = [], src: number[] = [];
  for (let i = 0; i < n; i++) {
    let last = -1; // columns are strictly increasing in a CsrPattern
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (j > i) break;
      last = j;
      cols.push(j);
      src.push(k);
    }
    if (last !== i) {
      throw new FactorizationError(
        `Cannot take lower pattern: diagonal entry of row ${i} is missing`,
        i,
      );
    }
    lp[i + 1] = cols.length;
  }
  return {
    pattern: new CsrPattern(n, n, lp, Int32Array.from(cols)),
    source: Int32Array.from(src),
  };
}
