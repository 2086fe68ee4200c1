/**
 * Preconditioned conjugate gradients for symmetric positive definite
 * systems. With no preconditioner the same code runs with `z = r` (no copy,
 * no extra dot product).
 *
 * ```
 * z = M⁻¹r, p = z, ρ = rᵀz
 * repeat:  q = A p;  α = ρ / pᵀq
 *          x += α p;  r −= α q          (fused with ‖r‖²)
 *          z = M⁻¹r;  ρ' = rᵀz;  p = z + (ρ'/ρ) p
 * ```
 *
 * When `A` is a {@linkcode CsrMatrix} the product `q = A p` and `pᵀq` are
 * computed in one pass over the stored entries.
 *
 * @module
 */

import { CsrMatrix } from "../sparse/csr.ts";
import { type KrylovCycle, type KrylovProblem, runKrylov } from "./krylov.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveResult } from "./result.ts";
import { dot } from "./vector.ts";

/**
 * Solves the symmetric positive definite system `A x = b` by (preconditioned)
 * conjugate gradients. Stops with `diverged-indefinite` when `pᵀAp < 0` or
 * the preconditioner gives `rᵀM⁻¹r ≤ 0`, and `diverged-breakdown` when
 * `pᵀAp = 0`. Convergence is confirmed on the true residual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const { x, converged } = cg(A, Float64Array.of(1, 2), { rtol: 1e-12 });
 * assert.ok(converged);
 * assert.ok(Math.abs(x[0] - 1 / 11) < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function cg(A: LinearOperator, b: Float64Array, options: KrylovOptions = {}): SolveResult {
  return runKrylov("cg", A, b, options, cgCycle);
}

function cgCycle(problem: KrylovProblem): KrylovCycle {
  const { A, M, n, x, r, tol } = problem;
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const z = M ? new Float64Array(n) : r;
  const csr = A instanceof CsrMatrix ? A : undefined;
  const rowPtr = csr ? csr.pattern.rowPtr : new Int32Array(1);
  const colIdx = csr ? csr.pattern.colIdx : new Int32Array(0);
  const vals = csr ? csr.values : new Float64Array(0);
  const tol2 = tol * tol;

  return (_rnorm, budget, step) => {
    let rr = dot(r, r);
    let rz = rr;
    if (M) {
      M.apply(r, z);
      rz = dot(r, z);
      if (!(rz > 0)) return { status: rz <= 0 ? "indefinite" : "non-finite", iterations: 0 };
    }
    p.set(z);
    let it = 0;
    while (it < budget) {
      let pq: number;
      if (csr) pq = csrApplyDot(rowPtr, colIdx, vals, p, q, n);
      else {
        A.apply(p, q);
        pq = dot(p, q);
      }
      if (!(pq > 0)) {
        const status = pq < 0 ? "indefinite" : pq === 0 ? "breakdown" : "non-finite";
        return { status, iterations: it };
      }
      const alpha = rz / pq;
      rr = updateSolution(x, r, p, q, alpha, n);
      it++;
      if (!(rr < Infinity)) return { status: "non-finite", iterations: it };
      const stop = step(Math.sqrt(rr));
      if (rr <= tol2) return { status: "converged", iterations: it };
      if (stop) return { status: "stopped", iterations: it };
      let rzNew = rr;
      if (M) {
        M.apply(r, z);
        rzNew = dot(r, z);
        if (!(rzNew > 0)) {
          return { status: rzNew <= 0 ? "indefinite" : "non-finite", iterations: it };
        }
      }
      const beta = rzNew / rz;
      rz = rzNew;
      for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
    }
    return { status: "max-iterations", iterations: it };
  };
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
