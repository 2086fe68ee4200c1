/**
 * Sparse direct solver benchmark: factor + solve time and fill (nnz(L) +
 * nnz(U)) of gradsolve's LU and Cholesky against mathjs `slu` (npm; CSparse
 * port, AMD on A+Aᵀ, threshold 0.1 like ours) and SciPy's `splu` (SuperLU,
 * default COLAMD ordering), on bcsstk16 and 2-D Poisson matrices (5-point,
 * Dirichlet; SciPy builds the identical matrix with Kronecker products).
 *
 * mathjs runs in a child process per case with a time limit (it is slow);
 * SciPy runs through `python3`. Times are the best of `--rounds` runs for
 * ours and SciPy, one run for mathjs.
 *
 * Usage: deno run -A scripts/bench_direct.ts [--quick] [--json] [--rounds 3]
 *        [--mathjs-timeout 120]
 *   --quick   Poisson 100×100 as the large case instead of 500×500 (n = 250,000)
 *   --json    print only the JSON summary
 *
 * @module
 */

import { benchArgs, positiveInt } from "./_bench_args.ts";
import * as math from "mathjs";
import { factorize } from "../lib/linalg/direct/factor.ts";
import { parseMatrixMarket } from "../lib/sparse/matrix_market.ts";
import { poisson2d } from "../lib/sparse/generators.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { matrixPath } from "../tests/_data.ts";

/** One measured factor + solve. */
interface Measurement {
  solver: string;
  factorMs: number;
  solveMs: number;
  nnzLU: number;
  relativeResidual: number;
}

interface CaseResult {
  name: string;
  n: number;
  nnz: number;
  results: (Measurement | { solver: string; error: string })[];
}

const USAGE = "Usage: deno run -A scripts/bench_direct.ts [--quick] [--json] [--rounds 3] " +
  "[--mathjs-timeout 120]";
const args = benchArgs(USAGE, {
  quick: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  rounds: { type: "string" },
  "mathjs-timeout": { type: "string", default: "120" },
  "mathjs-case": { type: "string" },
});
const rounds = positiveInt("rounds", args.rounds, 3, USAGE);

function loadCase(name: string): CsrMatrix {
  if (name.startsWith("poisson-")) return poisson2d(Number(name.slice("poisson-".length)));
  return parseMatrixMarket(Deno.readTextFileSync(matrixPath(name)), name).matrix;
}

function residual(A: CsrMatrix, x: ArrayLike<number>, b: Float64Array): number {
  const ax = A.multiply(Float64Array.from(x));
  let rn = 0, bn = 0;
  for (let i = 0; i < b.length; i++) rn += (b[i] - ax[i]) ** 2, bn += b[i] ** 2;
  return Math.sqrt(rn / bn);
}

function ours(A: CsrMatrix, kind: "lu" | "cholesky"): Measurement {
  const b = A.multiply(new Float64Array(A.shape[0]).fill(1));
  let best: Measurement | undefined;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const f = factorize(A, { kind });
    const t1 = performance.now();
    const x = f.solve(b);
    const t2 = performance.now();
    const m = {
      solver: `gradsolve ${kind}`,
      factorMs: t1 - t0,
      solveMs: t2 - t1,
      nnzLU: f.nnzL + f.nnzU,
      relativeResidual: residual(A, x, b),
    };
    if (!best || m.factorMs + m.solveMs < best.factorMs + best.solveMs) best = m;
  }
  return best!;
}

/** Runs inside the child process: mathjs slu + lusolve on one case, JSON on stdout. */
function mathjsChild(name: string): void {
  const A = loadCase(name);
  const n = A.shape[0];
  const t = A.transpose(); // CSR of Aᵀ = CSC of A, mathjs' storage
  // the SparseMatrix class is exported at runtime but missing from mathjs' type declarations
  const SparseMatrix = (math as unknown as {
    SparseMatrix: new (data: Record<string, unknown>) => math.Matrix;
  }).SparseMatrix;
  const S = new SparseMatrix({
    values: Array.from(t.values),
    index: Array.from(t.pattern.colIdx),
    ptr: Array.from(t.pattern.rowPtr),
    size: [n, n],
    datatype: "number",
  });
  const b = A.multiply(new Float64Array(n).fill(1));
  const t0 = performance.now();
  const lu = math.slu(S, 1, 0.1);
  const t1 = performance.now();
  const x = math.lusolve(lu, Array.from(b)) as unknown as math.Matrix;
  const t2 = performance.now();
  const flat = (x.toArray() as number[][]).map((row) => row[0]);
  const nnzLU = countSparse(lu.L) + countSparse(lu.U);
  const m: Measurement = {
    solver: "mathjs slu",
    factorMs: t1 - t0,
    solveMs: t2 - t1,
    nnzLU,
    relativeResidual: residual(A, flat, b),
  };
  console.log(JSON.stringify(m));
}

