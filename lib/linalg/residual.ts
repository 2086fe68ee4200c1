/**
 * The true residual `r = b − A x`, recomputed in float64: every solver
 * (Krylov, direct, GPU refinement) confirms its result with it.
 *
 * @module
 */

import type { LinearOperator } from "./operator.ts";
import { norm2 } from "./vector.ts";

/**
 * `r ← b − A x`; returns `‖r‖₂`. For the transposed system pass
 * `transposeOperator(A)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trueResidual } from "./residual.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0], [0, 4]]);
 * const r = new Float64Array(2);
 * assert.equal(trueResidual(A, Float64Array.of(2, 4), Float64Array.of(1, 0), r), 4);
 * assert.equal(r[1], 4);
 * ```
 */
export function trueResidual(
  A: LinearOperator,
  b: Float64Array,
  x: Float64Array,
  r: Float64Array,
): number {
  A.apply(x, r);
  for (let i = 0; i < r.length; i++) r[i] = b[i] - r[i];
  return norm2(r);
}
