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
 * import type { Preconditioner } from "./preconditioner.ts";
 * const halve: Preconditioner = {
 *   name: "user",
 *   symmetric: true,
 *   apply: (r, z) => { for (let i = 0; i < r.length; i++) z[i] = r[i] / 2; },
 *   applyTranspose: (r, z) => { for (let i = 0; i < r.length; i++) z[i] = r[i] / 2; },
 * };
 * ```
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

/** Names of the built-in preconditioners. */
export type PreconditionerName = "none" | "jacobi" | "ilu0" | "ic0";
