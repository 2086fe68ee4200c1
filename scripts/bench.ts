/**
 * Experiment 8: the benchmark report. On 2-D Poisson matrices of growing size
 * it measures, on this machine:
 *
 * - time to solve (rtol 1e-6) and milliseconds per iteration of every CPU
 *   solver (CG, IC(0)-PCG, AMG-PCG with `amgSetup(A)`, BiCGSTAB, GMRES(30),
 *   MINRES, sparse direct; preconditioner setup timed apart) and every GPU
 *   solver (`gpuSolve`: CG, BiCGSTAB, GMRES(30), float32 refined in float64);
 * - forward vs backward cost of the differentiable solve (implicit adjoint,
 *   `solveWithInfo` + `vjp` on the CPU, also with `preconditioner: "amg"`,
 *   whose adjoint solve reuses the forward's hierarchy; `solveAsyncWithInfo`
 *   + `vjpAsync` on WebGPU);
 * - read-backs per GPU solve against `ceil(iterations / K)` (K = checkEvery)
 *   and the GPU time split into record + submit vs waiting for read-backs;
 * - this machine's memory bandwidth (a STREAM-like triad, best of several),
 *   and from it a lower bound on the time of one CG iteration (the bytes its
 *   passes must stream), set against the measured time;
 * - optionally the C reference `bench/c/cg_reference.cpp` (needs a C++
 *   compiler; Eigen's headers are optional), timed in rounds interleaved with
 *   gradsolve's CG on the largest grid, so that the report's CG time per
 *   iteration and its ratio to C come from one measurement. Without a
 *   compiler the comparison is skipped with a one-line note.
 *
 * The GPU part is skipped with a note when no WebGPU adapter exists; a
 * software adapter (Mesa llvmpipe) is named as such, because its numbers then
 * measure CPU-side overheads, not a GPU.
 *
 * Usage: deno run -A scripts/bench.ts [--quick] [--seed N] [--backend cpu|webgpu] [--out DIR]
 *        [--check-every K] [--cpu-only] [--skip-reference]
 *
 * @module
 */

