/**
 * Right-Jacobi-preconditioned GMRES(m) on the GPU in float32. The Arnoldi
 * process uses classical Gram–Schmidt applied twice, with all dots of one
 * pass in a single dispatch; the Hessenberg matrix, the Givens rotations and
 * the small triangular solve stay on the GPU (single-workgroup kernels), so
 * a restart cycle costs no read-back. Iterations are Arnoldi steps.
 *
 * With an AMG cycle ({@linkcode GpuAmgCycle}) as right preconditioner
 * (`A M⁻¹ y = r`, `x = x₀ + M⁻¹ V y`), as on the CPU:
 *
 * ```
 * Arnoldi step j:  u = V[j];  z = M⁻¹ u (the cycle);  w = A z;  CGS2 …
 * cycle end:       solve H y = g;  w = Σ y_i V[i];  z = M⁻¹ w (the cycle);  x += z
 * ```
 *
 * (`gm_vj`, cycle, SpMV, …; `gm_solve`, `gm_xsum`, cycle, `gm_xadd`). The
 * step's cycle skips on the stop word like the step's SpMV (`gm_vj` raises
 * stop once done is set), the cycle end's on done. The state of `Aᵀ`
 * records the transposed cycle `M⁻ᵀ`. No read-back is added.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { GpuAmgApplication, GpuAmgCycle } from "./amg.ts";
import type { GpuMatrix } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { BatchedKrylov } from "./inner_solver.ts";
import {
  dispatch,
  elementwiseGroups,
  GMRES_MODULE,
  pipelinesOf,
  reductionGroups,
  uniformBuffer,
  WORKGROUP_SIZE,
} from "./kernels.ts";
import { SpmvKernel, type SpmvVariant } from "./spmv.ts";
import { type DecodedState, STOP_WORD_OFFSET } from "./state.ts";

const ENTRIES = [
  "gm_resid",
  "gm_beta",
  "gm_v0",
  "gm_z",
  "gm_dots",
  "gm_h1",
  "gm_h2",
  "gm_orth",
  "gm_givens",
  "gm_vnext",
  "gm_solve",
  "gm_xupd",
  "gm_vj",
  "gm_xsum",
  "gm_xadd",
] as const;

type Pipes = Record<(typeof ENTRIES)[number], GPUComputePipeline>;

/**
 * Workgroups per dot in the batched Gram–Schmidt dots: one on software
 * adapters (barrier-heavy workgroups are what costs there, WEBGPU.md G12),
 * a sixteenth of the reduction width on GPUs, and never so few that an
 * invocation loops more than 16384 times (G9).
 */
function batchedDotGroups(ctx: GpuContext, n: number): number {
  const byWork = Math.ceil(n / WORKGROUP_SIZE);
  const byLoopCap = Math.ceil(n / (WORKGROUP_SIZE * 16384));
  return Math.max(1, byLoopCap, Math.min(Math.ceil(ctx.reductionWorkgroups / 16), byWork));
}

/** Largest restart length (one workgroup gathers a Hessenberg column). */
export const MAX_GPU_RESTART = 255;

/**
 * The GPU GMRES(m) solver for one matrix; reusable across right-hand sides.
 *
 * @example
 * ```ts
 * import { GpuGmres } from "./gmres.ts";
 * import type { GpuContext } from "@gradsolve/gradsolve";
 * import type { GpuMatrix } from "./buffers.ts";
 * export function example(ctx: GpuContext, M: GpuMatrix) {
 * // using solver = await GpuGmres.create(ctx, M, new Float32Array(M.nRows).fill(1), 25, 30);
 * }
 * ```
 */
export class GpuGmres extends BatchedKrylov {
  /** Restart length m. */
  readonly restart: number;
  #b!: GPUBuffer;
  #bind!: GPUBindGroup;
  #bindDots!: GPUBindGroup;
  #spmvX!: SpmvKernel;
  #spmvZ!: SpmvKernel;
  #pipes!: Pipes;
  #rg = 1;
  #eg = 1;
  #hostJ = 0;
  #indirect!: GPUBuffer;
  /**
   * With the AMG cycle: gm_vj's bind group (u = V[j]), and z = M⁻¹u (inside
   * an Arnoldi step) and z = M⁻¹w (the correction at a cycle's end).
   */
  #pc:
    | { bindU: GPUBindGroup; u: GpuAmgApplication; w: GpuAmgApplication }
    | undefined;

  private constructor(ctx: GpuContext, n: number, checkEvery: number, restart: number) {
    super(ctx, n, checkEvery, "gmres");
    this.restart = restart;
  }

