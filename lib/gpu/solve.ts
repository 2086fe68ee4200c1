/**
 * Sparse linear solves on the GPU with float64-accurate results by
 * mixed-precision iterative refinement:
 *
 * ```
 * x = x₀;  r = b − A x              (float64, CPU)
 * repeat:  d ≈ A⁻¹ (r/‖r‖)           (float32 Krylov solve on the GPU, to innerRtol)
 *          x += ‖r‖·d;  r = b − A x  (float64, CPU)
 * until ‖r‖ ≤ max(rtol·‖b‖, atol), or no progress, or budgets are spent
 * ```
 *
 * Loose tolerances need a single GPU solve (its inner tolerance is relaxed to
 * what the outer test needs); tight ones (rtol 1e-10) take a few. The reported
 * residual is always the true float64 one, never the GPU's estimate.
 *
 * @module
 */

import { checkKrylovInput, type CycleFactory, runKrylovAsync } from "../linalg/krylov.ts";
import type { CycleStatus } from "../linalg/krylov_ops.ts";
import { transposeOperator } from "../linalg/operator.ts";
import { FactorizationError, ShapeError } from "../errors.ts";
import { enforcePolicy, type FailurePolicy, type SolveResult } from "../linalg/result.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import {
  type AmgInfo,
  type AmgOptions,
  type AmgPreconditioner,
  amgSetup,
} from "../linalg/amg/mod.ts";
import { GpuAmgCycle } from "./amg.ts";
import { GpuMatrix } from "./buffers.ts";
import { GpuBicgstab } from "./bicgstab.ts";
import { GpuCg } from "./cg.ts";
import type { GpuContext } from "./device.ts";
import { GpuGmres } from "./gmres.ts";
import type { BatchedKrylov, InnerClock } from "./inner_solver.ts";
import { assertMinresSystem, GpuMinres } from "./minres.ts";
import type { SpmvVariant } from "./spmv.ts";
import type { InnerCode } from "./state.ts";

/**
 * Krylov methods available on the GPU.
 *
 * @category GPU
 */
export type GpuMethod = "cg" | "bicgstab" | "gmres" | "minres";

/**
 * Options of {@linkcode gpuSolve}.
 *
 * @category GPU
 */
export interface GpuSolveOptions {
  /** Krylov method. @default {"cg" when A is symmetric, else "gmres"} */
  method?: GpuMethod;
  /**
   * Preconditioner, applied on the GPU. `"amg"` (every method): the
   * hierarchy is built on the CPU by `amgSetup(A, amg)` (of A also for
   * `transpose: true`) and its cycle runs on the GPU; the state of `Aᵀ`
   * applies the exact transposed cycle `M⁻ᵀ` on the same hierarchy, as the
   * CPU's adjoint solve does.
   * @default {"none"}
   */
  preconditioner?: "none" | "jacobi" | "amg";
  /** Options of the AMG hierarchy for `preconditioner: "amg"`. @default {{}} */
  amg?: AmgOptions;
  /**
   * A hierarchy already built on the CPU (`amgSetup` of this matrix A, also
   * when `transpose` solves with Aᵀ: that state runs its transposed cycle)
   * to upload instead of a new setup, with the options it was built with
   * (`amg` is then unused): how the forward and adjoint solves of one call
   * share it. @default {a new amgSetup}
   */
  amgState?: AmgPreconditioner;
  /** Relative tolerance on the true float64 residual. @default {1e-8} */
  rtol?: number;
  /** Absolute tolerance on the true float64 residual. @default {0} */
  atol?: number;
  /** Iterations over all GPU solves together (BiCGSTAB counts half-steps, GMRES Arnoldi steps). @default {max(1000, 10·n)} */
  maxIter?: number;
  /** GMRES restart length m. @default {30} */
  restart?: number;
  /** `"throw"` raises ConvergenceError on failure; `"return"` returns the failed result. @default {"throw"} */
  onFailure?: FailurePolicy;
  /** Iterations recorded per submit; the GPU state is read back once per batch. @default {25} */
  checkEvery?: number;
  /** Relative tolerance of each float32 GPU solve (float32 bottoms out near 1e-6). @default {1e-5} */
  innerRtol?: number;
  /** Refinement steps after the first GPU solve. @default {10} */
  maxRefinements?: number;
  /** Solve `Aᵀ x = b` (uploads the cached transposed pattern). @default {false} */
  transpose?: boolean;
  /** Initial guess (not modified). @default {zeros} */
  x0?: Float64Array;
  /** SpMV kernel. @default {"auto"} */
  spmv?: SpmvVariant;
}

