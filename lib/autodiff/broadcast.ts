/**
 * NumPy broadcasting: the shape two operands broadcast to, and the index map
 * from every output element to the source element it reads.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";

/**
 * The broadcast shape of `a` and `b` (trailing dimensions aligned; a
 * dimension of 1 stretches).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { broadcastShapes } from "./broadcast.ts";
 * assert.equal(broadcastShapes([3, 1], [4]).join(), "3,4");
 * ```
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`Cannot broadcast shapes [${a}] and [${b}]: dimension ${i} differs`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For a source of shape `from` broadcast to `to`, the flat source index of
 * every flat output index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { broadcastIndex } from "./broadcast.ts";
 * assert.equal(Array.from(broadcastIndex([2, 1], [2, 3])).join(), "0,0,0,1,1,1");
 * ```
 */
export function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const n = to.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const axis = n - from.length + i;
    if (axis < 0 || (from[i] !== 1 && from[i] !== to[axis])) {
      throw new ShapeError(`Cannot broadcast shape [${from}] to [${to}]`);
    }
    strides[axis] = from[i] === 1 ? 0 : s;
    s *= from[i];
  }
  const size = to.reduce((a, b) => a * b, 1);
  const index = new Int32Array(size);
  const counter = new Array<number>(n).fill(0);
  let src = 0;
  for (let o = 0; o < size; o++) {
    index[o] = src;
    for (let axis = n - 1; axis >= 0; axis--) {
      counter[axis]++;
      src += strides[axis];
      if (counter[axis] < to[axis]) break;
      src -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return index;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
