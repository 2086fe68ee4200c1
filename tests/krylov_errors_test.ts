import assert from "node:assert/strict";
import { NonFiniteError, ShapeError } from "../lib/errors.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { bicgstab } from "../lib/linalg/bicgstab.ts";
import { cg } from "../lib/linalg/cg.ts";
import { gmres } from "../lib/linalg/gmres.ts";
import type { KrylovMethod } from "../lib/linalg/krylov.ts";
import { krylovSolve } from "../lib/linalg/solve.ts";
import { minres } from "../lib/linalg/minres.ts";
import { type LinearOperator, matrixFreeOperator } from "../lib/linalg/operator.ts";
import type { KrylovOptions } from "../lib/linalg/options.ts";
import type { SolveResult } from "../lib/linalg/result.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { maxDiff, poisson, randomVector } from "./_krylov_cases.ts";

type Solver = (A: LinearOperator, b: Float64Array, o?: KrylovOptions) => SolveResult;
const solvers: [KrylovMethod, Solver][] = [
  ["cg", cg],
  ["bicgstab", bicgstab],
  ["gmres", gmres],
  ["minres", minres],
];
const A = poisson(3);
const b = randomVector(9, 1);

for (const [name, solve] of solvers) {
  Deno.test(`${name}() rejects non-square, empty and mismatched inputs with ShapeError`, () => {
    const wide = matrixFreeOperator({ rows: 2, cols: 3, apply: () => {} });
    assert.throws(
      () => solve(wide, new Float64Array(2)),
      (e) => e instanceof ShapeError && /2x3 but must be square/.test(e.message),
    );
    const empty = CsrMatrix.fromTriplets(0, 0, [], [], []);
    assert.throws(() => solve(empty, new Float64Array(0)), ShapeError);
    assert.throws(
      () => solve(A, new Float64Array(8)),
      (e) =>
        e instanceof ShapeError && /b has length 8 but the operator has 9 rows/.test(e.message),
    );
    assert.throws(
      () => solve(A, b, { x0: new Float64Array(10) }),
      (e) => e instanceof ShapeError && /x0 has length 10/.test(e.message),
    );
  });

  Deno.test(`${name}() rejects NaN/Inf in b, x0 and A with NonFiniteError naming the index`, () => {
    const bad = b.slice();
    bad[4] = NaN;
    assert.throws(
      () => solve(A, bad),
      (e) => e instanceof NonFiniteError && e.message === "Cannot use b: b[4] is NaN",
    );
    const x0 = new Float64Array(9);
    x0[2] = -Infinity;
    assert.throws(
      () => solve(A, b, { x0 }),
      (e) => e instanceof NonFiniteError && /x0\[2\] is -Infinity/.test(e.message),
    );
    const values = A.values.slice();
    values[3] = Infinity; // row 1 holds entries 3..6: (1, 0), (1, 1), (1, 2), (1, 4)
    assert.throws(
      () => solve(A.withValues(values), b),
      (e) => e instanceof NonFiniteError && /entry \(1, 0\) is Infinity/.test(e.message),
    );
  });

  Deno.test(`${name}() rejects invalid options with RangeError naming the value`, () => {
    const bad: [KrylovOptions, RegExp][] = [
      [{ rtol: -1 }, /rtol must be finite and >= 0, got -1/],
      [{ rtol: NaN }, /rtol .* got NaN/],
      [{ atol: -1e-3 }, /atol .* got -0.001/],
      [{ maxIter: 0 }, /maxIter must be an integer >= 1, got 0/],
      [{ maxIter: 2.5 }, /maxIter .* got 2.5/],
      [{ restart: 0 }, /restart must be an integer >= 1, got 0/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => solve(A, b, options),
        (e) => e instanceof RangeError && message.test(e.message),
        JSON.stringify(options),
      );
    }
  });

  Deno.test(`${name}() throws ConvergenceError by default and returns with onFailure "return"`, () => {
    const P = poisson(8);
    const rhs = randomVector(64, 2);
    assert.throws(
      () => solve(P, rhs, { maxIter: 2 }),
      (e) =>
        e instanceof ConvergenceError && e.result.reason === "diverged-max-iterations" &&
        e.result.iterations === 2 && e.message.startsWith(`${name} did not converge`),
    );
    const r = solve(P, rhs, { maxIter: 2, onFailure: "return" });
    assert.equal(r.converged, false);
    assert.equal(r.reason, "diverged-max-iterations");
    assert.equal(r.method, name);
    assert.ok(r.message.includes("maxIter"));
  });

  Deno.test(`${name}() returns x = 0 after 0 iterations for b = 0, ignoring x0`, () => {
    const r = solve(A, new Float64Array(9), { x0: randomVector(9, 3) });
    assert.equal(r.reason, "converged-atol");
    assert.equal(r.iterations, 0);
    assert.deepEqual([...r.x], new Array(9).fill(0));
    assert.deepEqual(r.residualHistory, [0]);
  });
}

Deno.test("krylovSolve() dispatches to each method with identical results", () => {
  const P = poisson(5);
  const rhs = randomVector(25, 4);
  for (const [name, solve] of solvers) {
    const viaDispatch = krylovSolve(P, rhs, { method: name, rtol: 1e-10 });
    const direct = solve(P, rhs, { rtol: 1e-10 });
    assert.equal(viaDispatch.method, name);
    assert.equal(viaDispatch.iterations, direct.iterations);
    assert.equal(maxDiff(viaDispatch.x, direct.x), 0);
  }
  assert.throws(
    () => krylovSolve(P, rhs, { method: "lsqr" as KrylovMethod }),
    (e) => e instanceof RangeError && /got lsqr/.test(e.message),
  );
});
