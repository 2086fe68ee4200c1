/**
 * The AMG V-cycle on the GPU: {@linkcode GpuAmgCycle} uploads every level of
 * a CPU-built {@linkcode AmgPreconditioner} once (level matrices, P and
 * `R = Pᵀ`, smoother weights and Chebyshev coefficients, per-level vectors,
 * and the coarsest level's dense inverse, computed on the CPU in float64 and
 * stored as float32) and records the dispatches of one cycle `z = M⁻¹ r`
 * into a compute pass, with no read-back. The dispatches mirror
 * `runCycle` in lib/linalg/amg/cycle.ts step by step (same smoother, same
 * sweeps, R, coarse solve, P), so the GPU cycle is the CPU cycle in float32.
 *
 * Per level l (finest first), with `b`, `x` the level's right-hand side and
 * solution (the caller's r and z on level 0) and `t` a product scratch:
 *
 * ```
 * pre-smooth (x from 0)      Chebyshev: cheb_first_zero, then per degree step
 *                                         spmv t = A d, cheb_step
 *                            Jacobi:    jacobi_zero, then per sweep
 *                                         spmv t = A x, jacobi
 * residual                   spmv t = A x, residual r = b − t   (copy r = b without pre-sweeps)
 * restrict                   spmv b_{l+1} = R r
 * coarse level               recursion; coarsest: dense x = A_c⁻¹ b (or smoother sweeps)
 * prolongate                 spmv t = P x_{l+1}, correct x += t
 * post-smooth                Chebyshev: spmv t = A x, cheb_first, then per step
 *                                         spmv t = A d, cheb_step
 *                            Jacobi:    spmv t = A x, jacobi
 * ```
 *
 * Every dispatch skips itself when word 0 of the control buffer is nonzero
 * (a solver's done flag), like the solvers' own kernels.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { denseCoarseSolver } from "../linalg/amg/coarse_solve.ts";
import type { AmgLevel } from "../linalg/amg/hierarchy.ts";
import { type AmgOptions, resolveAmgOptions } from "../linalg/amg/options.ts";
import type { AmgPreconditioner } from "../linalg/amg/setup.ts";
import type { SmootherState } from "../linalg/amg/smoothers.ts";
import { createStorageBuffer, GpuMatrix } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { AMG_MODULE, dispatch, elementwiseGroups, pipelinesOf } from "./kernels.ts";
import type { BindingResource } from "./pipelines.ts";
import { SpmvKernel, type SpmvVariant } from "./spmv.ts";

const ENTRIES = [
  "amg_jacobi_zero",
  "amg_jacobi",
  "amg_cheb_first_zero",
  "amg_cheb_first",
  "amg_cheb_step",
  "amg_residual",
  "amg_copy",
  "amg_correct",
  "amg_zero",
  "amg_dense",
] as const;

type Entry = typeof ENTRIES[number];

/** Options of {@linkcode GpuAmgCycle.create}. */
export interface GpuAmgCycleOptions {
  /**
   * The AMG options the preconditioner was built with (the sweeps and the
   * cycle shape are read from them). @default {{}}
   */
  amg?: AmgOptions;
  /**
   * The finest matrix, already on the GPU (a solver's own upload): level 0
   * uses it instead of a second copy, and its values are the caller's to
   * keep current.
   */
  fine?: GpuMatrix;
  /** SpMV kernel of the level products. @default {"auto"} */
  spmv?: SpmvVariant;
}

/** Buffers of one level that do not depend on the bound r and z. */
interface LevelData {
  readonly n: number;
  readonly A: GpuMatrix;
  readonly ownsA: boolean;
  readonly P: GpuMatrix | undefined;
  readonly R: GpuMatrix | undefined;
  /** Right-hand side and solution (undefined on level 0: the caller's). */
  readonly b: GPUBuffer | undefined;
  readonly x: GPUBuffer | undefined;
  readonly t: GPUBuffer;
  readonly r: GPUBuffer;
  readonly d: GPUBuffer;
  readonly w: GPUBuffer;
  /** Base parameters {n, 1/θ}, then one per Chebyshev step {n, c1, c2}. */
  readonly params: GPUBuffer[];
  /** Row-major float32 inverse of the coarsest matrix (dense coarse solve only). */
  readonly inverse: GPUBuffer | undefined;
  readonly groups: number;
}

