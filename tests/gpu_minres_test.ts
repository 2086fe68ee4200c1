import assert from "node:assert/strict";
import { FactorizationError, ShapeError } from "../lib/errors.ts";
import { solveGradients } from "../lib/diff/solve_gradients.ts";
import { GpuMatrix } from "../lib/gpu/buffers.ts";
import { GpuMinres } from "../lib/gpu/minres.ts";
import { gpuSolve, GpuSolver, type GpuSolveResult } from "../lib/gpu/solve.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { minres } from "../lib/linalg/minres.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion, kkt, poisson, randomVector } from "./_krylov_cases.ts";
import { maxRelativeError, noGpu, withGpu } from "./_gpu.ts";

const K = 10;

/** ‖b − A x‖ / ‖b‖ in float64. */
function relResidual(A: CsrMatrix, x: Float64Array, b: Float64Array): number {
  const ax = new Float64Array(b.length);
  A.apply(x, ax);
  let r = 0, bb = 0;
  for (let i = 0; i < b.length; i++) {
    r += (b[i] - ax[i]) ** 2;
    bb += b[i] ** 2;
  }
  return Math.sqrt(r / bb);
}

/** One read-back per `K` iterations of each float32 solve, nothing more. */
function assertReadbacks(r: GpuSolveResult, tag: string) {
  const perSolve = r.innerIterations.reduce((s, it) => s + Math.max(1, Math.ceil(it / K)), 0);
  assert.equal(r.readbacks, perSolve, `${tag}: ${r.readbacks} read-backs for ${r.innerIterations}`);
  assert.ok(
    r.readbacks <= Math.ceil(r.iterations / K) + r.refinements + 1,
    `${tag}: ${r.readbacks} read-backs, ${r.iterations} iterations, ${r.refinements} refinements`,
  );
  assert.equal(r.innerIterations.reduce((s, it) => s + it, 0), r.iterations);
}

Deno.test({
  name: "GPU MINRES: SPD Poisson and a symmetric indefinite KKT matrix match the dense solve",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const cases = [
        ["SPD Poisson 8×8", poisson(8), "none"],
        ["SPD Poisson 8×8, Jacobi", poisson(8), "jacobi"],
        ["KKT m = 40 (indefinite)", kkt(40), "none"],
      ] as const;
      for (const [tag, A, preconditioner] of cases) {
        const n = A.shape[0];
        const b = randomVector(n, 7);
        const want = denseSolve(A.toDense(), n, b);
        const r = await gpuSolve(ctx, A, b, {
          method: "minres",
          preconditioner,
          rtol: 1e-10,
          checkEvery: K,
        });
        assert.equal(r.method, "minres");
        assert.equal(r.reason, "converged-rtol", tag);
        assert.ok(relResidual(A, r.x, b) <= 1e-10, `${tag}: true residual`);
        assert.ok(Math.abs(relResidual(A, r.x, b) - r.relativeResidual) <= 1e-12, tag);
        assert.ok(maxRelativeError(r.x, want) < 1e-8, `${tag}: x matches the dense solve`);
        assert.ok(r.refinements >= 1, `${tag}: float32 alone cannot reach 1e-10`);
        assertReadbacks(r, tag);
        // The float32 solves follow the CPU's iteration: the first one takes about as many
        // steps as CPU MINRES needs for the same inner tolerance.
        const cpu = minres(A, b, { rtol: 1e-5, onFailure: "return" });
        assert.ok(
          Math.abs(r.innerIterations[0] - cpu.iterations) <= Math.max(3, cpu.iterations / 4),
          `${tag}: GPU ${r.innerIterations[0]} vs CPU ${cpu.iterations} iterations to 1e-5`,
        );
      }
    }),
});

Deno.test({
  name: "GPU MINRES: the float32 solve keeps its scalars on the GPU (one read-back per batch)",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = kkt(20);
      const n = A.shape[0];
      const rhs = randomVector(n, 3);
      const s = Math.hypot(...rhs);
      for (let i = 0; i < n; i++) rhs[i] /= s;
      using M = GpuMatrix.upload(ctx, A);
      using solver = await GpuMinres.create(ctx, M, new Float32Array(n).fill(1), 4);
      const clock = { record: 0, submit: 0, wait: 0 };
      const r = await solver.run(rhs, 1e-5, 500, clock);
      assert.equal(r.code, "converged");
      assert.equal(r.readbacks, Math.ceil(r.iterations / 4));
      assert.equal(r.history.length, r.iterations);
      // The history is MINRES's |φ̄|: non-increasing, ending at the tolerance.
      for (let i = 1; i < r.history.length; i++) {
        assert.ok(r.history[i] <= r.history[i - 1] * 1.001);
      }
      assert.ok(r.history.at(-1)! <= 1e-5);
      assert.ok(relResidual(A, r.x, rhs) < 1e-4, "float32 x has a small true residual");
      // Iteration cap: stops with max-iterations after exactly that many steps.
      const capped = await solver.run(rhs, 1e-5, 6, clock);
      assert.equal(capped.code, "max-iterations");
      assert.equal(capped.iterations, 6);
      assert.equal(capped.readbacks, 2);
    }),
});

