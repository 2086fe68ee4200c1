import assert from "node:assert/strict";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { gpuSolve, type GpuSolveResult } from "../lib/gpu/solve.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "./_data.ts";
import { maxRelativeError, noGpu, withGpu } from "./_gpu.ts";

function rhs(n: number): Float64Array {
  return new Float64Array(n).map((_, i) => Math.sin(0.37 * i) + 0.5);
}

/** ‖b − A x‖ / ‖b‖ in float64 (Aᵀ when `transpose`). */
function trueResidual(A: CsrMatrix, x: Float64Array, b: Float64Array, transpose = false): number {
  const ax = new Float64Array(b.length);
  if (transpose) A.applyTranspose(x, ax);
  else A.apply(x, ax);
  let r = 0, bb = 0;
  for (let i = 0; i < b.length; i++) {
    r += (b[i] - ax[i]) ** 2;
    bb += b[i] ** 2;
  }
  return Math.sqrt(r / bb);
}

function assertHonest(
  A: CsrMatrix,
  b: Float64Array,
  r: GpuSolveResult,
  rtol: number,
  transpose = false,
) {
  const rel = trueResidual(A, r.x, b, transpose);
  assert.ok(
    Math.abs(rel - r.relativeResidual) <= 1e-12 + 1e-6 * rel,
    "reported residual is the true one",
  );
  assert.equal(r.converged, r.reason.startsWith("converged"));
  if (r.converged) assert.ok(rel <= rtol, `converged claims ${rel} <= ${rtol}`);
  assert.equal(r.innerIterations.reduce((s, k) => s + k, 0), r.iterations);
  assert.equal(r.refinements, Math.max(0, r.innerIterations.length - 1));
}

const SPD = poisson2d(16);
const NONSYM = convectionDiffusion2d(16, 16, { wind: [1, -0.6] });
const K = 25;

Deno.test({
  name: "gpuSolve() reaches rtol 1e-10 by refinement and matches the dense float64 solution",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const cases = [
        [SPD, "cg", "none"],
        [SPD, "cg", "jacobi"],
        [SPD, "bicgstab", "jacobi"],
        [SPD, "gmres", "none"],
        [NONSYM, "bicgstab", "none"],
        [NONSYM, "gmres", "jacobi"],
      ] as const;
      for (const [A, method, preconditioner] of cases) {
        const n = A.shape[0];
        const b = rhs(n);
        const want = denseSolve(A.toDense(), n, b);
        const r = await gpuSolve(ctx, A, b, { method, preconditioner, rtol: 1e-10, checkEvery: K });
        const tag = `${method}/${preconditioner} on ${A.symmetric ? "SPD" : "nonsymmetric"}`;
        assert.equal(r.reason, "converged-rtol", tag);
        assert.ok(trueResidual(A, r.x, b) <= 1e-10, tag);
        assert.ok(maxRelativeError(r.x, want) < 1e-8, `${tag}: x matches the dense solve`);
        assert.ok(r.refinements >= 1, `${tag}: float32 alone cannot reach 1e-10`);
        assertHonest(A, b, r, 1e-10);
        const perSolve = r.innerIterations.map((k) => Math.ceil(k / K));
        const bound = perSolve.reduce((s, k) => s + k, 0) +
          (method === "gmres" ? 2 : 0) * perSolve.length;
        assert.ok(
          r.readbacks <= bound,
          `${tag}: ${r.readbacks} read-backs for ${r.innerIterations}`,
        );
        if (method === "cg") assert.equal(r.readbacks, perSolve.reduce((s, k) => s + k, 0));
        assert.equal(r.method, method);
        assert.equal(r.preconditioner, preconditioner);
        assert.match(r.device, /\S/);
      }
    }),
});

Deno.test({
  name: "gpuSolve() with a loose rtol uses one float32 solve and no refinement",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const b = rhs(SPD.shape[0]);
      const r = await gpuSolve(ctx, SPD, b, { method: "cg", rtol: 1e-4 });
      assert.equal(r.reason, "converged-rtol");
      assert.equal(r.refinements, 0);
      assert.equal(r.readbacks, Math.ceil(r.iterations / 25));
      assert.ok(r.residualHistory.length === r.iterations + 1);
      assertHonest(SPD, b, r, 1e-4);
    }),
});

Deno.test({
  name: "gpuSolve() with transpose solves Aᵀx = b",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const b = rhs(NONSYM.shape[0]);
      const r = await gpuSolve(ctx, NONSYM, b, { method: "gmres", transpose: true, rtol: 1e-9 });
      assert.ok(trueResidual(NONSYM, r.x, b, true) <= 1e-9);
      assert.ok(trueResidual(NONSYM, r.x, b, false) > 1e-3, "not the solution of A x = b");
      assertHonest(NONSYM, b, r, 1e-9, true);
    }),
});

Deno.test({
  name: "gpuSolve() reports failures honestly",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const b = rhs(SPD.shape[0]);
      const capped = await gpuSolve(ctx, SPD, b, { method: "cg", maxIter: 5, onFailure: "return" });
      assert.equal(capped.reason, "diverged-max-iterations");
      assert.equal(capped.iterations, 5);
      assertHonest(SPD, b, capped, 1e-8);
      await assert.rejects(
        gpuSolve(ctx, SPD, b, { method: "bicgstab", maxIter: 4 }),
        ConvergenceError,
      );

      const indefinite = CsrMatrix.fromDense([[2, 1, 0], [1, -3, 1], [0, 1, 2]]);
      const bi = Float64Array.of(1, 1, 1);
      const r = await gpuSolve(ctx, indefinite, bi, { method: "cg", onFailure: "return" });
      assert.equal(r.reason, "diverged-indefinite");
      assertHonest(indefinite, bi, r, 1e-8);

      const zero = await gpuSolve(ctx, SPD, new Float64Array(SPD.shape[0]), { method: "cg" });
      assert.equal(zero.reason, "converged-atol");
      assert.equal(zero.readbacks, 0);
      assert.ok(zero.x.every((v) => v === 0));
    }),
});

Deno.test({
  name: "gpuSolve() on real matrices (bcsstk01, west0067) never claims an unmet tolerance",
  ignore: noGpu || !hasSharedData,
  fn: () =>
    withGpu(async (ctx) => {
      const cases = [["bcsstk01", "cg", "jacobi"], ["west0067", "gmres", "none"]] as const;
      for (const [name, method, preconditioner] of cases) {
        const { matrix: A } = await readMatrixMarket(matrixPath(name));
        const b = rhs(A.shape[0]);
        const r = await gpuSolve(ctx, A, b, {
          method,
          preconditioner,
          rtol: 1e-8,
          onFailure: "return",
        });
        assertHonest(A, b, r, 1e-8);
      }
    }),
});
