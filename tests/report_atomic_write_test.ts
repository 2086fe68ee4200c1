import assert from "node:assert/strict";
import { writeFileAtomic } from "../lib/report/atomic_write.ts";

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("writeFileAtomic() replaces the target completely and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/report.html`;
    await Deno.writeTextFile(path, "old content");
    const big = "x".repeat(1 << 20);
    await writeFileAtomic(path, big);
    assert.equal(await Deno.readTextFile(path), big);
    await writeFileAtomic(`${dir}/bytes.bin`, new Uint8Array([1, 2, 3]));
    assert.deepEqual(Array.from(await Deno.readFile(`${dir}/bytes.bin`)), [1, 2, 3]);
    assert.deepEqual(await listDir(dir), ["bytes.bin", "report.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() removes its temporary file when the rename fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The target is a non-empty folder, so renaming a file onto it fails.
    await Deno.mkdir(`${dir}/target`);
    await Deno.writeTextFile(`${dir}/target/keep.txt`, "keep");
    await assert.rejects(() => writeFileAtomic(`${dir}/target`, "new"));
    assert.deepEqual(await listDir(dir), ["target"]);
    assert.equal(await Deno.readTextFile(`${dir}/target/keep.txt`), "keep");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
