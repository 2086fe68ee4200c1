/**
 * Benchmark of the AMG preconditioner (lib/linalg/amg): for each problem,
 * our setup time, PCG iterations and time of a forward solve `A x = b` and
 * a backward (adjoint) solve `Aᵀ λ = g` sharing one hierarchy, against
 * IC(0)-PCG and against PyAMG's smoothed aggregation (setup + solve +
 * adjoint solve in one Python process) when `/tmp/venv/bin/python` with
 * pyamg exists. rtol 1e-8 on the true residual, b and g seeded random.
 *
 * ```
 * deno run -A scripts/bench_amg.ts            # n = 10⁶ grids (minutes)
 * deno run -A scripts/bench_amg.ts --quick    # small grids (seconds)
 * ```
 *
 * Progress goes to stderr; the table to stdout.
 *
 * @module
 */

import { type AmgOptions, amgSetup } from "../lib/linalg/amg/mod.ts";
import { cg } from "../lib/linalg/cg.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import type { Preconditioner } from "../lib/linalg/preconditioner.ts";
import { Rng } from "../lib/random.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { diffusion2d, poisson2d, poisson3d } from "../lib/sparse/generators.ts";
import { readMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { benchArgs, positiveInt } from "./_bench_args.ts";

const USAGE =
  `Usage: deno run -A scripts/bench_amg.ts [--quick] [--only NAME] [--maxit N] [--python PATH]
  --quick        small grids (2-D 200², 3-D 30³) instead of n = 10⁶
  --only NAME    run only the problems whose name contains NAME
  --maxit N      PCG iteration limit (default 2000)
  --python PATH  Python with numpy/scipy/pyamg (default /tmp/venv/bin/python)`;

const args = benchArgs(USAGE, {
  quick: { type: "boolean" },
  only: { type: "string" },
  maxit: { type: "string" },
  python: { type: "string" },
});
const quick = args.quick ?? false;
const maxIter = positiveInt("maxit", args.maxit, 2000, USAGE);
const python = args.python ?? "/tmp/venv/bin/python";
const RTOL = 1e-8;
const MATRICES = new URL("../../shared/data/matrices/", import.meta.url);

function log(message: string): void {
  console.error(message);
}

// ---------------------------------------------------------------------------
// Problems

/** `−ε u_xx − u_yy` on an N×N grid (5-point, Dirichlet): weak x-couplings. */
function anisotropic2d(N: number, eps: number): CsrMatrix {
  const P = poisson2d(N);
  const { rowPtr, colIdx } = P.pattern;
  const v = new Float64Array(P.nnz);
  for (let i = 0; i < N * N; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const d = Math.abs(colIdx[k] - i);
      v[k] = d === 0 ? 2 * eps + 2 : d === 1 ? -eps : -1;
    }
  }
  return P.withValues(v);
}

/** `−∇·(κ∇u)` with κ = 1 and 10⁴ on an 8×8 checkerboard of blocks. */
function jump2d(N: number, contrast: number): CsrMatrix {
  const kappa = new Float64Array(N * N);
  const block = Math.max(1, Math.floor(N / 8));
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      kappa[j * N + i] = (Math.floor(i / block) + Math.floor(j / block)) % 2 === 0 ? 1 : contrast;
    }
  }
  return diffusion2d(kappa, N);
}

interface Problem {
  name: string;
  build: () => Promise<CsrMatrix> | CsrMatrix;
}

const n2 = quick ? 200 : 1000, n3 = quick ? 30 : 100;
const PROBLEMS: Problem[] = [
  { name: `poisson2d ${n2}²`, build: () => poisson2d(n2) },
  { name: `poisson3d ${n3}³`, build: () => poisson3d(n3) },
  { name: `aniso ε=1e-3 ${n2}²`, build: () => anisotropic2d(n2, 1e-3) },
  { name: `jump 1e4 ${n2}²`, build: () => jump2d(n2, 1e4) },
  ...["bcsstk01", "bcsstk16", "nos6", "1138_bus", "Laplace3D10"].map((name) => ({
    name,
    build: async () => (await readMatrixMarket(new URL(`${name}.mtx`, MATRICES))).matrix,
  })),
].filter((p) => !args.only || p.name.includes(args.only));

// ---------------------------------------------------------------------------
// Runs

interface Run {
  setupMs: number;
  fwdIts: number;
  fwdMs: number;
  bwdIts: number;
  bwdMs: number;
  ok: boolean;
  note: string;
}

function randomVector(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.next() - 0.5);
}

