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

Deno.test("CsrPattern() refuses non-integer indices and shapes beyond Int32", () => {
  // A JavaScript caller can pass any array; a fractional index must not be truncated silently.
  const asInt32 = (a: ArrayLike<number>) => a as unknown as Int32Array;
  const bad: [string, () => CsrPattern, RegExp][] = [
    [
      "fractional column (plain array)",
      () => new CsrPattern(1, 2, Int32Array.of(0, 1), asInt32([0.5])),
      /column index 0.5 in row 0 is not an integer/,
    ],
    [
      "fractional column (Float64Array)",
      () => new CsrPattern(2, 3, Int32Array.of(0, 1, 2), asInt32(Float64Array.of(0, 1.25))),
      /column index 1.25 in row 1 is not an integer/,
    ],
    [
      "NaN column",
      () => new CsrPattern(1, 2, Int32Array.of(0, 1), asInt32([NaN])),
      /column index NaN in row 0 is not an integer/,
    ],
    [
      "fractional row pointer",
      () => new CsrPattern(2, 2, asInt32([0, 0.5, 1]), Int32Array.of(0)),
      /rowPtr\[1\] = 0.5 is not an integer/,
    ],
    [
      "rows beyond Int32",
      () => new CsrPattern(2 ** 31, 1, new Int32Array(1), new Int32Array(0)),
      /2147483648x1 exceeds the largest supported dimension 2147483646/,
    ],
    [
      "columns beyond Int32",
      () => new CsrPattern(1, 2 ** 40, Int32Array.of(0, 0), new Int32Array(0)),
      /1x1099511627776 exceeds the largest supported dimension 2147483646/,
    ],
  ];
  for (const [name, build, message] of bad) {
    assert.throws(build, (e) => e instanceof ShapeError && message.test(e.message), name);
  }
  // Integer-valued plain arrays are accepted and stored as Int32Array.
  const p = new CsrPattern(2, 3, asInt32([0, 1, 3]), asInt32([2, 0, 1]));
  assert.ok(p.rowPtr instanceof Int32Array && p.colIdx instanceof Int32Array);
  assert.deepEqual(p.colIdx, Int32Array.of(2, 0, 1));
  assert.equal(p.find(1, 1), 2);
});

Deno.test("patternFromTriplets() refuses shapes beyond Int32 before allocating", () => {
  for (const [nRows, nCols] of [[2 ** 31 - 1, 1], [1, 2 ** 31 - 1], [2 ** 53, 2], [1.5, 2]]) {
    assert.throws(
      () => patternFromTriplets(nRows, nCols, [0], [0]),
      (e) =>
        e instanceof ShapeError &&
        (Number.isInteger(nRows)
          ? new RegExp(`${nRows}x${nCols} exceeds the largest supported dimension 2147483646`)
          : /non-negative integers/).test(e.message),
      `${nRows}x${nCols}`,
    );
  }
});

/** Peak resident memory (VmHWM, MB) of a fresh Deno process that runs `code`. */
async function peakMegabytes(code: string): Promise<{ mb: number; out: string }> {
  const coo = new URL("../lib/sparse/coo.ts", import.meta.url).href;
  const program = `import { patternFromTriplets } from "${coo}";\n${code}\n` +
    `const s = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\\s+(\\d+) kB/);\n` +
    `console.log("peak", Number(s![1]) / 1024);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", program],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const m = text.match(/peak ([\d.]+)/);
  assert.ok(out.success && m, text);
  return { mb: Number(m[1]), out: text };
}

Deno.test({
  name: "patternFromTriplets() memory follows the triplets, not a huge column count",
  ignore: Deno.build.os !== "linux", // reads /proc/self/status
  fn: async () => {
    // One row, 2e9 columns, 3 triplets: the old column counting sort touched 8 GB.
    const { mb, out } = await peakMegabytes(
      `const { pattern, map } = patternFromTriplets(1, 2e9, [0, 0, 0], [1999999999, 5, 1999999999]);\n` +
        `console.log("cols", Array.from(pattern.colIdx).join(","), "map", Array.from(map).join(","));`,
    );
    assert.match(out, /cols 5,1999999999 map 1,0,1/);
    assert.ok(mb < 300, `peak resident memory ${mb} MB`);
  },
});

Deno.test("patternFromTriplets() sorts columns the same way at any column count", () => {
  // Above max(triplets, 65536) columns the sort switches to two 16-bit radix passes.
  const rng = new Rng(9);
  for (const nCols of [7, 70000, 2 ** 31 - 2]) {
    const m = 500;
    const rows = Array.from({ length: m }, () => rng.int(13));
    const cols = Array.from({ length: m }, (_, t) => t % 5 === 0 ? nCols - 1 : rng.int(nCols));
    const { pattern, map } = patternFromTriplets(13, nCols, rows, cols);
    const keys = [...new Set(rows.map((i, t) => `${i} ${cols[t]}`))]
      .map((s) => s.split(" ").map(Number))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.equal(pattern.nnz, keys.length, `nCols ${nCols}`);
    assert.deepEqual(Array.from(pattern.colIdx), keys.map((k) => k[1]), `nCols ${nCols}`);
    const r = pattern.rowIndices();
    for (let t = 0; t < m; t++) {
      assert.equal(r[map[t]], rows[t]);
      assert.equal(pattern.colIdx[map[t]], cols[t]);
    }
  }
});

Deno.test("scatterTriplets() refuses a map entry outside the value array", () => {
  assert.throws(
    () => scatterTriplets(1, Int32Array.of(0, 1), [1, 2]),
    (e) => e instanceof ShapeError && /map\[1\] = 1 is outside 0..0/.test(e.message),
  );
  assert.throws(
    () => scatterTriplets(2, Int32Array.of(-1, 0), [1, 2]),
    (e) => e instanceof ShapeError && /map\[0\] = -1 is outside 0..1/.test(e.message),
  );
  assert.throws(
    () => scatterTriplets(0, Int32Array.of(0), [1]),
    (e) =>
      e instanceof ShapeError && /map\[0\] = 0 is outside the 0 stored entries/.test(e.message),
  );
  assert.deepEqual(scatterTriplets(2, Int32Array.of(1, 1, 0), [1, 2, 4]), Float64Array.of(4, 3));
});
