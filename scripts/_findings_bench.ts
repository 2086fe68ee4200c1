/**
 * Finding rules of the benchmark report (`bench.ts`).
 *
 * @module
 */

import { formatBytes } from "./_machine.ts";

/**
 * The per-iteration caption's cache remark, from the measured last-level
 * cache: below which n the CG working set fits it, and whether any measured
 * CG iteration there beat the DRAM bound (fraction of bandwidth > 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheSentence } from "./_findings_bench.ts";
 * const s = cacheSentence({ level: 3, bytes: 32 * 2 ** 20 }, 152, [{ n: 1024, fraction: 0.4 }]);
 * assert.ok(s.includes("32 MiB L3") && s.includes("no measured CG iteration"));
 * ```
 */
export function cacheSentence(
  cache: { level: number; bytes: number } | undefined,
  bytesPerUnknown: number,
  cg: readonly { n: number; fraction: number }[],
): string {
  if (!cache) return "The cache size of this machine could not be read.";
  const fits = cache.bytes / bytesPerUnknown;
  const inCache = cg.filter((r) => r.n <= fits);
  const faster = inCache.filter((r) => r.fraction > 1);
  const head = `Below about n = ${fits.toExponential(1).replace("e+", "·10^")} the working set ` +
    `fits the ${formatBytes(cache.bytes)} L${cache.level} cache (read from /sys at run time)`;
  if (inCache.length === 0) return `${head}; no measured size is that small.`;
  return faster.length > 0
    ? `${head}, and there CG ran faster than the DRAM bound at n = ${
      faster.map((r) => r.n.toLocaleString("en")).join(", ")
    }.`
    : `${head}, yet no measured CG iteration beat the DRAM bound there (largest fraction ${
      Math.max(...inCache.map((r) => r.fraction)).toFixed(2)
    }).`;
}

/**
 * The measured cost of a read-back: the smallest wait per read-back over the
 * GPU solves (it also holds kernel time, so it bounds the read-back from above).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readbackSentence } from "./_findings_bench.ts";
 * assert.ok(readbackSentence([{ waitMs: 40, readbacks: 4 }]).includes("10.0 ms"));
 * ```
 */
export function readbackSentence(rows: readonly { waitMs: number; readbacks: number }[]): string {
  const per = rows.filter((r) => r.readbacks > 0).map((r) => r.waitMs / r.readbacks);
  if (per.length === 0) return "No read-back was timed.";
  return `The smallest wait per read-back measured here is ${Math.min(...per).toFixed(1)} ms ` +
    "(kernel time included)";
}

/**
 * The forward-vs-backward caption: a Krylov backward pass is "about one more
 * solve" when every Krylov ratio lies in [0.7, 1.5]; the direct solver's is
 * "nearly free" below 0.25.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backwardSentence } from "./_findings_bench.ts";
 * assert.ok(backwardSentence([0.99, 1.04], 0.09).includes("about one more solve"));
 * assert.ok(!backwardSentence([0.99, 2.5], 0.09).includes("about one more solve"));
 * ```
 */
export function backwardSentence(
  krylovRatios: readonly number[],
  directRatio: number,
  amg?: { ratio: number; setupShare: number },
): string {
  const rs = krylovRatios.filter(Number.isFinite);
  const lo = Math.min(...rs), hi = Math.max(...rs);
  const krylov = rs.length > 0 && lo >= 0.7 && hi <= 1.5
    ? `Krylov backward passes cost about one more solve (${lo.toFixed(2)}–${hi.toFixed(2)}× ` +
      "the forward pass)"
    : `Krylov backward passes cost ${lo.toFixed(2)}–${hi.toFixed(2)}× the forward pass`;
  const direct = !Number.isFinite(directRatio)
    ? ""
    : directRatio < 0.25
    ? `; the direct solver's backward pass reuses the factorisation and is nearly free ` +
      `(${directRatio.toFixed(3)}×)`
    : `; the direct solver's backward pass costs ${directRatio.toFixed(2)}× its forward pass`;
  const amgText = amg === undefined || !Number.isFinite(amg.ratio)
    ? ""
    : amg.ratio < 1
    ? `; with AMG the backward pass reuses the hierarchy the forward pass built (${
      (100 * amg.setupShare).toFixed(0)
    }% of the forward time) and costs ${amg.ratio.toFixed(2)}× the forward pass`
    : `; with AMG the backward pass costs ${amg.ratio.toFixed(2)}× the forward pass, although ` +
      `it reuses the hierarchy the forward pass built (${
        (100 * amg.setupShare).toFixed(0)
      }% of the forward time)`;
  return `${krylov}${direct}${amgText}.`;
}

