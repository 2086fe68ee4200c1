/**
 * The AMG report (`amg`): algebraic multigrid (lib/linalg/amg, smoothed
 * aggregation) as the preconditioner of CG, through the differentiable
 * solve — the forward solve `A x = b` and the backward (adjoint) solve
 * `Aᵀ λ = ∂L/∂x` share one hierarchy, and the gradient reaches `b` and every
 * stored value of A. Measured side by side, in interleaved rounds, against
 * PyAMG's smoothed aggregation (setup + forward + adjoint + the gradient on
 * the stored entries) and JAX's `jax.scipy.sparse.linalg.cg` on a stencil
 * closure (forward + backward via `jax.vjp`), both in one Python process
 * (`/tmp/venv/bin/python` by default; each part is skipped, with the reason
 * in the report, when it cannot be imported), and against IC(0)-PCG:
 *
 * - the headline: 2-D Poisson with n = 10⁶, rtol 1e-8;
 * - setup reuse: a value update of a kept hierarchy + solve vs a fresh setup + solve;
 * - a table over problems: 3-D Poisson, anisotropic (ε = 1e-3), jump
 *   coefficients (10⁴) and the SPD matrices of tests/data/matrices, bcsstk16
 *   also with AMG on 3×3 nodes and its three translations as near-nullspace;
 * - nonsymmetric: 2-D upwind convection–diffusion (cell Péclet 0.11 to 112),
 *   AMG against ILU(0) as the preconditioner of GMRES(30) and BiCGSTAB (the
 *   adjoint applies the transposed cycle), and unpreconditioned GMRES(30),
 *   with the gradients through AMG and ILU(0) compared;
 * - a gradient check: AMG-preconditioned gradients against unpreconditioned ones.
 *
 * ```
 * deno run -A scripts/bench_amg.ts            # full run, writes reports/amg.html + amg.json
 * deno run -A scripts/bench_amg.ts --quick    # small grids, writes reports/quick/
 * ```
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { dot, grad, sparseTensor, Tensor } from "../lib/autodiff/mod.ts";
import type { PreconditionerSpec } from "../lib/diff/preconditioning.ts";
import { solveWithInfo } from "../lib/diff/solve.ts";
import type { SolveInfo } from "../lib/diff/solve_info.ts";
import { PALETTE } from "../lib/display/palette.ts";
import { type AmgInfo, type AmgOptions, amgSetup } from "../lib/linalg/amg/mod.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { ilu0 } from "../lib/linalg/ilu0.ts";
import type { Preconditioner } from "../lib/linalg/preconditioner.ts";
import type { SolveMethod } from "../lib/linalg/result.ts";
import { Rng } from "../lib/random.ts";
import { cpuCaches, cpuModel, describeCaches, describeCores } from "../lib/report/machine.ts";
import { axisOptions, linePlot } from "../lib/report/plots.ts";
import { renderPlot } from "../lib/report/render_plot.ts";
import { Report, type WrittenReport } from "../lib/report/report.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import {
  anisotropic2d,
  convectionDiffusion2d,
  diffusion2d,
  poisson2d,
  poisson3d,
} from "../lib/sparse/generators.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { logNormalField } from "../lib/sparse/random_fields.ts";
import { printAboutOnHelp, REFERENCE_MACHINE } from "./_about.ts";
import { experimentMain } from "./_experiment_main.ts";
import {
  availabilitySentence,
  type ConvectionOutcome,
  convectionSentence,
  convectionWinner,
  duration,
  gradientCheckSentence,
  iterationTargetSentence,
  lossesSentence,
  type ProblemOutcome,
  reuseSentence,
  roundsDetail,
  speedClause,
} from "./_findings_amg.ts";
import { humanTable } from "./_tables.ts";

/** Options of {@linkcode run}. */
export interface AmgBenchOptions {
  /** Small grids (seconds instead of minutes). @default {false} */
  quick?: boolean;
  /** Seed of every random vector and field. @default {0} */
  seed?: number;
  /** Output folder. @default {"reports"} */
  out?: string;
  /** Python with numpy/scipy (and pyamg, jax). @default {"/tmp/venv/bin/python"} */
  python?: string;
  /** Interleaved rounds of the headline and reuse measurements. @default {1 quick, 3 full} */
  rounds?: number;
  /** Iteration cap of every solve (PCG, GMRES, BiCGSTAB). @default {5000} */
  maxIter?: number;
  /** Grid side N of the headline 2-D Poisson problem (n = N²). @default {100 quick, 1000 full} */
  grid?: number;
  /** Skip the JAX comparison (the slowest part of a full run). @default {false} */
  skipJax?: boolean;
}

/** What {@linkcode run} returns. */
export interface AmgBenchResult {
  /** The one-sentence finding. */
  finding: string;
  /** The headline numbers (also the report's last table). */
  metrics: Record<string, number | boolean | string>;
  /** Paths of the written report. */
  report: WrittenReport;
}

/** Relative tolerance of every solve (true residual). */
export const RTOL = 1e-8;
/** Iteration target of the headline (forward and adjoint). */
export const ITERATION_TARGET = 12;
/** Target of setup reuse: fresh setup + solve over value update + solve. */
export const REUSE_TARGET = 3;
/** Tolerance of the gradient check (AMG against unpreconditioned). */
export const GRADIENT_TOLERANCE = 1e-8;
/**
 * Winds w of the nonsymmetric section: `convectionDiffusion2d` with wind
 * `[w, w/2]`, diffusion ε = 1 and h = 1.
 */
export const WINDS: readonly number[] = [0.1, 1, 10, 100];
/**
 * Tolerance of the nonsymmetric gradient check: GMRES + AMG against
 * GMRES + ILU(0), each solve stopped at rtol 1e-8, so they agree to about
 * rtol times the conditioning, not to rounding.
 */
export const CONVECTION_GRADIENT_TOLERANCE = 1e-5;
/** GMRES restart length of the nonsymmetric section. */
export const GMRES_RESTART = 30;
const MATRICES = new URL("../tests/data/matrices/", import.meta.url);
const SPD_MATRICES = ["bcsstk01", "nos6", "1138_bus", "Laplace3D10", "bcsstk16"];

function log(message: string): void {
  console.error(`amg: ${message}`);
}

// ---------------------------------------------------------------------------
// Problems

/**
 * `−∇·(κ∇u)` on an N×N grid with κ = 1 and `contrast` on an 8×8 checkerboard of blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jump2d } from "./bench_amg.ts";
 * const A = jump2d(16, 1e4);
 * assert.ok(A.shape[0] === 256 && A.symmetric);
 * ```
 */
export function jump2d(N: number, contrast: number): CsrMatrix {
  const kappa = new Float64Array(N * N);
  const block = Math.max(1, Math.floor(N / 8));
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const odd = (Math.floor(i / block) + Math.floor(j / block)) % 2 === 1;
      kappa[j * N + i] = odd ? contrast : 1;
    }
  }
  return diffusion2d(kappa, N);
}

/**
 * The near-nullspace of translations of a problem with `blockSize`
 * unknowns per node, numbered node-major: vector c is 1 at every dof
 * `i` with `i % blockSize === c`, 0 elsewhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { translationModes } from "./bench_amg.ts";
 * const B = translationModes(6, 3);
 * assert.equal(B.length, 3);
 * assert.deepEqual([...B[1]!], [0, 1, 0, 0, 1, 0]);
 * ```
 */
export function translationModes(n: number, blockSize: number): Float64Array[] {
  if (!(Number.isInteger(blockSize) && blockSize >= 1 && n % blockSize === 0)) {
    throw new RangeError(`Cannot build translations: n = ${n} is not a multiple of ${blockSize}`);
  }
  return Array.from(
    { length: blockSize },
    (_, c) => Float64Array.from({ length: n }, (_, i) => (i % blockSize === c ? 1 : 0)),
  );
}

/**
 * The cell Péclet number `|w|·h/ε` of a constant wind (|w| its Euclidean
 * length), as the nonsymmetric section's table names its problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellPeclet } from "./bench_amg.ts";
 * assert.equal(cellPeclet([3, 4]), 5);
 * assert.equal(cellPeclet([3, 4], { h: 0.5, diffusion: 10 }), 0.25);
 * ```
 */
export function cellPeclet(
  wind: readonly [number, number],
  o: { h?: number; diffusion?: number } = {},
): number {
  return (Math.hypot(wind[0], wind[1]) * (o.h ?? 1)) / (o.diffusion ?? 1);
}

interface Problem {
  name: string;
  kind: string;
  build: () => Promise<CsrMatrix> | CsrMatrix;
  /** AMG (and PyAMG) block size and near-nullspace, for the problem's matrix; default options when absent. */
  amg?: (A: CsrMatrix) => { blockSize: number; nullspace: Float64Array[] };
}

function tableProblems(quick: boolean): Problem[] {
  const n2 = quick ? 64 : 500, n3 = quick ? 16 : 100;
  return [
    { name: `3-D Poisson ${n3}³`, kind: "7-point Laplacian", build: () => poisson3d(n3) },
    {
      name: `anisotropic ε=1e-3 ${n2}²`,
      kind: "−ε u_xx − u_yy, 5-point",
      build: () => anisotropic2d(n2, n2, 1e-3),
    },
    {
      name: `jump 10⁴ ${n2}²`,
      kind: "−∇·(κ∇u), κ ∈ {1, 10⁴} on 8×8 blocks",
      build: () => jump2d(n2, 1e4),
    },
    ...SPD_MATRICES.map((name) => ({
      name,
      kind: "SPD, tests/data/matrices",
      build: () => readMatrix(name),
    })),
    {
      name: "bcsstk16, blockSize 3 + translations",
      kind: "bcsstk16 (3 dofs per node); AMG on nodes, near-nullspace = the 3 translations",
      build: () => readMatrix("bcsstk16"),
      amg: (A: CsrMatrix) => ({ blockSize: 3, nullspace: translationModes(A.shape[0], 3) }),
    },
  ];
}

async function readMatrix(name: string): Promise<CsrMatrix> {
  return (await readMatrixMarket(new URL(`${name}.mtx`, MATRICES))).matrix;
}

function randomVector(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.next() - 0.5);
}

// ---------------------------------------------------------------------------
// Our runs: the differentiable solve (solveWithInfo under grad)

