/**
 * The differentiable solve with a choice of backend: `solveAsync` runs on the
 * CPU (the same node as {@linkcode solve}) or on the GPU through WebGPU. The
 * GPU path records the same implicit node as the CPU (`implicitSolve`, with
 * the GPU as its asynchronous numeric backend): the forward solve and the
 * adjoint solve `Aᵀλ = x̄` run on the device (refined to float64) and the
 * gradient is assembled by the one rule, `b̄ = λ`, `Ā[k] = −λ[row k]·x[col k]`
 * in float64. Pass a `GpuSolver` as `gpuSolver` to reuse one upload across
 * calls (a training loop).
 * Differentiate it with the async transforms (`gradAsync`,
 * `valueAndGradAsync`, `vjpAsync`). The GPU node gives first derivatives;
 * gradients of gradients need the CPU backend.
 *
 * @module
 */

import type { Tensor } from "../autodiff/tensor.ts";
import { ShapeError } from "../errors.ts";
import type { GpuContext } from "../gpu/device.ts";
import { type GpuMethod, type GpuSolveOptions, GpuSolver } from "../gpu/solve.ts";
import type { SolveResult } from "../linalg/result.ts";
import { type AmgInfo, type AmgPreconditioner, amgSetup } from "../linalg/amg/mod.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import { isAmg, refreshAmg } from "./preconditioning.ts";
import { maxAbs } from "../linalg/vector.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { zeroResult } from "../linalg/numeric_solve.ts";
import { implicitSolve, type NumericBackend } from "./implicit.ts";
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
  /**
   * A GPU solver state to reuse (from `GpuSolver.init` on a matrix of the
   * same pattern): the call writes its values into it (`update`) instead of
   * uploading the matrix and compiling kernels again — what a training loop
   * wants. The caller keeps and disposes it. @default {a state of this call's own}
   */
  gpuSolver?: GpuSolver;
}

/**
 * The GPU as a numeric backend of the implicit node. With a caller's
 * {@linkcode GpuSolver} state, every solve reuses it (the adjoint systems its
 * cached transposed state); without one, each solve sets up its own state
 * and releases it at once (as `gpuSolve`), so nothing outlives the call. A
 * zero right-hand side (a zero cotangent) is the converged zero result with
 * no solve, as on the CPU. No rescaling is needed: each float32 inner solve
 * gets the float64 residual scaled to unit norm, so a cotangent of 1e39 or
 * 1e-40 never overflows or underflows in float32, and x comes back refined
 * in float64.
 */
function gpuBackend(
  gpu: GpuContext,
  matrix: CsrMatrix,
  setup: GpuSolveOptions,
  given: GpuSolver | undefined,
  info?: (amg: AmgInfo) => void,
): NumericBackend {
  return {
    async: true,
    async solve(sys, rhs, _k, _M, options) {
      if (maxAbs(rhs) === 0) {
        return {
          x: new Float64Array(rhs.length),
          results: [zeroResult(rhs.length, options.method, setup.preconditioner ?? "none")],
          solved: 0,
        };
      }
      const compute = {
        ...(options.rtol !== undefined ? { rtol: options.rtol } : {}),
        ...(options.atol !== undefined ? { atol: options.atol } : {}),
        ...(options.maxIter !== undefined ? { maxIter: options.maxIter } : {}),
        ...(options.x0 ? { x0: options.x0 } : {}),
        onFailure: options.onFailure ?? "throw",
      };
      let result: SolveResult;
      if (given) {
        const solver = sys.transposed ? await given.transpose() : given;
        result = await solver.compute(rhs, compute);
      } else {
        // An AMG hierarchy is set up once on the CPU and shared by the forward and adjoint
        // solves (CG: A is symmetric, so Aᵀ's hierarchy is A's).
        if (setup.preconditioner === "amg") {
          setup.amgState ??= amgSetup(matrix, setup.amg ?? {});
          info?.(setup.amgState.info);
        }
        using solver = await GpuSolver.init(gpu, matrix, { ...setup, transpose: sys.transposed });
        result = await solver.compute(rhs, compute);
      }
      return { x: result.x, results: [result], solved: 1 };
    },
  };
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
  // An AMG state (from amgSetup) runs its cycle on the GPU, refreshed to this call's values.
  const spec = options.preconditioner;
  const amgState = typeof spec === "object" && isAmg(spec as Preconditioner)
    ? spec as AmgPreconditioner
    : undefined;
  if (
    !amgState && spec !== undefined && spec !== "none" && spec !== "jacobi" && spec !== "amg"
  ) {
    throw new ShapeError(
      'Cannot solve on "webgpu": preconditioner must be "none", "jacobi", "amg" or an AMG ' +
        "state from amgSetup",
    );
  }
  const info = new SolveInfo();
  // The same System and the same implicit node as the CPU path: one adjoint rule.
  const sys = systemOf(A);
  const matrix = sys.csr!;
  const method = (options.method ?? (matrix.symmetric ? "cg" : "gmres")) as GpuMethod;
  if (!["cg", "bicgstab", "gmres", "minres"].includes(method)) {
    throw new ShapeError(
      `Cannot solve on "webgpu": method must be cg, bicgstab, gmres or minres, got ${method}`,
    );
  }
  if (amgState) refreshAmg(amgState, matrix.values);
  const setup: GpuSolveOptions = {
    method,
    preconditioner: amgState ? "amg" : (spec ?? "none") as "none" | "jacobi" | "amg",
    ...(amgState ? { amgState } : {}),
    ...(options.amg !== undefined ? { amg: options.amg } : {}),
    ...gpuOptions,
    ...(options.restart !== undefined ? { restart: options.restart } : {}),
  };
  // A caller's state is reused with this call's values (no new upload of the pattern).
  const given = options.gpuSolver;
  if (given && given.method !== method) {
    throw new ShapeError(
      `Cannot solve on "webgpu": the given GpuSolver runs ${given.method}, not ${method}`,
    );
  }
  given?.update(matrix);
  const fwd = {
    ...(options.rtol !== undefined ? { rtol: options.rtol } : {}),
    ...(options.atol !== undefined ? { atol: options.atol } : {}),
    ...(options.maxIter !== undefined ? { maxIter: options.maxIter } : {}),
    onFailure: options.onFailure ?? "throw",
  } as const;
  const adj = options.adjointOptions ?? {};
  info.x = await implicitSolve(sys, b, undefined, "forward", {
    method,
    forward: { ...fwd, ...(options.x0 ? { x0: options.x0 } : {}) },
    adjoint: {
      ...fwd,
      ...(adj.rtol !== undefined ? { rtol: adj.rtol } : {}),
      ...(adj.atol !== undefined ? { atol: adj.atol } : {}),
      ...(adj.maxIter !== undefined ? { maxIter: adj.maxIter } : {}),
    },
    warmStart: undefined,
    onForwardFailure: adj.onForwardFailure ?? "throw",
    info,
  }, gpuBackend(gpu, matrix, setup, given, (amg) => (info.amg = amg)));
  if (given?.amg) info.amg = given.amg;
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
