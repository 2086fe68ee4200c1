// The GPU AMG cycle against the CPU cycle, and AMG-preconditioned CG on the GPU.
import assert from "node:assert/strict";
import { GpuAmgCycle } from "../lib/gpu/amg.ts";
import { createStorageBuffer, readBack } from "../lib/gpu/buffers.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { gpuSolve, GpuSolver } from "../lib/gpu/solve.ts";
import { cg } from "../lib/linalg/cg.ts";
import { amgSetup } from "../lib/linalg/amg/setup.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { fromCsr } from "../lib/autodiff/sparse.ts";
import { type Tensor, tensor } from "../lib/autodiff/tensor.ts";
import { gradAsync } from "../lib/autodiff/transforms_async.ts";
import { solveAsync, solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import { sum } from "../lib/autodiff/reduce.ts";
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

/** ‖a − b‖ / ‖b‖. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(d / s);
}

const MATRICES = new URL("./data/matrices/", import.meta.url);

Deno.test({
  name:
    "GPU AMG-PCG: rtol 1e-8 on Poisson 64² and nos6, 1138_bus, Laplace3D10, far fewer iterations than GPU CG",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const cases: [string, CsrMatrix][] = [["poisson 64²", poisson2d(64)]];
      for (const name of ["nos6", "1138_bus", "Laplace3D10"]) {
        cases.push([name, (await readMatrixMarket(new URL(`${name}.mtx`, MATRICES))).matrix]);
      }
      const K = 25, cap = 2500;
      for (const [name, A] of cases) {
        const n = A.shape[0];
        const b = rhs(n, 1);
        const xc = cg(A, b, { preconditioner: amgSetup(A), rtol: 1e-12, onFailure: "return" }).x;
        const amg = await gpuSolve(ctx, A, b, {
          method: "cg",
          preconditioner: "amg",
          rtol: 1e-8,
          checkEvery: K,
        });
        const plain = await gpuSolve(ctx, A, b, {
          method: "cg",
          rtol: 1e-8,
          checkEvery: K,
          maxIter: cap,
          onFailure: "return",
        });
        const err = relErr(amg.x, xc);
        console.log(
          `  ${name} (n ${n}): AMG-PCG ${amg.iterations} iterations ${
            JSON.stringify(amg.innerIterations)
          }, ` +
            `${amg.readbacks} read-backs, ${amg.refinements} refinements, x error ${
              err.toExponential(2)
            }; ` +
            `CG ${plain.iterations} iterations (${plain.reason}), ${plain.readbacks} read-backs`,
        );
        assert.ok(amg.converged && amg.relativeResidual <= 1e-8, `${name}: ${amg.message}`);
        assert.equal(amg.preconditioner, "amg");
        assert.ok(
          amg.readbacks <= Math.ceil(amg.iterations / K) + amg.refinements + 2,
          `${name}: ${amg.readbacks} read-backs for ${amg.iterations} iterations`,
        );
        assert.ok(err <= 1e-7, `${name}: x error ${err}`);
        // Far fewer: at least 5 times fewer iterations than unpreconditioned CG (or CG failed at the cap).
        assert.ok(
          5 * amg.iterations <= plain.iterations,
          `${name}: ${amg.iterations} vs ${plain.iterations}`,
        );
      }
    }),
});

Deno.test({
  name:
    "GPU AMG-PCG: value updates rewrite the levels (same as a fresh setup), the transpose shares the cycle",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = jump(24);
      const n = A.shape[0];
      const b = rhs(n, 2);
      using solver = await GpuSolver.init(ctx, A, {
        method: "cg",
        preconditioner: "amg",
        rtol: 1e-9,
      });
      const first = await solver.compute(b);
      const A2 = A.withValues(A.values.map((v) => 3 * v));
      solver.update(A2);
      const updated = await solver.compute(b);
      const fresh = await gpuSolve(ctx, A2, b, { method: "cg", preconditioner: "amg", rtol: 1e-9 });
      assert.ok(relErr(updated.x, first.x.map((v) => v / 3)) < 1e-8);
      assert.deepEqual(updated.innerIterations, fresh.innerIterations);
      const T = await solver.transpose();
      const t = await T.compute(b);
      assert.ok(t.converged && relErr(t.x, updated.x) < 1e-8);
      solver.update(A);
      assert.ok(relErr((await T.compute(b)).x, first.x) < 1e-8);
    }),
});

Deno.test({
  name: "GPU AMG: other methods refuse it; solveAsync(webgpu) runs AMG-PCG and its gradient",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = poisson2d(12);
      for (const method of ["bicgstab", "gmres", "minres"] as const) {
        await assert.rejects(
          () => GpuSolver.init(ctx, A, { method, preconditioner: "amg" }),
          (e: Error) =>
            e instanceof RangeError && /"amg" runs with method "cg" only/.test(e.message),
        );
      }
      const At = fromCsr(A);
      const b = rhs(A.shape[0], 4);
      const f = async (bt: Tensor) =>
        sum(
          await solveAsync(At, bt, {
            backend: "webgpu",
            gpu: ctx,
            preconditioner: "amg",
            rtol: 1e-10,
          }),
        );
      const g = await gradAsync(f)(tensor([...b]));
      const info = await solveAsyncWithInfo(At, tensor([...b]), {
        backend: "webgpu",
        gpu: ctx,
        preconditioner: "amg",
        amg: { coarseSize: 30 },
      });
      assert.equal(info.forward.preconditioner, "amg");
      // ∂(1ᵀx)/∂b = A⁻ᵀ 1 = A⁻¹ 1 (symmetric A).
      const ref = cg(A, new Float64Array(A.shape[0]).fill(1), { rtol: 1e-12 }).x;
      assert.ok(relErr(g.data, ref) < 1e-8);
    }),
});
