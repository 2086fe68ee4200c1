/**
 * Micro-benchmarks of the sparse direct solver on 2-D Poisson (n = 10,000):
 * AMD ordering, LU and Cholesky factorisation, refactorisation with the
 * symbolic analysis reused, and one solve.
 *
 * @module
 */

import { amd } from "../lib/linalg/direct/amd.ts";
import { factorize } from "../lib/linalg/direct/factor.ts";
import { symmetricGraph } from "../lib/linalg/direct/graph.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

const A = poisson2d(100);
const b = A.multiply(new Float64Array(A.shape[0]).fill(1));
const lu = factorize(A, { kind: "lu" });
const chol = factorize(A, { kind: "cholesky" });
const shifted = A.values.map((v) => v * 1.01);

Deno.bench("amd() on 2-D Poisson 100x100", { group: "order" }, () => {
  amd(symmetricGraph(A.pattern));
});
Deno.bench("factorize() LU, 2-D Poisson 100x100", { group: "factor", baseline: true }, () => {
  factorize(A, { kind: "lu" });
});
Deno.bench("factorize() Cholesky, 2-D Poisson 100x100", { group: "factor" }, () => {
  factorize(A, { kind: "cholesky" });
});
Deno.bench("refactor() LU, same pattern", { group: "refactor", baseline: true }, () => {
  lu.refactor(shifted);
});
Deno.bench("refactor() Cholesky, same pattern", { group: "refactor" }, () => {
  chol.refactor(shifted);
});
Deno.bench("solve() LU", { group: "solve", baseline: true }, () => {
  lu.solve(b);
});
Deno.bench("solve() Cholesky", { group: "solve" }, () => {
  chol.solve(b);
});
