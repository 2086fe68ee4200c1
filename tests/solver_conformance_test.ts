// The conformance table of the solver core: every method × every backend × a case table. The
// same case gives the same reason and the same x (to the precision of the backend) on every
// backend; a backend that cannot run a row says so in SKIPS. The table is the spec.
//
// Cases follow SciPy's test_iterative (poisson1d N = 40 with b = arange(n); the symmetric
// indefinite rand-diag; the 11 × 11 symmetric non-PD case with b = e₆; the nonsymmetric
// bidiagonal; b = 0; x0 = the solution; maxiter = 1), plus breakdown, indefinite and non-finite
// provocations.
import assert from "node:assert/strict";
import { sparseTensor, tensor } from "../lib/autodiff/mod.ts";
import { solveWithInfo } from "../lib/diff/solve.ts";
import { NonFiniteError } from "../lib/errors.ts";
import { gpuSolve } from "../lib/gpu/solve.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import type { KrylovMethod } from "../lib/linalg/krylov.ts";
import type { SolveResult } from "../lib/linalg/result.ts";
import { krylovBlockSolve, krylovSolve } from "../lib/linalg/solve.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import { convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { type AmgPreconditioner, amgSetup } from "../lib/linalg/amg/mod.ts";
import { noGpu, withGpu } from "./_gpu.ts";

type Backend = "cpu" | "block" | "unrolled" | "gpu";
const METHODS: KrylovMethod[] = ["cg", "bicgstab", "gmres", "minres"];
const BACKENDS: Backend[] = ["cpu", "block", "unrolled", "gpu"];

/** Rows a backend cannot run, with the reason (printed by the test). */
const SKIPS: Record<Backend, { methods: KrylovMethod[]; why: string }> = {
  cpu: { methods: [], why: "" },
  block: { methods: [], why: "" },
  unrolled: { methods: ["gmres", "minres"], why: "unrolled mode records cg and bicgstab only" },
  gpu: { methods: [], why: "" },
};

/** AMG-preconditioned rows a backend cannot run, with the reason. */
const AMG_SKIPS: Record<Backend, { methods: KrylovMethod[]; why: string }> = {
  cpu: { methods: [], why: "" },
  block: { methods: [], why: "" },
  unrolled: { methods: [], why: "" },
  gpu: { methods: [], why: "" },
};

interface Case {
  readonly name: string;
  readonly A: CsrMatrix;
  readonly b: Float64Array;
  readonly x0?: Float64Array;
  readonly maxIter?: number;
  /** Expected reason per method (undefined: converged-rtol / converged-atol per rtol·‖b‖ vs atol). */
  readonly expect?: Partial<Record<KrylovMethod, string>>;
  /** Expected error class, for every method and backend. */
  readonly throws?: new (...a: never[]) => Error;
  /** Precondition with smoothed aggregation AMG (one hierarchy per case). */
  readonly amg?: boolean;
}

const arange = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

function poisson1d(n: number): CsrMatrix {
  const d: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    d[i][i] = 2;
    if (i > 0) d[i][i - 1] = -1;
    if (i < n - 1) d[i][i + 1] = -1;
  }
  return CsrMatrix.fromDense(d);
}

function diag(values: number[]): CsrMatrix {
  return CsrMatrix.fromDense(values.map((v, i) => values.map((_, j) => (i === j ? v : 0))));
}

// SciPy's 11 × 11 symmetric, not positive definite case, solved with b = e₆.
const nonPd = CsrMatrix.fromDense([
  [0, 0, 0, 0, 0, 1, -1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 2, 0, -1, 0, 0, 0],
  [0, 0, 0, 0, 0, 2, 0, 0, -1, 0, 0],
  [0, 0, 0, 0, 0, 2, 0, 0, 0, -1, 0],
  [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1],
  [1, 2, 2, 2, 1, 0, 0, 0, 0, 0, 0],
  [-1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0],
  [0, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0],
  [0, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0],
  [0, 0, 0, -1, 0, 0, 0, 0, 0, -1, 0],
  [0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1],
]);
const e6 = new Float64Array(11);
e6[5] = 1;

