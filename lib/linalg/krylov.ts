/**
 * What every Krylov solve shares, whatever the method and the backend: the
 * one configuration (validated and defaulted once, {@linkcode checkKrylovInput}),
 * the one stopping test and per-column bookkeeping ({@linkcode KrylovColumns}:
 * history, budget, callback, guards), and the one driver
 * ({@linkcode runKrylov}) that runs cycles on k columns at unit scale,
 * confirms every claimed convergence on the true residual `b − Ax` in
 * float64 (restarting from it when the estimate was too optimistic),
 * classifies the outcome and builds the results.
 *
 * A method supplies only a *cycle*: from the current `x` and its true
 * residual, iterate until every column has stopped. CG and BiCGSTAB are
 * written once over {@linkcode KrylovOps} for any number of columns; GMRES and
 * MINRES are single-column cycles ({@linkcode singleColumnCycle}).
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { blockApply, getColumn } from "./block.ts";
import { identityPreconditioner } from "./build_preconditioner.ts";
import type { CycleStatus } from "./krylov_ops.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { Preconditioner } from "./preconditioner.ts";
import {
  enforcePolicy,
  makeResult,
  type SolveMethod,
  type SolveReason,
  type SolveResult,
} from "./result.ts";
import { assertFiniteVector, norm2, unitScale } from "./vector.ts";
import { type MaybePromise, then } from "../maybe_promise.ts";

/**
 * The iterative methods.
 *
 * @category Solvers
 */
export type KrylovMethod = "cg" | "bicgstab" | "gmres" | "minres";

/**
 * Options of `krylovSolve`: the Krylov options plus the method.
 *
 * @category Solvers
 */
export interface KrylovSolveOptions extends KrylovOptions {
  /** Which Krylov method to run. */
  method: KrylovMethod;
}

/**
 * Validated, defaulted inputs of one solve (from {@linkcode checkKrylovInput}).
 *
 * @category Solvers
 */
export interface KrylovInput {
  /** Order of the system. */
  readonly n: number;
  /** Number of right-hand sides (columns). */
  readonly k: number;
  /** Relative tolerance. */
  readonly rtol: number;
  /** Absolute tolerance. */
  readonly atol: number;
  /** Iteration limit. */
  readonly maxIter: number;
  /** GMRES restart length. */
  readonly restart: number;
  /** The preconditioner, or `undefined` for none (identity). */
  readonly preconditioner: Preconditioner | undefined;
}

/**
 * Checks a solve's inputs and fills in defaults; every solver (CPU and GPU)
 * calls it first. Throws {@linkcode ShapeError} for a non-square or empty
 * operator, a `b` or `x0` of the wrong length; `NonFiniteError` naming the
 * index of a NaN/Inf in `b`, `x0` or the CSR values; `RangeError` for
 * invalid `rtol`, `atol`, `maxIter` or `restart`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKrylovInput, CsrMatrix } from "@gradsolve/gradsolve";
 * const input = checkKrylovInput("cg", CsrMatrix.fromDense([[2]]), Float64Array.of(1), {});
 * assert.equal(input.maxIter, 1000);
 * assert.equal(input.rtol, 1e-8);
 * ```
 *
 * @category Solvers
 */
