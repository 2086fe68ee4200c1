import assert from "node:assert/strict";
import { GpuDeviceLostError, GpuError, GpuUnavailableError } from "../lib/errors.ts";
import { GpuMatrix, GpuVector } from "../lib/gpu/buffers.ts";
import { acquireGpu, gpuAvailable } from "../lib/gpu/device.ts";
import { DOT_MODULE } from "../lib/gpu/kernels.ts";
import { gpuSolve } from "../lib/gpu/solve.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import { noGpu, withGpu } from "./_gpu.ts";

const noAdapter = { requestAdapter: () => Promise.resolve(null) };

Deno.test("acquireGpu() throws GpuUnavailableError when requestAdapter() returns null", async () => {
  await assert.rejects(acquireGpu({ gpu: noAdapter }), (e: unknown) => {
    assert.ok(e instanceof GpuUnavailableError);
    assert.match(e.message, /requestAdapter\(\) returned null/);
    return true;
  });
  const status = await gpuAvailable({ gpu: noAdapter });
  assert.equal(status.available, false);
  assert.match(status.reason ?? "", /no WebGPU adapter/);
});

Deno.test({
  name: "gpuAvailable() reports the adapter when there is one",
  ignore: noGpu,
  fn: async () => {
    const status = await gpuAvailable();
    assert.equal(status.available, true);
    assert.equal(typeof status.info?.isFallbackAdapter, "boolean");
    assert.ok((status.info?.limits.maxStorageBufferBindingSize ?? 0) > 0);
  },
});

Deno.test({
  name: "a WGSL compile error becomes a GpuError with line and column",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const broken = {
        label: "broken",
        source: "@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = 1u;\n}\n",
        bindings: [],
      };
      await assert.rejects(ctx.pipelines.pipeline(broken, "main"), (e: unknown) => {
        assert.ok(e instanceof GpuError);
        assert.match(e.message, /Cannot compile shader broken: broken:3:\d+: /);
        return true;
      });
    }),
});

Deno.test({
  name: "a validation error becomes a GpuError",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      // A uniform-only buffer where the layout wants a storage buffer.
      const wrong = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM });
      using v = new GpuVector(ctx, 4);
      const resources = [wrong, v.buffer, v.buffer, v.buffer, wrong];
      await assert.rejects(ctx.pipelines.bindGroup(DOT_MODULE, resources), (e: unknown) => {
        assert.ok(e instanceof GpuError);
        assert.match(e.message, /GPU validation error/);
        return true;
      });
      wrong.destroy();
    }),
});

Deno.test({
  name: "a lost device becomes GpuDeviceLostError",
  ignore: noGpu,
  fn: async () => {
    const ctx = await acquireGpu({ probeFeatures: false });
    const v = GpuVector.from(ctx, Float64Array.of(1, 2, 3));
    ctx.device.destroy();
    // Before device.lost has settled: the failed read-back is recognised.
    await assert.rejects(v.read(), GpuDeviceLostError);
    await ctx.device.lost;
    assert.ok(ctx.lost);
    const A = poisson2d(4);
    await assert.rejects(gpuSolve(ctx, A, new Float64Array(16).fill(1)), (e: unknown) => {
      assert.ok(e instanceof GpuDeviceLostError);
      assert.match(e.message, /GPU device lost \(destroyed\)/);
      return true;
    });
    ctx.dispose();
    assert.throws(() => ctx.assertAlive("test"), GpuDeviceLostError);
  },
});

Deno.test({
  name: "a matrix over the storage-binding or buffer-size limit is refused with a GpuError",
  ignore: noGpu,
  fn: async () => {
    const A = poisson2d(16); // nnz 1216: 4864 bytes of values
    const b = new Float64Array(A.shape[0]).fill(1);
    await withGpu(async (ctx) => {
      assert.equal(ctx.limits.maxStorageBufferBindingSize, 4096);
      assert.throws(() => GpuMatrix.upload(ctx, A), (e: unknown) => {
        assert.ok(e instanceof GpuError);
        assert.match(e.message, /4864 bytes exceed maxStorageBufferBindingSize \(4096 bytes\)/);
        return true;
      });
      await assert.rejects(gpuSolve(ctx, A, b), GpuError);
    }, { limitOverrides: { maxStorageBufferBindingSize: 4096 } });
    await withGpu((ctx) => {
      assert.throws(() => GpuMatrix.upload(ctx, A), /exceed maxBufferSize \(2048 bytes\)/);
      return Promise.resolve();
    }, { limitOverrides: { maxBufferSize: 2048 } });
  },
});

Deno.test({
  name: "a module binding more storage buffers than the device allows is refused",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      const max = ctx.limits.maxStorageBuffersPerShaderStage;
      const wide = {
        label: "wide",
        source: "@compute @workgroup_size(1) fn main() {}",
        bindings: new Array(max + 1).fill("storage" as const),
      };
      await assert.rejects(
        ctx.pipelines.pipeline(wide, "main"),
        new RegExp(`binds ${max + 1} storage buffers but the device limit`),
      );
    }),
});