  /**
   * Allocates the basis and vectors and compiles the kernels; `dinv` is the
   * inverse diagonal. With `cycle`, `M⁻¹` is that AMG cycle instead (`M⁻ᵀ`
   * with `transposed`; `dinv` is then unused; the caller owns and disposes
   * the cycle).
   */
  static async create(
    ctx: GpuContext,
    M: GpuMatrix,
    dinv: Float32Array<ArrayBuffer>,
    checkEvery: number,
    restart: number,
    variant: SpmvVariant = "auto",
    cycle?: GpuAmgCycle,
    transposed = false,
  ): Promise<GpuGmres> {
    if (!Number.isInteger(restart) || restart < 1 || restart > MAX_GPU_RESTART) {
      throw new ShapeError(
        `Cannot run GMRES on the GPU: restart must be an integer in 1..${MAX_GPU_RESTART}, got ${restart}`,
      );
    }
    const n = M.nRows, m = restart;
    const s = new GpuGmres(ctx, n, checkEvery, m);
    try {
      const buf = (name: string, bytes: number, data?: Float32Array<ArrayBuffer>) =>
        s.buffer(name, bytes, data);
      s.#b = buf("b", 4 * n);
      const w = buf("w", 4 * n), z = buf("z", 4 * n);
      const V = buf(`basis V (${m + 1} vectors)`, 4 * (m + 1) * n);
      const d = buf("dinv", 4 * n, dinv);
      s.#rg = reductionGroups(ctx, n, m + 1);
      s.#eg = elementwiseGroups(ctx, n);
      const partials = buf("partials", 16 * s.#rg);
      const dotGroups = batchedDotGroups(ctx, n);
      const hp = buf("dot partials", 4 * (m + 1) * dotGroups);
      const hs = buf("hessenberg", 4 * ((m + 6) * m + 2));
      const params = uniformBuffer(ctx, "gmres params", [n, s.#rg, m, dotGroups]);
      s.#indirect = ctx.device.createBuffer({
        label: "gmres dots size",
        size: 16,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT,
      });
      s.owned.push(params, s.#indirect);
      const resources = [s.#b, s.x, w, z, V, d, partials, hp, hs, s.state, params];
      s.#bind = await ctx.pipelines.bindGroup(GMRES_MODULE, [...resources, s.#indirect]);
      // gm_dots reads its size from the indirect buffer, which must then not
      // also be bound for writing: its bind group has a placeholder there.
      const placeholder = buf("indirect placeholder", 16);
      s.#bindDots = await ctx.pipelines.bindGroup(GMRES_MODULE, [...resources, placeholder]);
      s.#spmvX = await SpmvKernel.create(ctx, M, s.x, w, {
        buffer: s.state,
        offset: 0,
        size: 16,
      }, variant);
      s.#spmvZ = await SpmvKernel.create(ctx, M, z, w, {
        buffer: s.state,
        offset: STOP_WORD_OFFSET,
        size: 16,
      }, variant);
      s.#pipes = await pipelinesOf(ctx, GMRES_MODULE, ENTRIES);
      if (cycle) {
        // u = V[j] is written by gm_vj through binding 3 of its own bind group.
        const u = buf("u", 4 * n);
        const bindU = await ctx.pipelines.bindGroup(GMRES_MODULE, [
          s.#b,
          s.x,
          w,
          u,
          ...resources.slice(4),
          s.#indirect,
        ]);
        const stop = { buffer: s.state, offset: STOP_WORD_OFFSET, size: 16 };
        s.#pc = {
          bindU,
          u: await cycle.bind(u, z, stop, transposed),
          w: await cycle.bind(w, z, { buffer: s.state, offset: 0, size: 16 }, transposed),
        };
      }
      return s;
    } catch (e) {
      s.dispose();
      throw e;
    }
  }

  protected load(rhs: Float32Array<ArrayBuffer>): void {
    this.loadRhs(this.#b, rhs);
  }

  protected override reset(): void {
    this.#hostJ = 0;
  }

  #recordCycleStart(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind;
    this.#spmvX.record(pass);
    dispatch(pass, p.gm_resid, b, this.#rg);
    dispatch(pass, p.gm_beta, b, 1);
    dispatch(pass, p.gm_v0, b, this.#eg);
    this.#hostJ = 0;
  }

  #recordCycleEnd(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind, pc = this.#pc;
    dispatch(pass, p.gm_solve, b, 1);
    if (pc) {
      dispatch(pass, p.gm_xsum, b, this.#eg);
      pc.w.record(pass);
      dispatch(pass, p.gm_xadd, b, this.#eg);
    } else {
      dispatch(pass, p.gm_xupd, b, this.#eg);
    }
    this.#recordCycleStart(pass);
  }

  protected recordStart(pass: GPUComputePassEncoder): void {
    this.#recordCycleStart(pass);
  }

  protected recordStep(pass: GPUComputePassEncoder): void {
    if (this.#hostJ >= this.restart) this.#recordCycleEnd(pass);
    const p = this.#pipes, b = this.#bind, pc = this.#pc;
    if (pc) {
      dispatch(pass, p.gm_vj, pc.bindU, this.#eg);
      pc.u.record(pass);
    } else {
      dispatch(pass, p.gm_z, b, this.#eg);
    }
    this.#spmvZ.record(pass);
    for (const h of [p.gm_h1, p.gm_h2]) {
      pass.setPipeline(p.gm_dots);
      pass.setBindGroup(0, this.#bindDots);
      pass.dispatchWorkgroupsIndirect(this.#indirect, 0);
      dispatch(pass, h, b, 1);
      dispatch(pass, p.gm_orth, b, this.#rg);
    }
    dispatch(pass, p.gm_givens, b, 1);
    dispatch(pass, p.gm_vnext, b, this.#eg);
    this.#hostJ++;
  }

  protected override recordBatchEnd(pass: GPUComputePassEncoder): void {
    if (this.#hostJ >= this.restart) this.#recordCycleEnd(pass);
  }

  protected override sync(state: DecodedState): void {
    // The GPU ended this cycle early (estimate converged or iteration cap):
    // record its cycle end next instead of no-op Arnoldi steps.
    if (state.stop) this.#hostJ = this.restart;
  }

  override dispose(): void {
    this.#spmvX?.dispose();
    this.#spmvZ?.dispose();
    super.dispose();
  }
}
