/**
 * What the four Krylov solvers share: input validation, the driver that
 * confirms convergence on the true residual (and restarts from it when the
 * solver's own estimate was too optimistic), and the dispatcher
 * {@linkcode krylovSolve}.
 *
 * Each solver supplies only a *cycle*: starting from the current `x` and
 * its true residual `r = b − Ax`, iterate until the solver's estimate meets
 * the tolerance, the iteration budget is spent, or something breaks. The
 * driver then recomputes `b − Ax` in float64 and decides.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { bicgstab } from "./bicgstab.ts";
import { identityPreconditioner } from "./build_preconditioner.ts";
import { cg } from "./cg.ts";
import { gmres } from "./gmres.ts";
import { minres } from "./minres.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { Preconditioner } from "./preconditioner.ts";
import { enforcePolicy, reasonMessage, type SolveReason, type SolveResult } from "./result.ts";
import { trueResidual } from "./residual.ts";
import { assertFiniteVector, norm2, unitScale } from "./vector.ts";

/** The iterative methods {@linkcode krylovSolve} dispatches to. */
export type KrylovMethod = "cg" | "bicgstab" | "gmres" | "minres";

/** Options of {@linkcode krylovSolve}: the Krylov options plus the method. */
export interface KrylovSolveOptions extends KrylovOptions {
  /** Which Krylov method to run. */
  method: KrylovMethod;
}

/**
 * Solves `A x = b` with the named Krylov method (`cg`, `bicgstab`, `gmres`,
 * `minres`); same options and result as calling the solver directly.
 *
 * @example
 * ```ts
 * import { krylovSolve } from "./krylov.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const A = CsrMatrix.fromDense([[4, 1], [2, 3]]);
 * const r = krylovSolve(A, Float64Array.of(1, 2), { method: "gmres", rtol: 1e-12 });
 * console.assert(r.converged && r.method === "gmres");
 * ```
 */
export function krylovSolve(
  A: LinearOperator,
  b: Float64Array,
  options: KrylovSolveOptions,
): SolveResult {
  switch (options.method) {
    case "cg":
      return cg(A, b, options);
    case "bicgstab":
      return bicgstab(A, b, options);
    case "gmres":
      return gmres(A, b, options);
    case "minres":
      return minres(A, b, options);
    default:
      throw new RangeError(
        `Cannot solve: method must be cg, bicgstab, gmres or minres, got ${
          String((options as { method: unknown }).method)
        }`,
      );
  }
}

