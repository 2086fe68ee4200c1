/**
 * Micro-benchmarks of algebraic multigrid on 2-D Poisson (n = 65,536) and
 * anisotropic diffusion (ε = 10⁻³, the filtered-prolongator case): a fresh
 * setup against a value update of a kept hierarchy (the reuse of a
 * training loop), one V-cycle against one SpMV, and AMG-PCG to rtol 1e-8
 * against IC(0)-PCG. `deno task bench` prints each group's ratios against
 * its baseline; the end-to-end comparison with PyAMG and JAX is
 * `scripts/bench_amg.ts` (report `amg`).
 *
 * @module
 */

import { amgSetup } from "../lib/linalg/amg/mod.ts";
import { cg } from "../lib/linalg/cg.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { anisotropic2d, poisson2d } from "../lib/sparse/generators.ts";

const problems = [
  { name: "2-D Poisson 256²", A: poisson2d(256) },
  { name: "anisotropic ε=1e-3 256²", A: anisotropic2d(256, 256, 1e-3) },
];

for (const { name, A } of problems) {
  const n = A.shape[0];
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(0.37 * i) + 0.25);
  const kept = amgSetup(A);
  // Two value sets on the pattern with the same strong couplings: update alternates them.
  const values = [A.values, A.values.map((v) => 1.5 * v)];
  let flip = 0;
  const z = new Float64Array(n), y = new Float64Array(n);
  Deno.bench(`amgSetup(), ${name}`, { group: `setup ${name}`, baseline: true }, () => {
    amgSetup(A);
  });
  Deno.bench(`update() of a kept hierarchy, ${name}`, { group: `setup ${name}` }, () => {
    kept.update(values[flip ^= 1]);
  });
  const M = amgSetup(A);
  Deno.bench(`SpMV, ${name}`, { group: `apply ${name}`, baseline: true }, () => {
    A.apply(b, y);
  });
  Deno.bench(`one V-cycle (apply), ${name}`, { group: `apply ${name}` }, () => {
    M.apply(b, z);
  });
  const ic = ic0(A, { shift: "auto" });
  Deno.bench(`IC(0)-PCG to 1e-8, ${name}`, { group: `solve ${name}`, baseline: true }, () => {
    cg(A, b, { preconditioner: ic, rtol: 1e-8 });
  });
  Deno.bench(`AMG-PCG to 1e-8 (setup included), ${name}`, { group: `solve ${name}` }, () => {
    cg(A, b, { preconditioner: amgSetup(A), rtol: 1e-8 });
  });
}
