/**
 * `reports/index.html`: one page listing every report in a folder with its
 * one-sentence finding.
 *
 * @module
 */

import { join } from "node:path";
import { removeStaleTemps, writeFileAtomic } from "./atomic_write.ts";
import { escapeHtml } from "./escape_html.ts";
import { page } from "./page.ts";

/**
 * The `format` field that marks a JSON file as a gradsolve report.
 *
 * @category Reports
 */
export const REPORT_FORMAT = "gradsolve-report/1";

interface IndexEntry {
  name: string;
  runId: string;
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
    runId: typeof r.runId === "string" ? r.runId : "",
    title: String(r.title ?? r.name),
    finding: String(r.finding ?? ""),
    date: String(meta.date ?? ""),
    backend: String(meta.backend ?? ""),
  };
}

const RUN_ID_META = /<meta name="gradsolve-run-id" content="([^"]*)">/;

/**
 * The run id a report page declares in its `<head>`, or `undefined` when the
 * page is missing or declares none. Reads only the start of the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { page } from "./page.ts";
 * import { readPageRunId } from "./index.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.html`, page("A", "<p>a</p>", { runId: "run-1" }));
 * assert.equal(await readPageRunId(`${dir}/a.html`), "run-1");
 * assert.equal(await readPageRunId(`${dir}/missing.html`), undefined);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category Reports
 */
export async function readPageRunId(path: string): Promise<string | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return undefined;
  }
  try {
    // The meta tag sits in the first lines of the head.
    const buf = new Uint8Array(4096);
    let filled = 0;
    while (filled < buf.length) {
      const n = await file.read(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    const head = new TextDecoder().decode(buf.subarray(0, filled));
    return RUN_ID_META.exec(head)?.[1]?.replace(/&amp;/g, "&");
  } finally {
    file.close();
  }
}

/**
 * Rebuilds `dir/index.html` from every complete report in `dir`, sorted by
 * name. A report is complete when `NAME.json` (with
 * `format: "gradsolve-report/1"` and a `runId`) and `NAME.html` carry the same
 * run id: a run killed between writing the two halves leaves a pair that does
 * not match, and the index names it as incomplete in its footer instead of
 * linking it. Other JSON files are ignored. Returns the path written.
 * {@linkcode Report.write} calls it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeIndex } from "./index.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeIndex(dir);
 * assert.ok((await Deno.readTextFile(path)).includes("No reports yet"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category Reports
 */
export async function writeIndex(dir = "reports"): Promise<string> {
  // Temporaries of an index writer killed over a minute ago.
  await removeStaleTemps(dir, ["index.html"], { olderThanMs: 60_000 });
  const entries: IndexEntry[] = [];
  const incomplete: string[] = [];
  for await (const f of Deno.readDir(dir)) {
    if (!f.isFile || !f.name.endsWith(".json")) continue;
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(join(dir, f.name)));
    } catch {
      continue; // not JSON: not a report
    }
    const entry = entryOf(json);
    if (!entry) continue;
    const pageRun = await readPageRunId(join(dir, `${entry.name}.html`));
    if (entry.runId !== "" && pageRun === entry.runId) entries.push(entry);
    else incomplete.push(entry.name);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  incomplete.sort();
  const skipped = incomplete.length === 0
    ? ""
    : ` · skipped ${
      incomplete.map((n) => `${escapeHtml(n)}: incomplete`).join(", ")
    } (HTML and JSON are not from the same run; rerun to repair)`;
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
<footer>${entries.length} report(s) · rebuilt ${
    escapeHtml(new Date().toISOString())
  }${skipped}</footer>`;
  const path = join(dir, "index.html");
  await writeFileAtomic(path, page("gradsolve reports", body));
  return path;
}
