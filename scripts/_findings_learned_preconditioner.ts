/**
 * Finding rules of the learned-preconditioner report (`learned_preconditioner.ts`).
 *
 * @module
 */

/** One learned preconditioner against its baseline: per-solve times (setup included) and training time. */
export interface PayoffInput {
  /** Name of the learned preconditioner. */
  name: string;
  /** Name of the baseline it starts from. */
  baseline: string;
  /** Mean ms per solve, setup included. */
  learnedMs: number;
  /** Mean ms per solve of the baseline, setup included. */
  baselineMs: number;
  /** Training time, s. */
  trainSeconds: number;
}

/**
 * Whether and when training pays off: the number of solves after which the
 * per-solve saving has repaid the training time, or "never" when the learned
 * preconditioner is not faster per solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { payoffSentence } from "./_findings_learned_preconditioner.ts";
 * const never = payoffSentence({ name: "learned IC(0)", baseline: "IC(0)", learnedMs: 6.8, baselineMs: 1, trainSeconds: 2 });
 * assert.ok(never.includes("never pays off"));
 * const pays = payoffSentence({ name: "L", baseline: "B", learnedMs: 1, baselineMs: 2, trainSeconds: 2 });
 * assert.ok(pays.includes("after about 2,000 solves"));
 * ```
 */
export function payoffSentence(p: PayoffInput): string {
  const saving = p.baselineMs - p.learnedMs;
  if (!(saving > 0)) {
    return `${p.name} never pays off its ${p.trainSeconds.toFixed(1)} s of training here: with ` +
      `setup it takes ${p.learnedMs.toFixed(2)} ms per solve against ${
        p.baselineMs.toFixed(2)
      } ms for ${p.baseline}.`;
  }
  const solves = Math.ceil((1000 * p.trainSeconds) / saving);
  return `${p.name} repays its ${p.trainSeconds.toFixed(1)} s of training after about ` +
    `${solves.toLocaleString("en")} solves (${saving.toFixed(2)} ms saved per solve against ` +
    `${p.baseline}).`;
}

/**
 * The per-iteration cost comparison: "the same" within 15%, else the ratio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perIterationSentence } from "./_findings_learned_preconditioner.ts";
 * assert.ok(perIterationSentence(0.0249, 0.0247).includes("about the same"));
 * ```
 */
export function perIterationSentence(learnedMsPerIt: number, ic0MsPerIt: number): string {
  const r = learnedMsPerIt / ic0MsPerIt;
  return r <= 1.15 && r >= 1 / 1.15
    ? `Same sparsity as IC(0), and an iteration costs about the same (${
      (1000 * learnedMsPerIt).toFixed(1)
    } µs vs ${(1000 * ic0MsPerIt).toFixed(1)} µs)`
    : `Same sparsity as IC(0), yet an iteration costs ${r.toFixed(2)}× as much (${
      (1000 * learnedMsPerIt).toFixed(1)
    } µs vs ${(1000 * ic0MsPerIt).toFixed(1)} µs)`;
}

/** Why the Woodbury form does (not) beat Jacobi, only offered when it does not. */
export function woodburySentence(
  beatsJacobi: boolean,
  wbIters: number,
  jacobiIters: number,
): string {
  return beatsJacobi
    ? `Diagonal + low-rank (Woodbury): ${wbIters.toFixed(1)} vs ${
      jacobiIters.toFixed(1)
    } for Jacobi (at least 5% better): the shared low-rank part captures slow modes common to ` +
      "the family."
    : `Diagonal + low-rank (Woodbury): ${wbIters.toFixed(1)} vs ${
      jacobiIters.toFixed(1)
    } for Jacobi (not 5% better). The low-rank part is shared across the family, but the slow ` +
      "(small-eigenvalue) modes of each member depend on its own κ field, and M = D + UUᵀ can " +
      "only add positive rank-r terms to a diagonal approximation of A; it cannot reach the " +
      "IC(0) class.";
}

/** One preconditioner's held-out means, as {@linkcode amgClause} compares them. */
export interface PreconditionerMeans {
  /** Name as the report writes it. */
  name: string;
  /** Mean PCG iterations. */
  iters: number;
  /** Mean ms per solve, setup included. */
  ms: number;
}

/** AMG's held-out means and the size of its hierarchy, for {@linkcode amgClause}. */
export interface AmgMeans extends PreconditionerMeans {
  /** Levels of the hierarchy (the fewest over the held-out members). */
  levels: number;
  /** Unknowns of one member. */
  n: number;
}

/**
 * How AMG compares with the learned preconditioners: in iterations against
 * the learned form that needs the fewest (5% margin either way, else "about
 * as many"), and in time per solve with setup against the fastest learned
 * form. A one-level hierarchy (n at most the coarse size) is named as what
 * it is, a dense direct solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgClause } from "./_findings_learned_preconditioner.ts";
 * const s = amgClause({ name: "AMG", iters: 8, ms: 9, levels: 2, n: 1024 }, [
 *   { name: "the learned IC(0) correction", iters: 30, ms: 6 },
 * ]);
 * assert.ok(s.includes("fewer iterations than every learned form"));
 * assert.ok(s.includes("yet is slower per solve"));
 * ```
 */
