/**
 * Symmetric strength of connection for smoothed aggregation: the graph of
 * couplings `|a_ij| ≥ θ·√|a_ii·a_jj|` (i ≠ j), made symmetric so that
 * aggregation sees an undirected graph. With a block size, the test runs
 * on nodes with Frobenius norms of the blocks.
 *
 * @module
 */

import { CsrPattern } from "../../sparse/pattern.ts";
import type { CsrMatrix } from "../../sparse/csr.ts";

/** A node–node coupling graph with magnitudes: `values[k] ≥ 0` for entry k. */
export interface NodeMatrix {
  /** Pattern over nodes (diagonal included where A has it). */
  readonly pattern: CsrPattern;
  /** Magnitude of each coupling (|a_ij|, or the Frobenius norm of a block). */
  readonly values: Float64Array;
  /** Magnitude of each node's diagonal entry or block. */
  readonly diagonal: Float64Array;
}

/**
 * Collapses `A` to nodes of `blockSize` consecutive unknowns: node (I, J)
 * carries `‖A_IJ‖_F`. With blockSize 1 it is `|A|`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amalgamate } from "./strength.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const A = CsrMatrix.fromDense([[3, 0, 0, 4], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
 * const N = amalgamate(A, 2);
 * assert.equal(N.pattern.nRows, 2);
 * assert.equal(N.values[N.pattern.find(0, 1)], 4);
 * assert.equal(N.diagonal[0], Math.sqrt(10));
 * ```
 */
export function amalgamate(A: CsrMatrix, blockSize: number): NodeMatrix {
  const { rowPtr, colIdx, nRows } = A.pattern;
  const v = A.values;
  if (blockSize === 1) {
    const values = new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) values[k] = Math.abs(v[k]);
    const diagonal = new Float64Array(nRows);
    const di = A.pattern.diagonalIndices();
    for (let i = 0; i < nRows; i++) diagonal[i] = di[i] < 0 ? 0 : values[di[i]];
    return { pattern: A.pattern, values, diagonal };
  }
  const bs = blockSize;
  const nNodes = nRows / bs;
  const mark = new Int32Array(nNodes).fill(-1);
  const ptr = new Int32Array(nNodes + 1);
  for (let I = 0; I < nNodes; I++) {
    let count = 0;
    for (let i = I * bs; i < (I + 1) * bs; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        const J = (colIdx[k] / bs) | 0;
        if (mark[J] !== I) {
          mark[J] = I;
          count++;
        }
      }
    }
    ptr[I + 1] = ptr[I] + count;
  }
  const col = new Int32Array(ptr[nNodes]);
  const sq = new Float64Array(ptr[nNodes]);
  const acc = new Float64Array(nNodes);
  mark.fill(-1);
  for (let I = 0; I < nNodes; I++) {
    let dst = ptr[I];
    for (let i = I * bs; i < (I + 1) * bs; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        const J = (colIdx[k] / bs) | 0;
        if (mark[J] !== I) {
          mark[J] = I;
          col[dst++] = J;
          acc[J] = 0;
        }
        acc[J] += v[k] * v[k];
      }
    }
    const row = col.subarray(ptr[I], dst);
    row.sort();
    for (let k = ptr[I]; k < dst; k++) sq[k] = Math.sqrt(acc[col[k]]);
  }
  const pattern = new CsrPattern(nNodes, nNodes, ptr, col);
  const diagonal = new Float64Array(nNodes);
  const di = pattern.diagonalIndices();
  for (let I = 0; I < nNodes; I++) diagonal[I] = di[I] < 0 ? 0 : sq[di[I]];
  return { pattern, values: sq, diagonal };
}

/**
 * The symmetric strength graph of a node matrix: entry (i, j), i ≠ j, is
 * kept when `v_ij > 0` and `v_ij ≥ θ·√(d_i·d_j)`. When that is not
 * symmetric (nonsymmetric A), the graph is `S ∪ Sᵀ`. No diagonal entries.
 * Pass `symmetric` when the node matrix is known to be symmetric, to skip
 * the check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amalgamate, strengthGraph } from "./strength.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * // Coupling 0–1 is strong, 1–2 (1e-3) is weak at θ = 0.08.
 * const A = CsrMatrix.fromDense([[2, -1, 0], [-1, 2, -1e-3], [0, -1e-3, 2]]);
 * const S = strengthGraph(amalgamate(A, 1), 0.08);
 * assert.deepEqual([...S.rowPtr], [0, 1, 2, 2]);
 * assert.deepEqual([...S.colIdx], [1, 0]);
 * ```
 */
