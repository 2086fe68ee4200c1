/**
 * The preconditioner interface: `z ← M⁻¹ r` and its transpose
 * `z ← M⁻ᵀ r`. The adjoint solve `Aᵀλ = x̄` must use the transposed
 * preconditioner, so every preconditioner provides both.
 *
 * @module
 */

/**
 * An approximate inverse `M⁻¹` of the system matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix, type Preconditioner } from "@gradsolve/gradsolve";
 * const halve: Preconditioner = {
 *   name: "user",
 *   symmetric: true,
 *   apply: (r, z) => { for (let i = 0; i < r.length; i++) z[i] = r[i] / 2; },
 *   applyTranspose: (r, z) => { for (let i = 0; i < r.length; i++) z[i] = r[i] / 2; },
 * };
 * // M = 2I is exact for A = 2I: one iteration.
 * const A = CsrMatrix.fromDense([[2, 0], [0, 2]]);
 * const result = cg(A, Float64Array.of(2, 4), { preconditioner: halve });
 * assert.deepEqual([...result.x], [1, 2]);
 * assert.equal(result.iterations, 1);
 * ```
 *
 * @category Preconditioners
 */
export interface Preconditioner {
  /** Short name reported in results (`jacobi`, `ilu0`, `ic0`, `user`, …). */
  readonly name: string;
  /** True when `M⁻¹` is symmetric (CG and MINRES need an SPD one). */
  readonly symmetric: boolean;
  /** `z ← M⁻¹ r`; must not allocate per call. */
  apply(r: Float64Array, z: Float64Array): void;
  /** `z ← M⁻ᵀ r`; must not allocate per call. */
  applyTranspose(r: Float64Array, z: Float64Array): void;
}

/**
 * Names of the built-in preconditioners.
 *
 * @category Preconditioners
 */
export type PreconditionerName = "none" | "jacobi" | "ilu0" | "ic0" | "amg";

/**
 * `M⁻ᵀ` of a preconditioner: itself when symmetric, else a view that swaps
 * `apply` and `applyTranspose` (for AMG: the transposed cycle on the same
 * hierarchy). The adjoint solve `Aᵀλ = x̄` runs with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ilu0, transposedPreconditioner } from "@gradsolve/gradsolve";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const M = ilu0(CsrMatrix.fromDense([[4, 1], [0, 3]]));
 * const Mt = transposedPreconditioner(M);
 * const z = new Float64Array(2), zt = new Float64Array(2);
 * M.applyTranspose(Float64Array.of(1, 2), z);
 * Mt.apply(Float64Array.of(1, 2), zt);
 * assert.deepEqual(zt, z);
 * ```
 *
 * @category Preconditioners
 */
export function transposedPreconditioner(M: Preconditioner): Preconditioner {
  if (M.symmetric) return M;
  return {
    name: `${M.name}ᵀ`,
    symmetric: false,
    apply: (r, z) => M.applyTranspose(r, z),
    applyTranspose: (r, z) => M.apply(r, z),
  };
}
