import assert from "node:assert/strict";
import { directSolve } from "../lib/linalg/direct/factor.ts";
import { parseMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath, REAL_MATRICES } from "./_data.ts";

function relativeResidual(r: Float64Array, b: Float64Array): number {
  let rn = 0, bn = 0;
  for (let i = 0; i < b.length; i++) rn += (r[i] - b[i]) ** 2, bn += b[i] ** 2;
  return Math.sqrt(rn / bn);
}

for (const name of REAL_MATRICES) {
  Deno.test({
    name: `directSolve() solves ${name} with b = A·1 to a true relative residual ≤ 1e-12`,
    ignore: !hasSharedData,
    fn() {
      const A = parseMatrixMarket(Deno.readTextFileSync(matrixPath(name)), name).matrix;
      const n = A.shape[0];
      const b = A.multiply(new Float64Array(n).fill(1));
      const result = directSolve(A, b);
      assert.equal(result.reason, "converged-direct");
      assert.ok(result.relativeResidual <= 1e-12, `${name}: ${result.relativeResidual}`);
      assert.ok(relativeResidual(A.multiply(result.x), b) <= 1e-12);
      assert.ok(result.x.every(Number.isFinite));
      // the adjoint solve reuses the factors: Aᵀ λ = c with c = Aᵀ·1 (no refinement here)
      const f = result.factorization;
      const c = new Float64Array(n);
      A.applyTranspose(new Float64Array(n).fill(1), c);
      const lambda = f.solveTranspose(c);
      const atl = new Float64Array(n);
      A.applyTranspose(lambda, atl);
      assert.ok(relativeResidual(atl, c) <= 1e-12, `${name} adjoint: ${relativeResidual(atl, c)}`);
      assert.ok(f.fill >= 1 && f.pivotGrowth > 0 && Number.isFinite(f.pivotGrowth));
    },
  });
}
