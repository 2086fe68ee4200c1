import assert from "node:assert/strict";
import { progress, type ProgressOutput } from "../lib/report/progress.ts";

function recorder(terminal: boolean): ProgressOutput & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    isTerminal: () => terminal,
    writeSync(bytes: Uint8Array) {
      chunks.push(bytes.slice());
      return bytes.length;
    },
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("progress() prints nothing when the output is not a terminal", () => {
  const out = recorder(false);
  const bar = progress(10, "training", { output: out, intervalMs: 0 });
  for (let i = 0; i < 10; i++) bar.tick();
  bar.done();
  assert.equal(out.text(), "");
});

Deno.test("progress() draws a bar on a terminal and ends the line once", () => {
  const out = recorder(true);
  const bar = progress(4, "training", { output: out, intervalMs: 0 });
  bar.tick();
  bar.tick(2);
  assert.ok(out.text().includes("\rtraining [#####################-------] 3/4 75%"));
  bar.tick();
  bar.done();
  bar.done();
  bar.tick();
  const text = out.text();
  assert.ok(text.includes("4/4 100%"));
  assert.ok(text.endsWith("\n"));
  assert.equal(text.split("\n").length, 2);
});
