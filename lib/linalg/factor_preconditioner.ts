/**
 * The preconditioner of a lower-triangular factor: `M⁻¹ = (L Lᵀ)⁻¹`, one
 * forward and one backward substitution. IC(0) is built on it, and so is any
 * learned factor on a matrix's lower pattern.
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { Preconditioner } from "./preconditioner.ts";

/**
 * `M⁻¹ = (L Lᵀ)⁻¹` for a square lower-triangular CSR `L` whose last entry in
 * every row is a positive diagonal. Symmetric positive definite, so CG and
 * MINRES can use it; `applyTranspose` is `apply`. `L` is read, not copied:
 * later changes to `L.values` change the preconditioner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, factorPreconditioner } from "@gradsolve/gradsolve";
 * const L = CsrMatrix.fromDense([[2, 0], [1, 2]]); // L Lᵀ = [[4, 2], [2, 5]]
 * const z = new Float64Array(2);
 * factorPreconditioner(L, "mine").apply(Float64Array.of(4, 6), z); // z = (LLᵀ)⁻¹[4, 6]
 * assert.ok(Math.abs(z[0] - 0.5) < 1e-15);
 * assert.ok(Math.abs(z[1] - 1) < 1e-15);
 * // L Lᵀ z gives [4, 6] back
 * assert.deepEqual([...CsrMatrix.fromDense([[4, 2], [2, 5]]).multiply(z)], [4, 6]);
 * ```
 *
 * @category Preconditioners
 */
export function factorPreconditioner(L: CsrMatrix, name: string): Preconditioner {
  const { rowPtr, colIdx, nRows: n, nCols } = L.pattern;
  if (n !== nCols) {
    throw new ShapeError(
      `Cannot use factor as preconditioner: L is ${n}x${nCols} but must be square`,
    );
  }
  const v = L.values;
  for (let i = 0; i < n; i++) {
    const last = rowPtr[i + 1] - 1;
    if (last < rowPtr[i] || colIdx[last] !== i || !(v[last] > 0)) {
      throw new FactorizationError(
        `Cannot use factor as preconditioner: row ${i} must end with a positive diagonal entry`,
        i,
      );
    }
  }
  const apply = (r: Float64Array, z: Float64Array): void => {
    // L y = r, then Lᵀ z = y (by columns of Lᵀ = rows of L).
    for (let i = 0; i < n; i++) {
      let s = r[i];
      const last = rowPtr[i + 1] - 1;
      for (let k = rowPtr[i]; k < last; k++) s -= v[k] * z[colIdx[k]];
      z[i] = s / v[last];
    }
    for (let i = n - 1; i >= 0; i--) {
      const last = rowPtr[i + 1] - 1;
      const zi = z[i] / v[last];
      z[i] = zi;
      for (let k = rowPtr[i]; k < last; k++) z[colIdx[k]] -= v[k] * zi;
    }
  };
  return { name, symmetric: true, apply, applyTranspose: apply };
}
