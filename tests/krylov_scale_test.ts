// Right-hand sides far from unit scale: the numeric solvers, the direct solver and the CLI must
// give the same answer as at unit scale (solved at unit scale, norms that neither overflow nor
// underflow), and report the true residual honestly.
import assert from "node:assert/strict";
import { solveCli } from "./_cli.ts";
import type { KrylovMethod } from "../lib/linalg/krylov.ts";
import { krylovSolve } from "../lib/linalg/solve.ts";
import { directSolve } from "../lib/linalg/direct/factor.ts";
import { denseSolve } from "../lib/linalg/dense.ts";
import { norm2 } from "../lib/linalg/vector.ts";
import { formatMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { convectionDiffusion, kkt, poisson, randomVector } from "./_krylov_cases.ts";

const scales = [1e-300, 1e-170, 1e-160, 1, 1e154, 1e200, 1e300];

function relErr(x: ArrayLike<number>, e: ArrayLike<number>): number {
  // Compared at unit scale, so the check itself neither overflows nor underflows.
  let m = 0;
  for (let i = 0; i < e.length; i++) m = Math.max(m, Math.abs(e[i]));
  let d = 0;
  for (let i = 0; i < e.length; i++) d = Math.max(d, Math.abs(x[i] / m - e[i] / m));
  return d;
}

const cases: [KrylovMethod, ReturnType<typeof poisson>][] = [
  ["cg", poisson(6)],
  ["minres", kkt(12)],
  ["bicgstab", convectionDiffusion(6)],
  ["gmres", convectionDiffusion(6)],
];

for (const [method, A] of cases) {
  Deno.test(`${method}: b scaled by 1e-300 … 1e300 gives the scaled solution and an honest residual`, () => {
    const n = A.shape[0];
    const b1 = randomVector(n, 7);
    const x1 = denseSolve(A.toDense(), n, b1);
    for (const s of scales) {
      const b = b1.map((v) => v * s);
      const r = krylovSolve(A, b, { method, rtol: 1e-10 });
      assert.equal(r.reason, "converged-rtol", `scale ${s}: ${r.reason}`);
      const expected = x1.map((v) => v * s);
      assert.ok(relErr(r.x, expected) < 1e-8, `scale ${s}: x off by ${relErr(r.x, expected)}`);
      // The reported relative residual is the true one, not 0 from an underflow.
      assert.ok(r.relativeResidual > 0 && r.relativeResidual <= 1e-10, `scale ${s}`);
      assert.ok(Number.isFinite(r.residualNorm) && r.residualNorm > 0, `scale ${s}`);
      const rr = r.residualNorm / (s * norm2(b1));
      assert.ok(Math.abs(rr / r.relativeResidual - 1) < 1e-6, `scale ${s}: ${rr}`);
    }
  });
}

Deno.test("norm2 neither overflows nor underflows", () => {
  assert.ok(Math.abs(norm2(Float64Array.of(3e200, 4e200)) / 5e200 - 1) < 1e-15);
  assert.ok(Math.abs(norm2(Float64Array.of(3e-200, 4e-200)) / 5e-200 - 1) < 1e-15);
  assert.ok(Math.abs(norm2(Float64Array.of(3e-320, 4e-320)) / 5e-320 - 1) < 1e-3);
  assert.ok(Math.abs(norm2(Float64Array.of(1e308, 1e308)) / (Math.SQRT2 * 1e308) - 1) < 1e-15);
  assert.equal(norm2(new Float64Array(3)), 0);
  assert.ok(Number.isNaN(norm2(Float64Array.of(1, NaN))));
  assert.equal(norm2(Float64Array.of(1, Infinity)), Infinity);
});

Deno.test("directSolve: b = 1e200 and 1e-200 give the right x, a finite residual, converged-direct", () => {
  const A = convectionDiffusion(5);
  const n = A.shape[0];
  const b1 = randomVector(n, 3);
  const x1 = denseSolve(A.toDense(), n, b1);
  for (const s of [1e-300, 1e-200, 1e200, 1e300]) {
    const r = directSolve(A, b1.map((v) => v * s));
    assert.equal(r.reason, "converged-direct", `scale ${s}`);
    assert.ok(r.relativeResidual < 1e-14 && Number.isFinite(r.residualNorm), `scale ${s}`);
    assert.ok(relErr(r.x, x1.map((v) => v * s)) < 1e-12, `scale ${s}`);
  }
});

Deno.test("CLI: a 1e-170 right-hand side gives the scaled solution, not x = 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const A = poisson(3);
    const n = A.shape[0];
    const b1 = randomVector(n, 5);
    const x1 = denseSolve(A.toDense(), n, b1);
    await Deno.writeTextFile(`${dir}/A.mtx`, formatMatrixMarket(A));
    const rhs = ["%%MatrixMarket matrix array real general", `${n} 1`]
      .concat(Array.from(b1, (v) => (v * 1e-170).toExponential(17))).join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/b.mtx`, rhs);
    const out = await solveCli("--matrix", `${dir}/A.mtx`, "--rhs", `${dir}/b.mtx`, "--json");
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout);
    assert.equal(json.reason, "converged-rtol");
    assert.ok(relErr(json.x, x1.map((v) => v * 1e-170)) < 1e-8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
