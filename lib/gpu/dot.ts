/**
 * Dot products and norms on the GPU as two-stage reductions: partial sums
 * over a few workgroups (8 on software adapters, 1024 on GPUs), then one
 * workgroup sums the partials.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { createStorageBuffer, type GpuVector, readBack } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { dispatch, DOT_MODULE, reductionGroups, uniformBuffer } from "./kernels.ts";
import { stateBytes } from "./state.ts";

/**
 * `a·b` computed on the GPU in float32 (one read-back), returned as a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "@gradsolve/gradsolve";
 * import { GpuVector } from "./buffers.ts";
 * import { gpuDot } from "./dot.ts";
 * using ctx = await acquireGpu().catch(() => undefined); // disposed after the vector
 * if (ctx) {
 *   using a = GpuVector.from(ctx, Float64Array.of(1, 2, 3));
 *   assert.equal(await gpuDot(ctx, a, a), 14);
 * }
 * ```
 */
export async function gpuDot(ctx: GpuContext, a: GpuVector, b: GpuVector): Promise<number> {
  if (a.length !== b.length) {
    throw new ShapeError(
      `Cannot compute a dot product on the GPU: lengths ${a.length} and ${b.length} differ`,
    );
  }
  const groups = reductionGroups(ctx, a.length);
  const partials = createStorageBuffer(ctx, "dot partials", 16 * groups);
  const state = createStorageBuffer(ctx, "dot state", stateBytes(1));
  const params = uniformBuffer(ctx, "dot params", [a.length, groups, 0, 0]);
  try {
    const bg = await ctx.pipelines.bindGroup(DOT_MODULE, [
      a.buffer,
      b.buffer,
      partials,
      state,
      params,
    ]);
    const partial = await ctx.pipelines.pipeline(DOT_MODULE, "dot_partial");
    const finish = await ctx.pipelines.pipeline(DOT_MODULE, "dot_finish");
    const encoder = ctx.device.createCommandEncoder({ label: "dot" });
    const pass = encoder.beginComputePass();
    dispatch(pass, partial, bg, groups);
    dispatch(pass, finish, bg, 1);
    pass.end();
    const [bytes] = await readBack(ctx, encoder, [{ buffer: state, offset: 20, size: 4 }]);
    return new Float32Array(bytes)[0];
  } finally {
    partials.destroy();
    state.destroy();
    params.destroy();
  }
}

/**
 * `‖a‖₂` on the GPU (float32 accumulation; one read-back).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "@gradsolve/gradsolve";
 * import { GpuVector } from "./buffers.ts";
 * import { gpuNorm } from "./dot.ts";
 * using ctx = await acquireGpu().catch(() => undefined); // disposed after the vector
 * if (ctx) {
 *   using a = GpuVector.from(ctx, Float64Array.of(3, 4));
 *   assert.equal(await gpuNorm(ctx, a), 5);
 * }
 * ```
 */
export async function gpuNorm(ctx: GpuContext, a: GpuVector): Promise<number> {
  return Math.sqrt(await gpuDot(ctx, a, a));
}
