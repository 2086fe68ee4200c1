/**
 * A CSR sparse matrix: an immutable {@linkcode CsrPattern} plus one
 * Float64Array of values. It has the shape of a linear operator (`shape`,
 * `apply`, `applyTranspose`, `symmetric`), so every solver takes it as one.
 *
 * @module
 */

import { csrDisplay, JUPYTER_DISPLAY } from "../display/bundles.ts";
import { NonFiniteError, ShapeError } from "../errors.ts";
import { patternFromTriplets, scatterTriplets } from "./coo.ts";
import type { CsrPattern } from "./pattern.ts";

/**
 * CSR sparse matrix over float64. Values can be swapped without touching
 * the pattern ({@linkcode CsrMatrix.withValues}); the transpose shares a
 * cached pattern and only permutes values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const y = new Float64Array(2);
 * A.apply(Float64Array.of(1, 1), y);
 * assert.equal(y[0], 5);
 * assert.equal(y[1], 4);
 * ```
 *
 * @category Sparse
 */
export class CsrMatrix {
  /** The sparsity pattern (shared, immutable). */
  readonly pattern: CsrPattern;
  /** One value per stored entry, in pattern order. */
  readonly values: Float64Array;
  #symmetric: boolean | undefined;

  /** Pairs a pattern with a value array of length `pattern.nnz` (not copied). */
  constructor(pattern: CsrPattern, values: Float64Array) {
    if (values.length !== pattern.nnz) {
      throw new ShapeError(
        `Cannot build matrix: ${values.length} values for a pattern with ${pattern.nnz} entries`,
      );
    }
    this.pattern = pattern;
    this.values = values;
  }

  /**
   * Builds a matrix from triplets, summing duplicates and sorting columns.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CsrMatrix } from "@gradsolve/gradsolve";
   * const A = CsrMatrix.fromTriplets(2, 2, [0, 1, 0], [0, 1, 0], [1, 2, 3]);
   * assert.equal(A.get(0, 0), 4);
   * ```
   */
  static fromTriplets(
    nRows: number,
    nCols: number,
    rows: ArrayLike<number>,
    cols: ArrayLike<number>,
    vals: ArrayLike<number>,
  ): CsrMatrix {
    const { pattern, map } = patternFromTriplets(nRows, nCols, rows, cols);
    return new CsrMatrix(pattern, scatterTriplets(pattern.nnz, map, vals));
  }

  /**
   * Builds a matrix from dense rows, storing the nonzero entries (and every
   * diagonal entry when `keepDiagonal` is true, so preconditioners find it).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CsrMatrix } from "@gradsolve/gradsolve";
   * assert.equal(CsrMatrix.fromDense([[1, 0], [0, 2]]).nnz, 2);
   * ```
   */
  static fromDense(rows: ArrayLike<ArrayLike<number>>, keepDiagonal = false): CsrMatrix {
    const nRows = rows.length;
    const nCols = nRows > 0 ? rows[0].length : 0;
    const ri: number[] = [], ci: number[] = [], v: number[] = [];
    for (let i = 0; i < nRows; i++) {
      const row = rows[i];
      if (row.length !== nCols) {
        throw new ShapeError(
          `Cannot build matrix: row ${i} has ${row.length} entries but row 0 has ${nCols}`,
        );
      }
      for (let j = 0; j < nCols; j++) {
        if (row[j] !== 0 || (keepDiagonal && i === j)) {
          ri.push(i);
          ci.push(j);
          v.push(row[j]);
        }
      }
    }
    return CsrMatrix.fromTriplets(nRows, nCols, ri, ci, v);
  }

  /** `[nRows, nCols]`. */
  get shape(): readonly [number, number] {
    return [this.pattern.nRows, this.pattern.nCols];
  }

  /** Number of stored entries. */
  get nnz(): number {
    return this.pattern.nnz;
  }

  /**
   * True when the matrix is square and exactly equal to its transpose
   * (checked once, O(nnz), then cached). Solvers use it to skip `Aᵀ`.
   */
  get symmetric(): boolean {
    if (this.#symmetric === undefined) {
      let sym = this.pattern.isStructurallySymmetric();
      if (sym) {
        const perm = this.pattern.transpose().perm;
        const v = this.values;
        for (let k = 0; k < v.length && sym; k++) sym = v[perm[k]] === v[k];
      }
      this.#symmetric = sym;
    }
    return this.#symmetric;
  }

