// AMG inside the differentiable solve: `preconditioner: "amg"` (and a reused AMG state) in
// solve, the block solve, unrolled mode and solveAsync on the CPU. The preconditioner does not
// change the exact solution, so gradients through AMG-preconditioned solves equal those through
// unpreconditioned ones and finite differences.
import assert from "node:assert/strict";
import { solveCli } from "./_cli.ts";
import {
  add,
  dot,
  grad,
  mul,
  sparseTensor,
  sum,
  type Tensor,
  tensor,
} from "../lib/autodiff/mod.ts";
import { amgSetup } from "../lib/linalg/amg/mod.ts";
import { solve, solveWithInfo } from "../lib/diff/solve.ts";
import { solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import { convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { formatMatrixMarket, formatMatrixMarketVector } from "../lib/sparse/matrix_market.ts";
import { assertClose, randomVector } from "./_krylov_cases.ts";

const close = assertClose;

const P = poisson2d(24);
const n = P.shape[0];
const b0 = tensor(randomVector(n, 1));
const w = tensor(randomVector(n, 2));

for (
  const [name, M, method] of [
    ["SPD Poisson, CG", P, "cg"],
    ["convection–diffusion, GMRES", convectionDiffusion2d(24, 24, { wind: [1, 0.5] }), "gmres"],
  ] as const
) {
  Deno.test(`AMG (${name}): gradients w.r.t. b and values equal the unpreconditioned ones and finite differences`, () => {
    const f = (precond: "amg" | "none") => (vals: Tensor, b: Tensor) =>
      dot(
        w,
        solve(sparseTensor(M.pattern, vals), b, {
          method,
          preconditioner: precond,
          rtol: 1e-12,
        }),
      );
    const vals = tensor(M.values);
    const gAmg = grad(f("amg"), [0, 1])(vals, b0);
    const gNone = grad(f("none"), [0, 1])(vals, b0);
    close(gAmg[0].data, gNone[0].data, 1e-8, "values");
    close(gAmg[1].data, gNone[1].data, 1e-8, "b");
    // Central differences along a random direction of the values.
    const dir = tensor(randomVector(M.nnz, 3)), h = 1e-6;
    const fp = f("none")(add(vals, mul(dir, h)), b0).item();
    const fm = f("none")(add(vals, mul(dir, -h)), b0).item();
    const fd = (fp - fm) / (2 * h), ad = dot(gAmg[0], dir).item();
    assert.ok(Math.abs(fd - ad) <= 1e-6 * Math.abs(fd), `${fd} vs ${ad}`);
  });
}

Deno.test("AMG: SolveInfo reports the hierarchy; far fewer iterations than no preconditioner", () => {
  const amg = solveWithInfo(sparseTensor(P.pattern, P.values), b0, { preconditioner: "amg" });
  const none = solveWithInfo(sparseTensor(P.pattern, P.values), b0, {});
  assert.ok(amg.amg && amg.amg.levels >= 2 && amg.amg.operatorComplexity < 2);
  assert.equal(none.amg, undefined);
  assert.ok(amg.forward.iterations * 4 < none.forward.iterations);
  assert.equal(amg.forward.preconditioner, "amg");
});

Deno.test("AMG: amg options reach the hierarchy", () => {
  const info = solveWithInfo(sparseTensor(P.pattern, P.values), b0, {
    preconditioner: "amg",
    amg: { cycle: "W", smoother: "jacobi", coarseSize: 40 },
  });
  assert.equal(info.amg!.cycle, "W");
  assert.equal(info.amg!.smoother, "jacobi");
});

Deno.test("AMG state reused across solves with new values: updated, equal to a fresh setup", () => {
  const state = amgSetup(P);
  // D A D with D = diag(1 + 0.2 sin i): new values, still symmetric positive definite.
  const rows = P.pattern.rowIndices(), cols = P.pattern.colIdx;
  const d = (i: number) => 1 + 0.2 * Math.sin(i);
  const vals2 = P.values.map((v, k) => v * d(rows[k]) * d(cols[k]));
  const reused = solveWithInfo(sparseTensor(P.pattern, vals2), b0, {
    preconditioner: state,
    rtol: 1e-10,
  });
  assert.equal(state.info.timed, "update");
  const fresh = solveWithInfo(sparseTensor(P.pattern, vals2), b0, {
    preconditioner: "amg",
    rtol: 1e-10,
  });
  close(reused.x.data, fresh.x.data, 1e-8, "x");
  // Same values again: no update needed, and the state is left as it is.
  const before = state.info;
  solveWithInfo(sparseTensor(P.pattern, vals2), b0, { preconditioner: state, rtol: 1e-10 });
  assert.equal(state.info, before);
});

Deno.test("AMG in the block solve and in unrolled mode", () => {
  const k = 3;
  const B = tensor(randomVector(n * k, 9), [n, k]);
  const block = solveWithInfo(sparseTensor(P.pattern, P.values), B, {
    preconditioner: "amg",
    rtol: 1e-10,
  });
  assert.equal(block.forwardColumns.length, k);
  assert.ok(block.forwardColumns.every((r) => r.converged && r.iterations < 20));
  const unrolled = solveWithInfo(sparseTensor(P.pattern, P.values), b0, {
    preconditioner: "amg",
    adjoint: "unrolled",
    rtol: 1e-10,
  });
  assert.ok(unrolled.forward.converged && unrolled.forward.iterations < 20);
  const g = grad((b: Tensor) =>
    sum(solve(sparseTensor(P.pattern, P.values), b, { preconditioner: "amg", rtol: 1e-12 }))
  )(b0);
  const gu = grad((b: Tensor) =>
    sum(solve(sparseTensor(P.pattern, P.values), b, {
      preconditioner: "amg",
      adjoint: "unrolled",
      rtol: 1e-12,
    }))
  )(b0);
  close(gu.data, g.data, 1e-6, "unrolled vs implicit");
});

Deno.test("AMG through solveAsync on the CPU backend", async () => {
  const info = await solveAsyncWithInfo(sparseTensor(P.pattern, P.values), b0, {
    backend: "cpu",
    preconditioner: "amg",
  });
  assert.ok(info.forward.converged && info.amg !== undefined);
});

Deno.test("CLI: --precond amg reports the hierarchy and the adjoint reuses it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const A = poisson2d(30);
    const m = A.shape[0];
    await Deno.writeTextFile(`${dir}/A.mtx`, formatMatrixMarket(A));
    await Deno.writeTextFile(`${dir}/g.mtx`, formatMatrixMarketVector(randomVector(m, 4)));
    const run = async (precond: string) => {
      const out = await solveCli(
        "--matrix",
        `${dir}/A.mtx`,
        "--adjoint",
        `${dir}/g.mtx`,
        "--precond",
        precond,
        "--json",
      );
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout);
    };
    const amg = await run("amg"), none = await run("none");
    assert.equal(amg.precond, "amg");
    assert.ok(amg.amg.levels >= 2 && amg.amg.sizes[0].n === m && amg.amg.operatorComplexity > 1);
    assert.equal(none.amg, undefined);
    assert.ok(amg.iterations < none.iterations && amg.adjointIterations < none.adjointIterations);
    close(amg.gradB, none.gradB, 1e-8, "gradB");
    close(amg.gradValues, none.gradValues, 1e-8, "gradValues");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reused AMG state says when a fresh setup is due", () => {
  const state = amgSetup(P);
  const first = solveWithInfo(sparseTensor(P.pattern, P.values), b0, { preconditioner: state });
  assert.equal(first.amgNote, undefined);
  // Values far from the ones the aggregates were chosen for: strong anisotropy in x.
  const rows = P.pattern.rowIndices(), cols = P.pattern.colIdx;
  const aniso = P.values.map((_v, k) => {
    const i = rows[k], j = cols[k];
    if (i === j) return 2 + 2 * 1e-4;
    return Math.abs(i - j) === 1 ? -1 : -1e-4;
  });
  const later = solveWithInfo(sparseTensor(P.pattern, aniso), b0, {
    preconditioner: state,
    onFailure: "return",
  });
  const fresh = solveWithInfo(sparseTensor(P.pattern, aniso), b0, { preconditioner: "amg" });
  if (later.forward.iterations > 2 * first.forward.iterations + 2) {
    assert.match(later.amgNote!, /a fresh amgSetup is due/);
  } else {
    assert.equal(later.amgNote, undefined);
  }
  assert.ok(fresh.forward.converged);
});
