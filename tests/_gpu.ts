/**
 * GPU test support: whether a WebGPU adapter exists (tests skip, with a
 * printed reason, only when `navigator.gpu.requestAdapter()` returns null)
 * and `withGpu`, which runs a test body on this test file's one device:
 * created lazily, from the adapter found at load time, on first use, shared
 * by the file's tests, and destroyed after the file's last test. Tests that
 * need a device of their own (limit overrides) get a fresh one, destroyed
 * when the body ends.
 *
 * @module
 */

import { acquireGpu, type AcquireGpuOptions, type GpuContext } from "../lib/gpu/device.ts";

/** The adapter found at load time, until this file's device is made from it. */
let adapter: GPUAdapter | null = await globalThis.navigator?.gpu?.requestAdapter()
  .catch(() => null) ?? null;

/** True when no WebGPU adapter exists: GPU tests are skipped. */
export const noGpu: boolean = !adapter;

if (noGpu) {
  console.warn("tests: GPU tests skipped: navigator.gpu.requestAdapter() returned null");
}

let shared: Promise<GpuContext> | undefined;

/** This file's device (created on first call, recreated if a test lost it). */
async function sharedGpu(): Promise<GpuContext> {
  const current = await shared;
  if (current && !current.lost) return current;
  const found = adapter;
  adapter = null; // one device per adapter; a recreated device asks for a new one
  shared = acquireGpu({
    probeFeatures: false,
    ...(found ? { gpu: { requestAdapter: () => Promise.resolve(found) } } : {}),
  });
  return await shared;
}

// After the file's last test: destroy its device (buffers were released by each test).
Deno.test.afterAll(async () => {
  const ctx = await shared?.catch(() => undefined);
  shared = undefined;
  adapter = null;
  ctx?.dispose();
});

/**
 * Runs `fn` on this file's GPU device; with `options` (e.g. limit
 * overrides), on a new device that is destroyed when `fn` settles.
 */
export async function withGpu<T>(
  fn: (ctx: GpuContext) => Promise<T>,
  options?: AcquireGpuOptions,
): Promise<T> {
  if (options === undefined) return await fn(await sharedGpu());
  const ctx = await acquireGpu({ probeFeatures: false, ...options });
  try {
    return await fn(ctx);
  } finally {
    ctx.dispose();
  }
}

/** Largest |a[i] − b[i]| / max(1, max|b|). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}
