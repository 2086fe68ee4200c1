/**
 * Rich displays for Deno's Jupyter kernel. The kernel shows a value through
 * its `[Symbol.for("Jupyter.display")]()` method, which returns a MIME
 * bundle: `text/plain` always, `text/html` (a small table and the figure)
 * and `image/svg+xml` (the figure alone) where there is a picture.
 *
 * These builders read their input structurally, so `lib/linalg`,
 * `lib/sparse` and `lib/autodiff` can attach them without this module
 * importing any of them.
 *
 * @module
 */

import { residualPlot } from "./residual_plot.ts";
import { type SpyPattern, spyPlot } from "./spy_plot.ts";
import { escapeXml } from "./svg.ts";

/**
 * The key Deno's Jupyter kernel looks up on a displayed value
 * (`Deno.jupyter.$display` is the same symbol).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JUPYTER_DISPLAY } from "./bundles.ts";
 * assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** A Jupyter MIME bundle: one representation per MIME type. */
export interface MimeBundle {
  /** Plain text, for consoles and as the fallback. */
  "text/plain": string;
  /** HTML fragment (tables, inline SVG). */
  "text/html"?: string;
  /** A standalone SVG document (with its namespace). */
  "image/svg+xml"?: string;
}

/** What {@linkcode solveResultDisplay} reads of a `SolveResult`. */
export interface SolveResultFacts {
  /** Why the solve stopped, e.g. `"converged-rtol"`. */
  readonly reason: string;
  /** True when the reason is a converged one. */
  readonly converged: boolean;
  /** Iterations taken. */
  readonly iterations: number;
  /** True relative residual ‖b − Ax‖/‖b‖. */
  readonly relativeResidual: number;
  /** True residual norm. */
  readonly residualNorm: number;
  /** Solver's residual estimate per iteration. */
  readonly residualHistory: readonly number[];
  /** Solver name. */
  readonly method: string;
  /** Preconditioner name. */
  readonly preconditioner: string;
  /** The advice sentence. */
  readonly message: string;
}

const TABLE_STYLE = "border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:4px 0";
const CELL = "padding:2px 10px 2px 0;text-align:left;border-bottom:1px solid #ddd";
const NUM = `${CELL};text-align:right;font-variant-numeric:tabular-nums`;

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

