import assert from "node:assert/strict";
import { FactorizationError, NonFiniteError, ShapeError } from "../lib/errors.ts";
import { bicgstab } from "../lib/linalg/bicgstab.ts";
import { identityPreconditioner, preconditioner } from "../lib/linalg/build_preconditioner.ts";
import { cg } from "../lib/linalg/cg.ts";
import { denseLu, denseSolve } from "../lib/linalg/dense.ts";
import { gmres } from "../lib/linalg/gmres.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { ilu0 } from "../lib/linalg/ilu0.ts";
import { jacobi } from "../lib/linalg/jacobi.ts";
import { minres } from "../lib/linalg/minres.ts";
import type { Preconditioner, PreconditionerName } from "../lib/linalg/preconditioner.ts";
import type { SolveResult } from "../lib/linalg/result.ts";
import { userPreconditioner } from "../lib/linalg/user_preconditioner.ts";
import { dot } from "../lib/linalg/vector.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion, maxAbs, maxDiff, poisson, randomVector } from "./_krylov_cases.ts";

/** The dense matrix M = (M⁻¹)⁻¹ of a preconditioner, row-major. */
function denseM(M: Preconditioner, n: number): Float64Array {
  const inv = new Float64Array(n * n); // row-major M⁻¹
  const e = new Float64Array(n), z = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    M.apply(e, z);
    for (let i = 0; i < n; i++) inv[i * n + j] = z[i];
  }
  const f = denseLu(inv, n);
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = f.solve(e);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return out;
}

/** SPD matrix with a strongly varying diagonal: D·Poisson·D, D = 10^(i mod 4). */
function scaledPoisson(N: number): CsrMatrix {
  const P = poisson(N);
  const values = P.values.slice();
  const rowIdx = P.pattern.rowIndices();
  for (let k = 0; k < values.length; k++) {
    values[k] *= 10 ** (rowIdx[k] % 4) * 10 ** (P.pattern.colIdx[k] % 4);
  }
  return P.withValues(values);
}

Deno.test("jacobi() divides by the diagonal and rejects a zero diagonal entry", () => {
  const A = CsrMatrix.fromDense([[2, 1, 0], [1, -4, 1], [0, 1, 8]]);
  const z = new Float64Array(3);
  jacobi(A).apply(Float64Array.of(1, 2, 4), z);
  assert.deepEqual([...z], [0.5, -0.5, 0.5]);
  const zero = CsrMatrix.fromDense([[2, 1, 0], [1, 0, 1], [0, 1, 8]]);
  assert.throws(
    () => jacobi(zero),
    (e) =>
      e instanceof FactorizationError && e.row === 1 &&
      e.message === "Cannot build Jacobi preconditioner: diagonal entry of row 1 is 0",
  );
});

Deno.test("ilu0() reproduces A on its pattern (L·U = A there) and is exact without fill-in", () => {
  const A = convectionDiffusion(4, 2, 1);
  const n = 16;
  const LU = denseM(ilu0(A), n);
  const dense = A.toDense();
  const { rowPtr, colIdx } = A.pattern;
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      assert.ok(Math.abs(LU[i * n + j] - dense[i * n + j]) < 1e-12, `(${i}, ${j})`);
    }
  }
  // Fill-in outside the pattern exists (so ILU(0) is not the exact LU here).
  assert.ok(maxDiff(LU, dense) > 1e-3);
  // Tridiagonal: no fill-in, ILU(0) = LU.
  const T = CsrMatrix.fromDense([[4, 1, 0, 0], [2, 5, 1, 0], [0, 3, 6, 1], [0, 0, 1, 7]]);
  assert.ok(maxDiff(denseM(ilu0(T), 4), T.toDense()) < 1e-14);
});

Deno.test("ilu0() throws FactorizationError on a zero pivot or a missing diagonal", () => {
  const singular = CsrMatrix.fromDense([[1, 1], [1, 1]]);
  assert.throws(
    () => ilu0(singular),
    (e) => e instanceof FactorizationError && e.row === 1 && /pivot of row 1 is 0/.test(e.message),
  );
  const noDiagonal = CsrMatrix.fromDense([[1, 1], [1, 0]]);
  assert.throws(
    () => ilu0(noDiagonal),
    (e) => e instanceof FactorizationError && e.row === 1 && /not stored/.test(e.message),
  );
});

