/**
 * Options of the algebraic multigrid preconditioner, their defaults, and
 * the validation that turns user options into a complete set.
 *
 * @module
 */

/** Smoothers: all are built from `A x` and a diagonal, so they run as well on a GPU. */
export type AmgSmoother = "jacobi" | "l1-jacobi" | "chebyshev";

/** Multigrid cycle shape: `V` visits each coarse level once, `W` twice. */
export type AmgCycle = "V" | "W";

/** How coarse levels are chosen: smoothed aggregation or classical Ruge–Stüben. */
export type AmgCoarsening = "sa" | "rs";

/**
 * Options of {@linkcode amgSetup}. Every field is optional; the defaults
 * are those of smoothed aggregation for scalar elliptic problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveAmgOptions, type AmgOptions } from "./options.ts";
 * const o: AmgOptions = { smoother: "jacobi", cycle: "W" };
 * const r = resolveAmgOptions(o, 100);
 * assert.equal(r.strengthThreshold, 0.08);
 * assert.equal(r.cycle, "W");
 * ```
 */
export interface AmgOptions {
  /**
   * Coarsening: `"sa"` smoothed aggregation, `"rs"` classical Ruge–Stüben
   * (C/F splitting with direct interpolation).
   * @default {"sa"}
   */
  coarsening?: AmgCoarsening;
  /**
   * Strength threshold θ. For `"sa"`, (i, j) is strong when
   * `|a_ij| ≥ θ·√|a_ii·a_jj|` (symmetric strength; Vaněk, Mandel and Brezina
   * use 0.08, which keeps anisotropic couplings of ratio < 0.6 % weak).
   * For `"rs"`, j strongly influences i when `−a_ij ≥ θ·max_k(−a_ik)`.
   * @default {0.08 for "sa", 0.25 for "rs"}
   */
  strengthThreshold?: number;
  /**
   * Factor applied to the SA strength threshold per level: level l uses
   * `θ·decay^l`. Vaněk, Mandel and Brezina halve θ per level, because the
   * Galerkin operators' couplings spread out: measured on 3-D Poisson 70³,
   * decay 1 (one θ = 0.08 on every level) takes 14 PCG iterations to rtol
   * 1e-8, decay 0.5 takes 8 (PyAMG's θ = 0 also 8, but 94 on the
   * anisotropic problem where 0.5 keeps 8). Only `"sa"` uses it.
   * @default {0.5}
   */
  strengthDecay?: number;
  /**
   * Near-nullspace vectors B (each of length n), e.g. the rigid-body modes
   * of elasticity. The tentative prolongator reproduces them exactly.
   * Only `"sa"` uses them.
   * @default {[ones]}
   */
  nullspace?: readonly Float64Array[];
  /**
   * Unknowns per node, numbered node-major (`dof = node·blockSize + c`):
   * strength and aggregation then work on nodes (Frobenius norms of the
   * blocks), so every aggregate holds whole nodes. n must be a multiple.
   * @default {1}
   */
  blockSize?: number;
  /**
   * Prolongator smoothing: `"jacobi"` gives `P = (I − ω D⁻¹A) T` with
   * `ω = 4/(3ρ(D⁻¹A))`; `"none"` keeps the tentative `P = T` (plain
   * aggregation).
   * @default {"jacobi"}
   */
  prolongationSmoothing?: "jacobi" | "none";
  /**
   * Smooth P with the filtered matrix `A^F` (weak couplings lumped onto
   * the diagonal, see filter.ts) instead of A, so P spreads only along
   * strong couplings. On anisotropic problems this bounds the coarse
   * operators' fill; where every coupling is strong `A^F = A` and it
   * changes nothing. Only `"sa"` with `"jacobi"` smoothing uses it.
   * @default {true}
   */
  prolongationFilter?: boolean;
  /**
   * Smoother on every level but the coarsest. The default is `"chebyshev"`
   * for symmetric A and `"jacobi"` otherwise: a polynomial smoother of
   * degree > 1 amplifies the non-normal part of a convection-dominated
   * operator (measured: 20 degree-4 Chebyshev sweeps grow the error 650×
   * on 2-D upwind convection–diffusion, and GMRES stalls), while damped
   * Jacobi stays contractive.
   * @default {"chebyshev" when A is symmetric, else "jacobi"}
   */
  smoother?: AmgSmoother;
  /**
   * Damped Jacobi weight ω (absolute). The default is `4/(3ρ(D⁻¹A))` on
   * each level.
   * @default {undefined}
   */
  jacobiWeight?: number;
  /**
   * Degree of the Chebyshev smoother (matrix–vector products per sweep),
   * on the interval `[ρ/30, 1.1ρ]` of `D⁻¹A`. 4 takes 2-D Poisson with
   * n = 10⁶ to rtol 1e-8 in 11 PCG iterations (3: 13, 2: 18).
   * @default {4}
   */
  chebyshevDegree?: number;
  /** Smoothing sweeps before the coarse correction. @default {1} */
  preSweeps?: number;
  /**
   * Smoothing sweeps after it. Equal to `preSweeps` keeps the cycle
   * symmetric (needed by CG).
   * @default {1}
   */
  postSweeps?: number;
  /** Cycle shape. @default {"V"} */
  cycle?: AmgCycle;
  /** Most levels, the finest included. @default {10} */
  maxLevels?: number;
  /**
   * Stop coarsening once a level has at most this many unknowns; that level
   * is solved by dense Cholesky (LU when Cholesky fails or A is
   * nonsymmetric).
   * @default {500}
   */
  coarseSize?: number;
  /**
   * Largest coarsest level solved densely; when coarsening stalls above it,
   * the coarsest level is smoothed (`coarseSweeps` sweeps) instead.
   * @default {2000}
   */
  maxDenseSize?: number;
  /** Sweeps of the smoother used as coarsest solve when it is too big for a dense one. @default {20} */
  coarseSweeps?: number;
  /** Lanczos (or, for nonsymmetric A, power) steps estimating ρ(D⁻¹A). @default {12} */
  spectralSteps?: number;
  /** Seed of the start vector of the spectral-radius estimate. @default {0} */
  seed?: number;
}

