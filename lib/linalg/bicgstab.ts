/**
 * BiCGSTAB (van der Vorst, 1992) with right preconditioning, for general
 * nonsymmetric systems. Each iteration has two half-steps, each with one
 * matrix–vector product; both count as iterations (the library counts
 * matrix–vector products), and the solve may stop after the first half.
 *
 * ```
 * r̂ = r,  ρ₀ = α = ω = 1,  v = p = 0
 * repeat:  ρ = r̂ᵀr;  p = r + (ρ/ρ₀)(α/ω)(p − ω v)
 *          p̂ = M⁻¹p;  v = A p̂;  α = ρ / r̂ᵀv;  s = r − α v     (half-step 1)
 *          ŝ = M⁻¹s;  t = A ŝ;  ω = tᵀs / tᵀt
 *          x += α p̂ + ω ŝ;  r = s − ω t                     (half-step 2)
 * ```
 *
 * @module
 */

import { type KrylovCycle, type KrylovProblem, runKrylov } from "./krylov.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveResult } from "./result.ts";
import { axpy, dot } from "./vector.ts";

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
  return runKrylov("bicgstab", A, b, options, bicgstabCycle);
}

function bicgstabCycle(problem: KrylovProblem): KrylovCycle {
  const { A, M, n, x, r, tol } = problem;
  const rHat = new Float64Array(n);
  const p = new Float64Array(n);
  const v = new Float64Array(n);
  const t = new Float64Array(n);
  // Without a preconditioner p̂ is p and ŝ is s (= r, updated in place).
  const pHat = M ? new Float64Array(n) : p;
  const sHat = M ? new Float64Array(n) : r;
  const tol2 = tol * tol;

  return (_rnorm, budget, step) => {
    rHat.set(r);
    let rhoOld = 1, alpha = 1, omega = 1;
    let it = 0;
    while (it < budget) {
      const rho = dot(rHat, r);
      if (!(rho !== 0 && rho - rho === 0)) {
        return { status: rho === 0 ? "breakdown" : "non-finite", iterations: it };
      }
      if (it === 0) p.set(r);
      else {
        const beta = (rho / rhoOld) * (alpha / omega);
        for (let i = 0; i < n; i++) p[i] = r[i] + beta * (p[i] - omega * v[i]);
      }
      if (M) M.apply(p, pHat);
      A.apply(pHat, v);
      const rv = dot(rHat, v);
      if (!(rv !== 0 && rv - rv === 0)) {
        return { status: rv === 0 ? "breakdown" : "non-finite", iterations: it };
      }
      alpha = rho / rv;
      // s = r − α v, kept in r.
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const si = r[i] - alpha * v[i];
        r[i] = si;
        ss += si * si;
      }
      it++;
      if (!(ss < Infinity)) return { status: "non-finite", iterations: it };
      const stopHalf = step(Math.sqrt(ss));
      if (ss <= tol2 || stopHalf || it >= budget) {
        axpy(alpha, pHat, x);
        if (ss <= tol2) return { status: "converged", iterations: it };
        return { status: stopHalf ? "stopped" : "max-iterations", iterations: it };
      }
      if (M) M.apply(r, sHat);
      A.apply(sHat, t);
      const tt = dot(t, t);
      const ts = dot(t, r);
      if (!(tt < Infinity && ts - ts === 0)) return { status: "non-finite", iterations: it };
      omega = tt === 0 ? 0 : ts / tt;
      if (omega === 0) {
        axpy(alpha, pHat, x);
        step(Math.sqrt(ss));
        return { status: "breakdown", iterations: it + 1 };
      }
      let rr = 0;
      for (let i = 0; i < n; i++) {
        x[i] += alpha * pHat[i] + omega * sHat[i];
        const ri = r[i] - omega * t[i];
        r[i] = ri;
        rr += ri * ri;
      }
      it++;
      if (!(rr < Infinity)) return { status: "non-finite", iterations: it };
      const stop = step(Math.sqrt(rr));
      if (rr <= tol2) return { status: "converged", iterations: it };
      if (stop) return { status: "stopped", iterations: it };
      rhoOld = rho;
    }
    return { status: "max-iterations", iterations: it };
  };
}
