/**
 * The gradient with respect to the stored values of a sparse matrix,
 * `Ā[k] = −λ[row k]·x[col k]`, computed on the GPU in float32 — what the
 * differentiable solve's WebGPU adjoint needs after solving `Aᵀλ = x̄`.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { CsrPattern } from "../sparse/pattern.ts";
import { createStorageBuffer, readBack } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { dispatch, elementwiseGroups, GRADIENT_MODULE, uniformBuffer } from "./kernels.ts";

/**
 * Computes `grad[k] = −λ[row k]·x[col k]` for every stored entry k of
 * `pattern` on the GPU (float32 products, one read-back), returned as
 * float64.
 *
 * @example
 * ```ts
 * import { acquireGpu } from "./device.ts";
 * import { gpuSparseValueGradient } from "./gradient.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const A = CsrMatrix.fromDense([[2, 1], [0, 3]]);
 *   const g = await gpuSparseValueGradient(ctx, A.pattern, Float64Array.of(1, 2), Float64Array.of(3, 4));
 *   console.assert(g[0] === -3 && g[1] === -4 && g[2] === -8);
 *   ctx.dispose();
 * }
 * ```
 */
export async function gpuSparseValueGradient(
  ctx: GpuContext,
  pattern: CsrPattern,
  lambda: Float64Array,
  x: Float64Array,
): Promise<Float64Array> {
  if (lambda.length !== pattern.nRows || x.length !== pattern.nCols) {
    throw new ShapeError(
      `Cannot compute the value gradient on the GPU: pattern is ${pattern.nRows}x${pattern.nCols} ` +
        `but lambda has length ${lambda.length} and x has length ${x.length}`,
    );
  }
  const nnz = pattern.nnz;
  if (nnz === 0) return new Float64Array(0);
  const buffers = [
    createStorageBuffer(ctx, "gradient rowIdx", 4 * nnz, pattern.rowIndices()),
    createStorageBuffer(ctx, "gradient colIdx", 4 * nnz, pattern.colIdx),
    createStorageBuffer(ctx, "gradient lambda", 4 * lambda.length, Float32Array.from(lambda)),
    createStorageBuffer(ctx, "gradient x", 4 * x.length, Float32Array.from(x)),
    createStorageBuffer(ctx, "gradient out", 4 * nnz),
    uniformBuffer(ctx, "gradient params", [nnz]),
  ];
  try {
    const bind = await ctx.pipelines.bindGroup(GRADIENT_MODULE, buffers);
    const pipeline = await ctx.pipelines.pipeline(GRADIENT_MODULE, "value_gradient");
    const encoder = ctx.device.createCommandEncoder({ label: "value gradient" });
    const pass = encoder.beginComputePass();
    dispatch(pass, pipeline, bind, elementwiseGroups(ctx, nnz));
    pass.end();
    const [bytes] = await readBack(ctx, encoder, [{
      buffer: buffers[4],
      offset: 0,
      size: 4 * nnz,
    }]);
    return Float64Array.from(new Float32Array(bytes));
  } finally {
    for (const b of buffers) b.destroy();
  }
}