/** Kernels of one level bound to its b and x. */
interface LevelBound {
  readonly base: GPUBindGroup;
  readonly steps: GPUBindGroup[];
  readonly dense: GPUBindGroup | undefined;
  readonly ax: SpmvKernel;
  readonly ad: SpmvKernel;
  readonly restrict: SpmvKernel | undefined;
  readonly prolong: SpmvKernel | undefined;
}

/** Chebyshev coefficients of a level, in float64: c0 = 1/θ, then (c1, c2) per later step. */
function chebyshevCoefficients(s: SmootherState): { c0: number; steps: [number, number][] } {
  const theta = 0.5 * (s.upper + s.lower);
  const delta = 0.5 * (s.upper - s.lower);
  const sigma = theta / delta;
  let rhoK = 1 / sigma;
  const steps: [number, number][] = [];
  for (let m = 1; m < s.degree; m++) {
    const rhoNext = 1 / (2 * sigma - rhoK);
    steps.push([rhoNext * rhoK, (2 * rhoNext) / delta]);
    rhoK = rhoNext;
  }
  return { c0: 1 / theta, steps };
}

/** The 32-byte parameter block {n, pad, c0, c1, c2, pad…}. */
function paramBytes(n: number, c0: number, c1 = 0, c2 = 0): ArrayBuffer {
  const buf = new ArrayBuffer(32);
  new Uint32Array(buf, 0, 2).set([n, 0]);
  new Float32Array(buf, 8, 3).set([c0, c1, c2]);
  return buf;
}

/**
 * The inverse of a (coarsest-level) matrix, row-major, computed in float64
 * through its dense Cholesky (symmetric) or LU factorisation and rounded to
 * float32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseInverseF32 } from "./amg.ts";
 * import { CsrMatrix } from "../sparse/csr.ts";
 * const inv = denseInverseF32(CsrMatrix.fromDense([[4, 0], [0, 2]]), true);
 * assert.deepEqual([...inv], [0.25, 0, 0, 0.5]);
 * ```
 */
