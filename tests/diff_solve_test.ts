import assert from "node:assert/strict";
import {
  checkGrad,
  dot,
  fromArray,
  fromCsr,
  grad,
  hvp,
  jvp,
  mul,
  sparseTensor,
  sum,
  tanh,
  type Tensor,
  tensor,
  vjp,
} from "../lib/autodiff/mod.ts";
import { add } from "../lib/autodiff/elementwise.ts";
import { spmv as spmvOf, spmvT as spmvTOf } from "../lib/autodiff/sparse.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { solve, solveWithInfo } from "../lib/diff/solve.ts";
import type { ParametricOperator } from "../lib/diff/system.ts";

/** Deterministic values in (−1, 1). */
function rand(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** 1-D convection–diffusion (nonsymmetric when c ≠ 0), plus a far coupling, n×n. */
function convection(n: number, c: number): CsrMatrix {
  const r: number[] = [], col: number[] = [], v: number[] = [];
  for (let i = 0; i < n; i++) {
    r.push(i), col.push(i), v.push(2.5);
    if (i > 0) r.push(i), col.push(i - 1), v.push(-1 - c);
    if (i < n - 1) r.push(i), col.push(i + 1), v.push(-1 + c);
  }
  r.push(0), col.push(n - 1), v.push(0.3 * (c === 0 ? 1 : 2));
  r.push(n - 1), col.push(0), v.push(0.3);
  return CsrMatrix.fromTriplets(n, n, r, col, v);
}

const n = 8;
const spd = convection(n, 0);
const nonsym = convection(n, 0.4);
const c = tensor(rand(n, 11));
const b0 = tensor(rand(n, 12));

const closeArr = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  assert.ok(err <= tol * Math.max(scale, 1e-300), `max abs error ${err} (scale ${scale})`);
};

Deno.test("solve() gradient w.r.t. b is A⁻ᵀc for every solver (nonsymmetric A where possible)", () => {
  const cases: [string, CsrMatrix][] = [
    ["cg", spd],
    ["minres", spd],
    ["bicgstab", nonsym],
    ["gmres", nonsym],
  ];
  for (const [method, M] of cases) {
    const A = sparseTensor(M.pattern, M.values);
    const g = grad((b) => dot(c, solve(A, b, { method: method as "cg", rtol: 1e-13 })))(b0);
    const expected = denseSolveTranspose(M.toDense(), n, c.data);
    closeArr(g.data, expected, 1e-9);
    if (method === "bicgstab" || method === "gmres") {
      // Using A instead of Aᵀ would be wrong here:
      const wrong = denseSolve(M.toDense(), n, c.data);
      assert.ok(Math.abs(wrong[0] - expected[0]) > 1e-3, `${method}: test matrix too symmetric`);
    }
  }
});

Deno.test("solve() gradient w.r.t. sparse values matches finite differences and −λ[i]x[j]", () => {
  for (const [method, M] of [["gmres", nonsym], ["bicgstab", nonsym], ["cg", spd]] as const) {
    const f = (vals: Tensor) =>
      dot(c, tanh(solve(sparseTensor(M.pattern, vals), b0, { method, rtol: 1e-13 })));
    const report = checkGrad(f, tensor(M.values), { eps: 1e-5 });
    assert.ok(report.ok, `${method}: max rel error ${report.maxRelError}`);
  }
  const g = grad((vals: Tensor) =>
    dot(c, solve(sparseTensor(nonsym.pattern, vals), b0, { rtol: 1e-13 }))
  )(
    tensor(nonsym.values),
  );
  const x = denseSolve(nonsym.toDense(), n, b0.data),
    lam = denseSolveTranspose(nonsym.toDense(), n, c.data);
  const rows = nonsym.pattern.rowIndices();
  const expected = Array.from(nonsym.pattern.colIdx, (j, k) => -lam[rows[k]] * x[j]);
  closeArr(g.data, expected, 1e-9);
});