/** Stored entries of a mathjs SparseMatrix (its CSC value array). */
function countSparse(M: unknown): number {
  return (M as { _values: number[] })._values.length;
}

async function mathjs(name: string): Promise<Measurement | { solver: string; error: string }> {
  const limit = positiveInt("mathjs-timeout", args["mathjs-timeout"], 120, USAGE) * 1000;
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--mathjs-case", name],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(limit),
    }).output();
    if (!out.success) {
      return { solver: "mathjs slu", error: new TextDecoder().decode(out.stderr).slice(-300) };
    }
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  } catch {
    return { solver: "mathjs slu", error: `no result within ${limit / 1000} s` };
  }
}

const SCIPY = `
import sys, time, json, numpy as np, scipy, scipy.io, scipy.sparse as sp, scipy.sparse.linalg as sla
name, rounds = sys.argv[1], int(sys.argv[2])
if name.startswith("poisson-"):
    m = int(name.split("-")[1])
    T = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(m, m))
    I = sp.identity(m)
    A = (sp.kron(I, T) + sp.kron(T, I)).tocsc()
else:
    A = scipy.io.mmread(sys.argv[3]).tocsc()
b = A @ np.ones(A.shape[0])
best = None
for _ in range(rounds):
    t0 = time.perf_counter(); lu = sla.splu(A); t1 = time.perf_counter()
    x = lu.solve(b); t2 = time.perf_counter()
    m = dict(solver="scipy splu (SuperLU " + scipy.__version__ + ")", factorMs=(t1 - t0) * 1e3,
             solveMs=(t2 - t1) * 1e3, nnzLU=int(lu.L.nnz + lu.U.nnz),
             relativeResidual=float(np.linalg.norm(b - A @ x) / np.linalg.norm(b)))
    if best is None or m["factorMs"] + m["solveMs"] < best["factorMs"] + best["solveMs"]:
        best = m
print(json.dumps(best))
`;

async function scipy(name: string): Promise<Measurement | { solver: string; error: string }> {
  const path = name.startsWith("poisson-") ? "" : matrixPath(name);
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", SCIPY, name, String(rounds), path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      return { solver: "scipy splu", error: new TextDecoder().decode(out.stderr).slice(-300) };
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (e) {
    return { solver: "scipy splu", error: (e as Error).message };
  }
}

async function main(): Promise<void> {
  const large = args.quick ? "poisson-100" : "poisson-500";
  const cases = args.quick
    ? ["poisson-50", "poisson-100", "bcsstk16"]
    : ["poisson-50", "poisson-100", "poisson-200", "bcsstk16", large];
  const summary: CaseResult[] = [];
  for (const name of cases) {
    const A = loadCase(name);
    const results: CaseResult["results"] = [ours(A, "lu"), ours(A, "cholesky"), await scipy(name)];
    if (name !== large || args.quick) results.push(await mathjs(name));
    summary.push({ name, n: A.shape[0], nnz: A.nnz, results });
    if (!args.json) {
      console.log(`\n${name}: n = ${A.shape[0]}, nnz = ${A.nnz}`);
      for (const r of results) {
        if ("error" in r) console.log(`  ${r.solver.padEnd(30)} ${r.error}`);
        else {
          console.log(
            `  ${r.solver.padEnd(30)} factor ${r.factorMs.toFixed(1).padStart(9)} ms  solve ${
              r.solveMs.toFixed(1).padStart(7)
            } ms  nnz(L+U) ${String(r.nnzLU).padStart(10)}  residual ${
              r.relativeResidual.toExponential(1)
            }`,
          );
        }
      }
    }
  }
  const meta = {
    deno: Deno.version.deno,
    cpu: Deno.build.target,
    cores: navigator.hardwareConcurrency,
    rounds,
    quick: args.quick,
  };
  console.log(JSON.stringify({ meta, cases: summary }, null, args.json ? 2 : 0));
}

if (args["mathjs-case"]) mathjsChild(args["mathjs-case"]);
else await main();
