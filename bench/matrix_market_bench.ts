/**
 * Matrix Market parse, read and format speed on a 102,400-row problem: the
 * 2-D Poisson matrix on a 320×320 grid (510,720 entries), once with its
 * short integer values and once with full-precision random values, a small
 * one (poisson2d(8), 288 entries), the largest shared matrix (bcsstk16,
 * symmetric) when it is present, and `readMatrixMarket` from a file (which
 * streams it in 1 MiB chunks rather than reading it as one string).
 *
 * Measured (deno bench -A bench/matrix_market_bench.ts, Deno 2.9.6, x86_64,
 * 2-core VM shared with other jobs, so averages swing with load; two runs):
 * parse 60–93 ms avg (min 53 ms) with short values (7.5 MB of text),
 * 80–166 ms avg (min 77 ms) with 17-digit values; bcsstk16 25–50 ms avg;
 * format 130–280 ms avg (min 79 ms) and 217–340 ms avg (min 111 ms).
 *
 * Streaming against reading the whole text (one process, the two versions
 * interleaved, load average 5–10 on 2 cores, so only the minimum and median
 * of 12–200 rounds mean much): parse poisson2d(320) short 74.0 → 76.6 ms
 * min, 164 → 167 ms median (100 rounds); poisson2d(8) 44 → 43 µs;
 * bcsstk16 parse 72.8 → 61.1 ms min; readMatrixMarket from a file
 * poisson2d(320) 146 → 141 ms min, bcsstk16 37.0 → 36.1 ms min: no loss.
 * A 555 MB file (n = 8,000,000, 16M entries), which `Deno.readTextFile`
 * cannot hold as a string, reads in 11.6 s with a peak RSS of 2.0 GB
 * including the CG solve (`scripts/solve.ts --matrix big.mtx`).
 *
 * @module
 */

import { Rng } from "../lib/random.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import {
  formatMatrixMarket,
  parseMatrixMarket,
  readMatrixMarket,
} from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "../tests/_data.ts";

const poisson = poisson2d(320);
const rng = new Rng(1);
const noisy = poisson.withValues(poisson.values.map((v) => v * (1 + rng.next())));
const poissonText = formatMatrixMarket(poisson);
const noisyText = formatMatrixMarket(noisy);
const bcsstk16 = hasSharedData ? await Deno.readTextFile(matrixPath("bcsstk16")) : "";
// readMatrixMarket streams the file in 1 MiB chunks (it used to read it whole as one string).
const poissonFile = await Deno.makeTempFile({ prefix: "gradsolve_bench_", suffix: ".mtx" });
await Deno.writeTextFile(poissonFile, poissonText);
globalThis.addEventListener("unload", () => Deno.removeSync(poissonFile));
const smallText = formatMatrixMarket(poisson2d(8));

Deno.bench({
  name: "parseMatrixMarket poisson2d(320), short values",
  group: "parse",
  baseline: true,
  fn: () => {
    parseMatrixMarket(poissonText);
  },
});

Deno.bench({
  name: "parseMatrixMarket poisson2d(320), 17-digit values",
  group: "parse",
  fn: () => {
    parseMatrixMarket(noisyText);
  },
});

Deno.bench({
  name: "parseMatrixMarket bcsstk16 (symmetric, 147,631 entries)",
  group: "parse",
  ignore: !hasSharedData,
  fn: () => {
    parseMatrixMarket(bcsstk16);
  },
});

Deno.bench({
  name: "parseMatrixMarket poisson2d(8) (64 rows, 288 entries)",
  group: "parse",
  fn: () => {
    parseMatrixMarket(smallText);
  },
});

Deno.bench({
  name: "readMatrixMarket poisson2d(320) from a file, short values",
  group: "read",
  baseline: true,
  fn: async () => {
    await readMatrixMarket(poissonFile);
  },
});

Deno.bench({
  name: "readMatrixMarket bcsstk16 from a file",
  group: "read",
  ignore: !hasSharedData,
  fn: async () => {
    await readMatrixMarket(matrixPath("bcsstk16"));
  },
});

Deno.bench({
  name: "formatMatrixMarket poisson2d(320), short values",
  group: "format",
  baseline: true,
  fn: () => {
    formatMatrixMarket(poisson);
  },
});

Deno.bench({
  name: "formatMatrixMarket poisson2d(320), 17-digit values",
  group: "format",
  fn: () => {
    formatMatrixMarket(noisy);
  },
});
