/**
 * What every solve returns, and why it stopped, in the spirit of PETSc's
 * `KSPConvergedReason`: a converged reason says which test passed, a diverged
 * reason says what went wrong. A failed solve is never reported as converged.
 *
 * @module
 */

import { attachDisplay, solveResultDisplay } from "../display/bundles.ts";
import { GradsolveError } from "../errors.ts";

/**
 * Why a solve stopped.
 *
 * - `converged-rtol`: `‖b − Ax‖ ≤ rtol·‖b‖` (the true residual, recomputed).
 * - `converged-atol`: `‖b − Ax‖ ≤ atol` (also when `b = 0`, with `x = 0`).
 * - `converged-direct`: a direct (factorisation) solve finished.
 * - `diverged-max-iterations`: `maxIter` reached without meeting the tolerance.
 * - `diverged-breakdown`: a Krylov scalar vanished (e.g. `ρ = 0` in BiCGSTAB).
 * - `diverged-indefinite`: CG met `pᵀAp ≤ 0`, or MINRES / preconditioned CG met
 *   an indefinite preconditioner.
 * - `diverged-non-finite`: NaN or Inf appeared during the iteration.
 * - `diverged-stagnation`: the true residual stopped decreasing although the
 *   recursive one met the tolerance (loss of accuracy; e.g. float32 floor).
 *
 * @category Solvers
 */
export type SolveReason =
  | "converged-rtol"
  | "converged-atol"
  | "converged-direct"
  | "diverged-max-iterations"
  | "diverged-breakdown"
  | "diverged-indefinite"
  | "diverged-non-finite"
  | "diverged-stagnation";

/**
 * The method names gradsolve's solvers report.
 *
 * @category Solvers
 */
export type SolveMethod = "cg" | "bicgstab" | "gmres" | "minres" | "direct";

/**
 * The outcome of one solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix, type SolveResult } from "@gradsolve/gradsolve";
 * function report(r: SolveResult) {
 *   return `${r.method}: ${r.reason} after ${r.iterations} iterations, ‖b−Ax‖/‖b‖ = ${r.relativeResidual}`;
 * }
 * const r = cg(CsrMatrix.fromDense([[4, 1], [1, 3]]), Float64Array.of(1, 2));
 * assert.ok(report(r).startsWith("cg: converged-rtol after 2 iterations"));
 * ```
 *
 * @category Solvers
 */
export interface SolveResult {
  /** The solution (the best iterate, also when the solve failed). */
  readonly x: Float64Array;
  /** True exactly when `reason` starts with `converged`. */
  readonly converged: boolean;
  /** Why the solve stopped. */
  readonly reason: SolveReason;
  /** Iterations taken (matrix–vector products of the main loop). */
  readonly iterations: number;
  /** True relative residual `‖b − Ax‖₂ / ‖b‖₂`, recomputed in float64 at the end (0 when b = 0 and x = 0). */
  readonly relativeResidual: number;
  /** True residual norm `‖b − Ax‖₂`. */
  readonly residualNorm: number;
  /**
   * The solver's own residual estimate per iteration, relative to `‖b‖`
   * (index 0 is the initial guess). For GMRES and MINRES this is the
   * recursive (least-squares) estimate; it may differ from the true residual.
   */
  readonly residualHistory: readonly number[];
  /** Solver that produced this result. */
  readonly method: SolveMethod;
  /** Preconditioner name (`none`, `jacobi`, `ilu0`, `ic0`, `user`, …). */
  readonly preconditioner: string;
  /** One human-readable sentence on the outcome, with advice on failure. */
  readonly message: string;
}

/**
 * The one result builder: a {@linkcode SolveResult} from its facts, with
 * `converged` derived from the reason and the advice sentence for it (or
 * `message` when given). Every solver (Krylov on every backend, direct, GPU,
 * unrolled) builds its result here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeResult } from "@gradsolve/gradsolve";
 * const r = makeResult({
 *   x: Float64Array.of(1),
 *   reason: "diverged-breakdown",
 *   iterations: 3,
 *   relativeResidual: 0.5,
 *   residualNorm: 0.5,
 *   residualHistory: [1, 0.5],
 *   method: "bicgstab",
 *   preconditioner: "none",
 * });
 * assert.equal(r.converged, false);
 * assert.match(r.message, /broke down/);
 * ```
 *
 * @category Solvers
 */
