/**
 * Figure helpers the experiment scripts need beyond `lib/report/plots.ts`:
 * bars with their values and room above them for the labels, and line plots
 * whose series are told apart by dash and marker as well as colour, so that
 * coinciding series stay visible.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { PlotFigure } from "../lib/report/plots.ts";
import { formatNumber } from "../lib/report/format_number.ts";
import { renderPlot } from "../lib/report/render_plot.ts";

const STYLE = { fontSize: "12px", overflow: "visible" } as const;
const COLORS = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2"];

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
 * import { valueBars } from "./_plots.ts";
 * const fig = valueBars({ labels: ["a", "b"], values: [1, 2], xLabel: "part", yLabel: "ms" });
 * console.assert(fig.svg.includes("<svg"));
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
      Plot.barY(rows, { x: "label", y: "value", fill: COLORS[0] }),
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

/** One series of {@linkcode distinctLines}. */
export interface DistinctSeries {
  /** Legend text. */
  name: string;
  /** x values. */
  x: ArrayLike<number>;
  /** y values, same length. */
  y: ArrayLike<number>;
}

/** Options of {@linkcode distinctLines}. */
export interface DistinctLinesOptions {
  /** The series; each gets its own colour, dash pattern and marker. */
  series: DistinctSeries[];
  /** x-axis label. */
  xLabel: string;
  /** y-axis label. */
  yLabel: string;
  /** Log x axis (non-positive values dropped). @default {false} */
  logX?: boolean;
  /** Log y axis (non-positive values dropped). @default {false} */
  logY?: boolean;
  /** Title above the plot. */
  title?: string;
  /** Width in CSS pixels. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
}

const DASHES = ["none", "6,3", "2,3", "8,3,2,3", "1,4", "10,4"];
const SYMBOLS = ["circle", "square", "triangle", "diamond", "cross", "star"] as const;

/**
 * Line plot in which series differ in dash pattern and marker shape as well
 * as colour, drawn semi-transparent with the first series on top, so a
 * series that coincides with another stays visible. The legend shows the
 * marker shapes.
 *
 * @example
 * ```ts
 * import { distinctLines } from "./_plots.ts";
 * const fig = distinctLines({
 *   series: [{ name: "a", x: [1, 2], y: [1, 2] }, { name: "b", x: [1, 2], y: [1, 2] }],
 *   xLabel: "x", yLabel: "y",
 * });
 * console.assert(fig.svg.includes("stroke-dasharray"));
 * ```
 */
export function distinctLines(options: DistinctLinesOptions): PlotFigure {
  const { series, logX = false, logY = false } = options;
  const notes: string[] = [];
  let dropped = 0;
  const rows: { series: string; x: number; y: number }[] = [];
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!, y = s.y[i]!;
      if ((logX && !(x > 0)) || (logY && !(y > 0)) || !Number.isFinite(x) || !Number.isFinite(y)) {
        dropped++;
        continue;
      }
      rows.push({ series: s.name, x, y });
    }
  }
  if (dropped > 0) notes.push(`${dropped} point(s) that a log axis cannot show were omitted`);
  const names = series.map((s) => s.name);
  const colour = (i: number) => COLORS[i % COLORS.length]!;
  // Earlier series are drawn first and wider, later ones dashed and thinner on top, and the
  // hollow markers grow with the index: coinciding series show as a line inside a wider one
  // and as concentric markers.
  const marks: Plot.Markish[] = [];
  const k = series.length;
  for (let i = 0; i < k; i++) {
    const data = rows.filter((r) => r.series === names[i]);
    marks.push(
      Plot.line(data, {
        x: "x",
        y: "y",
        stroke: "series",
        strokeWidth: 1.4 + 1.6 * (k - 1 - i),
        strokeDasharray: DASHES[i % DASHES.length],
      }),
    );
  }
  for (let i = 0; i < k; i++) {
    const data = rows.filter((r) => r.series === names[i]);
    if (data.length > 40) continue;
    marks.push(
      Plot.dot(data, { x: "x", y: "y", stroke: "series", r: 3.5 + 2 * i, symbol: "series" }),
    );
  }
  const ticks = (log: boolean, values: number[]) => {
    if (!log) return { tickFormat: (d: number) => formatNumber(d, 3) };
    const decades = Math.max(...values) / Math.min(...values) >= 10;
    return {
      type: "log" as const,
      tickFormat: (d: number) => (!decades || isDecade(d) ? formatNumber(d, 3) : ""),
    };
  };
  const svg = renderPlot({
    width: options.width ?? 640,
    height: options.height ?? 400,
    marginLeft: 60,
    marginBottom: 40,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    x: { label: options.xLabel, grid: true, ...ticks(logX, rows.map((r) => r.x)) },
    y: { label: options.yLabel, grid: true, ...ticks(logY, rows.map((r) => r.y)) },
    symbol: { legend: true, domain: names, range: names.map((_, i) => SYMBOLS[i % 6]) },
    color: { domain: names, range: names.map((_, i) => colour(i)) },
    marks,
  });
  return {
    svg,
    data: {
      series: series.map((s) => ({ name: s.name, x: Array.from(s.x), y: Array.from(s.y) })),
    },
    notes,
  };
}

function isDecade(d: number): boolean {
  const e = Math.round(Math.log10(d));
  return Math.abs(d / 10 ** e - 1) < 1e-9;
}
