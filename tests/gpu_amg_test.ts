// The GPU AMG cycle (V and W, forward and exactly transposed) against the CPU cycle, and
// AMG-preconditioned CG, BiCGSTAB, GMRES and MINRES on the GPU, forward and adjoint.
import assert from "node:assert/strict";
import { GpuAmgCycle } from "../lib/gpu/amg.ts";
import { createStorageBuffer, readBack } from "../lib/gpu/buffers.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { gpuSolve, GpuSolver } from "../lib/gpu/solve.ts";
import { cg } from "../lib/linalg/cg.ts";
import { amgSetup } from "../lib/linalg/amg/setup.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { type Tensor, tensor } from "../lib/autodiff/tensor.ts";
import { gradAsync } from "../lib/autodiff/transforms_async.ts";
import { solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import type { AmgOptions } from "../lib/linalg/amg/options.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion2d, diffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { cycleWorkspace, runCycle } from "../lib/linalg/amg/cycle.ts";
import { buildHierarchy } from "../lib/linalg/amg/hierarchy.ts";
import { resolveAmgOptions } from "../lib/linalg/amg/options.ts";
import { krylovSolve } from "../lib/linalg/solve.ts";
import { transposedPreconditioner } from "../lib/linalg/preconditioner.ts";
import { transposeOperator } from "../lib/linalg/operator.ts";
import { sparseTensor } from "../lib/autodiff/sparse.ts";
import { dot } from "../lib/autodiff/reduce.ts";
import { grad } from "../lib/autodiff/transforms.ts";
import { solve } from "../lib/diff/solve.ts";
import type { SolveInfo } from "../lib/diff/solve_info.ts";
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
  using cycle = await GpuAmgCycle.create(ctx, M);
  const rb = createStorageBuffer(ctx, "test r", 4 * n, Float32Array.from(r));
  const zb = createStorageBuffer(ctx, "test z", 4 * n);
  try {
    const app = await cycle.bind(rb, zb);
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    app.record(pass);
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

/** `z = M⁻¹ r` (or `M⁻ᵀ r`) by one GPU cycle of the hierarchy `M`, read back. */
async function gpuCycle(
  ctx: GpuContext,
  cycle: GpuAmgCycle,
  r: Float64Array,
  transposed: boolean,
): Promise<Float32Array> {
  const n = r.length;
  const rb = createStorageBuffer(ctx, "test r", 4 * n, Float32Array.from(r));
  const zb = createStorageBuffer(ctx, "test z", 4 * n);
  try {
    const app = await cycle.bind(rb, zb, undefined, transposed);
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    app.record(pass);
    pass.end();
    const [bytes] = await readBack(ctx, enc, [{ buffer: zb, offset: 0, size: 4 * n }]);
    return new Float32Array(bytes);
  } finally {
    rb.destroy();
    zb.destroy();
  }
}

// Nonsymmetric: 2-D upwind convection–diffusion (an M-matrix, nonsymmetric for nonzero wind).
const CD16 = convectionDiffusion2d(16, 16, { wind: [2, 1] });
const CD24 = convectionDiffusion2d(24, 24, { wind: [2, 1] });

Deno.test({
  name:
    "GpuAmgCycle: transposed and W cycles match the CPU runCycle (convection–diffusion 16², Poisson)",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      // [name, A, options, whether the cycle is nonsymmetric (then M⁻ᵀ ≠ M⁻¹ must show)]
      const cases: [string, CsrMatrix, AmgOptions, boolean][] = [
        ["conv–diff 16² jacobi V, ν₁=1 ν₂=2", CD16, {
          coarseSize: 20,
          postSweeps: 2,
        }, true],
        ["conv–diff 16² jacobi W, ν₁=2 ν₂=1", CD16, {
          coarseSize: 2,
          cycle: "W",
          preSweeps: 2,
        }, true],
        ["conv–diff 16² l1-jacobi W", CD16, {
          coarseSize: 2,
          cycle: "W",
          smoother: "l1-jacobi",
        }, true],
        ["conv–diff 16² chebyshev W, ν₁=2 ν₂=1", CD16, {
          coarseSize: 2,
          cycle: "W",
          smoother: "chebyshev",
          chebyshevDegree: 2,
          preSweeps: 2,
        }, true],
        ["conv–diff 16² smoothed coarsest (no dense solve)", CD16, {
          coarseSize: 30,
          maxDenseSize: 4,
          coarseSweeps: 5,
        }, true],
        ["poisson 20² chebyshev V, ν₁=2 ν₂=1 (symmetric A, nonsymmetric cycle)", poisson2d(20), {
          coarseSize: 20,
          preSweeps: 2,
        }, true],
        ["poisson 20² chebyshev W (symmetric cycle)", poisson2d(20), {
          coarseSize: 2,
          cycle: "W",
        }, false],
      ];
      for (const [name, A, amg, nonsymmetric] of cases) {
        const n = A.shape[0];
        const M = amgSetup(A, amg);
        // The CPU reference: runCycle on the same (deterministic) hierarchy.
        const h = buildHierarchy(A, resolveAmgOptions(amg, n, A.symmetric));
        assert.equal(h.levels.length, M.info.levels);
        const ws = cycleWorkspace(h);
        const r = rhs(n, 5);
        const zf = new Float64Array(n), zt = new Float64Array(n);
        runCycle(h, ws, 0, r, zf, false);
        runCycle(h, ws, 0, r, zt, true);
        using forward = await GpuAmgCycle.create(ctx, M);
        using transposed = await GpuAmgCycle.create(ctx, M, { transposed: true });
        const ef = relErr(await gpuCycle(ctx, forward, r, false), zf);
        const et = relErr(await gpuCycle(ctx, transposed, r, true), zt);
        // One upload serves both directions once the transposed one is prepared.
        forward.prepare(true);
        const eBoth = relErr(await gpuCycle(ctx, forward, r, true), zt);
        const gap = relErr(zt, zf);
        console.log(
          `  ${name}: ${M.info.levels} levels (${M.info.coarseSolver}), GPU vs CPU: forward ` +
            `${ef.toExponential(2)}, transposed ${et.toExponential(2)} ` +
            `(${eBoth.toExponential(2)} on the forward upload); ‖M⁻ᵀr − M⁻¹r‖/‖M⁻ᵀr‖ ${
              gap.toExponential(2)
            }`,
        );
        // W: 4 levels, so that the second visits nest (level 1's holds level 2's).
        const levels = amg.cycle === "W" ? 4 : 3;
        assert.ok(M.info.levels >= levels, `${name}: ${M.info.levels} levels`);
        if (amg.maxDenseSize) assert.equal(M.info.coarseSolver, "smoother");
        // float32 storage and arithmetic: measured ≤ 4e-7; the bound is 1e-5.
        assert.ok(ef < 1e-5 && et < 1e-5 && eBoth < 1e-5, `${name}: ${ef}, ${et}, ${eBoth}`);
        if (nonsymmetric) assert.ok(gap > 1e-2, `${name}: transposed cycle ≈ forward (${gap})`);
        else assert.ok(gap < 1e-12, `${name}: symmetric cycle differs from its transpose`);
      }
    }),
});

