/**
 * MINRES (Paige & Saunders) on the GPU in float32, for symmetric, possibly
 * indefinite systems: the recurrences and the stopping rule of the CPU
 * solver (`lib/linalg/minres.ts`), with every scalar kept on the GPU. Six
 * dispatches per iteration: SpMV `q = A v`; `y = q − (β/β_old) r₁` with the
 * `vᵀy` partials; α; `y −= (α/β) r₂`, `r₁ ← r₂`, `r₂ ← y`, `z = M⁻¹r₂` with
 * the `r₂ᵀz` partials; β, both Givens rotations, φ, φ̄, history and the
 * stopping test (one workgroup); the `w` and `x` updates with the next
 * `v = z/β`. The Jacobi preconditioner must be positive definite: a
 * negative diagonal entry is refused up front, and so is a nonsymmetric A.
 *
 * With an AMG cycle ({@linkcode GpuAmgCycle}) as preconditioner, `z = M⁻¹r₂`
 * is split from the Lanczos update (`mr_lanczos_pc`, the cycle, the `r₂ᵀz`
 * partials in `mr_rz`; at the start the cycle, then `mr_init_pc`). As on
 * the CPU, nothing is refused up front: the cycle is symmetric positive
 * definite for a symmetric A with equal pre- and post-sweeps (the default),
 * and a cycle that is not positive definite on the Krylov vectors stops the
 * solve with `indefinite` (`r₀ᵀM⁻¹r₀ ≤ 0` in `mr_start`, `β² < 0` in
 * `mr_rotate`). The state of `Aᵀ` (= A) records the transposed cycle,
 * `M⁻ᵀ`, which is M itself for the symmetric cycle.
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { GpuAmgApplication, GpuAmgCycle } from "./amg.ts";
import type { GpuMatrix } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { BatchedKrylov } from "./inner_solver.ts";
import {
  dispatch,
  elementwiseGroups,
  MINRES_MODULE,
  pipelinesOf,
  reductionGroups,
  uniformBuffer,
} from "./kernels.ts";
import { SpmvKernel, type SpmvVariant } from "./spmv.ts";

const ENTRIES = [
  "mr_init",
  "mr_start",
  "mr_av",
  "mr_alpha",
  "mr_lanczos",
  "mr_rotate",
  "mr_update",
  "mr_init_pc",
  "mr_lanczos_pc",
  "mr_rz",
] as const;

type Pipes = Record<(typeof ENTRIES)[number], GPUComputePipeline>;

/** Bytes of the MINRES scalar block (`struct Minres` in `shaders/minres.wgsl`: 16 words). */
const SCALAR_BYTES = 4 * 16;

/**
 * Checks what GPU MINRES needs of a system before anything is uploaded:
 * throws {@linkcode ShapeError} unless `A` is exactly symmetric (MINRES needs
 * `A = Aᵀ`; the message names one entry that differs from its mirror), and,
 * with `jacobi`, {@linkcode FactorizationError} (naming the row) unless every
 * diagonal entry is positive (MINRES needs an SPD preconditioner, and
 * `M = diag(A)` with a negative entry is not one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, FactorizationError } from "@gradsolve/gradsolve";
 * import { assertMinresSystem } from "./minres.ts";
 * const indefinite = CsrMatrix.fromDense([[2, 1], [1, -3]]);
 * assertMinresSystem(indefinite, false); // symmetric indefinite: fine without Jacobi
 * assert.throws(() => assertMinresSystem(indefinite, true), FactorizationError);
 * assert.throws(
 *   () => assertMinresSystem(CsrMatrix.fromDense([[2, 1], [0, 3]]), false),
 *   /A\[0\]\[1\] = 1 but A\[1\]\[0\] = 0/,
 * );
 * ```
 */
export function assertMinresSystem(A: CsrMatrix, jacobi: boolean): void {
  if (!A.symmetric) assertMirrored(A);
  if (!jacobi) return;
  const d = A.diagonal();
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] > 0)) throw notSpd(i, d[i]);
  }
}

