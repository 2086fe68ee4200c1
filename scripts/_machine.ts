/**
 * Facts about the machine a benchmark runs on, read at run time (Linux
 * `/proc/cpuinfo` and `/sys/devices/system/cpu`), so that captions never
 * state a cache size or a core count from memory.
 *
 * @module
 */

/** What {@linkcode readMachineFacts} found; absent fields could not be read. */
export interface MachineFacts {
  /** CPU model name, e.g. `"Intel(R) Xeon(R) Processor"`. */
  cpuModel?: string;
  /** Logical CPUs the process may use (`navigator.hardwareConcurrency`). */
  logicalCpus: number;
  /** Largest (last-level) unified or data cache of CPU 0. */
  lastLevelCache?: { level: number; bytes: number };
}

/**
 * Parses a sysfs cache size (`"48K"`, `"2048K"`, `"32M"`) into bytes;
 * `undefined` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCacheSize } from "./_machine.ts";
 * assert.equal(parseCacheSize("307200K"), 300 * 2 ** 20);
 * assert.equal(parseCacheSize("?"), undefined);
 * ```
 */
export function parseCacheSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]!.toUpperCase()] ?? 1;
  return Number(m[1]) * unit;
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Reads the CPU model, the logical CPU count and the last-level cache of
 * CPU 0. Never throws; on a system without these files only `logicalCpus`
 * is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMachineFacts } from "./_machine.ts";
 * assert.ok(readMachineFacts().logicalCpus >= 1);
 * ```
 */
export function readMachineFacts(): MachineFacts {
  const facts: MachineFacts = { logicalCpus: navigator.hardwareConcurrency };
  const model = readText("/proc/cpuinfo")?.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim();
  if (model) facts.cpuModel = model;
  const base = "/sys/devices/system/cpu/cpu0/cache";
  for (let index = 0; index < 16; index++) {
    const level = Number(readText(`${base}/index${index}/level`));
    const type = readText(`${base}/index${index}/type`)?.trim();
    const bytes = parseCacheSize(readText(`${base}/index${index}/size`) ?? "");
    if (!Number.isFinite(level) || type === undefined || bytes === undefined) continue;
    if (type === "Instruction") continue;
    if (!facts.lastLevelCache || level > facts.lastLevelCache.level) {
      facts.lastLevelCache = { level, bytes };
    }
  }
  return facts;
}

/**
 * Bytes as MiB or KiB with at most three significant digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./_machine.ts";
 * assert.equal(formatBytes(32 * 2 ** 20), "32 MiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${Number((bytes / 2 ** 30).toPrecision(3))} GiB`;
  if (bytes >= 2 ** 20) return `${Number((bytes / 2 ** 20).toPrecision(3))} MiB`;
  if (bytes >= 2 ** 10) return `${Number((bytes / 2 ** 10).toPrecision(3))} KiB`;
  return `${bytes} B`;
}
