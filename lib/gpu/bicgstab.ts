/**
 * Right-Jacobi-preconditioned BiCGSTAB on the GPU in float32: ten dispatches
 * per iteration (two SpMVs, three reductions, α/ω/β computed on the GPU),
 * each half-step counted as an iteration like the CPU solver.
 *
 * With an AMG cycle ({@linkcode GpuAmgCycle}) as right preconditioner, the
 * two direction updates are split from the preconditioner, as on the CPU:
 *
 * ```
 * p = r + β (p − ω v);  p̂ = M⁻¹ p (the cycle);  v = A p̂;  α = ρ / r̂·v
 * s = r − α v;          ŝ = M⁻¹ s (the cycle);  t = A ŝ;  ω = t·s / t·t
 * x += α p̂ + ω ŝ;  r = s − ω t;  β = (ρ_new/ρ)(α/ω)
 * ```
 *
 * (`bi_p_pc`, cycle, SpMV, …, `bi_s_pc`, cycle, SpMV, …). The state of `Aᵀ`
 * records the transposed cycle `M⁻ᵀ`. Scalars stay on the GPU and the
 * read-back schedule is the same.
 *
 * @module
 */

import type { GpuAmgApplication, GpuAmgCycle } from "./amg.ts";
import type { GpuMatrix } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { BatchedKrylov } from "./inner_solver.ts";
import {
  BICGSTAB_MODULE,
  dispatch,
  elementwiseGroups,
  pipelinesOf,
  reductionGroups,
  uniformBuffer,
} from "./kernels.ts";
import { SpmvKernel, type SpmvVariant } from "./spmv.ts";

const ENTRIES = [
  "bi_init",
  "bi_first",
  "bi_p",
  "bi_rv",
  "bi_alpha",
  "bi_s",
  "bi_ts",
  "bi_omega",
  "bi_update",
  "bi_rho",
  "bi_p_pc",
  "bi_s_pc",
] as const;

type Pipes = Record<(typeof ENTRIES)[number], GPUComputePipeline>;

/**
 * The GPU BiCGSTAB solver for one matrix; reusable across right-hand sides.
 *
 * @example
 * ```ts
 * import { GpuBicgstab } from "./bicgstab.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * import type { GpuMatrix } from "./buffers.ts";
 * export function example(ctx: GpuContext, M: GpuMatrix) {
 * // using solver = await GpuBicgstab.create(ctx, M, new Float32Array(M.nRows).fill(1), 25);
 * }
 * ```
 */
export class GpuBicgstab extends BatchedKrylov {
  #r!: GPUBuffer;
  #bind!: GPUBindGroup;
  #spmvV!: SpmvKernel;
  #spmvT!: SpmvKernel;
  #pipes!: Pipes;
  #rg = 1;
  #eg = 1;
  /** p̂ = M⁻¹ p and ŝ = M⁻¹ s by the AMG cycle, when there is one. */
  #pc: { p: GpuAmgApplication; s: GpuAmgApplication } | undefined;

  private constructor(ctx: GpuContext, n: number, checkEvery: number) {
    // Two history entries per step: one per half-step.
    super(ctx, n, checkEvery, "bicgstab", 2);
  }

  /**
   * Allocates the vectors and compiles the kernels; `dinv` is the inverse
   * diagonal (ones: no preconditioner). With `cycle`, p̂ = M⁻¹ p and
   * ŝ = M⁻¹ s come from that AMG cycle instead (`M⁻ᵀ` with `transposed`;
   * `dinv` is then unused; the caller owns and disposes the cycle).
   */
  static async create(
    ctx: GpuContext,
    M: GpuMatrix,
    dinv: Float32Array<ArrayBuffer>,
    checkEvery: number,
    variant: SpmvVariant = "auto",
    cycle?: GpuAmgCycle,
    transposed = false,
  ): Promise<GpuBicgstab> {
    const n = M.nRows;
    const s = new GpuBicgstab(ctx, n, checkEvery);
    try {
      const vec = (name: string, data?: Float32Array<ArrayBuffer>) => s.buffer(name, 4 * n, data);
      s.#r = vec("r");
      const [rh, p, ph, v, sv, sh, t] = ["rh", "p", "ph", "v", "s", "sh", "t"].map((k) => vec(k));
      const d = vec("dinv", dinv);
      s.#rg = reductionGroups(ctx, n);
      s.#eg = elementwiseGroups(ctx, n);
      const partials = s.buffer("partials", 16 * s.#rg);
      const params = uniformBuffer(ctx, "bicgstab params", [n, s.#rg, 0, 0]);
      s.owned.push(params);
      s.#bind = await ctx.pipelines.bindGroup(BICGSTAB_MODULE, [
        s.x,
        s.#r,
        rh,
        p,
        ph,
        v,
        sv,
        sh,
        t,
        d,
        partials,
        s.state,
        params,
      ]);
      const ctrl = { buffer: s.state, offset: 0, size: 16 };
      s.#spmvV = await SpmvKernel.create(ctx, M, ph, v, ctrl, variant);
      s.#spmvT = await SpmvKernel.create(ctx, M, sh, t, ctrl, variant);
      s.#pipes = await pipelinesOf(ctx, BICGSTAB_MODULE, ENTRIES);
      if (cycle) {
        s.#pc = {
          p: await cycle.bind(p, ph, ctrl, transposed),
          s: await cycle.bind(sv, sh, ctrl, transposed),
        };
      }
      return s;
    } catch (e) {
      s.dispose();
      throw e;
    }
  }

  protected load(rhs: Float32Array<ArrayBuffer>): void {
    this.loadRhs(this.#r, rhs);
  }

  protected recordStart(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind;
    dispatch(pass, p.bi_init, b, this.#rg);
    dispatch(pass, p.bi_first, b, 1);
  }

  protected recordStep(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind, pc = this.#pc;
    if (pc) {
      dispatch(pass, p.bi_p_pc, b, this.#eg);
      pc.p.record(pass);
    } else {
      dispatch(pass, p.bi_p, b, this.#eg);
    }
    this.#spmvV.record(pass);
    dispatch(pass, p.bi_rv, b, this.#rg);
    dispatch(pass, p.bi_alpha, b, 1);
    if (pc) {
      dispatch(pass, p.bi_s_pc, b, this.#eg);
      pc.s.record(pass);
    } else {
      dispatch(pass, p.bi_s, b, this.#eg);
    }
    this.#spmvT.record(pass);
    dispatch(pass, p.bi_ts, b, this.#rg);
    dispatch(pass, p.bi_omega, b, 1);
    dispatch(pass, p.bi_update, b, this.#rg);
    dispatch(pass, p.bi_rho, b, 1);
  }

  override dispose(): void {
    this.#spmvV?.dispose();
    this.#spmvT?.dispose();
    super.dispose();
  }
}
