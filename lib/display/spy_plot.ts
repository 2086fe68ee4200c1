/**
 * A spy plot (where the stored entries of a sparse matrix are) as
 * hand-written SVG. Small matrices draw one square per entry; large ones
 * bin entries into at most `cells × cells` blocks shaded by how full they are.
 *
 * @module
 */

import { el, escapeXml, svgRoot } from "./svg.ts";

/** The parts of a CSR pattern a spy plot reads (a `CsrPattern` has them). */
export interface SpyPattern {
  /** Rows. */
  readonly nRows: number;
  /** Columns. */
  readonly nCols: number;
  /** Row pointers, length `nRows + 1`. */
  readonly rowPtr: ArrayLike<number>;
  /** Column index of each stored entry. */
  readonly colIdx: ArrayLike<number>;
}

/** Options of {@linkcode spyPlot}. */
export interface SpyPlotOptions {
  /** Length of the longer side of the matrix drawing, in CSS pixels. @default {240} */
  size?: number;
  /** At most this many blocks along each side before entries are binned. @default {size} */
  cells?: number;
  /** Colour of the entries. @default {"#0072b2"} */
  color?: string;
}

/**
 * Draws the pattern: row 0 at the top, column 0 at the left, like the
 * matrix on paper, with the shape and entry count underneath.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spyPlot } from "./spy_plot.ts";
 * // Tridiagonal 3×3: 7 entries.
 * const svg = spyPlot({ nRows: 3, nCols: 3, rowPtr: [0, 2, 5, 7], colIdx: [0, 1, 0, 1, 2, 1, 2] });
 * assert.equal(svg.match(/<rect class="nz"/g)?.length, 7);
 * assert.ok(svg.includes("3 × 3, 7 stored"));
 * ```
 */
export function spyPlot(pattern: SpyPattern, options: SpyPlotOptions = {}): string {
  const { nRows, nCols, rowPtr, colIdx } = pattern;
  const size = options.size ?? 240, maxCells = options.cells ?? size;
  const color = options.color ?? "#0072b2";
  const longer = Math.max(1, nRows, nCols);
  const w = Math.max(8, Math.round((size * Math.max(1, nCols)) / longer));
  const h = Math.max(8, Math.round((size * Math.max(1, nRows)) / longer));
  const pad = 6, caption = 22;
  const nnz = nRows > 0 ? rowPtr[nRows]! : 0;
  const parts: string[] = [];
  const binned = Math.max(nRows, nCols) > maxCells;
  const br = binned ? Math.min(nRows, maxCells) : nRows;
  const bc = binned ? Math.min(nCols, maxCells) : nCols;
  const cw = w / Math.max(1, bc), ch = h / Math.max(1, br);
  // Entries drawn large get a hairline gap, so neighbours stay countable.
  const gap = Math.min(cw, ch) >= 6 ? Math.min(cw, ch) * 0.06 : 0;
  if (!binned) {
    for (let i = 0; i < nRows; i++) {
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
        parts.push(el("rect", {
          class: "nz",
          x: pad + colIdx[k]! * cw + gap,
          y: pad + i * ch + gap,
          width: Math.max(cw - 2 * gap, 0.8),
          height: Math.max(ch - 2 * gap, 0.8),
          fill: color,
        }));
      }
    }
  } else {
    const counts = new Float64Array(br * bc);
    for (let i = 0; i < nRows; i++) {
      const bi = Math.min(br - 1, Math.floor((i * br) / nRows));
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
        const bj = Math.min(bc - 1, Math.floor((colIdx[k]! * bc) / nCols));
        counts[bi * bc + bj]! += 1;
      }
    }
    let max = 0;
    for (const c of counts) if (c > max) max = c;
    for (let bi = 0; bi < br; bi++) {
      for (let bj = 0; bj < bc; bj++) {
        const c = counts[bi * bc + bj]!;
        if (c === 0) continue;
        parts.push(el("rect", {
          class: "nz-block",
          x: pad + bj * cw,
          y: pad + bi * ch,
          width: cw,
          height: ch,
          fill: color,
          "fill-opacity": Math.round((0.25 + 0.75 * Math.sqrt(c / max)) * 100) / 100,
        }));
      }
    }
  }
  parts.push(el("rect", { x: pad, y: pad, width: w, height: h, fill: "none", stroke: "#333" }));
  const density = nRows * nCols > 0 ? nnz / (nRows * nCols) : 0;
  const label = `${nRows} × ${nCols}, ${nnz} stored (${(100 * density).toPrecision(2)}%)` +
    (binned ? `, in ${br}×${bc} blocks` : "");
  const width = Math.max(w + 2 * pad, 200);
  parts.push(el("text", { x: pad, y: h + pad + 16 }, escapeXml(label)));
  return svgRoot(width, h + 2 * pad + caption, parts.join(""), {
    role: "img",
    "aria-label": "sparsity pattern",
  });
}
