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

import { norm2, unitScale } from "../linalg/vector.ts";
import { customVjp } from "../autodiff/custom.ts";
import { add, div, dot, gather, mul, reshape, stack, sub, transpose2d } from "../autodiff/mod.ts";
import { scalar, Tensor } from "../autodiff/tensor.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import { trueResidual } from "../linalg/residual.ts";
import {
  enforcePolicy,
  type FailurePolicy,
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

/** How an unrolled loop ended, before the true residual is checked (as a Krylov cycle's status). */
type LoopStatus = "done" | "breakdown" | "indefinite" | "non-finite";

/**
 * The result of an unrolled run, built like every other solve's: the true
 * residual recomputed in float64 decides convergence; otherwise the loop's
 * status names the failure (an exhausted budget is `diverged-max-iterations`);
 * the caller applies the failure policy.
 */
function finish(
  sys: System,
  b: Tensor,
  x: Tensor,
  iterations: number,
  history: number[],
  method: SolveMethod,
  stop: UnrolledStop,
  status: LoopStatus,
  precName: string,
): SolveResult {
  const r = new Float64Array(sys.n);
  const rn = trueResidual(sys.numeric, b.data, x.data, r);
  const bn = norm2(b.data);
  const met = rn <= Math.max(stop.rtol * bn, stop.atol);
  const reason: SolveReason = met
    ? (stop.rtol * bn >= stop.atol ? "converged-rtol" : "converged-atol")
    : !(rn < Infinity)
    ? "diverged-non-finite"
    : status === "done"
    ? "diverged-max-iterations"
    : `diverged-${status}`;
  return {
    x: x.data,
    converged: met,
    reason,
    iterations,
    relativeResidual: bn === 0 ? rn : rn / bn,
    residualNorm: rn,
    residualHistory: history,
    method,
    preconditioner: precName,
    message: reasonMessage(reason),
  };
}

/**
 * Preconditioned CG on the tape, from the initial guess `x0` (a constant or
 * traced tensor). `b` is [n], already validated. Stops as the numeric CG
 * does: `pᵀAp < 0` or `rᵀM⁻¹r ≤ 0` is indefinite, `pᵀAp = 0` a breakdown.
 */
function unrolledCg(
  sys: System,
  b: Tensor,
  x0: Tensor,
  M: TensorPreconditioner,
  stop: UnrolledStop,
  precName: string,
): UnrolledOutcome {
  const bn = norm2(b.data);
  const tol = Math.max(stop.rtol * bn, stop.atol);
  const cap = stop.iterations ?? stop.maxIter;
  let x = x0;
  let r = sub(b, sys.apply(x));
  let z = M(r);
  let p = z;
  let rz = dot(r, z);
  const history = [norm2(r.data) / (bn || 1)];
  let it = 0;
  let status: LoopStatus = "done";
  while (it < cap) {
    if (stop.iterations === undefined && history[history.length - 1] * bn <= tol) break;
    const rzv = rz.item();
    if (rzv === 0 && norm2(r.data) === 0) break; // exact solution: further steps are 0/0
    if (!(rzv > 0)) {
      status = rzv <= 0 ? "indefinite" : "non-finite";
      break;
    }
    const Ap = sys.apply(p);
    const pAp = dot(p, Ap);
    const pq = pAp.item();
    if (!(pq > 0)) {
      status = pq < 0 ? "indefinite" : pq === 0 ? "breakdown" : "non-finite";
      break;
    }
    const alpha = div(rz, pAp);
    x = add(x, mul(alpha, p));
    r = sub(r, mul(alpha, Ap));
    it++;
    history.push(norm2(r.data) / (bn || 1));
    z = M(r);
    const rzNew = dot(r, z);
    p = add(z, mul(div(rzNew, rz), p));
    rz = rzNew;
  }
  return { x, result: finish(sys, b, x, it, history, "cg", stop, status, precName) };
}

/** Right-preconditioned BiCGSTAB on the tape from `x0`; `b` is [n], already validated. */
function unrolledBicgstab(
  sys: System,
  b: Tensor,
  x0: Tensor,
  M: TensorPreconditioner,
  stop: UnrolledStop,
  precName: string,
): UnrolledOutcome {
  const bn = norm2(b.data);
  const tol = Math.max(stop.rtol * bn, stop.atol);
  const cap = stop.iterations ?? stop.maxIter;
  let x = x0;
  let r = sub(b, sys.apply(x));
  const rHat = r; // shadow residual r̂ = r₀ (it depends on b, so it stays on the tape)
  let p = r, rho = dot(rHat, r);
  const history = [norm2(r.data) / (bn || 1)];
  let it = 0;
  let status: LoopStatus = "done";
  while (it < cap) {
    if (stop.iterations === undefined && history[history.length - 1] * bn <= tol) break;
    if (norm2(r.data) === 0) break; // exact solution: further steps are 0/0
    if (!Number.isFinite(rho.item())) {
      status = "non-finite";
      break;
    }
    if (rho.item() === 0) {
      status = "breakdown";
      break;
    }
    const pHat = M(p);
    const v = sys.apply(pHat);
    const rv = dot(rHat, v);
    if (!(Math.abs(rv.item()) > 0)) {
      status = rv.item() === 0 ? "breakdown" : "non-finite";
      break;
    }
    const alpha = div(rho, rv);
    if (!Number.isFinite(alpha.item())) {
      status = "non-finite";
      break;
    }
    const s = sub(r, mul(alpha, v));
    const sHat = M(s);
    const t = sys.apply(sHat);
    const tt = dot(t, t);
    it++;
    const omega = tt.item() === 0 ? undefined : div(dot(t, s), tt);
    if (omega === undefined || !Number.isFinite(omega.item()) || omega.item() === 0) {
      // s is already the solution's residual, or ω is 0 or not representable:
      // take the half step and stop (the true residual decides).
      x = add(x, mul(alpha, pHat));
      r = s;
      history.push(norm2(r.data) / (bn || 1));
      if (norm2(s.data) !== 0) status = "breakdown";
      break;
    }
    x = add(add(x, mul(alpha, pHat)), mul(omega, sHat));
    r = sub(s, mul(omega, t));
    history.push(norm2(r.data) / (bn || 1));
    const rhoNew = dot(rHat, r);
    const beta = mul(div(rhoNew, rho), div(alpha, omega));
    p = add(r, mul(beta, sub(p, mul(omega, v))));
    rho = rhoNew;
  }
  return { x, result: finish(sys, b, x, it, history, "bicgstab", stop, status, precName) };
}

/**
 * An unrolled CG or BiCGSTAB run at unit right-hand-side scale, as every
 * numeric solve: with `s` the power of two nearest `max|b|` (exact), it runs
 * on `b/s` from `x0/s` with `atol/s` and returns `x = s·y` on the tape, so
 * no inner product overflows or underflows; then applies the failure
 * policy. Inputs must be validated (`checkKrylovInput`).
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
  const run = method === "cg" ? unrolledCg : unrolledBicgstab;
  const s = unitScale(b.data);
  if (s === 1) {
    const out = run(sys, b, x0, M, stop, precName);
    return { x: out.x, result: enforcePolicy(out.result, stop.onFailure) };
  }
  const inv = scalar(1 / s);
  const out = run(sys, mul(b, inv), mul(x0, inv), M, { ...stop, atol: stop.atol / s }, precName);
  const x = mul(out.x, scalar(s));
  const result = { ...out.result, x: x.data, residualNorm: out.result.residualNorm * s };
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
