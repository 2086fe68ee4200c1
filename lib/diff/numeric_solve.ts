/**
 * The numeric solve behind every differentiable solve, for one right-hand
 * side: call the solver dispatcher (the ONE call site,
 * {@linkcode solveLinear}), which solves at unit right-hand-side scale so
 * tiny cotangents (1e-300) do not underflow inside its inner products; a
 * zero right-hand side returns `x = 0` without calling any solver.
 *
 * @module
 */

import type { LinearOperator } from "../linalg/operator.ts";
import type { KrylovOptions } from "../linalg/options.ts";
import { reasonMessage, type SolveMethod, type SolveResult } from "../linalg/result.ts";
import { directSolve } from "../linalg/direct/factor.ts";
import { solveLinear } from "../linalg/solve.ts";
import { maxAbs } from "../linalg/vector.ts";
import type { DirectHandle } from "./system.ts";

/**
 * Options of `numericSolve`, the tape-free float64 solve that {@linkcode solve} runs.
 *
 * @category Differentiable solves
 */
export interface NumericSolveOptions extends KrylovOptions {
  /** Solver to run. */
  method: SolveMethod;
  /** For `method: "direct"`: the system's shared factorisation (reused by the adjoint). */
  direct?: DirectHandle;
}

/** The result for `b = 0`: `x = 0`, converged, no iterations, no solve. */
export function zeroResult(n: number, method: SolveMethod, preconditioner: string): SolveResult {
  return {
    x: new Float64Array(n),
    converged: true,
    reason: "converged-atol",
    iterations: 0,
    relativeResidual: 0,
    residualNorm: 0,
    residualHistory: [0],
    method,
    preconditioner,
    message: reasonMessage("converged-atol"),
  };
}

/**
 * Solves `A x = b` with the method named in `options` (the solvers work at
 * unit right-hand-side scale themselves); `solved` is false when `b = 0`
 * and no solver ran. Applies `options.onFailure`.
 */
export function numericSolve(
  A: LinearOperator,
  b: Float64Array,
  options: NumericSolveOptions,
): { result: SolveResult; solved: boolean } {
  const precName = options.preconditioner?.name ?? "none";
  if (maxAbs(b) === 0) {
    return { result: zeroResult(b.length, options.method, precName), solved: false };
  }
  const { direct, ...krylov } = options;
  const result = options.method === "direct" && direct
    ? directSolve(direct.matrix, b, {
      factorization: direct.factorization(),
      transpose: direct.transpose,
      onFailure: options.onFailure ?? "throw",
    })
    : solveLinear(A, b, krylov);
  return { result, solved: true };
}
