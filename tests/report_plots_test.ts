import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { PALETTE, seriesStyle } from "../lib/display/palette.ts";
import { CONTENT_WIDTH } from "../lib/report/page.ts";
import { ShapeError } from "../lib/errors.ts";
import { formatNumber } from "../lib/report/format_number.ts";
import { renderMarkdown } from "../lib/report/markdown.ts";
import { barPlot, heatmap, histogram, linePlot, scatterPlot } from "../lib/report/plots.ts";
import { renderPlot } from "../lib/report/render_plot.ts";

Deno.test("linePlot() draws a legend only for several series", () => {
  const one = linePlot({
    series: [{ name: "only-one", x: [1, 2], y: [3, 4] }],
    xLabel: "t (s)",
    yLabel: "loss",
  });
  assert.ok(one.svg.startsWith("<svg") && !one.svg.includes("only-one"));
  assert.ok(one.svg.includes("t (s)") && one.svg.includes("loss"));
  const two = linePlot({
    series: [{ name: "first", x: [1, 2], y: [3, 4] }, { name: "second", x: [1, 2], y: [4, 5] }],
    xLabel: "t (s)",
    yLabel: "loss",
  });
  assert.ok(two.svg.includes("first") && two.svg.includes("second") && two.svg.includes("swatch"));
});

Deno.test("linePlot() with log axes drops non-positive values and says so", () => {
  const fig = linePlot({
    series: [{ name: "r", x: [0, 1, 2, 3, 4], y: [1, 0, -1, NaN, 1e-8] }],
    xLabel: "iteration",
    yLabel: "residual",
    logX: true,
    logY: true,
  });
  assert.deepEqual(fig.notes, [
    "1 point(s) with x ≤ 0 or NaN omitted from the log x axis",
    "3 point(s) with y ≤ 0 or NaN omitted from the log y axis",
  ]);
  assert.deepEqual(fig.data, {
    series: [{ name: "r", x: [0, 1, 2, 3, 4], y: [1, 0, -1, NaN, 1e-8] }],
  });
  assert.ok(fig.svg.includes(">10⁻⁸<")); // powers of ten labelled in exponent form
  assert.throws(
    () => linePlot({ series: [{ name: "bad", x: [1, 2], y: [1] }], xLabel: "x", yLabel: "y" }),
    ShapeError,
  );
});

Deno.test("heatmap() checks the grid size", () => {
  assert.throws(
    () => heatmap({ values: new Float64Array(5), nx: 2, ny: 3, label: "u" }),
    (e: unknown) => e instanceof ShapeError && /needs 6 values, got 5/.test(e.message),
  );
  assert.throws(() => heatmap({ values: [], nx: 0, ny: 3, label: "u" }), ShapeError);
  const fig = heatmap({ values: [1, NaN, 3, 4], nx: 2, ny: 2, label: "u (m)", xLabel: "x (m)" });
  assert.deepEqual(fig.notes, ["1 non-finite cell(s) left blank"]);
  assert.ok(fig.svg.includes("u (m)") && fig.svg.includes("x (m)"));
});

Deno.test("barPlot(), histogram() and scatterPlot() label axes and legends", () => {
  const bars = barPlot({
    labels: ["none", "Jacobi"],
    series: [{ name: "CG", values: [10, 5] }, { name: "MINRES", values: [11, 6] }],
    xLabel: "preconditioner",
    yLabel: "iterations",
  });
  for (const s of ["preconditioner", "iterations", "Jacobi", "MINRES"]) {
    assert.ok(bars.svg.includes(s), s);
  }
  assert.throws(
    () =>
      barPlot({ labels: ["a"], series: [{ name: "s", values: [1, 2] }], xLabel: "x", yLabel: "y" }),
    ShapeError,
  );
  const hist = histogram({
    series: [{ name: "A", values: [1, 2, 2, Infinity] }, { name: "B", values: [3, 3] }],
    xLabel: "iterations",
  });
  assert.deepEqual(hist.notes, ["1 non-finite value(s) omitted"]);
  assert.ok(
    hist.svg.includes("count") && hist.svg.includes("iterations") && hist.svg.includes(">B<"),
  );
  const scatter = scatterPlot({
    series: [{ name: "g", x: [1, 2], y: [1, 2.1] }],
    xLabel: "finite difference",
    yLabel: "implicit",
    diagonal: true,
  });
  assert.deepEqual(scatter.notes, ["Dashed line: y = x"]);
  assert.ok(scatter.svg.includes("stroke-dasharray"));
});

Deno.test("renderPlot() renders a Plot specification to SVG markup", () => {
  const svg = renderPlot({ marks: [Plot.dot([{ a: 1, b: 2 }], { x: "a", y: "b" })] });
  assert.ok(svg.startsWith("<svg") && svg.includes("<circle"));
});

