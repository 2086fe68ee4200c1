import assert from "node:assert/strict";
import { join } from "node:path";
import { jacobi, lanczosCondition, poisson2d, Rng } from "@gradsolve/gradsolve";
import { cgCoefficients, run } from "../scripts/learned_preconditioner.ts";

Deno.test("cgCoefficients() from the library cg give the closed-form spectrum of 2-D Poisson, plain and Jacobi", () => {
  const nx = 10, A = poisson2d(nx), rng = new Rng(1);
  const b = Float64Array.from({ length: nx * nx }, () => rng.normal());
  const h = Math.PI / (nx + 1);
  const lmin = 4 - 4 * Math.cos(h), lmax = 4 + 4 * Math.cos(h);
  // Jacobi scales by diag(A) = 4: the preconditioned spectrum is A's divided by 4.
  for (const [M, scale] of [[undefined, 1], [jacobi(A), 0.25]] as const) {
    const c = cgCoefficients(A, b, M, 1e-13, 500);
    assert.equal(c.betas.length, c.alphas.length - 1);
    assert.equal(c.history[0], 1);
    assert.ok(c.history[c.history.length - 1] <= 1e-13);
    const est = lanczosCondition(c.alphas, c.betas);
    const lo = scale * lmin, hi = scale * lmax;
    assert.ok(Math.abs(est.lambdaMin - lo) / lo < 1e-8, `λmin ${est.lambdaMin} vs ${lo}`);
    assert.ok(Math.abs(est.lambdaMax - hi) / hi < 1e-8, `λmax ${est.lambdaMax} vs ${hi}`);
  }
});

Deno.test("learned_preconditioner --quick writes its report and its numbers hold", async () => {
  const out = await Deno.makeTempDir();
  try {
    const { metrics, finding } = await run({ quick: true, seed: 0, backend: "cpu", out });
    const html = await Deno.readTextFile(join(out, "learned_preconditioner.html"));
    const json = JSON.parse(await Deno.readTextFile(join(out, "learned_preconditioner.json")));
    assert.ok(html.includes("<svg"));
    assert.equal(json.finding, finding);
    // The learned preconditioner reduces held-out iterations vs Jacobi.
    assert.equal(metrics.learnedBeatsJacobi, true);
    assert.ok((metrics.meanItersLearnedIc0 as number) < (metrics.meanItersJacobi as number));
    // Training lowered the held-out factor loss.
    assert.ok(
      (metrics.learnedIcHeldOutLossEnd as number) < (metrics.learnedIcHeldOutLossStart as number),
    );
    // The verdict says what the numbers say.
    assert.equal(
      finding.includes("do not beat IC(0)"),
      metrics.learnedBeatsIc0Iterations === false,
    );
    assert.equal(finding.includes("does not beat Jacobi"), metrics.woodburyBeatsJacobi === false);
    // Preconditioning lowers the condition estimate in the expected order.
    assert.ok((metrics.medianConditionIc0 as number) < (metrics.medianConditionJacobi as number));
    assert.ok((metrics.medianConditionJacobi as number) < (metrics.medianConditionNone as number));
    // AMG (default options) is in every comparison and the finding follows its numbers.
    const amgIters = metrics.meanItersAmg as number;
    assert.ok(amgIters >= 1 && amgIters < (metrics.meanItersJacobi as number));
    assert.ok((metrics.medianConditionAmg as number) < (metrics.medianConditionJacobi as number));
    assert.ok((metrics.meanSetupMsAmg as number) > 0);
    assert.ok(
      Math.abs(
        (metrics.meanTotalMsAmg as number) -
          (metrics.meanSolveMsAmg as number) - (metrics.meanSetupMsAmg as number),
      ) < 1e-9,
    );
    // n = 256 is below the default coarse size (500): one level, a direct solve.
    assert.equal(metrics.amgLevelsMin, 1);
    assert.equal(amgIters, 1);
    assert.ok(finding.includes("(AMG)") && finding.includes("one level at n = 256"));
    assert.equal(
      finding.includes("needs fewer iterations than every learned form"),
      metrics.amgFewerIterationsThanLearned === true,
    );
    assert.equal(
      finding.includes("is faster per solve with setup than every learned form"),
      metrics.amgFasterThanLearned === true,
    );
    // AMG has its row in the held-out tables and its own histogram panel.
    for (const t of json.tables.slice(0, 2)) {
      assert.ok(t.rows.some((r: unknown[]) => r[0] === "AMG"), t.caption);
    }
    assert.ok(html.includes("<h2>AMG</h2>"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
