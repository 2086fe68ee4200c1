import assert from "node:assert/strict";
import { solveCli } from "./_cli.ts";
import { solveGradients } from "../lib/diff/solve_gradients.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { grad, sparseTensor, sum, type Tensor, tensor } from "../lib/autodiff/mod.ts";
import { gradAsync } from "../lib/autodiff/transforms_async.ts";
import { solve } from "../lib/diff/solve.ts";
import { solveAsync, solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import { GpuSolver } from "../lib/gpu/solve.ts";
import { convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { formatMatrixMarket, formatMatrixMarketVector } from "../lib/sparse/matrix_market.ts";
import { Rng } from "../lib/random.ts";
import { maxRelativeError, noGpu, withGpu } from "./_gpu.ts";

function randomVector(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** `−λ[row k]·x[col k]` for every stored entry, in float64. */
function valueGradient(A: CsrMatrix, lambda: Float64Array, x: Float64Array): Float64Array {
  const { rowPtr, colIdx } = A.pattern;
  const out = new Float64Array(A.nnz);
  for (let i = 0; i < A.shape[0]; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) out[p] = -lambda[i] * x[colIdx[p]];
  }
  return out;
}

/** Largest per-entry relative error |a − b| / |b| (0 where both are 0). */
function entrywiseRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    err = Math.max(err, d === 0 ? 0 : d / Math.abs(b[i]));
  }
  return err;
}

const PROBLEMS = [
  ["SPD Poisson, CG", poisson2d(6), "cg"],
  [
    "nonsymmetric convection–diffusion, GMRES",
    convectionDiffusion2d(6, 6, { wind: [6, -2] }),
    "gmres",
  ],
] as const;

for (const [name, A, method] of PROBLEMS) {
  Deno.test({
    name:
      `solveGradients() on webgpu: gradValues is −λ[row]·x[col] of its own float64 x and λ, at every cotangent scale (${name})`,
    ignore: noGpu,
    fn: () =>
      withGpu(async (gpu) => {
        const n = A.shape[0];
        const b = randomVector(n, 11), g0 = randomVector(n, 12);
        for (const scale of [1, 1e39, 1e-40]) {
          const g = g0.map((v) => v * scale);
          const cpu = await solveGradients(A, b, g, { method, rtol: 1e-11 });
          const r = await solveGradients(A, b, g, { method, rtol: 1e-10, backend: "webgpu", gpu });
          assert.ok(r.forward.converged && r.adjoint.converged, `${scale}`);
          assert.ok(r.gradValues.every(Number.isFinite), `finite at scale ${scale}`);
          const want = valueGradient(A, r.gradB, r.x);
          const err = entrywiseRelativeError(r.gradValues, want);
          assert.ok(err <= 1e-12, `scale ${scale}: gradValues vs −λx relative error ${err}`);
          // As accurate as the refined solves: against the CPU's gradient.
          const vsCpu = maxRelativeError(r.gradValues, cpu.gradValues);
          const bScale = Math.max(...cpu.gradB.map(Math.abs));
          const vsCpuB = maxRelativeError(
            r.gradB.map((v) => v / bScale),
            cpu.gradB.map((v) => v / bScale),
          );
          assert.ok(vsCpuB <= 1e-8, `scale ${scale}: gradB vs CPU ${vsCpuB}`);
          const vScale = Math.max(...cpu.gradValues.map(Math.abs));
          assert.ok(
            maxRelativeError(
              r.gradValues.map((v) => v / vScale),
              cpu.gradValues.map((v) => v / vScale),
            ) <= 1e-8,
            `scale ${scale}: gradValues vs CPU ${vsCpu}`,
          );
          // The adjoint result is reported at the cotangent's scale, as on the CPU.
          let gn = 0;
          for (const v of g) gn = Math.hypot(gn, v);
          const rel = r.adjoint.residualNorm / (r.adjoint.relativeResidual * gn);
          assert.ok(
            Math.abs(rel - 1) <= 1e-6,
            `scale ${scale}: residualNorm/‖g‖ vs relativeResidual ${rel}`,
          );
        }
      }),
  });
}

Deno.test({
  name: "solveGradients() on webgpu: atol is scaled with a tiny right-hand side, as on the CPU",
  ignore: noGpu,
  fn: () =>
    withGpu(async (gpu) => {
      const A = poisson2d(5);
      const n = A.shape[0];
      const b = randomVector(n, 13).map((v) => v * 1e-40);
      const g = randomVector(n, 14).map((v) => v * 1e-40);
      const opts = { method: "cg", rtol: 1e-10, atol: 1e-30 } as const;
      const cpu = await solveGradients(A, b, g, opts);
      const r = await solveGradients(A, b, g, { ...opts, backend: "webgpu", gpu });
      for (
        const [what, got, want] of [["forward", r.forward, cpu.forward], [
          "adjoint",
          r.adjoint,
          cpu.adjoint,
        ]] as const
      ) {
        assert.equal(got.reason, want.reason, what);
        assert.equal(got.iterations, want.iterations, what);
        assert.equal(got.converged, true, what);
      }
    }),
});

