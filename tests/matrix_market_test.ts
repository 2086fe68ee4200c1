import assert from "node:assert/strict";
import { GradsolveError, MatrixMarketError, NonFiniteError, ShapeError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { randomSparseNonsymmetric, randomSparseSpd } from "../lib/sparse/generators.ts";
import {
  fileGradient,
  formatMatrixMarket,
  formatMatrixMarketVector,
  parseMatrixMarket,
  parseMatrixMarketDense,
  parseMatrixMarketVector,
  readMatrixMarket,
  readMatrixMarketVector,
  writeMatrixMarket,
  writeMatrixMarketVector,
} from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath, REAL_MATRICES } from "./_data.ts";

/** Same shape, same pattern, bit-identical values (so -0 and 0 differ). */
function assertSameMatrix(actual: CsrMatrix, expected: CsrMatrix): void {
  assert.deepEqual(actual.shape, expected.shape);
  assert.deepEqual(actual.pattern.rowPtr, expected.pattern.rowPtr);
  assert.deepEqual(actual.pattern.colIdx, expected.pattern.colIdx);
  for (let k = 0; k < expected.nnz; k++) {
    assert.ok(Object.is(actual.values[k], expected.values[k]), `value ${k}`);
  }
}

const H = "%%MatrixMarket matrix coordinate real general\n";
const HS = "%%MatrixMarket matrix coordinate real symmetric\n";

Deno.test("formatMatrixMarket() round-trips a general matrix bit for bit", () => {
  const awkward = [1 / 3, -0, 5e-324, 1.7976931348623157e308, 0, -2.5e-17, 0.1 + 0.2, 123456789];
  const A0 = randomSparseNonsymmetric(30, { seed: 7, nnzPerRow: 4 });
  const v = A0.values.slice();
  for (let k = 0; k < awkward.length; k++) v[k * 9] = awkward[k];
  const A = A0.withValues(v);
  const text = formatMatrixMarket(A, { comment: "two\nlines" });
  assert.match(text, /^%%MatrixMarket matrix coordinate real general\n% two\n% lines\n30 30 /);
  const mm = parseMatrixMarket(text, "roundtrip.mtx");
  assert.equal(mm.field, "real");
  assert.equal(mm.symmetry, "general");
  assert.equal(mm.entries, A.nnz);
  assertSameMatrix(mm.matrix, A);
  assert.equal(mm.matrix.values.filter((x) => x === 0).length, 2); // explicit zeros kept
});

Deno.test("formatMatrixMarket() writes the lower triangle of a symmetric matrix", () => {
  const A = randomSparseSpd(40, { seed: 3, nnzPerRow: 6 });
  const text = formatMatrixMarket(A, { symmetry: "symmetric" });
  const mm = parseMatrixMarket(text);
  assert.equal(mm.symmetry, "symmetric");
  assert.equal(mm.entries, (A.nnz + 40) / 2);
  assert.ok(mm.fileRows.every((i, e) => i >= mm.fileCols[e]));
  assertSameMatrix(mm.matrix, A);
});

Deno.test("formatMatrixMarket() refuses a symmetry the matrix does not have", () => {
  const N = CsrMatrix.fromDense([[1, 2], [3, 4]]);
  assert.throws(
    () => formatMatrixMarket(N, { symmetry: "symmetric" }),
    (e) => e instanceof GradsolveError && /A\[0, 1\] = 2 but A\[1, 0\] = 3/.test(e.message),
  );
  assert.throws(
    () => formatMatrixMarket(CsrMatrix.fromDense([[1, 2]]), { symmetry: "symmetric" }),
    ShapeError,
  );
  assert.throws(
    () =>
      formatMatrixMarket(CsrMatrix.fromDense([[1, 2], [-2, 0]]), { symmetry: "skew-symmetric" }),
    /A\[0, 0\] = 1 but A\[0, 0\] = 1/,
  );
  assert.throws(
    () => formatMatrixMarket(CsrMatrix.fromDense([[1, 0], [0, NaN]])),
    NonFiniteError,
  );
  assert.throws(
    () => formatMatrixMarket(CsrMatrix.fromDense([[1.5]]), { field: "integer" }),
    /entry \(0, 0\) is 1.5, not an integer/,
  );
});

