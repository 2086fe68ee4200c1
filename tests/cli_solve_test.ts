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

const SCRIPT = new URL("../scripts/solve.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function solveCli(...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

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
    assert.ok(json.adjointIterations >= 1);
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
    ["unknown option", ["--matrix", nonsymPath, "--frobnicate"], /frobnicate/],
    ["malformed file", ["--matrix", malformed], /bad\.mtx:4:/],
    ["missing file", ["--matrix", `${tmp}/nope.mtx`], /nope\.mtx/],
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
  ];
  for (const [name, args, pattern] of cases) {
    await t.step(name, async () => {
      const r = await solveCli(...args);
      assert.equal(r.code, 2, `${name}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, pattern);
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
