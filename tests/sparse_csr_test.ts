import assert from "node:assert/strict";
import { NonFiniteError, ShapeError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";

/** A random rows×cols dense matrix (row-major) with about half its entries zero. */
function randomDense(rng: Rng, rows: number, cols: number): number[][] {
  return Array.from(
    { length: rows },
    () => Array.from({ length: cols }, () => (rng.next() < 0.5 ? 0 : rng.normal())),
  );
}

function denseApply(D: number[][], x: Float64Array): Float64Array {
  return Float64Array.from(D, (row) => row.reduce((s, a, j) => s + a * x[j], 0));
}

function denseApplyTranspose(D: number[][], x: Float64Array): Float64Array {
  const y = new Float64Array(D[0].length);
  D.forEach((row, i) => row.forEach((a, j) => (y[j] += a * x[i])));
  return y;
}

function assertClose(actual: Float64Array, expected: Float64Array, tol = 1e-13): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `[${i}]`);
  }
}

Deno.test("CsrMatrix.fromTriplets() sums duplicates and sorts columns", () => {
  const rng = new Rng(2);
  const m = 60, nRows = 5, nCols = 4;
  const rows = Array.from({ length: m }, () => rng.int(nRows));
  const cols = Array.from({ length: m }, () => rng.int(nCols));
  const vals = Array.from({ length: m }, () => rng.normal());
  const A = CsrMatrix.fromTriplets(nRows, nCols, rows, cols, vals);
  const dense = new Float64Array(nRows * nCols);
  for (let t = 0; t < m; t++) dense[rows[t] * nCols + cols[t]] += vals[t];
  assertClose(A.toDense(), dense, 1e-15);
  const { rowPtr, colIdx } = A.pattern;
  for (let i = 0; i < nRows; i++) {
    for (let k = rowPtr[i] + 1; k < rowPtr[i + 1]; k++) assert.ok(colIdx[k] > colIdx[k - 1]);
  }
  // Cancelling duplicates stay stored as an explicit zero.
  const Z = CsrMatrix.fromTriplets(1, 1, [0, 0], [0, 0], [2, -2]);
  assert.equal(Z.nnz, 1);
  assert.equal(Z.get(0, 0), 0);
});

Deno.test("CsrMatrix.apply() and applyTranspose() match dense products", () => {
  const rng = new Rng(8);
  for (const [rows, cols] of [[7, 5], [5, 7], [6, 6]]) {
    const D = randomDense(rng, rows, cols);
    const A = CsrMatrix.fromDense(D);
    const x = Float64Array.from({ length: cols }, () => rng.normal());
    const z = Float64Array.from({ length: rows }, () => rng.normal());
    const y = new Float64Array(rows).fill(NaN); // apply overwrites
    A.apply(x, y);
    assertClose(y, denseApply(D, x));
    assertClose(A.multiply(x), denseApply(D, x));
    const yt = new Float64Array(cols).fill(NaN);
    A.applyTranspose(z, yt);
    assertClose(yt, denseApplyTranspose(D, z));
    assertClose(A.transpose().multiply(z), denseApplyTranspose(D, z));
  }
  assert.throws(
    () => CsrMatrix.fromDense([[1, 2]]).multiply(new Float64Array(3)),
    /x has length 3 but the matrix has 2 columns/,
  );
});

Deno.test("CsrMatrix.symmetric is exact and needs a symmetric pattern", () => {
  assert.ok(CsrMatrix.fromDense([[2, -1, 0], [-1, 2, 0.5], [0, 0.5, 1]]).symmetric);
  assert.ok(!CsrMatrix.fromDense([[2, -1], [-1 + 1e-16, 2]]).symmetric);
  assert.ok(!CsrMatrix.fromDense([[2, -1], [0, 2]]).symmetric);
  assert.ok(!CsrMatrix.fromDense([[1, 0, 0], [0, 1, 0]]).symmetric);
  // Same values, pattern with an explicit zero on one side only.
  assert.ok(!CsrMatrix.fromTriplets(2, 2, [0, 1, 0], [0, 1, 1], [1, 1, 0]).symmetric);
});

Deno.test("CsrMatrix.toDense() and fromDense() round-trip", () => {
  const D = randomDense(new Rng(5), 4, 6);
  const A = CsrMatrix.fromDense(D);
  assert.deepEqual(A.toDense(), Float64Array.from(D.flat()));
  assert.equal(A.nnz, D.flat().filter((x) => x !== 0).length);
  const withDiag = CsrMatrix.fromDense([[0, 1], [1, 0]], true);
  assert.equal(withDiag.nnz, 4);
  assert.deepEqual(withDiag.pattern.diagonalIndices(), Int32Array.of(0, 3));
  assert.throws(() => CsrMatrix.fromDense([[1, 2], [3]]), /row 1 has 1 entries but row 0 has 2/);
});

Deno.test("CsrMatrix.transpose(), diagonal() and get() agree with the dense matrix", () => {
  const D = randomDense(new Rng(13), 5, 5);
  D[2][2] = 0;
  const A = CsrMatrix.fromDense(D);
  const At = A.transpose().toDense();
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      assert.equal(At[j * 5 + i], D[i][j]);
      assert.equal(A.get(i, j), D[i][j]);
    }
  }
  assert.deepEqual(A.transpose().transpose().toDense(), A.toDense());
  assert.deepEqual(A.diagonal(), Float64Array.from(D, (row, i) => row[i]));
});

Deno.test("CsrMatrix() checks value lengths and finiteness", () => {
  const A = CsrMatrix.fromDense([[1, 2], [0, 3]]);
  const B = A.withValues(Float64Array.of(4, 5, 6));
  assert.equal(B.pattern, A.pattern);
  assert.equal(B.get(1, 1), 6);
  assert.throws(() => A.withValues(new Float64Array(2)), ShapeError);
  A.assertFinite();
  assert.throws(
    () => A.withValues(Float64Array.of(1, Infinity, 1)).assertFinite("K"),
    (e) => e instanceof NonFiniteError && e.message === "Cannot use K: entry (0, 1) is Infinity",
  );
});
