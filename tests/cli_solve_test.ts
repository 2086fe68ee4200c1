import assert from "node:assert/strict";
import { denseSolve, denseSolveTranspose } from "../lib/linalg/dense.ts";
import { CsrMatrix } from "../lib/sparse/csr.ts";
import {
  formatMatrixMarket,
  formatMatrixMarketVector,
  parseMatrixMarket,
} from "../lib/sparse/matrix_market.ts";
import { hasSharedData, matrixPath } from "./_data.ts";
import { noGpu } from "./_gpu.ts";
import { solveCli } from "./_cli.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function solveJson(...args: string[]): Promise<{ code: number; json: Json }> {
  const r = await solveCli(...args, "--json");
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { code: r.code, json: JSON.parse(r.stdout) };
}

const tmp = await Deno.makeTempDir({ prefix: "gradsolve_cli_" });
const write = (name: string, text: string) => {
  const p = `${tmp}/${name}`;
  Deno.writeTextFileSync(p, text);
  return p;
};

// A small nonsymmetric system and a symmetric one, with known dense answers.
const nonsym = [[4, -1, 0, 0.5], [-2, 5, -1, 0], [0, -1.5, 6, -1], [1, 0, -2, 7]];
const gVec = Float64Array.of(1, -2, 0.5, 3);
const bVec = Float64Array.of(1, 2, 3, 4);
const nonsymPath = write("nonsym.mtx", formatMatrixMarket(CsrMatrix.fromDense(nonsym)));
const symDense = [[5, -1, 0, -2], [-1, 6, -1, 0], [0, -1, 4, -1], [-2, 0, -1, 7]];
const symPath = write(
  "sym.mtx",
  formatMatrixMarket(CsrMatrix.fromDense(symDense), { symmetry: "symmetric" }),
);
const bPath = write("b.mtx", formatMatrixMarketVector(bVec));
const gPath = write("g.mtx", formatMatrixMarketVector(gVec));

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

Deno.test("solve --json prints every field of the contract", async () => {
  const { code, json } = await solveJson(
    "--matrix",
    nonsymPath,
    "--rhs",
    bPath,
    "--method",
    "gmres",
  );
  assert.equal(code, 0);
  for (
    const key of [
      "n",
      "nnz",
      "method",
      "precond",
      "backend",
      "converged",
      "reason",
      "iterations",
      "relativeResidual",
      "x",
      "timings",
    ]
  ) assert.ok(key in json, `missing ${key}`);
  assert.deepEqual(Object.keys(json.timings).sort(), ["adjoint", "read", "setup", "solve"]);
  assert.equal(json.n, 4);
  assert.equal(json.nnz, 12);
  assert.equal(json.method, "gmres");
  assert.equal(json.precond, "none");
  assert.equal(json.backend, "cpu");
  assert.equal(json.converged, true);
  assert.equal(json.reason, "converged-rtol");
  assert.ok(json.relativeResidual <= 1e-10);
  close(json.x, denseSolve(nonsym.flat(), 4, bVec), 1e-9, "x");
});

Deno.test("solve --adjoint reports A⁻ᵀg and −λᵢxⱼ per file entry (nonsymmetric, general file)", async () => {
  for (const method of ["gmres", "bicgstab", "direct"]) {
    const { code, json } = await solveJson(
      "--matrix",
      nonsymPath,
      "--rhs",
      bPath,
      "--adjoint",
      gPath,
      "--method",
      method,
      "--rtol",
      "1e-12",
    );
    assert.equal(code, 0, method);
    const x = denseSolve(nonsym.flat(), 4, bVec);
    const lam = denseSolveTranspose(nonsym.flat(), 4, gVec);
    close(json.gradB, lam, 1e-9, `${method} gradB`);
    const mm = parseMatrixMarket(Deno.readTextFileSync(nonsymPath));
    const expected = Array.from(mm.fileRows, (i, e) => -lam[i] * x[mm.fileCols[e]]);
    close(json.gradValues, expected, 1e-9, `${method} gradValues`);
    assert.equal(json.adjointRelativeResidual <= 1e-12, true, method);
    if (method === "direct") assert.equal(json.adjointIterations, 0);
    else assert.ok(json.adjointIterations >= 1);
  }
});

