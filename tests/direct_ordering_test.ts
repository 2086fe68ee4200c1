import assert from "node:assert/strict";
import { amd } from "../lib/linalg/direct/amd.ts";
import { analyzeCholesky } from "../lib/linalg/direct/cholesky.ts";
import { eliminationTree } from "../lib/linalg/direct/etree.ts";
import { normalGraph, symmetricGraph } from "../lib/linalg/direct/graph.ts";
import { factorize } from "../lib/linalg/direct/factor.ts";
import { analyze } from "../lib/linalg/direct/symbolic.ts";
import { parseMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { hasSharedData, matrixPath } from "./_data.ts";

function isPermutation(p: Int32Array): boolean {
  const seen = new Uint8Array(p.length);
  for (const i of p) {
    if (i < 0 || i >= p.length || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

Deno.test("amd() returns a permutation and orders an arrow matrix's hub last", () => {
  const n = 30, rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) rows.push(i, 0, i), cols.push(i, i, 0);
  const A = CsrMatrix.fromTriplets(n, n, rows, cols, rows.map(() => 1));
  const perm = amd(symmetricGraph(A.pattern));
  assert.ok(isPermutation(perm));
  assert.equal(perm[n - 1], 0);
  // hub last: the Cholesky factor has no fill at all
  assert.equal(analyzeCholesky(A.pattern, perm).lColPtr[n], A.nnz - (A.nnz - n) / 2);
});

Deno.test("amd() cuts the Cholesky fill of 2-D Poisson far below the natural order", () => {
  const A = poisson2d(40);
  const n = A.shape[0];
  const perm = amd(symmetricGraph(A.pattern));
  assert.ok(isPermutation(perm));
  const natural = analyzeCholesky(A.pattern, identity(n)).lColPtr[n];
  const ordered = analyzeCholesky(A.pattern, perm).lColPtr[n];
  // natural: band of width 40 (≈ 40·n); nested-dissection-like orders reach ≈ 31k here
  assert.ok(natural > 60_000, `natural fill ${natural}`);
  assert.ok(ordered < natural / 1.8, `amd fill ${ordered} vs natural ${natural}`);
});

Deno.test("eliminationTree() matches the first off-diagonal row of each column of dense L", () => {
  const A = poisson2d(5);
  const n = A.shape[0];
  const s = analyzeCholesky(A.pattern, amd(symmetricGraph(A.pattern)));
  const parent = eliminationTree(n, s.cColPtr, s.cRowIdx);
  for (let j = 0; j < n; j++) {
    const first = s.lColPtr[j + 1] - s.lColPtr[j] > 1 ? s.lRowIdx[s.lColPtr[j] + 1] : -1;
    assert.equal(parent[j], first);
  }
});

Deno.test("normalGraph() is the pattern of AᵀA without dense rows", () => {
  // row 0 is dense when the threshold is 2: only rows 1 and 2 couple columns
  const A = CsrMatrix.fromDense([[1, 1, 1, 1], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]]);
  const g = normalGraph(A.pattern, 2);
  const adj = (i: number) => Array.from(g.idx.subarray(g.ptr[i], g.ptr[i + 1])).sort();
  assert.deepEqual(adj(0), []);
  assert.deepEqual(adj(1), [2]);
  assert.deepEqual(adj(2), [1, 3]);
  assert.deepEqual(adj(3), [2]);
});

// nnz(L) + nnz(U) of SciPy 1.17.1 `splu` (SuperLU, default COLAMD ordering) on each matrix.
const SUPERLU_FILL: Record<string, number> = {
  bcsstk01: 1281,
  bcsstk16: 1966048,
  nos6: 17254,
  "1138_bus": 7680,
  Laplace3D10: 124470,
  west0067: 763,
  fs_183_1: 6083,
  west0479: 6259,
  "2dcyl1": 343145,
  BentPipe2D100: 646231,
  hangGlider_2: 60727,
  tumorAntiAngiogenesis_2: 21691,
};

Deno.test({
  name: "factorize() fill with default options is within 1.5x of SuperLU's on the real matrices",
  ignore: !hasSharedData,
  fn() {
    for (const [name, superlu] of Object.entries(SUPERLU_FILL)) {
      const A = parseMatrixMarket(Deno.readTextFileSync(matrixPath(name)), name).matrix;
      const f = factorize(A);
      const ours = f.nnzL + f.nnzU;
      assert.ok(ours <= 1.5 * superlu, `${name}: ${ours} vs SuperLU ${superlu}`);
      assert.ok(f.fill >= 1, `${name}: fill ${f.fill}`);
    }
  },
});

Deno.test({
  name: "analyze() relaxes the LU threshold and orders on AᵀA when the diagonal is mostly absent",
  ignore: !hasSharedData,
  fn() {
    const kkt = parseMatrixMarket(Deno.readTextFileSync(matrixPath("hangGlider_2"))).matrix;
    assert.equal(analyze(kkt.pattern).defaultPivotThreshold, 0.001);
    // hangGlider_2 has one row with 1463 entries: with τ = 0.1 and the A + Aᵀ order it becomes a
    // pivot early and fills every later column (≈ 390k entries, 6.4x SuperLU).
    const strict = factorize(kkt, { pivotThreshold: 0.1, ordering: "amd-symmetric" });
    const relaxed = factorize(kkt);
    assert.ok(relaxed.nnzL + relaxed.nnzU < 0.2 * (strict.nnzL + strict.nnzU));
    const full = parseMatrixMarket(Deno.readTextFileSync(matrixPath("2dcyl1"))).matrix;
    assert.equal(analyze(full.pattern).defaultPivotThreshold, 0.1);
  },
});