Deno.test("ic0() reproduces A on its lower pattern (L·Lᵀ = A there)", () => {
  const A = poisson(5);
  const n = 25;
  const M = ic0(A);
  assert.equal(M.shift, 0);
  assert.equal(M.symmetric, true);
  const LLt = denseM(M, n);
  const dense = A.toDense();
  const { rowPtr, colIdx } = A.pattern;
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      assert.ok(Math.abs(LLt[i * n + j] - dense[i * n + j]) < 1e-12, `(${i}, ${j})`);
    }
  }
  assert.ok(maxDiff(LLt, dense) > 1e-3);
});

Deno.test('ic0() breaks down on the SPD Kershaw matrix; shift: "auto" fixes it', () => {
  const rows = [[3, -2, 0, 2], [-2, 3, -2, 0], [0, -2, 3, -2], [2, 0, -2, 3]];
  const A = CsrMatrix.fromDense(rows);
  // A is SPD: dense Cholesky pivots are all positive.
  const d = A.toDense();
  for (let k = 0; k < 4; k++) {
    assert.ok(d[k * 4 + k] > 0);
    for (let i = k + 1; i < 4; i++) {
      const l = d[i * 4 + k] / d[k * 4 + k];
      for (let j = k; j < 4; j++) d[i * 4 + j] -= l * d[k * 4 + j];
    }
  }
  assert.throws(
    () => ic0(A),
    (e) => e instanceof FactorizationError && e.row === 3 && /shift: "auto"/.test(e.message),
  );
  const M = ic0(A, { shift: "auto" });
  assert.ok(M.shift >= 1e-3 && M.shift <= 1e3);
  // The shift is the first of 1e-3, 1e-2, … that works: a tenth of it fails.
  assert.ok(Math.abs(Math.log10(M.shift) - Math.round(Math.log10(M.shift))) < 1e-12);
  if (M.shift > 1e-3) assert.throws(() => ic0(A, { shift: M.shift / 10 }), FactorizationError);
  const b = Float64Array.of(1, 2, 3, 4);
  const r = cg(A, b, { preconditioner: M, rtol: 1e-12 });
  assert.ok(maxDiff(r.x, denseSolve(A.toDense(), 4, b)) < 1e-10);
  // A negative diagonal cannot be shifted into shape.
  const neg = CsrMatrix.fromDense([[1, 0], [0, -1]]);
  assert.throws(
    () => ic0(neg, { shift: "auto" }),
    (e) => e instanceof FactorizationError && e.row === 1,
  );
  assert.throws(() => ic0(A, { shift: -1 }), RangeError);
});

Deno.test("transposed preconditioners satisfy ⟨M⁻¹u, v⟩ = ⟨u, M⁻ᵀv⟩ on a nonsymmetric matrix", () => {
  const A = convectionDiffusion(6, 3, 2);
  assert.equal(A.symmetric, false);
  const n = 36;
  const u = randomVector(n, 1), v = randomVector(n, 2);
  const Mu = new Float64Array(n), Mtv = new Float64Array(n);
  for (const M of [jacobi(A), ilu0(A), ic0(A, { shift: "auto" })]) {
    M.apply(u, Mu);
    M.applyTranspose(v, Mtv);
    const lhs = dot(Mu, v), rhs = dot(u, Mtv);
    assert.ok(Math.abs(lhs - rhs) < 1e-13 * Math.abs(lhs), `${M.name}: ${lhs} vs ${rhs}`);
  }
  // ILU(0) of a nonsymmetric matrix is nonsymmetric: apply and applyTranspose differ.
  const M = ilu0(A);
  M.apply(u, Mu);
  M.applyTranspose(u, Mtv);
  assert.ok(maxDiff(Mu, Mtv) > 1e-3);
});

Deno.test("userPreconditioner() wraps closures and guards a missing transpose", () => {
  const half = (r: Float64Array, z: Float64Array) => {
    for (let i = 0; i < r.length; i++) z[i] = r[i] / 2;
  };
  const sym = userPreconditioner({ apply: half, symmetric: true, name: "half" });
  const z = new Float64Array(2);
  sym.applyTranspose(Float64Array.of(2, 4), z);
  assert.deepEqual([...z], [1, 2]);
  assert.equal(sym.name, "half");
  const nonsym = userPreconditioner({ apply: half });
  assert.equal(nonsym.symmetric, false);
  assert.throws(() => nonsym.applyTranspose(Float64Array.of(1, 1), z), ShapeError);
  const A = poisson(4);
  const r = cg(A, randomVector(16, 3), { preconditioner: sym, rtol: 1e-10 });
  assert.equal(r.preconditioner, "half");
  assert.ok(r.relativeResidual <= 1e-10);
});