Deno.test("solve --adjoint on a symmetric file gives −(λᵢxⱼ + λⱼxᵢ) for off-diagonal entries", async () => {
  const { code, json } = await solveJson(
    "--matrix",
    symPath,
    "--rhs",
    bPath,
    "--adjoint",
    gPath,
    "--precond",
    "ic0",
    "--rtol",
    "1e-12",
  );
  assert.equal(code, 0);
  assert.equal(json.method, "cg");
  const x = denseSolve(symDense.flat(), 4, bVec);
  const lam = denseSolve(symDense.flat(), 4, gVec);
  const mm = parseMatrixMarket(Deno.readTextFileSync(symPath));
  assert.equal(json.gradValues.length, mm.entries);
  const expected = Array.from(mm.fileRows, (i, e) => {
    const j = mm.fileCols[e];
    return i === j ? -lam[i] * x[i] : -(lam[i] * x[j] + lam[j] * x[i]);
  });
  close(json.gradValues, expected, 1e-9, "gradValues");
});

Deno.test("solve exits 1 and still prints the JSON when the solve does not converge", async () => {
  const { code, json } = await solveJson(
    "--matrix",
    nonsymPath,
    "--max-iter",
    "1",
    "--method",
    "bicgstab",
  );
  assert.equal(code, 1);
  assert.equal(json.converged, false);
  assert.equal(json.reason, "diverged-max-iterations");
  assert.ok(json.relativeResidual > 1e-10);
});

