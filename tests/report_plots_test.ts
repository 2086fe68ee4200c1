import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
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
  assert.ok(fig.svg.includes(">1e-8<")); // powers of ten labelled in exponent form
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
