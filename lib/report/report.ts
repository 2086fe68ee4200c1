/**
 * The report builder: a title, a one-sentence finding, text, tables and
 * figures, written as one self-contained HTML file plus a JSON file with the
 * numbers behind every figure and table, and the run's metadata.
 *
 * @module
 */

import { join } from "node:path";
import { GradsolveError } from "../errors.ts";
import { removeStaleTemps, writeFileAtomic } from "./atomic_write.ts";
import { escapeHtml } from "./escape_html.ts";
import { formatNumber } from "./format_number.ts";
import { REPORT_FORMAT, writeIndex } from "./index.ts";
import { renderMarkdown } from "./markdown.ts";
import { CONTENT_WIDTH, page } from "./page.ts";
import { withSvgNamespace } from "../display/svg.ts";
import type { PlotFigure } from "./plots.ts";
import { type PlotSpec, renderPlot } from "./render_plot.ts";
import { collectRunInfo } from "./run_info.ts";

/**
 * Options of the {@linkcode Report} constructor.
 *
 * @category Reports
 */
export interface ReportOptions {
  /** File stem: letters, digits, `_` and `-`, e.g. `"pinn"` gives `pinn.html` and `pinn.json`. */
  name: string;
  /** Page title. */
  title: string;
  /** One sentence with the result, shown at the top and in the index. */
  finding: string;
  /** Backend the run used. @default {parameters.backend, else "cpu"} */
  backend?: string;
  /** GPU adapter description (vendor, architecture, driver) when the backend is a GPU. @default {"none"} */
  adapter?: string;
  /** Seed of the run's random numbers. @default {parameters.seed, else null} */
  seed?: number;
  /** When the run began; the metadata's wall time counts from it. @default {when the Report is constructed} */
  started?: Date;
}

/**
 * A table: rows as records (columns in first-seen key order) or as arrays under `columns`.
 *
 * @category Reports
 */
export type TableInput = Record<string, unknown>[] | { columns: string[]; rows: unknown[][] };

/**
 * What {@linkcode Report.figure} accepts for one panel.
 *
 * @category Reports
 */
export type FigureInput = PlotFigure | PlotSpec | string;

/**
 * Options of {@linkcode Report.figure}.
 *
 * @category Reports
 */
export interface FigureOptions {
  /** What the figure shows, in a sentence or two. */
  caption: string;
  /**
   * The numbers behind the figure, stored in the JSON. Required for raw SVG
   * and Plot specifications. @default {the data of the PlotFigure panels}
   */
  data?: unknown;
}

/**
 * Where {@linkcode Report.write} put its files.
 *
 * @category Reports
 */
export interface WrittenReport {
  /** Path of `NAME.html`. */
  html: string;
  /** Path of `NAME.json`. */
  json: string;
  /** Path of the rebuilt `index.html`. */
  index: string;
}

type Block =
  | { kind: "section"; title: string }
  | { kind: "text"; source: string }
  | { kind: "table"; caption: string; columns: string[]; rows: unknown[][] }
  | { kind: "figure"; caption: string; panels: string[]; notes: string[]; data: unknown };

// External resources a self-contained page must not load.
const EXTERNAL = /\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i;

function tableOf(input: TableInput): { columns: string[]; rows: unknown[][] } {
  if (!Array.isArray(input)) {
    for (const row of input.rows) {
      if (row.length !== input.columns.length) {
        throw new GradsolveError(
          `Cannot add table: a row has ${row.length} cells but there are ${input.columns.length} columns`,
        );
      }
    }
    return { columns: [...input.columns], rows: input.rows.map((r) => [...r]) };
  }
  const columns: string[] = [];
  for (const row of input) {
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  }
  return { columns, rows: input.map((row) => columns.map((c) => row[c])) };
}

function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

function cell(value: unknown): string {
  if (typeof value === "number") return `<td class="num">${escapeHtml(formatNumber(value))}</td>`;
  if (typeof value === "bigint") return `<td class="num">${escapeHtml(String(value))}</td>`;
  if (value === null || value === undefined) return "<td>—</td>";
  if (typeof value === "string") return `<td>${escapeHtml(value)}</td>`;
  if (typeof value === "boolean") return `<td>${value ? "yes" : "no"}</td>`;
  return `<td><code>${escapeHtml(JSON.stringify(plain(value)))}</code></td>`;
}

const SVG_START = /<svg\b[^>]*>/g;

// Scales every `<svg>` declared wider than the content column down to it
// (width, and height in proportion; a viewBox keeps the drawing whole), and
// gives each the SVG namespace.
function fitToColumn(markup: string): string {
  return withSvgNamespace(markup).replace(SVG_START, (tag) => {
    const w = /\swidth="([\d.]+)(?:px)?"/.exec(tag);
    const width = w ? Number(w[1]) : NaN;
    if (!(width > CONTENT_WIDTH)) return tag;
    const h = /\sheight="([\d.]+)(?:px)?"/.exec(tag);
    const height = h ? Number(h[1]) : NaN;
    let out = tag.replace(/\swidth="[^"]*"/, ` width="${CONTENT_WIDTH}"`);
    if (height > 0) {
      const scaled = Math.round((height * CONTENT_WIDTH) / width);
      out = out.replace(/\sheight="[^"]*"/, ` height="${scaled}"`);
    }
    if (!/\sviewBox=/.test(out) && height > 0) {
      out = out.replace(/^<svg/, `<svg viewBox="0 0 ${width} ${height}"`);
    }
    return out;
  });
}