Deno.test({
  name: "GPU MINRES refuses a nonsymmetric matrix and a Jacobi diagonal that is not positive",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const N = convectionDiffusion(4);
      const b = randomVector(16, 1);
      await assert.rejects(
        () => gpuSolve(ctx, N, b, { method: "minres" }),
        (e: unknown) =>
          e instanceof ShapeError && /not symmetric .*MINRES needs A = Aᵀ/.test(e.message),
      );
      // Symmetric indefinite with a negative diagonal entry: fine without a preconditioner,
      // refused with Jacobi (M = diag(A) is not SPD).
      const S = CsrMatrix.fromDense([[4, 1, 0], [1, -3, 1], [0, 1, 2]]);
      const bs = Float64Array.of(1, 2, 3);
      const ok = await gpuSolve(ctx, S, bs, { method: "minres", rtol: 1e-10 });
      assert.equal(ok.reason, "converged-rtol");
      assert.ok(maxRelativeError(ok.x, denseSolve(S.toDense(), 3, bs)) < 1e-8);
      await assert.rejects(
        () => gpuSolve(ctx, S, bs, { method: "minres", preconditioner: "jacobi" }),
        (e: unknown) =>
          e instanceof FactorizationError && e.row === 1 && /not positive definite/.test(e.message),
      );
      // A value update to a nonsymmetric (or non-SPD-Jacobi) matrix is refused before upload.
      const P = poisson(3);
      using solver = await GpuSolver.init(ctx, P, { method: "minres", preconditioner: "jacobi" });
      const skew = P.values.slice();
      skew[1] += 0.5;
      assert.throws(() => solver.update(skew), ShapeError);
      const negative = P.values.map((v) => -v);
      assert.throws(() => solver.update(negative), FactorizationError);
      const r = await solver.compute(randomVector(9, 2), { rtol: 1e-10 });
      assert.equal(r.reason, "converged-rtol", "the state still holds the old values");
    }),
});

Deno.test({
  name: "GPU MINRES: an honest failure reason when the iteration budget is spent",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = kkt(40);
      const b = randomVector(60, 5);
      const r = await gpuSolve(ctx, A, b, {
        method: "minres",
        maxIter: 5,
        checkEvery: K,
        onFailure: "return",
      });
      assert.equal(r.reason, "diverged-max-iterations");
      assert.equal(r.converged, false);
      assert.equal(r.iterations, 5);
      assert.ok(Math.abs(relResidual(A, r.x, b) - r.relativeResidual) <= 1e-12);
      await assert.rejects(
        () => gpuSolve(ctx, A, b, { method: "minres", maxIter: 5 }),
        ConvergenceError,
      );
    }),
});

Deno.test({
  name: "GPU MINRES: value updates, and gradients through solveAsync on webgpu match the CPU's",
  ignore: noGpu,
  fn: () =>
    withGpu(async (gpu) => {
      const A = kkt(20);
      const n = A.shape[0];
      const b = randomVector(n, 11), g = randomVector(n, 12);
      using solver = await GpuSolver.init(gpu, A, { method: "minres" });
      const r1 = await solver.compute(b, { rtol: 1e-10 });
      solver.update(A.values.map((v) => 2 * v));
      const r2 = await solver.compute(b, { rtol: 1e-10 });
      assert.ok(maxRelativeError(r2.x, r1.x.map((v) => v / 2)) < 1e-8);
      const cpu = await solveGradients(A, b, g, { method: "minres", rtol: 1e-11 });
      const onGpu = await solveGradients(A, b, g, {
        method: "minres",
        rtol: 1e-10,
        backend: "webgpu",
        gpu,
      });
      assert.ok(onGpu.forward.converged && onGpu.adjoint.converged);
      assert.equal(onGpu.forward.method, "minres");
      assert.ok(maxRelativeError(onGpu.x, cpu.x) < 1e-8);
      assert.ok(maxRelativeError(onGpu.gradB, cpu.gradB) < 1e-8);
      assert.ok(maxRelativeError(onGpu.gradValues, cpu.gradValues) < 1e-8);
    }),
});
