/**
 * Options shared by every iterative solver.
 *
 * @module
 */

import type { Preconditioner } from "./preconditioner.ts";
import type { FailurePolicy } from "./result.ts";

/**
 * Progress of one iteration, passed to {@linkcode KrylovOptions.callback}.
 *
 * @category Solvers
 */
export interface IterationInfo {
  /** Iteration number, starting at 1 (per right-hand side in a block solve). */
  readonly iteration: number;
  /** The solver's residual-norm estimate relative to ‖b‖. */
  readonly relativeResidual: number;
  /** The right-hand side (column) this iteration belongs to; 0 for a single solve. */
  readonly column: number;
  /**
   * The iteration's step length: CG's `α`, BiCGSTAB's `α` (first half-step)
   * or `ω` (second); undefined for GMRES and MINRES.
   */
  readonly alpha?: number;
  /**
   * The coefficient of the last direction update: CG's `β` from the previous
   * iteration (so `α` and `β` together give the Lanczos tridiagonal),
   * BiCGSTAB's `β`; undefined at the first iteration and for GMRES/MINRES.
   */
  readonly beta?: number;
  /** A copy of the current iterate (CG and BiCGSTAB on the CPU; undefined elsewhere). */
  readonly iterate?: () => Float64Array;
}

/**
 * Options for CG, BiCGSTAB, GMRES and MINRES. The stopping test is
 * `‖b − Ax‖ ≤ max(rtol·‖b‖, atol)`, confirmed on the true residual before
 * a solve reports convergence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, type KrylovOptions, poisson1d } from "@gradsolve/gradsolve";
 * const opts: KrylovOptions = { rtol: 1e-10, maxIter: 500, onFailure: "return" };
 * const result = cg(poisson1d(50), new Float64Array(50).fill(1), opts);
 * assert.ok(result.converged);
 * assert.ok(result.relativeResidual <= 1e-10);
 * ```
 *
 * @category Solvers
 */
export interface KrylovOptions {
  /** Relative tolerance on the true residual. @default {1e-8} */
  rtol?: number;
  /** Absolute tolerance on the true residual. @default {0} */
  atol?: number;
  /** Maximum iterations (matrix–vector products of the main loop). @default {max(1000, 10·n)} */
  maxIter?: number;
  /** Initial guess (not modified). @default {zeros} */
  x0?: Float64Array;
  /** Preconditioner `M⁻¹`. @default {none} */
  preconditioner?: Preconditioner;
  /** GMRES restart length m. @default {30} */
  restart?: number;
  /** `"throw"` raises ConvergenceError on failure; `"return"` returns the failed result. @default {"throw"} */
  onFailure?: FailurePolicy;
  /** Called after every iteration; return `true` to stop early (reported as max-iterations unless converged). */
  callback?: (info: IterationInfo) => boolean | void;
}
