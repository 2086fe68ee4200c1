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

import { trueResidual } from "../linalg/residual.ts";
import { transposeOperator } from "../linalg/operator.ts";
import { norm2 } from "../linalg/vector.ts";
import { FactorizationError, NonFiniteError, ShapeError } from "../errors.ts";
import {
  enforcePolicy,
  type FailurePolicy,
  reasonMessage,
  type SolveReason,
  type SolveResult,
} from "../linalg/result.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { GpuMatrix } from "./buffers.ts";
import { GpuBicgstab } from "./bicgstab.ts";
import { GpuCg } from "./cg.ts";
import type { GpuContext } from "./device.ts";
import { GpuGmres } from "./gmres.ts";
import type { BatchedKrylov, InnerClock } from "./inner_solver.ts";
import type { SpmvVariant } from "./spmv.ts";
import type { InnerCode } from "./state.ts";

/**
 * Krylov methods available on the GPU.
 *
 * @category GPU
 */
export type GpuMethod = "cg" | "bicgstab" | "gmres";

/**
 * Options of {@linkcode gpuSolve}.
 *
 * @category GPU
 */
export interface GpuSolveOptions {
  /** Krylov method. @default {"cg" when A is symmetric, else "gmres"} */
  method?: GpuMethod;
  /** Preconditioner, applied on the GPU. @default {"none"} */
  preconditioner?: "none" | "jacobi";
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

/** A refinement step must shrink the true residual at least this much, else it stagnates. */
const MIN_REDUCTION = 0.5;

function innerReason(code: InnerCode): SolveReason {
  switch (code) {
    case "breakdown":
      return "diverged-breakdown";
    case "indefinite":
      return "diverged-indefinite";
    case "non-finite":
      return "diverged-non-finite";
    case "stagnation":
      return "diverged-stagnation";
    default:
      return "diverged-max-iterations";
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

function check(A: CsrMatrix, b: Float64Array, o: GpuSolveOptions): void {
  const [rows, cols] = A.shape;
  if (rows !== cols || rows === 0) {
    throw new ShapeError(
      `Cannot solve on the GPU: matrix is ${rows}x${cols} but must be square and non-empty`,
    );
  }
  if (b.length !== rows) {
    throw new ShapeError(
      `Cannot solve on the GPU: b has length ${b.length} but the matrix has ${rows} rows`,
    );
  }
  if (o.x0 && o.x0.length !== rows) {
    throw new ShapeError(
      `Cannot solve on the GPU: x0 has length ${o.x0.length} but the matrix has ${rows} rows`,
    );
  }
  A.assertFinite("A");
  for (const [name, v] of [["b", b], ["x0", o.x0]] as const) {
    if (!v) continue;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        throw new NonFiniteError(`Cannot solve on the GPU: ${name}[${i}] is ${v[i]}`);
      }
    }
  }
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
  positive("restart", o.restart, true);
  positive("maxIter", o.maxIter, true);
  positive("innerRtol", o.innerRtol, false, 1);
  if (o.rtol !== undefined && !(o.rtol >= 0)) {
    throw new RangeError(`Cannot solve on the GPU: rtol must be >= 0, got ${o.rtol}`);
  }
  if (o.atol !== undefined && !(o.atol >= 0)) {
    throw new RangeError(`Cannot solve on the GPU: atol must be >= 0, got ${o.atol}`);
  }
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
): Promise<BatchedKrylov> {
  const K = o.checkEvery ?? 25;
  switch (method) {
    case "cg":
      return await GpuCg.create(ctx, M, dinv, K, o.spmv);
    case "bicgstab":
      return await GpuBicgstab.create(ctx, M, dinv, K, o.spmv);
    case "gmres":
      return await GpuGmres.create(ctx, M, dinv, K, o.restart ?? 30, o.spmv);
  }
}

/**
 * Solves `A x = b` (or `Aᵀ x = b`) on the GPU: float32 Krylov solves with
 * scalars kept on the GPU and one read-back per `checkEvery` iterations,
 * refined in float64 on the CPU until the true residual meets
 * `max(rtol·‖b‖, atol)`. A solve that cannot get there stops with an honest
 * reason (`diverged-stagnation` when refinement stops gaining, e.g. at the
 * float32 floor of an ill-conditioned matrix) and, by default, throws
 * ConvergenceError.
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
  const t0 = performance.now();
  check(A, b, options);
  ctx.assertAlive("solve on the GPU");
  const n = A.shape[0];
  const transpose = options.transpose ?? false;
  const op = transpose ? transposeOperator(A) : A;
  const method = options.method ?? (A.symmetric ? "cg" : "gmres");
  const precName = options.preconditioner ?? "none";
  const rtol = options.rtol ?? 1e-8, atol = options.atol ?? 0;
  const maxIter = options.maxIter ?? Math.max(1000, 10 * n);
  const innerRtol = options.innerRtol ?? 1e-5;
  const maxRefinements = options.maxRefinements ?? 10;
  const dinv = inverseDiagonal(A, precName === "jacobi");
  const bn = norm2(b);
  const tol = Math.max(rtol * bn, atol);
  const x = options.x0 ? Float64Array.from(options.x0) : new Float64Array(n);
  const r = new Float64Array(n);
  let rn = trueResidual(op, b, x, r);
  const history: number[] = [bn > 0 ? rn / bn : rn];
  const innerIterations: number[] = [];
  const clock: InnerClock = { record: 0, submit: 0, wait: 0 };
  let readbacks = 0, iterations = 0;
  let reason: SolveReason | undefined;
  let upload = 0;
  if (rn > tol) {
    const tu = performance.now();
    using M = GpuMatrix.upload(ctx, A, { transpose });
    using solver = await createSolver(ctx, method, M, dinv, options);
    upload = performance.now() - tu;
    const xNew = new Float64Array(n), rNew = new Float64Array(n), rhs = new Float64Array(n);
    for (let solves = 0; reason === undefined; solves++) {
      if (solves > maxRefinements) {
        reason = "diverged-stagnation";
        break;
      }
      if (iterations >= maxIter) {
        reason = "diverged-max-iterations";
        break;
      }
      for (let i = 0; i < n; i++) rhs[i] = r[i] / rn;
      const innerTol = Math.min(0.5, Math.max(innerRtol, (0.5 * tol) / rn));
      const inner = await solver.run(rhs, innerTol, maxIter - iterations, clock);
      iterations += inner.iterations;
      readbacks += inner.readbacks;
      innerIterations.push(inner.iterations);
      for (const h of inner.history) history.push((h * rn) / (bn > 0 ? bn : 1));
      for (let i = 0; i < n; i++) xNew[i] = x[i] + rn * inner.x[i];
      const rnNew = trueResidual(op, b, xNew, rNew);
      const improved = rnNew < rn; // false for NaN
      if (improved) {
        x.set(xNew);
        r.set(rNew);
      }
      const progress = improved && rnNew <= MIN_REDUCTION * rn;
      if (improved) rn = rnNew;
      if (rn <= tol) break;
      // An inner solve that stopped at float32's floor (stagnation) is what refinement is for:
      // go on while the float64 residual keeps falling.
      if (
        inner.code !== "converged" && inner.code !== "max-iterations" &&
        inner.code !== "stagnation"
      ) {
        reason = innerReason(inner.code);
      } else if (!progress) {
        reason = inner.code === "max-iterations" && iterations >= maxIter
          ? "diverged-max-iterations"
          : "diverged-stagnation";
      }
    }
  }
  const converged = rn <= tol;
  if (converged) reason = bn > 0 && rn <= rtol * bn ? "converged-rtol" : "converged-atol";
  const finalReason = reason as SolveReason;
  const refinements = Math.max(0, innerIterations.length - 1);
  const result: GpuSolveResult = {
    x,
    converged,
    reason: finalReason,
    iterations,
    relativeResidual: bn > 0 ? rn / bn : rn,
    residualNorm: rn,
    residualHistory: history,
    method,
    preconditioner: precName,
    message: `${reasonMessage(finalReason)} (float32 GPU solves: ${innerIterations.length}, ` +
      `refinements: ${refinements}, read-backs: ${readbacks})`,
    readbacks,
    refinements,
    innerIterations,
    timings: {
      upload,
      record: clock.record + clock.submit,
      wait: clock.wait,
      total: performance.now() - t0,
    },
    device: ctx.name,
  };
  return enforcePolicy(result, options.onFailure ?? "throw");
}