function pcgSolve(A: CsrMatrix, b: Float64Array, M: Preconditioner, transpose: boolean) {
  const op = transpose ? A.transpose() : A;
  const Mt: Preconditioner = transpose
    ? { name: M.name, symmetric: M.symmetric, apply: M.applyTranspose, applyTranspose: M.apply }
    : M;
  const t = performance.now();
  const r = cg(op, b, { preconditioner: Mt, rtol: RTOL, maxIter, onFailure: "return" });
  return { its: r.iterations, ms: performance.now() - t, ok: r.converged };
}

function runOurs(A: CsrMatrix, b: Float64Array, g: Float64Array, options: AmgOptions) {
  const t = performance.now();
  const M = amgSetup(A, options);
  const setupMs = performance.now() - t;
  const f = pcgSolve(A, b, M, false);
  const k = pcgSolve(A, g, M, true);
  return {
    run: {
      setupMs,
      fwdIts: f.its,
      fwdMs: f.ms,
      bwdIts: k.its,
      bwdMs: k.ms,
      ok: f.ok && k.ok,
      note: "",
    } satisfies Run,
    info: M.info,
  };
}

function runIc0(A: CsrMatrix, b: Float64Array): Run {
  const t = performance.now();
  let M: Preconditioner;
  try {
    M = ic0(A, { shift: "auto" });
  } catch (e) {
    return {
      setupMs: NaN,
      fwdIts: 0,
      fwdMs: NaN,
      bwdIts: 0,
      bwdMs: NaN,
      ok: false,
      note: String(e),
    };
  }
  const setupMs = performance.now() - t;
  const f = pcgSolve(A, b, M, false);
  // A and IC(0) are symmetric: the backward solve is the same work, counted once more.
  return {
    setupMs,
    fwdIts: f.its,
    fwdMs: f.ms,
    bwdIts: f.its,
    bwdMs: f.ms,
    ok: f.ok,
    note: "bwd = fwd",
  };
}

const PY_SCRIPT = `
import json, sys, time
import numpy as np, scipy.sparse as sp, pyamg
d = sys.argv[1]
n = int(sys.argv[2]); nnz = int(sys.argv[3])
ptr = np.fromfile(d + "/ptr", dtype=np.int32); col = np.fromfile(d + "/col", dtype=np.int32)
val = np.fromfile(d + "/val", dtype=np.float64)
b = np.fromfile(d + "/b", dtype=np.float64); g = np.fromfile(d + "/g", dtype=np.float64)
A = sp.csr_matrix((val, col, ptr), shape=(n, n))
t0 = time.perf_counter()
ml = pyamg.smoothed_aggregation_solver(A)
t1 = time.perf_counter()
r1 = []
x = ml.solve(b, tol=${RTOL}, accel="cg", maxiter=${maxIter}, residuals=r1)
t2 = time.perf_counter()
r2 = []
y = ml.solve(g, tol=${RTOL}, accel="cg", maxiter=${maxIter}, residuals=r2)
t3 = time.perf_counter()
ok = bool(np.linalg.norm(b - A @ x) <= 1.01e-8 * np.linalg.norm(b) and np.linalg.norm(g - A.T @ y) <= 1.01e-8 * np.linalg.norm(g))
print(json.dumps({"setupMs": 1e3 * (t1 - t0), "fwdIts": len(r1) - 1, "fwdMs": 1e3 * (t2 - t1),
  "bwdIts": len(r2) - 1, "bwdMs": 1e3 * (t3 - t2), "ok": ok, "note": "",
  "levels": len(ml.levels), "oc": ml.operator_complexity()}))
`;

