/**
 * Command-line parsing for the benchmark drivers (`bench_*.ts`): `--help`
 * prints the usage, an unknown option or a malformed number prints one line
 * and the usage on stderr and exits with status 2.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses `Deno.args` against `options`; exits on `--help` (0) or bad input (2). */
export function benchArgs<const O extends Options>(usage: string, options: O) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parseArgs({ args: Deno.args, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    Deno.exit(2);
  }
}

/** A positive integer option (from its string value), or exit 2 naming it. */
export function positiveInt(
  name: string,
  text: string | undefined,
  fallback: number,
  usage: string,
): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < 1) {
    console.error(`--${name} must be a positive integer, got "${text}"\n${usage}`);
    Deno.exit(2);
  }
  return v;
}