/** Times and iterations of setup + forward + backward of one method on one problem. */
export interface PhaseRun {
  /** Setup milliseconds (hierarchy, factorisation; 0 where none). */
  setupMs: number;
  /** Forward solve milliseconds. */
  fwdMs: number;
  /** Backward milliseconds (adjoint solve and the gradient); NaN when not run. */
  bwdMs: number;
  /** Forward iterations. */
  fwdIts: number;
  /** Adjoint iterations (NaN when not run or not reported). */
  bwdIts: number;
  /** Every solve converged to rtol. */
  ok: boolean;
}

interface OursRun extends PhaseRun {
  history: readonly number[];
  gradB: Float64Array;
  gradV: Float64Array;
  amg: AmgInfo | undefined;
}

function total(r: PhaseRun): number {
  return r.setupMs + r.fwdMs + (Number.isFinite(r.bwdMs) ? r.bwdMs : 0);
}

interface DiffSolveOptions {
  /** Krylov method. @default {"cg"} */
  method?: SolveMethod;
  /** GMRES restart length. @default {GMRES_RESTART} */
  restart?: number;
  preconditioner: PreconditionerSpec | undefined;
  amg?: AmgOptions;
  /** Setup already timed outside (a prebuilt state); else AMG's own report. */
  setupMs?: number;
  rtol: number;
  maxIter: number;
}

/**
 * `L = gᵀx` with `x = A⁻¹b` through `solveWithInfo` (CG unless `o.method`
 * says otherwise, implicit adjoint: the adjoint solve runs the same method
 * on Aᵀ with the transposed preconditioner), and its gradient with respect
 * to b and every stored value of A.
 */
function diffSolve(A: CsrMatrix, b: Float64Array, g: Float64Array, o: DiffSolveOptions): OursRun {
  const n = A.shape[0];
  const gt = new Tensor(g, [n]);
  let info: SolveInfo | undefined;
  let tForward = 0;
  const t0 = performance.now();
  const [gv, gb] = grad((v: Tensor, bb: Tensor) => {
    info = solveWithInfo(sparseTensor(A.pattern, v), bb, {
      method: o.method ?? "cg",
      ...(o.method === "gmres" ? { restart: o.restart ?? GMRES_RESTART } : {}),
      ...(o.preconditioner === undefined ? {} : { preconditioner: o.preconditioner }),
      ...(o.amg ? { amg: o.amg } : {}),
      rtol: o.rtol,
      maxIter: o.maxIter,
      onFailure: "return",
      adjointOptions: { onForwardFailure: "allow" },
    });
    tForward = performance.now();
    return dot(info.x, gt);
  }, [0, 1])(new Tensor(A.values, [A.nnz]), new Tensor(b, [n]));
  const t1 = performance.now();
  const s = info!;
  const adjoint = s.adjoints[0];
  const setupMs = o.setupMs ?? s.amg?.setupMs ?? 0;
  return {
    setupMs,
    fwdMs: tForward - t0 - (o.setupMs === undefined ? setupMs : 0),
    bwdMs: t1 - tForward,
    fwdIts: s.forward.iterations,
    bwdIts: adjoint ? adjoint.iterations : NaN,
    ok: s.forward.converged && (adjoint?.converged ?? false),
    history: s.forward.residualHistory,
    gradB: gb!.data,
    gradV: gv!.data,
    amg: s.amg,
  };
}

/** A forward solve only (no gradient), through the same differentiable solve. */
function forwardSolve(
  A: CsrMatrix,
  b: Float64Array,
  M: Preconditioner,
  o: { rtol: number; maxIter: number },
): { ms: number; its: number; ok: boolean; history: readonly number[]; amg: AmgInfo | undefined } {
  const t0 = performance.now();
  const info = solveWithInfo(
    sparseTensor(A.pattern, new Tensor(A.values, [A.nnz])),
    new Tensor(b, [A.shape[0]]),
    { method: "cg", preconditioner: M, rtol: o.rtol, maxIter: o.maxIter, onFailure: "return" },
  );
  return {
    ms: performance.now() - t0,
    its: info.forward.iterations,
    ok: info.forward.converged,
    history: info.forward.residualHistory,
    amg: info.amg,
  };
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

function median(values: readonly number[]): number {
  const s = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------
// The Python side: one process, driven by JSON lines, so its runs interleave with ours

const PY_SERVER = `import json, os, sys, time
import numpy as np
import scipy
import scipy.sparse as sp

info = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}
try:
    import pyamg
    info["pyamg"] = pyamg.__version__
except Exception as e:  # noqa: BLE001
    info["pyamgError"] = f"{type(e).__name__}: {e}"
try:
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.scipy.sparse.linalg import cg as jax_cg
    info["jax"] = jax.__version__
    info["jaxDevice"] = str(jax.devices()[0])
except Exception as e:  # noqa: BLE001
    info["jaxError"] = f"{type(e).__name__}: {e}"
print(json.dumps({"ready": True, **info}), flush=True)

S = {}


def clock():
    return time.perf_counter(), time.process_time()


def since(t):
    w, c = clock()
    return 1e3 * (w - t[0]), 1e3 * (c - t[1])


def load(req):
    d, n = req["dir"], req["n"]
    ptr = np.fromfile(d + "/ptr", dtype=np.int32)
    col = np.fromfile(d + "/col", dtype=np.int32)
    val = np.fromfile(d + "/val", dtype=np.float64)
    S["A"] = sp.csr_matrix((val, col, ptr), shape=(n, n))
    S["rows"] = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    S["col"] = col
    S["b"] = np.fromfile(d + "/b", dtype=np.float64)
    S["g"] = np.fromfile(d + "/g", dtype=np.float64)
    S["dir"] = d
    return {"n": n, "nnz": int(val.size)}


def run_pyamg(req):
    A, b, g = S["A"], S["b"], S["g"]
    tol, maxiter = req["rtol"], req["maxIter"]
    # Optional: unknowns per node (A handed over as BSR) and k near-nullspace vectors (file B).
    bs, k = req.get("blockSize", 1), req.get("nullspace", 0)
    kw = {}
    if k:
        kw["B"] = np.fromfile(S["dir"] + "/B", dtype=np.float64).reshape(k, -1).T.copy()
    t = clock()
    ml = pyamg.smoothed_aggregation_solver(A.tobsr(blocksize=(bs, bs)) if bs > 1 else A, **kw)
    setup = since(t)
    r1 = []
    t = clock()
    x = ml.solve(b, tol=tol, accel="cg", maxiter=maxiter, residuals=r1)
    fwd = since(t)
    # Backward: the adjoint solve Aᵀλ = g with the same hierarchy (A symmetric), then the
    # gradient on the stored entries, Ā[k] = −λ[row k]·x[col k].
    r2 = []
    t = clock()
    lam = ml.solve(g, tol=tol, accel="cg", maxiter=maxiter, residuals=r2)
    abar = -lam[S["rows"]] * x[S["col"]]
    bwd = since(t)
    nb, ng = np.linalg.norm(b), np.linalg.norm(g)
    res_f = float(np.linalg.norm(b - A @ x) / nb)
    res_b = float(np.linalg.norm(g - A.T @ lam) / ng)
    return {
        "setupMs": setup[0], "fwdMs": fwd[0], "bwdMs": bwd[0],
        "cpuMs": setup[1] + fwd[1] + bwd[1],
        "fwdIts": len(r1) - 1, "bwdIts": len(r2) - 1,
        "fwdResidual": res_f, "bwdResidual": res_b,
        "ok": bool(res_f <= 1.01 * tol and res_b <= 1.01 * tol),
        "history": [float(r) / nb for r in r1],
        "levels": len(ml.levels), "oc": float(ml.operator_complexity()),
        "gradNorm": float(np.linalg.norm(abar)),
    }


def run_jax(req):
    N, tol, maxiter = req["N"], req["rtol"], req["maxIter"]
    d = S["dir"]
    c = jnp.asarray(np.fromfile(d + "/stencil", dtype=np.float64).reshape(5, N, N))
    b = jnp.asarray(S["b"])
    g = jnp.asarray(S["g"])

    def matvec(c, v):
        u = v.reshape(N, N)
        zc = jnp.zeros((N, 1))
        zr = jnp.zeros((1, N))
        west = jnp.concatenate([zc, u[:, :-1]], axis=1)
        east = jnp.concatenate([u[:, 1:], zc], axis=1)
        south = jnp.concatenate([zr, u[:-1, :]], axis=0)
        north = jnp.concatenate([u[1:, :], zr], axis=0)
        return (c[0] * u + c[1] * west + c[2] * east + c[3] * south + c[4] * north).reshape(-1)

    def loss(c, b):
        x, _ = jax_cg(lambda v: matvec(c, v), b, tol=tol, maxiter=maxiter)
        return jnp.dot(g, x), x

    # Forward: the primal solve, keeping what the backward pass needs; backward: the pullback
    # (jax.grad's transposed solve through custom_linear_solve). Both compiled ahead of time.
    fwd = jax.jit(lambda c, b: jax.vjp(loss, c, b, has_aux=True))
    t = clock()
    fwd_c = fwd.lower(c, b).compile()
    compile_f = since(t)
    t = clock()
    val, pullback, x = fwd_c(c, b)
    x.block_until_ready()
    tf = since(t)
    bwd = jax.jit(lambda pb: pb(jnp.ones(())))
    t = clock()
    bwd_c = bwd.lower(pullback).compile()
    compile_b = since(t)
    t = clock()
    gc, gb = bwd_c(pullback)
    gb.block_until_ready()
    tb = since(t)
    xn = np.asarray(x)
    res = float(np.linalg.norm(S["b"] - S["A"] @ xn) / np.linalg.norm(S["b"]))
    np.asarray(gb, dtype=np.float64).tofile(d + "/jax_gb")
    np.asarray(gc, dtype=np.float64).reshape(-1).tofile(d + "/jax_gc")
    return {
        "compileMs": compile_f[0] + compile_b[0], "fwdMs": tf[0], "bwdMs": tb[0],
        "cpuMs": tf[1] + tb[1], "fwdResidual": res, "ok": bool(res <= 1.01 * tol),
    }


for line in sys.stdin:
    req = json.loads(line)
    try:
        cmd = req["cmd"]
        if cmd == "load":
            out = load(req)
        elif cmd == "pyamg":
            out = run_pyamg(req)
        elif cmd == "jax":
            out = run_jax(req)
        elif cmd == "quit":
            break
        else:
            raise ValueError(f"unknown command {cmd}")
    except Exception as e:  # noqa: BLE001
        out = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out), flush=True)
`;

/** PyAMG's run on one problem, as the Python side reports it. */
interface PyamgRun extends PhaseRun {
  cpuMs: number;
  history: number[];
  levels: number;
  oc: number;
}

/** JAX's run on the headline problem. */
interface JaxRun {
  compileMs: number;
  fwdMs: number;
  bwdMs: number;
  cpuMs: number;
  fwdResidual: number;
  ok: boolean;
}

function lineSplitter(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf("\n")) >= 0) {
        controller.enqueue(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
      }
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

function bytes(a: Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

class PythonWorker {
  readonly versions: Record<string, string>;
  readonly dir: string;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;
  readonly #stderr: { text: string; done: Promise<void> };

  private constructor(
    child: Deno.ChildProcess,
    dir: string,
    lines: ReadableStreamDefaultReader<string>,
    stderr: { text: string; done: Promise<void> },
    versions: Record<string, string>,
  ) {
    this.#child = child;
    this.dir = dir;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.#stderr = stderr;
    this.versions = versions;
  }

  /** Starts the Python side; a string says why it could not start. */
  static async start(python: string): Promise<PythonWorker | string> {
    try {
      await Deno.stat(python);
    } catch {
      return `no Python at ${python}`;
    }
    const dir = await Deno.makeTempDir({ prefix: "gradsolve-amg-" });
    await Deno.writeTextFile(`${dir}/server.py`, PY_SERVER);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(python, {
        args: ["-u", `${dir}/server.py`],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        // One BLAS/OpenMP thread, as our solves run on one thread; JAX on the CPU only.
        env: {
          OMP_NUM_THREADS: "1",
          OPENBLAS_NUM_THREADS: "1",
          MKL_NUM_THREADS: "1",
          JAX_PLATFORMS: "cpu",
          TF_CPP_MIN_LOG_LEVEL: "3",
        },
      }).spawn();
    } catch (e) {
      await Deno.remove(dir, { recursive: true });
      return `cannot start ${python}: ${(e as Error).message}`;
    }
    const stderr = { text: "", done: Promise.resolve() };
    stderr.done = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr.text = (stderr.text + chunk).slice(-4000);
      }
    })();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())
      .getReader();
    const first = await lines.read();
    if (first.done) {
      await child.status;
      await stderr.done;
      await Deno.remove(dir, { recursive: true });
      const last = stderr.text.trim().split("\n").pop() ?? "";
      return `${python} exited before it was ready (${last})`;
    }
    const versions = JSON.parse(first.value) as Record<string, string>;
    return new PythonWorker(child, dir, lines, stderr, versions);
  }

  async request<T>(req: Record<string, unknown>): Promise<T> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(req) + "\n"));
    const line = await this.#lines.read();
    if (line.done) {
      const last = this.#stderr.text.trim().split("\n").pop() ?? "";
      throw new Error(`The Python side exited during "${req.cmd}": ${last}`);
    }
    const out = JSON.parse(line.value) as T & { error?: string };
    if (out.error) throw new Error(`Python "${req.cmd}" failed: ${out.error}`);
    return out;
  }

  /** Hands A, b and g (and, for a 2-D 5-point matrix, its stencil planes) to Python. */
  async load(A: CsrMatrix, b: Float64Array, g: Float64Array, stencil?: Float64Array) {
    await Deno.writeFile(`${this.dir}/ptr`, bytes(A.pattern.rowPtr));
    await Deno.writeFile(`${this.dir}/col`, bytes(A.pattern.colIdx));
    await Deno.writeFile(`${this.dir}/val`, bytes(A.values));
    await Deno.writeFile(`${this.dir}/b`, bytes(b));
    await Deno.writeFile(`${this.dir}/g`, bytes(g));
    if (stencil) await Deno.writeFile(`${this.dir}/stencil`, bytes(stencil));
    await this.request({ cmd: "load", dir: this.dir, n: A.shape[0] });
  }

  /** Hands near-nullspace vectors to Python (file B, one vector after another). */
  async writeNullspace(B: readonly Float64Array[]): Promise<void> {
    const all = new Float64Array(B.reduce((k, v) => k + v.length, 0));
    let at = 0;
    for (const v of B) (all.set(v, at), at += v.length);
    await Deno.writeFile(`${this.dir}/B`, bytes(all));
  }

  async readVector(name: string): Promise<Float64Array> {
    const raw = await Deno.readFile(`${this.dir}/${name}`);
    return new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  }

  async close(): Promise<void> {
    try {
      await this.#writer.write(new TextEncoder().encode('{"cmd": "quit"}\n'));
      await this.#writer.close();
    } catch {
      // already gone
    }
    while (!(await this.#lines.read()).done) { /* drain */ }
    await this.#child.status;
    await this.#stderr.done;
    await Deno.remove(this.dir, { recursive: true });
  }
}

/**
 * The five stencil planes (centre, west, east, south, north; each N×N,
 * row-major like the grid) of a 5-point matrix on an N×N grid, read from
 * its stored values; `plane[k]` says where stored entry k went.
 */
function stencilPlanes(A: CsrMatrix, N: number): { planes: Float64Array; plane: Int32Array } {
  const n = N * N;
  const planes = new Float64Array(5 * n);
  const plane = new Int32Array(A.nnz);
  const { rowPtr, colIdx } = A.pattern;
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const d = colIdx[k] - i;
      const p = d === 0 ? 0 : d === -1 ? 1 : d === 1 ? 2 : d === -N ? 3 : d === N ? 4 : -1;
      if (p < 0) throw new RangeError(`Cannot read a 5-point stencil: entry (${i}, ${colIdx[k]})`);
      planes[p * n + i] = A.values[k];
      plane[k] = p * n + i;
    }
  }
  return { planes, plane };
}

