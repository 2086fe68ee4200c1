/**
 * WebGPU device acquisition: adapter, device with the limits gradsolve needs,
 * a report of what was found, device-loss tracking and error scopes that turn
 * GPU validation and out-of-memory errors into typed exceptions.
 *
 * @module
 */

import { GpuDeviceLostError, GpuError, GpuUnavailableError } from "../errors.ts";
import { PipelineCache } from "./pipelines.ts";

/**
 * The limits gradsolve reads (the device's values, lowered by any override).
 *
 * @category GPU
 */
export interface GpuLimits {
  /** Storage buffers one shader stage may bind. */
  readonly maxStorageBuffersPerShaderStage: number;
  /** Largest byte range one storage binding may cover. */
  readonly maxStorageBufferBindingSize: number;
  /** Largest buffer, in bytes. */
  readonly maxBufferSize: number;
  /** Largest dispatch size per dimension. */
  readonly maxComputeWorkgroupsPerDimension: number;
}

/**
 * What was found: adapter identity, whether it is a software adapter, probed features, limits.
 *
 * @category GPU
 */
export interface GpuAdapterSummary {
  /** Adapter description, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`. */
  readonly description: string;
  /** Vendor string (PCI id on some backends). */
  readonly vendor: string;
  /** Architecture string (often empty). */
  readonly architecture: string;
  /** True for CPU (software) adapters such as Mesa llvmpipe/lavapipe. */
  readonly isFallbackAdapter: boolean;
  /** Optional features the device was created with: all the adapter lists, plus the probed ones it grants. */
  readonly features: readonly string[];
  /** Effective limits of the device gradsolve uses. */
  readonly limits: GpuLimits;
}

/**
 * The subset of `navigator.gpu` that {@linkcode acquireGpu} uses (injectable for tests).
 *
 * @category GPU
 */
export interface GpuEntryPoint {
  /** Same as `navigator.gpu.requestAdapter`. */
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/**
 * Options of {@linkcode acquireGpu}.
 *
 * @category GPU
 */
export interface AcquireGpuOptions {
  /** Where adapters come from; tests inject a fake. @default {navigator.gpu} */
  gpu?: GpuEntryPoint;
  /** Adapter preference. @default {"high-performance"} */
  powerPreference?: GPUPowerPreference;
  /**
   * Lower caps that gradsolve enforces on top of the device's own limits (a
   * device cannot be created with limits below the WebGPU defaults, so tests
   * and memory-conscious callers set them here). @default {none}
   */
  limitOverrides?: Partial<Pick<GpuLimits, "maxStorageBufferBindingSize" | "maxBufferSize">>;
  /**
   * Workgroups of the first reduction stage. Barrier-heavy workgroups are
   * slow on software adapters (WEBGPU.md G12). @default {8 on fallback adapters, 1024 otherwise}
   */
  reductionWorkgroups?: number;
  /**
   * Also request `shader-f16`, `shader-f64`, `subgroups` and `timestamp-query` when
   * `adapter.features` hides them but the adapter grants them (WEBGPU.md G11), within the
   * one device request. @default {true}
   */
  probeFeatures?: boolean;
}

/** Optional features requested even when the adapter does not list them (WEBGPU.md G11). */
const PROBED_FEATURES = ["shader-f16", "shader-f64", "subgroups", "timestamp-query"] as const;

/**
 * Result of {@linkcode gpuAvailable}.
 *
 * @category GPU
 */
export interface GpuAvailability {
  /** True when an adapter and a device could be obtained. */
  readonly available: boolean;
  /** Why not, when unavailable. */
  readonly reason?: string;
  /** What was found, when available. */
  readonly info?: GpuAdapterSummary;
}

/**
 * A WebGPU device plus what gradsolve keeps with it: adapter report,
 * effective limits, the pipeline cache and the device-loss state. Dispose it
 * (or declare it with `using`) to destroy the device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "@gradsolve/gradsolve";
 * const ctx = await acquireGpu().catch(() => undefined); // undefined: no adapter here
 * if (ctx) {
 *   assert.equal(typeof ctx.adapterInfo.isFallbackAdapter, "boolean");
 *   assert.ok(ctx.limits.maxStorageBufferBindingSize > 0);
 *   ctx.dispose();
 * }
 * ```
 *
 * @category GPU
 */
export class GpuContext implements Disposable {
  /** The WebGPU device. */
  readonly device: GPUDevice;
  /** Adapter report and effective limits. */
  readonly adapterInfo: GpuAdapterSummary;
  /** Workgroups of the first stage of every reduction. */
  readonly reductionWorkgroups: number;
  /** Compiled pipelines, keyed by shader source and entry point. */
  readonly pipelines: PipelineCache;
  #lost: GPUDeviceLostInfo | undefined;
  #disposed = false;

