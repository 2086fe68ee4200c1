/**
 * Classical Ruge–Stüben coarsening: strength `−a_ij ≥ θ·max_{k≠i}(−a_ik)`,
 * the first-pass C/F splitting (repeatedly make C the undecided point that
 * strongly influences most others, its dependants F), and direct
 * interpolation. The splitting and the interpolation pattern are symbolic;
 * the weights are recomputed from values ({@linkcode RugeStubenTransfer.values}).
 *
 * Direct interpolation, for an F point i with strong C neighbours C_i:
 * `w_ij = −α·a_ij / ã_ii`, `α = Σ_{k≠i, a_ik<0} a_ik / Σ_{j∈C_i, a_ij<0} a_ij`,
 * with positive off-diagonals lumped into the diagonal,
 * `ã_ii = a_ii + Σ_{k≠i, a_ik>0} a_ik`. A C point is injected (weight 1).
 * F points without a strong C neighbour have an empty row.
 *
 * @module
 */

import type { CsrMatrix } from "../../sparse/csr.ts";
import { CsrPattern } from "../../sparse/pattern.ts";

/** The symbolic Ruge–Stüben prolongator and its numeric phase. */
export interface RugeStubenTransfer {
  /** 1 for C points, 0 for F points. */
  readonly splitting: Uint8Array;
  /** Number of C points. */
  readonly nCoarse: number;
  /** Pattern of P. */
  readonly pattern: CsrPattern;
  /** The strength graph the splitting was chosen on. */
  readonly strength: CsrPattern;
  /** Fills P's values from A's (same pattern as at setup). */
  values(A: CsrMatrix, out: Float64Array): void;
}

/**
 * Classical strength (`S` row i lists the j that strongly influence i).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classicalStrength } from "./ruge_stuben.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * const S = classicalStrength(CsrMatrix.fromDense([[2, -1, -0.1], [-1, 2, -1], [-0.1, -1, 2]]), 0.25);
 * assert.deepEqual([...S.colIdx], [1, 0, 2, 1]);
 * ```
 */
export function classicalStrength(A: CsrMatrix, theta: number): CsrPattern {
  const { rowPtr, colIdx, nRows: n } = A.pattern;
  const v = A.values;
  const ptr = new Int32Array(n + 1);
  const keep = new Uint8Array(v.length);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] !== i) m = Math.max(m, -v[k]);
    let c = 0;
    if (m > 0) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        if (colIdx[k] !== i && -v[k] >= theta * m) {
          keep[k] = 1;
          c++;
        }
      }
    }
    ptr[i + 1] = ptr[i] + c;
  }
  const col = new Int32Array(ptr[n]);
  for (let i = 0, dst = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (keep[k]) col[dst++] = colIdx[k];
  }
  return new CsrPattern(n, n, ptr, col);
}

/**
 * First-pass Ruge–Stüben C/F splitting of a strength graph, with bucket
 * lists so it runs in O(nnz). Returns 1 for C, 0 for F.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classicalStrength, rsSplitting } from "./ruge_stuben.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const cf = rsSplitting(classicalStrength(poisson1d(5), 0.25));
 * assert.deepEqual([...cf], [0, 1, 0, 1, 0]);
 * ```
 */
