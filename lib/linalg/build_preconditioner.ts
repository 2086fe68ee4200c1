/**
 * Building a preconditioner by name, and the identity ("none").
 *
 * @module
 */

import type { CsrMatrix } from "../sparse/csr.ts";
import { type AmgOptions, amgSetup } from "./amg/mod.ts";
import { ic0, type Ic0Options } from "./ic0.ts";
import { ilu0 } from "./ilu0.ts";
import { jacobi } from "./jacobi.ts";
import type { Preconditioner, PreconditionerName } from "./preconditioner.ts";

/**
 * The identity `M⁻¹ = I` (name `"none"`). Solvers recognise it and skip the
 * copy it would cost.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { identityPreconditioner } from "@gradsolve/gradsolve";
 * const z = new Float64Array(1);
 * identityPreconditioner.apply(Float64Array.of(3), z);
 * assert.equal(z[0], 3);
 * ```
 *
 * @category Preconditioners
 */
export const identityPreconditioner: Preconditioner = Object.freeze({
  name: "none",
  symmetric: true,
  apply: (r: Float64Array, z: Float64Array) => z.set(r),
  applyTranspose: (r: Float64Array, z: Float64Array) => z.set(r),
});

/**
 * Options of {@linkcode preconditioner}, passed on to the builder.
 *
 * @category Preconditioners
 */
export interface PreconditionerOptions extends Ic0Options {
  /** Options of the AMG hierarchy (`"amg"`). @default {see AmgOptions} */
  amg?: AmgOptions;
}

/**
 * Builds the named preconditioner for `A`: `none` (identity), `jacobi`,
 * `ilu0`, `ic0` (with `options.shift`) or `amg` (smoothed aggregation
 * algebraic multigrid, with `options.amg`; see {@linkcode amgSetup}). Throws `RangeError` for an
 * unknown name; the builders' errors otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, preconditioner } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * assert.equal(preconditioner("ic0", A, { shift: "auto" }).name, "ic0");
 * ```
 *
 * @category Preconditioners
 */
export function preconditioner(
  name: PreconditionerName,
  A: CsrMatrix,
  options: PreconditionerOptions = {},
): Preconditioner {
  switch (name) {
    case "none":
      return identityPreconditioner;
    case "jacobi":
      return jacobi(A);
    case "ilu0":
      return ilu0(A);
    case "ic0":
      return ic0(A, options);
    case "amg":
      return amgSetup(A, options.amg);
    default:
      throw new RangeError(
        `Cannot build preconditioner: name must be none, jacobi, ilu0, ic0 or amg, got ${
          String(name)
        }`,
      );
  }
}
