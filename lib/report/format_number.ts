/**
 * One number format for tables and axis ticks in reports.
 *
 * @module
 */

function trimExp(s: string): string {
  // "1.2300e-8" → "1.23e-8", "1.000e+5" → "1e5"
  const [mantissa = "", exponent = ""] = s.split("e");
  const m = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return `${m}e${exponent.replace("+", "")}`;
}

/**
 * Formats a number compactly for a reader: integers in full, values in
 * [1e-3, 1e5) with `digits` significant digits (at least their integer
 * digits: `12346`, never `1.235e4`), and everything else in exponent
 * notation (`1.5e-8`). Non-finite values print as `NaN`, `∞`, `−∞`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNumber } from "./format_number.ts";
 * assert.equal(formatNumber(1e-8), "1e-8");
 * assert.equal(formatNumber(0.012345), "0.01235");
 * assert.equal(formatNumber(4096), "4096");
 * ```
 *
 * @category Reports
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "−∞";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) {
    const s = x.toPrecision(digits);
    // More integer digits than `digits` (12345.678 at 4): round to an integer, not "1.235e4".
    if (s.includes("e")) return String(Math.round(x));
    return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
  }
  return trimExp(x.toExponential(digits - 1));
}
