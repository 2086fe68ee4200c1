/**
 * Elementwise ops with NumPy broadcasting. Each op's vjp rule sits next to
 * its forward computation and is written with these same ops, so it can be
 * differentiated again. Binary ops accept plain numbers as constants.
 *
 * Op set: add, sub, mul, div, neg, pow, square, exp, log, tanh, sigmoid,
 * relu, softplus, sin, cos, sqrt, abs, maximum.
 *
 * @module
 */

import { broadcastIndex, broadcastShapes, sameShape } from "./broadcast.ts";
import { sumTo } from "./reduce.ts";
import { record } from "./tape.ts";
import { scalar, Tensor } from "./tensor.ts";

/**
 * A tensor or a plain number (a constant scalar).
 *
 * @category Autodiff
 */
export type Operand = Tensor | number;

function lift(x: Operand): Tensor {
  return typeof x === "number" ? scalar(x) : x;
}

/** Forward values of a broadcasting binary op. */
function binaryData(
  a: Tensor,
  b: Tensor,
  f: (x: number, y: number) => number,
): { data: Float64Array; shape: number[] } {
  const x = a.data, y = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = f(x[i], y[i]);
    return { data: out, shape: [...a.shape] };
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
  if (y.length === 1 && sameShape(shape, a.shape)) {
    const y0 = y[0];
    for (let i = 0; i < out.length; i++) out[i] = f(x[i], y0);
  } else if (x.length === 1 && sameShape(shape, b.shape)) {
    const x0 = x[0];
    for (let i = 0; i < out.length; i++) out[i] = f(x0, y[i]);
  } else {
    const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
    for (let i = 0; i < out.length; i++) out[i] = f(x[ia[i]], y[ib[i]]);
  }
  return { data: out, shape };
}

function unaryData(a: Tensor, f: (x: number) => number): Float64Array {
  const x = a.data, out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  return out;
}

/**
 * `a + b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { add, tensor } from "@gradsolve/gradsolve";
 * assert.equal(add(tensor([1, 2]), 1).data[1], 3);
 * ```
 *
 * @category Autodiff
 */
export function add(a: Operand, b: Operand): Tensor {
  const x = lift(a), y = lift(b);
  const { data, shape } = binaryData(x, y, (u, v) => u + v);
  return record("add", data, shape, [x, y], (g, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(g, y.shape) : null,
  ]);
}

/**
 * `a − b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sub, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sub(tensor([5]), 2).data[0], 3);
 * ```
 *
 * @category Autodiff
 */
export function sub(a: Operand, b: Operand): Tensor {
  const x = lift(a), y = lift(b);
  const { data, shape } = binaryData(x, y, (u, v) => u - v);
  return record("sub", data, shape, [x, y], (g, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(neg(g), y.shape) : null,
  ]);
}

/**
 * `a · b` elementwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mul, tensor } from "@gradsolve/gradsolve";
 * assert.equal(mul(tensor([2, 3]), tensor([4, 5])).data[1], 15);
 * ```
 *
 * @category Autodiff
 */
export function mul(a: Operand, b: Operand): Tensor {
  const x = lift(a), y = lift(b);
  const { data, shape } = binaryData(x, y, (u, v) => u * v);
  return record("mul", data, shape, [x, y], (g, needs) => [
    needs[0] ? sumTo(mul(g, y), x.shape) : null,
    needs[1] ? sumTo(mul(g, x), y.shape) : null,
  ]);
}

/**
 * `a / b` elementwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { div, tensor } from "@gradsolve/gradsolve";
 * assert.equal(div(tensor([6]), 4).data[0], 1.5);
 * ```
 *
 * @category Autodiff
 */
export function div(a: Operand, b: Operand): Tensor {
  const x = lift(a), y = lift(b);
  const { data, shape } = binaryData(x, y, (u, v) => u / v);
  const out: Tensor = record("div", data, shape, [x, y], (g, needs) => [
    // ∂(a/b)/∂a = 1/b;  ∂(a/b)/∂b = −a/b² = −out/b
    needs[0] ? sumTo(div(g, y), x.shape) : null,
    needs[1] ? sumTo(neg(div(mul(g, out), y)), y.shape) : null,
  ]);
  return out;
}

/**
 * Elementwise maximum; where `a = b` the gradient goes to `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maximum, tensor } from "@gradsolve/gradsolve";
 * assert.equal(maximum(tensor([1, 5]), 3).data.join(), "3,5");
 * ```
 *
 * @category Autodiff
 */
export function maximum(a: Operand, b: Operand): Tensor {
  const x = lift(a), y = lift(b);
  const { data, shape } = binaryData(x, y, (u, v) => (u >= v ? u : v));
  const { data: pick } = binaryData(x, y, (u, v) => (u >= v ? 1 : 0));
  const mask = new Tensor(pick, shape);
  return record("maximum", data, shape, [x, y], (g, needs) => [
    needs[0] ? sumTo(mul(g, mask), x.shape) : null,
    needs[1] ? sumTo(mul(g, sub(1, mask)), y.shape) : null,
  ], [pick]);
}

/**
 * `−a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { neg, tensor } from "@gradsolve/gradsolve";
 * assert.equal(neg(tensor([2])).data[0], -2);
 * ```
 *
 * @category Autodiff
 */