export function rsSplitting(S: CsrPattern): Uint8Array {
  const n = S.nRows;
  const T = S.transpose().pattern; // row i: points that i influences
  const lambda = new Int32Array(n);
  let maxL = 0;
  for (let i = 0; i < n; i++) {
    lambda[i] = T.rowPtr[i + 1] - T.rowPtr[i];
    maxL = Math.max(maxL, lambda[i]);
  }
  const nb = 2 * maxL + 2;
  const head = new Int32Array(nb).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const U = 2, C = 1, F = 0;
  const state = new Uint8Array(n).fill(U);
  const insert = (i: number) => {
    const b = lambda[i];
    next[i] = head[b];
    prev[i] = -1;
    if (head[b] >= 0) prev[head[b]] = i;
    head[b] = i;
  };
  const remove = (i: number) => {
    if (prev[i] >= 0) next[prev[i]] = next[i];
    else head[lambda[i]] = next[i];
    if (next[i] >= 0) prev[next[i]] = prev[i];
  };
  for (let i = n - 1; i >= 0; i--) insert(i);
  let top = maxL;
  for (;;) {
    while (top >= 0 && head[top] < 0) top--;
    if (top < 0) break;
    const i = head[top];
    remove(i);
    if (top === 0 && S.rowPtr[i] === S.rowPtr[i + 1]) {
      state[i] = F; // isolated: the smoother handles it
      continue;
    }
    state[i] = C;
    for (let kt = T.rowPtr[i]; kt < T.rowPtr[i + 1]; kt++) {
      const j = T.colIdx[kt];
      if (state[j] !== U) continue;
      state[j] = F;
      remove(j);
      for (let ks = S.rowPtr[j]; ks < S.rowPtr[j + 1]; ks++) {
        const m = S.colIdx[ks];
        if (state[m] !== U) continue;
        remove(m);
        lambda[m]++;
        insert(m);
        if (lambda[m] > top) top = lambda[m];
      }
    }
    for (let ks = S.rowPtr[i]; ks < S.rowPtr[i + 1]; ks++) {
      const j = S.colIdx[ks];
      if (state[j] !== U || lambda[j] === 0) continue;
      remove(j);
      lambda[j]--;
      insert(j);
    }
  }
  const cf = new Uint8Array(n);
  for (let i = 0; i < n; i++) cf[i] = state[i] === C ? 1 : 0;
  return cf;
}

/**
 * The Ruge–Stüben transfer of A: splitting, the pattern of the direct
 * interpolation and its numeric phase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rugeStubenTransfer } from "./ruge_stuben.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const A = poisson1d(5);
 * const rs = rugeStubenTransfer(A, 0.25);
 * const P = new CsrMatrix(rs.pattern, new Float64Array(rs.pattern.nnz));
 * rs.values(A, P.values);
 * assert.deepEqual([...P.toDense()], [0.5, 0, 1, 0, 0.5, 0.5, 0, 1, 0, 0.5]);
 * ```
 */
export function rugeStubenTransfer(A: CsrMatrix, theta: number): RugeStubenTransfer {
  const S = classicalStrength(A, theta);
  const splitting = rsSplitting(S);
  const n = splitting.length;
  const cIndex = new Int32Array(n).fill(-1);
  let nCoarse = 0;
  for (let i = 0; i < n; i++) if (splitting[i]) cIndex[i] = nCoarse++;
  const { rowPtr: ap, colIdx: ac } = A.pattern;
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    if (splitting[i]) c = 1;
    else {
      for (let k = S.rowPtr[i]; k < S.rowPtr[i + 1]; k++) if (splitting[S.colIdx[k]]) c++;
    }
    ptr[i + 1] = ptr[i] + c;
  }
  const col = new Int32Array(ptr[n]);
  const src = new Int32Array(ptr[n]); // position in A's values, −1 for an injected C point
  for (let i = 0; i < n; i++) {
    let dst = ptr[i];
    if (splitting[i]) {
      col[dst] = cIndex[i];
      src[dst] = -1;
      continue;
    }
    // S's row is a subsequence of A's row: walk both.
    let ka = ap[i];
    for (let k = S.rowPtr[i]; k < S.rowPtr[i + 1]; k++) {
      const j = S.colIdx[k];
      if (!splitting[j]) continue;
      while (ac[ka] !== j) ka++;
      col[dst] = cIndex[j];
      src[dst++] = ka;
    }
  }
  const pattern = new CsrPattern(n, nCoarse, ptr, col);
  const values = (M: CsrMatrix, out: Float64Array): void => {
    const v = M.values;
    for (let i = 0; i < n; i++) {
      const p0 = ptr[i], p1 = ptr[i + 1];
      if (splitting[i]) {
        out[p0] = 1;
        continue;
      }
      if (p0 === p1) continue;
      let diag = 0, neg = 0, negC = 0;
      for (let k = ap[i]; k < ap[i + 1]; k++) {
        const a = v[k];
        if (ac[k] === i) diag += a;
        else if (a < 0) neg += a;
        else diag += a;
      }
      for (let p = p0; p < p1; p++) if (v[src[p]] < 0) negC += v[src[p]];
      const alpha = negC < 0 ? neg / negC : 0;
      for (let p = p0; p < p1; p++) out[p] = (-alpha * v[src[p]]) / diag;
    }
  };
  return { splitting, nCoarse, pattern, strength: S, values };
}
