/**
 * Unrolled and truncated differentiation: the library's CG and BiCGSTAB
 * method texts run over the tape ({@linkcode TapeKrylovOps}), so the backward
 * pass runs through every recorded iteration. Memory grows linearly with the iterations; this
 * is the comparison point for the implicit adjoint. A numeric preconditioner
 * is a constant linear map here; a differentiable one passes gradients to
 * its parameters.
 *
 * @module
 */

import { customVjp } from "../autodiff/custom.ts";
import { gather, mul, reshape, stack, sub, transpose2d } from "../autodiff/mod.ts";
import { scalar, Tensor } from "../autodiff/tensor.ts";
import { bicgstabMethod } from "../linalg/bicgstab.ts";
import { cgMethod } from "../linalg/cg.ts";
import { failureReason, KrylovColumns } from "../linalg/krylov.ts";
import { type Preconditioner, transposedPreconditioner } from "../linalg/preconditioner.ts";
import { trueResidual } from "../linalg/residual.ts";
import {
  enforcePolicy,
  type FailurePolicy,
  makeResult,
  type SolveReason,
  type SolveResult,
} from "../linalg/result.ts";
import { norm2, unitScale } from "../linalg/vector.ts";
import { TapeKrylovOps, type TensorPreconditioner } from "./tape_ops.ts";
import type { DifferentiablePreconditioner } from "./preconditioning.ts";
import type { System } from "./system.ts";

export type { TensorPreconditioner };

/** A numeric preconditioner as a constant linear op on the tape (vjp: `M⁻ᵀ`). */
export function constantPreconditioner(M: Preconditioner): TensorPreconditioner {
  const op = customVjp("preconditioner", (r: Tensor) => {
    const z = new Float64Array(r.size);
    M.apply(r.data, z);
    return {
      value: new Tensor(z, r.shape),
      backward: (g) => [constantPreconditioner(transposedPreconditioner(M))(g)],
    };
  });
  return (r) => op(r);
}

/** The tape form of whichever preconditioner `solve` was given. */
export function tensorPreconditioner(
  numeric: Preconditioner | undefined,
  differentiable: DifferentiablePreconditioner | undefined,
): TensorPreconditioner {
  if (differentiable) return (r) => differentiable.apply(r);
  if (numeric) return constantPreconditioner(numeric);
  return (r) => r;
}

/** How an unrolled run stops. */
export interface UnrolledStop {
  /**
   * Run exactly this many iterations, unless the recurrence reaches a 0/0
   * (the residual underflowed after convergence): then it stops there.
   */
  readonly iterations?: number;
  /** Otherwise stop when the recursive residual ≤ max(rtol‖b‖, atol), or at maxIter. */
  readonly rtol: number;
  /** Absolute tolerance. */
  readonly atol: number;
  /** Iteration cap when `iterations` is not given. */
  readonly maxIter: number;
  /** What an unconverged run does (as every solve): throw a ConvergenceError or return. */
  readonly onFailure: FailurePolicy;
}

/** The unrolled solution and its (honest, true-residual) result. */
export interface UnrolledOutcome {
  /** Solution on the tape. */
  readonly x: Tensor;
  /** Result with the true residual recomputed. */
  readonly result: SolveResult;
}

/**
 * An unrolled CG or BiCGSTAB run: the library's method text (`cgMethod`,
 * `bicgstabMethod`) over the tape ({@linkcode TapeKrylovOps}), with the same
 * guards and stopping test as every numeric solve. At unit right-hand-side
 * scale: with `s` the power of two nearest `max|b|` (exact), it runs on
 * `b/s` from `x0/s` with `atol/s` and returns `x = s·y` on the tape, so no
 * inner product overflows or underflows. The true residual, recomputed in
 * float64, decides convergence; otherwise the loop's status names the
 * failure (the one classifier); then the failure policy applies. Inputs
 * must be validated (`checkKrylovInput`).
 */
export function unrolledSolve(
  method: "cg" | "bicgstab",
  sys: System,
  b: Tensor,
  x0: Tensor,
  M: TensorPreconditioner,
  stop: UnrolledStop,
  precName: string,
): UnrolledOutcome {
  const s = unitScale(b.data);
  const inv = scalar(1 / s);
  const bs = s === 1 ? b : mul(b, inv), xs0 = s === 1 ? x0 : mul(x0, inv);
  const atol = stop.atol / s;
  const bnorm = norm2(bs.data);
  const tol = Math.max(stop.rtol * bnorm, atol);
  const cap = stop.iterations ?? stop.maxIter;
  const columns = new KrylovColumns(1, Float64Array.of(bnorm), Float64Array.of(tol), cap);
  columns.fixedIterations = stop.iterations !== undefined;
  const r0 = sub(bs, sys.apply(xs0));
  const r0norm = norm2(r0.data);
  columns.history[0].push(r0norm / (bnorm || 1));
  // Start unless already done (b = 0, or x0 meets the tolerance when not fixed).
  columns.active[0] = bnorm !== 0 && (columns.fixedIterations || r0norm > tol) ? 1 : 0;
  let y = xs0;
  if (columns.active[0]) {
    const text = method === "cg" ? cgMethod : bicgstabMethod;
    y = text(new TapeKrylovOps(sys, M, columns), xs0, r0);
  }
  const x = s === 1 ? y : mul(y, scalar(s));
  // The true residual at the caller's scale decides (norms cannot overflow: see norm2).
  const r = new Float64Array(sys.n);
  const rn = trueResidual(sys.numeric, b.data, x.data, r);
  const bn = norm2(b.data);
  const met = rn <= Math.max(stop.rtol * bn, stop.atol);
  const reason: SolveReason = met
    ? (bn !== 0 && stop.rtol * bn >= stop.atol ? "converged-rtol" : "converged-atol")
    : !(rn < Infinity)
    ? "diverged-non-finite"
    : failureReason(columns.status[0], columns.iterations[0], cap, true) ??
      "diverged-stagnation";
  const result = makeResult({
    x: x.data,
    reason,
    iterations: columns.iterations[0],
    relativeResidual: bn === 0 ? rn : rn / bn,
    residualNorm: rn,
    residualHistory: columns.history[0],
    method,
    preconditioner: precName,
  });
  return { x, result: enforcePolicy(result, stop.onFailure) };
}

/** Columns of an [n, k] tensor as [n] tensors, and back. */
export function columnsOf(b: Tensor): Tensor[] {
  const bt = transpose2d(b), n = b.shape[0];
  return Array.from({ length: b.shape[1] }, (_, j) => reshape(gather(bt, Int32Array.of(j)), [n]));
}

/** Stacks [n] columns into an [n, k] tensor. */
export function fromColumns(cols: readonly Tensor[]): Tensor {
  return transpose2d(stack(cols));
}
