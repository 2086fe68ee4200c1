/**
 * The part of the HTML canvas API that Observable Plot uses for raster marks
 * and colour-ramp legends (`fillRect`, `createImageData`, `putImageData`,
 * `toDataURL`), backed by a pixel buffer and the PNG encoder. A server-side
 * DOM has no canvas; with this one, heatmaps render to an inline PNG.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { GradsolveError } from "../errors.ts";
import { encodePng } from "./png.ts";

/**
 * Pixels handed between {@linkcode PngContext2d} and its caller.
 *
 * @category Reports
 */
export interface PngImageData {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** RGBA bytes, row-major, top row first. */
  readonly data: Uint8ClampedArray;
}

/**
 * Parses the colour strings d3 and Plot produce: `#rgb`, `#rrggbb`,
 * `rgb(r, g, b)` and `rgba(r, g, b, a)`. Returns `[r, g, b, a]`, each 0–255.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseColor } from "./png_canvas.ts";
 * assert.equal(parseColor("rgb(68, 1, 84)")[2], 84);
 * ```
 *
 * @category Reports
 */
export function parseColor(style: string): [number, number, number, number] {
  const s = style.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
  if (hex) {
    const h = hex[1]!;
    const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
    return [
      parseInt(full.slice(0, 2), 16),
      parseInt(full.slice(2, 4), 16),
      parseInt(full.slice(4, 6), 16),
      255,
    ];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s);
  if (fn) {
    const parts = fn[1]!.split(/[\s,/]+/).filter((p) => p !== "").map(Number);
    if ((parts.length === 3 || parts.length === 4) && parts.every(Number.isFinite)) {
      const [r, g, b, a = 1] = parts as [number, number, number, number?];
      return [r, g, b, Math.round(a * 255)];
    }
  }
  throw new GradsolveError(
    `Cannot parse canvas fill style: expected #hex or rgb(), got "${style}"`,
  );
}

/**
 * The 2-D context of a {@linkcode PngCanvas}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PngCanvas } from "./png_canvas.ts";
 * const canvas = new PngCanvas();
 * canvas.width = 2;
 * canvas.height = 1;
 * const ctx = canvas.getContext("2d");
 * ctx.fillStyle = "#ff0000";
 * ctx.fillRect(0, 0, 1, 1);
 * assert.deepEqual([...canvas.pixels.subarray(0, 8)], [255, 0, 0, 255, 0, 0, 0, 0]);
 * assert.ok(canvas.toDataURL().startsWith("data:image/png;base64,"));
 * ```
 *
 * @category Reports
 */
export class PngContext2d {
  /** Colour used by {@linkcode PngContext2d.fillRect}. @default {"#000000"} */
  fillStyle = "#000000";
  readonly #canvas: PngCanvas;

  /** Creates the context drawing into `canvas`. */
  constructor(canvas: PngCanvas) {
    this.#canvas = canvas;
  }

  /** Fills the pixels of the rectangle (clipped to the canvas) with `fillStyle`. */
  fillRect(x: number, y: number, w: number, h: number): void {
    const { width, height } = this.#canvas;
    const pixels = this.#canvas.pixels;
    const [r, g, b, a] = parseColor(this.fillStyle);
    const x0 = Math.max(0, Math.round(x)), x1 = Math.min(width, Math.round(x + w));
    const y0 = Math.max(0, Math.round(y)), y1 = Math.min(height, Math.round(y + h));
    for (let j = y0; j < y1; j++) {
      for (let i = x0; i < x1; i++) {
        const k = (j * width + i) * 4;
        pixels[k] = r;
        pixels[k + 1] = g;
        pixels[k + 2] = b;
        pixels[k + 3] = a;
      }
    }
  }

  /** Returns a transparent `w × h` image. */
  createImageData(w: number, h: number): PngImageData {
    return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
  }

  /** Copies `image` into the canvas with its top-left corner at `(dx, dy)`. */
  putImageData(image: PngImageData, dx: number, dy: number): void {
    const { width, height } = this.#canvas;
    const pixels = this.#canvas.pixels;
    for (let j = 0; j < image.height; j++) {
      const y = j + dy;
      if (y < 0 || y >= height) continue;
      for (let i = 0; i < image.width; i++) {
        const x = i + dx;
        if (x < 0 || x >= width) continue;
        const s = (j * image.width + i) * 4, t = (y * width + x) * 4;
        pixels[t] = image.data[s]!;
        pixels[t + 1] = image.data[s + 1]!;
        pixels[t + 2] = image.data[s + 2]!;
        pixels[t + 3] = image.data[s + 3]!;
      }
    }
  }
}

/**
 * A canvas whose pixels encode to a PNG `data:` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PngCanvas } from "./png_canvas.ts";
 * const canvas = new PngCanvas();
 * canvas.width = 1;
 * canvas.height = 1;
 * assert.ok(canvas.toDataURL().startsWith("data:image/png;base64,"));
 * ```
 *
 * @category Reports
 */
export class PngCanvas {
  #width = 300;
  #height = 150;
  #pixels: Uint8ClampedArray | undefined;

  /** Width in pixels; setting it clears the canvas. @default {300} */
  get width(): number {
    return this.#width;
  }
  set width(value: number) {
    this.#width = value;
    this.#pixels = undefined;
  }

  /** Height in pixels; setting it clears the canvas. @default {150} */
  get height(): number {
    return this.#height;
  }
  set height(value: number) {
    this.#height = value;
    this.#pixels = undefined;
  }

  /** RGBA bytes of the canvas, allocated on first use. */
  get pixels(): Uint8ClampedArray {
    this.#pixels ??= new Uint8ClampedArray(this.#width * this.#height * 4);
    return this.#pixels;
  }

  /** Returns the 2-D context; only `"2d"` exists. */
  getContext(kind: string): PngContext2d {
    if (kind !== "2d") {
      throw new GradsolveError(`Cannot get canvas context: only "2d" is supported, got "${kind}"`);
    }
    return new PngContext2d(this);
  }

  /** The canvas as a `data:image/png;base64,…` URL. */
  toDataURL(): string {
    const png = encodePng(this.#width, this.#height, this.pixels);
    return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
  }
}
