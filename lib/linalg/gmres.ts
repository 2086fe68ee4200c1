/**
 * Restarted GMRES(m) with right preconditioning, modified Gram–Schmidt and
 * Givens rotations. Right preconditioning (`A M⁻¹ u = b`, `x = M⁻¹u`) makes
 * the least-squares residual `|g[j+1]|` the norm of the true,
 * unpreconditioned residual in exact arithmetic.
 *
 * ```
 * v₀ = r/‖r‖,  g = ‖r‖ e₁
 * for j = 0 … m−1:  w = A M⁻¹ vⱼ
 *                   hᵢⱼ = wᵀvᵢ, w −= hᵢⱼ vᵢ   (i ≤ j, modified Gram–Schmidt)
 *                   h₍ⱼ₊₁₎ⱼ = ‖w‖,  vⱼ₊₁ = w / h₍ⱼ₊₁₎ⱼ
 *                   rotate column j, new rotation zeroes h₍ⱼ₊₁₎ⱼ, update g
 * y = H⁻¹g (upper triangular),  x += M⁻¹ (V y)
 * ```
 *
 * @module
 */

import { type KrylovCycle, type KrylovProblem, runKrylov, singleColumnCycle } from "./krylov.ts";
import type { LinearOperator } from "./operator.ts";
import type { KrylovOptions } from "./options.ts";
import type { SolveResult } from "./result.ts";
import { axpy, dot, scaleInto } from "./vector.ts";

/**
 * Solves the (nonsymmetric) system `A x = b` by restarted GMRES(m), with
 * `m = options.restart` (default 30) and right preconditioning. A happy
 * breakdown (the Krylov space became invariant) ends the solve as converged
 * once the true residual confirms it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, gmres } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1, 0], [-2, 3, 1], [0, 1, 5]]);
 * const { x, converged } = gmres(A, Float64Array.of(5, 2, 6), { rtol: 1e-12 });
 * assert.ok(converged);
 * assert.ok(Math.abs(x[0] - 1) < 1e-10);
 * ```
 *
 * @category Solvers
 */
export function gmres(
  A: LinearOperator,
  b: Float64Array,
  options: KrylovOptions = {},
): SolveResult {
  return runKrylov("gmres", A, b, 1, options, singleColumnCycle(gmresCycle))[0];
}

function gmresCycle(problem: KrylovProblem): KrylovCycle {
  const { A, M, n, x, r, tol } = problem;
  // The Krylov dimension cannot exceed n.
  const m = Math.min(problem.restart, n);
  const basis = new Float64Array((m + 1) * n);
  const V: Float64Array[] = [];
  for (let j = 0; j <= m; j++) V.push(basis.subarray(j * n, (j + 1) * n));
  const ld = m + 1;
  const H = new Float64Array(ld * m); // column-major, H[i + j·ld]
  const cs = new Float64Array(m);
  const sn = new Float64Array(m);
  const g = new Float64Array(m + 1);
  const y = new Float64Array(m);
  const w = new Float64Array(n);
  const z = M ? new Float64Array(n) : w;

  return (rnorm, budget, step) => {
    const steps = Math.min(m, budget);
    scaleInto(1 / rnorm, r, V[0]);
    g.fill(0);
    g[0] = rnorm;
    let k = 0; // columns of H in the least-squares problem
    let iterations = 0;
    let status: "converged" | "restart" | "max-iterations" | "stopped" = "restart";
    for (let j = 0; j < steps; j++) {
      if (M) {
        M.apply(V[j], z);
        A.apply(z, w);
      } else A.apply(V[j], w);
      iterations = j + 1;
      const col = j * ld;
      for (let i = 0; i <= j; i++) {
        const h = dot(w, V[i]);
        H[col + i] = h;
        axpy(-h, V[i], w);
      }
      const hNext = Math.sqrt(dot(w, w));
      for (let i = 0; i < j; i++) {
        const a = H[col + i], c = H[col + i + 1];
        H[col + i] = cs[i] * a + sn[i] * c;
        H[col + i + 1] = -sn[i] * a + cs[i] * c;
      }
      const a = H[col + j];
      const d = Math.hypot(a, hNext);
      if (!(d < Infinity)) return { status: "non-finite", iterations: j };
      if (d === 0) {
        // A M⁻¹ vⱼ lies in span(v₀ … vⱼ₋₁) with no new component: A is singular.
        // Solve with the columns so far; the driver judges the true residual.
        step(Math.abs(g[j]));
        status = "converged";
        break;
      }
      cs[j] = a / d;
      sn[j] = hNext / d;
      H[col + j] = d;
      g[j + 1] = -sn[j] * g[j];
      g[j] = cs[j] * g[j];
      k = j + 1;
      const estimate = Math.abs(g[j + 1]);
      const stop = step(estimate);
      if (estimate <= tol || hNext === 0) {
        status = "converged";
        break;
      }
      if (stop) {
        status = "stopped";
        break;
      }
      scaleInto(1 / hNext, w, V[j + 1]);
    }
    if (status === "restart" && steps < m) status = "max-iterations";
    // Back substitution H[0:k, 0:k] y = g[0:k], then x += M⁻¹ (V y).
    for (let i = k - 1; i >= 0; i--) {
      let s = g[i];
      for (let l = i + 1; l < k; l++) s -= H[i + l * ld] * y[l];
      y[i] = s / H[i + i * ld];
    }
    w.fill(0);
    for (let i = 0; i < k; i++) axpy(y[i], V[i], w);
    if (M) {
      M.apply(w, z);
      axpy(1, z, x);
    } else axpy(1, w, x);
    return { status, iterations };
  };
}
