/**
 * The `solve` command line: reads a Matrix Market matrix (and optionally a
 * right-hand side and an adjoint seed), solves, and prints a summary or one
 * JSON object. Exit status: 0 when every solve converged, 1 when a solve did
 * not converge (the output is still printed), 2 for bad input or usage
 * (one line on stderr naming the file, line or option). `--help` lists every
 * option with its default.
 *
 * ```
 * deno run -A scripts/solve.ts --matrix A.mtx [--rhs b.mtx]
 *     [--method cg|bicgstab|gmres|minres|direct] [--precond none|jacobi|ilu0|ic0|amg]
 *     [--rtol 1e-10] [--atol 0] [--max-iter N] [--restart 30]
 *     [--backend cpu|webgpu] [--adjoint g.mtx] [--json]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { GradsolveError } from "../lib/errors.ts";
import type { AmgOptions } from "../lib/linalg/amg/options.ts";
import { runSolveCommand, type SolveCommand } from "./_solve_command.ts";

const USAGE = `Usage: deno run -A scripts/solve.ts --matrix A.mtx [--rhs b.mtx]
    [--method cg|bicgstab|gmres|minres|direct] [--precond none|jacobi|ilu0|ic0|amg]
    [--rtol 1e-10] [--atol 0] [--max-iter N] [--restart 30]
    [--amg key=value,...] [--backend cpu|webgpu] [--adjoint g.mtx] [--json]`;

const HELP = `${USAGE}

Solves A x = b for a Matrix Market matrix and prints a summary, or with --json
one JSON object (see README.md, "The solve CLI").

Options:
  --matrix A.mtx   the matrix: a square Matrix Market coordinate file (required)
  --rhs b.mtx      the right-hand side: an n×1 Matrix Market file [default: b = A·1]
  --method M       cg, bicgstab, gmres, minres or direct
                   [default: cg when A is exactly symmetric, else gmres]
  --precond P      none, jacobi, ilu0, ic0 or amg (smoothed aggregation algebraic
                   multigrid; its hierarchy is reported, and the adjoint solve reuses it)
                   (ignored by direct) [default: none]
  --amg OPTS       AMG options for --precond amg, comma-separated key=value pairs:
                   coarsening=sa|rs, strengthThreshold, strengthDecay, blockSize,
                   prolongationSmoothing=jacobi|none, prolongationFilter=true|false,
                   smoother=chebyshev|jacobi|l1-jacobi, jacobiWeight, chebyshevDegree,
                   preSweeps, postSweeps, cycle=V|W, maxLevels, coarseSize, maxDenseSize,
                   coarseSweeps, spectralSteps, seed (see AmgOptions)
                   [default: the library's defaults]
  --rtol R         relative tolerance on the true residual ‖b − Ax‖ ≤ R·‖b‖
                   [default: 1e-10; the library's default is 1e-8]
  --atol A         absolute tolerance on the true residual [default: 0]
  --max-iter N     most iterations of an iterative method [default: max(1000, 10·n)]
  --restart M      GMRES restart length [default: 30]
  --backend B      cpu or webgpu (methods cg, bicgstab, gmres, minres; precond
                   none, jacobi or amg); webgpu without an adapter says so and
                   uses the CPU [default: cpu]
  --adjoint g.mtx  also solve Aᵀλ = g and report the gradients of L = g·x:
                   gradB = λ and one gradValues entry per file entry [default: none]
  --json           print one JSON object instead of the summary [default: off]
  -h, --help       print this help

Exit status:
  0  every solve converged
  1  a solve did not converge (the output is still printed)
  2  bad input or usage (one line on stderr naming the file, line or option)`;

/** A usage problem: reported on one line, exit status 2. */
class UsageError extends Error {}

function number(name: string, text: string | undefined, fallback: number, integer = false): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(
      `--${name} must be a ${
        integer ? "non-negative integer" : "non-negative number"
      }, got "${text}"`,
    );
  }
  return v;
}

function oneOf<T extends string>(
  name: string,
  text: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${text}"`);
  }
  return text as T;
}

/** The AMG option names --amg takes, by the type of their value. */
const AMG_KEYS = {
  string: ["coarsening", "prolongationSmoothing", "smoother", "cycle"],
  boolean: ["prolongationFilter"],
  number: [
    "strengthThreshold",
    "strengthDecay",
    "jacobiWeight",
    "blockSize",
    "chebyshevDegree",
    "preSweeps",
    "postSweeps",
    "maxLevels",
    "coarseSize",
    "maxDenseSize",
    "coarseSweeps",
    "spectralSteps",
    "seed",
  ],
} as const;