Deno.test("formatNumber() is compact and exact where it matters", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [4096, "4096"],
    [-3, "-3"],
    [0.5, "0.5"],
    [1e-8, "1e-8"],
    [3.2e-11, "3.2e-11"],
    [12.3456, "12.35"],
    [12345.678, "12346"],
    [-54321.5, "-54321"],
    [123456.7, "1.235e5"],
    [1e300, "1e300"],
    [NaN, "NaN"],
    [-Infinity, "−∞"],
  ];
  for (const [x, s] of cases) assert.equal(formatNumber(x), s, String(x));
});

Deno.test("renderMarkdown() escapes text and keeps only safe links", () => {
  assert.equal(
    renderMarkdown("a <b> & `<i>` **c**\n\n- one\n- [two](https://example.org/?a=1&b=2)"),
    "<p>a &lt;b&gt; &amp; <code>&lt;i&gt;</code> <strong>c</strong></p>\n" +
      '<ul><li>one</li><li><a href="https://example.org/?a=1&amp;b=2">two</a></li></ul>',
  );
  assert.equal(renderMarkdown("[x](javascript:alert(1))"), "<p>[x](javascript:alert(1))</p>");
  assert.equal(
    renderMarkdown('[x](data:text/html,"<b>")'),
    "<p>[x](data:text/html,&quot;&lt;b&gt;&quot;)</p>",
  );
});

// The little of the DOM these tests use (no DOM types in Deno's lib).
interface DomNode {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): Iterable<DomNode> & { length: number };
}

function parse(markup: string): { document: DomNode } {
  return parseHTML(`<!doctype html><html><body>${markup}</body></html>`) as unknown as {
    document: DomNode;
  };
}

function tickLabels(svg: string, axis: "x" | "y"): string[] {
  const { document } = parse(svg);
  const g = document.querySelector(`g[aria-label="${axis}-axis tick label"]`);
  return g ? [...g.querySelectorAll("text")].map((t) => t.textContent ?? "") : [];
}