function isPlotFigure(x: FigureInput): x is PlotFigure {
  return typeof x === "object" && "svg" in x && typeof x.svg === "string" && "notes" in x;
}

/**
 * Builds one report. Add content in reading order, then `await write()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Report } from "./report.ts";
 * import { linePlot } from "./plots.ts";
 * const report = new Report({
 *   name: "demo",
 *   title: "CG on a small Poisson problem",
 *   finding: "CG reaches 1e-10 in 12 iterations",
 * });
 * report.metadata({ n: 64, rtol: 1e-10, seed: 0 });
 * report.text("We solve **Ax = b** with `cg()`.");
 * report.table([{ method: "CG", iterations: 12 }], { caption: "Iterations" });
 * report.figure(
 *   linePlot({ series: [{ name: "CG", x: [0, 1], y: [1, 1e-10] }], xLabel: "iteration",
 *     yLabel: "‖r‖/‖b‖", logY: true }),
 *   { caption: "Relative residual per iteration" },
 * );
 * const dir = await Deno.makeTempDir();
 * const written = await report.write(dir);
 * assert.ok(written.html.endsWith("demo.html"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category Reports
 */
export class Report {
  /** File stem of the outputs. */
  readonly name: string;
  /** Page title. */
  readonly title: string;
  /** The one-sentence result; scripts may set it once the numbers are known. */
  finding: string;
  readonly #options: ReportOptions;
  readonly #started: Date;
  readonly #blocks: Block[] = [];
  readonly #parameters: Record<string, unknown> = {};