import { norm2 } from "../lib/linalg/vector.ts";
import { sparseTensor, type Tensor, tensor, vjp, vjpAsync } from "../lib/autodiff/mod.ts";
import { solveWithInfo } from "../lib/diff/solve.ts";
import { solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import type { SolveInfo } from "../lib/diff/solve_info.ts";
import { GpuUnavailableError } from "../lib/errors.ts";
import { acquireGpu, gpuAvailable, type GpuContext } from "../lib/gpu/device.ts";
import { type GpuMethod, gpuSolve, type GpuSolveResult } from "../lib/gpu/solve.ts";
import { type AmgPreconditioner, amgSetup } from "../lib/linalg/amg/mod.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import type { Preconditioner } from "../lib/linalg/preconditioner.ts";
import type { SolveMethod } from "../lib/linalg/result.ts";
import { solveLinear } from "../lib/linalg/solve.ts";
import { Rng } from "../lib/random.ts";
import { experimentMain } from "./_experiment_main.ts";
import { printAboutOnHelp, REFERENCE_MACHINE } from "./_about.ts";
import {
  compileCgReference,
  type CompiledReference,
  runCFixed,
  runCSpmv,
} from "./_cg_reference.ts";
import {
  amgHeadlineClause,
  amgSweepSentence,
  backwardSentence,
  cacheSentence,
  type PcgPoint,
  readbackSentence,
  readmeSummary,
} from "./_findings_bench.ts";
import { collectRunInfo } from "../lib/report/run_info.ts";
import { formatBytes, type MachineFacts, readMachineFacts } from "./_machine.ts";
import { humanTable } from "./_tables.ts";
import { barPlot, linePlot, scatterPlot } from "../lib/report/plots.ts";
import { progress } from "../lib/report/progress.ts";
import { Report } from "../lib/report/report.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

/** Options of {@linkcode run} (the parsed command line). */
export interface BenchArgs {
  /** Tiny sizes, a few seconds. @default {false} */
  quick?: boolean;
  /** Seed of the exact solutions and cotangents. @default {0} */
  seed?: number;
  /** "webgpu" makes a missing adapter an error instead of a skipped section. @default {"cpu"} */
  backend?: "cpu" | "webgpu";
  /** Output folder of the report. @default {"reports"} */
  out?: string;
  /** GPU iterations per read-back (K). @default {25} */
  checkEvery?: number;
  /** Skip the GPU part even when an adapter exists. @default {false} */
  cpuOnly?: boolean;
  /** Skip the C/Eigen reference comparison. @default {false} */
  skipReference?: boolean;
}

/** One timed solve. */
export interface SolveRow {
  /** "cpu" or "webgpu". */
  backend: "cpu" | "webgpu";
  /** Solver. */
  method: SolveMethod;
  /** Preconditioner of a CPU CG solve ("none" elsewhere). */
  preconditioner: BenchPreconditioner;
  /** Method and preconditioner in one key: the method, or `"cg+ic0"`, `"cg+amg"`. */
  solver: string;
  /** Grid side N (n = N²). */
  N: number;
  /** Unknowns. */
  n: number;
  /** Stored entries. */
  nnz: number;
  /** Iterations (GPU: over all refinement solves; direct: refinement steps). */
  iterations: number;
  /** Reached rtol. */
  converged: boolean;
  /** True float64 relative residual. */
  relativeResidual: number;
  /** Wall time of the solve (best of the repetitions), ms; preconditioner setup not included. */
  ms: number;
  /** Preconditioner setup (IC(0) factorisation, AMG hierarchy; best of the repetitions), ms; 0 without one. */
  setupMs: number;
  /** AMG hierarchy levels (0 without AMG). */
  amgLevels: number;
  /** AMG operator complexity (NaN without AMG). */
  amgOperatorComplexity: number;
  /** Iteration time (solve only), ms (GPU: (record + wait) / iterations; NaN for direct). */
  msPerIteration: number;
  /** Lower bound on one CG iteration from bytes moved at the measured bandwidth, ms (CG only, else NaN). */
  boundMsPerIteration: number;
  /** GPU read-backs (0 on the CPU). */
  readbacks: number;
  /** GPU refinement steps after the first solve (0 on the CPU). */
  refinements: number;
  /** GPU float32 solves (refinements + 1; 0 on the CPU). */
  innerSolves: number;
  /** GPU upload + setup, ms (0 on the CPU). */
  uploadMs: number;
  /** GPU encode + submit, ms (0 on the CPU). */
  recordMs: number;
  /** GPU wait for read-backs, ms (0 on the CPU). */
  waitMs: number;
}

/** One forward + backward measurement of the differentiable solve. */
export interface DiffRow {
  /** "cpu" or "webgpu". */
  backend: "cpu" | "webgpu";
  /** Solver of forward and adjoint. */
  method: SolveMethod;
  /** Preconditioner of forward and adjoint ("amg": one hierarchy, built in the forward pass). */
  preconditioner: BenchPreconditioner;
  /** Method and preconditioner in one key (see {@linkcode SolveRow.solver}). */
  solver: string;
  /** Grid side. */
  N: number;
  /** Unknowns. */
  n: number;
  /** Forward (traced solve, preconditioner setup included), ms. */
  forwardMs: number;
  /** Preconditioner setup inside the forward pass (`SolveInfo.amg.setupMs`), ms; 0 without one. */
  setupMs: number;
  /** Backward (pullback: adjoint solve + value gradient), ms. */
  backwardMs: number;
  /** backward / forward. */
  ratio: number;
  /** (backward ms / adjoint iteration) / (forward ms without setup / forward iteration); NaN for direct. */
  ratioPerIteration: number;
  /** Forward iterations. */
  forwardIterations: number;
  /** Adjoint iterations. */
  adjointIterations: number;
  /** ‖Aᵀ b̄ − x̄‖ / ‖x̄‖: the gradient with respect to b solves the adjoint system. */
  adjointResidual: number;
  /** Read-backs of forward + adjoint (GPU; 0 on the CPU). */
  readbacks: number;
}

/** Preconditioners the CPU CG rows run with. */
export type BenchPreconditioner = "none" | "ic0" | "amg";

/** The key of a method with a preconditioner: the method alone without one. */
function solverKey(method: SolveMethod, preconditioner: BenchPreconditioner): string {
  return preconditioner === "none" ? method : `${method}+${preconditioner}`;
}

/** The measured bandwidth. */
export interface Bandwidth {
  /** Best triad bandwidth, GB/s (10⁹ bytes per second, STREAM counting: 24 bytes per element). */
  gbPerSecond: number;
  /** Median over the repetitions, GB/s. */
  medianGbPerSecond: number;
  /** Elements per array. */
  length: number;
  /** Repetitions. */
  repetitions: number;
}

/** What {@linkcode run} returns. */
export interface BenchResult {
  /** The one-sentence finding. */
  finding: string;
  /** The headline numbers (also in the JSON). */
  metrics: Record<string, number | boolean | string>;
  /** Every timed solve. */
  solves: SolveRow[];
  /** Every forward/backward measurement. */
  diff: DiffRow[];
  /** The measured memory bandwidth. */
  bandwidth: Bandwidth;
  /** Path of the HTML report. */
  html: string;
  /** Path of the JSON. */
  json: string;
}

function triad(a: Float64Array, b: Float64Array, c: Float64Array, s: number): void {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

/**
 * Measures memory bandwidth with a STREAM-like triad `a = b + s·c` over three
 * Float64Arrays of `length` elements (24 bytes moved per element, no
 * write-allocate counted, as STREAM does), best and median of `repetitions`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureBandwidth } from "./bench.ts";
 * const bw = measureBandwidth(1 << 20, 3);
 * assert.ok(bw.gbPerSecond > 0 && bw.gbPerSecond >= bw.medianGbPerSecond);
 * ```
 */
export function measureBandwidth(length = 1 << 23, repetitions = 10): Bandwidth {
  const a = new Float64Array(length), b = new Float64Array(length), c = new Float64Array(length);
  for (let i = 0; i < length; i++) (b[i] = 1 + (i & 7)), (c[i] = 0.5);
  triad(a, b, c, 3); // warm-up: JIT and first-touch page faults
  const rates: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t0 = performance.now();
    triad(a, b, c, 3 + r);
    const ms = performance.now() - t0;
    rates.push((24 * length) / (ms * 1e6));
  }
  if (a[length - 1] !== b[length - 1] + (2 + repetitions) * c[length - 1]) {
    throw new Error("Cannot measure bandwidth: the triad computed a wrong value");
  }
  return {
    gbPerSecond: Math.max(...rates),
    medianGbPerSecond: median(rates),
    length,
    repetitions,
  };
}

/**
 * Bytes one CG iteration must stream on a CSR matrix, each array read or
 * written once per pass (a lower bound at full bandwidth, out of cache):
 *
 * - `"float64"` (gradsolve's CPU CG, three fused passes): SpMV + pᵀq
 *   (values 8·nnz, colIdx 4·nnz, rowPtr 4·(n+1), p read 8n, q written 8n),
 *   x/r update + ‖r‖² (read x, p, r, q; write x, r: 48n), p = r + βp (24n);
 * - `"float32"` (the GPU CG's element-wise kernels): SpMV (values 4·nnz,
 *   colIdx 4·nnz, rowPtr 4·(n+1), p 4n, q 4n), pᵀq (8n), x/r/z update
 *   (read x, p, r, q, dinv; write x, r, z: 32n), p = z + βp (12n).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cgIterationBytes } from "./bench.ts";
 * assert.equal(cgIterationBytes(100, 460, "float64"), 12 * 460 + 4 * 101 + 88 * 100);
 * ```
 */
export function cgIterationBytes(n: number, nnz: number, precision: "float64" | "float32"): number {
  return precision === "float64"
    ? 12 * nnz + 4 * (n + 1) + 16 * n + 48 * n + 24 * n
    : 8 * nnz + 4 * (n + 1) + 8 * n + 8 * n + 32 * n + 12 * n;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

interface Problem {
  N: number;
  A: CsrMatrix;
  /** b = A·x*, x* ~ N(0, I): the timed solves. */
  b: Float64Array;
  /** b ~ N(0, I): the differentiated solves (same distribution as the cotangent). */
  bRandom: Float64Array;
  /** x̄ ~ N(0, I). */
  cotangent: Float64Array;
}

function problem(N: number, seed: number): Problem {
  const A = poisson2d(N);
  const n = A.shape[0];
  const rng = new Rng(seed * 7919 + N);
  const xStar = Float64Array.from({ length: n }, () => rng.normal());
  const bRandom = Float64Array.from({ length: n }, () => rng.normal());
  const cotangent = Float64Array.from({ length: n }, () => rng.normal());
  return { N, A, b: A.multiply(xStar), bRandom, cotangent };
}

const RTOL = 1e-6;
const CPU_METHODS: SolveMethod[] = ["cg", "bicgstab", "gmres", "minres", "direct"];
/** The CPU solves of the sweep: CG also with IC(0) and AMG (smoothed aggregation, default options). */
const CPU_SOLVERS: { method: SolveMethod; preconditioner: BenchPreconditioner }[] = [
  { method: "cg", preconditioner: "none" },
  { method: "cg", preconditioner: "ic0" },
  { method: "cg", preconditioner: "amg" },
  ...CPU_METHODS.slice(1).map((method) => ({ method, preconditioner: "none" as const })),
];
/** The CPU forward/backward rows: every method, and CG with AMG. */
const CPU_DIFF_SOLVERS: { method: SolveMethod; preconditioner: BenchPreconditioner }[] = [
  { method: "cg", preconditioner: "none" },
  { method: "cg", preconditioner: "amg" },
  ...CPU_METHODS.slice(1).map((method) => ({ method, preconditioner: "none" as const })),
];

function buildPreconditioner(
  A: CsrMatrix,
  kind: BenchPreconditioner,
): Preconditioner | undefined {
  return kind === "ic0" ? ic0(A) : kind === "amg" ? amgSetup(A) : undefined;
}
const GPU_METHODS: GpuMethod[] = ["cg", "bicgstab", "gmres"];

// Restarted GMRES(30) needs thousands of iterations on the larger Poisson grids: above this
// grid side it runs a fixed budget (for ms/iteration) and is reported unconverged.
const GMRES_ITERATION_CAP = 300;

function maxIterFor(method: string, N: number, gmresMaxN: number): number {
  if (method === "gmres" && N > gmresMaxN) return GMRES_ITERATION_CAP;
  return Math.max(1000, 40 * N);
}

function cpuSolve(
  p: Problem,
  method: SolveMethod,
  gmresMaxN: number,
  bwBytesPerMs: number,
  timed?: number,
  preconditioner: BenchPreconditioner = "none",
) {
  const n = p.A.shape[0];
  const maxIter = maxIterFor(method, p.N, gmresMaxN);
  let best = Infinity, bestSetup = preconditioner === "none" ? 0 : Infinity;
  let result = undefined as ReturnType<typeof solveLinear> | undefined;
  let M: Preconditioner | undefined;
  const once = () => {
    // A fresh preconditioner each repetition: its setup is timed apart from the solve.
    const s0 = performance.now();
    M = buildPreconditioner(p.A, preconditioner);
    bestSetup = Math.min(bestSetup, M ? performance.now() - s0 : 0);
    const t0 = performance.now();
    result = solveLinear(p.A, p.b, {
      method,
      rtol: RTOL,
      maxIter,
      onFailure: "return",
      ...(M ? { preconditioner: M } : {}),
    });
    return performance.now() - t0;
  };
  if (timed !== undefined) {
    // One solve whose time the caller measured already (the rounds paired with the C reference).
    once();
    best = timed;
  } else {
    // Best of three for solves under 300 ms; one run of the slow ones.
    for (let rep = 0; rep < 3; rep++) {
      const ms = once();
      best = Math.min(best, ms);
      if (ms > 300) break;
    }
  }
  result = result!;
  const iterative = method !== "direct";
  const amg = preconditioner === "amg" ? (M as AmgPreconditioner).info : undefined;
  const row: SolveRow = {
    backend: "cpu",
    method,
    preconditioner,
    solver: solverKey(method, preconditioner),
    N: p.N,
    n,
    nnz: p.A.nnz,
    iterations: result.iterations,
    converged: result.converged,
    relativeResidual: result.relativeResidual,
    ms: best,
    setupMs: bestSetup,
    amgLevels: amg?.levels ?? 0,
    amgOperatorComplexity: amg?.operatorComplexity ?? NaN,
    msPerIteration: iterative ? best / Math.max(1, result.iterations) : NaN,
    boundMsPerIteration: method === "cg" && preconditioner === "none"
      ? cgIterationBytes(n, p.A.nnz, "float64") / bwBytesPerMs
      : NaN,
    readbacks: 0,
    refinements: 0,
    innerSolves: 0,
    uploadMs: 0,
    recordMs: 0,
    waitMs: 0,
  };
  return row;
}

async function gpuRow(
  ctx: GpuContext,
  p: Problem,
  method: GpuMethod,
  K: number,
  gmresMaxN: number,
  bwBytesPerMs: number,
): Promise<SolveRow> {
  const n = p.A.shape[0];
  const g: GpuSolveResult = await gpuSolve(ctx, p.A, p.b, {
    method,
    rtol: RTOL,
    checkEvery: K,
    maxIter: maxIterFor(method, p.N, gmresMaxN),
    onFailure: "return",
  });
  return {
    backend: "webgpu",
    method,
    preconditioner: "none",
    solver: method,
    N: p.N,
    n,
    nnz: p.A.nnz,
    iterations: g.iterations,
    converged: g.converged,
    relativeResidual: g.relativeResidual,
    ms: g.timings.total,
    setupMs: 0,
    amgLevels: 0,
    amgOperatorComplexity: NaN,
    msPerIteration: (g.timings.record + g.timings.wait) / Math.max(1, g.iterations),
    boundMsPerIteration: method === "cg"
      ? cgIterationBytes(n, p.A.nnz, "float32") / bwBytesPerMs
      : NaN,
    readbacks: g.readbacks,
    refinements: g.refinements,
    innerSolves: g.innerIterations.length,
    uploadMs: g.timings.upload,
    recordMs: g.timings.record,
    waitMs: g.timings.wait,
  };
}

function adjointResidual(A: CsrMatrix, lambda: Float64Array, cot: Float64Array): number {
  const r = new Float64Array(cot.length);
  A.applyTranspose(lambda, r);
  for (let i = 0; i < r.length; i++) r[i] -= cot[i];
  return norm2(r) / norm2(cot);
}

function iterationsOf(info: SolveInfo): [number, number] {
  return [info.forward.iterations, info.adjoints[0]?.iterations ?? 0];
}

// Best forward and best backward of up to three traced solves (one when a pass takes > 300 ms).
async function timeForwardBackward(
  once: () => Promise<{ forwardMs: number; backwardMs: number }>,
): Promise<{ forwardMs: number; backwardMs: number }> {
  let forwardMs = Infinity, backwardMs = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t = await once();
    forwardMs = Math.min(forwardMs, t.forwardMs);
    backwardMs = Math.min(backwardMs, t.backwardMs);
    if (t.forwardMs + t.backwardMs > 300) break;
  }
  return { forwardMs, backwardMs };
}

async function cpuDiff(
  p: Problem,
  method: SolveMethod,
  preconditioner: BenchPreconditioner = "none",
): Promise<DiffRow> {
  const n = p.A.shape[0];
  // "amg": the forward pass builds the hierarchy from A's values, the adjoint reuses it.
  const options = {
    method,
    rtol: RTOL,
    maxIter: Math.max(1000, 40 * p.N),
    ...(preconditioner === "none" ? {} : { preconditioner }),
  };
  let info: SolveInfo | undefined;
  let gb: Tensor | undefined;
  let setupMs = preconditioner === "none" ? 0 : Infinity;
  const values = tensor(p.A.values), b = tensor(p.bRandom);
  const { forwardMs, backwardMs } = await timeForwardBackward(() => {
    const t0 = performance.now();
    const [, pullback] = vjp(
      (v: Tensor, bb: Tensor) => {
        info = solveWithInfo(sparseTensor(p.A.pattern, v), bb, options);
        return info.x;
      },
      values,
      b,
    );
    const t1 = performance.now();
    gb = pullback(tensor(p.cotangent))[1];
    const t2 = performance.now();
    if (info!.amg) setupMs = Math.min(setupMs, info!.amg.setupMs);
    return Promise.resolve({ forwardMs: t1 - t0, backwardMs: t2 - t1 });
  });
  const [fi, ai] = iterationsOf(info!);
  return {
    backend: "cpu",
    method,
    preconditioner,
    solver: solverKey(method, preconditioner),
    N: p.N,
    n,
    forwardMs,
    setupMs,
    backwardMs,
    ratio: backwardMs / forwardMs,
    ratioPerIteration: method === "direct" ? NaN : (backwardMs / ai) / ((forwardMs - setupMs) / fi),
    forwardIterations: fi,
    adjointIterations: ai,
    adjointResidual: adjointResidual(p.A, gb!.data, p.cotangent),
    readbacks: 0,
  };
}

async function gpuDiff(
  ctx: GpuContext,
  p: Problem,
  method: GpuMethod,
  K: number,
): Promise<DiffRow> {
  const n = p.A.shape[0];
  let info: SolveInfo | undefined;
  let gb: Tensor | undefined;
  const values = tensor(p.A.values), b = tensor(p.bRandom);
  const { forwardMs, backwardMs } = await timeForwardBackward(async () => {
    const t0 = performance.now();
    const [, pullback] = await vjpAsync(
      async (v: Tensor, bb: Tensor) => {
        info = await solveAsyncWithInfo(sparseTensor(p.A.pattern, v), bb, {
          backend: "webgpu",
          gpu: ctx,
          method,
          rtol: RTOL,
          maxIter: Math.max(1000, 40 * p.N),
          gpuOptions: { checkEvery: K },
        });
        return info.x;
      },
      values,
      b,
    );
    const t1 = performance.now();
    gb = (await pullback(tensor(p.cotangent)))[1];
    const t2 = performance.now();
    return { forwardMs: t1 - t0, backwardMs: t2 - t1 };
  });
  const [fi, ai] = iterationsOf(info!);
  const rb = (r: unknown) => (r as GpuSolveResult | undefined)?.readbacks ?? 0;
  return {
    backend: "webgpu",
    method,
    preconditioner: "none",
    solver: method,
    N: p.N,
    n,
    forwardMs,
    setupMs: 0,
    backwardMs,
    ratio: backwardMs / forwardMs,
    ratioPerIteration: (backwardMs / ai) / (forwardMs / fi),
    forwardIterations: fi,
    adjointIterations: ai,
    adjointResidual: adjointResidual(p.A, gb!.data, p.cotangent),
    readbacks: rb(info!.forward) + rb(info!.adjoints[0]),
  };
}

/** The C comparison on the largest grid, measured in rounds interleaved with gradsolve's CG. */
interface ReferenceSummary {
  N: number;
  n: number;
  nnz: number;
  /** Iterations of each C CG run (fixed count, b = A·1, x₀ = 0). */
  iterations: number;
  rounds: number;
  /** Compile command. */
  command: string;
  /** Milliseconds per iteration (medians over the rounds); `gradsolve_cg` is the sweep's CG row. */
  msPerIteration: Record<string, number>;
  /** gradsolve / C ratios of those medians. */
  ratios: Record<string, number>;
}

/**
 * CG on the reference grid, timed in `rounds` solves each preceded by one run
 * of every C implementation (and SpMV timings of both), so that gradsolve's
 * and C's numbers share the machine's state. The CG row the sweep reports is
 * the median of these rounds, and the ratios are taken against it.
 */
async function pairedCg(
  p: Problem,
  reference: CompiledReference | undefined,
  rounds: number,
  cIterations: number,
): Promise<{ ms: number; summary?: ReferenceSummary }> {
  const solveMs: number[] = [];
  const c = new Map<string, number[]>();
  const push = (impl: string, ms: number) => c.set(impl, [...(c.get(impl) ?? []), ms]);
  const x = Float64Array.from({ length: p.A.shape[0] }, (_, i) => Math.sin(i));
  const y = new Float64Array(x.length);
  for (let round = 0; round < rounds; round++) {
    if (reference) {
      for (const t of await runCFixed(reference, { N: p.N, iterations: cIterations, round })) {
        push(t.impl, t.ms);
      }
      for (const t of await runCSpmv(reference, p.N)) push(t.impl, t.ms);
      const batch = Math.max(1, Math.floor(2e6 / p.A.nnz));
      const samples: number[] = [];
      for (let k = -3; k < 31; k++) {
        const s0 = performance.now();
        for (let j = 0; j < batch; j++) p.A.apply(x, y);
        if (k >= 0) samples.push((performance.now() - s0) / batch);
      }
      push("gradsolve_spmv", median(samples));
    }
    const t0 = performance.now();
    solveLinear(p.A, p.b, {
      method: "cg",
      rtol: RTOL,
      maxIter: maxIterFor("cg", p.N, 0),
      onFailure: "return",
    });
    solveMs.push(performance.now() - t0);
  }
  const ms = median(solveMs);
  if (!reference) return { ms };
  const med = Object.fromEntries([...c].map(([impl, v]) => [impl, median(v)]));
  return {
    ms,
    summary: {
      N: p.N,
      n: p.A.shape[0],
      nnz: p.A.nnz,
      iterations: cIterations,
      rounds,
      command: reference.command,
      msPerIteration: med,
      ratios: {},
    },
  };
}

const LABELS: Record<string, string> = {
  cg: "CG",
  "cg+ic0": "IC(0)-PCG",
  "cg+amg": "AMG-PCG",
  bicgstab: "BiCGSTAB",
  gmres: "GMRES(30)",
  minres: "MINRES",
  direct: "direct",
};
const label = (m: string) => LABELS[m] ?? m;
/** Fewest read-backs for a GPU solve: one per batch of K steps (a BiCGSTAB step is 2 iterations). */
const minReadbacks = (r: SolveRow, K: number) =>
  Math.ceil(r.iterations / (r.method === "bicgstab" ? 2 * K : K));
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "—");
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

