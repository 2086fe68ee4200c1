/**
 * A residual-history plot as hand-written SVG: log-scale relative residual
 * against iteration, one line per history. No DOM, no npm: used by the
 * notebook displays of solve results.
 *
 * @module
 */

import { DASHES, seriesStyle } from "./palette.ts";
import { el, escapeXml, svgRoot } from "./svg.ts";
import { linearTicks, logTicks, tickFormatter } from "./ticks.ts";

/** One residual history to draw. */
export interface ResidualSeries {
  /** Legend text, e.g. `"forward"` or `"adjoint"`. */
  readonly name: string;
  /** Relative residual per iteration (index 0 is the initial guess). */
  readonly values: readonly number[];
}

/** Options of {@linkcode residualPlot}. */
export interface ResidualPlotOptions {
  /** Width in CSS pixels. @default {480} */
  width?: number;
  /** Height in CSS pixels. @default {280} */
  height?: number;
  /** y-axis label. @default {"‖r‖/‖b‖"} */
  yLabel?: string;
  /** A horizontal dashed line, e.g. at the tolerance `rtol`. @default {none} */
  reference?: { value: number; label: string };
}

/**
 * Draws residual histories on a log axis. Non-positive and non-finite
 * values cannot be shown on it and are skipped; an empty plot says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { residualPlot } from "./residual_plot.ts";
 * const svg = residualPlot([{ name: "cg", values: [1, 1e-3, 1e-8] }], {
 *   reference: { value: 1e-6, label: "rtol" },
 * });
 * assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
 * assert.ok(svg.includes(">10⁻⁸<") && svg.includes("rtol"));
 * ```
 */
export function residualPlot(
  series: readonly ResidualSeries[],
  options: ResidualPlotOptions = {},
): string {
  const width = options.width ?? 480, height = options.height ?? 280;
  const legend = series.length > 1 ? 18 : 0;
  const m = { left: 58, right: 14, top: 14 + legend, bottom: 38 };
  const iw = width - m.left - m.right, ih = height - m.top - m.bottom;
  const positive = series.flatMap((s) => s.values.filter((v) => v > 0 && Number.isFinite(v)));
  if (options.reference && options.reference.value > 0) positive.push(options.reference.value);
  const maxLen = Math.max(1, ...series.map((s) => s.values.length));
  const parts: string[] = [];
  if (positive.length === 0) {
    parts.push(
      el("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "no residuals to plot"),
    );
    return svgRoot(width, height, parts.join(""));
  }
  let lo = Math.min(...positive), hi = Math.max(...positive);
  if (lo === hi) [lo, hi] = [lo / 10, hi * 10];
  const l0 = Math.log10(lo), l1 = Math.log10(hi);
  const xMax = Math.max(1, maxLen - 1);
  const sx = (i: number) => m.left + (i / xMax) * iw;
  const sy = (v: number) => m.top + ih - ((Math.log10(v) - l0) / (l1 - l0)) * ih;
  // Grid and y ticks.
  const yTicks = logTicks(lo, hi);
  const fy = tickFormatter(yTicks, { log: true });
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(el("line", { x1: m.left, x2: m.left + iw, y1: y, y2: y, stroke: "#e5e5e5" }));
    parts.push(el("text", { x: m.left - 6, y: y + 4, "text-anchor": "end" }, escapeXml(fy(t))));
  }
  const xTicks = linearTicks(0, xMax, 6).filter((t) => Number.isInteger(t));
  const fx = tickFormatter(xTicks);
  for (const t of xTicks) {
    const x = sx(t);
    parts.push(el("line", { x1: x, x2: x, y1: m.top + ih, y2: m.top + ih + 4, stroke: "#333" }));
    parts.push(el("text", { x, y: m.top + ih + 16, "text-anchor": "middle" }, escapeXml(fx(t))));
  }
  parts.push(
    el("rect", { x: m.left, y: m.top, width: iw, height: ih, fill: "none", stroke: "#333" }),
  );
  parts.push(
    el("text", { x: m.left + iw / 2, y: height - 6, "text-anchor": "middle" }, "iteration"),
  );
  parts.push(el(
    "text",
    {
      x: 14,
      y: m.top + ih / 2,
      "text-anchor": "middle",
      transform: `rotate(-90 14 ${m.top + ih / 2})`,
    },
    escapeXml(options.yLabel ?? "‖r‖/‖b‖"),
  ));
  if (options.reference && options.reference.value > 0) {
    const y = sy(options.reference.value);
    parts.push(
      el("line", {
        x1: m.left,
        x2: m.left + iw,
        y1: y,
        y2: y,
        stroke: "#888",
        "stroke-dasharray": "4,3",
      }),
    );
    parts.push(
      el(
        "text",
        { x: m.left + iw - 4, y: y - 4, "text-anchor": "end", fill: "#555" },
        escapeXml(options.reference.label),
      ),
    );
  }
  // Lines: a path per history, broken where a value cannot be drawn.
  series.forEach((s, k) => {
    const style = seriesStyle(k);
    let d = "", pen = false;
    s.values.forEach((v, i) => {
      if (!(v > 0) || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${sx(i).toFixed(1)},${sy(v).toFixed(1)}`;
      pen = true;
    });
    if (s.values.length === 1 && d !== "") d += `h0.01`;
    parts.push(el("path", {
      d: d || undefined,
      fill: "none",
      stroke: style.color,
      "stroke-width": 1.8,
      "stroke-dasharray": DASHES[k === 0 ? "solid" : k === 1 ? "dashed" : style.dash],
      "stroke-linecap": "round",
    }));
    if (legend > 0) {
      const x = m.left + k * 110;
      parts.push(
        el("line", {
          x1: x,
          x2: x + 22,
          y1: 10,
          y2: 10,
          stroke: style.color,
          "stroke-width": 1.8,
          "stroke-dasharray": DASHES[k === 0 ? "solid" : k === 1 ? "dashed" : style.dash],
        }),
      );
      parts.push(el("text", { x: x + 27, y: 14 }, escapeXml(s.name)));
    }
  });
  return svgRoot(width, height, parts.join(""), { role: "img", "aria-label": "residual history" });
}
