/**
 * Experiment 7: learning inside unrolled CG. Two learned variants of K CG
 * steps are trained by backpropagating through the unrolled iterations on a
 * family of random-coefficient diffusion systems and compared, on held-out
 * systems, with plain CG (and Jacobi/IC(0)-PCG, MINRES) at the same K:
 *
 * - learned per-step α/β: `α_k = e^{a_k}·rᵀr/pᵀAp`, `β_k = e^{c_k}·r'ᵀr'/rᵀr`
 *   (a = c = 0 is CG);
 * - learned search directions: `p_k = G_k r_k − (…) p_{k−1}` with `G_k` a
 *   learned symmetric 13-point stencil scaled by `diag(A)^{-½}` on both
 *   sides, A-orthogonalised against the previous direction, and an exact
 *   line search `α = rᵀp/pᵀAp` (G_k = D⁻¹ is Jacobi-PCG).
 *
 * Usage: `deno run -A scripts/unrolled_learning.ts [--quick] [--seed N] [--backend cpu|webgpu] [--out DIR]`
 *
 * @module
 */

import {
  add,
  checkGrad,
  div,
  dot,
  exp,
  gather,
  log,
  mul,
  reshape,
  type SparseTensor,
  sparseTensor,
  spmv,
  sub,
  Tensor,
  valueAndGrad,
} from "../lib/autodiff/mod.ts";
import { cg } from "../lib/linalg/cg.ts";
import { ic0 } from "../lib/linalg/ic0.ts";
import { jacobi } from "../lib/linalg/jacobi.ts";
import { minres } from "../lib/linalg/minres.ts";
import { Adam } from "../lib/nn/adam.ts";
import { Rng } from "../lib/random.ts";
import type { ExperimentArgs } from "./_report_args.ts";
import { experimentMain } from "./_experiment_main.ts";
import { printAboutOnHelp, REFERENCE_MACHINE } from "./_about.ts";
import { krylovGapSentence } from "./_findings_unrolled.ts";
import { linePlot, scatterPlot } from "../lib/report/plots.ts";
import { progress } from "../lib/report/progress.ts";
import { Report, type WrittenReport } from "../lib/report/report.ts";
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { diffusion2d } from "../lib/sparse/generators.ts";
import { CsrPattern } from "../lib/sparse/pattern.ts";
import { logNormalField } from "../lib/sparse/random_fields.ts";

/** Options of {@linkcode run}: the common experiment arguments. */
export type UnrolledLearningOptions = Partial<
  Pick<ExperimentArgs, "quick" | "seed" | "backend" | "out">
>;

/** What {@linkcode run} returns: the finding, the numbers that define it, and the files. */
export interface ExperimentResult {
  /** One-sentence result. */
  finding: string;
  /** The numbers behind the finding (also in the report's JSON). */
  metrics: Record<string, number | boolean | string>;
  /** Paths of the written report. */
  written: WrittenReport;
}

/** Offset classes of the symmetric 13-point stencil: each class is a set of (dx, dy). */
const CLASSES: readonly (readonly [number, number])[][] = [
  [[0, 0]],
  [[1, 0], [-1, 0]],
  [[0, 1], [0, -1]],
  [[1, 1], [-1, -1]],
  [[1, -1], [-1, 1]],
  [[2, 0], [-2, 0]],
  [[0, 2], [0, -2]],
];

/** Number of learned weights per step of the direction variant. */
export const STENCIL_WEIGHTS = CLASSES.length;

/** The 13-point stencil pattern on an `nx × nx` grid and the weight class of each entry. */
export interface Stencil {
  /** Pattern (columns ascending). */
  readonly pattern: CsrPattern;
  /** Weight class (0 … 6) of each stored entry. */
  readonly cls: Int32Array;
}

/**
 * The symmetric 13-point stencil pattern on an `nx × nx` grid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stencil13 } from "./unrolled_learning.ts";
 * const s = stencil13(5);
 * assert.equal(s.pattern.rowPtr[13] - s.pattern.rowPtr[12], 13); // centre cell
 * ```
 */
