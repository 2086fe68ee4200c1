/**
 * Finding rules of the AMG benchmark report (`bench_amg.ts`, report `amg`):
 * each turns the run's numbers into the sentence the report prints, so that
 * no sentence says what its data contradict. Both branches of every rule
 * are tested in `tests/experiments_findings_test.ts`.
 *
 * @module
 */

/** `2.3×` with two significant digits (three from 10× up). */
export function times(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`;
}

/** Milliseconds for prose: `830 ms`, `1.3 s`, `2.0 min`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${ms < 10 ? ms.toPrecision(2) : ms.toFixed(0)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toPrecision(2)} s`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(0)} s`;
  return `${(ms / 60_000).toPrecision(2)} min`;
}

/**
 * The headline iteration target: forward and adjoint AMG-PCG iterations
 * against the target (≤ `target` both).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterationTargetSentence } from "./_findings_amg.ts";
 * const s = iterationTargetSentence({ forward: 9, adjoint: 9, target: 12, n: 1e6 });
 * assert.ok(s.includes("meets the target"));
 * ```
 */
export function iterationTargetSentence(
  r: { forward: number; adjoint: number; target: number; n?: number },
): string {
  const head = `AMG-PCG takes ${r.forward} forward and ${r.adjoint} adjoint iterations` +
    (r.n === undefined ? "" : ` at n = ${r.n.toLocaleString("en")}`);
  return r.forward <= r.target && r.adjoint <= r.target
    ? `${head}, which meets the target of at most ${r.target}`
    : `${head}, which misses the target of at most ${r.target}`;
}

/**
 * One comparison as a clause, from the ratio of their time to ours (taken
 * within a round): `"2.3× faster than PyAMG (detail)"` or `"1.5× slower
 * than …"`; `undefined` when the other side was not measured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { speedClause } from "./_findings_amg.ts";
 * assert.equal(speedClause(2.3, "PyAMG", "one round"), "2.3× faster than PyAMG (one round)");
 * assert.ok(speedClause(2 / 3, "PyAMG")!.startsWith("1.5× slower"));
 * ```
 */
export function speedClause(
  theirsOverOurs: number,
  name: string,
  detail?: string,
): string | undefined {
  const r = theirsOverOurs;
  if (!(r > 0 && r < Infinity)) return undefined;
  const d = detail ? ` (${detail})` : "";
  return r >= 1 ? `${times(r)} faster than ${name}${d}` : `${times(1 / r)} slower than ${name}${d}`;
}

/**
 * The detail of an interleaved comparison: the median of the per-round
 * ratios and their range, or the two times of a single round.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roundsDetail } from "./_findings_amg.ts";
 * assert.equal(
 *   roundsDetail([1.2, 1.01, 1.6], "PyAMG"),
 *   "median over 3 interleaved rounds; PyAMG / ours per round 1.01 to 1.6",
 * );
 * assert.equal(roundsDetail([2], "PyAMG", { ours: 1000, theirs: 2000 }), "2.0 s vs 1.0 s");
 * ```
 */
export function roundsDetail(
  ratios: readonly number[],
  name: string,
  single?: { ours: number; theirs: number },
): string {
  if (ratios.length === 1 && single) {
    return `${duration(single.theirs)} vs ${duration(single.ours)}`;
  }
  const f = (v: number) => String(Number(v.toPrecision(3)));
  return `median over ${ratios.length} interleaved rounds; ${name} / ours per round ` +
    `${f(Math.min(...ratios))} to ${f(Math.max(...ratios))}`;
}

/**
 * The setup-reuse verdict: a value update plus re-solve against a fresh
 * setup plus solve, with the target ratio (fresh / reuse ≥ `target`).
 * `solveMs` is the fresh solve alone: since the update does not shorten
 * the solve, `(setup + solve) / (update + solve) < (setup + solve) / solve`
 * whatever the update costs, and when that bound is below the target the
 * sentence says the target is out of reach of any update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reuseSentence } from "./_findings_amg.ts";
 * const s = reuseSentence({ reuseMs: 1000, freshMs: 1500, updateMs: 400, setupMs: 900, solveMs: 600, target: 3 });
 * assert.ok(s.includes("short of the target"));
 * assert.ok(s.includes("cannot exceed 2.5×"));
 * ```
 */
