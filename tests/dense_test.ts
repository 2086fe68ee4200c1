import assert from "node:assert/strict";
import { ShapeError, SingularMatrixError } from "../lib/errors.ts";
import { denseLu, denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import { maxDiff, randomVector } from "./_krylov_cases.ts";

function matVec(A: ArrayLike<number>, n: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += A[i * n + j] * x[j];
  return y;
}

function transpose(A: ArrayLike<number>, n: number): Float64Array {
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) T[j * n + i] = A[i * n + j];
  return T;
}

Deno.test("denseSolve() recovers a known solution of a random 8x8 system", () => {
  const n = 8;
  const A = randomVector(n * n, 11);
  const x = randomVector(n, 12);
  const got = denseSolve(A, n, matVec(A, n, x));
  assert.ok(maxDiff(got, x) < 1e-12, `max error ${maxDiff(got, x)}`);
});

Deno.test("denseSolve() pivots past a zero leading entry", () => {
  // Without pivoting the first pivot is 0.
  const A = [0, 2, 1, 1, 1, 0, 3, 0, 1];
  const x = denseSolve(A, 3, [5, 3, 6]);
  assert.ok(maxDiff(matVec(A, 3, x), [5, 3, 6]) < 1e-14);
  const f = denseLu(A, 3);
  assert.equal(f.pivots[0], 2); // |3| is the largest entry of column 0
});

Deno.test("denseSolveTranspose() equals denseSolve() on the transposed matrix", () => {
  const n = 7;
  const A = randomVector(n * n, 21);
  const b = randomVector(n, 22);
  const got = denseSolveTranspose(A, n, b);
  const want = denseSolve(transpose(A, n), n, b);
  assert.ok(maxDiff(got, want) < 1e-12, `max difference ${maxDiff(got, want)}`);
  assert.ok(maxDiff(matVec(transpose(A, n), n, got), b) < 1e-12);
});

Deno.test("denseLu() throws SingularMatrixError naming the column", () => {
  // Row 1 is half of row 0 (exact in binary), so column 1 has no pivot left.
  const A = [2, 4, 6, 1, 2, 3, 0, 0, 1];
  assert.throws(
    () => denseLu(A, 3),
    (e) => e instanceof SingularMatrixError && e.column === 1 && /column 1/.test(e.message),
  );
});

Deno.test("denseLu() and solve() reject wrong shapes", () => {
  assert.throws(() => denseLu([1, 2, 3], 2), ShapeError);
  assert.throws(() => denseLu([], 0), ShapeError);
  assert.throws(() => denseSolve([1, 0, 0, 1], 2, [1]), ShapeError);
});
