/**
 * The autodiff tape as a backend of the Krylov methods: {@linkcode KrylovOps}
 * over differentiable tensors. Running `cgMethod` or `bicgstabMethod` over it
 * records every iteration, so backpropagation through the result is the
 * unrolled (or truncated) gradient: the same method text as the numeric
 * solve, with the same guards and stopping test ({@linkcode KrylovColumns}).
 *
 * @module
 */

import { add, div, dot, mul, neg, sub } from "../autodiff/mod.ts";
import { scalar, Tensor } from "../autodiff/tensor.ts";
import type { KrylovColumns } from "../linalg/krylov.ts";
import type { KrylovOps } from "../linalg/krylov_ops.ts";
import type { System } from "./system.ts";

/** `r ↦ M⁻¹r` as a differentiable linear op (identity when there is none). */
export type TensorPreconditioner = (r: Tensor) => Tensor;

const NO_WORKSPACE = new Tensor(new Float64Array(0), [0]);

/**
 * {@linkcode KrylovOps} on the tape for one right-hand side: vectors are [n]
 * tensors, scalars are 0-d tensors; every operation is recorded. Guards and
 * `step` read the scalars' values and decide through `columns` (k = 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KrylovColumns, TapeKrylovOps, tensor } from "@gradsolve/gradsolve";
 * const cols = new KrylovColumns(1, Float64Array.of(1), Float64Array.of(0), 5);
 * cols.active[0] = 1;
 * const sys = { apply: (x: ReturnType<typeof tensor>) => x } as never; // A = I
 * const ops = new TapeKrylovOps(sys, (r) => r, cols);
 * assert.equal(ops.dot(tensor([1, 2]), tensor([3, 4])).item(), 11);
 * ```
 *
 * @category Differentiable solves
 */
export class TapeKrylovOps implements KrylovOps<Tensor, Tensor> {
  /** Operations for the system's differentiable `A x`, preconditioner `M`, and `columns` (k = 1). */
  constructor(
    readonly sys: System,
    readonly M: TensorPreconditioner,
    readonly columns: KrylovColumns,
  ) {}

  vector(): Tensor {
    return NO_WORKSPACE;
  }
  copy(src: Tensor): Tensor {
    return src;
  }
  apply(p: Tensor): Tensor {
    return this.sys.apply(p);
  }
  applyDot(p: Tensor): [Tensor, Tensor] {
    const q = this.sys.apply(p);
    return [q, dot(p, q)];
  }
  precondition(r: Tensor): Tensor {
    return this.M(r);
  }
  dot(a: Tensor, b: Tensor): Tensor {
    return dot(a, b);
  }
  axpy(alpha: Tensor, x: Tensor, y: Tensor): Tensor {
    return add(y, mul(alpha, x));
  }
  axpyNorm(alpha: Tensor, x: Tensor, y: Tensor): [Tensor, Tensor] {
    const t = add(y, mul(alpha, x));
    return [t, dot(t, t)];
  }
  update(alpha: Tensor, p: Tensor, q: Tensor, x: Tensor, r: Tensor): [Tensor, Tensor, Tensor] {
    const rNew = sub(r, mul(alpha, q));
    return [add(x, mul(alpha, p)), rNew, dot(rNew, rNew)];
  }
  xpby(z: Tensor, beta: Tensor, p: Tensor): Tensor {
    return add(z, mul(beta, p));
  }
  direction(r: Tensor, beta: Tensor, omega: Tensor, p: Tensor, v: Tensor): Tensor {
    return add(r, mul(beta, sub(p, mul(omega, v))));
  }
  div(a: Tensor, b: Tensor): Tensor {
    return div(a, b);
  }
  divOrZero(a: Tensor, b: Tensor): Tensor {
    return b.item() === 0 ? scalar(0) : div(a, b);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return mul(a, b);
  }
  neg(a: Tensor): Tensor {
    return neg(a);
  }
  positive(s: Tensor, zero: "breakdown" | "indefinite"): boolean {
    return this.columns.positive(0, s.item(), zero);
  }
  nonzero(s: Tensor): boolean {
    return this.columns.nonzero(0, s.item());
  }
  finite(s: Tensor): boolean {
    return this.columns.finite(0, s.item());
  }
  step(rr: Tensor, alpha?: Tensor, beta?: Tensor): boolean {
    return this.columns.step(0, rr.item(), alpha?.item(), beta?.item());
  }
}
