/**
 * The AMG cycle on the GPU: {@linkcode GpuAmgCycle} uploads every level of
 * a CPU-built {@linkcode AmgPreconditioner} once (level matrices, P and
 * `R = Pᵀ`, smoother weights and Chebyshev coefficients, per-level vectors,
 * and the coarsest level's dense inverse, computed on the CPU in float64 and
 * stored as float32) and records the dispatches of one cycle `z = M⁻¹ r`,
 * or of its exact transpose `z = M⁻ᵀ r`, into a compute pass, with no
 * read-back. The dispatches mirror `runCycle` in lib/linalg/amg/cycle.ts
 * step by step (same smoother, same sweeps, R, coarse solve, P, the W
 * cycle's second visit), so the GPU cycle is the CPU cycle in float32.
 *
 * The transposed cycle (cycle.ts): `I − BᵀAᵀ = (I − MᵀAᵀ)^ν₁ (I − Rᵀ B_cᵀ
 * Pᵀ Aᵀ)(I − MᵀAᵀ)^ν₂`, i.e. the same dispatches on `Aᵀ` of every level with
 * ν₂ pre- and ν₁ post-sweeps, the same smoother weights (a sweep
 * `x ← x + q(WA)W(b − Ax)` run on Aᵀ applies its transpose, smoothers.ts),
 * restriction R and prolongation P (`R = Pᵀ`), and the transposed dense
 * inverse `A_c⁻ᵀ`. Aᵀ is uploaded only for a nonsymmetric level (the
 * symmetric hierarchy reuses A, and the inverse of a symmetric coarsest
 * matrix is its own transpose), and only once the transposed direction is
 * prepared. A symmetric preconditioner (symmetric A, ν₁ = ν₂) records the
 * forward cycle for both directions.
 *
 * Per visit of level l (finest first), with `b`, `x` the visit's right-hand
 * side and solution (the caller's r and z on level 0; `b_l`, `x_l` on a
 * first visit, `tw_l`, `yw_l` on a W cycle's second visit), `t` a product
 * scratch and `A` the level matrix of the direction (A_l or A_lᵀ):
 *
 * ```
 * pre-smooth (x from 0)      Chebyshev: cheb_first_zero, then per degree step
 *                                         spmv t = A d, cheb_step
 *                            Jacobi:    jacobi_zero, then per sweep
 *                                         spmv t = A x, jacobi
 * residual                   spmv t = A x, residual r = b − t   (copy r = b without pre-sweeps)
 * restrict                   spmv b_{l+1} = R r
 * coarse level               first visit of l+1 on (b_{l+1}, x_{l+1});
 *                            coarsest: dense x = A_c⁻¹ b (A_c⁻ᵀ transposed), or smoother sweeps
 * W cycle, l+1 not coarsest  spmv t_{l+1} = A_{l+1} x_{l+1}, residual tw_{l+1} = b_{l+1} − t_{l+1},
 *                            second visit of l+1 on (tw_{l+1}, yw_{l+1}),
 *                            correct x_{l+1} += yw_{l+1}
 * prolongate                 spmv t = P x_{l+1}, correct x += t
 * post-smooth                Chebyshev: spmv t = A x, cheb_first, then per step
 *                                         spmv t = A d, cheb_step
 *                            Jacobi:    spmv t = A x, jacobi
 * ```
 *
 * (In the transposed direction "pre" runs ν₂ sweeps and "post" ν₁.) A W
 * cycle visits level l ≥ 1 `2^(l−1)` times. Every dispatch skips itself when
 * word 0 of the control buffer is nonzero (a solver's done flag), like the
 * solvers' own kernels.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import { denseCoarseSolver } from "../linalg/amg/coarse_solve.ts";
import type { AmgLevel } from "../linalg/amg/hierarchy.ts";
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
   * Prepare the transposed cycle `z = M⁻ᵀ r` at creation instead of the
   * forward one (the other direction can be prepared later with
   * {@linkcode GpuAmgCycle.prepare}). @default {false}
   */
  transposed?: boolean;
  /**
   * The finest matrix of the prepared direction, already on the GPU (a
   * solver's own upload: A, or Aᵀ with `transposed`): level 0 uses it
   * instead of a second copy, and its values are the caller's to keep
   * current.
   */
  fine?: GpuMatrix;
  /** SpMV kernel of the level products. @default {"auto"} */
  spmv?: SpmvVariant;
}

/** A level matrix on the GPU; `owned` false for a caller's fine matrix. */
interface Uploaded {
  readonly gpu: GpuMatrix;
  readonly owned: boolean;
}