/**
 * Milliseconds spent in each phase of {@linkcode gpuSolve}.
 *
 * @category GPU
 */
export interface GpuSolveTimings {
  /** Buffer allocation and uploads (matrix, preconditioner, right-hand sides), kernel setup. */
  readonly upload: number;
  /** Encoding dispatches plus `queue.submit` (on the GL backend submit blocks until the GPU is done). */
  readonly record: number;
  /** Awaiting read-backs (`mapAsync`, ~11 ms minimum each in Deno). */
  readonly wait: number;
  /** Whole call. */
  readonly total: number;
}

/**
 * A {@linkcode SolveResult} with the GPU's bookkeeping.
 *
 * @category GPU
 */
export interface GpuSolveResult extends SolveResult {
  /** Read-backs (mapAsync round trips) over all GPU solves. */
  readonly readbacks: number;
  /** Refinement steps after the first GPU solve. */
  readonly refinements: number;
  /** Iterations of each GPU solve (their sum is `iterations`). */
  readonly innerIterations: readonly number[];
  /** Where the time went. */
  readonly timings: GpuSolveTimings;
  /** Adapter that ran the solve (`[software]` marks llvmpipe and other CPU adapters). */
  readonly device: string;
}

/**
 * The cycle status of an inner float32 solve. Stopping at float32's floor
 * (`stagnation`) is what the float64 refinement is for: like a converged
 * inner solve, the driver refines again while the true residual keeps
 * halving.
 */
function cycleStatus(code: InnerCode): CycleStatus {
  switch (code) {
    case "converged":
    case "stagnation":
      return "converged";
    case "breakdown":
    case "indefinite":
    case "non-finite":
    case "max-iterations":
      return code;
    default:
      return "max-iterations";
  }
}

function inverseDiagonal(A: CsrMatrix, jacobi: boolean): Float32Array<ArrayBuffer> {
  const n = A.shape[0];
  const dinv = new Float32Array(n).fill(1);
  if (!jacobi) return dinv;
  const d = A.diagonal();
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) {
      throw new FactorizationError(
        `Cannot build Jacobi preconditioner: diagonal entry of row ${i} is 0`,
        i,
      );
    }
    dinv[i] = 1 / d[i];
  }
  return dinv;
}

/** True when two matrices store the same entries (same shape, row pointers and columns). */
function samePattern(A: CsrMatrix, B: CsrMatrix): boolean {
  const a = A.pattern, b = B.pattern;
  if (a.nRows !== b.nRows || a.nCols !== b.nCols || a.nnz !== b.nnz) return false;
  for (let i = 0; i <= a.nRows; i++) if (a.rowPtr[i] !== b.rowPtr[i]) return false;
  for (let k = 0; k < a.nnz; k++) if (a.colIdx[k] !== b.colIdx[k]) return false;
  return true;
}

/** Checks the GPU-only settings (the shared ones go through `checkKrylovInput`). */
function checkGpuOptions(o: GpuSolveOptions): void {
  const positive = (name: string, v: number | undefined, integer: boolean, max = Infinity) => {
    if (v === undefined) return;
    if (!(v > 0 && v < max) || (integer && !Number.isInteger(v))) {
      throw new RangeError(
        `Cannot solve on the GPU: ${name} must be ${integer ? "a positive integer" : "positive"}${
          max < Infinity ? ` below ${max}` : ""
        }, got ${v}`,
      );
    }
  };
  positive("checkEvery", o.checkEvery, true);
  positive("innerRtol", o.innerRtol, false, 1);
  if (
    o.maxRefinements !== undefined && !(Number.isInteger(o.maxRefinements) && o.maxRefinements >= 0)
  ) {
    throw new RangeError(
      `Cannot solve on the GPU: maxRefinements must be a non-negative integer, got ${o.maxRefinements}`,
    );
  }
}

async function createSolver(
  ctx: GpuContext,
  method: GpuMethod,
  M: GpuMatrix,
  dinv: Float32Array<ArrayBuffer>,
  o: GpuSolveOptions,
  cycle?: GpuAmgCycle,
): Promise<BatchedKrylov> {
  const K = o.checkEvery ?? 25;
  // The state of Aᵀ applies M⁻ᵀ: the transposed cycle.
  const t = o.transpose ?? false;
  switch (method) {
    case "cg":
      return await GpuCg.create(ctx, M, dinv, K, o.spmv, cycle, t);
    case "bicgstab":
      return await GpuBicgstab.create(ctx, M, dinv, K, o.spmv, cycle, t);
    case "gmres":
      return await GpuGmres.create(ctx, M, dinv, K, o.restart ?? 30, o.spmv, cycle, t);
    case "minres":
      return await GpuMinres.create(ctx, M, dinv, K, o.spmv, cycle, t);
  }
}

