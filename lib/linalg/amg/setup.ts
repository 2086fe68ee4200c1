/**
 * The entry point: {@linkcode amgSetup} builds an algebraic multigrid
 * hierarchy for a CSR matrix and returns it as a
 * {@linkcode Preconditioner} (one cycle per application), with its exact
 * transpose, an `update` for new values on the same pattern, and a report.
 *
 * Nonsymmetric A: the hierarchy is built from A with `R = Pᵀ` (P smoothed
 * with A; strength symmetrised as `S ∪ Sᵀ`), coarse matrices `Pᵀ A P`, and
 * `applyTranspose` runs the transposed cycle on `Aᵀ` at every level (the
 * transposes of the same coarse matrices, smoothers transposed in reversed
 * order, coarse LU solved transposed), so that `⟨M⁻¹x, y⟩ = ⟨x, M⁻ᵀy⟩`.
 *
 * @module
 */

import { ShapeError } from "../../errors.ts";
import type { CsrMatrix } from "../../sparse/csr.ts";
import type { Preconditioner } from "../preconditioner.ts";
import { type CycleWorkspace, cycleWorkspace, runCycle } from "./cycle.ts";
import { type AmgHierarchy, type AmgLevel, buildHierarchy, refreshHierarchy } from "./hierarchy.ts";
import {
  type AmgCycle,
  type AmgOptions,
  type AmgSmoother,
  resolveAmgOptions,
  type ResolvedAmgOptions,
} from "./options.ts";

/** Size of one level in {@linkcode AmgInfo}. */
export interface AmgLevelInfo {
  /** Unknowns. */
  readonly n: number;
  /** Stored entries of the level matrix. */
  readonly nnz: number;
  /** Estimate of ρ(D⁻¹A) on this level. */
  readonly rho: number;
  /**
   * Distance between the strength graph this level was coarsened on and
   * that of its current values (as {@linkcode AmgInfo.strengthDrift} for
   * the finest level); 0 on the coarsest level.
   */
  readonly strengthDrift: number;
}

/** A plain-object report of a hierarchy. */
export interface AmgInfo {
  /** `"sa"` or `"rs"`. */
  readonly coarsening: "sa" | "rs";
  /** Number of levels. */
  readonly levels: number;
  /** Per level, finest first. */
  readonly sizes: readonly AmgLevelInfo[];
  /** `Σ nnz_l / nnz_0`. */
  readonly operatorComplexity: number;
  /** `Σ n_l / n_0`. */
  readonly gridComplexity: number;
  /** Coarsest solve: dense `"cholesky"` or `"lu"`, or `"smoother"` when too big. */
  readonly coarseSolver: "cholesky" | "lu" | "smoother";
  /**
   * Null pivots of the coarsest Cholesky: the dimension of the nullspace
   * it found (1 for a pure Neumann problem, whose constants every level
   * keeps); 0 for a nonsingular coarsest matrix and for LU or a smoother.
   */
  readonly coarseNullity: number;
  /** Smoother on the levels. */
  readonly smoother: AmgSmoother;
  /** Cycle shape. */
  readonly cycle: AmgCycle;
  /** True when the cycle is symmetric (symmetric A, equal pre/post sweeps). */
  readonly symmetric: boolean;
  /** Milliseconds of the last setup or update. */
  readonly setupMs: number;
  /** `"setup"` or `"update"`: what `setupMs` timed. */
  readonly timed: "setup" | "update";
  /**
   * How much the strong couplings of the finest level moved since the
   * aggregates were chosen: the Jaccard distance between the strength
   * graph of the setup and that of the current values (0 after a setup and
   * for any positive multiple of the setup's values; 1: no strong coupling
   * in common). `update` keeps the aggregates, so a large drift says a
   * fresh `amgSetup` is due (`LinearSolver` does that itself). Measured on
   * 2-D problems, rtol 1e-8 (`tests/amg_test.ts`): two independent
   * log-normal diffusion fields (σ = 1 and 3) drift 0 and the kept
   * hierarchy needs the iterations of a fresh one; a hierarchy built for
   * `−10⁻³u_xx − u_yy` and updated to `−εu_xx − u_yy` drifts 0.5 for ε from
   * 0.2 to 3 (8 to 19 iterations against a fresh setup's 7 to 9) and 1.0
   * for ε ≥ 10 (19 to 37 against 7). The coarser levels' drifts are in
   * `sizes`; they move more and predict less.
   */
  readonly strengthDrift: number;
}

