/**
 * Finding rules of the gradient-quality report (`gradient_quality.ts`).
 *
 * @module
 */

import { sci } from "./_findings.ts";

/** A log–log slope counts as "proportional" within ±0.25 of 1. */
export function proportional(slope: number): boolean {
  return Math.abs(slope - 1) <= 0.25;
}

/**
 * The finding's clause on how the implicit error follows the tolerance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toleranceClause } from "./_findings_gradient_quality.ts";
 * assert.ok(toleranceClause(1.02, 0.94).includes("in proportion"));
 * assert.ok(toleranceClause(0.4, 0.94).includes("but not in proportion on both problems"));
 * ```
 */
export function toleranceClause(slopeSpd: number, slopeNonsym: number): string {
  const s = `log–log slope ${slopeSpd.toFixed(2)} / ${slopeNonsym.toFixed(2)}`;
  return proportional(slopeSpd) && proportional(slopeNonsym)
    ? `their error falls in proportion to the tolerance (${s})`
    : `their error falls with the tolerance, but not in proportion on both problems (${s}; ` +
      `1 would be proportional)`;
}

/** One finite-difference step sweep. */
export interface FdSweep {
  /** Problem name. */
  name: string;
  /** Steps h, any order. */
  steps: readonly number[];
  /** Relative error at each step. */
  errors: readonly number[];
  /** The implicit gradient's relative error on the same problem. */
  implicitError: number;
}

function bestOf(s: FdSweep): { i: number; h: number; err: number } {
  let i = 0;
  for (let k = 1; k < s.errors.length; k++) if (s.errors[k]! < s.errors[i]!) i = k;
  return { i, h: s.steps[i]!, err: s.errors[i]! };
}

/** Digits of accuracy lost by steps 100× larger and 100× smaller than the best (where measured). */
export function digitsLost(s: FdSweep): number[] {
  const best = bestOf(s);
  const out: number[] = [];
  for (const factor of [100, 0.01]) {
    const k = s.steps.findIndex((h) => Math.abs(Math.log10(h / (best.h * factor))) < 1e-6);
    if (k >= 0) out.push(Math.log10(s.errors[k]! / best.err));
  }
  return out;
}

/**
 * The caption of the step-sweep figure: where the best step lies against
 * ε^(1/3) ≈ 6e-6 and how its error compares with the implicit gradient's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdCaption } from "./_findings_gradient_quality.ts";
 * const s = { name: "spd", steps: [1e-3, 1e-5, 1e-7], errors: [1e-6, 1e-9, 1e-7], implicitError: 1e-11 };
 * assert.ok(fdCaption([s]).includes("sits within a decade of ε^(1/3)"));
 * ```
 */
export function fdCaption(sweeps: readonly FdSweep[]): string {
  const bests = sweeps.map(bestOf);
  const decades = Math.max(...bests.map((b) => Math.abs(Math.log10(b.h / 6e-6))));
  const steps = bests.map((b) => sci(b.h)).join(" / ");
  const where = decades <= 1
    ? `the best step (${steps}) sits within a decade of ε^(1/3) ≈ 6e-6`
    : `the best step (${steps}) lies up to ${decades.toFixed(1)} decades from ε^(1/3) ≈ 6e-6`;
  const ratios = sweeps.map((s, i) => bests[i]!.err / s.implicitError);
  const list = ratios.map((r) => r.toPrecision(2)).join(" / ");
  const above = ratios.every((r) => r >= 10)
    ? `, and even there the error is ${list}× the implicit gradient's`
    : ratios.every((r) => r > 1)
    ? `; there the error is ${list}× the implicit gradient's`
    : "; there it is as accurate as the implicit gradient on at least one problem";
  return "Central differences: truncation error O(h²) for large steps, cancellation error " +
    `O(ε/h) for small ones; ${where}${above}.`;
}

/**
 * The verdict bullet on central differences: best errors, best steps, and
 * the digits a step 100× off costs, as measured.
 */
