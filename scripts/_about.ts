/**
 * What an experiment script prints above its option list for `--help`: what
 * it does, how long it takes, and what it writes.
 *
 * @module
 */

/** The `--help` header of one experiment script. */
export interface About {
  /** What the script measures, in a sentence or two. */
  what: string;
  /** Wall time of `--quick` and of a full run, as measured on the reference machine. */
  duration: { quick: string; full: string; machine: string };
  /** The files it writes, relative to `--out`. */
  writes: string;
}

/**
 * Formats the `--help` header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aboutText } from "./_about.ts";
 * const text = aboutText({
 *   what: "Solves a thing.",
 *   duration: { quick: "5 s", full: "1 min", machine: "2 cores" },
 *   writes: "OUT/x.html",
 * });
 * assert.ok(text.includes("--quick about 5 s"));
 * ```
 */
export function aboutText(about: About): string {
  return [
    about.what,
    "",
    `Takes: --quick about ${about.duration.quick}, full run about ${about.duration.full} ` +
    `(measured on ${about.duration.machine}).`,
    `Writes: ${about.writes}`,
    "",
  ].join("\n");
}

/** Prints {@linkcode aboutText} when the command line asks for `--help` / `-h`; the option list follows. */
export function printAboutOnHelp(about: About, args: readonly string[] = Deno.args): void {
  if (args.includes("--help") || args.includes("-h")) console.log(aboutText(about));
}

/** The machine the durations in the `--help` texts were measured on. */
export const REFERENCE_MACHINE = "a 2-core Intel Xeon VM, shared with other jobs";
