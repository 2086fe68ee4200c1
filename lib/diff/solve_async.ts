/**
 * The differentiable solve with a choice of backend: `solveAsync` runs on the
 * CPU (the same node as {@linkcode solve}) or on the GPU through WebGPU, where
 * both the forward solve and the adjoint solve `Aᵀλ = x̄` run on the device
 * (refined to float64) and the gradient is assembled from them by the same
 * rule as on the CPU: `b̄ = λ`, `Ā[k] = −λ[row k]·x[col k]` in float64.
 * Differentiate it with the async transforms (`gradAsync`,
 * `valueAndGradAsync`, `vjpAsync`). The GPU node gives first derivatives;
 * gradients of gradients need the CPU backend.
 *
 * @module
 */

import { customVjpAsync } from "../autodiff/custom.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { ShapeError } from "../errors.ts";
import { ConvergenceError } from "../linalg/result.ts";
import type { GpuContext } from "../gpu/device.ts";
import { type GpuMethod, gpuSolve, type GpuSolveOptions } from "../gpu/solve.ts";
import type { SolveResult } from "../linalg/result.ts";
import { maxAbs } from "../linalg/vector.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { zeroResult } from "../linalg/numeric_solve.ts";
import { type SolveOptions, solveWithInfo } from "./solve.ts";
import { SolveInfo } from "./solve_info.ts";
import { type DiffMatrix, systemOf } from "./system.ts";

/**
 * Options of {@linkcode solveAsync}: the CPU options plus the backend.
 *
 * @category Differentiable solves
 */
export interface AsyncSolveOptions extends SolveOptions {
  /** Where the solves run. @default {"cpu"} */
  backend?: "cpu" | "webgpu";
  /** GPU context for `backend: "webgpu"` (from `acquireGpu()`); required there. */
  gpu?: GpuContext;
  /** GPU-only settings (read-back interval, inner tolerance, refinement steps). */
  gpuOptions?: Pick<GpuSolveOptions, "checkEvery" | "innerRtol" | "maxRefinements" | "spmv">;
}

/**
 * One GPU solve as `numericSolve` does it on the CPU: a zero right-hand side
 * (a zero cotangent) is the converged zero result with no solve
 * (`solved: false`); otherwise `gpuSolve` at the caller's scale (absolute
 * `atol`, residual norm reported at that scale). No rescaling is needed
 * here: each of its float32 solves gets the float64 residual scaled to
 * unit norm, so a cotangent of 1e39 or 1e-40 never overflows or underflows
 * in float32, and x comes back refined in float64.
 */
async function gpuNumericSolve(
  gpu: GpuContext,
  A: CsrMatrix,
  b: Float64Array,
  options: GpuSolveOptions,
): Promise<{ result: SolveResult; solved: boolean }> {
  if (maxAbs(b) === 0) {
    const method = options.method ?? (A.symmetric ? "cg" : "gmres");
    return {
      result: zeroResult(b.length, method, options.preconditioner ?? "none"),
      solved: false,
    };
  }
  return { result: await gpuSolve(gpu, A, b, options), solved: true };
}

/**
 * Solves `A x = b` on the chosen backend and returns x on the tape plus the
 * diagnostics (forward result, adjoint results once a backward pass ran).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, fromCsr, gradAsync, solveAsyncWithInfo, sum, tensor } from "@gradsolve/gradsolve";
 * const A = fromCsr(CsrMatrix.fromDense([[4, 1], [1, 3]]));
 * const g = await gradAsync(async (b) => sum((await solveAsyncWithInfo(A, b, { rtol: 1e-12 })).x))(tensor([1, 2]));
 * assert.ok(Math.abs(g.data[0] - 2 / 11) < 1e-10);
 * ```
 *
 * @category Differentiable solves
 */
