/**
 * Figure helpers for reports: each builds an Observable Plot figure, renders
 * it to inline SVG at generation time and keeps the numbers behind it, so
 * {@linkcode Report.figure} can store them in the report's JSON.
 *
 * Series are told apart by more than colour: the colour-blind-safe
 * Okabe–Ito palette, a marker shape per series (outlined, staggered along
 * long series so markers do not pile up), and dash patterns once colours
 * repeat. Log axes get several readable ticks (`10⁻⁸`, `2×10⁵`), and no
 * figure is wider than the report's content column.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { ShapeError } from "../errors.ts";
import { attachDisplay, figureDisplay } from "../display/bundles.ts";
import { DASH_ORDER, DASHES, type DashName, PALETTE, seriesStyle } from "../display/palette.ts";
import { el, escapeXml, SVG_NS, type SymbolName, symbolPath } from "../display/svg.ts";
import { linearTicks, logTicks, tickFormatter } from "../display/ticks.ts";
import { formatNumber } from "./format_number.ts";
import { CONTENT_WIDTH } from "./page.ts";
import { renderPlot } from "./render_plot.ts";

/**
 * A rendered figure: its markup, the numbers behind it, and notes for the caption.
 *
 * @category Reports
 */
export interface PlotFigure {
  /** Inline `<svg>` (or `<figure>` with legend) markup. */
  readonly svg: string;
  /** The numbers the figure shows, as given (before any log-scale filtering). */
  readonly data: Record<string, unknown>;
  /** Remarks a reader needs, e.g. how many points a log scale dropped. */
  readonly notes: readonly string[];
}

/**
 * Numbers accepted by the helpers.
 *
 * @category Reports
 */
export type NumberArray = ArrayLike<number>;

/**
 * One named (x, y) series of a line or scatter plot, with optional styling.
 *
 * @category Reports
 */
export interface XYSeries {
  /** Legend text. */
  name: string;
  /** x values. */
  x: NumberArray;
  /** y values, same length as `x`. */
  y: NumberArray;
  /** Stroke colour (any CSS colour). @default {the series' Okabe–Ito colour} */
  color?: string;
  /** Dash pattern of the line. @default {"solid", then a new pattern each time colours repeat} */
  dash?: DashName;
  /** Marker shape, or `"none"`. @default {a shape per series; see XYPlotOptions.markers} */
  marker?: SymbolName | "none";
  /** Line and marker opacity, 0–1. @default {XYPlotOptions.opacity} */
  opacity?: number;
  /** Line width in px. @default {1.8} */
  strokeWidth?: number;
}

/**
 * Where markers go: `"auto"` marks every point of short series (≤ 40
 * points) and about a dozen staggered points of longer ones when there are
 * several series; `"all"` marks every point; `"sparse"` always marks about a
 * dozen staggered points; `"none"` draws lines only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linePlot, type MarkerMode } from "./plots.ts";
 * const series = [{ name: "CG", x: [1, 2, 3], y: [3, 2, 1] }];
 * const svg = (markers: MarkerMode) => linePlot({ series, markers, xLabel: "k", yLabel: "r" }).svg;
 * assert.notEqual(svg("all"), svg("none"));
 * ```
 *
 * @category Reports
 */
export type MarkerMode = "auto" | "all" | "sparse" | "none";

/**
 * Options shared by the x–y plots.
 *
 * @category Reports
 */
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
  /** Width in CSS pixels, at most {@linkcode CONTENT_WIDTH}. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
  /** Marker placement. @default {"auto"} */
  markers?: MarkerMode;
  /**
   * Drawing order: `"given"` draws the first series first (the last ends on
   * top); `"reverse"` draws the first series last, on top. @default {"given"}
   */
  drawOrder?: "given" | "reverse";
  /** Opacity of every series without its own `opacity`, 0–1. @default {1} */
  opacity?: number;
  /**
   * Draw a thin white outline under each line, so a line crossing another
   * stays visible. @default {false}
   */
  halo?: boolean;
}