/** Largest relative gap of the first `k` residual-history entries (each relative to its first). */
function historyGap(a: readonly number[], b: readonly number[], k: number): number {
  let gap = 0;
  for (let i = 1; i <= k; i++) {
    const u = a[i] / a[0], v = b[i] / b[0];
    gap = Math.max(gap, Math.abs(u - v) / v);
  }
  return gap;
}

/** ‖b − A x‖ / ‖b‖ in float64. */
function residualOf(A: CsrMatrix, x: Float64Array, b: Float64Array): number {
  const Ax = A.multiply(x);
  return relErr(Ax, b);
}

Deno.test({
  name:
    "GPU BiCGSTAB and GMRES with AMG on convection–diffusion 24²: forward and Aᵀ states match the CPU, value updates",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = CD24, n = A.shape[0];
      const At = A.transpose();
      const amg = { coarseSize: 40 };
      const b = rhs(n, 6);
      const M = amgSetup(A, amg);
      const Mt = transposedPreconditioner(M);
      const K = 25;
      for (const method of ["bicgstab", "gmres"] as const) {
        using solver = await GpuSolver.init(ctx, A, {
          method,
          preconditioner: "amg",
          amg,
          rtol: 1e-9,
          checkEvery: K,
        });
        const fwd = await solver.compute(b);
        const T = await solver.transpose();
        const adj = await T.compute(b);
        const cpuF = krylovSolve(A, b, { method, preconditioner: M, rtol: 1e-9 });
        const cpuT = krylovSolve(transposeOperator(A), b, {
          method,
          preconditioner: Mt,
          rtol: 1e-9,
        });
        const plain = await gpuSolve(ctx, A, b, { method, rtol: 1e-9, checkEvery: K });
        const exF = krylovSolve(A, b, { method, preconditioner: M, rtol: 1e-13 }).x;
        const exT =
          krylovSolve(transposeOperator(A), b, { method, preconditioner: Mt, rtol: 1e-13 })
            .x;
        const eF = relErr(fwd.x, exF), eT = relErr(adj.x, exT);
        console.log(
          `  ${method}: AMG forward ${fwd.iterations} iterations ${
            JSON.stringify(fwd.innerIterations)
          } (CPU ${cpuF.iterations}), Aᵀ ${adj.iterations} ${
            JSON.stringify(adj.innerIterations)
          } (CPU ${cpuT.iterations}); unpreconditioned GPU ${plain.iterations}; ` +
            `x errors ${eF.toExponential(2)}, ${
              eT.toExponential(2)
            }; read-backs ${fwd.readbacks}, ${adj.readbacks}`,
        );
        for (const [what, r] of [["forward", fwd], ["Aᵀ", adj]] as const) {
          assert.ok(r.converged && r.relativeResidual <= 1e-9, `${method} ${what}: ${r.message}`);
          assert.equal(r.preconditioner, "amg");
          assert.ok(
            r.readbacks <= Math.ceil(r.iterations / K) + r.refinements + 2,
            `${method} ${what}: ${r.readbacks} read-backs for ${r.iterations} iterations`,
          );
        }
        assert.ok(residualOf(At, adj.x, b) <= 1e-9);
        // The first float32 solve follows the CPU's residual history step by step (so the state
        // of Aᵀ applies M⁻ᵀ: with M⁻¹ instead, the CPU's BiCGSTAB on Aᵀ stalls near 1 and
        // breaks down, GMRES needs 206 steps).
        const hf = historyGap(fwd.residualHistory, cpuF.residualHistory, 8);
        const ht = historyGap(adj.residualHistory, cpuT.residualHistory, 8);
        console.log(`    first 8 residuals vs CPU: ${hf.toExponential(2)}, ${ht.toExponential(2)}`);
        assert.ok(hf < 1e-3 && ht < 1e-3, `${method}: history gaps ${hf}, ${ht}`);
        assert.ok(eF < 1e-7 && eT < 1e-7, `${method}: x errors ${eF}, ${eT}`);
        // The float32 GPU solves take about the CPU's iterations (the same preconditioner), and
        // far fewer than without one.
        for (const [gpu, cpu] of [[fwd, cpuF], [adj, cpuT]]) {
          assert.ok(
            gpu.iterations <= 2 * cpu.iterations + 4,
            `${gpu.iterations} vs ${cpu.iterations}`,
          );
        }
        assert.ok(
          3 * fwd.iterations <= plain.iterations,
          `${fwd.iterations} vs ${plain.iterations}`,
        );

        // New values on the same pattern: the levels and the uploaded Aᵀ levels are rewritten;
        // both states then solve exactly as a fresh upload of the updated hierarchy does (an
        // update keeps the aggregates, so the reference is the CPU hierarchy updated alike).
        const A2 = convectionDiffusion2d(24, 24, { wind: [-1, 3], diffusion: 0.5 });
        assert.ok(!A2.symmetric);
        solver.update(A2);
        const f2 = await solver.compute(b), t2 = await T.compute(b);
        const M2 = amgSetup(A, amg);
        M2.update(A2.values);
        using fresh = await GpuSolver.init(ctx, A2, {
          method,
          preconditioner: "amg",
          amg,
          amgState: M2,
          rtol: 1e-9,
          checkEvery: K,
        });
        const ff = await fresh.compute(b), ft = await (await fresh.transpose()).compute(b);
        assert.deepEqual(f2.innerIterations, ff.innerIterations);
        assert.deepEqual(t2.innerIterations, ft.innerIterations);
        assert.ok(relErr(f2.x, ff.x) < 1e-9 && relErr(t2.x, ft.x) < 1e-9);
        assert.ok(residualOf(A2.transpose(), t2.x, b) <= 1e-9);
      }
    }),
});

