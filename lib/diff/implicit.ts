/**
 * The implicit (adjoint) differentiable solve: one graph node per solve,
 * whatever the number of iterations, built on `customVjp` (or
 * `customVjpAsync` for an asynchronous numeric backend such as the GPU): the
 * one adjoint rule of the library.
 *
 * @module
 */

import { customVjp, customVjpAsync, type CustomVjpStep } from "../autodiff/custom.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { transposedPreconditioner } from "../linalg/preconditioner.ts";
import { type MaybePromise, then } from "../maybe_promise.ts";
import { ShapeError } from "../errors.ts";
import { ConvergenceError } from "../linalg/result.ts";
import type { KrylovOptions } from "../linalg/options.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import type { SolveMethod, SolveResult } from "../linalg/result.ts";
import { blockSolve, numericSolve, type NumericSolveOptions } from "../linalg/numeric_solve.ts";

import type { SolveInfo } from "./solve_info.ts";
import type { System } from "./system.ts";

/**
 * A holder for the last adjoint solution, used as the next adjoint's initial guess.
 *
 * @category Differentiable solves
 */
export interface AdjointWarmStart {
  /** Last adjoint solution λ (flattened), or undefined before the first backward pass. */
  lambda: Float64Array | undefined;
}

/** Everything the solve nodes of one `solve` call share. */
export interface ImplicitContext {
  /** Solver for the forward and adjoint solves. */
  readonly method: SolveMethod;
  /** Options of the forward solve (tolerances, x0, restart, maxIter, onFailure). */
  readonly forward: KrylovOptions;
  /** Options of adjoint solves (same keys; x0 comes from `warmStart`). */
  readonly adjoint: KrylovOptions;
  /** Where adjoint solutions are kept between backward passes, if warm starting. */
  readonly warmStart: AdjointWarmStart | undefined;
  /** Differentiate a forward solve that did not converge? */
  readonly onForwardFailure: "throw" | "allow";
  /** Diagnostics sink. */
  readonly info: SolveInfo;
}

function checkRhs(sys: System, b: Tensor): number {
  if ((b.ndim !== 1 && b.ndim !== 2) || b.shape[0] !== sys.n) {
    throw new ShapeError(
      `Cannot solve: b has shape [${b.shape}] but the matrix is ${sys.n}x${sys.n} (b must be [${sys.n}] or [${sys.n}, k])`,
    );
  }
  return b.ndim === 2 ? b.shape[1] : 1;
}

/** The numeric solves of one implicit node: solutions (n or n×k), results, solves that ran. */
export interface NumericSolved {
  /** The solution(s), n×k row-major. */
  readonly x: Float64Array;
  /** One result per column. */
  readonly results: readonly SolveResult[];
  /** Columns for which a solver ran (zero right-hand sides cost none). */
  readonly solved: number;
}

/**
 * Where an implicit node's numeric solves run: the CPU (synchronous) or an
 * asynchronous backend such as the GPU. Whatever the backend, the node and
 * its adjoint rule are the same code ({@linkcode implicitSolve}).
 */
export interface NumericBackend {
  /** True when `solve` returns a promise: the node is then an async node (`gradAsync`). */
  readonly async: boolean;
  /** Solves `sys x = rhs` (rhs n×k) with the merged options of the stage. */
  solve(
    sys: System,
    rhs: Float64Array,
    k: number,
    M: Preconditioner | undefined,
    options: NumericSolveOptions,
  ): NumericSolved | Promise<NumericSolved>;
}

/** The CPU backend: `numericSolve` for one column, `blockSolve` (lock-step CG/BiCGSTAB) for k. */
export const cpuBackend: NumericBackend = {
  async: false,
  solve(sys, rhs, k, _M, options) {
    if (k === 1) {
      const r = numericSolve(sys.numeric, rhs, options);
      return { x: r.result.x, results: [r.result], solved: r.solved ? 1 : 0 };
    }
    const r = blockSolve(sys.numeric, rhs, k, options);
    return { x: r.X, results: r.columns, solved: r.solved };
  },
};

