// The differentiable solve validates its inputs the same way in every gradient mode (implicit,
// unrolled, truncated), names the offending entry, and applies the same failure policy.
import assert from "node:assert/strict";
import { grad, sparseTensor, sum, type Tensor, tensor } from "../lib/autodiff/mod.ts";
import { NonFiniteError, ShapeError } from "../lib/errors.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import type { AdjointMode } from "../lib/diff/solve.ts";
import { solve, solveWithInfo } from "../lib/diff/solve.ts";
import { poisson, randomVector } from "./_krylov_cases.ts";

const P = poisson(4);
const n = P.shape[0];
const A = sparseTensor(P.pattern, P.values);
const b0 = randomVector(n, 1);
const modes: [string, AdjointMode][] = [
  ["implicit", "implicit"],
  ["unrolled", "unrolled"],
  ["truncated", { truncated: 3 }],
];

for (const [name, adjoint] of modes) {
  Deno.test(`solve (${name}): NaN or Inf in b names the entry and its value`, () => {
    const b = Float64Array.from(b0);
    b[3] = NaN;
    assert.throws(() => solve(A, tensor(b), { adjoint }), (e: Error) => {
      assert.ok(e instanceof NonFiniteError, String(e));
      assert.match(e.message, /b\[3\] is NaN/);
      return true;
    });
    b[3] = -Infinity;
    assert.throws(() => solve(A, tensor(b), { adjoint }), /b\[3\] is -Infinity/);
  });

  Deno.test(`solve (${name}): NaN in a stored value of A is a NonFiniteError`, () => {
    const v = Float64Array.from(P.values);
    v[5] = NaN;
    assert.throws(() => solve(sparseTensor(P.pattern, v), tensor(b0), { adjoint }), NonFiniteError);
  });

  Deno.test(`solve (${name}): invalid tolerances, caps and x0 are refused`, () => {
    const b = tensor(b0);
    assert.throws(() => solve(A, b, { adjoint, rtol: -1 }), RangeError);
    assert.throws(() => solve(A, b, { adjoint, atol: NaN }), RangeError);
    assert.throws(() => solve(A, b, { adjoint, maxIter: 0 }), RangeError);
    assert.throws(() => solve(A, b, { adjoint, maxIter: 2.5 }), RangeError);
    assert.throws(() => solve(A, b, { adjoint, x0: new Float64Array(n - 1) }), ShapeError);
  });

  Deno.test(`solve (${name}): an unconverged solve throws by default and returns on request`, () => {
    const b = tensor(b0);
    assert.throws(() => solve(A, b, { adjoint, maxIter: 1, rtol: 1e-12 }), ConvergenceError);
    const info = solveWithInfo(A, b, { adjoint, maxIter: 1, rtol: 1e-12, onFailure: "return" });
    // Truncated mode converges numerically first, so its single pre-solve iteration fails too.
    assert.equal(info.forward.reason, "diverged-max-iterations");
    assert.equal(info.forward.converged, false);
  });

  Deno.test(`solve (${name}): x0 of the right length is used; the solution matches a dense solve`, () => {
    const x = solve(A, tensor(b0), { adjoint, x0: new Float64Array(n).fill(1), rtol: 1e-12 });
    const e = denseSolve(P.toDense(), n, b0);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(x.data[i] - e[i]) < 1e-9);
  });
}

Deno.test("solve (unrolled): iterations must be an integer >= 1", () => {
  for (const iterations of [-3, 0, 1.5, NaN]) {
    assert.throws(() => solve(A, tensor(b0), { adjoint: "unrolled", iterations }), RangeError);
  }
});

Deno.test("solve (unrolled): fixed iterations that do not converge follow the failure policy", () => {
  assert.throws(
    () => solve(A, tensor(b0), { adjoint: "unrolled", iterations: 2 }),
    ConvergenceError,
  );
  const info = solveWithInfo(A, tensor(b0), {
    adjoint: "unrolled",
    iterations: 2,
    onFailure: "return",
  });
  assert.equal(info.forward.reason, "diverged-max-iterations");
  assert.equal(info.forward.iterations, 2);
});

Deno.test("solve (unrolled): CG on an indefinite matrix says indefinite, as the numeric CG", () => {
  const D = sparseTensor(P.pattern, P.values.map((v, k) => (k === 0 ? -v : v)));
  const M = solveWithInfo(D, tensor(b0), {
    method: "cg",
    adjoint: "unrolled",
    onFailure: "return",
  });
  const N = solveWithInfo(D, tensor(b0), { method: "cg", onFailure: "return" });
  assert.equal(N.forward.reason, "diverged-indefinite");
  assert.equal(M.forward.reason, "diverged-indefinite");
});

Deno.test("solve (unrolled): b at 1e-170 and 1e200 gives the scaled solution and gradient", () => {
  const e = denseSolve(P.toDense(), n, b0);
  for (const s of [1e-170, 1e200]) {
    const b = tensor(b0.map((v) => v * s));
    const x = solve(A, b, { adjoint: "unrolled", rtol: 1e-12 });
    for (let i = 0; i < n; i++) assert.ok(Math.abs(x.data[i] / s - e[i]) < 1e-9, `scale ${s}`);
    // d(Σx)/db = A⁻ᵀ1 does not depend on the scale of b.
    const g = grad((bb: Tensor) => sum(solve(A, bb, { adjoint: "unrolled", rtol: 1e-12 })))(b);
    const e1 = denseSolve(P.toDense(), n, new Float64Array(n).fill(1));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(g.data[i] - e1[i]) < 1e-8, `scale ${s}`);
  }
});

Deno.test("SolveInfo says when the gradient is not the derivative of A⁻¹b", () => {
  const implicit = solveWithInfo(A, tensor(b0));
  assert.equal(implicit.gradientMode, "implicit");
  assert.equal(implicit.gradientNote, undefined);
  const unrolled = solveWithInfo(A, tensor(b0), { adjoint: "unrolled" });
  assert.equal(unrolled.gradientMode, "unrolled");
  assert.match(unrolled.gradientNote!, /not the derivative of A⁻¹b/);
  const truncated = solveWithInfo(A, tensor(b0), { adjoint: { truncated: 2 } });
  assert.equal(truncated.gradientMode, "truncated");
  assert.match(truncated.gradientNote!, /2 cg iterations/);
});
