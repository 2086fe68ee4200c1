/**
 * Experiment 6: tape memory of implicit vs unrolled differentiation.
 *
 * For 2-D Poisson systems of growing size, a CG solve is differentiated two
 * ways with the forward solve forced to run a fixed number of iterations:
 * the implicit adjoint (one graph node; the backward pass solves `Aᵀλ = x̄`)
 * and unrolled CG (every iteration recorded on the tape). Two measured
 * quantities, no formulas: `tapeBytes` (the bytes of every buffer the graph
 * keeps alive) and the growth of the process's V8 heap plus external
 * (typed-array) memory while the graph is alive, after a full garbage
 * collection. The ratio unrolled / implicit is set against the often-quoted claim
 * of "100–1000× memory savings".
 *
 * Usage: deno run -A scripts/memory.ts [--quick] [--seed N] [--backend cpu|webgpu] [--out DIR]
 *
 * @module
 */

import v8 from "node:v8";
import vm from "node:vm";
import { sparseTensor, sum, tapeBytes, type Tensor, tensor, vjp } from "../lib/autodiff/mod.ts";
import { type SolveOptions, solveWithInfo } from "../lib/diff/solve.ts";
import { Rng } from "../lib/random.ts";
import { experimentMain } from "./_experiment_main.ts";
import { printAboutOnHelp, REFERENCE_MACHINE } from "./_about.ts";
import { logLogSlope } from "./_findings.ts";
import {
  heapParagraph,
  implicitFlatClause,
  memoryCaption,
  ratioCaption,
} from "./_findings_memory.ts";
import { distinctLines } from "./_plots.ts";
import { humanTable } from "./_tables.ts";
import { linePlot } from "../lib/report/plots.ts";
import { progress } from "../lib/report/progress.ts";
import { Report } from "../lib/report/report.ts";
import { poisson2d } from "../lib/sparse/generators.ts";

/** Options of {@linkcode run} (the parsed command line). */
export interface MemoryArgs {
  /** Small grids and iteration counts (a few seconds). @default {false} */
  quick?: boolean;
  /** Seed of the right-hand sides. @default {0} */
  seed?: number;
  /** Backend label; tape memory is a CPU measurement, so "webgpu" runs the same code. @default {"cpu"} */
  backend?: "cpu" | "webgpu";
  /** Output folder of the report. @default {"reports"} */
  out?: string;
}

/** One measurement: a mode, a grid, an iteration count. */
export interface MemoryRow {
  /** "implicit" or "unrolled". */
  mode: "implicit" | "unrolled";
  /** Grid side m (n = m²). */
  grid: number;
  /** Unknowns. */
  n: number;
  /** Stored entries of A. */
  nnz: number;
  /** Iterations asked for. */
  iterations: number;
  /** Forward iterations that ran (recorded ones for unrolled). */
  ran: number;
  /** Measured tape bytes (`tapeBytes`). */
  tapeBytes: number;
  /** Growth of V8 heapUsed + external while the graph is alive, after GC (bytes). */
  heapBytes: number;
  /** Σ of the gradient with respect to b (to compare the two modes). */
  gradSum: number;
}

/** What {@linkcode run} returns. */
export interface MemoryResult {
  /** The one-sentence finding. */
  finding: string;
  /** The success numbers (also in the JSON). */
  metrics: Record<string, number | boolean | string>;
  /** Every measurement. */
  rows: MemoryRow[];
  /** Paths written. */
  html: string;
  /** Path of the JSON. */
  json: string;
}

// A full collection, so that heap deltas measure what is retained, not garbage.
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as (() => void) | undefined;
  if (typeof gc !== "function") return () => {};
  return () => {
    gc();
    gc();
  };
}

