/**
 * What `scripts/solve.ts` does once its arguments are parsed: read the
 * files, build the preconditioner, solve (and the adjoint), and shape the
 * output of the documented contract.
 *
 * @module
 */

import { GpuUnavailableError, ShapeError } from "../lib/errors.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import type { AsyncSolveOptions } from "../lib/diff/solve_async.ts";
import { acquireGpu, type GpuContext } from "../lib/gpu/device.ts";
import { ensureXdgRuntimeDir } from "./_runtime_dir.ts";
import { type GpuMethod, gpuSolve } from "../lib/gpu/solve.ts";
import { solveGradients } from "../lib/diff/solve_gradients.ts";
import { type AmgInfo, type AmgOptions, amgSetup } from "../lib/linalg/amg/mod.ts";
import { preconditioner } from "../lib/linalg/build_preconditioner.ts";
import type { PreconditionerName } from "../lib/linalg/preconditioner.ts";
import type { SolveMethod, SolveResult } from "../lib/linalg/result.ts";
import { defaultMethod, solveLinear } from "../lib/linalg/solve.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import {
  fileGradient,
  readMatrixMarket,
  readMatrixMarketVector,
} from "../lib/sparse/matrix_market.ts";

/** Parsed command line of `solve`. */
export interface SolveCommand {
  matrix: string;
  rhs: string | undefined;
  adjoint: string | undefined;
  method: SolveMethod | undefined;
  precond: PreconditionerName;
  /** AMG options for `precond: "amg"` (`--amg`). */
  amg: AmgOptions;
  rtol: number;
  atol: number;
  maxIter: number | undefined;
  restart: number;
  backend: "cpu" | "webgpu";
  json: boolean;
}

/** The JSON object `solve --json` prints (field names are the contract). */
export interface SolveOutput {
  n: number;
  nnz: number;
  fileEntries: number;
  method: SolveMethod;
  precond: PreconditionerName;
  backend: "cpu" | "webgpu";
  device?: string;
  converged: boolean;
  reason: string;
  /** The library's sentence, its advice naming CLI flags (see {@linkcode cliAdvice}). */
  message: string;
  /** Krylov iterations; 0 for `direct`, which reports `refinementSteps` instead. */
  iterations: number;
  /** `direct` only: steps of iterative refinement (solves with the factors after the first). */
  refinementSteps?: number;
  relativeResidual: number;
  x: number[];
  gradB?: number[] | null;
  gradValues?: number[] | null;
  adjointConverged?: boolean;
  adjointReason?: string;
  /** The adjoint solve's sentence, advice in CLI flags (absent when it did not run). */
  adjointMessage?: string;
  adjointIterations?: number;
  /** `direct` only: refinement steps of the adjoint solve. */
  adjointRefinementSteps?: number;
  adjointRelativeResidual?: number | null;
  /** `--precond amg` only: the hierarchy (levels, sizes, nnz, complexities, setup time). */
  amg?: AmgInfo;
  timings: { read: number; setup: number; solve: number; adjoint: number };
}

function vectorOfLength(v: Float64Array, n: number, what: string, path: string): Float64Array {
  if (v.length !== n) {
    throw new ShapeError(`${path}: ${what} has length ${v.length} but the matrix has ${n} rows`);
  }
  return v;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The library's advice with its option names turned into the CLI's flags
 * (`maxIter` → `--max-iter`, "GMRES" → `--method gmres`, …); the library's
 * own wording is left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliAdvice } from "./_solve_command.ts";
 * assert.equal(
 *   cliAdvice("Loosen rtol or use a direct solve. Try GMRES."),
 *   "Loosen --rtol or use --method direct. Try --method gmres.",
 * );
 * ```
 */
export function cliAdvice(message: string): string {
  return message
    .replace(/\bmaxIter\b/g, "--max-iter")
    .replace(/\brtol\b/g, "--rtol")
    .replace(/\batol\b/g, "--atol")
    .replace(/\brestart\b/g, "--restart")
    .replace(/\ba stronger preconditioner\b/g, "a stronger --precond (jacobi, ilu0, ic0, amg)")
    .replace(/\bthe preconditioner\b/g, "the preconditioner (--precond)")
    .replace(/\ba direct solve\b/g, "--method direct")
    .replace(/\b(MINRES|GMRES|BiCGSTAB)\b/g, (name) => `--method ${name.toLowerCase()}`);
}

/**
 * `iterations` and `refinementSteps` of a result: a direct solve has no
 * Krylov iterations; the library counts its solves with the factors, the
 * first one and then one per refinement step.
 */
function counts(r: SolveResult): { iterations: number; refinementSteps?: number } {
  return r.method === "direct"
    ? { iterations: 0, refinementSteps: Math.max(0, r.iterations - 1) }
    : { iterations: r.iterations };
}

/**
 * Runs one `solve` command; throws typed errors for bad input (exit 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSolveCommand } from "./_solve_command.ts";
 * const matrix = await Deno.makeTempFile({ suffix: ".mtx" });
 * await Deno.writeTextFile(matrix, "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 2\n2 2 4\n");
 * const { json, converged } = await runSolveCommand({
 *   matrix, rhs: undefined, adjoint: undefined, method: "direct", precond: "none", amg: {},
 *   rtol: 1e-10, atol: 0, maxIter: undefined, restart: 30, backend: "cpu", json: true,
 * });
 * assert.ok(converged);
 * assert.deepEqual(json.x, [1, 1]); // b = A·1
 * assert.equal(json.iterations, 0);
 * await Deno.remove(matrix);
 * ```
 */
