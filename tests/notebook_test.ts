// notebooks/quick_start.ipynb runs: its code cells, in order, as one module
// (what the Deno kernel does cell by cell), with the package imports mapped to
// this checkout through its deno.json. Each cell's trailing expression is what
// Jupyter would display; its MIME bundle is checked here.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseHTML } from "linkedom";
import {
  fromCsr,
  grad,
  poisson2d,
  solveWithInfo,
  sparseTensor,
  square,
  sum,
  tensor,
} from "../mod.ts";
import { tensorDisplay } from "../lib/display/bundles.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const NOTEBOOK = new URL("../notebooks/quick_start.ipynb", import.meta.url);

interface Cell {
  cell_type: string;
  source: string[] | string;
}

type Bundle = Record<string, string>;

const DECLARATION =
  /^(?:const|let|var|function|async\s+function|class|import|export|type|interface|if|for|while|do|switch|try|return|throw)\b/;

/**
 * Splits a cell into its statements and the trailing expression the Deno
 * kernel displays (its completion value, with or without a final `;`).
 */
function splitDisplay(source: string): { body: string; display: string | undefined } {
  const lines = source.replace(/\s+$/, "").split("\n");
  // Start line of each top-level statement: after a line that closes one at depth 0.
  let depth = 0, start = 0, lastStart = 0;
  lines.forEach((line, i) => {
    if (i === start) lastStart = i;
    const code = line.replace(/\/\/.*$/, "").trimEnd();
    for (const ch of code) {
      if ("([{".includes(ch)) depth++;
      else if (")]}".includes(ch)) depth--;
    }
    if (depth === 0 && (code.endsWith(";") || code.endsWith("}") || code === "")) start = i + 1;
  });
  const last = lines.slice(lastStart).join("\n").trim();
  if (last === "" || DECLARATION.test(last)) return { body: source, display: undefined };
  return {
    body: lines.slice(0, lastStart).join("\n"),
    display: last.replace(/;\s*$/, ""),
  };
}

async function runNotebook(): Promise<{ cell: number; bundle: Bundle }[]> {
  const nb = JSON.parse(await Deno.readTextFile(NOTEBOOK)) as {
    cells: Cell[];
    metadata: { kernelspec?: { name?: string } };
  };
  assert.equal(nb.metadata.kernelspec?.name, "deno");
  const code = nb.cells.filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
  let module = `const __display = (cell: number, value: unknown) => {
  const show = (value as Record<symbol, (() => Record<string, string>) | undefined>)[
    Symbol.for("Jupyter.display")
  ];
  const bundle = typeof show === "function" ? show.call(value) : { "text/plain": Deno.inspect(value) };
  console.log("BUNDLE " + JSON.stringify({ cell, bundle }));
};\n`;
  code.forEach((source, i) => {
    const { body, display } = splitDisplay(source);
    module += `// cell ${i}\n${body}\n`;
    if (display !== undefined) module += `__display(${i}, (${display}));\n`;
  });
  const dir = await Deno.makeTempDir({ prefix: "gradsolve-notebook-" });
  try {
    const file = `${dir}/quick_start.ts`;
    await Deno.writeTextFile(file, module);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${ROOT}deno.json`, file],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, `notebook failed:\n${new TextDecoder().decode(out.stderr)}`);
    return stdout.split("\n").filter((l) => l.startsWith("BUNDLE ")).map((l) =>
      JSON.parse(l.slice(7))
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Well-formed XML, as far as our writers can go wrong: balanced tags, quoted attributes, escaped text. */
function assertWellFormedSvg(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    assert.ok(!/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text), `bare & in "${text}"`);
    assert.ok(!text.includes(">") || stack.length > 0, `stray > in "${text}"`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    assert.ok(m, `malformed tag at ${lt}: ${svg.slice(lt, lt + 80)}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else if (!selfClose) stack.push(name!);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], "unclosed elements");
  const { document } = parseHTML(`<!doctype html><html><body>${svg}</body></html>`) as unknown as {
    document: { body: { firstElementChild: { tagName: string; getAttribute(n: string): string } } };
  };
  const root = document.body.firstElementChild;
  assert.equal(root.tagName.toLowerCase(), "svg");
  assert.equal(root.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
}

