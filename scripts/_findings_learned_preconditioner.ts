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
 * import { payoffSentence } from "./_findings_learned_preconditioner.ts";
 * const never = payoffSentence({ name: "learned IC(0)", baseline: "IC(0)", learnedMs: 6.8, baselineMs: 1, trainSeconds: 2 });
 * console.assert(never.includes("never pays off"));
 * const pays = payoffSentence({ name: "L", baseline: "B", learnedMs: 1, baselineMs: 2, trainSeconds: 2 });
 * console.assert(pays.includes("after about 2,000 solves"));
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
 * import { perIterationSentence } from "./_findings_learned_preconditioner.ts";
 * console.assert(perIterationSentence(0.0249, 0.0247).includes("about the same"));
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