export async function runSolveCommand(
  cmd: SolveCommand,
): Promise<{ json: SolveOutput; summary: string; converged: boolean }> {
  let t = performance.now();
  const mm = await readMatrixMarket(cmd.matrix);
  const A = mm.matrix;
  const [n, m] = A.shape;
  if (n !== m) throw new ShapeError(`${cmd.matrix}: matrix is ${n}x${m} but must be square`);
  if (n === 0) throw new ShapeError(`${cmd.matrix}: matrix is empty`);
  A.assertFinite(cmd.matrix);
  const b = cmd.rhs === undefined
    ? A.multiply(new Float64Array(n).fill(1))
    : vectorOfLength(await readMatrixMarketVector(cmd.rhs), n, "right-hand side", cmd.rhs);
  const g = cmd.adjoint === undefined
    ? undefined
    : vectorOfLength(await readMatrixMarketVector(cmd.adjoint), n, "adjoint seed", cmd.adjoint);
  const read = performance.now() - t;

  const method = cmd.method ?? defaultMethod(A);
  const gpu = cmd.backend === "webgpu" ? await openGpu(method, cmd.precond) : undefined;
  const backend = gpu ? "webgpu" : "cpu";
  t = performance.now();
  // On the GPU Jacobi is built on the device inside the solve; an AMG hierarchy is built here
  // on the CPU (as for the CPU backend) and its cycle runs on the device.
  const amg = method !== "direct" && cmd.precond === "amg" ? amgSetup(A, cmd.amg) : undefined;
  const M = amg ?? (method === "direct" || gpu ? undefined : preconditioner(cmd.precond, A, {}));
  const setup = performance.now() - t;

  const options: AsyncSolveOptions = {
    method,
    rtol: cmd.rtol,
    atol: cmd.atol,
    restart: cmd.restart,
    onFailure: "return",
    ...(cmd.maxIter === undefined ? {} : { maxIter: cmd.maxIter }),
    ...(M === undefined ? {} : { preconditioner: M }),
    ...(gpu ? { backend: "webgpu", gpu, preconditioner: amg ?? cmd.precond } : {}),
  };

  let forward: SolveResult;
  let adjoint: SolveResult | undefined;
  let gradB: Float64Array | undefined, gradStored: Float64Array | undefined;
  let solveMs: number, adjointMs = 0;
  try {
    t = performance.now();
    if (g === undefined) {
      forward = gpu
        ? await gpuSolve(gpu, A, b, {
          ...options,
          method: method as GpuMethod,
          preconditioner: cmd.precond as "none" | "jacobi" | "amg",
          ...(amg ? { amgState: amg } : {}),
        })
        : solveLinear(A, b, { ...options, preconditioner: M });
      solveMs = performance.now() - t;
    } else {
      try {
        const r = await solveGradients(A, b, g, options);
        forward = r.forward;
        adjoint = r.adjoint;
        gradB = r.gradB;
        gradStored = r.gradValues;
        solveMs = r.timings.forward;
        adjointMs = r.timings.adjoint;
      } catch (e) {
        // The forward solve did not converge: its gradient would be that of a different
        // function, so no adjoint is attempted; the forward result is still reported.
        if (!(e instanceof ConvergenceError)) throw e;
        forward = e.result;
        solveMs = performance.now() - t;
      }
    }
  } finally {
    gpu?.dispose();
  }

  const json: SolveOutput = {
    n,
    nnz: A.nnz,
    fileEntries: mm.entries,
    method,
    precond: method === "direct" ? "none" : cmd.precond,
    backend,
    ...(gpu ? { device: gpu.name } : {}),
    converged: forward.converged && (g === undefined || (adjoint?.converged ?? false)),
    reason: forward.reason,
    message: cliAdvice(forward.message),
    ...counts(forward),
    relativeResidual: forward.relativeResidual,
    x: Array.from(forward.x),
    ...(amg ? { amg: amg.info } : {}),
    timings: {
      read: round(read),
      setup: round(setup),
      solve: round(solveMs),
      adjoint: round(adjointMs),
    },
  };
  if (g !== undefined) {
    json.gradB = gradB ? Array.from(gradB) : null;
    json.gradValues = gradStored ? Array.from(fileGradient(mm.entryMap, gradStored)) : null;
    json.adjointConverged = adjoint?.converged ?? false;
    json.adjointReason = adjoint?.reason ?? "not-run: the forward solve did not converge";
    if (adjoint) json.adjointMessage = cliAdvice(adjoint.message);
    const adjointCounts = adjoint ? counts(adjoint) : { iterations: 0 };
    json.adjointIterations = adjointCounts.iterations;
    if (adjointCounts.refinementSteps !== undefined) {
      json.adjointRefinementSteps = adjointCounts.refinementSteps;
    }
    json.adjointRelativeResidual = adjoint?.relativeResidual ?? null;
  }
  return { json, summary: summarize(cmd, json, A), converged: json.converged };
}

