// Notebook displays: every solve result, matrix, tensor and figure returns a
// MIME bundle from [Symbol.for("Jupyter.display")](), invisible to JSON and
// to deep equality.
import assert from "node:assert/strict";
import { cg, CsrMatrix, poisson2d, tensor } from "../mod.ts";
import { linePlot } from "../plot.ts";
import { residualPlot } from "../lib/display/residual_plot.ts";
import { spyPlot } from "../lib/display/spy_plot.ts";

type Bundle = Record<string, string>;
const show = (value: unknown): Bundle =>
  (value as Record<symbol, () => Bundle>)[Symbol.for("Jupyter.display")]!();

Deno.test("a SolveResult displays its residual history and outcome, invisibly to JSON", () => {
  const A = poisson2d(8);
  const r = cg(A, new Float64Array(64).fill(1), { rtol: 1e-10 });
  const bundle = show(r);
  assert.equal(
    bundle["text/plain"]!.split(". ")[0],
    `SolveResult cg/none: converged-rtol after ${r.iterations} iteration(s), true relative ` +
      `residual ${r.relativeResidual.toExponential(2)}`,
  );
  assert.ok(r.relativeResidual <= 1e-10);
  const svg = bundle["image/svg+xml"]!;
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(svg.match(/<path /g)?.length, 1); // one history
  assert.ok(bundle["text/html"]!.includes(">converged-rtol<"));
  // Non-enumerable: keys, JSON and spreads are as before.
  assert.ok(!Object.keys(r).some((k) => k.includes("Jupyter")));
  assert.deepEqual(Object.getOwnPropertySymbols(r).map((s) => s.description), [
    "Jupyter.display",
  ]);
  assert.equal(
    Object.getOwnPropertyDescriptor(r, Symbol.for("Jupyter.display"))!.enumerable,
    false,
  );
  assert.deepEqual(JSON.parse(JSON.stringify({ ...r, x: [] })).reason, "converged-rtol");
  assert.deepEqual({ ...r }, { ...r });
});

Deno.test("a CsrMatrix displays a spy plot with shape, entries and symmetry", () => {
  const small = CsrMatrix.fromDense([[4, 1, 0], [0, 3, 0], [0, 1, 2]]);
  const b = show(small);
  assert.equal(b["text/plain"], "CsrMatrix 3×3, 5 stored (56%), not symmetric, values in [1, 4]");
  assert.equal(b["image/svg+xml"]!.match(/<rect class="nz"/g)?.length, 5);
  const big = poisson2d(40); // 1600 × 1600: binned
  const svg = show(big)["image/svg+xml"]!;
  assert.ok(!svg.includes('class="nz"') && svg.includes('class="nz-block"'));
  assert.ok(svg.includes("1600 × 1600, 7840 stored"));
  // Each block lies inside the 240 px drawing, on the diagonal band.
  const blocks = [...svg.matchAll(/<rect class="nz-block" x="([\d.]+)" y="([\d.]+)"/g)]
    .map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(blocks.length > 0);
  for (const [x, y] of blocks) {
    assert.ok(x! >= 6 && x! <= 246 && y! >= 6 && y! <= 246);
    assert.ok(Math.abs(x! - y!) <= 240 * (41 / 1600) + 1.5, `block (${x}, ${y}) off the band`);
  }
});

Deno.test("a Tensor displays its shape, dtype and summary", () => {
  const t = tensor([3, -4, NaN, 0], [2, 2]);
  const b = show(t);
  assert.equal(
    b["text/plain"],
    "Tensor[2,2] float64, 4 values, 1 non-finite: min -4, max 3, mean -0.3333, ‖·‖₂ 5\n" +
      "[3, -4, NaN, 0]",
  );
  assert.ok(b["text/html"]!.includes(">float64<"));
  assert.equal(b["image/svg+xml"], undefined);
});

Deno.test("report figures display as HTML and as their own SVG", () => {
  const fig = linePlot({
    series: [{ name: "a", x: [0, 1], y: [1, 2] }, { name: "b", x: [0, 1], y: [2, 1] }],
    xLabel: "x",
    yLabel: "y",
  });
  const b = show(fig);
  assert.equal(b["text/html"], fig.svg);
  assert.ok(b["image/svg+xml"]!.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(b["image/svg+xml"]!.includes('aria-label="line"'));
  assert.deepEqual(Object.keys(fig).sort(), ["data", "notes", "svg"]);
});

Deno.test("residualPlot() and spyPlot() handle empty and degenerate input", () => {
  assert.ok(residualPlot([]).includes("no residuals to plot"));
  assert.ok(residualPlot([{ name: "zero", values: [0, 0] }]).includes("no residuals to plot"));
  const one = residualPlot([{ name: "r", values: [1e-3] }]);
  assert.ok(one.includes(">10⁻³<") || one.includes(">0.001<"), one);
  const empty = spyPlot({ nRows: 0, nCols: 0, rowPtr: [0], colIdx: [] });
  assert.ok(empty.includes("0 × 0, 0 stored"));
});
