/**
 * What a report records about the run that made it: date, git commit, Deno
 * version and platform.
 *
 * @module
 */

/** Facts about the running process, recorded in every report's metadata. */
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
}

// The checkout this module lives in when it is a local file; otherwise the
// working directory.
function repoDir(): string {
  const here = new URL(".", import.meta.url);
  return here.protocol === "file:" ? decodeURIComponent(here.pathname) : Deno.cwd();
}

async function gitCommit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: repoDir(),
      stdout: "piped",
      stderr: "null",
    }).output();
    const hash = new TextDecoder().decode(out.stdout).trim();
    return out.success && hash !== "" ? hash : "unknown";
  } catch {
    // No git, no --allow-run, or not a checkout.
    return "unknown";
  }
}

/**
 * Collects the {@linkcode RunInfo} of this process. Never throws: the commit
 * is `"unknown"` when git cannot be run.
 *
 * @example
 * ```ts
 * import { collectRunInfo } from "./run_info.ts";
 * const info = await collectRunInfo();
 * console.assert(info.deno === Deno.version.deno);
 * ```
 */
export async function collectRunInfo(date: Date = new Date()): Promise<RunInfo> {
  return {
    date: date.toISOString(),
    commit: await gitCommit(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    platform: `${Deno.build.os} ${Deno.build.arch}`,
  };
}
