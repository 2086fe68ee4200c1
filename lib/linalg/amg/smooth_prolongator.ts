/**
 * Prolongator smoothing: `P = (I − ω D⁻¹ A) T` with `ω = 4/(3ρ(D⁻¹A))`,
 * split into a symbolic phase (the pattern of `A·T`, which contains `T`'s
 * because every diagonal entry of A is stored) and a numeric phase that is
 * re-run on new values of A with T, the pattern and ω's formula fixed.
 *
 * @module
 */

import { FactorizationError } from "../../errors.ts";
import { CsrMatrix } from "../../sparse/csr.ts";
import type { CsrPattern } from "../../sparse/pattern.ts";
import { spgemmPattern, spgemmValues } from "./spgemm.ts";

/** The symbolic part of prolongator smoothing. */
export interface ProlongatorPattern {
  /** Pattern of P (= pattern of A·T). */
  readonly pattern: CsrPattern;
  /** Position in P's values of every stored entry of T. */
  readonly tentativePosition: Int32Array;
  /** Scratch of length nCols(P) for the numeric phase. */
  readonly work: Int32Array;
}

/**
 * The pattern of `P = (I − ωD⁻¹A)T`. Throws {@linkcode FactorizationError}
 * when a row of A does not store its diagonal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prolongatorPattern } from "./smooth_prolongator.ts";
 * import { tentativeProlongator } from "./tentative.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const { T } = tentativeProlongator(Int32Array.of(0, 0, 1, 1), 2, new Float64Array(4).fill(1), 1);
 * const p = prolongatorPattern(poisson1d(4).pattern, T.pattern);
 * assert.deepEqual([...p.pattern.rowPtr], [0, 1, 3, 5, 6]);
 * ```
 */
export function prolongatorPattern(A: CsrPattern, T: CsrPattern): ProlongatorPattern {
  const di = A.diagonalIndices();
  for (let i = 0; i < di.length; i++) {
    if (di[i] < 0) {
      throw new FactorizationError(
        `Cannot set up AMG: diagonal entry of row ${i} is not stored`,
        i,
      );
    }
  }
  const pattern = spgemmPattern(A, T);
  const pos = new Int32Array(T.nnz);
  for (let i = 0; i < T.nRows; i++) {
    for (let k = T.rowPtr[i]; k < T.rowPtr[i + 1]; k++) pos[k] = pattern.find(i, T.colIdx[k]);
  }
  return { pattern, tentativePosition: pos, work: new Int32Array(T.nCols) };
}

/**
 * Fills `out` with the values of `P = T − ω D⁻¹ (A T)` on the pattern from
 * {@linkcode prolongatorPattern}. `invDiag[i] = 1/a_ii`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prolongatorPattern, smoothProlongator } from "./smooth_prolongator.ts";
 * import { tentativeProlongator } from "./tentative.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const A = poisson1d(4);
 * const { T } = tentativeProlongator(Int32Array.of(0, 0, 1, 1), 2, new Float64Array(4).fill(1), 1);
 * const sym = prolongatorPattern(A.pattern, T.pattern);
 * const P = smoothProlongator(A, Float64Array.of(0.5, 0.5, 0.5, 0.5), 0.5, T, sym);
 * // P·1 = (I − ωD⁻¹A)·T·1: rows away from the boundary keep the constant.
 * const y = P.multiply(Float64Array.of(Math.SQRT2, Math.SQRT2));
 * assert.ok(Math.abs(y[1] - 1) < 1e-15 && Math.abs(y[0] - 0.75) < 1e-15);
 * ```
 */
export function smoothProlongator(
  A: CsrMatrix,
  invDiag: Float64Array,
  omega: number,
  T: CsrMatrix,
  symbolic: ProlongatorPattern,
  out: Float64Array = new Float64Array(symbolic.pattern.nnz),
): CsrMatrix {
  const { pattern, tentativePosition, work } = symbolic;
  spgemmValues(A.pattern, A.values, T.pattern, T.values, pattern, out, work);
  const { rowPtr, nRows } = pattern;
  for (let i = 0; i < nRows; i++) {
    const s = -omega * invDiag[i];
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) out[k] *= s;
  }
  const tv = T.values;
  for (let k = 0; k < tv.length; k++) out[tentativePosition[k]] += tv[k];
  return new CsrMatrix(pattern, out);
}
