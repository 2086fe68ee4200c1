import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { Buffer } from "node:buffer";
import { GradsolveError } from "../lib/errors.ts";
import { heatmap, linePlot } from "../lib/report/plots.ts";
import { Report } from "../lib/report/report.ts";
import { writeIndex } from "../lib/report/index.ts";

function sampleReport(name: string, title: string): Report {
  const report = new Report({ name, title, finding: `Finding of ${name} <b>bold?</b>` });
  report.metadata({ n: 16, rtol: 1e-10, seed: 3, quick: true, weights: new Float64Array([0.5]) });
  report.text(
    "Plain text with **bold** and `code`; <script>alert(1)</script> & [bad](javascript:x)",
  );
  report.table([{ method: "CG", iterations: 12, relres: 3.2e-11 }, { method: "MINRES" }], {
    caption: "Iterations <i>per</i> method",
  });
  report.figure(
    linePlot({
      series: [
        { name: "CG-series", x: [0, 1, 2, 3], y: [1, 1e-4, 1e-9, 0] },
        { name: "MINRES-series", x: [0, 1, 2, 3], y: [1, 1e-3, 1e-7, 1e-12] },
      ],
      xLabel: "iteration (count)",
      yLabel: "relative residual ‖r‖/‖b‖",
      logY: true,
    }),
    { caption: "Convergence" },
  );
  const values = new Float64Array([0, 1, 2, 3, 4, 5]);
  report.figure(heatmap({ values, nx: 3, ny: 2, label: "kappa (W/mK)" }), { caption: "Field" });
  return report;
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("Report.write() writes a self-contained HTML file, its JSON and the index", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const written = await sampleReport("alpha", "Alpha <script>x</script> report").write(dir);
    assert.deepEqual(await listDir(dir), ["alpha.html", "alpha.json", "index.html"]);
    assert.equal(written.html, `${dir}/alpha.html`);

    const html = await Deno.readTextFile(written.html);
    assert.ok(html.includes("<svg"));
    assert.ok(html.includes("iteration (count)"));
    assert.ok(html.includes("relative residual ‖r‖/‖b‖"));
    assert.ok(html.includes("kappa (W/mK)"));
    assert.ok(html.includes("CG-series") && html.includes("MINRES-series")); // legend
    assert.ok(html.includes("1 point(s) with y ≤ 0 or NaN omitted from the log y axis"));
    // Nothing is loaded from elsewhere: no scripts, stylesheets, or remote URLs in attributes.
    assert.ok(!/<script/i.test(html));
    assert.ok(!/<link/i.test(html));
    assert.ok(!/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i.test(html));
    assert.ok(!/url\(\s*["']?https?:/i.test(html));
    // Escaping of title, finding, text and captions.
    assert.ok(html.includes("Alpha &lt;script&gt;x&lt;/script&gt; report"));
    assert.ok(html.includes("Finding of alpha &lt;b&gt;bold?&lt;/b&gt;"));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
    assert.ok(html.includes("[bad](javascript:x)") && !html.includes('href="javascript'));
    assert.ok(html.includes("Iterations &lt;i&gt;per&lt;/i&gt; method"));
    assert.ok(html.includes("<strong>bold</strong>") && html.includes("<code>code</code>"));
    assert.ok(html.includes("<details"));

    const json = JSON.parse(await Deno.readTextFile(written.json));
    assert.equal(json.name, "alpha");
    assert.equal(json.finding, "Finding of alpha <b>bold?</b>");
    assert.equal(json.metadata.seed, 3);
    assert.equal(json.metadata.backend, "cpu");
    assert.equal(json.metadata.adapter, "none");
    assert.equal(json.metadata.deno, Deno.version.deno);
    assert.ok(!Number.isNaN(Date.parse(json.metadata.date)));
    assert.deepEqual(json.metadata.parameters, {
      n: 16,
      rtol: 1e-10,
      seed: 3,
      quick: true,
      weights: [0.5],
    });
    const git = await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"] }).output()
      .then((o) => (o.success ? new TextDecoder().decode(o.stdout).trim() : "unknown"))
      .catch(() => "unknown");
    assert.equal(json.metadata.commit, git);
    assert.deepEqual(json.tables, [{
      caption: "Iterations <i>per</i> method",
      columns: ["method", "iterations", "relres"],
      rows: [["CG", 12, 3.2e-11], ["MINRES", null, null]],
    }]);
    assert.equal(json.figures.length, 2);
    assert.deepEqual(json.figures[0].data.series[0], {
      name: "CG-series",
      x: [0, 1, 2, 3],
      y: [1, 1e-4, 1e-9, 0],
    });
    assert.deepEqual(json.figures[1].data.values, [0, 1, 2, 3, 4, 5]);
    assert.equal(json.figures[1].data.nx, 3);

    const index = await Deno.readTextFile(written.index);
    assert.ok(index.includes('href="alpha.html"'));
    assert.ok(index.includes("Alpha &lt;script&gt;x&lt;/script&gt; report"));
    assert.ok(index.includes("Finding of alpha &lt;b&gt;bold?&lt;/b&gt;"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Report.write() rebuilds the index with every report and ignores other JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bench_raw.json`, JSON.stringify({ title: "not a report" }));
    await Deno.writeTextFile(`${dir}/broken.json`, "{");
    await sampleReport("zeta", "Zeta").write(dir);
    await sampleReport("beta", "Beta").write(dir);
    const again = sampleReport("beta", "Beta, second run");
    again.finding = "Updated finding";
    await again.write(dir);
    const index = await Deno.readTextFile(`${dir}/index.html`);
    assert.ok(index.indexOf('href="beta.html"') < index.indexOf('href="zeta.html"'));
    assert.ok(index.includes("Beta, second run") && index.includes("Updated finding"));
    assert.ok(!index.includes("not a report"));
    assert.equal(index.match(/<tr><td><a /g)?.length, 2);
    assert.deepEqual(await listDir(dir), [
      "bench_raw.json",
      "beta.html",
      "beta.json",
      "broken.json",
      "index.html",
      "zeta.html",
      "zeta.json",
    ]);
    assert.ok((await Deno.readTextFile(await writeIndex(dir))).includes("2 report(s)"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Report heatmap embeds a PNG of nx × ny pixels coloured by value", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = new Report({ name: "heat", title: "Heat", finding: "f" });
    report.figure(
      heatmap({ values: [0, 1, 2, 3, 4, 5], nx: 3, ny: 2, label: "u", colorScheme: "viridis" }),
      { caption: "u" },
    );
    const html = await Deno.readTextFile((await report.write(dir)).html);
    const urls = [...html.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) => m[1]!);
    // One colour ramp (256×1) for the legend, one raster for the field.
    const images = urls.map((b64) => {
      const png = Buffer.from(b64, "base64");
      const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
      const width = view.getUint32(16), height = view.getUint32(20);
      const idatLength = view.getUint32(33);
      const raw = inflateSync(png.subarray(41, 41 + idatLength));
      return { width, height, raw };
    });
    assert.deepEqual(images.map((i) => [i.width, i.height]).sort(), [[256, 1], [3, 2]]);
    const field = images.find((i) => i.width === 3)!;
    // PNG row 0 holds field row j = 0 (values 0, 1, 2); the SVG transform flips the image
    // so that j = 0 is drawn at the bottom. Each scanline: filter byte, then RGBA.
    // Viridis runs from #440154 (minimum) to #fde725 (maximum).
    assert.ok(/<image[^>]* transform="translate\([^)]*\) scale\(1,-1\)"/.test(html));
    const pixel = (x: number, y: number) =>
      Array.from(field.raw.subarray(y * 13 + 1 + x * 4, y * 13 + 1 + x * 4 + 4));
    assert.deepEqual(pixel(0, 0), [0x44, 0x01, 0x54, 255]); // value 0 at (i, j) = (0, 0)
    assert.deepEqual(pixel(2, 1), [0xfd, 0xe7, 0x25, 255]); // value 5 at (i, j) = (2, 1)
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Report.figure() rejects external resources and figures without data", () => {
  const report = new Report({ name: "r", title: "R", finding: "f" });
  assert.throws(
    () =>
      report.figure('<svg><image href="https://example.com/x.png"/></svg>', {
        caption: "remote",
        data: [],
      }),
    (e: unknown) => e instanceof GradsolveError && /external resource/.test(e.message),
  );
  assert.throws(
    () => report.figure("<svg></svg>", { caption: "no data" }),
    (e: unknown) => e instanceof GradsolveError && /options\.data/.test(e.message),
  );
  report.figure("<svg></svg>", { caption: "raw", data: { x: [1] } });
  assert.throws(
    () => new Report({ name: "../evil", title: "t", finding: "f" }),
    (e: unknown) => e instanceof GradsolveError && /"\.\.\/evil"/.test(e.message),
  );
  assert.throws(
    () => report.table({ columns: ["a", "b"], rows: [[1]] }, { caption: "bad" }),
    (e: unknown) =>
      e instanceof GradsolveError && /1 cells but there are 2 columns/.test(e.message),
  );
});
