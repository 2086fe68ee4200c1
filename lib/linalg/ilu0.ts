/**
 * The ILU(0) preconditioner: `A ≈ L U` with `L` unit lower and `U` upper
 * triangular, both restricted to the sparsity pattern of `A` (no fill-in).
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { Preconditioner } from "./preconditioner.ts";

/**
 * Factors `A ≈ L U` on the pattern of `A` (IKJ order) and returns
 * `M⁻¹ = (L U)⁻¹`: `apply` solves with `L` then `U`, `applyTranspose` with
 * `Uᵀ` then `Lᵀ`. Throws {@linkcode FactorizationError} naming the row when
 * a diagonal entry is not stored or a pivot is zero, `NonFiniteError` for
 * NaN/Inf in `A` or in the factors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, ilu0 } from "@gradsolve/gradsolve";
 * // A tridiagonal matrix has no fill-in, so ILU(0) is its exact LU.
 * const A = CsrMatrix.fromDense([[4, 1, 0], [2, 5, 1], [0, 3, 6]]);
 * const z = new Float64Array(3);
 * ilu0(A).apply(A.multiply(Float64Array.of(1, 2, 3)), z);
 * assert.ok(Math.abs(z[2] - 3) < 1e-14);
 * ```
 *
 * @category Preconditioners
 */
export function ilu0(A: CsrMatrix): Preconditioner {
  const [n, cols] = A.shape;
  if (n !== cols) {
    throw new ShapeError(
      `Cannot build ILU(0) preconditioner: matrix is ${n}x${cols} but must be square`,
    );
  }
  A.assertFinite("A");
  const { rowPtr, colIdx } = A.pattern;
  const diag = A.pattern.diagonalIndices();
  const lu = Float64Array.from(A.values);
  const invDiag = new Float64Array(n);
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i], end = rowPtr[i + 1], di = diag[i];
    if (di < 0) {
      throw new FactorizationError(
        `Cannot build ILU(0) preconditioner: diagonal entry of row ${i} is not stored`,
        i,
      );
    }
    for (let k = start; k < end; k++) pos[colIdx[k]] = k;
    for (let kk = start; kk < di; kk++) {
      const j = colIdx[kk];
      const l = (lu[kk] *= invDiag[j]);
      for (let m = diag[j] + 1; m < rowPtr[j + 1]; m++) {
        const p = pos[colIdx[m]];
        if (p >= 0) lu[p] -= l * lu[m];
      }
    }
    for (let k = start; k < end; k++) pos[colIdx[k]] = -1;
    const pivot = lu[di];
    if (pivot === 0 || !Number.isFinite(pivot)) {
      throw new FactorizationError(
        `Cannot build ILU(0) preconditioner: pivot of row ${i} is ${pivot}`,
        i,
      );
    }
    invDiag[i] = 1 / pivot;
  }
  return {
    name: "ilu0",
    symmetric: false,
    apply(r, z) {
      // L y = r (unit lower), then U z = y.
      for (let i = 0; i < n; i++) {
        let s = r[i];
        for (let k = rowPtr[i]; k < diag[i]; k++) s -= lu[k] * z[colIdx[k]];
        z[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = z[i];
        for (let k = diag[i] + 1; k < rowPtr[i + 1]; k++) s -= lu[k] * z[colIdx[k]];
        z[i] = s * invDiag[i];
      }
    },
    applyTranspose(r, z) {
      // Uᵀ y = r (forward, by columns of Uᵀ = rows of U), then Lᵀ z = y (backward).
      if (z !== r) z.set(r);
      for (let i = 0; i < n; i++) {
        const zi = z[i] * invDiag[i];
        z[i] = zi;
        for (let k = diag[i] + 1; k < rowPtr[i + 1]; k++) z[colIdx[k]] -= lu[k] * zi;
      }
      for (let i = n - 1; i >= 0; i--) {
        const zi = z[i];
        for (let k = rowPtr[i]; k < diag[i]; k++) z[colIdx[k]] -= lu[k] * zi;
      }
    },
  };
}
