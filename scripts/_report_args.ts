/**
 * Command-line arguments shared by the experiment scripts: `--quick`,
 * `--seed`, `--backend`, `--out`, `--help`, plus options of each script.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { GradsolveError } from "../lib/errors.ts";

/**
 * A script-specific option. Names are camelCase in code and kebab-case on the command line.
 *
 * @category Reports
 */
export type OptionSpec =
  | { type: "boolean"; description: string; default?: boolean }
  | { type: "string"; description: string; default?: string }
  | { type: "number"; description: string; default?: number; integer?: boolean };

/**
 * The values parsed for a spec: `number`/`string`/`boolean`, `undefined` where no default exists.
 *
 * @category Reports
 */
export type OptionValues<S extends Record<string, OptionSpec>> = {
  [K in keyof S]: S[K] extends { type: "boolean" } ? boolean
    : S[K] extends { type: "number"; default: number } ? number
    : S[K] extends { type: "number" } ? number | undefined
    : S[K] extends { type: "string"; default: string } ? string
    : string | undefined;
};

/**
 * The options every experiment script takes.
 *
 * @category Reports
 */
export interface ExperimentArgs {
  /** Small, fast run (`--quick`). */
  quick: boolean;
  /** Seed of every random number (`--seed N`). @default {0} */
  seed: number;
  /** Backend (`--backend cpu|webgpu`). @default {"cpu"} */
  backend: "cpu" | "webgpu";
  /**
   * Output folder (`--out DIR`). Quick runs default to their own folder, so
   * they never overwrite the full reports. @default {"reports", or QUICK_OUT with --quick}
   */
  out: string;
  /** `--help` or `-h` was given; print {@linkcode ExperimentArgs.usage} and exit. */
  help: boolean;
  /** Usage text listing every option. */
  usage: string;
}

/**
 * The command line was wrong: unknown option, missing or malformed value.
 * `usage` holds the text to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./_report_args.ts";
 * const e = new UsageError("Unknown option --fast", "usage: …");
 * assert.equal(e.usage, "usage: …");
 * ```
 *
 * @category Reports
 */
export class UsageError extends GradsolveError {
  /** Usage text of the script. */
  readonly usage: string;
  /** Creates the error; `usage` is kept for the caller to print. */
  constructor(message: string, usage: string) {
    super(message);
    this.usage = usage;
  }
}

/**
 * Where quick runs (`--quick`) write their reports unless `--out` says
 * otherwise: a folder apart from the full reports in `reports/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperimentArgs, QUICK_OUT } from "./_report_args.ts";
 * assert.equal(parseExperimentArgs(["--quick"]).out, QUICK_OUT);
 * assert.equal(parseExperimentArgs([]).out, "reports");
 * ```
 */
export const QUICK_OUT = "reports/quick";

const COMMON: Record<string, OptionSpec> = {
  quick: { type: "boolean", description: "small, fast run" },
  seed: { type: "number", integer: true, default: 0, description: "seed of every random number" },
  backend: { type: "string", default: "cpu", description: "cpu or webgpu" },
  out: {
    type: "string",
    description: `output folder (default "reports", or "${QUICK_OUT}" with --quick)`,
  },
};

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function usageText(script: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([name, o]) => {
    const flag = `--${kebab(name)}${o.type === "boolean" ? "" : ` <${o.type}>`}`;
    const def = o.default === undefined ? "" : ` (default ${JSON.stringify(o.default)})`;
    return `  ${flag.padEnd(28)} ${o.description}${def}`;
  });
  return [`usage: ${script} [options]`, ...lines, `  ${"--help, -h".padEnd(28)} show this text`]
    .join("\n");
}

/**
 * Parses `args` (usually `Deno.args`) with `node:util` `parseArgs`: the common
 * experiment options plus `extraSpec`. Unknown options, missing values and
 * malformed numbers throw {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperimentArgs } from "./_report_args.ts";
 * const args = parseExperimentArgs(["--quick", "--steps", "50"], {
 *   steps: { type: "number", integer: true, default: 200, description: "training steps" },
 * });
 * assert.ok(args.quick);
 * assert.equal(args.steps, 50);
 * assert.equal(args.seed, 0);
 * assert.equal(args.backend, "cpu");
 * ```
 *
 * @category Reports
 */
export function parseExperimentArgs<S extends Record<string, OptionSpec> = Record<never, never>>(
  args: string[],
  extraSpec?: S,
  script = "deno run -A script.ts",
): ExperimentArgs & OptionValues<S> {
  const spec: Record<string, OptionSpec> = { ...COMMON };
  for (const [name, o] of Object.entries(extraSpec ?? {})) {
    if (name in COMMON || name === "help") {
      throw new GradsolveError(`Cannot define option "${name}": it is a common experiment option`);
    }
    spec[name] = o;
  }
  const usage = usageText(script, spec);
  const config: Record<string, { type: "boolean" | "string"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, o] of Object.entries(spec)) {
    config[kebab(name)] = { type: o.type === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options: config, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
  const out: Record<string, unknown> = { help: values.help === true, usage };
  for (const [name, o] of Object.entries(spec)) {
    const raw = values[kebab(name)];
    if (o.type === "boolean") {
      out[name] = raw === true || (raw === undefined && o.default === true);
    } else if (o.type === "string") {
      out[name] = raw ?? o.default;
    } else if (raw === undefined) {
      out[name] = o.default;
    } else {
      const n = Number(raw);
      if (String(raw).trim() === "" || !Number.isFinite(n) || (o.integer && !Number.isInteger(n))) {
        throw new UsageError(
          `Invalid value for --${kebab(name)}: expected ${
            o.integer ? "an integer" : "a number"
          }, got "${raw}"`,
          usage,
        );
      }
      out[name] = n;
    }
  }
  if (out.out === undefined) out.out = out.quick ? QUICK_OUT : "reports";
  if (out.backend !== "cpu" && out.backend !== "webgpu") {
    throw new UsageError(
      `Invalid value for --backend: expected "cpu" or "webgpu", got "${out.backend}"`,
      usage,
    );
  }
  if ((out.seed as number) < 0) {
    throw new UsageError(
      `Invalid value for --seed: expected an integer >= 0, got ${out.seed}`,
      usage,
    );
  }
  return out as ExperimentArgs & OptionValues<S>;
}
