/**
 * The Jacobi (diagonal) preconditioner `M = diag(A)`.
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { Preconditioner } from "./preconditioner.ts";

/**
 * Builds `M⁻¹ = diag(A)⁻¹`. Symmetric (so `applyTranspose` is `apply`);
 * positive definite when the diagonal is positive. Throws
 * {@linkcode FactorizationError} naming the row of a zero (or missing)
 * diagonal entry, and `NonFiniteError` for NaN/Inf in `A`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, jacobi } from "@gradsolve/gradsolve";
 * const M = jacobi(CsrMatrix.fromDense([[2, 1], [1, 4]]));
 * const z = new Float64Array(2);
 * M.apply(Float64Array.of(1, 1), z);
 * assert.equal(z[0], 0.5);
 * assert.equal(z[1], 0.25);
 * ```
 *
 * @category Preconditioners
 */
export function jacobi(A: CsrMatrix): Preconditioner {
  const [rows, cols] = A.shape;
  if (rows !== cols) {
    throw new ShapeError(
      `Cannot build Jacobi preconditioner: matrix is ${rows}x${cols} but must be square`,
    );
  }
  A.assertFinite("A");
  const d = A.diagonal();
  const inv = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    if (d[i] === 0) {
      throw new FactorizationError(
        `Cannot build Jacobi preconditioner: diagonal entry of row ${i} is 0`,
        i,
      );
    }
    inv[i] = 1 / d[i];
  }
  const apply = (r: Float64Array, z: Float64Array): void => {
    for (let i = 0; i < rows; i++) z[i] = inv[i] * r[i];
  };
  return { name: "jacobi", symmetric: true, apply, applyTranspose: apply };
}
