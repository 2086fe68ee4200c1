/**
 * What a report records about the run that made it: date, git commit and
 * whether the working tree had uncommitted changes, the exact command line,
 * Deno version, platform, CPU model, core count and caches.
 *
 * @module
 */

import { cpuCaches, cpuCores, cpuModel, describeCaches } from "./machine.ts";

/**
 * Facts about the running process, recorded in every report's metadata.
 *
 * @category Reports
 */
export interface RunInfo {
  /** ISO 8601 time: the `date` argument, by default the time of the call. */
  date: string;
  /** `git rev-parse --short HEAD` of the gradsolve checkout, or `"unknown"`. */
  commit: string;
  /** Deno version, e.g. `"2.9.6"`. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** Operating system and CPU architecture, e.g. `"linux x86_64"`. */
  platform: string;
  /**
   * Whether tracked files outside `reports/` differed from `commit` (`git
   * status --porcelain --untracked-files=no` printed something for them: the
   * code that ran was not the commit's); generated reports being rewritten
   * do not count. `null` when git cannot be run.
   */
  dirty: boolean | null;
  /** The command line that started the process, e.g. `"deno run -A scripts/pinn.ts --quick"`. */
  command: string;
  /** CPU model name, or `"unknown"`. */
  cpu: string;
  /** Logical CPU cores available to the process. */
  cores: number;
  /** CPU 0's caches, e.g. `"L1d 48 KiB · L1i 32 KiB · L2 2 MiB · L3 32 MiB"`, or `"unknown"`. */
  caches: string;
}

// The checkout this module lives in when it is a local file; otherwise the
// working directory.
function repoDir(): string {
  const here = new URL(".", import.meta.url);
  return here.protocol === "file:" ? decodeURIComponent(here.pathname) : Deno.cwd();
}

// stdout of a successful git command in the checkout, else undefined.
async function git(args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd: repoDir(),
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    // No git, no --allow-run, or not a checkout.
    return undefined;
  }
}

async function gitCommit(): Promise<string> {
  const hash = (await git(["rev-parse", "--short", "HEAD"]))?.trim();
  return hash ? hash : "unknown";
}

async function gitDirty(): Promise<boolean | null> {
  const status = await git([
    "status",
    "--porcelain",
    "--untracked-files=no",
    "--",
    ".",
    ":(exclude)reports",
  ]);
  return status === undefined ? null : status.trim() !== "";
}

// Quotes an argument the way a POSIX shell would need it.
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line of this process: `/proc/self/cmdline` where there is one
 * (the exact argv, e.g. `deno run -A scripts/pinn.ts --quick`), otherwise
 * rebuilt from `Deno.execPath()`, `Deno.mainModule` and `Deno.args`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandLine } from "./run_info.ts";
 * assert.ok((await commandLine()).length > 0);
 * ```
 *
 * @category Reports
 */
export async function commandLine(): Promise<string> {
  try {
    const raw = await Deno.readTextFile("/proc/self/cmdline");
    const argv = raw.split("\0").filter((a, i, all) => a !== "" || i < all.length - 1);
    if (argv.length > 0) return argv.map(shellQuote).join(" ");
  } catch {
    // Not Linux, or no read permission.
  }
  let exe = "deno";
  try {
    exe = Deno.execPath();
  } catch {
    // no --allow-read
  }
  return [exe, Deno.mainModule, ...Deno.args].map(shellQuote).join(" ");
}

/**
 * Collects the {@linkcode RunInfo} of this process. Never throws: the commit
 * is `"unknown"` and `dirty` is `null` when git cannot be run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectRunInfo } from "./run_info.ts";
 * const info = await collectRunInfo();
 * assert.equal(info.deno, Deno.version.deno);
 * ```
 *
 * @category Reports
 */
export async function collectRunInfo(date: Date = new Date()): Promise<RunInfo> {
  const [commit, dirty, command, cpu, caches] = await Promise.all([
    gitCommit(),
    gitDirty(),
    commandLine(),
    cpuModel(),
    cpuCaches(),
  ]);
  return {
    date: date.toISOString(),
    commit,
    dirty,
    command,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    platform: `${Deno.build.os} ${Deno.build.arch}`,
    cpu,
    cores: cpuCores(),
    caches: describeCaches(caches),
  };
}
