/**
 * The differentiable linear solve `x = A⁻¹b`: `solve` and `solveWithInfo`.
 *
 * Gradients: `adjoint: "implicit"` (default) records one node and solves
 * `Aᵀλ = x̄` in the backward pass (memory O(n + nnz), whatever the number of
 * iterations); `"unrolled"` records every CG/BiCGSTAB iteration;
 * `{ truncated: k }` solves numerically, then records only k more iterations
 * started from the (constant) converged iterate.
 *
 * Gradients are accurate only if the solves converge: by default the
 * backward pass refuses to differentiate a forward solve that did not.
 *
 * @module
 */

import { Tensor } from "../autodiff/tensor.ts";
import type { AmgOptions, AmgPreconditioner } from "../linalg/amg/mod.ts";
import { GradsolveError, ShapeError } from "../errors.ts";
import type { FailurePolicy, SolveMethod } from "../linalg/result.ts";
import { checkKrylovInput } from "../linalg/krylov.ts";
import { numericSolve } from "../linalg/numeric_solve.ts";
import { type AdjointWarmStart, implicitSolve } from "./implicit.ts";
import {
  isAmg,
  isDifferentiable,
  numericPreconditioner,
  type PreconditionerSpec,
} from "./preconditioning.ts";
import { SolveInfo } from "./solve_info.ts";
import { type DiffMatrix, systemOf } from "./system.ts";
import {
  columnsOf,
  fromColumns,
  tensorPreconditioner,
  type UnrolledOutcome,
  unrolledSolve,
} from "./unrolled.ts";

/**
 * How gradients flow through the solve.
 *
 * - `"implicit"`: the derivative of `x* = A⁻¹b` itself, by one adjoint solve
 *   `Aᵀλ = x̄` (exact up to the adjoint's tolerance; memory O(n + nnz)).
 * - `"unrolled"`: backpropagation through the k recorded CG/BiCGSTAB
 *   iterations. This is the derivative of the k-step iteration map
 *   `b ↦ x_k(A, b)`, **not** the derivative of `A⁻¹b`, and it can be far from
 *   it even when `x_k` has converged: the gradient-quality report measures a
 *   relative error of order 10 (26.8 in the committed run) for unrolled CG
 *   stopped by its own tolerance, against 6e-4 after 1,000 iterations and
 *   5e-11 for the implicit adjoint. Memory grows with k.
 * - `{ truncated: k }`: converge without a tape, then record k more
 *   iterations from the converged (constant) iterate: the derivative of k
 *   steps of the iteration map started there (relative error 0.8 for k = 10
 *   in the same report).
 *
 * Whenever an unrolled or truncated solve runs, `SolveInfo.gradientNote`
 * says so.
 *
 * @category Differentiable solves
 */
export type AdjointMode = "implicit" | "unrolled" | { readonly truncated: number };

/**
 * Options of the adjoint solve `Aᵀλ = x̄` (implicit mode).
 *
 * @category Differentiable solves
 */
export interface AdjointOptions {
  /** Relative tolerance of the adjoint solve. @default {the forward rtol} */
  rtol?: number;
  /** Absolute tolerance of the adjoint solve. @default {the forward atol} */
  atol?: number;
  /** Iteration cap of the adjoint solve. @default {the forward maxIter} */
  maxIter?: number;
  /**
   * Start each adjoint solve from the previous adjoint solution: `true` keeps
   * it for this solve call (repeated pullbacks); pass a holder object to
   * carry it across calls (a training loop). @default {false}
   */
  warmStart?: boolean | AdjointWarmStart;
  /**
   * What the backward pass does when the forward solve did not converge
   * (possible with `onFailure: "return"`): `"throw"` a ConvergenceError,
   * or `"allow"` differentiating the unconverged iterate. @default {"throw"}
   */
  onForwardFailure?: "throw" | "allow";
}

/**
 * Options of {@linkcode solve}.
 *
 * @category Differentiable solves
 */
export interface SolveOptions {
  /** Solver. @default {"cg" when A is exactly symmetric (promised, for matrix-free), else "gmres"} */
  method?: SolveMethod;
  /**
   * Preconditioner: a name (built from A; `ic0` uses an automatic shift), a
   * numeric Preconditioner, or a DifferentiablePreconditioner (whose params
   * get gradients in unrolled and truncated modes only; implicit: exactly
   * zero, as the exact solution does not depend on M). @default {"none"}
   */
  preconditioner?: PreconditionerSpec;
  /**
   * Options of the AMG hierarchy for `preconditioner: "amg"` (coarsening,
   * smoother, cycle, near-nullspace, …). To reuse one hierarchy across solves
   * whose values change (a training loop), build it once with `amgSetup` and
   * pass the state as `preconditioner`: each solve then refreshes its numeric
   * part from the current values (`update`), and the forward and adjoint
   * solves share it. @default {see AmgOptions}
   */
  amg?: AmgOptions;
  /** Relative tolerance. @default {1e-8} */
  rtol?: number;
  /** Absolute tolerance. @default {0} */
  atol?: number;
  /** Iteration cap. @default {max(1000, 10·n)} */
  maxIter?: number;
  /** GMRES restart length. @default {30} */
  restart?: number;
  /** Initial guess of the forward solve (n, or n·k row-major for a block). @default {zeros} */
  x0?: Float64Array;
  /** On non-convergence of any solve (forward or adjoint): throw or return. @default {"throw"} */
  onFailure?: FailurePolicy;
  /** Gradient mode. @default {"implicit"} */
  adjoint?: AdjointMode;
  /** Unrolled mode: run exactly this many iterations instead of stopping on rtol. */
  iterations?: number;
  /** Options of the adjoint solve. */
  adjointOptions?: AdjointOptions;
}

