/**
 * The batched driver shared by the GPU Krylov solvers: it records K
 * iterations per submit, reads back the state block (and the iterate) once
 * per batch, and stops on the GPU's own stop code. The solvers only say what
 * to record.
 *
 * @module
 */

import type { ReadBackClock } from "./buffers.ts";
import { createStorageBuffer, readBack } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import {
  type DecodedState,
  decodeState,
  initialState,
  type InnerCode,
  stateBytes,
} from "./state.ts";

/** Outcome of one float32 solve on the GPU (from x₀ = 0). */
export interface InnerResult {
  /** The float32 iterate, widened to float64. */
  readonly x: Float64Array;
  /** Iterations taken (Arnoldi steps for GMRES, full iterations otherwise). */
  readonly iterations: number;
  /** Why the GPU stopped. */
  readonly code: InnerCode;
  /** The solver's residual estimate per iteration, relative to ‖rhs‖ (iterations 1..n). */
  readonly history: readonly number[];
  /** Read-backs (mapAsync round trips) this solve cost. */
  readonly readbacks: number;
}

/** Milliseconds spent recording commands, in `submit`, and waiting for read-backs. */
export interface InnerClock extends ReadBackClock {
  /** Time spent encoding dispatches (CPU side). */
  record: number;
}

/** Batches without progress after which the driver gives up (a safety net, not expected). */
const MAX_IDLE_BATCHES = 3;

/**
 * Base class of the GPU solvers. Subclasses own their buffers and record
 * their kernels; {@linkcode BatchedKrylov.run} drives the batches.
 *
 * @example
 * ```ts
 * import type { BatchedKrylov } from "./inner_solver.ts";
 * export function example(solver: BatchedKrylov) {
 * const clock = { record: 0, submit: 0, wait: 0 };
 * // const r = await solver.run(rhs, 1e-5, 500, clock);
 * }
 * ```
 */
export abstract class BatchedKrylov implements Disposable {
  /** The device context. */
  protected readonly ctx: GpuContext;
  /** System size. */
  readonly n: number;
  /** Steps recorded per submit (one read-back each). */
  readonly checkEvery: number;
  /** History entries one step can write (BiCGSTAB: 2, one per half-step). */
  protected readonly historyPerStep: number;
  /** Buffers released by {@linkcode BatchedKrylov.dispose}. */
  protected readonly owned: GPUBuffer[] = [];
  /** The state block buffer. */
  protected readonly state: GPUBuffer;
  /** The iterate buffer. */
  protected readonly x: GPUBuffer;
  readonly #label: string;
  readonly #named = new Map<string, GPUBuffer>();
  readonly #zeros: Float32Array<ArrayBuffer>;

  /** Allocates the state block and the iterate; `label` prefixes every buffer's label. */
  protected constructor(
    ctx: GpuContext,
    n: number,
    checkEvery: number,
    label: string,
    historyPerStep = 1,
  ) {
    this.ctx = ctx;
    this.n = n;
    this.checkEvery = checkEvery;
    this.historyPerStep = historyPerStep;
    this.#label = label;
    this.#zeros = new Float32Array(n);
    this.state = this.buffer("state", stateBytes(historyPerStep * checkEvery));
    this.x = this.buffer("x", 4 * n);
  }

  /** A storage buffer of `bytes` labelled `LABEL name`, released by {@linkcode BatchedKrylov.dispose}. */
  protected buffer(name: string, bytes: number, data?: Float32Array<ArrayBuffer>): GPUBuffer {
    const b = createStorageBuffer(this.ctx, `${this.#label} ${name}`, bytes, data);
    this.owned.push(b);
    this.#named.set(name, b);
    return b;
  }

  /** Writes a new inverse diagonal (the Jacobi preconditioner; ones for none) after a value update. */
  setInverseDiagonal(dinv: Float32Array<ArrayBuffer>): void {
    const b = this.#named.get("dinv");
    if (!b) throw new RangeError(`Cannot set the inverse diagonal: ${this.#label} has none`);
    this.ctx.device.queue.writeBuffer(b, 0, dinv);
  }

  /** Uploads the right-hand side into `target` and zeroes the iterate. */
  protected loadRhs(target: GPUBuffer, rhs: Float32Array<ArrayBuffer>): void {
    const q = this.ctx.device.queue;
    q.writeBuffer(target, 0, rhs);
    q.writeBuffer(this.x, 0, this.#zeros);
  }

  /** Queues the uploads of a new right-hand side (and resets vectors that need it). */
  protected abstract load(rhs: Float32Array<ArrayBuffer>): void;
  /** Records the start-up kernels (initial residual, first scalars). */
  protected abstract recordStart(pass: GPUComputePassEncoder): void;
  /** Records one iteration. */
  protected abstract recordStep(pass: GPUComputePassEncoder): void;
  /** Records what must close a batch (GMRES: a due cycle end). */
  protected recordBatchEnd(_pass: GPUComputePassEncoder): void {}
  /** Reacts to a read-back of a still-running solve (GMRES: cycle stopped early). */
  protected sync(_state: DecodedState): void {}
  /** Resets host-side bookkeeping before a solve. */
  protected reset(): void {}

  /**
   * Solves `A x = rhs` from `x = 0` in float32 until the solver's residual
   * estimate is below `tolRel·‖rhs‖`, `maxIter` iterations, or a breakdown.
   */
  async run(
    rhs: Float64Array,
    tolRel: number,
    maxIter: number,
    clock: InnerClock,
  ): Promise<InnerResult> {
    const { ctx, n } = this;
    const K = this.checkEvery;
    const ring = K * this.historyPerStep;
    ctx.assertAlive("run a GPU solve");
    ctx.device.queue.writeBuffer(this.state, 0, initialState(ring, maxIter, tolRel));
    this.load(Float32Array.from(rhs));
    this.reset();
    const history: number[] = [];
    let readbacks = 0, done = 0, idle = 0, first = true;
    for (;;) {
      const t0 = performance.now();
      const encoder = ctx.device.createCommandEncoder({ label: "krylov batch" });
      const pass = encoder.beginComputePass();
      if (first) this.recordStart(pass);
      first = false;
      for (let s = 0; s < K; s++) this.recordStep(pass);
      this.recordBatchEnd(pass);
      pass.end();
      clock.record += performance.now() - t0;
      const [stateBytesRead, xBytes] = await readBack(ctx, encoder, [
        { buffer: this.state, offset: 0, size: stateBytes(ring) },
        { buffer: this.x, offset: 0, size: 4 * Math.max(1, n) },
      ], clock);
      readbacks++;
      const st = decodeState(stateBytesRead);
      for (let it = done + 1; it <= st.iterations; it++) history.push(st.history[(it - 1) % ring]);
      idle = st.iterations === done ? idle + 1 : 0;
      done = st.iterations;
      const code = st.code === "running" && idle >= MAX_IDLE_BATCHES ? "stagnation" : st.code;
      if (code !== "running") {
        const x = Float64Array.from(new Float32Array(xBytes, 0, n));
        return { x, iterations: st.iterations, code, history, readbacks };
      }
      this.sync(st);
    }
  }

  /** Releases every buffer of the solver. */
  dispose(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }

  /** Same as {@linkcode BatchedKrylov.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
