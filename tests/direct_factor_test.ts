import assert from "node:assert/strict";
import { FactorizationError, NonFiniteError, SingularMatrixError } from "../lib/errors.ts";
import { denseLu, denseSolve } from "../lib/linalg/dense.ts";
import { analyze } from "../lib/linalg/direct/symbolic.ts";
import { directSolve, factor, factorize } from "../lib/linalg/direct/factor.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random unsymmetric sparse matrix with a zero diagonal in every third row (needs pivoting). */
function randomUnsymmetric(n: number, perRow: number, seed: number): CsrMatrix {
  const r = rng(seed);
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 3 !== 0) rows.push(i), cols.push(i), vals.push(2 + r());
    rows.push(i), cols.push((i + 1) % n), vals.push(1 + r()); // keeps it nonsingular
    for (let t = 0; t < perRow; t++) {
      const j = Math.floor(r() * n);
      if (j !== i) rows.push(i), cols.push(j), vals.push(r() - 0.5);
    }
  }
  return CsrMatrix.fromTriplets(n, n, rows, cols, vals);
}

/** Random sparse SPD matrix: BᵀB-like pattern made diagonally dominant. */
function randomSpd(n: number, seed: number): CsrMatrix {
  const r = rng(seed);
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  const diag = new Float64Array(n).fill(1);
  for (let t = 0; t < 3 * n; t++) {
    const i = Math.floor(r() * n), j = Math.floor(r() * n);
    if (i === j) continue;
    const v = r() - 0.5;
    rows.push(i, j), cols.push(j, i), vals.push(v, v);
    diag[i] += Math.abs(v), diag[j] += Math.abs(v);
  }
  for (let i = 0; i < n; i++) rows.push(i), cols.push(i), vals.push(diag[i]);
  return CsrMatrix.fromTriplets(n, n, rows, cols, vals);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function transposeDense(d: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = d[i * n + j];
  return t;
}

Deno.test("factorize() LU solves match a dense LU on matrices with zero diagonals", () => {
  for (const seed of [1, 2, 3]) {
    const n = 60;
    const A = randomUnsymmetric(n, 3, seed);
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + seed));
    const f = factorize(A);
    assert.equal(f.kind, "lu");
    const dense = A.toDense();
    assert.ok(maxDiff(f.solve(b), denseSolve(dense, n, b)) < 1e-10);
  }
});

Deno.test("solveTranspose() matches a dense LU of Aᵀ (LU and Cholesky)", () => {
  const n = 50;
  for (const A of [randomUnsymmetric(n, 3, 7), randomSpd(n, 8)]) {
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const f = factorize(A);
    const reference = denseLu(transposeDense(A.toDense(), n), n).solve(b);
    assert.ok(maxDiff(f.solveTranspose(b), reference) < 1e-10, f.kind);
  }
});

Deno.test("factorize() picks Cholesky for SPD matrices and agrees with LU", () => {
  const A = randomSpd(80, 11);
  const b = Float64Array.from({ length: 80 }, (_, i) => i % 7 - 3);
  const c = factorize(A), l = factorize(A, { kind: "lu" });
  assert.equal(c.kind, "cholesky");
  assert.equal(l.kind, "lu");
  assert.ok(maxDiff(c.solve(b), l.solve(b)) < 1e-12);
  assert.ok(maxDiff(c.solve(b), denseSolve(A.toDense(), 80, b)) < 1e-12);
  assert.equal(c.nnzU, c.nnzL);
  assert.ok(c.pivotGrowth <= 1 + 1e-12, `growth ${c.pivotGrowth}`);
});

Deno.test("factorize() auto falls back to LU on a symmetric indefinite matrix; cholesky refuses it", () => {
  // positive diagonal, symmetric, eigenvalues 3 and -1
  const A = CsrMatrix.fromDense([[1, 2], [2, 1]]);
  const f = factorize(A);
  assert.equal(f.kind, "lu");
  assert.ok(maxDiff(f.solve(Float64Array.of(3, 3)), [1, 1]) < 1e-15);
  assert.throws(
    () => factorize(A, { kind: "cholesky" }),
    (e: unknown) =>
      e instanceof FactorizationError && e.row === 1 && /not positive definite/.test(e.message),
  );
});

