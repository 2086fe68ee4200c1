/**
 * Facts about the machine a run is on, measured at run time so that report
 * text ("a 32 MiB L3", "two CPU cores") states what was measured rather than
 * what some other machine had. Linux sources: `/proc/cpuinfo` and
 * `/sys/devices/system/cpu/cpu0/cache/index*`; elsewhere the answers are
 * `"unknown"` or empty. Nothing here throws.
 *
 * @module
 */

/**
 * One CPU cache level, as seen by core 0.
 *
 * @category Reports
 */
export interface CpuCache {
  /** Cache level: 1, 2, 3, … */
  readonly level: number;
  /** `"Data"`, `"Instruction"` or `"Unified"`. */
  readonly type: string;
  /** Capacity in bytes. */
  readonly bytes: number;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined; // absent (not Linux), or no read permission
  }
}

/**
 * The CPU model name from `/proc/cpuinfo` (`model name`, or `Hardware` /
 * `Processor` on some ARM kernels), whitespace collapsed; `"unknown"` when
 * unavailable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuModel } from "./machine.ts";
 * const model = await cpuModel();
 * assert.ok(typeof model === "string" && model.length > 0);
 * ```
 *
 * @category Reports
 */
export async function cpuModel(): Promise<string> {
  const text = await readText("/proc/cpuinfo");
  if (text === undefined) return "unknown";
  for (const key of ["model name", "Hardware", "Processor", "cpu model"]) {
    const m = new RegExp(`^${key}\\s*:\\s*(.+)$`, "m").exec(text);
    if (m && m[1]!.trim() !== "") return m[1]!.trim().replace(/\s+/g, " ");
  }
  return "unknown";
}

/**
 * Logical CPU cores this process may use (`navigator.hardwareConcurrency`,
 * which honours CPU affinity and container limits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuCores } from "./machine.ts";
 * assert.ok(Number.isInteger(cpuCores()) && cpuCores() >= 1);
 * ```
 *
 * @category Reports
 */
export function cpuCores(): number {
  const n = globalThis.navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 1;
}

/**
 * Parses a sysfs cache size such as `"48K"`, `"2048K"` or `"32M"` to bytes;
 * `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCacheSize } from "./machine.ts";
 * assert.equal(parseCacheSize("48K"), 49152);
 * assert.equal(parseCacheSize("32M\n"), 33554432);
 * assert.equal(parseCacheSize("n/a"), undefined);
 * ```
 *
 * @category Reports
 */
export function parseCacheSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const scale = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()]!;
  return Number(m[1]) * scale;
}

/**
 * The caches of CPU 0 from `/sys/devices/system/cpu/cpu0/cache/index*`,
 * by level then type; empty where sysfs does not list them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuCaches } from "./machine.ts";
 * for (const c of await cpuCaches()) assert.ok(c.level >= 1 && c.bytes > 0);
 * ```
 *
 * @category Reports
 */
export async function cpuCaches(): Promise<CpuCache[]> {
  const root = "/sys/devices/system/cpu/cpu0/cache";
  const caches: CpuCache[] = [];
  let names: string[];
  try {
    names = (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name)
      .filter((n) => /^index\d+$/.test(n));
  } catch {
    return caches;
  }
  for (const name of names) {
    const [level, type, size] = await Promise.all(
      ["level", "type", "size"].map((f) => readText(`${root}/${name}/${f}`)),
    );
    const bytes = size === undefined ? undefined : parseCacheSize(size);
    const lv = Number(level?.trim());
    if (bytes === undefined || !Number.isInteger(lv) || lv < 1) continue;
    caches.push({ level: lv, type: type?.trim() || "Unified", bytes });
  }
  return caches.sort((a, b) => a.level - b.level || a.type.localeCompare(b.type));
}

/**
 * The largest (last-level) cache, e.g. `{level: 3, type: "Unified", bytes: 33554432}`;
 * `undefined` when no cache is listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastLevelCache } from "./machine.ts";
 * const llc = await lastLevelCache([{ level: 1, type: "Data", bytes: 49152 },
 *   { level: 3, type: "Unified", bytes: 33554432 }]);
 * assert.equal(llc?.level, 3);
 * ```
 *
 * @category Reports
 */
export async function lastLevelCache(
  caches?: readonly CpuCache[],
): Promise<CpuCache | undefined> {
  const list = caches ?? await cpuCaches();
  let best: CpuCache | undefined;
  for (const c of list) if (!best || c.level > best.level) best = c;
  return best;
}

/**
 * Binary byte count for a reader: `"48 KiB"`, `"32 MiB"`, `"1.5 GiB"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./machine.ts";
 * assert.equal(formatBytes(33554432), "32 MiB");
 * assert.equal(formatBytes(49152), "48 KiB");
 * assert.equal(formatBytes(1536 * 1024 ** 2), "1.5 GiB");
 * assert.equal(formatBytes(512), "512 B");
 * ```
 *
 * @category Reports
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes, u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
  return `${s} ${units[u]}`;
}

/**
 * The caches as one line, e.g. `"L1d 48 KiB · L1i 32 KiB · L2 2 MiB · L3 32 MiB"`;
 * `"unknown"` when none are listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCaches } from "./machine.ts";
 * assert.equal(
 *   describeCaches([{ level: 1, type: "Data", bytes: 49152 }, { level: 3, type: "Unified", bytes: 33554432 }]),
 *   "L1d 48 KiB · L3 32 MiB",
 * );
 * ```
 *
 * @category Reports
 */
export function describeCaches(caches: readonly CpuCache[]): string {
  if (caches.length === 0) return "unknown";
  const suffix: Record<string, string> = { Data: "d", Instruction: "i" };
  return caches.map((c) => `L${c.level}${suffix[c.type] ?? ""} ${formatBytes(c.bytes)}`)
    .join(" · ");
}

const WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];

/**
 * A core count in words for prose: `"one CPU core"`, `"two CPU cores"`,
 * `"16 CPU cores"` (digits above twelve). Defaults to {@linkcode cpuCores}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCores } from "./machine.ts";
 * assert.equal(describeCores(2), "two CPU cores");
 * assert.equal(describeCores(1), "one CPU core");
 * assert.equal(describeCores(32), "32 CPU cores");
 * ```
 *
 * @category Reports
 */
export function describeCores(n: number = cpuCores()): string {
  const count = Number.isInteger(n) && n >= 0 && n < WORDS.length ? WORDS[n]! : String(n);
  return `${count} CPU core${n === 1 ? "" : "s"}`;
}