function bidiagonal(n: number): CsrMatrix {
  const d: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    d[i][i] = 2;
    if (i > 0) d[i][i - 1] = -1;
  }
  return CsrMatrix.fromDense(d);
}

const P40 = poisson1d(40);
const P40solution = denseSolve(P40.toDense(), 40, arange(40));
const nanB = arange(10);
nanB[3] = NaN;

const CASES: Case[] = [
  { name: "poisson1d N=40, b = arange", A: P40, b: arange(40) },
  {
    name: "rand-diag (symmetric indefinite), b = arange",
    A: diag([6, -5, 2, 7, -1, 10, 4, -3, -8, 9]),
    b: arange(10),
    expect: { cg: "diverged-indefinite" },
  },
  {
    name: "11×11 symmetric non-PD, b = e6",
    A: nonPd,
    b: e6,
    // e₆ᵀAe₆ = 0: CG's pᵀAp and BiCGSTAB's r̂ᵀAr vanish at the first step.
    expect: { cg: "diverged-breakdown", bicgstab: "diverged-breakdown" },
  },
  { name: "nonsymmetric bidiagonal, b = arange", A: bidiagonal(10), b: arange(10) },
  { name: "b = 0", A: P40, b: new Float64Array(40), expect: allMethods("converged-atol") },
  { name: "x0 = the solution", A: P40, b: arange(40), x0: P40solution },
  {
    name: "maxiter = 1",
    A: P40,
    b: arange(40),
    maxIter: 1,
    expect: allMethods("diverged-max-iterations"),
  },
  {
    name: "CG breakdown: pᵀAp = 0",
    A: CsrMatrix.fromDense([[0, 1], [1, 0]]),
    b: Float64Array.of(1, 0),
    expect: { cg: "diverged-breakdown", bicgstab: "diverged-breakdown" },
  },
  {
    name: "BiCGSTAB breakdown: ω = 0",
    A: CsrMatrix.fromDense([[1, 1], [1, 0]]),
    b: Float64Array.of(1, 0),
    // Symmetric indefinite: CG meets pᵀAp < 0 at its second step.
    expect: { bicgstab: "diverged-breakdown", cg: "diverged-indefinite" },
  },
  {
    name: "CG indefinite: pᵀAp < 0",
    A: diag([1, -2]),
    b: Float64Array.of(1, 1),
    expect: { cg: "diverged-indefinite" },
  },
  { name: "NaN in b", A: poisson1d(10), b: nanB, throws: NonFiniteError },
  { name: "AMG: poisson2d 24², b = arange", A: poisson2d(24), b: arange(576), amg: true },
  {
    name: "AMG: convection–diffusion 16², b = arange",
    A: convectionDiffusion2d(16, 16, { wind: [1, 0.5] }),
    b: arange(256),
    amg: true,
  },
  {
    name: "AMG: maxiter = 1",
    A: poisson2d(24),
    b: arange(576),
    amg: true,
    maxIter: 1,
    expect: allMethods("diverged-max-iterations"),
  },
];

/** The AMG options of every AMG row: several levels even for the 16² case. */
const AMG_OPTIONS = { coarseSize: 50 };
const hierarchies = new Map<Case, AmgPreconditioner>();
/** One hierarchy per case, shared by every backend (the GPU uploads the same one). */
function amgOf(c: Case): AmgPreconditioner {
  let M = hierarchies.get(c);
  if (!M) hierarchies.set(c, M = amgSetup(c.A, AMG_OPTIONS));
  return M;
}

function allMethods(reason: string): Record<KrylovMethod, string> {
  return { cg: reason, bicgstab: reason, gmres: reason, minres: reason };
}

/** Methods a case is posed for (CG only on symmetric matrices). */
function methodsFor(c: Case): KrylovMethod[] {
  return METHODS.filter((m) => (m === "cg" || m === "minres") ? c.A.symmetric : true);
}

