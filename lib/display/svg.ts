/**
 * A tiny, dependency-free SVG writer: escaped elements, a standalone
 * `<svg>` root with its namespace, and the marker shapes the plots share.
 * Nothing here touches a DOM, so it runs in notebooks, on the GPU machine
 * and in the report builder alike.
 *
 * @module
 */

/** The SVG namespace; every root `<svg>` gradsolve writes carries it. */
export const SVG_NS = "http://www.w3.org/2000/svg";

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for XML content and attribute values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./svg.ts";
 * assert.equal(escapeXml(`a<b & "c"`), "a&lt;b &amp; &quot;c&quot;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/** Attribute values of {@linkcode el}; `undefined` and `false` omit the attribute. */
export type Attributes = Record<string, string | number | boolean | undefined>;

// Short decimal form for coordinates.
function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

/**
 * One element: `el("rect", {x: 1, width: 2})` → `<rect x="1" width="2"/>`.
 * Attribute values are escaped; `children` is trusted markup (build it with
 * `el` or {@linkcode escapeXml}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { el } from "./svg.ts";
 * assert.equal(el("text", { x: 1.234, fill: "a&b" }, "hi"), '<text x="1.23" fill="a&amp;b">hi</text>');
 * assert.equal(el("line", { x1: 0, hidden: false }), '<line x1="0"/>');
 * ```
 */
export function el(tag: string, attrs: Attributes = {}, children?: string): string {
  let s = `<${tag}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    s += ` ${k}="${typeof v === "number" ? num(v) : escapeXml(String(v))}"`;
  }
  return children === undefined ? `${s}/>` : `${s}>${children}</${tag}>`;
}

/**
 * A standalone SVG document fragment of `width × height` CSS pixels with a
 * matching `viewBox` and the SVG namespace, so the markup displays both
 * inline in HTML and saved as a `.svg` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgRoot } from "./svg.ts";
 * const svg = svgRoot(100, 50, "<g/>");
 * assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"'));
 * ```
 */
export function svgRoot(
  width: number,
  height: number,
  body: string,
  attrs: Attributes = {},
): string {
  return el("svg", {
    xmlns: SVG_NS,
    width,
    height,
    viewBox: `0 0 ${num(width)} ${num(height)}`,
    "font-family": "system-ui, sans-serif",
    "font-size": 11,
    ...attrs,
  }, body);
}

/**
 * Adds `xmlns="http://www.w3.org/2000/svg"` to every `<svg` start tag in
 * `markup` that lacks one (server-side DOMs omit it in `outerHTML`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSvgNamespace } from "./svg.ts";
 * assert.equal(withSvgNamespace('<svg width="1"></svg>'), '<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg>');
 * ```
 */
export function withSvgNamespace(markup: string): string {
  return markup.replace(/<svg(?=[\s>/])(?![^>]*\sxmlns=)/g, `<svg xmlns="${SVG_NS}"`);
}

/**
 * Marker shapes, in the order series receive them. Filled shapes are drawn
 * as outlines so a marker never hides one beneath it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SYMBOLS } from "./svg.ts";
 * assert.equal(SYMBOLS[0], "circle");
 * ```
 */
export const SYMBOLS = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "times",
  "plus",
  "star",
  "wye",
] as const;

/** One of the {@linkcode SYMBOLS}. */
export type SymbolName = (typeof SYMBOLS)[number];

/**
 * Path data of a marker centred at `(x, y)` with "radius" `r` (the shapes
 * are sized to look alike: about the area of a circle of radius `r`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symbolPath } from "./svg.ts";
 * assert.equal(symbolPath("square", 10, 10, 2), "M8.23,8.23h3.54v3.54h-3.54Z");
 * ```
 */
export function symbolPath(symbol: SymbolName, x: number, y: number, r: number): string {
  const p = (pts: [number, number][]) =>
    "M" + pts.map(([px, py]) => `${num(x + px)},${num(y + py)}`).join("L") + "Z";
  switch (symbol) {
    case "circle":
      return `M${num(x - r)},${num(y)}a${num(r)},${num(r)} 0 1,0 ${num(2 * r)},0a${num(r)},${
        num(r)
      } 0 1,0 ${num(-2 * r)},0Z`;
    case "square": {
      const h = r * 0.886;
      return `M${num(x - h)},${num(y - h)}h${num(2 * h)}v${num(2 * h)}h${num(-2 * h)}Z`;
    }
    case "triangle": {
      const s = r * 1.35;
      return p([[0, -s], [s * 0.866, s * 0.5], [-s * 0.866, s * 0.5]]);
    }
    case "diamond": {
      const s = r * 1.25;
      return p([[0, -s], [s * 0.8, 0], [0, s], [-s * 0.8, 0]]);
    }
    case "times": {
      const s = r * 0.9;
      return `M${num(x - s)},${num(y - s)}L${num(x + s)},${num(y + s)}M${num(x - s)},${
        num(y + s)
      }L${num(x + s)},${num(y - s)}`;
    }
    case "plus": {
      const s = r * 1.15;
      return `M${num(x - s)},${num(y)}L${num(x + s)},${num(y)}M${num(x)},${num(y - s)}L${num(x)},${
        num(y + s)
      }`;
    }
    case "star": {
      const pts: [number, number][] = [];
      for (let k = 0; k < 10; k++) {
        const a = -Math.PI / 2 + (k * Math.PI) / 5, rr = k % 2 === 0 ? r * 1.4 : r * 0.6;
        pts.push([rr * Math.cos(a), rr * Math.sin(a)]);
      }
      return p(pts);
    }
    case "wye": {
      const s = r * 1.2;
      return [0, 1, 2].map((k) => {
        const a = -Math.PI / 2 + (k * 2 * Math.PI) / 3;
        return `M${num(x)},${num(y)}L${num(x + s * Math.cos(a))},${num(y + s * Math.sin(a))}`;
      }).join("");
    }
  }
}
