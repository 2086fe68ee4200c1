/**
 * Building a CSR pattern from coordinate triplets (COO): duplicates are
 * summed, columns sorted, and the map from each triplet to its stored entry
 * is kept so a value array can be refilled (or a gradient read back) in
 * triplet order.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrPattern, MAX_DIMENSION } from "./pattern.ts";

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
 * {@linkcode scatterTriplets}). O(nnz + nRows) time and memory with counting
 * sorts; the column count costs nothing (beyond 65,536 columns the columns
 * are sorted in two 16-bit radix passes). A shape beyond
 * {@linkcode MAX_DIMENSION} or a triplet outside it throws
 * {@linkcode ShapeError}.
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
  if (!Number.isInteger(nRows) || !Number.isInteger(nCols) || nRows < 0 || nCols < 0) {
    throw new ShapeError(
      `Cannot build matrix: shape must be non-negative integers, got ${nRows}x${nCols}`,
    );
  }
  if (nRows > MAX_DIMENSION || nCols > MAX_DIMENSION) {
    throw new ShapeError(
      `Cannot build matrix: shape ${nRows}x${nCols} exceeds the largest supported dimension ${MAX_DIMENSION} (indices and row pointers are Int32)`,
    );
  }
  const m = rows.length;
  if (cols.length !== m) {
    throw new ShapeError(`Cannot build matrix: ${m} row indices but ${cols.length} column indices`);
  }
  if (m > MAX_ENTRIES) {
    throw new ShapeError(
      `Cannot build matrix: ${m} triplets exceed the ${MAX_ENTRIES} stored entries an Int32 row pointer can count`,
    );
  }
  // Count the triplets of each row while checking them, then sort them by
  // column (stable) and place them by row (stable): row-major with sorted
  // columns. Nothing is sized by nCols beyond max(m, 65536), so a huge
  // column count costs no memory.
  const rowPtr = allocateRowPointers(nRows);
  for (let t = 0; t < m; t++) {
    const i = rows[t], j = cols[t];
    if (
      !(i >= 0 && i < nRows && Number.isInteger(i)) || !(j >= 0 && j < nCols && Number.isInteger(j))
    ) {
      throw new ShapeError(
        `Cannot build matrix: triplet ${t} at (${i}, ${j}) is outside the ${nRows}x${nCols} shape`,
      );
    }
    rowPtr[i + 1]++;
  }
  for (let i = 0; i < nRows; i++) rowPtr[i + 1] += rowPtr[i];
  const orderCol = sortByColumn(nCols, cols, m);
  // Filling moves rowPtr[i] from the start of row i to its end.
  const order = new Int32Array(m);
  for (let s = 0; s < m; s++) {
    const t = orderCol[s];
    order[rowPtr[rows[t]]++] = t;
  }
  // Walk the sorted triplets, merging equal coordinates; rowPtr[i] (the end of
  // row i) is read before it is overwritten by the merged count, and the
  // counts are shifted into place at the end.
  const colTmp = orderCol; // no longer read: reuse its memory
  const map = new Int32Array(m);
  let nnz = 0, start = 0;
  for (let i = 0; i < nRows; i++) {
    const end = rowPtr[i];
    let last = -1;
    for (let s = start; s < end; s++) {
      const t = order[s];
      const j = cols[t];
      if (j !== last) {
        colTmp[nnz++] = j;
        last = j;
      }
      map[t] = nnz - 1;
    }
    rowPtr[i] = nnz;
    start = end;
  }
  rowPtr.copyWithin(1, 0, nRows);
  rowPtr[0] = 0;
  return { pattern: new CsrPattern(nRows, nCols, rowPtr, colTmp.slice(0, nnz)), map };
}

/** Most stored entries a pattern can hold: its row pointers are Int32. */
const MAX_ENTRIES = 2147483647;

/**
 * The `nRows + 1` zeroed row pointers; an allocation failure names the size
 * instead of V8's generic RangeError.
 */
function allocateRowPointers(nRows: number): Int32Array {
  try {
    return new Int32Array(nRows + 1);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ShapeError(
      `Cannot build matrix: the row pointers of ${nRows} rows need ${
        gigabytes(4 * (nRows + 1))
      } and could not be allocated`,
      { cause: e },
    );
  }
}

function gigabytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/**
 * Triplet indices `0..m-1` stably sorted by column: one counting pass when
 * `nCols ≤ max(m, 65536)`, else two 16-bit radix passes (memory O(m + 65536)
 * whatever the column count).
 */
function sortByColumn(nCols: number, cols: ArrayLike<number>, m: number): Int32Array {
  const order = new Int32Array(m);
  if (nCols <= Math.max(m, RADIX)) {
    const next = new Int32Array(nCols + 1);
    for (let t = 0; t < m; t++) next[cols[t] + 1]++;
    for (let j = 0; j < nCols; j++) next[j + 1] += next[j];
    for (let t = 0; t < m; t++) order[next[cols[t]]++] = t;
    return order;
  }
  const low = new Int32Array(m);
  const next = new Int32Array(RADIX + 1);
  for (let t = 0; t < m; t++) next[(cols[t] & 0xffff) + 1]++;
  for (let d = 0; d < RADIX; d++) next[d + 1] += next[d];
  for (let t = 0; t < m; t++) low[next[cols[t] & 0xffff]++] = t;
  next.fill(0);
  for (let t = 0; t < m; t++) next[(cols[t] >>> 16) + 1]++;
  for (let d = 0; d < RADIX; d++) next[d + 1] += next[d];
  for (let s = 0; s < m; s++) {
    const t = low[s];
    order[next[cols[t] >>> 16]++] = t;
  }
  return order;
}

/** Buckets of one radix pass (16 bits of a column index). */
const RADIX = 65536;

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
  for (let t = 0; t < map.length; t++) {
    const k = map[t];
    // A typed array ignores an out-of-range write: check, or the value is lost silently.
    if (!(k >= 0 && k < nnz)) {
      throw new ShapeError(
        `Cannot scatter values: map[${t}] = ${k} is outside ${
          nnz === 0 ? "the 0 stored entries" : `0..${nnz - 1}`
        }`,
      );
    }
    out[k] += vals[t];
  }
  return out;
}
