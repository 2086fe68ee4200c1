/**
 * Renders an Observable Plot specification to an SVG (or, with legends, an
 * HTML `<figure>`) string at generation time, through a server-side DOM.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { withSvgNamespace } from "../display/svg.ts";
import { PngCanvas } from "./png_canvas.ts";

/**
 * An Observable Plot options object (`width`, `x`, `y`, `color`, `marks`, …),
 * as passed to `Plot.plot`; Plot validates it when it renders.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import assert from "node:assert/strict";
 * import { type PlotSpec, renderPlot } from "./render_plot.ts";
 * const spec: PlotSpec = { width: 640, marks: [Plot.lineY([1, 2, 3])] };
 * assert.ok(renderPlot(spec).includes('width="640"'));
 * ```
 *
 * @category Reports
 */
export interface PlotSpec {
  /** Plot marks, e.g. `Plot.line(data, {x: "x", y: "y"})`. */
  readonly marks?: readonly unknown[];
  /** Any other option of `Plot.plot`. */
  readonly [option: string]: unknown;
}

interface ServerDocument {
  createElement(tag: string, options?: unknown): unknown;
}

/** A linkedom document whose `createElement("canvas")` returns a {@linkcode PngCanvas}. */
function plotDocument(): ServerDocument {
  const window = parseHTML("<!doctype html><html><head></head><body></body></html>");
  const { document } = window as unknown as { document: ServerDocument };
  const createElement = document.createElement.bind(document);
  const patched = (tag: string, options?: unknown): unknown =>
    tag.toLowerCase() === "canvas" ? new PngCanvas() : createElement(tag, options);
  Object.defineProperty(document, "createElement", { value: patched });
  return document;
}

/**
 * Renders `spec` with Observable Plot and returns the markup: an `<svg>`,
 * or a `<figure>` holding the legend and the `<svg>`. Raster marks and colour
 * ramps become inline PNG `data:` URLs, so the markup references nothing
 * outside itself; every `<svg>` carries `xmlns="http://www.w3.org/2000/svg"`,
 * so the markup also displays when saved as a `.svg` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "@observablehq/plot";
 * import { renderPlot } from "./render_plot.ts";
 * const svg = renderPlot({ marks: [Plot.lineY([1, 3, 2])] });
 * assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
 * ```
 *
 * @category Reports
 */
export function renderPlot(spec: PlotSpec): string {
  const document = plotDocument() as unknown as Plot.PlotOptions["document"];
  const node = Plot.plot({ ...(spec as Plot.PlotOptions), document });
  return withSvgNamespace(node.outerHTML);
}