function retained(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

function measure(
  grid: number,
  mode: "implicit" | "unrolled",
  iterations: number,
  rhs: Float64Array,
  gc: () => void,
): MemoryRow {
  const P = poisson2d(grid);
  const A = sparseTensor(P.pattern, P.values);
  const b = tensor(rhs);
  const options: SolveOptions = mode === "implicit"
    ? {
      method: "cg",
      rtol: 0,
      maxIter: iterations,
      onFailure: "return",
      adjointOptions: { onForwardFailure: "allow", rtol: 1e-10, maxIter: 100 * P.shape[0] },
    }
    : { method: "cg", adjoint: "unrolled", iterations, onFailure: "return" };
  const trace = () =>
    vjp(
      (values, bb) => {
        const info = solveWithInfo(sparseTensor(P.pattern, values), bb, options);
        ran = info.forward.iterations;
        x = info.x;
        return info.x;
      },
      A.values,
      b,
    )[1];
  let x: Tensor | undefined;
  let ran = 0;
  // Heap deltas are noisy at small sizes: the median of three traces.
  const heaps: number[] = [];
  const alive: unknown[] = [];
  for (let rep = 0; rep < 3; rep++) {
    x = undefined;
    gc();
    const before = retained();
    alive.push(trace());
    gc();
    heaps.push(retained() - before);
    alive.length = 0;
  }
  heaps.sort((p, q) => p - q);
  const heapBytes = heaps[1];
  const pullback = trace();
  const bytes = tapeBytes(x!);
  const [, gb] = pullback(tensor(new Float64Array(P.shape[0]).fill(1)));
  x = undefined;
  return {
    mode,
    grid,
    n: P.shape[0],
    nnz: P.nnz,
    iterations,
    ran,
    tapeBytes: bytes,
    heapBytes,
    gradSum: sum(gb).item(),
  };
}

function fmtBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (a >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}

/**
 * Runs the experiment and writes `memory.html` / `memory.json` to `out`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./memory.ts";
 * const out = await Deno.makeTempDir();
 * const r = await run({ quick: true, out });
 * assert.ok(Number(r.metrics.ratioAtMaxIterations) > 1);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function run(args: MemoryArgs = {}): Promise<MemoryResult> {
  const quick = args.quick ?? false, seed = args.seed ?? 0, out = args.out ?? "reports";
  const backend = args.backend ?? "cpu";
  const started = performance.now();
  const grids = quick ? [16, 32] : [16, 32, 64];
  const iterationCounts = quick ? [10, 30, 100, 300, 1000] : [10, 30, 100, 300, 1000, 3000];
  // Unrolled tapes grow as n × iterations: cap the largest grids' runs.
  const maxWork = quick ? 1024 * 300 : 4096 * 300;
  const gc = collector();
  // Warm-up: the first trace allocates code and caches that later ones reuse.
  measure(4, "unrolled", 10, new Float64Array(16).fill(1), gc);
  const rows: MemoryRow[] = [];
  const plan = grids.flatMap((g) =>
    iterationCounts.filter((it) => g * g * it <= maxWork).map((it) => [g, it] as const)
  );
  const bar = progress(plan.length * 2, "memory");
  for (const [g, it] of plan) {
    const rng = new Rng(seed + g);
    const rhs = Float64Array.from({ length: g * g }, () => rng.normal());
    for (const mode of ["implicit", "unrolled"] as const) {
      rows.push(measure(g, mode, it, rhs, gc));
      bar.tick();
    }
  }
  bar.done();

  const pairs = plan.map(([g, it]) => {
    const imp = rows.find((r) => r.grid === g && r.iterations === it && r.mode === "implicit")!;
    const unr = rows.find((r) => r.grid === g && r.iterations === it && r.mode === "unrolled")!;
    return {
      grid: g,
      n: imp.n,
      iterations: it,
      unrolledRan: unr.ran,
      implicitTape: imp.tapeBytes,
      unrolledTape: unr.tapeBytes,
      tapeRatio: unr.tapeBytes / imp.tapeBytes,
      implicitHeap: imp.heapBytes,
      unrolledHeap: unr.heapBytes,
      bytesPerIterationPerUnknown: (unr.tapeBytes - imp.tapeBytes) / (unr.ran * imp.n),
      heapPerIterationPerUnknown: (unr.heapBytes - imp.heapBytes) / (unr.ran * imp.n),
      gradientGap: Math.abs(unr.gradSum - imp.gradSum) / Math.abs(imp.gradSum),
    };
  });
  // Implicit tape must not grow with iterations: spread across iteration counts per grid.
  let implicitGrowth = 0;
  for (const g of grids) {
    const t = pairs.filter((p) => p.grid === g).map((p) => p.implicitTape);
    implicitGrowth = Math.max(implicitGrowth, Math.max(...t) / Math.min(...t));
  }
  const last = pairs.reduce((a, p) => (p.tapeRatio > a.tapeRatio ? p : a));
  const at = (it: number) => pairs.filter((p) => p.iterations === it);
  const crossing = (threshold: number) => {
    const hits = pairs.filter((p) => p.tapeRatio >= threshold);
    return hits.length === 0 ? null : Math.min(...hits.map((p) => p.unrolledRan));
  };
  const first100 = crossing(100), first1000 = crossing(1000);
  const perIt = pairs.filter((p) => p.iterations >= 100).map((p) => p.bytesPerIterationPerUnknown);
  const perItMean = perIt.reduce((a, b) => a + b, 0) / perIt.length;
  const heapPerIt = pairs.filter((p) => p.iterations >= 100).map((p) =>
    p.heapPerIterationPerUnknown
  );
  const heapPerItMean = heapPerIt.reduce((a, b) => a + b, 0) / heapPerIt.length;
  const implicitHeapMax = Math.max(...pairs.map((p) => Math.abs(p.implicitHeap)));
  const maxGap = Math.max(...pairs.filter((p) => p.iterations >= 100).map((p) => p.gradientGap));
  const at100 = at(100);
  const ratio100 = at100.length > 0 ? Math.max(...at100.map((p) => p.tapeRatio)) : NaN;

  // Log–log slope of each unrolled tape line, and of the ratio; spread of the ratio across n.
  const unrolledSlopes = grids.map((g) => {
    const ps = pairs.filter((p) => p.grid === g && p.unrolledRan === p.iterations);
    return logLogSlope(ps.map((p) => p.unrolledRan), ps.map((p) => p.unrolledTape));
  });
  const full = pairs.filter((p) => p.unrolledRan === p.iterations);
  const ratioSlope = logLogSlope(full.map((p) => p.unrolledRan), full.map((p) => p.tapeRatio));
  let ratioSpread = 1;
  for (const it of new Set(full.map((p) => p.iterations))) {
    const rs = full.filter((p) => p.iterations === it).map((p) => p.tapeRatio);
    ratioSpread = Math.max(ratioSpread, Math.max(...rs) / Math.min(...rs));
  }
  const finding =
    `Measured tape memory of unrolled CG grows by ${
      perItMean.toFixed(0)
    } bytes per iteration per unknown while ${implicitFlatClause(implicitGrowth)}, so the ` +
    `unrolled/implicit ratio is ${ratio100.toFixed(0)}× at 100 iterations and at most ${
      last.tapeRatio.toFixed(0)
    }× (${last.unrolledRan} iterations, ` +
    `n = ${last.n}): the often-quoted 100–1000× saving holds only from ${
      first100 ?? "—"
    } iterations up${first1000 === null ? ", and 1000× was not reached here" : ""}`;

  const report = new Report({
    started: new Date(performance.timeOrigin + started),
    name: "memory",
    title: "Tape memory: implicit adjoint vs unrolled CG",
    finding,
    backend,
    seed,
  });
  report.metadata({
    quick,
    seed,
    backend,
    grids,
    iterationCounts,
    maxWork,
    problem: "2-D Poisson, 5-point stencil, m×m grid, b ~ N(0, I)",
    solver: "CG, forward forced to run exactly `iterations` steps (rtol 0)",
    implicitAdjoint: "CG, rtol 1e-10",
  });
  report.text(
    "The implicit adjoint is often said to save **100–1000×** memory over " +
      "differentiating through the solver's iterations. This report measures it. For each " +
      "2-D Poisson system (n = m² unknowns) the CG solve `x = A⁻¹b` is traced with " +
      "`vjp` in two modes, both running exactly the same number of forward iterations:\n\n" +
      '- **implicit** (`adjoint: "implicit"`): one graph node; the backward pass solves ' +
      "`Aᵀλ = x̄` and forms `Ā = −λxᵀ` on the stored entries;\n" +
      '- **unrolled** (`adjoint: "unrolled"`, `iterations: k`): every CG iteration is ' +
      "recorded with differentiable tensor ops.\n\n" +
      "Two measured quantities, no formulas: `tapeBytes(x)` walks the graph and sums the " +
      "byteLength of every distinct buffer it keeps alive (inputs A, b and the output " +
      "included); the **heap** column is the growth of V8 `heapUsed + external` " +
      "(`Deno.memoryUsage()`) between before the trace and while the graph is alive, each " +
      "after two full garbage collections. The heap number also counts graph-node objects, " +
      "closures and shape arrays that `tapeBytes` does not see.",
  );
  if (backend === "webgpu") {
    report.text(
      "`--backend webgpu` was given: tape memory lives on the CPU side in both modes " +
        "(the GPU path records one implicit node too), so the CPU measurement is reported.",
    );
  }
  report.section("Memory as iterations grow");
  const series = (mode: "implicit" | "unrolled", key: "tapeBytes" | "heapBytes") =>
    grids.map((g) => {
      const rs = rows.filter((r) => r.grid === g && r.mode === mode);
      return {
        name: `${mode}, n = ${g * g}`,
        x: rs.map((r) => r.ran),
        y: rs.map((r) => r[key]),
      };
    });
  report.figure(
    [
      linePlot({
        series: [...series("implicit", "tapeBytes"), ...series("unrolled", "tapeBytes")],
        xLabel: "CG iterations run",
        yLabel: "tape bytes (tapeBytes, B)",
        logX: true,
        logY: true,
        title: "tapeBytes",
        width: 470,
        height: 360,
      }),
      linePlot({
        series: [...series("implicit", "heapBytes"), ...series("unrolled", "heapBytes")],
        xLabel: "CG iterations run",
        yLabel: "heap + external growth (B)",
        logX: true,
        logY: true,
        title: "Deno.memoryUsage()",
        width: 470,
        height: 360,
      }),
    ],
    { caption: memoryCaption(implicitGrowth, unrolledSlopes) },
  );
  report.figure(
    distinctLines({
      series: grids.map((g) => {
        const ps = pairs.filter((p) => p.grid === g);
        return {
          name: `n = ${g * g}`,
          x: ps.map((p) => p.unrolledRan),
          y: ps.map((p) => p.tapeRatio),
        };
      }),
      xLabel: "CG iterations run",
      yLabel: "unrolled / implicit tape bytes (×)",
      logX: true,
      logY: true,
    }),
    { caption: ratioCaption(ratioSlope, ratioSpread) },
  );
  report.table(
    pairs.map((p) => ({
      n: p.n,
      "iterations (ran)": `${p.iterations} (${p.unrolledRan})`,
      "implicit tape": fmtBytes(p.implicitTape),
      "unrolled tape": fmtBytes(p.unrolledTape),
      "ratio": p.tapeRatio,
      "bytes / iteration / unknown": p.bytesPerIterationPerUnknown,
    })),
    {
      caption: "Tape memory (tapeBytes) of every measurement. 'bytes / iteration / unknown' is " +
        "(unrolled − implicit) / (iterations run × n).",
    },
  );
  report.table(
    pairs.map((p) => ({
      n: p.n,
      "iterations (ran)": `${p.iterations} (${p.unrolledRan})`,
      "implicit heap": fmtBytes(p.implicitHeap),
      "unrolled heap": fmtBytes(p.unrolledHeap),
      "bytes / iteration / unknown": p.heapPerIterationPerUnknown,
      "|Σ∂b| gap": p.gradientGap,
    })),
    {
      caption: "Heap growth (Deno.memoryUsage()) of the same measurements, and '|Σ∂b| gap': " +
        "the relative difference of the sums of the two modes' gradients with respect to b, a " +
        "check that both graphs are live and correct.",
    },
  );
  report.section("Verdict");
  report.text(
    `${
      implicitGrowth <= 1.05
        ? "The implicit tape is constant in the iteration count"
        : "The implicit tape is not constant in the iteration count"
    } (largest spread ${implicitGrowth.toFixed(2)}× per grid) at about ${
      fmtBytes(last.implicitTape)
    } for n = ${last.n}: the matrix values and pattern, b and x. Unrolled CG keeps about ${
      perItMean.toFixed(0)
    } bytes per iteration per unknown (several n-vectors of float64 per iteration: x, r, p, ` +
      `Ap and the products feeding them). The measured ratio is therefore about ` +
      `${(perItMean / (last.implicitTape / last.n)).toFixed(2)} × iterations: ` +
      `${ratio100.toFixed(0)}× at 100 iterations and ${
        last.tapeRatio.toFixed(0)
      }× at ${last.unrolledRan} (n = ${last.n}). The often-quoted **100–1000×** ${
        first100 === null
          ? "was not reached in this run"
          : `holds from ${first100} iterations up${
            first1000 === null ? " (1000× was not reached here)" : ""
          }`
      }; for a solve that converges in 10–30 iterations the saving is only ` +
      `${Math.min(...pairs.map((p) => p.tapeRatio)).toFixed(1)}–${
        Math.max(...pairs.filter((p) => p.iterations <= 30).map((p) => p.tapeRatio)).toFixed(0)
      }×.\n\n${
        heapParagraph({
          tapeSlope: perItMean,
          heapSlope: heapPerItMean,
          implicitHeapMax: fmtBytes(implicitHeapMax),
          implicitHeapMaxBytes: implicitHeapMax,
          smallestUnrolledHeapBytes: Math.min(...pairs.map((p) => p.unrolledHeap)),
          maxGap,
        })
      }\n\n` +
      "Related work: the same implicit-function argument makes memory independent of depth " +
      "in OptNet (Amos & Kolter 2017) and Deep Equilibrium Models (Bai, Kolter & Koltun " +
      "2019); JAX's `lax.custom_linear_solve` and lineax (Rader, Lyons & Kidger 2023) " +
      "differentiate linear solves this way.",
  );
  const metrics = {
    implicitGrowth,
    ratioAt100: ratio100,
    ratioAtMaxIterations: last.tapeRatio,
    maxIterations: last.unrolledRan,
    maxN: last.n,
    bytesPerIterationPerUnknown: perItMean,
    heapBytesPerIterationPerUnknown: heapPerItMean,
    implicitHeapMaxAbs: implicitHeapMax,
    firstIterationsWith100x: first100 ?? -1,
    firstIterationsWith1000x: first1000 ?? -1,
    maxGradientGap: maxGap,
  };
  report.table(humanTable(metrics, METRIC_NAMES), {
    caption: "The numbers that define the result",
  });
  const written = await report.write(out);

  return { finding, metrics, rows, html: written.html, json: written.json };
}

const METRIC_NAMES: Record<string, string> = {
  implicitGrowth: "largest spread of the implicit tape across iteration counts (×)",
  ratioAt100: "unrolled / implicit tape at 100 iterations (×)",
  ratioAtMaxIterations: "largest unrolled / implicit tape ratio (×)",
  maxIterations: "iterations of the largest ratio",
  maxN: "unknowns n of the largest ratio",
  bytesPerIterationPerUnknown: "unrolled tape, bytes per iteration per unknown",
  heapBytesPerIterationPerUnknown: "unrolled heap growth, bytes per iteration per unknown",
  implicitHeapMaxAbs: "largest |implicit heap growth| (bytes)",
  firstIterationsWith100x: "fewest iterations with a ratio ≥ 100 (−1: none)",
  firstIterationsWith1000x: "fewest iterations with a ratio ≥ 1000 (−1: none)",
  maxGradientGap: "largest relative gradient gap between the modes (≥ 100 iterations)",
};

if (import.meta.main) {
  printAboutOnHelp({
    what: "Measures the memory kept alive by the graph of one differentiated CG solve, " +
      "implicit adjoint against unrolled iterations, over grid sizes and iteration counts.",
    duration: {
      quick: "40 s with both cores busy",
      full: "11 s (75 s with both cores busy)",
      machine: REFERENCE_MACHINE,
    },
    writes: "OUT/memory.html, OUT/memory.json and OUT/index.html",
  });
  await experimentMain("memory", {}, run);
}
