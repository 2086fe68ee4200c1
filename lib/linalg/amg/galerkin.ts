/**
 * The Galerkin coarse operator `A_c = R A P` with `R = Pᵀ`, in two phases.
 * The symbolic phase ({@linkcode galerkinPattern}) computes the patterns of
 * `Pᵀ` (the cached transpose of P's pattern), of `A·P` and of `Pᵀ(A·P)`;
 * the numeric phase ({@linkcode galerkinValues}) refills all three from new
 * values of A and P on those patterns. For a symmetric hierarchy the
 * result is symmetrised, `A_c ← (A_c + A_cᵀ)/2`, so that rounding does not
 * make the coarse matrices (and so the cycle) slightly nonsymmetric.
 *
 * @module
 */

import { ShapeError } from "../../errors.ts";
import { CsrMatrix } from "../../sparse/csr.ts";
import type { CsrPattern } from "../../sparse/pattern.ts";
import { spgemmPattern, spgemmValues } from "./spgemm.ts";

/** Patterns and scratch of one Galerkin product. */
export interface GalerkinPattern {
  /** Pattern of `R = Pᵀ`. */
  readonly restriction: CsrPattern;
  /** `R.values[k] = P.values[perm[k]]`. */
  readonly restrictionPerm: Int32Array;
  /** Pattern of `A·P`. */
  readonly ap: CsrPattern;
  /** Pattern of `A_c = R·(A·P)`. */
  readonly coarse: CsrPattern;
  /** Values of `A·P` (overwritten by every numeric phase). */
  readonly apValues: Float64Array;
  /** Scratch of length nc. */
  readonly work: Int32Array;
  /** For a symmetrised product: position of (j, i) for every entry (i, j) of A_c. */
  readonly symmetrizePerm: Int32Array | undefined;
}

/**
 * The symbolic phase of `Pᵀ A P`; with `symmetrize` the numeric phase
 * returns `(A_c + A_cᵀ)/2` (A must then be structurally symmetric).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { galerkinPattern } from "./galerkin.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const P = CsrMatrix.fromDense([[1, 0], [1, 0], [0, 1], [0, 1]]);
 * const g = galerkinPattern(poisson1d(4).pattern, P.pattern);
 * assert.equal(g.coarse.nnz, 4);
 * ```
 */
export function galerkinPattern(
  A: CsrPattern,
  P: CsrPattern,
  symmetrize = false,
): GalerkinPattern {
  if (A.nRows !== A.nCols || A.nCols !== P.nRows) {
    throw new ShapeError(
      `Cannot form PᵀAP: A is ${A.nRows}x${A.nCols} but P is ${P.nRows}x${P.nCols}`,
    );
  }
  const { pattern: restriction, perm } = P.transpose();
  const ap = spgemmPattern(A, P);
  const coarse = spgemmPattern(restriction, ap);
  if (symmetrize && !coarse.isStructurallySymmetric()) {
    throw new ShapeError("Cannot symmetrize PᵀAP: its pattern is not symmetric");
  }
  return {
    restriction,
    restrictionPerm: perm,
    ap,
    coarse,
    apValues: new Float64Array(ap.nnz),
    work: new Int32Array(P.nCols),
    symmetrizePerm: symmetrize ? coarse.transpose().perm : undefined,
  };
}

/**
 * The numeric phase: returns `R = Pᵀ` and `A_c = R A P` (values written into
 * `rValues` and `out`, both allocated when omitted), symmetrised when the
 * pattern was built with `symmetrize`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { galerkinPattern, galerkinValues } from "./galerkin.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const A = poisson1d(4);
 * const P = CsrMatrix.fromDense([[1, 0], [1, 0], [0, 1], [0, 1]]);
 * const { coarse } = galerkinValues(A, P, galerkinPattern(A.pattern, P.pattern, true));
 * assert.deepEqual([...coarse.toDense()], [2, -1, -1, 2]);
 * ```
 */
export function galerkinValues(
  A: CsrMatrix,
  P: CsrMatrix,
  g: GalerkinPattern,
  rValues: Float64Array = new Float64Array(P.nnz),
  out: Float64Array = new Float64Array(g.coarse.nnz),
): { restriction: CsrMatrix; coarse: CsrMatrix } {
  const perm = g.restrictionPerm;
  const pv = P.values;
  for (let k = 0; k < perm.length; k++) rValues[k] = pv[perm[k]];
  spgemmValues(A.pattern, A.values, P.pattern, pv, g.ap, g.apValues, g.work);
  spgemmValues(g.restriction, rValues, g.ap, g.apValues, g.coarse, out, g.work);
  if (g.symmetrizePerm) symmetrizeValues(g.symmetrizePerm, out);
  return {
    restriction: new CsrMatrix(g.restriction, rValues),
    coarse: new CsrMatrix(g.coarse, out),
  };
}

/** `v ← (v + vᵀ)/2` in place, `perm[k]` being the position of the transposed entry. */
function symmetrizeValues(perm: Int32Array, v: Float64Array): void {
  for (let k = 0; k < v.length; k++) {
    const t = perm[k];
    if (t > k) {
      const m = 0.5 * (v[k] + v[t]);
      v[k] = m;
      v[t] = m;
    }
  }
}
