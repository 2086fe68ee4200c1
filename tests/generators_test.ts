import assert from "node:assert/strict";
import { NonFiniteError, ShapeError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import {
  convectionDiffusion2d,
  diffusion2d,
  diffusion2dPattern,
  poisson1d,
  poisson2d,
  poisson3d,
  randomSparseNonsymmetric,
  randomSparseSpd,
} from "../lib/sparse/generators.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "./_data.ts";

/** Dense Cholesky of a row-major n×n matrix; returns the pivots (all must be > 0 for SPD). */
function choleskyPivots(a: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  const pivots = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    pivots[j] = d;
    if (!(d > 0)) return pivots.subarray(0, j + 1);
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return pivots;
}

function rowSums(A: CsrMatrix): Float64Array {
  return A.multiply(new Float64Array(A.shape[1]).fill(1));
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A v for v = the grid eigenvector ∏ sin(p_a (x_a+1) π / (n_a+1)). */
function checkGridEigenpair(A: CsrMatrix, dims: number[], modes: number[]): void {
  const n = dims.reduce((s, d) => s * d, 1);
  const v = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let rest = r, s = 1;
    dims.forEach((d, a) => {
      const x = rest % d;
      rest = (rest - x) / d;
      s *= Math.sin((modes[a] * (x + 1) * Math.PI) / (d + 1));
    });
    v[r] = s;
  }
  const lambda = dims.reduce(
    (s, d, a) => s + 2 - 2 * Math.cos((modes[a] * Math.PI) / (d + 1)),
    0,
  );
  const Av = A.multiply(v);
  for (let r = 0; r < n; r++) assert.ok(Math.abs(Av[r] - lambda * v[r]) < 1e-12, `row ${r}`);
}

Deno.test("poisson1d() is tridiag(-1, 2, -1) with the sine eigenvectors", () => {
  const A = poisson1d(6);
  assert.equal(A.nnz, 16);
  assert.deepEqual(A.toDense().subarray(6, 12), Float64Array.of(-1, 2, -1, 0, 0, 0));
  assert.deepEqual(rowSums(A), Float64Array.of(1, 0, 0, 0, 0, 1));
  for (const p of [1, 3, 6]) checkGridEigenpair(A, [6], [p]);
  assert.equal(poisson1d(1).get(0, 0), 2);
});

Deno.test("poisson2d() matches the cg_reference.cpp layout", () => {
  const N = 5;
  // The loop of shared/bench/cg_reference.cpp, written out again.
  const rp = [0], ci: number[] = [], v: number[] = [];
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const row = j * N + i;
      if (j > 0) ci.push(row - N), v.push(-1);
      if (i > 0) ci.push(row - 1), v.push(-1);
      ci.push(row), v.push(4);
      if (i < N - 1) ci.push(row + 1), v.push(-1);
      if (j < N - 1) ci.push(row + N), v.push(-1);
      rp.push(ci.length);
    }
  }
  const A = poisson2d(N);
  assert.deepEqual(A.pattern.rowPtr, Int32Array.from(rp));
  assert.deepEqual(A.pattern.colIdx, Int32Array.from(ci));
  assert.deepEqual(A.values, Float64Array.from(v));
  assert.ok(A.symmetric);
});

Deno.test("poisson2d() row sums count boundary neighbours and eigenvalues lie in (0, 8)", () => {
  const nx = 6, ny = 4;
  const A = poisson2d(nx, ny);
  assert.equal(A.nnz, 5 * nx * ny - 2 * nx - 2 * ny);
  const s = rowSums(A);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const boundary = +(i === 0) + +(i === nx - 1) + +(j === 0) + +(j === ny - 1);
      assert.equal(s[j * nx + i], boundary);
    }
  }
  checkGridEigenpair(A, [nx, ny], [1, 1]);
  checkGridEigenpair(A, [nx, ny], [nx, ny]);
  checkGridEigenpair(A, [nx, ny], [2, 3]);
  // Gershgorin: every eigenvalue ≤ 8; the extreme modes are inside (0, 8).
  const lmin = 4 - 2 * Math.cos(Math.PI / (nx + 1)) - 2 * Math.cos(Math.PI / (ny + 1));
  const lmax = 4 + 2 * Math.cos(Math.PI / (nx + 1)) + 2 * Math.cos(Math.PI / (ny + 1));
  assert.ok(lmin > 0 && lmax < 8);
  const pivots = choleskyPivots(A.toDense(), nx * ny);
  assert.ok(pivots.length === nx * ny && pivots.every((p) => p > 0));
  // A degenerate 1-wide grid is the 1-D matrix with a shifted diagonal.
  const line = poisson2d(1, 5);
  const p1 = poisson1d(5);
  assert.deepEqual(line.pattern.colIdx, p1.pattern.colIdx);
  assert.deepEqual(line.values, p1.values.map((x) => (x === 2 ? 4 : x)));
});

