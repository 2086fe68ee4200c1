// LinearSolver, the CPU solver state: init sets up once, compute solves, transpose gives Aᵀ's
// state with the transposed preconditioner (or the same factors), update takes new values on the
// same pattern without a new setup. Every answer is checked against a dense solve.
import assert from "node:assert/strict";
import { ShapeError } from "../lib/errors.ts";
import { denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import { LinearSolver } from "../lib/linalg/linear_solver.ts";
import type { PreconditionerName } from "../lib/linalg/preconditioner.ts";
import type { SolveMethod } from "../lib/linalg/result.ts";
import { anisotropic2d, convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { assertClose, randomVector } from "./_krylov_cases.ts";
import { turnedAnisotropy } from "./_amg_cases.ts";

const close = assertClose;

const S = poisson2d(24);
const N = convectionDiffusion2d(24, 24, { wind: [1, 0.5] });
const rows = N.pattern.rowIndices(), cols = N.pattern.colIdx;
/** New values on the same pattern: D A D (still SPD for S, still nonsymmetric for N). */
const scaled = (A: typeof S) =>
  A.values.map((v, k) => v * (1 + 0.2 * Math.sin(rows[k])) * (1 + 0.2 * Math.sin(cols[k])));

const cases: [string, typeof S, SolveMethod, PreconditionerName][] = [
  ["SPD, CG + AMG", S, "cg", "amg"],
  ["SPD, CG + IC(0)", S, "cg", "ic0"],
  ["SPD, MINRES + Jacobi", S, "minres", "jacobi"],
  ["SPD, direct", S, "direct", "none"],
  ["nonsymmetric, GMRES + ILU(0)", N, "gmres", "ilu0"],
  ["nonsymmetric, BiCGSTAB + AMG", N, "bicgstab", "amg"],
  ["nonsymmetric, direct", N, "direct", "none"],
];

for (const [name, A, method, preconditioner] of cases) {
  Deno.test(`LinearSolver (${name}): compute, transpose and update against dense solves`, () => {
    const n = A.shape[0];
    const solver = LinearSolver.init(A, { method, preconditioner, rtol: 1e-11 });
    const b = randomVector(n, 1);
    close(solver.compute(b).x, denseSolve(A.toDense(), n, b), 1e-8, "A x = b");
    const T = solver.transpose();
    assert.equal(T.transposed, true);
    assert.equal(solver.transpose(), T);
    assert.equal(T.transpose(), solver);
    close(T.compute(b).x, denseSolveTranspose(A.toDense(), n, b), 1e-8, "Aᵀ x = b");
    // New values: the state and its transpose both follow.
    const A2 = A.withValues(scaled(A));
    solver.update(A2.values);
    close(solver.compute(b).x, denseSolve(A2.toDense(), n, b), 1e-8, "updated A x = b");
    close(T.compute(b).x, denseSolveTranspose(A2.toDense(), n, b), 1e-8, "updated Aᵀ x = b");
    // A block of right-hand sides through the same state.
    const k = 3, B = randomVector(n * k, 2);
    const results = solver.computeBlock(B, k);
    for (let j = 0; j < k; j++) {
      const bj = Float64Array.from({ length: n }, (_, i) => B[i * k + j]);
      close(results[j].x, denseSolve(A2.toDense(), n, bj), 1e-8, `block column ${j}`);
    }
  });
}

Deno.test("LinearSolver.update keeps the AMG hierarchy (numeric update, not a new setup)", () => {
  const solver = LinearSolver.init(S, { preconditioner: "amg" });
  const M = solver.preconditioner!;
  solver.update(scaled(S));
  assert.equal(solver.preconditioner, M);
  assert.equal((M as unknown as { info: { timed: string } }).info.timed, "update");
});

Deno.test("LinearSolver refuses bad input clearly", () => {
  assert.throws(() => LinearSolver.init(S.withValues(S.values.map(() => NaN))), /NaN/);
  const solver = LinearSolver.init(S);
  assert.throws(() => solver.update(new Float64Array(3)), ShapeError);
  assert.throws(() => solver.computeBlock(new Float64Array(5), 2), ShapeError);
});

Deno.test("update() sets AMG up afresh when the strong couplings drifted (amgResetupDrift)", () => {
  const m = 96;
  const A = anisotropic2d(m, m, 1e-3);
  // The anisotropy turned by 90°: same pattern, the strong couplings swap.
  const T = turnedAnisotropy(m, 1e-3);
  const turned = T.values;
  const b = randomVector(m * m, 5);
  const fresh = LinearSolver.init(T, { preconditioner: "amg", rtol: 1e-8 }).compute(b);
  const auto = LinearSolver.init(A, { preconditioner: "amg", rtol: 1e-8 });
  assert.equal(auto.amg?.timed, "setup");
  auto.update(A.values.map((v) => 2 * v)); // same strong couplings: kept
  assert.equal(auto.amg?.timed, "update");
  auto.update(turned);
  assert.equal(auto.amg?.timed, "setup");
  assert.equal(auto.amg?.strengthDrift, 0);
  const r = auto.compute(b);
  assert.equal(r.iterations, fresh.iterations);
  close(r.x, fresh.x, 1e-7);
  // amgResetupDrift 1 keeps the aggregates however far the couplings moved.
  const kept = LinearSolver.init(A, { preconditioner: "amg", rtol: 1e-8, amgResetupDrift: 1 });
  kept.update(turned);
  assert.equal(kept.amg?.timed, "update");
  assert.equal(kept.amg?.strengthDrift, 1);
  assert.ok(kept.compute(b).iterations >= 3 * fresh.iterations);
  assert.equal(LinearSolver.init(poisson2d(4)).amg, undefined);
  assert.throws(
    () => LinearSolver.init(A, { preconditioner: "amg", amgResetupDrift: 2 }),
    /amgResetupDrift must be in \[0, 1\], got 2/,
  );
});
