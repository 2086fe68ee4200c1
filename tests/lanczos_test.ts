import assert from "node:assert/strict";
import {
  cg,
  CsrMatrix,
  jacobi,
  lanczosCondition,
  type Preconditioner,
  randomSparseSpd,
  Rng,
  tridiagonalExtremes,
} from "@gradsolve/gradsolve";

/** All eigenvalues of a dense symmetric matrix (row-major n×n), by cyclic Jacobi rotations. */
function symmetricEigenvalues(A: Float64Array, n: number): number[] {
  const a = Float64Array.from(A);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => x - y);
}

/** Runs CG (at most `maxIter` steps) and collects its α and β from the callback. */
function cgAlphaBeta(A: CsrMatrix, b: Float64Array, M?: Preconditioner, maxIter = 10 * b.length) {
  const alphas: number[] = [], betas: number[] = [];
  const result = cg(A, b, {
    rtol: 1e-13,
    maxIter,
    onFailure: "return",
    ...(M ? { preconditioner: M } : {}),
    callback: (info) => {
      alphas.push(info.alpha!);
      if (info.beta !== undefined) betas.push(info.beta);
    },
  });
  return { alphas, betas, result };
}

Deno.test("tridiagonalExtremes() matches the closed-form spectrum of tridiag(−1, 2, −1)", () => {
  const m = 40;
  const { min, max } = tridiagonalExtremes(new Array(m).fill(2), new Array(m - 1).fill(-1));
  // Eigenvalues 2 − 2cos(kπ/(m + 1)), k = 1 … m.
  assert.ok(Math.abs(min - (2 - 2 * Math.cos(Math.PI / (m + 1)))) < 1e-13, `${min}`);
  assert.ok(Math.abs(max - (2 - 2 * Math.cos((m * Math.PI) / (m + 1)))) < 1e-13, `${max}`);
});

Deno.test("tridiagonalExtremes() of a 1×1 matrix and of a nonuniform 3×3 against Jacobi", () => {
  assert.deepEqual(tridiagonalExtremes([-3], []), { min: -3, max: -3 });
  const d = [4, -1, 7], e = [2, 0.5];
  const eig = symmetricEigenvalues(Float64Array.of(4, 2, 0, 2, -1, 0.5, 0, 0.5, 7), 3);
  const { min, max } = tridiagonalExtremes(d, e);
  assert.ok(Math.abs(min - eig[0]) < 1e-13, `${min} vs ${eig[0]}`);
  assert.ok(Math.abs(max - eig[2]) < 1e-13, `${max} vs ${eig[2]}`);
  assert.throws(() => tridiagonalExtremes([], []), RangeError);
  assert.throws(() => tridiagonalExtremes([1, 2], [1, 1]), RangeError);
});

Deno.test("lanczosCondition() after n CG steps on a diagonal matrix recovers its eigenvalue range", () => {
  const n = 12;
  const eig = Array.from({ length: n }, (_, i) => 1 + (99 * i) / (n - 1)); // 1, 10, … 100
  const A = CsrMatrix.fromDense(eig.map((v, i) => eig.map((_, j) => (i === j ? v : 0))));
  // n steps span the whole Krylov space (later ones would only add rounding ghosts).
  const { alphas, betas } = cgAlphaBeta(A, new Float64Array(n).fill(1), undefined, n);
  assert.equal(alphas.length, n);
  assert.equal(betas.length, n - 1);
  const est = lanczosCondition(alphas, betas);
  assert.ok(Math.abs(est.lambdaMin - 1) < 1e-8, `λmin ${est.lambdaMin}`);
  assert.ok(Math.abs(est.lambdaMax - 100) / 100 < 1e-10, `λmax ${est.lambdaMax}`);
  assert.ok(Math.abs(est.condition - 100) / 100 < 1e-8, `κ ${est.condition}`);
});

Deno.test("lanczosCondition() matches the dense eigenvalues of a random SPD matrix, plain and Jacobi-preconditioned", () => {
  const n = 30, A = randomSparseSpd(n, { seed: 3, nnzPerRow: 6, shift: 0.5 });
  const rng = new Rng(8);
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const dense = new Float64Array(n * n), d = A.diagonal();
  const scaled = new Float64Array(n * n); // D^{-1/2} A D^{-1/2}: the spectrum of D⁻¹A
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      dense[i * n + j] = A.get(i, j);
      scaled[i * n + j] = A.get(i, j) / Math.sqrt(d[i] * d[j]);
    }
  }
  for (const [M, mat] of [[undefined, dense], [jacobi(A), scaled]] as const) {
    const eig = symmetricEigenvalues(mat, n);
    const { alphas, betas, result } = cgAlphaBeta(A, b, M);
    assert.ok(result.converged);
    const est = lanczosCondition(alphas, betas);
    const lmin = eig[0], lmax = eig[n - 1];
    assert.ok(Math.abs(est.lambdaMin - lmin) / lmin < 1e-10, `λmin ${est.lambdaMin} vs ${lmin}`);
    assert.ok(Math.abs(est.lambdaMax - lmax) / lmax < 1e-10, `λmax ${est.lambdaMax} vs ${lmax}`);
    assert.ok(Math.abs(est.condition - lmax / lmin) / (lmax / lmin) < 1e-10);
  }
});

Deno.test("lanczosCondition() rejects missing or non-CG coefficients", () => {
  assert.throws(() => lanczosCondition([], []), RangeError);
  assert.throws(() => lanczosCondition([1, 2], []), RangeError);
  assert.throws(() => lanczosCondition([1, -2], [0.5]), RangeError);
  assert.throws(() => lanczosCondition([1, 2], [Number.NaN]), RangeError);
  // One step: T = [1/α].
  assert.deepEqual(lanczosCondition([0.25], []), { lambdaMin: 4, lambdaMax: 4, condition: 1 });
  // Extra β (a final one) are ignored.
  assert.deepEqual(lanczosCondition([0.25], [0.1]), lanczosCondition([0.25], []));
});