// ---------------------------------------------------------------------------
// The run

/** Human names of the metrics (the report's last table). */
export const METRIC_NAMES: Record<string, string> = {
  n: "headline: unknowns n (2-D Poisson)",
  nnz: "headline: stored entries",
  amgLevels: "headline: AMG levels",
  amgOperatorComplexity: "headline: AMG operator complexity",
  amgForwardIterations: "headline: AMG-PCG forward iterations",
  amgAdjointIterations: "headline: AMG-PCG adjoint iterations",
  amgSetupMs: "headline: AMG setup (ms, median)",
  amgForwardMs: "headline: AMG-PCG forward solve (ms, median)",
  amgBackwardMs: "headline: AMG-PCG backward (ms, median)",
  amgTotalMs: "headline: AMG-PCG setup + forward + backward (ms, median)",
  iterationTargetMet: "headline: iteration target (≤ 12) met",
  pyamgRan: "PyAMG ran",
  pyamgForwardIterations: "headline: PyAMG forward iterations",
  pyamgAdjointIterations: "headline: PyAMG adjoint iterations",
  pyamgSetupMs: "headline: PyAMG setup (ms, median)",
  pyamgForwardMs: "headline: PyAMG forward solve (ms, median)",
  pyamgBackwardMs: "headline: PyAMG adjoint solve + gradient (ms, median)",
  pyamgTotalMs: "headline: PyAMG total (ms, median)",
  pyamgOverAmg: "headline: PyAMG total / AMG-PCG total (median of rounds)",
  jaxRan: "JAX ran",
  jaxCompileMs: "headline: JAX compile, forward + backward (ms)",
  jaxForwardMs: "headline: JAX CG forward (ms)",
  jaxBackwardMs: "headline: JAX CG backward (ms)",
  jaxTotalMs: "headline: JAX CG forward + backward (ms)",
  jaxOverAmg: "headline: JAX total / AMG-PCG total (same round)",
  jaxGradBRelDiff: "headline: ‖∂L/∂b JAX − ours‖ / ‖ours‖",
  jaxGradValuesRelDiff: "headline: ‖∂L/∂A JAX − ours‖ / ‖ours‖ (stored entries)",
  ic0ForwardIterations: "headline: IC(0)-PCG forward iterations",
  ic0SetupMs: "headline: IC(0) factorisation (ms)",
  ic0ForwardMs: "headline: IC(0)-PCG forward solve (ms)",
  reuseSetupMs: "reuse: fresh setup (ms, median)",
  reuseUpdateMs: "reuse: value update (ms, median)",
  reuseFreshMs: "reuse: fresh setup + solve (ms, median)",
  reuseMs: "reuse: value update + solve (ms, median)",
  reuseSpeedup: "reuse: (setup + solve) / (update + solve), ratio of the medians",
  updateSpeedup: "reuse: setup / update, ratio of the medians",
  reuseTargetMet: "reuse: target (≥ 3×) met",
  tableProblems: "table: problems",
  tableLosses: "table: problems where AMG-PCG loses",
  bcsstk16DefaultIterations: "table: bcsstk16, AMG-PCG forward iterations, default options",
  bcsstk16BlockIterations:
    "table: bcsstk16, AMG-PCG forward iterations, blockSize 3 + translations",
  convectionGrid: "convection–diffusion: grid side N (n = N²)",
  convectionProblems: "convection–diffusion: problems (Péclet numbers)",
  convectionGmresAmgFewerIterations:
    "convection–diffusion: problems where GMRES(30) + AMG needs fewer iterations than + ILU(0)",
  convectionGmresAmgFaster:
    "convection–diffusion: problems where GMRES(30) + AMG is faster than + ILU(0) (total)",
  convectionBicgstabAmgFewerIterations:
    "convection–diffusion: problems where BiCGSTAB + AMG needs fewer iterations than + ILU(0)",
  convectionBicgstabAmgFaster:
    "convection–diffusion: problems where BiCGSTAB + AMG is faster than + ILU(0) (total)",
  convectionConverged: "convection–diffusion: every run converged (forward and adjoint)",
  convectionGradBRelDiff:
    "convection–diffusion: largest ‖∂L/∂b GMRES+AMG − GMRES+ILU(0)‖ / ‖GMRES+ILU(0)‖",
  convectionGradValuesRelDiff:
    "convection–diffusion: largest ‖∂L/∂A GMRES+AMG − GMRES+ILU(0)‖ / ‖GMRES+ILU(0)‖",
  gradCheckRelDiff: "gradient check: largest relative difference, AMG vs none",
  gradCheckLevels: "gradient check: AMG levels",
  rounds: "interleaved rounds (headline, reuse)",
};

interface TableRow {
  name: string;
  kind: string;
  n: number;
  nnz: number;
  amg: PhaseRun;
  amgInfo: AmgInfo;
  ic0?: PhaseRun;
  ic0Note: string;
  pyamg?: PyamgRun;
}