export function fdBullet(sweeps: readonly FdSweep[]): string {
  const bests = sweeps.map(bestOf);
  const lost = sweeps.flatMap(digitsLost);
  const range = lost.length === 0
    ? ""
    : `; a step 100× off costs ${Math.min(...lost).toFixed(1)}–${
      Math.max(...lost).toFixed(1)
    } digits`;
  return `- Central differences reach ${bests.map((b) => sci(b.err)).join(" / ")} only at ` +
    `their best steps (${bests.map((b) => sci(b.h)).join(" / ")}${range}) and cost two ` +
    "solves per coordinate: fine for checking a gradient, not for training.";
}

/** The tolerance sweep of one problem. */
export interface ToleranceSweep {
  /** Tolerances, decreasing. */
  tols: readonly number[];
  /** Error with the forward tolerance varied (adjoint tight). */
  forward: readonly number[];
  /** Error with the adjoint tolerance varied (forward tight). */
  adjoint: readonly number[];
  /** Error with both equal. */
  both: readonly number[];
}

/**
 * The tolerance figure's caption: whether "both equal" tracks the looser
 * (larger-error) single sweep, and whether a floor was reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toleranceCaption } from "./_findings_gradient_quality.ts";
 * const t = [1e-2, 1e-4, 1e-6];
 * const s = { tols: t, forward: [1e-2, 1e-4, 1e-6], adjoint: [1e-3, 1e-5, 1e-7], both: [1e-2, 1e-4, 1e-6] };
 * assert.ok(toleranceCaption([s]).includes("tracks the looser"));
 * ```
 */
export function toleranceCaption(sweeps: readonly ToleranceSweep[]): string {
  const tracks = sweeps.every((s) =>
    s.both.every((e, i) => {
      const worst = Math.max(s.forward[i]!, s.adjoint[i]!);
      return e <= 3 * worst && e >= worst / 3;
    })
  );
  const floor = sweeps.some((s) => {
    const n = s.both.length;
    return n >= 3 && s.both[n - 1]! > 0.3 * s.both[n - 3]!;
  });
  const smallest = Math.min(...sweeps.flatMap((s) => s.tols));
  return "Implicit gradient error against the forward and adjoint tolerances. " +
    (tracks
      ? "With both tolerances equal the error tracks the looser of the two single sweeps"
      : "With both tolerances equal the error does not simply track the looser single sweep") +
    (floor
      ? "; at the tightest tolerances it levels off at the float64 floor set by the conditioning."
      : `; no floor is reached down to the tightest tolerance tried (${sci(smallest)}).`);
}

/** Whether the implicit error is within 10× the solver tolerance. */
export function implicitBullet(errSpd: number, errNonsym: number, rtol: number): string {
  const lead = errSpd <= 10 * rtol && errNonsym <= 10 * rtol
    ? "The implicit adjoint is as accurate as the solves"
    : "The implicit adjoint is less accurate than its solve tolerance";
  return `- ${lead}: at rtol ${sci(rtol)} its gradient is within ${sci(errSpd)} (SPD) and ` +
    `${sci(errNonsym)} (nonsymmetric) of the reference, for the price of one extra Krylov solve.`;
}

/**
 * The bullet on how the forward-only and adjoint-only sweeps scale.
 */
export function slopesBullet(
  slopes: { forward: number; adjoint: number; both: number }[],
  worstRatio: number[],
): string {
  const all = slopes.flatMap((s) => [s.forward, s.adjoint]);
  const f = (v: number) => v.toFixed(2);
  const nums = `forward-only slopes ${slopes.map((s) => f(s.forward)).join(" / ")}, ` +
    `adjoint-only ${slopes.map((s) => f(s.adjoint)).join(" / ")}, both ${
      slopes.map((s) => f(s.both)).join(" / ")
    }; largest error/rtol ${worstRatio.map((r) => r.toFixed(1)).join(" / ")}`;
  return all.every(proportional)
    ? `- Its error scales with the tolerance (${nums}): a loose forward *or* adjoint ` +
      "tolerance costs gradient accuracy in the same proportion, so both should be set to the " +
      "accuracy the optimiser needs."
    : `- Its error falls with the tolerance, but not in proportion for every sweep (${nums}).`;
}

