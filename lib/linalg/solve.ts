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
import { bicgstab, bicgstabMethod } from "./bicgstab.ts";
import { getColumn } from "./block.ts";
import { cg, cgMethod } from "./cg.ts";
import { cpuMethodCycle } from "./cpu_ops.ts";
import { gmres } from "./gmres.ts";
import { type KrylovMethod, type KrylovSolveOptions, runKrylov } from "./krylov.ts";
import { minres } from "./minres.ts";
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

/**
 * Solves `A x = b` with the named Krylov method (`cg`, `bicgstab`, `gmres`,
 * `minres`); same options and result as calling the solver directly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, krylovSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [2, 3]]);
 * const r = krylovSolve(A, Float64Array.of(1, 2), { method: "gmres", rtol: 1e-12 });
 * assert.ok(r.converged);
 * assert.equal(r.method, "gmres");
 * ```
 *
 * @category Solvers
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

/**
 * Solves `A X = B` for the k columns of `B` (n×k row-major) with a Krylov
 * method and returns one result per column. CG and BiCGSTAB run the k
 * columns in lock-step through the same method text as a single solve (one
 * pass over a CSR matrix per product for all columns, each column with its
 * own scalars, stopping on its own tolerance); GMRES and MINRES solve the
 * columns one after another. `x0`, when given, is n×k; `onFailure` applies
 * per column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, krylovBlockSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const [c0, c1] = krylovBlockSolve("cg", A, Float64Array.of(1, 0, 0, 1), 2, { rtol: 1e-12 });
 * assert.ok(Math.abs(c0.x[0] - 3 / 11) < 1e-12); // first column of A⁻¹
 * assert.ok(Math.abs(c1.x[0] + 1 / 11) < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function krylovBlockSolve(
  method: KrylovMethod,
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: KrylovOptions = {},
): SolveResult[] {
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new RangeError(`Cannot solve a block: k must be an integer >= 1, got ${k}`);
  }
  if (method === "cg" || method === "bicgstab") {
    const text = method === "cg" ? cgMethod : bicgstabMethod;
    return runKrylov(method, A, B, k, options, cpuMethodCycle(text));
  }
  const n = A.shape[0];
  if (B.length !== n * k) {
    throw new ShapeError(
      `Cannot solve a block: B has length ${B.length} but must be n·k = ${n}·${k}`,
    );
  }
  const results: SolveResult[] = [];
  for (let j = 0; j < k; j++) {
    const b = new Float64Array(n);
    getColumn(B, k, j, b);
    let x0: Float64Array | undefined;
    if (options.x0) getColumn(options.x0, k, j, x0 = new Float64Array(n));
    results.push(krylovSolve(A, b, { ...options, method, ...(x0 ? { x0 } : {}) }));
  }
  return results;
}