const WIDTH = 640;
const HEIGHT = 400;
const SINGLE_COLOR = PALETTE[0]!;
const STYLE = { fontSize: "12px", overflow: "visible" } as const;
const MARGIN_LEFT = 64;

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

// Rows of each series, dropping what a log axis cannot show.
function xyRows(
  series: XYSeries[],
  logX: boolean,
  logY: boolean,
  notes: string[],
): XYRow[][] {
  const out: XYRow[][] = [];
  let droppedX = 0, droppedY = 0;
  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new ShapeError(
        `Cannot plot series "${s.name}": x has ${s.x.length} values but y has ${s.y.length}`,
      );
    }
    const rows: XYRow[] = [];
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
    out.push(rows);
  }
  if (droppedX > 0) {
    notes.push(`${droppedX} point(s) with x ≤ 0 or NaN omitted from the log x axis`);
  }
  if (droppedY > 0) {
    notes.push(`${droppedY} point(s) with y ≤ 0 or NaN omitted from the log y axis`);
  }
  return out;
}

function valueRange(values: number[]): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Observable Plot scale options for one axis, as {@linkcode axisOptions} builds them. */
export interface AxisOptions {
  /** Axis label. */
  label: string;
  /** `"log"` for a logarithmic axis; linear when absent. */
  type?: "log";
  /** Grid lines at the ticks. */
  grid: boolean;
  /** Tick positions. */
  ticks?: number[];
  /** Tick label formatter. */
  tickFormat?: (d: number) => string;
}

/**
 * Axis options for the plot helpers: explicit ticks (several per axis, see
 * `logTicks`) and labels in one consistent form (`tickFormatter`).
 * `pixels` is the axis length, which sets how many linear ticks fit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axisOptions } from "./plots.ts";
 * const y = axisOptions("residual", true, [1e-9, 1e-3, 1], 400);
 * assert.deepEqual(y.ticks, [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
 * assert.equal((y.tickFormat as (d: number) => string)(1e-9), "10⁻⁹");
 * ```
 *
 * @category Reports
 */
export function axisOptions(
  label: string,
  log: boolean,
  values: number[],
  pixels: number,
): AxisOptions {
  const range = valueRange(log ? values.filter((v) => v > 0) : values);
  const base: AxisOptions = log ? { type: "log", label, grid: true } : { label, grid: true };
  if (range === undefined) return base;
  const [lo, hi] = range;
  let ticks: number[];
  if (log) {
    ticks = logTicks(lo, hi);
  } else {
    const pad = lo === hi ? Math.max(Math.abs(lo) * 0.1, 1) : 0;
    ticks = linearTicks(lo - pad, hi + pad, Math.max(3, Math.round(pixels / 90)));
  }
  return { ...base, ticks, tickFormat: tickFormatter(ticks, { log }) };
}

// Plot hands a log scale's tick labels to d3's log tickFormat, which blanks
// some of them (`5`, `50` between `2` and `10`…). So log axes are drawn as
// explicit axis and grid marks whose text is our label.
function logAxes(
  axes: { x: AxisOptions; y: AxisOptions },
  marks: Plot.Markish[],
): { x: Plot.ScaleOptions; y: Plot.ScaleOptions; marks: Plot.Markish[] } {
  const extra: Plot.Markish[] = [];
  const scale = (dim: "x" | "y", a: AxisOptions): Plot.ScaleOptions => {
    if (a.type !== "log" || a.ticks === undefined || a.tickFormat === undefined) return a;
    const format = a.tickFormat;
    const text = (d: number) => format(d);
    if (dim === "x") {
      extra.push(Plot.gridX(a.ticks), Plot.axisX(a.ticks, { text, label: a.label }));
    } else {
      extra.push(Plot.gridY(a.ticks), Plot.axisY(a.ticks, { text, label: a.label }));
    }
    return { type: "log", label: a.label };
  };
  const x = scale("x", axes.x), y = scale("y", axes.y);
  return { x, y, marks: [...extra, ...marks] };
}

