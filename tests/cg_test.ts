import assert from "node:assert/strict";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { cg } from "../lib/linalg/cg.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { jacobi } from "../lib/linalg/jacobi.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { matrixFreeOperator } from "../lib/linalg/operator.ts";
import { userPreconditioner } from "../lib/linalg/user_preconditioner.ts";
import { norm2 } from "../lib/linalg/vector.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "./_data.ts";
import { kkt, maxAbs, maxDiff, poisson, randomVector } from "./_krylov_cases.ts";

function trueRelativeResidual(A: CsrMatrix, x: Float64Array, b: Float64Array): number {
  const r = A.multiply(x);
  for (let i = 0; i < r.length; i++) r[i] = b[i] - r[i];
  return norm2(r) / norm2(b);
}

Deno.test("cg() converges on 2-D Poisson to the dense solution", () => {
  const A = poisson(10);
  const b = randomVector(100, 1);
  const want = denseSolve(A.toDense(), 100, b);
  const r = cg(A, b, { rtol: 1e-10 });
  assert.equal(r.reason, "converged-rtol");
  assert.equal(r.converged, true);
  assert.equal(r.method, "cg");
  assert.equal(r.preconditioner, "none");
  assert.ok(r.relativeResidual <= 1e-10);
  assert.ok(Math.abs(r.relativeResidual - trueRelativeResidual(A, r.x, b)) < 1e-15);
  assert.ok(maxDiff(r.x, want) < 1e-9 * maxAbs(want), `error ${maxDiff(r.x, want)}`);
  assert.equal(r.residualHistory.length, r.iterations + 1);
  assert.equal(r.residualHistory[0], 1);
  // CG on a 100-unknown SPD system needs at most 100 steps in exact arithmetic.
  assert.ok(r.iterations > 10 && r.iterations < 100, `${r.iterations} iterations`);
});

Deno.test("cg() reports converged-atol when atol dominates", () => {
  const A = poisson(6);
  const b = randomVector(36, 2);
  const atol = 1e-3 * norm2(b);
  const r = cg(A, b, { rtol: 1e-6, atol });
  assert.equal(r.reason, "converged-atol");
  assert.ok(r.residualNorm <= atol && r.residualNorm > 1e-6 * norm2(b));
});

Deno.test("cg() returns x = 0 after 0 iterations when b = 0", () => {
  const r = cg(poisson(4), new Float64Array(16));
  assert.equal(r.reason, "converged-atol");
  assert.equal(r.iterations, 0);
  assert.equal(r.relativeResidual, 0);
  assert.deepEqual([...r.x], new Array(16).fill(0));
});

Deno.test("cg() starting from the solution takes 0 iterations and keeps x0 untouched", () => {
  const A = poisson(5);
  const x0 = randomVector(25, 3);
  const b = A.multiply(x0);
  const copy = x0.slice();
  const r = cg(A, b, { x0 });
  assert.equal(r.iterations, 0);
  assert.equal(r.converged, true);
  assert.deepEqual(x0, copy);
  assert.ok(maxDiff(r.x, x0) === 0);
});

Deno.test("cg() with IC(0) needs fewer iterations than without on 2-D Poisson", () => {
  const A = poisson(16);
  const b = randomVector(256, 4);
  const plain = cg(A, b, { rtol: 1e-8 });
  const pre = cg(A, b, { rtol: 1e-8, preconditioner: ic0(A) });
  assert.equal(pre.preconditioner, "ic0");
  assert.ok(pre.relativeResidual <= 1e-8);
  assert.ok(
    pre.iterations < 0.6 * plain.iterations,
    `ic0 ${pre.iterations} vs none ${plain.iterations}`,
  );
  assert.ok(maxDiff(pre.x, plain.x) < 1e-6 * maxAbs(plain.x));
});

Deno.test("cg() reports diverged-indefinite on a symmetric indefinite KKT matrix", () => {
  const A = kkt(20);
  const b = randomVector(30, 5);
  const r = cg(A, b, { onFailure: "return" });
  assert.equal(r.reason, "diverged-indefinite");
  assert.equal(r.converged, false);
  assert.ok(r.relativeResidual > 1e-3);
  assert.throws(() => cg(A, b), (e) => e instanceof ConvergenceError && !e.result.converged);
});

Deno.test("cg() reports diverged-indefinite for an indefinite preconditioner", () => {
  const A = poisson(4);
  const negate = userPreconditioner({
    symmetric: true,
    apply: (r, z) => {
      for (let i = 0; i < r.length; i++) z[i] = -r[i];
    },
  });
  const r = cg(A, randomVector(16, 6), { preconditioner: negate, onFailure: "return" });
  assert.equal(r.reason, "diverged-indefinite");
  assert.equal(r.iterations, 0);
  assert.equal(r.preconditioner, "user");
});

