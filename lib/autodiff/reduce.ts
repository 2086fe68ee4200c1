/**
 * Reductions: sum (all or one axis), mean, L2 norm, dot product, and
 * `sumTo`, the adjoint of broadcasting.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { broadcastIndex, sameShape } from "./broadcast.ts";
import { div, mul } from "./elementwise.ts";
import { broadcastTo, reshape } from "./shape.ts";
import { record } from "./tape.ts";
import { type Tensor, zeros } from "./tensor.ts";

/**
 * Sums `g` down to `shape`, undoing a broadcast from `shape` to `g.shape`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sumTo, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sumTo(tensor([1, 2, 3, 4], [2, 2]), [2]).data.join(), "4,6");
 * ```
 *
 * @category Autodiff
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const index = broadcastIndex(shape, g.shape);
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const x = g.data;
  for (let o = 0; o < x.length; o++) out[index[o]] += x[o];
  return record("sumTo", out, shape, [g], (h) => [broadcastTo(h, g.shape)]);
}

/**
 * Sum of all elements (a scalar), or along one `axis` (that axis removed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sum, tensor } from "@gradsolve/gradsolve";
 * const m = tensor([1, 2, 3, 4], [2, 2]);
 * assert.equal(sum(m).item(), 10);
 * assert.equal(sum(m, 1).data.join(), "3,7");
 * ```
 *
 * @category Autodiff
 */
export function sum(t: Tensor, axis?: number): Tensor {
  if (axis === undefined) {
    let s = 0;
    const x = t.data;
    for (let i = 0; i < x.length; i++) s += x[i];
    return record("sum", Float64Array.of(s), [], [t], (g) => [broadcastTo(g, t.shape)]);
  }
  const ax = axis < 0 ? axis + t.ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= t.ndim) {
    throw new ShapeError(`Cannot sum: axis ${axis} is out of range for shape [${t.shape}]`);
  }
  const kept = t.shape.map((d, i) => (i === ax ? 1 : d));
  const reduced = sumTo(t, kept);
  return reshape(reduced, t.shape.filter((_, i) => i !== ax));
}

/**
 * Mean of all elements, or along one `axis`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean, tensor } from "@gradsolve/gradsolve";
 * assert.equal(mean(tensor([1, 2, 3, 6])).item(), 3);
 * ```
 *
 * @category Autodiff
 */
export function mean(t: Tensor, axis?: number): Tensor {
  const count = axis === undefined ? t.size : t.shape[axis < 0 ? axis + t.ndim : axis];
  return div(sum(t, axis), count);
}

/**
 * Euclidean norm of all elements; the gradient at 0 is taken as 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { norm, tensor } from "@gradsolve/gradsolve";
 * assert.equal(norm(tensor([3, 4])).item(), 5);
 * ```
 *
 * @category Autodiff
 */
export function norm(t: Tensor): Tensor {
  const x = t.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const out: Tensor = record("norm", Float64Array.of(Math.sqrt(s)), [], [t], (g) => [
    // ∂‖x‖/∂x = x / ‖x‖
    out.data[0] === 0 ? mul(g, zeros(t.shape)) : mul(g, div(t, out)),
  ]);
  return out;
}

/**
 * Inner product of two vectors of equal length (a scalar).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dot, tensor } from "@gradsolve/gradsolve";
 * assert.equal(dot(tensor([1, 2]), tensor([3, 4])).item(), 11);
 * ```
 *
 * @category Autodiff
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || !sameShape(a.shape, b.shape)) {
    throw new ShapeError(
      `Cannot take dot product: shapes [${a.shape}] and [${b.shape}] must be equal 1-D`,
    );
  }
  const x = a.data, y = b.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return record("dot", Float64Array.of(s), [], [a, b], (g, needs) => [
    needs[0] ? mul(g, b) : null,
    needs[1] ? mul(g, a) : null,
  ]);
}