Deno.test({
  name:
    "GPU MINRES with AMG: symmetric cycle on Poisson 32² converges in the CPU's iterations, and on Aᵀ; an indefinite cycle stops as on the CPU",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = poisson2d(32), n = A.shape[0];
      const amg = { coarseSize: 40 };
      const b = rhs(n, 7);
      const M = amgSetup(A, amg);
      assert.ok(M.symmetric);
      using solver = await GpuSolver.init(ctx, A, {
        method: "minres",
        preconditioner: "amg",
        amg,
        rtol: 1e-9,
      });
      const r = await solver.compute(b);
      const t = await (await solver.transpose()).compute(b);
      const cpu = krylovSolve(A, b, { method: "minres", preconditioner: M, rtol: 1e-9 });
      const plain = await gpuSolve(ctx, A, b, { method: "minres", rtol: 1e-9 });
      console.log(
        `  minres: AMG ${r.iterations} iterations ${JSON.stringify(r.innerIterations)} ` +
          `(CPU ${cpu.iterations}), Aᵀ ${t.iterations}; unpreconditioned ${plain.iterations}`,
      );
      assert.ok(r.converged && t.converged && r.relativeResidual <= 1e-9);
      assert.ok(relErr(r.x, cpu.x) < 1e-7 && relErr(t.x, r.x) < 1e-8);
      assert.ok(r.iterations <= 2 * cpu.iterations + 4, `${r.iterations} vs ${cpu.iterations}`);
      assert.ok(3 * r.iterations <= plain.iterations, `${r.iterations} vs ${plain.iterations}`);

      // As on the CPU, an AMG cycle that is not positive definite is not refused up front: the
      // solve stops with diverged-indefinite (here r₀ᵀM⁻¹r₀ ≤ 0 for the indefinite A − I).
      const P = poisson2d(12), di = P.pattern.diagonalIndices();
      const v = Float64Array.from(P.values);
      for (const k of di) v[k] -= 1;
      const S = P.withValues(v), bs = rhs(S.shape[0], 3);
      const small = { coarseSize: 20 };
      const cpuS = krylovSolve(S, bs, {
        method: "minres",
        preconditioner: amgSetup(S, small),
        onFailure: "return",
      });
      const gpuS = await gpuSolve(ctx, S, bs, {
        method: "minres",
        preconditioner: "amg",
        amg: small,
        onFailure: "return",
      });
      assert.equal(cpuS.reason, "diverged-indefinite");
      assert.equal(gpuS.reason, cpuS.reason);
      assert.equal(gpuS.iterations, cpuS.iterations);
    }),
});

