/**
 * Finding rules of the stochastic-gradients report (`stochastic_gradients.ts`).
 *
 * @module
 */

import { sci } from "./_findings.ts";

/** Bias and spread of a random estimator over `draws` draws. */
export interface DrawStats {
  /** Relative error of the mean of the draws. */
  bias: number;
  /** Mean per-draw relative error. */
  perDraw: number;
  /** Number of draws. */
  draws: number;
}

/**
 * Whether a mean's error exceeds what sampling noise explains: more than
 * three times the per-draw error over √draws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { biased } from "./_findings_stochastic.ts";
 * assert.ok(biased({ bias: 0.99, perDraw: 0.99, draws: 100 }));
 * assert.ok(!biased({ bias: 0.01, perDraw: 0.34, draws: 100 }));
 * ```
 */
export function biased(s: DrawStats): boolean {
  return s.bias > (3 * s.perDraw) / Math.sqrt(s.draws);
}

/** The sentence on the original code's output norm. */
export function publishedSentence(norm: number): string {
  return norm === 0
    ? "In its original PyTorch form the row-sampling estimator returns an all-zero gradient " +
      "(norm 0): it is a no-op."
    : `In its original PyTorch form the row-sampling estimator returns a gradient of norm ` +
      `${sci(norm)}: it does write the gradient.`;
}

/**
 * The verdict on the row-sampling estimator at one rate: biased or not, cheap
 * or not, aligned or not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampledSentence } from "./_findings_stochastic.ts";
 * const s = sampledSentence({ bias: 0.99, perDraw: 0.99, draws: 100 }, { rate: 0.3, cost: 0.04, cosine: 0.33 });
 * assert.ok(s.includes("biased, and the bias does not average out"));
 * ```
 */
export function sampledSentence(
  s: DrawStats,
  at: { rate: number; cost: number; cosine: number },
): string {
  const head = biased(s)
    ? `Implemented as intended it is biased, and the bias does not average out: the mean of ` +
      `${s.draws} draws is ${s.bias.toFixed(2)} from the exact gradient at p = ${at.rate}, ` +
      `against ${(s.perDraw / Math.sqrt(s.draws)).toFixed(2)} that sampling noise would explain.`
    : `Implemented as intended its mean over ${s.draws} draws is ${
      s.bias.toFixed(2)
    } from the exact gradient at p = ${at.rate}, within sampling noise.`;
  const cost = at.cost < 0.2
    ? ` It is cheap (${at.cost.toFixed(2)}× the exact adjoint: a small subsystem)`
    : ` It is not cheap (${at.cost.toFixed(2)}× the exact adjoint)`;
  const aim = at.cosine < 0.5
    ? `, but its draws point elsewhere: per-draw cosine ${at.cosine.toFixed(2)}.`
    : `, and its draws point roughly the right way: per-draw cosine ${at.cosine.toFixed(2)}.`;
  return head + cost + aim;
}

/** Error of the truncated adjoint at each k. */
export interface TruncatedSweep {
  /** Iteration counts, increasing. */
  ks: readonly number[];
  /** Relative error at each k. */
  errors: readonly number[];
}

/** Whether log(error) falls linearly in k (monotone, R² ≥ 0.9). */
export function geometric(t: TruncatedSweep): boolean {
  const ly = t.errors.map((e) => Math.log10(e));
  if (ly.some((v, i) => i > 0 && !(v < ly[i - 1]!))) return false;
  const n = ly.length,
    mx = t.ks.reduce((a, b) => a + b, 0) / n,
    my = ly.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (t.ks[i]! - mx) * (ly[i]! - my);
    sxx += (t.ks[i]! - mx) ** 2;
    syy += (ly[i]! - my) ** 2;
  }
  return syy > 0 && (sxy * sxy) / (sxx * syy) >= 0.9;
}

/**
 * The truncated-adjoint verdict: "better cheap estimator" when at k its error
 * is below every sampled-rows error at up to twice its cost.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { truncatedSentence } from "./_findings_stochastic.ts";
 * const s = truncatedSentence(
 *   { k: 8, error: 0.19, cost: 0.09 },
 *   [{ cost: 0.04, error: 0.99 }, { cost: 0.1, error: 0.99 }],
 *   { ks: [1, 8, 64], errors: [0.5, 0.2, 1e-8] },
 * );
 * assert.ok(s.startsWith("A truncated adjoint is the better cheap estimator"));
 * ```
 */
export function truncatedSentence(
  at: { k: number; error: number; cost: number },
  sampled: readonly { cost: number; error: number }[],
  sweep: TruncatedSweep,
): string {
  const rivals = sampled.filter((s) => s.cost <= 2 * at.cost);
  const better = rivals.every((s) => at.error < s.error);
  const head = better
    ? "A truncated adjoint is the better cheap estimator"
    : "A truncated adjoint is not better than row sampling at this cost";
  const trend = geometric(sweep)
    ? "the error falls geometrically with k"
    : "the error does not fall geometrically with k";
  return `${head}: k = ${at.k} CG iterations give ${sci(at.error)} relative error at ` +
    `${at.cost.toFixed(2)}× the cost, and ${trend}. It is biased, but deterministically.`;
}

/**
 * The telescoping verdict: unbiased when its mean is within sampling noise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { telescopingSentence } from "./_findings_stochastic.ts";
 * const s = telescopingSentence({ bias: 0.01, perDraw: 0.34, draws: 100 }, { k0: 4, cost: 0.09 });
 * assert.ok(s.startsWith("Randomized telescoping is unbiased"));
 * ```
 */
export function telescopingSentence(s: DrawStats, at: { k0: number; cost: number }): string {
  const noise = s.perDraw / Math.sqrt(s.draws);
  return biased(s)
    ? `Randomized telescoping shows a bias here: with k0 = ${at.k0} its mean over ${s.draws} ` +
      `draws is ${sci(s.bias)} from the exact gradient, more than the ${sci(noise)} that ` +
      `sampling noise explains (cost ${at.cost.toFixed(2)}×).`
    : `Randomized telescoping is unbiased within sampling noise: with k0 = ${at.k0} its mean ` +
      `over ${s.draws} draws is ${sci(s.bias)} from the exact gradient (noise level of such a ` +
      `mean ${sci(noise)}) at ${at.cost.toFixed(2)}× the cost, with per-draw error ` +
      `${s.perDraw.toFixed(2)}: the price of unbiasedness is variance.`;
}

/** The finding's clause on the telescoping estimator. */
export function telescopingClause(s: DrawStats): string {
  return biased(s)
    ? `randomized telescoping of CG iterates shows a bias beyond sampling noise (${sci(s.bias)})`
    : `randomized telescoping of CG iterates is unbiased within sampling noise (error of the ` +
      `mean ${sci(s.bias)})`;
}
