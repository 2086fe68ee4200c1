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
 * import { cacheSentence } from "./_findings_bench.ts";
 * const s = cacheSentence({ level: 3, bytes: 32 * 2 ** 20 }, 152, [{ n: 1024, fraction: 0.4 }]);
 * console.assert(s.includes("32 MiB L3") && s.includes("no measured CG iteration"));
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
 * import { readbackSentence } from "./_findings_bench.ts";
 * console.assert(readbackSentence([{ waitMs: 40, readbacks: 4 }]).includes("10.0 ms"));
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
 * import { backwardSentence } from "./_findings_bench.ts";
 * console.assert(backwardSentence([0.99, 1.04], 0.09).includes("about one more solve"));
 * console.assert(!backwardSentence([0.99, 2.5], 0.09).includes("about one more solve"));
 * ```
 */
export function backwardSentence(krylovRatios: readonly number[], directRatio: number): string {
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
  return `${krylov}${direct}.`;
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
 * import { readmeSummary } from "./_findings_bench.ts";
 * const md = readmeSummary({ commit: "abc", command: "deno run -A scripts/bench.ts", n: 1e6,
 *   bandwidthGBs: 25.7, cgMsPerIteration: 9.07, bandwidthFraction: 0.65, cFusedMsPerIteration: 6.2 });
 * console.assert(md.includes("| 9.07 |") && md.includes("1.46×"));
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