/** Validated, defaulted inputs of one solve (from {@linkcode checkKrylovInput}). */
export interface KrylovInput {
  /** Order of the system. */
  readonly n: number;
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
 * import { checkKrylovInput } from "./krylov.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const input = checkKrylovInput("cg", CsrMatrix.fromDense([[2]]), Float64Array.of(1), {});
 * console.assert(input.maxIter === 1000 && input.rtol === 1e-8);
 * ```
 */
export function checkKrylovInput(
  method: string,
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions,
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
  if (b.length !== n) {
    throw new ShapeError(
      `Cannot run ${method}: b has length ${b.length} but the operator has ${n} rows`,
    );
  }
  assertFiniteVector(b, "b");
  if (A instanceof CsrMatrix) A.assertFinite("A");
  const x0 = options.x0;
  if (x0 !== undefined) {
    if (x0.length !== n) {
      throw new ShapeError(
        `Cannot run ${method}: x0 has length ${x0.length} but the operator has ${n} columns`,
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
    rtol,
    atol,
    maxIter,
    restart,
    preconditioner: M === undefined || M === identityPreconditioner ? undefined : M,
  };
}

/**
 * How one solver cycle ended: `converged` (its estimate met the tolerance),
 * `restart` (GMRES reached its restart length), `max-iterations` (budget
 * spent), `stopped` (the callback asked to stop), or a failure.
 */
export type CycleStatus =
  | "converged"
  | "restart"
  | "max-iterations"
  | "stopped"
  | "breakdown"
  | "indefinite"
  | "non-finite";

/** What a cycle reports back to the driver. */
export interface CycleOutcome {
  /** Why the cycle ended. */
  readonly status: CycleStatus;
  /** Iterations (matrix–vector products of the main loop) it used. */
  readonly iterations: number;
}

/**
 * Records one iteration's residual estimate (absolute 2-norm) in the
 * history, calls the user's callback, and returns true when it asked to stop.
 */
export type IterationStep = (estimate: number) => boolean;

/**
 * One solver cycle: starts from the driver's `x` and its true residual `r`
 * (norm `rnorm`), may use at most `budget` iterations and must stop once its
 * estimate is `≤ tol`. It may overwrite `r`, and it must leave `x` finite
 * (update `x` only after the scalars it uses were checked).
 */
export type KrylovCycle = (
  rnorm: number,
  budget: number,
  step: IterationStep,
) => CycleOutcome;

/** What a solver's setup receives to build its cycle (and allocate its workspace once). */
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
  /** Stopping threshold `max(rtol·‖b‖, atol)` on the residual 2-norm. */
  readonly tol: number;
  /** GMRES restart length. */
  readonly restart: number;
}

/**
 * Below this factor of improvement between two restarts from the true
 * residual, the solve is declared stagnant.
 */
const STAGNATION_FACTOR = 0.5;

/**
 * Runs a Krylov method to the end: validates inputs, handles `b = 0`,
 * computes the initial residual, runs cycles, checks every claimed
 * convergence on the true residual `b − Ax` (restarting from it when it
 * falls short, and declaring `diverged-stagnation` when a restart no longer
 * halves it), builds the {@linkcode SolveResult} and applies the failure
 * policy. Solvers call it with their cycle builder.
 *
 * @example
 * ```ts
 * import { runKrylov } from "./krylov.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * // Richardson iteration x ← x + r/4 as a toy cycle.
 * const A = CsrMatrix.fromDense([[4, 0], [0, 4]]);
 * const result = runKrylov("cg", A, Float64Array.of(4, 8), {}, (p) => (rnorm, budget, step) => {
 *   for (let i = 0; i < p.n; i++) p.x[i] += p.r[i] / 4;
 *   step(0);
 *   return { status: "converged", iterations: 1 };
 * });
 * console.assert(result.converged && result.x[1] === 2);
 * ```
 */
export function runKrylov(
  method: KrylovMethod,
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions,
  setup: (problem: KrylovProblem) => KrylovCycle,
): SolveResult {
  const input = checkKrylovInput(method, A, b, options);
  const { n, rtol, maxIter } = input;
  const M = input.preconditioner;
  // Solve at unit scale: A y = b/s, x = s·y with s a power of two near max|b| (exact), so no
  // dot product overflows or underflows whatever the scale of b; norms and the absolute
  // tolerance are scaled alike, and the result is reported at the caller's scale.
  const s = unitScale(b);
  const bs = s === 1 ? b : b.map((v) => v / s);
  const atol = input.atol / s;
  const bnorm = norm2(bs);
  const x = new Float64Array(n);
  const history: number[] = [];
  const finish = (reason: SolveReason, iterations: number, rnorm: number): SolveResult => {
    if (s !== 1) { for (let i = 0; i < n; i++) x[i] *= s; }
    return enforcePolicy({
      x,
      converged: reason.startsWith("converged"),
      reason,
      iterations,
      relativeResidual: bnorm === 0 ? rnorm : rnorm / bnorm,
      residualNorm: rnorm * s,
      residualHistory: history,
      method,
      preconditioner: M?.name ?? "none",
      message: reasonMessage(reason),
    }, options.onFailure ?? "throw");
  };

  if (bnorm === 0) {
    history.push(0);
    return finish("converged-atol", 0, 0);
  }
  if (options.x0) {
    if (s === 1) x.set(options.x0);
    else for (let i = 0; i < n; i++) x[i] = options.x0[i] / s;
  }
  const r = new Float64Array(n);
  const tol = Math.max(rtol * bnorm, atol);
  const converged: SolveReason = rtol * bnorm >= atol ? "converged-rtol" : "converged-atol";
  let rnorm = trueResidual(A, bs, x, r);
  history.push(rnorm / bnorm);
  if (!(rnorm < Infinity)) return finish("diverged-non-finite", 0, rnorm);
  if (rnorm <= tol) return finish(converged, 0, rnorm);

  const cycle = setup({ A, M, n, x, r, tol, restart: input.restart });
  const callback = options.callback;
  let iterations = 0;
  const step: IterationStep = (estimate) => {
    history.push(estimate / bnorm);
    if (!callback) return false;
    return callback({ iteration: history.length - 1, relativeResidual: estimate / bnorm }) ===
      true;
  };
  let lastRestartNorm = rnorm;
  for (;;) {
    const outcome = cycle(rnorm, maxIter - iterations, step);
    iterations += outcome.iterations;
    rnorm = trueResidual(A, bs, x, r);
    if (rnorm <= tol) return finish(converged, iterations, rnorm);
    if (!(rnorm < Infinity)) return finish("diverged-non-finite", iterations, rnorm);
    switch (outcome.status) {
      case "converged":
        if (iterations >= maxIter) return finish("diverged-max-iterations", iterations, rnorm);
        if (rnorm > STAGNATION_FACTOR * lastRestartNorm) {
          return finish("diverged-stagnation", iterations, rnorm);
        }
        lastRestartNorm = rnorm;
        break;
      case "restart":
        if (iterations >= maxIter) return finish("diverged-max-iterations", iterations, rnorm);
        break;
      case "max-iterations":
      case "stopped":
        return finish("diverged-max-iterations", iterations, rnorm);
      case "breakdown":
        return finish("diverged-breakdown", iterations, rnorm);
      case "indefinite":
        return finish("diverged-indefinite", iterations, rnorm);
      case "non-finite":
        return finish("diverged-non-finite", iterations, rnorm);
    }
  }
}