  /** A matrix with the same pattern and new values (not copied). */
  withValues(values: Float64Array): CsrMatrix {
    return new CsrMatrix(this.pattern, values);
  }

  /** Value at (i, j), 0 when not stored. */
  get(i: number, j: number): number {
    const k = this.pattern.find(i, j);
    return k < 0 ? 0 : this.values[k];
  }

  /**
   * Notebook display (Deno's Jupyter kernel): a spy plot with the shape,
   * stored entries, density, symmetry and value range.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { JUPYTER_DISPLAY } from "../display/bundles.ts";
   * import { CsrMatrix } from "./csr.ts";
   * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
   * const bundle = A[JUPYTER_DISPLAY](); // JUPYTER_DISPLAY is Symbol.for("Jupyter.display")
   * assert.match(bundle["text/plain"], /^CsrMatrix 2×2, 4 stored \(100%\), symmetric/);
   * ```
   */
  [JUPYTER_DISPLAY](): { "text/plain": string; "text/html"?: string; "image/svg+xml"?: string } {
    return csrDisplay(this);
  }

  /** `y ← A x` (one fused pass over the stored entries). */
  apply(x: Float64Array, y: Float64Array): void {
    const { rowPtr, colIdx, nRows } = this.pattern;
    const v = this.values;
    let k = 0;
    for (let i = 0; i < nRows; i++) {
      const end = rowPtr[i + 1];
      let s = 0;
      for (; k < end; k++) s += v[k] * x[colIdx[k]];
      y[i] = s;
    }
  }

  /** `y ← Aᵀ x` (scatter form; no transpose is built). */
  applyTranspose(x: Float64Array, y: Float64Array): void {
    const { rowPtr, colIdx, nRows } = this.pattern;
    const v = this.values;
    y.fill(0);
    for (let i = 0; i < nRows; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) y[colIdx[k]] += v[k] * xi;
    }
  }

  /** `A x` as a new array, with the length of `x` checked. */
  multiply(x: Float64Array): Float64Array {
    if (x.length !== this.pattern.nCols) {
      throw new ShapeError(
        `Cannot multiply: x has length ${x.length} but the matrix has ${this.pattern.nCols} columns`,
      );
    }
    const y = new Float64Array(this.pattern.nRows);
    this.apply(x, y);
    return y;
  }

  /** The diagonal (0 where no entry is stored). */
  diagonal(): Float64Array {
    const di = this.pattern.diagonalIndices();
    const d = new Float64Array(di.length);
    for (let i = 0; i < di.length; i++) d[i] = di[i] < 0 ? 0 : this.values[di[i]];
    return d;
  }

  /** `Aᵀ`: the cached transposed pattern with permuted values (O(nnz) copy of values only). */
  transpose(): CsrMatrix {
    const { pattern, perm } = this.pattern.transpose();
    const vt = new Float64Array(perm.length);
    for (let k = 0; k < perm.length; k++) vt[k] = this.values[perm[k]];
    return new CsrMatrix(pattern, vt);
  }

  /** Dense row-major copy (for small matrices and tests). */
  toDense(): Float64Array {
    const { nRows, nCols, rowPtr, colIdx } = this.pattern;
    if (nRows * nCols > 1e8) {
      throw new ShapeError(`Cannot densify a ${nRows}x${nCols} matrix: over 1e8 entries`);
    }
    const d = new Float64Array(nRows * nCols);
    for (let i = 0; i < nRows; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) d[i * nCols + colIdx[k]] += this.values[k];
    }
    return d;
  }

  /** Throws {@linkcode NonFiniteError} naming the first NaN/Inf value. */
  assertFinite(what = "A"): void {
    const v = this.values;
    for (let k = 0; k < v.length; k++) {
      if (!Number.isFinite(v[k])) {
        const row = this.pattern.rowIndices()[k];
        throw new NonFiniteError(
          `Cannot use ${what}: entry (${row}, ${this.pattern.colIdx[k]}) is ${v[k]}`,
        );
      }
    }
  }
}
