/**
 * Micro-benchmark: 50 iterations of CG on the 2-D Poisson matrix (N = 64),
 * float32 on the WebGPU adapter (one read-back per 25 iterations) against
 * float64 on the CPU. Skipped when there is no adapter. On GPU-less machines
 * the adapter is Mesa llvmpipe (software): see scripts/bench_gpu.ts.
 *
 * @module
 */

import { acquireGpu } from "../lib/gpu/device.ts";
import { gpuSolve } from "../lib/gpu/solve.ts";
import { cg } from "../lib/linalg/cg.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

const ctx = await acquireGpu({ probeFeatures: false }).catch(() => undefined);
const A = poisson2d(64);
const b = new Float64Array(A.shape[0]).fill(1);
const fixed = { rtol: 1e-12, maxIter: 50, onFailure: "return" as const };

Deno.bench({
  name: "GPU CG, 50 iterations, N=64 (float32, checkEvery 25)",
  group: "cg-50",
  ignore: !ctx,
  async fn() {
    await gpuSolve(ctx!, A, b, { method: "cg", checkEvery: 25, ...fixed });
  },
});

Deno.bench({
  name: "CPU CG, 50 iterations, N=64 (float64)",
  group: "cg-50",
  baseline: true,
  fn() {
    cg(A, b, fixed);
  },
});

globalThis.addEventListener("unload", () => ctx?.dispose());