Deno.test("refactor() after a value change equals a fresh factorisation bit for bit", () => {
  const n = 70;
  const A = randomUnsymmetric(n, 3, 21);
  const f = factorize(A);
  const b = Float64Array.from({ length: n }, (_, i) => 1 + (i % 5));
  const r = rng(5);
  // small change: same pivots, replayed; large change: pivots move, factored afresh
  for (const scale of [1e-3, 1]) {
    const values = A.values.map((v) => v * (1 + scale * (r() - 0.5)));
    const g = f.refactor(values);
    const fresh = factorize(A.withValues(values));
    assert.deepEqual(g.solve(b), fresh.solve(b));
    assert.deepEqual(g.solveTranspose(b), fresh.solveTranspose(b));
    assert.equal(g.nnzL + g.nnzU, fresh.nnzL + fresh.nnzU);
    assert.ok(maxDiff(g.solve(b), denseSolve(A.withValues(values).toDense(), n, b)) < 1e-10);
  }
  const S = randomSpd(60, 4);
  const c = factorize(S);
  const values = S.values.map((v, k) => v * (1 + 0.01 * Math.sin(k)));
  // keep it symmetric: scale by a function of the unordered pair
  const rowsOf = S.pattern.rowIndices();
  for (let k = 0; k < values.length; k++) {
    const i = rowsOf[k], j = S.pattern.colIdx[k];
    values[k] = S.values[k] * (1 + 0.01 * Math.sin(i + j));
  }
  const bS = b.subarray(0, 60);
  assert.deepEqual(c.refactor(values).solve(bS), factorize(S.withValues(values)).solve(bS));
});

Deno.test("factor() reuses one symbolic analysis for many value arrays", () => {
  const A = poisson2d(12);
  const s = analyze(A.pattern, { kind: "cholesky" });
  for (const shift of [0, 1, 10]) {
    const values = A.values.map((v, k) =>
      v + (A.pattern.rowIndices()[k] === A.pattern.colIdx[k] ? shift : 0)
    );
    const f = factor(s, values);
    const x = f.solve(A.withValues(values).multiply(new Float64Array(144).fill(1)));
    assert.ok(maxDiff(x, new Float64Array(144).fill(1)) < 1e-12);
  }
});

Deno.test("factorize() refuses a structurally singular matrix, naming the empty column", () => {
  const n = 8, rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j === 5) continue; // column 5 is empty
      if (i === j || Math.abs(i - j) === 1) rows.push(i), cols.push(j), vals.push(i === j ? 4 : 1);
    }
  }
  const A = CsrMatrix.fromTriplets(n, n, rows, cols, vals);
  for (const ordering of ["amd", "natural"] as const) {
    assert.throws(
      () => factorize(A, { ordering }),
      (e: unknown) =>
        e instanceof SingularMatrixError && e.column === 5 &&
        e.message.includes("column 5 (1-based 6)") && e.message.includes("structurally"),
    );
  }
});

Deno.test("factorize() refuses a matrix with two equal rows (numerically singular)", () => {
  const n = 30;
  const base = randomUnsymmetric(n, 3, 9).toDense();
  for (let j = 0; j < n; j++) base[17 * n + j] = base[4 * n + j]; // row 17 := row 4
  const rows = Array.from({ length: n }, (_, i) => Array.from(base.subarray(i * n, (i + 1) * n)));
  const A = CsrMatrix.fromDense(rows);
  for (const kind of ["auto", "lu"] as const) {
    let caught: unknown;
    try {
      factorize(A, { kind });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof SingularMatrixError, String(caught));
    assert.ok(caught.column >= 0 && caught.column < n);
    assert.ok(caught.message.includes(`column ${caught.column} (1-based ${caught.column + 1})`));
  }
  // symmetric singular (graph Laplacian, rows sum to 0): Cholesky then LU both refuse it
  const L = poisson2d(4).values.slice();
  const P = poisson2d(4);
  const ri = P.pattern.rowIndices();
  for (let k = 0; k < L.length; k++) if (ri[k] === P.pattern.colIdx[k]) L[k] = 0;
  const deg = new Float64Array(16);
  for (let k = 0; k < L.length; k++) deg[ri[k]] -= L[k];
  for (let k = 0; k < L.length; k++) if (ri[k] === P.pattern.colIdx[k]) L[k] = deg[ri[k]];
  assert.throws(() => factorize(P.withValues(L)), SingularMatrixError);
});