/** The configurations of the nonsymmetric section, in table order. */
const CONVECTION_CONFIGS = [
  { label: "GMRES(30) + AMG", method: "gmres", preconditioner: "amg" },
  { label: "BiCGSTAB + AMG", method: "bicgstab", preconditioner: "amg" },
  { label: "GMRES(30) + ILU(0)", method: "gmres", preconditioner: "ilu0" },
  { label: "BiCGSTAB + ILU(0)", method: "bicgstab", preconditioner: "ilu0" },
  { label: "GMRES(30), none", method: "gmres", preconditioner: "none" },
] as const;

interface ConvectionRow {
  wind: number;
  peclet: number;
  n: number;
  nnz: number;
  /** One run per entry of CONVECTION_CONFIGS. */
  runs: PhaseRun[];
  /** The hierarchy of the GMRES + AMG run. */
  amgInfo: AmgInfo;
  /** ‖∂L/∂b (GMRES + AMG) − ∂L/∂b (GMRES + ILU(0))‖ / ‖∂L/∂b (GMRES + ILU(0))‖. */
  gradBDiff: number;
  /** The same for ∂L/∂A on the stored entries. */
  gradValuesDiff: number;
}

interface ReuseRound {
  setupMs: number;
  freshSolveMs: number;
  freshIts: number;
  updateMs: number;
  reuseMs: number;
  reuseIts: number;
  /** The kept hierarchy's `strengthDrift` after the update. */
  drift: number;
}

/**
 * Runs the benchmark and writes `OUT/amg.html`, `OUT/amg.json` and the index.
 *
 * @example
 * ```ts ignore
 * import { run } from "./bench_amg.ts";
 * const { finding, metrics } = await run({ quick: true, out: "/tmp/reports" });
 * console.log(finding, metrics.amgForwardIterations);
 * ```
 */
export async function run(options: AmgBenchOptions = {}): Promise<AmgBenchResult> {
  const started = new Date();
  const quick = options.quick ?? false;
  const seed = options.seed ?? 0;
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const maxIter = options.maxIter ?? 5000;
  const N = options.grid ?? (quick ? 100 : 1000);
  const python = options.python ?? "/tmp/venv/bin/python";
  const so = { rtol: RTOL, maxIter };
  const rng = new Rng(seed);
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

  log(`starting ${python}`);
  const begun = await PythonWorker.start(python);
  const worker = typeof begun === "string" ? undefined : begun;
  const versions = worker?.versions ?? {};
  const pyamgOn = versions.pyamg !== undefined;
  const jaxOn = versions.jax !== undefined && !options.skipJax;
  const pyamgWhy = typeof begun === "string" ? begun : versions.pyamgError ?? "";
  const jaxWhy = options.skipJax
    ? "skipped with --skip-jax"
    : typeof begun === "string"
    ? begun
    : versions.jaxError ?? "";
  if (!pyamgOn) log(`PyAMG skipped: ${pyamgWhy}`);
  if (!jaxOn) log(`JAX skipped: ${jaxWhy}`);

  try {
    // V8 compiles the hot loops on first use: warm up on a small problem, untimed.
    {
      const W = poisson2d(48), w = randomVector(W.shape[0], new Rng(99));
      diffSolve(W, w, w, { preconditioner: "amg", amg: { coarseSize: 50 }, ...so });
      forwardSolve(W, w, ic0(W, { shift: "auto" }), so);
      const C = convectionDiffusion2d(48, 48, { wind: [1, 0.5] });
      for (const method of ["gmres", "bicgstab"] as const) {
        diffSolve(C, w, w, { method, preconditioner: amgSetup(C), ...so });
        diffSolve(C, w, w, { method, preconditioner: ilu0(C), ...so });
      }
    }

    // 1. The headline: 2-D Poisson, n = N².
    const A = poisson2d(N);
    const n = A.shape[0];
    const b = randomVector(n, rng), g = randomVector(n, rng);
    const stencil = jaxOn ? stencilPlanes(A, N) : undefined;
    if (worker) await worker.load(A, b, g, stencil?.planes);
    const ours: OursRun[] = [], py: PyamgRun[] = [];
    let jax: JaxRun | undefined, jaxPair: OursRun | undefined;
    const jaxRound = Math.floor((rounds - 1) / 2);
    for (let r = 0; r < rounds; r++) {
      log(`headline ${N}² round ${r + 1}/${rounds}: AMG-PCG (${elapsed()})`);
      const o = diffSolve(A, b, g, { preconditioner: "amg", ...so });
      if (r > 0) (o.gradB = new Float64Array(0), o.gradV = new Float64Array(0));
      ours.push(o);
      if (pyamgOn) {
        log(`headline round ${r + 1}/${rounds}: PyAMG (${elapsed()})`);
        py.push(await worker!.request<PyamgRun>({ cmd: "pyamg", rtol: RTOL, maxIter }));
      }
      if (jaxOn && r === jaxRound) {
        log(`headline: JAX CG forward + backward, one run (${elapsed()})`);
        jax = await worker!.request<JaxRun>({ cmd: "jax", N, rtol: RTOL, maxIter: 10 * n });
        jaxPair = o;
      }
    }
    let jaxGradB = NaN, jaxGradValues = NaN;
    if (jax && stencil) {
      const gb = await worker!.readVector("jax_gb"), gc = await worker!.readVector("jax_gc");
      jaxGradB = relDiff(gb, ours[0].gradB);
      jaxGradValues = relDiff(Float64Array.from(stencil.plane, (p) => gc[p]), ours[0].gradV);
    }
    log(`headline: IC(0)-PCG forward (${elapsed()})`);
    const icHead = timed(() => ic0(A, { shift: "auto" }));
    const icHeadRun = forwardSolve(A, b, icHead.value, so);

    // 2. Setup reuse: a kept hierarchy takes new values (update) and solves, against a fresh
    // setup + solve on the same matrix; the order alternates between rounds.
    const k1 = logNormalField(N, new Rng(seed + 11), 1);
    const k2 = logNormalField(N, new Rng(seed + 12), 1);
    const R = [diffusion2d(k1, N), diffusion2d(k2, N)];
    const kept = amgSetup(R[0]);
    const reuse: ReuseRound[] = [];
    for (let r = 0; r < rounds; r++) {
      log(`reuse round ${r + 1}/${rounds} (${elapsed()})`);
      const target = R[(r + 1) % 2]; // the kept state holds the other matrix's values
      const fresh = () => {
        const s = timed(() => amgSetup(target));
        return { s, f: forwardSolve(target, b, s.value, so) };
      };
      const again = () => forwardSolve(target, b, kept, so);
      let f: ReturnType<typeof fresh>, u: ReturnType<typeof again>;
      if (r % 2 === 0) (f = fresh(), u = again());
      else (u = again(), f = fresh());
      reuse.push({
        setupMs: f.s.ms,
        freshSolveMs: f.f.ms,
        freshIts: f.f.its,
        updateMs: u.amg?.timed === "update" ? u.amg.setupMs : NaN,
        reuseMs: u.ms,
        reuseIts: u.its,
        drift: u.amg?.strengthDrift ?? NaN,
      });
    }

    // 3. The table over problems: AMG-PCG, IC(0)-PCG and PyAMG back to back on each.
    const problems = tableProblems(quick);
    const table: TableRow[] = [];
    for (let p = 0; p < problems.length; p++) {
      const { name, kind, build } = problems[p];
      log(`table [${p + 1}/${problems.length}] ${name} (${elapsed()})`);
      const M = await build();
      const m = M.shape[0];
      const pr = new Rng(seed + 100 + p);
      const bp = randomVector(m, pr), gp = randomVector(m, pr);
      const block = problems[p].amg?.(M);
      const setup = timed(() => amgSetup(M, block ?? {}));
      const amgRun = diffSolve(M, bp, gp, {
        preconditioner: setup.value,
        setupMs: setup.ms,
        ...so,
      });
      let icRun: PhaseRun | undefined, icNote = "";
      try {
        const f = timed(() => ic0(M, { shift: "auto" }));
        icRun = diffSolve(M, bp, gp, { preconditioner: f.value, setupMs: f.ms, ...so });
        if (f.value.shift > 0) icNote = `shift ${f.value.shift}`;
      } catch (e) {
        icNote = `failed: ${(e as Error).message}`;
      }
      let pyRun: PyamgRun | undefined;
      if (pyamgOn) {
        try {
          await worker!.load(M, bp, gp);
          if (block) await worker!.writeNullspace(block.nullspace);
          pyRun = await worker!.request<PyamgRun>({
            cmd: "pyamg",
            rtol: RTOL,
            maxIter,
            ...(block ? { blockSize: block.blockSize, nullspace: block.nullspace.length } : {}),
          });
        } catch (e) {
          log(`${name}: PyAMG failed: ${(e as Error).message}`);
        }
      }
      table.push({
        name,
        kind,
        n: m,
        nnz: M.nnz,
        amg: amgRun,
        amgInfo: setup.value.info,
        ic0: icRun,
        ic0Note: icNote,
        pyamg: pyRun,
      });
    }

    // 4. Nonsymmetric: upwind convection–diffusion, AMG and ILU(0) preconditioning GMRES(30)
    // and BiCGSTAB, and unpreconditioned GMRES(30), back to back on each problem.
    const CN = quick ? 48 : 256;
    const convection: ConvectionRow[] = [];
    for (let p = 0; p < WINDS.length; p++) {
      const w = WINDS[p];
      const wind = [w, w / 2] as const;
      log(`convection–diffusion [${p + 1}/${WINDS.length}] ${CN}², wind ${w} (${elapsed()})`);
      const C = convectionDiffusion2d(CN, CN, { wind, diffusion: 1, h: 1 });
      const m = C.shape[0];
      const pr = new Rng(seed + 200 + p);
      const bp = randomVector(m, pr), gp = randomVector(m, pr);
      const runs: OursRun[] = [];
      let amgInfo: AmgInfo | undefined;
      for (const c of CONVECTION_CONFIGS) {
        // Each preconditioned run sets up its own preconditioner, timed as its setup.
        let M: Preconditioner | undefined, setupMs = 0;
        if (c.preconditioner === "amg") {
          const s = timed(() => amgSetup(C));
          (M = s.value, setupMs = s.ms, amgInfo ??= s.value.info);
        } else if (c.preconditioner === "ilu0") {
          const s = timed(() => ilu0(C));
          (M = s.value, setupMs = s.ms);
        }
        runs.push(diffSolve(C, bp, gp, {
          method: c.method,
          preconditioner: M ?? "none",
          setupMs,
          ...so,
        }));
      }
      const [gmresAmg, , gmresIlu] = runs;
      convection.push({
        wind: w,
        peclet: cellPeclet(wind),
        n: m,
        nnz: C.nnz,
        runs: runs.map(({ setupMs, fwdMs, bwdMs, fwdIts, bwdIts, ok }) => ({
          setupMs,
          fwdMs,
          bwdMs,
          fwdIts,
          bwdIts,
          ok,
        })),
        amgInfo: amgInfo!,
        gradBDiff: relDiff(gmresAmg.gradB, gmresIlu.gradB),
        gradValuesDiff: relDiff(gmresAmg.gradV, gmresIlu.gradV),
      });
    }

    // 5. Gradient check: AMG-preconditioned against unpreconditioned gradients (b and values).
    log(`gradient check (${elapsed()})`);
    const GN = 48;
    const GA = diffusion2d(logNormalField(GN, new Rng(seed + 7), 1), GN);
    const gr = new Rng(seed + 8);
    const gb0 = randomVector(GA.shape[0], gr), gg0 = randomVector(GA.shape[0], gr);
    const tight = { rtol: 1e-13, maxIter: 20 * GA.shape[0] };
    const withAmg = diffSolve(GA, gb0, gg0, {
      preconditioner: "amg",
      amg: { coarseSize: 50 },
      ...tight,
    });
    const without = diffSolve(GA, gb0, gg0, { preconditioner: "none", ...tight });
    const gradCheck = {
      n: GA.shape[0],
      levels: withAmg.amg?.levels ?? 0,
      bDiff: relDiff(withAmg.gradB, without.gradB),
      valuesDiff: relDiff(withAmg.gradV, without.gradV),
      amgIts: withAmg.fwdIts,
      noneIts: without.fwdIts,
      ok: withAmg.ok && without.ok,
    };

    log(`writing the report (${elapsed()})`);
    return await writeReport({
      started,
      quick,
      seed,
      rounds,
      maxIter,
      N,
      nnz: A.nnz,
      python,
      versions,
      pyamgOn,
      jaxOn,
      pyamgWhy,
      jaxWhy,
      ours,
      py,
      jax,
      jaxPair,
      jaxGradB,
      jaxGradValues,
      icHead: { setupMs: icHead.ms, ...icHeadRun, shift: icHead.value.shift },
      reuse,
      reuseIts: { fresh: reuse.map((r) => r.freshIts), kept: reuse.map((r) => r.reuseIts) },
      table,
      convection,
      convectionGrid: CN,
      gradCheck,
      out: options.out ?? "reports",
    });
  } finally {
    await worker?.close();
  }
}

