/**
 * The numeric solve behind every differentiable solve, for one right-hand
 * side: scale the right-hand side to unit max-norm, call the solver
 * dispatcher (the ONE call site, {@linkcode solveLinear}), scale back.
 * Scaling keeps tiny cotangents (1e-300) from underflowing inside the
 * solver's inner products; a zero right-hand side returns `x = 0` without
 * calling any solver.
 *
 * @module
 */

import type { LinearOperator } from "../linalg/operator.ts";
import type { KrylovOptions } from "../linalg/options.ts";
import { reasonMessage, type SolveMethod, type SolveResult } from "../linalg/result.ts";
import { enforcePolicy } from "../linalg/result.ts";
import { directSolve } from "../linalg/direct/factor.ts";
import { solveLinear } from "../linalg/solve.ts";
import { maxAbs } from "../linalg/vector.ts";
import type { DirectHandle } from "./system.ts";

/** Options of {@linkcode numericSolve}. */
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
 * Solves `A x = b` at unit right-hand-side scale; `solved` is false when
 * `b = 0` and no solver ran. Applies `options.onFailure` to the unscaled result.
 */
export function numericSolve(
  A: LinearOperator,
  b: Float64Array,
  options: NumericSolveOptions,
): { result: SolveResult; solved: boolean } {
  const s = maxAbs(b);
  const precName = options.preconditioner?.name ?? "none";
  if (s === 0) return { result: zeroResult(b.length, options.method, precName), solved: false };
  const scaled = b.map((v) => v / s);
  const x0 = options.x0?.map((v) => v / s);
  const { direct, ...krylov } = options;
  const r = options.method === "direct" && direct
    ? directSolve(direct.matrix, scaled, {
      factorization: direct.factorization(),
      transpose: direct.transpose,
      onFailure: "return",
    })
    : solveLinear(A, scaled, {
      ...krylov,
      atol: (options.atol ?? 0) / s,
      ...(x0 ? { x0 } : {}),
      onFailure: "return",
    });
  const x = r.x.map((v) => v * s);
  const result: SolveResult = { ...r, x, residualNorm: r.residualNorm * s };
  return { result: enforcePolicy(result, options.onFailure ?? "throw"), solved: true };
}
