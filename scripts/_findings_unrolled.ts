/**
 * Finding rules of the unrolled-learning report (`unrolled_learning.ts`).
 *
 * @module
 */

/**
 * The room for learning CG's scalars: the CG-to-MINRES residual gap, called
 * small when MINRES is within a factor 1.5 of CG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { krylovGapSentence } from "./_findings_unrolled.ts";
 * assert.ok(krylovGapSentence(0.385, 0.140).includes("2.75×"));
 * assert.ok(krylovGapSentence(0.2, 0.18).includes("small here"));
 * ```
 */
export function krylovGapSentence(cgResidual: number, minresResidual: number): string {
  const gap = cgResidual / minresResidual;
  return gap <= 1.5
    ? `the room for learning is the gap between CG and MINRES, which is small here ` +
      `(${gap.toFixed(2)}× in residual).`
    : `the room for learning is the gap between CG and MINRES: ${gap.toFixed(2)}× in residual ` +
      "here.";
}