export function strengthGraph(N: NodeMatrix, theta: number, symmetric = false): CsrPattern {
  const { rowPtr, colIdx, nRows: n } = N.pattern;
  const { values, diagonal: d } = N;
  const t2 = theta * theta;
  const keep = new Uint8Array(values.length);
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const di = d[i];
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      const a = values[k];
      if (j !== i && a > 0 && a * a >= t2 * di * d[j]) {
        keep[k] = 1;
        count++;
      }
    }
    ptr[i + 1] = ptr[i] + count;
  }
  const col = new Int32Array(ptr[n]);
  for (let i = 0, dst = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (keep[k]) col[dst++] = colIdx[k];
  }
  const S = new CsrPattern(n, n, ptr, col);
  // A symmetric A gives a symmetric S (the test is symmetric in i and j).
  return symmetric || S.isStructurallySymmetric() ? S : symmetricUnion(S);
}

/** `S ∪ Sᵀ` as a pattern. */
function symmetricUnion(S: CsrPattern): CsrPattern {
  const T = S.transpose().pattern;
  const n = S.nRows;
  const ptr = new Int32Array(n + 1);
  const col = new Int32Array(2 * S.nnz);
  let dst = 0;
  for (let i = 0; i < n; i++) {
    // Merge two sorted rows.
    let a = S.rowPtr[i], b = T.rowPtr[i];
    const ae = S.rowPtr[i + 1], be = T.rowPtr[i + 1];
    while (a < ae || b < be) {
      const ca = a < ae ? S.colIdx[a] : 2147483647;
      const cb = b < be ? T.colIdx[b] : 2147483647;
      if (ca <= cb) {
        col[dst++] = ca;
        a++;
        if (ca === cb) b++;
      } else {
        col[dst++] = cb;
        b++;
      }
    }
    ptr[i + 1] = dst;
  }
  return new CsrPattern(n, n, ptr, col.slice(0, dst));
}

/**
 * How far apart two strength graphs on the same nodes are: the Jaccard
 * distance `|S₁ Δ S₂| / |S₁ ∪ S₂|` of their edge sets (0: the same
 * couplings are strong, 1: none in common; 0 for two empty graphs). A kept
 * hierarchy whose aggregates were built on S₁ serves values whose graph is
 * S₂ as well as the strong couplings they share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strengthDistance } from "./strength.ts";
 * import { CsrPattern } from "../../sparse/pattern.ts";
 * const a = new CsrPattern(2, 2, Int32Array.of(0, 1, 2), Int32Array.of(1, 0));
 * const b = new CsrPattern(2, 2, Int32Array.of(0, 1, 1), Int32Array.of(1));
 * assert.equal(strengthDistance(a, a), 0);
 * assert.equal(strengthDistance(a, b), 0.5); // one edge of two differs
 * ```
 */
export function strengthDistance(a: CsrPattern, b: CsrPattern): number {
  if (a.nRows !== b.nRows) {
    throw new RangeError(`strengthDistance: ${a.nRows} and ${b.nRows} nodes`);
  }
  let both = 0;
  for (let i = 0; i < a.nRows; i++) {
    // Both rows are sorted: count the common columns by merging.
    let p = a.rowPtr[i], q = b.rowPtr[i];
    const pe = a.rowPtr[i + 1], qe = b.rowPtr[i + 1];
    while (p < pe && q < qe) {
      const ca = a.colIdx[p], cb = b.colIdx[q];
      if (ca === cb) (both++, p++, q++);
      else if (ca < cb) p++;
      else q++;
    }
  }
  const union = a.nnz + b.nnz - both;
  return union === 0 ? 0 : (union - both) / union;
}