/** {@linkcode AmgOptions} with every default filled in (nullspace excepted). */
export interface ResolvedAmgOptions {
  /** See {@linkcode AmgOptions.coarsening}. */
  readonly coarsening: AmgCoarsening;
  /** See {@linkcode AmgOptions.strengthThreshold}. */
  readonly strengthThreshold: number;
  /** See {@linkcode AmgOptions.strengthDecay}. */
  readonly strengthDecay: number;
  /** See {@linkcode AmgOptions.prolongationFilter}. */
  readonly prolongationFilter: boolean;
  /** See {@linkcode AmgOptions.nullspace}; `undefined` means constants. */
  readonly nullspace: readonly Float64Array[] | undefined;
  /** See {@linkcode AmgOptions.blockSize}. */
  readonly blockSize: number;
  /** See {@linkcode AmgOptions.prolongationSmoothing}. */
  readonly prolongationSmoothing: "jacobi" | "none";
  /** See {@linkcode AmgOptions.smoother}. */
  readonly smoother: AmgSmoother;
  /** See {@linkcode AmgOptions.jacobiWeight}. */
  readonly jacobiWeight: number | undefined;
  /** See {@linkcode AmgOptions.chebyshevDegree}. */
  readonly chebyshevDegree: number;
  /** See {@linkcode AmgOptions.preSweeps}. */
  readonly preSweeps: number;
  /** See {@linkcode AmgOptions.postSweeps}. */
  readonly postSweeps: number;
  /** See {@linkcode AmgOptions.cycle}. */
  readonly cycle: AmgCycle;
  /** See {@linkcode AmgOptions.maxLevels}. */
  readonly maxLevels: number;
  /** See {@linkcode AmgOptions.coarseSize}. */
  readonly coarseSize: number;
  /** See {@linkcode AmgOptions.maxDenseSize}. */
  readonly maxDenseSize: number;
  /** See {@linkcode AmgOptions.coarseSweeps}. */
  readonly coarseSweeps: number;
  /** See {@linkcode AmgOptions.spectralSteps}. */
  readonly spectralSteps: number;
  /** See {@linkcode AmgOptions.seed}. */
  readonly seed: number;
}

function integer(name: string, v: number, min: number): number {
  if (!(Number.isInteger(v) && v >= min)) {
    throw new RangeError(
      `Cannot set up AMG: ${name} must be an integer >= ${min}, got ${v}`,
    );
  }
  return v;
}

