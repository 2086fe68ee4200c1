/**
 * gradsolve's figure helpers, for reports and notebooks: line, scatter, bar,
 * histogram and heatmap plots (Observable Plot, rendered to inline SVG at
 * generation time, with the numbers behind each figure kept beside it), plus
 * dependency-free residual and spy plots, the colour-blind-safe palette,
 * marker shapes and dash patterns, and readable log-axis ticks.
 *
 * Every figure displays in Deno's Jupyter kernel: it has a
 * `[Symbol.for("Jupyter.display")]()` method returning a MIME bundle.
 *
 * @example Plot two convergence histories
 * ```ts
 * import assert from "node:assert/strict";
 * import { linePlot, PALETTE } from "@gradsolve/gradsolve/plot";
 *
 * const fig = linePlot({
 *   series: [
 *     { name: "CG", x: [0, 1, 2, 3], y: [1, 1e-2, 1e-5, 1e-9] },
 *     { name: "MINRES", x: [0, 1, 2, 3], y: [1, 1e-2, 1e-5, 1e-9], dash: "dashed" },
 *   ],
 *   xLabel: "iteration",
 *   yLabel: "‖r‖/‖b‖",
 *   logY: true,
 * });
 * assert.ok(fig.svg.includes(PALETTE[0]!) && fig.svg.includes(">10⁻⁹<"));
 * ```
 *
 * @module
 */

export {
  type AxisOptions,
  axisOptions,
  barPlot,
  type BarPlotOptions,
  heatmap,
  type HeatmapOptions,
  type HeatmapScheme,
  histogram,
  type HistogramOptions,
  linePlot,
  type MarkerMode,
  type NumberArray,
  type PlotFigure,
  scatterPlot,
  type XYPlotOptions,
  type XYSeries,
} from "./lib/report/plots.ts";
export { type PlotSpec, renderPlot } from "./lib/report/render_plot.ts";
export { CONTENT_WIDTH } from "./lib/report/page.ts";
export {
  DASHES,
  type DashName,
  PALETTE,
  type SeriesStyle,
  seriesStyle,
} from "./lib/display/palette.ts";
export {
  type Attributes,
  el,
  escapeXml,
  SVG_NS,
  svgRoot,
  type SymbolName,
  symbolPath,
  SYMBOLS,
  withSvgNamespace,
} from "./lib/display/svg.ts";
export {
  linearTicks,
  logTicks,
  pow10Label,
  powerOfTen,
  tickFormatter,
  type TickFormatterOptions,
} from "./lib/display/ticks.ts";
export {
  residualPlot,
  type ResidualPlotOptions,
  type ResidualSeries,
} from "./lib/display/residual_plot.ts";
export { type SpyPattern, spyPlot, type SpyPlotOptions } from "./lib/display/spy_plot.ts";
export {
  attachDisplay,
  csrDisplay,
  type CsrFacts,
  figureDisplay,
  type FigureFacts,
  JUPYTER_DISPLAY,
  type MimeBundle,
  solveInfoDisplay,
  type SolveInfoFacts,
  solveResultDisplay,
  type SolveResultFacts,
  tensorDisplay,
  type TensorFacts,
} from "./lib/display/bundles.ts";
