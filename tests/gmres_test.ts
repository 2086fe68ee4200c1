import assert from "node:assert/strict";
import { denseSolve } from "../lib/linalg/dense.ts";
import { gmres } from "../lib/linalg/gmres.ts";
import { ilu0 } from "../lib/linalg/ilu0.ts";
import { matrixFreeOperator } from "../lib/linalg/operator.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "./_data.ts";
import { convectionDiffusion, maxAbs, maxDiff, randomVector } from "./_krylov_cases.ts";

Deno.test("gmres() converges on nonsymmetric convection-diffusion to the dense solution", () => {
  const A = convectionDiffusion(10, 3, 1);
  const b = randomVector(100, 1);
  const want = denseSolve(A.toDense(), 100, b);
  const r = gmres(A, b, { rtol: 1e-10 });
  assert.equal(r.reason, "converged-rtol");
  assert.equal(r.method, "gmres");
  assert.ok(r.relativeResidual <= 1e-10);
  assert.ok(maxDiff(r.x, want) < 1e-8 * maxAbs(want), `error ${maxDiff(r.x, want)}`);
  assert.equal(r.residualHistory.length, r.iterations + 1);
  // The GMRES residual norm never increases.
  for (let i = 1; i < r.residualHistory.length; i++) {
    assert.ok(r.residualHistory[i] <= r.residualHistory[i - 1] * (1 + 1e-12));
  }
});

Deno.test("gmres() with a short restart needs more iterations than with the default", () => {
  const A = convectionDiffusion(12, 1, 0.5);
  const b = randomVector(144, 2);
  const full = gmres(A, b, { rtol: 1e-8 });
  const short = gmres(A, b, { rtol: 1e-8, restart: 5 });
  assert.ok(short.converged && full.converged);
  assert.ok(
    short.iterations > full.iterations,
    `m=5 ${short.iterations} vs m=30 ${full.iterations}`,
  );
  assert.ok(maxDiff(short.x, full.x) < 1e-6 * maxAbs(full.x));
});

Deno.test("gmres() with right ILU(0) preconditioning: fewer iterations, estimate equals true residual", () => {
  const A = convectionDiffusion(16, 2, 1);
  const b = randomVector(256, 3);
  const plain = gmres(A, b, { rtol: 1e-9 });
  const pre = gmres(A, b, { rtol: 1e-9, preconditioner: ilu0(A) });
  assert.equal(pre.preconditioner, "ilu0");
  assert.ok(pre.iterations < 0.5 * plain.iterations, `${pre.iterations} vs ${plain.iterations}`);
  // Right preconditioning: the least-squares estimate is the unpreconditioned residual.
  const estimate = pre.residualHistory[pre.residualHistory.length - 1];
  assert.ok(
    Math.abs(estimate - pre.relativeResidual) < 1e-3 * pre.relativeResidual,
    `estimate ${estimate} vs true ${pre.relativeResidual}`,
  );
});

Deno.test("gmres() treats a happy breakdown as convergence", () => {
  // Three distinct eigenvalues: the Krylov space of b is invariant after 3 steps.
  const A = CsrMatrix.fromDense([
    [1, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0],
    [0, 0, 2, 0, 0, 0],
    [0, 0, 0, 2, 0, 0],
    [0, 0, 0, 0, 3, 0],
    [0, 0, 0, 0, 0, 3],
  ]);
  const b = Float64Array.of(1, 2, 3, 4, 5, 6);
  const r = gmres(A, b, { rtol: 1e-14 });
  assert.equal(r.reason, "converged-rtol");
  assert.equal(r.iterations, 3);
  assert.ok(maxDiff(r.x, [1, 2, 1.5, 2, 5 / 3, 2]) < 1e-14);
});

Deno.test("gmres() solves a matrix-free operator and stops at maxIter across restarts", () => {
  const A = convectionDiffusion(8, 1, 1);
  const free = matrixFreeOperator({ rows: 64, apply: (x, y) => A.apply(x, y) });
  const b = randomVector(64, 4);
  const r = gmres(free, b, { rtol: 1e-10 });
  assert.ok(maxDiff(r.x, denseSolve(A.toDense(), 64, b)) < 1e-8);
  const capped = gmres(free, b, { restart: 4, maxIter: 10, onFailure: "return" });
  assert.equal(capped.reason, "diverged-max-iterations");
  assert.equal(capped.iterations, 10);
  assert.equal(capped.residualHistory.length, 11);
});

Deno.test("gmres() reports diverged-non-finite and keeps the last finite iterate", () => {
  const A = convectionDiffusion(6);
  let calls = 0;
  const flaky = matrixFreeOperator({
    rows: 36,
    apply: (x, y) => {
      A.apply(x, y);
      if (++calls === 4) y[5] = NaN;
    },
  });
  const r = gmres(flaky, randomVector(36, 5), { onFailure: "return" });
  assert.equal(r.reason, "diverged-non-finite");
  assert.equal(r.iterations, 2);
  assert.ok(r.x.every(Number.isFinite));
});

Deno.test("gmres() calls the callback and stops early, keeping the partial update", () => {
  const A = convectionDiffusion(8);
  const b = randomVector(64, 6);
  const r = gmres(A, b, { onFailure: "return", callback: ({ iteration }) => iteration >= 5 });
  assert.equal(r.iterations, 5);
  assert.equal(r.reason, "diverged-max-iterations");
  assert.ok(Math.abs(r.relativeResidual - r.residualHistory[5]) < 1e-10);
});

Deno.test({
  name: "gmres() with ILU(0) solves the real nonsymmetric flow Jacobian 2dcyl1",
  ignore: !hasSharedData,
  fn: async () => {
    const { matrix: A } = await readMatrixMarket(matrixPath("2dcyl1"));
    const b = randomVector(A.shape[0], 7);
    const r = gmres(A, b, { rtol: 1e-10, preconditioner: ilu0(A), maxIter: 500 });
    assert.equal(r.reason, "converged-rtol");
    assert.ok(r.relativeResidual <= 1e-10);
    // Without a preconditioner GMRES(30) needs more than the whole budget.
    const plain = gmres(A, b, { rtol: 1e-10, maxIter: 500, onFailure: "return" });
    assert.equal(plain.reason, "diverged-max-iterations");
    assert.ok(plain.relativeResidual > 1e-6);
  },
});