Deno.test("cg() reports diverged-breakdown when pᵀAp = 0", () => {
  // diag(1, 0), b = (1, 1): α = 2, x = (2, 2), r = (−1, 1), then p = (0, 2) with A p = 0.
  const A = CsrMatrix.fromDense([[1, 0], [0, 0]], true);
  const r = cg(A, Float64Array.of(1, 1), { onFailure: "return" });
  assert.equal(r.reason, "diverged-breakdown");
  assert.equal(r.iterations, 1);
  assert.deepEqual([...r.x], [2, 2]);
});

Deno.test("cg() reports diverged-max-iterations and throws ConvergenceError by default", () => {
  const A = poisson(10);
  const b = randomVector(100, 7);
  const r = cg(A, b, { maxIter: 3, onFailure: "return" });
  assert.equal(r.reason, "diverged-max-iterations");
  assert.equal(r.iterations, 3);
  assert.equal(r.residualHistory.length, 4);
  assert.ok(r.relativeResidual > 1e-3 && r.relativeResidual < 1);
  assert.throws(
    () => cg(A, b, { maxIter: 3 }),
    (e) => e instanceof ConvergenceError && e.result.iterations === 3 && /maxIter/.test(e.message),
  );
});

Deno.test("cg() reports diverged-stagnation when rtol is below machine precision", () => {
  const A = poisson(8);
  const b = randomVector(64, 8);
  const r = cg(A, b, { rtol: 1e-20, onFailure: "return" });
  assert.equal(r.reason, "diverged-stagnation");
  // The iterate is as accurate as float64 allows, and the history shows the
  // recursive residual passing below the tolerance the true one cannot reach.
  assert.ok(r.relativeResidual < 1e-13 && r.relativeResidual > 1e-20);
  assert.ok(Math.min(...r.residualHistory) <= 1e-20);
});

Deno.test("cg() solves a matrix-free 1-D Laplacian like the CSR matrix", () => {
  const n = 50;
  const A = matrixFreeOperator({
    rows: n,
    symmetric: true,
    apply: (x, y) => {
      for (let i = 0; i < n; i++) {
        y[i] = 2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0);
      }
    },
  });
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i), cols.push(i), vals.push(2);
    if (i > 0) rows.push(i), cols.push(i - 1), vals.push(-1);
    if (i < n - 1) rows.push(i), cols.push(i + 1), vals.push(-1);
  }
  const csr = CsrMatrix.fromTriplets(n, n, rows, cols, vals);
  const b = randomVector(n, 9);
  const free = cg(A, b, { rtol: 1e-12 });
  const stored = cg(csr, b, { rtol: 1e-12 });
  assert.equal(free.iterations, stored.iterations);
  assert.ok(maxDiff(free.x, stored.x) < 1e-12 * maxAbs(stored.x));
  assert.ok(maxDiff(free.x, denseSolve(csr.toDense(), n, b)) < 1e-9 * maxAbs(stored.x));
});

Deno.test("cg() reports diverged-non-finite when the operator returns NaN mid-iteration", () => {
  const A = poisson(6);
  let calls = 0;
  const flaky = matrixFreeOperator({
    rows: 36,
    symmetric: true,
    apply: (x, y) => {
      A.apply(x, y);
      if (++calls === 5) y[3] = NaN;
    },
  });
  const r = cg(flaky, randomVector(36, 10), { onFailure: "return" });
  assert.equal(r.reason, "diverged-non-finite");
  // Call 1 is the initial residual, so iterations 1–3 completed.
  assert.equal(r.iterations, 3);
  assert.ok(r.x.every(Number.isFinite));
  assert.ok(Number.isFinite(r.relativeResidual) && r.relativeResidual < 1);
});

Deno.test("cg() calls the callback every iteration and stops when it returns true", () => {
  const A = poisson(8);
  const seen: number[] = [];
  const r = cg(A, randomVector(64, 11), {
    onFailure: "return",
    callback: ({ iteration, relativeResidual }) => {
      seen.push(iteration);
      assert.ok(relativeResidual > 0);
      return iteration === 4;
    },
  });
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(r.iterations, 4);
  assert.equal(r.reason, "diverged-max-iterations");
});

Deno.test({
  name: "cg() solves the real SPD matrices bcsstk01 and nos6, faster with Jacobi and IC(0)",
  ignore: !hasSharedData,
  fn: async () => {
    for (const name of ["bcsstk01", "nos6"]) {
      const { matrix: A } = await readMatrixMarket(matrixPath(name));
      const n = A.shape[0];
      const b = randomVector(n, 12);
      const want = denseSolve(A.toDense(), n, b);
      const counts: number[] = [];
      for (const M of [undefined, jacobi(A), ic0(A)]) {
        const r = cg(A, b, { rtol: 1e-10, preconditioner: M, maxIter: 20000 });
        assert.ok(r.relativeResidual <= 1e-10, `${name}: ${r.relativeResidual}`);
        assert.ok(maxDiff(r.x, want) < 1e-6 * maxAbs(want), `${name}: ${maxDiff(r.x, want)}`);
        counts.push(r.iterations);
      }
      assert.ok(counts[0] > counts[1] && counts[1] > counts[2], `${name}: ${counts}`);
    }
  },
});