function colorOptions(names: string[]): Plot.ScaleOptions {
  const range = names.map((_, i) => PALETTE[i % PALETTE.length]!);
  return names.length > 1
    ? { legend: true, domain: names, range }
    : { domain: names, range: [SINGLE_COLOR] };
}

interface ResolvedSeries {
  readonly name: string;
  readonly color: string;
  readonly dash: DashName;
  readonly marker: SymbolName | "none";
  readonly opacity: number;
  readonly width: number;
}

function resolveStyles(options: XYPlotOptions, lines: boolean): ResolvedSeries[] {
  const n = options.series.length;
  return options.series.map((s, i) => {
    const d = seriesStyle(i);
    return {
      name: s.name,
      color: s.color ?? (n === 1 ? SINGLE_COLOR : d.color),
      dash: s.dash ?? (lines ? d.dash : "solid"),
      marker: s.marker ?? d.marker,
      opacity: s.opacity ?? options.opacity ?? 1,
      width: s.strokeWidth ?? 1.8,
    };
  });
}

// Indices of the points that carry markers: all, or about a dozen evenly
// spaced ones, shifted per series so markers of overlapping series interleave.
function markerIndices(n: number, all: boolean, series: number, of: number): number[] {
  if (all || n <= 12) return Array.from({ length: n }, (_, i) => i);
  const stride = Math.max(1, Math.floor(n / 12));
  return staggered(n, stride, Math.floor((series * stride) / Math.max(1, of)));
}

function staggered(n: number, stride: number, phase: number): number[] {
  const out: number[] = [];
  for (let i = phase % stride; i < n; i += stride) out.push(i);
  return out;
}

/** Where each series lies on top of an earlier one: its group's first series, place and size. */
interface Coincidence {
  readonly first: number;
  readonly place: number;
  readonly size: number;
}

// Series drawn on the same points (x equal, y within 1e-9 relative) would
// hide one another; find them so they can be dashed and their markers alternated.
function coincidences(rows: XYRow[][]): (Coincidence | undefined)[] {
  const same = (a: XYRow[], b: XYRow[]) =>
    a.length > 0 && a.length === b.length && a.every((p, k) => {
      const q = b[k]!;
      return p.x === q.x && Math.abs(p.y - q.y) <= 1e-9 * Math.max(Math.abs(p.y), Math.abs(q.y));
    });
  const first = rows.map((_, j) => {
    for (let i = 0; i < j; i++) if (same(rows[i]!, rows[j]!)) return i;
    return j;
  });
  // Resolve chains to the group's first member.
  for (let j = 0; j < first.length; j++) first[j] = first[first[j]!]!;
  const size = first.map((f) => first.filter((g) => g === f).length);
  return first.map((f, j) =>
    size[j]! < 2 ? undefined : {
      first: f,
      place: first.slice(0, j).filter((g) => g === f).length,
      size: size[j]!,
    }
  );
}

/**
 * A legend as HTML with one swatch per series (line, dash and marker in the
 * series' colour), wrapped onto several rows when needed. Inline styles, so
 * it also reads outside a report page (notebooks, saved HTML).
 */