/**
 * A GPU solver state, lineax style: {@linkcode GpuSolver.init} does what
 * depends only on A (uploads the pattern and values, the Jacobi diagonal,
 * compiles the kernels); {@linkcode GpuSolver.compute} solves for one right-
 * hand side (float32 Krylov solves on the GPU with scalars kept there and one
 * read-back per `checkEvery` iterations, refined in float64 on the CPU until
 * the true residual meets `max(rtol·‖b‖, atol)`);
 * {@linkcode GpuSolver.transpose} gives the state of `Aᵀ` (the cached
 * transposed pattern, uploaded once); {@linkcode GpuSolver.update} takes new
 * values on the same pattern without a new setup, for training loops. A
 * solve that cannot converge stops with an honest reason
 * (`diverged-stagnation` when refinement stops gaining, e.g. at the float32
 * floor of an ill-conditioned matrix) and, by default, throws ConvergenceError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, CsrMatrix, GpuSolver } from "@gradsolve/gradsolve";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 1], [0, 1, 4]]);
 *   using solver = await GpuSolver.init(ctx, A, { method: "cg", rtol: 1e-10 });
 *   const r = await solver.compute(Float64Array.of(1, 2, 3));
 *   assert.ok(r.converged && r.relativeResidual <= 1e-10);
 *   solver.update(A.values.map((v) => 2 * v)); // same pattern, new values: no new setup
 *   const r2 = await solver.compute(Float64Array.of(1, 2, 3));
 *   assert.ok(Math.abs(r2.x[0] - r.x[0] / 2) < 1e-9);
 * }
 * ```
 *
 * @category GPU
 */
export class GpuSolver implements Disposable {
  /** The matrix whose values the state holds (its transpose is solved when `transposed`). */
  #A: CsrMatrix;
  readonly #ctx: GpuContext;
  readonly #M: GpuMatrix;
  readonly #kernels: BatchedKrylov;
  readonly #options: GpuSolveOptions;
  readonly #upload: number;
  /** The AMG state and its GPU cycle (`preconditioner: "amg"`); `owned` false when shared with the state of A. */
  #amg: { M: AmgPreconditioner; cycle: GpuAmgCycle; owned: boolean } | undefined;
  #transposeState: Promise<GpuSolver> | undefined;
  #transposeReady: GpuSolver | undefined;
  #disposed = false;
  /** The method the kernels run. */
  readonly method: GpuMethod;
  /** True for the state of `Aᵀ`. */
  readonly transposed: boolean;

  private constructor(
    ctx: GpuContext,
    A: CsrMatrix,
    M: GpuMatrix,
    kernels: BatchedKrylov,
    options: GpuSolveOptions,
    method: GpuMethod,
    upload: number,
    amg?: { M: AmgPreconditioner; cycle: GpuAmgCycle; owned: boolean },
  ) {
    this.#amg = amg;
    this.#ctx = ctx;
    this.#A = A;
    this.#M = M;
    this.#kernels = kernels;
    this.#options = options;
    this.method = method;
    this.transposed = options.transpose ?? false;
    this.#upload = upload;
  }

  /**
   * Uploads `A` (or `Aᵀ` with `transpose: true`) and compiles the kernels of
   * `options.method`; the other options are the defaults of every `compute`.
   */
  static init(
    ctx: GpuContext,
    A: CsrMatrix,
    options: GpuSolveOptions = {},
  ): Promise<GpuSolver> {
    return GpuSolver.#init(ctx, A, options, undefined);
  }

