import assert from "node:assert/strict";
import {
  add,
  checkGrad,
  customJvp,
  customVjp,
  customVjpAsync,
  dot,
  exp,
  grad,
  gradAsync,
  hvp,
  jvp,
  matmul,
  mul,
  scalar,
  sin,
  sum,
  tanh,
  tapeBytes,
  type Tensor,
  tensor,
  valueAndGrad,
  valueAndGradAsync,
  vjp,
  vjpAsync,
} from "../lib/autodiff/mod.ts";
import { GradsolveError, ShapeError } from "../lib/errors.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

Deno.test("grad() of a scalar function matches the closed form", () => {
  const g = grad((x) => mul(sin(x), exp(x)))(scalar(0.7));
  close(g.item(), Math.exp(0.7) * (Math.sin(0.7) + Math.cos(0.7)));
});

Deno.test("grad() with several argnums returns one gradient per argument", () => {
  const f = (a: Tensor, b: Tensor) => sum(mul(mul(a, a), b));
  const [ga, gb] = grad(f, [0, 1])(tensor([1, 2]), tensor([3, 4]));
  assert.deepEqual([...ga.data], [6, 16]);
  assert.deepEqual([...gb.data], [1, 4]);
  assert.deepEqual([...grad(f, 1)(tensor([1, 2]), tensor([3, 4])).data], [1, 4]);
});

Deno.test("grad() of an input that f ignores is zero", () => {
  const g = grad((_x: Tensor, y: Tensor) => sum(y))(tensor([1, 2]), tensor([3]));
  assert.deepEqual([...g.data], [0, 0]);
});

Deno.test("grad(grad(f)) is the second derivative", () => {
  const f = (x: Tensor) => tanh(x);
  const x = 0.3, t = Math.tanh(x);
  close(grad(grad(f))(scalar(x)).item(), -2 * t * (1 - t * t));
  close(grad(grad(grad((y: Tensor) => sin(y))))(scalar(x)).item(), -Math.cos(x));
});

Deno.test("nested grad avoids perturbation confusion: d/dx [x · d/dy (x·y)] = 2x", () => {
  // Inner derivative is x, so the function is x², derivative 2x (confusion gives x or 3x).
  const f = (x: Tensor) => mul(x, grad((y: Tensor) => mul(x, y))(scalar(1)));
  close(grad(f)(scalar(3)).item(), 6);
  // Same when the inner argument is x itself: d/dy (x·y) at y = x is still x.
  const h = (x: Tensor) => mul(x, grad((y: Tensor) => mul(x, y))(x));
  close(grad(h)(scalar(3)).item(), 6);
});

Deno.test("valueAndGrad() returns a detached value at top level", () => {
  const [v, g] = valueAndGrad((x) => sum(mul(x, x)))(tensor([1, 2]));
  assert.equal(v.item(), 5);
  assert.equal(v.node, undefined);
  assert.equal(g.node, undefined);
  assert.throws(() => grad((x) => mul(x, 2))(tensor([1, 2])), ShapeError);
});

Deno.test("jvp() agrees with vjp(): ⟨v, J u⟩ = ⟨Jᵀ v, u⟩", () => {
  const W = tensor([0.3, -1, 2, 0.5, 0.1, -0.7], [3, 2]);
  const f = (x: Tensor) => tanh(matmul(W, exp(x)));
  const x = tensor([0.2, -0.4]), u = tensor([1, 0.5]), v = tensor([0.3, -2, 1]);
  const [y1, Ju] = jvp(f, x, u);
  const [y2, pullback] = vjp(f, x);
  const JTv = pullback(v)[0];
  assert.deepEqual([...y1.data], [...y2.data]);
  close(dot(v, Ju).item(), dot(JTv, u).item());
  // And against central differences of f along u.
  const h = 1e-6;
  const fd = f(add(x, mul(u, h))).data.map((a, i) => (a - f(add(x, mul(u, -h))).data[i]) / (2 * h));
  fd.forEach((d, i) => close(Ju.data[i], d, 1e-8));
});

Deno.test("hvp() matches finite differences of grad()", () => {
  const f = (x: Tensor) => sum(mul(exp(mul(x, 0.5)), sin(x)));
  const x = tensor([0.1, 0.9, -0.4]), v = tensor([1, -2, 0.5]);
  const Hv = hvp(f, x, v);
  const h = 1e-5, gf = grad(f);
  const gp = gf(add(x, mul(v, h))).data, gm = gf(add(x, mul(v, -h))).data;
  for (let i = 0; i < 3; i++) close(Hv.data[i], (gp[i] - gm[i]) / (2 * h), 1e-8);
});

