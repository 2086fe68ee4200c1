/**
 * The tentative prolongator of smoothed aggregation: for each aggregate,
 * the thin QR factorisation `B_a = Q_a R_a` of the near-nullspace rows of
 * its unknowns. `T` holds the `Q_a` blocks (orthonormal columns, disjoint
 * rows) and the coarse near-nullspace stacks the `R_a`, so `T·B_c = B`
 * exactly (to rounding). A column that is dependent on the earlier ones
 * within an aggregate (for instance an aggregate with fewer unknowns than
 * vectors) is dropped, so no coarse unknown has an empty column.
 *
 * @module
 */

import { CsrMatrix } from "../../sparse/csr.ts";
import { CsrPattern } from "../../sparse/pattern.ts";

/** Relative size below which a Gram–Schmidt column counts as dependent. */
const RANK_TOLERANCE = 1e-10;

/** The tentative prolongator and the coarse near-nullspace. */
export interface TentativeProlongator {
  /** `T` (n × nc): `Q_a` blocks, one row per unknown (empty rows for unaggregated ones). */
  readonly T: CsrMatrix;
  /** Coarse near-nullspace, row-major `nc × k`: the stacked `R_a`. */
  readonly coarseB: Float64Array;
  /** Number of coarse unknowns `nc` (the sum of the aggregates' ranks). */
  readonly nCoarse: number;
  /** True when every aggregate kept all k columns (then coarse unknowns come in blocks of k). */
  readonly fullRank: boolean;
}

/**
 * Builds `T` and `B_c` from aggregates of the unknowns and a row-major
 * near-nullspace `B` (`n × k`). Modified Gram–Schmidt with one
 * re-orthogonalisation pass per column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tentativeProlongator } from "./tentative.ts";
 * // Two aggregates of two unknowns, constant near-nullspace.
 * const { T, coarseB } = tentativeProlongator(Int32Array.of(0, 0, 1, 1), 2, new Float64Array(4).fill(1), 1);
 * assert.ok(Math.abs(T.values[0] - Math.SQRT1_2) < 1e-15);
 * const y = T.multiply(coarseB);
 * assert.ok(y.every((v) => Math.abs(v - 1) < 1e-15));
 * ```
 */
export function tentativeProlongator(
  aggregates: Int32Array,
  count: number,
  B: Float64Array,
  k: number,
): TentativeProlongator {
  const n = aggregates.length;
  // Members of every aggregate, in node order (counting sort).
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) if (aggregates[i] >= 0) start[aggregates[i] + 1]++;
  for (let a = 0; a < count; a++) start[a + 1] += start[a];
  const members = new Int32Array(start[count]);
  const next = start.slice(0, count);
  for (let i = 0; i < n; i++) if (aggregates[i] >= 0) members[next[aggregates[i]]++] = i;

  // Q of each aggregate, stored per member position (k slots each), then compacted.
  const q = new Float64Array(start[count] * k);
  const rank = new Int32Array(count);
  const R = new Float64Array(count * k * k); // R_a rows (rank of them), row-major k columns
  for (let a = 0; a < count; a++) {
    const s = start[a], m = start[a + 1] - s;
    if (k === 1) {
      // One vector: q = b/‖b‖, R = ‖b‖.
      let nb = 0;
      for (let t = s; t < s + m; t++) nb += B[members[t]] * B[members[t]];
      nb = Math.sqrt(nb);
      if (nb > 0) {
        for (let t = s; t < s + m; t++) q[t] = B[members[t]] / nb;
        R[a] = nb;
        rank[a] = 1;
      }
      continue;
    }
    let r = 0;
    for (let c = 0; c < k; c++) {
      // v = B_a[:, c] into slot r of q.
      let norm0 = 0;
      for (let t = 0; t < m; t++) {
        const b = B[members[s + t] * k + c];
        q[(s + t) * k + r] = b;
        norm0 += b * b;
      }
      const Ra = a * k * k;
      for (let j = 0; j < r; j++) R[Ra + j * k + c] = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < r; j++) {
          let h = 0;
          for (let t = 0; t < m; t++) h += q[(s + t) * k + j] * q[(s + t) * k + r];
          for (let t = 0; t < m; t++) q[(s + t) * k + r] -= h * q[(s + t) * k + j];
          R[Ra + j * k + c] += h;
        }
      }
      let norm = 0;
      for (let t = 0; t < m; t++) norm += q[(s + t) * k + r] ** 2;
      norm = Math.sqrt(norm);
      if (norm > RANK_TOLERANCE * Math.sqrt(norm0) && norm > 0) {
        for (let t = 0; t < m; t++) q[(s + t) * k + r] /= norm;
        for (let cc = 0; cc < k; cc++) R[Ra + r * k + cc] = 0;
        R[Ra + r * k + c] = norm;
        r++;
      }
    }
    rank[a] = r;
  }
  const offset = new Int32Array(count + 1);
  for (let a = 0; a < count; a++) offset[a + 1] = offset[a] + rank[a];
  const nCoarse = offset[count];
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = rowPtr[i] + (aggregates[i] >= 0 ? rank[aggregates[i]] : 0);
  }
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  for (let a = 0; a < count; a++) {
    for (let p = start[a]; p < start[a + 1]; p++) {
      const i = members[p];
      for (let j = 0; j < rank[a]; j++) {
        colIdx[rowPtr[i] + j] = offset[a] + j;
        values[rowPtr[i] + j] = q[p * k + j];
      }
    }
  }
  const coarseB = new Float64Array(nCoarse * k);
  for (let a = 0; a < count; a++) {
    for (let j = 0; j < rank[a]; j++) {
      for (let c = 0; c < k; c++) coarseB[(offset[a] + j) * k + c] = R[a * k * k + j * k + c];
    }
  }
  let fullRank = true;
  for (let a = 0; a < count; a++) if (rank[a] !== k) fullRank = false;
  const T = new CsrMatrix(new CsrPattern(n, nCoarse, rowPtr, colIdx), values);
  return { T, coarseB, nCoarse, fullRank };
}