/**
 * `x = A⁻¹b` as one node with inputs `[b, ...θ]`, on any numeric backend.
 *
 * Maths (implicit function theorem; JAX custom_linear_solve style):
 *
 *     A x − b = 0
 *     ∂A x + A ∂x − ∂b = 0
 *     ∂x = A⁻¹ (∂b − ∂A x)                       (JVP)
 *     ⟨x̄, ∂x⟩ = ⟨A⁻ᵀx̄, ∂b⟩ − ⟨A⁻ᵀx̄, ∂A x⟩
 *     λ = A⁻ᵀ x̄,   b̄ = λ,   Ā = −λ xᵀ          (VJP)
 *
 * The adjoint solve `Aᵀλ = x̄` is this same node on the transposed system
 * with the transposed preconditioner and the same backend, so its own
 * gradient (grad of grad, hvp) comes from the same rule, and the GPU cannot
 * drift from the CPU: this is the one adjoint rule of the library.
 * Returns a Tensor, or a promise of one for an async backend.
 */
export function implicitSolve(
  sys: System,
  b: Tensor,
  M: Preconditioner | undefined,
  stage: "forward" | "adjoint",
  ctx: ImplicitContext,
  backend: NumericBackend = cpuBackend,
): MaybePromise<Tensor> {
  const k = checkRhs(sys, b);
  const step = (...inputs: Tensor[]) => {
    const rhs = inputs[0];
    const base = stage === "forward" ? ctx.forward : ctx.adjoint;
    let x0 = base.x0;
    if (stage === "adjoint") {
      const last = ctx.warmStart?.lambda;
      x0 = last && last.length === rhs.size ? last : undefined;
    }
    const opts: NumericSolveOptions = {
      ...base,
      method: ctx.method,
      ...(sys.direct ? { direct: sys.direct } : {}),
      ...(M ? { preconditioner: M } : {}),
      ...(x0 ? { x0 } : {}),
    };
    return then(backend.solve(sys, rhs.data, k, M, opts), ({ x, results, solved }) => {
      if (stage === "forward") ctx.info.forwardColumns.push(...results);
      else {
        ctx.info.adjoints.push(...results);
        if (ctx.warmStart && solved > 0) ctx.warmStart.lambda = x;
      }
      ctx.info.solveCount += solved;
      return {
        value: new Tensor(x, rhs.shape),
        backward: (g: Tensor, needs: readonly boolean[], out: Tensor) => {
          const failed = results.find((r) => !r.converged);
          if (failed && ctx.onForwardFailure === "throw") {
            throw new ConvergenceError(
              `Cannot differentiate the solve: it did not converge (${failed.reason}, relative residual ${
                failed.relativeResidual.toExponential(3)
              }), so its gradient is that of a different function; set adjointOptions.onForwardFailure to "allow" to differentiate it anyway`,
              failed,
            );
          }
          // λ = A⁻ᵀ x̄ (same method and backend, transposed preconditioner; x̄ = 0 costs no solve).
          const Mt = M && transposedPreconditioner(M);
          return then(implicitSolve(sys.transpose(), g, Mt, "adjoint", ctx, backend), (lam) => // b̄ = λ;  θ̄ = −(∂(A x)/∂θ)ᵀ λ  (sparse: Ā[k] = −λ[row k]·x[col k], in float64).
          [needs[0] ? lam : null, ...sys.paramCotangents(lam, out, needs.slice(1))]);
        },
      };
    });
  };
  if (backend.async) {
    const node = customVjpAsync("solve", (...inputs: Tensor[]) => Promise.resolve(step(...inputs)));
    return node(b, ...sys.params);
  }
  const node = customVjp("solve", (...inputs: Tensor[]) => step(...inputs) as CustomVjpStep);
  return node(b, ...sys.params);
}
