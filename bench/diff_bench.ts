/**
 * Micro-benchmarks of the differentiable solve on 2-D Poisson (N = 64,
 * n = 4,096) with CG, rtol 1e-8: the forward solve alone (baseline),
 * forward + implicit backward, and forward + unrolled backward.
 * `scripts/bench_diff.ts` runs the full-size ratio and memory study.
 *
 * @module
 */

import { dot, grad, sparseTensor, type Tensor, tensor } from "../lib/autodiff/mod.ts";
import { solve } from "../lib/diff/solve.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";

const m = 64, n = m * m;
const r: number[] = [], c: number[] = [], v: number[] = [];
for (let i = 0; i < m; i++) {
  for (let j = 0; j < m; j++) {
    const k = i * m + j;
    r.push(k), c.push(k), v.push(4);
    if (i > 0) r.push(k), c.push(k - m), v.push(-1);
    if (i < m - 1) r.push(k), c.push(k + m), v.push(-1);
    if (j > 0) r.push(k), c.push(k - 1), v.push(-1);
    if (j < m - 1) r.push(k), c.push(k + 1), v.push(-1);
  }
}
const P = CsrMatrix.fromTriplets(n, n, r, c, v);
const A = sparseTensor(P.pattern, P.values);
const b = tensor(Array.from({ length: n }, (_, i) => Math.sin(i)));
const w = tensor(Array.from({ length: n }, (_, i) => Math.cos(i)));

Deno.bench("solve forward, Poisson 64², CG", { group: "diff", baseline: true }, () => {
  solve(A, b, { method: "cg", rtol: 1e-8 });
});

Deno.bench("solve forward + implicit backward", { group: "diff" }, () => {
  grad((bb: Tensor) => dot(w, solve(A, bb, { method: "cg", rtol: 1e-8 })))(b);
});

Deno.bench("solve forward + unrolled backward", { group: "diff" }, () => {
  grad((bb: Tensor) => dot(w, solve(A, bb, { method: "cg", rtol: 1e-8, adjoint: "unrolled" })))(b);
});
