/**
 * Figure helpers for reports: each builds an Observable Plot figure, renders
 * it to inline SVG at generation time and keeps the numbers behind it, so
 * {@linkcode Report.figure} can store them in the report's JSON.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { ShapeError } from "../errors.ts";
import { formatNumber } from "./format_number.ts";
import { type PlotSpec, renderPlot } from "./render_plot.ts";

/** A rendered figure: its markup, the numbers behind it, and notes for the caption. */
export interface PlotFigure {
  /** Inline `<svg>` (or `<figure>` with legend) markup. */
  readonly svg: string;
  /** The numbers the figure shows, as given (before any log-scale filtering). */
  readonly data: Record<string, unknown>;
  /** Remarks a reader needs, e.g. how many points a log scale dropped. */
  readonly notes: readonly string[];
}

/** Numbers accepted by the helpers. */
export type NumberArray = ArrayLike<number>;

/** One named (x, y) series of a line or scatter plot. */
export interface XYSeries {
  /** Legend text. */
  name: string;
  /** x values. */
  x: NumberArray;
  /** y values, same length as `x`. */
  y: NumberArray;
}

/** Options shared by the x–y plots. */
export interface XYPlotOptions {
  /** The series; a legend is drawn when there is more than one. */
  series: XYSeries[];
  /** x-axis label, with units, e.g. `"iteration"` or `"n (unknowns)"`. */
  xLabel: string;
  /** y-axis label, with units, e.g. `"‖r‖/‖b‖"` or `"time (ms)"`. */
  yLabel: string;
  /** Logarithmic x axis; non-positive x values are dropped with a note. @default {false} */
  logX?: boolean;
  /** Logarithmic y axis; non-positive y values are dropped with a note. @default {false} */
  logY?: boolean;
  /** Title drawn above the plot. @default {none} */
  title?: string;
  /** Width in CSS pixels. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
}

const WIDTH = 640;
const HEIGHT = 400;
const SINGLE_COLOR = "#4269d0";
const STYLE = { fontSize: "12px", overflow: "visible" } as const;

interface XYRow {
  series: string;
  x: number;
  y: number;
}

function seriesData(series: XYSeries[]): { series: { name: string; x: number[]; y: number[] }[] } {
  return {
    series: series.map((s) => ({ name: s.name, x: Array.from(s.x), y: Array.from(s.y) })),
  };
}

// Flattens series into rows, dropping what a log axis cannot show.
function xyRows(
  series: XYSeries[],
  logX: boolean,
  logY: boolean,
  notes: string[],
): XYRow[] {
  const rows: XYRow[] = [];
  let droppedX = 0, droppedY = 0;
  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new ShapeError(
        `Cannot plot series "${s.name}": x has ${s.x.length} values but y has ${s.y.length}`,
      );
    }
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!, y = s.y[i]!;
      if (logX && !(x > 0)) {
        droppedX++;
        continue;
      }
      if (logY && !(y > 0)) {
        droppedY++;
        continue;
      }
      rows.push({ series: s.name, x, y });
    }
  }
  if (droppedX > 0) {
    notes.push(`${droppedX} point(s) with x ≤ 0 or NaN omitted from the log x axis`);
  }
  if (droppedY > 0) {
    notes.push(`${droppedY} point(s) with y ≤ 0 or NaN omitted from the log y axis`);
  }
  return rows;
}

function isPowerOfTen(d: number): boolean {
  const e = Math.round(Math.log10(d));
  return Math.abs(d / 10 ** e - 1) < 1e-9;
}

// Axis options. Log axes spanning a decade or more label powers of ten only.
function axis(label: string, log: boolean, values: number[]): Plot.ScaleOptions {
  if (!log) return { label, grid: true, tickFormat: (d: number) => formatNumber(d, 3) };
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const decades = hi / lo >= 10;
  return {
    type: "log",
    label,
    grid: true,
    tickFormat: (d: number) => (!decades || isPowerOfTen(d) ? formatNumber(d, 3) : ""),
  };
}

function colorOptions(names: string[]): Plot.ScaleOptions {
  return names.length > 1
    ? { legend: true, domain: names, scheme: "observable10" }
    : { domain: names, range: [SINGLE_COLOR] };
}

/** The frame shared by line and scatter plots: size, margins, labelled axes, legend colours. */
function xyFrame(options: XYPlotOptions, rows: XYRow[], marks: PlotSpec["marks"]): string {
  const { series, xLabel, yLabel, logX = false, logY = false } = options;
  return renderPlot({
    width: options.width ?? WIDTH,
    height: options.height ?? HEIGHT,
    marginLeft: 60,
    marginBottom: 40,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    x: axis(xLabel, logX, rows.map((r) => r.x)),
    y: axis(yLabel, logY, rows.map((r) => r.y)),
    color: colorOptions(series.map((s) => s.name)),
    marks,
  });
}

/**
 * Line chart of one or more series (convergence histories, loss curves).
 * Points are marked when a series is short.
 *
 * @example
 * ```ts
 * import { linePlot } from "./plots.ts";
 * const fig = linePlot({
 *   series: [{ name: "CG", x: [1, 2, 3], y: [1, 1e-3, 1e-7] }],
 *   xLabel: "iteration",
 *   yLabel: "relative residual ‖r‖/‖b‖",
 *   logY: true,
 * });
 * console.assert(fig.svg.includes("<svg"));
 * ```
 */
export function linePlot(options: XYPlotOptions): PlotFigure {
  const { series, logX = false, logY = false } = options;
  const notes: string[] = [];
  const rows = xyRows(series, logX, logY, notes);
  const longest = Math.max(0, ...series.map((s) => s.x.length));
  const svg = xyFrame(options, rows, [
    Plot.line(rows, {
      x: "x",
      y: "y",
      z: "series",
      stroke: "series",
      strokeWidth: 1.8,
      marker: longest <= 40 ? "circle" : "none",
    }),
  ]);
  return { svg, data: seriesData(series), notes };
}

/**
 * Scatter plot of one or more series, optionally with the `y = x` diagonal
 * (for "estimate vs reference" comparisons).
 *
 * @example
 * ```ts
 * import { scatterPlot } from "./plots.ts";
 * const fig = scatterPlot({
 *   series: [{ name: "implicit", x: [0.1, 0.2], y: [0.1, 0.21] }],
 *   xLabel: "finite-difference gradient",
 *   yLabel: "implicit gradient",
 *   diagonal: true,
 * });
 * console.assert(fig.svg.includes("<svg"));
 * ```
 */
export function scatterPlot(options: XYPlotOptions & { diagonal?: boolean }): PlotFigure {
  const { series, logX = false, logY = false } = options;
  const notes: string[] = [];
  const rows = xyRows(series, logX, logY, notes);
  const marks: Plot.Markish[] = [
    Plot.dot(rows, { x: "x", y: "y", stroke: "series", r: 3 }),
  ];
  if (options.diagonal && rows.length > 0) {
    const all = rows.flatMap((r) => [r.x, r.y]).filter(Number.isFinite);
    const lo = Math.min(...all), hi = Math.max(...all);
    marks.unshift(
      Plot.line([{ x: lo, y: lo }, { x: hi, y: hi }], {
        x: "x",
        y: "y",
        stroke: "#888",
        strokeDasharray: "4,3",
      }),
    );
    notes.push("Dashed line: y = x");
  }
  const svg = xyFrame(options, rows, marks);
  return { svg, data: seriesData(series), notes };
}

/** Options of {@linkcode barPlot}. */
export interface BarPlotOptions {
  /** Category labels along the x axis. */
  labels: string[];
  /** One or more named value sets, each with one value per label; >1 gives grouped bars. */
  series: { name: string; values: NumberArray }[];
  /** x-axis label. */
  xLabel: string;
  /** y-axis label, with units. */
  yLabel: string;
  /** Title drawn above the plot. @default {none} */
  title?: string;
  /** Width in CSS pixels. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
}

/**
 * Bar chart: one bar per label, or grouped bars (one per series) with a
 * legend. Single-series bars carry their value as text.
 *
 * @example
 * ```ts
 * import { barPlot } from "./plots.ts";
 * const fig = barPlot({
 *   labels: ["none", "Jacobi", "IC(0)"],
 *   series: [{ name: "iterations", values: [212, 140, 61] }],
 *   xLabel: "preconditioner",
 *   yLabel: "CG iterations",
 * });
 * console.assert(fig.svg.includes("Jacobi"));
 * ```
 */
export function barPlot(options: BarPlotOptions): PlotFigure {
  const { labels, series, xLabel, yLabel } = options;
  const rows: { label: string; series: string; value: number }[] = [];
  for (const s of series) {
    if (s.values.length !== labels.length) {
      throw new ShapeError(
        `Cannot plot bars "${s.name}": ${s.values.length} values for ${labels.length} labels`,
      );
    }
    for (let i = 0; i < labels.length; i++) {
      rows.push({ label: labels[i]!, series: s.name, value: s.values[i]! });
    }
  }
  const grouped = series.length > 1;
  const common = {
    width: options.width ?? WIDTH,
    height: options.height ?? HEIGHT,
    marginLeft: 60,
    marginBottom: 50,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    y: { label: yLabel, grid: true, tickFormat: (d: number) => formatNumber(d, 3) },
    color: colorOptions(series.map((s) => s.name)),
  };
  const svg = grouped
    ? renderPlot({
      ...common,
      fx: { label: xLabel, domain: labels, labelOffset: 42 },
      x: { axis: null, domain: series.map((s) => s.name) },
      marks: [
        Plot.barY(rows, { fx: "label", x: "series", y: "value", fill: "series" }),
        Plot.ruleY([0]),
      ],
    })
    : renderPlot({
      ...common,
      x: { label: xLabel, domain: labels, labelOffset: 42 },
      marks: [
        Plot.barY(rows, { x: "label", y: "value", fill: "series" }),
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
    data: { labels, series: series.map((s) => ({ name: s.name, values: Array.from(s.values) })) },
    notes: [],
  };
}

/** Options of {@linkcode histogram}. */
export interface HistogramOptions {
  /** One or more named samples; several are overlaid, semi-transparent, with a legend. */
  series: { name: string; values: NumberArray }[];
  /** x-axis label, with units. */
  xLabel: string;
  /** y-axis label. @default {"count"} */
  yLabel?: string;
  /** Approximate number of bins. @default {Plot's choice (Sturges)} */
  bins?: number;
  /** Title drawn above the plot. @default {none} */
  title?: string;
  /** Width in CSS pixels. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
}

/**
 * Histogram of one or more samples (e.g. iteration counts per preconditioner).
 * Non-finite values are dropped with a note.
 *
 * @example
 * ```ts
 * import { histogram } from "./plots.ts";
 * const fig = histogram({
 *   series: [{ name: "Jacobi", values: [30, 31, 33, 35, 31] }],
 *   xLabel: "CG iterations",
 * });
 * console.assert(fig.svg.includes("count"));
 * ```
 */
export function histogram(options: HistogramOptions): PlotFigure {
  const { series, xLabel, yLabel = "count" } = options;
  const rows: { series: string; value: number }[] = [];
  let dropped = 0;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v)) rows.push({ series: s.name, value: v });
      else dropped++;
    }
  }
  const notes = dropped > 0 ? [`${dropped} non-finite value(s) omitted`] : [];
  const binned: Plot.BinXInputs<Plot.RectYOptions> & Plot.BinOptions = {
    x: "value",
    fill: "series",
    fillOpacity: series.length > 1 ? 0.5 : 0.85,
    ...(options.bins === undefined ? {} : { thresholds: options.bins }),
  };
  const svg = renderPlot({
    width: options.width ?? WIDTH,
    height: options.height ?? HEIGHT,
    marginLeft: 60,
    marginBottom: 40,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    x: { label: xLabel, tickFormat: (d: number) => formatNumber(d, 3) },
    y: { label: yLabel, grid: true },
    color: colorOptions(series.map((s) => s.name)),
    marks: [
      Plot.rectY(rows, Plot.binX({ y2: "count" }, binned)),
      Plot.ruleY([0]),
    ],
  });
  return {
    svg,
    data: { series: series.map((s) => ({ name: s.name, values: Array.from(s.values) })) },
    notes,
  };
}

/**
 * Colour schemes for {@linkcode heatmap}: sequential (`viridis` … `blues`)
 * and diverging (`rdbu`, `puor`, …; pair these with a symmetric `domain`).
 *
 * @example
 * ```ts
 * import type { HeatmapScheme } from "./plots.ts";
 * const scheme: HeatmapScheme = "magma";
 * ```
 */
export type HeatmapScheme =
  | "viridis"
  | "magma"
  | "inferno"
  | "plasma"
  | "cividis"
  | "turbo"
  | "blues"
  | "greens"
  | "greys"
  | "oranges"
  | "reds"
  | "ylgnbu"
  | "rdbu"
  | "rdylbu"
  | "puor"
  | "brbg"
  | "piyg";

/** Options of {@linkcode heatmap}. */
export interface HeatmapOptions {
  /** Field values, row-major with x fastest: `values[j·nx + i]` is cell (i, j); j = 0 is the bottom row. */
  values: NumberArray;
  /** Cells along x. */
  nx: number;
  /** Cells along y. */
  ny: number;
  /** Colour-legend label, with units, e.g. `"κ (W/m·K)"` or `"u"`. */
  label: string;
  /** Title drawn above the plot. @default {none} */
  title?: string;
  /** A d3 colour scheme name, e.g. `"viridis"`, `"magma"`, `"rdbu"`. @default {"viridis"} */
  colorScheme?: HeatmapScheme;
  /** Colour domain; give two heatmaps the same one to compare them. @default {[min, max] of values} */
  domain?: [number, number];
  /** Physical extent of the field. @default {{x: [0, 1], y: [0, 1]}} */
  extent?: { x: [number, number]; y: [number, number] };
  /** x-axis label. @default {"x"} */
  xLabel?: string;
  /** y-axis label. @default {"y"} */
  yLabel?: string;
  /** Width in CSS pixels; the height follows the extent's aspect ratio. @default {400} */
  width?: number;
}

/**
 * Heatmap of a 2-D field on a regular grid (a raster mark, embedded as a PNG
 * inside the SVG) with a colour legend. NaN cells are transparent.
 *
 * @example
 * ```ts
 * import { heatmap } from "./plots.ts";
 * const fig = heatmap({ values: new Float64Array([0, 1, 2, 3]), nx: 2, ny: 2, label: "u" });
 * console.assert(fig.svg.includes("data:image/png"));
 * ```
 */
export function heatmap(options: HeatmapOptions): PlotFigure {
  const { values, nx, ny, label } = options;
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) {
    throw new ShapeError(`Cannot plot heatmap: grid must be positive integers, got ${nx}x${ny}`);
  }
  if (values.length !== nx * ny) {
    throw new ShapeError(
      `Cannot plot heatmap: a ${nx}x${ny} grid needs ${nx * ny} values, got ${values.length}`,
    );
  }
  const extent = options.extent ?? { x: [0, 1], y: [0, 1] };
  const width = options.width ?? 400;
  const margin = { top: 10, right: 15, bottom: 40, left: 55 };
  const inner = width - margin.left - margin.right;
  const aspect = Math.abs((extent.y[1] - extent.y[0]) / (extent.x[1] - extent.x[0]));
  const height = Math.round(inner * Math.min(Math.max(aspect, 0.25), 2)) + margin.top +
    margin.bottom;
  let nonFinite = 0;
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) nonFinite++;
  const svg = renderPlot({
    width,
    height,
    marginTop: margin.top,
    marginRight: margin.right,
    marginBottom: margin.bottom,
    marginLeft: margin.left,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    x: {
      label: options.xLabel ?? "x",
      domain: extent.x,
      labelAnchor: "center",
      labelArrow: "none",
    },
    y: {
      label: options.yLabel ?? "y",
      domain: extent.y,
      labelAnchor: "center",
      labelArrow: "none",
    },
    color: {
      type: "linear",
      scheme: options.colorScheme ?? "viridis",
      legend: true,
      label,
      tickFormat: (d: number) => formatNumber(d, 3),
      ...(options.domain === undefined ? {} : { domain: options.domain }),
    },
    marks: [
      Plot.raster(Array.from(values), {
        width: nx,
        height: ny,
        x1: extent.x[0],
        x2: extent.x[1],
        y1: extent.y[0],
        y2: extent.y[1],
        imageRendering: "pixelated",
      }),
      Plot.frame(),
    ],
  });
  return {
    svg,
    data: { nx, ny, extent, label, values: Array.from(values) },
    notes: nonFinite > 0 ? [`${nonFinite} non-finite cell(s) left blank`] : [],
  };
}