Deno.test("parseMatrixMarket() reads skew-symmetric files with signed entry maps", () => {
  const A = CsrMatrix.fromDense([[0, -2, 0], [2, 0, -0.5], [0, 0.5, 0]]);
  const text = formatMatrixMarket(A, { symmetry: "skew-symmetric" });
  assert.equal(text.split("\n")[1], "3 3 2");
  const mm = parseMatrixMarket(text);
  assert.equal(mm.symmetry, "skew-symmetric");
  assertSameMatrix(mm.matrix, A);
  assert.deepEqual(mm.entryMap.signs, Float64Array.of(1, -1, 1, -1));
  // An entry above the diagonal is mirrored with the opposite sign.
  const up = parseMatrixMarket(
    "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 2 3\n",
  );
  assert.deepEqual(up.matrix.toDense(), Float64Array.of(0, 3, -3, 0));
});

Deno.test("parseMatrixMarket() reads integer and pattern fields", () => {
  const I = CsrMatrix.fromDense([[3, 0], [-7, 12]]);
  const mi = parseMatrixMarket(formatMatrixMarket(I, { field: "integer" }));
  assert.equal(mi.field, "integer");
  assertSameMatrix(mi.matrix, I);
  const P = CsrMatrix.fromDense([[5, 0, 2], [0, 0, 1], [9, 0, 0]]);
  const textP = formatMatrixMarket(P, { field: "pattern" });
  assert.equal(
    textP,
    "%%MatrixMarket matrix coordinate pattern general\n3 3 4\n1 1\n1 3\n2 3\n3 1\n",
  );
  const mp = parseMatrixMarket(textP);
  assert.equal(mp.field, "pattern");
  assert.deepEqual(mp.matrix.pattern.colIdx, P.pattern.colIdx);
  assert.ok(mp.matrix.values.every((x) => x === 1));
  const sym = parseMatrixMarket(
    "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n3 3\n",
  );
  assert.deepEqual(sym.matrix.toDense(), Float64Array.of(0, 1, 0, 1, 0, 0, 0, 0, 1));
});

Deno.test("parseMatrixMarket() skips comments and blank lines, accepts CRLF and any case", () => {
  const text = "\ufeff%%matrixmarket MATRIX Coordinate Real General\r\n% c\r\n\r\n2 3 2\r\n" +
    "% middle\r\n  1\t3   -1.5e2 \r\n\r\n2 1 +.25\r\n% end\r\n";
  const { matrix } = parseMatrixMarket(text);
  assert.deepEqual(matrix.shape, [2, 3]);
  assert.deepEqual(matrix.toDense(), Float64Array.of(0, 0, -150, 0.25, 0, 0));
});

Deno.test("parseMatrixMarket() sums duplicates but keeps one map row per file entry", () => {
  const mm = parseMatrixMarket(H + "2 2 4\n2 1 0.5\n1 1 1\n2 1 0.5\n2 2 0\n");
  assert.equal(mm.matrix.nnz, 3);
  assert.deepEqual(mm.matrix.toDense(), Float64Array.of(1, 0, 1, 0));
  assert.deepEqual(mm.entryMap.offsets, Int32Array.of(0, 1, 2, 3, 4));
  assert.deepEqual(mm.entryMap.targets, Int32Array.of(1, 0, 1, 2));
  assert.deepEqual(mm.fileRows, Int32Array.of(1, 0, 1, 1));
  assert.deepEqual(mm.fileCols, Int32Array.of(0, 0, 0, 1));
});

Deno.test("parseMatrixMarket() mirrors a symmetric entry stored above the diagonal", () => {
  const mm = parseMatrixMarket(HS + "3 3 3\n1 1 2\n1 3 -4\n3 2 5\n");
  assert.deepEqual(mm.matrix.toDense(), Float64Array.of(2, 0, -4, 0, 0, 5, -4, 5, 0));
  assert.deepEqual(mm.entryMap.offsets, Int32Array.of(0, 1, 3, 5));
});