Deno.test("poisson3d() has the 7-point stencil and its eigenvectors", () => {
  const A = poisson3d(4, 3, 2);
  assert.equal(A.shape[0], 24);
  assert.equal(A.nnz, 24 + 2 * (18 + 16 + 12));
  assert.equal(A.get(0, 0), 6);
  assert.equal(A.get(0, 1), -1);
  assert.equal(A.get(0, 4), -1);
  assert.equal(A.get(0, 12), -1);
  assert.equal(A.get(3, 4), 0); // i = 3 is the last node of its line
  checkGridEigenpair(A, [4, 3, 2], [1, 2, 2]);
  checkGridEigenpair(A, [4, 3, 2], [4, 1, 1]);
});

Deno.test({
  name: "poisson3d(10) equals the shared Laplace3D10 matrix",
  ignore: !hasSharedData,
  fn: async () => {
    const { matrix } = await readMatrixMarket(matrixPath("Laplace3D10"));
    const A = poisson3d(10);
    assert.deepEqual(matrix.pattern.rowPtr, A.pattern.rowPtr);
    assert.deepEqual(matrix.pattern.colIdx, A.pattern.colIdx);
    assert.deepEqual(matrix.values, A.values);
  },
});

Deno.test("diffusion2d() with constant kappa is kappa/h² times poisson2d()", () => {
  const nx = 5, ny = 3;
  const P = poisson2d(nx, ny);
  for (const [kappa, h] of [[1, 1], [3.5, 1], [2, 0.25]]) {
    const A = diffusion2d(new Float64Array(nx * ny).fill(kappa), nx, ny, { h });
    assert.equal(A.pattern.nnz, P.nnz);
    assert.deepEqual(A.pattern.colIdx, P.pattern.colIdx);
    const expected = P.values.map((x) => (kappa * x) / (h * h));
    assert.ok(maxAbsDiff(A.values, expected) <= 1e-15 * (kappa / (h * h)));
  }
});

Deno.test("diffusion2d() uses harmonic-mean faces and cell kappa on the boundary", () => {
  const nx = 4, ny = 3, n = nx * ny;
  const rng = new Rng(17);
  const kappa = Float64Array.from({ length: n }, () => Math.exp(2 * rng.normal()));
  const h = 0.5;
  const A = diffusion2d(kappa, nx, ny, { h });
  const hm = (a: number, b: number) => (2 * a * b) / (a + b);
  // Cell (1, 1) = row 5: neighbours 1, 4, 6, 9, all interior faces.
  assert.ok(Math.abs(A.get(5, 6) + hm(kappa[5], kappa[6]) / (h * h)) < 1e-14 * A.get(5, 5));
  const d5 = [1, 4, 6, 9].reduce((s, c) => s + hm(kappa[5], kappa[c]), 0) / (h * h);
  assert.ok(Math.abs(A.get(5, 5) - d5) < 1e-14 * d5);
  // Corner cell 0: two boundary faces with its own kappa.
  const d0 = (2 * kappa[0] + hm(kappa[0], kappa[1]) + hm(kappa[0], kappa[4])) / (h * h);
  assert.ok(Math.abs(A.get(0, 0) - d0) < 1e-14 * d0);
  assert.ok(A.symmetric);
  // Energy identity: xᵀ A x = Σ_faces w (x_A − x_B)² / h², x_B = 0 on the boundary.
  const { stencil } = diffusion2dPattern(nx, ny);
  const { cellA, cellB } = stencil.faces;
  const x = Float64Array.from({ length: n }, () => rng.normal());
  let energy = 0;
  for (let f = 0; f < cellA.length; f++) {
    const a = cellA[f], b = cellB[f];
    const w = b < 0 ? kappa[a] : hm(kappa[a], kappa[b]);
    energy += (w * (x[a] - (b < 0 ? 0 : x[b])) ** 2) / (h * h);
  }
  const Ax = A.multiply(x);
  const xAx = x.reduce((s, xi, i) => s + xi * Ax[i], 0);
  assert.ok(Math.abs(xAx - energy) < 1e-12 * energy);
  const pivots = choleskyPivots(A.toDense(), n);
  assert.ok(pivots.length === n && pivots.every((p) => p > 0));
});