/** Throws naming an entry that differs from its mirror (an unsymmetric pattern of explicit zeros passes). */
function assertMirrored(A: CsrMatrix): void {
  const { rowPtr, colIdx, nRows } = A.pattern;
  const { pattern: t, perm } = A.pattern.transpose();
  const v = A.values;
  const row = new Map<number, number>(), mirror = new Map<number, number>();
  for (let i = 0; i < nRows; i++) {
    row.clear();
    mirror.clear();
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      row.set(colIdx[k], (row.get(colIdx[k]) ?? 0) + v[k]);
    }
    for (let k = t.rowPtr[i]; k < t.rowPtr[i + 1]; k++) {
      mirror.set(t.colIdx[k], (mirror.get(t.colIdx[k]) ?? 0) + v[perm[k]]);
    }
    for (const j of new Set([...row.keys(), ...mirror.keys()])) {
      const a = row.get(j) ?? 0, b = mirror.get(j) ?? 0;
      if (a !== b) {
        throw new ShapeError(
          `Cannot run MINRES on the GPU: A is not symmetric (A[${i}][${j}] = ${a} but ` +
            `A[${j}][${i}] = ${b}); MINRES needs A = Aᵀ: use bicgstab or gmres`,
        );
      }
    }
  }
}

function notSpd(row: number, d: number): FactorizationError {
  return new FactorizationError(
    `Cannot run MINRES with the Jacobi preconditioner: diagonal entry of row ${row} is ${d}, ` +
      `so M = diag(A) is not positive definite; MINRES needs an SPD preconditioner: ` +
      `use preconditioner "none"`,
    row,
  );
}

/**
 * Throws {@linkcode FactorizationError} (naming the row) unless every entry
 * of the inverse diagonal `dinv` is positive: MINRES needs a symmetric
 * positive definite preconditioner, and Jacobi `M = diag(A)` with a negative
 * diagonal entry is not one (use `preconditioner: "none"` there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FactorizationError } from "@gradsolve/gradsolve";
 * import { assertMinresPreconditioner } from "./minres.ts";
 * assertMinresPreconditioner(Float32Array.of(0.5, 0.25));
 * assert.throws(() => assertMinresPreconditioner(Float32Array.of(0.5, -0.25)), FactorizationError);
 * ```
 */
export function assertMinresPreconditioner(dinv: Float32Array): void {
  for (let i = 0; i < dinv.length; i++) {
    if (!(dinv[i] > 0)) throw notSpd(i, 1 / dinv[i]);
  }
}

/**
 * The GPU MINRES solver for one symmetric matrix; reusable across
 * right-hand sides (iterative refinement calls it once per correction).
 * `dinv` (the Jacobi inverse diagonal, ones for none) must be positive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu, CsrMatrix } from "@gradsolve/gradsolve";
 * import { GpuMatrix } from "./buffers.ts";
 * import { GpuMinres } from "./minres.ts";
 * using ctx = await acquireGpu().catch(() => undefined);
 * if (ctx) {
 *   // Symmetric indefinite: eigenvalues 3 and -1.
 *   using M = GpuMatrix.upload(ctx, CsrMatrix.fromDense([[1, 2], [2, 1]]));
 *   using solver = await GpuMinres.create(ctx, M, new Float32Array(2).fill(1), 25);
 *   const r = await solver.run(Float64Array.of(0.6, 0.8), 1e-5, 10, { record: 0, submit: 0, wait: 0 });
 *   assert.equal(r.code, "converged");
 *   assert.ok(Math.abs(r.x[0] - (2 * 0.8 - 0.6) / 3) < 1e-5);
 *   assert.equal(r.readbacks, 1);
 * }
 * ```
 */
export class GpuMinres extends BatchedKrylov {
  #r2!: GPUBuffer;
  #bind!: GPUBindGroup;
  #spmv!: SpmvKernel;
  #pipes!: Pipes;
  #rg = 1;
  #eg = 1;
  /** z = M⁻¹ r₂ by the AMG cycle, when there is one. */
  #pc: GpuAmgApplication | undefined;

