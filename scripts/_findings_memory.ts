/**
 * Finding rules of the memory report (`memory.ts`).
 *
 * @module
 */

import { sci } from "./_findings.ts";

/** The implicit tape counts as flat when its largest spread over iteration counts is ≤ 5%. */
export function implicitFlatClause(spread: number): string {
  return spread <= 1.05
    ? `the implicit tape stays flat (×${spread.toFixed(2)} across iteration counts)`
    : `the implicit tape is not flat (it grows ×${spread.toFixed(2)} across iteration counts)`;
}

/**
 * The paragraph on the heap measurement: whether it confirms the tape slope
 * (within 50%), whether the implicit heap growth is at the noise floor (below
 * a tenth of the smallest unrolled heap growth) and whether the gradients agree
 * (relative gap ≤ 1e-2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heapParagraph } from "./_findings_memory.ts";
 * const p = heapParagraph({
 *   tapeSlope: 56, heapSlope: 69, implicitHeapMax: "165 KiB", implicitHeapMaxBytes: 169e3,
 *   smallestUnrolledHeapBytes: 2.2e6, maxGap: 1.6e-3,
 * });
 * assert.ok(p.startsWith("The heap measurements confirm"));
 * ```
 */
export function heapParagraph(m: {
  tapeSlope: number;
  heapSlope: number;
  implicitHeapMax: string;
  implicitHeapMaxBytes: number;
  smallestUnrolledHeapBytes: number;
  maxGap: number;
}): string {
  const confirm = m.heapSlope >= m.tapeSlope / 1.5 && m.heapSlope <= 1.5 * m.tapeSlope
    ? `The heap measurements confirm the unrolled slope: ${m.heapSlope.toFixed(0)} bytes per ` +
      `iteration per unknown on the V8 heap against ${m.tapeSlope.toFixed(0)} from tapeBytes ` +
      "(the heap also holds the graph-node objects and closures that tapeBytes does not count)."
    : `The heap measurements do not confirm the unrolled slope: ${m.heapSlope.toFixed(0)} ` +
      `bytes per iteration per unknown on the V8 heap against ${m.tapeSlope.toFixed(0)} from ` +
      "tapeBytes.";
  const floor = m.implicitHeapMaxBytes <= 0.1 * m.smallestUnrolledHeapBytes
    ? ` The implicit mode's heap growth is at the noise floor of this measurement (|Δ| ≤ ` +
      `${m.implicitHeapMax}, under a tenth of the smallest unrolled growth; its inputs A and b ` +
      "existed before the trace), so a heap-based ratio is not meaningful and the ratios above " +
      "use tapeBytes."
    : ` The implicit mode's heap growth reaches ${m.implicitHeapMax}, more than a tenth of the ` +
      "smallest unrolled growth; the ratios above use tapeBytes.";
  const agree = m.maxGap <= 1e-2
    ? ` The gradients of the two modes agree (largest relative gap ${sci(m.maxGap)} at ≥ 100 ` +
      "iterations)."
    : ` The gradients of the two modes differ (largest relative gap ${sci(m.maxGap)} at ≥ 100 ` +
      "iterations).";
  return confirm + floor + agree;
}

/** The caption of the memory-vs-iterations figure, from the measured spread and slopes. */
export function memoryCaption(implicitSpread: number, unrolledSlopes: readonly number[]): string {
  const lo = Math.min(...unrolledSlopes), hi = Math.max(...unrolledSlopes);
  const linear = lo >= 0.9 && hi <= 1.1;
  return "Measured memory kept alive by the graph of one differentiated solve, per mode and " +
    'problem size; panels "tapeBytes" and "Deno.memoryUsage()". ' +
    (implicitSpread <= 1.05
      ? "Implicit tapeBytes lines are flat (one node whatever the iteration count); "
      : `Implicit tapeBytes lines vary up to ×${implicitSpread.toFixed(2)}; `) +
    (linear
      ? `unrolled lines grow linearly (log–log slopes ${lo.toFixed(2)}–${hi.toFixed(2)}).`
      : `unrolled lines have log–log slopes ${lo.toFixed(2)}–${
        hi.toFixed(2)
      } (1 would be linear).`);
}

/**
 * The caption of the ratio figure: proportional to the iterations (slope
 * within 0.1 of 1) and independent of n (spread across n ≤ 10%) as measured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ratioCaption } from "./_findings_memory.ts";
 * assert.ok(ratioCaption(1.0, 1.03).includes("almost independent of n"));
 * assert.ok(ratioCaption(1.0, 1.5).includes("depends on n"));
 * ```
 */
export function ratioCaption(slope: number, spreadAcrossN: number): string {
  return "Measured saving of the implicit adjoint (ratio of tapeBytes); the often-quoted " +
    "100–1000× is the band 100–1000 on the y axis. " +
    (Math.abs(slope - 1) <= 0.1
      ? `The ratio is proportional to the iteration count (log–log slope ${slope.toFixed(2)})`
      : `The ratio grows with log–log slope ${slope.toFixed(2)} in the iteration count`) +
    (spreadAcrossN <= 1.1
      ? ` and almost independent of n (largest spread ×${spreadAcrossN.toFixed(2)} at equal ` +
        "iterations), because both tapes scale with n; the lines overlap."
      : ` and depends on n (spread up to ×${spreadAcrossN.toFixed(2)} at equal iterations).`);
}
