/**
 * GPU buffers with explicit lifetimes: float32 vectors, CSR matrices, and the
 * size check against the device limits. gradsolve refuses (with a
 * {@linkcode GpuError} naming the limit and the sizes) any array larger than
 * `maxStorageBufferBindingSize` or `maxBufferSize` instead of splitting it
 * across bindings: on the adapters we target the binding limit is 128 MiB,
 * i.e. 33 million float32 entries per array.
 *
 * @module
 */

import { GpuError, ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { GpuContext } from "./device.ts";

/**
 * Throws {@linkcode GpuError} when a buffer of `bytes` bytes exceeds the
 * context's `maxBufferSize` or `maxStorageBufferBindingSize`.
 *
 * @example
 * ```ts
 * import { assertFitsLimits } from "./buffers.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * export function example(ctx: GpuContext) {
 * // assertFitsLimits(ctx, "matrix values", 4 * 1e9); // throws GpuError
 * }
 * ```
 */
export function assertFitsLimits(ctx: GpuContext, what: string, bytes: number): void {
  const { maxBufferSize, maxStorageBufferBindingSize } = ctx.limits;
  if (bytes > maxBufferSize) {
    throw new GpuError(
      `Cannot allocate ${what} on the GPU: ${bytes} bytes exceed maxBufferSize (${maxBufferSize} bytes)`,
    );
  }
  if (bytes > maxStorageBufferBindingSize) {
    throw new GpuError(
      `Cannot allocate ${what} on the GPU: ${bytes} bytes exceed maxStorageBufferBindingSize ` +
        `(${maxStorageBufferBindingSize} bytes); matrices this large are not split across bindings`,
    );
  }
}

/** Usage of every storage buffer gradsolve allocates (read, write, copy both ways). */
const STORAGE_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/**
 * Creates a storage buffer of `bytes` bytes (rounded up to 16, at least 16)
 * after checking the limits; optionally filled from `data`.
 *
 * @example
 * ```ts
 * import { createStorageBuffer } from "./buffers.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * export function example(ctx: GpuContext) {
 * // const buf = createStorageBuffer(ctx, "ones", 16, new Float32Array(4).fill(1));
 * }
 * ```
 */
export function createStorageBuffer(
  ctx: GpuContext,
  label: string,
  bytes: number,
  data?: ArrayBufferView,
): GPUBuffer {
  ctx.assertAlive(`allocate ${label}`);
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  assertFitsLimits(ctx, label, size);
  const buffer = ctx.device.createBuffer({ label, size, usage: STORAGE_USAGE });
  if (data) ctx.device.queue.writeBuffer(buffer, 0, data as ArrayBufferView<ArrayBuffer>);
  return buffer;
}

/** Milliseconds spent in `queue.submit` and in waiting for `mapAsync` (accumulated). */
export interface ReadBackClock {
  /** Time inside `queue.submit()` (on the GL backend it blocks until the GPU work is done). */
  submit: number;
  /** Time awaiting `mapAsync` (the read-back itself; at least ~11 ms in Deno, WEBGPU.md G1). */
  wait: number;
}

/**
 * Copies `ranges` of GPU buffers into one staging buffer in a command
 * encoder that is submitted together with `encoder`'s other work, maps it
 * once (one read-back) and returns each range's bytes.
 *
 * @example
 * ```ts
 * import { readBack } from "./buffers.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * export function example(ctx: GpuContext, buf: GPUBuffer) {
 * // const [bytes] = await readBack(ctx, ctx.device.createCommandEncoder(), [{ buffer: buf, offset: 0, size: 16 }]);
 * }
 * ```
 */
export async function readBack(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  ranges: readonly { buffer: GPUBuffer; offset: number; size: number }[],
  clock?: ReadBackClock,
): Promise<ArrayBuffer[]> {
  let total = 0;
  const at: number[] = [];
  for (const r of ranges) {
    at.push(total);
    total += Math.ceil(r.size / 8) * 8;
  }
  const staging = ctx.device.createBuffer({
    label: "gradsolve staging",
    size: Math.max(8, total),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    ranges.forEach((r, i) =>
      encoder.copyBufferToBuffer(r.buffer, r.offset, staging, at[i], r.size)
    );
    await ctx.scoped("read back from the GPU", async () => {
      const t0 = performance.now();
      ctx.device.queue.submit([encoder.finish()]);
      const t1 = performance.now();
      await staging.mapAsync(GPUMapMode.READ);
      if (clock) {
        clock.submit += t1 - t0;
        clock.wait += performance.now() - t1;
      }
    });
    const mapped = staging.getMappedRange();
    const out = ranges.map((r, i) => mapped.slice(at[i], at[i] + r.size));
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

/**
 * A float32 vector on the GPU. Values are converted from and to float64 on
 * the way in and out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "@gradsolve/gradsolve";
 * import { GpuVector } from "./buffers.ts";
 * // Declared first, disposed last: buffers are released before their device.
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   using v = GpuVector.from(ctx, Float64Array.of(1, 2, 3));
 *   assert.deepEqual([...(await v.read())], [1, 2, 3]);
 * }
 * ```
 */
export class GpuVector implements Disposable {
  /** Number of entries. */
  readonly length: number;
  /** The storage buffer (at least `4·length` bytes). */
  readonly buffer: GPUBuffer;
  readonly #ctx: GpuContext;

  /** Allocates a zero vector of `length` entries. */
  constructor(ctx: GpuContext, length: number, label = "vector") {
    if (!Number.isInteger(length) || length < 0) {
      throw new ShapeError(
        `Cannot allocate GPU vector: length must be a non-negative integer, got ${length}`,
      );
    }
    this.#ctx = ctx;
    this.length = length;
    this.buffer = createStorageBuffer(ctx, label, 4 * length);
  }

  /** Uploads `values` (rounded to float32) into a new vector. */
  static from(ctx: GpuContext, values: Float64Array, label = "vector"): GpuVector {
    const v = new GpuVector(ctx, values.length, label);
    v.write(values);
    return v;
  }

  /** Overwrites the vector with `values` (same length). */
  write(values: Float64Array): void {
    if (values.length !== this.length) {
      throw new ShapeError(
        `Cannot write GPU vector: ${values.length} values for a vector of length ${this.length}`,
      );
    }
    this.#ctx.assertAlive("write a GPU vector");
    this.#ctx.device.queue.writeBuffer(this.buffer, 0, Float32Array.from(values));
  }

  /** Reads the vector back (one read-back) as float64. */
  async read(): Promise<Float64Array> {
    const [bytes] = await readBack(this.#ctx, this.#ctx.device.createCommandEncoder(), [
      { buffer: this.buffer, offset: 0, size: Math.max(4, 4 * this.length) },
    ]);
    return Float64Array.from(new Float32Array(bytes, 0, this.length));
  }

  /** Releases the buffer. */
  dispose(): void {
    this.buffer.destroy();
  }

  /** Same as {@linkcode GpuVector.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Options of {@linkcode GpuMatrix.upload}. */
export interface GpuMatrixOptions {
  /** Upload `Aᵀ` (the cached transposed pattern with permuted values). @default {false} */
  transpose?: boolean;
}

/**
 * A CSR matrix on the GPU (row pointers, column indices, float32 values),
 * with the row-length statistics that pick the SpMV variant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, CsrMatrix } from "@gradsolve/gradsolve";
 * import { GpuMatrix } from "./buffers.ts";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   using M = GpuMatrix.upload(ctx, CsrMatrix.fromDense([[2, 1], [0, 3]]));
 *   assert.equal(M.nnz, 3);
 * }
 * ```
 */
export class GpuMatrix implements Disposable {
  /** Rows of the uploaded matrix (columns of A when transposed). */
  readonly nRows: number;
  /** Columns of the uploaded matrix. */
  readonly nCols: number;
  /** Stored entries. */
  readonly nnz: number;
  /** Mean stored entries per row. */
  readonly meanRowLength: number;
  /** Longest row. */
  readonly maxRowLength: number;
  /** Row pointers (u32). */
  readonly rowPtr: GPUBuffer;
  /** Column indices (u32). */
  readonly colIdx: GPUBuffer;
  /** Values (f32). */
  readonly values: GPUBuffer;
  readonly #ctx: GpuContext;
  readonly #transposed: boolean;

  private constructor(ctx: GpuContext, A: CsrMatrix, transpose: boolean) {
    this.#ctx = ctx;
    this.#transposed = transpose;
    const { pattern, perm } = transpose
      ? A.pattern.transpose()
      : { pattern: A.pattern, perm: undefined };
    this.nRows = pattern.nRows;
    this.nCols = pattern.nCols;
    this.nnz = pattern.nnz;
    let maxRow = 0;
    for (let i = 0; i < pattern.nRows; i++) {
      maxRow = Math.max(maxRow, pattern.rowPtr[i + 1] - pattern.rowPtr[i]);
    }
    this.maxRowLength = maxRow;
    this.meanRowLength = pattern.nRows > 0 ? pattern.nnz / pattern.nRows : 0;
    const vals = new Float32Array(pattern.nnz);
    const src = A.values;
    if (perm) { for (let k = 0; k < vals.length; k++) vals[k] = src[perm[k]]; }
    else vals.set(src);
    const tag = transpose ? "Aᵀ" : "A";
    for (
      const [what, bytes] of [["row pointers", 4 * (pattern.nRows + 1)], [
        "column indices",
        4 * pattern.nnz,
      ], ["values", 4 * pattern.nnz]] as const
    ) {
      assertFitsLimits(ctx, `${tag} ${what} (${this.nRows}x${this.nCols}, nnz ${this.nnz})`, bytes);
    }
    this.rowPtr = createStorageBuffer(
      ctx,
      `${tag}.rowPtr`,
      4 * (pattern.nRows + 1),
      pattern.rowPtr,
    );
    this.colIdx = createStorageBuffer(ctx, `${tag}.colIdx`, 4 * pattern.nnz, pattern.colIdx);
    this.values = createStorageBuffer(ctx, `${tag}.values`, 4 * pattern.nnz, vals);
  }

  /**
   * Writes new values of the same pattern (`A`'s values, permuted through the
   * cached transpose map when this is `Aᵀ`): no new buffers, so kernels bound
   * to this matrix see the new values.
   */
  writeValues(A: CsrMatrix): void {
    if (A.nnz !== this.nnz) {
      throw new RangeError(`Cannot write values: ${A.nnz} given for a matrix of ${this.nnz}`);
    }
    const vals = new Float32Array(this.nnz);
    const perm = this.#transposed ? A.pattern.transpose().perm : undefined;
    if (perm) { for (let k = 0; k < vals.length; k++) vals[k] = A.values[perm[k]]; }
    else vals.set(A.values);
    this.#ctx.device.queue.writeBuffer(this.values, 0, vals);
  }

  /** Uploads `A` (or `Aᵀ` with `{ transpose: true }`). */
  static upload(ctx: GpuContext, A: CsrMatrix, options: GpuMatrixOptions = {}): GpuMatrix {
    return new GpuMatrix(ctx, A, options.transpose ?? false);
  }

  /** Releases the three buffers. */
  dispose(): void {
    this.rowPtr.destroy();
    this.colIdx.destroy();
    this.values.destroy();
  }

  /** Same as {@linkcode GpuMatrix.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The context the matrix lives on. */
  get context(): GpuContext {
    return this.#ctx;
  }
}