Deno.test("log axes carry several readable ticks, never a lone one or raw 10000000", () => {
  // Just over a decade: the old axis labelled only "0.1".
  const narrow = linePlot({
    series: [{ name: "f", x: [1, 2, 3, 4], y: [0.05, 0.1, 0.3, 0.6] }],
    xLabel: "x",
    yLabel: "fraction",
    logY: true,
  });
  assert.deepEqual(tickLabels(narrow.svg, "y"), ["0.05", "0.1", "0.2", "0.5"]);
  // Less than a decade: 1…9 steps.
  const tight = linePlot({
    series: [{ name: "f", x: [1, 2], y: [0.5, 0.9] }],
    xLabel: "x",
    yLabel: "y",
    logY: true,
  });
  assert.deepEqual(tickLabels(tight.svg, "y"), ["0.5", "0.6", "0.7", "0.8", "0.9"]);
  // Many decades: powers of ten in exponent form.
  const ns = [1e3, 1e4, 1e5, 1e6, 1e7];
  const wide = linePlot({
    series: [{ name: "t", x: ns, y: ns.map((n) => n * 1e-9) }],
    xLabel: "n",
    yLabel: "s",
    logX: true,
    logY: true,
  });
  assert.deepEqual(tickLabels(wide.svg, "x"), ["10³", "10⁴", "10⁵", "10⁶", "10⁷"]);
  assert.deepEqual(tickLabels(wide.svg, "y"), ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²"]);
  const residual = linePlot({
    series: [{ name: "r", x: [0, 1, 2], y: [1, 1e-8, 1e-16] }],
    xLabel: "iteration",
    yLabel: "‖r‖",
    logY: true,
  });
  const labels = tickLabels(residual.svg, "y");
  assert.ok(labels.length >= 5 && labels.length <= 10, labels.join(" "));
  assert.ok(labels.every((l) => /^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/.test(l)), labels.join(" "));
  // Linear axis with large values: one shared exponent, no long digit strings.
  const linear = linePlot({
    series: [{ name: "m", x: [0, 1e7], y: [0, 1] }],
    xLabel: "bytes",
    yLabel: "y",
  });
  const xl = tickLabels(linear.svg, "x");
  assert.ok(xl.length >= 4 && xl.every((l) => l === "0" || /×10⁷$/.test(l)), xl.join(" "));
  assert.ok(!linear.svg.includes("10000000"));
});

Deno.test("series are told apart by Okabe–Ito colour, marker shape and dash", () => {
  const styles = Array.from({ length: 24 }, (_, i) => seriesStyle(i));
  const keys = new Set(styles.map((s) => `${s.color} ${s.dash} ${s.marker}`));
  assert.equal(keys.size, 24);
  assert.deepEqual(styles.slice(0, 8).map((s) => s.color), [...PALETTE]);
  assert.deepEqual(styles.slice(0, 7).map((s) => s.dash), Array(7).fill("solid"));
  assert.equal(styles[7]!.dash, "dashed"); // faint yellow gets a dash
  assert.equal(new Set(styles.slice(0, 8).map((s) => s.marker)).size, 8);

  const series = Array.from({ length: 10 }, (_, i) => ({
    name: `s${i}`,
    x: Array.from({ length: 100 }, (_, k) => k),
    y: Array.from({ length: 100 }, () => 1), // all identical: each must still show
  }));
  const fig = linePlot({ series, xLabel: "k", yLabel: "y" });
  const { document } = parse(fig.svg);
  assert.equal(document.querySelectorAll(".gs-swatch").length, 10);
  for (let i = 0; i < 10; i++) {
    const color = seriesStyle(i).color;
    assert.ok(fig.svg.includes(`stroke="${color}"`), `series ${i} colour ${color}`);
  }
  // Markers are staggered: series 0 and 1 do not mark the same points.
  const plot = document.querySelector("svg[class^='plot']")!;
  const markerGroups = [...plot.querySelectorAll("g[aria-label='dot']")];
  assert.equal(markerGroups.length, 10);
  const xsOf = (g: DomNode) =>
    [...g.querySelectorAll("path, circle")].map((p) =>
      p.getAttribute("transform") ?? p.getAttribute("cx")
    );
  assert.ok(xsOf(markerGroups[0]!).length <= 13);
  assert.notDeepEqual(xsOf(markerGroups[0]!), xsOf(markerGroups[1]!));
  assert.ok(fig.svg.includes('stroke-dasharray="6,3"')); // dashes once colours repeat
});

Deno.test("linePlot() options: per-series style, draw order, opacity, no markers", () => {
  const two = (extra: Record<string, unknown>) =>
    linePlot({
      series: [
        { name: "a", x: [0, 1], y: [0, 1], color: "#111111" },
        { name: "b", x: [0, 1], y: [0, 1], color: "#222222", dash: "dotted", marker: "none" },
      ],
      xLabel: "x",
      yLabel: "y",
      ...extra,
    }).svg;
  const given = two({});
  assert.ok(given.indexOf('stroke="#111111"') < given.indexOf('stroke="#222222"'));
  const reversed = two({ drawOrder: "reverse" });
  const plotPart = reversed.slice(reversed.lastIndexOf("<svg"));
  assert.ok(plotPart.indexOf('stroke="#222222"') < plotPart.indexOf('stroke="#111111"'));
  assert.ok(given.includes('stroke-dasharray="1.5,2.5"'));
  assert.ok(two({ opacity: 0.6 }).includes('stroke-opacity="0.6"'));
  assert.ok(!two({ markers: "none" }).includes('aria-label="dot"'));
  assert.ok(two({ halo: true }).includes('stroke="white"'));
});

Deno.test("plot helpers stay inside the content column and carry the SVG namespace", () => {
  const series = [{ name: "a", x: [0, 1], y: [1, 2] }, { name: "b", x: [0, 1], y: [2, 1] }];
  const figs = [
    linePlot({ series, xLabel: "x", yLabel: "y", width: 2000 }),
    scatterPlot({ series, xLabel: "x", yLabel: "y", width: 1500 }),
    barPlot({
      labels: ["p", "q"],
      series: [{ name: "v", values: [1, 2] }],
      xLabel: "x",
      yLabel: "y",
      width: 1200,
    }),
    histogram({ series: [{ name: "h", values: [1, 2, 3] }], xLabel: "x", width: 1100 }),
    heatmap({ values: [1, 2, 3, 4], nx: 2, ny: 2, label: "u", width: 1800 }),
  ];
  for (const fig of figs) {
    for (const tag of fig.svg.match(/<svg\b[^>]*>/g) ?? []) {
      assert.ok(tag.includes('xmlns="http://www.w3.org/2000/svg"'), tag);
      const width = Number(/\swidth="([\d.]+)"/.exec(tag)?.[1]);
      assert.ok(width <= CONTENT_WIDTH, `${width} > ${CONTENT_WIDTH}: ${tag}`);
    }
  }
});

Deno.test("linePlot() dashes a series lying on an earlier one and says so", () => {
  const y = [1, 0.1, 0.01, 1e-3, 1e-4];
  const fig = linePlot({
    series: [
      { name: "CG", x: [0, 1, 2, 3, 4], y },
      { name: "CG + Jacobi", x: [0, 1, 2, 3, 4], y: y.map((v) => v * (1 + 1e-12)) },
      { name: "MINRES", x: [0, 1, 2, 3, 4], y: y.map((v) => v * 2) },
    ],
    xLabel: "iteration",
    yLabel: "‖r‖/‖b‖",
    logY: true,
  });
  assert.deepEqual(fig.notes, [
    '"CG + Jacobi" lies on "CG" (drawn dashed, markers alternate)',
  ]);
  const { document } = parse(fig.svg);
  const dots = [...document.querySelectorAll("g[aria-label='dot']")].map((g) =>
    [...g.querySelectorAll("path, circle")].length
  );
  assert.deepEqual(dots, [3, 2, 5]); // CG at points 0, 2, 4; Jacobi at 1, 3; MINRES at all
  assert.ok(fig.svg.includes('stroke-dasharray="6,3"'));
});