const RTOL = 1e-10;

async function run(backend: Backend, method: KrylovMethod, c: Case): Promise<SolveResult> {
  const opts = {
    rtol: RTOL,
    onFailure: "return" as const,
    ...(c.x0 ? { x0: c.x0 } : {}),
    ...(c.maxIter ? { maxIter: c.maxIter } : {}),
    ...(c.amg ? { preconditioner: amgOf(c) } : {}),
  };
  const n = c.A.shape[0];
  switch (backend) {
    case "cpu":
      return krylovSolve(c.A, c.b, { ...opts, method });
    case "block": {
      // The case in column 0, beside a different right-hand side in column 1.
      const B = new Float64Array(2 * n), X0 = c.x0 ? new Float64Array(2 * n) : undefined;
      for (let i = 0; i < n; i++) {
        B[2 * i] = c.b[i];
        B[2 * i + 1] = Number.isNaN(c.b[i]) ? 0 : 1 + (i % 3);
        if (X0) X0[2 * i] = c.x0![i];
      }
      return krylovBlockSolve(method, c.A, B, 2, { ...opts, ...(X0 ? { x0: X0 } : {}) })[0];
    }
    case "unrolled": {
      const info = solveWithInfo(sparseTensor(c.A.pattern, c.A.values), tensor(c.b), {
        ...opts,
        method,
        adjoint: "unrolled",
      });
      return info.forward;
    }
    case "gpu":
      return await withGpu((ctx) =>
        gpuSolve(ctx, c.A, c.b, {
          ...opts,
          method: method as "cg",
          ...(c.amg
            ? { preconditioner: "amg" as const, amg: AMG_OPTIONS, amgState: amgOf(c) }
            : { preconditioner: "none" as const }),
        })
      );
  }
}

function expectedReason(c: Case, method: KrylovMethod, cpu: SolveResult): string {
  return c.expect?.[method] ?? (cpu.converged ? cpu.reason : "converged-rtol");
}

for (const backend of BACKENDS) {
  Deno.test({
    name: `conformance: ${backend} backend × ${METHODS.join("/")} × ${CASES.length} cases`,
    ignore: backend === "gpu" && noGpu,
    fn: async (t) => {
      const skip = SKIPS[backend];
      if (skip.methods.length > 0) console.log(`  ${backend} skips ${skip.methods}: ${skip.why}`);
      const amgSkip = AMG_SKIPS[backend];
      if (amgSkip.methods.length > 0) {
        console.log(`  ${backend} skips AMG rows for ${amgSkip.methods}: ${amgSkip.why}`);
      }
      for (const c of CASES) {
        for (const method of methodsFor(c)) {
          if (skip.methods.includes(method)) continue;
          if (c.amg && AMG_SKIPS[backend].methods.includes(method)) continue;
          await t.step(`${method}: ${c.name}`, async () => {
            if (c.throws) {
              await assert.rejects(async () => await run(backend, method, c), c.throws);
              return;
            }
            const cpu = await run("cpu", method, c);
            const r = await run(backend, method, c);
            const want = expectedReason(c, method, cpu);
            assert.equal(cpu.reason, want, `cpu ${method}`);
            assert.equal(r.reason, want, `${backend} ${method}: ${r.reason}, cpu: ${cpu.reason}`);
            if (r.converged) {
              const exact = denseSolve(c.A.toDense(), c.A.shape[0], c.b);
              const scale = Math.max(1, ...exact.map(Math.abs));
              const err = Math.max(...exact.map((v, i) => Math.abs(v - r.x[i]))) / scale;
              assert.ok(err < 1e-7, `${backend} ${method}: x off by ${err}`);
              assert.ok(r.relativeResidual <= RTOL || r.reason === "converged-atol");
            }
            if (c.x0 && r.converged) assert.equal(r.iterations, 0);
            if (c.maxIter) assert.ok(r.iterations <= c.maxIter + (backend === "gpu" ? 25 : 0));
          });
        }
      }
    },
  });
}