// ---------------------------------------------------------------------------
// Figures

const METHODS = ["AMG-PCG (ours)", "IC(0)-PCG", "PyAMG SA"] as const;
const SYMBOLS = ["circle", "square", "triangle"] as const;
const PARTS = ["setup", "forward", "backward"] as const;
const PLOT_STYLE = { fontSize: "12px", overflow: "visible" } as const;

interface IterationPoint {
  problem: string;
  method: string;
  its: number;
  converged: boolean;
}

/** Forward iterations per problem and method: dots on a log axis, one offset per method. */
function iterationDots(points: IterationPoint[], problems: string[]): string {
  const shown = points.filter((p) => p.its > 0);
  const y = axisOptions("forward PCG iterations (log)", true, shown.map((p) => p.its), 360);
  const format = y.tickFormat ?? ((d: number) => String(d));
  const ticks = y.ticks ?? [];
  const marks: Plot.Markish[] = [
    Plot.gridY(ticks),
    Plot.axisY(ticks, { text: format, label: y.label }),
  ];
  METHODS.forEach((method, i) => {
    const rows = shown.filter((p) => p.method === method);
    const dx = (i - 1) * 9;
    marks.push(
      Plot.dot(rows, {
        x: "problem",
        y: "its",
        dx,
        r: 5,
        stroke: "method",
        fill: (d: IterationPoint) => (d.converged ? "white" : "#bbb"),
        strokeWidth: 1.8,
        symbol: "method",
      }),
      Plot.text(rows.filter((d) => !d.converged), {
        x: "problem",
        y: "its",
        dx,
        dy: -11,
        text: () => "✗",
      }),
    );
  });
  return renderPlot({
    width: 900,
    height: 420,
    marginLeft: 64,
    marginBottom: 90,
    style: PLOT_STYLE,
    x: { type: "point", domain: problems, label: null, tickRotate: -25, padding: 0.4 },
    y: {
      type: "log",
      axis: null,
      domain: [
        Math.min(...shown.map((p) => p.its), ticks[0] ?? 1) / 1.25,
        Math.max(...shown.map((p) => p.its), ticks[ticks.length - 1] ?? 10) * 1.25,
      ],
    },
    color: { domain: [...METHODS], range: PALETTE.slice(0, 3) },
    symbol: { domain: [...METHODS], range: [...SYMBOLS], legend: true },
    marks,
  });
}

interface PartRow {
  group: string;
  method: string;
  part: string;
  value: number;
}

