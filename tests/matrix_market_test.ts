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
  readMatrixMarketStream,
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

/** Asserts `f` throws a MatrixMarketError at `line` whose message matches `pattern`. */
function assertRefused(f: () => unknown, line: number, pattern: RegExp, name = ""): void {
  assert.throws(f, (e) => {
    assert.ok(e instanceof MatrixMarketError, `${name}: ${e}`);
    assert.equal(e.line, line, `${name}: ${e.message}`);
    assert.match(e.message, pattern, name);
    return true;
  });
}

Deno.test("parseMatrixMarket() refuses an implausible size line before allocating for it", async (t) => {
  // Each of these was accepted and allocated for the declared size (1e9: 24 s, 11.8 GB).
  await t.step("rows beyond Int32", () => {
    assertRefused(
      () => parseMatrixMarket(H + "2147483647 2147483647 3\n1 1 1\n2 2 1\n3 3 1\n", "big.mtx"),
      2,
      /^big\.mtx:2: size 2147483647x2147483647 exceeds the largest supported dimension 2147483646 \(indices and row pointers are Int32\)$/,
    );
  });
  await t.step("1e9 x 1e9 with 3 entries", () => {
    assertRefused(
      () => parseMatrixMarket(H + "% c\n1000000000 1000000000 3\n1 1 1\n2 2 1\n3 3 1\n"),
      3,
      /size 1000000000x1000000000 with 3 entries: its row pointers would take 3\.7 GiB \(4 bytes per row or column\); a dimension above 67108864 needs at least one entry per 8 rows or columns/,
    );
  });
  await t.step("1e8 x 1e8 with 3 entries", () => {
    assertRefused(
      () => parseMatrixMarket(H + "100000000 100000000 3\n1 1 1\n2 2 1\n3 3 1\n"),
      2,
      /size 100000000x100000000 with 3 entries: its row pointers would take 0\.4 GiB/,
    );
  });
  await t.step("a huge column count", () => {
    assertRefused(
      () => parseMatrixMarket(H + "3 2000000000 1\n1 1 1\n"),
      2,
      /size 3x2000000000 with 1 entry:/,
    );
  });
  await t.step("more entries than Int32 can index", () => {
    assertRefused(
      () => parseMatrixMarket(H + "3 3 3000000000\n1 1 1\n"),
      2,
      /declares 3000000000 entries, more than the 2147483647 an Int32 index can address/,
    );
  });
  await t.step("an inflated entry count is found at the end of the text", () => {
    // 1e9 rows pass the rule (2e9 entries declared), but nothing n-sized is allocated
    // before the entries are read, and they are not there.
    assertRefused(
      () => parseMatrixMarket(H + "1000000000 1000000000 2000000000\n1 1 1\n"),
      3,
      /too few entries: the size line declares 2000000000 but the text ends after 1/,
    );
  });
  await t.step("a dense result far larger than the file", () => {
    assertRefused(
      () => parseMatrixMarketVector(H + "1000000000 1 1\n1 1 5\n"),
      2,
      /size 1000000000x1 with 1 entry: its row pointers would take 3\.7 GiB/,
    );
    assertRefused(
      () => parseMatrixMarketDense(H + "20000 20000 2\n1 1 5\n2 2 1\n"),
      2,
      /a dense 20000x20000 result would need 3\.0 GiB for 2 entries; a dense result of more than 67108864 values needs at least one entry per 8 values/,
    );
  });
});

Deno.test("parseMatrixMarket() accepts a large dimension with few entries below the rule's floor", () => {
  const n = 2 ** 22; // 16 MiB of row pointers: under the 67108864 floor, any entry count
  const mm = parseMatrixMarket(H + `${n} ${n} 2\n${n} 1 2.5\n1 ${n} -1\n`);
  assert.deepEqual(mm.matrix.shape, [n, n]);
  assert.equal(mm.matrix.nnz, 2);
  assert.equal(mm.matrix.get(n - 1, 0), 2.5);
  assert.equal(mm.matrix.get(0, n - 1), -1);
  assert.deepEqual(parseMatrixMarketVector(H + "5 1 1\n5 1 3\n"), Float64Array.of(0, 0, 0, 0, 3));
});

