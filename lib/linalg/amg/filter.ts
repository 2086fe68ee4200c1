/**
 * The filtered matrix of prolongator smoothing (Vaněk, Mandel and Brezina,
 * 1996): `A^F` keeps the strong couplings and the diagonal and adds every
 * dropped (weak) entry of a row to that row's diagonal, weighted by the
 * near-nullspace vector `w` of the level (all ones on the finest level by
 * default, the coarse nullspace below it),
 *
 * ```
 * a^F_ij = a_ij                               (i, j) kept
 * a^F_ii = a_ii + Σ_{j dropped} a_ij w_j / w_i  (lumping)
 * ```
 *
 * so `A^F w = A w`: the near-nullspace is treated as by A, P still maps
 * the coarse nullspace to `(I − ωD_F⁻¹A) w`, and a nullspace that A
 * annihilates exactly (a pure Neumann problem) stays exact on every level.
 * With one weight vector a diagonal can match only one mode, so with
 * several near-nullspace vectors (or a zero entry in the one) the
 * hierarchy does not filter. A coupling is
 * dropped when it is small against both ends' diagonals,
 * `|a_ij| < θ·min(|a_ii|, |a_jj|)` (on nodes: block norms): that is weak
 * in the strength sense (`θ·min ≤ θ·√(|a_ii a_jj|)`), and it is also small
 * in its own row, so lumping it moves at most a fraction θ of each row.
 * The one-sided weak couplings of a coefficient jump (`|a_ij|` = 40 % of
 * `a_ii` on the low side, 0.005 % on the high side) are kept: lumping them
 * took jump-10⁴ diffusion from 9 to 88 PCG iterations. Smoothing the
 * tentative prolongator with `A^F` instead of A keeps P's stencil along
 * the strong directions: on anisotropic problems the unfiltered P spreads
 * into the weak direction and the coarse operators fill in (operator
 * complexity 4.7 on `−10⁻³u_xx − u_yy`, 1.9 filtered). Where lumping would
 * take a diagonal entry to 0 or across 0, that row keeps `a_ii`.
 *
 * The pattern and the entry map are symbolic (built once at setup); the
 * values are re-filtered from A's on every update.
 *
 * @module
 */

import { CsrMatrix } from "../../sparse/csr.ts";
import { CsrPattern } from "../../sparse/pattern.ts";
import type { NodeMatrix } from "./strength.ts";

/** The symbolic part of the filter: which entries of A stay and where. */
export interface FilterPattern {
  /** Pattern of `A^F` (a sub-pattern of A's with every diagonal entry). */
  readonly pattern: CsrPattern;
  /** For every stored entry of A: its position in `A^F`, or −1 (lumped). */
  readonly map: Int32Array;
  /** Position of each row's diagonal entry in `A^F`. */
  readonly diagonal: Int32Array;
  /** Entries of A dropped (at least one: no filter is built otherwise). */
  readonly dropped: number;
}

/**
 * The filter pattern of A at threshold θ, given A's node matrix `N` (nodes
 * of `blockSize` unknowns, numbered node-major; see `amalgamate`): (i, j)
 * stays when i and j belong to one node or when their nodes' coupling is
 * `v_IJ ≥ θ·min(d_I, d_J)`; undefined when that keeps every entry
 * (`A^F = A`), found in one pass over the node matrix before anything is
 * allocated. A must store every diagonal entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filterPattern } from "./filter.ts";
 * import { amalgamate } from "./strength.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * // The 1–2 coupling (1e-3) is below 0.08·2 and is dropped.
 * const A = CsrMatrix.fromDense([[2, -1, 0], [-1, 2, -1e-3], [0, -1e-3, 2]]);
 * const f = filterPattern(A.pattern, amalgamate(A, 1), 0.08, 1)!;
 * assert.equal(f.dropped, 2);
 * assert.deepEqual([...f.map], [0, 1, 2, 3, -1, -1, 4]);
 * assert.equal(filterPattern(A.pattern, amalgamate(A, 1), 1e-4, 1), undefined);
 * ```
 */
