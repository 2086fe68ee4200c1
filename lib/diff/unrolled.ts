/**
 * Unrolled and truncated differentiation: Krylov iterations (CG, BiCGSTAB)
 * written with differentiable tensor ops, so the backward pass runs through
 * every recorded iteration. Memory grows linearly with the iterations; this
 * is the comparison point for the implicit adjoint. A numeric preconditioner
 * is a constant linear map here; a differentiable one passes gradients to
 * its parameters.
 *
 * @module
 */

import { norm2 } from "../linalg/vector.ts";
import { customVjp } from "../autodiff/custom.ts";
import { add, div, dot, gather, mul, reshape, stack, sub, transpose2d } from "../autodiff/mod.ts";
import { Tensor } from "../autodiff/tensor.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import {
  reasonMessage,
  type SolveMethod,
  type SolveReason,
  type SolveResult,
} from "../linalg/result.ts";
import { type DifferentiablePreconditioner, transposed } from "./preconditioning.ts";
import type { System } from "./system.ts";

/** `r ↦ M⁻¹r` as a differentiable linear op (identity when there is none). */
export type TensorPreconditioner = (r: Tensor) => Tensor;

/** A numeric preconditioner as a constant linear op on the tape (vjp: `M⁻ᵀ`). */
export function constantPreconditioner(M: Preconditioner): TensorPreconditioner {
  const op = customVjp("preconditioner", (r: Tensor) => {
    const z = new Float64Array(r.size);
    M.apply(r.data, z);
    return {
      value: new Tensor(z, r.shape),
      backward: (g) => [constantPreconditioner(transposed(M))(g)],
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
}

/** The unrolled solution and its (honest, true-residual) result. */
export interface UnrolledOutcome {
  /** Solution on the tape. */
  readonly x: Tensor;
  /** Result with the true residual recomputed. */
  readonly result: SolveResult;
}

function finish(
  sys: System,
  b: Tensor,
  x: Tensor,
  iterations: number,
  history: number[],
  method: SolveMethod,
  stop: UnrolledStop,
  precName: string,
): SolveResult {
  const Ax = new Float64Array(sys.n);
  sys.numeric.apply(x.data, Ax);
  let rr = 0, bb = 0;
  for (let i = 0; i < sys.n; i++) (rr += (b.data[i] - Ax[i]) ** 2), (bb += b.data[i] ** 2);
  const rn = Math.sqrt(rr), bn = Math.sqrt(bb) || 1;
  const met = rn <= Math.max(stop.rtol * bn, stop.atol);
  const reason: SolveReason = met
    ? (stop.rtol * bn >= stop.atol ? "converged-rtol" : "converged-atol")
    : "diverged-max-iterations";
  return {
    x: x.data,
    converged: met,
    reason,
    iterations,
    relativeResidual: rn / bn,
    residualNorm: rn,
    residualHistory: history,
    method,
    preconditioner: precName,
    message: reasonMessage(reason),
  };
}

/**
 * Preconditioned CG on the tape, from the initial guess `x0` (a constant or
 * traced tensor). `b` is [n].
 */
export function unrolledCg(
  sys: System,
  b: Tensor,
  x0: Tensor,
  M: TensorPreconditioner,
  stop: UnrolledStop,
  precName: string,
): UnrolledOutcome {
  const bn = norm2(b.data) || 1;
  const tol = Math.max(stop.rtol * bn, stop.atol);
  const cap = stop.iterations ?? stop.maxIter;
  let x = x0;
  let r = sub(b, sys.apply(x));
  let z = M(r);
  let p = z;
  let rz = dot(r, z);
  const history = [norm2(r.data) / bn];
  let it = 0;
  while (it < cap) {
    if (stop.iterations === undefined && history[history.length - 1] * bn <= tol) break;
    if (rz.item() === 0) break; // exact solution reached: further steps are 0/0
    const Ap = sys.apply(p);
    const alpha = div(rz, dot(p, Ap));
    if (!Number.isFinite(alpha.item())) break; // pᵀAp underflowed after convergence
    x = add(x, mul(alpha, p));
    r = sub(r, mul(alpha, Ap));
    it++;
    history.push(norm2(r.data) / bn);
    z = M(r);
    const rzNew = dot(r, z);
    p = add(z, mul(div(rzNew, rz), p));
    rz = rzNew;
  }
  return { x, result: finish(sys, b, x, it, history, "cg", stop, precName) };
}

/** Right-preconditioned BiCGSTAB on the tape from `x0`; `b` is [n]. */
export function unrolledBicgstab(
  sys: System,
  b: Tensor,
  x0: Tensor,
  M: TensorPreconditioner,
  stop: UnrolledStop,
  precName: string,
): UnrolledOutcome {
  const bn = norm2(b.data) || 1;
  const tol = Math.max(stop.rtol * bn, stop.atol);
  const cap = stop.iterations ?? stop.maxIter;
  let x = x0;
  let r = sub(b, sys.apply(x));
  const rHat = r; // shadow residual r̂ = r₀ (it depends on b, so it stays on the tape)
  let p = r, rho = dot(rHat, r);
  const history = [norm2(r.data) / bn];
  let it = 0;
  while (it < cap) {
    if (stop.iterations === undefined && history[history.length - 1] * bn <= tol) break;
    if (rho.item() === 0) break;
    const pHat = M(p);
    const v = sys.apply(pHat);
    const rv = dot(rHat, v);
    if (rv.item() === 0) break;
    const alpha = div(rho, rv);
    if (!Number.isFinite(alpha.item())) break; // r̂ᵀv underflowed after convergence
    const s = sub(r, mul(alpha, v));
    const sHat = M(s);
    const t = sys.apply(sHat);
    const tt = dot(t, t);
    it++;
    const omega = tt.item() === 0 ? undefined : div(dot(t, s), tt);
    if (omega === undefined || !Number.isFinite(omega.item()) || omega.item() === 0) {
      // s is already the solution's residual, or ω is 0 or not representable:
      // take the half step and stop (further steps are 0/0).
      x = add(x, mul(alpha, pHat));
      r = s;
      history.push(norm2(r.data) / bn);
      break;
    }
    x = add(add(x, mul(alpha, pHat)), mul(omega, sHat));
    r = sub(s, mul(omega, t));
    history.push(norm2(r.data) / bn);
    const rhoNew = dot(rHat, r);
    const beta = mul(div(rhoNew, rho), div(alpha, omega));
    p = add(r, mul(beta, sub(p, mul(omega, v))));
    rho = rhoNew;
  }
  return { x, result: finish(sys, b, x, it, history, "bicgstab", stop, precName) };
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
