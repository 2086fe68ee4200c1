/**
 * Functional transforms in the style of JAX: `grad`, `valueAndGrad`, `vjp`,
 * `jvp` and `hvp`. Each call traces `f` on fresh input nodes and runs the
 * one backward algorithm of `tape.ts`. Transforms nest: an inner transform
 * called while an outer one traces returns differentiable results.
 *
 * @module
 */

import { GradsolveError, ShapeError } from "../errors.ts";
import { checkScalar, onesLike, orZeros, prepareCall } from "./_inputs.ts";
import { add, mul } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { backward, isRecording, traced } from "./tape.ts";
import { scalar, type Tensor, zeros } from "./tensor.ts";

/**
 * A function of tensors returning a tensor.
 *
 * @category Autodiff
 */
export type TensorFn = (...args: Tensor[]) => Tensor;

/**
 * Maps cotangents of the output to cotangents of each primal input.
 *
 * @category Autodiff
 */
export type Pullback = (cotangent: Tensor) => Tensor[];

function normalise(argnums: number | readonly number[] | undefined): number[] {
  return argnums === undefined ? [0] : typeof argnums === "number" ? [argnums] : [...argnums];
}

function checkNotAsync(what: string, out: unknown): void {
  if (out instanceof Promise) {
    out.catch(() => {});
    throw new GradsolveError(
      `Cannot run ${what}: f returned a Promise; use the Async variant (gradAsync, valueAndGradAsync, vjpAsync)`,
    );
  }
}

function valueAndGradAt(
  f: TensorFn,
  argnums: readonly number[],
  args: readonly Tensor[],
): [Tensor, Tensor[]] {
  const nested = isRecording();
  const { call, inputs } = prepareCall("grad", args, argnums);
  const raw: unknown = traced(() => f(...call));
  checkNotAsync("grad", raw);
  const out = checkScalar("grad", raw);
  const grads = backward(out, onesLike(out), inputs, { createGraph: nested });
  return [nested ? out : out.detach(), orZeros(grads, inputs)];
}

/**
 * The value of scalar `f` and its gradient with respect to argument
 * `argnums` (default 0; an array gives an array of gradients).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mul, sum, tensor, valueAndGrad } from "@gradsolve/gradsolve";
 * const [v, g] = valueAndGrad((x) => sum(mul(x, x)))(tensor([1, 2]));
 * assert.equal(v.item(), 5);
 * assert.equal(g.data.join(), "2,4");
 * ```
 *
 * @category Autodiff
 */
export function valueAndGrad(
  f: TensorFn,
  argnums?: number,
): (...args: Tensor[]) => [Tensor, Tensor];
/**
 * Several argument numbers: one gradient per entry of `argnums`.
 *
 * @category Autodiff
 */
export function valueAndGrad(
  f: TensorFn,
  argnums: readonly number[],
): (...args: Tensor[]) => [Tensor, Tensor[]];
export function valueAndGrad(
  f: TensorFn,
  argnums?: number | readonly number[],
): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  const nums = normalise(argnums);
  const many = Array.isArray(argnums);
  return (...args) => {
    const [v, g] = valueAndGradAt(f, nums, args);
    return [v, many ? g : g[0]];
  };
}

/**
 * The gradient of scalar `f` with respect to argument `argnums` (default 0).
 * Nests: `grad(grad(f))` is the second derivative.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grad, mul, scalar, sin } from "@gradsolve/gradsolve";
 * const d2 = grad(grad((x) => mul(sin(x), 1)))(scalar(0.5));
 * assert.ok(Math.abs(d2.item() + Math.sin(0.5)) < 1e-15);
 * ```
 *
 * @category Autodiff
 */
export function grad(f: TensorFn, argnums?: number): (...args: Tensor[]) => Tensor;
/**
 * Several argument numbers: one gradient per entry of `argnums`.
 *
 * @category Autodiff
 */