/** One unrolled run: the method, the iteration cap, the iterations it ran and its error. */
export interface UnrolledRun {
  /** `"CG"` or `"BiCGSTAB"`. */
  method: string;
  /** Problem label, e.g. `"SPD"`. */
  problem: string;
  /** Iterations requested. */
  cap: number;
  /** Iterations recorded. */
  ran: number;
  /** Relative gradient error (NaN when the gradient is NaN). */
  error: number;
}

/**
 * What a fixed-count unrolled run did: ran the whole budget, or stopped early
 * on an exactly zero residual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unrolledFullSentence } from "./_findings_gradient_quality.ts";
 * const s = unrolledFullSentence({ method: "CG", problem: "SPD", cap: 1000, ran: 1000, error: 5e-4 });
 * assert.ok(s.includes("ran all 1000"));
 * ```
 */
export function unrolledFullSentence(r: UnrolledRun): string {
  const what = Number.isFinite(r.error)
    ? `gives ${sci(r.error)}`
    : "returns NaN: after convergence its recurrences divide tiny by tiny numbers";
  const how = r.ran >= r.cap
    ? `it ran all ${r.cap} iterations, far past convergence, and stored every one — see the ` +
      "memory report"
    : `it stopped after ${r.ran} of the ${r.cap} iterations, on an exactly zero residual or ` +
      "denominator";
  return `Unrolling up to ${r.cap} iterations of ${r.method} on the ${r.problem} problem ${what} ` +
    `(${how}).`;
}

/** Unrolled until the stopping test vs the implicit error, per problem. */
export interface StopRun {
  /** Problem label. */
  problem: string;
  /** Unrolled-to-stopping-test error. */
  stopError: number;
  /** Implicit error at the same rtol. */
  implicitError: number;
}

/**
 * The verdict on unrolling until the stopping test: per problem, whether the
 * gradient converged with the forward solve (within 100× the implicit error).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unrolledStopBullet } from "./_findings_gradient_quality.ts";
 * const s = unrolledStopBullet([
 *   { problem: "SPD", stopError: 27, implicitError: 5e-11 },
 *   { problem: "nonsymmetric", stopError: 2.6e-9, implicitError: 4.4e-10 },
 * ]);
 * assert.ok(s.includes("not on the SPD") && s.includes("on the nonsymmetric"));
 * ```
 */
export function unrolledStopBullet(runs: readonly StopRun[]): string {
  const ok = runs.filter((r) => r.stopError <= 100 * r.implicitError);
  const bad = runs.filter((r) => r.stopError > 100 * r.implicitError);
  const nums = runs.map((r) => `${sci(r.stopError)} (${r.problem})`).join(" and ");
  const head = `- Unrolling *until the stopping test* differentiates the k-step Krylov map, not ` +
    `the solution map: ${nums}.`;
  if (bad.length === 0) {
    return `${head} Here that map's derivative is close to the solution's on every problem ` +
      "(within 100× the implicit error).";
  }
  const names = (rs: readonly StopRun[]) => rs.map((r) => `the ${r.problem}`).join(" and ");
  return `${head} Converging the forward solve made the unrolled gradient converge ${
    ok.length ? `on ${names(ok)} problem` : "on no problem"
  }, but not on ${names(bad)} problem${bad.length > 1 ? "s" : ""}: perturbations outside the ` +
    "Krylov space are not solved for, and the derivatives of the step sizes (which scale like " +
    "1/‖r‖) are amplified near convergence.";
}

/** The truncated-gradient bullet: biased when its error exceeds 100× the implicit one. */
export function truncatedBullet(errors: readonly number[], implicit: readonly number[]): string {
  const biased = errors.every((e, i) => e > 100 * implicit[i]!);
  const nums = errors.map(sci).join(" / ");
  return biased
    ? `- Truncation to 10 iterations gives a biased gradient (${nums}): started at the ` +
      "solution, the recorded steps are a 10-step Krylov approximation of the adjoint."
    : `- Truncation to 10 iterations comes within 100× the implicit error on at least one ` +
      `problem (${nums}).`;
}