Deno.test({
  name:
    "solveGradients() on webgpu: a zero cotangent is a converged adjoint with λ = 0, as on the CPU",
  ignore: noGpu,
  fn: () =>
    withGpu(async (gpu) => {
      for (const [, A, method] of PROBLEMS) {
        const n = A.shape[0];
        const b = randomVector(n, 15), g = new Float64Array(n);
        const cpu = await solveGradients(A, b, g, { method, rtol: 1e-10 });
        const r = await solveGradients(A, b, g, { method, rtol: 1e-10, backend: "webgpu", gpu });
        assert.deepEqual(r.adjoint, cpu.adjoint);
        assert.equal(r.adjoint.reason, "converged-atol");
        assert.equal(r.adjoint.converged, true);
        assert.ok(r.gradB.every((v) => v === 0) && r.gradValues.every((v) => v === 0));
        assert.deepEqual(r.gradB, cpu.gradB);
        assert.deepEqual(r.gradValues, cpu.gradValues);
      }
    }),
});

Deno.test({
  name: "solve CLI --backend webgpu --adjoint zeros.mtx: converged, exit code 0",
  ignore: noGpu,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "gradsolve_gpu_cli_" });
    try {
      const A = poisson2d(5);
      const n = A.shape[0];
      await Deno.writeTextFile(`${tmp}/A.mtx`, formatMatrixMarket(A));
      await Deno.writeTextFile(`${tmp}/b.mtx`, formatMatrixMarketVector(randomVector(n, 16)));
      await Deno.writeTextFile(`${tmp}/zeros.mtx`, formatMatrixMarketVector(new Float64Array(n)));
      const out = await solveCli(
        "--matrix",
        `${tmp}/A.mtx`,
        "--rhs",
        `${tmp}/b.mtx`,
        "--adjoint",
        `${tmp}/zeros.mtx`,
        "--backend",
        "webgpu",
        "--rtol",
        "1e-10",
        "--json",
      );
      const json = JSON.parse(out.stdout);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(json.converged, true);
      assert.equal(json.adjointConverged, true);
      assert.equal(json.adjointReason, "converged-atol");
      assert.equal(json.adjointIterations, 0);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "solveAsync on webgpu reuses a caller's GpuSolver across calls with new values",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const M = CsrMatrix.fromDense([[4, 1, 0], [1, 5, 1], [0, 1, 6]]);
      using state = await GpuSolver.init(ctx, M, { method: "cg" });
      for (const scale of [1, 2, 0.5]) {
        const A = sparseTensor(M.pattern, M.values.map((v) => v * scale));
        const loss = async (vals: Tensor) =>
          sum(
            await solveAsync(sparseTensor(M.pattern, vals), tensor([1, 2, 3]), {
              backend: "webgpu",
              gpu: ctx,
              gpuSolver: state,
              rtol: 1e-12,
            }),
          );
        const g = await gradAsync(loss)(A.values);
        const cpu = grad((vals: Tensor) =>
          sum(solve(sparseTensor(M.pattern, vals), tensor([1, 2, 3]), { rtol: 1e-12 }))
        )(A.values);
        for (let k = 0; k < g.size; k++) {
          assert.ok(Math.abs(g.data[k] - cpu.data[k]) <= 1e-9 * Math.abs(cpu.data[k]) + 1e-15);
        }
      }
    }),
});

Deno.test({
  name:
    "solveAsync on webgpu with AMG: one hierarchy for forward and adjoint, reported in SolveInfo",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const M = poisson2d(24);
      const b = tensor(new Float64Array(M.shape[0]).fill(1));
      let info: Awaited<ReturnType<typeof solveAsyncWithInfo>> | undefined;
      const g = await gradAsync(async (bb: Tensor) => {
        info = await solveAsyncWithInfo(sparseTensor(M.pattern, M.values), bb, {
          backend: "webgpu",
          gpu: ctx,
          preconditioner: "amg",
          rtol: 1e-10,
        });
        return sum(info.x);
      })(b);
      assert.ok(info!.amg && info!.amg.levels >= 2);
      assert.equal(info!.adjoints.length, 1);
      const cpu = grad((bb: Tensor) =>
        sum(solve(sparseTensor(M.pattern, M.values), bb, { rtol: 1e-12 }))
      )(b);
      assert.ok(maxRelativeError(g.data, cpu.data) < 1e-8);
    }),
});