function krylovOptions(o: SolveOptions) {
  return {
    ...(o.rtol !== undefined ? { rtol: o.rtol } : {}),
    ...(o.atol !== undefined ? { atol: o.atol } : {}),
    ...(o.maxIter !== undefined ? { maxIter: o.maxIter } : {}),
    ...(o.restart !== undefined ? { restart: o.restart } : {}),
    onFailure: o.onFailure ?? "throw",
  };
}

/**
 * Solves `A x = b` (b is [n] or [n, k]) and returns x on the tape, with
 * diagnostics: the forward result(s), and the adjoint results once a
 * backward pass has run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, fromCsr, grad, solveWithInfo, sum, tensor } from "@gradsolve/gradsolve";
 * const A = fromCsr(CsrMatrix.fromDense([[4, 1], [1, 3]]));
 * let info: ReturnType<typeof solveWithInfo> | undefined;
 * const g = grad((b) => {
 *   info = solveWithInfo(A, b, { rtol: 1e-12 });
 *   return sum(info.x);
 * })(tensor([1, 2]));
 * assert.equal(info!.forward.method, "cg");
 * assert.equal(info!.adjoints.length, 1);
 * assert.ok(Math.abs(g.data[0] - 2 / 11) < 1e-10); // A⁻ᵀ·1
 * ```
 *
 * @category Differentiable solves
 */
export function solveWithInfo(A: DiffMatrix, b: Tensor, options: SolveOptions = {}): SolveInfo {
  const sys = systemOf(A);
  if (!(b instanceof Tensor)) throw new ShapeError("Cannot solve: b must be a Tensor");
  // GPU solves are asynchronous; a synchronous solve must not fall back to the CPU silently.
  const backend = (options as { backend?: unknown }).backend;
  if (backend !== undefined && backend !== "cpu") {
    throw new GradsolveError(
      `Cannot solve on backend ${
        JSON.stringify(backend)
      } synchronously: solve() runs on the CPU; ` +
        'use solveAsync(A, b, { backend: "webgpu", gpu }) with gradAsync for the GPU',
    );
  }
  // Non-finite values first: they would otherwise show as a nonsymmetric matrix.
  sys.csr?.assertFinite("A");
  const method = options.method ?? (sys.symmetric ? "cg" : "gmres");
  const spec = options.preconditioner;
  const M = numericPreconditioner(spec, sys, options.amg);
  const info = new SolveInfo();
  if (M && isAmg(M)) info.amg = M.info;
  const mode = options.adjoint ?? "implicit";
  if (mode === "implicit") {
    const ao = options.adjointOptions ?? {};
    const fwd = krylovOptions(options);
    const warm = ao.warmStart === true
      ? { lambda: undefined }
      : ao.warmStart === false || ao.warmStart === undefined
      ? undefined
      : ao.warmStart;
    // The CPU backend is synchronous, so the node is a Tensor, not a promise.
    info.x = implicitSolve(sys, b, M, "forward", {
      method,
      forward: { ...fwd, ...(options.x0 ? { x0: options.x0 } : {}) },
      adjoint: {
        ...fwd,
        ...(ao.rtol !== undefined ? { rtol: ao.rtol } : {}),
        ...(ao.atol !== undefined ? { atol: ao.atol } : {}),
        ...(ao.maxIter !== undefined ? { maxIter: ao.maxIter } : {}),
      },
      warmStart: warm,
      onForwardFailure: ao.onForwardFailure ?? "throw",
      info,
    }) as Tensor;
    if (M && isAmg(M)) info.amgNote = reuseNote(M, info.forward.iterations);
    return info;
  }
  if (method !== "cg" && method !== "bicgstab") {
    throw new RangeError(
      `Cannot unroll the solve: unrolled and truncated modes support cg and bicgstab, got ${method}`,
    );
  }
  const truncated = typeof mode === "object" ? mode.truncated : undefined;
  if (truncated !== undefined && !(Number.isInteger(truncated) && truncated >= 1)) {
    throw new RangeError(
      `Cannot truncate the solve: truncated must be an integer >= 1, got ${truncated}`,
    );
  }
  const precName = M?.name ?? "none";
  const Mt = tensorPreconditioner(M, isDifferentiable(spec) ? spec : undefined);
  if (b.ndim !== 1 && b.ndim !== 2 || b.shape[0] !== sys.n) {
    throw new ShapeError(
      `Cannot solve: b has shape [${b.shape}] but the matrix is ${sys.n}x${sys.n}`,
    );
  }
  const k = b.ndim === 2 ? b.shape[1] : 1;
  if (options.x0 !== undefined && options.x0.length !== sys.n * k) {
    throw new ShapeError(
      `Cannot solve: x0 has length ${options.x0.length} but b needs ${sys.n * k} (n·k)`,
    );
  }
  const iterations = options.iterations;
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations >= 1)) {
    throw new RangeError(
      `Cannot unroll the solve: iterations must be an integer >= 1, got ${iterations}`,
    );
  }
  const onFailure = options.onFailure ?? "throw";
  info.gradientMode = truncated === undefined ? "unrolled" : "truncated";
  info.gradientNote = truncated === undefined
    ? `The gradient is that of ${method} unrolled for the recorded iterations (the k-step ` +
      "iteration map), not the derivative of A⁻¹b; it can be far from it even when x converged. " +
      'Use adjoint: "implicit" for the exact gradient.'
    : `The gradient is that of ${truncated} ${method} iterations recorded from the converged ` +
      "iterate (a truncated derivative), not the derivative of A⁻¹b. " +
      'Use adjoint: "implicit" for the exact gradient.';
  const cols = b.ndim === 2 ? columnsOf(b) : [b];
  const xs = cols.map((bj, j) => {
    const x0 = initialGuess(options.x0, sys.n, k, j);
    // The same validation and defaults as every numeric solve (finite b, x0 and A; tolerances).
    const input = checkKrylovInput(method, sys.numeric, bj.data, {
      ...krylovOptions(options),
      ...(options.x0 ? { x0: x0.data } : {}),
    });
    const stop = { rtol: input.rtol, atol: input.atol, maxIter: input.maxIter, onFailure };
    let out: UnrolledOutcome;
    if (truncated === undefined) {
      out = unrolledSolve(method, sys, bj, x0, Mt, { ...stop, iterations }, precName);
    } else {
      // Converge numerically (no tape), then record the last k iterations only.
      const pre = numericSolve(sys.numeric, bj.data, {
        ...krylovOptions(options),
        method,
        ...(options.x0 ? { x0: x0.data } : {}),
        ...(M ? { preconditioner: M } : {}),
      });
      info.solveCount += pre.solved ? 1 : 0;
      const start = new Tensor(pre.result.x, [sys.n]);
      out = unrolledSolve(method, sys, bj, start, Mt, { ...stop, iterations: truncated }, precName);
    }
    info.forwardColumns.push(out.result);
    info.solveCount++;
    return out.x;
  });
  info.x = b.ndim === 2 ? fromColumns(xs) : xs[0];
  return info;
}