Deno.test("diffusion2dPattern() maps faces to cells and entries to faces", () => {
  const nx = 3, ny = 2;
  const { pattern, stencil } = diffusion2dPattern(nx, ny);
  const { cellA, cellB } = stencil.faces;
  const { offsets, faces, signs } = stencil.entryFace;
  assert.equal(cellA.length, (nx + 1) * ny + nx * (ny + 1));
  assert.equal(cellB.filter((b) => b < 0).length, 2 * nx + 2 * ny);
  assert.deepEqual(pattern.colIdx, poisson2d(nx, ny).pattern.colIdx);
  // Every cell touches 4 faces; interior faces join grid neighbours with cellA < cellB.
  const touches = new Int32Array(nx * ny);
  for (let f = 0; f < cellA.length; f++) {
    touches[cellA[f]]++;
    if (cellB[f] >= 0) {
      touches[cellB[f]]++;
      assert.ok([1, nx].includes(cellB[f] - cellA[f]), `face ${f}`);
    }
  }
  assert.ok(touches.every((t) => t === 4));
  // Diagonal entries sum 4 faces (+1); off-diagonals are minus the shared face.
  const rows = pattern.rowIndices();
  assert.equal(offsets.length, pattern.nnz + 1);
  for (let k = 0; k < pattern.nnz; k++) {
    const i = rows[k], j = pattern.colIdx[k];
    const fs = Array.from(faces.subarray(offsets[k], offsets[k + 1]));
    const ss = Array.from(signs.subarray(offsets[k], offsets[k + 1]));
    if (i === j) {
      assert.equal(fs.length, 4);
      assert.ok(ss.every((s) => s === 1));
      assert.ok(fs.every((f) => cellA[f] === i || cellB[f] === i));
    } else {
      assert.deepEqual(ss, [-1]);
      assert.deepEqual([cellA[fs[0]], cellB[fs[0]]], [Math.min(i, j), Math.max(i, j)]);
    }
  }
});

Deno.test("diffusion2d() refuses bad kappa and sizes", () => {
  assert.throws(() => diffusion2d(new Float64Array(5).fill(1), 2, 2), ShapeError);
  assert.throws(
    () => diffusion2d(Float64Array.of(1, 0, 1, 1), 2),
    /kappa\[1\] must be finite and > 0/,
  );
  assert.throws(() => diffusion2d(Float64Array.of(1, 1, NaN, 1), 2), NonFiniteError);
  assert.throws(() => diffusion2d(Float64Array.of(1), 1, 1, { h: 0 }), /spacing h/);
  assert.throws(() => poisson2d(0, 3), /grid extents must be positive integers, got 0x3/);
  assert.throws(() => poisson3d(2.5), ShapeError);
});

Deno.test("convectionDiffusion2d() is a nonsymmetric upwind M-matrix", () => {
  const nx = 6, ny = 5;
  const A = convectionDiffusion2d(nx, ny, { wind: [2, -0.5], diffusion: 0.3, h: 0.5 });
  assert.ok(!A.symmetric);
  assert.deepEqual(A.pattern.colIdx, poisson2d(nx, ny).pattern.colIdx);
  const d = A.diagonal(), rows = A.pattern.rowIndices();
  const offSum = new Float64Array(nx * ny);
  for (let k = 0; k < A.nnz; k++) {
    if (rows[k] !== A.pattern.colIdx[k]) {
      assert.ok(A.values[k] <= 0);
      offSum[rows[k]] += -A.values[k];
    }
  }
  assert.ok(d.every((x, i) => x >= offSum[i] - 1e-12));
  assert.ok(Math.abs(d[0] - (4 * 0.3 / 0.25 + 2.5 / 0.5)) < 1e-14);
  // Upwind differences are exact on linear functions: for u = x + 3y (x = (i+1)h, y = (j+1)h)
  // an interior row gives w·∇u = 2·1 + (−0.5)·3 = 0.5.
  const u = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) u[j * nx + i] = (i + 1 + 3 * (j + 1)) * 0.5;
  }
  const Au = A.multiply(u);
  for (let j = 1; j < ny - 1; j++) {
    for (let i = 1; i < nx - 1; i++) assert.ok(Math.abs(Au[j * nx + i] - 0.5) < 1e-12);
  }
  // Reversing the wind transposes the matrix; no wind leaves ε·poisson2d/h².
  const B = convectionDiffusion2d(nx, ny, { wind: [-2, 0.5], diffusion: 0.3, h: 0.5 });
  assert.deepEqual(B.toDense(), A.transpose().toDense());
  const C = convectionDiffusion2d(nx, ny, { wind: [0, 0], diffusion: 2 });
  assert.deepEqual(C.values, poisson2d(nx, ny).values.map((x) => 2 * x));
  assert.throws(() => convectionDiffusion2d(3, 3, { wind: [NaN, 0] }), NonFiniteError);
  assert.throws(() => convectionDiffusion2d(3, 3, { wind: [1, 0], diffusion: -1 }), RangeError);
});

