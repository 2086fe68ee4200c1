/**
 * Blocks of k vectors stored n×k row-major (`X[i·k + j]` is entry i of
 * column j): the layout of block right-hand sides and of the block Krylov
 * solves, so one pass over a CSR matrix serves all k columns.
 *
 * @module
 */

import { CsrMatrix } from "../sparse/csr.ts";
import type { LinearOperator } from "./operator.ts";

/**
 * `Y ← A X` for the k columns of X: one pass over a CSR matrix (SpMM), else
 * column by column through `A.apply`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockApply, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0], [1, 1]]);
 * const Y = new Float64Array(4);
 * blockApply(A, Float64Array.of(1, 10, 2, 20), Y, 2); // columns [1, 2] and [10, 20]
 * assert.deepEqual(Array.from(Y), [2, 20, 3, 30]);
 * ```
 *
 * @category Solvers
 */
export function blockApply(A: LinearOperator, X: Float64Array, Y: Float64Array, k: number): void {
  if (k === 1) {
    A.apply(X, Y);
    return;
  }
  if (A instanceof CsrMatrix) {
    const { rowPtr, colIdx, nRows } = A.pattern;
    const v = A.values;
    Y.fill(0);
    for (let i = 0; i < nRows; i++) {
      const o = i * k;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const a = v[p], c = colIdx[p] * k;
        for (let j = 0; j < k; j++) Y[o + j] += a * X[c + j];
      }
    }
    return;
  }
  const n = A.shape[0];
  const u = new Float64Array(n), w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    getColumn(X, k, j, u);
    A.apply(u, w);
    setColumn(Y, k, j, w);
  }
}

/**
 * `out ← X[:, j]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getColumn } from "@gradsolve/gradsolve";
 * const out = new Float64Array(2);
 * getColumn(Float64Array.of(1, 10, 2, 20), 2, 1, out);
 * assert.deepEqual(Array.from(out), [10, 20]);
 * ```
 *
 * @category Solvers
 */
export function getColumn(X: Float64Array, k: number, j: number, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = X[i * k + j];
}

/**
 * `X[:, j] ← col`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setColumn } from "@gradsolve/gradsolve";
 * const X = new Float64Array(4);
 * setColumn(X, 2, 0, Float64Array.of(1, 2));
 * assert.deepEqual(Array.from(X), [1, 0, 2, 0]);
 * ```
 *
 * @category Solvers
 */
export function setColumn(X: Float64Array, k: number, j: number, col: Float64Array): void {
  for (let i = 0; i < col.length; i++) X[i * k + j] = col[i];
}