export function amgClause(amg: AmgMeans, learned: readonly PreconditionerMeans[]): string {
  const v = amgVerdict(amg, learned), byIters = v.fewestIterations, byMs = v.fastest;
  const what = amg.levels <= 1
    ? `AMG (smoothed aggregation, default options: one level at n = ${amg.n}, i.e. a dense ` +
      "direct solve of A)"
    : `AMG (smoothed aggregation, default options, ${amg.levels} levels)`;
  const iters = v.fewerIterations
    ? `needs fewer iterations than every learned form (${amg.iters.toFixed(1)} vs ` +
      `${byIters.iters.toFixed(1)} for ${byIters.name})`
    : v.moreIterations
    ? `needs more iterations than ${byIters.name} (${amg.iters.toFixed(1)} vs ` +
      `${byIters.iters.toFixed(1)})`
    : `needs about as many iterations as ${byIters.name} (${amg.iters.toFixed(1)} vs ` +
      `${byIters.iters.toFixed(1)}, within 5%)`;
  const join = (v.fewerIterations && !v.faster) || (v.moreIterations && v.faster) ? "yet" : "and";
  const time = v.faster
    ? `${join} is faster per solve with setup than every learned form (${amg.ms.toFixed(2)} ms ` +
      `vs ${byMs.ms.toFixed(2)} ms for ${byMs.name})`
    : `${join} is slower per solve with setup than ${byMs.name} (${amg.ms.toFixed(2)} ms vs ` +
      `${byMs.ms.toFixed(2)} ms)`;
  return `${what} ${iters}, ${time}`;
}

/** What {@linkcode amgVerdict} decides. */
export interface AmgVerdict {
  /** The learned form with the fewest mean iterations. */
  fewestIterations: PreconditionerMeans;
  /** The learned form with the least mean time per solve, setup included. */
  fastest: PreconditionerMeans;
  /** AMG needs at least 5% fewer iterations than every learned form. */
  fewerIterations: boolean;
  /** Some learned form needs at least 5% fewer iterations than AMG. */
  moreIterations: boolean;
  /** AMG takes less time per solve, setup included, than every learned form. */
  faster: boolean;
}

/**
 * The comparison behind {@linkcode amgClause} (and the report's metrics):
 * AMG against the best learned form in iterations (5% margin) and in time
 * per solve with setup.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgVerdict } from "./_findings_learned_preconditioner.ts";
 * const v = amgVerdict({ name: "AMG", iters: 8, ms: 9, levels: 2, n: 1024 },
 *   [{ name: "W", iters: 60, ms: 3 }, { name: "L", iters: 19, ms: 7 }]);
 * assert.ok(v.fewerIterations && !v.faster && v.fewestIterations.name === "L");
 * ```
 */
export function amgVerdict(amg: AmgMeans, learned: readonly PreconditionerMeans[]): AmgVerdict {
  if (learned.length === 0) throw new RangeError("Cannot compare AMG with no learned form");
  const fewestIterations = [...learned].sort((a, b) => a.iters - b.iters)[0];
  const fastest = [...learned].sort((a, b) => a.ms - b.ms)[0];
  return {
    fewestIterations,
    fastest,
    fewerIterations: amg.iters <= 0.95 * fewestIterations.iters,
    moreIterations: fewestIterations.iters <= 0.95 * amg.iters,
    faster: amg.ms < fastest.ms,
  };
}

/** One learned preconditioner against several baselines, for {@linkcode payoffAgainstSentence}. */
export interface PayoffAgainstInput {
  /** Name of the learned preconditioner (starts the sentence). */
  name: string;
  /** Mean ms per solve, setup included. */
  learnedMs: number;
  /** Training time, s. */
  trainSeconds: number;
  /** The baselines: name and mean ms per solve, setup included. */
  baselines: readonly { name: string; ms: number }[];
}

/**
 * {@linkcode payoffSentence} against several baselines at once: after how
 * many solves the training is repaid against each baseline it beats per
 * solve, and "never" against those it does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { payoffAgainstSentence } from "./_findings_learned_preconditioner.ts";
 * const s = payoffAgainstSentence({ name: "L", learnedMs: 1, trainSeconds: 2,
 *   baselines: [{ name: "IC(0)", ms: 2 }, { name: "AMG", ms: 0.5 }] });
 * assert.ok(s.includes("after about 2,000 solves against IC(0)"));
 * assert.ok(s.includes("never against AMG"));
 * ```
 */
export function payoffAgainstSentence(p: PayoffAgainstInput): string {
  const wins = p.baselines.filter((b) => b.ms - p.learnedMs > 0);
  const losses = p.baselines.filter((b) => !(b.ms - p.learnedMs > 0));
  const against = (bs: readonly { name: string; ms: number }[]) =>
    bs.map((b) => `${b.ms.toFixed(2)} ms for ${b.name}`).join(" and ");
  if (wins.length === 0) {
    return `${p.name} never pays off its ${p.trainSeconds.toFixed(1)} s of training here: with ` +
      `setup it takes ${p.learnedMs.toFixed(2)} ms per solve against ${against(losses)}.`;
  }
  const repaid = wins.map((b) => {
    const saving = b.ms - p.learnedMs;
    return `after about ${Math.ceil((1000 * p.trainSeconds) / saving).toLocaleString("en")} ` +
      `solves against ${b.name} (${saving.toFixed(2)} ms saved per solve)`;
  }).join(" and ");
  const never = losses.length === 0
    ? ""
    : ` and never against ${losses.map((b) => b.name).join(" or ")} (${
      p.learnedMs.toFixed(2)
    } ms per solve with setup vs ${against(losses)})`;
  return `${p.name} repays its ${p.trainSeconds.toFixed(1)} s of training ${repaid}${never}.`;
}