function table(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th style="${CELL}">${escapeXml(h)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${
      r.map((c) =>
        typeof c === "number"
          ? `<td style="${NUM}">${escapeXml(fmt(c))}</td>`
          : `<td style="${CELL}">${escapeXml(c)}</td>`
      ).join("")
    }</tr>`
  ).join("");
  return `<table style="${TABLE_STYLE}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function figureHtml(svg: string, caption: string): string {
  return `<div style="display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start">` +
    `<div>${svg}</div><div>${caption}</div></div>`;
}

function resultRow(label: string, r: SolveResultFacts): (string | number)[] {
  return [label, r.method, r.preconditioner, r.reason, r.iterations, r.relativeResidual];
}

const RESULT_HEAD = ["solve", "method", "preconditioner", "reason", "iterations", "‖b−Ax‖/‖b‖"];

function resultText(label: string, r: SolveResultFacts): string {
  return `${label}${r.method}/${r.preconditioner}: ${r.reason} after ${r.iterations} iteration(s), ` +
    `true relative residual ${fmt(r.relativeResidual)}`;
}

/**
 * The display of one solve: its residual history, and a table of reason,
 * iterations and true residual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveResultDisplay } from "./bundles.ts";
 * const bundle = solveResultDisplay({
 *   reason: "converged-rtol", converged: true, iterations: 2, relativeResidual: 3e-11,
 *   residualNorm: 3e-11, residualHistory: [1, 1e-4, 3e-11], method: "cg",
 *   preconditioner: "none", message: "Converged: the true residual met rtol.",
 * });
 * assert.match(bundle["text/plain"], /cg\/none: converged-rtol after 2 iteration/);
 * assert.ok(bundle["image/svg+xml"]!.includes('xmlns="http://www.w3.org/2000/svg"'));
 * ```
 */
export function solveResultDisplay(result: SolveResultFacts): MimeBundle {
  const svg = residualPlot([{ name: result.method, values: result.residualHistory }]);
  const html = figureHtml(
    svg,
    table(RESULT_HEAD, [resultRow("forward", result)]) +
      `<p style="font:13px system-ui,sans-serif;margin:4px 0">${escapeXml(result.message)}</p>`,
  );
  return {
    "text/plain": `SolveResult ${resultText("", result)}. ${result.message}`,
    "text/html": html,
    "image/svg+xml": svg,
  };
}

/** What {@linkcode solveInfoDisplay} reads of a `SolveInfo`. */
export interface SolveInfoFacts {
  /** Forward results, one per right-hand-side column. */
  readonly forwardColumns: readonly SolveResultFacts[];
  /** Adjoint results, one per column solved in backward passes. */
  readonly adjoints: readonly SolveResultFacts[];
  /** Numeric solves that ran. */
  readonly solveCount: number;
}

/**
 * The display of a differentiable solve: forward and adjoint residual
 * histories in one plot, and a table with one row per solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveInfoDisplay } from "./bundles.ts";
 * const r = {
 *   reason: "converged-rtol", converged: true, iterations: 1, relativeResidual: 1e-12,
 *   residualNorm: 1e-12, residualHistory: [1, 1e-12], method: "cg", preconditioner: "none",
 *   message: "",
 * };
 * const bundle = solveInfoDisplay({ forwardColumns: [r], adjoints: [r], solveCount: 2 });
 * assert.match(bundle["text/plain"], /adjoint cg\/none/);
 * assert.ok(bundle["text/html"]!.includes(">adjoint<"));
 * ```
 */
export function solveInfoDisplay(info: SolveInfoFacts): MimeBundle {
  const rows = [
    ...info.forwardColumns.map((r, i) =>
      resultRow(info.forwardColumns.length > 1 ? `forward ${i}` : "forward", r)
    ),
    ...info.adjoints.map((r, i) =>
      resultRow(info.adjoints.length > 1 ? `adjoint ${i}` : "adjoint", r)
    ),
  ];
  const histories = [
    ...info.forwardColumns.slice(0, 4).map((r, i) => ({
      name: info.forwardColumns.length > 1 ? `forward ${i}` : "forward",
      values: r.residualHistory,
    })),
    ...info.adjoints.slice(0, 4).map((r, i) => ({
      name: info.adjoints.length > 1 ? `adjoint ${i}` : "adjoint",
      values: r.residualHistory,
    })),
  ];
  const svg = residualPlot(histories);
  const lines = [
    `SolveInfo: ${info.solveCount} numeric solve(s)`,
    ...info.forwardColumns.map((r) => "  " + resultText("forward ", r)),
    ...info.adjoints.map((r) => "  " + resultText("adjoint ", r)),
  ];
  if (info.adjoints.length === 0) lines.push("  adjoint: none yet (no backward pass has run)");
  const note = info.adjoints.length === 0
    ? `<p style="font:13px system-ui,sans-serif;margin:4px 0">No adjoint solve yet: take a gradient through the solution.</p>`
    : "";
  return {
    "text/plain": lines.join("\n"),
    "text/html": figureHtml(svg, table(RESULT_HEAD, rows) + note),
    "image/svg+xml": svg,
  };
}

/** What {@linkcode csrDisplay} reads of a `CsrMatrix`. */
export interface CsrFacts {
  /** The pattern (rows, columns, row pointers, column indices). */
  readonly pattern: SpyPattern;
  /** Stored values. */
  readonly values: ArrayLike<number>;
  /** Whether the matrix equals its transpose. */
  readonly symmetric: boolean;
}

/**
 * The display of a sparse matrix: a spy plot, shape, stored entries,
 * density, symmetry and the value range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csrDisplay } from "./bundles.ts";
 * const bundle = csrDisplay({
 *   pattern: { nRows: 2, nCols: 2, rowPtr: [0, 2, 3], colIdx: [0, 1, 1] },
 *   values: [4, 1, 3],
 *   symmetric: false,
 * });
 * assert.equal(bundle["text/plain"], "CsrMatrix 2×2, 3 stored (75%), not symmetric, values in [1, 4]");
 * ```
 */
export function csrDisplay(matrix: CsrFacts): MimeBundle {
  const { nRows, nCols } = matrix.pattern;
  const nnz = matrix.values.length;
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < nnz; k++) {
    const v = matrix.values[k]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const density = nRows * nCols > 0 ? nnz / (nRows * nCols) : 0;
  const pct = `${Number((100 * density).toPrecision(2))}%`;
  const range = nnz > 0 ? `[${fmt(lo)}, ${fmt(hi)}]` : "none";
  const sym = matrix.symmetric ? "symmetric" : "not symmetric";
  const svg = spyPlot(matrix.pattern);
  const rows: (string | number)[][] = [
    ["shape", `${nRows} × ${nCols}`],
    ["stored entries", nnz],
    ["density", pct],
    ["entries per row", nRows > 0 ? Number((nnz / nRows).toPrecision(3)) : 0],
    ["symmetric", matrix.symmetric ? "yes" : "no"],
    ["values", range],
  ];
  return {
    "text/plain": `CsrMatrix ${nRows}×${nCols}, ${nnz} stored (${pct}), ${sym}, values in ${range}`,
    "text/html": figureHtml(svg, table(["CsrMatrix", ""], rows)),
    "image/svg+xml": svg,
  };
}

/** What {@linkcode tensorDisplay} reads of a `Tensor`. */
export interface TensorFacts {
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: ArrayLike<number>;
  /** Set when the tensor is traced by a transform. */
  readonly node?: unknown;
}

/**
 * The display of a dense tensor: shape, dtype, size, min / max / mean /
 * 2-norm, the number of non-finite values, and the first few values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensorDisplay } from "./bundles.ts";
 * const bundle = tensorDisplay({ shape: [2, 2], data: [1, 2, 3, 4] });
 * assert.equal(
 *   bundle["text/plain"],
 *   "Tensor[2,2] float64, 4 values: min 1, max 4, mean 2.5, ‖·‖₂ 5.477\n[1, 2, 3, 4]",
 * );
 * ```
 */
export function tensorDisplay(tensor: TensorFacts): MimeBundle {
  const n = tensor.data.length;
  let lo = Infinity, hi = -Infinity, sum = 0, sq = 0, bad = 0;
  for (let k = 0; k < n; k++) {
    const v = tensor.data[k]!;
    if (!Number.isFinite(v)) {
      bad++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
    sq += v * v;
  }
  const finite = n - bad;
  const shown = Array.from({ length: Math.min(n, 8) }, (_, k) => fmt(tensor.data[k]!));
  const head = `[${shown.join(", ")}${n > 8 ? ", …" : ""}]`;
  const stats = finite > 0
    ? `min ${fmt(lo)}, max ${fmt(hi)}, mean ${fmt(sum / finite)}, ‖·‖₂ ${fmt(Math.sqrt(sq))}`
    : "no finite values";
  const traced = tensor.node !== undefined ? ", traced" : "";
  const nonFinite = bad > 0 ? `, ${bad} non-finite` : "";
  const rows: (string | number)[][] = [
    ["shape", `[${tensor.shape.join(", ")}]`],
    ["dtype", "float64"],
    ["size", n],
  ];
  if (finite > 0) {
    rows.push(["min", lo], ["max", hi], ["mean", sum / finite], ["‖·‖₂", Math.sqrt(sq)]);
  }
  if (bad > 0) rows.push(["non-finite", bad]);
  if (traced) rows.push(["traced", "yes"]);
  rows.push(["values", head]);
  return {
    "text/plain": `Tensor[${
      tensor.shape.join(",")
    }] float64, ${n} values${traced}${nonFinite}: ${stats}\n${head}`,
    "text/html": table(["Tensor", ""], rows),
  };
}

/** What {@linkcode figureDisplay} reads of a report figure (`PlotFigure`). */
export interface FigureFacts {
  /** The figure's markup: an `<svg>`, or HTML holding a legend and the `<svg>`. */
  readonly svg: string;
  /** Remarks for the caption. */
  readonly notes: readonly string[];
}

/**
 * The display of a report figure: its markup as HTML, and the plot's own
 * `<svg>` (the last top-level one, after any legend) as `image/svg+xml`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { figureDisplay } from "./bundles.ts";
 * const bundle = figureDisplay({ svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>', notes: [] });
 * assert.equal(bundle["image/svg+xml"], '<svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>');
 * ```
 */
export function figureDisplay(figure: FigureFacts): MimeBundle {
  const start = figure.svg.lastIndexOf('<svg xmlns="http://www.w3.org/2000/svg"');
  const plotSvg = start >= 0
    ? figure.svg.slice(start, figure.svg.indexOf("</svg>", start) + "</svg>".length)
    : undefined;
  const notes = figure.notes.map((n) =>
    `<div style="font:italic 12px system-ui">${escapeXml(n)}</div>`
  );
  const bundle: MimeBundle = {
    "text/plain": `Figure${figure.notes.length > 0 ? ` (${figure.notes.join("; ")})` : ""}`,
    "text/html": figure.svg + notes.join(""),
  };
  // Only a plot without nested <svg> elements can be cut out whole.
  if (plotSvg && !plotSvg.slice(4).includes("<svg")) bundle["image/svg+xml"] = plotSvg;
  return bundle;
}

/**
 * Gives a plain object a non-enumerable `[Symbol.for("Jupyter.display")]`
 * method (invisible to `JSON.stringify`, spreads and deep-equality checks)
 * and returns the same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attachDisplay, JUPYTER_DISPLAY } from "./bundles.ts";
 * const x = attachDisplay({ a: 1 }, () => ({ "text/plain": "one" }));
 * assert.deepEqual(x, { a: 1 });
 * assert.equal((x as unknown as Record<symbol, () => { "text/plain": string }>)[JUPYTER_DISPLAY]()["text/plain"], "one");
 * ```
 */
export function attachDisplay<T extends object>(value: T, display: (value: T) => MimeBundle): T {
  if (Object.isExtensible(value)) {
    Object.defineProperty(value, JUPYTER_DISPLAY, {
      value: () => display(value),
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  return value;
}
