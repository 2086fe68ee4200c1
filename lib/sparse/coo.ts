/**
 * Building a CSR pattern from coordinate triplets (COO): duplicates are
 * summed, columns sorted, and the map from each triplet to its stored entry
 * is kept so a value array can be refilled (or a gradient read back) in
 * triplet order.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrPattern } from "./pattern.ts";

/**
 * A pattern built from triplets and where each triplet landed.
 *
 * @category Sparse
 */
export interface TripletPattern {
  /** The deduplicated, sorted CSR pattern. */
  readonly pattern: CsrPattern;
  /** `map[t]` is the stored-entry index that triplet `t` contributes to. */
  readonly map: Int32Array;
}

/**
 * Builds the CSR pattern of triplets `(rows[t], cols[t])`. Duplicate
 * coordinates share one stored entry (their values are summed by
 * {@linkcode scatterTriplets}). O(nnz + nRows) with a counting sort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternFromTriplets } from "@gradsolve/gradsolve";
 * const { pattern, map } = patternFromTriplets(2, 2, [1, 0, 1], [0, 0, 0]);
 * assert.equal(pattern.nnz, 2);
 * assert.equal(map[0], map[2]);
 * ```
 *
 * @category Sparse
 */
export function patternFromTriplets(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
): TripletPattern {
  const m = rows.length;
  if (cols.length !== m) {
    throw new ShapeError(`Cannot build matrix: ${m} row indices but ${cols.length} column indices`);
  }
  // Counting sort by row, then by column within each row (stable, two passes).
  const byCol = new Int32Array(nCols + 1);
  for (let t = 0; t < m; t++) {
    const i = rows[t], j = cols[t];
    if (
      !(i >= 0 && i < nRows && Number.isInteger(i)) || !(j >= 0 && j < nCols && Number.isInteger(j))
    ) {
      throw new ShapeError(
        `Cannot build matrix: triplet ${t} at (${i}, ${j}) is outside the ${nRows}x${nCols} shape`,
      );
    }
    byCol[j + 1]++;
  }
  for (let j = 0; j < nCols; j++) byCol[j + 1] += byCol[j];
  const orderCol = new Int32Array(m);
  for (let t = 0; t < m; t++) orderCol[byCol[cols[t]]++] = t;
  const byRow = new Int32Array(nRows + 1);
  for (let t = 0; t < m; t++) byRow[rows[t] + 1]++;
  for (let i = 0; i < nRows; i++) byRow[i + 1] += byRow[i];
  const order = new Int32Array(m);
  const cursor = byRow.slice(0, nRows);
  for (let s = 0; s < m; s++) {
    const t = orderCol[s];
    order[cursor[rows[t]]++] = t;
  }
  // Walk the sorted triplets, merging equal coordinates.
  const rowPtr = new Int32Array(nRows + 1);
  const colTmp = new Int32Array(m);
  const map = new Int32Array(m);
  let nnz = 0;
  for (let i = 0; i < nRows; i++) {
    let last = -1;
    for (let s = byRow[i]; s < byRow[i + 1]; s++) {
      const t = order[s];
      const j = cols[t];
      if (j !== last) {
        colTmp[nnz++] = j;
        last = j;
      }
      map[t] = nnz - 1;
    }
    rowPtr[i + 1] = nnz;
  }
  return { pattern: new CsrPattern(nRows, nCols, rowPtr, colTmp.slice(0, nnz)), map };
}

/**
 * Sums triplet values into a value array of `nnz` entries through `map`
 * (from {@linkcode patternFromTriplets}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternFromTriplets, scatterTriplets } from "@gradsolve/gradsolve";
 * const { pattern, map } = patternFromTriplets(1, 1, [0, 0], [0, 0]);
 * assert.equal(scatterTriplets(pattern.nnz, map, [0.5, 0.5])[0], 1);
 * ```
 *
 * @category Sparse
 */
export function scatterTriplets(
  nnz: number,
  map: Int32Array,
  vals: ArrayLike<number>,
): Float64Array {
  if (vals.length !== map.length) {
    throw new ShapeError(`Cannot scatter values: ${vals.length} values for ${map.length} triplets`);
  }
  const out = new Float64Array(nnz);
  for (let t = 0; t < map.length; t++) out[map[t]] += vals[t];
  return out;
}
