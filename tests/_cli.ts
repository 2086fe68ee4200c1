// Runs the solve CLI (scripts/solve.ts) in a child process, for the tests of its contract.

const SCRIPT = new URL("../scripts/solve.ts", import.meta.url).pathname;

/** Exit status and the decoded output streams of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `deno run -A scripts/solve.ts ...args`, without colours. */
export async function solveCli(...args: string[]): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
