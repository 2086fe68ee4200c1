/**
 * Micro-benchmarks of the CPU CG hot path on 2-D Poisson (N = 256 and
 * 1000, i.e. n = 65,536 and 1,000,000): one SpMV, and a CG solve of a fixed
 * 20 iterations (divide by 20 for one iteration; the per-iteration
 * comparison with C is `scripts/bench_cg_reference.ts`).
 *
 * @module
 */

import { cg } from "../lib/linalg/cg.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

const ITERATIONS = 20;

for (const N of [256, 1000]) {
  const A = poisson2d(N);
  const n = A.shape[0];
  const x = new Float64Array(n).fill(1);
  const b = A.multiply(x);
  const y = new Float64Array(n);
  const group = `poisson N=${N}`;
  Deno.bench({ name: `spmv N=${N}`, group, baseline: true, fn: () => A.apply(x, y) });
  Deno.bench({
    name: `cg ${ITERATIONS} iterations N=${N}`,
    group,
    fn: () => {
      const r = cg(A, b, { rtol: 0, maxIter: ITERATIONS, onFailure: "return" });
      if (r.iterations !== ITERATIONS) throw new Error(`expected ${ITERATIONS} iterations`);
    },
  });
}
