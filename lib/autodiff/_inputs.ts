/**
 * Private helpers shared by the sync and async transforms: choosing the
 * differentiated arguments and wrapping them in fresh `input` nodes.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { watch } from "./tape.ts";
import { Tensor, zeros } from "./tensor.ts";

/** The call arguments with the differentiated ones replaced by fresh watched copies. */
export interface PreparedCall {
  /** Arguments to call `f` with. */
  readonly call: Tensor[];
  /** The watched inputs, in `argnums` order. */
  readonly inputs: Tensor[];
}

/** Wraps `args[argnums[i]]` in fresh input nodes. */
export function prepareCall(
  what: string,
  args: readonly Tensor[],
  argnums: readonly number[],
): PreparedCall {
  const call = [...args];
  const inputs = argnums.map((i) => {
    const a = args[i];
    if (!(a instanceof Tensor)) {
      throw new ShapeError(
        `Cannot run ${what}: argument ${i} must be a Tensor, got ${
          a === undefined ? "nothing" : typeof a
        }`,
      );
    }
    return (call[i] = watch(a));
  });
  return { call, inputs };
}

/** Throws unless `out` is a Tensor with one element (what `grad` differentiates). */
export function checkScalar(what: string, out: unknown): Tensor {
  if (!(out instanceof Tensor) || out.size !== 1) {
    const got = out instanceof Tensor ? `shape [${out.shape}]` : typeof out;
    throw new ShapeError(`Cannot run ${what}: f must return a scalar Tensor, got ${got}`);
  }
  return out;
}

/** Fills cotangents that no path reached with zeros of the input's shape. */
export function orZeros(grads: readonly (Tensor | null)[], inputs: readonly Tensor[]): Tensor[] {
  return grads.map((g, i) => g ?? zeros(inputs[i].shape));
}

/** One-element seed of ones with the output's shape. */
export function onesLike(t: Tensor): Tensor {
  return new Tensor(new Float64Array(t.size).fill(1), t.shape);
}
