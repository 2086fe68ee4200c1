/**
 * The helper behind the CLI's `--adjoint`: gradients of `L = g·x` with
 * `A x = b`, through the same differentiable solve and `vjp` as user code.
 *
 * @module
 */

import { sparseTensor } from "../autodiff/sparse.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { vjpAsync } from "../autodiff/transforms_async.ts";
import { ShapeError } from "../errors.ts";
import type { SolveResult } from "../linalg/result.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { type AsyncSolveOptions, solveAsyncWithInfo } from "./solve_async.ts";
import type { SolveInfo } from "./solve_info.ts";

/**
 * What {@linkcode solveGradients} returns.
 *
 * @category Differentiable solves
 */
export interface SolveGradients {
  /** The solution x. */
  readonly x: Float64Array;
  /** The forward solve's result. */
  readonly forward: SolveResult;
  /** The adjoint solve's result (`Aᵀλ = g`); for g = 0, the no-solve zero result (every backend). */
  readonly adjoint: SolveResult;
  /** `∂L/∂b = λ`. */
  readonly gradB: Float64Array;
  /** `∂L/∂A` per stored CSR entry: `−λ[row k]·x[col k]`. */
  readonly gradValues: Float64Array;
  /** Milliseconds of the forward pass (the solve) and of the backward pass (adjoint solve + gradients). */
  readonly timings: { readonly forward: number; readonly adjoint: number };
}

/**
 * Solves `A x = b` and returns the gradients of `L = g·x` with respect to
 * `b` and to every stored value of `A`, with both solve results, on the
 * CPU or (`backend: "webgpu"`) the GPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, solveGradients } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0], [0, 4]]);
 * const r = await solveGradients(A, Float64Array.of(2, 4), Float64Array.of(1, 1), { rtol: 1e-12 });
 * assert.ok(Math.abs(r.gradB[1] - 0.25) < 1e-12 && Math.abs(r.gradValues[0] + 0.5) < 1e-12);
 * assert.equal(r.adjoint.converged, true);
 * ```
 *
 * @category Differentiable solves
 */
export async function solveGradients(
  A: CsrMatrix,
  b: Float64Array,
  g: Float64Array,
  options: AsyncSolveOptions = {},
): Promise<SolveGradients> {
  if (g.length !== A.shape[0]) {
    throw new ShapeError(
      `Cannot compute gradients: g has length ${g.length} but A has ${A.shape[0]} rows`,
    );
  }
  let info: SolveInfo | undefined;
  const t0 = performance.now();
  const [x, pullback] = await vjpAsync(
    async (values, rhs) => {
      info = await solveAsyncWithInfo(sparseTensor(A.pattern, values), rhs, {
        ...options,
        adjoint: "implicit",
      });
      return info.x;
    },
    new Tensor(A.values, [A.nnz]),
    new Tensor(b, [b.length]),
  );
  const t1 = performance.now();
  const [gradValues, gradB] = await pullback(new Tensor(g, [g.length]));
  const t2 = performance.now();
  // The adjoint node always reports a result (g = 0: the zero result, no solve).
  const adjoint = info!.adjoints[0];
  return {
    x: x.data,
    forward: info!.forward,
    adjoint,
    gradB: gradB.data,
    gradValues: gradValues.data,
    timings: { forward: t1 - t0, adjoint: t2 - t1 },
  };
}
