import assert from "node:assert/strict";
import { GpuMatrix, GpuVector } from "../lib/gpu/buffers.ts";
import { gpuDot, gpuNorm } from "../lib/gpu/dot.ts";
import { chooseSpmvVariant, gpuSpmv } from "../lib/gpu/spmv.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion2d } from "../lib/sparse/generators.ts";
import { maxRelativeError, noGpu, withGpu } from "./_gpu.ts";

/** A nonsymmetric matrix with short rows plus a few long ones (up to 300 entries). */
function mixedRows(n: number): CsrMatrix {
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = i % 97 === 0 ? 300 : 1 + (i % 5);
    for (let k = 0; k < len; k++) {
      rows.push(i);
      cols.push((i * 7 + k * 13) % n);
      vals.push(Math.sin(i + 3 * k) + (k === 0 ? 2 : 0));
    }
  }
  return CsrMatrix.fromTriplets(n, n, rows, cols, vals);
}

function vector(n: number, seed: number): Float64Array {
  return new Float64Array(n).map((_, i) => Math.cos(seed * i + 0.5));
}

Deno.test({
  name: "gpuSpmv() matches CsrMatrix.apply and applyTranspose for both kernels",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      for (const A of [convectionDiffusion2d(24, 20, { wind: [1, -0.5] }), mixedRows(1500)]) {
        const [rows, cols] = A.shape;
        const xv = vector(cols, 0.3), xt = vector(rows, 0.7);
        const want = A.multiply(xv);
        const wantT = new Float64Array(cols);
        A.applyTranspose(xt, wantT);
        using M = GpuMatrix.upload(ctx, A);
        using MT = GpuMatrix.upload(ctx, A, { transpose: true });
        using x = GpuVector.from(ctx, xv);
        using y = new GpuVector(ctx, rows);
        using x2 = GpuVector.from(ctx, xt);
        using y2 = new GpuVector(ctx, cols);
        for (const variant of ["row", "workgroup"] as const) {
          await gpuSpmv(ctx, M, x, y, variant);
          assert.ok(maxRelativeError(await y.read(), want) < 1e-5, `A x, ${variant}`);
          await gpuSpmv(ctx, MT, x2, y2, variant);
          assert.ok(maxRelativeError(await y2.read(), wantT) < 1e-5, `Aᵀ x, ${variant}`);
        }
      }
    }),
});

Deno.test("chooseSpmvVariant() picks a workgroup per row for long rows", () => {
  assert.equal(chooseSpmvVariant({ meanRowLength: 5, maxRowLength: 9 }), "row");
  assert.equal(chooseSpmvVariant({ meanRowLength: 40, maxRowLength: 50 }), "workgroup");
  assert.equal(chooseSpmvVariant({ meanRowLength: 3, maxRowLength: 5000 }), "workgroup");
});

Deno.test({
  name: "gpuDot() and gpuNorm() match float64 sums",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      for (const n of [1, 7, 256, 5000]) {
        const av = vector(n, 0.9), bv = vector(n, 1.7);
        let dot = 0, nn = 0;
        for (let i = 0; i < n; i++) {
          dot += av[i] * bv[i];
          nn += av[i] * av[i];
        }
        using a = GpuVector.from(ctx, av);
        using b = GpuVector.from(ctx, bv);
        assert.ok(
          Math.abs((await gpuDot(ctx, a, b)) - dot) <= 1e-5 * Math.max(1, nn),
          `dot n=${n}`,
        );
        assert.ok(
          Math.abs((await gpuNorm(ctx, a)) - Math.sqrt(nn)) <= 1e-5 * Math.sqrt(nn),
          `norm n=${n}`,
        );
      }
    }),
});