Deno.test({
  name:
    "solveAsync(webgpu) with AMG: gradients of BiCGSTAB and GMRES (convection–diffusion) and CG equal the CPU's",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const cases = [
        ["bicgstab", CD16],
        ["gmres", CD16],
        ["cg", poisson2d(12)],
      ] as const;
      for (const [method, A] of cases) {
        const n = A.shape[0];
        const amg = { coarseSize: 20 };
        const c = tensor([...rhs(n, 8)]);
        const b = tensor([...rhs(n, 9)]);
        const values = tensor([...A.values]);
        const opts = { method, preconditioner: "amg" as const, amg, rtol: 1e-11 };
        // L(A, b) = cᵀ A⁻¹ b: ∂L/∂b = λ = A⁻ᵀ c, ∂L/∂A[k] = −λ[row k] x[col k].
        let info: SolveInfo | undefined;
        const gpuLoss = async (v: Tensor, bt: Tensor) => {
          info = await solveAsyncWithInfo(sparseTensor(A.pattern, v), bt, {
            ...opts,
            backend: "webgpu",
            gpu: ctx,
          });
          return dot(c, info.x);
        };
        const cpuLoss = (v: Tensor, bt: Tensor) =>
          dot(c, solve(sparseTensor(A.pattern, v), bt, opts));
        const gv = await gradAsync(gpuLoss, 0)(values, b);
        const gb = await gradAsync(gpuLoss, 1)(values, b);
        const cv = grad(cpuLoss, 0)(values, b);
        const cb = grad(cpuLoss, 1)(values, b);
        // The adjoint solve Aᵀλ = c ran on the GPU with the transposed AMG cycle.
        const adjoint = info!.adjoints[0];
        assert.equal(info!.forward.preconditioner, "amg");
        assert.ok(adjoint.converged && adjoint.preconditioner === "amg", adjoint.message);
        const ev = relErr(gv.data, cv.data), eb = relErr(gb.data, cb.data);
        console.log(
          `  ${method}: gradient vs CPU: values ${ev.toExponential(2)}, b ${eb.toExponential(2)}`,
        );
        assert.ok(ev < 1e-8 && eb < 1e-8, `${method}: ${ev}, ${eb}`);
      }
    }),
});