Deno.test("factorize() and directSolve() refuse NaN and Inf", () => {
  const A = CsrMatrix.fromDense([[2, 1], [1, NaN]]);
  assert.throws(() => factorize(A), NonFiniteError);
  const B = CsrMatrix.fromDense([[2, 1], [1, 2]]);
  assert.throws(() => directSolve(B, Float64Array.of(1, Infinity)), NonFiniteError);
  assert.throws(() => factorize(B).refactor(Float64Array.of(1, NaN, 1, 1)), NonFiniteError);
});

Deno.test("conditionEstimate() is within a factor 10 below the true κ₁", () => {
  const cases = [
    randomUnsymmetric(40, 3, 31),
    randomSpd(40, 32),
    CsrMatrix.fromDense([[1e-6, 1], [1, 1]]),
  ];
  // rows of tridiag(-1, 4, -1) scaled by 10^(-i/3): κ₁ around 1e8
  const n = 25, rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = 10 ** (-i / 3);
    for (let j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j++) {
      rows.push(i), cols.push(j), vals.push(s * (i === j ? 4 : -1));
    }
  }
  cases.push(CsrMatrix.fromTriplets(n, n, rows, cols, vals));
  for (const A of cases) {
    const m = A.shape[0];
    const d = A.toDense();
    const f = denseLu(d, m);
    let invNorm = 0, aNorm = 0;
    for (let j = 0; j < m; j++) {
      const e = new Float64Array(m);
      e[j] = 1;
      const col = f.solve(e);
      let s = 0, sa = 0;
      for (let i = 0; i < m; i++) s += Math.abs(col[i]), sa += Math.abs(d[i * m + j]);
      invNorm = Math.max(invNorm, s);
      aNorm = Math.max(aNorm, sa);
    }
    const truth = aNorm * invNorm;
    const est = factorize(A).conditionEstimate();
    assert.ok(truth > 2, `κ₁ ${truth}`);
    assert.ok(est <= truth * (1 + 1e-8) && est >= truth / 10, `estimate ${est} vs κ₁ ${truth}`);
  }
});

Deno.test("directSolve() reports a converged-direct result with the true residual", () => {
  const A = randomUnsymmetric(100, 4, 41);
  const xTrue = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i));
  const b = A.multiply(xTrue);
  const r = directSolve(A, b);
  assert.equal(r.reason, "converged-direct");
  assert.equal(r.converged, true);
  assert.equal(r.method, "direct");
  assert.ok(r.relativeResidual < 1e-14);
  const ax = A.multiply(r.x);
  let rn = 0, bn = 0;
  for (let i = 0; i < 100; i++) rn += (b[i] - ax[i]) ** 2, bn += b[i] ** 2;
  // Computed at unit scale: equal to the plain formula up to rounding.
  assert.ok(Math.abs(r.relativeResidual / (Math.sqrt(rn) / Math.sqrt(bn)) - 1) < 1e-12);
  assert.ok(r.iterations >= 1 && r.iterations <= 2);
  assert.equal(r.residualHistory.length, r.iterations);
  assert.ok(maxDiff(r.x, xTrue) < 1e-10);
  assert.ok(r.message.includes("LU factorisation"));
  const zero = directSolve(A, new Float64Array(100));
  assert.equal(zero.relativeResidual, 0);
  assert.ok(zero.x.every((v) => v === 0));
});
