/**
 * BiCGSTAB (van der Vorst, 1992) with right preconditioning, for general
 * nonsymmetric systems, written once over {@linkcode KrylovOps} (CPU, one or
 * k columns, and the tape). Each iteration has two half-steps, each with one
 * matrix–vector product; both count as iterations (the library counts
 * matrix–vector products), and the solve may stop after the first half.
 *
 * ```
 * r̂ = r
 * repeat:  ρ = r̂ᵀr;  p = r (first) or r + (ρ/ρ₀)(α/ω)(p − ω v)
 *          p̂ = M⁻¹p;  v = A p̂;  α = ρ / r̂ᵀv
 *          s = r − α v;  x += α p̂                            (half-step 1)
 *          ŝ = M⁻¹s;  t = A ŝ;  ω = tᵀs / tᵀt
 *          x += ω ŝ;  r = s − ω t                            (half-step 2)
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
 * Solves the (nonsymmetric) system `A x = b` by right-preconditioned
 * BiCGSTAB. Stops with `diverged-breakdown` when `ρ = r̂ᵀr`, `r̂ᵀv` or `ω`
 * vanishes. Convergence is confirmed on the true residual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bicgstab, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [-2, 3]]);
 * const { x, converged } = bicgstab(A, Float64Array.of(5, 1), { rtol: 1e-12 });
 * assert.ok(converged);
 * assert.ok(Math.abs(x[0] - 1) < 1e-10);
 * assert.ok(Math.abs(x[1] - 1) < 1e-10);
 * ```
 *
 * @category Solvers
 */
export function bicgstab(
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions = {},
): SolveResult {
  return cpuKrylov("bicgstab", A, b, options, bicgstabMethod);
}

/**
 * The BiCGSTAB method text over any backend, from `x` and its residual
 * `r = b − Ax`; returns the last iterate. Stops a column when `ρ`, `r̂ᵀv` or
 * `ω` vanishes (breakdown), a scalar is not finite, or `step` says it is done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bicgstabMethod, CsrMatrix, krylovBlockSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [-2, 3]]);
 * const [c] = krylovBlockSolve("bicgstab", A, Float64Array.of(5, 1), 1, { rtol: 1e-12 });
 * assert.ok(Math.abs(c.x[0] - 1) < 1e-10 && Math.abs(c.x[1] - 1) < 1e-10);
 * assert.equal(typeof bicgstabMethod, "function");
 * ```
 *
 * @category Solvers
 */
export function bicgstabMethod<V, S>(o: KrylovOps<V, S>, x: V, r: V): V {
  const rHat = o.copy(r, o.vector());
  const pBuf = o.vector(), vBuf = o.vector(), tBuf = o.vector();
  const pHatBuf = o.vector(), sHatBuf = o.vector();
  let p = pBuf, v = vBuf;
  let rhoOld: S | undefined, alpha: S | undefined, omega: S | undefined;
  for (;;) {
    const rho = o.dot(rHat, r);
    if (!o.nonzero(rho)) return x;
    let beta: S | undefined;
    if (rhoOld === undefined) p = o.copy(r, pBuf);
    else {
      beta = o.mul(o.div(rho, rhoOld), o.div(alpha!, omega!));
      p = o.direction(r, beta, omega!, p, v);
    }
    const pHat = o.precondition(p, pHatBuf);
    v = o.apply(pHat, vBuf);
    const rv = o.dot(rHat, v);
    if (!o.nonzero(rv)) return x;
    alpha = o.div(rho, rv);
    // Half-step 1: s = r − α v (kept in r), x += α p̂.
    let ss: S;
    [r, ss] = o.axpyNorm(o.neg(alpha), v, r);
    x = o.axpy(alpha, pHat, x);
    if (!o.step(ss, alpha, beta)) return x;
    // Half-step 2: ω = tᵀs / tᵀt, x += ω ŝ, r = s − ω t.
    const sHat = o.precondition(r, sHatBuf);
    const t = o.apply(sHat, tBuf);
    const tt = o.dot(t, t), ts = o.dot(t, r);
    if (!o.finite(tt) || !o.finite(ts)) return x;
    omega = o.divOrZero(ts, tt);
    x = o.axpy(omega, sHat, x);
    let rr: S;
    [r, rr] = o.axpyNorm(o.neg(omega), t, r);
    // The product t = Aŝ counts even when ω = 0 (then x and r are unchanged: a breakdown).
    const going = o.step(rr, omega);
    if (!o.nonzero(omega) || !going) return x;
    rhoOld = rho;
  }
}
