import assert from "node:assert/strict";
import { cg } from "../lib/linalg/cg.ts";
import { factorize } from "../lib/linalg/direct/factor.ts";
import { factorizationPreconditioner } from "../lib/linalg/direct/preconditioner.ts";
import { gmres } from "../lib/linalg/gmres.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { dot } from "../lib/linalg/vector.ts";
import { Rng } from "../lib/random.ts";
import { convectionDiffusion2d, diffusion2d } from "../lib/sparse/generators.ts";

function randomVector(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

Deno.test("factorizationPreconditioner() of the matrix itself makes GMRES converge at once", () => {
  const A = convectionDiffusion2d(15, 15, { wind: [10, -4] });
  const b = randomVector(225, 1);
  const r = gmres(A, b, { preconditioner: factorizationPreconditioner(factorize(A)), rtol: 1e-12 });
  assert.ok(r.converged && r.iterations <= 2, `${r.iterations} iterations`);
});

Deno.test("factorizationPreconditioner() of a stale matrix beats IC(0) on a drifted SPD system", () => {
  const nx = 20, rng = new Rng(3);
  const kappa0 = Float64Array.from({ length: nx * nx }, () => Math.exp(rng.normal()));
  const kappa1 = kappa0.map((k) => k * (1 + 0.05 * rng.normal()));
  const A0 = diffusion2d(kappa0, nx), A1 = diffusion2d(kappa1, nx);
  const f = factorize(A0);
  assert.equal(f.kind, "cholesky");
  const M = factorizationPreconditioner(f);
  assert.equal(M.symmetric, true);
  const b = randomVector(nx * nx, 4);
  const stale = cg(A1, b, { preconditioner: M, rtol: 1e-10 });
  const ic = cg(A1, b, { preconditioner: ic0(A1), rtol: 1e-10 });
  assert.ok(stale.converged && ic.converged);
  assert.ok(
    stale.iterations * 2 < ic.iterations,
    `stale LLᵀ ${stale.iterations} vs IC(0) ${ic.iterations}`,
  );
});

Deno.test("factorizationPreconditioner().applyTranspose is the adjoint: ⟨M⁻¹u, v⟩ = ⟨u, M⁻ᵀv⟩", () => {
  const A = convectionDiffusion2d(8, 8, { wind: [6, 3] });
  const M = factorizationPreconditioner(factorize(A));
  assert.equal(M.symmetric, false);
  const u = randomVector(64, 5), v = randomVector(64, 6);
  const Mu = new Float64Array(64), Mtv = new Float64Array(64);
  M.apply(u, Mu);
  M.applyTranspose(v, Mtv);
  const lhs = dot(Mu, v), rhs = dot(u, Mtv);
  assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.abs(lhs), `${lhs} vs ${rhs}`);
});
