import assert from "node:assert/strict";
import { GpuDeviceLostError, GpuError, GpuUnavailableError } from "../lib/errors.ts";
import { GpuMatrix, GpuVector } from "../lib/gpu/buffers.ts";
import { acquireGpu, gpuAvailable } from "../lib/gpu/device.ts";
import { DOT_MODULE } from "../lib/gpu/kernels.ts";
import { gpuSolve } from "../lib/gpu/solve.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import { noGpu, withGpu } from "./_gpu.ts";

const noAdapter = { requestAdapter: () => Promise.resolve(null) };

/** A raw buffer destroyed by `using`, even when the test fails. */
function disposable(buffer: GPUBuffer): { buffer: GPUBuffer } & Disposable {
  return { buffer, [Symbol.dispose]: () => buffer.destroy() };
}

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

/**
 * A fake adapter that lists `listed`, can also grant the hidden `requestable`
 * features (as wgpu's shader-f64 on Vulkan, WEBGPU.md G11), and counts what
 * it is asked for.
 */
function fakeGpu(listed: string[], requestable: string[]) {
  const log = { adapters: 0, devices: 0, destroyed: 0, requests: [] as string[][] };
  const limits = {
    maxStorageBuffersPerShaderStage: 8,
    maxStorageBufferBindingSize: 1 << 27,
    maxBufferSize: 1 << 28,
    maxComputeWorkgroupsPerDimension: 65535,
  };
  const adapter = {
    features: new Set(listed),
    limits,
    info: { description: "fake", vendor: "", architecture: "", isFallbackAdapter: true },
    requestDevice(d: GPUDeviceDescriptor = {}) {
      const wanted = [...(d.requiredFeatures ?? [])] as string[];
      log.requests.push(wanted);
      if (wanted.some((f) => !listed.includes(f) && !requestable.includes(f))) {
        return Promise.reject(
          new TypeError("requiredFeatures must be a subset of the adapter features"),
        );
      }
      log.devices++;
      return Promise.resolve({
        features: new Set(wanted),
        limits,
        lost: new Promise(() => {}),
        destroy: () => log.destroyed++,
      });
    },
  };
  const gpu = {
    requestAdapter: () => {
      log.adapters++;
      return Promise.resolve(adapter as unknown as GPUAdapter);
    },
  };
  return { gpu, log };
}

Deno.test("acquireGpu() probes optional features with a single device request", async () => {
  for (
    const [listed, requestable, want] of [
      [["timestamp-query"], ["shader-f64", "subgroups"], [
        "shader-f64",
        "subgroups",
        "timestamp-query",
      ]],
      [["timestamp-query"], ["shader-f64"], ["shader-f64", "timestamp-query"]],
      [["shader-f16", "timestamp-query"], [], ["shader-f16", "timestamp-query"]],
    ]
  ) {
    const { gpu, log } = fakeGpu(listed, requestable);
    const ctx = await acquireGpu({ gpu });
    assert.deepEqual([...ctx.adapterInfo.features], want);
    // One adapter, one device, and that device has the probed features.
    assert.equal(log.adapters, 1);
    assert.equal(log.devices, 1);
    assert.equal(log.destroyed, 0);
    assert.deepEqual([...ctx.device.features].sort(), want);
    ctx.dispose();
    assert.equal(log.destroyed, 1);
  }
  const { gpu, log } = fakeGpu(["timestamp-query"], ["shader-f64"]);
  const ctx = await acquireGpu({ gpu, probeFeatures: false });
  assert.deepEqual([...ctx.adapterInfo.features], ["timestamp-query"]);
  assert.deepEqual(log.requests, [["timestamp-query"]]);
  ctx.dispose();
});

Deno.test({
  name: "acquireGpu() on a real adapter: probed features are the device's own",
  ignore: noGpu,
  fn: async () => {
    const ctx = await acquireGpu();
    const features = new Set<string>(ctx.device.features);
    for (const f of ctx.adapterInfo.features) {
      // wgpu reports the native f64 feature under its own name.
      assert.ok(features.has(f) || features.has(`wgpu-${f}`), `${f} is a device feature`);
    }
    ctx.dispose();
  },
});

Deno.test({
  name: "GpuContext.dispose() destroys the device",
  ignore: noGpu,
  fn: async () => {
    const ctx = await acquireGpu({ probeFeatures: false });
    ctx.dispose();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const lost = await Promise.race([
      ctx.device.lost,
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 2000))),
    ]);
    clearTimeout(timer);
    assert.equal(lost?.reason, "destroyed");
    assert.throws(() => ctx.assertAlive("test"), /disposed/);
  },
});

Deno.test({
  name: "withGpu() runs a file's tests on one device; limit overrides get their own",
  ignore: noGpu,
  fn: async () => {
    const first = await withGpu((ctx) => Promise.resolve(ctx));
    const second = await withGpu((ctx) => Promise.resolve(ctx));
    assert.equal(first, second);
    assert.equal(first.lost, false);
    const own = await withGpu((ctx) => Promise.resolve(ctx), {
      limitOverrides: { maxBufferSize: 4096 },
    });
    assert.notEqual(own, first);
    assert.equal(own.lost, true, "a device of its own is destroyed when the body ends");
    assert.equal(first.lost, false);
  },
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
      using wrongBuffer = disposable(
        ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM }),
      );
      const wrong = wrongBuffer.buffer;
      using v = new GpuVector(ctx, 4);
      const resources = [wrong, v.buffer, v.buffer, v.buffer, wrong];
      await assert.rejects(ctx.pipelines.bindGroup(DOT_MODULE, resources), (e: unknown) => {
        assert.ok(e instanceof GpuError);
        assert.match(e.message, /GPU validation error/);
        return true;
      });
    }),
});

Deno.test({
  name: "a lost device becomes GpuDeviceLostError",
  ignore: noGpu,
  fn: async () => {
    const ctx = await acquireGpu({ probeFeatures: false });
    {
      using v = GpuVector.from(ctx, Float64Array.of(1, 2, 3)); // released before ctx.dispose()
      ctx.device.destroy();
      // Before device.lost has settled: the failed read-back is recognised.
      await assert.rejects(v.read(), GpuDeviceLostError);
    }
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
