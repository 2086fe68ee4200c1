/**
 * Wraps user closures as a {@linkcode Preconditioner}.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { Preconditioner } from "./preconditioner.ts";

/**
 * The closures and flags of {@linkcode userPreconditioner}.
 *
 * @category Preconditioners
 */
export interface UserPreconditionerOptions {
  /** `z ← M⁻¹ r`; must not allocate per call. */
  apply(r: Float64Array, z: Float64Array): void;
  /** `z ← M⁻ᵀ r`; needed for adjoint solves unless `symmetric` is true. @default {apply when symmetric} */
  applyTranspose?(r: Float64Array, z: Float64Array): void;
  /** Promise that `M⁻¹` is symmetric (CG and MINRES also need it positive definite). @default {false} */
  symmetric?: boolean;
  /** Name reported in solve results. @default {"user"} */
  name?: string;
}

/**
 * Builds a preconditioner from closures. Without `applyTranspose`, a
 * symmetric preconditioner uses `apply` for both; a nonsymmetric one throws
 * {@linkcode ShapeError} when its transpose is asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userPreconditioner } from "@gradsolve/gradsolve";
 * const M = userPreconditioner({
 *   symmetric: true,
 *   apply: (r, z) => { for (let i = 0; i < r.length; i++) z[i] = r[i] / 4; },
 * });
 * const z = new Float64Array(1);
 * M.applyTranspose(Float64Array.of(8), z);
 * assert.equal(z[0], 2);
 * assert.equal(M.name, "user");
 * ```
 *
 * @category Preconditioners
 */
export function userPreconditioner(options: UserPreconditionerOptions): Preconditioner {
  const symmetric = options.symmetric ?? false;
  const name = options.name ?? "user";
  const apply = options.apply;
  const transpose = options.applyTranspose ?? (symmetric ? apply : undefined);
  return {
    name,
    symmetric,
    apply: (r, z) => apply(r, z),
    applyTranspose: transpose ? (r, z) => transpose(r, z) : () => {
      throw new ShapeError(
        `Cannot apply the transpose of preconditioner ${name}: give applyTranspose or symmetric: true`,
      );
    },
  };
}
