/**
 * Experiment 1 — a physics-informed inverse problem. An MLP maps (x, y) to a
 * diffusion coefficient κ > 0; the matrix of `−∇·(κ∇u) = f` is assembled from
 * κ with differentiable ops on a fixed sparse pattern, solved with the
 * differentiable CG solve (implicit adjoint) in every training step, and the
 * network is trained on noisy values of u at sparse sensors plus a
 * smoothness penalty on κ.
 *
 * Usage: `deno run -A scripts/pinn.ts [--quick] [--seed N] [--backend cpu|webgpu] [--out DIR]
 * [--grid N] [--steps N] [--sensors N]`
 *
 * @module
 */

import {
  add,
  concat,
  customVjp,
  div,
  gather,
  mean,
  mul,
  reshape,
  scatterAdd,
  slice,
  softplus,
  type SparseTensor,
  sparseTensor,
  square,
  sub,
  Tensor,
  toCsr,
  valueAndGradAsync,
} from "../lib/autodiff/mod.ts";
import type { AdjointWarmStart } from "../lib/diff/implicit.ts";
import type { PreconditionerSpec } from "../lib/diff/preconditioning.ts";
import { type AsyncSolveOptions, solveAsyncWithInfo } from "../lib/diff/solve_async.ts";
import { acquireGpu, type GpuContext } from "../lib/gpu/device.ts";
import { amgSetup } from "../lib/linalg/amg/mod.ts";
import { Adam } from "../lib/nn/adam.ts";
import { initMlp, type Mlp, mlpForward } from "../lib/nn/mlp.ts";
import { Rng } from "../lib/random.ts";
import { experimentMain } from "./_experiment_main.ts";
import { printAboutOnHelp, REFERENCE_MACHINE } from "./_about.ts";
import {
  adjointCostSentence,
  amgComparisonSentence,
  errorLocationSentence,
  iterationTrendSentence,
  recoveryVerdict,
  rmsWhere,
} from "./_findings_pinn.ts";
import { valueBars } from "./_plots.ts";
import { heatmap, linePlot, scatterPlot } from "../lib/report/plots.ts";
import { progress } from "../lib/report/progress.ts";
import { Report, type WrittenReport } from "../lib/report/report.ts";
import { diffusion2dPattern } from "../lib/sparse/generators.ts";
import type { CsrPattern } from "../lib/sparse/pattern.ts";

/** Options of {@linkcode run}. */
export interface PinnOptions {
  /** Small, fast run. @default {false} */
  quick?: boolean;
  /** Seed of the network, sensors and noise. @default {0} */
  seed?: number;
  /** Where the solves run. @default {"cpu"} */
  backend?: "cpu" | "webgpu";
  /** Output folder of the report. @default {"reports"} */
  out?: string;
  /** Cells per side of the grid. @default {24 quick, 64 full} */
  grid?: number;
  /** Adam steps. @default {600 quick, 1000 full} */
  steps?: number;
  /** Number of sensors. @default {96 quick, 256 full} */
  sensors?: number;
  /**
   * Preconditioner of the training's CG solves: `"jacobi"`, or `"amg"` (one
   * smoothed-aggregation hierarchy kept for the whole run, refreshed from the
   * current values at every step; on the GPU backend set up per solve).
   * @default {"jacobi"}
   */
  precond?: "jacobi" | "amg";
  /**
   * Steps of the Jacobi-vs-AMG comparison on the CPU (two runs from the same
   * start, stepped alternately); 0 skips it. @default {10 quick, 40 full}
   */
  compareSteps?: number;
}

/** One Adam step of a training run. */
interface StepRecord {
  loss: number;
  misfit: number;
  smooth: number;
  kappa: Float64Array;
  times: StepTimes;
  stepMs: number;
  /** Mean CG iterations per forward solve. */
  forwardIterations: number;
  /** Mean CG iterations per adjoint solve. */
  adjointIterations: number;
  /** Milliseconds the AMG hierarchy's value update took in this step (0: none). */
  amgUpdateMs: number;
}

/** What {@linkcode run} returns: the finding, the success numbers and where the report went. */
export interface PinnResult {
  /** The one-sentence finding. */
  finding: string;
  /** The numbers that define success (also in the report's JSON). */
  metrics: Record<string, number | boolean | string>;
  /** Paths of the written report. */
  report: WrittenReport;
}

/** The differentiable map κ (one value per cell) → matrix of `−∇·(κ∇u)`. */
export interface DiffusionAssembler {
  /** The 5-point pattern. */
  readonly pattern: CsrPattern;
  /** Cells on either side of every interior face (for the smoothness penalty). */
  readonly interior: { readonly a: Int32Array; readonly b: Int32Array };
  /** Assembles the matrix; its values are differentiable in `kappa`. */
  assemble(kappa: Tensor): SparseTensor;
}

