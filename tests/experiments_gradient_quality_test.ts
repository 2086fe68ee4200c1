import assert from "node:assert/strict";
import { run } from "../scripts/gradient_quality.ts";

Deno.test("gradient_quality.ts --quick: implicit gradients match the reference and track rtol", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await run({ quick: true, out, seed: 0, backend: "cpu" });
    const html = await Deno.readTextFile(`${out}/gradient_quality.html`);
    const json = JSON.parse(await Deno.readTextFile(`${out}/gradient_quality.json`));
    assert.ok(html.includes("<svg"));
    assert.equal(json.figures.length, 2);
    const m = r.metrics;
    for (const p of ["spd", "nonsymmetric"]) {
      // Implicit at rtol 1e-10 agrees with the dense-LU reference.
      assert.ok(Number(m[`${p}ImplicitError`]) < 1e-8, `${p} implicit ${m[`${p}ImplicitError`]}`);
      // Central differences at their best step pass a gradient check.
      assert.ok(Number(m[`${p}FdBestError`]) < 1e-6, `${p} fd ${m[`${p}FdBestError`]}`);
      // Gradient error is proportional to the tolerance: slope near 1, error ≤ 10·rtol.
      const slope = Number(m[`${p}ToleranceSlope`]);
      assert.ok(slope > 0.7 && slope < 1.3, `${p} slope ${slope}`);
      assert.ok(Number(m[`${p}ErrorOverTolMax`]) < 10);
      // Ten truncated iterations do not reach the implicit gradient's accuracy.
      assert.ok(Number(m[`${p}TruncatedError`]) > 1e3 * Number(m[`${p}ImplicitError`]));
    }
    assert.ok(Number(m.spdUnrolledError) < 1e-3);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