function legendHtml(styles: ResolvedSeries[], lines: boolean, width: number): string {
  const items = styles.map((s) => {
    const swatch = el(
      "svg",
      { xmlns: SVG_NS, width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true" },
      (lines
        ? el("line", {
          x1: 1,
          x2: 29,
          y1: 7,
          y2: 7,
          stroke: s.color,
          "stroke-width": s.width,
          "stroke-dasharray": DASHES[s.dash],
          "stroke-opacity": s.opacity,
        })
        : "") +
        (s.marker === "none" ? "" : el("path", {
          d: symbolPath(s.marker, 15, 7, 3.5),
          fill: "none",
          stroke: s.color,
          "stroke-width": 1.5,
          "stroke-opacity": s.opacity,
        })),
    );
    return `<span class="gs-swatch" style="display:inline-flex;align-items:center;gap:4px;` +
      `white-space:nowrap">${swatch}${escapeXml(s.name)}</span>`;
  });
  return `<div class="gs-legend" style="display:flex;flex-wrap:wrap;gap:2px 14px;` +
    `font:12px/1.5 system-ui,sans-serif;margin:0 0 6px;padding-left:${MARGIN_LEFT}px;` +
    `max-width:${width}px;box-sizing:border-box">${items.join("")}</div>`;
}

/** The frame shared by line and scatter plots: size, margins, labelled axes, legend. */
function xyFigure(
  options: XYPlotOptions,
  rows: XYRow[][],
  lines: boolean,
  extra: Plot.Markish[] = [],
  notes?: string[],
): string {
  const { xLabel, yLabel, logX = false, logY = false } = options;
  const width = Math.min(options.width ?? WIDTH, CONTENT_WIDTH);
  const height = options.height ?? HEIGHT;
  const styles = resolveStyles(options, lines);
  const groups = lines ? coincidences(rows) : rows.map(() => undefined);
  groups.forEach((g, i) => {
    if (g === undefined || g.place === 0) return;
    if (options.series[i]!.dash === undefined && styles[i]!.dash === "solid") {
      styles[i] = { ...styles[i]!, dash: DASH_ORDER[g.place % DASH_ORDER.length]! };
    }
    notes?.push(
      `"${options.series[i]!.name}" lies on "${options.series[g.first]!.name}" ` +
        `(drawn ${styles[i]!.dash}, markers alternate)`,
    );
  });
  const mode = options.markers ?? "auto";
  const longest = Math.max(0, ...rows.map((r) => r.length));
  const marks: Plot.Markish[] = [...extra];
  const order = rows.map((_, i) => i);
  if (options.drawOrder === "reverse") order.reverse();
  for (const i of order) {
    const s = styles[i]!, data = rows[i]!;
    if (lines) {
      if (options.halo) {
        marks.push(
          Plot.line(data, { x: "x", y: "y", stroke: "white", strokeWidth: s.width + 2.5 }),
        );
      }
      marks.push(Plot.line(data, {
        x: "x",
        y: "y",
        stroke: s.color,
        strokeWidth: s.width,
        strokeOpacity: s.opacity,
        ...(DASHES[s.dash] === undefined ? {} : { strokeDasharray: DASHES[s.dash] }),
      }));
    }
    const showMarkers = s.marker !== "none" && mode !== "none" &&
      (!lines || mode !== "auto" || rows.length > 1 || longest <= 40);
    if (showMarkers) {
      const all = !lines || mode === "all" || (mode === "auto" && longest <= 40);
      const g = groups[i];
      const indices = g === undefined ? markerIndices(data.length, all, i, rows.length) : staggered(
        data.length,
        Math.max(g.size, all ? 1 : Math.floor(data.length / 12)),
        g.place,
      );
      const picked = indices.map((k) => data[k]!);
      marks.push(Plot.dot(picked, {
        x: "x",
        y: "y",
        symbol: s.marker,
        stroke: s.color,
        fill: "none",
        strokeWidth: 1.4,
        strokeOpacity: s.opacity,
        r: lines ? 3.2 : 3.6,
      }));
    }
  }
  const flat = rows.flat();
  const svg = renderPlot({
    width,
    height,
    marginLeft: MARGIN_LEFT,
    marginBottom: 40,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...logAxes({
      x: axisOptions(xLabel, logX, flat.map((r) => r.x), width - MARGIN_LEFT),
      y: axisOptions(yLabel, logY, flat.map((r) => r.y), height - 60),
    }, marks),
  });
  if (styles.length < 2) return svg;
  return `<figure class="gs-figure" style="margin:0;max-width:${width}px">${
    legendHtml(styles, lines, width)
  }${svg}</figure>`;
}

/**
 * Line chart of one or more series (convergence histories, loss curves).
 * With several series each gets its own colour and marker shape (markers
 * staggered along long series). A series that lies exactly on an earlier one
 * is drawn dashed with alternating markers, and a note says so; see
 * {@linkcode XYPlotOptions} for dash, order and opacity options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linePlot } from "./plots.ts";
 * const fig = linePlot({
 *   series: [
 *     { name: "CG", x: [1, 2, 3], y: [1, 1e-3, 1e-7] },
 *     { name: "MINRES", x: [1, 2, 3], y: [1, 1e-3, 1e-7], dash: "dashed" },
 *   ],
 *   xLabel: "iteration",
 *   yLabel: "relative residual ‖r‖/‖b‖",
 *   logY: true,
 *   drawOrder: "reverse",
 * });
 * assert.ok(fig.svg.includes("<svg") && fig.svg.includes("stroke-dasharray"));
 * ```
 *
 * @category Reports
 */
export function linePlot(options: XYPlotOptions): PlotFigure {
  const { series, logX = false, logY = false } = options;
  const notes: string[] = [];
  const rows = xyRows(series, logX, logY, notes);
  const svg = xyFigure(options, rows, true, [], notes);
  return attachDisplay({ svg, data: seriesData(series), notes }, figureDisplay);
}

/**
 * Scatter plot of one or more series, optionally with the `y = x` diagonal
 * (for "estimate vs reference" comparisons). Each series has its own
 * outlined marker shape, so coincident points of two series both show.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterPlot } from "./plots.ts";
 * const fig = scatterPlot({
 *   series: [{ name: "implicit", x: [0.1, 0.2], y: [0.1, 0.21] }],
 *   xLabel: "finite-difference gradient",
 *   yLabel: "implicit gradient",
 *   diagonal: true,
 * });
 * assert.ok(fig.svg.includes("<svg"));
 * ```
 *
 * @category Reports
 */
export function scatterPlot(options: XYPlotOptions & { diagonal?: boolean }): PlotFigure {
  const { series, logX = false, logY = false } = options;
  const notes: string[] = [];
  const rows = xyRows(series, logX, logY, notes);
  const extra: Plot.Markish[] = [];
  const all = rows.flat().flatMap((r) => [r.x, r.y]).filter(Number.isFinite);
  if (options.diagonal && all.length > 0) {
    const lo = Math.min(...all), hi = Math.max(...all);
    extra.push(
      Plot.line([{ x: lo, y: lo }, { x: hi, y: hi }], {
        x: "x",
        y: "y",
        stroke: "#888",
        strokeDasharray: "4,3",
      }),
    );
    notes.push("Dashed line: y = x");
  }
  const svg = xyFigure(options, rows, false, extra);
  return attachDisplay({ svg, data: seriesData(series), notes }, figureDisplay);
}

/**
 * Options of {@linkcode barPlot}.
 *
 * @category Reports
 */
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
  /** Width in CSS pixels, at most {@linkcode CONTENT_WIDTH}. @default {640} */
  width?: number;
  /** Height in CSS pixels. @default {400} */
  height?: number;
}

