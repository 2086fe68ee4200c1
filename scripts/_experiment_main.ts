/**
 * The command line shared by every experiment script (`scripts/NAME.ts`).
 *
 * @module
 */

import { ensureXdgRuntimeDir } from "../lib/gpu/runtime_dir.ts";
import {
  type ExperimentArgs,
  type OptionSpec,
  type OptionValues,
  parseExperimentArgs,
  UsageError,
} from "../lib/report/args.ts";

/** What an experiment's `run` gives {@linkcode experimentMain} to print. */
export interface ExperimentOutcome {
  /** The one-sentence finding. */
  readonly finding: string;
  /** Path of the written HTML report. */
  readonly html: string;
}

/**
 * The command line of an experiment script: parses `Deno.args` with
 * `parseExperimentArgs`, prints usage for `--help`, runs the
 * experiment, and prints `NAME: finding` and the report path. A usage error
 * prints the message and usage on stderr and exits with status 2.
 *
 * @example
 * ```ts
 * import { experimentMain } from "./_experiment_main.ts";
 * if (import.meta.main) {
 *   await experimentMain("demo", {}, async (args) => {
 *     return { finding: `ran with seed ${args.seed}`, html: `${args.out}/demo.html` };
 *   });
 * }
 * ```
 */
export async function experimentMain<S extends Record<string, OptionSpec>>(
  name: string,
  extraSpec: S,
  run: (args: ExperimentArgs & OptionValues<S>) => Promise<ExperimentOutcome>,
): Promise<void> {
  let args: ExperimentArgs & OptionValues<S>;
  try {
    args = parseExperimentArgs(Deno.args, extraSpec, `deno run -A scripts/${name}.ts`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${error.usage}`);
    Deno.exit(2);
  }
  if (args.help) {
    console.log(args.usage);
    return;
  }
  ensureXdgRuntimeDir();
  const { finding, html } = await run(args);
  console.log(`${name}: ${finding}`);
  console.log(html);
}