Deno.test("solve() gradient w.r.t. dense A matches −λxᵀ and finite differences", () => {
  const Ad = nonsym.toDense();
  const g = grad((A: Tensor) => dot(c, solve(A, b0, { rtol: 1e-13 })))(tensor(Ad, [n, n]));
  const x = denseSolve(Ad, n, b0.data), lam = denseSolveTranspose(Ad, n, c.data);
  closeArr(
    g.data,
    Array.from({ length: n * n }, (_, t) => -lam[Math.floor(t / n)] * x[t % n]),
    1e-9,
  );
  const small = fromArray([[3, 1, 0], [0.5, 2, 0.2], [0, 0.1, 4]]);
  const report = checkGrad((A) => sum(tanh(solve(A, tensor([1, 2, 3]), { rtol: 1e-13 }))), small);
  assert.ok(report.ok, `max rel error ${report.maxRelError}`);
});

Deno.test("solve() gradient w.r.t. matrix-free θ matches finite differences (with and without applyTranspose)", () => {
  // A(θ) = B + diag(θ) with B nonsymmetric, matrix-free.
  const Bm = sparseTensor(nonsym.pattern, nonsym.values);
  const make = (withT: boolean) => (theta: Tensor): ParametricOperator => ({
    shape: [n, n],
    params: [theta],
    apply: ([t], x) => add(spmvOf(Bm, x), mul(t, x)),
    ...(withT
      ? { applyTranspose: ([t]: readonly Tensor[], y: Tensor) => add(spmvTOf(Bm, y), mul(t, y)) }
      : {}),
  });
  for (const withT of [true, false]) {
    const f = (theta: Tensor) =>
      dot(c, solve(make(withT)(theta), b0, { method: "gmres", rtol: 1e-13 }));
    const report = checkGrad(f, tensor(rand(n, 5).map((v) => 0.5 + 0.2 * v)), { eps: 1e-5 });
    assert.ok(report.ok, `applyTranspose ${withT}: max rel error ${report.maxRelError}`);
  }
});

Deno.test("solve() adjoint uses the transposed ILU(0) preconditioner on a nonsymmetric matrix", () => {
  const A = sparseTensor(nonsym.pattern, nonsym.values);
  let info: ReturnType<typeof solveWithInfo> | undefined;
  const g = grad((b) => {
    info = solveWithInfo(A, b, { method: "gmres", preconditioner: "ilu0", rtol: 1e-13 });
    return dot(c, info.x);
  })(b0);
  closeArr(g.data, denseSolveTranspose(nonsym.toDense(), n, c.data), 1e-9);
  assert.equal(info!.adjoints.length, 1);
  assert.equal(info!.adjoints[0].preconditioner, "ilu0ᵀ");
  assert.ok(info!.adjoints[0].converged);
});

Deno.test("solve() with a zero cotangent returns a zero gradient without an adjoint solve", () => {
  const A = sparseTensor(spd.pattern, spd.values);
  let info: ReturnType<typeof solveWithInfo> | undefined;
  const g = grad((b) => {
    info = solveWithInfo(A, b, { rtol: 1e-12 });
    return mul(sum(info.x), 0);
  })(b0);
  assert.deepEqual([...g.data], new Array(n).fill(0));
  assert.equal(info!.solveCount, 1);
});

Deno.test("solve() with a 1e-300 cotangent gives a finite, correct gradient", () => {
  const A = sparseTensor(nonsym.pattern, nonsym.values);
  const tiny = mul(c, 1e-300);
  const g = grad((b) => dot(tiny, solve(A, b, { rtol: 1e-12 })))(b0);
  assert.ok(g.data.every(Number.isFinite));
  const expected = denseSolveTranspose(nonsym.toDense(), n, tiny.data);
  closeArr(g.data, expected, 1e-9);
  assert.ok(Math.abs(g.data[0]) > 1e-302);
});

Deno.test("solve() refuses to differentiate a forward solve that did not converge", () => {
  const A = sparseTensor(nonsym.pattern, nonsym.values);
  const f = (allow: boolean) => (b: Tensor) =>
    sum(solve(A, b, {
      method: "gmres",
      maxIter: 2,
      restart: 2,
      onFailure: "return",
      adjointOptions: { onForwardFailure: allow ? "allow" : "throw", maxIter: 200 },
    }));
  assert.throws(() => grad(f(false))(b0), ConvergenceError);
  assert.ok(grad(f(true))(b0).data.every(Number.isFinite));
  // The failure policy applies to the adjoint too.
  assert.throws(
    () =>
      grad((b: Tensor) => sum(solve(A, b, { method: "gmres", adjointOptions: { maxIter: 1 } })))(
        b0,
      ),
    ConvergenceError,
  );
});

