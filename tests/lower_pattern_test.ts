import assert from "node:assert/strict";
import {
  CsrMatrix,
  CsrPattern,
  diffusion2d,
  FactorizationError,
  ic0,
  logNormalField,
  lowerPattern,
  Rng,
  ShapeError,
} from "@gradsolve/gradsolve";

Deno.test("lowerPattern() of a hand 4×4 example: rows, columns and source positions", () => {
  // [[5, 1, 0, 2],
  //  [1, 6, 3, 0],
  //  [0, 3, 7, 0],
  //  [2, 0, 0, 8]]
  const A = CsrMatrix.fromDense([[5, 1, 0, 2], [1, 6, 3, 0], [0, 3, 7, 0], [2, 0, 0, 8]]);
  const { pattern, source } = lowerPattern(A);
  assert.equal(pattern.nRows, 4);
  assert.equal(pattern.nCols, 4);
  assert.deepEqual([...pattern.rowPtr], [0, 1, 3, 5, 7]);
  assert.deepEqual([...pattern.colIdx], [0, 0, 1, 1, 2, 0, 3]);
  // A stores row-major: 5 1 2 | 1 6 3 | 3 7 | 2 8 at positions 0 … 9.
  assert.deepEqual([...source], [0, 3, 4, 6, 7, 8, 9]);
  assert.deepEqual([...source].map((k) => A.values[k]), [5, 1, 6, 3, 7, 2, 8]);
  // The same from the bare pattern.
  assert.deepEqual(lowerPattern(A.pattern).source, source);
});

Deno.test("lowerPattern() is the pattern of the IC(0) factor on a random-κ diffusion matrix", () => {
  const A = diffusion2d(logNormalField(9, new Rng(2), 1.5), 9);
  const lower = lowerPattern(A), L = ic0(A).factor;
  assert.equal(lower.pattern.nnz, (A.nnz + 81) / 2);
  assert.deepEqual(lower.pattern.rowPtr, L.pattern.rowPtr);
  assert.deepEqual(lower.pattern.colIdx, L.pattern.colIdx);
  const rows = lower.pattern.rowIndices();
  for (let k = 0; k < lower.source.length; k++) {
    assert.equal(A.values[lower.source[k]], A.get(rows[k], lower.pattern.colIdx[k]));
  }
});

Deno.test("lowerPattern() rejects a missing diagonal and a non-square pattern", () => {
  const noDiag = CsrMatrix.fromDense([[1, 0], [1, 0]]);
  assert.throws(
    () => lowerPattern(noDiag),
    (e: unknown) => e instanceof FactorizationError && e.row === 1,
  );
  const wide = new CsrPattern(1, 2, Int32Array.of(0, 1), Int32Array.of(0));
  assert.throws(() => lowerPattern(wide), ShapeError);
});
