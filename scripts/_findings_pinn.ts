/**
 * Finding rules of the PINN report (`pinn.ts`): data → sentence.
 *
 * @module
 */

import { mean, pct, within } from "./_findings.ts";

/** Root mean square of `err` over the cells where `keep` holds (NaN if none). */
export function rmsWhere(err: ArrayLike<number>, keep: (c: number) => boolean): number {
  let s = 0, k = 0;
  for (let c = 0; c < err.length; c++) if (keep(c)) (s += err[c]! ** 2), k++;
  return k === 0 ? NaN : Math.sqrt(s / k);
}

/** The verdict's opening: recovered when the error at least halved. */
export function recoveryVerdict(initialError: number, finalError: number): string {
  return finalError < initialError / 2
    ? "The coefficient is recovered"
    : "The coefficient is only partly recovered";
}

/** Where the κ error sits: boundary band vs interior, and at the bumps vs the background. */
export interface ErrorLocation {
  /** RMS of κ − κ_true over the cells within `bandCells` of the boundary. */
  boundaryRms: number;
  /** RMS over the other cells. */
  interiorRms: number;
  /** Width of the boundary band, in cells. */
  bandCells: number;
  /** RMS where the true κ departs from its background by more than 0.2 (the bumps). */
  featureRms: number;
  /** RMS over the background. */
  backgroundRms: number;
}

/**
 * The sentence on where the error is largest, as the numbers say: it names
 * the larger of boundary band and interior, and of bumps and background.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorLocationSentence } from "./_findings_pinn.ts";
 * const s = errorLocationSentence({
 *   boundaryRms: 0.063, interiorRms: 0.096, bandCells: 6, featureRms: 0.2, backgroundRms: 0.05,
 * });
 * assert.ok(s.startsWith("The error is not largest near the boundary"));
 * ```
 */
export function errorLocationSentence(e: ErrorLocation): string {
  const f = (v: number) => v.toPrecision(2);
  const band = `the boundary band (the outer ${e.bandCells} cells)`;
  const first = e.boundaryRms > e.interiorRms
    ? `The error is largest near the boundary, where u → 0 and the data say least about κ: ` +
      `RMS ${f(e.boundaryRms)} in ${band} against ${f(e.interiorRms)} inside`
    : `The error is not largest near the boundary: its RMS is ${f(e.interiorRms)} inside ` +
      `against ${f(e.boundaryRms)} in ${band}`;
  const second = e.featureRms > e.backgroundRms
    ? `; it is larger on the two bumps of κ (RMS ${f(e.featureRms)}) than on the background ` +
      `(${f(e.backgroundRms)}), which the smooth network and the smoothness term flatten.`
    : `; on the two bumps of κ it is no larger (RMS ${f(e.featureRms)}) than on the ` +
      `background (${f(e.backgroundRms)}).`;
  return first + second;
}

/**
 * Adjoint vs forward solve time: "about as much" within 25 %, else the ratio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adjointCostSentence } from "./_findings_pinn.ts";
 * assert.ok(adjointCostSentence(20, 21).includes("about as much"));
 * ```
 */
export function adjointCostSentence(forwardMs: number, adjointMs: number): string {
  return within(adjointMs, forwardMs, 1.25)
    ? "the adjoint solve costs about as much as the forward one, as expected for a symmetric " +
      "system solved with the same method"
    : `the adjoint solve costs ${(adjointMs / forwardMs).toFixed(2)}× the forward one`;
}

/**
 * How the per-solve CG iterations move during training: compares the mean
 * of the first and the last tenth of the steps (step 1, a cold start, left out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterationTrendSentence } from "./_findings_pinn.ts";
 * const falling = Array.from({ length: 100 }, (_, i) => 200 - i);
 * assert.ok(iterationTrendSentence(falling).includes("fall from"));
 * ```
 */
export function iterationTrendSentence(iterations: readonly number[]): string {
  const rest = iterations.slice(1);
  const tenth = Math.max(1, Math.floor(rest.length / 10));
  const early = mean(rest.slice(0, tenth)), late = mean(rest.slice(-tenth));
  const a = early.toFixed(0), b = late.toFixed(0);
  if (late < 0.9 * early) {
    return `Both solves are warm-started from the previous step's solution, and the ` +
      `iterations fall from ${a} (first tenth of the steps) to ${b} (last tenth) as κ settles.`;
  }
  return `Both solves are warm-started from the previous step's solution, yet the iterations ` +
    `do not fall as training proceeds: ${a} per solve in the first tenth of the steps, ${b} in ` +
    `the last (${pct(late / early - 1)} change).`;
}

/** One preconditioner's training steps, as {@linkcode amgComparisonSentence} reads them. */
export interface StepCost {
  /** Name in prose, e.g. `"Jacobi"`. */
  name: string;
  /** Mean wall time of a training step (ms). */
  msPerStep: number;
  /** Mean time of the forward + adjoint solves in a step (ms). */
  solveMsPerStep: number;
  /** Mean CG iterations per forward solve. */
  itersPerSolve: number;
}

/**
 * Which preconditioner makes a training step faster, with the numbers:
 * step time, solve time and iterations per solve of both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgComparisonSentence } from "./_findings_pinn.ts";
 * const s = amgComparisonSentence(
 *   { name: "Jacobi", msPerStep: 90, solveMsPerStep: 60, itersPerSolve: 100 },
 *   { name: "AMG", msPerStep: 45, solveMsPerStep: 15, itersPerSolve: 6 },
 * );
 * assert.ok(s.startsWith("AMG makes a training step faster"));
 * ```
 */
export function amgComparisonSentence(current: StepCost, amg: StepCost): string {
  const f = (v: number) => v.toFixed(1);
  const solves = `the solves take ${f(amg.solveMsPerStep)} ms per step with ${amg.name} ` +
    `against ${f(current.solveMsPerStep)} ms with ${current.name}`;
  const its = `${amg.itersPerSolve.toFixed(1)} CG iterations per forward solve against ` +
    `${current.itersPerSolve.toFixed(1)}`;
  if (amg.msPerStep < current.msPerStep) {
    return `${amg.name} makes a training step faster: ${f(amg.msPerStep)} ms against ` +
      `${f(current.msPerStep)} ms with ${current.name} ` +
      `(${(current.msPerStep / amg.msPerStep).toFixed(2)}× faster), with ${its}; ${solves}.`;
  }
  const why = amg.itersPerSolve < current.itersPerSolve
    ? `although ${amg.name} needs fewer iterations (${its}): they do not pay for its cycles`
    : `and ${amg.name} does not even save iterations (${its})`;
  return `${current.name} keeps a training step faster: ${f(current.msPerStep)} ms against ` +
    `${f(amg.msPerStep)} ms with ${amg.name} ` +
    `(${(amg.msPerStep / current.msPerStep).toFixed(2)}× slower), ${why}; ${solves}.`;
}