export function reuseSentence(
  r: {
    reuseMs: number;
    freshMs: number;
    updateMs: number;
    setupMs: number;
    solveMs: number;
    target: number;
  },
): string {
  const ratio = r.freshMs / r.reuseMs;
  const parts = `(the update itself takes ${duration(r.updateMs)} against ${
    duration(r.setupMs)
  } for a setup, ${times(r.setupMs / r.updateMs)} less)`;
  if (ratio >= r.target) {
    return `Reusing the hierarchy (value update + solve, ${duration(r.reuseMs)}) is ` +
      `${times(ratio)} cheaper than a fresh setup + solve (${duration(r.freshMs)}), ` +
      `which meets the target of ${r.target}× ${parts}.`;
  }
  const how = ratio >= 1
    ? `only ${times(ratio)} cheaper than`
    : `${times(1 / ratio)} more expensive than`;
  const bound = (r.setupMs + r.solveMs) / r.solveMs;
  const why = bound < r.target
    ? `the solve (${duration(r.solveMs)}), which the update does not shorten, is longer than ` +
      `half the setup, so no update, however cheap, could reach ${r.target}×: the ratio ` +
      `cannot exceed ${times(bound)} = (setup + solve) / solve here ${parts}.`
    : `the update is too slow ${parts}; an instant one would give up to ${times(bound)}.`;
  return `Reusing the hierarchy (value update + solve, ${duration(r.reuseMs)}) is ${how} a ` +
    `fresh setup + solve (${duration(r.freshMs)}), short of the target of ${r.target}×: ${why}`;
}

/** One problem of the comparison table, as {@linkcode lossesSentence} reads it. */
export interface ProblemOutcome {
  /** Problem name. */
  name: string;
  /** AMG-PCG: setup + forward + backward milliseconds, forward iterations, both solves converged. */
  amg: { ms: number; its: number; ok: boolean };
  /** IC(0)-PCG, when it ran. */
  ic0?: { ms: number; its: number; ok: boolean };
  /** PyAMG, when it ran. */
  pyamg?: { ms: number; its: number; ok: boolean };
}

/**
 * The problems where AMG-PCG loses, said plainly: slower in total time than
 * a converged competitor, more forward iterations than one, or not
 * converged. When it loses nowhere, says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossesSentence } from "./_findings_amg.ts";
 * const s = lossesSentence([{ name: "nos6", amg: { ms: 51, its: 8, ok: true },
 *   ic0: { ms: 6, its: 31, ok: true } }]);
 * assert.ok(s.includes("nos6: IC(0) is faster (6.0 ms vs 51 ms)"));
 * ```
 */
export function lossesSentence(rows: readonly ProblemOutcome[]): string {
  const losses: string[] = [];
  for (const r of rows) {
    const why: string[] = [];
    if (!r.amg.ok) why.push("AMG-PCG did not converge");
    for (const [label, other] of [["IC(0)", r.ic0], ["PyAMG", r.pyamg]] as const) {
      if (!other || !other.ok) continue;
      if (other.ms < r.amg.ms) {
        why.push(`${label} is faster (${duration(other.ms)} vs ${duration(r.amg.ms)})`);
      }
      if (other.its < r.amg.its) {
        why.push(`${label} needs fewer iterations (${other.its} vs ${r.amg.its})`);
      }
    }
    if (why.length > 0) losses.push(`${r.name}: ${why.join(", ")}`);
  }
  if (losses.length === 0) {
    return `AMG-PCG is the fastest and needs the fewest iterations on ${
      rows.length === 1 ? "the one problem" : `all ${rows.length} problems`
    } of the table.`;
  }
  return `AMG-PCG loses on ${losses.length} of ${rows.length} problems — ${losses.join("; ")}.`;
}

