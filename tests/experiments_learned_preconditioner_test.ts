import assert from "node:assert/strict";
import { join } from "node:path";
import { Tensor } from "../lib/autodiff/tensor.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { Rng } from "../lib/random.ts";
import { diffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import {
  cgCoefficients,
  lanczosCondition,
  lowerPattern,
  randomKappa,
  run,
  woodburyApply,
  woodburyPreconditioner,
} from "../scripts/learned_preconditioner.ts";

Deno.test("lanczosCondition() from CG coefficients matches the closed-form spectrum of 2-D Poisson", () => {
  const nx = 10, A = poisson2d(nx), rng = new Rng(1);
  const b = Float64Array.from({ length: nx * nx }, () => rng.normal());
  const est = lanczosCondition(cgCoefficients(A, b, undefined, 1e-13, 500));
  const h = Math.PI / (nx + 1);
  const lmin = 4 - 4 * Math.cos(h), lmax = 4 + 4 * Math.cos(h);
  assert.ok(Math.abs(est.lambdaMin - lmin) / lmin < 1e-8, `λmin ${est.lambdaMin} vs ${lmin}`);
  assert.ok(Math.abs(est.lambdaMax - lmax) / lmax < 1e-8, `λmax ${est.lambdaMax} vs ${lmax}`);
});

Deno.test("lowerPattern() is the pattern of the library IC(0) factor and points at A's entries", () => {
  const A = diffusion2d(randomKappa(9, new Rng(2), 1.5), 9);
  const lower = lowerPattern(A), L = ic0(A).factor;
  assert.deepEqual(lower.pattern.rowPtr, L.pattern.rowPtr);
  assert.deepEqual(lower.pattern.colIdx, L.pattern.colIdx);
  const rows = lower.pattern.rowIndices();
  for (let k = 0; k < lower.source.length; k++) {
    assert.equal(A.values[lower.source[k]], A.get(rows[k], lower.pattern.colIdx[k]));
  }
});

Deno.test("Woodbury preconditioner inverts M = S(diag(eˢ) + UUᵀ)S, numerically and on the tape", () => {
  const n = 6, rank = 2, rng = new Rng(4);
  const s = new Tensor(Float64Array.from({ length: n }, () => 0.3 * rng.normal()), [n]);
  const U = new Tensor(Float64Array.from({ length: n * rank }, () => rng.normal()), [n, rank]);
  const d = Float64Array.from({ length: n }, (_, i) => 1 + i);
  const v = Float64Array.from({ length: n }, (_, i) => i - 2);
  // r = M v, built densely.
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let m = 0;
      for (let q = 0; q < rank; q++) m += U.data[i * rank + q] * U.data[j * rank + q];
      if (i === j) m += Math.exp(s.data[i]);
      r[i] += Math.sqrt(d[i]) * m * Math.sqrt(d[j]) * v[j];
    }
  }
  const z = new Float64Array(n);
  woodburyPreconditioner({ s, U }, d).apply(r, z);
  const zt = woodburyApply({ s, U }, d, new Tensor(r, [n])).data;
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(z[i] - v[i]) < 1e-10);
    assert.ok(Math.abs(zt[i] - v[i]) < 1e-10);
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
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