  /** Starts a report; the run's start time is `options.started`, else now. */
  constructor(options: ReportOptions) {
    this.#started = options.started ?? new Date();
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(options.name)) {
      throw new GradsolveError(
        `Cannot create report: name must be letters, digits, "_" or "-", got "${options.name}"`,
      );
    }
    this.name = options.name;
    this.title = options.title;
    this.finding = options.finding;
    this.#options = { ...options };
  }

  /** Adds run parameters (merged with earlier ones) to the metadata block. */
  metadata(params: Record<string, unknown>): this {
    for (const [k, v] of Object.entries(params)) this.#parameters[k] = plain(v);
    return this;
  }

  /** Adds a section heading. */
  section(title: string): this {
    this.#blocks.push({ kind: "section", title });
    return this;
  }

  /**
   * Adds text: paragraphs separated by blank lines, `- ` lists, `` `code` ``,
   * `**bold**`, `*italic*`, `[link](url)`. All text is escaped.
   */
  text(markdown: string): this {
    this.#blocks.push({ kind: "text", source: markdown });
    return this;
  }

  /** Adds a table; numbers are shown compactly and stored exactly in the JSON. */
  table(input: TableInput, options: { caption: string }): this {
    const { columns, rows } = tableOf(input);
    this.#blocks.push({
      kind: "table",
      caption: options.caption,
      columns,
      rows: rows.map((r) => r.map(plain)),
    });
    return this;
  }

  /**
   * Adds a figure: a {@linkcode PlotFigure} from the plot helpers, a Plot
   * specification (rendered now), raw SVG markup, or an array of these shown
   * side by side (wrapping onto rows). An `<svg>` declared wider than
   * {@linkcode CONTENT_WIDTH} is scaled down to it. The numbers behind it go
   * to the JSON.
   */
  figure(input: FigureInput | FigureInput[], options: FigureOptions): this {
    const inputs = Array.isArray(input) ? input : [input];
    const panels: string[] = [];
    const notes: string[] = [];
    const panelData: unknown[] = [];
    for (const item of inputs) {
      if (typeof item === "string") {
        panels.push(item);
        panelData.push(undefined);
      } else if (isPlotFigure(item)) {
        panels.push(item.svg);
        notes.push(...item.notes);
        panelData.push(item.data);
      } else {
        panels.push(renderPlot(item));
        panelData.push(undefined);
      }
    }
    for (let i = 0; i < panels.length; i++) panels[i] = fitToColumn(panels[i]!);
    for (const svg of panels) {
      if (EXTERNAL.test(svg)) {
        throw new GradsolveError(
          `Cannot add figure "${options.caption}": its markup loads an external resource`,
        );
      }
    }
    let data = options.data;
    if (data === undefined) {
      if (panelData.some((d) => d === undefined)) {
        throw new GradsolveError(
          `Cannot add figure "${options.caption}": pass options.data with the numbers behind raw SVG or Plot specifications`,
        );
      }
      data = panelData.length === 1 ? panelData[0] : { panels: panelData };
    }
    this.#blocks.push({ kind: "figure", caption: options.caption, panels, notes, data });
    return this;
  }

  /**
   * Writes `dir/NAME.html` and `dir/NAME.json`, each atomically (temporary
   * file, then rename), creating `dir` if needed, and rebuilds
   * `dir/index.html`. Both files carry one fresh run id (`runId` in the JSON,
   * `<meta name="gradsolve-run-id">` in the HTML); the index lists the report
   * only when they match, so a run killed between the two renames is never
   * linked. Temporaries left by an earlier, killed run of the same report are
   * removed first.
   */
  async write(dir = "reports"): Promise<WrittenReport> {
    await Deno.mkdir(dir, { recursive: true });
    const files = { html: `${this.name}.html`, json: `${this.name}.json` };
    await removeStaleTemps(dir, [files.html, files.json]);
    const info = await collectRunInfo(this.#started);
    const params = this.#parameters;
    const runId = `${info.date.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${
      crypto.randomUUID().slice(0, 8)
    }`;
    const metadata = {
      date: info.date,
      wallTimeSeconds: (Date.now() - this.#started.getTime()) / 1000,
      commit: info.commit,
      dirty: info.dirty,
      command: info.command,
      deno: info.deno,
      v8: info.v8,
      typescript: info.typescript,
      platform: info.platform,
      cpu: info.cpu,
      cores: info.cores,
      caches: info.caches,
      backend: this.#options.backend ??
        (typeof params.backend === "string" ? params.backend : "cpu"),
      adapter: this.#options.adapter ?? "none",
      seed: this.#options.seed ?? (typeof params.seed === "number" ? params.seed : null),
      parameters: { ...params },
    };
    const json = {
      format: REPORT_FORMAT,
      runId,
      name: this.name,
      title: this.title,
      finding: this.finding,
      metadata,
      text: this.#blocks.flatMap((b) => (b.kind === "text" ? [b.source] : [])),
      tables: this.#blocks.flatMap((b) =>
        b.kind === "table" ? [{ caption: b.caption, columns: b.columns, rows: b.rows }] : []
      ),
      figures: this.#blocks.flatMap((b) =>
        b.kind === "figure" ? [{ caption: b.caption, notes: b.notes, data: b.data }] : []
      ),
    };
    const html = page(`${this.title} — gradsolve`, this.#body(metadata), { runId });
    const paths = { html: join(dir, files.html), json: join(dir, files.json) };
    // Page first, JSON last: the index reads the JSON, and finds the page's run id
    // different until both renames have happened.
    await writeFileAtomic(paths.html, html);
    await writeFileAtomic(paths.json, JSON.stringify(json, null, 1) + "\n");
    return { ...paths, index: await writeIndex(dir) };
  }

  #body(metadata: Record<string, unknown>): string {
    const { parameters, ...run } = metadata as { parameters: Record<string, unknown> };
    const metaRows = [
      ...Object.entries(run).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td>${cell(v)}</tr>`),
      ...Object.entries(parameters).map(([k, v]) =>
        `<tr><td>parameter <code>${escapeHtml(k)}</code></td>${cell(v)}</tr>`
      ),
    ];
    let figureNo = 0, tableNo = 0;
    const blocks = this.#blocks.map((b) => {
      switch (b.kind) {
        case "section":
          return `<h2>${escapeHtml(b.title)}</h2>`;
        case "text":
          return renderMarkdown(b.source);
        case "table": {
          tableNo++;
          const head = b.columns.map((c, j) => {
            const numeric = b.rows.length > 0 && b.rows.every((r) => typeof r[j] === "number");
            return `<th${numeric ? ' class="num"' : ""}>${escapeHtml(c)}</th>`;
          });
          const body = b.rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`);
          return `<div class="table-wrap"><table><caption><b>Table ${tableNo}.</b> ${
            escapeHtml(b.caption)
          }</caption><thead><tr>${head.join("")}</tr></thead><tbody>${
            body.join("\n")
          }</tbody></table></div>`;
        }
        case "figure": {
          figureNo++;
          const notes = b.notes.map((n) => `<span class="note">${escapeHtml(n)}</span>`).join("");
          return `<figure class="fig" id="figure-${figureNo}"><div class="panels">${
            b.panels.map((p) => `<div class="panel">${p}</div>`).join("")
          }</div><figcaption><b>Figure ${figureNo}.</b> ${
            escapeHtml(b.caption)
          }${notes}</figcaption></figure>`;
        }
      }
    });
    return `<nav><a href="index.html">← All reports</a></nav>
<header><h1>${escapeHtml(this.title)}</h1>
<p class="finding"><strong>Finding:</strong> ${escapeHtml(this.finding)}</p></header>
<details class="meta"><summary>Run metadata (date, commit, versions, seed, parameters)</summary>
<div class="table-wrap"><table><tbody>${metaRows.join("\n")}</tbody></table></div></details>
<main>
${blocks.join("\n")}
</main>
<footer>Generated by gradsolve. The numbers behind every figure and table are in
<a href="${encodeURIComponent(this.name)}.json">${escapeHtml(this.name)}.json</a>.</footer>`;
  }
}