/**
 * Opens the GPU for `--backend webgpu`. Methods and preconditioners the GPU
 * lacks are usage errors; a machine without an adapter falls back to the CPU
 * with one message on stderr.
 */
async function openGpu(
  method: SolveMethod,
  precond: PreconditionerName,
): Promise<GpuContext | undefined> {
  if (method !== "cg" && method !== "bicgstab" && method !== "gmres" && method !== "minres") {
    throw new RangeError(
      `--method ${method} is not available with --backend webgpu (use cg, bicgstab, gmres or minres)`,
    );
  }
  if (precond !== "none" && precond !== "jacobi" && precond !== "amg") {
    throw new RangeError(
      `--precond ${precond} is not available with --backend webgpu (use none, jacobi or amg)`,
    );
  }
  ensureXdgRuntimeDir();
  try {
    return await acquireGpu();
  } catch (e) {
    if (!(e instanceof GpuUnavailableError)) throw e;
    console.error(`solve: ${e.message.split("\n")[0]}; falling back to the CPU backend`);
    return undefined;
  }
}

/** "after 3 iterations", or for a direct solve "(direct factorisation, 1 refinement step)". */
function effort(iterations: number, refinementSteps: number | undefined): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return refinementSteps === undefined
    ? `after ${plural(iterations, "iteration")}`
    : `(direct factorisation, ${plural(refinementSteps, "refinement step")})`;
}

const norm2 = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function summarize(cmd: SolveCommand, o: SolveOutput, A: CsrMatrix): string {
  const lines = [
    `matrix     ${cmd.matrix}  (n = ${o.n}, nnz = ${o.nnz}, ${
      A.symmetric ? "symmetric" : "nonsymmetric"
    })`,
    `method     ${o.method}  precond ${o.precond}  backend ${o.backend}${
      o.device ? ` (${o.device})` : ""
    }`,
    `result     ${o.converged ? "converged" : "NOT converged"}: ${o.reason} ${
      effort(o.iterations, o.refinementSteps)
    }`,
    `residual   ‖b − Ax‖/‖b‖ = ${o.relativeResidual.toExponential(3)}  (true residual, float64)`,
  ];
  if (o.adjointIterations !== undefined) {
    const r = o.adjointRelativeResidual;
    lines.push(
      `adjoint    ${o.adjointConverged ? "converged" : "NOT converged"}: ${o.adjointReason}${
        o.adjointReason?.startsWith("not-run")
          ? ""
          : ` ${effort(o.adjointIterations, o.adjointRefinementSteps)}`
      }, ‖g − Aᵀλ‖/‖g‖ = ${r === null || r === undefined ? "n/a" : r.toExponential(3)}`,
    );
    lines.push(
      o.gradB && o.gradValues
        ? `gradients  ‖gradB‖₂ = ${norm2(o.gradB).toExponential(3)}, ‖gradValues‖₂ = ${
          norm2(o.gradValues).toExponential(3)
        } (${o.gradValues.length} file entries)`
        : "gradients  not computed: the forward solve did not converge",
    );
  }
  if (o.amg) {
    const a = o.amg;
    lines.push(
      `amg        ${a.levels} levels (${a.sizes.map((l) => l.n).join(" → ")} unknowns), ` +
        `operator complexity ${a.operatorComplexity.toFixed(2)}, grid complexity ${
          a.gridComplexity.toFixed(2)
        }, ${a.smoother} ${a.cycle}-cycle, setup ${a.setupMs.toFixed(1)} ms`,
    );
  }
  lines.push(
    `timings    read ${o.timings.read.toFixed(1)} ms, setup ${
      o.timings.setup.toFixed(1)
    } ms, solve ${o.timings.solve.toFixed(1)} ms` +
      (o.adjointIterations !== undefined ? `, adjoint ${o.timings.adjoint.toFixed(1)} ms` : ""),
  );
  if (!o.converged) {
    const forwardFailed = !o.reason.startsWith("converged");
    lines.push(`note       ${forwardFailed ? o.message : `adjoint: ${o.adjointMessage}`}`);
  }
  return lines.join("\n");
}
