/**
 * Standard (greedy, three-pass) aggregation of a symmetric strength graph,
 * after Vaněk, Mandel and Brezina (1996):
 *
 * 1. every node whose strong neighbours are all still free becomes the
 *    root of a new aggregate made of it and those neighbours;
 * 2. every node left joins the aggregate of a strong neighbour that was
 *    placed in pass 1 (the first such neighbour in column order);
 * 3. nodes still left form new aggregates with their free neighbours.
 *
 * Isolated nodes (no strong neighbour) stay unaggregated (`-1`): their row of
 * the prolongator is empty and the smoother alone handles them. The order
 * is the node order, so the result is deterministic.
 *
 * @module
 */

import type { CsrPattern } from "../../sparse/pattern.ts";

/** Aggregate of every node (−1 when unaggregated) and the number of aggregates. */
export interface Aggregation {
  /** `aggregates[i]` in `0..count-1`, or −1 for an isolated node. */
  readonly aggregates: Int32Array;
  /** Number of aggregates. */
  readonly count: number;
}

/**
 * Aggregates the nodes of a symmetric strength graph (no diagonal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { standardAggregation } from "./aggregate.ts";
 * import { amalgamate, strengthGraph } from "./strength.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const S = strengthGraph(amalgamate(poisson1d(7), 1), 0.08);
 * const { aggregates, count } = standardAggregation(S);
 * assert.equal(count, 3);
 * assert.deepEqual([...aggregates], [0, 0, 1, 1, 1, 2, 2]);
 * ```
 */
export function standardAggregation(S: CsrPattern): Aggregation {
  const { rowPtr, colIdx, nRows: n } = S;
  const FREE = -1, ISOLATED = -2;
  const agg = new Int32Array(n).fill(FREE);
  let count = 0;
  // Pass 1: roots whose whole neighbourhood is free.
  for (let i = 0; i < n; i++) {
    if (agg[i] !== FREE) continue;
    const start = rowPtr[i], end = rowPtr[i + 1];
    if (start === end) {
      agg[i] = ISOLATED;
      continue;
    }
    let free = true;
    for (let k = start; k < end; k++) {
      if (agg[colIdx[k]] !== FREE) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    agg[i] = count;
    for (let k = start; k < end; k++) agg[colIdx[k]] = count;
    count++;
  }
  // Pass 2: join a neighbouring pass-1 aggregate (decided on the pass-1 state).
  const joined = new Int32Array(n).fill(FREE);
  for (let i = 0; i < n; i++) {
    if (agg[i] !== FREE) continue;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const a = agg[colIdx[k]];
      if (a >= 0) {
        joined[i] = a;
        break;
      }
    }
  }
  for (let i = 0; i < n; i++) if (joined[i] >= 0) agg[i] = joined[i];
  // Pass 3: what is left forms new aggregates with its free neighbours.
  for (let i = 0; i < n; i++) {
    if (agg[i] !== FREE) continue;
    agg[i] = count;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (agg[j] === FREE) agg[j] = count;
    }
    count++;
  }
  for (let i = 0; i < n; i++) if (agg[i] === ISOLATED) agg[i] = -1;
  return { aggregates: agg, count };
}

/**
 * Expands node aggregates to unknowns: unknown `I·blockSize + c` gets the
 * aggregate of node I.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandAggregates } from "./aggregate.ts";
 * assert.deepEqual([...expandAggregates(Int32Array.of(0, -1), 2)], [0, 0, -1, -1]);
 * ```
 */
export function expandAggregates(nodeAggregates: Int32Array, blockSize: number): Int32Array {
  if (blockSize === 1) return nodeAggregates;
  const out = new Int32Array(nodeAggregates.length * blockSize);
  for (let I = 0; I < nodeAggregates.length; I++) {
    out.fill(nodeAggregates[I], I * blockSize, (I + 1) * blockSize);
  }
  return out;
}
