/**
 * The immutable structure of a CSR sparse matrix: row pointers and sorted
 * column indices. One pattern is shared by any number of value arrays
 * (a training loop changes values every step, never the pattern), and it
 * caches what the adjoint solve needs: the transposed pattern with the
 * permutation that carries values across, the row of every entry, and the
 * position of every diagonal entry.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";

/**
 * The transpose of a pattern and how values move into it.
 *
 * @category Sparse
 */
export interface PatternTranspose {
  /** Pattern of Aᵀ (shape nCols × nRows). */
  readonly pattern: CsrPattern;
  /** `valuesT[k] = values[perm[k]]` for every stored entry k of Aᵀ. */
  readonly perm: Int32Array;
}

/**
 * Largest row or column count a pattern may have: 2³¹ − 2, so that every
 * index and every row pointer (`nRows + 1` of them) fits an Int32Array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrPattern, MAX_DIMENSION } from "@gradsolve/gradsolve";
 * assert.equal(MAX_DIMENSION, 2 ** 31 - 2);
 * assert.throws(() => new CsrPattern(MAX_DIMENSION + 1, 1, new Int32Array(1), new Int32Array(0)));
 * ```
 *
 * @category Sparse
 */
export const MAX_DIMENSION = 2147483646;

/**
 * `a` itself when it is an Int32Array; otherwise a checked Int32Array copy
 * (a fractional, non-finite or out-of-Int32 entry throws, described by `what`).
 */
