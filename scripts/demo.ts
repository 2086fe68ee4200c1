/**
 * `deno task demo`: runs every experiment in its quick form, writes the
 * reports into `reports/quick/` (or `--out DIR`), so the committed full
 * reports in `reports/` stay as they are, and prints where they went and each
 * report's one-line finding. `deno task reports` (`--full`) runs the full
 * experiments and writes `reports/`. Opens nothing.
 *
 * ```
 * deno run -A scripts/demo.ts [--out DIR] [--seed 0] [--backend cpu|webgpu] [--full]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { ensureXdgRuntimeDir } from "./_runtime_dir.ts";
import { QUICK_OUT } from "./_report_args.ts";
import { prepareOutDir } from "./_experiment_main.ts";

/** One experiment: its script and how to run it. */
interface Experiment {
  readonly name: string;
  readonly load: () => Promise<
    {
      run(
        o: { quick?: boolean; seed?: number; backend?: "cpu" | "webgpu"; out?: string },
      ): Promise<{ finding: string }>;
    }
  >;
}

const EXPERIMENTS: readonly Experiment[] = [
  { name: "pinn", load: () => import("./pinn.ts") },
  { name: "neural_ode", load: () => import("./neural_ode.ts") },
  { name: "learned_preconditioner", load: () => import("./learned_preconditioner.ts") },
  { name: "stochastic_gradients", load: () => import("./stochastic_gradients.ts") },
  { name: "gradient_quality", load: () => import("./gradient_quality.ts") },
  { name: "memory", load: () => import("./memory.ts") },
  { name: "unrolled_learning", load: () => import("./unrolled_learning.ts") },
  { name: "bench", load: () => import("./bench.ts") },
  { name: "amg", load: () => import("./bench_amg.ts") },
];

const USAGE = "Usage: deno run -A scripts/demo.ts [--out DIR] [--seed 0] " +
  `[--backend cpu|webgpu] [--full]\n  quick runs go to ${QUICK_OUT}/, --full runs to reports/`;

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        out: { type: "string" },
        seed: { type: "string", default: "0" },
        backend: { type: "string", default: "cpu" },
        full: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    console.error(`demo: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || (values.backend !== "cpu" && values.backend !== "webgpu")) {
    console.error(`demo: --seed must be an integer and --backend cpu or webgpu\n${USAGE}`);
    return 2;
  }
  const backend = values.backend;
  const out = values.out ?? (values.full ? "reports" : QUICK_OUT);
  const dir = await prepareOutDir(out);
  console.log(
    `${values.full ? "full" : "quick"} runs → ${dir}` +
      (values.full || values.out !== undefined ? "" : " (full reports: deno task reports)"),
  );
  ensureXdgRuntimeDir();
  let failures = 0;
  for (const { name, load } of EXPERIMENTS) {
    const t0 = performance.now();
    try {
      const { run } = await load();
      const { finding } = await run({ quick: !values.full, seed, backend, out });
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`${name.padEnd(24)} ${s.padStart(6)} s  ${finding}`);
    } catch (e) {
      failures++;
      console.log(`${name.padEnd(24)} FAILED  ${(e as Error).message.split("\n")[0]}`);
    }
  }
  console.log(`\nreports: ${resolve(dir, "index.html")}`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