  private constructor(ctx: GpuContext, n: number, checkEvery: number) {
    super(ctx, n, checkEvery, "minres");
  }

  /**
   * Allocates the vectors and compiles the kernels; `dinv` is the inverse
   * diagonal (ones: no preconditioner), refused unless positive. With
   * `cycle`, `z = M⁻¹r₂` comes from that AMG cycle instead (`M⁻ᵀ` with
   * `transposed`; `dinv` is then unused; the caller owns and disposes the
   * cycle).
   */
  static async create(
    ctx: GpuContext,
    M: GpuMatrix,
    dinv: Float32Array<ArrayBuffer>,
    checkEvery: number,
    variant: SpmvVariant = "auto",
    cycle?: GpuAmgCycle,
    transposed = false,
  ): Promise<GpuMinres> {
    assertMinresPreconditioner(dinv);
    const n = M.nRows;
    const s = new GpuMinres(ctx, n, checkEvery);
    try {
      const vec = (name: string, data?: Float32Array<ArrayBuffer>) => s.buffer(name, 4 * n, data);
      const r1 = vec("r1");
      s.#r2 = vec("r2");
      const [z, v, q, wa, wb] = ["z", "v", "q", "w1", "w2"].map((k) => vec(k));
      const d = vec("dinv", dinv);
      s.#rg = reductionGroups(ctx, n);
      s.#eg = elementwiseGroups(ctx, n);
      const partials = s.buffer("partials", 16 * s.#rg);
      const scalars = s.buffer("scalars", SCALAR_BYTES);
      const params = uniformBuffer(ctx, "minres params", [n, s.#rg, 0, 0]);
      s.owned.push(params);
      s.#bind = await ctx.pipelines.bindGroup(MINRES_MODULE, [
        s.x,
        r1,
        s.#r2,
        z,
        v,
        q,
        wa,
        wb,
        d,
        partials,
        s.state,
        scalars,
        params,
      ]);
      s.#spmv = await SpmvKernel.create(
        ctx,
        M,
        v,
        q,
        { buffer: s.state, offset: 0, size: 16 },
        variant,
      );
      s.#pipes = await pipelinesOf(ctx, MINRES_MODULE, ENTRIES);
      if (cycle) {
        s.#pc = await cycle.bind(
          s.#r2,
          z,
          { buffer: s.state, offset: 0, size: 16 },
          transposed,
        );
      }
      return s;
    } catch (e) {
      s.dispose();
      throw e;
    }
  }

  /** Writes a new inverse diagonal after a value update; refused unless positive (SPD Jacobi). */
  override setInverseDiagonal(dinv: Float32Array<ArrayBuffer>): void {
    assertMinresPreconditioner(dinv);
    super.setInverseDiagonal(dinv);
  }

  protected load(rhs: Float32Array<ArrayBuffer>): void {
    this.loadRhs(this.#r2, rhs);
  }

  protected recordStart(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind, pc = this.#pc;
    if (pc) {
      pc.record(pass);
      dispatch(pass, p.mr_init_pc, b, this.#rg);
    } else {
      dispatch(pass, p.mr_init, b, this.#rg);
    }
    dispatch(pass, p.mr_start, b, 1);
    dispatch(pass, p.mr_update, b, this.#eg);
  }

  protected recordStep(pass: GPUComputePassEncoder): void {
    const p = this.#pipes, b = this.#bind, pc = this.#pc;
    this.#spmv.record(pass);
    dispatch(pass, p.mr_av, b, this.#rg);
    dispatch(pass, p.mr_alpha, b, 1);
    if (pc) {
      dispatch(pass, p.mr_lanczos_pc, b, this.#eg);
      pc.record(pass);
      dispatch(pass, p.mr_rz, b, this.#rg);
    } else {
      dispatch(pass, p.mr_lanczos, b, this.#rg);
    }
    dispatch(pass, p.mr_rotate, b, 1);
    dispatch(pass, p.mr_update, b, this.#eg);
  }

  override dispose(): void {
    this.#spmv?.dispose();
    super.dispose();
  }
}
