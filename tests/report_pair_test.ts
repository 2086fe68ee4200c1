// A report is a pair, NAME.html + NAME.json, from one run. A run killed
// between the two renames leaves one half new and the other missing or old;
// the index must list only complete pairs of the same run, and a rerun must
// leave no temporary files behind.
import assert from "node:assert/strict";
import { writeIndex } from "../lib/report/index.ts";
import { Report } from "../lib/report/report.ts";

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

function report(name: string, finding: string): Report {
  const r = new Report({ name, title: `Title ${name}`, finding });
  r.text("Some text.");
  r.table([{ a: 1 }], { caption: "One row" });
  return r;
}

function linkedNames(index: string): string[] {
  return [...index.matchAll(/<a href="([^"]+)\.html">/g)].map((m) => m[1]!).sort();
}

Deno.test("Report.write() records one run id in both halves of the pair", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = await report("alpha", "first").write(dir);
    const json = JSON.parse(await Deno.readTextFile(w.json));
    const html = await Deno.readTextFile(w.html);
    assert.equal(typeof json.runId, "string");
    assert.ok(json.runId.length >= 12, json.runId);
    const meta = /<meta name="gradsolve-run-id" content="([^"]+)">/.exec(html);
    assert.equal(meta?.[1], json.runId);
    const again = await report("alpha", "second").write(dir);
    const json2 = JSON.parse(await Deno.readTextFile(again.json));
    assert.notEqual(json2.runId, json.runId);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeIndex() skips a JSON whose HTML is missing (run killed between renames)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await report("alpha", "finding alpha").write(dir);
    await report("beta", "finding beta").write(dir);
    await Deno.remove(`${dir}/beta.html`);
    const index = await Deno.readTextFile(await writeIndex(dir));
    assert.deepEqual(linkedNames(index), ["alpha"]);
    assert.ok(!index.includes("finding beta"));
    assert.ok(index.includes("1 report(s)"));
    assert.ok(index.includes("beta: incomplete"), "the skipped report is named");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeIndex() skips a new JSON next to an older run's HTML", async () => {
  const dir = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  try {
    await report("alpha", "old finding").write(dir);
    // The new run got as far as its JSON rename, then died.
    await report("alpha", "new finding").write(other);
    await Deno.copyFile(`${other}/alpha.json`, `${dir}/alpha.json`);
    const index = await Deno.readTextFile(await writeIndex(dir));
    assert.deepEqual(linkedNames(index), []);
    assert.ok(!index.includes("new finding") && !index.includes("old finding"));
    // And the other way round: new HTML, old JSON.
    await report("gamma", "old gamma").write(dir);
    await report("gamma", "new gamma").write(other);
    await Deno.copyFile(`${other}/gamma.html`, `${dir}/gamma.html`);
    const index2 = await Deno.readTextFile(await writeIndex(dir));
    assert.deepEqual(linkedNames(index2), []);
    // A complete rerun repairs both.
    await report("alpha", "newest").write(dir);
    await report("gamma", "newest gamma").write(dir);
    assert.deepEqual(linkedNames(await Deno.readTextFile(`${dir}/index.html`)), [
      "alpha",
      "gamma",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(other, { recursive: true });
  }
});

Deno.test("writeIndex() skips a report JSON without a run id or with a foreign HTML", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/legacy.json`,
      JSON.stringify({ format: "gradsolve-report/1", name: "legacy", finding: "f" }),
    );
    await Deno.writeTextFile(`${dir}/legacy.html`, "<!doctype html><title>x</title>");
    const index = await Deno.readTextFile(await writeIndex(dir));
    assert.deepEqual(linkedNames(index), []);
    assert.ok(index.includes("0 report(s)"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Report.write() removes stale temporary files of the same report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Left by a killed run: both halves' temporaries, plus another report's.
    await Deno.writeTextFile(`${dir}/alpha.html.tmp-0badf00d`, "partial");
    await Deno.writeTextFile(`${dir}/alpha.json.tmp-12345678`, "{");
    await Deno.writeTextFile(`${dir}/alphabet.json.tmp-12345678`, "{");
    await report("alpha", "f").write(dir);
    assert.deepEqual(await listDir(dir), [
      "alpha.html",
      "alpha.json",
      "alphabet.json.tmp-12345678",
      "index.html",
    ]);
    await report("alphabet", "g").write(dir);
    assert.deepEqual(await listDir(dir), [
      "alpha.html",
      "alpha.json",
      "alphabet.html",
      "alphabet.json",
      "index.html",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
