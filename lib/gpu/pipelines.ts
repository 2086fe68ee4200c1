/**
 * Compute-pipeline cache with compile diagnostics: every WGSL module is
 * compiled once per device, its `getCompilationInfo()` errors are reported
 * with line and column, and pipeline creation runs inside error scopes.
 *
 * @module
 */

import { GpuError } from "../errors.ts";
import type { GpuContext } from "./device.ts";

/**
 * How a kernel binds a buffer (group 0, binding = index in the list).
 *
 * @category GPU
 */
export type BindingKind = "storage" | "read-only-storage" | "uniform";

/**
 * A WGSL module and the explicit layout of its bind group 0 (shared by all its entry points).
 *
 * @category GPU
 */
export interface KernelModule {
  /** Label used in every GPU message (WEBGPU.md G4). */
  readonly label: string;
  /** Complete WGSL source. */
  readonly source: string;
  /** Binding kinds in binding order. */
  readonly bindings: readonly BindingKind[];
}

/**
 * A buffer or a window of one, bound at one binding slot.
 *
 * @category GPU
 */
export type BindingResource = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

interface CompiledModule {
  readonly module: GPUShaderModule;
  readonly bindGroupLayout: GPUBindGroupLayout;
  readonly layout: GPUPipelineLayout;
}

/**
 * Caches shader modules (by label and source) and compute pipelines (by
 * source and entry point) of one device. Shared compiles in flight are
 * awaited, not repeated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "@gradsolve/gradsolve";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const mod = { label: "fill", source: "@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n" +
 *     "@compute @workgroup_size(1) fn main() { v[0] = 1.0; }", bindings: ["storage"] as const };
 *   const pipeline = await ctx.pipelines.pipeline(mod, "main");
 *   assert.equal(await ctx.pipelines.pipeline(mod, "main"), pipeline); // cached
 * }
 * ```
 *
 * @category GPU
 */
export class PipelineCache {
  readonly #ctx: GpuContext;
  readonly #modules = new Map<string, Promise<CompiledModule>>();
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();

  /** Creates an empty cache for the context's device. */
  constructor(ctx: GpuContext) {
    this.#ctx = ctx;
  }

  /** Number of cached pipelines. */
  get size(): number {
    return this.#pipelines.size;
  }

  /** The compute pipeline for `entryPoint` of `spec` (compiled on first use). */
  pipeline(spec: KernelModule, entryPoint: string): Promise<GPUComputePipeline> {
    const key = `${spec.source}\u0000${entryPoint}`;
    let p = this.#pipelines.get(key);
    if (!p) {
      p = this.#createPipeline(spec, entryPoint);
      this.#pipelines.set(key, p);
      p.catch(() => this.#pipelines.delete(key));
    }
    return p;
  }

  /** The bind group layout of `spec` (binding i has kind `spec.bindings[i]`). */
  async bindGroupLayout(spec: KernelModule): Promise<GPUBindGroupLayout> {
    return (await this.#module(spec)).bindGroupLayout;
  }

  /** A bind group of `spec`'s layout; `resources[i]` goes to binding i. */
  async bindGroup(
    spec: KernelModule,
    resources: readonly BindingResource[],
    label = spec.label,
  ): Promise<GPUBindGroup> {
    if (resources.length !== spec.bindings.length) {
      throw new GpuError(
        `Cannot bind ${spec.label}: ${resources.length} resources for ${spec.bindings.length} bindings`,
      );
    }
    const layout = await this.bindGroupLayout(spec);
    return this.#ctx.scoped(`bind ${label}`, () =>
      this.#ctx.device.createBindGroup({
        label,
        layout,
        entries: resources.map((r, binding) => ({
          binding,
          resource: r instanceof GPUBuffer ? { buffer: r } : r,
        })),
      }));
  }

  #module(spec: KernelModule): Promise<CompiledModule> {
    const key = `${spec.label}\u0000${spec.source}`;
    let m = this.#modules.get(key);
    if (!m) {
      m = this.#compile(spec);
      this.#modules.set(key, m);
      m.catch(() => this.#modules.delete(key));
    }
    return m;
  }

  async #compile(spec: KernelModule): Promise<CompiledModule> {
    const ctx = this.#ctx;
    const storage = spec.bindings.filter((b) => b !== "uniform").length;
    const max = ctx.limits.maxStorageBuffersPerShaderStage;
    if (storage > max) {
      throw new GpuError(
        `Cannot compile ${spec.label}: it binds ${storage} storage buffers but the device limit ` +
          `maxStorageBuffersPerShaderStage is ${max}`,
      );
    }
    return await ctx.scoped(`compile shader ${spec.label}`, async () => {
      const device = ctx.device;
      const module = device.createShaderModule({ label: spec.label, code: spec.source });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === "error");
      if (errors.length > 0) {
        const lines = errors.map((m) => `${spec.label}:${m.lineNum}:${m.linePos}: ${m.message}`);
        throw new GpuError(`Cannot compile shader ${spec.label}: ${lines.join("; ")}`);
      }
      const bindGroupLayout = device.createBindGroupLayout({
        label: spec.label,
        entries: spec.bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind },
        })),
      });
      const layout = device.createPipelineLayout({
        label: spec.label,
        bindGroupLayouts: [bindGroupLayout],
      });
      return { module, bindGroupLayout, layout };
    });
  }

  async #createPipeline(spec: KernelModule, entryPoint: string): Promise<GPUComputePipeline> {
    const { module, layout } = await this.#module(spec);
    return await this.#ctx.scoped(
      `create pipeline ${spec.label}.${entryPoint}`,
      () =>
        this.#ctx.device.createComputePipeline({
          label: `${spec.label}.${entryPoint}`,
          layout,
          compute: { module, entryPoint },
        }),
    );
  }
}