Deno.test("solve exits 2 with one line naming the option, file or line", async (t) => {
  const malformed = write(
    "bad.mtx",
    "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1.0\n2 x 3\n",
  );
  const cases: [string, string[], RegExp][] = [
    ["missing --matrix", [], /--matrix is required/],
    ["unknown method", ["--matrix", nonsymPath, "--method", "lsqr"], /--method must be one of/],
    ["bad rtol", ["--matrix", nonsymPath, "--rtol", "abc"], /--rtol/],
    [
      "unknown option",
      ["--matrix", nonsymPath, "--frobnicate"],
      /^solve: unknown option --frobnicate \(see --help\)\n$/,
    ],
    ["malformed file", ["--matrix", malformed], /bad\.mtx:4:/],
    ["missing file", ["--matrix", `${tmp}/nope.mtx`], /nope\.mtx/],
    [
      "directory",
      ["--matrix", tmp],
      /^solve: Cannot read Matrix Market file .*: it is a directory\n$/,
    ],
    ["directory as rhs", ["--matrix", nonsymPath, "--rhs", tmp], /it is a directory/],
    [
      "huge declared size",
      [
        "--matrix",
        write(
          "huge.mtx",
          "%%MatrixMarket matrix coordinate real general\n1000000000 1000000000 3\n" +
            "1 1 1\n2 2 1\n3 3 1\n",
        ),
      ],
      /huge\.mtx:2: size 1000000000x1000000000 with 3 entries: its row pointers would take 3\.7 GiB/,
    ],
    ["Int32 size", [
      "--matrix",
      write(
        "int32.mtx",
        "%%MatrixMarket matrix coordinate real general\n2147483647 2147483647 3\n" +
          "1 1 1\n2 2 1\n3 3 1\n",
      ),
    ], /int32\.mtx:2: size 2147483647x2147483647 exceeds the largest supported dimension/],
    ["rhs length", [
      "--matrix",
      nonsymPath,
      "--rhs",
      write("b3.mtx", formatMatrixMarketVector(Float64Array.of(1, 2, 3))),
    ], /b3\.mtx: right-hand side has length 3/],
    ["jacobi on a zero diagonal", [
      "--matrix",
      write("zd.mtx", formatMatrixMarket(CsrMatrix.fromDense([[0, 1], [1, 0]]))),
      "--precond",
      "jacobi",
    ], /row 0/],
    [
      "--amg without --precond amg",
      ["--matrix", symPath, "--amg", "cycle=W"],
      /--amg needs --precond amg, got --precond none/,
    ],
    [
      "--amg unknown key",
      ["--matrix", symPath, "--precond", "amg", "--amg", "levels=3"],
      /--amg has no option "levels" \(known: coarsening,/,
    ],
    [
      "--amg without =",
      ["--matrix", symPath, "--precond", "amg", "--amg", "cycle"],
      /--amg takes key=value pairs separated by commas, got "cycle"/,
    ],
    [
      "--amg bad number",
      ["--matrix", symPath, "--precond", "amg", "--amg", "coarseSize=ten"],
      /--amg coarseSize must be a number, got "ten"/,
    ],
    ["--amg bad boolean", [
      "--matrix",
      symPath,
      "--precond",
      "amg",
      "--amg",
      "prolongationFilter=1",
    ], /--amg prolongationFilter must be true or false, got "1"/],
    [
      "--amg twice",
      ["--matrix", symPath, "--precond", "amg", "--amg", "cycle=W,cycle=V"],
      /--amg sets cycle twice/,
    ],
    [
      "--amg out of range",
      ["--matrix", symPath, "--precond", "amg", "--amg", "smoother=sor"],
      /Cannot set up AMG: smoother must be one of jacobi, l1-jacobi, chebyshev, got sor/,
    ],
  ];
  for (const [name, args, pattern] of cases) {
    await t.step(name, async () => {
      const r = await solveCli(...args);
      assert.equal(r.code, 2, `${name}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.split("\n").length, 2, `${name}: one line on stderr: ${r.stderr}`);
      assert.equal(r.stdout, "");
    });
  }
});

Deno.test("solve prints a human summary without --json", async () => {
  const r = await solveCli("--matrix", symPath);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /converged: converged-rtol after \d+ iterations/);
  assert.match(r.stdout, /‖b − Ax‖\/‖b‖ = \d\.\d+e[-+]\d+/);
});

const FITTING: Record<string, string[]> = {
  bcsstk01: ["--method", "cg", "--precond", "ic0"],
  bcsstk16: ["--method", "cg", "--precond", "ic0", "--rtol", "1e-8"],
  nos6: ["--method", "cg", "--precond", "ic0"],
  "1138_bus": ["--method", "cg", "--precond", "ic0"],
  Laplace3D10: ["--method", "cg", "--precond", "ic0"],
  "2dcyl1": ["--method", "gmres", "--precond", "ilu0"],
  BentPipe2D100: ["--method", "bicgstab", "--precond", "ilu0"],
  fs_183_1: ["--method", "direct"],
  west0067: ["--method", "direct"],
  west0479: ["--method", "direct"],
  hangGlider_2: ["--method", "direct"],
  tumorAntiAngiogenesis_2: ["--method", "direct"],
};

Deno.test({
  name: "solve handles every real matrix with a fitting method and reports the true residual",
  ignore: !hasSharedData,
  fn: async (t) => {
    for (const [name, args] of Object.entries(FITTING)) {
      await t.step(name, async () => {
        const { code, json } = await solveJson("--matrix", matrixPath(name), ...args);
        assert.equal(code, 0, `${name}: ${json.reason} ${json.message}`);
        const rtol = args.includes("--rtol") ? 1e-8 : 1e-10;
        assert.ok(json.relativeResidual <= rtol, `${name}: ${json.relativeResidual}`);
      });
    }
  },
});

Deno.test({
  name: "solve --backend webgpu passes the same contract (x and gradients against the CPU)",
  ignore: noGpu,
  fn: async () => {
    const args = [
      "--matrix",
      nonsymPath,
      "--rhs",
      bPath,
      "--adjoint",
      gPath,
      "--method",
      "gmres",
      "--rtol",
      "1e-10",
    ];
    const cpu = (await solveJson(...args)).json;
    const { code, json } = await solveJson(...args, "--backend", "webgpu");
    assert.equal(code, 0, json.message);
    assert.equal(json.backend, "webgpu");
    assert.ok(json.relativeResidual <= 1e-10);
    assert.ok(json.adjointRelativeResidual <= 1e-10);
    close(json.x, cpu.x, 1e-8, "x");
    close(json.gradB, cpu.gradB, 1e-8, "gradB");
    // The value gradient −λᵢxⱼ is a float32 GPU kernel.
    close(json.gradValues, cpu.gradValues, 1e-5, "gradValues");
  },
});

Deno.test({
  name:
    "solve --backend webgpu solves real matrices (nos6 with CG + Jacobi, BentPipe2D100 with BiCGSTAB)",
  ignore: noGpu || !hasSharedData,
  fn: async () => {
    for (
      const args of [
        ["--matrix", matrixPath("nos6"), "--method", "cg", "--precond", "jacobi", "--rtol", "1e-8"],
        ["--matrix", matrixPath("BentPipe2D100"), "--method", "bicgstab", "--rtol", "1e-8"],
      ]
    ) {
      const { code, json } = await solveJson(...args, "--backend", "webgpu");
      assert.equal(code, 0, json.message);
      assert.ok(json.relativeResidual <= 1e-8, String(json.relativeResidual));
    }
  },
});

Deno.test("solve --help gives every option's default, the rtol difference and the exit codes", async () => {
  const r = await solveCli("--help");
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  // An option's text: its line and the indented lines continuing it.
  const option = (flag: string) => {
    const at = lines.findIndex((l) => l.trimStart().startsWith(flag));
    assert.ok(at >= 0, `no line for ${flag}`);
    let text = lines[at];
    for (let k = at + 1; k < lines.length && /^ {6,}[^ -]/.test(lines[k]); k++) {
      text += " " + lines[k].trim();
    }
    return text;
  };
  assert.match(option("--matrix"), /required/);
  assert.match(option("--rhs"), /\[default: b = A·1\]/);
  assert.match(option("--method"), /\[default: cg when A is exactly symmetric, else gmres\]/);
  assert.match(option("--precond"), /\[default: none\]/);
  assert.match(option("--rtol"), /\[default: 1e-10; the library's default is 1e-8\]/);
  assert.match(option("--atol"), /\[default: 0\]/);
  assert.match(option("--max-iter"), /\[default: max\(1000, 10·n\)\]/);
  assert.match(option("--restart"), /\[default: 30\]/);
  assert.match(option("--backend"), /\[default: cpu\]/);
  assert.match(
    option("--amg"),
    /comma-separated key=value pairs.*\[default: the library's defaults\]/,
  );
  assert.match(option("--adjoint"), /\[default: none\]/);
  assert.match(option("--json"), /\[default: off\]/);
  assert.match(
    r.stdout,
    /Exit status:\n\s+0\s+every solve converged\n\s+1\s+a solve did not converge/,
  );
  assert.match(r.stdout, /\n\s+2\s+bad input or usage/);
});

Deno.test("solve prints advice in CLI flags, not library option names", async () => {
  const r = await solveCli("--matrix", nonsymPath, "--max-iter", "1", "--method", "bicgstab");
  assert.equal(r.code, 1);
  const note = r.stdout.split("\n").find((l) => l.startsWith("note"));
  assert.equal(
    note,
    "note       The maximum number of iterations was reached. Increase --max-iter, loosen --rtol, or use a stronger --precond (jacobi, ilu0, ic0, amg).",
  );
  const { json } = await solveJson(
    "--matrix",
    nonsymPath,
    "--max-iter",
    "1",
    "--method",
    "bicgstab",
  );
  assert.equal(json.message, note!.slice(11));
  assert.doesNotMatch(r.stdout + json.message, /maxIter|(?<!-)\brtol\b/);
});

Deno.test("solve --adjoint without --json prints the gradient norms and the adjoint solve", async () => {
  const args = ["--matrix", nonsymPath, "--rhs", bPath, "--adjoint", gPath, "--method", "gmres"];
  const r = await solveCli(...args);
  assert.equal(r.code, 0, r.stderr);
  const { json } = await solveJson(...args);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const lam = denseSolveTranspose(nonsym.flat(), 4, gVec);
  assert.ok(Math.abs(norm(json.gradB) - norm(Array.from(lam))) <= 1e-9 * norm(Array.from(lam)));
  assert.ok(
    r.stdout.includes(
      `gradients  ‖gradB‖₂ = ${norm(json.gradB).toExponential(3)}, ‖gradValues‖₂ = ${
        norm(json.gradValues).toExponential(3)
      } (12 file entries)`,
    ),
    r.stdout,
  );
  assert.match(
    r.stdout,
    new RegExp(
      `adjoint    converged: converged-rtol after ${json.adjointIterations} iterations?, ` +
        `‖g − Aᵀλ‖/‖g‖ = \\d\\.\\d{3}e[-+]\\d+`,
    ),
  );
  assert.equal(json.adjointMessage, "Converged: the true residual met --rtol.");
  // A forward solve that fails says why there are no gradients.
  const failed = await solveCli(...args, "--max-iter", "1");
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /gradients {2}not computed: the forward solve did not converge/);
});

Deno.test("solve --method direct reports no iterations, and its refinement steps by name", async () => {
  const args = ["--matrix", nonsymPath, "--rhs", bPath, "--method", "direct"];
  const { code, json } = await solveJson(...args);
  assert.equal(code, 0);
  assert.equal(json.reason, "converged-direct");
  assert.equal(json.iterations, 0);
  assert.equal(json.refinementSteps, 1); // one step of iterative refinement in float64
  close(json.x, denseSolve(nonsym.flat(), 4, bVec), 1e-12, "x");
  const r = await solveCli(...args);
  assert.match(
    r.stdout,
    /result {5}converged: converged-direct \(direct factorisation, 1 refinement step\)\n/,
  );
  assert.doesNotMatch(r.stdout, /iterations/);
  const adj = await solveJson(...args, "--adjoint", gPath);
  assert.equal(adj.json.iterations, 0);
  assert.equal(adj.json.adjointIterations, 0);
  assert.equal(typeof adj.json.adjointRefinementSteps, "number");
  // Iterative methods carry no refinement fields.
  const { json: cg } = await solveJson("--matrix", symPath);
  assert.ok(!("refinementSteps" in cg) && cg.iterations > 0);
});

/** The 2-D Poisson matrix on m×m as a Matrix Market file (row-major 5-point stencil). */
function poissonFile(m: number): string {
  const rows: number[][] = [];
  for (let i = 0; i < m * m; i++) {
    const row = new Array(m * m).fill(0);
    row[i] = 4;
    if (i % m > 0) row[i - 1] = -1;
    if (i % m < m - 1) row[i + 1] = -1;
    if (i >= m) row[i - m] = -1;
    if (i < m * m - m) row[i + m] = -1;
    rows.push(row);
  }
  return write(
    `poisson${m}.mtx`,
    formatMatrixMarket(CsrMatrix.fromDense(rows), { symmetry: "symmetric" }),
  );
}

Deno.test("solve --precond amg --amg passes the options, reports the hierarchy, and differentiates", async () => {
  const m = 12, n = m * m;
  const A = poissonFile(m);
  const g = write(
    "g144.mtx",
    formatMatrixMarketVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i))),
  );
  const base = ["--matrix", A, "--adjoint", g, "--precond", "amg"];
  const plain = (await solveJson(...base, "--precond", "none")).json;
  const v = await solveJson(...base);
  const w = await solveJson(
    ...base,
    "--amg",
    "cycle=W, coarseSize=20,smoother=jacobi,prolongationFilter=false",
  );
  for (const { code, json } of [v, w]) {
    assert.equal(code, 0, json.message);
    assert.equal(json.precond, "amg");
    assert.ok(json.adjointConverged && json.iterations < plain.iterations / 3);
    close(json.x, plain.x, 1e-8, "x");
    close(json.gradB, plain.gradB, 1e-8, "gradB");
    close(json.gradValues, plain.gradValues, 1e-7, "gradValues");
  }
  assert.equal(v.json.amg.cycle, "V");
  assert.equal(v.json.amg.smoother, "chebyshev");
  assert.equal(w.json.amg.cycle, "W");
  assert.equal(w.json.amg.smoother, "jacobi");
  assert.ok(w.json.amg.levels >= 2 && w.json.amg.sizes.at(-1).n <= 20, JSON.stringify(w.json.amg));
  assert.equal(w.json.amg.strengthDrift, 0);
});

Deno.test({
  name: "solve --backend webgpu takes --precond amg (every method) and --method minres",
  ignore: noGpu,
  fn: async () => {
    const A = poissonFile(10);
    const g = write(
      "g100.mtx",
      formatMatrixMarketVector(Float64Array.from({ length: 100 }, (_, i) => Math.cos(i))),
    );
    for (
      const extra of [
        ["--method", "cg", "--precond", "amg", "--amg", "coarseSize=20"],
        ["--method", "gmres", "--precond", "amg", "--amg", "coarseSize=20,cycle=W"],
        ["--method", "minres", "--precond", "none"],
      ]
    ) {
      const args = ["--matrix", A, "--adjoint", g, "--rtol", "1e-9", ...extra];
      const cpu = (await solveJson(...args)).json;
      const { code, json } = await solveJson(...args, "--backend", "webgpu");
      assert.equal(code, 0, `${extra}: ${json.message}`);
      assert.equal(json.backend, "webgpu");
      assert.equal(json.precond, cpu.precond);
      if (cpu.amg) assert.deepEqual(json.amg.sizes, cpu.amg.sizes);
      else assert.equal(json.amg, undefined);
      close(json.x, cpu.x, 1e-7, `${extra} x`);
      close(json.gradB, cpu.gradB, 1e-7, `${extra} gradB`);
    }
    const r = await solveCli("--matrix", A, "--backend", "webgpu", "--precond", "ic0");
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--precond ic0 is not available with --backend webgpu \(use none, jacobi or amg\)/,
    );
  },
});