export function denseInverseF32(A: CsrMatrix, symmetric: boolean): Float32Array<ArrayBuffer> {
  const n = A.shape[0];
  const solver = denseCoarseSolver(A, symmetric);
  const e = new Float64Array(n), col = new Float64Array(n);
  const inv = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    solver.solve(e, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}

/**
 * One AMG V-cycle `z = M⁻¹ r` on the GPU, uploaded once from a CPU
 * {@linkcode AmgPreconditioner}; {@linkcode GpuAmgCycle.bind} prepares the
 * kernels for a pair of r/z buffers, {@linkcode GpuAmgCycle.record} records
 * the cycle into a pass (no read-back), {@linkcode GpuAmgCycle.update}
 * rewrites the level values after new matrix values (no new buffers).
 * Supports the V cycle with the Chebyshev, Jacobi and L1-Jacobi smoothers;
 * it applies the forward cycle only (CG's symmetric cycle is its own
 * transpose).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, amgSetup, poisson2d } from "@gradsolve/gradsolve";
 * import { GpuAmgCycle } from "./amg.ts";
 * import { createStorageBuffer, readBack } from "./buffers.ts";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const A = poisson2d(12);
 *   const amg = amgSetup(A, { coarseSize: 20 });
 *   const r = new Float64Array(144).fill(1);
 *   using cycle = await GpuAmgCycle.create(ctx, amg, { amg: { coarseSize: 20 } });
 *   const rb = createStorageBuffer(ctx, "r", 4 * 144, Float32Array.from(r));
 *   const zb = createStorageBuffer(ctx, "z", 4 * 144);
 *   await cycle.bind(rb, zb);
 *   const enc = ctx.device.createCommandEncoder();
 *   const pass = enc.beginComputePass();
 *   cycle.record(pass, rb, zb);
 *   pass.end();
 *   const [bytes] = await readBack(ctx, enc, [{ buffer: zb, offset: 0, size: 4 * 144 }]);
 *   const z = new Float32Array(bytes), zc = new Float64Array(144);
 *   amg.apply(r, zc);
 *   assert.ok(zc.every((v, i) => Math.abs(v - z[i]) <= 1e-4 * Math.abs(v) + 1e-6));
 *   rb.destroy();
 *   zb.destroy();
 * }
 * ```
 */
export class GpuAmgCycle implements Disposable {
  /** Unknowns of the finest level. */
  readonly n: number;
  /** Number of levels. */
  readonly levels: number;
  readonly #ctx: GpuContext;
  readonly #amg: AmgPreconditioner;
  readonly #data: LevelData[];
  readonly #pre: number;
  readonly #post: number;
  readonly #coarseSweeps: number;
  readonly #dense: boolean;
  readonly #symmetric: boolean;
  readonly #variant: SpmvVariant;
  readonly #ctrl: GPUBuffer;
  readonly #owned: GPUBuffer[] = [];
  readonly #bound = new Map<GPUBuffer, Map<GPUBuffer, LevelBound[]>>();
  readonly #kernels: SpmvKernel[] = [];
  #pipes!: Record<Entry, GPUComputePipeline>;

  private constructor(
    ctx: GpuContext,
    amg: AmgPreconditioner,
    options: GpuAmgCycleOptions,
  ) {
    this.#ctx = ctx;
    this.#amg = amg;
    const levels = amg.levels;
    const fine = levels[0];
    this.n = fine.n;
    this.levels = levels.length;
    this.#symmetric = fine.At === fine.A;
    const opts = resolveAmgOptions(options.amg ?? {}, fine.n, this.#symmetric);
    if (opts.cycle !== "V") {
      throw new RangeError(
        `Cannot run AMG on the GPU: only the V cycle is supported, got ${opts.cycle}`,
      );
    }
    if (opts.smoother !== amg.info.smoother) {
      throw new RangeError(
        `Cannot run AMG on the GPU: options.amg give smoother ${opts.smoother} but the hierarchy ` +
          `uses ${amg.info.smoother}; pass the options it was built with`,
      );
    }
    this.#pre = opts.preSweeps;
    this.#post = opts.postSweeps;
    this.#coarseSweeps = opts.coarseSweeps;
    this.#dense = amg.info.coarseSolver !== "smoother";
    this.#variant = options.spmv ?? "auto";
    this.#ctrl = this.#buffer("amg ctrl", 16);
    if (options.fine && (options.fine.nRows !== fine.n || options.fine.nnz !== fine.A.nnz)) {
      throw new ShapeError(
        `Cannot run AMG on the GPU: the given fine matrix is ${options.fine.nRows} rows with ` +
          `${options.fine.nnz} entries but the hierarchy's is ${fine.n} with ${fine.A.nnz}`,
      );
    }
    this.#data = [];
    try {
      levels.forEach((L, l) => this.#data.push(this.#uploadLevel(L, l, options.fine)));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  #buffer(label: string, bytes: number, data?: ArrayBufferView): GPUBuffer {
    const b = createStorageBuffer(this.#ctx, label, bytes, data);
    this.#owned.push(b);
    return b;
  }

  #uniform(label: string, data: ArrayBuffer): GPUBuffer {
    const b = this.#ctx.device.createBuffer({
      label,
      size: data.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.#owned.push(b);
    this.#ctx.device.queue.writeBuffer(b, 0, data);
    return b;
  }

  #uploadLevel(L: AmgLevel, l: number, fine: GpuMatrix | undefined): LevelData {
    const ctx = this.#ctx, n = L.n;
    const last = l === this.levels - 1;
    const vec = (name: string) => this.#buffer(`amg L${l} ${name}`, 4 * n);
    const ownsA = !(l === 0 && fine);
    const A = ownsA ? GpuMatrix.upload(ctx, L.A) : fine!;
    const data: LevelData = {
      n,
      A,
      ownsA,
      P: L.transfer ? GpuMatrix.upload(ctx, L.transfer.P) : undefined,
      R: L.transfer ? GpuMatrix.upload(ctx, L.transfer.R) : undefined,
      b: l === 0 ? undefined : vec("b"),
      x: l === 0 ? undefined : vec("x"),
      t: vec("t"),
      r: vec("r"),
      d: vec("d"),
      w: this.#buffer(`amg L${l} weights`, 4 * n, Float32Array.from(L.smoother.weights)),
      params: [],
      inverse: last && this.#dense
        ? this.#buffer(
          `amg coarse inverse ${n}x${n}`,
          4 * n * n,
          denseInverseF32(L.A, this.#symmetric),
        )
        : undefined,
      groups: elementwiseGroups(ctx, n),
    };
    const { c0, steps } = chebyshevCoefficients(L.smoother);
    data.params.push(this.#uniform(`amg L${l} params`, paramBytes(n, c0)));
    if (L.smoother.kind === "chebyshev") {
      steps.forEach(([c1, c2], m) =>
        data.params.push(this.#uniform(`amg L${l} step ${m + 1}`, paramBytes(n, 0, c1, c2)))
      );
    }
    return data;
  }

  /**
   * Uploads the hierarchy of `amg` (built by `amgSetup(A, options.amg)`)
   * and compiles the cycle's kernels.
   */
  static async create(
    ctx: GpuContext,
    amg: AmgPreconditioner,
    options: GpuAmgCycleOptions = {},
  ): Promise<GpuAmgCycle> {
    ctx.assertAlive("set up AMG on the GPU");
    const cycle = new GpuAmgCycle(ctx, amg, options);
    try {
      cycle.#pipes = await pipelinesOf(ctx, AMG_MODULE, ENTRIES);
    } catch (e) {
      cycle.dispose();
      throw e;
    }
    return cycle;
  }

  /**
   * Prepares the kernels of a cycle from `r` into `z` (buffers of at least
   * n float32 entries; r is only read). `ctrl`, when given, is a buffer
   * window whose first u32 makes every dispatch skip itself when nonzero.
   */
  async bind(r: GPUBuffer, z: GPUBuffer, ctrl?: BindingResource): Promise<void> {
    if (r === z) {
      throw new ShapeError("Cannot bind the GPU AMG cycle: r and z must be different buffers");
    }
    if (this.#bound.get(r)?.get(z)) return;
    const ctx = this.#ctx, c = ctrl ?? this.#ctrl;
    const bound: LevelBound[] = [];
    const spmv = async (M: GpuMatrix, x: GPUBuffer, y: GPUBuffer) => {
      const k = await SpmvKernel.create(ctx, M, x, y, c, this.#variant);
      this.#kernels.push(k);
      return k;
    };
    for (let l = 0; l < this.#data.length; l++) {
      const D = this.#data[l];
      const b = D.b ?? r, x = D.x ?? z;
      const group = (w: GPUBuffer, params: GPUBuffer) =>
        ctx.pipelines.bindGroup(AMG_MODULE, [b, D.t, w, x, D.r, D.d, c, params]);
      const next = this.#data[l + 1];
      bound.push({
        base: await group(D.w, D.params[0]),
        steps: await Promise.all(D.params.slice(1).map((p) => group(D.w, p))),
        dense: D.inverse ? await group(D.inverse, D.params[0]) : undefined,
        ax: await spmv(D.A, x, D.t),
        ad: await spmv(D.A, D.d, D.t),
        restrict: D.R && next ? await spmv(D.R, D.r, next.b!) : undefined,
        prolong: D.P && next ? await spmv(D.P, next.x!, D.t) : undefined,
      });
    }
    let byR = this.#bound.get(r);
    if (!byR) this.#bound.set(r, byR = new Map());
    byR.set(z, bound);
  }

  /** Records one cycle `z = M⁻¹ r` into `pass` (r and z bound first with {@linkcode GpuAmgCycle.bind}). */
  record(pass: GPUComputePassEncoder, r: GPUBuffer, z: GPUBuffer): void {
    const bound = this.#bound.get(r)?.get(z);
    if (!bound) {
      throw new RangeError("Cannot record the GPU AMG cycle: bind(r, z) these buffers first");
    }
    this.#level(pass, bound, 0);
  }

  #level(pass: GPUComputePassEncoder, bound: LevelBound[], l: number): void {
    const D = this.#data[l], K = bound[l], p = this.#pipes;
    const last = l === this.#data.length - 1;
    if (last) {
      if (K.dense) dispatch(pass, p.amg_dense, K.dense, D.groups);
      else this.#smooth(pass, l, K, true, this.#coarseSweeps);
      return;
    }
    this.#smooth(pass, l, K, true, this.#pre);
    if (this.#pre > 0) {
      K.ax.record(pass);
      dispatch(pass, p.amg_residual, K.base, D.groups);
    } else {
      dispatch(pass, p.amg_copy, K.base, D.groups);
    }
    K.restrict!.record(pass);
    this.#level(pass, bound, l + 1);
    K.prolong!.record(pass);
    dispatch(pass, p.amg_correct, K.base, D.groups);
    this.#smooth(pass, l, K, false, this.#post);
  }

  #smooth(
    pass: GPUComputePassEncoder,
    l: number,
    K: LevelBound,
    zeroGuess: boolean,
    sweeps: number,
  ): void {
    const D = this.#data[l], p = this.#pipes, g = D.groups;
    let zero = zeroGuess;
    if (sweeps === 0) {
      if (zero) dispatch(pass, p.amg_zero, K.base, g);
      return;
    }
    const cheb = this.#amg.levels[l].smoother.kind === "chebyshev";
    for (let s = 0; s < sweeps; s++) {
      if (cheb) {
        if (zero) dispatch(pass, p.amg_cheb_first_zero, K.base, g);
        else {
          K.ax.record(pass);
          dispatch(pass, p.amg_cheb_first, K.base, g);
        }
        for (const step of K.steps) {
          K.ad.record(pass);
          dispatch(pass, p.amg_cheb_step, step, g);
        }
      } else if (zero) {
        dispatch(pass, p.amg_jacobi_zero, K.base, g);
      } else {
        K.ax.record(pass);
        dispatch(pass, p.amg_jacobi, K.base, g);
      }
      zero = false;
    }
  }

  /**
   * Rewrites every level's values (matrices, P, R, smoother weights and
   * coefficients, the coarse inverse) from the AMG state, after
   * `values` (when given) were passed to its `update`. No new buffers: bound
   * kernels see the new values. A given `fine` matrix is the caller's to
   * rewrite.
   */
  update(values?: Float64Array): void {
    this.#ctx.assertAlive("update AMG on the GPU");
    if (values) this.#amg.update(values);
    const q = this.#ctx.device.queue;
    this.#amg.levels.forEach((L, l) => {
      const D = this.#data[l];
      if (D.ownsA) D.A.writeValues(L.A);
      if (L.transfer) {
        D.P!.writeValues(L.transfer.P);
        D.R!.writeValues(L.transfer.R);
      }
      q.writeBuffer(D.w, 0, Float32Array.from(L.smoother.weights));
      const { c0, steps } = chebyshevCoefficients(L.smoother);
      q.writeBuffer(D.params[0], 0, paramBytes(D.n, c0));
      if (L.smoother.kind === "chebyshev") {
        steps.forEach(([c1, c2], m) =>
          q.writeBuffer(D.params[m + 1], 0, paramBytes(D.n, 0, c1, c2))
        );
      }
      if (D.inverse) q.writeBuffer(D.inverse, 0, denseInverseF32(L.A, this.#symmetric));
    });
  }

  /** Releases every buffer the cycle allocated (not a given fine matrix). */
  dispose(): void {
    for (const k of this.#kernels) k.dispose();
    this.#kernels.length = 0;
    this.#bound.clear();
    for (const D of this.#data ?? []) {
      if (D.ownsA) D.A.dispose();
      D.P?.dispose();
      D.R?.dispose();
    }
    this.#data.length = 0;
    for (const b of this.#owned) b.destroy();
    this.#owned.length = 0;
  }

  /** Same as {@linkcode GpuAmgCycle.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