Deno.test("randomSparseSpd() is symmetric, diagonally dominant and positive definite", () => {
  const n = 60;
  const A = randomSparseSpd(n, { seed: 9, nnzPerRow: 7 });
  assert.ok(A.symmetric);
  assert.ok(A.nnz <= 7 * n && A.nnz >= 6 * n, `nnz ${A.nnz}`);
  const pivots = choleskyPivots(A.toDense(), n);
  assert.ok(pivots.length === n && pivots.every((p) => p > 0));
  // Diagonal − Σ|off-diagonal| is the shift in every row.
  const absSums = new Float64Array(n), rows = A.pattern.rowIndices();
  for (let k = 0; k < A.nnz; k++) {
    if (rows[k] !== A.pattern.colIdx[k]) absSums[rows[k]] += Math.abs(A.values[k]);
  }
  const d = A.diagonal();
  assert.ok(d.every((x, i) => Math.abs(x - absSums[i] - 1) < 1e-12));
  const S = randomSparseSpd(n, { seed: 9, nnzPerRow: 7, shift: 1e-3 });
  const dS = S.diagonal();
  assert.ok(dS.every((x, i) => Math.abs(x - absSums[i] - 1e-3) < 1e-12));
  assert.ok(choleskyPivots(S.toDense(), n).every((p) => p > 0));
});

Deno.test("randomSparseSpd() is deterministic per seed and honours density", () => {
  const a = randomSparseSpd(30, { seed: 1 });
  const b = randomSparseSpd(30, { seed: 1 });
  const c = randomSparseSpd(30, { seed: 2 });
  assert.deepEqual(a.toDense(), b.toDense());
  assert.notDeepEqual(a.toDense(), c.toDense());
  const dense = randomSparseSpd(40, { seed: 3, density: 1 });
  assert.ok(dense.nnz > 0.5 * 40 * 40 && dense.symmetric);
  assert.equal(randomSparseSpd(40, { seed: 3, density: 0 }).nnz, 40);
  assert.equal(randomSparseSpd(1, { seed: 3 }).get(0, 0), 1);
  assert.throws(() => randomSparseSpd(10, { seed: 1, density: 0.1, nnzPerRow: 3 }), RangeError);
  assert.throws(() => randomSparseSpd(10, { seed: 1, nnzPerRow: 11 }), /integer in 1..10/);
  assert.throws(() => randomSparseSpd(0, { seed: 1 }), ShapeError);
});

Deno.test("randomSparseNonsymmetric() is nonsymmetric with the requested dominance", () => {
  const n = 50, dominance = 1.5;
  const A = randomSparseNonsymmetric(n, { seed: 4, nnzPerRow: 6, dominance });
  assert.ok(!A.symmetric);
  assert.ok(A.nnz <= 6 * n && A.nnz > 5 * n);
  const absSums = new Float64Array(n), rows = A.pattern.rowIndices();
  for (let k = 0; k < A.nnz; k++) {
    if (rows[k] !== A.pattern.colIdx[k]) absSums[rows[k]] += Math.abs(A.values[k]);
  }
  const d = A.diagonal();
  assert.ok(d.every((x, i) => Math.abs(x - dominance * (1 + absSums[i])) < 1e-12));
  assert.deepEqual(
    A.toDense(),
    randomSparseNonsymmetric(n, { seed: 4, nnzPerRow: 6, dominance }).toDense(),
  );
  assert.equal(randomSparseNonsymmetric(3, { seed: 0, nnzPerRow: 1 }).nnz, 3);
  assert.throws(() => randomSparseNonsymmetric(5, { seed: 0, dominance: 0 }), RangeError);
});
