/**
 * The WGSL modules gradsolve compiles (sources from the generated
 * `shaders.generated.ts`, composed with the `common.wgsl` prelude where
 * needed), their binding layouts, and the dispatch sizes.
 *
 * @module
 */

import type { GpuContext } from "./device.ts";
import type { BindingKind, KernelModule } from "./pipelines.ts";
import { SHADERS } from "./shaders.generated.ts";

/** Invocations per workgroup of every grid-stride kernel. */
export const WORKGROUP_SIZE = 256;

const RO: BindingKind = "read-only-storage";
const RW: BindingKind = "storage";
const UNIFORM: BindingKind = "uniform";

function withPrelude(label: string, source: string, bindings: BindingKind[]): KernelModule {
  return { label, source: `${SHADERS.common}\n${source}`, bindings };
}

/** CSR SpMV: rowPtr, colIdx, values, x, y, ctrl, params. */
export const SPMV_MODULE: KernelModule = {
  label: "spmv",
  source: SHADERS.spmv,
  bindings: [RO, RO, RO, RO, RW, RO, UNIFORM],
};

/** AMG cycle elementwise steps (V/W, forward/transposed): b, t, w (or dense inverse), x, r, d, ctrl, params. */
export const AMG_MODULE: KernelModule = {
  label: "amg",
  source: SHADERS.amg,
  bindings: [RO, RO, RO, RW, RW, RW, RO, UNIFORM],
};

/** Two-stage dot product: a, b, partials, state, params. */
export const DOT_MODULE: KernelModule = withPrelude("dot", SHADERS.dot, [RO, RO, RW, RW, UNIFORM]);

/** Fused CG kernels: x, r, z, p, q, dinv, partials, state, params. */
export const CG_MODULE: KernelModule = withPrelude("cg", SHADERS.cg, [
  RW,
  RW,
  RW,
  RW,
  RW,
  RO,
  RW,
  RW,
  UNIFORM,
]);

/** Fused BiCGSTAB kernels: x, r, rh, p, ph, v, s, sh, t, dinv, partials, state, params. */
export const BICGSTAB_MODULE: KernelModule = withPrelude("bicgstab", SHADERS.bicgstab, [
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RO,
  RW,
  RW,
  UNIFORM,
]);

/** GMRES(m) kernels: b, x, w, z, V, dinv, partials, hp, hs, state, params, indirect size. */
export const GMRES_MODULE: KernelModule = withPrelude("gmres", SHADERS.gmres, [
  RO,
  RW,
  RW,
  RW,
  RW,
  RO,
  RW,
  RW,
  RW,
  RW,
  UNIFORM,
  RW,
]);

/** Fused MINRES kernels: x, r1, r2, z, v, q, w1, w2, dinv, partials, state, scalars, params. */
export const MINRES_MODULE: KernelModule = withPrelude("minres", SHADERS.minres, [
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RW,
  RO,
  RW,
  RW,
  RW,
  UNIFORM,
]);

/** Workgroups for an elementwise grid-stride kernel over `n` entries. */
export function elementwiseGroups(ctx: GpuContext, n: number): number {
  return Math.max(
    1,
    Math.min(Math.ceil(n / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension),
  );
}

/**
 * Workgroups of the first reduction stage over `n` entries: the context's
 * reduction width, no more than there are full workgroups of work, and
 * enough that no invocation loops more than 16384 times in total when each
 * entry costs `tripsPerEntry` loop trips (Mesa stops loops after 65535
 * iterations per invocation, WEBGPU.md G9).
 */
export function reductionGroups(ctx: GpuContext, n: number, tripsPerEntry = 1): number {
  const byWork = Math.ceil(n / WORKGROUP_SIZE);
  const byLoopCap = Math.ceil((n * tripsPerEntry) / (WORKGROUP_SIZE * 16384));
  return Math.max(1, byLoopCap, Math.min(ctx.reductionWorkgroups, byWork));
}

/** A uniform buffer holding `words` (u32), padded to 16 bytes. */
export function uniformBuffer(ctx: GpuContext, label: string, words: readonly number[]): GPUBuffer {
  const data = new Uint32Array(Math.max(4, Math.ceil(words.length / 4) * 4));
  data.set(words);
  const buffer = ctx.device.createBuffer({
    label,
    size: data.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  ctx.device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Records one dispatch of `pipeline` with `bindGroup` and `groups` workgroups (x, y). */
export function dispatch(
  pass: GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  groups: number,
  groupsY = 1,
): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(groups, groupsY);
}

/**
 * Compiles (or takes from the cache) the pipelines of several entry points
 * of one kernel module, keyed by entry point.
 *
 * @example
 * ```ts
 * import { CG_MODULE, pipelinesOf } from "./kernels.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * export async function example(ctx: GpuContext) {
 *   const pipes = await pipelinesOf(ctx, CG_MODULE, ["cg_init", "cg_p"] as const);
 *   return pipes.cg_p;
 * }
 * ```
 */
export async function pipelinesOf<E extends string>(
  ctx: GpuContext,
  module: KernelModule,
  entries: readonly E[],
): Promise<Record<E, GPUComputePipeline>> {
  const pipes = await Promise.all(entries.map((e) => ctx.pipelines.pipeline(module, e)));
  return Object.fromEntries(entries.map((e, i) => [e, pipes[i]])) as Record<E, GPUComputePipeline>;
}
