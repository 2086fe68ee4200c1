/**
 * The command line shared by every experiment script (`scripts/NAME.ts`).
 *
 * @module
 */

import { resolve } from "node:path";
import { ensureXdgRuntimeDir } from "./_runtime_dir.ts";
import {
  type ExperimentArgs,
  type OptionSpec,
  type OptionValues,
  parseExperimentArgs,
  QUICK_OUT,
  UsageError,
} from "./_report_args.ts";

/**
 * Creates the output folder. The quick-run folder (`reports/quick`) gets a
 * `.gitignore` of `*`, so quick reports never show up as changes to commit.
 * Returns the folder's absolute path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareOutDir } from "./_experiment_main.ts";
 * const dir = await Deno.makeTempDir();
 * const quick = await prepareOutDir(`${dir}/reports/quick`);
 * assert.equal(await Deno.readTextFile(`${quick}/.gitignore`), "*\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function prepareOutDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  await Deno.mkdir(abs, { recursive: true });
  if (abs.endsWith(`/${QUICK_OUT}`) || abs === resolve(QUICK_OUT)) {
    await Deno.writeTextFile(`${abs}/.gitignore`, "*\n", { createNew: true }).catch((e) => {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    });
  }
  return abs;
}

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
  await prepareOutDir(args.out);
  const { finding, html } = await run(args);
  console.log(`${name}: ${finding}`);
  console.log(html);
}