export function grad(f: TensorFn, argnums: readonly number[]): (...args: Tensor[]) => Tensor[];
export function grad(
  f: TensorFn,
  argnums?: number | readonly number[],
): (...args: Tensor[]) => Tensor | Tensor[] {
  const nums = normalise(argnums);
  const many = Array.isArray(argnums);
  return (...args) => {
    const g = valueAndGradAt(f, nums, args)[1];
    return many ? g : g[0];
  };
}

/**
 * `f(...primals)` and its pullback: `pullback(ȳ)` returns `Jᵀȳ` for every
 * primal. The pullback may be called many times (the graph is kept).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mul, tensor, vjp } from "@gradsolve/gradsolve";
 * const [y, pullback] = vjp((x) => mul(x, 3), tensor([1, 2]));
 * assert.equal(y.data[1], 6);
 * assert.equal(pullback(tensor([1, 1]))[0].data[0], 3);
 * ```
 *
 * @category Autodiff
 */
export function vjp(f: TensorFn, ...primals: Tensor[]): [Tensor, Pullback] {
  const nested = isRecording();
  const { call, inputs } = prepareCall("vjp", primals, primals.map((_, i) => i));
  const out: unknown = traced(() => f(...call));
  checkNotAsync("vjp", out);
  const y = out as Tensor;
  const pullback: Pullback = (ct) =>
    orZeros(backward(y, ct, inputs, { createGraph: isRecording() }), inputs);
  return [nested ? y : y.detach(), pullback];
}

function asList(x: Tensor | readonly Tensor[]): Tensor[] {
  return Array.isArray(x) ? [...x] : [x as Tensor];
}

/**
 * Forward mode: `f(x)` and the directional derivative `J v`. Computed as the
 * transpose of the (linear) pullback — a vjp of the vjp — which is exact.
 * `x` and `v` are one tensor or matching arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jvp, square, tensor } from "@gradsolve/gradsolve";
 * const [y, dy] = jvp(square, tensor([3]), tensor([1]));
 * assert.equal(y.data[0], 9);
 * assert.equal(dy.data[0], 6);
 * ```
 *
 * @category Autodiff
 */
export function jvp(
  f: TensorFn,
  x: Tensor | readonly Tensor[],
  v: Tensor | readonly Tensor[],
): [Tensor, Tensor] {
  const primals = asList(x), tangents = asList(v);
  if (primals.length !== tangents.length) {
    throw new ShapeError(
      `Cannot run jvp: ${primals.length} primals but ${tangents.length} tangents`,
    );
  }
  primals.forEach((p, i) => {
    const t = tangents[i];
    if (p.shape.length !== t.shape.length || p.shape.some((d, a) => d !== t.shape[a])) {
      throw new ShapeError(
        `Cannot run jvp: tangent ${i} has shape [${t.shape}] but its primal has [${p.shape}]`,
      );
    }
  });
  // ⟨u, J v⟩ = ⟨Jᵀu, v⟩, so J v = ∇ᵤ ⟨pullback(u), v⟩ (any u; take u = 0).
  const [y, pullback] = vjp(f, ...primals);
  const pairing = (u: Tensor) => {
    const cts = pullback(u);
    let s: Tensor = scalar(0);
    for (let i = 0; i < cts.length; i++) s = add(s, sum(mul(cts[i], tangents[i])));
    return s;
  };
  const dy = valueAndGradAt(pairing, [0], [zeros(y.shape)])[1][0];
  return [y, dy];
}

/**
 * Hessian–vector product `∇²f(x) v` of scalar `f` (reverse over reverse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hvp, mul, sum, tensor } from "@gradsolve/gradsolve";
 * const f = (x: import("./tensor.ts").Tensor) => sum(mul(mul(x, x), x)); // Σ x³
 * assert.equal(hvp(f, tensor([2]), tensor([1])).data[0], 12);
 * ```
 *
 * @category Autodiff
 */
export function hvp(f: TensorFn, x: Tensor, v: Tensor): Tensor {
  const gradF = grad(f);
  return grad((y: Tensor) => sum(mul(gradF(y), v)))(x);
}
