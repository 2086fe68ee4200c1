/**
 * Axis ticks a reader can use: several labelled ticks on every log axis
 * (powers of ten when the range spans decades; 1-2-5 or 1…9 steps when it
 * spans less), and labels in `10⁷` / `2×10⁻⁵` form where plain digits would
 * be long.
 *
 * @module
 */

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/**
 * `10ⁿ` written with Unicode superscripts, e.g. `pow10Label(-5)` → `"10⁻⁵"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pow10Label } from "./ticks.ts";
 * assert.equal(pow10Label(7), "10⁷");
 * assert.equal(pow10Label(-12), "10⁻¹²");
 * ```
 */
export function pow10Label(exponent: number): string {
  return "10" + String(exponent).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]!);
}

// Rounds away float noise: 0.30000000000000004 → 0.3.
function clean(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/**
 * Labelled ticks for a log axis over `[lo, hi]` (both > 0): the first of
 * these that gives at least `minTicks` ticks inside the range — powers of
 * ten (thinned to at most ten labels), then 1-2-5, 1-2-3-5 and 1…9 per
 * decade — or, for a range much narrower than a decade, evenly spaced
 * round values. Never a single tick.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logTicks } from "./ticks.ts";
 * assert.deepEqual(logTicks(1e-10, 1), [1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
 * assert.deepEqual(logTicks(0.04, 0.6), [0.05, 0.1, 0.2, 0.5]);
 * assert.deepEqual(logTicks(0.5, 0.9), [0.5, 0.6, 0.7, 0.8, 0.9]);
 * assert.deepEqual(logTicks(1e3, 1e7), [1e3, 1e4, 1e5, 1e6, 1e7]);
 * ```
 */
export function logTicks(lo: number, hi: number, minTicks = 4): number[] {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  const eps = 1e-9;
  const inside = (v: number) => v >= lo * (1 - eps) && v <= hi * (1 + eps);
  const e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
  const steps: number[][] = [[1], [1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
  for (const mantissas of steps) {
    const ticks: number[] = [];
    for (let e = e0; e <= e1; e++) {
      for (const m of mantissas) {
        const v = clean(m * 10 ** e);
        if (inside(v)) ticks.push(v);
      }
    }
    if (mantissas.length === 1 && ticks.length > 10) {
      // Many decades: label every k-th power, keeping powers that are multiples of k.
      const k = Math.ceil(ticks.length / 8);
      return ticks.filter((v) => Math.round(Math.log10(v)) % k === 0);
    }
    if (ticks.length >= minTicks && ticks.length <= 12) return ticks;
    if (ticks.length > 12) break;
  }
  return linearTicks(lo, hi, 5).filter((v) => v > 0);
}

/**
 * About `count` round ticks (steps of 1, 2 or 5 × 10ⁿ) inside `[lo, hi]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearTicks } from "./ticks.ts";
 * assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
 * assert.deepEqual(linearTicks(0, 1e7, 4), [0, 2e6, 4e6, 6e6, 8e6, 1e7]);
 * ```
 */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const r = raw / p;
  const step = (r >= 7.07 ? 10 : r >= 3.16 ? 5 : r >= 1.41 ? 2 : 1) * p;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    ticks.push(clean(k * step));
  }
  return ticks;
}

function isPowerOfTen(d: number): boolean {
  if (!(d > 0)) return false;
  const e = Math.round(Math.log10(d));
  return Math.abs(d / 10 ** e - 1) < 1e-9;
}

// "2×10⁵" for a value with a short mantissa.
function scientific(d: number): string {
  if (d === 0) return "0";
  const sign = d < 0 ? "−" : "";
  const a = Math.abs(d);
  const e = Math.floor(Math.log10(a) + 1e-12);
  const m = Number((a / 10 ** e).toPrecision(3));
  if (m === 10) return sign + pow10Label(e + 1);
  return sign + (m === 1 ? pow10Label(e) : `${m}×${pow10Label(e)}`);
}

function plain(d: number): string {
  const v = clean(d);
  const s = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return v < 0 ? s.replace("-", "−") : s;
}

/** Options of {@linkcode tickFormatter}. */
export interface TickFormatterOptions {
  /**
   * A log axis: powers of ten read `10⁻⁸`, others `2×10⁵`. A linear axis
   * shares one exponent across its labels instead (`0.5×10⁶`, `1×10⁶`,
   * `1.5×10⁶`). @default {false}
   */
  log?: boolean;
}

/**
 * A label formatter for one axis with ticks `ticks`. When every tick can be
 * written in at most five characters of plain digits (`0.001` … `10000`),
 * labels are plain (`0.25`, `500`); otherwise every label is in power-of-ten
 * form, so an axis never prints `10000000` or mixes it with `1e-3`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tickFormatter } from "./ticks.ts";
 * const log = tickFormatter([1e5, 1e6, 1e7], { log: true });
 * assert.deepEqual([1e5, 1e6, 1e7, 2e6].map(log), ["10⁵", "10⁶", "10⁷", "2×10⁶"]);
 * const lin = tickFormatter([0, 5e5, 1e6, 1.5e6]);
 * assert.deepEqual([0, 5e5, 1e6, 1.5e6].map(lin), ["0", "0.5×10⁶", "1×10⁶", "1.5×10⁶"]);
 * const small = tickFormatter([0.1, 0.2, 0.5, 1]);
 * assert.deepEqual([0.1, 0.2, 1].map(small), ["0.1", "0.2", "1"]);
 * ```
 */
export function tickFormatter(
  ticks: readonly number[],
  options: TickFormatterOptions = {},
): (d: number) => string {
  const finite = ticks.filter((t) => Number.isFinite(t) && t !== 0).map(Math.abs);
  const needsPowers = finite.some((t) => t >= 1e5 || t < 1e-3);
  if (!needsPowers) return (d) => (Number.isFinite(d) ? plain(d) : String(d));
  if (options.log) return (d) => (Number.isFinite(d) ? scientific(d) : String(d));
  const e = Math.floor(Math.log10(Math.max(...finite)) + 1e-12);
  return (d) => {
    if (!Number.isFinite(d)) return String(d);
    if (d === 0) return "0";
    return `${plain(d / 10 ** e)}×${pow10Label(e)}`;
  };
}

/**
 * True when `d` is a power of ten (within 1e-9), e.g. for choosing grid lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { powerOfTen } from "./ticks.ts";
 * assert.ok(powerOfTen(1e-7) && !powerOfTen(2e-7));
 * ```
 */
export function powerOfTen(d: number): boolean {
  return isPowerOfTen(d);
}