/** Horizontal bars split into setup / forward / backward (stacked), one row per method. */
function stackedBars(
  rows: PartRow[],
  o: {
    methods: string[];
    groups?: string[];
    xLabel: string;
    width: number;
    height: number;
    /** Bars longer than this are cut there (their total is still written). */
    cap?: number;
  },
): string {
  const totals = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.group}|${r.method}`;
    totals.set(key, (totals.get(key) ?? 0) + r.value);
  }
  const labels = [...totals].map(([key, value]) => {
    const [group, method] = key.split("|");
    return { group, method, value };
  });
  const faceted = o.groups !== undefined;
  const longest = Math.max(...labels.map((l) => l.value));
  const cap = o.cap !== undefined && longest > o.cap ? o.cap : undefined;
  const text = (d: { value: number }) =>
    cap !== undefined && d.value > cap ? `${d.value.toPrecision(3)} ▸` : d.value.toPrecision(3);
  return renderPlot({
    width: o.width,
    height: o.height,
    marginLeft: 120,
    marginRight: faceted ? 180 : 60,
    marginBottom: 45,
    style: PLOT_STYLE,
    x: {
      label: o.xLabel,
      grid: true,
      labelAnchor: "center",
      labelArrow: "none",
      ...(cap !== undefined ? { domain: [0, cap] } : {}),
    },
    y: { domain: o.methods, label: null },
    ...(faceted ? { fy: { domain: o.groups, label: null, axis: "right" } } : {}),
    color: { domain: [...PARTS], range: PALETTE.slice(0, 3), legend: true },
    marks: [
      Plot.barX(
        rows,
        Plot.stackX({
          y: "method",
          x: "value",
          fill: "part",
          order: [...PARTS],
          ...(faceted ? { fy: "group" } : {}),
          clip: true,
        }),
      ),
      Plot.text(labels.filter((d) => cap === undefined || d.value <= cap), {
        y: "method",
        x: "value",
        text,
        textAnchor: "start",
        dx: 4,
        ...(faceted ? { fy: "group" } : {}),
      }),
      // A cut bar carries its total inside its end.
      Plot.text(labels.filter((d) => cap !== undefined && d.value > cap), {
        y: "method",
        x: () => cap,
        text,
        textAnchor: "end",
        dx: -4,
        fill: "white",
        fontWeight: "bold",
        ...(faceted ? { fy: "group" } : {}),
      }),
      Plot.ruleX([0]),
    ],
  });
}

// ---------------------------------------------------------------------------
// The report

interface ReportInput {
  started: Date;
  quick: boolean;
  seed: number;
  rounds: number;
  maxIter: number;
  N: number;
  nnz: number;
  python: string;
  versions: Record<string, string>;
  pyamgOn: boolean;
  jaxOn: boolean;
  pyamgWhy: string;
  jaxWhy: string;
  ours: OursRun[];
  py: PyamgRun[];
  jax: JaxRun | undefined;
  jaxPair: OursRun | undefined;
  jaxGradB: number;
  jaxGradValues: number;
  icHead: {
    setupMs: number;
    ms: number;
    its: number;
    ok: boolean;
    history: readonly number[];
    shift: number;
  };
  reuse: ReuseRound[];
  reuseIts: { fresh: number[]; kept: number[] };
  table: TableRow[];
  convection: ConvectionRow[];
  convectionGrid: number;
  gradCheck: {
    n: number;
    levels: number;
    bDiff: number;
    valuesDiff: number;
    amgIts: number;
    noneIts: number;
    ok: boolean;
  };
  out: string;
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function its(r: PhaseRun | undefined): string {
  if (!r) return "—";
  const adj = Number.isFinite(r.bwdIts) ? `/${r.bwdIts}` : "";
  return `${r.fwdIts}${adj}${r.ok ? "" : " ✗"}`;
}

function ms(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 10) / 10 : null;
}

/** A ratio cell: `null` (shown as —) where either side did not run. */
function ratio(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(3)) : null;
}

async function writeReport(input: ReportInput): Promise<AmgBenchResult> {
  const { ours, py, jax, table, reuse, gradCheck, icHead } = input;
  const n = input.N * input.N;
  const amgInfo = ours[0].amg!;
  const med = (runs: PhaseRun[], f: (r: PhaseRun) => number) => median(runs.map(f));
  const oursMed = {
    setupMs: med(ours, (r) => r.setupMs),
    fwdMs: med(ours, (r) => r.fwdMs),
    bwdMs: med(ours, (r) => r.bwdMs),
    total: med(ours, total),
  };
  const pyMed = py.length
    ? {
      setupMs: med(py, (r) => r.setupMs),
      fwdMs: med(py, (r) => r.fwdMs),
      bwdMs: med(py, (r) => r.bwdMs),
      total: med(py, total),
      cpu: median(py.map((r) => r.cpuMs / total(r))),
    }
    : undefined;
  const pyRatio = py.length ? median(py.map((p, i) => total(p) / total(ours[i]))) : NaN;
  const jaxTotal = jax ? jax.fwdMs + jax.bwdMs : NaN;
  const jaxPairTotal = input.jaxPair ? total(input.jaxPair) : NaN;
  const jaxRatio = jaxTotal / jaxPairTotal;
  const target = {
    forward: ours[0].fwdIts,
    adjoint: ours[0].bwdIts,
    target: ITERATION_TARGET,
    n,
  };
  const pyRatios = py.map((p, i) => total(p) / total(ours[i]));
  const clauses = [
    speedClause(
      pyRatio,
      "PyAMG SA",
      py.length
        ? roundsDetail(pyRatios, "PyAMG", { ours: total(ours[0]), theirs: total(py[0]) })
        : undefined,
    ),
    speedClause(
      jaxRatio,
      "unpreconditioned JAX CG",
      `${duration(jaxTotal)} vs ${duration(jaxPairTotal)}, same round`,
    ),
  ].filter((c): c is string => c !== undefined);
  const reuseMed = {
    setupMs: median(reuse.map((r) => r.setupMs)),
    updateMs: median(reuse.map((r) => r.updateMs)),
    freshMs: median(reuse.map((r) => r.setupMs + r.freshSolveMs)),
    reuseMs: median(reuse.map((r) => r.reuseMs)),
    solveMs: median(reuse.map((r) => r.freshSolveMs)),
  };
  const reuseSpeedup = reuseMed.freshMs / reuseMed.reuseMs;
  const outcomes: ProblemOutcome[] = table.map((r) => ({
    name: r.name,
    amg: { ms: total(r.amg), its: r.amg.fwdIts, ok: r.amg.ok },
    ...(r.ic0 ? { ic0: { ms: total(r.ic0), its: r.ic0.fwdIts, ok: r.ic0.ok } } : {}),
    ...(r.pyamg ? { pyamg: { ms: total(r.pyamg), its: r.pyamg.fwdIts, ok: r.pyamg.ok } } : {}),
  }));
  const losses = lossesSentence(outcomes);
  const lossCount = outcomes.filter((o) => lossesSentence([o]).startsWith("AMG-PCG loses")).length;
  const gradDiff = Math.max(gradCheck.bDiff, gradCheck.valuesDiff);
  const cv = input.convection;
  const outcomeOf = (r: PhaseRun) => ({ its: r.fwdIts, ms: total(r), ok: r.ok });
  const convectionOutcomes = (amg: number, ilu: number): ConvectionOutcome[] =>
    cv.map((r) => ({
      peclet: r.peclet,
      amg: outcomeOf(r.runs[amg]),
      ilu0: outcomeOf(r.runs[ilu]),
    }));
  const gmresOutcomes = convectionOutcomes(0, 2), bicgOutcomes = convectionOutcomes(1, 3);
  const amgWins = (os: ConvectionOutcome[], key: "its" | "ms") =>
    os.filter((o) => convectionWinner(o.amg, o.ilu0, key) === "AMG").length;
  const cvGradB = Math.max(...cv.map((r) => r.gradBDiff));
  const cvGradValues = Math.max(...cv.map((r) => r.gradValuesDiff));
  const blockRow = table.find((r) => r.name.startsWith("bcsstk16, blockSize 3"));
  const defaultRow = table.find((r) => r.name === "bcsstk16");

  const headName = `2-D Poisson ${input.N}²`;
  const finding = `On ${headName} (n = ${n.toLocaleString("en")}, rtol ${RTOL}) ${
    iterationTargetSentence({ ...target, n: undefined })
  }; setup + forward + backward through the differentiable solve takes ${duration(oursMed.total)}${
    clauses.length ? `, ${clauses.join(" and ")}` : " (PyAMG and JAX did not run)"
  }`;

  const metrics: Record<string, number | boolean | string> = {
    n,
    nnz: input.nnz,
    amgLevels: amgInfo.levels,
    amgOperatorComplexity: amgInfo.operatorComplexity,
    amgForwardIterations: ours[0].fwdIts,
    amgAdjointIterations: ours[0].bwdIts,
    amgSetupMs: oursMed.setupMs,
    amgForwardMs: oursMed.fwdMs,
    amgBackwardMs: oursMed.bwdMs,
    amgTotalMs: oursMed.total,
    iterationTargetMet: target.forward <= ITERATION_TARGET && target.adjoint <= ITERATION_TARGET,
    pyamgRan: py.length > 0,
    ...(pyMed
      ? {
        pyamgForwardIterations: py[0].fwdIts,
        pyamgAdjointIterations: py[0].bwdIts,
        pyamgSetupMs: pyMed.setupMs,
        pyamgForwardMs: pyMed.fwdMs,
        pyamgBackwardMs: pyMed.bwdMs,
        pyamgTotalMs: pyMed.total,
        pyamgOverAmg: pyRatio,
      }
      : {}),
    jaxRan: jax !== undefined,
    ...(jax
      ? {
        jaxCompileMs: jax.compileMs,
        jaxForwardMs: jax.fwdMs,
        jaxBackwardMs: jax.bwdMs,
        jaxTotalMs: jaxTotal,
        jaxOverAmg: jaxRatio,
        jaxGradBRelDiff: input.jaxGradB,
        jaxGradValuesRelDiff: input.jaxGradValues,
      }
      : {}),
    ic0ForwardIterations: icHead.its,
    ic0SetupMs: icHead.setupMs,
    ic0ForwardMs: icHead.ms,
    reuseSetupMs: reuseMed.setupMs,
    reuseUpdateMs: reuseMed.updateMs,
    reuseFreshMs: reuseMed.freshMs,
    reuseMs: reuseMed.reuseMs,
    reuseSpeedup,
    updateSpeedup: reuseMed.setupMs / reuseMed.updateMs,
    reuseTargetMet: reuseSpeedup >= REUSE_TARGET,
    tableProblems: table.length,
    tableLosses: lossCount,
    ...(blockRow && defaultRow
      ? {
        bcsstk16DefaultIterations: defaultRow.amg.fwdIts,
        bcsstk16BlockIterations: blockRow.amg.fwdIts,
      }
      : {}),
    convectionGrid: input.convectionGrid,
    convectionProblems: cv.length,
    convectionGmresAmgFewerIterations: amgWins(gmresOutcomes, "its"),
    convectionGmresAmgFaster: amgWins(gmresOutcomes, "ms"),
    convectionBicgstabAmgFewerIterations: amgWins(bicgOutcomes, "its"),
    convectionBicgstabAmgFaster: amgWins(bicgOutcomes, "ms"),
    convectionConverged: cv.every((r) => r.runs.every((x) => x.ok)),
    convectionGradBRelDiff: cvGradB,
    convectionGradValuesRelDiff: cvGradValues,
    gradCheckRelDiff: gradDiff,
    gradCheckLevels: gradCheck.levels,
    rounds: input.rounds,
  };

  const model = await cpuModel();
  const caches = describeCaches(await cpuCaches());
  const load = loadAverage();
  const report = new Report({
    started: input.started,
    name: "amg",
    title: "Algebraic multigrid: AMG-PCG against IC(0)-PCG, PyAMG and JAX CG, forward and backward",
    finding,
    backend: "cpu",
    seed: input.seed,
  });
  const v = input.versions;
  report.metadata({
    quick: input.quick,
    seed: input.seed,
    rtol: RTOL,
    maxIter: input.maxIter,
    rounds: input.rounds,
    headline: `${headName}, b and g uniform in [−0.5, 0.5) (seeded), L = gᵀx`,
    amgOptions: "defaults: smoothed aggregation, θ = 0.08, Jacobi-smoothed P, Chebyshev(4) " +
      "V(1,1), coarsest ≤ 500 unknowns by dense Cholesky",
    cpuModel: model,
    cores: describeCores(),
    caches,
    loadAverageAtEnd: load,
    python: input.python,
    pythonVersions: worker(v),
    pythonThreads: "OMP/OpenBLAS/MKL_NUM_THREADS=1; JAX_PLATFORMS=cpu",
  });

  report.text(
    "Algebraic multigrid (smoothed aggregation; Vaněk, Mandel & Brezina 1996) as the " +
      "preconditioner of CG (and, in the nonsymmetric section, of GMRES and BiCGSTAB), " +
      "measured through the **differentiable** solve: " +
      '`solveWithInfo(A, b, { method: "cg", preconditioner: "amg", rtol: 1e-8 })` inside ' +
      "`grad` of `L = gᵀx` with respect to b and every stored value of A. The forward solve " +
      "sets up the hierarchy (`SolveInfo.amg.setupMs` is reported apart); the backward pass " +
      "solves `Aᵀλ = g` with the same hierarchy and forms `Ā[k] = −λ[row k]·x[col k]`. " +
      `Every solve stops on the true relative residual ${RTOL}.\n\n` +
      `- **PyAMG** ${v.pyamg ?? "(not run)"}: \`smoothed_aggregation_solver(A)\` with its ` +
      "defaults (on the bcsstk16 blockSize 3 row: A as 3×3 BSR and `B` = the three " +
      "translations, as ours gets), then " +
      '`ml.solve(b, tol=1e-8, accel="cg")` and `ml.solve(g, …)` for the adjoint ' +
      "(A is symmetric), then `−λ[row]·x[col]` with numpy: setup + forward + adjoint + the " +
      "same gradient, timed inside Python.\n" +
      `- **JAX** ${v.jax ?? "(not run)"}: \`jax.scipy.sparse.linalg.cg\` on a closure applying ` +
      "the 5-point stencil from five coefficient planes that hold A's stored values, float64, " +
      "no preconditioner (JAX has no AMG); forward = `jax.vjp` of `L`, backward = its " +
      "pullback (the transposed solve of `custom_linear_solve`), both compiled ahead of time " +
      "(compile time reported apart, not counted). `jax.scipy`'s cg does not report its " +
      "iteration count.\n" +
      '- **IC(0)**: `ic0(A, { shift: "auto" })` passed as the preconditioner of the same ' +
      "differentiable solve. On the headline problem only its forward solve runs, to keep the " +
      "run short.\n\n" +
      `**Machine and noise.** ${model}, ${describeCores()} (caches ${caches}); load average ` +
      `${load} at the end of the run: other jobs share this machine, so times move between ` +
      "runs. The measurements are therefore interleaved — each round runs ours, then PyAMG " +
      "(then JAX once, in the middle round), on the same data — and compared as ratios within " +
      "a round, medians over rounds. Our solves run on Deno's main thread (one core). The " +
      "Python side runs with OMP/OpenBLAS/MKL_NUM_THREADS=1, but XLA keeps its own thread " +
      "pool, so JAX may use more than one core: the table gives each Python measurement's CPU " +
      `time / wall time (1 = one busy core). ${
        availabilitySentence("PyAMG", v.pyamg, input.pyamgWhy)
      } ${availabilitySentence("JAX", input.jaxOn ? v.jax : undefined, input.jaxWhy)}`,
  );

  // -- Headline
  report.section(`Headline: ${headName}, n = ${n.toLocaleString("en")}`);
  const headRows: unknown[][] = [[
    "AMG-PCG (gradsolve)",
    ms(oursMed.setupMs),
    its(ours[0]),
    ms(oursMed.fwdMs),
    ms(oursMed.bwdMs),
    ms(oursMed.total),
    1,
    `${amgInfo.levels} levels, op. complexity ${amgInfo.operatorComplexity.toFixed(2)}`,
  ]];
  if (pyMed) {
    headRows.push([
      "PyAMG SA + CG",
      ms(pyMed.setupMs),
      its(py[0]),
      ms(pyMed.fwdMs),
      ms(pyMed.bwdMs),
      ms(pyMed.total),
      ratio(pyRatio),
      `${py[0].levels} levels, op. complexity ${py[0].oc.toFixed(2)}; CPU/wall ${
        pyMed.cpu.toFixed(2)
      }`,
    ]);
  }
  if (jax) {
    headRows.push([
      "JAX CG (no preconditioner)",
      0,
      jax.ok ? "not reported" : "not reported ✗",
      ms(jax.fwdMs),
      ms(jax.bwdMs),
      ms(jaxTotal),
      ratio(jaxRatio),
      `one run; compile ${duration(jax.compileMs)} not counted; CPU/wall ${
        (jax.cpuMs / jaxTotal).toFixed(2)
      }; ratio against our run of the same round`,
    ]);
  }
  headRows.push([
    "IC(0)-PCG, forward only",
    ms(icHead.setupMs),
    `${icHead.its}${icHead.ok ? "" : " ✗"}`,
    ms(icHead.ms),
    null,
    ms(icHead.setupMs + icHead.ms),
    ratio((icHead.setupMs + icHead.ms) / (oursMed.setupMs + oursMed.fwdMs)),
    "ratio against AMG-PCG setup + forward" + (icHead.shift > 0 ? `; shift ${icHead.shift}` : ""),
  ]);
  report.table({
    columns: [
      "method",
      "setup (ms)",
      "iterations fwd/adj",
      "forward (ms)",
      "backward (ms)",
      "total (ms)",
      "total / AMG-PCG",
      "note",
    ],
    rows: headRows,
  }, {
    caption: `${headName}, rtol ${RTOL}: medians over ${input.rounds} interleaved round(s) ` +
      "(✗: not converged). Backward = adjoint solve + the gradient on the stored entries.",
  });
  const headText = [
    `${iterationTargetSentence(target)}.`,
    clauses.length
      ? `Setup + forward + backward takes ${duration(oursMed.total)}: ${clauses.join("; ")}.`
      : "Neither PyAMG nor JAX ran, so there is no outside comparison.",
  ];
  if (jax) {
    headText.push(
      `JAX's gradients agree with ours: relative difference ${input.jaxGradB.toExponential(1)} ` +
        `for ∂L/∂b and ${input.jaxGradValues.toExponential(1)} for ∂L/∂A on the stored ` +
        `entries (both solves stop at rtol ${RTOL}).`,
    );
  }
  report.text(headText.join(" "));
  if (input.rounds > 1 || jax) {
    report.table(
      ours.map((o, r) => ({
        round: r + 1,
        "AMG-PCG total (ms)": ms(total(o)),
        "PyAMG total (ms)": py[r] ? ms(total(py[r])) : null,
        "PyAMG / AMG-PCG": py[r] ? ratio(total(py[r]) / total(o)) : null,
        "JAX total (ms)": o === input.jaxPair ? ms(jaxTotal) : null,
        "JAX / AMG-PCG": o === input.jaxPair ? ratio(jaxRatio) : null,
      })),
      { caption: "The interleaved rounds of the headline (— : not run in that round)" },
    );
  }
  const histories = [
    { name: "AMG-PCG (ours)", x: ours[0].history.map((_, i) => i), y: [...ours[0].history] },
    { name: "IC(0)-PCG", x: icHead.history.map((_, i) => i), y: [...icHead.history] },
    ...(py.length
      ? [{ name: "PyAMG SA + CG", x: py[0].history.map((_, i) => i), y: py[0].history }]
      : []),
  ];
  report.figure(
    linePlot({
      series: histories,
      xLabel: "iteration",
      yLabel: "‖r‖ / ‖b‖",
      logY: true,
      width: 900,
      height: 380,
    }),
    {
      caption: `Residual histories of the forward solve on ${headName}: AMG-PCG reaches ` +
        `${RTOL} in ${ours[0].fwdIts} iterations, IC(0)-PCG in ${icHead.its}${
          py.length ? `, PyAMG in ${py[0].fwdIts}` : ""
        } (each solver's own residual estimate, relative to ‖b‖).`,
    },
  );

  // -- Time split
  const headParts: PartRow[] = [];
  const push = (method: string, setup: number, fwd: number, bwd: number) => {
    for (const [part, value] of [["setup", setup], ["forward", fwd], ["backward", bwd]] as const) {
      if (Number.isFinite(value)) {
        headParts.push({ group: headName, method, part, value: value / 1000 });
      }
    }
  };
  push("AMG-PCG (ours)", oursMed.setupMs, oursMed.fwdMs, oursMed.bwdMs);
  if (pyMed) push("PyAMG SA", pyMed.setupMs, pyMed.fwdMs, pyMed.bwdMs);
  if (jax) push("JAX CG", 0, jax.fwdMs, jax.bwdMs);
  push("IC(0), fwd only", icHead.setupMs, icHead.ms, NaN);
  const headMethods = [...new Set(headParts.map((r) => r.method))];
  const tableParts: PartRow[] = [];
  for (const r of table) {
    const base = total(r.amg);
    const runs: [string, PhaseRun | undefined][] = [
      ["AMG-PCG (ours)", r.amg],
      ["IC(0)-PCG", r.ic0],
      ["PyAMG SA", r.pyamg],
    ];
    for (const [method, run] of runs) {
      if (!run) continue;
      for (const part of PARTS) {
        const value = part === "setup" ? run.setupMs : part === "forward" ? run.fwdMs : run.bwdMs;
        tableParts.push({ group: r.name, method, part, value: value / base });
      }
    }
  }
  report.figure([
    stackedBars(headParts, {
      methods: headMethods,
      xLabel: "seconds (median over rounds)",
      width: 900,
      height: 75 + 34 * headMethods.length,
    }),
    stackedBars(tableParts, {
      methods: ["AMG-PCG (ours)", "IC(0)-PCG", "PyAMG SA"],
      groups: table.map((r) => r.name),
      xLabel: "time relative to AMG-PCG's total on the same problem",
      cap: 5,
      width: 900,
      height: 95 + 3 * 20 * table.length,
    }),
  ], {
    caption: `Where the time goes: setup, forward solve, backward (adjoint solve + gradient). ` +
      `Top: ${headName} in seconds (JAX has no setup; IC(0) ran forward only). Bottom: each ` +
      "problem of the table, relative to AMG-PCG's total there (1 = AMG-PCG's time); a bar " +
      "longer than 5 is cut at 5 (▸), its total written inside its end.",
    data: { headline: headParts, table: tableParts },
  });

  // -- Reuse
  report.section("Setup reuse: new values on the same pattern");
  report.text(
    `A training loop changes A's values every step, not its pattern. Here two log-normal ` +
      `coefficient fields (σ = 1) give two matrices on the ${input.N}×${input.N} 5-point ` +
      "pattern. A kept hierarchy built for one of them is passed as the preconditioner of " +
      "the solve with the other: it notices the new values and refreshes its numeric part " +
      "(`update`: same aggregates and patterns, new smoothed prolongators, coarse matrices, " +
      "spectral bounds and coarse factor). Against it: a fresh `amgSetup` + solve. The order " +
      "of the two alternates between rounds. " +
      reuseSentence({ ...reuseMed, target: REUSE_TARGET }),
  );
  report.table(
    reuse.map((r, i) => ({
      round: i + 1,
      "setup (ms)": ms(r.setupMs),
      "solve (ms)": ms(r.freshSolveMs),
      "its": r.freshIts,
      "update (ms)": ms(r.updateMs),
      "update + solve (ms)": ms(r.reuseMs),
      "its, reused": r.reuseIts,
      "strength drift": r.drift,
      "fresh / reused": ratio((r.setupMs + r.freshSolveMs) / r.reuseMs),
    })),
    {
      caption: `Fresh setup + forward solve ("setup", "solve", "its") against a value update ` +
        `of the kept hierarchy + forward solve, ${input.N}²; "strength drift" is the kept ` +
        "hierarchy's `info.strengthDrift` (0: the strong couplings its aggregates were built " +
        'on are unchanged); "fresh / reused" is the ratio of the two totals',
    },
  );

  // -- Table
  report.section("Across problems");
  report.table({
    columns: [
      "problem",
      "n",
      "AMG its",
      "AMG ms",
      "IC(0) its",
      "IC(0) ms",
      "PyAMG its",
      "PyAMG ms",
      "IC(0) / AMG",
      "PyAMG / AMG",
    ],
    rows: table.map((r) => [
      r.name,
      r.n,
      its(r.amg),
      ms(total(r.amg)),
      r.ic0 ? its(r.ic0) : r.ic0Note,
      r.ic0 ? ms(total(r.ic0)) : null,
      its(r.pyamg),
      r.pyamg ? ms(total(r.pyamg)) : null,
      r.ic0 ? ratio(total(r.ic0) / total(r.amg)) : null,
      r.pyamg ? ratio(total(r.pyamg) / total(r.amg)) : null,
    ]),
  }, {
    caption: `Iterations (forward / adjoint) and setup + forward + backward time (ms) per ` +
      `method, one run each, back to back (rtol ${RTOL}, at most ${input.maxIter} iterations; ` +
      "✗: not converged). Time ratios > 1: AMG-PCG is faster.",
  });
  report.text(`**Where AMG loses.** ${losses}`);
  report.table(
    table.map((r) => ({
      problem: r.name,
      kind: r.kind,
      n: r.n,
      nnz: r.nnz,
      "AMG levels": r.amgInfo.levels,
      "AMG op.cx": Number(r.amgInfo.operatorComplexity.toFixed(2)),
      "AMG setup ms": ms(r.amg.setupMs),
      "PyAMG levels": r.pyamg ? r.pyamg.levels : null,
      "PyAMG op.cx": r.pyamg ? Number(r.pyamg.oc.toFixed(2)) : null,
      "PyAMG setup ms": r.pyamg ? ms(r.pyamg.setupMs) : null,
    })),
    {
      caption: "The problems and the two hierarchies (op.cx: operator complexity Σ nnz_l / nnz_0)",
    },
  );
  const problems = [headName, ...table.map((r) => r.name)];
  const points: IterationPoint[] = [
    { problem: headName, method: METHODS[0], its: ours[0].fwdIts, converged: ours[0].ok },
    { problem: headName, method: METHODS[1], its: icHead.its, converged: icHead.ok },
    ...(py.length
      ? [{ problem: headName, method: METHODS[2], its: py[0].fwdIts, converged: py[0].ok }]
      : []),
    ...table.flatMap((r) => {
      const out: IterationPoint[] = [
        { problem: r.name, method: METHODS[0], its: r.amg.fwdIts, converged: r.amg.ok },
      ];
      if (r.ic0) {
        out.push({ problem: r.name, method: METHODS[1], its: r.ic0.fwdIts, converged: r.ic0.ok });
      }
      if (r.pyamg) {
        out.push({
          problem: r.name,
          method: METHODS[2],
          its: r.pyamg.fwdIts,
          converged: r.pyamg.ok,
        });
      }
      return out;
    }),
  ];
  report.figure(iterationDots(points, problems), {
    caption: "Forward PCG iterations to rtol 1e-8 per problem (log axis; grey with ✗: not " +
      "converged within the cap). The adjoint solves take about as many (tables above).",
    data: { points },
  });

  // -- Nonsymmetric
  const CN = input.convectionGrid;
  report.section("Nonsymmetric: convection–diffusion");
  const noneIts = cv.map((r) => r.runs[4].fwdIts);
  const amgIts = cv.map((r) => r.runs[0].fwdIts);
  const failed = cv.flatMap((r) =>
    r.runs.flatMap((x, i) =>
      x.ok ? [] : [`${CONVECTION_CONFIGS[i].label} at Péclet ${Number(r.peclet.toPrecision(3))}`]
    )
  );
  const cvNames = {
    ours: "GMRES(30) + AMG",
    theirs: "those through GMRES(30) + ILU(0)",
  };
  report.text(
    "`−εΔu + w·∇u` on the interior nodes of a " +
      `${CN}×${CN} grid (n = ${(CN * CN).toLocaleString("en")}, Dirichlet), ` +
      "`convectionDiffusion2d(N, N, { wind: [w, w/2], diffusion: 1, h: 1 })`: the 5-point " +
      "diffusion stencil plus first-order upwind convection, an M-matrix that is " +
      "nonsymmetric whenever w ≠ 0. The cell Péclet number |w|·h/ε (|w| the length of the " +
      "wind, √5/2·w here) grows from diffusion-dominated to convection-dominated. CG does not " +
      "apply, so AMG (the same smoothed aggregation, default options; on a nonsymmetric " +
      "matrix its smoother defaults to damped Jacobi) preconditions GMRES(30) and BiCGSTAB, " +
      "against ILU(0) and unpreconditioned GMRES(30), through the same differentiable solve " +
      "as above: `grad` of `L = gᵀx` with respect to b and every stored value. The backward " +
      "pass solves `Aᵀλ = g` with the same method and the transposed preconditioner: for " +
      "AMG the exact transposed cycle on the forward solve's hierarchy, for ILU(0) " +
      "`(LU)⁻ᵀ`. Each preconditioned run sets up its own preconditioner, counted as its " +
      `setup; rtol ${RTOL}, at most ${input.maxIter} iterations.\n\n` +
      `**Where AMG helps and where it does not.** ${
        convectionSentence("GMRES(30)", gmresOutcomes)
      } ${convectionSentence("BiCGSTAB", bicgOutcomes)} Without a preconditioner GMRES(30) ` +
      `needs ${Math.min(...noneIts)} to ${Math.max(...noneIts)} forward iterations (with AMG ` +
      `${Math.min(...amgIts)} to ${Math.max(...amgIts)}). ${
        failed.length ? `Not converged: ${failed.join(", ")}. ` : "Every run converged. "
      }${
        gradientCheckSentence(
          Math.max(cvGradB, cvGradValues),
          CONVECTION_GRADIENT_TOLERANCE,
          cvNames,
        )
      }`,
  );
  report.table({
    columns: [
      "Péclet |w|h/ε",
      "w (wind [w, w/2])",
      ...CONVECTION_CONFIGS.map((c) => c.label),
      "Δ ∂L/∂b",
      "Δ ∂L/∂A",
    ],
    rows: cv.map((r) => [
      Number(r.peclet.toPrecision(3)),
      r.wind,
      ...r.runs.map((x) => `${its(x)}, ${duration(total(x))}`),
      r.gradBDiff,
      r.gradValuesDiff,
    ]),
  }, {
    caption: `Convection–diffusion ${CN}², rtol ${RTOL}: iterations (forward / adjoint) and ` +
      "setup + forward + backward time per configuration, one run each, back to back " +
      "(✗: not converged; the times apart in the table below). Δ: relative difference " +
      "‖a − b‖ / ‖b‖ of the gradients through GMRES(30) + AMG (a) and GMRES(30) + ILU(0) (b).",
  });
  const peclets = cv.map((r) => r.peclet);
  const cvSeries = (f: (x: PhaseRun) => number) =>
    CONVECTION_CONFIGS.map((c, i) => ({
      name: c.label,
      x: peclets,
      y: cv.map((r) => f(r.runs[i])),
    }));
  report.figure([
    linePlot({
      series: cvSeries((x) => x.fwdIts),
      xLabel: "cell Péclet number |w|·h/ε",
      yLabel: "forward iterations",
      logX: true,
      logY: true,
      markers: "all",
      width: 500,
      height: 360,
    }),
    linePlot({
      series: cvSeries(total),
      xLabel: "cell Péclet number |w|·h/ε",
      yLabel: "setup + forward + backward (ms)",
      logX: true,
      logY: true,
      markers: "all",
      width: 500,
      height: 360,
    }),
  ], {
    caption: `Convection–diffusion ${CN}²: forward iterations (left) and setup + forward + ` +
      "backward time (right) against the cell Péclet number, one line per configuration " +
      `(both axes log)${
        failed.length
          ? `; not converged, drawn at the iteration cap: ${failed.join(", ")}`
          : "; every run converged"
      }.`,
  });
  report.table(
    cv.flatMap((r) =>
      r.runs.map((x, i) => ({
        "Péclet": Number(r.peclet.toPrecision(3)),
        configuration: CONVECTION_CONFIGS[i].label,
        "iterations fwd/adj": its(x),
        "setup (ms)": ms(x.setupMs),
        "forward (ms)": ms(x.fwdMs),
        "backward (ms)": ms(x.bwdMs),
        "total (ms)": ms(total(x)),
        converged: x.ok,
        note: CONVECTION_CONFIGS[i].preconditioner === "amg"
          ? `${r.amgInfo.levels} levels, op. complexity ${r.amgInfo.operatorComplexity.toFixed(2)}`
          : "",
      }))
    ),
    {
      caption: `Each run of the convection–diffusion section (${CN}², n = ` +
        `${(CN * CN).toLocaleString("en")}): setup, forward solve and backward (adjoint solve ` +
        "+ gradient) apart",
    },
  );

  // -- Gradient check
  report.section("Gradient check");
  report.table([{
    problem: `diffusion, log-normal κ (σ = 1), 48², n = ${gradCheck.n}`,
    "AMG levels": gradCheck.levels,
    "AMG-PCG iterations": gradCheck.amgIts,
    "CG iterations (none)": gradCheck.noneIts,
    "‖Δ ∂L/∂b‖ / ‖∂L/∂b‖": gradCheck.bDiff,
    "‖Δ ∂L/∂A‖ / ‖∂L/∂A‖": gradCheck.valuesDiff,
  }], {
    caption: "Gradients of L = gᵀA⁻¹b through AMG-PCG (coarsest ≤ 50, so several levels) " +
      "against unpreconditioned CG, both at rtol 1e-13",
  });
  report.text(gradientCheckSentence(gradDiff, GRADIENT_TOLERANCE));

  report.section("The numbers");
  report.table(humanTable(metrics, METRIC_NAMES), {
    caption: "The numbers behind the findings (also in amg.json)",
  });
  const written = await report.write(input.out);
  return { finding, metrics, report: written };
}

