/**
 * CG and SpMV per-iteration time of gradsolve's CPU solver against plain C
 * (and Eigen) on the identical 2-D Poisson matrix.
 *
 * Compiles `bench/c/cg_reference.cpp` (needs a C++ compiler; Eigen's headers,
 * libeigen3-dev, are optional) into a temporary folder, then for each round
 * runs the C program (`fixed`
 * mode: CG with a fixed iteration count, b = A·1, x0 = 0; `spmv` mode) and
 * our `cg` and `CsrMatrix.apply` on the same matrix, interleaved so machine
 * noise hits both sides alike. Prints a table and JSON of ms per iteration
 * (median over rounds) and the ratios ours / C.
 *
 * Without a C++ compiler it prints one line saying so and exits with status 0.
 *
 * Usage: deno run -A scripts/bench_cg_reference.ts [--quick] [--json]
 *        [--reference PATH] [--rounds 5] [--iters 200]
 *   --quick   N = 200 (n = 40,000) instead of N = 1000 (n = 1,000,000)
 *   --json    print only the JSON summary
 *
 * @module
 */

import { cg } from "../lib/linalg/cg.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import { benchArgs, positiveInt } from "./_bench_args.ts";
import { CG_REFERENCE_SOURCE, compileCgReference, runCFixed, runCSpmv } from "./_cg_reference.ts";

interface Row {
  impl: string;
  lang: "cpp" | "ts";
  kind: "cg" | "spmv";
  msPerIter: number[];
}

const USAGE = "CG and SpMV time per iteration of gradsolve against plain C (and Eigen when its\n" +
  "headers exist) on the same 2-D Poisson matrix; compiles bench/c/cg_reference.cpp.\n" +
  "Takes about 1 min (N = 1000, 5 rounds) or 5 s with --quick on a 2-core VM; writes nothing\n" +
  "(prints a table, or JSON with --json).\n\n" +
  "Usage: deno run -A scripts/bench_cg_reference.ts [--quick] [--json] " +
  "[--reference cg_reference.cpp] [--rounds 5] [--iters 200]";
const args = benchArgs(USAGE, {
  quick: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  reference: { type: "string" },
  rounds: { type: "string" },
  iters: { type: "string" },
});
const N = args.quick ? 200 : 1000;
const rounds = positiveInt("rounds", args.rounds, 5, USAGE);
const iters = positiveInt("iters", args.iters, 200, USAGE);
const reference = args.reference ?? CG_REFERENCE_SOURCE;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

const compiled = await compileCgReference(reference);
if (!compiled.ok) {
  console.log(`bench_cg_reference: skipped: ${compiled.reason}`);
  Deno.exit(0);
}
const ref = compiled.reference;
log(`compiled: ${ref.command}${ref.eigen ? "" : " (no Eigen headers: plain C only)"}`);
const A = poisson2d(N);
const n = A.shape[0];
const b = A.multiply(new Float64Array(n).fill(1));
const rows = new Map<string, Row>();
const record = (impl: string, lang: Row["lang"], kind: Row["kind"], ms: number) => {
  const row = rows.get(impl) ?? { impl, lang, kind, msPerIter: [] };
  row.msPerIter.push(ms);
  rows.set(impl, row);
};

// Warm up our JIT on the same matrix (untimed), as the C program warms up its own.
for (let w = 0; w < 3; w++) cg(A, b, { rtol: 0, maxIter: 20, onFailure: "return" });
const x = new Float64Array(n);
for (let i = 0; i < n; i++) x[i] = Math.sin(i);
const y = new Float64Array(n);
for (let w = 0; w < 20; w++) A.apply(x, y);

log(`2-D Poisson N=${N}: n=${n}, nnz=${A.nnz}; ${iters} CG iterations, ${rounds} rounds`);
for (let round = 0; round < rounds; round++) {
  // C: one timed CG run per implementation, order rotated each round.
  for (const t of await runCFixed(ref, { N, iterations: iters, round })) {
    if (t.iterations !== iters) {
      throw new Error(`C ${t.impl} ran ${t.iterations} iterations, not ${iters}`);
    }
    record(t.impl, "cpp", "cg", t.ms);
  }
  const t0 = performance.now();
  const result = cg(A, b, { rtol: 0, maxIter: iters, onFailure: "return" });
  const t1 = performance.now();
  if (result.iterations !== iters) throw new Error(`ours ran ${result.iterations} iterations`);
  record("gradsolve_cg", "ts", "cg", (t1 - t0) / iters);

  for (const t of await runCSpmv(ref, N)) record(t.impl, "cpp", "spmv", t.ms);
  const batch = Math.max(1, Math.floor(2e6 / A.nnz));
  const samples: number[] = [];
  for (let s = -3; s < 31; s++) {
    const s0 = performance.now();
    for (let k = 0; k < batch; k++) A.apply(x, y);
    const s1 = performance.now();
    if (s >= 0) samples.push((s1 - s0) / batch);
  }
  record("gradsolve_spmv", "ts", "spmv", median(samples));
  log(`  round ${round + 1}/${rounds} done`);
}

const med = (impl: string) => rows.has(impl) ? median(rows.get(impl)!.msPerIter) : NaN;
const summary = {
  N,
  n,
  nnz: A.nnz,
  iterations: iters,
  rounds,
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  msPerIteration: Object.fromEntries([...rows.values()].map((r) => [r.impl, median(r.msPerIter)])),
  msPerIterationMin: Object.fromEntries(
    [...rows.values()].map((r) => [r.impl, Math.min(...r.msPerIter)]),
  ),
  ratios: {
    cgVsCFused: med("gradsolve_cg") / med("c_cg_fused"),
    cgVsCPlain: med("gradsolve_cg") / med("c_cg_plain"),
    cgVsEigen: med("gradsolve_cg") / med("eigen_cg"),
    spmvVsC: med("gradsolve_spmv") / med("c_spmv"),
    spmvVsEigen: med("gradsolve_spmv") / med("eigen_spmv"),
  },
};

if (args.json) console.log(JSON.stringify(summary));
else {
  console.log("\nimpl              kind   ms/iter (median)   ms/iter (min)");
  for (const r of rows.values()) {
    console.log(
      `${r.impl.padEnd(17)} ${r.kind.padEnd(6)} ${median(r.msPerIter).toFixed(3).padStart(16)}` +
        `   ${Math.min(...r.msPerIter).toFixed(3).padStart(13)}`,
    );
  }
  console.log("\nratio ours / C (medians)");
  for (const [k, v] of Object.entries(summary.ratios)) {
    console.log(`  ${k.padEnd(12)} ${v.toFixed(3)}`);
  }
  console.log("\n" + JSON.stringify(summary));
}
await ref.dispose();