/**
 * The gradient check: AMG-preconditioned against reference gradients
 * (largest relative difference) within a tolerance. `names` says what was
 * compared; the default is AMG-PCG against unpreconditioned CG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradientCheckSentence } from "./_findings_amg.ts";
 * assert.ok(gradientCheckSentence(3e-11, 1e-8).startsWith("The gradients through AMG-PCG equal"));
 * assert.equal(
 *   gradientCheckSentence(2e-9, 1e-5, { ours: "GMRES + AMG", theirs: "those through GMRES + ILU(0)" }),
 *   "The gradients through GMRES + AMG equal those through GMRES + ILU(0): largest relative " +
 *     "difference 2.0e-9, within 1e-5.",
 * );
 * ```
 */
export function gradientCheckSentence(
  relDiff: number,
  tol: number,
  names: { ours: string; theirs: string } = {
    ours: "AMG-PCG",
    theirs: "the unpreconditioned ones",
  },
): string {
  const d = relDiff.toExponential(1);
  return relDiff <= tol
    ? `The gradients through ${names.ours} equal ${names.theirs}: largest relative ` +
      `difference ${d}, within ${tol.toExponential(0)}.`
    : `The gradients through ${names.ours} differ from ${names.theirs} by ${d} ` +
      `(relative), more than ${tol.toExponential(0)}.`;
}

/**
 * Whether a comparison ran: names what was measured, or why it was skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availabilitySentence } from "./_findings_amg.ts";
 * assert.ok(availabilitySentence("JAX", undefined, "not installed").includes("skipped"));
 * ```
 */
export function availabilitySentence(
  name: string,
  version: string | undefined,
  reason: string,
): string {
  return version !== undefined
    ? `${name} ${version} ran, in the Python subprocess, interleaved with our runs.`
    : `${name} was not available (${reason}); its comparison is skipped.`;
}

/** One preconditioned run of the nonsymmetric section: forward iterations, setup + forward + backward ms, converged. */
export interface ConvectionRun {
  /** Forward iterations. */
  its: number;
  /** Setup + forward + backward milliseconds. */
  ms: number;
  /** Forward and adjoint solves converged. */
  ok: boolean;
}

/** One convection–diffusion problem, as {@linkcode convectionSentence} reads it. */
export interface ConvectionOutcome {
  /** Cell Péclet number |w|·h/ε. */
  peclet: number;
  /** The Krylov method preconditioned by AMG. */
  amg: ConvectionRun;
  /** The same method preconditioned by ILU(0). */
  ilu0: ConvectionRun;
}

/** Which preconditioner wins one comparison of {@linkcode convectionWinner}. */
export type ConvectionSide = "AMG" | "ILU(0)" | "tie" | "neither";
type Side = ConvectionSide;