/** An AMG hierarchy used as a preconditioner. */
export interface AmgPreconditioner extends Preconditioner {
  /** `"amg"`. */
  readonly name: string;
  /** The hierarchy report (a new plain object after every update). */
  readonly info: AmgInfo;
  /** The levels (read them, do not modify them). */
  readonly levels: readonly AmgLevel[];
  /** The options it was built with, every default filled in. */
  readonly options: ResolvedAmgOptions;
  /**
   * Recomputes the numeric part for new values of A on the same pattern
   * (aggregates, tentative prolongators and patterns kept). Unchanged
   * values give exactly the hierarchy of a fresh setup.
   */
  update(values: Float64Array): void;
}

function report(
  h: AmgHierarchy,
  ms: number,
  timed: "setup" | "update",
  symmetric: boolean,
): AmgInfo {
  const sizes = h.levels.map((l) => ({
    n: l.n,
    nnz: l.A.nnz,
    rho: l.rho,
    strengthDrift: l.transfer ? l.transfer.drift : 0,
  }));
  const n0 = sizes[0].n, nnz0 = sizes[0].nnz;
  return {
    coarsening: h.options.coarsening,
    levels: sizes.length,
    sizes,
    operatorComplexity: sizes.reduce((s, l) => s + l.nnz, 0) / nnz0,
    gridComplexity: sizes.reduce((s, l) => s + l.n, 0) / n0,
    coarseSolver: h.coarse ? h.coarse.kind : "smoother",
    coarseNullity: h.coarse ? h.coarse.nullity : 0,
    smoother: h.options.smoother,
    cycle: h.options.cycle,
    symmetric,
    setupMs: ms,
    timed,
    strengthDrift: sizes[0].strengthDrift,
  };
}

/**
 * Builds an AMG preconditioner for the square matrix A (its values are
 * copied; call `update` after changing them). Throws `ShapeError` for a
 * non-square matrix, `FactorizationError` for a zero or missing diagonal
 * entry, `RangeError` for bad options, `SingularMatrixError` when the
 * coarsest matrix cannot be factored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgSetup } from "./setup.ts";
 * import { cg } from "../cg.ts";
 * import { poisson2d } from "../../sparse/generators.ts";
 * const A = poisson2d(64);
 * const M = amgSetup(A, { coarseSize: 50 });
 * const b = new Float64Array(A.shape[0]).fill(1);
 * const res = cg(A, b, { preconditioner: M, rtol: 1e-8 });
 * assert.ok(res.converged && res.iterations <= 12);
 * assert.ok(M.info.levels >= 3 && M.info.operatorComplexity < 1.6);
 * ```
 */
export function amgSetup(A: CsrMatrix, options: AmgOptions = {}): AmgPreconditioner {
  const t0 = performance.now();
  const opts = resolveAmgOptions(options, A.shape[0], A.symmetric);
  const h = buildHierarchy(A, opts);
  const ws: CycleWorkspace = cycleWorkspace(h);
  const symmetric = h.symmetric && opts.preSweeps === opts.postSweeps;
  let info = report(h, performance.now() - t0, "setup", symmetric);
  const n = h.levels[0].n;
  const check = (r: Float64Array, z: Float64Array, what: string) => {
    if (r.length !== n || z.length !== n) {
      throw new ShapeError(
        `Cannot apply AMG ${what}: vectors have lengths ${r.length} and ${z.length} but n = ${n}`,
      );
    }
  };
  const apply = (r: Float64Array, z: Float64Array): void => {
    check(r, z, "preconditioner");
    runCycle(h, ws, 0, r, z, false);
  };
  const applyTranspose = symmetric ? apply : (r: Float64Array, z: Float64Array): void => {
    check(r, z, "transpose");
    runCycle(h, ws, 0, r, z, true);
  };
  return {
    name: "amg",
    symmetric,
    apply,
    applyTranspose,
    get info() {
      return info;
    },
    levels: h.levels,
    options: opts,
    update(values: Float64Array) {
      const t1 = performance.now();
      refreshHierarchy(h, values);
      info = report(h, performance.now() - t1, "update", symmetric);
    },
  };
}