/** Iterations of the first solve with each AMG state: the baseline its later solves compare to. */
const amgBaseline = new WeakMap<AmgPreconditioner, number>();

/**
 * When a reused AMG hierarchy needs more than twice (plus two) the iterations
 * of its first solve, its aggregates no longer fit the values: a note saying
 * a fresh `amgSetup` is due; otherwise undefined.
 */
function reuseNote(M: AmgPreconditioner, iterations: number): string | undefined {
  const base = amgBaseline.get(M);
  if (base === undefined) {
    amgBaseline.set(M, iterations);
    return undefined;
  }
  if (iterations <= 2 * base + 2) return undefined;
  return `The reused AMG hierarchy took ${iterations} iterations against ${base} on its first ` +
    "solve: its aggregates no longer fit the values; a fresh amgSetup is due.";
}

function initialGuess(x0: Float64Array | undefined, n: number, k: number, j: number): Tensor {
  const v = new Float64Array(n);
  if (x0) { for (let i = 0; i < n; i++) v[i] = x0[i * k + j]; }
  return new Tensor(v, [n]);
}

/**
 * The differentiable solve `x = A⁻¹b`: `A` a SparseTensor, a dense [n, n]
 * Tensor, or a ParametricOperator; `b` [n] or [n, k] (solved as a block).
 * See {@linkcode SolveOptions} for the methods and gradient modes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dot, fromArray, grad, solve, tensor } from "@gradsolve/gradsolve";
 * const A = fromArray([[3, 1], [0, 2]]), c = tensor([1, 1]);
 * // d/db (c · A⁻¹b) = A⁻ᵀc
 * const g = grad((b) => dot(c, solve(A, b, { rtol: 1e-12 })))(tensor([1, 1]));
 * assert.ok(Math.abs(g.data[0] - 1 / 3) < 1e-10);
 * assert.ok(Math.abs(g.data[1] - 1 / 3) < 1e-10);
 * ```
 *
 * @category Differentiable solves
 */
export function solve(A: DiffMatrix, b: Tensor, options: SolveOptions = {}): Tensor {
  return solveWithInfo(A, b, options).x;
}