Deno.test("notebooks/quick_start.ipynb runs and every displayed value has a rich bundle", async () => {
  const shown = await runNotebook();
  // A, info, info.x, g, last!, and the figure.
  assert.equal(shown.length, 6, shown.map((s) => s.bundle["text/plain"]).join("\n"));
  for (const { bundle } of shown) {
    assert.ok((bundle["text/plain"] ?? "").length > 0, "text/plain present");
    if (bundle["image/svg+xml"] !== undefined) assertWellFormedSvg(bundle["image/svg+xml"]);
  }
  const [matrix, info, x, g, after, figure] = shown.map((s) => s.bundle);

  // poisson2d(16): 256 unknowns, 5·256 − 4·16 = 1216 stored entries.
  assert.match(matrix!["text/plain"]!, /^CsrMatrix 256×256, 1216 stored \(1\.9%\), symmetric/);
  assert.ok(matrix!["image/svg+xml"]!.includes('class="nz-block"'));

  const residual = Number(/true relative residual ([\d.e+-]+)/.exec(info!["text/plain"]!)?.[1]);
  assert.match(
    info!["text/plain"]!,
    /^SolveInfo: 1 numeric solve\(s\)\n {2}forward cg\/none: converged-rtol/,
  );
  assert.ok(residual > 0 && residual <= 1e-10, `residual ${residual}`);
  assert.match(info!["text/plain"]!, /adjoint: none yet/);

  // The same numbers as computing here, in this process.
  const A = poisson2d(16);
  const b = tensor(new Float64Array(256).fill(1));
  const values = fromCsr(A).values;
  const xHere = solveWithInfo(sparseTensor(A.pattern, values), b, { rtol: 1e-10 }).x;
  assert.equal(x!["text/plain"], tensorDisplay(xHere)["text/plain"]);
  const gHere = grad((v: typeof values) =>
    sum(square(solveWithInfo(sparseTensor(A.pattern, v), b, { rtol: 1e-10 }).x))
  )(values);
  assert.equal(g!["text/plain"], tensorDisplay(gHere)["text/plain"]);
  assert.match(g!["text/plain"]!, /^Tensor\[1216\] float64, 1216 values/);

  // After the gradient, the diagnostics list the adjoint solve too.
  assert.match(after!["text/plain"]!, /^SolveInfo: 2 numeric solve\(s\)/);
  assert.match(after!["text/plain"]!, /adjoint cg\/none: converged-rtol/);
  assert.ok(after!["text/html"]!.includes(">adjoint<"));

  // The figure: three series with a legend, the plot itself as standalone SVG.
  assert.equal(figure!["text/html"]!.match(/class="gs-swatch"/g)?.length, 3);
  assert.ok(figure!["image/svg+xml"]!.includes("relative residual"));
  // Jacobi on the constant-diagonal Laplacian repeats CG exactly; the figure says so.
  assert.match(figure!["text/plain"]!, /"CG \+ Jacobi" lies on "CG" \(drawn dashed/);
});

Deno.test("splitDisplay() finds the trailing expression of a cell", () => {
  assert.deepEqual(splitDisplay("const a = 1;\na"), { body: "const a = 1;", display: "a" });
  assert.deepEqual(splitDisplay("const a = 1;\na;\n"), { body: "const a = 1;", display: "a" });
  assert.deepEqual(splitDisplay("import { x } from 'y';\n"), {
    body: "import { x } from 'y';\n",
    display: undefined,
  });
  assert.deepEqual(splitDisplay("const f = () => {\n  return 1;\n};"), {
    body: "const f = () => {\n  return 1;\n};",
    display: undefined,
  });
  assert.deepEqual(splitDisplay("const r = [\n  1,\n];\nf({\n  a: r,\n});"), {
    body: "const r = [\n  1,\n];",
    display: "f({\n  a: r,\n})",
  });
  assert.deepEqual(splitDisplay("last!;"), { body: "", display: "last!" });
});