/** One CPU CG solve of the sweep, as {@linkcode amgSweepSentence} compares them. */
export interface PcgPoint {
  /** Unknowns. */
  n: number;
  /** Iterations. */
  iterations: number;
  /** Solve time, ms (setup not included). */
  ms: number;
  /** Preconditioner setup, ms (0 for plain CG). */
  setupMs: number;
}

/** CG, IC(0)-PCG and AMG-PCG over the sizes of the sweep (each sorted by n). */
export interface AmgSweep {
  cg: readonly PcgPoint[];
  ic0: readonly PcgPoint[];
  amg: readonly (PcgPoint & { levels: number })[];
}

const total = (p: PcgPoint) => p.ms + p.setupMs;
const nText = (n: number) => n.toLocaleString("en");
/** Milliseconds with three significant figures or more (whole ms from 100 ms up). */
const msText = (ms: number) => ms.toFixed(ms >= 100 ? 0 : ms >= 10 ? 1 : 2);

/**
 * The AMG paragraph of the benchmark: whether AMG-PCG's iteration count
 * stays flat over the sizes (largest / smallest at most 2) while CG's
 * grows, and, at the largest size, which of CG and IC(0)-PCG it beats in
 * time with its setup included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgSweepSentence } from "./_findings_bench.ts";
 * const p = (n: number, iterations: number, ms: number, setupMs = 0) => ({ n, iterations, ms, setupMs });
 * const s = amgSweepSentence({
 *   cg: [p(1e4, 100, 10), p(1e6, 300, 7000)],
 *   ic0: [p(1e4, 30, 8, 1), p(1e6, 95, 5500, 560)],
 *   amg: [{ ...p(1e4, 6, 5, 20), levels: 3 }, { ...p(1e6, 6, 1800, 2700), levels: 5 }],
 * });
 * assert.ok(s.includes("stay between 6 and 6") && s.includes("fastest of the three"));
 * ```
 */
export function amgSweepSentence(s: AmgSweep): string {
  // A one-level hierarchy is a direct solve: it says nothing about how multigrid scales.
  const single = s.amg.filter((p) => p.levels <= 1);
  const multi = s.amg.filter((p) => p.levels > 1);
  const last = s.amg[s.amg.length - 1];
  const singleText = single.length
    ? `; at n = ${single.map((p) => nText(p.n)).join(", ")} the hierarchy has one level, a ` +
      "direct solve"
    : "";
  let scaling: string;
  if (multi.length < 2) {
    scaling = `AMG-PCG has several levels at fewer than two sizes, so its scaling is not measured`;
  } else {
    const its = multi.map((p) => p.iterations), lo = Math.min(...its), hi = Math.max(...its);
    const first = multi[0], top = multi[multi.length - 1];
    const range = `from n = ${nText(first.n)} to n = ${nText(top.n)}`;
    scaling = hi <= 2 * lo
      ? `AMG-PCG's iterations stay between ${lo} and ${hi} ${range}`
      : `AMG-PCG's iterations grow from ${first.iterations} to ${top.iterations} ${range}`;
  }
  const cgIts = s.cg.map((p) => p.iterations);
  const cgGrowth = `CG's go from ${cgIts[0]} to ${cgIts[cgIts.length - 1]}${singleText}`;
  const cg = s.cg[s.cg.length - 1], ic = s.ic0[s.ic0.length - 1];
  const rivals = [{ name: "CG", ms: total(cg) }, { name: "IC(0)-PCG", ms: total(ic) }];
  const beaten = rivals.filter((r) => total(last) < r.ms).map((r) => r.name);
  const verdict = beaten.length === rivals.length
    ? "the fastest of the three"
    : beaten.length === 0
    ? "slower than both"
    : `faster than ${beaten[0]} but not than ${rivals.find((r) => !beaten.includes(r.name))!.name}`;
  return `${scaling} (${cgGrowth}). At n = ${nText(last.n)} its ${last.levels}-level setup ` +
    `takes ${msText(last.setupMs)} ms and the solve ${msText(last.ms)} ms: ` +
    `${msText(total(last))} ms in all against ${msText(total(cg))} ms for CG and ` +
    `${msText(total(ic))} ms for IC(0)-PCG (${msText(ic.setupMs)} ms of it the ` +
    `factorisation), so AMG-PCG is ${verdict} there with setup included.`;
}

