/**
 * Measured tape memory: the bytes of every buffer a graph keeps alive.
 *
 * @module
 */

import { Tensor } from "./tensor.ts";

/**
 * Walks the graph reachable from `y` (parents and the buffers each node
 * declares as saved, including the graphs of saved tensors) and sums the
 * byteLength of every distinct ArrayBuffer retained, `y`'s own data
 * included. Measured bytes, not a formula: a buffer shared by several
 * tensors (reshape, a pattern used by many nodes) counts once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tapeBytes, tensor } from "@gradsolve/gradsolve";
 * assert.equal(tapeBytes(tensor([1, 2, 3])), 24);
 * ```
 *
 * @category Autodiff
 */
export function tapeBytes(y: Tensor): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<Tensor>([y]);
  const stack: Tensor[] = [y];
  const visit = (t: Tensor) => {
    if (!seen.has(t)) {
      seen.add(t);
      stack.push(t);
    }
  };
  while (stack.length > 0) {
    const t = stack.pop()!;
    buffers.add(t.data.buffer);
    if (!t.node) continue;
    for (const p of t.node.parents) visit(p);
    for (const s of t.node.saved) {
      if (s instanceof Tensor) visit(s);
      else buffers.add(s.buffer);
    }
  }
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}
