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

Deno.test("progress() logs a plain line every few seconds, and one at the end, off a terminal", () => {
  const out = recorder(false);
  let t = 0;
  const bar = progress(10, "training", { output: out, logIntervalMs: 5000, now: () => t });
  for (let i = 0; i < 10; i++) {
    t += 2000; // a step every 2 s: lines at 6 s, 12 s and 18 s, then the final one
    bar.tick();
  }
  bar.done();
  bar.done();
  const lines = out.text().split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 4);
  assert.ok(
    lines.every((l) => l.startsWith("training [") && !l.includes("\r") && !l.includes("\x1b")),
  );
  assert.ok(lines[0].includes(" 3/10 30%"));
  assert.ok(lines[3].includes(" 10/10 100% 20.0s"));
});

Deno.test("progress() off a terminal stays quiet until its first interval, except the end", () => {
  const out = recorder(false);
  const bar = progress(3, "short", { output: out, now: () => 0 });
  bar.tick(3);
  assert.equal(out.text(), "");
  bar.done();
  assert.equal(out.text().trim().split("\n").length, 1);
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
