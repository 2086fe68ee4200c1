// Reports must read at 1,400 px: no figure or table wider than the page's
// content column. A figure's width is what its <svg> declares (width
// attribute, else its viewBox); the column is what the page's own CSS says.
// A table may be as wide as it likes only inside a scrolling wrapper.
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { heatmap, linePlot } from "../lib/report/plots.ts";
import { page } from "../lib/report/page.ts";
import { Report } from "../lib/report/report.ts";

interface DomNode {
  readonly tagName: string;
  readonly parentElement: DomNode | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<DomNode>;
}

function pageCss(html: string): string {
  return /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
}

/** The content column's width in px, from the page CSS (`--content-width`, or `.page` max-width minus padding). */
function contentWidth(html: string): number {
  const css = pageCss(html);
  const variable = /--content-width:\s*([\d.]+)px/.exec(css);
  if (variable) return Number(variable[1]);
  const rule = /\.page\s*\{([^}]*)\}/.exec(css)?.[1];
  const max = rule && /max-width:\s*([\d.]+)px/.exec(rule);
  if (!rule || !max) throw new Error("Cannot find the content column's width in the page CSS");
  // padding: top right bottom left, or top horizontal …, in px or rem (16 px).
  const pad = /padding:\s*([^;]+);/.exec(rule)?.[1]?.trim().split(/\s+/) ?? ["0"];
  const px = (v: string | undefined) =>
    v === undefined ? 0 : v.endsWith("rem") ? 16 * parseFloat(v) : parseFloat(v) || 0;
  const right = px(pad[1] ?? pad[0]), left = px(pad[3] ?? pad[1] ?? pad[0]);
  return Number(max[1]) - left - right;
}

function svgWidth(svg: DomNode): number {
  const attr = svg.getAttribute("width");
  if (attr !== null && /^[\d.]+(px)?$/.test(attr)) return parseFloat(attr);
  const viewBox = svg.getAttribute("viewBox")?.trim().split(/[\s,]+/);
  return viewBox && viewBox.length === 4 ? Number(viewBox[2]) : 0;
}

function hasAncestor(node: DomNode, test: (p: DomNode) => boolean): boolean {
  for (let p = node.parentElement; p; p = p.parentElement) if (test(p)) return true;
  return false;
}

/** Everything on a page that is wider than its content column; empty when it reads at 1,400 px. */
function layoutProblems(html: string): string[] {
  const column = contentWidth(html);
  const problems: string[] = [];
  const { document } = parseHTML(html) as unknown as { document: DomNode };
  let withoutNamespace = 0;
  for (const svg of document.querySelectorAll("svg")) {
    const w = svgWidth(svg);
    if (w > column) {
      problems.push(`figure ${svg.getAttribute("class") || "svg"} is ${w}px wide > ${column}px`);
    }
    const outermost = !hasAncestor(svg, (p) => p.tagName.toLowerCase() === "svg");
    if (outermost && svg.getAttribute("xmlns") !== "http://www.w3.org/2000/svg") {
      withoutNamespace++;
    }
  }
  if (withoutNamespace > 0) problems.push(`${withoutNamespace} svg element(s) without xmlns`);
  const wrapScrolls = /\.table-wrap\s*\{[^}]*overflow-x:\s*auto/.test(pageCss(html));
  let unwrapped = 0;
  for (const table of document.querySelectorAll("table")) {
    const wrapped = hasAncestor(
      table,
      (p) => (p.getAttribute("class") ?? "").split(/\s+/).includes("table-wrap"),
    );
    if (!wrapScrolls || !wrapped) unwrapped++;
  }
  if (unwrapped > 0) problems.push(`${unwrapped} table(s) outside a scrolling .table-wrap`);
  return problems;
}

Deno.test("layoutProblems() finds an over-wide figure and an unwrapped table", () => {
  const wide = page(
    "t",
    `<main><figure class="fig"><svg xmlns="http://www.w3.org/2000/svg" width="1400" height="300" ` +
      `viewBox="0 0 1400 300"></svg></figure><table><tr><td>1</td></tr></table></main>`,
  );
  assert.deepEqual(layoutProblems(wide), [
    "figure svg is 1400px wide > 1040px",
    "1 table(s) outside a scrolling .table-wrap",
  ]);
  // Width from the viewBox when the svg declares none; and a missing namespace.
  const viewBoxOnly = page("t", `<svg viewBox="0 0 2000 100"></svg>`);
  assert.deepEqual(layoutProblems(viewBoxOnly), [
    "figure svg is 2000px wide > 1040px",
    "1 svg element(s) without xmlns",
  ]);
  // The column of the old page CSS: 900 px minus 1.5 rem padding each side.
  const legacy = `<style>.page { max-width: 900px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }` +
    `</style><svg xmlns="http://www.w3.org/2000/svg" width="900"></svg>`;
  assert.equal(contentWidth(legacy), 852);
  assert.deepEqual(layoutProblems(legacy), ["figure svg is 900px wide > 852px"]);
  // Inside the column and wrapped: nothing to report.
  const fine = page(
    "t",
    `<svg xmlns="http://www.w3.org/2000/svg" width="1040"></svg>` +
      `<div class="table-wrap"><table><tr><td>1</td></tr></table></div>`,
  );
  assert.deepEqual(layoutProblems(fine), []);
});

Deno.test("a freshly written report fits its content column, even when asked for wider", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = new Report({ name: "layout", title: "Layout", finding: "f" });
    const series = Array.from({ length: 12 }, (_, i) => ({
      name: `series number ${i}`,
      x: [1, 10, 100],
      y: [1, 0.1 * (i + 1), 0.01],
    }));
    report.figure(
      linePlot({ series, xLabel: "x", yLabel: "y", logX: true, logY: true, width: 1600 }),
      { caption: "Too wide a request" },
    );
    report.figure([
      linePlot({ series: series.slice(0, 2), xLabel: "x", yLabel: "y", width: 600 }),
      heatmap({ values: [1, 2, 3, 4], nx: 2, ny: 2, label: "u", width: 600 }),
    ], { caption: "Two panels side by side, wrapping" });
    report.figure(
      `<svg width="1800" height="300" viewBox="0 0 1800 300"><rect width="1800" height="300"/></svg>`,
      { caption: "Raw SVG", data: {} },
    );
    report.table({
      columns: Array.from({ length: 30 }, (_, i) => `a long column heading ${i}`),
      rows: [Array.from({ length: 30 }, (_, i) => i * 1e6 + 0.5)],
    }, { caption: "Thirty columns" });
    report.metadata({ note: "x".repeat(400) });
    const html = await Deno.readTextFile((await report.write(dir)).html);
    assert.deepEqual(layoutProblems(html), []);
    // The raw SVG was scaled, not cropped: same viewBox, width 1040, height in proportion.
    assert.ok(
      html.includes(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="173" viewBox="0 0 1800 300">',
      ),
    );
    const index = await Deno.readTextFile(`${dir}/index.html`);
    assert.deepEqual(layoutProblems(index), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The committed reports: these fail until the reports are regenerated with the
// current page CSS and plot helpers (`deno task reports`).
const committed = [...Deno.readDirSync(new URL("../reports/", import.meta.url))]
  .filter((e) => e.isFile && e.name.endsWith(".html")).map((e) => e.name).sort();

for (const name of committed) {
  Deno.test(`reports/${name} fits its content column`, async () => {
    const html = await Deno.readTextFile(new URL(`../reports/${name}`, import.meta.url));
    assert.deepEqual(layoutProblems(html), []);
  });
}
