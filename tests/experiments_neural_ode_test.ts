import assert from "node:assert/strict";
import { tensor } from "../lib/autodiff/mod.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { chainSystem, run } from "../scripts/neural_ode.ts";

Deno.test("chainSystem() assembles a symmetric, strictly diagonally dominant A", () => {
  const sys = chainSystem(4, 2, 9);
  const m = tensor([1, 2, 3, 4, 0.5, 0.6, 0.7, 0.8]);
  const w = tensor([0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 3, 4, 5]); // 5 edges per chain

  const A = sys.assemble(m, w);
  const M = new CsrMatrix(A.pattern, A.values.data);
  assert.ok(M.symmetric);
  const dense = M.toDense();
  for (let i = 0; i < 8; i++) {
    let off = 0;
    for (let j = 0; j < 8; j++) if (j !== i) off += Math.abs(dense[i * 8 + j]);
    // diagonal = mᵢ + Σ|off| + the boundary edge at a chain's end (scaled by 9)
    const boundary = i === 0 ? 0.1 : i === 3 ? 0.5 : i === 4 ? 1 : i === 7 ? 5 : 0;
    assert.ok(Math.abs(dense[i * 8 + i] - off - m.data[i] - 9 * boundary) < 1e-12);
  }
  assert.ok(Math.abs(dense[0 * 8 + 1] + 1.8) < 1e-12); // −w₁·9 (edge 0–1)
  assert.equal(dense[3 * 8 + 4], 0); // the two chains are not coupled
});

Deno.test("neural_ode run({quick}) writes its report, fits, and passes the gradient check", async () => {
  const out = await Deno.makeTempDir({ prefix: "gradsolve-neural-ode-" });
  try {
    const { metrics, finding, report } = await run({ quick: true, out, seed: 0, backend: "cpu" });
    const html = await Deno.readTextFile(report.html);
    const json = JSON.parse(await Deno.readTextFile(report.json));
    assert.ok(html.includes("<svg"));
    assert.equal(json.name, "neural_ode");
    assert.equal(json.finding, finding);
    assert.ok((await Deno.stat(report.index)).isFile);
    // Gradient through 80 solves agrees with central differences.
    assert.equal(metrics.gradCheckOk, true);
    assert.ok((metrics.gradCheckMaxRelError as number) < 1e-6);
    // Training on final states fits them and generalises to a held-out trajectory.
    const train0 = metrics.trainInitialLoss as number, train1 = metrics.trainFinalLoss as number;
    assert.ok(train1 < train0 / 20, `training loss ${train0} -> ${train1}`);
    const held0 = metrics.heldoutInitialError as number,
      held1 = metrics.heldoutFinalError as number;
    assert.ok(held1 < held0 / 4, `held-out error ${held0} -> ${held1}`);
    assert.equal(metrics.solvesPerGradient, 80);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
