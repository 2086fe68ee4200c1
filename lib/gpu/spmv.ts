/**
 * CSR sparse matrix–vector products on the GPU: one invocation per row for
 * short rows, one workgroup per row for long ones (picked by row length),
 * and `Aᵀx` through a matrix uploaded with `{ transpose: true }`.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { createStorageBuffer, type GpuMatrix, type GpuVector } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { dispatch, elementwiseGroups, SPMV_MODULE, uniformBuffer } from "./kernels.ts";
import type { BindingResource } from "./pipelines.ts";

/**
 * Which SpMV kernel to use; `"auto"` picks by row length.
 *
 * @category GPU
 */
export type SpmvVariant = "auto" | "row" | "workgroup";

/**
 * The SpMV kernel for a matrix: one workgroup per row when rows are long
 * (mean ≥ 32 entries, or any row ≥ 4096 entries, which would also approach
 * Mesa's 65535-iteration loop cap in a single invocation), else one
 * invocation per row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseSpmvVariant } from "./spmv.ts";
 * assert.equal(chooseSpmvVariant({ meanRowLength: 5, maxRowLength: 7 }), "row");
 * assert.equal(chooseSpmvVariant({ meanRowLength: 60, maxRowLength: 90 }), "workgroup");
 * ```
 */
export function chooseSpmvVariant(
  stats: { meanRowLength: number; maxRowLength: number },
): "row" | "workgroup" {
  return stats.meanRowLength >= 32 || stats.maxRowLength >= 4096 ? "workgroup" : "row";
}

/**
 * A prepared `y = M x` for fixed buffers: bind group, pipeline and dispatch
 * size, recorded into a compute pass as often as needed. It skips itself
 * when word 0 of `ctrl` is nonzero (a solver's done flag).
 *
 * @example
 * ```ts
 * import type { SpmvKernel } from "./spmv.ts";
 * export function example(k: SpmvKernel, pass: GPUComputePassEncoder) {
 * k.record(pass);
 * }
 * ```
 */
export class SpmvKernel implements Disposable {
  /** Variant actually used. */
  readonly variant: "row" | "workgroup";
  readonly #pipeline: GPUComputePipeline;
  readonly #bindGroup: GPUBindGroup;
  readonly #groups: number;
  readonly #params: GPUBuffer;

  private constructor(
    variant: "row" | "workgroup",
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    groups: number,
    params: GPUBuffer,
  ) {
    this.variant = variant;
    this.#pipeline = pipeline;
    this.#bindGroup = bindGroup;
    this.#groups = groups;
    this.#params = params;
  }

  /** Prepares `y = M x` with control word `ctrl` (a buffer window whose first u32 is the skip flag). */
  static async create(
    ctx: GpuContext,
    M: GpuMatrix,
    x: GPUBuffer,
    y: GPUBuffer,
    ctrl: BindingResource,
    variant: SpmvVariant = "auto",
  ): Promise<SpmvKernel> {
    const v = variant === "auto" ? chooseSpmvVariant(M) : variant;
    const pipeline = await ctx.pipelines.pipeline(
      SPMV_MODULE,
      v === "row" ? "spmv_row" : "spmv_workgroup",
    );
    const params = uniformBuffer(ctx, "spmv params", [M.nRows]);
    const bindGroup = await ctx.pipelines.bindGroup(SPMV_MODULE, [
      M.rowPtr,
      M.colIdx,
      M.values,
      x,
      y,
      ctrl,
      params,
    ]);
    const groups = v === "row"
      ? elementwiseGroups(ctx, M.nRows)
      : Math.max(1, Math.min(M.nRows, ctx.limits.maxComputeWorkgroupsPerDimension));
    return new SpmvKernel(v, pipeline, bindGroup, groups, params);
  }

  /** Records the product into `pass`. */
  record(pass: GPUComputePassEncoder): void {
    dispatch(pass, this.#pipeline, this.#bindGroup, this.#groups);
  }

  /** Releases the parameter buffer. */
  dispose(): void {
    this.#params.destroy();
  }

  /** Same as {@linkcode SpmvKernel.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Computes `y = M x` on the GPU (M uploaded with {@linkcode GpuMatrix.upload};
 * upload with `{ transpose: true }` for `Aᵀx`). Submits the work; read `y`
 * with `y.read()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, CsrMatrix } from "@gradsolve/gradsolve";
 * import { GpuMatrix, GpuVector } from "./buffers.ts";
 * import { gpuSpmv } from "./spmv.ts";
 * using ctx = await acquireGpu().catch(() => undefined); // disposed after the buffers
 * if (ctx) {
 *   using M = GpuMatrix.upload(ctx, CsrMatrix.fromDense([[2, 1], [0, 3]]));
 *   using x = GpuVector.from(ctx, Float64Array.of(1, 1));
 *   using y = new GpuVector(ctx, 2);
 *   await gpuSpmv(ctx, M, x, y);
 *   assert.deepEqual([...(await y.read())], [3, 3]);
 * }
 * ```
 */
export async function gpuSpmv(
  ctx: GpuContext,
  M: GpuMatrix,
  x: GpuVector,
  y: GpuVector,
  variant: SpmvVariant = "auto",
): Promise<void> {
  if (x.length !== M.nCols || y.length !== M.nRows) {
    throw new ShapeError(
      `Cannot multiply on the GPU: matrix is ${M.nRows}x${M.nCols} but x has length ${x.length} ` +
        `and y has length ${y.length}`,
    );
  }
  const ctrl = createStorageBuffer(ctx, "spmv ctrl", 16);
  try {
    using kernel = await SpmvKernel.create(ctx, M, x.buffer, y.buffer, ctrl, variant);
    await ctx.scoped("run SpMV", () => {
      const encoder = ctx.device.createCommandEncoder({ label: "spmv" });
      const pass = encoder.beginComputePass();
      kernel.record(pass);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
    });
  } finally {
    ctrl.destroy();
  }
}