/**
 * Bar chart: one bar per label, or grouped bars (one per series, Okabe–Ito
 * colours) with a legend. Single-series bars carry their value as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barPlot } from "./plots.ts";
 * const fig = barPlot({
 *   labels: ["none", "Jacobi", "IC(0)"],
 *   series: [{ name: "iterations", values: [212, 140, 61] }],
 *   xLabel: "preconditioner",
 *   yLabel: "CG iterations",
 * });
 * assert.ok(fig.svg.includes("Jacobi"));
 * ```
 *
 * @category Reports
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
  const width = Math.min(options.width ?? WIDTH, CONTENT_WIDTH);
  const height = options.height ?? HEIGHT;
  const common = {
    width,
    height,
    marginLeft: MARGIN_LEFT,
    marginBottom: 50,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    y: axisOptions(yLabel, false, [0, ...rows.map((r) => r.value)], height - 70),
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
  return attachDisplay({
    svg,
    data: { labels, series: series.map((s) => ({ name: s.name, values: Array.from(s.values) })) },
    notes: [],
  }, figureDisplay);
}

/**
 * Options of {@linkcode histogram}.
 *
 * @category Reports
 */
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
 * import assert from "node:assert/strict";
 * import { histogram } from "./plots.ts";
 * const fig = histogram({
 *   series: [{ name: "Jacobi", values: [30, 31, 33, 35, 31] }],
 *   xLabel: "CG iterations",
 * });
 * assert.ok(fig.svg.includes("count"));
 * ```
 *
 * @category Reports
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
  const width = Math.min(options.width ?? WIDTH, CONTENT_WIDTH);
  const svg = renderPlot({
    width,
    height: options.height ?? HEIGHT,
    marginLeft: MARGIN_LEFT,
    marginBottom: 40,
    style: STYLE,
    ...(options.title === undefined ? {} : { title: options.title }),
    // Bins reach past the data, so Plot picks the ticks; the labels use one form.
    x: {
      label: xLabel,
      tickFormat: tickFormatter(
        linearTicks(...(valueRange(rows.map((r) => r.value)) ?? [0, 1]), 5),
      ),
    },
    y: { label: yLabel, grid: true },
    color: colorOptions(series.map((s) => s.name)),
    marks: [
      Plot.rectY(rows, Plot.binX({ y2: "count" }, binned)),
      Plot.ruleY([0]),
    ],
  });
  return attachDisplay({
    svg,
    data: { series: series.map((s) => ({ name: s.name, values: Array.from(s.values) })) },
    notes,
  }, figureDisplay);
}

/**
 * Colour schemes for {@linkcode heatmap}: sequential (`viridis` … `blues`)
 * and diverging (`rdbu`, `puor`, …; pair these with a symmetric `domain`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmap, type HeatmapScheme } from "./plots.ts";
 * const scheme: HeatmapScheme = "magma";
 * const fig = heatmap({ values: new Float64Array([0, 1, 2, 3]), nx: 2, ny: 2, label: "u", colorScheme: scheme });
 * assert.ok(fig.svg.includes("data:image/png"));
 * ```
 *
 * @category Reports
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

