/**
 * The HTML shell shared by reports and the index: one self-contained page
 * with inline CSS and nothing loaded from elsewhere.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";

/**
 * Width in CSS pixels of a report page's content column (inside the page
 * padding): no figure or table is wider. Plot helpers clamp their `width`
 * to it, and {@linkcode Report.figure} scales wider raw SVG down to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTENT_WIDTH, page } from "./page.ts";
 * assert.equal(CONTENT_WIDTH, 1040);
 * assert.ok(page("t", "").includes(`--content-width: ${CONTENT_WIDTH}px`));
 * ```
 *
 * @category Reports
 */
export const CONTENT_WIDTH = 1040;

// Prose keeps a readable measure inside the wider column that figures and tables use.
const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0072b2;
  --soft: #f6f8fa; --content-width: ${CONTENT_WIDTH}px; --prose-width: 48rem; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
.page { max-width: calc(var(--content-width) + 3rem); margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
.page > header, .page > nav, main > p, main > ul, main > h2, details.meta, footer {
  max-width: var(--prose-width); margin-left: auto; margin-right: auto; }
nav { font-size: 0.9rem; margin-bottom: 1.5rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0 0 0.75rem; letter-spacing: -0.01em; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.3rem;
  border-bottom: 1px solid var(--line); }
p, ul { margin: 0 0 1rem; }
code { font: 0.88em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--soft); padding: 0.1em 0.3em; border-radius: 4px; }
.finding { font-size: 1.1rem; background: #eef3fc; border-left: 4px solid var(--accent);
  padding: 0.75rem 1rem; border-radius: 0 6px 6px 0; margin: 0 0 1.25rem; }
details.meta { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem;
  margin: 0 auto 2rem; font-size: 0.9rem; background: var(--soft); }
details.meta summary { cursor: pointer; color: var(--muted); font-weight: 600; }
details.meta table { margin: 0.75rem 0 0.25rem; }
details.meta td.num { text-align: left; }
details.meta td:first-child { color: var(--muted); white-space: nowrap; }
figure.fig { margin: 2rem 0; text-align: center; }
figure.fig .panels { display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-end;
  gap: 1rem 1.5rem; }
figure.fig .panel { display: inline-block; text-align: left; max-width: 100%; }
figure.fig svg { max-width: 100%; height: auto; }
figure.fig .gs-swatch svg { max-width: none; }
figure.fig figure { margin: 0; }
figure.fig div[class*="-swatches"] { font-size: 13px; justify-content: center; }
figure.fig h2 { font-size: 0.95rem; border: 0; margin: 0 0 0.25rem; padding: 0; }
figcaption { max-width: var(--prose-width); margin: 0.75rem auto 0; text-align: left; font-size: 0.9rem;
  color: var(--muted); }
figcaption b { color: var(--fg); }
figcaption .note { display: block; font-style: italic; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 1.5rem 0 2rem; }
details.meta .table-wrap { margin: 0.75rem 0 0.25rem; }
td code { overflow-wrap: anywhere; }
details.meta td:last-child { overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0 auto; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: 0.5rem; }
caption b { color: var(--fg); }
th, td { padding: 0.35rem 0.8rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--fg); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
table.index td:first-child { font-weight: 600; min-width: 12rem; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); font-size: 0.85rem;
  color: var(--muted); }
`;

/**
 * Options of {@linkcode page}.
 *
 * @category Reports
 */
export interface PageOptions {
  /**
   * Id of the run that wrote the page, stored as
   * `<meta name="gradsolve-run-id">` so the index can match the page with its
   * JSON. @default {none}
   */
  runId?: string;
}

/**
 * Wraps `body` (trusted HTML) in a complete page titled `title` (escaped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { page } from "./page.ts";
 * const html = page("A & B", "<p>hi</p>", { runId: "r1" });
 * assert.ok(html.includes("<title>A &amp; B</title>"));
 * assert.ok(html.includes('<meta name="gradsolve-run-id" content="r1">'));
 * ```
 *
 * @category Reports
 */
export function page(title: string, body: string, options: PageOptions = {}): string {
  const run = options.runId === undefined
    ? ""
    : `<meta name="gradsolve-run-id" content="${escapeHtml(options.runId)}">\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${run}<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
${body}
</div>
</body>
</html>
`;
}