Deno.test("hvp() through a solve matches finite differences of grad()", () => {
  const f = (vals: Tensor) =>
    sum(tanh(solve(sparseTensor(nonsym.pattern, vals), b0, { rtol: 1e-13 })));
  const v0 = tensor(nonsym.values), dir = tensor(rand(nonsym.nnz, 3));
  const Hv = hvp(f, v0, dir);
  const h = 1e-5, gf = grad(f);
  const gp = gf(add(v0, mul(dir, h))).data, gm = gf(add(v0, mul(dir, -h))).data;
  closeArr(Hv.data, Array.from(gp, (p, i) => (p - gm[i]) / (2 * h)), 1e-6);
});

Deno.test("jvp() through a solve agrees with vjp(): ⟨v, J u⟩ = ⟨Jᵀv, u⟩, and ẋ = A⁻¹(ḃ − Ȧx)", () => {
  const f = (vals: Tensor, b: Tensor) =>
    solve(sparseTensor(nonsym.pattern, vals), b, { rtol: 1e-13 });
  const vals = tensor(nonsym.values), du = tensor(rand(nonsym.nnz, 21)), db = tensor(rand(n, 22));
  const [, Ju] = jvp(f, [vals, b0], [du, db]);
  const [, pullback] = vjp(f, vals, b0);
  const [gv, gb] = pullback(c);
  const lhs = dot(c, Ju).item(), rhs = dot(gv, du).item() + dot(gb, db).item();
  assert.ok(Math.abs(lhs - rhs) <= 1e-10 * Math.abs(rhs), `${lhs} vs ${rhs}`);
  const x = denseSolve(nonsym.toDense(), n, b0.data);
  const Adot = new CsrMatrix(nonsym.pattern, du.data).multiply(x);
  const expected = denseSolve(nonsym.toDense(), n, db.data.map((v, i) => v - Adot[i]));
  closeArr(Ju.data, expected, 1e-9);
});

Deno.test("solve() with an n×k block right-hand side: values and gradients per column", () => {
  const k = 3;
  const B = tensor(rand(n * k, 31), [n, k]);
  const W = tensor(rand(n * k, 32), [n, k]);
  for (const [method, M] of [["cg", spd], ["bicgstab", nonsym], ["gmres", nonsym]] as const) {
    let info: ReturnType<typeof solveWithInfo> | undefined;
    const g = grad((Bt: Tensor) => {
      info = solveWithInfo(sparseTensor(M.pattern, M.values), Bt, { method, rtol: 1e-13 });
      return sum(mul(info.x, W));
    })(B);
    for (let j = 0; j < k; j++) {
      const col = Float64Array.from({ length: n }, (_, i) => B.data[i * k + j]);
      const wcol = Float64Array.from({ length: n }, (_, i) => W.data[i * k + j]);
      closeArr(
        Array.from({ length: n }, (_, i) => info!.x.data[i * k + j]),
        denseSolve(M.toDense(), n, col),
        1e-10,
      );
      closeArr(
        Array.from({ length: n }, (_, i) => g.data[i * k + j]),
        denseSolveTranspose(M.toDense(), n, wcol),
        1e-9,
      );
    }
    assert.equal(info!.forwardColumns.length, k);
    assert.equal(info!.adjoints.length, k);
    assert.ok(info!.forwardColumns.every((r) => r.converged && r.relativeResidual <= 1e-13));
  }
  // Values gradient of a block solve: −Σ_c λ_c[i] x_c[j].
  const f = (vals: Tensor) =>
    sum(mul(solve(sparseTensor(nonsym.pattern, vals), B, { method: "bicgstab", rtol: 1e-13 }), W));
  const report = checkGrad(f, tensor(nonsym.values), { eps: 1e-5 });
  assert.ok(report.ok, `block values: max rel error ${report.maxRelError}`);
});

Deno.test("solve() refuses a GPU backend instead of silently running on the CPU", () => {
  const A = fromCsr(CsrMatrix.fromDense([[2, 0], [0, 3]]));
  const opts = { backend: "webgpu" } as unknown as Parameters<typeof solve>[2];
  assert.throws(() => solve(A, tensor([1, 1]), opts), /solveAsync/);
});
