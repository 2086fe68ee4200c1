import assert from "node:assert/strict";
import { renderShadersModule } from "../scripts/bundle_shaders.ts";
import {
  BICGSTAB_MODULE,
  CG_MODULE,
  DOT_MODULE,
  GMRES_MODULE,
  MINRES_MODULE,
  SPMV_MODULE,
} from "../lib/gpu/kernels.ts";
import { noGpu, withGpu } from "./_gpu.ts";

Deno.test("shaders.generated.ts matches shaders/*.wgsl (run scripts/bundle_shaders.ts)", async () => {
  const expected = await renderShadersModule();
  const actual = await Deno.readTextFile(
    new URL("../lib/gpu/shaders.generated.ts", import.meta.url),
  );
  assert.equal(actual, expected);
});

Deno.test({
  name: "every kernel module compiles and every entry point builds a pipeline",
  ignore: noGpu,
  fn: () =>
    withGpu(async (ctx) => {
      for (
        const mod of [
          SPMV_MODULE,
          DOT_MODULE,
          CG_MODULE,
          BICGSTAB_MODULE,
          GMRES_MODULE,
          MINRES_MODULE,
        ]
      ) {
        const entries = [...mod.source.matchAll(/@compute[^\n]*\n\s*fn (\w+)/g)].map((m) => m[1]);
        assert.ok(entries.length > 0, `${mod.label} has entry points`);
        for (const e of entries) await ctx.pipelines.pipeline(mod, e);
        const again = await ctx.pipelines.pipeline(mod, entries[0]);
        assert.equal(again, await ctx.pipelines.pipeline(mod, entries[0]), "pipeline is cached");
      }
    }),
});