/**
 * Builds the assembly of the 2-D diffusion matrix (harmonic-mean face
 * coefficients, Dirichlet boundary, 1/h² scaling) from differentiable ops:
 * `gather` cell values onto faces, combine, then `scatterAdd` the signed face
 * coefficients into the stored entries. It equals `diffusion2d(κ, nx, ny, {h})`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffusionAssembler } from "./pinn.ts";
 * import { tensor } from "../lib/autodiff/mod.ts";
 * const asm = diffusionAssembler(3, 3, 1);
 * const A = asm.assemble(tensor(new Float64Array(9).fill(2)));
 * assert.equal(A.values.data[A.pattern.find(4, 4)], 8);
 * ```
 */
export function diffusionAssembler(nx: number, ny: number, h: number): DiffusionAssembler {
  const { pattern, stencil } = diffusion2dPattern(nx, ny);
  const { cellA, cellB } = stencil.faces;
  const intIdx: number[] = [], bndIdx: number[] = [];
  for (let f = 0; f < cellA.length; f++) (cellB[f] < 0 ? bndIdx : intIdx).push(f);
  // Position of each face in concat([interior faces, boundary faces]).
  const position = new Int32Array(cellA.length);
  intIdx.forEach((f, p) => position[f] = p);
  bndIdx.forEach((f, p) => position[f] = intIdx.length + p);
  const a = Int32Array.from(intIdx, (f) => cellA[f]);
  const b = Int32Array.from(intIdx, (f) => cellB[f]);
  const bnd = Int32Array.from(bndIdx, (f) => cellA[f]);
  const { offsets, faces, signs } = stencil.entryFace;
  const contribFace = Int32Array.from(faces, (f) => position[f]);
  const contribEntry = new Int32Array(faces.length);
  for (let k = 0; k < pattern.nnz; k++) {
    for (let q = offsets[k]; q < offsets[k + 1]; q++) contribEntry[q] = k;
  }
  const scaledSigns = new Tensor(signs.map((s) => s / (h * h)), [signs.length]);
  return {
    pattern,
    interior: { a, b },
    assemble(kappa: Tensor): SparseTensor {
      const kA = gather(kappa, a), kB = gather(kappa, b);
      const wInterior = div(mul(mul(kA, kB), 2), add(kA, kB)); // harmonic mean
      const w = concat([wInterior, gather(kappa, bnd)]);
      const contrib = mul(gather(w, contribFace), scaledSigns);
      return sparseTensor(pattern, scatterAdd(contrib, contribEntry, pattern.nnz));
    },
  };
}

// A timing probe: the identity, whose backward records when the cotangent arrives.
function stamp(x: Tensor, onBackward: () => void): Tensor {
  return customVjp("stamp", (t: Tensor) => ({
    value: new Tensor(t.data, t.shape),
    backward: (g) => {
      onBackward();
      return [g];
    },
  }))(x);
}

/** The coefficient to recover: background 1, a raised bump and a lowered one. */
function trueKappa(x: number, y: number): number {
  return 1 + 1.5 * Math.exp(-((x - 0.35) ** 2 + (y - 0.62) ** 2) / (2 * 0.13 ** 2)) -
    0.5 * Math.exp(-((x - 0.7) ** 2 + (y - 0.3) ** 2) / (2 * 0.1 ** 2));
}

/** Three source terms, so that ∇u is not small everywhere at once. */
const SOURCES: { name: string; f: (x: number, y: number) => number }[] = [
  { name: "f₁ = 20", f: () => 20 },
  {
    name: "f₂ = 40 sin(2πx) sin(πy)",
    f: (x, y) => 40 * Math.sin(2 * Math.PI * x) * Math.sin(Math.PI * y),
  },
  {
    name: "f₃ = 40 sin(πx) sin(2πy)",
    f: (x, y) => 40 * Math.sin(Math.PI * x) * Math.sin(2 * Math.PI * y),
  },
];

const KAPPA_MIN = 0.1;

function kappaOf(net: Mlp, params: readonly Tensor[], coords: Tensor, n: number): Tensor {
  return add(softplus(reshape(mlpForward(net, params, coords), [n])), KAPPA_MIN);
}

/** All parameters as one vector, so one gradient covers them. */
function pack(params: readonly Tensor[]): Tensor {
  const size = params.reduce((s, p) => s + p.size, 0);
  const data = new Float64Array(size);
  let at = 0;
  for (const p of params) {
    data.set(p.data, at);
    at += p.size;
  }
  return new Tensor(data, [size]);
}

/** The inverse of {@linkcode pack}, differentiable in `theta`. */
function unpack(theta: Tensor, like: readonly Tensor[]): Tensor[] {
  let at = 0;
  return like.map((p) => {
    const part = reshape(slice(theta, at, at + p.size), p.shape);
    at += p.size;
    return part;
  });
}

function mean1(a: readonly number[]): number {
  return a.length === 0 ? 0 : a.reduce((s, v) => s + v, 0) / a.length;
}

function pct(x: number): string {
  return `${(100 * x).toPrecision(3)}%`;
}

