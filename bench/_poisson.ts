/**
 * The 2-D Poisson matrix of `shared/bench/cg_reference.cpp`, built directly
 * in CSR with the same row and column order (row `j·N + i`; neighbours
 * south, west, centre, east, north), so our timings and C's run on
 * identical data.
 *
 * @module
 */

import { CsrMatrix } from "../lib/sparse/csr.ts";
import { CsrPattern } from "../lib/sparse/pattern.ts";

/** 5-point Laplacian on an N×N interior grid (Dirichlet): order N², diagonal 4, off-diagonals −1. */
export function poissonCsr(N: number): CsrMatrix {
  const n = N * N;
  const nnz = 5 * n - 4 * N;
  const rowPtr = new Int32Array(n + 1);
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const row = j * N + i;
      if (j > 0) (colIdx[k] = row - N, values[k++] = -1);
      if (i > 0) (colIdx[k] = row - 1, values[k++] = -1);
      colIdx[k] = row;
      values[k++] = 4;
      if (i < N - 1) (colIdx[k] = row + 1, values[k++] = -1);
      if (j < N - 1) (colIdx[k] = row + N, values[k++] = -1);
      rowPtr[row + 1] = k;
    }
  }
  return new CsrMatrix(new CsrPattern(n, n, rowPtr, colIdx), values);
}
