/**
 * Preconditioned conjugate gradients for symmetric positive definite
 * systems, written once over {@linkcode KrylovOps}: the CPU (one or k
 * columns), the tape (unrolled gradients) and every other backend run this
 * text. With no preconditioner `z` is `r` itself (no copy, no extra dot).
 *
 * ```
 * z = M⁻¹r, p = z, ρ = rᵀz
 * repeat:  q = A p;  α = ρ / pᵀq          (product and dot in one pass)
 *          x += α p;  r −= α q             (fused with ‖r‖²)
 *          z = M⁻¹r;  ρ' = rᵀz;  p = z + (ρ'/ρ) p
 * ```
 *
 * @module
 */

import { cpuKrylov } from "./cpu_ops.ts";
import type { KrylovOps } from "./krylov_ops.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveResult } from "./result.ts";

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
  return cpuKrylov("cg", A, b, options, cgMethod);
}

/**
 * The CG method text over any backend, from `x` and its residual `r = b − Ax`;
 * returns the last iterate. Stops a column when `pᵀAp < 0` or `rᵀM⁻¹r ≤ 0`
 * (indefinite), `pᵀAp = 0` (breakdown), a non-finite scalar, or when `step`
 * says it is done (converged, budget, callback).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cgMethod, CsrMatrix, krylovBlockSolve } from "@gradsolve/gradsolve";
 * // The CPU backend runs it for k = 2 right-hand sides at once:
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const [c0, c1] = krylovBlockSolve("cg", A, Float64Array.of(1, 0, 0, 1), 2, { rtol: 1e-12 });
 * assert.ok(Math.abs(c0.x[0] - 3 / 11) < 1e-12 && Math.abs(c1.x[1] - 4 / 11) < 1e-12);
 * assert.equal(typeof cgMethod, "function");
 * ```
 *
 * @category Solvers
 */
export function cgMethod<V, S>(o: KrylovOps<V, S>, x: V, r: V): V {
  const zBuf = o.vector(), pBuf = o.vector(), qBuf = o.vector();
  let z = o.precondition(r, zBuf);
  let rz = o.dot(r, z);
  if (!o.positive(rz, "indefinite")) return x;
  let p = o.copy(z, pBuf);
  let beta: S | undefined;
  for (;;) {
    const [q, pq] = o.applyDot(p, qBuf);
    if (!o.positive(pq, "breakdown")) return x;
    const alpha = o.div(rz, pq);
    let rr: S;
    [x, r, rr] = o.update(alpha, p, q, x, r);
    if (!o.step(rr, alpha, beta)) return x;
    z = o.precondition(r, zBuf);
    // No preconditioner: z is r itself and rᵀz is the ‖r‖² the update returned.
    const rzNew = z === r ? rr : o.dot(r, z);
    if (!o.positive(rzNew, "indefinite")) return x;
    beta = o.div(rzNew, rz);
    p = o.xpby(z, beta, p);
    rz = rzNew;
  }
}
