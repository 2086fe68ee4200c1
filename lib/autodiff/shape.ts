/**
 * Movement ops: reshape, 2-D transpose, broadcast, and slicing, concatenation
 * and stacking along the first axis. Each is linear, and its vjp is the
 * matching movement of the cotangent.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { broadcastIndex, sameShape } from "./broadcast.ts";
import { sumTo } from "./reduce.ts";
import { record } from "./tape.ts";
import type { Tensor } from "./tensor.ts";

/**
 * The same values with another shape of equal size (data shared).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reshape, tensor } from "@gradsolve/gradsolve";
 * assert.equal(reshape(tensor([1, 2, 3, 4]), [2, 2]).shape.join(), "2,2");
 * ```
 *
 * @category Autodiff
 */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== t.size) {
    throw new ShapeError(`Cannot reshape [${t.shape}] (${t.size} values) to [${shape}]`);
  }
  if (sameShape(t.shape, shape)) return t;
  return record("reshape", t.data, shape, [t], (g) => [reshape(g, t.shape)]);
}

/**
 * Transpose of a 2-D tensor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, transpose2d } from "@gradsolve/gradsolve";
 * assert.equal(transpose2d(tensor([1, 2, 3, 4, 5, 6], [2, 3])).data.join(), "1,4,2,5,3,6");
 * ```
 *
 * @category Autodiff
 */
export function transpose2d(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new ShapeError(`Cannot transpose: shape [${t.shape}] is not 2-D`);
  const [m, n] = t.shape;
  const x = t.data, out = new Float64Array(x.length);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x[i * n + j];
  return record("transpose2d", out, [n, m], [t], (g) => [transpose2d(g)]);
}

/**
 * `t` broadcast to `shape` (NumPy rules); the vjp sums back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { broadcastTo, tensor } from "@gradsolve/gradsolve";
 * assert.equal(broadcastTo(tensor([1, 2]), [2, 2]).data.join(), "1,2,1,2");
 * ```
 *
 * @category Autodiff
 */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const index = broadcastIndex(t.shape, shape);
  const x = t.data, out = new Float64Array(index.length);
  if (x.length === 1) out.fill(x[0]);
  else for (let o = 0; o < out.length; o++) out[o] = x[index[o]];
  return record("broadcastTo", out, shape, [t], (g) => [sumTo(g, t.shape)]);
}

function rowSize(t: Tensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Rows `start .. end−1` along the first axis (elements of a 1-D tensor).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slice, tensor } from "@gradsolve/gradsolve";
 * assert.equal(slice(tensor([1, 2, 3, 4]), 1, 3).data.join(), "2,3");
 * ```
 *
 * @category Autodiff
 */
export function slice(t: Tensor, start: number, end: number): Tensor {
  const n = t.shape[0];
  if (
    t.ndim === 0 || !(Number.isInteger(start) && Number.isInteger(end)) || start < 0 ||
    end > n || start > end
  ) {
    throw new ShapeError(`Cannot slice rows ${start}..${end} of a tensor of shape [${t.shape}]`);
  }
  const row = rowSize(t);
  const data = t.data.slice(start * row, end * row);
  return record("slice", data, [end - start, ...t.shape.slice(1)], [t], (g) => [
    padRows(g, start, n),
  ]);
}

/** `g` placed at rows `start ..` of a zero tensor with `n` rows: the adjoint of {@linkcode slice}. */
function padRows(g: Tensor, start: number, n: number): Tensor {
  const row = rowSize(g);
  const data = new Float64Array(n * row);
  data.set(g.data, start * row);
  return record("padRows", data, [n, ...g.shape.slice(1)], [g], (h) => [
    slice(h, start, start + g.shape[0]),
  ]);
}

/**
 * Concatenation along the first axis (other dimensions must agree).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat, tensor } from "@gradsolve/gradsolve";
 * assert.equal(concat([tensor([1]), tensor([2, 3])]).data.join(), "1,2,3");
 * ```
 *
 * @category Autodiff
 */
export function concat(ts: readonly Tensor[]): Tensor {
  if (ts.length === 0) throw new ShapeError("Cannot concatenate: no tensors given");
  const inner = ts[0].shape.slice(1);
  let rows = 0;
  for (const t of ts) {
    if (t.ndim === 0 || !sameShape(t.shape.slice(1), inner)) {
      throw new ShapeError(
        `Cannot concatenate: shape [${t.shape}] does not match [*, ${inner}] of the first tensor`,
      );
    }
    rows += t.shape[0];
  }
  const data = new Float64Array(rows * inner.reduce((a, b) => a * b, 1));
  const starts: number[] = [];
  let at = 0, offset = 0;
  for (const t of ts) {
    starts.push(at);
    data.set(t.data, offset);
    at += t.shape[0];
    offset += t.size;
  }
  return record(
    "concat",
    data,
    [rows, ...inner],
    ts,
    (g, needs) => ts.map((t, i) => (needs[i] ? slice(g, starts[i], starts[i] + t.shape[0]) : null)),
  );
}

/**
 * Stacks equal-shape tensors along a new first axis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stack, tensor } from "@gradsolve/gradsolve";
 * assert.equal(stack([tensor([1, 2]), tensor([3, 4])]).shape.join(), "2,2");
 * ```
 *
 * @category Autodiff
 */
export function stack(ts: readonly Tensor[]): Tensor {
  return concat(ts.map((t) => reshape(t, [1, ...t.shape])));
}
