import assert from "node:assert/strict";
import { bicgstab } from "../lib/linalg/bicgstab.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { gmres } from "../lib/linalg/gmres.ts";
import { ilu0 } from "../lib/linalg/ilu0.ts";
import { matrixFreeOperator } from "../lib/linalg/operator.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion, maxAbs, maxDiff, randomVector } from "./_krylov_cases.ts";

Deno.test("bicgstab() converges on nonsymmetric convection-diffusion to the dense solution", () => {
  const A = convectionDiffusion(10, 3, 1);
  const b = randomVector(100, 1);
  const want = denseSolve(A.toDense(), 100, b);
  const r = bicgstab(A, b, { rtol: 1e-10 });
  assert.equal(r.reason, "converged-rtol");
  assert.equal(r.method, "bicgstab");
  assert.ok(r.relativeResidual <= 1e-10);
  assert.ok(maxDiff(r.x, want) < 1e-8 * maxAbs(want), `error ${maxDiff(r.x, want)}`);
  // Iterations count matrix–vector products: two per BiCGSTAB step, one per history entry.
  assert.equal(r.residualHistory.length, r.iterations + 1);
});

Deno.test("bicgstab() with ILU(0) needs fewer iterations than without", () => {
  const A = convectionDiffusion(16, 2, 1);
  const b = randomVector(256, 2);
  const plain = bicgstab(A, b, { rtol: 1e-9 });
  const pre = bicgstab(A, b, { rtol: 1e-9, preconditioner: ilu0(A) });
  assert.equal(pre.preconditioner, "ilu0");
  assert.ok(pre.relativeResidual <= 1e-9);
  assert.ok(
    pre.iterations < 0.5 * plain.iterations,
    `ilu0 ${pre.iterations} vs none ${plain.iterations}`,
  );
  assert.ok(maxDiff(pre.x, plain.x) < 1e-6 * maxAbs(plain.x));
});

Deno.test("bicgstab() reports diverged-breakdown when ω = 0, where GMRES succeeds", () => {
  // A = [[1, 1], [1, 0]], b = e₁: α = 1, s = (0, −1), t = A s = (−1, 0), tᵀs = 0 ⇒ ω = 0.
  const A = CsrMatrix.fromDense([[1, 1], [1, 0]]);
  const b = Float64Array.of(1, 0);
  const r = bicgstab(A, b, { onFailure: "return" });
  assert.equal(r.reason, "diverged-breakdown");
  assert.equal(r.iterations, 2);
  assert.ok(Math.abs(r.relativeResidual - 1) < 1e-15); // x = α p = e₁, r = s = (0, −1)
  const g = gmres(A, b, { rtol: 1e-12 });
  assert.ok(maxDiff(g.x, [0, 1]) < 1e-12);
});

Deno.test("bicgstab() reports diverged-breakdown when r̂ᵀA p = 0", () => {
  // Skew-symmetric A: r̂ᵀ A r̂ = 0 at the first step.
  const A = CsrMatrix.fromDense([[0, 1], [-1, 0]]);
  const r = bicgstab(A, Float64Array.of(1, 1), { onFailure: "return" });
  assert.equal(r.reason, "diverged-breakdown");
  assert.equal(r.iterations, 0);
});

Deno.test("bicgstab() can stop after a half-step when maxIter is odd", () => {
  const A = convectionDiffusion(6);
  const b = randomVector(36, 3);
  const r = bicgstab(A, b, { maxIter: 3, onFailure: "return" });
  assert.equal(r.reason, "diverged-max-iterations");
  assert.equal(r.iterations, 3);
  assert.equal(r.residualHistory.length, 4);
  // The reported x is the half-step iterate x + α p̂, whose residual is s.
  assert.ok(Math.abs(r.relativeResidual - r.residualHistory[3]) < 1e-12);
});

Deno.test("bicgstab() starts from x0 and reports non-finite from a NaN operator", () => {
  const A = convectionDiffusion(5);
  const b = randomVector(25, 4);
  const want = denseSolve(A.toDense(), 25, b);
  const x0 = want.map((v) => v + 1e-3);
  const warm = bicgstab(A, b, { x0, rtol: 1e-10 });
  const cold = bicgstab(A, b, { rtol: 1e-10 });
  assert.ok(warm.residualHistory[0] < 1e-2);
  assert.ok(maxDiff(warm.x, want) < 1e-8 * maxAbs(want));
  assert.ok(cold.residualHistory[0] === 1);

  let calls = 0;
  const flaky = matrixFreeOperator({
    rows: 25,
    apply: (x, y) => {
      A.apply(x, y);
      if (++calls === 4) y[0] = Infinity;
    },
  });
  const r = bicgstab(flaky, b, { onFailure: "return" });
  assert.equal(r.reason, "diverged-non-finite");
  assert.ok(r.x.every(Number.isFinite));
});