/**
 * The finding's AMG clause: AMG-PCG at the largest size against CG, setup
 * included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgHeadlineClause } from "./_findings_bench.ts";
 * const c = amgHeadlineClause({ n: 1e6, iterations: 300, ms: 7000, setupMs: 0 },
 *   { n: 1e6, iterations: 6, ms: 1800, setupMs: 2700 });
 * assert.ok(c.includes("0.64× CG's time") && c.includes("faster"));
 * ```
 */
export function amgHeadlineClause(cg: PcgPoint, amg: PcgPoint): string {
  const r = total(amg) / total(cg);
  return `AMG-PCG needs ${amg.iterations} iterations (CG ${cg.iterations}) at n = ${
    nText(amg.n)
  } and, its ${msText(amg.setupMs)} ms setup included, takes ${r.toFixed(2)}× CG's time (${
    r < 1 ? "faster" : "slower"
  })`;
}

/** The figures of one run that the README quotes. */
export interface ReadmeFigures {
  /** Report commit and command. */
  commit: string;
  command: string;
  n: number;
  bandwidthGBs: number;
  cgMsPerIteration: number;
  bandwidthFraction: number;
  cFusedMsPerIteration?: number;
  cPlainMsPerIteration?: number;
  eigenMsPerIteration?: number;
}

/**
 * A Markdown table of the README's benchmark figures, every number from
 * the same run (the one the committed report holds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readmeSummary } from "./_findings_bench.ts";
 * const md = readmeSummary({ commit: "abc", command: "deno run -A scripts/bench.ts", n: 1e6,
 *   bandwidthGBs: 25.7, cgMsPerIteration: 9.07, bandwidthFraction: 0.65, cFusedMsPerIteration: 6.2 });
 * assert.ok(md.includes("| 9.07 |") && md.includes("1.46×"));
 * ```
 */
export function readmeSummary(f: ReadmeFigures): string {
  const rows = [
    `| gradsolve CG (float64, one thread) | ${f.cgMsPerIteration.toFixed(2)} | ` +
    `${(100 * f.bandwidthFraction).toFixed(0)}% of ${f.bandwidthGBs.toFixed(1)} GB/s triad | — |`,
  ];
  const c = (name: string, ms: number | undefined) => {
    if (ms === undefined || !Number.isFinite(ms)) return;
    rows.push(
      `| ${name} | ${ms.toFixed(2)} | — | ${(f.cgMsPerIteration / ms).toFixed(2)}× |`,
    );
  };
  c("plain C, fused loops (g++ -O3)", f.cFusedMsPerIteration);
  c("plain C, separate loops (g++ -O3)", f.cPlainMsPerIteration);
  c("Eigen ConjugateGradient", f.eigenMsPerIteration);
  return [
    `CG on the 2-D Poisson matrix, n = ${f.n.toLocaleString("en")} (from reports/bench.html, ` +
    `commit ${f.commit}, \`${f.command}\`):`,
    "",
    "| implementation | ms / iteration | bandwidth | gradsolve / this |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