Deno.test("preconditioner() builds each name and rejects unknown ones", () => {
  const A = poisson(3);
  assert.equal(preconditioner("none", A), identityPreconditioner);
  for (const name of ["jacobi", "ilu0", "ic0", "amg"] as const) {
    assert.equal(preconditioner(name, A).name, name);
  }
  assert.throws(
    () => preconditioner("ilut" as PreconditionerName, A),
    (e) => e instanceof RangeError && /got ilut/.test(e.message),
  );
  const bad = A.withValues(A.values.map((v, k) => (k === 4 ? NaN : v)));
  for (const name of ["jacobi", "ilu0", "ic0", "amg"] as const) {
    assert.throws(() => preconditioner(name, bad), NonFiniteError);
  }
  // The identity is skipped by the solvers: same iterates as no preconditioner.
  const b = randomVector(9, 4);
  const withNone = cg(A, b, { preconditioner: identityPreconditioner });
  assert.deepEqual(withNone.x, cg(A, b).x);
  assert.equal(withNone.preconditioner, "none");
});

type Solver = (A: CsrMatrix, b: Float64Array, o: object) => SolveResult;
const spd = scaledPoisson(6);
const nonsym = convectionDiffusion(7, 2, 1);
const cases: [string, Solver, CsrMatrix, PreconditionerName[]][] = [
  ["cg", cg, spd, ["none", "jacobi", "ic0"]],
  ["minres", minres, spd, ["none", "jacobi", "ic0"]],
  ["bicgstab", bicgstab, nonsym, ["none", "jacobi", "ilu0"]],
  ["gmres", gmres, nonsym, ["none", "jacobi", "ilu0"]],
];
for (const [name, solve, A, names] of cases) {
  Deno.test(`${name}() converges with every suitable preconditioner, to the dense solution`, () => {
    const n = A.shape[0];
    const b = randomVector(n, 5);
    const want = denseSolve(A.toDense(), n, b);
    for (const p of names) {
      const r = solve(A, b, { preconditioner: preconditioner(p, A), rtol: 1e-10, maxIter: 5000 });
      assert.equal(r.preconditioner, p);
      assert.ok(r.relativeResidual <= 1e-10, `${p}: ${r.relativeResidual}`);
      assert.ok(maxDiff(r.x, want) < 1e-6 * maxAbs(want), `${p}: error ${maxDiff(r.x, want)}`);
    }
  });
}

Deno.test("preconditioned solves take fewer iterations than unpreconditioned ones", () => {
  const P = poisson(16);
  const S = scaledPoisson(8);
  const C = convectionDiffusion(16, 2, 1);
  const pairs: [string, Solver, CsrMatrix, PreconditionerName][] = [
    ["cg", cg, P, "ic0"],
    ["cg", cg, S, "jacobi"],
    ["minres", minres, P, "ic0"],
    ["gmres", gmres, C, "ilu0"],
    ["bicgstab", bicgstab, C, "ilu0"],
  ];
  for (const [name, solve, A, p] of pairs) {
    const b = randomVector(A.shape[0], 6);
    const plain = solve(A, b, { rtol: 1e-8, maxIter: 20000 });
    const pre = solve(A, b, { rtol: 1e-8, preconditioner: preconditioner(p, A) });
    assert.ok(
      pre.iterations < 0.7 * plain.iterations,
      `${name}+${p}: ${pre.iterations} vs ${plain.iterations}`,
    );
  }
});

Deno.test("ic0().factor reproduces A on its pattern: (L Lᵀ)ᵢⱼ = Aᵢⱼ for stored (i, j)", () => {
  const A = CsrMatrix.fromDense([
    [4, -1, 0, -1, 0],
    [-1, 4, -1, 0, -1],
    [0, -1, 4, 0, 0],
    [-1, 0, 0, 4, -1],
    [0, -1, 0, -1, 4],
  ]);
  const L = ic0(A).factor;
  const Ld = L.toDense(), n = 5;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      if (A.pattern.find(i, j) < 0) continue;
      let s = 0;
      for (let m = 0; m < n; m++) s += Ld[i * n + m] * Ld[j * n + m];
      assert.ok(Math.abs(s - A.get(i, j)) < 1e-13, `(${i}, ${j}): ${s} vs ${A.get(i, j)}`);
    }
  }
});