export function checkKrylovInput(
  method: string,
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions,
  k = 1,
): KrylovInput {
  const [rows, cols] = A.shape;
  if (rows !== cols) {
    throw new ShapeError(
      `Cannot run ${method}: the operator is ${rows}x${cols} but must be square`,
    );
  }
  const n = rows;
  if (n === 0) throw new ShapeError(`Cannot run ${method}: the operator is empty (0x0)`);
  if (!(b instanceof Float64Array)) {
    throw new TypeError(`Cannot run ${method}: b must be a Float64Array`);
  }
  if (b.length !== n * k) {
    throw new ShapeError(
      k === 1
        ? `Cannot run ${method}: b has length ${b.length} but the operator has ${n} rows`
        : `Cannot run ${method}: B has length ${b.length} but must be n·k = ${n}·${k} (row-major)`,
    );
  }
  assertFiniteVector(b, "b");
  if (A instanceof CsrMatrix) A.assertFinite("A");
  const x0 = options.x0;
  if (x0 !== undefined) {
    if (x0.length !== n * k) {
      throw new ShapeError(
        k === 1
          ? `Cannot run ${method}: x0 has length ${x0.length} but the operator has ${n} columns`
          : `Cannot run ${method}: x0 has length ${x0.length} but must be n·k = ${n}·${k}`,
      );
    }
    assertFiniteVector(x0, "x0");
  }
  const rtol = options.rtol ?? 1e-8;
  const atol = options.atol ?? 0;
  const maxIter = options.maxIter ?? Math.max(1000, 10 * n);
  const restart = options.restart ?? 30;
  if (!(rtol >= 0 && rtol < Infinity)) {
    throw new RangeError(`Cannot run ${method}: rtol must be finite and >= 0, got ${rtol}`);
  }
  if (!(atol >= 0 && atol < Infinity)) {
    throw new RangeError(`Cannot run ${method}: atol must be finite and >= 0, got ${atol}`);
  }
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) {
    throw new RangeError(`Cannot run ${method}: maxIter must be an integer >= 1, got ${maxIter}`);
  }
  if (!(Number.isInteger(restart) && restart >= 1)) {
    throw new RangeError(`Cannot run ${method}: restart must be an integer >= 1, got ${restart}`);
  }
  const M = options.preconditioner;
  return {
    n,
    k,
    rtol,
    atol,
    maxIter,
    restart,
    preconditioner: M === undefined || M === identityPreconditioner ? undefined : M,
  };
}

/**
 * Per-column state of a Krylov solve on k right-hand sides (k = 1 for a
 * single solve): which columns still iterate, their iteration counts and
 * budgets, tolerances at unit scale, residual histories and the user's
 * callback. It holds the one stopping test and the one set of guards every
 * backend's operations call, so the CPU, the block and the tape stop alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KrylovColumns } from "@gradsolve/gradsolve";
 * const cols = new KrylovColumns(1, Float64Array.of(1), Float64Array.of(1e-3), 10);
 * cols.active[0] = 1;
 * assert.equal(cols.step(0, 0.25), true); // ‖r‖ = 0.5 > 1e-3: go on
 * assert.equal(cols.step(0, 1e-8), false); // ‖r‖ = 1e-4 ≤ 1e-3: converged
 * assert.equal(cols.status[0], "converged");
 * assert.deepEqual(cols.history[0], [0.5, 1e-4]);
 * ```
 *
 * @category Solvers
 */
export class KrylovColumns {
  /** 1 while the column iterates in the current cycle. */
  readonly active: Uint8Array;
  /** How each column's last cycle ended. */
  readonly status: CycleStatus[];
  /** Iterations so far, over all cycles. */
  readonly iterations: Int32Array;
  /** Residual-estimate history relative to ‖b‖ (index 0: the initial guess). */
  readonly history: number[][];
  /** Squared stopping thresholds `max(rtol‖b‖, atol)²` at unit scale. */
  readonly #tol2: Float64Array;
  /** Called after every iteration with its progress; `true` stops the column. */
  callback: KrylovOptions["callback"];
  /** The current iterate of column j at the caller's scale (backends that have it). */
  iterate: ((j: number) => Float64Array) | undefined;
  /** Run to the budget, ignoring the tolerance (unrolled solves with fixed iterations). */
  fixedIterations = false;

  /**
   * `k` columns with right-hand-side norms `bnorm` and thresholds `tol` (both
   * at unit scale), and `maxIter` iterations each.
   */
  constructor(
    readonly k: number,
    readonly bnorm: Float64Array,
    tol: Float64Array,
    readonly maxIter: number,
  ) {
    this.active = new Uint8Array(k);
    this.status = new Array<CycleStatus>(k).fill("converged");
    this.iterations = new Int32Array(k);
    this.history = Array.from({ length: k }, () => []);
    this.#tol2 = tol.map((t) => t * t);
  }

  /** True while any column iterates. */
  anyActive(): boolean {
    for (let j = 0; j < this.k; j++) if (this.active[j]) return true;
    return false;
  }

  /** Stops column j with `status`. */
  stop(j: number, status: CycleStatus): void {
    this.active[j] = 0;
    this.status[j] = status;
  }

