/**
 * The CPU float64 backend of the Krylov methods: {@linkcode KrylovOps} over
 * n×k row-major blocks (k = 1 for a single solve), scalars one per column,
 * columns masked as they stop. One right-hand side runs the k = 1 paths:
 * plain loops, and for a CSR matrix the product `A p` fused with `pᵀAp`.
 *
 * @module
 */

import { CsrMatrix } from "../sparse/csr.ts";
import { blockApply, getColumn, setColumn } from "./block.ts";
import type { CycleFactory, KrylovColumns } from "./krylov.ts";
import { runKrylov } from "./krylov.ts";
import type { KrylovOps } from "./krylov_ops.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { Preconditioner } from "./preconditioner.ts";
import type { SolveMethod, SolveResult } from "./result.ts";
import { dot } from "./vector.ts";

/**
 * A method text (`cgMethod`, `bicgstabMethod`) over any backend.
 *
 * @category Solvers
 */
export type KrylovMethodText = <V, S>(ops: KrylovOps<V, S>, x: V, r: V) => V;

/**
 * {@linkcode KrylovOps} in float64 on the CPU for the k columns of n×k
 * blocks, updating vectors in place. Operations touch only the active
 * columns of `columns`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CpuKrylovOps, CsrMatrix, KrylovColumns } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0], [0, 3]]);
 * const cols = new KrylovColumns(1, Float64Array.of(1), Float64Array.of(0), 10);
 * cols.active[0] = 1;
 * const ops = new CpuKrylovOps(A, undefined, 2, 1, cols);
 * const [q, pq] = ops.applyDot(Float64Array.of(1, 1), ops.vector());
 * assert.deepEqual(Array.from(q), [2, 3]);
 * assert.equal(pq[0], 5);
 * ```
 *
 * @category Solvers
 */
export class CpuKrylovOps implements KrylovOps<Float64Array, Float64Array> {
  readonly #csr: CsrMatrix | undefined;
  readonly #u: Float64Array;
  readonly #w: Float64Array;

  /** Operations for `A`, preconditioner `M` (or none), order `n`, `k` columns. */
  constructor(
    readonly A: LinearOperator,
    readonly M: Preconditioner | undefined,
    readonly n: number,
    readonly k: number,
    readonly columns: KrylovColumns,
  ) {
    this.#csr = A instanceof CsrMatrix ? A : undefined;
    this.#u = k === 1 ? new Float64Array(0) : new Float64Array(n);
    this.#w = k === 1 ? new Float64Array(0) : new Float64Array(n);
  }

