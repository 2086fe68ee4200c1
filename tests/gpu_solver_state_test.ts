// GpuSolver as a reusable state: init once (upload + kernels), compute many right-hand sides,
// take new values on the same pattern without a new setup, and give the state of Aᵀ.
import assert from "node:assert/strict";
import { gpuSolve, GpuSolver } from "../lib/gpu/solve.ts";
import { denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import { ShapeError } from "../lib/errors.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { assertClose, convectionDiffusion, poisson, randomVector } from "./_krylov_cases.ts";
import { noGpu, withGpu } from "./_gpu.ts";

const close = assertClose;

Deno.test({
  name: "GpuSolver: one setup serves many right-hand sides, value updates and the transpose",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = convectionDiffusion(5);
      const n = A.shape[0];
      using solver = await GpuSolver.init(ctx, A, { method: "gmres", rtol: 1e-10 });
      const upload = (await solver.compute(randomVector(n, 1))).timings.upload;
      for (const seed of [2, 3]) {
        const b = randomVector(n, seed);
        const r = await solver.compute(b);
        assert.equal(r.timings.upload, upload); // no new upload per solve
        close(r.x, denseSolve(A.toDense(), n, b), 1e-8);
      }
      // New values on the same pattern: the same answer as a fresh setup on them.
      const A2 = A.withValues(A.values.map((v, k) => v * (1 + 0.1 * Math.sin(k))));
      solver.update(A2);
      const b = randomVector(n, 4);
      const updated = await solver.compute(b);
      const fresh = await gpuSolve(ctx, A2, b, { method: "gmres", rtol: 1e-10 });
      close(updated.x, denseSolve(A2.toDense(), n, b), 1e-8);
      close(updated.x, fresh.x, 1e-8);
      // The transposed state solves A2ᵀ λ = g, and follows later updates.
      const T = await solver.transpose();
      assert.equal(T.transposed, true);
      assert.equal(await solver.transpose(), T); // cached
      const g = randomVector(n, 5);
      close((await T.compute(g)).x, denseSolveTranspose(A2.toDense(), n, g), 1e-8);
      solver.update(A);
      close((await T.compute(g)).x, denseSolveTranspose(A.toDense(), n, g), 1e-8);
      // Another pattern is refused.
      const diagonal = CsrMatrix.fromTriplets(
        n,
        n,
        [...Array(n).keys()],
        [...Array(n).keys()],
        new Array(n).fill(1),
      );
      assert.throws(() => solver.update(diagonal), ShapeError);
      assert.throws(() => solver.update(poisson(4)), ShapeError);
    }),
});

Deno.test({
  name: "GpuSolver: Jacobi diagonal follows a value update",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const A = poisson(5);
      const n = A.shape[0];
      using solver = await GpuSolver.init(ctx, A, { method: "cg", preconditioner: "jacobi" });
      const scaled = A.withValues(A.values.map((v) => 3 * v));
      solver.update(scaled);
      const b = randomVector(n, 7);
      const r = await solver.compute(b, { rtol: 1e-10 });
      close(r.x, denseSolve(scaled.toDense(), n, b), 1e-8);
    }),
});
