import assert from "node:assert/strict";
import {
  abs,
  add,
  checkGrad,
  concat,
  cos,
  div,
  dot,
  exp,
  fromArray,
  gather,
  huber,
  log,
  matmul,
  maximum,
  mean,
  mse,
  mul,
  neg,
  norm,
  pow,
  relu,
  reshape,
  scatterAdd,
  sigmoid,
  sin,
  slice,
  softplus,
  sqrt,
  square,
  stack,
  sub,
  sum,
  sumOfSquares,
  tanh,
  type Tensor,
  tensor,
  transpose2d,
} from "../lib/autodiff/mod.ts";
import { ShapeError } from "../lib/errors.ts";

/** Deterministic pseudo-random values in (−1, 1). */
function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

const x = tensor(rand(6, 1), [2, 3]);
const pos = tensor(rand(6, 2).map((v) => 1.5 + v), [2, 3]);
const w = tensor(rand(6, 3), [2, 3]);
const row = tensor(rand(3, 4), [3]);
const col = tensor(rand(2, 5), [2, 1]);

const cases: [string, (t: Tensor) => Tensor, Tensor][] = [
  ["add with broadcasting row", (t) => sum(mul(add(t, row), w)), x],
  ["add with broadcasting column", (t) => sum(mul(add(col, t), w)), x],
  ["sub", (t) => sum(mul(sub(row, t), w)), x],
  ["mul", (t) => sum(mul(mul(t, t), w)), x],
  ["div numerator", (t) => sum(mul(div(t, pos), w)), x],
  ["div denominator", (t) => sum(mul(div(w, t), w)), pos],
  ["neg", (t) => sum(mul(neg(t), w)), x],
  ["pow 3", (t) => sum(mul(pow(t, 3), w)), x],
  ["pow 0.5", (t) => sum(mul(pow(t, 0.5), w)), pos],
  ["square", (t) => sum(mul(square(t), w)), x],
  ["exp", (t) => sum(mul(exp(t), w)), x],
  ["log", (t) => sum(mul(log(t), w)), pos],
  ["tanh", (t) => sum(mul(tanh(t), w)), x],
  ["sigmoid", (t) => sum(mul(sigmoid(t), w)), x],
  ["relu", (t) => sum(mul(relu(t), w)), x],
  ["softplus", (t) => sum(mul(softplus(t), w)), x],
  ["sin", (t) => sum(mul(sin(t), w)), x],
  ["cos", (t) => sum(mul(cos(t), w)), x],
  ["sqrt", (t) => sum(mul(sqrt(t), w)), pos],
  ["abs", (t) => sum(mul(abs(t), w)), x],
  ["maximum", (t) => sum(mul(maximum(t, w), pos)), x],
  ["sum axis 0", (t) => dot(sum(t, 0), row), x],
  ["sum axis 1", (t) => sum(mul(sum(t, 1), reshape(col, [2]))), x],
  ["mean", (t) => mul(mean(mul(t, w)), 3), x],
  ["norm", (t) => norm(t), x],
  ["matmul 2-D·2-D", (t) => sum(mul(matmul(t, transpose2d(w)), matmul(pos, transpose2d(w)))), x],
  ["matmul 2-D·1-D", (t) => sum(square(matmul(t, row))), x],
  ["transpose2d", (t) => sum(mul(transpose2d(t), transpose2d(w))), x],
  ["reshape", (t) => sum(mul(reshape(t, [3, 2]), reshape(w, [3, 2]))), x],
  ["slice", (t) => sumOfSquares(slice(t, 1, 2)), x],
  ["concat", (t) => sum(mul(concat([t, square(t)]), concat([w, pos]))), x],
  ["stack", (t) => sum(mul(stack([t, t]), stack([w, pos]))), x],
  [
    "gather",
    (t) => sum(mul(gather(reshape(t, [6]), Int32Array.of(5, 0, 5, 2)), tensor([1, 2, 3, 4]))),
    x,
  ],
  ["gather rows", (t) => sumOfSquares(gather(t, Int32Array.of(1, 1, 0))), x],
  [
    "scatterAdd",
    (t) => sumOfSquares(scatterAdd(reshape(t, [6]), Int32Array.of(0, 1, 0, 2, 2, 2), 3)),
    x,
  ],
  ["mse", (t) => mse(t, w), x],
  ["huber", (t) => huber(mul(t, 3), w, 0.5), x],
];

for (const [name, f, at] of cases) {
  Deno.test(`op gradient matches central differences: ${name}`, () => {
    const report = checkGrad(f, at, { eps: 1e-6, tolerance: 1e-6 });
    assert.ok(report.ok, `${name}: max relative error ${report.maxRelError}`);
  });
}

Deno.test("tensor values follow NumPy broadcasting", () => {
  assert.deepEqual(add(col, row).toArray(), [
    [col.data[0] + row.data[0], col.data[0] + row.data[1], col.data[0] + row.data[2]],
    [col.data[1] + row.data[0], col.data[1] + row.data[1], col.data[1] + row.data[2]],
  ]);
  assert.deepEqual(fromArray([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
  assert.throws(() => add(tensor([1, 2]), tensor([1, 2, 3])), ShapeError);
  assert.throws(() => fromArray([[1, 2], [3]]), ShapeError);
});

Deno.test("matmul matches a hand computation", () => {
  const A = fromArray([[1, 2], [3, 4]]), B = fromArray([[5, 6], [7, 8]]);
  assert.deepEqual(matmul(A, B).toArray(), [[19, 22], [43, 50]]);
  assert.deepEqual(matmul(tensor([1, 1]), B).toArray(), [12, 14]);
  assert.throws(() => matmul(A, tensor([1, 2, 3])), ShapeError);
});

Deno.test("gather and scatterAdd are adjoint: ⟨gather(u), v⟩ = ⟨u, scatterAdd(v)⟩", () => {
  const idx = Int32Array.of(3, 0, 3, 1, 2);
  const u = tensor(rand(4, 7)), v = tensor(rand(5, 8));
  const lhs = dot(gather(u, idx), v).item(), rhs = dot(u, scatterAdd(v, idx, 4)).item();
  assert.ok(Math.abs(lhs - rhs) < 1e-15);
  assert.throws(() => gather(u, Int32Array.of(4)), ShapeError);
});
