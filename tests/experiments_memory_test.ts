import assert from "node:assert/strict";
import { run } from "../scripts/memory.ts";

Deno.test("memory.ts --quick measures a flat implicit tape and a linear unrolled tape", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await run({ quick: true, out, seed: 0, backend: "cpu" });
    const html = await Deno.readTextFile(`${out}/memory.html`);
    const json = JSON.parse(await Deno.readTextFile(`${out}/memory.json`));
    assert.ok(html.includes("<svg"));
    assert.equal(json.name, "memory");
    const table = json.tables.find((t: { caption: string }) => t.caption.startsWith("The numbers"));
    assert.equal(table.rows.length, Object.keys(r.metrics).length);
    const m = r.metrics;
    // The implicit tape does not depend on the iteration count.
    assert.equal(m.implicitGrowth, 1);
    // Unrolled CG keeps several float64 n-vectors per iteration (x, r, p, Ap, …).
    assert.ok(
      Number(m.bytesPerIterationPerUnknown) > 24 && Number(m.bytesPerIterationPerUnknown) < 200,
    );
    // The heap agrees with tapeBytes on the unrolled slope within a factor of two.
    const ratio = Number(m.heapBytesPerIterationPerUnknown) / Number(m.bytesPerIterationPerUnknown);
    assert.ok(ratio > 0.5 && ratio < 2, `heap/tape slope ratio ${ratio}`);
    // The saving grows with the iteration count: at least 100× once iterations reach a few hundred.
    assert.ok(Number(m.ratioAt100) > 50);
    assert.ok(Number(m.ratioAtMaxIterations) >= 100);
    // Both modes give the same gradient once CG has converged.
    assert.ok(Number(m.maxGradientGap) < 1e-6);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
