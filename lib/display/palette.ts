/**
 * Series styles that stay apart: the Okabe–Ito colour-blind-safe palette,
 * dash patterns and marker shapes, cycled so that no two series of a figure
 * share all three.
 *
 * @module
 */

import { type SymbolName, SYMBOLS } from "./svg.ts";

/**
 * The Okabe–Ito palette (Okabe & Ito 2008), ordered for a white background:
 * blue, orange, bluish green, vermillion, reddish purple, sky blue, black,
 * and yellow last (it is faint on white, so it comes with a dash pattern).
 * Distinguishable under the common colour-vision deficiencies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PALETTE } from "./palette.ts";
 * assert.equal(PALETTE.length, 8);
 * assert.equal(PALETTE[0], "#0072b2");
 * ```
 */
export const PALETTE: readonly string[] = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#d55e00",
  "#cc79a7",
  "#56b4e9",
  "#000000",
  "#f0e442",
];

/** Named dash patterns (SVG `stroke-dasharray`); `"solid"` draws none. */
export const DASHES: Readonly<Record<DashName, string | undefined>> = {
  solid: undefined,
  dashed: "6,3",
  dotted: "1.5,2.5",
  dashdot: "7,3,1.5,3",
  longdash: "12,4",
};

/**
 * A dash pattern name of {@linkcode DASHES}.
 *
 * @example
 * ```ts
 * import type { DashName } from "./palette.ts";
 * const d: DashName = "dashed";
 * ```
 */
export type DashName = "solid" | "dashed" | "dotted" | "dashdot" | "longdash";

/**
 * Every dash pattern name, in the order series take them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DASH_ORDER } from "./palette.ts";
 * assert.equal(DASH_ORDER[0], "solid");
 * ```
 */
export const DASH_ORDER: readonly DashName[] = ["solid", "dashed", "dotted", "dashdot", "longdash"];

/** The resolved look of one series. */
export interface SeriesStyle {
  /** Stroke (and marker) colour. */
  readonly color: string;
  /** Dash pattern name. */
  readonly dash: DashName;
  /** Marker shape, or `"none"`. */
  readonly marker: SymbolName | "none";
}

/**
 * The default style of series `i` of `count`: colour `i mod 8` of
 * {@linkcode PALETTE}, marker `i mod 8` of the shapes, solid lines for the
 * first eight and a new dash pattern for each further cycle (and for the
 * faint yellow), so every series differs from every other in at least one
 * of colour, dash or shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesStyle } from "./palette.ts";
 * assert.deepEqual(seriesStyle(0), { color: "#0072b2", dash: "solid", marker: "circle" });
 * assert.deepEqual(seriesStyle(9), { color: "#e69f00", dash: "dashed", marker: "triangle" });
 * ```
 */
export function seriesStyle(i: number): SeriesStyle {
  const k = PALETTE.length;
  const cycle = Math.floor(i / k);
  const color = PALETTE[i % k]!;
  const dash = DASH_ORDER[(cycle + (i % k === k - 1 ? 1 : 0)) % DASH_ORDER.length]!;
  // Shift the shapes on each cycle so colour + shape pairs do not repeat either.
  const marker = SYMBOLS[(i + cycle) % SYMBOLS.length]!;
  return { color, dash, marker };
}