export async function solveAsyncWithInfo(
  A: DiffMatrix,
  b: Tensor,
  options: AsyncSolveOptions = {},
): Promise<SolveInfo> {
  const { backend = "cpu", gpu, gpuOptions, ...cpuOptions } = options;
  if (backend !== "cpu" && backend !== "webgpu") {
    throw new ShapeError(
      `Cannot solve: backend must be "cpu" or "webgpu", got ${JSON.stringify(backend)}`,
    );
  }
  if (backend === "cpu") return solveWithInfo(A, b, cpuOptions);
  if (!gpu) {
    throw new ShapeError(
      'Cannot solve on "webgpu": pass a GpuContext as options.gpu (from acquireGpu())',
    );
  }
  if (!("pattern" in A)) throw new ShapeError('Cannot solve on "webgpu": A must be a SparseTensor');
  if (b.ndim !== 1) {
    throw new ShapeError(`Cannot solve on "webgpu": b must be a vector, got shape [${b.shape}]`);
  }
  if (options.adjoint !== undefined && options.adjoint !== "implicit") {
    throw new ShapeError('Cannot solve on "webgpu": only adjoint "implicit" is available there');
  }
  if (
    options.preconditioner !== undefined && options.preconditioner !== "none" &&
    options.preconditioner !== "jacobi"
  ) {
    throw new ShapeError('Cannot solve on "webgpu": preconditioner must be "none" or "jacobi"');
  }
  const info = new SolveInfo();
  // The same System as the CPU path: its paramCotangents is the one value-gradient rule.
  const sys = systemOf(A);
  const matrix = sys.csr!;
  const method = (options.method ?? (matrix.symmetric ? "cg" : "gmres")) as GpuMethod;
  if (!["cg", "bicgstab", "gmres"].includes(method)) {
    throw new ShapeError(
      `Cannot solve on "webgpu": method must be cg, bicgstab or gmres, got ${method}`,
    );
  }
  const common: GpuSolveOptions = {
    method,
    preconditioner: (options.preconditioner ?? "none") as "none" | "jacobi",
    onFailure: options.onFailure ?? "throw",
    ...gpuOptions,
    ...(options.rtol !== undefined ? { rtol: options.rtol } : {}),
    ...(options.atol !== undefined ? { atol: options.atol } : {}),
    ...(options.maxIter !== undefined ? { maxIter: options.maxIter } : {}),
    ...(options.restart !== undefined ? { restart: options.restart } : {}),
  };
  const adj = options.adjointOptions ?? {};
  const adjointCommon: GpuSolveOptions = {
    ...common,
    transpose: true,
    ...(adj.rtol !== undefined ? { rtol: adj.rtol } : {}),
    ...(adj.atol !== undefined ? { atol: adj.atol } : {}),
    ...(adj.maxIter !== undefined ? { maxIter: adj.maxIter } : {}),
  };
  const node = customVjpAsync("solve:webgpu", async (rhs: Tensor, _values: Tensor) => {
    const forward = await gpuNumericSolve(gpu, matrix, rhs.data, {
      ...common,
      ...(options.x0 ? { x0: options.x0 } : {}),
    });
    info.forwardColumns.push(forward.result);
    if (forward.solved) info.solveCount++;
    const x = forward.result.x;
    return {
      value: new Tensor(x, [x.length]),
      backward: async (g: Tensor, needs: readonly boolean[], out: Tensor) => {
        if (!forward.result.converged && (adj.onForwardFailure ?? "throw") === "throw") {
          throw new ConvergenceError(
            'Cannot differentiate the solve: the forward GPU solve did not converge (set adjointOptions.onForwardFailure: "allow" to differentiate the unconverged iterate)',
            forward.result,
          );
        }
        // λ = A⁻ᵀ x̄ on the GPU, refined to float64 (x̄ = 0: λ = 0, the zero result, no solve).
        const adjoint = await gpuNumericSolve(gpu, matrix, g.data, adjointCommon);
        info.adjoints.push(adjoint.result);
        if (adjoint.solved) info.solveCount++;
        const lam = new Tensor(adjoint.result.x, g.shape);
        // b̄ = λ;  Ā[k] = −λ[row k]·x[col k]: the CPU path's rule, in float64 from the refined x and λ.
        return [needs[0] ? lam : null, ...sys.paramCotangents(lam, out, needs.slice(1))];
      },
    };
  });
  info.x = await node(b, A.values);
  return info;
}

/**
 * {@linkcode solveAsyncWithInfo} returning only x.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, fromCsr, solveAsync, tensor } from "@gradsolve/gradsolve";
 * const x = await solveAsync(fromCsr(CsrMatrix.fromDense([[2, 0], [0, 4]])), tensor([2, 4]));
 * assert.deepEqual([...x.data], [1, 1]);
 * ```
 *
 * @category Differentiable solves
 */
export async function solveAsync(
  A: DiffMatrix,
  b: Tensor,
  options: AsyncSolveOptions = {},
): Promise<Tensor> {
  return (await solveAsyncWithInfo(A, b, options)).x;
}