Deno.test({
  name: "solveAsync(webgpu) takes an AMG state as preconditioner and refreshes it to the values",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = poisson2d(16);
      const n = A.shape[0];
      const state = amgSetup(A, { coarseSize: 20 });
      const values = A.values.map((v) => 2 * v); // new values, the same strong couplings
      const B = A.withValues(values);
      const b = tensor([...rhs(n, 3)]);
      const info = await solveAsyncWithInfo(sparseTensor(A.pattern, tensor([...values])), b, {
        method: "gmres",
        preconditioner: state,
        rtol: 1e-10,
        backend: "webgpu",
        gpu: ctx,
      });
      assert.equal(info.forward.preconditioner, "amg");
      assert.ok(info.forward.converged, info.forward.message);
      // The state now holds the call's values (a numeric update), and info reports it.
      assert.deepEqual(state.levels[0].A.values, values);
      assert.equal(info.amg?.timed, "update");
      const fresh = amgSetup(B, { coarseSize: 20 });
      const z1 = new Float64Array(n), z2 = new Float64Array(n);
      state.apply(rhs(n, 4), z1);
      fresh.apply(rhs(n, 4), z2);
      assert.ok(relErr(z1, z2) < 1e-12);
      const x = info.x.data;
      const r = B.multiply(x).map((v, i) => v - b.data[i]);
      assert.ok(Math.hypot(...r) <= 1e-9 * Math.hypot(...b.data));
      await assert.rejects(
        () =>
          solveAsyncWithInfo(sparseTensor(A.pattern, tensor([...values])), b, {
            preconditioner: {
              name: "mine",
              symmetric: true,
              apply: () => {},
              applyTranspose: () => {},
            },
            backend: "webgpu",
            gpu: ctx,
          }),
        /or an AMG state from amgSetup/,
      );
    }),
});