Deno.test("fileGradient() is the transpose of the file-to-stored value map", () => {
  const text = HS + "4 4 7\n1 1 4\n2 1 -1\n2 2 4\n3 2 -1\n4 3 2\n4 4 1\n2 1 0.5\n";
  const mm = parseMatrixMarket(text);
  const { offsets, targets, signs } = mm.entryMap;
  const nnz = mm.matrix.nnz;
  // Stored values are Σ sign·fileValue over the map.
  const fileVals = [4, -1, 4, -1, 2, 1, 0.5];
  const stored = new Float64Array(nnz);
  for (let e = 0; e < mm.entries; e++) {
    for (let k = offsets[e]; k < offsets[e + 1]; k++) stored[targets[k]] += signs[k] * fileVals[e];
  }
  assert.deepEqual(stored, mm.matrix.values);
  // A symmetric off-diagonal entry gets gA[i,j] + gA[j,i]; a diagonal one gA[i,i].
  const rng = new Rng(11);
  const gA = Float64Array.from({ length: nnz }, () => rng.normal());
  const g = fileGradient(mm.entryMap, gA);
  const A = mm.matrix;
  assert.equal(g[1], gA[A.pattern.find(1, 0)] + gA[A.pattern.find(0, 1)]);
  assert.equal(g[6], g[1]); // the duplicate of (2, 1) feeds the same entries
  assert.equal(g[2], gA[A.pattern.find(1, 1)]);
  // ⟨gA, M v⟩ = ⟨Mᵀ gA, v⟩ for a random v.
  const v = Float64Array.from({ length: mm.entries }, () => rng.normal());
  const Mv = new Float64Array(nnz);
  for (let e = 0; e < mm.entries; e++) {
    for (let k = offsets[e]; k < offsets[e + 1]; k++) Mv[targets[k]] += signs[k] * v[e];
  }
  const lhs = gA.reduce((s, x, k) => s + x * Mv[k], 0);
  const rhs = g.reduce((s, x, e) => s + x * v[e], 0);
  assert.ok(Math.abs(lhs - rhs) <= 1e-14 * Math.abs(lhs) + 1e-14);
  assert.throws(() => fileGradient(mm.entryMap, new Float64Array(2)), ShapeError);
});

Deno.test("parseMatrixMarketVector() reads array and coordinate n x 1 files", () => {
  const v = Float64Array.of(0.1, -0, 1e-310, -7, 2 ** 60);
  const text = formatMatrixMarketVector(v, { comment: "rhs" });
  assert.match(text, /^%%MatrixMarket matrix array real general\n% rhs\n5 1\n0.1\n-0\n/);
  const back = parseMatrixMarketVector(text);
  assert.ok(back.length === 5 && back.every((x, i) => Object.is(x, v[i])));
  const c = parseMatrixMarketVector(H + "4 1 2\n4 1 2.5\n2 1 -1\n");
  assert.deepEqual(c, Float64Array.of(0, -1, 0, 2.5));
  const integer = parseMatrixMarketVector(
    "%%MatrixMarket matrix array integer general\n2 1\n3\n-4\n",
  );
  assert.deepEqual(integer, Float64Array.of(3, -4));
  assert.throws(
    () =>
      parseMatrixMarketVector("%%MatrixMarket matrix array real general\n% x\n2 2\n1\n2\n3\n4\n"),
    (e) => e instanceof MatrixMarketError && e.line === 3 && /n x 1/.test(e.message),
  );
  assert.throws(() => formatMatrixMarketVector(Float64Array.of(1, Infinity)), NonFiniteError);
});

Deno.test("parseMatrixMarketDense() returns column-major data", () => {
  const d = parseMatrixMarketDense(
    "%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n",
  );
  assert.equal(d.rows, 2);
  assert.equal(d.cols, 3);
  assert.deepEqual(d.data, Float64Array.of(1, 2, 3, 4, 5, 6));
  const s = parseMatrixMarketDense(HS + "2 2 2\n1 1 1\n2 1 7\n");
  assert.deepEqual(s.data, Float64Array.of(1, 7, 7, 0));
});

