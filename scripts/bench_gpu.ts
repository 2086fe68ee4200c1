/**
 * GPU vs CPU conjugate gradients on the 2-D Poisson matrix (N×N grid, 5-point
 * stencil): milliseconds per iteration of `gpuSolve` (float32 CG on the GPU,
 * refined in float64 to the same tolerance) and of the CPU `cg` (float64),
 * the read-backs per solve, and how the GPU time splits between recording +
 * submitting commands and waiting for read-backs. On a GPU-less machine the
 * adapter is Mesa llvmpipe, a software rasteriser on the CPU: the numbers
 * then measure overheads, not GPU speed. The adapter is printed with them.
 *
 * Right-hand side `b = A x*` with `x*ᵢ = sin(0.37 i) + 0.5`; rtol 1e-6 for
 * both (one GPU solve plus refinement when float32 falls short).
 *
 * Usage: deno run -A scripts/bench_gpu.ts [--quick] [--json] [--check-every 25]
 *   --quick   N = 64, 128 only (default N = 64, 128, 256, 512)
 *   --json    print only the JSON summary
 *
 * @module
 */

import { benchArgs, positiveInt } from "./_bench_args.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { gpuSolve } from "../lib/gpu/solve.ts";
import { cg } from "../lib/linalg/cg.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

interface Row {
  N: number;
  n: number;
  nnz: number;
  cpu: { iterations: number; ms: number; msPerIteration: number; relativeResidual: number };
  gpu: {
    iterations: number;
    refinements: number;
    readbacks: number;
    ms: number;
    msPerIteration: number;
    uploadMs: number;
    recordSubmitMs: number;
    waitMs: number;
    relativeResidual: number;
    reason: string;
  };
}

const USAGE = "Usage: deno run -A scripts/bench_gpu.ts [--quick] [--json] [--check-every 25]";
const values = benchArgs(USAGE, {
  quick: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  "check-every": { type: "string" },
});
const args = { values };
const sizes = values.quick ? [64, 128] : [64, 128, 256, 512];
const checkEvery = positiveInt("check-every", values["check-every"], 25, USAGE);
const rtol = 1e-6;

const ctx = await acquireGpu();
const log = (s: string) => {
  if (!args.values.json) console.log(s);
};
log(
  `adapter: ${ctx.name}${ctx.adapterInfo.isFallbackAdapter ? " (software: runs on the CPU)" : ""}`,
);
log(`reduction workgroups: ${ctx.reductionWorkgroups}, checkEvery: ${checkEvery}, rtol: ${rtol}`);

// Compile and JIT every CG pipeline once, outside the timings.
{
  const A = poisson2d(8);
  await gpuSolve(ctx, A, new Float64Array(64).fill(1), { method: "cg", rtol });
}

const rows: Row[] = [];
for (const N of sizes) {
  const A = poisson2d(N);
  const n = A.shape[0];
  const xStar = new Float64Array(n).map((_, i) => Math.sin(0.37 * i) + 0.5);
  const b = A.multiply(xStar);
  const t0 = performance.now();
  const c = cg(A, b, { rtol, maxIter: 20 * N * 4, onFailure: "return" });
  const cpuMs = performance.now() - t0;
  const g = await gpuSolve(ctx, A, b, {
    method: "cg",
    rtol,
    checkEvery,
    maxIter: 20 * N * 4,
    onFailure: "return",
  });
  const gpuLoop = g.timings.record + g.timings.wait;
  const row: Row = {
    N,
    n,
    nnz: A.nnz,
    cpu: {
      iterations: c.iterations,
      ms: cpuMs,
      msPerIteration: cpuMs / c.iterations,
      relativeResidual: c.relativeResidual,
    },
    gpu: {
      iterations: g.iterations,
      refinements: g.refinements,
      readbacks: g.readbacks,
      ms: g.timings.total,
      msPerIteration: gpuLoop / g.iterations,
      uploadMs: g.timings.upload,
      recordSubmitMs: g.timings.record,
      waitMs: g.timings.wait,
      relativeResidual: g.relativeResidual,
      reason: g.reason,
    },
  };
  rows.push(row);
  const f = (v: number) => v.toFixed(2);
  log(
    `N=${N} n=${n}: CPU ${c.iterations} it, ${
      f(row.cpu.msPerIteration)
    } ms/it | GPU ${g.iterations} it ` +
      `(${g.refinements} refinements), ${
        f(row.gpu.msPerIteration)
      } ms/it, ${g.readbacks} read-backs, ` +
      `record+submit ${f(g.timings.record)} ms, wait ${f(g.timings.wait)} ms, upload ${
        f(g.timings.upload)
      } ms, ` + `rel. residual ${g.relativeResidual.toExponential(2)} (${g.reason})`,
  );
}
ctx.dispose();
if (args.values.json) {
  console.log(JSON.stringify(
    {
      adapter: ctx.adapterInfo.description,
      software: ctx.adapterInfo.isFallbackAdapter,
      deno: Deno.version.deno,
      checkEvery,
      rtol,
      rows,
    },
    null,
    2,
  ));
}