  /** The active columns (k > 1). */
  #act(): number[] {
    const out: number[] = [];
    const a = this.columns.active;
    for (let j = 0; j < this.k; j++) if (a[j]) out.push(j);
    return out;
  }

  vector(): Float64Array {
    return new Float64Array(this.n * this.k);
  }

  copy(src: Float64Array, out: Float64Array): Float64Array {
    out.set(src);
    return out;
  }

  apply(p: Float64Array, out: Float64Array): Float64Array {
    blockApply(this.A, p, out, this.k);
    return out;
  }

  applyDot(p: Float64Array, out: Float64Array): [Float64Array, Float64Array] {
    const csr = this.#csr;
    if (this.k === 1 && csr) {
      const { rowPtr, colIdx } = csr.pattern;
      return [out, Float64Array.of(csrApplyDot(rowPtr, colIdx, csr.values, p, out, this.n))];
    }
    this.apply(p, out);
    return [out, this.dot(p, out)];
  }

  precondition(r: Float64Array, out: Float64Array): Float64Array {
    const M = this.M;
    if (!M) return r;
    if (this.k === 1) {
      M.apply(r, out);
      return out;
    }
    const u = this.#u, w = this.#w, k = this.k;
    for (const j of this.#act()) {
      getColumn(r, k, j, u);
      M.apply(u, w);
      setColumn(out, k, j, w);
    }
    return out;
  }

  dot(a: Float64Array, b: Float64Array): Float64Array {
    const k = this.k;
    if (k === 1) return Float64Array.of(dot(a, b));
    const s = new Float64Array(k), n = this.n;
    for (const j of this.#act()) {
      let t = 0;
      for (let i = 0; i < n; i++) t += a[i * k + j] * b[i * k + j];
      s[j] = t;
    }
    return s;
  }

  axpy(alpha: Float64Array, x: Float64Array, y: Float64Array): Float64Array {
    const k = this.k, n = this.n;
    if (k === 1) {
      const a = alpha[0];
      for (let i = 0; i < n; i++) y[i] += a * x[i];
      return y;
    }
    for (const j of this.#act()) {
      const a = alpha[j];
      for (let i = 0; i < n; i++) y[i * k + j] += a * x[i * k + j];
    }
    return y;
  }

  axpyNorm(alpha: Float64Array, x: Float64Array, y: Float64Array): [Float64Array, Float64Array] {
    const k = this.k, n = this.n;
    if (k === 1) {
      const a = alpha[0];
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const t = y[i] + a * x[i];
        y[i] = t;
        ss += t * t;
      }
      return [y, Float64Array.of(ss)];
    }
    const s = new Float64Array(k);
    for (const j of this.#act()) {
      const a = alpha[j];
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const t = y[i * k + j] + a * x[i * k + j];
        y[i * k + j] = t;
        ss += t * t;
      }
      s[j] = ss;
    }
    return [y, s];
  }

  update(
    alpha: Float64Array,
    p: Float64Array,
    q: Float64Array,
    x: Float64Array,
    r: Float64Array,
  ): [Float64Array, Float64Array, Float64Array] {
    const k = this.k, n = this.n;
    if (k === 1) {
      return [x, r, Float64Array.of(updateSolution(x, r, p, q, alpha[0], n))];
    }
    const s = new Float64Array(k);
    for (const j of this.#act()) {
      const a = alpha[j];
      let rr = 0;
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        x[t] += a * p[t];
        const ri = r[t] - a * q[t];
        r[t] = ri;
        rr += ri * ri;
      }
      s[j] = rr;
    }
    return [x, r, s];
  }

  xpby(z: Float64Array, beta: Float64Array, p: Float64Array): Float64Array {
    const k = this.k, n = this.n;
    if (k === 1) {
      const b = beta[0];
      for (let i = 0; i < n; i++) p[i] = z[i] + b * p[i];
      return p;
    }
    for (const j of this.#act()) {
      const b = beta[j];
      for (let i = 0; i < n; i++) p[i * k + j] = z[i * k + j] + b * p[i * k + j];
    }
    return p;
  }

  direction(
    r: Float64Array,
    beta: Float64Array,
    omega: Float64Array,
    p: Float64Array,
    v: Float64Array,
  ): Float64Array {
    const k = this.k, n = this.n;
    const cols = k === 1 ? [0] : this.#act();
    for (const j of cols) {
      const b = beta[j], w = omega[j];
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        p[t] = r[t] + b * (p[t] - w * v[t]);
      }
    }
    return p;
  }

  div(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, j) => v / b[j]);
  }

  divOrZero(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, j) => (b[j] === 0 ? 0 : v / b[j]));
  }

  mul(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, j) => v * b[j]);
  }

  neg(a: Float64Array): Float64Array {
    return a.map((v) => -v);
  }

  positive(s: Float64Array, zero: "breakdown" | "indefinite"): boolean {
    const c = this.columns;
    for (let j = 0; j < this.k; j++) if (c.active[j]) c.positive(j, s[j], zero);
    return c.anyActive();
  }

  nonzero(s: Float64Array): boolean {
    const c = this.columns;
    for (let j = 0; j < this.k; j++) if (c.active[j]) c.nonzero(j, s[j]);
    return c.anyActive();
  }

  finite(s: Float64Array): boolean {
    const c = this.columns;
    for (let j = 0; j < this.k; j++) if (c.active[j]) c.finite(j, s[j]);
    return c.anyActive();
  }

  step(rr: Float64Array, alpha?: Float64Array, beta?: Float64Array): boolean {
    const c = this.columns;
    for (let j = 0; j < this.k; j++) {
      if (c.active[j]) c.step(j, rr[j], alpha?.[j], beta?.[j]);
    }
    return c.anyActive();
  }
}

/** `q ← A p` for CSR `A`, returning `pᵀq` from the same pass. */
function csrApplyDot(
  rowPtr: Int32Array,
  colIdx: Int32Array,
  vals: Float64Array,
  p: Float64Array,
  q: Float64Array,
  n: number,
): number {
  let pq = 0;
  let k = rowPtr[0];
  for (let i = 0; i < n; i++) {
    const end = rowPtr[i + 1];
    let s = 0;
    for (; k < end; k++) s += vals[k] * p[colIdx[k]];
    q[i] = s;
    pq += p[i] * s;
  }
  return pq;
}

/** `x += α p`, `r −= α q` in one pass; returns `‖r‖²`. */
function updateSolution(
  x: Float64Array,
  r: Float64Array,
  p: Float64Array,
  q: Float64Array,
  alpha: number,
  n: number,
): number {
  let rr = 0;
  for (let i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    const ri = r[i] - alpha * q[i];
    r[i] = ri;
    rr += ri * ri;
  }
  return rr;
}

/**
 * The driver's cycle for a method text on the CPU: each cycle runs the
 * method over {@linkcode CpuKrylovOps} on the active columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cgMethod, CsrMatrix, cpuMethodCycle, runKrylov } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const [r] = runKrylov("cg", A, Float64Array.of(1, 2), 1, { rtol: 1e-12 }, cpuMethodCycle(cgMethod));
 * assert.ok(Math.abs(r.x[0] - 1 / 11) < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function cpuMethodCycle(method: KrylovMethodText): CycleFactory {
  return (A, input) => (columns, X, R) => {
    method(new CpuKrylovOps(A, input.preconditioner, input.n, input.k, columns), X, R);
  };
}

/**
 * One right-hand side through a method text on the CPU: what `cg()` and
 * `bicgstab()` call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bicgstabMethod, cpuKrylov, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [-2, 3]]);
 * const r = cpuKrylov("bicgstab", A, Float64Array.of(5, 1), { rtol: 1e-12 }, bicgstabMethod);
 * assert.ok(r.converged);
 * ```
 *
 * @category Solvers
 */
export function cpuKrylov(
  name: SolveMethod,
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions,
  method: KrylovMethodText,
): SolveResult {
  return runKrylov(name, A, b, 1, options, cpuMethodCycle(method))[0];
}
