// The layering of DESIGN.md, checked on the real import graph of lib/: dependencies point one
// way (sparse ← linalg ← diff → autodiff; gpu beside diff on linalg; report apart), and only the
// report layer takes npm packages (Observable Plot, linkedom): everything a solve imports runs
// on a machine without network or npm cache.
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const lib = join(root, "lib");

/** Which layers each layer may import (besides itself); `.` is lib/'s top-level files. */
const ALLOWED: Record<string, readonly string[]> = {
  ".": [],
  display: ["."],
  sparse: [".", "display"],
  autodiff: [".", "display", "sparse"],
  linalg: [".", "display", "sparse"],
  gpu: [".", "sparse", "linalg"],
  diff: [".", "display", "sparse", "linalg", "autodiff", "gpu"],
  nn: [".", "autodiff"],
  report: [".", "display"],
};

/** Layers that may import npm packages through deno.json's imports map. */
const NPM_LAYERS: readonly string[] = ["report"];

function layerOf(path: string): string {
  const rel = relative(lib, path);
  const parts = rel.split("/");
  return parts.length === 1 ? "." : parts[0];
}

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* tsFiles(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

/** Import specifiers of a module, doc-comment examples excluded. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*\*[\s\S]*?\*\//g, "");
  return [...code.matchAll(/^\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']/gm)]
    .map((m) => m[1]);
}

Deno.test("lib/ layers point one way; npm packages only in report", async () => {
  const violations: string[] = [];
  let checked = 0;
  for await (const file of tsFiles(lib)) {
    const from = layerOf(file);
    assert.ok(
      from in ALLOWED,
      `unknown layer ${from} (${relative(root, file)}): add it to ALLOWED`,
    );
    for (const spec of importsOf(await Deno.readTextFile(file))) {
      checked++;
      if (!spec.startsWith(".")) {
        const npmOk = NPM_LAYERS.includes(from) && !spec.includes(":");
        if (!spec.startsWith("node:") && !npmOk) {
          violations.push(`${relative(root, file)} imports ${spec}`);
        }
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(lib + "/")) {
        violations.push(`${relative(root, file)} imports ${spec} (outside lib/)`);
        continue;
      }
      const to = layerOf(target);
      if (to !== from && !ALLOWED[from].includes(to)) {
        violations.push(`${relative(root, file)} (${from}) imports ${spec} (${to})`);
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} imports found: the scanner is broken`);
  assert.deepEqual(violations, []);
});

Deno.test("the layer check catches an import that points the wrong way", () => {
  const specs = importsOf(
    '/** import { x } from "../diff/solve.ts"; */\nimport { y } from "../linalg/cg.ts";',
  );
  assert.deepEqual(specs, ["../linalg/cg.ts"]);
  assert.ok(!ALLOWED.sparse.includes(layerOf(join(lib, "linalg", "cg.ts"))));
});
