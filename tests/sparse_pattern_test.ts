import assert from "node:assert/strict";
import { ShapeError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";
import { patternFromTriplets, scatterTriplets } from "../lib/sparse/coo.ts";
import { CsrPattern } from "../lib/sparse/pattern.ts";

/** Random triplets of an nRows×nCols matrix, duplicates likely. */
function randomTriplets(rng: Rng, nRows: number, nCols: number, m: number) {
  const rows = Array.from({ length: m }, () => rng.int(nRows));
  const cols = Array.from({ length: m }, () => rng.int(nCols));
  return { rows, cols };
}

Deno.test("CsrPattern() checks its arrays", () => {
  const ok = new CsrPattern(2, 3, Int32Array.of(0, 2, 3), Int32Array.of(0, 2, 1));
  assert.equal(ok.nnz, 3);
  assert.deepEqual(ok.shape, [2, 3]);
  const bad: [string, () => CsrPattern, RegExp][] = [
    [
      "rowPtr length",
      () => new CsrPattern(2, 2, Int32Array.of(0, 1), Int32Array.of(0)),
      /nRows\+1 = 3/,
    ],
    [
      "rowPtr end",
      () => new CsrPattern(1, 2, Int32Array.of(0, 1), Int32Array.of(0, 1)),
      /end at nnz = 2/,
    ],
    [
      "decreasing",
      () => new CsrPattern(2, 2, Int32Array.of(0, 2, 1), Int32Array.of(0)),
      /rowPtr decreases at row 1/,
    ],
    [
      "column range",
      () => new CsrPattern(1, 2, Int32Array.of(0, 1), Int32Array.of(2)),
      /outside 0..1/,
    ],
    [
      "unsorted",
      () => new CsrPattern(1, 3, Int32Array.of(0, 2), Int32Array.of(2, 1)),
      /not strictly increasing \(2, 1\)/,
    ],
    [
      "duplicate",
      () => new CsrPattern(1, 3, Int32Array.of(0, 2), Int32Array.of(1, 1)),
      /not strictly increasing/,
    ],
    [
      "negative shape",
      () => new CsrPattern(-1, 2, Int32Array.of(0), Int32Array.of()),
      /non-negative/,
    ],
  ];
  for (const [name, build, message] of bad) {
    assert.throws(build, (e) => e instanceof ShapeError && message.test(e.message), name);
  }
});

Deno.test("CsrPattern.find(), rowIndices() and diagonalIndices() locate entries", () => {
  // [[x, 0, x], [0, 0, x], [x, x, 0]]
  const p = new CsrPattern(3, 3, Int32Array.of(0, 2, 3, 5), Int32Array.of(0, 2, 2, 0, 1));
  assert.deepEqual([p.find(0, 0), p.find(0, 2), p.find(1, 2), p.find(2, 1)], [0, 1, 2, 4]);
  assert.deepEqual([p.find(0, 1), p.find(1, 1), p.find(2, 2)], [-1, -1, -1]);
  assert.deepEqual(p.rowIndices(), Int32Array.of(0, 0, 1, 2, 2));
  assert.equal(p.rowIndices(), p.rowIndices()); // cached
  assert.deepEqual(p.diagonalIndices(), Int32Array.of(0, -1, -1));
  const wide = new CsrPattern(2, 4, Int32Array.of(0, 1, 2), Int32Array.of(3, 1));
  assert.deepEqual(wide.diagonalIndices(), Int32Array.of(-1, 1));
});

Deno.test("CsrPattern.transpose() maps every entry and round-trips", () => {
  const rng = new Rng(21);
  const { rows, cols } = randomTriplets(rng, 7, 5, 20);
  const { pattern: p } = patternFromTriplets(7, 5, rows, cols);
  const { pattern: t, perm } = p.transpose();
  assert.deepEqual(t.shape, [5, 7]);
  assert.equal(t.nnz, p.nnz);
  assert.equal(p.transpose(), p.transpose()); // cached
  const r = p.rowIndices(), rt = t.rowIndices();
  for (let k = 0; k < t.nnz; k++) {
    // Entry k of Pᵀ at (rt[k], t.colIdx[k]) is entry perm[k] of P at (r[perm[k]], p.colIdx[perm[k]]).
    assert.equal(rt[k], p.colIdx[perm[k]]);
    assert.equal(t.colIdx[k], r[perm[k]]);
  }
  const back = t.transpose();
  assert.equal(back.pattern, p); // the transpose of the transpose is the same object
  for (let k = 0; k < p.nnz; k++) assert.equal(perm[back.perm[k]], k);
  // Values carried by perm give the dense transpose.
  const values = Float64Array.from({ length: p.nnz }, () => rng.normal());
  const dense = new Float64Array(35), denseT = new Float64Array(35);
  for (let k = 0; k < p.nnz; k++) dense[r[k] * 5 + p.colIdx[k]] = values[k];
  for (let k = 0; k < t.nnz; k++) denseT[rt[k] * 7 + t.colIdx[k]] = values[perm[k]];
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 5; j++) assert.equal(denseT[j * 7 + i], dense[i * 5 + j]);
  }
});

Deno.test("CsrPattern.isStructurallySymmetric() compares a pattern with its transpose", () => {
  const sym = patternFromTriplets(3, 3, [0, 1, 0, 2, 2], [1, 0, 0, 2, 2]).pattern;
  assert.ok(sym.isStructurallySymmetric());
  assert.ok(!patternFromTriplets(3, 3, [0, 1], [1, 2]).pattern.isStructurallySymmetric());
  assert.ok(!patternFromTriplets(2, 3, [0, 1], [0, 1]).pattern.isStructurallySymmetric());
});

Deno.test("patternFromTriplets() sorts, merges duplicates and maps every triplet", () => {
  const rng = new Rng(4);
  const { rows, cols } = randomTriplets(rng, 6, 9, 40);
  const { pattern, map } = patternFromTriplets(6, 9, rows, cols);
  const distinct = new Set(rows.map((i, t) => i * 9 + cols[t]));
  assert.equal(pattern.nnz, distinct.size);
  const r = pattern.rowIndices();
  for (let t = 0; t < rows.length; t++) {
    assert.equal(r[map[t]], rows[t]);
    assert.equal(pattern.colIdx[map[t]], cols[t]);
  }
  const vals = Array.from({ length: rows.length }, () => rng.normal());
  const summed = scatterTriplets(pattern.nnz, map, vals);
  const dense = new Float64Array(54);
  for (let t = 0; t < rows.length; t++) dense[rows[t] * 9 + cols[t]] += vals[t];
  for (let k = 0; k < pattern.nnz; k++) {
    assert.ok(Math.abs(summed[k] - dense[r[k] * 9 + pattern.colIdx[k]]) < 1e-15);
  }
});

Deno.test("patternFromTriplets() and scatterTriplets() refuse bad input", () => {
  assert.throws(
    () => patternFromTriplets(2, 2, [0, 2], [0, 0]),
    /triplet 1 at \(2, 0\) is outside/,
  );
  assert.throws(() => patternFromTriplets(2, 2, [0], [0.5]), ShapeError);
  assert.throws(() => patternFromTriplets(2, 2, [0, 1], [0]), /2 row indices but 1 column/);
  assert.throws(() => scatterTriplets(1, Int32Array.of(0, 0), [1]), /1 values for 2 triplets/);
});
