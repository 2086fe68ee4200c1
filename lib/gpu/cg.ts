/**
 * Jacobi-preconditioned conjugate gradients on the GPU in float32: six
 * dispatches per iteration (SpMV, pᵀAp partials, α, fused x/r/z update with
 * the next dot partials, β with the convergence test, p update), all scalars
 * kept on the GPU.
 *
 * With an AMG cycle ({@linkcode GpuAmgCycle}) as preconditioner the update
 * is split instead: x/r update, the cycle's dispatches writing `z = M⁻¹ r`,
 * then the (r·z, r·r) partials and β as before; the scalars stay on the GPU
 * and the read-back schedule is the same. The Jacobi path is unchanged.
 *
 * @module
 */

import type { GpuAmgApplication, GpuAmgCycle } from "./amg.ts";
import type { GpuMatrix } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { BatchedKrylov } from "./inner_solver.ts";
import {
  CG_MODULE,
  dispatch,
  elementwiseGroups,
  pipelinesOf,
  reductionGroups,
  uniformBuffer,
} from "./kernels.ts";
import { SpmvKernel, type SpmvVariant } from "./spmv.ts";

/**
 * The GPU CG solver for one matrix; reusable across right-hand sides
 * (iterative refinement calls it once per correction).
 *
 * @example
 * ```ts
 * import { GpuCg } from "./cg.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * import type { GpuMatrix } from "./buffers.ts";
 * export function example(ctx: GpuContext, M: GpuMatrix) {
 * // using cg = await GpuCg.create(ctx, M, new Float32Array(M.nRows).fill(1), 25);
 * }
 * ```
 */
export class GpuCg extends BatchedKrylov {
  #r!: GPUBuffer;
  #bind!: GPUBindGroup;
  #spmv!: SpmvKernel;
  #pipes!: Record<string, GPUComputePipeline>;
  #rg = 1;
  #eg = 1;
  /** z = M⁻¹ r by the AMG cycle, when there is one. */
  #precondition: GpuAmgApplication | undefined;

  private constructor(ctx: GpuContext, n: number, checkEvery: number) {
    super(ctx, n, checkEvery, "cg");
  }

  /**
   * Allocates the vectors and compiles the kernels; `dinv` is the inverse
   * diagonal (ones: no preconditioner). With `cycle`, z = M⁻¹ r comes from
   * that AMG cycle instead (`M⁻ᵀ` with `transposed`, for the state of Aᵀ;
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
  ): Promise<GpuCg> {
    const n = M.nRows;
    const s = new GpuCg(ctx, n, checkEvery);
    try {
      const vec = (name: string, data?: Float32Array<ArrayBuffer>) => s.buffer(name, 4 * n, data);
      s.#r = vec("r");
      const z = vec("z"), p = vec("p"), q = vec("q"), d = vec("dinv", dinv);
      s.#rg = reductionGroups(ctx, n);
      s.#eg = elementwiseGroups(ctx, n);
      const partials = s.buffer("partials", 16 * s.#rg);
      const params = uniformBuffer(ctx, "cg params", [n, s.#rg, 0, 0]);
      s.owned.push(params);
      s.#bind = await ctx.pipelines.bindGroup(CG_MODULE, [
        s.x,
        s.#r,
        z,
        p,
        q,
        d,
        partials,
        s.state,
        params,
      ]);
      s.#spmv = await SpmvKernel.create(
        ctx,
        M,
        p,
        q,
        { buffer: s.state, offset: 0, size: 16 },
        variant,
      );
      s.#pipes = await pipelinesOf(ctx, CG_MODULE, [
        "cg_init",
        "cg_start",
        "cg_pap",
        "cg_alpha",
        "cg_update",
        "cg_beta",
        "cg_p",
      ]);
      if (cycle) {
        s.#precondition = await cycle.bind(
          s.#r,
          z,
          { buffer: s.state, offset: 0, size: 16 },
          transposed,
        );
        Object.assign(
          s.#pipes,
          await pipelinesOf(ctx, CG_MODULE, ["cg_init_pc", "cg_xr", "cg_rz"]),
        );
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
    if (this.#precondition) {
      this.#precondition.record(pass);
      dispatch(pass, p.cg_init_pc, b, this.#rg);
      dispatch(pass, p.cg_start, b, 1);
      return;
    }
    dispatch(pass, p.cg_init, b, this.#rg);
    dispatch(pass, p.cg_start, b, 1);
  }

  protected recordStep(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind;
    this.#spmv.record(pass);
    if (this.#precondition) {
      dispatch(pass, p.cg_pap, b, this.#rg);
      dispatch(pass, p.cg_alpha, b, 1);
      dispatch(pass, p.cg_xr, b, this.#eg);
      this.#precondition.record(pass);
      dispatch(pass, p.cg_rz, b, this.#rg);
      dispatch(pass, p.cg_beta, b, 1);
      dispatch(pass, p.cg_p, b, this.#eg);
      return;
    }
    dispatch(pass, p.cg_pap, b, this.#rg);
    dispatch(pass, p.cg_alpha, b, 1);
    dispatch(pass, p.cg_update, b, this.#rg);
    dispatch(pass, p.cg_beta, b, 1);
    dispatch(pass, p.cg_p, b, this.#eg);
  }

  override dispose(): void {
    this.#spmv?.dispose();
    super.dispose();
  }
}