/** A file with everything the scanner treats specially: BOM, CRLF, comments, blanks, UTF-8. */
const TRICKY = "\ufeff%%MatrixMarket matrix coordinate real symmetric\r\n" +
  "% température → 3 °C, ünïcödé comment\n\n  \t\n4 4 6\r\n" +
  "1 1 4.5\n2 1 -1e-3\r\n% between\n3\t2   0.125\n\n" +
  "2 2 6\n4 1 -0\n4 4 1.7976931348623157e308";

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.subarray(at, c);
    at = c;
  }
}

Deno.test("readMatrixMarket() parses identically at every chunk size and every split point", async () => {
  const expected = parseMatrixMarket(TRICKY);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tricky.mtx`;
    const bytes = new TextEncoder().encode(TRICKY);
    await Deno.writeFile(path, bytes);
    const same = (mm: Awaited<ReturnType<typeof readMatrixMarket>>, what: string) => {
      assertSameMatrix(mm.matrix, expected.matrix);
      assert.deepEqual(mm.fileRows, expected.fileRows, what);
      assert.deepEqual(mm.fileCols, expected.fileCols, what);
      assert.deepEqual(mm.entryMap, expected.entryMap, what);
      assert.equal(mm.entries, 6, what);
    };
    for (let chunkSize = 1; chunkSize <= bytes.length + 1; chunkSize++) {
      same(await readMatrixMarket(path, { chunkSize }), `chunkSize ${chunkSize}`);
    }
    // Every split into two pieces, and into three around a multi-byte character.
    const arrow = bytes.indexOf(0xe2); // "→" is 3 bytes
    for (let cut = 0; cut <= bytes.length; cut++) {
      same(await readMatrixMarketStream(pieces(bytes, [cut])), `cut ${cut}`);
      same(
        await readMatrixMarketStream(pieces(bytes, [arrow + 1, Math.max(arrow + 1, cut)])),
        `cuts ${arrow + 1}, ${cut}`,
      );
    }
    // A synchronous iterable of pieces, with the size given, works the same.
    same(
      await readMatrixMarketStream([bytes.subarray(0, 70), bytes.subarray(70)], {
        size: bytes.length,
      }),
      "iterable",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMatrixMarket() reports the same line at every chunk size", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text, line, pattern] of MALFORMED) {
      if (name.startsWith("array")) continue;
      await t.step(name, async () => {
        const path = `${dir}/bad.mtx`;
        await Deno.writeTextFile(path, text);
        for (const chunkSize of [1, 2, 3, 5, 8, 64]) {
          await assert.rejects(
            () => readMatrixMarket(path, { chunkSize }),
            (e) => {
              assert.ok(e instanceof MatrixMarketError, `${name}/${chunkSize}: ${e}`);
              assert.equal(e.line, line, `${name}/${chunkSize}: ${e.message}`);
              assert.match(e.message, pattern);
              assert.equal(e.source, path);
              return true;
            },
          );
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMatrixMarketVector() streams array and coordinate vectors at any chunk size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const v = Float64Array.of(0.1, -0, 1e-310, -7, 2 ** 60, 3.25);
    await writeMatrixMarketVector(`${dir}/v.mtx`, v, { comment: "a vector" });
    await Deno.writeTextFile(`${dir}/c.mtx`, H + "4 1 2\n4 1 2.5\n2 1 -1");
    for (const chunkSize of [1, 2, 3, 7, 1 << 20]) {
      const back = await readMatrixMarketVector(`${dir}/v.mtx`, { chunkSize });
      assert.ok(back.length === 6 && back.every((x, i) => Object.is(x, v[i])), `${chunkSize}`);
      assert.deepEqual(
        await readMatrixMarketVector(`${dir}/c.mtx`, { chunkSize }),
        Float64Array.of(0, -1, 0, 2.5),
      );
    }
    await assert.rejects(
      () => readMatrixMarketVector(`${dir}/v.mtx`, { chunkSize: 0 }),
      (e) =>
        e instanceof RangeError && /chunkSize must be a positive integer, got 0/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMatrixMarket() refuses a directory in one sentence", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const read of [readMatrixMarket, readMatrixMarketVector]) {
      await assert.rejects(
        () => read(dir),
        (e) =>
          e instanceof GradsolveError &&
          e.message === `Cannot read Matrix Market file ${dir}: it is a directory`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMatrixMarket() skips a comment line longer than a chunk and counts it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = "% " + "x".repeat(3 << 20) + "\n"; // 3 MiB, beyond the 1 MiB carried per line
    const path = `${dir}/long.mtx`;
    await Deno.writeTextFile(path, H + long + "2 2 1\n1 1 5\n" + long + "2 2 1\n");
    await assert.rejects(
      () => readMatrixMarket(path, { chunkSize: 4096 }),
      (e) => e instanceof MatrixMarketError && e.line === 6 && /too many entries/.test(e.message),
    );
    await Deno.writeTextFile(path, H + long + "2 2 1\n1 1 5\n" + long.slice(0, -1));
    const mm = await readMatrixMarket(path, { chunkSize: 4096 });
    assert.equal(mm.matrix.get(0, 0), 5);
    // A data line that long is read (the same whatever the chunking); a banner is refused.
    await Deno.writeTextFile(path, H + "2 2 1\n1 1 " + "0".repeat(2 << 20) + "1.5\n");
    assert.equal((await readMatrixMarket(path, { chunkSize: 4096 })).matrix.get(0, 0), 1.5);
    await Deno.writeTextFile(path, "%%MatrixMarket" + " ".repeat(2 << 20) + "x\n");
    await assert.rejects(
      () => readMatrixMarket(path, { chunkSize: 4096 }),
      (e) =>
        e instanceof MatrixMarketError && e.line === 1 &&
        /line 1 is longer than 1048576 bytes: not a Matrix Market banner/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMatrixMarketStream() grows its arrays when the size is not known", async () => {
  // Beyond the 4096 entries guessed for a stream of unknown length, in uneven chunks.
  const A = randomSparseSpd(3000, { seed: 8, nnzPerRow: 5 });
  const text = formatMatrixMarket(A, { symmetry: "symmetric" });
  const bytes = new TextEncoder().encode(text);
  const cuts = Array.from({ length: 40 }, (_, k) => Math.floor((k * k * bytes.length) / 1600));
  const mm = await readMatrixMarketStream(pieces(bytes, cuts.slice(1)));
  const expected = parseMatrixMarket(text);
  assert.ok(mm.entries > 4096, `${mm.entries}`);
  assertSameMatrix(mm.matrix, A);
  assert.deepEqual(mm.fileRows, expected.fileRows);
  assert.deepEqual(mm.entryMap, expected.entryMap);
});

Deno.test({
  name: "readMatrixMarketVector() reads a pipe, whose length is not known in advance",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const v = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 10 ** (i % 7));
      await writeMatrixMarketVector(`${dir}/v.mtx`, v);
      const fifo = `${dir}/pipe`;
      assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
      const writer = new Deno.Command("sh", { args: ["-c", `cat "${dir}/v.mtx" > "${fifo}"`] })
        .spawn();
      const back = await readMatrixMarketVector(fifo, { chunkSize: 1000 });
      assert.ok((await writer.status).success);
      assert.equal(back.length, 5000);
      assert.ok(back.every((x, i) => Object.is(x, v[i])));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