async function havePyamg(): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, { args: ["-c", "import pyamg"], stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

async function runPyamg(
  A: CsrMatrix,
  b: Float64Array,
  g: Float64Array,
): Promise<Run & { levels: number; oc: number }> {
  const dir = await Deno.makeTempDir({ prefix: "bench_amg_" });
  try {
    const bytes = (a: Int32Array | Float64Array) =>
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    await Deno.writeFile(`${dir}/ptr`, bytes(A.pattern.rowPtr));
    await Deno.writeFile(`${dir}/col`, bytes(A.pattern.colIdx));
    await Deno.writeFile(`${dir}/val`, bytes(A.values));
    await Deno.writeFile(`${dir}/b`, bytes(b));
    await Deno.writeFile(`${dir}/g`, bytes(g));
    await Deno.writeTextFile(`${dir}/run.py`, PY_SCRIPT);
    const out = await new Deno.Command(python, {
      args: [`${dir}/run.py`, dir, String(A.shape[0]), String(A.nnz)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(new TextDecoder().decode(out.stderr).trim().split("\n").pop());
    }
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---------------------------------------------------------------------------
// Main

const cpu = (() => {
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/);
    return m ? m[1] : "unknown CPU";
  } catch {
    return "unknown CPU";
  }
})();
const pyamgOk = await havePyamg();
log(`bench_amg: ${PROBLEMS.length} problems, ${quick ? "quick" : "full"} sizes, rtol ${RTOL}`);
if (!pyamgOk) log(`bench_amg: no pyamg at ${python}; the PyAMG columns are skipped`);

const rows: string[][] = [];
const verdicts: string[] = [];
const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : "—");
const its = (r: Run) => (r.ok ? `${r.fwdIts}/${r.bwdIts}` : `${r.fwdIts}/${r.bwdIts} ✗`);
const total = (r: Run) => r.setupMs + r.fwdMs + r.bwdMs;
for (let p = 0; p < PROBLEMS.length; p++) {
  const { name, build } = PROBLEMS[p];
  const tag = `[${p + 1}/${PROBLEMS.length}] ${name}`;
  log(`${tag}: building`);
  const A = await build();
  const n = A.shape[0];
  const b = randomVector(n, 1), g = randomVector(n, 2);
  log(`${tag}: n = ${n}, nnz = ${A.nnz}; AMG`);
  const ours = runOurs(A, b, g, {});
  log(`${tag}: IC(0)`);
  const ic = runIc0(A, b);
  let py: (Run & { levels: number; oc: number }) | undefined;
  if (pyamgOk) {
    log(`${tag}: PyAMG`);
    try {
      py = await runPyamg(A, b, g);
    } catch (e) {
      log(`${tag}: PyAMG failed: ${(e as Error).message}`);
    }
  }
  const o = ours.run;
  rows.push([
    name,
    String(n),
    `${ours.info.levels} / ${ours.info.operatorComplexity.toFixed(2)}`,
    fmt(o.setupMs),
    its(o),
    `${fmt(o.fwdMs)} + ${fmt(o.bwdMs)}`,
    fmt(total(o)),
    fmt(ic.setupMs),
    ic.note.startsWith("bwd") ? `${ic.fwdIts}${ic.ok ? "" : " ✗"}` : "failed",
    fmt(total(ic)),
    ...(pyamgOk
      ? py
        ? [
          `${py.levels} / ${py.oc.toFixed(2)}`,
          fmt(py.setupMs),
          its(py),
          `${fmt(py.fwdMs)} + ${fmt(py.bwdMs)}`,
          fmt(total(py)),
        ]
        : ["failed", "", "", "", ""]
      : []),
  ]);
  const lost: string[] = [];
  if (!o.ok) lost.push("AMG-PCG did not converge");
  if (ic.ok && total(ic) < total(o)) {
    lost.push(`IC(0) is faster (${fmt(total(ic))} vs ${fmt(total(o))} ms)`);
  }
  if (py && py.ok && total(py) < total(o)) {
    lost.push(`PyAMG is faster (${fmt(total(py))} vs ${fmt(total(o))} ms)`);
  }
  if (py && py.ok && py.fwdIts < o.fwdIts) {
    lost.push(`PyAMG needs fewer iterations (${py.fwdIts} vs ${o.fwdIts})`);
  }
  if (lost.length) verdicts.push(`- ${name}: ${lost.join("; ")}`);
  log(
    `${tag}: done (ours ${fmt(total(o))} ms, IC(0) ${fmt(total(ic))} ms${
      py ? `, PyAMG ${fmt(total(py))} ms` : ""
    })`,
  );
}

const header = [
  "problem",
  "n",
  "levels / op.cx",
  "AMG setup ms",
  "AMG its fwd/bwd",
  "AMG solve ms fwd + bwd",
  "AMG total ms",
  "IC(0) setup ms",
  "IC(0) its",
  "IC(0) total ms",
  ...(pyamgOk
    ? ["PyAMG levels / op.cx", "PyAMG setup ms", "PyAMG its", "PyAMG solve ms", "PyAMG total ms"]
    : []),
];
const load = (() => {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
})();
console.log(
  `AMG benchmark (${
    quick ? "--quick" : "full"
  }): Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ` +
    `${cpu}, ${navigator.hardwareConcurrency} cores, load average ${load}; rtol ${RTOL}, ` +
    `PCG; ours: SA, Chebyshev(4) V(1,1), coarse ≤ 500 dense Cholesky; PyAMG: ` +
    (pyamgOk
      ? "smoothed_aggregation_solver defaults (symmetric Gauss–Seidel)"
      : "skipped (no pyamg)") +
    "; total = setup + forward + backward solve; IC(0) backward = forward (symmetric)\n",
);
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(
  verdicts.length ? `\nWhere AMG loses:\n${verdicts.join("\n")}` : "\nAMG wins every row.",
);
