import assert from "node:assert/strict";
import {
  cpuCaches,
  cpuCores,
  cpuModel,
  describeCaches,
  describeCores,
  formatBytes,
  lastLevelCache,
  parseCacheSize,
} from "../lib/report/machine.ts";
import { Report } from "../lib/report/report.ts";
import { collectRunInfo, commandLine } from "../lib/report/run_info.ts";

async function git(args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined;
  }
}

Deno.test("collectRunInfo() records commit, dirty flag, command line and the machine", async () => {
  const info = await collectRunInfo(new Date("2024-05-06T07:08:09.000Z"));
  assert.equal(info.date, "2024-05-06T07:08:09.000Z");
  const status = await git(["status", "--porcelain", "--untracked-files=no"]);
  assert.equal(info.dirty, status === undefined ? null : status.trim() !== "");
  assert.equal(info.commit, (await git(["rev-parse", "--short", "HEAD"]))?.trim() ?? "unknown");
  // This test runs under `deno test`, so the command line names it.
  assert.match(info.command, /\bdeno\b.*\btest\b/);
  assert.equal(info.command, await commandLine());
  assert.equal(info.cores, navigator.hardwareConcurrency);
  assert.equal(info.cpu, await cpuModel());
  assert.equal(info.caches, describeCaches(await cpuCaches()));
  assert.equal(info.deno, Deno.version.deno);
});

Deno.test("cpuModel() and cpuCaches() read /proc and /sys where Linux has them", async () => {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => undefined);
  const name = cpuinfo === undefined ? undefined : /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  if (name !== undefined) assert.equal(await cpuModel(), name.trim().replace(/\s+/g, " "));
  const size = await Deno.readTextFile("/sys/devices/system/cpu/cpu0/cache/index0/size")
    .catch(() => undefined);
  const caches = await cpuCaches();
  if (size !== undefined) {
    assert.ok(caches.some((c) => c.bytes === parseCacheSize(size)));
    const llc = await lastLevelCache(caches);
    assert.equal(llc?.level, Math.max(...caches.map((c) => c.level)));
  }
  assert.ok(cpuCores() >= 1);
});

Deno.test("machine helpers format sizes and counts for captions", () => {
  assert.equal(parseCacheSize("307200K"), 300 * 1024 ** 2);
  assert.equal(formatBytes(300 * 1024 ** 2), "300 MiB");
  assert.equal(formatBytes(2048 * 1024), "2 MiB");
  assert.equal(formatBytes(1.25 * 1024), "1.25 KiB");
  assert.equal(
    describeCaches([
      { level: 1, type: "Data", bytes: 48 * 1024 },
      { level: 1, type: "Instruction", bytes: 32 * 1024 },
      { level: 2, type: "Unified", bytes: 2 * 1024 ** 2 },
    ]),
    "L1d 48 KiB · L1i 32 KiB · L2 2 MiB",
  );
  assert.equal(describeCaches([]), "unknown");
  assert.equal(describeCores(2), "two CPU cores");
  assert.equal(describeCores(12), "twelve CPU cores");
  assert.equal(describeCores(13), "13 CPU cores");
});

Deno.test("Report.write() stores the run facts in the JSON and the metadata table", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = new Report({
      name: "meta",
      title: "Meta",
      finding: "f",
      adapter: "llvmpipe (LLVM 15.0.6, 256 bits)",
    });
    const written = await report.write(dir);
    const json = JSON.parse(await Deno.readTextFile(written.json));
    const info = await collectRunInfo();
    // The machine facts are stable; commit and dirty may change while others work in the tree.
    for (const key of ["command", "cpu", "cores", "caches"] as const) {
      assert.deepEqual(json.metadata[key], info[key], key);
    }
    assert.ok([true, false, null].includes(json.metadata.dirty));
    assert.equal(typeof json.metadata.commit, "string");
    assert.equal(json.metadata.adapter, "llvmpipe (LLVM 15.0.6, 256 bits)");
    const html = await Deno.readTextFile(written.html);
    assert.ok(html.includes(`<td class="num">${info.cores}</td>`));
    assert.ok(html.includes("<td>command</td>"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
