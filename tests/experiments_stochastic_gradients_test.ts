import assert from "node:assert/strict";
import { run } from "../scripts/stochastic_gradients.ts";

Deno.test("stochastic_gradients.ts --quick: the sketch is biased, truncated and telescoping are not worse", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await run({ quick: true, out, seed: 0, backend: "cpu" });
    const html = await Deno.readTextFile(`${out}/stochastic_gradients.html`);
    const json = JSON.parse(await Deno.readTextFile(`${out}/stochastic_gradients.json`));
    assert.ok(html.includes("<svg"));
    assert.equal(json.figures.length, 3);
    const m = r.metrics;
    // The published sketch assigns into a copy: an all-zero gradient.
    assert.equal(m.publishedNorm, 0);
    // As meant, it is biased: the mean over draws stays far from the exact gradient.
    assert.ok(Number(m.sampledBiasAt03) > 0.2, `bias ${m.sampledBiasAt03}`);
    assert.ok(Number(m.sampledBiasAt09) < Number(m.sampledBiasAt01));
    // Truncated adjoint: more accurate for comparable cost; error falls with k.
    assert.ok(Number(m.truncatedErrorK8) < 0.1);
    assert.ok(Number(m.truncatedErrorK16) < Number(m.truncatedErrorK8));
    assert.ok(Number(m.truncatedRelCostK8) < 1);
    // Telescoping is unbiased: the mean error is at the sampling-noise level (≪ per-draw error).
    assert.ok(Number(m.telescopingBiasK4) < 0.5 * Number(m.telescopingErrorK4));
    assert.ok(Number(m.telescopingBiasK4) < 0.1 * Number(m.sampledBiasAt03));
    // Training: every estimator reduces the loss; the exact adjoint by more than 10×.
    for (const k of ["Exact", "Sampled03", "Sampled07", "Truncated8", "Telescoping4"]) {
      assert.ok(Number(m[`finalLoss${k}`]) < Number(m.initialLoss), k);
    }
    assert.ok(Number(m.finalLossExact) < 0.1 * Number(m.initialLoss));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