/** Buffers of one level that do not depend on the bound r and z. */
interface LevelData {
  readonly n: number;
  /** GPU copies of the level's A and (nonsymmetric level, transposed direction prepared) Aᵀ, keyed by the CPU matrix. */
  readonly mats: Map<CsrMatrix, Uploaded>;
  readonly P: GpuMatrix | undefined;
  readonly R: GpuMatrix | undefined;
  /** Right-hand side and solution (undefined on level 0: the caller's). */
  readonly b: GPUBuffer | undefined;
  readonly x: GPUBuffer | undefined;
  /** W cycle: right-hand side and solution of the second visit (levels ≥ 1 with a transfer). */
  readonly tw: GPUBuffer | undefined;
  readonly yw: GPUBuffer | undefined;
  readonly t: GPUBuffer;
  readonly r: GPUBuffer;
  readonly d: GPUBuffer;
  readonly w: GPUBuffer;
  /** Base parameters {n, 1/θ}, then one per Chebyshev step {n, c1, c2}. */
  readonly params: GPUBuffer[];
  /** Row-major float32 `A_c⁻¹` (forward) and `A_c⁻ᵀ` (transposed) of the coarsest matrix (dense coarse solve only). */
  inverse: GPUBuffer | undefined;
  inverseT: GPUBuffer | undefined;
  readonly groups: number;
}

/** Kernels of one visit of a level, bound to its b and x. */
interface VisitBound {
  readonly base: GPUBindGroup;
  readonly steps: GPUBindGroup[];
  readonly dense: GPUBindGroup | undefined;
  readonly ax: SpmvKernel;
  readonly ad: SpmvKernel;
  readonly restrict: SpmvKernel | undefined;
  readonly prolong: SpmvKernel | undefined;
}

/** Kernels of one level: the first visit, and the W cycle's second visit with its residual and correction. */
interface LevelBound {
  readonly main: VisitBound;
  readonly second: VisitBound | undefined;
  /** `tw = b − t` (t = A x from the first visit's product). */
  readonly wResidual: GPUBindGroup | undefined;
  /** `x += yw`. */
  readonly wCorrect: GPUBindGroup | undefined;
}

/** One bound cycle: its direction and its levels' kernels. */
interface Bound {
  readonly transposed: boolean;
  readonly levels: LevelBound[];
}

