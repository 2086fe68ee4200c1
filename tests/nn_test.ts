import assert from "node:assert/strict";
import { checkGrad, grad, sub, sumOfSquares, type Tensor, tensor } from "../lib/autodiff/mod.ts";
import { Adam } from "../lib/nn/adam.ts";
import { initMlp, mlpForward } from "../lib/nn/mlp.ts";

Deno.test("mlpForward() matches a hand-written two-layer network", () => {
  const net = initMlp({ sizes: [2, 3, 1], seed: 4 });
  const [W0, b0, W1, b1] = net.params;
  const x = [0.3, -0.7];
  const y = mlpForward(net, net.params, tensor(x, [1, 2])).item();
  let expected = b1.data[0];
  for (let j = 0; j < 3; j++) {
    const h = Math.tanh(x[0] * W0.data[j] + x[1] * W0.data[3 + j] + b0.data[j]);
    expected += h * W1.data[j];
  }
  assert.ok(Math.abs(y - expected) < 1e-14, `${y} vs ${expected}`);
});

Deno.test("initMlp() is deterministic per seed and Glorot-bounded", () => {
  const a = initMlp({ sizes: [4, 5], seed: 7 }), b = initMlp({ sizes: [4, 5], seed: 7 });
  assert.deepEqual(a.params[0].data, b.params[0].data);
  const limit = Math.sqrt(6 / 9);
  assert.ok(a.params[0].data.every((w) => Math.abs(w) <= limit));
  assert.throws(() => initMlp({ sizes: [3] }), /at least two/);
});

Deno.test("mlpForward() gradient with respect to the first weight matches finite differences", () => {
  const net = initMlp({ sizes: [2, 4, 1], seed: 1, activation: "softplus" });
  const x = tensor([0.1, 0.2, -0.5, 0.9, 0.3, -0.2], [3, 2]);
  const report = checkGrad(
    (w) => sumOfSquares(mlpForward(net, [w, ...net.params.slice(1)], x)),
    net.params[0],
  );
  assert.ok(report.ok, `max relative error ${report.maxRelError}`);
});

Deno.test("Adam minimises a quadratic", () => {
  const target = tensor([1, -2, 3]);
  const g = grad((q: Tensor) => sumOfSquares(sub(q, target)));
  let p = tensor([0, 0, 0]);
  const opt = new Adam({ lr: 0.1 });
  for (let i = 0; i < 500; i++) p = opt.step([p], [g(p)])[0];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(p.data[i] - target.data[i]) < 1e-3);
  assert.equal(opt.steps, 500);
});