function oneOf<T extends string>(name: string, v: T, allowed: readonly T[]): T {
  if (!allowed.includes(v)) {
    throw new RangeError(
      `Cannot set up AMG: ${name} must be one of ${allowed.join(", ")}, got ${String(v)}`,
    );
  }
  return v;
}

/**
 * Checks `options` for a matrix of order `n` (symmetric or not, which
 * picks the default smoother) and fills in the defaults. Throws
 * `RangeError` naming the first bad field and its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveAmgOptions } from "./options.ts";
 * assert.equal(resolveAmgOptions({}, 10).smoother, "chebyshev");
 * assert.equal(resolveAmgOptions({}, 10, false).smoother, "jacobi");
 * assert.throws(() => resolveAmgOptions({ blockSize: 3 }, 10), RangeError);
 * ```
 */
export function resolveAmgOptions(
  options: AmgOptions,
  n: number,
  symmetric = true,
): ResolvedAmgOptions {
  const coarsening = oneOf("coarsening", options.coarsening ?? "sa", ["sa", "rs"]);
  const theta = options.strengthThreshold ?? (coarsening === "sa" ? 0.08 : 0.25);
  if (!(theta >= 0 && theta <= 1)) {
    throw new RangeError(
      `Cannot set up AMG: strengthThreshold must be in [0, 1], got ${theta}`,
    );
  }
  const decay = options.strengthDecay ?? 0.5;
  if (!(decay > 0 && decay <= 1)) {
    throw new RangeError(`Cannot set up AMG: strengthDecay must be in (0, 1], got ${decay}`);
  }
  const filter = options.prolongationFilter ?? true;
  if (typeof filter !== "boolean") {
    throw new RangeError(
      `Cannot set up AMG: prolongationFilter must be true or false, got ${String(filter)}`,
    );
  }
  const blockSize = integer("blockSize", options.blockSize ?? 1, 1);
  if (n % blockSize !== 0) {
    throw new RangeError(
      `Cannot set up AMG: blockSize ${blockSize} does not divide the order n = ${n}`,
    );
  }
  const ns = options.nullspace;
  if (ns !== undefined) {
    if (ns.length === 0) {
      throw new RangeError("Cannot set up AMG: nullspace must hold at least one vector");
    }
    ns.forEach((v, c) => {
      if (!(v instanceof Float64Array) || v.length !== n) {
        throw new RangeError(
          `Cannot set up AMG: nullspace[${c}] must be a Float64Array of length ${n}`,
        );
      }
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(v[i])) {
          throw new RangeError(`Cannot set up AMG: nullspace[${c}][${i}] is ${v[i]}`);
        }
      }
    });
  }
  const w = options.jacobiWeight;
  if (w !== undefined && !(w > 0 && w < Infinity)) {
    throw new RangeError(`Cannot set up AMG: jacobiWeight must be finite and > 0, got ${w}`);
  }
  return {
    coarsening,
    strengthThreshold: theta,
    strengthDecay: decay,
    prolongationFilter: filter,
    nullspace: ns,
    blockSize,
    prolongationSmoothing: oneOf(
      "prolongationSmoothing",
      options.prolongationSmoothing ?? "jacobi",
      [
        "jacobi",
        "none",
      ],
    ),
    smoother: oneOf("smoother", options.smoother ?? (symmetric ? "chebyshev" : "jacobi"), [
      "jacobi",
      "l1-jacobi",
      "chebyshev",
    ]),
    jacobiWeight: w,
    chebyshevDegree: integer("chebyshevDegree", options.chebyshevDegree ?? 4, 1),
    preSweeps: integer("preSweeps", options.preSweeps ?? 1, 0),
    postSweeps: integer("postSweeps", options.postSweeps ?? 1, 0),
    cycle: oneOf("cycle", options.cycle ?? "V", ["V", "W"]),
    maxLevels: integer("maxLevels", options.maxLevels ?? 10, 1),
    coarseSize: integer("coarseSize", options.coarseSize ?? 500, 1),
    maxDenseSize: integer("maxDenseSize", options.maxDenseSize ?? 2000, 1),
    coarseSweeps: integer("coarseSweeps", options.coarseSweeps ?? 20, 1),
    spectralSteps: integer("spectralSteps", options.spectralSteps ?? 12, 1),
    seed: integer("seed", options.seed ?? 0, -Number.MAX_SAFE_INTEGER),
  };
}
