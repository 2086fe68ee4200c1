import assert from "node:assert/strict";
import { tensor } from "../lib/autodiff/mod.ts";
import { diffusion2d } from "../lib/sparse/generators.ts";
import { Rng } from "../lib/random.ts";
import { diffusionAssembler, run } from "../scripts/pinn.ts";

Deno.test("diffusionAssembler() matches diffusion2d() for a random κ", () => {
  const nx = 5, ny = 4, h = 0.2;
  const rng = new Rng(7);
  const kappa = Float64Array.from({ length: nx * ny }, () => 0.5 + 2 * rng.next());
  const A = diffusionAssembler(nx, ny, h).assemble(tensor(kappa));
  const ref = diffusion2d(kappa, nx, ny, { h });
  assert.equal(A.nnz, ref.nnz);
  for (let k = 0; k < ref.nnz; k++) {
    assert.ok(Math.abs(A.values.data[k] - ref.values[k]) <= 1e-12 * Math.abs(ref.values[k]));
  }
});

Deno.test("pinn run({quick}) writes its report and recovers κ below 15% error", async () => {
  const out = await Deno.makeTempDir({ prefix: "gradsolve-pinn-" });
  try {
    const { metrics, finding, report } = await run({ quick: true, out, seed: 0, backend: "cpu" });
    const html = await Deno.readTextFile(report.html);
    const json = JSON.parse(await Deno.readTextFile(report.json));
    assert.ok(html.includes("<svg"));
    assert.ok(html.includes("data:image/png")); // heatmaps
    assert.equal(json.name, "pinn");
    assert.equal(json.finding, finding);
    assert.equal(json.metadata.seed, 0);
    assert.ok((await Deno.stat(report.index)).isFile);
    // Success: κ recovered well below its initial error, data fitted near noise level.
    const err = metrics.kappaRelError as number;
    assert.ok(err < 0.15, `relative κ error ${err}`);
    assert.ok(err < 0.5 * (metrics.kappaInitialError as number));
    assert.ok((metrics.finalMisfitChi2 as number) < 3, `χ² ${metrics.finalMisfitChi2}`);
    assert.ok((metrics.uRelError as number) < 0.05, `u error ${metrics.uRelError}`);
    // The time split is complete and positive.
    for (const key of ["msNetwork", "msAssembly", "msForwardSolve", "msAdjointSolve"]) {
      assert.ok((metrics[key] as number) > 0, `${key} = ${metrics[key]}`);
    }
    // Jacobi vs AMG in the training loop: both ran, AMG with a kept hierarchy that took new
    // values every step and needs far fewer CG iterations; the sentence names the faster one.
    assert.equal(metrics.preconditioner, "jacobi");
    assert.equal(metrics.compareSteps, 10);
    const jacIts = metrics.compareJacobiIterationsPerSolve as number;
    const amgIts = metrics.compareAmgIterationsPerSolve as number;
    assert.ok(amgIts > 0 && amgIts < jacIts / 3, `AMG ${amgIts} vs Jacobi ${jacIts} its/solve`);
    assert.ok((metrics.compareAmgUpdateMsPerStep as number) > 0, "the hierarchy was refreshed");
    assert.ok((metrics.compareAmgSetupMs as number) > 0);
    assert.ok((metrics.compareAmgLevels as number) >= 2);
    const amgMs = metrics.compareAmgMsPerStep as number;
    const jacMs = metrics.compareJacobiMsPerStep as number;
    assert.ok(amgMs > 0 && jacMs > 0);
    assert.equal(metrics.compareAmgFaster, amgMs < jacMs);
    const text: string = json.text.join("\n");
    assert.match(
      text,
      amgMs < jacMs ? /AMG makes a training step faster/ : /Jacobi keeps a training step faster/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("pinn run({precond: amg}) trains through AMG-PCG with one kept hierarchy", async () => {
  const out = await Deno.makeTempDir({ prefix: "gradsolve-pinn-amg-" });
  try {
    const { metrics } = await run({
      quick: true,
      out,
      seed: 0,
      precond: "amg",
      steps: 120,
      compareSteps: 0,
    });
    assert.equal(metrics.preconditioner, "amg");
    assert.equal(metrics.compareSteps, undefined);
    // A few AMG-PCG iterations per solve, and training makes progress.
    assert.ok((metrics.meanForwardIterations as number) < 15, `${metrics.meanForwardIterations}`);
    assert.ok((metrics.kappaRelError as number) < (metrics.kappaInitialError as number));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
