/**
 * The differentiable solve with a choice of backend: `solveAsync` runs on the
 * CPU (the same node as {@linkcode solve}) or on the GPU through WebGPU, where
 * both the forward solve and the adjoint solve `Aᵀλ = x̄` run on the device
 * and the sparse-value gradient `−λ[row k]·x[col k]` is a GPU kernel.
 * Differentiate it with the async transforms (`gradAsync`,
 * `valueAndGradAsync`, `vjpAsync`). The GPU node gives first derivatives;
 * gradients of gradients need the CPU backend.
 *
 * @module
 */

import { customVjpAsync } from "../autodiff/custom.ts";
import { mul } from "../autodiff/elementwise.ts";
import { toCsr } from "../autodiff/sparse.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { ConvergenceError, ShapeError } from "../errors.ts";
import type { GpuContext } from "../gpu/device.ts";
import { gpuSparseValueGradient } from "../gpu/gradient.ts";
import {
  type GpuMethod,
  gpuSolve,
  type GpuSolveOptions,
  type GpuSolveResult,
} from "../gpu/solve.ts";
import { maxAbs } from "../linalg/vector.ts";
import { type SolveOptions, solveWithInfo } from "./solve.ts";
import { SolveInfo } from "./solve_info.ts";
import type { DiffMatrix } from "./system.ts";

/** Options of {@linkcode solveAsync}: the CPU options plus the backend. */
export interface AsyncSolveOptions extends SolveOptions {
  /** Where the solves run. @default {"cpu"} */
  backend?: "cpu" | "webgpu";
  /** GPU context for `backend: "webgpu"` (from `acquireGpu()`); required there. */
  gpu?: GpuContext;
  /** GPU-only settings (read-back interval, inner tolerance, refinement steps). */
  gpuOptions?: Pick<GpuSolveOptions, "checkEvery" | "innerRtol" | "maxRefinements" | "spmv">;
}

/**
 * Solves `A x = b` on the chosen backend and returns x on the tape plus the
 * diagnostics (forward result, adjoint results once a backward pass ran).
 *
 * @example
 * ```ts
 * import { solveAsyncWithInfo } from "./solve_async.ts";
 * import { fromCsr, gradAsync, sum, tensor } from "../autodiff/mod.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const A = fromCsr(CsrMatrix.fromDense([[4, 1], [1, 3]]));
 * const g = await gradAsync(async (b) => sum((await solveAsyncWithInfo(A, b, { rtol: 1e-12 })).x))(tensor([1, 2]));
 * console.assert(Math.abs(g.data[0] - 2 / 11) < 1e-10);
 * ```
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
  const matrix = toCsr(A);
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
  const node = customVjpAsync("solve:webgpu", async (rhs: Tensor, values: Tensor) => {
    const forward: GpuSolveResult = await gpuSolve(gpu, matrix, rhs.data, {
      ...common,
      ...(options.x0 ? { x0: options.x0 } : {}),
    });
    info.forwardColumns.push(forward);
    info.solveCount++;
    const x = forward.x;
    return {
      value: new Tensor(Float64Array.from(x), [x.length]),
      saved: [x],
      backward: async (g: Tensor, needs: readonly boolean[]) => {
        if (!forward.converged && (adj.onForwardFailure ?? "throw") === "throw") {
          throw new ConvergenceError(
            'Cannot differentiate the solve: the forward GPU solve did not converge (set adjointOptions.onForwardFailure: "allow" to differentiate the unconverged iterate)',
            forward,
          );
        }
        // Zero cotangent → zero gradient, and no solve.
        const scale = maxAbs(g.data);
        if (scale === 0) {
          return [
            needs[0] ? mul(g, 0) : null,
            needs[1] ? new Tensor(new Float64Array(values.size), values.shape) : null,
          ];
        }
        // λ = A⁻ᵀ x̄, solved at unit scale (x̄ / max|x̄|) so a tiny cotangent does not underflow in float32.
        const unit = new Float64Array(g.size);
        for (let i = 0; i < unit.length; i++) unit[i] = g.data[i] / scale;
        const adjoint = await gpuSolve(gpu, matrix, unit, adjointCommon);
        info.adjoints.push(adjoint);
        info.solveCount++;
        const lambda = new Float64Array(unit.length);
        for (let i = 0; i < lambda.length; i++) lambda[i] = adjoint.x[i] * scale;
        // b̄ = λ;  Ā[k] = −λ[row k]·x[col k] (a GPU kernel, float32).
        const gradValues = needs[1]
          ? new Tensor(await gpuSparseValueGradient(gpu, matrix.pattern, lambda, x), values.shape)
          : null;
        return [needs[0] ? new Tensor(lambda, [lambda.length]) : null, gradValues];
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
 * import { solveAsync } from "./solve_async.ts";
 * import { fromCsr, tensor } from "../autodiff/mod.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const x = await solveAsync(fromCsr(CsrMatrix.fromDense([[2, 0], [0, 4]])), tensor([2, 4]));
 * console.assert(x.data[0] === 1 && x.data[1] === 1);
 * ```
 */
export async function solveAsync(
  A: DiffMatrix,
  b: Tensor,
  options: AsyncSolveOptions = {},
): Promise<Tensor> {
  return (await solveAsyncWithInfo(A, b, options)).x;
}
