// The GPU AMG cycle against the CPU cycle, and AMG-preconditioned CG on the GPU.
import assert from "node:assert/strict";
import { GpuAmgCycle } from "../lib/gpu/amg.ts";
import { createStorageBuffer, readBack } from "../lib/gpu/buffers.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { amgSetup } from "../lib/linalg/amg/setup.ts";
import type { AmgOptions } from "../lib/linalg/amg/options.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { diffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { noGpu, withGpu } from "./_gpu.ts";

function rhs(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(0.37 * (i + 1) * seed) + 0.25);
}

/** Relative 2-norm error of the GPU cycle's z against the CPU cycle's, for one r. */
async function cycleError(ctx: GpuContext, A: CsrMatrix, amg: AmgOptions, seed: number) {
  const n = A.shape[0];
  const M = amgSetup(A, amg);
  const r = rhs(n, seed);
  const zc = new Float64Array(n);
  M.apply(r, zc);
  using cycle = await GpuAmgCycle.create(ctx, M, { amg });
  const rb = createStorageBuffer(ctx, "test r", 4 * n, Float32Array.from(r));
  const zb = createStorageBuffer(ctx, "test z", 4 * n);
  try {
    await cycle.bind(rb, zb);
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    cycle.record(pass, rb, zb);
    pass.end();
    const [bytes] = await readBack(ctx, enc, [{ buffer: zb, offset: 0, size: 4 * n }]);
    const z = new Float32Array(bytes);
    let d = 0, s = 0;
    for (let i = 0; i < n; i++) {
      d += (z[i] - zc[i]) ** 2;
      s += zc[i] ** 2;
    }
    return { err: Math.sqrt(d / s), levels: M.info.levels, M, cycle };
  } finally {
    rb.destroy();
    zb.destroy();
  }
}

/** A jump-coefficient diffusion: κ = 1000 in a checkerboard of 8×8 blocks, 1 elsewhere. */
function jump(nx: number): CsrMatrix {
  const kappa = new Float64Array(nx * nx);
  for (let j = 0; j < nx; j++) {
    for (let i = 0; i < nx; i++) kappa[j * nx + i] = ((i >> 3) + (j >> 3)) % 2 ? 1000 : 1;
  }
  return diffusion2d(kappa, nx);
}

Deno.test({
  name:
    "GpuAmgCycle: one V-cycle on the GPU matches the CPU cycle (Poisson 32², jump coefficients)",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const cases: [string, CsrMatrix, AmgOptions][] = [
        ["poisson 32² chebyshev", poisson2d(32), { coarseSize: 40 }],
        ["poisson 32² jacobi, 2 sweeps", poisson2d(32), {
          coarseSize: 40,
          smoother: "jacobi",
          preSweeps: 2,
          postSweeps: 2,
        }],
        ["jump 32² chebyshev", jump(32), { coarseSize: 40 }],
        ["jump 32² l1-jacobi", jump(32), { coarseSize: 40, smoother: "l1-jacobi" }],
        ["poisson 32² default options", poisson2d(32), {}],
      ];
      for (const [name, A, amg] of cases) {
        const { err, levels } = await cycleError(ctx, A, amg, 3);
        console.log(
          `  ${name}: ${levels} levels, GPU vs CPU cycle relative error ${err.toExponential(2)}`,
        );
        assert.ok(err < 1e-5, `${name}: relative error ${err}`);
      }
    }),
});