export function stencil13(nx: number): Stencil {
  const offs: [number, number, number][] = [];
  CLASSES.forEach((c, q) => c.forEach(([dx, dy]) => offs.push([dx, dy, q])));
  offs.sort((u, v) => (u[1] - v[1]) * nx + (u[0] - v[0]));
  const n = nx * nx, rowPtr = new Int32Array(n + 1), cols: number[] = [], cls: number[] = [];
  for (let j = 0; j < nx; j++) {
    for (let i = 0; i < nx; i++) {
      for (const [dx, dy, q] of offs) {
        const x = i + dx, y = j + dy;
        if (x < 0 || x >= nx || y < 0 || y >= nx) continue;
        cols.push(y * nx + x);
        cls.push(q);
      }
      rowPtr[j * nx + i + 1] = cols.length;
    }
  }
  return {
    pattern: new CsrPattern(n, n, rowPtr, Int32Array.from(cols)),
    cls: Int32Array.from(cls),
  };
}

/** One system of the family, with what the unrolled variants need. */
export interface FamilySystem {
  /** The matrix. */
  readonly csr: CsrMatrix;
  /** The matrix as a constant sparse tensor. */
  readonly A: SparseTensor;
  /** Right-hand side. */
  readonly b: Tensor;
  /** Accurate solution. */
  readonly xStar: Float64Array;
  /** `1/√(a_ii a_jj)` for each stencil entry. */
  readonly scale: Tensor;
}

/**
 * A random member: `diffusion2d` with a smooth log-normal κ (log-std
 * `sigma`), a standard normal right-hand side, and its solution.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familySystem, stencil13 } from "./unrolled_learning.ts";
 * import { Rng } from "../lib/random.ts";
 * const s = familySystem(6, stencil13(6), new Rng(0), 1);
 * assert.ok(s.b.size === 36 && s.xStar.length === 36);
 * ```
 */
export function familySystem(nx: number, st: Stencil, rng: Rng, sigma: number): FamilySystem {
  const csr = diffusion2d(logNormalField(nx, rng, sigma), nx);
  const n = nx * nx, b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.normal();
  const xStar = cg(csr, b, { rtol: 1e-13, preconditioner: ic0(csr) }).x;
  const d = csr.diagonal(), { rowPtr, colIdx } = st.pattern;
  const scale = new Float64Array(st.pattern.nnz);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      scale[k] = 1 / Math.sqrt(d[i] * d[colIdx[k]]);
    }
  }
  return {
    csr,
    A: sparseTensor(csr.pattern, csr.values),
    b: new Tensor(b, [n]),
    xStar,
    scale: new Tensor(scale, [scale.length]),
  };
}

/** The iterate after each of the K unrolled steps (index 0 is x₀ = 0); the last one is `x_K`. */
export type Iterates = Tensor[];

/**
 * K steps of CG with learned per-step corrections of the step length and
 * of the direction update: `α_k = e^{a_k}·(rᵀr/pᵀAp)`, `β_k = e^{c_k}·(r'ᵀr'/rᵀr)`.
 * `ab` is `[2, K]` (a then c); zeros give plain CG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learnedAlphaBeta } from "./unrolled_learning.ts";
 * import { fromCsr, tensor, zeros } from "../lib/autodiff/mod.ts";
 * import { CsrMatrix } from "../lib/sparse/csr.ts";
 * const A = fromCsr(CsrMatrix.fromDense([[2, 0], [0, 4]]));
 * const xs = learnedAlphaBeta(A, tensor([2, 4]), zeros([2, 2]));
 * assert.ok(Math.abs(xs[2].data[1] - 1) < 1e-12); // CG is exact after n steps
 * ```
 */
export function learnedAlphaBeta(A: SparseTensor, b: Tensor, ab: Tensor): Iterates {
  const K = ab.shape[1];
  const a = exp(gather(reshape(ab, [2 * K]), Int32Array.from({ length: K }, (_, k) => k)));
  const c = exp(gather(reshape(ab, [2 * K]), Int32Array.from({ length: K }, (_, k) => K + k)));
  let x = new Tensor(new Float64Array(b.size), b.shape), r = b, p = b, rr = dot(r, r);
  const xs = [x];
  for (let k = 0; k < K; k++) {
    const Ap = spmv(A, p);
    const alpha = mul(reshape(gather(a, Int32Array.of(k)), []), div(rr, dot(p, Ap)));
    x = add(x, mul(alpha, p));
    r = sub(r, mul(alpha, Ap));
    xs.push(x);
    const rrNew = dot(r, r);
    const beta = mul(reshape(gather(c, Int32Array.of(k)), []), div(rrNew, rr));
    p = add(r, mul(beta, p));
    rr = rrNew;
  }
  return xs;
}

