/**
 * The dense float64 tensor of the autodiff engine: a shape, a row-major
 * Float64Array, and (when it was computed from traced inputs) a link to the
 * graph node that made it. Tensors are immutable values; operations return
 * new tensors.
 *
 * @module
 */

import { JUPYTER_DISPLAY, tensorDisplay } from "../display/bundles.ts";
import { ShapeError } from "../errors.ts";

/**
 * A buffer kept alive by a graph node for its backward pass (counted by `tapeBytes`).
 *
 * @category Autodiff
 */
export type Saved = Tensor | ArrayBufferView;

/**
 * One cotangent per parent; `null` means "no gradient flows to this parent".
 *
 * @category Autodiff
 */
export type Cotangents = readonly (Tensor | null)[];

/**
 * A vector–Jacobian product rule: given the output cotangent `g` and which
 * parents need a cotangent, return one cotangent per parent (`out` is the
 * op's own output tensor, for rules that are written in terms of it). Rules are written
 * with differentiable ops, so the backward pass can itself be differentiated.
 * An asynchronous rule (a GPU solve) returns a Promise; only the `*Async`
 * transforms accept that.
 *
 * @category Autodiff
 */
export type VjpRule = (
  g: Tensor,
  needs: readonly boolean[],
  out: Tensor,
) => Cotangents | Promise<Cotangents>;

/**
 * How a tensor was computed: the op, its inputs, its vjp rule and what the rule keeps alive.
 *
 * @category Autodiff
 */
export interface GraphNode {
  /** Op name, for error messages and debugging (`mul`, `spmv`, `solve`, `custom:…`). */
  readonly op: string;
  /** The tensors this one was computed from. */
  readonly parents: readonly Tensor[];
  /** Maps the output cotangent to parent cotangents. */
  readonly vjp: VjpRule;
  /** Buffers the rule retains beyond the parents (saved activations, index arrays). */
  readonly saved: readonly Saved[];
}

/**
 * A dense float64 tensor. `node` is set when the tensor was computed, while a
 * transform was tracing, from a traced input; constants have no node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "@gradsolve/gradsolve";
 * const t = new Tensor(Float64Array.of(1, 2, 3, 4), [2, 2]);
 * assert.equal(t.size, 4);
 * assert.equal(t.ndim, 2);
 * assert.equal(t.node, undefined);
 * ```
 *
 * @category Autodiff
 */
export class Tensor {
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Row-major values (not copied: do not modify a tensor's data after creating it). */
  readonly data: Float64Array;
  /** The graph node that produced this tensor, if it is traced. */
  readonly node: GraphNode | undefined;

  /** Wraps `data` (length must be the product of `shape`) with an optional graph node. */
  constructor(data: Float64Array, shape: readonly number[], node?: GraphNode) {
    let size = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new ShapeError(`Cannot build tensor: shape [${shape}] has a non-integer or negative`);
      }
      size *= d;
    }
    if (size !== data.length) {
      throw new ShapeError(
        `Cannot build tensor: shape [${shape}] holds ${size} values but data has ${data.length}`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
    this.node = node;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new ShapeError(
        `Cannot read item: tensor has shape [${this.shape}] with ${this.data.length} values`,
      );
    }
    return this.data[0];
  }

  /** Values as nested arrays (a number for a scalar). */
  toArray(): number | NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number): NestedArray => {
      const n = this.shape[dim];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray = [];
      for (let i = 0; i < n; i++) {
        out.push(
          dim === this.shape.length - 1
            ? this.data[offset + i]
            : build(dim + 1, offset + i * stride),
        );
      }
      return out;
    };
    return build(0, 0);
  }

  /** The same values without a graph link (a constant for every transform). */
  detach(): Tensor {
    return this.node ? new Tensor(this.data, this.shape) : this;
  }

  /**
   * Notebook display (Deno's Jupyter kernel): shape, dtype and a short
   * summary (min, max, mean, 2-norm, first values).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { JUPYTER_DISPLAY } from "../display/bundles.ts";
   * import { Tensor } from "./tensor.ts";
   * const t = new Tensor(Float64Array.of(3, 4), [2]);
   * assert.match(t[JUPYTER_DISPLAY]()["text/plain"], /^Tensor\[2\] float64, 2 values: min 3, max 4/);
   * ```
   */
  [JUPYTER_DISPLAY](): { "text/plain": string; "text/html"?: string; "image/svg+xml"?: string } {
    return tensorDisplay(this);
  }

  /** `Tensor[2,2](1, 2, 3, 4)`-style summary for debugging. */
  toString(): string {
    const shown = Array.from(this.data.subarray(0, 8)).join(", ");
    return `Tensor[${this.shape}](${shown}${this.data.length > 8 ? ", …" : ""})`;
  }
}

/**
 * Nested number arrays, as returned by {@linkcode Tensor.toArray}.
 *
 * @category Autodiff
 */
export type NestedArray = (number | NestedArray)[];

/**
 * A constant tensor from a flat array (or typed array) and an optional shape
 * (default: 1-D). Data is copied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "@gradsolve/gradsolve";
 * const m = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * assert.equal(m.shape[1], 3);
 * assert.equal(m.data[5], 6);
 * ```
 *
 * @category Autodiff
 */
export function tensor(data: ArrayLike<number>, shape?: readonly number[]): Tensor {
  return new Tensor(Float64Array.from(data), shape ?? [data.length]);
}

/**
 * A constant tensor from nested arrays (`[[1, 2], [3, 4]]` has shape [2, 2]).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromArray } from "@gradsolve/gradsolve";
 * assert.equal(fromArray([[1, 2], [3, 4]]).shape.join(), "2,2");
 * ```
 *
 * @category Autodiff
 */
export function fromArray(values: number | NestedArray): Tensor {
  const shape: number[] = [];
  let probe: number | NestedArray = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (v: number | NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== "number") {
        throw new ShapeError(`Cannot build tensor: nesting is deeper than ${shape.length} levels`);
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(
        `Cannot build tensor: ragged nested array at depth ${dim}, expected length ${shape[dim]}`,
      );
    }
    for (const e of v) walk(e, dim + 1);
  };
  walk(values, 0);
  return new Tensor(Float64Array.from(flat), shape);
}

/**
 * A constant tensor of zeros.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeros } from "@gradsolve/gradsolve";
 * assert.equal(zeros([2, 3]).size, 6);
 * ```
 *
 * @category Autodiff
 */
export function zeros(shape: readonly number[]): Tensor {
  return new Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape);
}

/**
 * A constant tensor of ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ones } from "@gradsolve/gradsolve";
 * assert.equal(ones([3]).data[2], 1);
 * ```
 *
 * @category Autodiff
 */
export function ones(shape: readonly number[]): Tensor {
  return new Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
}

/**
 * A constant scalar (shape `[]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scalar } from "@gradsolve/gradsolve";
 * assert.equal(scalar(2.5).item(), 2.5);
 * ```
 *
 * @category Autodiff
 */
export function scalar(value: number): Tensor {
  return new Tensor(Float64Array.of(value), []);
}