/** A Péclet number for prose: three significant digits. */
function pe(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/**
 * AMG's run `a` against ILU(0)'s run `b` on forward iterations (`"its"`)
 * or time (`"ms"`): the smaller wins; a run that did not converge loses to
 * one that did; `"neither"` when both failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convectionWinner } from "./_findings_amg.ts";
 * const amg = { its: 12, ms: 64, ok: true }, ilu0 = { its: 28, ms: 9, ok: true };
 * assert.equal(convectionWinner(amg, ilu0, "its"), "AMG");
 * assert.equal(convectionWinner(amg, ilu0, "ms"), "ILU(0)");
 * assert.equal(convectionWinner(amg, { ...ilu0, ok: false }, "ms"), "AMG");
 * ```
 */
export function convectionWinner(a: ConvectionRun, b: ConvectionRun, key: "its" | "ms"): Side {
  if (!a.ok && !b.ok) return "neither";
  if (!b.ok) return "AMG";
  if (!a.ok) return "ILU(0)";
  return a[key] < b[key] ? "AMG" : b[key] < a[key] ? "ILU(0)" : "tie";
}

/** One metric (iterations or time) over the Péclet numbers, as a clause. */
function convectionClause(rows: readonly ConvectionOutcome[], key: "its" | "ms"): string {
  const verb = key === "its" ? "needs fewer iterations" : "is faster";
  const value = (r: ConvectionRun) =>
    !r.ok ? "not converged" : key === "its" ? String(r.its) : duration(r.ms);
  const sides = rows.map((r) => convectionWinner(r.amg, r.ilu0, key));
  // "12 vs 28": the winner's number first; a tie or a double failure shows both sides' own.
  const detail = (i: number) => {
    const r = rows[i]!, s = sides[i]!;
    const [first, second] = s === "ILU(0)" ? [r.ilu0, r.amg] : [r.amg, r.ilu0];
    return `${value(first)} vs ${value(second)}`;
  };
  const where = (idx: number[]) => `at Péclet ${idx.map((i) => pe(rows[i]!.peclet)).join(", ")}`;
  const at = (idx: number[], d: (i: number) => string = detail) =>
    `${where(idx)} (${idx.map(d).join("; ")})`;
  const other = (s: Side) => (s === "AMG" ? "ILU(0)" : "AMG");
  const groups = new Map<Side, number[]>();
  sides.forEach((s, i) => groups.set(s, [...(groups.get(s) ?? []), i]));
  const only = groups.size === 1 ? sides[0] : undefined;
  if ((only === "AMG" || only === "ILU(0)") && rows.length > 1) {
    const last = rows.length - 1;
    return `${only} ${verb} than ${other(only)} at every Péclet number from ` +
      `${pe(rows[0]!.peclet)} to ${pe(rows[last]!.peclet)} (${detail(0)} at ` +
      `${pe(rows[0]!.peclet)}, ${detail(last)} at ${pe(rows[last]!.peclet)})`;
  }
  if (only === "AMG" || only === "ILU(0)") return `${only} ${verb} than ${other(only)} ${at([0])}`;
  // AMG wins below some Péclet number and ILU(0) from there on: say where it turns.
  const k = sides.indexOf("ILU(0)");
  if (
    groups.size === 2 && k > 0 && sides.slice(0, k).every((s) => s === "AMG") &&
    sides.slice(k).every((s) => s === "ILU(0)")
  ) {
    return `AMG ${verb} up to Péclet ${pe(rows[k - 1]!.peclet)} (${detail(k - 1)} there) and ` +
      `ILU(0) from Péclet ${pe(rows[k]!.peclet)} on (${detail(k)} there)`;
  }
  const parts: string[] = [];
  for (const s of ["AMG", "ILU(0)", "tie", "neither"] as const) {
    const idx = groups.get(s);
    if (!idx) continue;
    if (s === "AMG" || s === "ILU(0)") parts.push(`${s} ${verb} ${at(idx)}`);
    else if (s === "tie") {
      parts.push(`the two are level ${at(idx, (i) => `${value(rows[i]!.amg)} each`)}`);
    } else {
      parts.push(`neither converges ${where(idx)}`);
    }
  }
  return parts.join(", ");
}

/**
 * Where AMG helps a nonsymmetric Krylov method and where it does not:
 * AMG against ILU(0) as the preconditioner of the same method on
 * convection–diffusion problems (sorted by Péclet number), once for forward
 * iterations and once for setup + forward + backward time. A run that did
 * not converge loses to one that did. When AMG wins below some Péclet
 * number and ILU(0) from there on, the sentence names where it turns;
 * otherwise it lists the Péclet numbers each side wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convectionSentence } from "./_findings_amg.ts";
 * const s = convectionSentence("GMRES(30)", [
 *   { peclet: 0.112, amg: { its: 11, ms: 518, ok: true }, ilu0: { its: 163, ms: 1120, ok: true } },
 *   { peclet: 112, amg: { its: 61, ms: 485, ok: true }, ilu0: { its: 7, ms: 36, ok: true } },
 * ]);
 * assert.equal(
 *   s,
 *   "Preconditioning GMRES(30), AMG needs fewer iterations up to Péclet 0.112 (11 vs 163 " +
 *     "there) and ILU(0) from Péclet 112 on (7 vs 61 there); in setup + forward + backward " +
 *     "time AMG is faster up to Péclet 0.112 (518 ms vs 1.1 s there) and ILU(0) from " +
 *     "Péclet 112 on (36 ms vs 485 ms there).",
 * );
 * ```
 */
export function convectionSentence(
  method: string,
  rows: readonly ConvectionOutcome[],
): string {
  if (rows.length === 0) throw new RangeError("Cannot compare preconditioners on no problems");
  const sorted = [...rows].sort((a, b) => a.peclet - b.peclet);
  return `Preconditioning ${method}, ${convectionClause(sorted, "its")}; in setup + forward + ` +
    `backward time ${convectionClause(sorted, "ms")}.`;
}