/**
 * K steps with learned search directions: `z = G_k r` (13-point stencil
 * with weights `w[k]`, scaled by `diag(A)^{-½}` on both sides), `p = z −
 * (zᵀAp'/p'ᵀAp') p'`, exact line search `α = rᵀp/pᵀAp`. `w` is `[K, 7]`;
 * `w[k] = (1, 0, …, 0)` gives Jacobi-PCG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familySystem, learnedDirections, stencil13 } from "./unrolled_learning.ts";
 * import { Tensor } from "../lib/autodiff/mod.ts";
 * import { Rng } from "../lib/random.ts";
 * const st = stencil13(4), s = familySystem(4, st, new Rng(1), 1);
 * const w = new Float64Array(16 * 7);
 * for (let k = 0; k < 16; k++) w[k * 7] = 1;
 * const xs = learnedDirections(s, st, new Tensor(w, [16, 7]));
 * assert.ok(Math.abs(xs[16].data[0] - s.xStar[0]) < 1e-8); // n steps: exact
 * ```
 */
export function learnedDirections(sys: FamilySystem, st: Stencil, w: Tensor): Iterates {
  const K = w.shape[0], { A, b } = sys;
  const flat = reshape(w, [K * STENCIL_WEIGHTS]);
  let x = new Tensor(new Float64Array(b.size), b.shape), r = b;
  let pPrev: Tensor | undefined, ApPrev: Tensor | undefined, pApPrev: Tensor | undefined;
  const xs = [x];
  for (let k = 0; k < K; k++) {
    const idx = st.cls.map((q) => k * STENCIL_WEIGHTS + q);
    const G = sparseTensor(st.pattern, mul(gather(flat, idx), sys.scale));
    let p = spmv(G, r);
    if (pPrev && ApPrev && pApPrev) p = sub(p, mul(div(dot(p, ApPrev), pApPrev), pPrev));
    const Ap = spmv(A, p);
    const pAp = dot(p, Ap);
    const alpha = div(dot(r, p), pAp);
    x = add(x, mul(alpha, p));
    r = sub(r, mul(alpha, Ap));
    xs.push(x);
    (pPrev = p), (ApPrev = Ap), (pApPrev = pAp);
  }
  return xs;
}

/** log10 of the true relative residual ‖b − A x‖/‖b‖ (differentiable in x). */
function logResidual(sys: FamilySystem, x: Tensor): Tensor {
  const r = sub(sys.b, spmv(sys.A, x));
  return mul(log(div(dot(r, r), dot(sys.b, sys.b))), 0.5 / Math.LN10);
}

