// Hessian–vector products through a solve, for symmetric and nonsymmetric A, sparse values and
// dense A, every method that differentiates, against central differences of an independent
// gradient computed with dense float64 LU (no tape, no Krylov).
import assert from "node:assert/strict";
import { hvp, mul, sparseTensor, sum, type Tensor, tensor } from "../lib/autodiff/mod.ts";
import { denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import type { SolveMethod } from "../lib/linalg/result.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { solve } from "../lib/diff/solve.ts";

function rand(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** Tridiagonal 1-D diffusion with convection c (symmetric when c = 0), plus a far coupling. */
function convection(n: number, c: number): CsrMatrix {
  const r: number[] = [], col: number[] = [], v: number[] = [];
  for (let i = 0; i < n; i++) {
    r.push(i), col.push(i), v.push(3 + 0.1 * i);
    if (i > 0) r.push(i), col.push(i - 1), v.push(-1 - c);
    if (i < n - 1) r.push(i), col.push(i + 1), v.push(-1 + c);
  }
  r.push(0), col.push(n - 1), v.push(0.3 * (c === 0 ? 1 : 2));
  r.push(n - 1), col.push(0), v.push(0.3);
  return CsrMatrix.fromTriplets(n, n, r, col, v);
}

const n = 7;
const w = rand(n, 5);
const b = rand(n, 6);

// L(A) = Σ w·x²  with  x = A⁻¹b:  x̄ = 2 w⊙x,  λ = A⁻ᵀx̄,  ∂L/∂A[i][j] = −λᵢ xⱼ.
function denseGradient(Adense: Float64Array): Float64Array {
  const x = denseSolve(Adense, n, b);
  const lam = denseSolveTranspose(Adense, n, x.map((xi, i) => 2 * w[i] * xi));
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] = -lam[i] * x[j];
  return g;
}

function maxRelErr(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - e[i]));
    scale = Math.max(scale, Math.abs(e[i]));
  }
  return err / scale;
}

const loss = (x: Tensor) => sum(mul(tensor(w), mul(x, x)));
const h = 1e-5;
const cases: [string, CsrMatrix, SolveMethod[]][] = [
  ["symmetric", convection(n, 0), ["cg", "minres", "gmres", "bicgstab", "direct"]],
  ["nonsymmetric", convection(n, 0.4), ["gmres", "bicgstab", "direct"]],
];

for (const [kind, M, methods] of cases) {
  for (const method of methods) {
    Deno.test(`hvp through solve (${method}, ${kind}, sparse values) matches differences of the dense gradient`, () => {
      const f = (vals: Tensor) =>
        loss(solve(sparseTensor(M.pattern, vals), tensor(b), { method, rtol: 1e-14 }));
      const v0 = M.values, dir = rand(M.nnz, 9);
      const Hv = hvp(f, tensor(v0), tensor(dir));
      // Gradient w.r.t. stored values: the dense gradient sampled at the pattern.
      const sampled = (vals: Float64Array) => {
        const g = denseGradient(new CsrMatrix(M.pattern, vals).toDense());
        const out = new Float64Array(M.nnz);
        const rows = M.pattern.rowIndices();
        for (let k = 0; k < M.nnz; k++) out[k] = g[rows[k] * n + M.pattern.colIdx[k]];
        return out;
      };
      const gp = sampled(v0.map((v, k) => v + h * dir[k]));
      const gm = sampled(v0.map((v, k) => v - h * dir[k]));
      const fd = gp.map((p, k) => (p - gm[k]) / (2 * h));
      const err = maxRelErr(Hv.data, fd);
      assert.ok(err <= 1e-6, `relative error ${err}`);
    });

    Deno.test(`hvp through solve (${method}, ${kind}, dense A) matches differences of the dense gradient`, () => {
      const A0 = M.toDense();
      const f = (A: Tensor) => loss(solve(A, tensor(b), { method, rtol: 1e-14 }));
      const dir = rand(n * n, 10);
      const Hv = hvp(f, tensor(A0, [n, n]), tensor(dir, [n, n]));
      const gp = denseGradient(A0.map((v, k) => v + h * dir[k]));
      const gm = denseGradient(A0.map((v, k) => v - h * dir[k]));
      const fd = gp.map((p, k) => (p - gm[k]) / (2 * h));
      const err = maxRelErr(Hv.data, fd);
      assert.ok(err <= 1e-6, `relative error ${err}`);
    });
  }
}
