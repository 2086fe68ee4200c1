/**
 * Indexing by integer arrays along the first axis: `gather` reads rows,
 * `scatterAdd` sums rows into place. Each is the other's adjoint, which is
 * what sparse values and sensor samples need.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { record } from "./tape.ts";
import type { Tensor } from "./tensor.ts";

function checkIndex(idx: Int32Array, n: number, what: string): void {
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= n) {
      throw new ShapeError(
        `Cannot ${what}: index ${idx[i]} at position ${i} is outside 0..${n - 1}`,
      );
    }
  }
}

/**
 * `out[i] = t[idx[i]]` along the first axis (rows of a 2-D tensor,
 * elements of a 1-D one). vjp: `scatterAdd(ḡ, idx, t.shape[0])`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gather, tensor } from "@gradsolve/gradsolve";
 * assert.equal(gather(tensor([10, 20, 30]), Int32Array.of(2, 0, 2)).data.join(), "30,10,30");
 * ```
 *
 * @category Autodiff
 */
export function gather(t: Tensor, idx: Int32Array): Tensor {
  if (t.ndim === 0) throw new ShapeError("Cannot gather from a scalar tensor");
  const n = t.shape[0];
  checkIndex(idx, n, "gather");
  const row = t.size / Math.max(n, 1);
  const x = t.data, out = new Float64Array(idx.length * row);
  if (row === 1) { for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]]; }
  else {
    for (let i = 0; i < idx.length; i++) {
      out.set(x.subarray(idx[i] * row, idx[i] * row + row), i * row);
    }
  }
  return record("gather", out, [idx.length, ...t.shape.slice(1)], [t], (g) => [
    scatterAdd(g, idx, n),
  ], [idx]);
}

/**
 * A tensor with `size` rows where row `idx[i]` accumulates row `i` of `t`.
 * vjp: `gather(ḡ, idx)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterAdd, tensor } from "@gradsolve/gradsolve";
 * assert.equal(scatterAdd(tensor([1, 2, 3]), Int32Array.of(0, 1, 0), 2).data.join(), "4,2");
 * ```
 *
 * @category Autodiff
 */
export function scatterAdd(t: Tensor, idx: Int32Array, size: number): Tensor {
  if (t.ndim === 0 || t.shape[0] !== idx.length) {
    throw new ShapeError(
      `Cannot scatter: tensor of shape [${t.shape}] needs ${idx.length} rows, one per index`,
    );
  }
  checkIndex(idx, size, "scatter");
  const row = t.size / Math.max(idx.length, 1);
  const x = t.data, out = new Float64Array(size * row);
  if (row === 1) { for (let i = 0; i < idx.length; i++) out[idx[i]] += x[i]; }
  else {
    for (let i = 0; i < idx.length; i++) {
      const o = idx[i] * row;
      for (let j = 0; j < row; j++) out[o + j] += x[i * row + j];
    }
  }
  return record("scatterAdd", out, [size, ...t.shape.slice(1)], [t], (g) => [gather(g, idx)], [
    idx,
  ]);
}