  /** Wraps a device; prefer {@linkcode acquireGpu}. */
  constructor(device: GPUDevice, adapterInfo: GpuAdapterSummary, reductionWorkgroups: number) {
    this.device = device;
    this.adapterInfo = adapterInfo;
    this.reductionWorkgroups = reductionWorkgroups;
    this.pipelines = new PipelineCache(this);
    device.lost.then((info) => {
      this.#lost = info;
    });
  }

  /** Effective limits (shortcut for `adapterInfo.limits`). */
  get limits(): GpuLimits {
    return this.adapterInfo.limits;
  }

  /** Short human-readable name of the device, e.g. `llvmpipe (…) [software]`. */
  get name(): string {
    const a = this.adapterInfo;
    return `${a.description || "unknown adapter"}${a.isFallbackAdapter ? " [software]" : ""}`;
  }

  /** True after the device was lost or the context disposed. */
  get lost(): boolean {
    return this.#lost !== undefined || this.#disposed;
  }

  /** Throws {@linkcode GpuDeviceLostError} when the device can no longer be used. */
  assertAlive(action: string): void {
    if (this.#disposed) {
      throw new GpuDeviceLostError(`Cannot ${action}: the GPU context was disposed`);
    }
    if (this.#lost) {
      throw new GpuDeviceLostError(
        `Cannot ${action}: GPU device lost (${this.#lost.reason}): ${this.#lost.message}`,
      );
    }
  }

  /**
   * Runs `fn` inside validation and out-of-memory error scopes and throws
   * {@linkcode GpuError} with the GPU's message when either caught an error
   * (GPU errors never throw by themselves; WEBGPU.md G3/G4/G7).
   */
  async scoped<T>(action: string, fn: () => T | Promise<T>): Promise<T> {
    this.assertAlive(action);
    const device = this.device;
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    let value: T;
    try {
      value = await fn();
    } catch (e) {
      await device.popErrorScope().catch(() => null);
      await device.popErrorScope().catch(() => null);
      throw await this.#lostOr(action, e);
    }
    const validation = await device.popErrorScope().catch(() => null);
    const oom = await device.popErrorScope().catch(() => null);
    this.assertAlive(action);
    if (validation) {
      throw new GpuError(`Cannot ${action}: GPU validation error: ${validation.message}`);
    }
    if (oom) throw new GpuError(`Cannot ${action}: GPU out of memory: ${oom.message}`);
    return value;
  }

