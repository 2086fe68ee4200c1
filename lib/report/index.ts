/**
 * `reports/index.html`: one page listing every report in a folder with its
 * one-sentence finding.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "./atomic_write.ts";
import { escapeHtml } from "./escape_html.ts";
import { page } from "./page.ts";

/** The `format` field that marks a JSON file as a gradsolve report. */
export const REPORT_FORMAT = "gradsolve-report/1";

interface IndexEntry {
  name: string;
  title: string;
  finding: string;
  date: string;
  backend: string;
}

function entryOf(json: unknown): IndexEntry | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const r = json as Record<string, unknown>;
  const meta = (r.metadata ?? {}) as Record<string, unknown>;
  if (r.format !== REPORT_FORMAT || typeof r.name !== "string") return undefined;
  return {
    name: r.name,
    title: String(r.title ?? r.name),
    finding: String(r.finding ?? ""),
    date: String(meta.date ?? ""),
    backend: String(meta.backend ?? ""),
  };
}

/**
 * Rebuilds `dir/index.html` from every report JSON (`NAME.json` with
 * `format: "gradsolve-report/1"`) in `dir`, sorted by name; other JSON files
 * are ignored. Returns the path written. {@linkcode Report.write} calls it.
 *
 * @example
 * ```ts
 * import { writeIndex } from "./index.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeIndex(dir);
 * console.assert((await Deno.readTextFile(path)).includes("No reports yet"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeIndex(dir = "reports"): Promise<string> {
  const entries: IndexEntry[] = [];
  for await (const f of Deno.readDir(dir)) {
    if (!f.isFile || !f.name.endsWith(".json")) continue;
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(join(dir, f.name)));
    } catch {
      continue; // not JSON: not a report
    }
    const entry = entryOf(json);
    if (entry) entries.push(entry);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const rows = entries.map((e) =>
    `<tr><td><a href="${encodeURIComponent(e.name)}.html">${escapeHtml(e.title)}</a></td>` +
    `<td>${escapeHtml(e.finding)}</td>` +
    `<td class="nowrap">${escapeHtml(e.date.slice(0, 10))}</td><td>${
      escapeHtml(e.backend)
    }</td></tr>`
  );
  const body = `<header><h1>gradsolve reports</h1>
<p>Experiments on differentiable sparse linear solves. Each report is one self-contained page;
the numbers behind its figures are in the JSON file beside it.</p></header>
${
    entries.length === 0
      ? "<p>No reports yet.</p>"
      : `<div class="table-wrap"><table class="index"><thead><tr><th>Report</th><th>Finding</th>` +
        `<th>Date</th><th>Backend</th></tr></thead><tbody>\n${
          rows.join("\n")
        }\n</tbody></table></div>`
  }
<footer>${entries.length} report(s) · rebuilt ${escapeHtml(new Date().toISOString())}</footer>`;
  const path = join(dir, "index.html");
  await writeFileAtomic(path, page("gradsolve reports", body));
  return path;
}
