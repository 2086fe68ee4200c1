/**
 * MINRES (Paige & Saunders, 1975) for symmetric, possibly indefinite or
 * singular-but-consistent systems, with an optional symmetric positive
 * definite preconditioner. The preconditioned Lanczos process builds an
 * orthonormal basis in the `M`-inner product; Givens rotations turn the
 * tridiagonal least-squares problem into a short recurrence for `x`.
 *
 * ```
 * z = M⁻¹r₁, β₁ = √(r₁ᵀz), r₂ = r₁, φ̄ = β₁
 * repeat:  v = z/β;  y = A v − (β/β_old) r₁;  α = vᵀy;  y −= (α/β) r₂
 *          r₁ ← r₂, r₂ ← y;  z = M⁻¹r₂;  β = √(r₂ᵀz)       (Lanczos)
 *          apply the previous rotation, build the next from (γ̄, β)
 *          w = (v − ε w₁ − δ w₂)/γ;  x += φ w;  φ̄ = s φ̄    (QR update)
 * ```
 *
 * The recursive residual `φ̄` is measured in the `M⁻¹`-norm when a
 * preconditioner is used; it is rescaled by `‖r₀‖₂ / ‖r₀‖_{M⁻¹}` to give the
 * estimate in 2-norm units. The driver confirms convergence on the true
 * residual either way.
 *
 * @module
 */

import { type KrylovCycle, type KrylovProblem, runKrylov, singleColumnCycle } from "./krylov.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveResult } from "./result.ts";
import { dot } from "./vector.ts";

/**
 * Solves the symmetric (possibly indefinite) system `A x = b` by MINRES.
 * The preconditioner, if any, must be symmetric positive definite: when
 * `rᵀM⁻¹r < 0` the solve stops with `diverged-indefinite`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, minres } from "@gradsolve/gradsolve";
 * // Symmetric indefinite: eigenvalues 3 and -1.
 * const A = CsrMatrix.fromDense([[1, 2], [2, 1]]);
 * const { x, converged } = minres(A, Float64Array.of(3, 3), { rtol: 1e-12 });
 * assert.ok(converged);
 * assert.ok(Math.abs(x[0] - 1) < 1e-10);
 * assert.ok(Math.abs(x[1] - 1) < 1e-10);
 * ```
 *
 * @category Solvers
 */
export function minres(
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions = {},
): SolveResult {
  return runKrylov("minres", A, b, 1, options, singleColumnCycle(minresCycle))[0];
}

function minresCycle(problem: KrylovProblem): KrylovCycle {
  const { A, M, n, x, tol } = problem;
  const bufA = new Float64Array(n);
  const bufB = new Float64Array(n);
  const zBuf = M ? new Float64Array(n) : bufA;
  const v = new Float64Array(n);
  let w: Float64Array = new Float64Array(n);
  let w1: Float64Array = new Float64Array(n);
  let w2: Float64Array = new Float64Array(n);

  return (rnorm, budget, step) => {
    // r₁, r₂, y rotate through three buffers; the driver's r is one of them.
    let r1: Float64Array = problem.r, r2: Float64Array = bufA, y: Float64Array = bufB;
    r2.set(r1);
    let z: Float64Array = r2;
    if (M) {
      M.apply(r1, zBuf);
      z = zBuf;
    }
    const beta1Sq = dot(r1, z);
    if (!(beta1Sq > 0)) {
      return { status: beta1Sq <= 0 ? "indefinite" : "non-finite", iterations: 0 };
    }
    const beta1 = Math.sqrt(beta1Sq);
    const scale = rnorm / beta1;
    let oldb = 0, beta = beta1, dbar = 0, epsln = 0, phibar = beta1, cs = -1, sn = 0;
    w.fill(0);
    w2.fill(0);
    let it = 0;
    while (it < budget) {
      const s = 1 / beta;
      for (let i = 0; i < n; i++) v[i] = s * z[i];
      A.apply(v, y);
      if (it > 0) {
        const c = beta / oldb;
        for (let i = 0; i < n; i++) y[i] -= c * r1[i];
      }
      const alfa = dot(v, y);
      const c = alfa / beta;
      for (let i = 0; i < n; i++) y[i] -= c * r2[i];
      const free = r1;
      r1 = r2;
      r2 = y;
      y = free;
      if (M) M.apply(r2, z);
      else z = r2;
      oldb = beta;
      const betaSq = dot(r2, z);
      if (!(betaSq >= 0 && betaSq < Infinity && alfa - alfa === 0)) {
        return { status: betaSq < 0 ? "indefinite" : "non-finite", iterations: it };
      }
      beta = Math.sqrt(betaSq);
      // Apply the previous rotation, then build the one that annihilates β.
      const oldeps = epsln;
      const delta = cs * dbar + sn * alfa;
      const gbar = sn * dbar - cs * alfa;
      epsln = sn * beta;
      dbar = -cs * beta;
      const gamma = Math.max(Math.hypot(gbar, beta), Number.EPSILON);
      cs = gbar / gamma;
      sn = beta / gamma;
      const phi = cs * phibar;
      phibar = sn * phibar;
      // w ← (v − ε w₁ − δ w₂)/γ with w₁ ← w₂, w₂ ← w.
      const oldW1 = w1;
      w1 = w2;
      w2 = w;
      w = oldW1;
      const denom = 1 / gamma;
      for (let i = 0; i < n; i++) {
        const wi = (v[i] - oldeps * w1[i] - delta * w2[i]) * denom;
        w[i] = wi;
        x[i] += phi * wi;
      }
      it++;
      const estimate = Math.abs(phibar) * scale;
      const stop = step(estimate);
      // β = 0: the Krylov space is invariant, nothing more to gain.
      if (estimate <= tol || beta === 0) return { status: "converged", iterations: it };
      if (stop) return { status: "stopped", iterations: it };
    }
    return { status: "max-iterations", iterations: it };
  };
}