function worker(v: Record<string, string>): string {
  const parts = ["python", "numpy", "scipy", "pyamg", "jax"].filter((k) => v[k] !== undefined)
    .map((k) => `${k} ${v[k]}`);
  return parts.length ? parts.join(", ") : "none";
}

if (import.meta.main) {
  printAboutOnHelp({
    what: "Benchmarks AMG-PCG through the differentiable solve (forward + adjoint + gradient) " +
      "against IC(0)-PCG, PyAMG (smoothed aggregation) and JAX CG on 2-D Poisson with " +
      "n = 10⁶, measures setup reuse across value changes, and compares the methods on " +
      "3-D Poisson, anisotropic, jump-coefficient and real SPD matrices (bcsstk16 also with " +
      "blockSize 3 and its translations as near-nullspace). On nonsymmetric 2-D " +
      "convection–diffusion (cell Péclet 0.11 to 112) it compares AMG with ILU(0) as the " +
      "preconditioner of GMRES(30) and BiCGSTAB, and with unpreconditioned GMRES(30). PyAMG " +
      "and JAX run in a Python subprocess (--python) and are skipped when they cannot be " +
      "imported.",
    duration: {
      quick: "8 s",
      full: "6 min (JAX alone 1.5 to 2 min)",
      machine: REFERENCE_MACHINE,
    },
    writes: "OUT/amg.html, OUT/amg.json and OUT/index.html (OUT = --out, default reports)",
  });
  await experimentMain("bench_amg", {
    python: {
      type: "string",
      default: "/tmp/venv/bin/python",
      description: "Python with numpy, scipy, pyamg and jax",
    },
    rounds: {
      type: "number",
      integer: true,
      description: "interleaved rounds of the headline and reuse runs (default 1 quick, 3 full)",
    },
    maxIter: {
      type: "number",
      integer: true,
      default: 5000,
      description: "iteration cap of every solve",
    },
    grid: {
      type: "number",
      integer: true,
      description: "headline grid side N, n = N² (default 100 quick, 1000 full)",
    },
    skipJax: {
      type: "boolean",
      description: "skip the JAX comparison (1.5 to 2 min of a full run)",
    },
  }, async ({ python, rounds, maxIter, grid, skipJax, ...args }) => {
    if (args.backend !== "cpu") {
      throw new RangeError(`Cannot run bench_amg on ${args.backend}: it measures the CPU solves`);
    }
    const { finding, report } = await run({
      quick: args.quick,
      seed: args.seed,
      out: args.out,
      python,
      maxIter,
      skipJax,
      ...(rounds !== undefined ? { rounds } : {}),
      ...(grid !== undefined ? { grid } : {}),
    });
    return { finding, html: report.html };
  });
}
