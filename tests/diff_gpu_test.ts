import assert from "node:assert/strict";
import { convectionDiffusion2d, poisson2d } from "../lib/sparse/generators.ts";
import { fromCsr } from "../lib/autodiff/sparse.ts";
import type { SolveInfo } from "../lib/diff/solve_info.ts";
import { dot } from "../lib/autodiff/reduce.ts";
import { Tensor } from "../lib/autodiff/tensor.ts";
import { valueAndGradAsync } from "../lib/autodiff/transforms_async.ts";
import { solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import { solveGradients } from "../lib/diff/solve_gradients.ts";
import { ConvergenceError } from "../lib/linalg/result.ts";
import { Rng } from "../lib/random.ts";
import { maxRelativeError, noGpu, withGpu } from "./_gpu.ts";

function randomVector(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

for (
  const [name, A, method] of [
    ["SPD 2-D Poisson, CG", poisson2d(12), "cg"],
    [
      "nonsymmetric convection–diffusion, GMRES",
      convectionDiffusion2d(10, 10, { wind: [8, -3] }),
      "gmres",
    ],
    [
      "nonsymmetric convection–diffusion, BiCGSTAB",
      convectionDiffusion2d(10, 10, { wind: [8, -3] }),
      "bicgstab",
    ],
  ] as const
) {
  Deno.test({
    name: `solveAsync() on webgpu: gradients from the GPU adjoint match the CPU ones (${name})`,
    ignore: noGpu,
    fn: () =>
      withGpu(async (gpu) => {
        const n = A.shape[0];
        const b = randomVector(n, 1), g = randomVector(n, 2);
        const cpu = await solveGradients(A, b, g, { method, rtol: 1e-11 });
        const onGpu = await solveGradients(A, b, g, {
          method,
          rtol: 1e-10,
          backend: "webgpu",
          gpu,
        });
        assert.ok(onGpu.forward.converged && onGpu.adjoint.converged);
        assert.ok(onGpu.adjoint.relativeResidual <= 1e-10, `${onGpu.adjoint.relativeResidual}`);
        assert.ok(maxRelativeError(onGpu.x, cpu.x) < 1e-8);
        assert.ok(maxRelativeError(onGpu.gradB, cpu.gradB) < 1e-8);
        // −λ[row]·x[col] is assembled in float64 from the refined x and λ.
        assert.ok(maxRelativeError(onGpu.gradValues, cpu.gradValues) < 1e-8);
      }),
  });
}

Deno.test({
  name:
    "solveAsync() on webgpu: a zero cotangent gives a zero gradient and the zero adjoint result, without a solve",
  ignore: noGpu,
  fn: () =>
    withGpu(async (gpu) => {
      const A = poisson2d(6);
      const n = A.shape[0];
      let info: SolveInfo | undefined;
      const zero = new Tensor(new Float64Array(n), [n]);
      const [, gb] = await valueAndGradAsync(async (b: Tensor) => {
        info = await solveAsyncWithInfo(fromCsr(A), b, { backend: "webgpu", gpu });
        return dot(info.x, zero);
      })(new Tensor(randomVector(n, 3), [n]));
      assert.equal(info?.solveCount, 1);
      assert.equal(info?.adjoints.length, 1);
      assert.equal(info?.adjoints[0].reason, "converged-atol");
      assert.equal(info?.adjoints[0].iterations, 0);
      assert.ok(gb.data.every((v: number) => v === 0));
    }),
});

Deno.test({
  name: "solveAsync() on webgpu refuses to differentiate a forward solve that did not converge",
  ignore: noGpu,
  fn: () =>
    withGpu(async (gpu) => {
      const A = poisson2d(10);
      const n = A.shape[0];
      await assert.rejects(
        () =>
          solveGradients(A, randomVector(n, 4), randomVector(n, 5), {
            backend: "webgpu",
            gpu,
            method: "cg",
            maxIter: 3,
          }),
        ConvergenceError,
      );
    }),
});