  /**
   * Records a residual estimate (a norm, absolute at unit scale) and calls
   * the callback; returns true when the callback asked to stop.
   */
  record(j: number, estimate: number, alpha?: number, beta?: number): boolean {
    const h = this.history[j];
    const relativeResidual = estimate / (this.bnorm[j] || 1);
    h.push(relativeResidual);
    const cb = this.callback;
    if (!cb) return false;
    const iterate = this.iterate;
    return cb({
      iteration: h.length - 1,
      relativeResidual,
      column: j,
      ...(alpha !== undefined ? { alpha } : {}),
      ...(beta !== undefined ? { beta } : {}),
      ...(iterate ? { iterate: () => iterate(j) } : {}),
    }) === true;
  }

  /**
   * The one stopping test, after an iteration of column j with squared
   * recursive residual `rr`: non-finite → stop; record it; met the
   * tolerance → converged; callback → stopped; budget spent →
   * max-iterations. Returns true while the column goes on.
   */
  step(j: number, rr: number, alpha?: number, beta?: number): boolean {
    this.iterations[j]++;
    if (!(rr < Infinity)) {
      this.stop(j, "non-finite");
      return false;
    }
    const stopRequested = this.record(j, Math.sqrt(rr), alpha, beta);
    if (!this.fixedIterations && rr <= this.#tol2[j]) this.stop(j, "converged");
    else if (stopRequested) this.stop(j, "stopped");
    else if (this.iterations[j] >= this.maxIter) this.stop(j, "max-iterations");
    return this.active[j] === 1;
  }

  /** Guard `s > 0`: else stops with indefinite (`s < 0`), `zero` (`s = 0`) or non-finite. */
  positive(j: number, s: number, zero: "breakdown" | "indefinite"): boolean {
    if (s > 0) return true;
    this.stop(j, s < 0 ? "indefinite" : s === 0 ? zero : "non-finite");
    return false;
  }

  /** Guard `s ≠ 0` and finite: else stops with breakdown or non-finite. */
  nonzero(j: number, s: number): boolean {
    if (s !== 0 && s - s === 0) return true;
    this.stop(j, s === 0 ? "breakdown" : "non-finite");
    return false;
  }

  /** Guard: `s` finite, else stops with non-finite. */
  finite(j: number, s: number): boolean {
    if (s - s === 0) return true;
    this.stop(j, "non-finite");
    return false;
  }
}

/**
 * One cycle of a method on the active columns: from `X` and its true
 * residual `R` (n×k row-major, unit scale), iterate until every active column
 * has stopped (its status set in `columns`). `rnorm` holds the true residual
 * norm of each column at the start.
 *
 * @category Solvers
 */
export type CycleRunner = (
  columns: KrylovColumns,
  X: Float64Array,
  R: Float64Array,
  rnorm: Float64Array,
) => void | Promise<void>;

/**
 * What a single-column cycle reports back.
 *
 * @category Solvers
 */
export interface CycleOutcome {
  /** Why the cycle ended. */
  readonly status: CycleStatus;
  /** Iterations (matrix–vector products of the main loop) it used. */
  readonly iterations: number;
}

/**
 * Records one iteration's residual estimate (absolute 2-norm) in the
 * history, calls the user's callback, and returns true when it asked to stop.
 *
 * @category Solvers
 */
export type IterationStep = (estimate: number) => boolean;

/**
 * A single-column cycle (GMRES, MINRES): starts from the driver's `x` and its
 * true residual `r` (norm `rnorm`), may use at most `budget` iterations and
 * must stop once its estimate is `≤ tol`. It may overwrite `r`, and it must
 * leave `x` finite (update `x` only after the scalars it uses were checked).
 *
 * @category Solvers
 */
export type KrylovCycle = (
  rnorm: number,
  budget: number,
  step: IterationStep,
) => CycleOutcome;

/**
 * What a single-column cycle's setup receives (to allocate its workspace once).
 *
 * @category Solvers
 */
export interface KrylovProblem {
  /** The operator. */
  readonly A: LinearOperator;
  /** The preconditioner, `undefined` for none. */
  readonly M: Preconditioner | undefined;
  /** Order of the system. */
  readonly n: number;
  /** Current iterate, updated in place by the cycle. */
  readonly x: Float64Array;
  /** Current residual; equals `b − Ax` when a cycle starts. */
  readonly r: Float64Array;
  /** Stopping threshold `max(rtol·‖b‖, atol)` on the residual 2-norm (unit scale). */
  readonly tol: number;
  /** GMRES restart length. */
  readonly restart: number;
}

/**
 * Adapts a single-column cycle builder (GMRES, MINRES) to the driver (k = 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, runKrylov, singleColumnCycle } from "@gradsolve/gradsolve";
 * // Richardson iteration x ← x + r/4 as a toy cycle.
 * const A = CsrMatrix.fromDense([[4, 0], [0, 4]]);
 * const toy = singleColumnCycle((p) => (_rnorm, _budget, step) => {
 *   for (let i = 0; i < p.n; i++) p.x[i] += p.r[i] / 4;
 *   step(0);
 *   return { status: "converged", iterations: 1 };
 * });
 * const [result] = runKrylov("cg", A, Float64Array.of(4, 8), 1, {}, toy);
 * assert.ok(result.converged);
 * assert.deepEqual(Array.from(result.x), [1, 2]);
 * ```
 *
 * @category Solvers
 */
export function singleColumnCycle(
  setup: (problem: KrylovProblem) => KrylovCycle,
): CycleFactory {
  return (A, input, tol) => {
    if (input.k !== 1) {
      throw new RangeError("Cannot run a single-column cycle on a block: solve column by column");
    }
    let cycle: KrylovCycle | undefined;
    return (columns, X, R, rnorm) => {
      const M = input.preconditioner;
      cycle ??= setup({ A, M, n: input.n, x: X, r: R, tol: tol[0], restart: input.restart });
      const step: IterationStep = (estimate) => columns.record(0, estimate);
      const budget = columns.maxIter - columns.iterations[0];
      const outcome = cycle(rnorm[0], budget, step);
      columns.iterations[0] += outcome.iterations;
      columns.stop(0, outcome.status);
    };
  };
}

/**
 * Below this factor of improvement between two restarts from the true
 * residual, the solve is declared stagnant.
 */
const STAGNATION_FACTOR = 0.5;

/**
 * The one classifier: the reason of a column whose true residual did not
 * meet the tolerance after a cycle ended with `status`, or `undefined` when
 * the driver should run another cycle from the true residual. Backends
 * without restarts (the tape, the GPU's inner solves) pass `stagnated: true`,
 * so a recursive residual that met the tolerance while the true one did not
 * is `diverged-stagnation`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureReason } from "@gradsolve/gradsolve";
 * assert.equal(failureReason("indefinite", 3, 100, false), "diverged-indefinite");
 * assert.equal(failureReason("converged", 3, 100, false), undefined); // restart from b − Ax
 * assert.equal(failureReason("converged", 3, 100, true), "diverged-stagnation");
 * ```
 *
 * @category Solvers
 */
export function failureReason(
  status: CycleStatus,
  iterations: number,
  maxIter: number,
  stagnated: boolean,
): SolveReason | undefined {
  switch (status) {
    case "converged":
      if (iterations >= maxIter) return "diverged-max-iterations";
      return stagnated ? "diverged-stagnation" : undefined;
    case "restart":
      return iterations >= maxIter ? "diverged-max-iterations" : undefined;
    case "max-iterations":
    case "stopped":
      return "diverged-max-iterations";
    case "breakdown":
      return "diverged-breakdown";
    case "indefinite":
      return "diverged-indefinite";
    case "non-finite":
      return "diverged-non-finite";
    case "stagnation":
      return "diverged-stagnation";
  }
}

/**
 * Builds a method's {@linkcode CycleRunner} for one solve, from the operator,
 * the validated inputs and the per-column thresholds (unit scale).
 *
 * @category Solvers
 */
export type CycleFactory = (
  A: LinearOperator,
  input: KrylovInput,
  tol: Float64Array,
) => CycleRunner;

/**
 * Runs a Krylov method to the end on the k columns of `B` (n×k row-major;
 * k = 1 for one right-hand side): validates inputs; solves each column at
 * unit scale (`B[:, j]/s_j`, `s_j` the power of two nearest its max-norm, so
 * no inner product overflows or underflows); handles zero columns (`x = 0`,
 * no iteration); runs cycles; checks every claimed convergence on the true
 * residual `b − Ax` (restarting from it when it falls short, and declaring
 * `diverged-stagnation` when a restart no longer halves it); classifies the
 * outcome, builds one {@linkcode SolveResult} per column and applies the
 * failure policy to each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix, runKrylov } from "@gradsolve/gradsolve";
 * // cg(A, b) is runKrylov with CG's cycle on one column:
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const r = cg(A, Float64Array.of(1, 2), { rtol: 1e-12 });
 * assert.equal(r.reason, "converged-rtol");
 * assert.equal(typeof runKrylov, "function");
 * ```
 *
 * @category Solvers
 */
export function runKrylov(
  method: SolveMethod,
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: KrylovOptions,
  cycles: CycleFactory,
): SolveResult[] {
  return drive(method, A, B, k, options, cycles, {}) as SolveResult[];
}

/**
 * How the driver treats a backend's cycles. `keepBest`: when a cycle leaves
 * a column's true residual larger than it found it (a float32 correction
 * can), the column goes back to the iterate it started from, so the result
 * is the best iterate seen.
 *
 * @category Solvers
 */
export interface DriverPolicy {
  /** Undo a cycle that made a column's true residual larger. @default {false} */
  readonly keepBest?: boolean;
}

/**
 * {@linkcode runKrylov} for asynchronous cycles (the GPU's float32 solves):
 * the same driver text, awaiting each cycle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, runKrylovAsync } from "@gradsolve/gradsolve";
 * // A toy asynchronous cycle: one exact step x ← x + r/4 for A = 4I.
 * const A = CsrMatrix.fromDense([[4, 0], [0, 4]]);
 * const [r] = await runKrylovAsync("cg", A, Float64Array.of(4, 8), 1, {}, () =>
 *   async (columns, X, R) => {
 *     for (let i = 0; i < X.length; i++) X[i] += R[i] / 4;
 *     columns.iterations[0]++;
 *     columns.stop(0, "converged");
 *   });
 * assert.deepEqual(Array.from(r.x), [1, 2]);
 * ```
 *
 * @category Solvers
 */
export function runKrylovAsync(
  method: SolveMethod,
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: KrylovOptions,
  cycles: CycleFactory,
  policy: DriverPolicy = {},
): Promise<SolveResult[]> {
  try {
    return Promise.resolve(drive(method, A, B, k, options, cycles, policy));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The one driver text, for sync and async cycles alike. */
function drive(
  method: SolveMethod,
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: KrylovOptions,
  cycles: CycleFactory,
  policy: DriverPolicy,
): MaybePromise<SolveResult[]> {
  const input = checkKrylovInput(method, A, B, options, k);
  const { n, rtol, maxIter } = input;
  const precName = input.preconditioner?.name ?? "none";
  // Unit scale per column: Bs = B/s, X = x0/s, atol/s.
  const scale = new Float64Array(k), bnorm = new Float64Array(k), tol = new Float64Array(k);
  const Bs = new Float64Array(n * k), X = new Float64Array(n * k), col = new Float64Array(n);
  const convergedReason: SolveReason[] = [];
  for (let j = 0; j < k; j++) {
    getColumn(B, k, j, col);
    const s = unitScale(col);
    scale[j] = s;
    for (let i = 0; i < n; i++) Bs[i * k + j] = col[i] / s;
    for (let i = 0; i < n; i++) col[i] /= s;
    bnorm[j] = norm2(col);
    const atol = input.atol / s;
    tol[j] = Math.max(rtol * bnorm[j], atol);
    convergedReason.push(rtol * bnorm[j] >= atol ? "converged-rtol" : "converged-atol");
    if (options.x0 && bnorm[j] !== 0) {
      for (let i = 0; i < n; i++) X[i * k + j] = options.x0[i * k + j] / s;
    }
  }
  const columns = new KrylovColumns(k, bnorm, tol, maxIter);
  columns.callback = options.callback;
  columns.iterate = (j) => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = X[i * k + j] * scale[j];
    return x;
  };
  const R = new Float64Array(n * k), rnorm = new Float64Array(k);
  const reasons: (SolveReason | undefined)[] = new Array(k).fill(undefined);
  const lastRestartNorm = new Float64Array(k);
  const cycleColumns: number[] = [];
  blockResidual(A, Bs, X, R, k, rnorm, col);
  for (let j = 0; j < k; j++) {
    if (bnorm[j] === 0) {
      // b = 0: x = 0 exactly, whatever x0.
      for (let i = 0; i < n; i++) X[i * k + j] = 0;
      rnorm[j] = 0;
      columns.history[j].push(0);
      reasons[j] = "converged-atol";
      continue;
    }
    columns.history[j].push(rnorm[j] / bnorm[j]);
    if (!(rnorm[j] < Infinity)) reasons[j] = "diverged-non-finite";
    else if (rnorm[j] <= tol[j]) reasons[j] = convergedReason[j];
    else {
      columns.active[j] = 1;
      lastRestartNorm[j] = rnorm[j];
    }
  }
  const runCycle = columns.anyActive() ? cycles(A, input, tol) : undefined;
  const saved = policy.keepBest
    ? { X: new Float64Array(n * k), norms: new Float64Array(k) }
    : undefined;

  // After a cycle: confirm on the true residual, classify, or go again from it.
  const decide = () => {
    blockResidual(A, Bs, X, R, k, rnorm, col);
    if (saved) {
      let undone = false;
      for (const j of cycleColumns) {
        if (!(rnorm[j] <= saved.norms[j])) {
          for (let i = 0; i < n; i++) X[i * k + j] = saved.X[i * k + j];
          undone = true;
        }
      }
      if (undone) blockResidual(A, Bs, X, R, k, rnorm, col);
    }
    for (const j of cycleColumns) {
      const rn = rnorm[j];
      if (rn <= tol[j]) reasons[j] = convergedReason[j];
      else if (!(rn < Infinity)) reasons[j] = "diverged-non-finite";
      else {
        const stagnated = rn > STAGNATION_FACTOR * lastRestartNorm[j];
        const why = failureReason(columns.status[j], columns.iterations[j], maxIter, stagnated);
        if (why) reasons[j] = why;
        else {
          if (columns.status[j] === "converged") lastRestartNorm[j] = rn;
          columns.active[j] = 1;
        }
      }
    }
  };
  const loop = (): MaybePromise<void> => {
    if (!columns.anyActive()) return;
    cycleColumns.length = 0;
    for (let j = 0; j < k; j++) if (columns.active[j]) cycleColumns.push(j);
    if (saved) {
      saved.X.set(X);
      saved.norms.set(rnorm);
    }
    return then(runCycle!(columns, X, R, rnorm), () => {
      decide();
      return loop();
    });
  };
  const finish = (): SolveResult[] => {
    const results: SolveResult[] = [];
    for (let j = 0; j < k; j++) {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = X[i * k + j] * scale[j];
      const rn = rnorm[j];
      results.push(enforcePolicy(
        makeResult({
          x,
          reason: reasons[j]!,
          iterations: columns.iterations[j],
          relativeResidual: bnorm[j] === 0 ? rn : rn / bnorm[j],
          residualNorm: rn * scale[j],
          residualHistory: columns.history[j],
          method,
          preconditioner: precName,
        }),
        options.onFailure ?? "throw",
      ));
    }
    return results;
  };
  return then(loop(), finish);
}

/** `R ← B − A X` for k columns; `norms[j] ← ‖R[:, j]‖₂`. `tmp` has length n. */
function blockResidual(
  A: LinearOperator,
  B: Float64Array,
  X: Float64Array,
  R: Float64Array,
  k: number,
  norms: Float64Array,
  tmp: Float64Array,
): void {
  blockApply(A, X, R, k);
  for (let t = 0; t < R.length; t++) R[t] = B[t] - R[t];
  if (k === 1) {
    norms[0] = norm2(R);
    return;
  }
  for (let j = 0; j < k; j++) {
    getColumn(R, k, j, tmp);
    norms[j] = norm2(tmp);
  }
}