/** The cycle bound to one pair of buffers and one direction, by {@linkcode GpuAmgCycle.bind}. */
export interface GpuAmgApplication {
  /** Records the dispatches of `z = M⁻¹ r` (or `M⁻ᵀ r`) into `pass`, with no read-back. */
  record(pass: GPUComputePassEncoder): void;
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
 * The transpose of a row-major `n × n` matrix: `(A⁻¹)ᵀ = A⁻ᵀ` for the
 * transposed coarse solve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transposeDense } from "./amg.ts";
 * assert.deepEqual([...transposeDense(Float32Array.of(1, 2, 3, 4), 2)], [1, 3, 2, 4]);
 * ```
 */
export function transposeDense(a: Float32Array, n: number): Float32Array<ArrayBuffer> {
  const t = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  }
  return t;
}

/**
 * One AMG cycle `z = M⁻¹ r` (V or W), or its exact transpose `z = M⁻ᵀ r`,
 * on the GPU, uploaded once from a CPU {@linkcode AmgPreconditioner}:
 * {@linkcode GpuAmgCycle.prepare} uploads what a direction needs (Aᵀ of the
 * nonsymmetric levels, the transposed coarse inverse),
 * {@linkcode GpuAmgCycle.bind} prepares the kernels for a pair of r/z
 * buffers and a direction and returns the {@linkcode GpuAmgApplication}
 * whose `record` puts the cycle into a pass (no read-back),
 * {@linkcode GpuAmgCycle.update} rewrites the
 * level values after new matrix values (no new buffers). Supports the V and
 * W cycles with the Chebyshev, Jacobi and L1-Jacobi smoothers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, amgSetup, convectionDiffusion2d } from "@gradsolve/gradsolve";
 * import { GpuAmgCycle } from "./amg.ts";
 * import { createStorageBuffer, readBack } from "./buffers.ts";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   const A = convectionDiffusion2d(12, 12, { wind: [2, 1] }); // nonsymmetric
 *   const options = { coarseSize: 20, cycle: "W" as const };
 *   const amg = amgSetup(A, options);
 *   const r = new Float64Array(144).fill(1);
 *   using cycle = await GpuAmgCycle.create(ctx, amg, { transposed: true });
 *   const rb = createStorageBuffer(ctx, "r", 4 * 144, Float32Array.from(r));
 *   const zb = createStorageBuffer(ctx, "z", 4 * 144);
 *   const transposed = await cycle.bind(rb, zb, undefined, true);
 *   const enc = ctx.device.createCommandEncoder();
 *   const pass = enc.beginComputePass();
 *   transposed.record(pass); // z = M⁻ᵀ r
 *   pass.end();
 *   const [bytes] = await readBack(ctx, enc, [{ buffer: zb, offset: 0, size: 4 * 144 }]);
 *   const z = new Float32Array(bytes), zc = new Float64Array(144);
 *   amg.applyTranspose(r, zc);
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
  /** True when the cycle is its own transpose (symmetric A, equal sweeps): both directions record the same dispatches. */
  readonly symmetric: boolean;
  /** `"V"` or `"W"`. */
  readonly cycle: "V" | "W";
  readonly #ctx: GpuContext;
  readonly #amg: AmgPreconditioner;
  readonly #data: LevelData[];
  readonly #pre: number;
  readonly #post: number;
  readonly #coarseSweeps: number;
  readonly #dense: boolean;
  readonly #variant: SpmvVariant;
  readonly #ctrl: GPUBuffer;
  readonly #owned: GPUBuffer[] = [];
  readonly #prepared = new Set<boolean>();
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
    this.symmetric = amg.symmetric;
    // The sweeps and the cycle shape are those the hierarchy was built with.
    const opts = amg.options;
    this.cycle = opts.cycle;
    this.#pre = opts.preSweeps;
    this.#post = opts.postSweeps;
    this.#coarseSweeps = opts.coarseSweeps;
    this.#dense = amg.info.coarseSolver !== "smoother";
    this.#variant = options.spmv ?? "auto";
    this.#ctrl = this.#buffer("amg ctrl", 16);
    this.#data = [];
    try {
      levels.forEach((L, l) => this.#data.push(this.#uploadLevel(L, l)));
      this.prepare(options.transposed ?? false, options.fine);
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

  /** The level's buffers that serve both directions (the level matrices come with {@linkcode GpuAmgCycle.prepare}). */
  #uploadLevel(L: AmgLevel, l: number): LevelData {
    const ctx = this.#ctx, n = L.n;
    const vec = (name: string) => this.#buffer(`amg L${l} ${name}`, 4 * n);
    const second = l > 0 && L.transfer !== undefined && this.cycle === "W";
    const data: LevelData = {
      n,
      mats: new Map(),
      P: L.transfer ? GpuMatrix.upload(ctx, L.transfer.P) : undefined,
      R: L.transfer ? GpuMatrix.upload(ctx, L.transfer.R) : undefined,
      b: l === 0 ? undefined : vec("b"),
      x: l === 0 ? undefined : vec("x"),
      tw: second ? vec("W rhs") : undefined,
      yw: second ? vec("W solution") : undefined,
      t: vec("t"),
      r: vec("r"),
      d: vec("d"),
      w: this.#buffer(`amg L${l} weights`, 4 * n, Float32Array.from(L.smoother.weights)),
      params: [],
      inverse: undefined,
      inverseT: undefined,
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

  /** The CPU matrix of a level in a direction (`Aᵀ` is A itself on a symmetric hierarchy). */
  #levelMatrix(l: number, transposed: boolean): CsrMatrix {
    const L = this.#amg.levels[l];
    return transposed ? L.At : L.A;
  }

  /** `A_c⁻¹` of the coarsest level and, for a nonsymmetric one, `A_c⁻ᵀ` (else the same array). */
  #inverses(): { inverse: Float32Array<ArrayBuffer>; inverseT: Float32Array<ArrayBuffer> } {
    const L = this.#amg.levels[this.levels - 1];
    const symmetric = L.At === L.A;
    const inverse = denseInverseF32(L.A, symmetric);
    return { inverse, inverseT: symmetric ? inverse : transposeDense(inverse, L.n) };
  }

  /**
   * Uploads what the forward (`transposed` false) or transposed cycle needs
   * and does not have yet: every level's matrix of that direction (Aᵀ only
   * for a nonsymmetric level; a symmetric one reuses A) and the coarsest
   * inverse (`A_c⁻ᵀ` only when `A_c` is nonsymmetric). `fine`, when given,
   * is that direction's level-0 matrix on the GPU, used instead of an
   * upload (kept current by its owner). Idempotent; a symmetric cycle
   * prepares its forward direction for both.
   */
  prepare(transposed: boolean, fine?: GpuMatrix): void {
    this.#ctx.assertAlive("prepare AMG on the GPU");
    // The symmetric cycle is its own transpose: its forward data serve both directions.
    transposed &&= !this.symmetric;
    if (this.#prepared.has(transposed)) return;
    const levels = this.#amg.levels;
    if (fine && (fine.nRows !== levels[0].n || fine.nnz !== levels[0].A.nnz)) {
      throw new ShapeError(
        `Cannot run AMG on the GPU: the given fine matrix is ${fine.nRows} rows with ` +
          `${fine.nnz} entries but the hierarchy's is ${levels[0].n} with ${levels[0].A.nnz}`,
      );
    }
    for (let l = 0; l < this.levels; l++) {
      const C = this.#levelMatrix(l, transposed), D = this.#data[l];
      if (D.mats.has(C)) continue;
      D.mats.set(
        C,
        l === 0 && fine
          ? { gpu: fine, owned: false }
          : { gpu: GpuMatrix.upload(this.#ctx, C), owned: true },
      );
    }
    const last = this.#data[this.levels - 1];
    if (this.#dense) {
      const { inverse, inverseT } = this.#inverses();
      const bytes = 4 * last.n * last.n;
      if (!transposed && !last.inverse) {
        last.inverse = inverseT === inverse && last.inverseT
          ? last.inverseT
          : this.#buffer(`amg coarse inverse ${last.n}x${last.n}`, bytes, inverse);
      }
      if (transposed && !last.inverseT) {
        last.inverseT = inverseT === inverse && last.inverse
          ? last.inverse
          : this.#buffer(`amg coarse inverseᵀ ${last.n}x${last.n}`, bytes, inverseT);
      }
    }
    this.#prepared.add(transposed);
  }

  /**
   * Uploads the hierarchy of `amg` (built by `amgSetup(A, options.amg)`),
   * prepares the forward cycle (the transposed one with
   * `options.transposed`) and compiles the cycle's kernels.
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
   * n float32 entries; r is only read), forward or `transposed` (that
   * direction prepared first, see {@linkcode GpuAmgCycle.prepare}; a
   * symmetric cycle binds the forward kernels for both). `ctrl`, when given,
   * is a buffer window whose first u32 makes every dispatch skip itself
   * when nonzero. Returns the application to record, once per pass.
   */
  async bind(
    r: GPUBuffer,
    z: GPUBuffer,
    ctrl?: BindingResource,
    transposed = false,
  ): Promise<GpuAmgApplication> {
    if (r === z) {
      throw new ShapeError("Cannot bind the GPU AMG cycle: r and z must be different buffers");
    }
    // The symmetric cycle is its own transpose: the forward kernels serve both directions.
    const dir = transposed && !this.symmetric;
    if (!this.#prepared.has(dir)) {
      throw new RangeError(
        `Cannot bind the GPU AMG cycle: the ${dir ? "transposed" : "forward"} direction ` +
          "is not prepared; call prepare() first",
      );
    }
    const c = ctrl ?? this.#ctrl;
    const levels: LevelBound[] = [];
    for (let l = 0; l < this.#data.length; l++) {
      const D = this.#data[l];
      const main = await this.#visit(l, D.b ?? r, D.x ?? z, c, dir);
      if (D.tw && D.yw) {
        const group = (t: GPUBuffer, rr: GPUBuffer) =>
          this.#ctx.pipelines.bindGroup(AMG_MODULE, [D.b!, t, D.w, D.x!, rr, D.d, c, D.params[0]]);
        levels.push({
          main,
          second: await this.#visit(l, D.tw, D.yw, c, dir, main),
          // amg_residual with r := tw; amg_correct with t := yw.
          wResidual: await group(D.t, D.tw),
          wCorrect: await group(D.yw, D.r),
        });
      } else {
        levels.push({ main, second: undefined, wResidual: undefined, wCorrect: undefined });
      }
    }
    const bound: Bound = { transposed: dir, levels };
    return {
      record: (pass) => {
        if (this.#data.length === 0) {
          throw new RangeError("Cannot record the GPU AMG cycle: it was disposed");
        }
        this.#level(pass, bound, 0, false);
      },
    };
  }

  /** The kernels of one visit of level l on (b, x); a second visit shares the products that do not involve x. */
  async #visit(
    l: number,
    b: GPUBuffer,
    x: GPUBuffer,
    c: BindingResource,
    transposed: boolean,
    first?: VisitBound,
  ): Promise<VisitBound> {
    const ctx = this.#ctx, D = this.#data[l], next = this.#data[l + 1];
    const A = D.mats.get(this.#levelMatrix(l, transposed))!.gpu;
    const spmv = async (M: GpuMatrix, u: GPUBuffer, y: GPUBuffer) => {
      const k = await SpmvKernel.create(ctx, M, u, y, c, this.#variant);
      this.#kernels.push(k);
      return k;
    };
    const group = (w: GPUBuffer, params: GPUBuffer) =>
      ctx.pipelines.bindGroup(AMG_MODULE, [b, D.t, w, x, D.r, D.d, c, params]);
    const inverse = transposed ? D.inverseT : D.inverse;
    return {
      base: await group(D.w, D.params[0]),
      steps: await Promise.all(D.params.slice(1).map((p) => group(D.w, p))),
      dense: inverse ? await group(inverse, D.params[0]) : undefined,
      ax: await spmv(A, x, D.t),
      ad: first?.ad ?? await spmv(A, D.d, D.t),
      restrict: first?.restrict ?? (D.R && next ? await spmv(D.R, D.r, next.b!) : undefined),
      prolong: first?.prolong ?? (D.P && next ? await spmv(D.P, next.x!, D.t) : undefined),
    };
  }

  /**
   * One visit of level l (`second`: the W cycle's second visit), as
   * `runCycle`: pre-smooth, residual, restrict, coarse visit(s), prolongate,
   * post-smooth; the transposed direction swaps the sweep counts.
   */
  #level(pass: GPUComputePassEncoder, bound: Bound, l: number, second: boolean): void {
    const D = this.#data[l], B = bound.levels[l], p = this.#pipes;
    const K = second ? B.second! : B.main;
    const last = l === this.#data.length - 1;
    if (last) {
      if (K.dense) dispatch(pass, p.amg_dense, K.dense, D.groups);
      else this.#smooth(pass, l, K, true, this.#coarseSweeps);
      return;
    }
    const pre = bound.transposed ? this.#post : this.#pre;
    const post = bound.transposed ? this.#pre : this.#post;
    this.#smooth(pass, l, K, true, pre);
    if (pre > 0) {
      K.ax.record(pass);
      dispatch(pass, p.amg_residual, K.base, D.groups);
    } else {
      dispatch(pass, p.amg_copy, K.base, D.groups);
    }
    K.restrict!.record(pass);
    this.#level(pass, bound, l + 1, false);
    const C = bound.levels[l + 1];
    if (C.second) {
      // W: tw_c = b_c − A_c x_c, y_c = cycle(tw_c), x_c += y_c.
      const Dc = this.#data[l + 1];
      C.main.ax.record(pass);
      dispatch(pass, p.amg_residual, C.wResidual!, Dc.groups);
      this.#level(pass, bound, l + 1, true);
      dispatch(pass, p.amg_correct, C.wCorrect!, Dc.groups);
    }
    K.prolong!.record(pass);
    dispatch(pass, p.amg_correct, K.base, D.groups);
    this.#smooth(pass, l, K, false, post);
  }

  #smooth(
    pass: GPUComputePassEncoder,
    l: number,
    K: VisitBound,
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
   * Rewrites every level's values (matrices and their uploaded transposes,
   * P, R, smoother weights and coefficients, the coarse inverse and its
   * transpose) from the AMG state, after `values` (when given) were passed
   * to its `update`. No new buffers: bound kernels see the new values. A
   * given `fine` matrix is the caller's to rewrite.
   */
  update(values?: Float64Array): void {
    this.#ctx.assertAlive("update AMG on the GPU");
    if (values) this.#amg.update(values);
    const q = this.#ctx.device.queue;
    this.#amg.levels.forEach((L, l) => {
      const D = this.#data[l];
      for (const [C, m] of D.mats) if (m.owned) m.gpu.writeValues(C);
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
    });
    const last = this.#data[this.levels - 1];
    if (last.inverse || last.inverseT) {
      const { inverse, inverseT } = this.#inverses();
      if (last.inverse) q.writeBuffer(last.inverse, 0, inverse);
      if (last.inverseT && last.inverseT !== last.inverse) {
        q.writeBuffer(last.inverseT, 0, inverseT);
      }
    }
  }

  /** Releases every buffer the cycle allocated (not a given fine matrix). */
  dispose(): void {
    for (const k of this.#kernels) k.dispose();
    this.#kernels.length = 0;
    for (const D of this.#data ?? []) {
      for (const m of D.mats.values()) if (m.owned) m.gpu.dispose();
      D.mats.clear();
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