/**
 * `key=value,key=value` into AmgOptions: names and value types checked here,
 * ranges by the library when the hierarchy is set up (a `RangeError`, exit 2).
 */
function amgOptions(text: string): AmgOptions {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? "" : pair.slice(eq + 1).trim();
    if (eq < 0 || key === "" || value === "") {
      throw new UsageError(`--amg takes key=value pairs separated by commas, got "${pair}"`);
    }
    if (key in out) throw new UsageError(`--amg sets ${key} twice`);
    if ((AMG_KEYS.string as readonly string[]).includes(key)) out[key] = value;
    else if ((AMG_KEYS.boolean as readonly string[]).includes(key)) {
      if (value !== "true" && value !== "false") {
        throw new UsageError(`--amg ${key} must be true or false, got "${value}"`);
      }
      out[key] = value === "true";
    } else if ((AMG_KEYS.number as readonly string[]).includes(key)) {
      const v = Number(value);
      if (!Number.isFinite(v)) {
        throw new UsageError(`--amg ${key} must be a number, got "${value}"`);
      }
      out[key] = v;
    } else {
      const known = [...AMG_KEYS.string, ...AMG_KEYS.boolean, ...AMG_KEYS.number].join(", ");
      throw new UsageError(`--amg has no option "${key}" (known: ${known})`);
    }
  }
  return out as AmgOptions;
}

function parseCommand(args: string[]): SolveCommand | "help" {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      matrix: { type: "string" },
      rhs: { type: "string" },
      method: { type: "string" },
      precond: { type: "string" },
      amg: { type: "string" },
      rtol: { type: "string" },
      atol: { type: "string" },
      "max-iter": { type: "string" },
      restart: { type: "string" },
      backend: { type: "string" },
      adjoint: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.matrix) throw new UsageError("--matrix is required");
  const maxIter = values["max-iter"] === undefined
    ? undefined
    : number("max-iter", values["max-iter"], 0, true);
  if (maxIter === 0) throw new UsageError(`--max-iter must be at least 1, got "0"`);
  const restart = number("restart", values.restart, 30, true);
  if (restart === 0) throw new UsageError(`--restart must be at least 1, got "0"`);
  const precond =
    oneOf("precond", values.precond, ["none", "jacobi", "ilu0", "ic0", "amg"] as const) ??
      "none";
  if (values.amg !== undefined && precond !== "amg") {
    throw new UsageError(`--amg needs --precond amg, got --precond ${precond}`);
  }
  return {
    matrix: values.matrix,
    rhs: values.rhs,
    adjoint: values.adjoint,
    method: oneOf(
      "method",
      values.method,
      ["cg", "bicgstab", "gmres", "minres", "direct"] as const,
    ),
    precond,
    amg: values.amg === undefined ? {} : amgOptions(values.amg),
    rtol: number("rtol", values.rtol, 1e-10),
    atol: number("atol", values.atol, 0),
    maxIter,
    restart,
    backend: oneOf("backend", values.backend, ["cpu", "webgpu"] as const) ?? "cpu",
    json: values.json,
  };
}

/** A file-system error (not found, a directory, permission denied, …): bad input, exit 2. */
function isIoError(e: unknown): e is Error {
  return Object.values(Deno.errors).some((kind) => e instanceof kind);
}

async function main(args: string[]): Promise<number> {
  let command: SolveCommand | "help";
  try {
    command = parseCommand(args);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // node:util's parseArgs explains positional arguments at length; name the option only.
    const unknown = message.match(/^Unknown option '([^']+)'/);
    const line = unknown ? `unknown option ${unknown[1]}` : message.replace(/\n.*/s, "");
    console.error(`solve: ${line} (see --help)`);
    return 2;
  }
  if (command === "help") {
    console.log(HELP);
    return 0;
  }
  try {
    const { json, summary, converged } = await runSolveCommand(command);
    console.log(command.json ? JSON.stringify(json) : summary);
    return converged ? 0 : 1;
  } catch (e) {
    if (e instanceof GradsolveError || e instanceof RangeError || isIoError(e)) {
      console.error(`solve: ${e.message.split("\n")[0]}`);
      return 2;
    }
    throw e;
  }
}

Deno.exit(await main(Deno.args));
