/**
 * Figure helpers the experiment scripts need beyond `lib/report/plots.ts`:
 * bars with their values and room above them for the labels, and the
 * library's line plot with series told apart by dash and width as well as
 * colour and marker, so that coinciding series stay visible.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { DASH_ORDER, PALETTE } from "../lib/display/palette.ts";
import {
  linePlot,
  type PlotFigure,
  type XYPlotOptions,
  type XYSeries,
} from "../lib/report/plots.ts";
import { formatNumber } from "../lib/report/format_number.ts";
import { renderPlot } from "../lib/report/render_plot.ts";

const STYLE = { fontSize: "12px", overflow: "visible" } as const;

/** Options of {@linkcode valueBars}. */
export interface ValueBarsOptions {
  /** Category labels along the x axis. */
  labels: string[];
  /** One value per label. */
  values: ArrayLike<number>;
  /** x-axis label. */
  xLabel: string;
  /** y-axis label, with units. */
  yLabel: string;
  /** Width in CSS pixels. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {360} */
  height?: number;
}

/**
 * One bar per label with its value written above it; the y axis reaches 18%
 * above the tallest bar, so no value label runs into the axis label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valueBars } from "./_plots.ts";
 * const fig = valueBars({ labels: ["a", "b"], values: [1, 2], xLabel: "part", yLabel: "ms" });
 * assert.ok(fig.svg.includes("<svg"));
 * ```
 */
export function valueBars(options: ValueBarsOptions): PlotFigure {
  const rows = options.labels.map((label, i) => ({ label, value: options.values[i]! }));
  const top = Math.max(0, ...rows.map((r) => r.value));
  const svg = renderPlot({
    width: options.width ?? 640,
    height: options.height ?? 360,
    marginLeft: 60,
    marginBottom: 50,
    marginTop: 30,
    style: STYLE,
    x: { label: options.xLabel, domain: options.labels, labelOffset: 42 },
    y: {
      label: options.yLabel,
      grid: true,
      domain: [0, top > 0 ? 1.18 * top : 1],
      tickFormat: (d: number) => formatNumber(d, 3),
    },
    marks: [
      Plot.barY(rows, { x: "label", y: "value", fill: PALETTE[0] }),
      Plot.text(rows, {
        x: "label",
        y: "value",
        text: (d: { value: number }) => formatNumber(d.value, 3),
        dy: -7,
      }),
      Plot.ruleY([0]),
    ],
  });
  return {
    svg,
    data: { labels: options.labels, values: Array.from(options.values) },
    notes: [],
  };
}

/** One series of {@linkcode distinctLines}: a name and its points. */
export type DistinctSeries = Pick<XYSeries, "name" | "x" | "y">;

/** Options of {@linkcode distinctLines}: those of `linePlot` but the markers (all drawn). */
export type DistinctLinesOptions = Omit<XYPlotOptions, "series" | "markers"> & {
  /** The series; each gets its own colour, dash pattern and marker. */
  series: DistinctSeries[];
};

/**
 * The library's `linePlot` with series told apart by dash pattern and width
 * as well as colour and marker: earlier series are drawn wider underneath,
 * later ones dashed and thinner on top, so a series that coincides with
 * another stays visible.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distinctLines } from "./_plots.ts";
 * const fig = distinctLines({
 *   series: [{ name: "a", x: [1, 2], y: [1, 2] }, { name: "b", x: [1, 2], y: [1, 2] }],
 *   xLabel: "x", yLabel: "y",
 * });
 * assert.ok(fig.svg.includes("stroke-dasharray"));
 * ```
 */
export function distinctLines(options: DistinctLinesOptions): PlotFigure {
  const k = options.series.length;
  return linePlot({
    ...options,
    markers: "all",
    series: options.series.map((s, i) => ({
      ...s,
      dash: DASH_ORDER[i % DASH_ORDER.length],
      strokeWidth: 1.4 + 1.6 * (k - 1 - i),
    })),
  });
}
