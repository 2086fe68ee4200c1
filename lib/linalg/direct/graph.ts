/**
 * The undirected graphs a fill-reducing ordering works on, built from a
 * square CSR pattern: the pattern of `A + Aᵀ` (for Cholesky, and for LU on
 * nearly symmetric patterns) and the pattern of `AᵀA` (for the column
 * ordering of LU with pivoting: the fill of `PAQ = LU` for any row order `P`
 * is contained in the Cholesky factor of `QᵀAᵀAQ`). Both are returned in
 * adjacency form, without self loops.
 *
 * @module
 */

import type { CsrPattern } from "../../sparse/pattern.ts";

/** An undirected graph on `n` nodes: neighbours of `i` are `idx[ptr[i] .. ptr[i+1]-1]`. */
export interface AdjacencyGraph {
  /** Number of nodes. */
  readonly n: number;
  /** Offsets, length `n + 1`. */
  readonly ptr: Int32Array;
  /** Neighbour lists (each edge stored in both directions, no self loops). */
  readonly idx: Int32Array;
}

/**
 * The graph of `A + Aᵀ` (diagonal dropped) of a square pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symmetricGraph } from "./graph.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const g = symmetricGraph(CsrMatrix.fromDense([[1, 2, 0], [0, 1, 0], [3, 0, 1]]).pattern);
 * assert.equal(g.ptr[1] - g.ptr[0], 2); // node 0 touches 1 and 2
 * ```
 */
export function symmetricGraph(pattern: CsrPattern): AdjacencyGraph {
  const n = pattern.nRows;
  const { rowPtr, colIdx } = pattern;
  const t = pattern.transpose().pattern;
  const ptr = new Int32Array(n + 1);
  const mark = new Int32Array(n).fill(-1);
  let idx: Int32Array | null = null;
  // Pass 1 counts the union of row i of A and row i of Aᵀ; pass 2 fills it.
  for (let pass = 0; pass < 2; pass++) {
    mark.fill(-1);
    for (let i = 0; i < n; i++) {
      let count = 0;
      mark[i] = i;
      for (let side = 0; side < 2; side++) {
        const p = side === 0 ? rowPtr : t.rowPtr, c = side === 0 ? colIdx : t.colIdx;
        for (let k = p[i]; k < p[i + 1]; k++) {
          const j = c[k];
          if (mark[j] === i) continue;
          mark[j] = i;
          if (idx) idx[ptr[i] + count] = j;
          count++;
        }
      }
      if (!idx) ptr[i + 1] = ptr[i] + count;
    }
    if (idx) break;
    idx = new Int32Array(ptr[n]);
  }
  return { n, ptr, idx: idx! };
}

/**
 * The graph of `AᵀA` (diagonal dropped) on the columns of a square pattern.
 * Rows with more than `denseRow` entries are left out (they would make
 * `AᵀA` dense and tell the ordering nothing; COLAMD does the same).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalGraph } from "./graph.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * // row 0 couples columns 0 and 2
 * const g = normalGraph(CsrMatrix.fromDense([[1, 0, 1], [0, 1, 0], [0, 0, 1]]).pattern);
 * assert.equal(g.idx[g.ptr[0]], 2);
 * ```
 */
export function normalGraph(
  pattern: CsrPattern,
  denseRow = Math.max(16, Math.floor(10 * Math.sqrt(pattern.nCols))),
): AdjacencyGraph {
  const n = pattern.nCols;
  const { rowPtr, colIdx } = pattern;
  const t = pattern.transpose().pattern; // row j of t = column j of A
  const ptr = new Int32Array(n + 1);
  const mark = new Int32Array(n).fill(-1);
  let idx: Int32Array | null = null;
  for (let pass = 0; pass < 2; pass++) {
    mark.fill(-1);
    for (let j = 0; j < n; j++) {
      let count = 0;
      mark[j] = j;
      for (let a = t.rowPtr[j]; a < t.rowPtr[j + 1]; a++) {
        const i = t.colIdx[a];
        if (rowPtr[i + 1] - rowPtr[i] > denseRow) continue;
        for (let b = rowPtr[i]; b < rowPtr[i + 1]; b++) {
          const c = colIdx[b];
          if (mark[c] === j) continue;
          mark[c] = j;
          if (idx) idx[ptr[j] + count] = c;
          count++;
        }
      }
      if (!idx) ptr[j + 1] = ptr[j] + count;
    }
    if (idx) break;
    idx = new Int32Array(ptr[n]);
  }
  return { n, ptr, idx: idx! };
}