function asInt32(a: ArrayLike<number>, what: (k: number, v: number) => string): Int32Array {
  if (a instanceof Int32Array) return a;
  const out = new Int32Array(a.length);
  for (let k = 0; k < a.length; k++) {
    const v = a[k];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new ShapeError(`Cannot build pattern: ${what(k, v)}`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * CSR sparsity pattern: `rowPtr` (length nRows+1) and `colIdx` (length nnz),
 * columns strictly increasing within each row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrPattern } from "@gradsolve/gradsolve";
 * // [[x, 0], [x, x]]
 * const p = new CsrPattern(2, 2, Int32Array.of(0, 1, 3), Int32Array.of(0, 0, 1));
 * assert.equal(p.nnz, 3);
 * assert.equal(p.find(1, 0), 1);
 * assert.equal(p.find(0, 1), -1);
 * ```
 *
 * @category Sparse
 */
export class CsrPattern {
  /** Number of rows. */
  readonly nRows: number;
  /** Number of columns. */
  readonly nCols: number;
  /** Row pointers: entries of row i are `rowPtr[i] .. rowPtr[i+1]-1`. */
  readonly rowPtr: Int32Array;
  /** Column index of every stored entry, sorted within each row. */
  readonly colIdx: Int32Array;
  #transpose: PatternTranspose | undefined;
  #rowIdx: Int32Array | undefined;
  #diagIdx: Int32Array | undefined;

  /**
   * Wraps CSR arrays after checking them (shape within
   * {@linkcode MAX_DIMENSION}, lengths, integer indices, monotone row
   * pointers, columns in range and strictly increasing per row). Int32Array
   * arguments are not copied: do not modify them afterwards. Any other array
   * (a plain JavaScript caller's) is checked for integer entries and copied
   * into an Int32Array.
   */
  constructor(nRows: number, nCols: number, rowPtr: Int32Array, colIdx: Int32Array) {
    if (!Number.isInteger(nRows) || !Number.isInteger(nCols) || nRows < 0 || nCols < 0) {
      throw new ShapeError(
        `Cannot build pattern: shape must be non-negative integers, got ${nRows}x${nCols}`,
      );
    }
    if (nRows > MAX_DIMENSION || nCols > MAX_DIMENSION) {
      throw new ShapeError(
        `Cannot build pattern: shape ${nRows}x${nCols} exceeds the largest supported dimension ${MAX_DIMENSION} (indices and row pointers are Int32)`,
      );
    }
    if (rowPtr.length !== nRows + 1) {
      throw new ShapeError(
        `Cannot build pattern: rowPtr has length ${rowPtr.length} but must be nRows+1 = ${
          nRows + 1
        }`,
      );
    }
    rowPtr = asInt32(rowPtr, (k, v) => `rowPtr[${k}] = ${v} is not an integer`);
    colIdx = asInt32(colIdx, (k, v) => {
      let i = 0;
      while (i < nRows && rowPtr[i + 1] <= k) i++;
      return `column index ${v} in row ${i} is not an integer`;
    });
    if (rowPtr[0] !== 0 || rowPtr[nRows] !== colIdx.length) {
      throw new ShapeError(
        `Cannot build pattern: rowPtr must start at 0 and end at nnz = ${colIdx.length}`,
      );
    }
    for (let i = 0; i < nRows; i++) {
      const start = rowPtr[i], end = rowPtr[i + 1];
      if (end < start) throw new ShapeError(`Cannot build pattern: rowPtr decreases at row ${i}`);
      let prev = -1;
      for (let k = start; k < end; k++) {
        const j = colIdx[k];
        if (j < 0 || j >= nCols) {
          throw new ShapeError(
            `Cannot build pattern: column index ${j} in row ${i} is outside 0..${nCols - 1}`,
          );
        }
        if (j <= prev) {
          throw new ShapeError(
            `Cannot build pattern: columns of row ${i} are not strictly increasing (${prev}, ${j})`,
          );
        }
        prev = j;
      }
    }
    this.nRows = nRows;
    this.nCols = nCols;
    this.rowPtr = rowPtr;
    this.colIdx = colIdx;
  }

  /** Number of stored entries. */
  get nnz(): number {
    return this.colIdx.length;
  }

  /** Shape as `[nRows, nCols]`. */
  get shape(): readonly [number, number] {
    return [this.nRows, this.nCols];
  }

  /** Index of entry (i, j) in the value array, or -1 when it is not stored. */
  find(i: number, j: number): number {
    let lo = this.rowPtr[i], hi = this.rowPtr[i + 1] - 1;
    const c = this.colIdx;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const cj = c[mid];
      if (cj === j) return mid;
      if (cj < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Row index of every stored entry (cached; the gradient `−λ[row k]·x[col k]` reads it). */
  rowIndices(): Int32Array {
    if (this.#rowIdx) return this.#rowIdx;
    const r = new Int32Array(this.nnz);
    for (let i = 0; i < this.nRows; i++) r.fill(i, this.rowPtr[i], this.rowPtr[i + 1]);
    return (this.#rowIdx = r);
  }

  /** Position of the diagonal entry of each row, -1 where it is not stored (cached). */
  diagonalIndices(): Int32Array {
    if (this.#diagIdx) return this.#diagIdx;
    const m = Math.min(this.nRows, this.nCols);
    const d = new Int32Array(m);
    for (let i = 0; i < m; i++) d[i] = this.find(i, i);
    return (this.#diagIdx = d);
  }

  /**
   * The transposed pattern and the value permutation (cached, computed once
   * in O(nnz)). The transpose of the transpose is this pattern again.
   */
  transpose(): PatternTranspose {
    if (this.#transpose) return this.#transpose;
    const { nRows, nCols, rowPtr, colIdx } = this;
    const nnz = this.nnz;
    const tPtr = new Int32Array(nCols + 1);
    for (let k = 0; k < nnz; k++) tPtr[colIdx[k] + 1]++;
    for (let j = 0; j < nCols; j++) tPtr[j + 1] += tPtr[j];
    const next = tPtr.slice(0, nCols);
    const tCol = new Int32Array(nnz);
    const perm = new Int32Array(nnz);
    for (let i = 0; i < nRows; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        const dst = next[colIdx[k]]++;
        tCol[dst] = i;
        perm[dst] = k;
      }
    }
    const tPattern = new CsrPattern(nCols, nRows, tPtr, tCol);
    const inverse = new Int32Array(nnz);
    for (let k = 0; k < nnz; k++) inverse[perm[k]] = k;
    tPattern.#transpose = { pattern: this, perm: inverse };
    return (this.#transpose = { pattern: tPattern, perm });
  }

  /** True when the pattern equals its transpose (structural symmetry). */
  isStructurallySymmetric(): boolean {
    if (this.nRows !== this.nCols) return false;
    const t = this.transpose().pattern;
    for (let i = 0; i <= this.nRows; i++) if (t.rowPtr[i] !== this.rowPtr[i]) return false;
    for (let k = 0; k < this.nnz; k++) if (t.colIdx[k] !== this.colIdx[k]) return false;
    return true;
  }
}