/**
 * Options of {@linkcode heatmap}.
 *
 * @category Reports
 */
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
 * import assert from "node:assert/strict";
 * import { heatmap } from "./plots.ts";
 * const fig = heatmap({ values: new Float64Array([0, 1, 2, 3]), nx: 2, ny: 2, label: "u" });
 * assert.ok(fig.svg.includes("data:image/png"));
 * ```
 *
 * @category Reports
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
  const width = Math.min(options.width ?? 400, CONTENT_WIDTH);
  const margin = { top: 10, right: 15, bottom: 40, left: 55 };
  const inner = width - margin.left - margin.right;
  const aspect = Math.abs((extent.y[1] - extent.y[0]) / (extent.x[1] - extent.x[0]));
  const height = Math.round(inner * Math.min(Math.max(aspect, 0.25), 2)) + margin.top +
    margin.bottom;
  let nonFinite = 0;
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) nonFinite++;
  const colorDomain: [number, number] = options.domain ??
    valueRange(Array.from(values)) ?? [0, 1];
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
      tickFormat: tickFormatter(linearTicks(...colorDomain, 5)),
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
  return attachDisplay({
    svg,
    data: { nx, ny, extent, label, values: Array.from(values) },
    notes: nonFinite > 0 ? [`${nonFinite} non-finite cell(s) left blank`] : [],
  }, figureDisplay);
}