export function makeResult(
  facts: Omit<SolveResult, "converged" | "message"> & { message?: string },
): SolveResult {
  // In a notebook the result shows its residual history and a small table
  // (a non-enumerable Symbol.for("Jupyter.display") method).
  return attachDisplay({
    x: facts.x,
    converged: facts.reason.startsWith("converged"),
    reason: facts.reason,
    iterations: facts.iterations,
    relativeResidual: facts.relativeResidual,
    residualNorm: facts.residualNorm,
    residualHistory: facts.residualHistory,
    method: facts.method,
    preconditioner: facts.preconditioner,
    message: facts.message ?? reasonMessage(facts.reason),
  }, solveResultDisplay);
}

/**
 * What to do when a solve does not converge.
 *
 * @category Solvers
 */
export type FailurePolicy = "throw" | "return";

/**
 * Throws {@linkcode ConvergenceError} for a failed result when the policy is
 * `"throw"`; returns the result otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix, enforcePolicy } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const r = cg(A, Float64Array.of(1, 2), { maxIter: 1, onFailure: "return" });
 * assert.ok(!r.converged);
 * assert.equal(enforcePolicy(r, "return"), r);
 * ```
 *
 * @category Solvers
 */
export function enforcePolicy<R extends SolveResult>(
  result: R,
  policy: FailurePolicy = "throw",
): R {
  if (!result.converged && policy === "throw") {
    throw new ConvergenceError(
      `${result.method} did not converge (${result.reason}) after ${result.iterations} iterations: ` +
        `relative residual ${result.relativeResidual.toExponential(3)}. ${result.message}`,
      result,
    );
  }
  return result;
}

/**
 * Advice for each reason, used to build `SolveResult.message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reasonMessage } from "@gradsolve/gradsolve";
 * assert.ok(reasonMessage("diverged-max-iterations").includes("maxIter"));
 * ```
 *
 * @category Solvers
 */
export function reasonMessage(reason: SolveReason): string {
  switch (reason) {
    case "converged-rtol":
      return "Converged: the true residual met rtol.";
    case "converged-atol":
      return "Converged: the true residual met atol.";
    case "converged-direct":
      return "Solved by factorisation.";
    case "diverged-max-iterations":
      return "The maximum number of iterations was reached. Increase maxIter, loosen rtol, or use a stronger preconditioner.";
    case "diverged-breakdown":
      return "The Krylov method broke down (a scalar of the recurrence vanished). Try GMRES or a direct solve.";
    case "diverged-indefinite":
      return "The matrix (or preconditioner) is not positive definite. Use MINRES for symmetric indefinite systems, GMRES or BiCGSTAB otherwise.";
    case "diverged-non-finite":
      return "NaN or Inf appeared during the iteration. Check the matrix scaling and the preconditioner.";
    case "diverged-stagnation":
      return "The true residual stagnated above the tolerance (loss of precision). Loosen rtol or use a direct solve.";
  }
}

/**
 * An iterative solve did not converge and the caller asked for an exception
 * (the default). The full result, with reason and residual history, is
 * attached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, ConvergenceError, poisson1d } from "@gradsolve/gradsolve";
 * const b = new Float64Array(100).fill(1);
 * try {
 *   cg(poisson1d(100), b, { maxIter: 3, onFailure: "throw" });
 *   assert.fail("3 iterations cannot solve a 100-point Poisson problem");
 * } catch (e) {
 *   assert.ok(e instanceof ConvergenceError);
 *   assert.equal(e.result.reason, "diverged-max-iterations");
 * }
 * ```
 *
 * @category Errors
 */
export class ConvergenceError extends GradsolveError {
  /** The result of the failed solve. */
  readonly result: SolveResult;
  /** Creates the error around a failed `result`. */
  constructor(message: string, result: SolveResult, options?: ErrorOptions) {
    super(message, options);
    this.result = result;
  }
}
