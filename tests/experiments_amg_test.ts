import assert from "node:assert/strict";
import { jump2d, METRIC_NAMES } from "../scripts/bench_amg.ts";
import { anisotropic2d } from "../lib/sparse/generators.ts";

interface ReportJson {
  name: string;
  finding: string;
  text: string[];
  tables: { caption: string; columns: string[]; rows: unknown[][] }[];
  figures: { caption: string; data: unknown }[];
}

async function runQuick(
  extra: string[],
): Promise<{ out: string; json: ReportJson; stdout: string }> {
  const out = await Deno.makeTempDir({ prefix: "gradsolve-amg-" });
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/bench_amg.ts", "--quick", "--out", out, ...extra],
    cwd: new URL("..", import.meta.url),
    env: { XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp/xdg" },
    stdout: "piped",
    stderr: "piped",
  });
  const res = await cmd.output();
  const stdout = new TextDecoder().decode(res.stdout);
  assert.ok(res.success, new TextDecoder().decode(res.stderr));
  const json = JSON.parse(await Deno.readTextFile(`${out}/amg.json`)) as ReportJson;
  return { out, json, stdout };
}

/** The value of a metric, looked up by its human name in the report's last table. */
function metric(json: ReportJson, key: string): unknown {
  const table = json.tables.find((t) => t.caption.startsWith("The numbers behind"));
  assert.ok(table, "no table of numbers");
  const row = table.rows.find((r) => r[0] === METRIC_NAMES[key]);
  return row?.[1];
}

/** Forward iterations of a method in a row of the table over problems ("7/7" cells). */
function rowIterations(json: ReportJson, problem: string, column: string): number {
  const table = json.tables.find((t) => t.caption.startsWith("Iterations (forward / adjoint)"));
  assert.ok(table, "no table over problems");
  const row = table.rows.find((r) => String(r[0]).startsWith(problem));
  assert.ok(row, `no row ${problem}`);
  return Number(String(row[table.columns.indexOf(column)]).split("/")[0]);
}

Deno.test("anisotropic2d() and jump2d() build the documented SPD stencils", () => {
  const A = anisotropic2d(5, 5, 1e-3);
  assert.ok(A.symmetric);
  assert.equal(A.get(12, 12), 2.002);
  assert.equal(A.get(12, 11), -1e-3);
  assert.equal(A.get(12, 7), -1);
  const J = jump2d(16, 1e4);
  assert.ok(J.symmetric && J.shape[0] === 256);
  // Blocks of 2 cells: cell 0 has κ = 1, cell 2 has κ = 10⁴.
  assert.ok(J.get(0, 0) < 10 && J.get(2, 2) > 1e4);
});

Deno.test("bench_amg.ts --help says what it does, how long it takes and what it writes", async () => {
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/bench_amg.ts", "--help"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(res.stdout);
  assert.ok(res.success);
  assert.match(text, /^Benchmarks AMG-PCG/);
  assert.match(text, /Takes: --quick about .* full run about/);
  assert.match(text, /Writes: OUT\/amg\.html, OUT\/amg\.json/);
  assert.match(text, /--skip-jax/);
});

Deno.test({
  name:
    "bench_amg.ts --quick: AMG beats IC(0) on Poisson, AMG gradients equal unpreconditioned ones",
  fn: async () => {
    const { out, json, stdout } = await runQuick([]);
    try {
      const html = await Deno.readTextFile(`${out}/amg.html`);
      assert.ok(html.includes("<svg"));
      assert.equal(json.name, "amg");
      assert.ok(stdout.includes(json.finding), "the printed finding is the report's");
      assert.equal(json.figures.length, 3, "residual histories, time split, iterations");

      // Headline (2-D Poisson 100²): fewer iterations than IC(0), within the target.
      const amgIts = metric(json, "amgForwardIterations") as number;
      const adjIts = metric(json, "amgAdjointIterations") as number;
      const icIts = metric(json, "ic0ForwardIterations") as number;
      assert.ok(amgIts > 0 && amgIts < icIts, `AMG ${amgIts} vs IC(0) ${icIts}`);
      assert.ok(amgIts <= 12 && adjIts <= 12, `${amgIts} / ${adjIts}`);
      assert.equal(metric(json, "iterationTargetMet"), true);
      assert.ok((metric(json, "amgLevels") as number) >= 2);
      // 3-D Poisson in the table: fewer iterations too.
      const amg3 = rowIterations(json, "3-D Poisson", "AMG its");
      const ic3 = rowIterations(json, "3-D Poisson", "IC(0) its");
      assert.ok(amg3 > 0 && amg3 < ic3, `3-D: AMG ${amg3} vs IC(0) ${ic3}`);

      // Gradients w.r.t. b and every stored value through AMG = unpreconditioned, to 1e-8.
      const diff = metric(json, "gradCheckRelDiff") as number;
      assert.ok(diff >= 0 && diff <= 1e-8, `gradient difference ${diff}`);
      assert.ok((metric(json, "gradCheckLevels") as number) >= 3);

      // Setup reuse ran, both ways converged to the same iteration counts' order.
      assert.ok((metric(json, "reuseUpdateMs") as number) > 0);
      assert.ok((metric(json, "reuseMs") as number) > 0);
      assert.equal(
        metric(json, "reuseTargetMet"),
        (metric(json, "reuseSpeedup") as number) >= 3,
      );

      // The outside comparisons, when the Python side had them.
      if (metric(json, "pyamgRan") === true) {
        const py = metric(json, "pyamgForwardIterations") as number;
        assert.ok(py > 0 && py < icIts, `PyAMG ${py}`);
        assert.ok((metric(json, "pyamgOverAmg") as number) > 0);
      }
      if (metric(json, "jaxRan") === true) {
        assert.ok((metric(json, "jaxGradBRelDiff") as number) < 1e-5);
        assert.ok((metric(json, "jaxGradValuesRelDiff") as number) < 1e-5);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("bench_amg.ts --quick without Python says PyAMG and JAX were skipped", async () => {
  const { out, json } = await runQuick(["--python", "/nonexistent/python"]);
  try {
    assert.equal(metric(json, "pyamgRan"), false);
    assert.equal(metric(json, "jaxRan"), false);
    const intro = json.text.join("\n");
    assert.match(intro, /PyAMG was not available \(no Python at \/nonexistent\/python\)/);
    assert.match(intro, /JAX was not available/);
    assert.match(json.finding, /PyAMG and JAX did not run/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
