/**
 * Benchmark of the differentiable solve on 2-D Poisson with CG:
 *
 * 1. time(forward + backward) / time(forward) for the implicit adjoint
 *    (target ≤ 2.1: one adjoint solve costs about one forward solve);
 * 2. tape memory (`tapeBytes`, measured bytes) of implicit vs unrolled
 *    differentiation at 100, 1,000 and 10,000 iterations, plus the process
 *    heap/external deltas from Deno.memoryUsage().
 *
 * Usage: deno run -A scripts/bench_diff.ts [--quick] [--json] [--n GRID] [--tape-grid GRID]
 *
 * @module
 */

import { poisson2d } from "../lib/sparse/generators.ts";
import { benchArgs, positiveInt } from "./_bench_args.ts";
import {
  dot,
  grad,
  sparseTensor,
  sum,
  tapeBytes,
  type Tensor,
  tensor,
  vjp,
} from "../lib/autodiff/mod.ts";
import { solve, type SolveOptions, solveWithInfo } from "../lib/diff/solve.ts";

const USAGE = "Usage: deno run -A scripts/bench_diff.ts [--quick] [--json] [--n 500] " +
  "[--tape-grid 32] [--reps 3]";
const args = benchArgs(USAGE, {
  quick: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  n: { type: "string" },
  "tape-grid": { type: "string" },
  reps: { type: "string" },
});
const N = positiveInt("n", args.n, args.quick ? 100 : 500, USAGE);
const tapeGrid = positiveInt("tape-grid", args["tape-grid"], args.quick ? 16 : 32, USAGE);
const reps = positiveInt("reps", args.reps, 3, USAGE);
const tapeIterations = args.quick ? [100, 1000] : [100, 1000, 10000];

function seeded(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

function timeMin(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

// 1. Time ratio.
const P = poisson2d(N);
const n = P.shape[0];
const A = sparseTensor(P.pattern, P.values);
const b = tensor(seeded(n, 1)), c = tensor(seeded(n, 2));
const opts: SolveOptions = { method: "cg", rtol: 1e-8 };
const tForward = timeMin(() => solve(A, b, opts));
const tGradB = timeMin(() => grad((bb: Tensor) => dot(c, solve(A, bb, opts)))(b));
const tGradBoth = timeMin(() => {
  const [, pullback] = vjp(
    (vals, bb) => solve(sparseTensor(P.pattern, vals), bb, opts),
    A.values,
    b,
  );
  pullback(c);
});

// 2. Tape memory.
function tapeOf(m: number, mode: "implicit" | "unrolled", iterations: number) {
  const Pm = poisson2d(m);
  const Am = sparseTensor(Pm.pattern, Pm.values);
  const bm = tensor(seeded(Pm.shape[0], 3));
  const before = Deno.memoryUsage();
  const o: SolveOptions = mode === "implicit"
    ? {
      rtol: 0,
      maxIter: iterations,
      onFailure: "return",
      adjointOptions: { onForwardFailure: "allow" },
    }
    : { adjoint: "unrolled", iterations, onFailure: "return" };
  let recorded = 0;
  const [x] = vjp(
    (vals, bb) => {
      const info = solveWithInfo(sparseTensor(Pm.pattern, vals), bb, o);
      recorded = info.forward.iterations;
      keep = info.x;
      return info.x;
    },
    Am.values,
    bm,
  );
  const after = Deno.memoryUsage();
  const bytes = tapeBytes(keep!);
  keep = undefined;
  return {
    grid: m,
    n: Pm.shape[0],
    nnz: Pm.nnz,
    mode,
    iterations,
    recordedIterations: recorded,
    tapeBytes: bytes,
    bytesPerIteration: mode === "unrolled" ? bytes / Math.max(recorded, 1) : 0,
    heapDelta: after.heapUsed - before.heapUsed,
    externalDelta: after.external - before.external,
    xSum: sum(x).item(),
  };
}
let keep: Tensor | undefined;
const tape: ReturnType<typeof tapeOf>[] = [];
// Implicit at the full grid too (10,000 forced iterations there would take minutes; the tape
// holds no per-iteration state, which the small-grid rows show up to 10,000).
for (const it of tapeIterations.filter((i) => i <= 1000)) tape.push(tapeOf(N, "implicit", it));
for (const it of tapeIterations) tape.push(tapeOf(tapeGrid, "implicit", it));
for (const it of tapeIterations) tape.push(tapeOf(tapeGrid, "unrolled", it));
const at1000 = (mode: string) =>
  tape.find((t) => t.grid === tapeGrid && t.mode === mode && t.iterations === 1000)!;

const result = {
  machine: `${Deno.build.os}-${Deno.build.arch}, deno ${Deno.version.deno}`,
  grid: N,
  n,
  nnz: P.nnz,
  reps,
  forwardMs: tForward,
  forwardBackwardMs: tGradB,
  forwardBackwardValuesMs: tGradBoth,
  ratio: tGradB / tForward,
  ratioWithValues: tGradBoth / tForward,
  tape,
  unrolledOverImplicitAt1000: at1000("unrolled").tapeBytes / at1000("implicit").tapeBytes,
};
if (args.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`2-D Poisson N=${N} (n=${n}, nnz=${P.nnz}), CG rtol 1e-8, min of ${reps}`);
  console.log(`  forward                 ${tForward.toFixed(1)} ms`);
  console.log(
    `  forward+backward (b)    ${tGradB.toFixed(1)} ms   ratio ${result.ratio.toFixed(3)}`,
  );
  console.log(
    `  forward+backward (A, b) ${tGradBoth.toFixed(1)} ms   ratio ${
      result.ratioWithValues.toFixed(3)
    }`,
  );
  console.log("tape memory (tapeBytes, measured):");
  for (const t of tape) {
    console.log(
      `  ${t.mode.padEnd(9)} grid ${String(t.grid).padStart(4)} (n=${t.n}) ${
        String(t.iterations).padStart(6)
      } it (ran ${t.recordedIterations}): ` +
        `${t.tapeBytes.toLocaleString("en")} B  (heap Δ ${
          t.heapDelta.toLocaleString("en")
        }, external Δ ${t.externalDelta.toLocaleString("en")})`,
    );
  }
  console.log(
    `  unrolled / implicit at 1000 iterations (grid ${tapeGrid}): ${
      result.unrolledOverImplicitAt1000.toFixed(1)
    }×`,
  );
}