  static async #init(
    ctx: GpuContext,
    A: CsrMatrix,
    options: GpuSolveOptions,
    sharedAmg: { M: AmgPreconditioner; cycle: GpuAmgCycle } | undefined,
  ): Promise<GpuSolver> {
    ctx.assertAlive("set up a GPU solve");
    const [rows, cols] = A.shape;
    if (rows !== cols || rows === 0) {
      throw new ShapeError(
        `Cannot solve on the GPU: matrix is ${rows}x${cols} but must be square and non-empty`,
      );
    }
    A.assertFinite("A");
    checkGpuOptions(options);
    const method = options.method ?? (A.symmetric ? "cg" : "gmres");
    if (!["cg", "bicgstab", "gmres", "minres"].includes(method)) {
      throw new RangeError(
        `Cannot solve on the GPU: method must be cg, bicgstab, gmres or minres, got ${method}`,
      );
    }
    if (method === "minres") assertMinresSystem(A, options.preconditioner === "jacobi");
    const precName = options.preconditioner ?? "none";
    if (!["none", "jacobi", "amg"].includes(precName)) {
      throw new RangeError(
        `Cannot solve on the GPU: preconditioner must be none, jacobi or amg, got ${precName}`,
      );
    }
    const t0 = performance.now();
    const jacobi = precName === "jacobi";
    const M = GpuMatrix.upload(ctx, A, { transpose: options.transpose ?? false });
    const transposed = options.transpose ?? false;
    let amg: { M: AmgPreconditioner; cycle: GpuAmgCycle; owned: boolean } | undefined;
    try {
      if (precName === "amg") {
        if (sharedAmg) {
          // The cycle of A's state: this direction's level matrices (Aᵀ of the nonsymmetric
          // levels, level 0 this state's upload) are added to it.
          sharedAmg.cycle.prepare(transposed, M);
          amg = { ...sharedAmg, owned: false };
        } else {
          const P = options.amgState ?? amgSetup(A, options.amg ?? {});
          const cycle = await GpuAmgCycle.create(ctx, P, {
            transposed,
            fine: M,
            ...(options.spmv ? { spmv: options.spmv } : {}),
          });
          amg = { M: P, cycle, owned: true };
        }
      }
      const dinv = inverseDiagonal(A, jacobi);
      const kernels = await createSolver(ctx, method, M, dinv, options, amg?.cycle);
      return new GpuSolver(ctx, A, M, kernels, options, method, performance.now() - t0, amg);
    } catch (e) {
      if (amg?.owned) amg.cycle.dispose();
      M.dispose();
      throw e;
    }
  }

  /**
   * New values for the same pattern (a CsrMatrix on it, or its values):
   * uploads the values and the Jacobi diagonal; with AMG, the hierarchy's
   * numeric update on the CPU, its level values written into the same
   * buffers (aggregates and patterns kept). The transposed state, if one
   * was made, follows. A kept hierarchy whose `amg.strengthDrift` is large
   * (the CPU's `LinearSolver` sets up afresh past 0.25) was built for other
   * strong couplings: a fresh `GpuSolver.init` is then due.
   */
  update(values: CsrMatrix | Float64Array): void {
    const A = values instanceof Float64Array ? this.#A.withValues(values) : values;
    if (A.pattern !== this.#A.pattern && !samePattern(A, this.#A)) {
      throw new ShapeError("Cannot update the GPU solver: the new matrix has another pattern");
    }
    A.assertFinite("A");
    if (this.method === "minres") assertMinresSystem(A, this.#options.preconditioner === "jacobi");
    this.#A = A;
    this.#M.writeValues(A);
    const jacobi = (this.#options.preconditioner ?? "none") === "jacobi";
    this.#kernels.setInverseDiagonal(inverseDiagonal(A, jacobi));
    // AMG: the numeric setup again on the CPU, its level values (and the uploaded Aᵀ levels)
    // written into the same buffers.
    if (this.#amg?.owned) this.#amg.cycle.update(A.values);
    // The transposed state follows at once when it exists (its compute reads #A synchronously).
    if (this.#transposeReady) this.#transposeReady.update(A);
    else this.#transposeState?.then((t) => t.update(this.#A));
  }

  /**
   * The state of `Aᵀ` with the same options (uploaded once, then cached).
   * With AMG it shares this state's hierarchy and GPU cycle (updated by this
   * state) and applies the transposed cycle `M⁻ᵀ`.
   */
  transpose(): Promise<GpuSolver> {
    const shared = this.#amg;
    return this.#transposeState ??= GpuSolver.#init(this.#ctx, this.#A, {
      ...this.#options,
      transpose: !this.transposed,
    }, shared).then((t) => {
      if (t.#A !== this.#A) t.update(this.#A); // values changed while it was set up
      return (this.#transposeReady = t);
    });
  }

  /** Solves for one right-hand side; `options` override the state's defaults (not its setup). */
  async compute(
    b: Float64Array,
    overrides: Omit<
      GpuSolveOptions,
      "method" | "preconditioner" | "transpose" | "checkEvery" | "spmv"
    > = {},
  ): Promise<GpuSolveResult> {
    const t0 = performance.now();
    const ctx = this.#ctx, A = this.#A;
    ctx.assertAlive("solve on the GPU");
    const options: GpuSolveOptions = { ...this.#options, ...overrides };
    checkGpuOptions(options);
    const method = this.method;
    const op = this.transposed ? transposeOperator(A) : A;
    // The one configuration: the same validation and defaults as every CPU solve.
    const { preconditioner: _named, ...shared } = options;
    const precName = options.preconditioner ?? "none";
    const innerRtol = options.innerRtol ?? 1e-5;
    const maxRefinements = options.maxRefinements ?? 10;
    const clock: InnerClock = { record: 0, submit: 0, wait: 0 };
    const innerIterations: number[] = [];
    let readbacks = 0;
    const kernels = this.#kernels;
    // The GPU's cycle for the one driver (runKrylovAsync): a float32 solve of the true residual
    // scaled to unit norm, its correction added in float64. The driver confirms on the float64
    // residual, refines (another cycle) while each one at least halves it, keeps the best
    // iterate, classifies and builds the result: iterative refinement is its restart loop.
    const cycle: CycleFactory = (_A, input, tol) => {
      const rhs = new Float64Array(input.n);
      return async (columns, X, R, rnorm) => {
        if (innerIterations.length > maxRefinements) {
          columns.stop(0, "stagnation");
          return;
        }
        const rn = rnorm[0];
        for (let i = 0; i < rhs.length; i++) rhs[i] = R[i] / rn;
        const innerTol = Math.min(0.5, Math.max(innerRtol, (0.5 * tol[0]) / rn));
        const budget = columns.maxIter - columns.iterations[0];
        const inner = await kernels.run(rhs, innerTol, budget, clock);
        columns.iterations[0] += inner.iterations;
        readbacks += inner.readbacks;
        innerIterations.push(inner.iterations);
        for (const h of inner.history) columns.record(0, h * rn);
        const d = inner.x;
        for (let i = 0; i < X.length; i++) X[i] += rn * d[i];
        columns.stop(0, cycleStatus(inner.code));
      };
    };
    const [r] = await runKrylovAsync(method, op, b, 1, { ...shared, onFailure: "return" }, cycle, {
      keepBest: true,
    });
    const refinements = Math.max(0, innerIterations.length - 1);
    const result: GpuSolveResult = {
      ...r,
      preconditioner: precName,
      message: `${r.message} (float32 GPU solves: ${innerIterations.length}, ` +
        `refinements: ${refinements}, read-backs: ${readbacks})`,
      readbacks,
      refinements,
      innerIterations,
      timings: {
        upload: this.#upload,
        record: clock.record + clock.submit,
        wait: clock.wait,
        total: performance.now() - t0 + this.#upload,
      },
      device: ctx.name,
    };
    return enforcePolicy(result, options.onFailure ?? "throw");
  }

  /** The AMG hierarchy report (`preconditioner: "amg"`), else undefined. */
  get amg(): AmgInfo | undefined {
    return this.#amg?.M.info;
  }

  /** Releases the kernels, the uploaded matrix and the transposed state. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#transposeState?.then((t) => t.dispose(), () => {});
    this.#kernels.dispose();
    if (this.#amg?.owned) this.#amg.cycle.dispose();
    this.#M.dispose();
  }

  /** Same as {@linkcode GpuSolver.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Solves `A x = b` (or `Aᵀ x = b`) once on the GPU: {@linkcode GpuSolver.init}
 * then {@linkcode GpuSolver.compute}, released at the end. For repeated
 * solves with the same matrix (or pattern), keep a {@linkcode GpuSolver}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, CsrMatrix, gpuSolve } from "@gradsolve/gradsolve";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 1], [0, 1, 4]]);
 *   const r = await gpuSolve(ctx, A, Float64Array.of(1, 2, 3), { method: "cg", rtol: 1e-10 });
 *   assert.ok(r.converged && r.relativeResidual <= 1e-10);
 * }
 * ```
 *
 * @category GPU
 */
export async function gpuSolve(
  ctx: GpuContext,
  A: CsrMatrix,
  b: Float64Array,
  options: GpuSolveOptions = {},
): Promise<GpuSolveResult> {
  const op = options.transpose ? transposeOperator(A) : A;
  const { preconditioner: _named, ...shared } = options;
  checkKrylovInput(options.method ?? (A.symmetric ? "cg" : "gmres"), op, b, shared);
  using solver = await GpuSolver.init(ctx, A, options);
  return await solver.compute(b);
}