Deno.test("readMatrixMarket() and writeMatrixMarket() go through files and name them in errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const A = randomSparseNonsymmetric(12, { seed: 5 });
    await writeMatrixMarket(`${dir}/A.mtx`, A);
    assertSameMatrix((await readMatrixMarket(`${dir}/A.mtx`)).matrix, A);
    const b = Float64Array.of(1, 2, 3);
    await writeMatrixMarketVector(`${dir}/b.mtx`, b);
    assert.deepEqual(await readMatrixMarketVector(`${dir}/b.mtx`), b);
    await Deno.writeTextFile(`${dir}/bad.mtx`, H + "2 2 1\n1 1 x\n");
    await assert.rejects(
      () => readMatrixMarket(`${dir}/bad.mtx`),
      (e) =>
        e instanceof MatrixMarketError && e.source === `${dir}/bad.mtx` && e.line === 3 &&
        e.message.startsWith(`${dir}/bad.mtx:3: `),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const ARRAY = "%%MatrixMarket matrix array real general\n";
const SKEW = "%%MatrixMarket matrix coordinate real skew-symmetric\n";

/** [case, text, expected line, pattern the message must match]. */
const MALFORMED: [string, string, number, RegExp][] = [
  ["empty text", "", 1, /missing banner: the text is empty/],
  ["no banner", "3 3 1\n1 1 1\n", 1, /must start with '%%MatrixMarket' but starts with '3'/],
  ["short banner", "%%MatrixMarket matrix coordinate real\n1 1 0\n", 1, /5 words .* has 4/],
  ["unknown object", "%%MatrixMarket vector coordinate real general\n", 1, /object 'vector'/],
  ["unknown format", "%%MatrixMarket matrix dense real general\n", 1, /format 'dense'/],
  ["complex field", "%%MatrixMarket matrix coordinate complex general\n", 1, /field 'complex'/],
  ["hermitian", "%%MatrixMarket matrix coordinate real hermitian\n", 1, /symmetry 'hermitian'/],
  ["array pattern", "%%MatrixMarket matrix array pattern general\n", 1, /'pattern' cannot/],
  ["array symmetric", "%%MatrixMarket matrix array real symmetric\n", 1, /with format 'array'/],
  ["missing size line", H + "% only a comment\n", 2, /missing size line/],
  [
    "size line fields",
    H + "% c\n3 3\n",
    3,
    /expected 3 fields \(rows columns entries\) but found 2/,
  ],
  ["size line value", H + "3 x 2\n", 2, /column count 'x' is not a non-negative integer/],
  ["non-square symmetric", HS + "3 4 1\n", 2, /must be square but the size is 3x4/],
  [
    "field count",
    H + "2 2 2\n1 1 1\n2 2\n",
    4,
    /expected 3 fields \(row column value\) but found 2/,
  ],
  ["extra field", H + "2 2 1\n1 1 1 0\n", 3, /expected 3 fields .* found 4/],
  ["non-numeric value", H + "2 2 1\n1 1 abc\n", 3, /value 'abc' is not a number/],
  ["hex value", H + "2 2 1\n1 1 0x10\n", 3, /value '0x10' is not a number/],
  ["row out of range", H + "3 3 1\n4 1 1\n", 3, /row index 4 is outside 1..3/],
  ["zero index", H + "3 3 1\n1 0 1\n", 3, /column index 0 is outside 1..3/],
  ["negative index", H + "3 3 1\n-1 1 1\n", 3, /row index '-1' is not a non-negative integer/],
  ["fractional index", H + "3 3 1\n1.0 1 1\n", 3, /row index '1.0'/],
  ["too few entries", H + "3 3 3\n1 1 1\n2 2 1\n% trailing comment\n", 5, /declares 3 .* after 2/],
  ["too many entries", H + "3 3 1\n1 1 1\n\n2 2 1\n", 5, /too many entries: .* declares 1/],
  ["NaN value", H + "2 2 1\n1 1 NaN\n", 3, /value NaN is NaN/],
  ["nan value", H + "2 2 1\n1 1 -nan\n", 3, /value -nan is NaN/],
  ["inf value", H + "2 2 1\n1 1 inf\n", 3, /value inf is infinite/],
  ["Infinity value", H + "2 2 1\n1 1 -Infinity\n", 3, /value -Infinity is infinite/],
  ["overflow", H + "2 2 1\n1 1 1e999\n", 3, /value 1e999 overflows to Infinity/],
  [
    "integer field",
    "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 2.5\n",
    3,
    /2.5 is not an integer/,
  ],
  [
    "both triangles",
    HS + "3 3 3\n2 1 1\n3 3 1\n1 2 1\n",
    5,
    /\(1, 2\) mirrors entry \(2, 1\) on line 3/,
  ],
  [
    "skew diagonal",
    SKEW + "2 2 2\n2 1 1\n2 2 1\n",
    4,
    /diagonal entry \(2, 2\) in a skew-symmetric file/,
  ],
  ["array too few", ARRAY + "2 1\n1\n", 3, /needs 2 values but the text ends after 1/],
  ["array too many", ARRAY + "1 1\n1\n2\n", 4, /too many entries/],
  ["array field count", ARRAY + "2 1\n1 2\n", 3, /expected 1 field \(value\) but found 2/],
  ["array given to parseMatrixMarket", ARRAY + "1 1\n1\n", 1, /use parseMatrixMarketDense/],
];

Deno.test("parseMatrixMarket() reports malformed files with the line number", async (t) => {
  for (const [name, text, line, pattern] of MALFORMED) {
    await t.step(name, () => {
      const parse = name.startsWith("array") && name !== "array given to parseMatrixMarket"
        ? parseMatrixMarketDense
        : parseMatrixMarket;
      assert.throws(
        () => parse(text, "bad.mtx"),
        (e) => {
          assert.ok(e instanceof MatrixMarketError, `${name}: ${e}`);
          assert.equal(e.line, line, `${name}: ${e.message}`);
          assert.equal(e.source, "bad.mtx");
          assert.match(e.message, pattern);
          assert.ok(e.message.startsWith(`bad.mtx:${line}: `));
          return true;
        },
      );
    });
  }
});

/** README table: rows, stored (file entries), nnz (expanded), explicit zeros stored. */
const README_COUNTS: Record<string, [number, number, number, number]> = {
  bcsstk01: [48, 224, 400, 0],
  bcsstk16: [4884, 147631, 290378, 0],
  nos6: [675, 1965, 3255, 0],
  "1138_bus": [1138, 2596, 4054, 0],
  Laplace3D10: [1000, 6400, 6400, 0],
  west0067: [67, 294, 294, 0],
  fs_183_1: [183, 1069, 1069, 71],
  west0479: [479, 1910, 1910, 22],
  "2dcyl1": [1784, 34656, 34656, 2166],
  BentPipe2D100: [10000, 49600, 49600, 0],
  hangGlider_2: [1647, 7834, 14754, 0],
  tumorAntiAngiogenesis_2: [305, 1441, 2699, 0],
};

Deno.test({
  name: "readMatrixMarket() reads all 12 shared matrices with the README counts",
  ignore: !hasSharedData,
  fn: async () => {
    assert.deepEqual(Object.keys(README_COUNTS).sort(), [...REAL_MATRICES].sort());
    for (const name of REAL_MATRICES) {
      const [rows, stored, nnz, zeros] = README_COUNTS[name];
      const mm = await readMatrixMarket(matrixPath(name));
      assert.deepEqual(mm.matrix.shape, [rows, rows], name);
      assert.equal(mm.entries, stored, name);
      assert.equal(mm.matrix.nnz, nnz, name);
      assert.equal(mm.symmetry, stored === nnz ? "general" : "symmetric", name);
      assert.equal(mm.matrix.values.filter((x) => x === 0).length, zeros, name);
      mm.matrix.assertFinite(name);
      if (mm.symmetry === "symmetric") assert.ok(mm.matrix.symmetric, name);
    }
  },
});

Deno.test({
  name: "readMatrixMarket() finds the README's zero diagonals and symmetry facts",
  ignore: !hasSharedData,
  fn: async () => {
    const zeroDiagonals = async (name: string) =>
      (await readMatrixMarket(matrixPath(name))).matrix.diagonal().filter((x) => x === 0).length;
    assert.equal(await zeroDiagonals("west0067"), 65);
    assert.equal(await zeroDiagonals("west0479"), 471);
    assert.equal(await zeroDiagonals("hangGlider_2"), 733);
    assert.equal(await zeroDiagonals("tumorAntiAngiogenesis_2"), 122);
    // Declared general but exactly symmetric.
    assert.ok((await readMatrixMarket(matrixPath("Laplace3D10"))).matrix.symmetric);
    assert.ok(!(await readMatrixMarket(matrixPath("BentPipe2D100"))).matrix.symmetric);
    // The smallest magnitude in hangGlider_2 is 2.7e-40 (below float32 range), read exactly.
    const hg = (await readMatrixMarket(matrixPath("hangGlider_2"))).matrix.values;
    const smallest = hg.reduce((m, x) => (x !== 0 && Math.abs(x) < m ? Math.abs(x) : m), Infinity);
    assert.ok(smallest > 2.6e-40 && smallest < 2.8e-40, `${smallest}`);
  },
});

Deno.test({
  name: "formatMatrixMarket() round-trips a shared symmetric matrix exactly",
  ignore: !hasSharedData,
  fn: async () => {
    const { matrix } = await readMatrixMarket(matrixPath("bcsstk01"));
    const back = parseMatrixMarket(formatMatrixMarket(matrix, { symmetry: "symmetric" }));
    assert.equal(back.entries, 224);
    assertSameMatrix(back.matrix, matrix);
  },
});
