import assert from "node:assert/strict";
import { join } from "node:path";
import { zeros } from "../lib/autodiff/mod.ts";
import { cg } from "../lib/linalg/cg.ts";
import { jacobi } from "../lib/linalg/jacobi.ts";
import { Rng } from "../lib/random.ts";
import { Tensor } from "../lib/autodiff/tensor.ts";
import {
  familySystem,
  learnedAlphaBeta,
  learnedDirections,
  run,
  stencil13,
  STENCIL_WEIGHTS,
} from "../scripts/unrolled_learning.ts";

Deno.test("learnedAlphaBeta() at zero parameters is plain CG and learnedDirections() at identity is Jacobi-PCG", () => {
  const st = stencil13(7), s = familySystem(7, st, new Rng(3), 1), K = 6;
  const x = learnedAlphaBeta(s.A, s.b, zeros([2, K]))[K].data;
  const ref = cg(s.csr, s.b.data, { maxIter: K, rtol: 1e-300, onFailure: "return" }).x;
  const w = new Float64Array(K * STENCIL_WEIGHTS);
  for (let k = 0; k < K; k++) w[k * STENCIL_WEIGHTS] = 1;
  const y = learnedDirections(s, st, new Tensor(w, [K, STENCIL_WEIGHTS]))[K].data;
  const refJ = cg(s.csr, s.b.data, {
    maxIter: K,
    rtol: 1e-300,
    onFailure: "return",
    preconditioner: jacobi(s.csr),
  }).x;
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] - ref[i]) < 1e-10 * Math.max(1, Math.abs(ref[i])));
    assert.ok(Math.abs(y[i] - refJ[i]) < 1e-10 * Math.max(1, Math.abs(refJ[i])));
  }
});

Deno.test("stencil13() has 13 entries in interior rows and symmetric weight classes", () => {
  const st = stencil13(6);
  const { rowPtr, colIdx } = st.pattern;
  const r = 2 * 6 + 2;
  assert.equal(rowPtr[r + 1] - rowPtr[r], 13);
  for (let i = 0; i < 36; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k], kt = st.pattern.find(j, i);
      assert.ok(kt >= 0);
      assert.equal(st.cls[kt], st.cls[k]);
    }
  }
});

Deno.test("unrolled_learning --quick writes its report and its numbers hold", async () => {
  const out = await Deno.makeTempDir();
  try {
    const { metrics, finding } = await run({ quick: true, seed: 0, backend: "cpu", out });
    const html = await Deno.readTextFile(join(out, "unrolled_learning.html"));
    const json = JSON.parse(await Deno.readTextFile(join(out, "unrolled_learning.json")));
    assert.ok(html.includes("<svg"));
    assert.equal(json.finding, finding);
    // Backprop through the unrolled iterations matches finite differences.
    assert.equal(metrics.gradCheckOk, true);
    assert.ok((metrics.gradCheckDirectionsMaxRelError as number) < 1e-5);
    assert.ok((metrics.unrolledMatchesLibraryCg as number) < 1e-8);
    // CG's optimality: learned α/β never beats CG in A-norm, nor MINRES in residual.
    assert.equal(metrics.alphaBetaAnormBelowCgCount, 0);
    assert.equal(metrics.alphaBetaResidualBelowMinresCount, 0);
    // Training lowered the held-out loss of both variants.
    assert.ok(
      (metrics.heldOutLossAlphaBetaEnd as number) < (metrics.heldOutLossAlphaBetaStart as number),
    );
    assert.ok(
      (metrics.heldOutLossDirectionsEnd as number) <
        (metrics.heldOutLossDirectionsStart as number) - 0.5,
    );
    // The learned directions beat plain CG and Jacobi-PCG at equal iteration count.
    assert.ok((metrics.residualLearnedDirections as number) < (metrics.residualCg as number));
    assert.equal(metrics.learnedDirectionsBeatJacobi, true);
    assert.equal(finding.includes("not IC(0)-PCG"), metrics.learnedDirectionsBeatIc0 === false);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
