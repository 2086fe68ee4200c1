/**
 * GPU test support: whether a WebGPU adapter exists (tests skip, with a
 * printed reason, only when `navigator.gpu.requestAdapter()` returns null)
 * and a helper that runs a test body with a fresh context and destroys it.
 *
 * @module
 */

import { acquireGpu, type AcquireGpuOptions, type GpuContext } from "../lib/gpu/device.ts";

const adapter = await globalThis.navigator?.gpu?.requestAdapter().catch(() => null);

/** True when no WebGPU adapter exists: GPU tests are skipped. */
export const noGpu: boolean = !adapter;

if (noGpu) {
  console.warn("tests: GPU tests skipped: navigator.gpu.requestAdapter() returned null");
}

/** Runs `fn` with a new GPU context and destroys the device afterwards. */
export async function withGpu<T>(
  fn: (ctx: GpuContext) => Promise<T>,
  options: AcquireGpuOptions = {},
): Promise<T> {
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