export function neg(a: Tensor): Tensor {
  return record("neg", unaryData(a, (u) => -u), a.shape, [a], (g) => [neg(g)]);
}

/**
 * `a^p` for a constant exponent `p`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pow, tensor } from "@gradsolve/gradsolve";
 * assert.equal(pow(tensor([3]), 3).data[0], 27);
 * ```
 *
 * @category Autodiff
 */
export function pow(a: Tensor, p: number): Tensor {
  if (p === 2) return square(a);
  return record(
    "pow",
    unaryData(a, (u) => u ** p),
    a.shape,
    [a],
    (g) => [p === 1 ? g : mul(g, mul(pow(a, p - 1), p))],
  );
}

/**
 * `a²`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { square, tensor } from "@gradsolve/gradsolve";
 * assert.equal(square(tensor([-3])).data[0], 9);
 * ```
 *
 * @category Autodiff
 */
export function square(a: Tensor): Tensor {
  return record("square", unaryData(a, (u) => u * u), a.shape, [a], (g) => [mul(g, mul(a, 2))]);
}

/**
 * `eᵃ`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exp, tensor } from "@gradsolve/gradsolve";
 * assert.equal(exp(tensor([0])).data[0], 1);
 * ```
 *
 * @category Autodiff
 */
export function exp(a: Tensor): Tensor {
  const out: Tensor = record("exp", unaryData(a, Math.exp), a.shape, [a], (g) => [mul(g, out)]);
  return out;
}

/**
 * Natural logarithm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { log, tensor } from "@gradsolve/gradsolve";
 * assert.equal(log(tensor([1])).data[0], 0);
 * ```
 *
 * @category Autodiff
 */
export function log(a: Tensor): Tensor {
  return record("log", unaryData(a, Math.log), a.shape, [a], (g) => [div(g, a)]);
}

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tanh, tensor } from "@gradsolve/gradsolve";
 * assert.equal(tanh(tensor([0])).data[0], 0);
 * ```
 *
 * @category Autodiff
 */
export function tanh(a: Tensor): Tensor {
  const out: Tensor = record("tanh", unaryData(a, Math.tanh), a.shape, [a], (g) => [
    mul(g, sub(1, square(out))),
  ]);
  return out;
}

/**
 * Logistic sigmoid `1 / (1 + e⁻ᵃ)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sigmoid, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sigmoid(tensor([0])).data[0], 0.5);
 * ```
 *
 * @category Autodiff
 */
export function sigmoid(a: Tensor): Tensor {
  const f = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));
  const out: Tensor = record("sigmoid", unaryData(a, f), a.shape, [a], (g) => [
    mul(g, mul(out, sub(1, out))),
  ]);
  return out;
}

/**
 * `max(a, 0)`; the gradient at 0 is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relu, tensor } from "@gradsolve/gradsolve";
 * assert.equal(relu(tensor([-1, 2])).data.join(), "0,2");
 * ```
 *
 * @category Autodiff
 */
export function relu(a: Tensor): Tensor {
  const mask = new Tensor(unaryData(a, (u) => (u > 0 ? 1 : 0)), a.shape);
  return record(
    "relu",
    unaryData(a, (u) => (u > 0 ? u : 0)),
    a.shape,
    [a],
    (g) => [mul(g, mask)],
    [mask],
  );
}

/**
 * `log(1 + eᵃ)`, computed without overflow; its derivative is `sigmoid(a)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softplus, tensor } from "@gradsolve/gradsolve";
 * assert.ok(Math.abs(softplus(tensor([0])).data[0] - Math.LN2) < 1e-15);
 * ```
 *
 * @category Autodiff
 */
export function softplus(a: Tensor): Tensor {
  const f = (u: number) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
  return record("softplus", unaryData(a, f), a.shape, [a], (g) => [mul(g, sigmoid(a))]);
}

/**
 * Sine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sin, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sin(tensor([0])).data[0], 0);
 * ```
 *
 * @category Autodiff
 */
export function sin(a: Tensor): Tensor {
  return record("sin", unaryData(a, Math.sin), a.shape, [a], (g) => [mul(g, cos(a))]);
}

/**
 * Cosine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cos, tensor } from "@gradsolve/gradsolve";
 * assert.equal(cos(tensor([0])).data[0], 1);
 * ```
 *
 * @category Autodiff
 */
export function cos(a: Tensor): Tensor {
  return record("cos", unaryData(a, Math.cos), a.shape, [a], (g) => [neg(mul(g, sin(a)))]);
}

/**
 * Square root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqrt, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sqrt(tensor([9])).data[0], 3);
 * ```
 *
 * @category Autodiff
 */
export function sqrt(a: Tensor): Tensor {
  const out: Tensor = record("sqrt", unaryData(a, Math.sqrt), a.shape, [a], (g) => [
    div(g, mul(out, 2)),
  ]);
  return out;
}

/**
 * `|a|`; the gradient at 0 is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abs, tensor } from "@gradsolve/gradsolve";
 * assert.equal(abs(tensor([-2])).data[0], 2);
 * ```
 *
 * @category Autodiff
 */
export function abs(a: Tensor): Tensor {
  const sign = new Tensor(unaryData(a, Math.sign), a.shape);
  return record("abs", unaryData(a, Math.abs), a.shape, [a], (g) => [mul(g, sign)], [sign]);
}