  /**
   * Turns a failure into {@linkcode GpuDeviceLostError} when the device is
   * (or becomes, within a moment) lost, since a lost device makes mapAsync
   * reject with a generic message (G8).
   */
  async #lostOr(action: string, error: unknown): Promise<unknown> {
    if (error instanceof GpuDeviceLostError || error instanceof GpuError) return error;
    if (!this.#lost && !this.#disposed) {
      await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 50))]);
    }
    if (this.lost) {
      try {
        this.assertAlive(action);
      } catch (lost) {
        return lost;
      }
    }
    return new GpuError(`Cannot ${action}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }

  /** Destroys the device (idempotent; a device already lost is not destroyed again). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // Not `this.lost`: that is already true once disposed.
    if (this.#lost === undefined) this.device.destroy();
  }

  /** Same as {@linkcode GpuContext.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function defaultEntryPoint(): GpuEntryPoint | undefined {
  return (globalThis.navigator as Navigator | undefined)?.gpu;
}

/** Subsets of `items`, largest first (the full set, then every set one smaller, …). */
function subsetsLargestFirst<T>(items: readonly T[]): T[][] {
  const masks = Array.from({ length: 2 ** items.length }, (_, m) => m);
  const size = (m: number) => items.filter((_, i) => m & (1 << i)).length;
  masks.sort((a, b) => size(b) - size(a) || b - a);
  return masks.map((m) => items.filter((_, i) => m & (1 << i)));
}

/**
 * Creates the one device, with every optional feature the adapter lists plus
 * (when `probe`) those of `PROBED_FEATURES` it hides but may grant
 * (WEBGPU.md G11). Asking for a feature the adapter cannot grant rejects
 * with a TypeError before any device exists (and leaves the adapter usable),
 * so the fallbacks drop hidden features, largest sets first, until a request
 * succeeds: probing creates no device besides the one returned.
 */
async function requestDeviceWithFeatures(
  adapter: GPUAdapter,
  descriptor: GPUDeviceDescriptor,
  probe: boolean,
): Promise<{ device: GPUDevice; features: string[] }> {
  const listed = [...adapter.features] as GPUFeatureName[];
  const hidden = probe ? PROBED_FEATURES.filter((f) => !adapter.features.has(f)) : [];
  const request = async (extra: readonly GPUFeatureName[]) => {
    const requiredFeatures = [...listed, ...extra];
    const device = await adapter.requestDevice({ ...descriptor, requiredFeatures });
    return { device, features: requiredFeatures.sort() };
  };
  // The last subset is the empty one: listed features only, which cannot be refused for them.
  for (const extra of subsetsLargestFirst(hidden as GPUFeatureName[]).slice(0, -1)) {
    try {
      return await request(extra);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // not a feature refusal: no point retrying
    }
  }
  return await request([]);
}

/**
 * Acquires a WebGPU adapter (high-performance preference) and a device with
 * the adapter's storage-buffer and buffer-size limits, and wraps them in a
 * {@linkcode GpuContext}. Throws {@linkcode GpuUnavailableError} when there is
 * no WebGPU, no adapter, or the device request fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, GpuUnavailableError } from "@gradsolve/gradsolve";
 * try {
 *   using ctx = await acquireGpu();
 *   assert.ok(ctx.name.length > 0);
 * } catch (e) {
 *   assert.ok(e instanceof GpuUnavailableError, String(e));
 * }
 * ```
 *
 * @category GPU
 */
export async function acquireGpu(options: AcquireGpuOptions = {}): Promise<GpuContext> {
  const gpu = options.gpu ?? defaultEntryPoint();
  const powerPreference = options.powerPreference ?? "high-performance";
  if (!gpu) {
    throw new GpuUnavailableError(
      "Cannot acquire a GPU: navigator.gpu is undefined (this runtime has no WebGPU)",
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    throw new GpuUnavailableError(
      "Cannot acquire a GPU: requestAdapter() returned null (no WebGPU adapter; " +
        "on Linux install Mesa's llvmpipe/lavapipe or a GPU driver, or check DENO_WEBGPU_BACKEND)",
    );
  }
  const info = adapter.info;
  const a = adapter.limits;
  let device: GPUDevice, features: string[];
  try {
    ({ device, features } = await requestDeviceWithFeatures(adapter, {
      label: "gradsolve",
      requiredLimits: {
        maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
        maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
        maxBufferSize: a.maxBufferSize,
      },
    }, options.probeFeatures !== false));
  } catch (e) {
    throw new GpuUnavailableError(
      `Cannot acquire a GPU: requestDevice failed on ${info.description}: ${
        e instanceof Error ? e.message : e
      }`,
      { cause: e },
    );
  }
  const d = device.limits;
  const cap = options.limitOverrides ?? {};
  const limits: GpuLimits = {
    maxStorageBuffersPerShaderStage: d.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: Math.min(
      d.maxStorageBufferBindingSize,
      cap.maxStorageBufferBindingSize ?? Infinity,
    ),
    maxBufferSize: Math.min(d.maxBufferSize, cap.maxBufferSize ?? Infinity),
    maxComputeWorkgroupsPerDimension: d.maxComputeWorkgroupsPerDimension,
  };
  const summary: GpuAdapterSummary = {
    description: info.description,
    vendor: info.vendor,
    architecture: info.architecture,
    isFallbackAdapter: info.isFallbackAdapter,
    features,
    limits,
  };
  const wg = options.reductionWorkgroups ?? (info.isFallbackAdapter ? 8 : 1024);
  if (!Number.isInteger(wg) || wg < 1 || wg > limits.maxComputeWorkgroupsPerDimension) {
    device.destroy();
    throw new GpuError(
      `Cannot acquire a GPU: reductionWorkgroups must be an integer in 1..${limits.maxComputeWorkgroupsPerDimension}, got ${wg}`,
    );
  }
  return new GpuContext(device, summary, wg);
}

/**
 * Checks whether a WebGPU device can be obtained, without throwing; the
 * device used for the check is destroyed again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuAvailable } from "@gradsolve/gradsolve";
 * const { available, reason } = await gpuAvailable();
 * assert.ok(available || (reason !== undefined && reason.length > 0)); // a reason when skipped
 * ```
 *
 * @category GPU
 */
export async function gpuAvailable(
  options: Pick<AcquireGpuOptions, "gpu" | "powerPreference"> = {},
): Promise<GpuAvailability> {
  try {
    const ctx = await acquireGpu({ ...options, probeFeatures: false });
    const info = ctx.adapterInfo;
    ctx.dispose();
    return { available: true, info };
  } catch (e) {
    if (e instanceof GpuUnavailableError) return { available: false, reason: e.message };
    throw e;
  }
}
