import assert from "node:assert/strict";
import { cgIterationBytes, measureBandwidth, run } from "../scripts/bench.ts";

Deno.test("cgIterationBytes() counts the streamed arrays of one CG iteration", () => {
  // n = 3, nnz = 7: float64 = 12·7 + 4·4 + (16 + 48 + 24)·3; float32 = 8·7 + 4·4 + 60·3.
  assert.equal(cgIterationBytes(3, 7, "float64"), 84 + 16 + 264);
  assert.equal(cgIterationBytes(3, 7, "float32"), 56 + 16 + 180);
});

Deno.test("measureBandwidth() returns a positive triad rate", () => {
  const bw = measureBandwidth(1 << 18, 3);
  assert.ok(bw.gbPerSecond > 0 && Number.isFinite(bw.gbPerSecond));
  assert.ok(bw.gbPerSecond >= bw.medianGbPerSecond);
  assert.equal(bw.repetitions, 3);
});

Deno.test({
  name: "bench.ts --quick writes the report with sane timings, ratios and read-back counts",
  fn: async () => {
    const out = await Deno.makeTempDir();
    try {
      const r = await run({ quick: true, out, seed: 0, backend: "cpu" });
      const html = await Deno.readTextFile(`${out}/bench.html`);
      const json = JSON.parse(await Deno.readTextFile(`${out}/bench.json`));
      assert.ok(html.includes("<svg"));
      assert.equal(json.name, "bench");
      assert.ok(json.figures.length >= 4, `${json.figures.length} figures`);
      const table = json.tables.find((t: { caption: string }) =>
        t.caption.startsWith("The numbers")
      );
      assert.equal(table.rows.length, Object.keys(r.metrics).length);
      const m = r.metrics;

      // Bandwidth and the CG bound.
      assert.ok(Number(m.bandwidthGBs) > 0.1 && Number(m.bandwidthGBs) < 10_000);
      assert.ok(Number(m.cpuCgBoundMsPerIteration) > 0);
      const fraction = Number(m.cpuCgBandwidthFraction);
      assert.ok(fraction > 0.001 && fraction < 50, `CG bandwidth fraction ${fraction}`);

      // Every CPU solve converged with positive times; its true residual meets rtol.
      const cpu = r.solves.filter((s) => s.backend === "cpu");
      assert.equal(cpu.length, 3 * 7);
      for (const s of cpu) {
        assert.ok(s.converged, `${s.method} N=${s.N}`);
        assert.ok(s.ms > 0 && s.relativeResidual <= 1e-6);
        if (s.method !== "direct") assert.ok(s.msPerIteration > 0 && s.iterations > 0);
      }
      for (const s of cpu.filter((s) => s.solver === "cg")) {
        assert.equal(
          s.boundMsPerIteration,
          cgIterationBytes(s.n, s.nnz, "float64") /
            (r.bandwidth.gbPerSecond * 1e6),
        );
      }

      // IC(0)-PCG and AMG-PCG at every size: setup timed apart, fewer iterations than CG;
      // AMG (default options, coarse size 500) is one level only at n = 256.
      for (const N of [16, 32, 64]) {
        const at = (solver: string) => cpu.find((s) => s.solver === solver && s.N === N)!;
        const plain = at("cg"), ic = at("cg+ic0"), amg = at("cg+amg");
        assert.equal(plain.setupMs, 0);
        for (const pc of [ic, amg]) {
          assert.ok(pc.setupMs > 0 && Number.isNaN(pc.boundMsPerIteration), pc.solver);
          assert.ok(pc.iterations < plain.iterations, `${pc.solver} N=${N}`);
        }
        assert.ok(amg.iterations < ic.iterations, `N=${N}`);
        assert.equal(amg.amgLevels === 1, N === 16, `N=${N}: ${amg.amgLevels} levels`);
        assert.ok(amg.amgOperatorComplexity >= 1 && amg.amgOperatorComplexity < 2);
      }
      assert.equal(m.cpuAmgLevels, cpu.find((s) => s.solver === "cg+amg" && s.N === 64)!.amgLevels);
      assert.ok(Number(m.amgIterationsMax) <= 12);
      assert.ok(r.finding.includes("AMG-PCG needs"));
      assert.equal(r.finding.includes("(faster)"), Number(m.amgOverCgWithSetup) < 1);
      assert.ok(html.includes("AMG-PCG") && html.includes("IC(0)-PCG"));

      // Forward vs backward: finite positive ratios; each gradient solves the adjoint system.
      assert.ok(r.diff.length > 0);
      for (const d of r.diff) {
        assert.ok(d.forwardMs > 0 && d.backwardMs > 0, `${d.backend} ${d.method} N=${d.N}`);
        assert.ok(Number.isFinite(d.ratio) && d.ratio > 0);
        assert.ok(d.adjointResidual < 1e-5, `${d.method}: ${d.adjointResidual}`);
      }
      // The direct solver's backward pass reuses the factorisation: cheaper than its forward.
      assert.ok(Number(m.backwardOverForwardDirect) < 1);
      // AMG-PCG: one row per CPU size; the forward pass builds the hierarchy, the adjoint
      // reuses it (no setup of its own, so the backward pass is cheaper than the forward).
      const amgDiff = r.diff.filter((d) => d.solver === "cg+amg");
      assert.deepEqual(amgDiff.map((d) => d.N), [16, 32]);
      for (const d of amgDiff) {
        assert.ok(d.setupMs > 0 && d.setupMs < d.forwardMs, `N=${d.N}`);
        assert.ok(d.adjointIterations <= 12 && d.forwardIterations <= 12);
      }
      assert.ok(Number(m.backwardOverForwardAmgCg) < 1);
      for (const d of r.diff.filter((d) => d.preconditioner === "none")) assert.equal(d.setupMs, 0);

      // GPU: every solve converged, read-backs stay near ⌈iterations / K⌉.
      const gpu = r.solves.filter((s) => s.backend === "webgpu");
      assert.equal(m.gpuRan, gpu.length > 0);
      for (const s of gpu) {
        assert.ok(s.converged && s.relativeResidual <= 1e-6, `${s.method} N=${s.N}`);
        assert.ok(s.readbacks >= 1);
        // One read-back per batch of K = 25 steps; a BiCGSTAB step counts two iterations.
        const perBatch = s.method === "bicgstab" ? 50 : 25;
        assert.ok(
          s.readbacks <= Math.ceil(s.iterations / perBatch) + 2 * s.innerSolves,
          `${s.method} N=${s.N}: ${s.readbacks} read-backs, ${s.iterations} iterations, ` +
            `${s.innerSolves} float32 solves`,
        );
        assert.ok(s.recordMs >= 0 && s.waitMs > 0 && s.ms >= s.recordMs + s.waitMs);
      }
      if (gpu.length > 0) {
        assert.ok(html.includes(String(m.gpuAdapter).replace(/&/g, "&amp;").slice(0, 20)));
        if (m.gpuSoftware) assert.ok(html.includes("software adapter"));
      } else {
        assert.ok(html.includes("GPU part was skipped"));
      }

      // The C reference is optional; when it ran its ratios are finite.
      if (m.cReference) assert.ok(Number(m.gradsolveOverCFused) > 0);
      else assert.ok(html.includes("C/Eigen comparison was skipped"));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
