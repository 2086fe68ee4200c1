import assert from "node:assert/strict";
import { cg } from "../lib/linalg/cg.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { jacobi } from "../lib/linalg/jacobi.ts";
import { minres } from "../lib/linalg/minres.ts";
import { userPreconditioner } from "../lib/linalg/user_preconditioner.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { kkt, maxAbs, maxDiff, poisson, randomVector } from "./_krylov_cases.ts";

Deno.test("minres() solves a symmetric indefinite KKT system on which cg() fails", () => {
  const A = kkt(40);
  const n = A.shape[0];
  const b = randomVector(n, 1);
  const want = denseSolve(A.toDense(), n, b);
  const r = minres(A, b, { rtol: 1e-10 });
  assert.equal(r.reason, "converged-rtol");
  assert.equal(r.method, "minres");
  assert.ok(r.relativeResidual <= 1e-10);
  assert.ok(maxDiff(r.x, want) < 1e-8 * maxAbs(want), `error ${maxDiff(r.x, want)}`);
  assert.equal(r.residualHistory.length, r.iterations + 1);
  for (let i = 1; i < r.residualHistory.length; i++) {
    assert.ok(r.residualHistory[i] <= r.residualHistory[i - 1] * (1 + 1e-12));
  }
  assert.equal(cg(A, b, { onFailure: "return" }).reason, "diverged-indefinite");
});

Deno.test("minres() matches cg() on SPD Poisson and IC(0) lowers its iteration count", () => {
  const A = poisson(12);
  const b = randomVector(144, 2);
  const plain = minres(A, b, { rtol: 1e-9 });
  const pre = minres(A, b, { rtol: 1e-9, preconditioner: ic0(A) });
  const ref = cg(A, b, { rtol: 1e-12 });
  assert.ok(maxDiff(plain.x, ref.x) < 1e-7 * maxAbs(ref.x));
  assert.ok(maxDiff(pre.x, ref.x) < 1e-7 * maxAbs(ref.x));
  assert.ok(pre.relativeResidual <= 1e-9);
  assert.ok(pre.iterations < 0.6 * plain.iterations, `${pre.iterations} vs ${plain.iterations}`);
});

Deno.test("minres() with Jacobi solves a badly scaled symmetric indefinite system", () => {
  // D K D with K the KKT matrix plus a small diagonal on the constraint block.
  const K = kkt(30).toDense();
  const n = 45;
  const rows: number[][] = [];
  const d = (i: number) => 10 ** ((i % 5) - 2);
  for (let i = 0; i < n; i++) {
    rows.push(
      Array.from(
        { length: n },
        (_, j) => d(i) * (K[i * n + j] + (i === j && i >= 30 ? -0.1 : 0)) * d(j),
      ),
    );
  }
  const A = CsrMatrix.fromDense(rows);
  const b = randomVector(n, 3);
  // Jacobi of an indefinite matrix is indefinite; use |diag| as the SPD preconditioner.
  const diag = A.diagonal();
  const absJacobi = userPreconditioner({
    symmetric: true,
    apply: (r, z) => {
      for (let i = 0; i < n; i++) z[i] = r[i] / Math.abs(diag[i]);
    },
  });
  const plain = minres(A, b, { rtol: 1e-9 });
  const pre = minres(A, b, { rtol: 1e-9, preconditioner: absJacobi });
  assert.ok(pre.relativeResidual <= 1e-9);
  assert.ok(maxDiff(pre.x, denseSolve(A.toDense(), n, b)) < 1e-6 * maxAbs(pre.x));
  assert.ok(pre.iterations < 0.5 * plain.iterations, `${pre.iterations} vs ${plain.iterations}`);
  // The signed Jacobi preconditioner is indefinite and MINRES says so.
  const signed = minres(A, b, { preconditioner: jacobi(A), onFailure: "return" });
  assert.equal(signed.reason, "diverged-indefinite");
});

Deno.test("minres() handles a singular but consistent system (1-D Neumann Laplacian)", () => {
  // Null space = constants; b has zero mean, so A x = b is consistent.
  const n = 40;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array(n).fill(0);
    row[i] = i === 0 || i === n - 1 ? 1 : 2;
    if (i > 0) row[i - 1] = -1;
    if (i < n - 1) row[i + 1] = -1;
    rows.push(row);
  }
  const A = CsrMatrix.fromDense(rows);
  const b = randomVector(n, 4);
  const mean = b.reduce((s, v) => s + v, 0) / n;
  for (let i = 0; i < n; i++) b[i] -= mean;
  const r = minres(A, b, { rtol: 1e-10 });
  assert.equal(r.reason, "converged-rtol");
  assert.ok(r.relativeResidual <= 1e-10);
  // From x0 = 0, MINRES stays in range(A) and returns the minimum-norm solution.
  const xMean = r.x.reduce((s, v) => s + v, 0) / n;
  assert.ok(Math.abs(xMean) < 1e-8 * maxAbs(r.x), `mean of x ${xMean}`);
});

Deno.test("minres() reports diverged-max-iterations and the callback sees each iteration", () => {
  const A = kkt(40);
  const seen: number[] = [];
  const r = minres(A, randomVector(60, 5), {
    maxIter: 6,
    onFailure: "return",
    callback: ({ iteration }) => void seen.push(iteration),
  });
  assert.equal(r.reason, "diverged-max-iterations");
  assert.equal(r.iterations, 6);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
});