function range(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

function symmetric(values: Iterable<number>): [number, number] {
  const [lo, hi] = range(values);
  const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  return [-m, m];
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

interface StepTimes {
  network: number;
  assembly: number;
  forwardSolve: number;
  adjointSolve: number;
  other: number;
}

/**
 * Runs the experiment and writes `OUT/pinn.html`, `OUT/pinn.json` and the index.
 *
 * @example
 * ```ts ignore
 * import { run } from "./pinn.ts";
 * const { finding, metrics } = await run({ quick: true, out: "/tmp/reports" });
 * console.log(finding, metrics.kappaRelError);
 * ```
 */
export async function run(options: PinnOptions = {}): Promise<PinnResult> {
  const runStart = performance.now();
  const quick = options.quick ?? false;
  const seed = options.seed ?? 0;
  const backend = options.backend ?? "cpu";
  const nx = options.grid ?? (quick ? 24 : 64);
  const steps = options.steps ?? (quick ? 600 : 1000);
  const nSensors = options.sensors ?? (quick ? 96 : 256);
  const precond = options.precond ?? "jacobi";
  const compareSteps = options.compareSteps ?? (quick ? 10 : 40);
  if (precond !== "jacobi" && precond !== "amg") {
    throw new RangeError(`Cannot train: precond must be "jacobi" or "amg", got "${precond}"`);
  }
  if (!(Number.isInteger(compareSteps) && compareSteps >= 0)) {
    throw new RangeError(
      `Cannot compare: compareSteps must be an integer >= 0, got ${compareSteps}`,
    );
  }
  const n = nx * nx, h = 1 / nx;
  const lr = 1e-2, smoothWeight = 1e-3, noiseLevel = 0.01, rtol = 1e-8;
  const hidden = 32;
  if (nSensors < 1 || nSensors > n) {
    throw new RangeError(`Cannot place sensors: need 1..${n} sensors, got ${nSensors}`);
  }

  let gpu: GpuContext | undefined;
  if (backend === "webgpu") gpu = await acquireGpu();
  try {
    const rng = new Rng(seed);
    const asm = diffusionAssembler(nx, nx, h);
    const cx = new Float64Array(n), cy = new Float64Array(n);
    const coordData = new Float64Array(2 * n);
    const kTrue = new Float64Array(n);
    for (let j = 0; j < nx; j++) {
      for (let i = 0; i < nx; i++) {
        const c = j * nx + i;
        cx[c] = (i + 0.5) * h;
        cy[c] = (j + 0.5) * h;
        coordData[2 * c] = 2 * cx[c] - 1;
        coordData[2 * c + 1] = 2 * cy[c] - 1;
        kTrue[c] = trueKappa(cx[c], cy[c]);
      }
    }
    const coords = new Tensor(coordData, [n, 2]);
    const rhs = SOURCES.map(({ f }) =>
      new Tensor(Float64Array.from(cx, (x, c) => f(x, cy[c])), [n])
    );
    const solveOptions: AsyncSolveOptions = {
      backend,
      method: "cg",
      preconditioner: "jacobi",
      rtol,
      ...(gpu ? { gpu } : {}),
    };

    // Synthetic data: the true field on the same grid, sampled at sensors, plus noise.
    const Atrue = asm.assemble(new Tensor(kTrue, [n]));
    const uTrue: Float64Array[] = [];
    for (const b of rhs) {
      uTrue.push(
        (await solveAsyncWithInfo(Atrue, b, { ...solveOptions, backend: "cpu", rtol: 1e-12 })).x
          .data,
      );
    }
    const sensors = Int32Array.from(
      rng.shuffle(Array.from({ length: n }, (_, c) => c)).slice(0, nSensors),
    );
    let uMax = 0;
    for (const u of uTrue) for (const v of u) uMax = Math.max(uMax, Math.abs(v));
    const sigma = noiseLevel * uMax;
    const observed = uTrue.map((u) =>
      new Tensor(Float64Array.from(sensors, (c) => u[c] + sigma * rng.normal()), [nSensors])
    );

    const net = initMlp({ sizes: [2, hidden, hidden, 1], seed, activation: "tanh" });
    const kappaInitial = kappaOf(net, net.params, coords, n).data;

    // One training run: its own parameters, Adam state and warm starts, solving with the
    // preconditioner `spec` on `runBackend`; each call of `step` is one Adam step.
    const trainer = (spec: PreconditionerSpec, runBackend: "cpu" | "webgpu") => {
      let theta = pack(net.params);
      const opt = new Adam({ lr });
      const warmX: (Float64Array | undefined)[] = SOURCES.map(() => undefined);
      const warmAdjoint: AdjointWarmStart[] = SOURCES.map(() => ({ lambda: undefined }));
      let kappaLast = kappaInitial;
      const options: AsyncSolveOptions = {
        ...solveOptions,
        backend: runBackend,
        preconditioner: spec,
      };
      return {
        theta: () => theta,
        async step(): Promise<StepRecord> {
          const t: StepTimes = {
            network: 0,
            assembly: 0,
            forwardSolve: 0,
            adjointSolve: 0,
            other: 0,
          };
          const adjointStart: number[] = [], adjointEnd: number[] = [];
          let kappaArrives = 0, stepForwardIters = 0;
          const infos: Awaited<ReturnType<typeof solveAsyncWithInfo>>[] = [];
          let misfitValue = 0, smoothValue = 0, kappaData = kappaLast;
          const start = performance.now();

          const loss = async (th: Tensor): Promise<Tensor> => {
            let t0 = performance.now();
            const kappa = kappaOf(net, unpack(th, net.params), coords, n);
            t.network += performance.now() - t0;
            kappaData = kappa.data;
            const kappaProbe = stamp(kappa, () => kappaArrives = performance.now());

            t0 = performance.now();
            const A = asm.assemble(kappaProbe);
            const faceDiff = sub(
              gather(kappaProbe, asm.interior.a),
              gather(kappaProbe, asm.interior.b),
            );
            const smooth = mul(mean(square(faceDiff)), smoothWeight / (h * h));
            t.assembly += performance.now() - t0;

            const misfits: Tensor[] = [];
            for (let k = 0; k < rhs.length; k++) {
              // Own probe per solve: its backward fires right after this solve's adjoint.
              const values = stamp(A.values, () => adjointEnd[k] = performance.now());
              t0 = performance.now();
              const info = await solveAsyncWithInfo(sparseTensor(A.pattern, values), rhs[k], {
                ...options,
                ...(warmX[k] ? { x0: warmX[k] } : {}),
                adjointOptions: { warmStart: warmAdjoint[k] },
              });
              t.forwardSolve += performance.now() - t0;
              infos.push(info);
              stepForwardIters += info.forward.iterations;
              const u = stamp(info.x, () => adjointStart[k] = performance.now());
              misfits.push(div(sub(gather(u, sensors), observed[k]), sigma));
            }
            const misfit = mean(square(concat(misfits)));
            misfitValue = misfit.item();
            smoothValue = smooth.item();
            return add(misfit, smooth);
          };

          const [value, gradient] = await valueAndGradAsync(loss)(theta);
          const end = performance.now();
          theta = opt.step([theta], [gradient])[0];
          const stepMs = performance.now() - start;

          // Split the backward pass with the probes' timestamps (reverse order of the tape).
          let adjointLatest = 0;
          for (let k = 0; k < rhs.length; k++) {
            t.adjointSolve += adjointEnd[k] - adjointStart[k];
            adjointLatest = Math.max(adjointLatest, adjointEnd[k]);
          }
          t.assembly += kappaArrives - adjointLatest;
          t.network += end - kappaArrives;
          t.other = stepMs - t.network - t.assembly - t.forwardSolve - t.adjointSolve;

          kappaLast = kappaData;
          infos.forEach((info, k) => warmX[k] = info.x.data);
          const update = infos[0]?.amg;
          return {
            loss: value.item(),
            misfit: misfitValue,
            smooth: smoothValue,
            kappa: kappaData,
            times: t,
            stepMs,
            forwardIterations: stepForwardIters / rhs.length,
            adjointIterations: infos.reduce(
              (s, info) => s + info.adjoints.reduce((a, r) => a + r.iterations, 0),
              0,
            ) / rhs.length,
            amgUpdateMs: update?.timed === "update" ? update.setupMs : 0,
          };
        },
      };
    };

    const history = {
      loss: [] as number[],
      misfit: [] as number[],
      smooth: [] as number[],
      kappaError: [] as number[],
      forwardIterations: [] as number[],
      adjointIterations: [] as number[],
    };
    const times: StepTimes[] = [];
    // AMG keeps one hierarchy for the whole run; each solve refreshes it from the current
    // values (on the GPU the hierarchy is set up per solve).
    const mainSpec: PreconditionerSpec = precond === "jacobi"
      ? "jacobi"
      : backend === "cpu"
      ? amgSetup(toCsr(asm.assemble(new Tensor(kappaInitial, [n]))))
      : "amg";
    const main = trainer(mainSpec, backend);
    const bar = progress(steps, "pinn");
    for (let step = 0; step < steps; step++) {
      const r = await main.step();
      times.push(r.times);
      history.loss.push(r.loss);
      history.misfit.push(r.misfit);
      history.smooth.push(r.smooth);
      history.kappaError.push(relError(r.kappa, kTrue));
      history.forwardIterations.push(r.forwardIterations);
      history.adjointIterations.push(r.adjointIterations);
      bar.tick();
    }
    bar.done();
    const theta = main.theta();

    // Jacobi against AMG in the same training loop: two runs from the same start, stepped
    // alternately (which goes first alternates too), so both see the same machine load.
    const comparison = compareSteps > 0
      ? await (async () => {
        const t0 = performance.now();
        const state = amgSetup(toCsr(asm.assemble(new Tensor(kappaInitial, [n]))));
        const setupMs = performance.now() - t0;
        const runs = [trainer("jacobi", "cpu"), trainer(state, "cpu")];
        const records: StepRecord[][] = [[], []];
        const cbar = progress(2 * compareSteps, "pinn: Jacobi vs AMG");
        for (let s = 0; s < compareSteps; s++) {
          for (const k of s % 2 === 0 ? [0, 1] : [1, 0]) {
            records[k].push(await runs[k].step());
            cbar.tick();
          }
        }
        cbar.done();
        return { setupMs, info: state.info, jacobi: records[0], amg: records[1] };
      })()
      : undefined;

    // Final state: κ of the trained network and the fields it predicts.
    const kappaFinal = kappaOf(net, unpack(theta, net.params), coords, n).data;
    const Afinal = asm.assemble(new Tensor(kappaFinal, [n]));
    const uFinal: Float64Array[] = [];
    for (const b of rhs) {
      uFinal.push(
        (await solveAsyncWithInfo(Afinal, b, { ...solveOptions, backend: "cpu", rtol: 1e-12 })).x
          .data,
      );
    }
    const kappaRelError = relError(kappaFinal, kTrue);
    const kappaInitialError = relError(kappaInitial, kTrue);
    const uRelErrors = uFinal.map((u, k) => relError(u, uTrue[k]));
    const uRelError = Math.max(...uRelErrors);
    const measured = times.slice(Math.min(5, times.length - 1)); // skip warm-up (JIT) steps
    const avg = (key: keyof StepTimes) =>
      measured.reduce((s, t) => s + t[key], 0) / measured.length;
    const ms: StepTimes = {
      network: avg("network"),
      assembly: avg("assembly"),
      forwardSolve: avg("forwardSolve"),
      adjointSolve: avg("adjointSolve"),
      other: avg("other"),
    };
    const stepMs = ms.network + ms.assembly + ms.forwardSolve + ms.adjointSolve + ms.other;
    const finalMisfit = history.misfit[history.misfit.length - 1];
    const meanForwardIters = mean1(history.forwardIterations.slice(1));
    const meanAdjointIters = mean1(history.adjointIterations.slice(1));
    const solveShare = (ms.forwardSolve + ms.adjointSolve) / stepMs;
    // Where the κ error sits: a boundary band of 10% of the side, and the bumps of κ.
    const kappaErr = kappaFinal.map((v, c) => v - kTrue[c]);
    const bandCells = Math.max(1, Math.round(0.1 * nx));
    const inBand = (c: number) => {
      const i = c % nx, j = Math.floor(c / nx);
      return Math.min(i, j, nx - 1 - i, nx - 1 - j) < bandCells;
    };
    const onBump = (c: number) => Math.abs(kTrue[c] - 1) > 0.2;
    const location = {
      boundaryRms: rmsWhere(kappaErr, inBand),
      interiorRms: rmsWhere(kappaErr, (c) => !inBand(c)),
      bandCells,
      featureRms: rmsWhere(kappaErr, onBump),
      backgroundRms: rmsWhere(kappaErr, (c) => !onBump(c)),
    };
    // The comparison's means, steps after the first few (cold starts, JIT) only.
    const cmpSkip = Math.min(5, Math.floor(compareSteps / 4));
    const cost = (name: string, rs: StepRecord[]) => {
      const kept = rs.slice(cmpSkip);
      const avgOf = (f: (r: StepRecord) => number) => mean1(kept.map(f));
      return {
        name,
        msPerStep: avgOf((r) => r.stepMs),
        solveMsPerStep: avgOf((r) => r.times.forwardSolve + r.times.adjointSolve),
        itersPerSolve: avgOf((r) => r.forwardIterations),
        adjointItersPerSolve: avgOf((r) => r.adjointIterations),
        amgUpdateMs: avgOf((r) => r.amgUpdateMs),
      };
    };
    const cmp = comparison
      ? { jacobi: cost("Jacobi", comparison.jacobi), amg: cost("AMG", comparison.amg) }
      : undefined;
    const precondName = precond === "amg"
      ? "AMG (smoothed aggregation, one hierarchy refreshed every step)"
      : "Jacobi";
    const finding = `After ${steps} Adam steps, each with ${rhs.length} differentiable CG solves ` +
      `on a ${nx}×${nx} grid (n = ${n}), the MLP recovers κ from ${nSensors} noisy sensors ` +
      `with relative error ${pct(kappaRelError)} (${pct(kappaInitialError)} at initialisation); ` +
      `a step takes ${stepMs.toFixed(0)} ms, ${pct(solveShare)} of it in the forward and ` +
      `adjoint solves`;
    const metrics: Record<string, number | boolean | string> = {
      n,
      grid: nx,
      steps,
      sensors: nSensors,
      sources: rhs.length,
      noiseSigma: sigma,
      kappaRelError,
      kappaInitialError,
      uRelError,
      finalMisfitChi2: finalMisfit,
      finalLoss: history.loss[history.loss.length - 1],
      initialLoss: history.loss[0],
      msPerStep: stepMs,
      msNetwork: ms.network,
      msAssembly: ms.assembly,
      msForwardSolve: ms.forwardSolve,
      msAdjointSolve: ms.adjointSolve,
      msOther: ms.other,
      meanForwardIterations: meanForwardIters,
      meanAdjointIterations: meanAdjointIters,
      kappaErrorRmsBoundaryBand: location.boundaryRms,
      kappaErrorRmsInterior: location.interiorRms,
      kappaErrorRmsBumps: location.featureRms,
      kappaErrorRmsBackground: location.backgroundRms,
      backend,
      preconditioner: precond,
      ...(cmp && comparison
        ? {
          compareSteps,
          compareJacobiMsPerStep: cmp.jacobi.msPerStep,
          compareAmgMsPerStep: cmp.amg.msPerStep,
          compareJacobiSolveMsPerStep: cmp.jacobi.solveMsPerStep,
          compareAmgSolveMsPerStep: cmp.amg.solveMsPerStep,
          compareJacobiIterationsPerSolve: cmp.jacobi.itersPerSolve,
          compareAmgIterationsPerSolve: cmp.amg.itersPerSolve,
          compareJacobiAdjointIterationsPerSolve: cmp.jacobi.adjointItersPerSolve,
          compareAmgAdjointIterationsPerSolve: cmp.amg.adjointItersPerSolve,
          compareAmgSetupMs: comparison.setupMs,
          compareAmgUpdateMsPerStep: cmp.amg.amgUpdateMs,
          compareAmgLevels: comparison.info.levels,
          compareAmgFaster: cmp.amg.msPerStep < cmp.jacobi.msPerStep,
        }
        : {}),
    };

    const report = new Report({
      started: new Date(performance.timeOrigin + runStart),
      name: "pinn",
      title:
        "Physics-informed inverse problem: recovering κ(x, y) through a differentiable sparse solve",
      finding,
      backend,
      adapter: gpu?.name ?? "none",
      seed,
    });
    report.metadata({
      quick,
      seed,
      backend,
      grid: `${nx}x${nx}`,
      n,
      nnz: asm.pattern.nnz,
      steps,
      sensors: nSensors,
      sources: SOURCES.map((s) => s.name).join("; "),
      noise: `${noiseLevel * 100}% of max|u| (σ = ${sigma.toPrecision(3)})`,
      network: `MLP [2, ${hidden}, ${hidden}, 1] tanh, κ = ${KAPPA_MIN} + softplus(output)`,
      optimizer: `Adam, lr ${lr}`,
      smoothWeight,
      solver: `CG, ${precondName} preconditioner, rtol ${rtol}, implicit adjoint, warm starts`,
      compareSteps,
    });
    report.text(
      `We recover a spatially varying diffusion coefficient κ(x, y) on the unit square from ` +
        `noisy point values of the solution u of \`−∇·(κ∇u) = f\` (homogeneous Dirichlet ` +
        `boundary), for ${rhs.length} source terms (${
          SOURCES.map((s) => s.name).join(", ")
        }).\n\n` +
        `A small MLP maps the cell centre (x, y) to κ = ${KAPPA_MIN} + softplus(MLP(x, y)) > 0. ` +
        `From κ the ${n}×${n} five-point matrix (nnz ${asm.pattern.nnz}, harmonic-mean face ` +
        `coefficients) is assembled with differentiable \`gather\` / \`scatterAdd\` ops on a ` +
        `fixed sparse pattern, and \`solveAsync\` (CG with ${precondName} preconditioning, rtol ` +
        `${rtol}) ` +
        `solves it for each source in every training step. The gradient of the loss with respect ` +
        `to the matrix values comes from one adjoint solve \`Aᵀλ = ∂L/∂u\` per source (implicit ` +
        `differentiation; memory independent of the CG iteration count) and flows on through the ` +
        `assembly into the network weights. The physics is enforced exactly by the solver, not by ` +
        `a residual penalty as in physics-informed neural networks (Raissi, Perdikaris & ` +
        `Karniadakis 2019); the network only parameterises the unknown coefficient.\n\n` +
        `Loss = χ² misfit (mean of ((u(sensor) − d)/σ)² over ${nSensors} sensors × ` +
        `${rhs.length} sources; 1 means fitting to the noise level) + ${smoothWeight}·mean ` +
        `|∇κ|² over interior faces. The data are synthesised on the same grid with the true κ ` +
        `(an "inverse crime": no model error), with Gaussian noise σ = ${noiseLevel * 100}% ` +
        `of max |u|.`,
    );

    report.section("Recovered coefficient");
    const domain = range([...kTrue, ...kappaFinal]);
    report.figure([
      heatmap({ values: kTrue, nx, ny: nx, label: "true κ", domain, title: "true κ", width: 260 }),
      heatmap({
        values: kappaFinal,
        nx,
        ny: nx,
        label: "recovered κ",
        domain,
        title: "recovered κ",
        width: 260,
      }),
      heatmap({
        values: kappaFinal.map((v, c) => v - kTrue[c]),
        nx,
        ny: nx,
        label: "κ error (recovered − true)",
        colorScheme: "rdbu",
        domain: symmetric(kappaFinal.map((v, c) => v - kTrue[c])),
        title: "error",
        width: 260,
      }),
    ], {
      caption: `True and recovered κ on the same colour scale (dimensionless), and their ` +
        `difference. Relative L2 error ${pct(kappaRelError)}.`,
    });
    report.figure(
      scatterPlot({
        series: [{
          name: "sensor",
          x: Float64Array.from(sensors, (c) => cx[c]),
          y: Float64Array.from(sensors, (c) => cy[c]),
        }],
        xLabel: "x",
        yLabel: "y",
        width: 360,
        height: 360,
      }),
      { caption: `Positions of the ${nSensors} sensors (random cells, seed ${seed}).` },
    );

    report.section("Solution fields");
    const uDomain = range([...uTrue[0], ...uFinal[0]]);
    report.figure([
      heatmap({
        values: uTrue[0],
        nx,
        ny: nx,
        label: "true u (source f₁)",
        domain: uDomain,
        colorScheme: "magma",
        title: "true u",
        width: 260,
      }),
      heatmap({
        values: uFinal[0],
        nx,
        ny: nx,
        label: "predicted u (source f₁)",
        domain: uDomain,
        colorScheme: "magma",
        title: "predicted u",
        width: 260,
      }),
      heatmap({
        values: uTrue[1],
        nx,
        ny: nx,
        label: "true u (source f₂)",
        colorScheme: "rdbu",
        domain: symmetric(uTrue[1]),
        title: "true u, f₂",
        width: 260,
      }),
    ], {
      caption: `Solution u for source f₁ with the true κ ("true u") and with the recovered κ ` +
        `("predicted u", relative error ${pct(uRelErrors[0])}), and the true u of source f₂ ` +
        `("true u, f₂"), whose sign changes give gradients in other directions.`,
    });

    report.section("Training");
    const stepAxis = Float64Array.from(history.loss, (_, i) => i + 1);
    report.figure([
      linePlot({
        series: [
          { name: "χ² misfit", x: stepAxis, y: history.misfit },
          { name: "smoothness term", x: stepAxis, y: history.smooth },
        ],
        xLabel: "Adam step",
        yLabel: "loss (dimensionless)",
        logY: true,
        title: "loss terms",
        width: 400,
        height: 320,
      }),
      linePlot({
        series: [{ name: "‖κ − κ_true‖/‖κ_true‖", x: stepAxis, y: history.kappaError }],
        xLabel: "Adam step",
        yLabel: "relative κ error",
        logY: true,
        title: "κ error",
        width: 400,
        height: 320,
      }),
    ], {
      caption: `"loss terms": the two terms of the loss per step (their sum is the loss; ` +
        `χ² ≈ 1 means the fit has reached the noise level; final χ² ${
          finalMisfit.toPrecision(3)
        }). "κ error": relative L2 error of κ, which the loss never sees.`,
    });
    report.figure(
      linePlot({
        series: [
          { name: "forward CG", x: stepAxis, y: history.forwardIterations },
          { name: "adjoint CG", x: stepAxis, y: history.adjointIterations },
        ],
        xLabel: "Adam step",
        yLabel: "CG iterations per solve",
      }),
      {
        caption: `CG iterations per solve (mean over sources). ${
          iterationTrendSentence(history.forwardIterations)
        }`,
      },
    );

    report.section("Where the time goes");
    const labels = ["network", "assembly", "forward solve", "adjoint solve", "other"];
    const values = [ms.network, ms.assembly, ms.forwardSolve, ms.adjointSolve, ms.other];
    report.figure(
      valueBars({
        labels,
        values,
        xLabel: "part of a training step (forward + backward)",
        yLabel: "time per step (ms)",
      }),
      {
        caption: `Mean wall time per step over steps 6..${steps} on the ${backend} backend. ` +
          `Network and assembly include their backward passes; the adjoint solve is timed ` +
          `between identity probes on the tape around each solve; "other" is the loss, ` +
          `the Adam update and bookkeeping.`,
      },
    );
    report.table(
      labels.map((label, i) => ({
        part: label,
        "ms per step": values[i],
        share: pct(values[i] / stepMs),
      })),
      { caption: `Time per step (${rhs.length} forward + ${rhs.length} adjoint solves per step)` },
    );

    if (cmp && comparison) {
      report.section("AMG in the training loop");
      const stepsAxis = Float64Array.from(comparison.jacobi, (_, i) => i + 1);
      const info = comparison.info;
      report.text(
        `The same training, run twice from the same initial network for ${compareSteps} ` +
          `steps on the CPU: once with Jacobi-preconditioned CG, once with AMG-PCG whose ` +
          `hierarchy (smoothed aggregation, ${info.levels} level${
            info.levels === 1 ? "" : "s"
          }, operator complexity ${info.operatorComplexity.toFixed(2)}) is set up once, ` +
          `before the first step (${comparison.setupMs.toFixed(1)} ms), ` +
          "and passed to every solve as the preconditioner: each step's first solve finds new " +
          "values and refreshes the hierarchy's numeric part (`update`), the other solves and " +
          "all adjoint solves of the step reuse it. The two runs are stepped alternately (the " +
          "order alternating too), so both see the same machine load; both warm-start every " +
          `solve. Means over steps ${cmpSkip + 1}..${compareSteps}. ` +
          amgComparisonSentence(cmp.jacobi, cmp.amg),
      );
      report.table(
        [cmp.jacobi, cmp.amg].map((c) => ({
          preconditioner: c.name,
          "ms / step": c.msPerStep,
          "solves ms / step": c.solveMsPerStep,
          "its / forward solve": c.itersPerSolve,
          "its / adjoint solve": c.adjointItersPerSolve,
          "AMG update ms / step": c.name === "AMG" ? c.amgUpdateMs : null,
        })),
        {
          caption: `Jacobi vs AMG per training step (${rhs.length} forward + ${rhs.length} ` +
            `adjoint solves; "solves": their time, AMG update included), ${nx}×${nx} grid, ` +
            `means over steps ${cmpSkip + 1}..${compareSteps}`,
        },
      );
      report.figure([
        linePlot({
          series: [
            { name: "Jacobi", x: stepsAxis, y: comparison.jacobi.map((r) => r.stepMs) },
            { name: "AMG", x: stepsAxis, y: comparison.amg.map((r) => r.stepMs) },
          ],
          xLabel: "Adam step",
          yLabel: "time per step (ms)",
          title: "time per step",
          width: 400,
          height: 300,
        }),
        linePlot({
          series: [
            { name: "Jacobi", x: stepsAxis, y: comparison.jacobi.map((r) => r.forwardIterations) },
            { name: "AMG", x: stepsAxis, y: comparison.amg.map((r) => r.forwardIterations) },
          ],
          xLabel: "Adam step",
          yLabel: "CG iterations per forward solve",
          logY: true,
          title: "iterations",
          width: 400,
          height: 300,
        }),
      ], {
        caption: `"time per step": wall time of each training step of the two runs. ` +
          `"iterations": CG iterations per forward solve (mean over the ${rhs.length} ` +
          "sources; log axis), warm-started from the previous step.",
      });
    }

    report.section("Results");
    report.table([
      { quantity: "relative κ error (L2)", value: kappaRelError },
      { quantity: "relative κ error at initialisation", value: kappaInitialError },
      { quantity: "max relative u error over sources (whole field)", value: uRelError },
      { quantity: "final χ² misfit (1 = noise level)", value: finalMisfit },
      { quantity: "mean forward CG iterations per solve", value: meanForwardIters },
      { quantity: "mean adjoint CG iterations per solve", value: meanAdjointIters },
      { quantity: "time per step (ms)", value: stepMs },
    ], { caption: "Outcome of the run" });
    report.text(
      `**Verdict.** ${recoveryVerdict(kappaInitialError, kappaRelError)}: ` +
        `the relative κ error changes from ${pct(kappaInitialError)} to ${pct(kappaRelError)} ` +
        `while the misfit reaches χ² = ${finalMisfit.toPrecision(3)}. ${
          errorLocationSentence(location)
        } The solves take ${pct((ms.forwardSolve + ms.adjointSolve) / stepMs)} ` +
        `of a step; ${adjointCostSentence(ms.forwardSolve, ms.adjointSolve)}.\n\n` +
        `**References.** Hestenes & Stiefel (1952), conjugate gradients; JAX ` +
        `\`lax.custom_linear_solve\` and lineax (Rader, Lyons & Kidger 2023) for implicit ` +
        `differentiation of linear solves; OptNet (Amos & Kolter 2017) for differentiating ` +
        `through a solver inside a network; Raissi, Perdikaris & Karniadakis (2019) for ` +
        `physics-informed neural networks.`,
    );
    const written = await report.write(options.out ?? "reports");
    return { finding, metrics, report: written };
  } finally {
    gpu?.dispose();
  }
}

if (import.meta.main) {
  printAboutOnHelp({
    what: "Recovers a diffusion coefficient κ(x, y) from noisy sensor values of u by training " +
      "an MLP through differentiable CG solves (three per step, each with an adjoint solve).",
    duration: {
      quick: "20 s",
      full: "1.5 min (6 min with both cores busy)",
      machine: REFERENCE_MACHINE,
    },
    writes: "OUT/pinn.html, OUT/pinn.json and OUT/index.html (OUT = --out, default reports)",
  });
  await experimentMain("pinn", {
    grid: {
      type: "number",
      integer: true,
      description: "cells per side (default 24 quick, 64 full)",
    },
    steps: {
      type: "number",
      integer: true,
      description: "Adam steps (default 600 quick, 1000 full)",
    },
    sensors: {
      type: "number",
      integer: true,
      description: "sensor count (default 96 quick, 256 full)",
    },
    precond: {
      type: "string",
      default: "jacobi",
      description: "preconditioner of the training's solves: jacobi or amg",
    },
    compareSteps: {
      type: "number",
      integer: true,
      description: "steps of the Jacobi-vs-AMG comparison, 0 skips it (default 10 quick, 40 full)",
    },
  }, async ({ grid, steps, sensors, precond, compareSteps, ...args }) => {
    if (precond !== "jacobi" && precond !== "amg") {
      throw new RangeError(`Cannot train: --precond must be jacobi or amg, got "${precond}"`);
    }
    const { finding, report } = await run({
      ...args,
      precond,
      ...(compareSteps !== undefined ? { compareSteps } : {}),
      ...(grid !== undefined ? { grid } : {}),
      ...(steps !== undefined ? { steps } : {}),
      ...(sensors !== undefined ? { sensors } : {}),
    });
    return { finding, html: report.html };
  });
}
