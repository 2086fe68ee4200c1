/**
 * One entry point for every numeric (non-differentiable) solve on the CPU:
 * the Krylov methods and the sparse direct solver behind one options type.
 * The differentiable `solve` (lib/diff) and the CLI call this.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { directSolve } from "./direct/factor.ts";
import { krylovSolve } from "./krylov.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveMethod, SolveResult } from "./result.ts";

/**
 * Options of {@linkcode solveLinear}: a method plus the Krylov options.
 *
 * @category Solvers
 */
export interface LinearSolveOptions extends KrylovOptions {
  /** Solver; `"direct"` needs a CsrMatrix. @default {"cg" when A is symmetric, else "gmres"} */
  method?: SolveMethod;
}

/**
 * The default method for an operator: CG when it is symmetric (exactly, for a
 * CsrMatrix; by promise for other operators), GMRES otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, defaultMethod } from "@gradsolve/gradsolve";
 * assert.equal(defaultMethod(CsrMatrix.fromDense([[2, 1], [1, 2]])), "cg");
 * ```
 *
 * @category Solvers
 */
export function defaultMethod(A: LinearOperator): SolveMethod {
  return A.symmetric ? "cg" : "gmres";
}

/**
 * Solves `A x = b` with the chosen method and returns the {@linkcode SolveResult}
 * (throws ConvergenceError on failure unless `onFailure: "return"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, solveLinear } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const r = solveLinear(A, Float64Array.of(1, 2), { method: "cg", rtol: 1e-12 });
 * assert.ok(r.converged);
 * assert.ok(r.relativeResidual < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function solveLinear(
  A: LinearOperator,
  b: Float64Array,
  options: LinearSolveOptions = {},
): SolveResult {
  const method = options.method ?? defaultMethod(A);
  if (method === "direct") {
    if (!(A instanceof CsrMatrix)) {
      throw new ShapeError(
        'Cannot use method "direct": it needs a CsrMatrix, not a matrix-free operator',
      );
    }
    return directSolve(A, b, { onFailure: options.onFailure ?? "throw" });
  }
  return krylovSolve(A, b, { ...options, method });
}