/**
 * Runs the benchmark and writes `bench.html` / `bench.json` to `out`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./bench.ts";
 * const out = await Deno.makeTempDir();
 * const r = await run({ quick: true, out, skipReference: true });
 * assert.ok(Number(r.metrics.bandwidthGBs) > 0);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function run(args: BenchArgs = {}): Promise<BenchResult> {
  const started = new Date();
  const quick = args.quick ?? false, seed = args.seed ?? 0, out = args.out ?? "reports";
  const backend = args.backend ?? "cpu";
  const K = args.checkEvery ?? 25;
  const cpuSizes = quick ? [16, 32, 64] : [32, 64, 128, 256, 512, 1000];
  const cpuGmresMaxN = quick ? 64 : 256;
  const cpuDiffSizes = quick ? [16, 32] : [128, 512];
  const cpuDiffGmresMaxN = quick ? 32 : 128;
  const refN = Math.max(...cpuSizes);
  const rounds = quick ? 1 : 3;
  const machine = readMachineFacts();

  // The C reference, compiled before anything is timed.
  let compiled: CompiledReference | undefined;
  let referenceNote = "skipped (`--skip-reference`)";
  if (!args.skipReference) {
    const outcome = await compileCgReference();
    if (outcome.ok) compiled = outcome.reference;
    else {
      referenceNote = `skipped: ${outcome.reason}`;
      console.error(`bench: C reference ${referenceNote}`);
    }
  }

  // 1. Memory bandwidth.
  const bandwidth = measureBandwidth(quick ? 1 << 22 : 1 << 23, quick ? 5 : 10);
  const bwBytesPerMs = bandwidth.gbPerSecond * 1e6;

  // GPU availability first, so the progress total is known.
  let gpuNote = "";
  let ctx: GpuContext | undefined;
  if (!args.cpuOnly) {
    const avail = await gpuAvailable();
    if (avail.available) ctx = await acquireGpu();
    else if (backend === "webgpu") {
      throw new GpuUnavailableError(`Cannot run the GPU benchmark: ${avail.reason}`);
    } else gpuNote = `No WebGPU adapter: the GPU part was skipped (${avail.reason}).`;
  } else gpuNote = "The GPU part was skipped (`--cpu-only`).";
  const software = ctx?.adapterInfo.isFallbackAdapter ?? false;
  const gpuSizes = quick ? [16, 32] : software ? [32, 64, 128, 256] : [32, 64, 128, 256, 512, 1000];
  const gpuGmresMaxN = quick ? 32 : software ? 128 : 256;
  const gpuDiffSizes = quick ? [16, 32] : software ? [64, 128] : [128, 512];

  const plan = cpuSizes.length * CPU_SOLVERS.length +
    cpuDiffSizes.length * CPU_DIFF_SOLVERS.length +
    (ctx ? gpuSizes.length * GPU_METHODS.length + gpuDiffSizes.length * GPU_METHODS.length : 0);
  const bar = progress(plan, "bench");

  // 2. CPU solves. Warm the JIT of every solver on a small grid first.
  const solves: SolveRow[] = [];
  const diff: DiffRow[] = [];
  const warm = problem(12, seed);
  for (const m of CPU_METHODS) {
    cpuSolve(warm, m, 100, bwBytesPerMs);
    await cpuDiff(warm, m);
  }
  // n = 144 is one AMG level: warm the multilevel setup and cycle on a grid with several.
  const warmAmg = problem(40, seed);
  for (const pre of ["ic0", "amg"] as const) {
    cpuSolve(warmAmg, "cg", 100, bwBytesPerMs, undefined, pre);
  }
  await cpuDiff(warmAmg, "cg", "amg");
  let referenceSummary: ReferenceSummary | undefined;
  for (const N of cpuSizes) {
    const p = problem(N, seed);
    for (const { method: m, preconditioner: pre } of CPU_SOLVERS) {
      if (m === "cg" && pre === "none" && N === refN) {
        // The one CG measurement at this size: median of rounds interleaved with the C runs.
        const paired = await pairedCg(p, compiled, rounds, quick ? 100 : 100);
        referenceSummary = paired.summary;
        solves.push(cpuSolve(p, m, cpuGmresMaxN, bwBytesPerMs, paired.ms));
      } else solves.push(cpuSolve(p, m, cpuGmresMaxN, bwBytesPerMs, undefined, pre));
      bar.tick();
    }
  }
  await compiled?.dispose();
  for (const N of cpuDiffSizes) {
    const p = problem(N, seed);
    for (const { method: m, preconditioner: pre } of CPU_DIFF_SOLVERS) {
      if (!(m === "gmres" && N > cpuDiffGmresMaxN)) diff.push(await cpuDiff(p, m, pre));
      bar.tick();
    }
  }

  // 3. GPU solves (same problems, float32 solves refined to the same rtol).
  if (ctx) {
    try {
      for (const m of GPU_METHODS) {
        await gpuRow(ctx, warm, m, K, 100, bwBytesPerMs);
        await gpuDiff(ctx, warm, m, K);
      }
      for (const N of gpuSizes) {
        const p = problem(N, seed);
        for (const m of GPU_METHODS) {
          solves.push(await gpuRow(ctx, p, m, K, gpuGmresMaxN, bwBytesPerMs));
          bar.tick();
        }
      }
      for (const N of gpuDiffSizes) {
        const p = problem(N, seed);
        for (const m of GPU_METHODS) {
          if (!(m === "gmres" && N > gpuGmresMaxN)) diff.push(await gpuDiff(ctx, p, m, K));
          bar.tick();
        }
      }
    } finally {
      ctx.dispose();
    }
  }
  bar.done();

  // 4. The C reference: ratios against the sweep's own CG row at the same size.
  if (referenceSummary) {
    const ours = solves.find((r) => r.backend === "cpu" && r.solver === "cg" && r.N === refN)!;
    const c = referenceSummary.msPerIteration;
    c.gradsolve_cg = ours.msPerIteration;
    referenceSummary.ratios = {
      cgVsCFused: ours.msPerIteration / (c.c_cg_fused ?? NaN),
      cgVsCPlain: ours.msPerIteration / (c.c_cg_plain ?? NaN),
      cgVsEigen: ours.msPerIteration / (c.eigen_cg ?? NaN),
      spmvVsC: (c.gradsolve_spmv ?? NaN) / (c.c_spmv ?? NaN),
      spmvVsEigen: (c.gradsolve_spmv ?? NaN) / (c.eigen_spmv ?? NaN),
    };
  }
  const reference = {
    summary: referenceSummary,
    note: referenceSummary
      ? `${referenceSummary.rounds} round(s) interleaved with gradsolve's CG`
      : referenceNote,
  };

  return await writeReport({
    started,
    quick,
    seed,
    backend,
    out,
    K,
    bandwidth,
    solves,
    diff,
    gpuNote,
    adapter: ctx?.name,
    software,
    reference,
    machine,
    cgRounds: rounds,
    sizes: { cpuSizes, cpuGmresMaxN, cpuDiffSizes, gpuSizes, gpuGmresMaxN, gpuDiffSizes },
  });
}

interface ReportInput {
  started: Date;
  quick: boolean;
  seed: number;
  backend: "cpu" | "webgpu";
  out: string;
  K: number;
  bandwidth: Bandwidth;
  solves: SolveRow[];
  diff: DiffRow[];
  gpuNote: string;
  adapter: string | undefined;
  software: boolean;
  reference: { summary?: ReferenceSummary; note: string };
  machine: MachineFacts;
  cgRounds: number;
  sizes: Record<string, number | number[]>;
}

async function writeReport(input: ReportInput): Promise<BenchResult> {
  const { bandwidth, solves, diff, K, reference } = input;
  const bwBytesPerMs = bandwidth.gbPerSecond * 1e6;
  const cpu = solves.filter((r) => r.backend === "cpu");
  const gpu = solves.filter((r) => r.backend === "webgpu");
  // Rows by solver key: "cg" is plain CG, "cg+ic0" / "cg+amg" the preconditioned ones.
  const find = (rows: SolveRow[], m: string, N: number) =>
    rows.find((r) => r.solver === m && r.N === N);
  const maxCpuN = Math.max(...cpu.map((r) => r.N));
  const cgBig = find(cpu, "cg", maxCpuN)!;
  const cpuFraction = cgBig.boundMsPerIteration / cgBig.msPerIteration;
  const maxGpuN = gpu.length ? Math.max(...gpu.map((r) => r.N)) : NaN;
  const gpuCgBig = find(gpu, "cg", maxGpuN);
  const cpuCgAtGpuN = find(cpu, "cg", maxGpuN);
  const gpuOverCpu = gpuCgBig && cpuCgAtGpuN
    ? gpuCgBig.msPerIteration / cpuCgAtGpuN.msPerIteration
    : NaN;
  const readbackExcess = gpu.map((r) => r.readbacks - minReadbacks(r, K));
  const maxReadbackExcess = gpu.length ? Math.max(...readbackExcess) : 0;
  const waitShare = gpu.length
    ? gpu.reduce((s, r) => s + r.waitMs, 0) / gpu.reduce((s, r) => s + r.waitMs + r.recordMs, 0)
    : NaN;
  const cpuDiffRows = diff.filter((d) => d.backend === "cpu");
  const gpuDiffRows = diff.filter((d) => d.backend === "webgpu");
  const ratioOf = (rows: DiffRow[], m: string) => {
    const rs = rows.filter((d) => d.solver === m).map((d) => d.ratio);
    return rs.length ? median(rs) : NaN;
  };
  const krylovRatios = ["cg", "bicgstab", "gmres", "minres"].map((m) => ratioOf(cpuDiffRows, m));
  const directRatio = ratioOf(cpuDiffRows, "direct");
  const gpuCgRatio = ratioOf(gpuDiffRows, "cg");
  const amgDiffRows = cpuDiffRows.filter((d) => d.solver === "cg+amg");
  const amgRatio = ratioOf(cpuDiffRows, "cg+amg");
  const amgSetupShare = amgDiffRows.length
    ? median(amgDiffRows.map((d) => d.setupMs / d.forwardMs))
    : NaN;
  const pcgPoints = (key: string) =>
    cpu.filter((r) => r.solver === key).sort((a, b) => a.n - b.n).map((r) => ({
      n: r.n,
      iterations: r.iterations,
      ms: r.ms,
      setupMs: r.setupMs,
      levels: r.amgLevels,
    }));
  const amgSweep = { cg: pcgPoints("cg"), ic0: pcgPoints("cg+ic0"), amg: pcgPoints("cg+amg") };
  const amgBig = find(cpu, "cg+amg", maxCpuN)!, ic0Big = find(cpu, "cg+ic0", maxCpuN)!;
  const point = (r: SolveRow): PcgPoint => ({
    n: r.n,
    iterations: r.iterations,
    ms: r.ms,
    setupMs: r.setupMs,
  });
  const maxAdjointResidual = Math.max(...diff.map((d) => d.adjointResidual));
  const directBig = find(cpu, "direct", maxCpuN)!;
  const cpuNs = [...new Set(cpu.map((r) => r.N))];
  const cgWins = cpuNs.filter((N) => find(cpu, "cg", N)!.ms < find(cpu, "direct", N)!.ms);
  const directWins = cpuNs.filter((N) => !cgWins.includes(N));
  const crossover = cgWins.find((N) => N > Math.max(0, ...directWins));
  const ref = reference.summary;
  const refBytes = ref ? cgIterationBytes(ref.n, ref.nnz, "float64") : NaN;
  const refFraction = (impl: string) =>
    ref ? refBytes / bwBytesPerMs / ref.msPerIteration[impl] : NaN;

  const adapterText = input.adapter
    ? `${input.adapter}${input.software ? " — a software adapter (Mesa llvmpipe) on the CPU" : ""}`
    : "none";
  const gpuSentence = gpuCgBig
    ? `; the GPU CG on ${
      input.software ? "the software adapter (llvmpipe)" : input.adapter
    } takes ${fmt(gpuCgBig.msPerIteration)} ms/iteration at n = ${
      gpuCgBig.n.toLocaleString("en")
    } (${
      fmt(gpuOverCpu, 1)
    }× the CPU's) with ${gpuCgBig.readbacks} read-backs for ${gpuCgBig.iterations} iterations (K = ${K})`
    : "; the GPU part was skipped (no adapter)";
  const finding = `With a measured triad bandwidth of ${
    fmt(bandwidth.gbPerSecond, 1)
  } GB/s, CPU CG at n = ${cgBig.n.toLocaleString("en")} takes ${
    fmt(cgBig.msPerIteration)
  } ms/iteration against a ${fmt(cgBig.boundMsPerIteration)} ms bandwidth bound (${
    pct(cpuFraction)
  } of bandwidth)${gpuSentence}; the implicit backward pass costs ${
    fmt(Math.min(...krylovRatios.filter(Number.isFinite)))
  }–${fmt(Math.max(...krylovRatios.filter(Number.isFinite)))}× the forward for Krylov solvers and ${
    fmt(directRatio, 3)
  }× for the direct solver, which reuses its factorisation; ${
    amgHeadlineClause(point(cgBig), point(amgBig))
  }`;

  const report = new Report({
    started: input.started,
    name: "bench",
    title: "Benchmarks: CPU vs GPU solvers, forward vs backward, against memory bandwidth",
    finding,
    backend: input.backend,
    adapter: adapterText,
    seed: input.seed,
  });
  report.metadata({
    quick: input.quick,
    seed: input.seed,
    backend: input.backend,
    checkEvery: K,
    rtol: RTOL,
    ...input.sizes,
    gmresIterationCap: GMRES_ITERATION_CAP,
    problem: "2-D Poisson, 5-point stencil (diagonal 4), N×N grid, n = N²; b = A·x*, x* ~ N(0, I)",
    triad: `${bandwidth.length} float64 elements per array, best of ${bandwidth.repetitions}`,
    cpuThreads: "1 (Deno main thread)",
    logicalCpus: input.machine.logicalCpus,
    cpuModel: input.machine.cpuModel ?? "unknown",
    lastLevelCache: input.machine.lastLevelCache
      ? `L${input.machine.lastLevelCache.level} ${formatBytes(input.machine.lastLevelCache.bytes)}`
      : "unknown",
    cgRoundsAtLargestN: input.cgRounds,
  });
  report.text(
    "What a solve costs on this machine, measured, and how far each number is from what the " +
      "memory system allows. All problems are 2-D Poisson matrices (5-point stencil, n = N² " +
      "unknowns, `b = A·x*` with random `x*`), solved to a relative residual of 1e-6 (the true " +
      "float64 residual, also for the float32 GPU solves, which `gpuSolve` refines in float64).\n\n" +
      "- **CPU** (float64, one thread): CG (Hestenes & Stiefel 1952), CG preconditioned with " +
      "IC(0) and with algebraic multigrid (`amgSetup(A)`: smoothed aggregation, default " +
      "options, one V-cycle per iteration; Vaněk, Mandel & Brezina 1996), BiCGSTAB, GMRES(30), " +
      "MINRES and the sparse direct solver (`solveLinear`). A preconditioner's setup is timed " +
      "apart from the solve.\n" +
      "- **GPU** (`gpuSolve`, WebGPU, float32 with float64 refinement): CG, BiCGSTAB, " +
      `GMRES(30), scalars kept on the GPU and one read-back every K = ${K} iterations.\n` +
      "- **Forward vs backward**: the differentiable solve with the implicit adjoint; the " +
      "forward pass is the traced solve, the backward pass solves `Aᵀλ = x̄` and forms " +
      '`Ā = −λxᵀ` on the stored entries; with `preconditioner: "amg"` the forward pass builds ' +
      "the hierarchy and the adjoint solve reuses it.\n" +
      "- **Bandwidth**: a STREAM-like triad (McCalpin's STREAM) measures what one thread can " +
      "stream; dividing the bytes a CG iteration must move by it gives a lower bound on its " +
      "time (the roofline argument of Williams, Waterman & Patterson 2009: SpMV-based solvers " +
      "are memory-bound).",
  );
  report.text(
    `**GPU adapter:** ${adapterText}.${
      input.software
        ? ` This is a software rasteriser running on the same ${input.machine.logicalCpus} ` +
          "logical CPUs: its numbers measure the WebGPU path's overheads (dispatches and " +
          `read-backs; ${readbackSentence(gpu)}), not GPU speed, and its sizes are kept small.`
        : ""
    }${input.gpuNote ? ` ${input.gpuNote}` : ""}`,
  );

  report.section("Memory bandwidth");
  report.table([{
    kernel: "triad a = b + s·c",
    "array size": `${(8 * bandwidth.length / 2 ** 20).toFixed(0)} MiB × 3`,
    repetitions: bandwidth.repetitions,
    "best (GB/s)": bandwidth.gbPerSecond,
    "median (GB/s)": bandwidth.medianGbPerSecond,
  }], {
    caption: "Measured in this run, in Deno (one thread), 24 bytes counted per element. The " +
      "best rate is the one the bounds below use.",
  });

  report.section("Time to solution across sizes, CPU vs GPU");
  const seriesOf = (rows: SolveRow[], prefix: string, key: "ms" | "msPerIteration") => {
    const solvers = [...new Set(rows.map((r) => r.solver))];
    return solvers.map((m) => {
      const rs = rows.filter((r) =>
        r.solver === m && (key === "ms" ? r.converged : Number.isFinite(r.msPerIteration))
      );
      // Time to solution includes a preconditioner's setup; time per iteration does not.
      const y = rs.map((r) => key === "ms" ? r.ms + r.setupMs : r.msPerIteration);
      return { name: `${prefix} ${label(m)}`, x: rs.map((r) => r.n), y };
    }).filter((s) => s.x.length > 0);
  };
  report.figure(
    linePlot({
      // Direct last, so that the Krylov series keep their colours in the next figure.
      series: [
        ...seriesOf(cpu.filter((r) => r.method !== "direct"), "CPU", "ms"),
        ...seriesOf(gpu, "GPU", "ms"),
        ...seriesOf(cpu.filter((r) => r.method === "direct"), "CPU", "ms"),
      ],
      xLabel: "unknowns n",
      yLabel: "time to rtol 1e-6 (ms)",
      logX: true,
      logY: true,
      width: 760,
      height: 440,
    }),
    {
      caption: "Wall time of one solve to a true relative residual of 1e-6 (best of up to three " +
        "runs when a solve takes under 300 ms), for IC(0)-PCG and AMG-PCG with the " +
        "preconditioner's setup added (the table gives the two apart). Only converged solves " +
        "are drawn: GMRES(30) gets " +
        `a ${GMRES_ITERATION_CAP}-iteration budget above N = ${input.sizes.cpuGmresMaxN} (CPU) / ` +
        `${input.sizes.gpuGmresMaxN} (GPU), and the table says whether it converged. GPU times ` +
        "include upload and the float64 refinement.",
    },
  );
  const boundSeries = (rows: SolveRow[], name: string) => {
    const rs = rows.filter((r) => r.solver === "cg");
    return { name, x: rs.map((r) => r.n), y: rs.map((r) => r.boundMsPerIteration) };
  };
  report.figure(
    linePlot({
      series: [
        ...seriesOf(cpu, "CPU", "msPerIteration"),
        ...seriesOf(gpu, "GPU", "msPerIteration"),
        boundSeries(cpu, "bound: CG float64 at triad BW"),
        ...(gpu.length ? [boundSeries(gpu, "bound: CG float32 at triad BW")] : []),
      ],
      xLabel: "unknowns n",
      yLabel: "time per iteration (ms)",
      logX: true,
      logY: true,
      width: 760,
      height: 440,
    }),
    {
      caption: "Milliseconds per iteration (solve time / iterations, setup not included; an " +
        "IC(0)-PCG iteration adds two triangular solves, an AMG-PCG iteration one V-cycle; GPU: " +
        "(record + submit + " +
        "wait) / iterations; BiCGSTAB counts half-steps, one SpMV each, on both backends). The " +
        "bound lines are the bytes one CG iteration must stream divided by the measured triad " +
        `bandwidth. ${
          cacheSentence(
            input.machine.lastLevelCache,
            cgIterationBytes(1e6, 5e6, "float64") / 1e6,
            cpu.filter((r) => r.solver === "cg").map((r) => ({
              n: r.n,
              fraction: r.boundMsPerIteration / r.msPerIteration,
            })),
          )
        }`,
    },
  );
  report.table(
    solves.map((r) => ({
      backend: r.backend,
      method: label(r.solver),
      N: r.N,
      n: r.n,
      iterations: r.iterations,
      converged: r.converged,
      "rel. residual": r.relativeResidual,
      "time (ms)": r.ms,
      "setup (ms)": r.preconditioner === "none" ? null : r.setupMs,
      "AMG levels": r.preconditioner === "amg" ? r.amgLevels : null,
      "ms / iteration": r.method === "direct" ? null : r.msPerIteration,
    })),
    {
      caption: "Every solve (time: the solve alone, best of up to three runs; setup: building " +
        "the IC(0) factor or the AMG hierarchy, best of the same runs; CG at N = " +
        `${
          Math.max(...cpu.map((r) => r.N))
        } on the CPU: median of ${input.cgRounds} run(s) interleaved with the C reference).`,
    },
  );
  report.table(
    solves.filter((r) => r.solver === "cg").map((r) => ({
      backend: r.backend,
      n: r.n,
      "ms / iteration": r.msPerIteration,
      "bound (ms / iteration)": r.boundMsPerIteration,
      "fraction of bandwidth": r.boundMsPerIteration / r.msPerIteration,
    })),
    {
      caption: "CG against the bandwidth bound. Fraction = bound / measured time per " +
        "iteration (1: the iteration streams its bytes at the triad rate; above 1: served " +
        "from cache).",
    },
  );
  report.text(
    `Sparse direct vs CG (time to rtol 1e-6, b = A·x* easy for CG): ${
      directWins.length === 0
        ? `CG was faster at every size (N = ${cgWins.join(", ")})`
        : `the direct solver was faster at N = ${directWins.join(", ")}${
          cgWins.length ? `, CG at N = ${cgWins.join(", ")}` : ""
        }`
    }; at n = ${directBig.n.toLocaleString("en")} the direct solve takes ${
      fmt(directBig.ms, 0)
    } ms against ${fmt(cgBig.ms, 0)} ms for CG (fill-in of the 2-D factor grows faster than ` +
      "n, CG's cost as n·iterations).",
  );
  report.text(
    `AMG-PCG against CG and IC(0)-PCG (\`amgSetup(A)\` with default options, setup included): ${
      amgSweepSentence(amgSweep)
    } Its operator complexity is ${
      fmt(amgBig.amgOperatorComplexity)
    } at the largest size (stored entries of all levels over those of A).`,
  );

  report.section("Fraction of memory bandwidth achieved by CG");
  const fractionSeries = [
    {
      name: "CPU CG (gradsolve, float64)",
      x: cpu.filter((r) => r.solver === "cg").map((r) => r.n),
      y: cpu.filter((r) => r.solver === "cg").map((r) => r.boundMsPerIteration / r.msPerIteration),
    },
    ...(gpu.length
      ? [{
        name: "GPU CG (float32)",
        x: gpu.filter((r) => r.method === "cg").map((r) => r.n),
        y: gpu.filter((r) => r.method === "cg").map((r) =>
          r.boundMsPerIteration / r.msPerIteration
        ),
      }]
      : []),
    ...(ref
      ? ["c_cg_fused", "eigen_cg", "gradsolve_cg"].map((impl) => ({
        name: `reference run: ${impl}`,
        x: [ref.n],
        y: [refFraction(impl)],
      }))
      : []),
  ];
  report.figure(
    linePlot({
      series: fractionSeries,
      xLabel: "unknowns n",
      yLabel: "bound / measured time per CG iteration",
      logX: true,
      logY: true,
      width: 760,
      height: 400,
    }),
    {
      caption: "Fraction of the measured triad bandwidth one CG iteration achieves (1 = at the " +
        "bound; above 1 only in cache). The reference points are the C/Eigen comparison below, " +
        "judged against the same float64 byte count.",
    },
  );

  if (gpu.length) {
    report.section("GPU: read-backs and where the time goes");
    report.figure(
      scatterPlot({
        series: GPU_METHODS.map((m) => {
          const rs = gpu.filter((r) => r.method === m);
          return {
            name: label(m),
            x: rs.map((r) => minReadbacks(r, K)),
            y: rs.map((r) => r.readbacks),
          };
        }),
        xLabel: `⌈steps / K⌉: one read-back per batch (K = ${K})`,
        yLabel: "read-backs per solve",
        diagonal: true,
      }),
      {
        caption: "Read-backs (mapAsync round trips) per GPU solve against one per batch of K " +
          "steps (a BiCGSTAB step counts as two iterations, so its batches hold 2K). Each " +
          "float32 solve of the refinement ends with a partial batch, and GMRES may spend an " +
          "extra batch closing a restart cycle that its estimate ended early.",
      },
    );
    const gpuNs = [...new Set(gpu.map((r) => r.N))];
    const splitNs = [gpuNs[0], gpuNs[gpuNs.length - 1]];
    const splitRows = gpu.filter((r) => r.iterations > 0 && splitNs.includes(r.N));
    report.figure(
      barPlot({
        labels: splitRows.map((r) => `${label(r.method)} ${r.N}`),
        series: [
          { name: "upload + setup", values: splitRows.map((r) => r.uploadMs) },
          { name: "record + submit", values: splitRows.map((r) => r.recordMs) },
          { name: "wait for read-backs", values: splitRows.map((r) => r.waitMs) },
        ],
        xLabel: "method and grid side N",
        yLabel: "time (ms)",
        width: 900,
        height: 380,
      }),
      {
        caption: `GPU solve time split by phase, smallest and largest grid (every size is in the ` +
          "table). Where queue.submit() returns at once (Vulkan, " +
          "real GPUs) the kernels' run time is part of the wait; on wgpu's GL backend submit " +
          "blocks until the work is done and it shows up in record + submit instead. Each " +
          "read-back also costs at least ~11 ms in Deno (a 10 ms sleep in its mapAsync poll loop).",
      },
    );
    report.table(
      gpu.map((r) => ({
        method: label(r.method),
        N: r.N,
        iterations: r.iterations,
        "float32 solves": r.innerSolves,
        "read-backs": r.readbacks,
        "one per K steps": minReadbacks(r, K),
        "upload (ms)": r.uploadMs,
        "record + submit (ms)": r.recordMs,
        "wait (ms)": r.waitMs,
        "total (ms)": r.ms,
        "wait share": r.waitMs / Math.max(1e-9, r.waitMs + r.recordMs),
      })),
      { caption: `Read-backs and time split of every GPU solve (K = ${K})` },
    );
  }

  report.section("Forward vs backward of the differentiable solve");
  report.text(
    "Here b and the cotangent x̄ are both drawn from N(0, I), so the forward system `Ax = b` " +
      "and the adjoint system `Aᵀλ = x̄` are equally hard: with `b = A·x*` (as in the timings " +
      "above) the forward right-hand side is dominated by high frequencies and converges in " +
      "far fewer iterations than a rough cotangent needs, which would make the backward pass " +
      "look several times dearer than it is. 'per iteration' divides each pass by its own " +
      "iteration count: the cost of the machinery, apart from how hard the two systems are.",
  );
  const diffPanels = [...new Set(diff.map((d) => `${d.backend}|${d.N}`))].map((key) => {
    const [bk, Ns] = key.split("|");
    const rs = diff.filter((d) => d.backend === bk && d.N === Number(Ns));
    return barPlot({
      labels: rs.map((d) => label(d.solver)),
      series: [
        { name: "forward", values: rs.map((d) => d.forwardMs) },
        { name: "backward", values: rs.map((d) => d.backwardMs) },
      ],
      xLabel: "solver",
      yLabel: "time (ms)",
      title: `${bk === "cpu" ? "CPU" : "GPU"}, N = ${Ns} (n = ${
        (Number(Ns) ** 2).toLocaleString("en")
      })`,
      width: 500,
      height: 300,
    });
  });
  report.figure(diffPanels, {
    caption: "Forward (traced solve) and backward (pullback: adjoint solve Aᵀλ = x̄ plus " +
      `the value gradient) of one differentiable solve, both to rtol 1e-6. ${
        backwardSentence(
          krylovRatios,
          directRatio,
          amgDiffRows.length ? { ratio: amgRatio, setupShare: amgSetupShare } : undefined,
        )
      } Panel titles give backend and grid.`,
  });
  report.table(
    diff.map((d) => ({
      backend: d.backend,
      method: label(d.solver),
      N: d.N,
      n: d.n,
      "forward (ms)": d.forwardMs,
      "setup (ms)": d.preconditioner === "amg" ? d.setupMs : null,
      "backward (ms)": d.backwardMs,
      "backward / forward": d.ratio,
      "… per iteration": d.method === "direct" ? null : d.ratioPerIteration,
      "forward iterations": d.forwardIterations,
      "adjoint iterations": d.adjointIterations,
      "‖Aᵀb̄ − x̄‖/‖x̄‖": d.adjointResidual,
      "read-backs": d.backend === "webgpu" ? d.readbacks : null,
    })),
    {
      caption: "Every forward/backward measurement. AMG-PCG's forward pass includes building " +
        "the hierarchy (setup), which its adjoint solve reuses; its per-iteration ratio leaves the setup " +
        "out. The residual column checks that the gradient with respect to b really solves the " +
        "adjoint system.",
    },
  );

  report.section("C and Eigen reference");
  if (ref) {
    report.text(
      `\`bench/c/cg_reference.cpp\`, compiled as \`${ref.command}\`, on the same 2-D Poisson ` +
        `matrix at N = ${ref.N} (n = ${ref.n.toLocaleString("en")}): ${ref.iterations} CG ` +
        `iterations from x = 0 per C run, single thread, median of ${ref.rounds} round(s). ` +
        "Each round runs every C implementation and then one gradsolve CG solve of the sweep " +
        "above, so gradsolve's number here is the sweep's CG row at this size, not a separate " +
        "measurement. The bandwidth fraction uses the same float64 byte count as above " +
        "(Eigen's and the plain C loop's own traffic differ slightly)." +
        (ref.msPerIteration.eigen_cg === undefined
          ? " Eigen's headers were not found, so only the plain C implementations ran."
          : ""),
    );
    report.table(
      Object.entries(ref.msPerIteration).map(([impl, ms]) => ({
        implementation: IMPL_NAMES[impl] ?? impl,
        "ms / iteration (median)": ms,
        "fraction of bandwidth": impl.endsWith("_cg") ? refFraction(impl) : null,
      })),
      { caption: "CG and SpMV time per iteration, C against gradsolve (medians over the rounds)" },
    );
    report.table(
      Object.entries(ref.ratios).filter(([, v]) => Number.isFinite(v)).map(([ratio, value]) => ({
        comparison: RATIO_NAMES[ratio] ?? ratio,
        "gradsolve / reference": value,
      })),
      { caption: "gradsolve / reference time ratios (medians; > 1: gradsolve is slower)" },
    );
  } else {
    report.text(`The C/Eigen comparison was ${reference.note}.`);
  }

  const metrics: Record<string, number | boolean | string> = {
    bandwidthGBs: bandwidth.gbPerSecond,
    cpuCgN: cgBig.N,
    cpuCgMsPerIteration: cgBig.msPerIteration,
    cpuCgBoundMsPerIteration: cgBig.boundMsPerIteration,
    cpuCgBandwidthFraction: cpuFraction,
    cpuCgMs: cgBig.ms,
    cpuDirectMs: directBig.ms,
    cgBeatsDirectFromN: crossover ?? -1,
    cpuIc0CgIterations: ic0Big.iterations,
    cpuIc0CgMs: ic0Big.ms,
    cpuIc0SetupMs: ic0Big.setupMs,
    cpuAmgCgIterations: amgBig.iterations,
    cpuAmgCgMs: amgBig.ms,
    cpuAmgSetupMs: amgBig.setupMs,
    cpuAmgLevels: amgBig.amgLevels,
    cpuAmgOperatorComplexity: amgBig.amgOperatorComplexity,
    amgOverCgWithSetup: (amgBig.ms + amgBig.setupMs) / cgBig.ms,
    amgOverIc0WithSetup: (amgBig.ms + amgBig.setupMs) / (ic0Big.ms + ic0Big.setupMs),
    amgIterationsMin: Math.min(...amgSweep.amg.map((p) => p.iterations)),
    amgIterationsMax: Math.max(...amgSweep.amg.map((p) => p.iterations)),
    gpuRan: gpu.length > 0,
    gpuSoftware: input.software,
    gpuAdapter: input.adapter ?? "none",
    gpuCgN: gpuCgBig?.N ?? -1,
    gpuCgMsPerIteration: gpuCgBig?.msPerIteration ?? NaN,
    gpuOverCpuPerIteration: gpuOverCpu,
    gpuCgReadbacks: gpuCgBig?.readbacks ?? -1,
    gpuCgIterations: gpuCgBig?.iterations ?? -1,
    maxReadbackExcess,
    gpuWaitShare: waitShare,
    backwardOverForwardCg: ratioOf(cpuDiffRows, "cg"),
    backwardOverForwardBicgstab: ratioOf(cpuDiffRows, "bicgstab"),
    backwardOverForwardGmres: ratioOf(cpuDiffRows, "gmres"),
    backwardOverForwardMinres: ratioOf(cpuDiffRows, "minres"),
    backwardOverForwardDirect: directRatio,
    backwardOverForwardGpuCg: gpuCgRatio,
    backwardOverForwardAmgCg: amgRatio,
    amgSetupShareOfForward: amgSetupShare,
    backwardOverForwardPerIterationCg: median(
      cpuDiffRows.filter((d) => d.solver === "cg").map((d) => d.ratioPerIteration),
    ),
    maxAdjointResidual,
    cReference: ref !== undefined,
    cReferenceN: ref?.N ?? -1,
    gradsolveOverCFused: ref?.ratios.cgVsCFused ?? NaN,
    gradsolveOverEigen: ref?.ratios.cgVsEigen ?? NaN,
    cFusedBandwidthFraction: refFraction("c_cg_fused"),
  };

  report.section("Verdict");
  report.text(
    `One thread streams ${fmt(bandwidth.gbPerSecond, 1)} GB/s here. gradsolve's CPU CG moves ` +
      `${(cgIterationBytes(cgBig.n, cgBig.nnz, "float64") / 1e6).toFixed(0)} MB per iteration at ` +
      `n = ${cgBig.n.toLocaleString("en")} and takes ${fmt(cgBig.msPerIteration)} ms for it: ` +
      `${pct(cpuFraction)} of what the memory system allows${
        ref
          ? `; plain C with the same fused loops reaches ${pct(refFraction("c_cg_fused"))} at ` +
            `n = ${ref.n.toLocaleString("en")} (gradsolve is ${
              fmt(ref.ratios.cgVsCFused)
            }× slower there, ${fmt(ref.ratios.cgVsEigen)}× Eigen)`
          : ""
      }. Per iteration at that size: ${
        ["cg", "bicgstab", "minres", "gmres"].map((m) =>
          `${label(m)} ${fmt(find(cpu, m, maxCpuN)?.msPerIteration ?? NaN)} ms`
        ).join(", ")
      } (a BiCGSTAB iteration is a half-step with one SpMV; GMRES(30) also orthogonalises ` +
      "against up to 30 basis vectors).\n\n" +
      (gpuCgBig
        ? `The GPU path ${
          input.software ? "on llvmpipe (software, same CPU)" : `on ${input.adapter}`
        } takes ${fmt(gpuCgBig.msPerIteration)} ms per CG iteration at n = ${
          gpuCgBig.n.toLocaleString("en")
        }, ${fmt(gpuOverCpu, 1)}× the CPU's ${fmt(cpuCgAtGpuN!.msPerIteration)} ms; read-backs ` +
          `stay within ${maxReadbackExcess} of ⌈iterations/K⌉ per solve, and ${
            pct(waitShare)
          } of the GPU loop time is spent waiting for them.${
            input.software
              ? " On a software adapter this is the expected outcome: the numbers validate the " +
                "read-back discipline and the overheads, not GPU speed."
              : ""
          }\n\n`
        : `${input.gpuNote}\n\n`) +
      `Backward over forward (implicit adjoint, median over sizes): CG ${
        fmt(metrics.backwardOverForwardCg as number)
      }, BiCGSTAB ${fmt(metrics.backwardOverForwardBicgstab as number)}, GMRES(30) ${
        fmt(metrics.backwardOverForwardGmres as number)
      }, MINRES ${fmt(metrics.backwardOverForwardMinres as number)}, direct ${fmt(directRatio, 3)}${
        Number.isFinite(gpuCgRatio) ? `, GPU CG ${fmt(gpuCgRatio)}` : ""
      }${
        Number.isFinite(amgRatio)
          ? `, AMG-PCG ${fmt(amgRatio)} (its forward pass builds the hierarchy, ${
            pct(amgSetupShare)
          } of it; the adjoint reuses it)`
          : ""
      }: a Krylov backward pass is one more solve of the same size (the transposed system is ` +
      "the same matrix here), and the direct solver's is nearly free because it reuses the " +
      `factorisation. Every gradient checked solves its adjoint system (largest ‖Aᵀb̄ − x̄‖/‖x̄‖ ${
        maxAdjointResidual.toExponential(1)
      }).\n\n` +
      "Related work: JAX's `lax.custom_linear_solve` and lineax (Rader, Lyons & Kidger 2023) " +
      "differentiate linear solves with the same adjoint; OptNet (Amos & Kolter 2017) and " +
      "cvxpylayers (Agrawal et al. 2019) reuse factorisations in the backward pass as the " +
      "direct solver does here.",
  );
  const summary = readmeSummary({
    commit: (await collectRunInfo()).commit,
    command: `deno run -A scripts/bench.ts${input.quick ? " --quick" : ""}`,
    n: cgBig.n,
    bandwidthGBs: bandwidth.gbPerSecond,
    cgMsPerIteration: cgBig.msPerIteration,
    bandwidthFraction: cpuFraction,
    ...(ref?.msPerIteration.c_cg_fused
      ? { cFusedMsPerIteration: ref.msPerIteration.c_cg_fused }
      : {}),
    ...(ref?.msPerIteration.c_cg_plain
      ? { cPlainMsPerIteration: ref.msPerIteration.c_cg_plain }
      : {}),
    ...(ref?.msPerIteration.eigen_cg ? { eigenMsPerIteration: ref.msPerIteration.eigen_cg } : {}),
  });
  report.section("Summary for the README");
  report.text(
    "The figures the README quotes, all from this run (the same numbers as the tables above). " +
      "`bench.ts` prints this table when it finishes.",
  );
  report.table(
    [
      { quantity: "CG time per iteration, gradsolve (ms)", value: cgBig.msPerIteration },
      { quantity: "unknowns n", value: cgBig.n },
      { quantity: "fraction of triad bandwidth", value: cpuFraction },
      { quantity: "triad bandwidth (GB/s)", value: bandwidth.gbPerSecond },
      ...(ref
        ? [
          {
            quantity: "CG time per iteration, plain C fused (ms)",
            value: ref.msPerIteration.c_cg_fused,
          },
          { quantity: "gradsolve / plain C fused", value: ref.ratios.cgVsCFused },
          { quantity: "gradsolve / plain C separate loops", value: ref.ratios.cgVsCPlain },
        ]
        : []),
    ],
    { caption: "README figures (one measurement of gradsolve's CG, paired with the C runs)" },
  );
  report.table(humanTable(metrics, METRIC_NAMES), {
    caption: "The numbers that define the result",
  });
  const written = await report.write(input.out);
  console.log(`\n${summary}\n`);
  return { finding, metrics, solves, diff, bandwidth, html: written.html, json: written.json };
}

const IMPL_NAMES: Record<string, string> = {
  eigen_cg: "Eigen ConjugateGradient (CG)",
  c_cg_plain: "plain C, separate loops (CG)",
  c_cg_fused: "plain C, fused loops (CG)",
  gradsolve_cg: "gradsolve (CG)",
  eigen_spmv: "Eigen (SpMV)",
  c_spmv: "plain C (SpMV)",
  gradsolve_spmv: "gradsolve (SpMV)",
};

const RATIO_NAMES: Record<string, string> = {
  cgVsCFused: "CG vs plain C, fused loops",
  cgVsCPlain: "CG vs plain C, separate loops",
  cgVsEigen: "CG vs Eigen",
  spmvVsC: "SpMV vs plain C",
  spmvVsEigen: "SpMV vs Eigen",
};

const METRIC_NAMES: Record<string, string> = {
  bandwidthGBs: "triad bandwidth (GB/s)",
  cpuCgN: "largest CPU grid side N",
  cpuCgMsPerIteration: "CPU CG time per iteration at that N (ms)",
  cpuCgBoundMsPerIteration: "CPU CG bandwidth bound per iteration (ms)",
  cpuCgBandwidthFraction: "CPU CG fraction of bandwidth",
  cpuCgMs: "CPU CG solve time (ms)",
  cpuDirectMs: "CPU direct solve time (ms)",
  cgBeatsDirectFromN: "CG faster than direct from grid side N (−1: never)",
  cpuIc0CgIterations: "IC(0)-PCG iterations at the largest N",
  cpuIc0CgMs: "IC(0)-PCG solve time at the largest N (ms)",
  cpuIc0SetupMs: "IC(0) factorisation time at the largest N (ms)",
  cpuAmgCgIterations: "AMG-PCG iterations at the largest N",
  cpuAmgCgMs: "AMG-PCG solve time at the largest N (ms)",
  cpuAmgSetupMs: "AMG setup time at the largest N (ms)",
  cpuAmgLevels: "AMG levels at the largest N",
  cpuAmgOperatorComplexity: "AMG operator complexity at the largest N",
  amgOverCgWithSetup: "AMG-PCG (setup included) / CG time at the largest N",
  amgOverIc0WithSetup: "AMG-PCG / IC(0)-PCG time, setups included, at the largest N",
  amgIterationsMin: "AMG-PCG iterations, fewest over the sizes",
  amgIterationsMax: "AMG-PCG iterations, most over the sizes",
  gpuRan: "GPU part ran",
  gpuSoftware: "GPU adapter is software",
  gpuAdapter: "GPU adapter",
  gpuCgN: "largest GPU grid side N",
  gpuCgMsPerIteration: "GPU CG time per iteration (ms)",
  gpuOverCpuPerIteration: "GPU / CPU time per CG iteration",
  gpuCgReadbacks: "GPU CG read-backs",
  gpuCgIterations: "GPU CG iterations",
  maxReadbackExcess: "largest read-backs beyond one per K steps",
  gpuWaitShare: "share of GPU loop time spent waiting",
  backwardOverForwardCg: "backward / forward, CG",
  backwardOverForwardBicgstab: "backward / forward, BiCGSTAB",
  backwardOverForwardGmres: "backward / forward, GMRES(30)",
  backwardOverForwardMinres: "backward / forward, MINRES",
  backwardOverForwardDirect: "backward / forward, direct",
  backwardOverForwardGpuCg: "backward / forward, GPU CG",
  backwardOverForwardAmgCg: "backward / forward, AMG-PCG (forward builds the hierarchy)",
  amgSetupShareOfForward: "share of the AMG-PCG forward pass spent on setup",
  backwardOverForwardPerIterationCg: "backward / forward per iteration, CG",
  maxAdjointResidual: "largest adjoint residual ‖Aᵀb̄ − x̄‖/‖x̄‖",
  cReference: "C reference ran",
  cReferenceN: "C reference grid side N (−1: none)",
  gradsolveOverCFused: "gradsolve / plain C fused, CG",
  gradsolveOverEigen: "gradsolve / Eigen, CG",
  cFusedBandwidthFraction: "plain C fused CG fraction of bandwidth",
};

if (import.meta.main) {
  printAboutOnHelp({
    what: "Benchmarks the CPU and GPU solvers (CPU CG also with IC(0) and AMG) on 2-D Poisson " +
      "matrices (time to solution, time " +
      "per iteration against the measured memory bandwidth, forward vs backward of the " +
      "differentiable solve) and compares CG with plain C (bench/c/cg_reference.cpp) when a " +
      "C++ compiler exists. Prints a README-ready summary at the end.",
    duration: {
      quick: "12 s",
      full: "2 min (10 min with both cores busy)",
      machine: REFERENCE_MACHINE,
    },
    writes: "OUT/bench.html, OUT/bench.json and OUT/index.html",
  });
  await experimentMain("bench", {
    checkEvery: {
      type: "number",
      integer: true,
      default: 25,
      description: "GPU iterations per read-back (K)",
    },
    cpuOnly: { type: "boolean", description: "skip the GPU part" },
    skipReference: { type: "boolean", description: "skip the C/Eigen reference comparison" },
  }, run);
}
