/**
 * The numeric solve behind every differentiable solve on the CPU, for one
 * right-hand side ({@linkcode numericSolve}) or an n×k block
 * ({@linkcode blockSolve}): the method named in the options, a shared
 * factorisation for `method: "direct"`, and zero right-hand sides answered
 * with `x = 0` without running a solver (reported, so a caller can count the
 * solves that ran). The solvers work at unit right-hand-side scale, so tiny
 * cotangents (1e-300) do not underflow inside their inner products.
 *
 * @module
 */

import type { CsrMatrix } from "../sparse/csr.ts";
import { getColumn, setColumn } from "./block.ts";
import { directSolve, type Factorization } from "./direct/factor.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import { makeResult, type SolveMethod, type SolveResult } from "./result.ts";
import { krylovBlockSolve, solveLinear } from "./solve.ts";
import { maxAbs } from "./vector.ts";

/**
 * One sparse factorisation shared by a system and its transpose: the forward
 * solve factors `matrix` once (lazily); the adjoint solve of the transposed
 * system reuses the factors with two transposed triangular solves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, type DirectHandle, factorize, numericSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 1], [0, 4]]);
 * const f = factorize(A);
 * const handle: DirectHandle = { matrix: A, transpose: true, factorization: () => f };
 * const { result } = numericSolve(A, Float64Array.of(2, 5), { method: "direct", direct: handle });
 * assert.deepEqual(Array.from(result.x), [1, 1]); // Aᵀx = [2, 5]
 * ```
 *
 * @category Solvers
 */
export interface DirectHandle {
  /** The matrix that is factored (the forward system's). */
  readonly matrix: CsrMatrix;
  /** True for the transposed system: solve `matrixᵀ x = b`. */
  readonly transpose: boolean;
  /** The factorisation, computed on first use and cached. */
  factorization(): Factorization;
}

/**
 * Options of {@linkcode numericSolve} and {@linkcode blockSolve}.
 *
 * @category Solvers
 */
export interface NumericSolveOptions extends KrylovOptions {
  /** Solver to run. */
  method: SolveMethod;
  /** For `method: "direct"`: the system's shared factorisation (reused by the adjoint). */
  direct?: DirectHandle;
}

/**
 * The result for `b = 0`: `x = 0`, converged (atol), no iterations, no solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroResult } from "@gradsolve/gradsolve";
 * const r = zeroResult(3, "cg", "none");
 * assert.equal(r.reason, "converged-atol");
 * assert.equal(r.iterations, 0);
 * ```
 *
 * @category Solvers
 */
export function zeroResult(n: number, method: SolveMethod, preconditioner: string): SolveResult {
  return makeResult({
    x: new Float64Array(n),
    reason: "converged-atol",
    iterations: 0,
    relativeResidual: 0,
    residualNorm: 0,
    residualHistory: [0],
    method,
    preconditioner,
  });
}

/**
 * Solves `A x = b` with the method named in `options`; `solved` is false
 * when `b = 0` and no solver ran. Applies `options.onFailure`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, numericSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const { result, solved } = numericSolve(A, new Float64Array(2), { method: "cg" });
 * assert.equal(solved, false);
 * assert.equal(result.reason, "converged-atol");
 * ```
 *
 * @category Solvers
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

/**
 * Per-column results of {@linkcode blockSolve}.
 *
 * @category Solvers
 */
export interface BlockSolveResult {
  /** Solutions, n×k row-major. */
  readonly X: Float64Array;
  /** One result per column (`x` of each is its column). */
  readonly columns: readonly SolveResult[];
  /** Columns for which a solver ran (zero columns excluded). */
  readonly solved: number;
}

/**
 * Solves `A X = B` for the k columns of `B` (n×k row-major): CG and BiCGSTAB
 * in lock-step (`krylovBlockSolve`), GMRES, MINRES and direct solves column
 * by column. `options.x0`, when given, is n×k. `onFailure` applies per column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockSolve, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const { X } = blockSolve(A, Float64Array.of(1, 0, 0, 1), 2, { method: "cg", rtol: 1e-12 });
 * assert.ok(Math.abs(X[0] - 3 / 11) < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function blockSolve(
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: NumericSolveOptions,
): BlockSolveResult {
  const n = A.shape[0], method = options.method;
  const X = new Float64Array(n * k);
  let solved = 0;
  const zero = new Uint8Array(k);
  const col = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    getColumn(B, k, j, col);
    if (maxAbs(col) === 0) zero[j] = 1;
    else solved++;
  }
  let columns: SolveResult[];
  if (method === "cg" || method === "bicgstab") {
    const { direct: _direct, ...krylov } = options;
    columns = krylovBlockSolve(method, A, B, k, krylov);
  } else {
    columns = [];
    for (let j = 0; j < k; j++) {
      getColumn(B, k, j, col);
      let x0: Float64Array | undefined;
      if (options.x0) getColumn(options.x0, k, j, x0 = new Float64Array(n));
      columns.push(numericSolve(A, col, { ...options, ...(x0 ? { x0 } : {}) }).result);
    }
  }
  for (let j = 0; j < k; j++) setColumn(X, k, j, columns[j].x);
  return { X, columns, solved };
}
