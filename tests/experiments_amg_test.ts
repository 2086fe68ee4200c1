import assert from "node:assert/strict";
import { cellPeclet, jump2d, METRIC_NAMES, translationModes, WINDS } from "../scripts/bench_amg.ts";
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

Deno.test("translationModes() and cellPeclet() build the block near-nullspace and name the problems", () => {
  const B = translationModes(9, 3);
  assert.equal(B.length, 3);
  for (let c = 0; c < 3; c++) {
    assert.deepEqual([...B[c]!], Array.from({ length: 9 }, (_, i) => (i % 3 === c ? 1 : 0)));
  }
  assert.throws(() => translationModes(10, 3), RangeError);
  assert.equal(cellPeclet([3, 4], { h: 2, diffusion: 5 }), 2);
  assert.ok(Math.abs(cellPeclet([1, 0.5]) - Math.sqrt(5) / 2) < 1e-15);
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
  assert.match(text, /convection–diffusion/);
  assert.match(text, /GMRES\(30\) and BiCGSTAB/);
  assert.match(text, /blockSize 3/);
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
      assert.equal(
        json.figures.length,
        4,
        "residual histories, time split, iterations, convection–diffusion",
      );

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

      // bcsstk16 with blockSize 3 and the translations: a row of its own, converged.
      const block = rowIterations(json, "bcsstk16, blockSize 3", "AMG its");
      assert.ok(block > 0 && Number.isInteger(block), `bcsstk16 block: ${block}`);
      assert.equal(metric(json, "bcsstk16BlockIterations"), block);
      assert.ok((metric(json, "bcsstk16DefaultIterations") as number) > 0);

      // Nonsymmetric: a row per Péclet number, iterations positive integers for every
      // configuration, the gradients through GMRES + AMG and GMRES + ILU(0) agree.
      const cd = json.tables.find((t) => t.caption.startsWith("Convection–diffusion 48²"));
      assert.ok(cd, "no convection–diffusion table");
      const pe = cd.columns.indexOf("Péclet |w|h/ε");
      assert.deepEqual(
        cd.rows.map((r) => r[pe]),
        WINDS.map((w) => Number(cellPeclet([w, w / 2]).toPrecision(3))),
      );
      const configs = [
        "GMRES(30) + AMG",
        "BiCGSTAB + AMG",
        "GMRES(30) + ILU(0)",
        "BiCGSTAB + ILU(0)",
        "GMRES(30), none",
      ];
      for (const row of cd.rows) {
        for (const c of configs) {
          const cellText = String(row[cd.columns.indexOf(c)]);
          const [fwd, adj] = cellText.split(",")[0]!.split("/").map(Number);
          for (const k of [fwd, adj]) {
            assert.ok(Number.isInteger(k) && k! > 0, `${c} at Péclet ${row[pe]}: ${cellText}`);
          }
          assert.ok(!cellText.includes("✗"), `${c} at Péclet ${row[pe]} did not converge`);
        }
        for (const col of ["Δ ∂L/∂b", "Δ ∂L/∂A"]) {
          const d = row[cd.columns.indexOf(col)] as number;
          assert.ok(d >= 0 && d <= 1e-5, `${col} at Péclet ${row[pe]}: ${d}`);
        }
      }
      assert.equal(metric(json, "convectionProblems"), WINDS.length);
      assert.equal(metric(json, "convectionConverged"), true);
      assert.ok((metric(json, "convectionGradBRelDiff") as number) <= 1e-5);
      assert.ok((metric(json, "convectionGradValuesRelDiff") as number) <= 1e-5);
      const said = json.text.find((t) => t.includes("Where AMG helps"));
      assert.ok(said && /Preconditioning GMRES\(30\), /.test(said), "no finding of the section");
      assert.match(said, /Preconditioning BiCGSTAB, /);
      // AMG needs far fewer iterations than no preconditioner at every Péclet number.
      for (const row of cd.rows) {
        const first = (c: string) => Number(String(row[cd.columns.indexOf(c)]).split("/")[0]);
        assert.ok(first("GMRES(30) + AMG") * 4 < first("GMRES(30), none"));
      }

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
