import assert from "node:assert/strict";
import {
  checkGrad,
  dot,
  grad,
  mul,
  sparseTensor,
  sum,
  tanh,
  tapeBytes,
  type Tensor,
  tensor,
} from "../lib/autodiff/mod.ts";
import { denseSolveTranspose } from "../lib/linalg/dense.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import type { DifferentiablePreconditioner } from "../lib/diff/preconditioning.ts";
import { solve, solveWithInfo } from "../lib/diff/solve.ts";
import { solveGradients } from "../lib/diff/solve_gradients.ts";

function rand(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** 2-D Poisson on an m×m grid (n = m²), 5-point stencil, plus shift. */
function poisson(m: number, shift = 0): CsrMatrix {
  const r: number[] = [], c: number[] = [], v: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      r.push(k), c.push(k), v.push(4 + shift);
      if (i > 0) r.push(k), c.push(k - m), v.push(-1);
      if (i < m - 1) r.push(k), c.push(k + m), v.push(-1);
      if (j > 0) r.push(k), c.push(k - 1), v.push(-1);
      if (j < m - 1) r.push(k), c.push(k + 1), v.push(-1);
    }
  }
  return CsrMatrix.fromTriplets(m * m, m * m, r, c, v);
}

const P = poisson(4, 0.5);
const n = P.shape[0];
const A = sparseTensor(P.pattern, P.values);
const c = tensor(rand(n, 1));
const b0 = tensor(rand(n, 2));

Deno.test("unrolled gradient converges to the implicit gradient as iterations grow", () => {
  const implicit = grad((b) => dot(c, solve(A, b, { rtol: 1e-14 })))(b0).data;
  const errs = [2, 4, 8, 16].map((iterations) => {
    const g = grad((b) =>
      dot(c, solve(A, b, { adjoint: "unrolled", iterations, onFailure: "return" }))
    )(b0).data;
    return Math.max(...g.map((v, i) => Math.abs(v - implicit[i])));
  });
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i] < errs[i - 1], `errors ${errs}`);
  assert.ok(errs[3] < 1e-10, `errors ${errs}`);
});

Deno.test("unrolled CG and BiCGSTAB gradients match finite differences of the unrolled function", () => {
  for (const method of ["cg", "bicgstab"] as const) {
    const f = (vals: Tensor) =>
      sum(
        tanh(
          solve(sparseTensor(P.pattern, vals), b0, {
            method,
            adjoint: "unrolled",
            iterations: 5,
            onFailure: "return",
          }),
        ),
      );
    const report = checkGrad(f, tensor(P.values));
    assert.ok(report.ok, `${method}: max rel error ${report.maxRelError}`);
  }
});

Deno.test("truncated gradient records k iterations from the converged iterate", () => {
  const exact = denseSolveTranspose(P.toDense(), n, c.data);
  let info: ReturnType<typeof solveWithInfo> | undefined;
  const g = grad((b) => {
    info = solveWithInfo(A, b, { adjoint: { truncated: 30 }, rtol: 1e-12 });
    return dot(c, info.x);
  })(b0).data;
  assert.ok(Math.max(...g.map((v, i) => Math.abs(v - exact[i]))) < 1e-8);
  const g1 = grad((b) => dot(c, solve(A, b, { adjoint: { truncated: 1 }, rtol: 1e-12 })))(b0).data;
  assert.ok(
    Math.max(...g1.map((v, i) => Math.abs(v - exact[i]))) > 1e-3,
    "one step should be biased",
  );
  assert.ok(info!.forward.converged);
});

Deno.test("preconditioner parameters: zero gradient when implicit, finite differences when unrolled", () => {
  const d = (theta: Tensor): DifferentiablePreconditioner => ({
    params: [theta],
    symmetric: true,
    apply: (r) => mul(theta, r),
  });
  const theta0 = tensor(rand(n, 7).map((v) => 0.25 + 0.05 * v));
  const implicit = grad((t: Tensor) => dot(c, solve(A, b0, { preconditioner: d(t), rtol: 1e-12 })))(
    theta0,
  );
  assert.deepEqual([...implicit.data], new Array(n).fill(0));
  const unrolled = (t: Tensor) =>
    dot(
      c,
      solve(A, b0, {
        preconditioner: d(t),
        adjoint: "unrolled",
        iterations: 4,
        onFailure: "return",
      }),
    );
  const report = checkGrad(unrolled, theta0);
  assert.ok(report.ok, `max rel error ${report.maxRelError}`);
  assert.ok(
    Math.max(...report.analytic.map(Math.abs)) > 1e-6,
    "unrolled gradient should be nonzero",
  );
});

Deno.test("tape memory: implicit is flat in the iteration count, unrolled grows linearly", () => {
  const bytes = (adjoint: "implicit" | "unrolled", iterations: number) => {
    let kept: Tensor | undefined;
    grad((b: Tensor) => {
      kept = solve(
        A,
        b,
        adjoint === "implicit"
          ? {
            rtol: 0,
            maxIter: iterations,
            onFailure: "return",
            adjointOptions: { onForwardFailure: "allow" },
          }
          : { adjoint, iterations, onFailure: "return" },
      );
      return sum(kept);
    })(b0);
    return tapeBytes(kept!);
  };
  const i5 = bytes("implicit", 5);
  assert.equal(i5, bytes("implicit", 40));
  const u10 = bytes("unrolled", 10), u20 = bytes("unrolled", 20), u40 = bytes("unrolled", 40);
  // Bytes per extra iteration are the same between 10→20 and 20→40.
  const per1 = (u20 - u10) / 10, per2 = (u40 - u20) / 20;
  assert.ok(per1 > 0 && Math.abs(per2 - per1) < 0.05 * per1, `${u10} ${u20} ${u40}`);
  assert.ok(u10 > i5, `${u10} vs ${i5}`);
});

Deno.test("solveGradients() returns x, both results, ∂L/∂b and ∂L/∂values", async () => {
  const r = await solveGradients(P, b0.data, c.data, { rtol: 1e-12 });
  const lam = denseSolveTranspose(P.toDense(), n, c.data);
  assert.ok(r.forward.converged && r.adjoint.converged);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(r.gradB[i] - lam[i]) < 1e-10);
  const rows = P.pattern.rowIndices();
  for (let k = 0; k < P.nnz; k++) {
    const expected = -lam[rows[k]] * r.x[P.pattern.colIdx[k]];
    assert.ok(Math.abs(r.gradValues[k] - expected) < 1e-10);
  }
  const zero = await solveGradients(P, b0.data, new Float64Array(n));
  assert.equal(zero.adjoint.iterations, 0);
  assert.ok(zero.gradB.every((v) => v === 0));
});