/** Relative residual and relative A-norm error of a numeric iterate. */
function quality(sys: FamilySystem, x: Float64Array): { res: number; err: number } {
  const n = x.length, Ax = new Float64Array(n), e = new Float64Array(n), Ae = new Float64Array(n);
  sys.csr.apply(x, Ax);
  let rr = 0, bb = 0, eAe = 0, xAx = 0;
  for (let i = 0; i < n; i++) {
    rr += (sys.b.data[i] - Ax[i]) ** 2;
    bb += sys.b.data[i] ** 2;
    e[i] = x[i] - sys.xStar[i];
  }
  sys.csr.apply(e, Ae);
  const Axs = new Float64Array(n);
  sys.csr.apply(sys.xStar, Axs);
  for (let i = 0; i < n; i++) (eAe += e[i] * Ae[i]), (xAx += sys.xStar[i] * Axs[i]);
  return { res: Math.sqrt(rr / bb), err: Math.sqrt(eAe / xAx) };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

function geoMean(xs: readonly number[]): number {
  return 10 ** mean(xs.map((v) => Math.log10(v)));
}

/**
 * Runs the experiment and writes `out/unrolled_learning.{html,json}`.
 *
 * @example
 * ```ts ignore
 * import { run } from "./unrolled_learning.ts";
 * const { finding } = await run({ quick: true, out: "/tmp/reports" });
 * console.log(finding);
 * ```
 */
export async function run(options: UnrolledLearningOptions = {}): Promise<ExperimentResult> {
  const quick = options.quick ?? false, seed = options.seed ?? 0;
  const backend = options.backend ?? "cpu", out = options.out ?? "reports";
  const P = quick
    ? { nx: 12, K: 8, train: 8, test: 12, steps: 60 }
    : { nx: 32, K: 16, train: 24, test: 40, steps: 300 };
  const sigma = 1, n = P.nx * P.nx, K = P.K;
  const started = performance.now();
  const rng = new Rng(seed);
  const st = stencil13(P.nx);
  const train = Array.from({ length: P.train }, () => familySystem(P.nx, st, rng, sigma));
  const test = Array.from({ length: P.test }, () => familySystem(P.nx, st, rng, sigma));

  const lossAb = (ab: Tensor, s: FamilySystem) => logResidual(s, learnedAlphaBeta(s.A, s.b, ab)[K]);
  const lossDir = (w: Tensor, s: FamilySystem) => logResidual(s, learnedDirections(s, st, w)[K]);
  const heldOut = (f: (s: FamilySystem) => Tensor) => mean(test.map((s) => f(s).item()));

  let ab = new Tensor(new Float64Array(2 * K), [2, K]);
  const w0 = new Float64Array(K * STENCIL_WEIGHTS);
  for (let k = 0; k < K; k++) w0[k * STENCIL_WEIGHTS] = 1;
  let w = new Tensor(w0, [K, STENCIL_WEIGHTS]);
  const abInit = ab, wInit = w;

  // Gradient check of the unrolled backward pass: 6 steps on a small system (more steps on 64
  // unknowns drive the residual towards rounding level, where differences lose their digits).
  const KC = 6, stSmall = stencil13(8);
  const small = familySystem(8, stSmall, new Rng(seed + 99), sigma);
  const wc = new Float64Array(KC * STENCIL_WEIGHTS).map((_, i) =>
    (i % STENCIL_WEIGHTS === 0 ? 1 : 0) + 0.05 * Math.sin(i + 1)
  );
  const gcDir = checkGrad(
    (t) => logResidual(small, learnedDirections(small, stSmall, t)[KC]),
    new Tensor(wc, [KC, STENCIL_WEIGHTS]),
    { eps: 1e-5, tolerance: 1e-5 },
  );
  const abc = new Float64Array(2 * KC).map((_, i) => 0.05 * Math.cos(i));
  const gcAb = checkGrad(
    (t) => logResidual(small, learnedAlphaBeta(small.A, small.b, t)[KC]),
    new Tensor(abc, [2, KC]),
    { eps: 1e-5, tolerance: 1e-5 },
  );

  const curve = { step: [] as number[], ab: [] as number[], dir: [] as number[] };
  const record = (step: number) => {
    curve.step.push(step);
    curve.ab.push(heldOut((s) => lossAb(ab, s)));
    curve.dir.push(heldOut((s) => lossDir(w, s)));
  };
  record(0);
  const optAb = new Adam({ lr: 1e-2 }), optDir = new Adam({ lr: 1e-2 });
  const bar = progress(P.steps, "training unrolled variants");
  const t0 = performance.now();
  for (let step = 0; step < P.steps; step++) {
    const s = train[step % train.length];
    const [, gAb] = valueAndGrad((t: Tensor) => lossAb(t, s))(ab);
    [ab] = optAb.step([ab], [gAb]);
    const [, gDir] = valueAndGrad((t: Tensor) => lossDir(t, s))(w);
    [w] = optDir.step([w], [gDir]);
    if ((step + 1) % Math.max(1, Math.floor(P.steps / 20)) === 0) record(step + 1);
    bar.tick();
  }
  bar.done();
  const trainSeconds = (performance.now() - t0) / 1000;

  // Held-out evaluation at equal iteration count K.
  const names = [
    "CG",
    "learned α/β",
    "MINRES",
    "Jacobi-PCG",
    "learned directions",
    "IC(0)-PCG",
  ] as const;
  type Name = typeof names[number];
  const res = new Map<Name, number[]>(names.map((nm) => [nm, []]));
  const err = new Map<Name, number[]>(names.map((nm) => [nm, []]));
  const perStep = new Map<string, number[][]>();
  let cgMismatch = 0;
  for (const s of test) {
    const iterates: Record<string, Iterates> = {
      "CG": learnedAlphaBeta(s.A, s.b, abInit),
      "learned α/β": learnedAlphaBeta(s.A, s.b, ab),
      "Jacobi-PCG": learnedDirections(s, st, wInit),
      "learned directions": learnedDirections(s, st, w),
    };
    const finals: Record<Name, Float64Array> = {
      "CG": iterates["CG"][K].data,
      "learned α/β": iterates["learned α/β"][K].data,
      "Jacobi-PCG": iterates["Jacobi-PCG"][K].data,
      "learned directions": iterates["learned directions"][K].data,
      "MINRES": minres(s.csr, s.b.data, { maxIter: K, rtol: 1e-300, onFailure: "return" }).x,
      "IC(0)-PCG": cg(s.csr, s.b.data, {
        maxIter: K,
        rtol: 1e-300,
        onFailure: "return",
        preconditioner: ic0(s.csr),
      }).x,
    };
    const libCg = cg(s.csr, s.b.data, { maxIter: K, rtol: 1e-300, onFailure: "return" }).x;
    const libJac = cg(s.csr, s.b.data, {
      maxIter: K,
      rtol: 1e-300,
      onFailure: "return",
      preconditioner: jacobi(s.csr),
    }).x;
    for (let i = 0; i < n; i++) {
      const scale = Math.max(1, Math.abs(libCg[i]));
      cgMismatch = Math.max(
        cgMismatch,
        Math.abs(libCg[i] - finals["CG"][i]) / scale,
        Math.abs(libJac[i] - finals["Jacobi-PCG"][i]) / scale,
      );
    }
    for (const nm of names) {
      const q = quality(s, finals[nm]);
      res.get(nm)!.push(q.res);
      err.get(nm)!.push(q.err);
    }
    for (const [nm, xs] of Object.entries(iterates)) {
      const rows = perStep.get(nm) ?? [];
      rows.push(xs.map((x) => quality(s, x.data).res));
      perStep.set(nm, rows);
    }
  }
  const slack = 1e-9;
  const abAnormViolations =
    err.get("learned α/β")!.filter((e, i) => e < err.get("CG")![i] * (1 - slack)).length;
  const abMinresViolations =
    res.get("learned α/β")!.filter((r, i) => r < res.get("MINRES")![i] * (1 - slack)).length;
  const g = (nm: Name) => geoMean(res.get(nm)!);
  const ge = (nm: Name) => geoMean(err.get(nm)!);
  const dirBeatsJacobi = g("learned directions") < g("Jacobi-PCG");
  const dirBeatsIc0 = g("learned directions") < g("IC(0)-PCG");
  const abBeatsCgResidual = g("learned α/β") < g("CG");
  const fmt = (v: number) => v.toExponential(2);
  const finding = `After K = ${K} iterations on ${P.test} held-out ${P.nx}×${P.nx} diffusion ` +
    `systems (geometric-mean relative residual): plain CG ${fmt(g("CG"))}, learned α/β ` +
    `${fmt(g("learned α/β"))} (MINRES bound ${fmt(g("MINRES"))}; A-norm error never below CG's, ` +
    `as CG's optimality demands), learned search directions ${fmt(g("learned directions"))} vs ` +
    `Jacobi-PCG ${fmt(g("Jacobi-PCG"))} and IC(0)-PCG ${fmt(g("IC(0)-PCG"))} — ` +
    (dirBeatsJacobi
      ? "learned directions beat CG and Jacobi-PCG"
      : "learned directions do not beat Jacobi-PCG") +
    (dirBeatsIc0 ? " and IC(0)-PCG" : " but not IC(0)-PCG");

  const metrics: Record<string, number | boolean | string> = {
    n,
    K,
    gradCheckDirectionsMaxRelError: gcDir.maxRelError,
    gradCheckAlphaBetaMaxRelError: gcAb.maxRelError,
    gradCheckOk: gcDir.ok && gcAb.ok,
    unrolledMatchesLibraryCg: cgMismatch,
    residualCg: g("CG"),
    residualLearnedAlphaBeta: g("learned α/β"),
    residualMinres: g("MINRES"),
    residualJacobi: g("Jacobi-PCG"),
    residualLearnedDirections: g("learned directions"),
    residualIc0: g("IC(0)-PCG"),
    anormErrorCg: ge("CG"),
    anormErrorLearnedAlphaBeta: ge("learned α/β"),
    anormErrorJacobi: ge("Jacobi-PCG"),
    anormErrorLearnedDirections: ge("learned directions"),
    anormErrorIc0: ge("IC(0)-PCG"),
    alphaBetaAnormBelowCgCount: abAnormViolations,
    alphaBetaResidualBelowMinresCount: abMinresViolations,
    learnedAlphaBetaBeatsCgResidual: abBeatsCgResidual,
    learnedDirectionsBeatJacobi: dirBeatsJacobi,
    learnedDirectionsBeatIc0: dirBeatsIc0,
    heldOutLossAlphaBetaStart: curve.ab[0],
    heldOutLossAlphaBetaEnd: curve.ab[curve.ab.length - 1],
    heldOutLossDirectionsStart: curve.dir[0],
    heldOutLossDirectionsEnd: curve.dir[curve.dir.length - 1],
    trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
  };

  const report = new Report({
    started: new Date(performance.timeOrigin + started),
    name: "unrolled_learning",
    title: "Learning inside unrolled CG: per-step α/β and search directions",
    finding,
    backend: "cpu",
    seed,
  });
  report.metadata({
    quick,
    seed,
    backendRequested: backend,
    grid: `${P.nx}x${P.nx}`,
    n,
    K,
    kappaLogStd: sigma,
    trainSystems: P.train,
    heldOutSystems: P.test,
    adamSteps: P.steps,
    adamLr: 1e-2,
  });
  report.text(
    `The family: \`diffusion2d\` on a ${P.nx}×${P.nx} grid (n = ${n}) with a smooth log-normal κ ` +
      `(log-std ${sigma}) and a standard normal right-hand side per system; ${P.train} systems train, ` +
      `${P.test} others evaluate. Every method runs exactly K = ${K} iterations (K products with A) ` +
      "from x₀ = 0, and the loss is log10 of the true relative residual ‖b − Ax_K‖/‖b‖, " +
      "backpropagated through all K unrolled iterations with the autodiff tape (Adam, one " +
      "training system per step)." +
      (backend === "webgpu"
        ? "\n\n`--backend webgpu` was requested: the unrolled iterations live on the CPU tape, so " +
          "everything ran on the CPU in float64."
        : ""),
  );
  report.text(
    "- **Learned per-step α/β**: `α_k = e^{a_k}·rᵀr/pᵀAp`, `β_k = e^{c_k}·r'ᵀr'/rᵀr` with 2K " +
      "learned numbers (zero = CG). Its iterate stays in the Krylov space K_K(A, b), so two " +
      "theorems bound it: CG has the smallest A-norm error there (Hestenes & Stiefel, 1952) and " +
      "MINRES the smallest residual. Both bounds are checked on every held-out system.\n" +
      "- **Learned search directions**: `p_k = G_k r_k` A-orthogonalised against `p_{k−1}`, with " +
      "`G_k = D^{-½} W_k D^{-½}`, W_k a symmetric 13-point stencil with 7 learned weights per step " +
      `(${K * STENCIL_WEIGHTS} numbers), and the exact line search α = rᵀp/pᵀAp, so the A-norm ` +
      "error never grows. The start (W_k = identity) is Jacobi-PCG. The directions leave the " +
      "Krylov space of A, so CG's optimality does not bound them; each step costs one product " +
      "with A plus one 13-point stencil product (about 2.6× a 5-point product).",
  );

  report.section("Training");
  report.figure(
    linePlot({
      series: [
        { name: "learned α/β (start = CG)", x: curve.step, y: curve.ab },
        { name: "learned directions (start = Jacobi-PCG)", x: curve.step, y: curve.dir },
      ],
      xLabel: "Adam step",
      yLabel: `mean log10 ‖r_${K}‖/‖b‖, held-out`,
    }),
    {
      caption: `Held-out loss during training: mean over the ${P.test} held-out systems of log10 ` +
        `of the relative residual after K = ${K} iterations.`,
    },
  );

  report.section("Held-out comparison at equal iteration count");
  report.table(
    names.map((nm) => ({
      method: nm,
      "geo-mean ‖r_K‖/‖b‖": g(nm),
      "geo-mean ‖e_K‖_A/‖x*‖_A": ge(nm),
      "worst ‖r_K‖/‖b‖": Math.max(...res.get(nm)!),
    })),
    {
      caption: `After exactly K = ${K} iterations, over ${P.test} held-out systems. MINRES and ` +
        "IC(0)-PCG are the library's solvers capped at K iterations; the first two rows share " +
        "the Krylov space K_K(A, b).",
    },
  );
  const ks = Array.from({ length: K + 1 }, (_, k) => k);
  report.figure(
    linePlot({
      series: [...perStep.entries()].map(([nm, rows]) => ({
        name: nm,
        x: ks,
        y: ks.map((k) => geoMean(rows.map((row) => row[k]))),
      })),
      xLabel: "iteration k",
      yLabel: "geo-mean ‖r_k‖/‖b‖ (held-out)",
      logY: true,
    }),
    {
      caption:
        "Residual after each unrolled iteration, geometric mean over the held-out systems. " +
        `Only the residual after the last iteration (k = ${K}) was trained.`,
    },
  );
  report.figure(
    scatterPlot({
      series: [
        { name: "learned α/β vs CG", x: res.get("CG")!, y: res.get("learned α/β")! },
        {
          name: "learned directions vs Jacobi-PCG",
          x: res.get("Jacobi-PCG")!,
          y: res.get("learned directions")!,
        },
      ],
      xLabel: `baseline ‖r_${K}‖/‖b‖`,
      yLabel: `learned ‖r_${K}‖/‖b‖`,
      logX: true,
      logY: true,
      diagonal: true,
    }),
    {
      caption: "Per held-out system: each learned variant against the method it started from. " +
        "Points below the diagonal are systems where the learned variant is better.",
    },
  );

  report.section("Checks and verdict");
  report.table([
    {
      check: "gradient of the unrolled directions loss vs central differences",
      value: gcDir.maxRelError,
      ok: gcDir.ok,
    },
    {
      check: "gradient of the unrolled α/β loss vs central differences",
      value: gcAb.maxRelError,
      ok: gcAb.ok,
    },
    {
      check: "unrolled CG / Jacobi-PCG at init vs library cg (max rel. difference)",
      value: cgMismatch,
      ok: cgMismatch < 1e-8,
    },
    {
      check: "systems where learned α/β has smaller A-norm error than CG",
      value: abAnormViolations,
      ok: abAnormViolations === 0,
    },
    {
      check: "systems where learned α/β has smaller residual than MINRES",
      value: abMinresViolations,
      ok: abMinresViolations === 0,
    },
  ], { caption: "Correctness checks (max relative error per component for gradients)." });
  report.text(
    `- Learned α/β: residual ${fmt(g("learned α/β"))} vs CG ${fmt(g("CG"))} ` +
      `(${abBeatsCgResidual ? "smaller" : "not smaller"}), A-norm error ` +
      `${fmt(ge("learned α/β"))} vs ${fmt(ge("CG"))}. Tuning CG's scalars can trade A-norm ` +
      "error for residual, but never below MINRES's residual or CG's A-norm error in the same " +
      `Krylov space: ${krylovGapSentence(g("CG"), g("MINRES"))}\n` +
      `- Learned directions: ${fmt(g("learned directions"))} vs Jacobi-PCG ` +
      `${fmt(g("Jacobi-PCG"))} and IC(0)-PCG ${fmt(g("IC(0)-PCG"))}. This is what learning can ` +
      "change: the space the iterates live in. It is a learned, step-dependent sparse " +
      "approximate inverse; a fair cost comparison counts its stencil products too.\n" +
      `- Training took ${trainSeconds.toFixed(1)} s for ${P.steps} steps of both variants.\n` +
      "- Related work: unrolled-iteration learning is a special case of differentiating through " +
      "a solver (OptNet — Amos & Kolter, 2017; Deep Equilibrium Models — Bai, Kolter & Koltun, " +
      "2019); implicit differentiation of linear solves: JAX `lax.custom_linear_solve`, lineax " +
      "(Rader, Lyons & Kidger, 2023).",
  );
  report.table(
    { columns: ["metric", "value"], rows: Object.entries(metrics).map(([k, v]) => [k, v]) },
    { caption: "The numbers that define the finding (also asserted by the test)." },
  );
  const written = await report.write(out);
  return { finding, metrics, written };
}

if (import.meta.main) {
  printAboutOnHelp({
    what: "Learns CG's step sizes and, separately, its search directions by backpropagating " +
      "the residual after K unrolled iterations, and compares them on held-out diffusion " +
      "systems with CG, MINRES, Jacobi-PCG and IC(0)-PCG.",
    duration: {
      quick: "3 s",
      full: "15 s (37 s with both cores busy)",
      machine: REFERENCE_MACHINE,
    },
    writes: "OUT/unrolled_learning.html, OUT/unrolled_learning.json and OUT/index.html",
  });
  await experimentMain("unrolled_learning", {}, async (args) => {
    const { finding, written } = await run(args);
    return { finding, html: written.html };
  });
}
