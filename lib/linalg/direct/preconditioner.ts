/**
 * A factorisation used as a preconditioner. In a training loop the matrix
 * changes a little every step: factor it once, and let a Krylov method
 * correct for the drift — each iteration costs two triangular solves, and
 * the iteration count stays small while the factors are close to the matrix.
 * With the factors of the very matrix being solved, a Krylov method
 * converges in one or two iterations.
 *
 * @module
 */

import type { Preconditioner } from "../preconditioner.ts";
import type { Factorization } from "./factor.ts";

/**
 * `M⁻¹ = (factored matrix)⁻¹` as a {@linkcode Preconditioner}, with the
 * transposed solve for adjoints. Symmetric exactly when the factorisation is
 * a Cholesky one (so CG may use it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convectionDiffusion2d, factorizationPreconditioner, factorize, gmres } from "@gradsolve/gradsolve";
 * const A0 = convectionDiffusion2d(12, 12, { wind: [5, 2] });
 * const M = factorizationPreconditioner(factorize(A0));
 * // A drifted matrix: 1% larger off-diagonal entries.
 * const A1 = A0.withValues(A0.values.map((v, k) => A0.pattern.rowIndices()[k] === A0.pattern.colIdx[k] ? v : 1.01 * v));
 * const r = gmres(A1, new Float64Array(144).fill(1), { preconditioner: M, rtol: 1e-10 });
 * assert.ok(r.converged);
 * assert.ok(r.iterations <= 6);
 * ```
 *
 * @category Preconditioners
 */
export function factorizationPreconditioner(f: Factorization): Preconditioner {
  return {
    name: `direct-${f.kind}`,
    symmetric: f.kind === "cholesky",
    apply: (r, z) => z.set(f.solve(r)),
    applyTranspose: (r, z) => z.set(f.solveTranspose(r)),
  };
}