export function filterPattern(
  A: CsrPattern,
  N: NodeMatrix,
  theta: number,
  blockSize: number,
): FilterPattern | undefined {
  const { rowPtr: np, colIdx: nc } = N.pattern;
  const nv = N.values, nd = N.diagonal;
  let drops = false;
  for (let I = 0; I < N.pattern.nRows && !drops; I++) {
    for (let k = np[I]; k < np[I + 1]; k++) {
      if (nc[k] !== I && nv[k] < theta * Math.min(nd[I], nd[nc[k]])) drops = true;
    }
  }
  if (!drops) return undefined;
  const { rowPtr, colIdx, nRows: n } = A;
  const map = new Int32Array(A.nnz).fill(-1);
  const ptr = new Int32Array(n + 1);
  const diagonal = new Int32Array(n);
  // Mark of the node columns kept in the current node row.
  const mark = new Int32Array(N.pattern.nRows).fill(-1);
  let dst = 0;
  for (let i = 0; i < n; i++) {
    const node = Math.floor(i / blockSize);
    for (let k = np[node]; k < np[node + 1]; k++) {
      const J = nc[k];
      if (nv[k] >= theta * Math.min(nd[node], nd[J])) mark[J] = node;
    }
    mark[node] = node;
    diagonal[i] = -1;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (mark[Math.floor(j / blockSize)] !== node) continue;
      if (j === i) diagonal[i] = dst;
      map[k] = dst++;
    }
    if (diagonal[i] < 0) {
      throw new RangeError(`Cannot filter A: row ${i} does not store its diagonal entry`);
    }
    ptr[i + 1] = dst;
  }
  const col = new Int32Array(dst);
  for (let k = 0; k < map.length; k++) if (map[k] >= 0) col[map[k]] = colIdx[k];
  return {
    pattern: new CsrPattern(n, A.nCols, ptr, col),
    map,
    diagonal,
    dropped: A.nnz - dst,
  };
}

/**
 * `A^F` from A's current values (written into `out` when given), lumping
 * with the weights `w` (all ones when omitted; every `w_i` nonzero).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filteredMatrix, filterPattern } from "./filter.ts";
 * import { amalgamate } from "./strength.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const A = CsrMatrix.fromDense([[2, -1, 0], [-1, 2, -1e-3], [0, -1e-3, 2]]);
 * const f = filterPattern(A.pattern, amalgamate(A, 1), 0.08, 1)!;
 * const F = filteredMatrix(A, f);
 * // Row sums are kept: the weak −1e-3 moved onto the diagonal.
 * assert.deepEqual([...F.toDense()], [2, -1, 0, -1, 2 - 1e-3, 0, 0, 0, 2 - 1e-3]);
 * // With weights w, A^F w = A w: here the weak entry of row 1 counts twice.
 * const G = filteredMatrix(A, f, undefined, Float64Array.of(1, 1, 2));
 * assert.equal(G.get(1, 1), 2 - 2e-3);
 * ```
 */
export function filteredMatrix(
  A: CsrMatrix,
  f: FilterPattern,
  out: Float64Array = new Float64Array(f.pattern.nnz),
  w?: Float64Array,
): CsrMatrix {
  const { rowPtr, colIdx, nRows: n } = A.pattern;
  const v = A.values, map = f.map;
  for (let i = 0; i < n; i++) {
    let lumped = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const p = map[k];
      if (p < 0) lumped += w ? (v[k] * w[colIdx[k]]) / w[i] : v[k];
      else out[p] = v[k];
    }
    const aii = out[f.diagonal[i]];
    const lumpedDiagonal = aii + lumped;
    out[f.diagonal[i]] = lumpedDiagonal * aii > 0 ? lumpedDiagonal : aii;
  }
  return new CsrMatrix(f.pattern, out);
}