Deno.test("customVjp() uses the given rule, and grad-of-grad flows through it", () => {
  let calls = 0;
  const cube = customVjp("cube", (x: Tensor) => ({
    value: mul(mul(x, x), x),
    backward: (g) => {
      calls++;
      return [mul(g, mul(mul(x, x), 3))];
    },
  }));
  close(grad(cube)(scalar(2)).item(), 12);
  close(grad(grad(cube))(scalar(2)).item(), 12);
  assert.ok(calls >= 2);
  // A rule that returns the wrong count fails loudly.
  const broken = customVjp("broken", (x: Tensor) => ({ value: x, backward: () => [] }));
  assert.throws(() => grad((x: Tensor) => sum(broken(x)))(tensor([1])), GradsolveError);
  // A rule with no gradient for a needed input fails loudly.
  const noRule = customVjp("noRule", (x: Tensor) => ({ value: x, backward: () => [null] }));
  assert.throws(() => grad((x: Tensor) => sum(noRule(x)))(tensor([1])), /no gradient rule/);
});

Deno.test("customJvp() derives the reverse rule by transposing the forward rule", () => {
  const W = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const lin = customJvp("lin", (x: Tensor) => matmul(W, x), (_p, [t]) => matmul(W, t));
  const g = grad((x: Tensor) => dot(lin(x), tensor([1, -1])))(tensor([0, 0, 0]));
  assert.deepEqual([...g.data], [-3, -3, -3]);
  const softExp = customJvp("exp", (x: Tensor) => exp(x), ([x], [t]) => mul(exp(x), t));
  const report = checkGrad((x) => sum(softExp(x)), tensor([0.5, -1]));
  assert.ok(report.ok, `max rel error ${report.maxRelError}`);
  close(grad(grad((x: Tensor) => softExp(x)))(scalar(0.5)).item(), Math.exp(0.5));
});

Deno.test("checkGrad() reports a wrong gradient", () => {
  const wrong = customVjp("wrong", (x: Tensor) => ({
    value: mul(x, x),
    backward: (g) => [mul(g, mul(x, 3))],
  }));
  const report = checkGrad((x) => sum(wrong(x)), tensor([1, 2]));
  assert.equal(report.ok, false);
  close(report.maxRelError, 1 / 3, 1e-6);
});

Deno.test("sync transforms refuse async vjp rules; gradAsync awaits them", async () => {
  const slowSquare = customVjp("slowSquare", (x: Tensor) => ({
    value: mul(x, x),
    backward: async (g) => {
      await new Promise((r) => setTimeout(r, 1));
      return [mul(g, mul(x, 2))];
    },
  }));
  assert.throws(() => grad((x: Tensor) => sum(slowSquare(x)))(tensor([3])), /use gradAsync/);
  const g = await gradAsync((x) => Promise.resolve(sum(slowSquare(x))))(tensor([3]));
  assert.equal(g.item(), 6);
  const [v, g2] = await valueAndGradAsync((x) => sum(slowSquare(x)))(tensor([1, 2]));
  assert.equal(v.item(), 5);
  assert.deepEqual([...g2.data], [2, 4]);
  const asyncCube = customVjpAsync("asyncCube", (x: Tensor) =>
    Promise.resolve({
      value: mul(mul(x, x), x),
      backward: (g: Tensor) => Promise.resolve([mul(g, mul(mul(x, x), 3))]),
    }));
  const [y, pullback] = await vjpAsync((x) => asyncCube(x), tensor([2]));
  assert.equal(y.item(), 8);
  assert.equal((await pullback(tensor([1])))[0].item(), 12);
  const asyncF = ((x: Tensor) => Promise.resolve(sum(x))) as unknown as (x: Tensor) => Tensor;
  assert.throws(() => grad(asyncF)(tensor([1])), /Async/);
});

Deno.test("concurrent gradAsync calls give correct gradients", async () => {
  const delayed = customVjp("delayed", (x: Tensor) => ({
    value: mul(x, x),
    backward: async (g) => {
      await new Promise((r) => setTimeout(r, 2));
      return [mul(g, mul(x, 2))];
    },
  }));
  const f = async (x: Tensor) => {
    await new Promise((r) => setTimeout(r, 1));
    return sum(delayed(x));
  };
  const gs = await Promise.all([1, 2, 3].map((v) => gradAsync(f)(tensor([v]))));
  assert.deepEqual(gs.map((g) => g.item()), [2, 4, 6]);
});

Deno.test("tapeBytes() counts every retained buffer once", () => {
  const x = tensor([1, 2, 3, 4]);
  let kept: Tensor | undefined;
  vjp((t) => {
    kept = mul(exp(t), t);
    return kept;
  }, x);
  // x (32 bytes), the watched input shares x's buffer, exp(t) 32, the product 32.
  assert.equal(tapeBytes(kept!), 96);
  assert.equal(tapeBytes(x), 32);
});
