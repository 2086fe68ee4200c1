/**
 * The multigrid hierarchy: for every level its matrix, smoother and
 * transfer operators, split into the part fixed by the pattern and the
 * aggregates (symbolic: strength, aggregates, tentative prolongator, every
 * sparse pattern) and the part recomputed from values (numeric: diagonal,
 * ρ(D⁻¹A), smoothed P, `R = Pᵀ`, `A_c = R A P`, smoother weights, the
 * coarse factorisation). A fresh setup runs the numeric phase of each
 * level right after its symbolic phase; {@linkcode refreshHierarchy} runs
 * only the numeric phases, in the same order with the same arithmetic, so
 * unchanged values give a bit-for-bit identical hierarchy.
 *
 * @module
 */

import { FactorizationError, ShapeError } from "../../errors.ts";
import { CsrMatrix } from "../../sparse/csr.ts";
import type { CsrPattern } from "../../sparse/pattern.ts";
import { expandAggregates, standardAggregation } from "./aggregate.ts";
import { type DenseCoarseSolver, denseCoarseSolver } from "./coarse_solve.ts";
import { type GalerkinPattern, galerkinPattern, galerkinValues } from "./galerkin.ts";
import type { ResolvedAmgOptions } from "./options.ts";
import { type RugeStubenTransfer, rugeStubenTransfer } from "./ruge_stuben.ts";
import {
  type ProlongatorPattern,
  prolongatorPattern,
  smoothProlongator,
} from "./smooth_prolongator.ts";
import { type SmootherState, smootherState } from "./smoothers.ts";
import { spectralRadius } from "./spectral_radius.ts";
import { amalgamate, strengthDistance, strengthGraph } from "./strength.ts";
import { classicalStrength } from "./ruge_stuben.ts";
import { filteredMatrix, type FilterPattern, filterPattern } from "./filter.ts";
import { tentativeProlongator } from "./tentative.ts";

/** What carries one level to the next. */
export interface AmgTransfer {
  /** Aggregate of every unknown (−1: unaggregated); empty for Ruge–Stüben. */
  readonly aggregates: Int32Array;
  /** Tentative prolongator T (SA), or undefined (Ruge–Stüben). */
  readonly tentative: CsrMatrix | undefined;
  /** Coarse near-nullspace, row-major `nc × k` (SA). */
  readonly coarseNullspace: Float64Array | undefined;
  /** Prolongator P (n × nc). */
  P: CsrMatrix;
  /** Restriction `R = Pᵀ` (nc × n). */
  R: CsrMatrix;
  /** Prolongator damping ω (0 when P is not smoothed). */
  omega: number;
  /** True when every aggregate kept all k near-nullspace columns (SA). */
  readonly fullRank: boolean;
  /** Symbolic prolongator smoothing (SA with `prolongationSmoothing: "jacobi"`). */
  readonly smoothing: ProlongatorPattern | undefined;
  /**
   * The filtered matrix that smooths P (`prolongationFilter`, when it drops
   * an entry and the level has one near-nullspace vector with no zero
   * entry): its pattern, its values (re-filtered on update), and that
   * vector, the lumping weights.
   */
  readonly filter:
    | {
      readonly pattern: FilterPattern;
      readonly matrix: CsrMatrix;
      readonly weights: Float64Array;
    }
    | undefined;
  /** Symbolic Ruge–Stüben interpolation (`coarsening: "rs"`). */
  readonly rs: RugeStubenTransfer | undefined;
  /** Patterns of the Galerkin product `Pᵀ A P`. */
  readonly galerkin: GalerkinPattern;
  /**
   * The strength graph the aggregates (or the C/F splitting) were built
   * from, and how to compute it again from the level's current values.
   */
  readonly strength: { readonly graph: CsrPattern; readonly of: (A: CsrMatrix) => CsrPattern };
  /**
   * `strengthDistance` between `strength.graph` and the graph of the
   * current values (0 after a setup).
   */
  drift: number;
}

/** One level of the hierarchy. */
export interface AmgLevel {
  /** Number of unknowns. */
  readonly n: number;
  /** The level matrix (its values are owned by the hierarchy). */
  readonly A: CsrMatrix;
  /** `Aᵀ` (same object as A for a symmetric hierarchy). */
  At: CsrMatrix;
  /** Diagonal of A. */
  readonly diagonal: Float64Array;
  /** Estimate of ρ(D⁻¹A). */
  rho: number;
  /** Smoother of this level. */
  smoother: SmootherState;
  /** Transfer to the next level; undefined on the coarsest. */
  readonly transfer: AmgTransfer | undefined;
}

/** Levels plus the coarsest solve. */
export interface AmgHierarchy {
  /** Levels, finest first. */
  readonly levels: AmgLevel[];
  /** Dense factorisation of the coarsest matrix, or undefined when it is smoothed instead. */
  coarse: DenseCoarseSolver | undefined;
  /** True when A is symmetric: R = Pᵀ, symmetrised coarse matrices, Cholesky. */
  readonly symmetric: boolean;
  /** The options it was built with. */
  readonly options: ResolvedAmgOptions;
}

/** Row-major `n × k` near-nullspace from the option (constants by default). */
function nullspaceRows(opts: ResolvedAmgOptions, n: number): { B: Float64Array; k: number } {
  const vs = opts.nullspace;
  if (!vs) return { B: new Float64Array(n).fill(1), k: 1 };
  const k = vs.length;
  const B = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const v = vs[c];
    for (let i = 0; i < n; i++) B[i * k + c] = v[i];
  }
  return { B, k };
}

/**
 * Builds the hierarchy of a square A (values copied). Throws
 * {@linkcode ShapeError} for a non-square matrix and
 * {@linkcode FactorizationError} for a missing or zero diagonal entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildHierarchy } from "./hierarchy.ts";
 * import { resolveAmgOptions } from "./options.ts";
 * import { poisson2d } from "../../sparse/generators.ts";
 * const A = poisson2d(40);
 * const h = buildHierarchy(A, resolveAmgOptions({ coarseSize: 50 }, A.shape[0]));
 * assert.ok(h.levels.length >= 3 && h.levels[h.levels.length - 1].n <= 50);
 * ```
 */
export function buildHierarchy(A0: CsrMatrix, opts: ResolvedAmgOptions): AmgHierarchy {
  const [rows, cols] = A0.shape;
  if (rows !== cols || rows === 0) {
    throw new ShapeError(
      `Cannot set up AMG: matrix is ${rows}x${cols} but must be square and non-empty`,
    );
  }
  A0.assertFinite("A");
  const symmetric = A0.symmetric;
  const levels: AmgLevel[] = [];
  let A = new CsrMatrix(A0.pattern, Float64Array.from(A0.values));
  let { B, k } = nullspaceRows(opts, rows);
  let blockSize = opts.blockSize;
  for (;;) {
    const n = A.shape[0];
    const level = newLevel(A, symmetric, opts, levels.length);
    const last = levels.length + 1 >= opts.maxLevels || n <= opts.coarseSize;
    let transfer: AmgTransfer | undefined;
    if (!last) {
      transfer = opts.coarsening === "rs"
        ? rsTransfer(A, symmetric, opts)
        : saTransfer(A, B, k, blockSize, symmetric, opts, levels.length);
      if (transfer && !(transfer.P.shape[1] > 0 && transfer.P.shape[1] < n)) transfer = undefined;
    }
    if (!transfer) {
      levels.push(level);
      break;
    }
    const full: AmgLevel = { ...level, transfer };
    const coarse = transferNumeric(full, undefined, opts);
    levels.push(full);
    A = coarse;
    if (transfer.coarseNullspace) {
      B = transfer.coarseNullspace;
      blockSize = transfer.fullRank ? k : 1;
    }
  }
  const h: AmgHierarchy = { levels, coarse: undefined, symmetric, options: opts };
  h.coarse = coarseSolver(h);
  return h;
}

function saTransfer(
  A: CsrMatrix,
  B: Float64Array,
  k: number,
  blockSize: number,
  symmetric: boolean,
  opts: ResolvedAmgOptions,
  level: number,
): AmgTransfer | undefined {
  // θ_l = θ·decay^l (Vaněk, Mandel and Brezina: θ = 0.08, halved per level).
  const theta = opts.strengthThreshold * opts.strengthDecay ** level;
  const nodes = amalgamate(A, blockSize);
  const S = strengthGraph(nodes, theta, symmetric);
  const { aggregates: nodeAgg, count } = standardAggregation(S);
  if (count === 0) return undefined;
  const aggregates = expandAggregates(nodeAgg, blockSize);
  const tent = tentativeProlongator(aggregates, count, B, k);
  const smoothed = opts.prolongationSmoothing === "jacobi";
  const fp = smoothed && opts.prolongationFilter &&
      k === 1 && B.every((b) => b !== 0)
    ? filterPattern(A.pattern, nodes, theta, blockSize)
    : undefined;
  const filter = fp
    ? {
      pattern: fp,
      matrix: new CsrMatrix(fp.pattern, new Float64Array(fp.pattern.nnz)),
      weights: Float64Array.from(B),
    }
    : undefined;
  const smoothing = smoothed
    ? prolongatorPattern(fp ? fp.pattern : A.pattern, tent.T.pattern)
    : undefined;
  const pPattern = smoothing ? smoothing.pattern : tent.T.pattern;
  const P = smoothing ? new CsrMatrix(pPattern, new Float64Array(pPattern.nnz)) : tent.T;
  const galerkin = galerkinPattern(A.pattern, pPattern, symmetric);
  const t: AmgTransfer = {
    aggregates,
    tentative: tent.T,
    coarseNullspace: tent.coarseB,
    P,
    R: new CsrMatrix(galerkin.restriction, new Float64Array(galerkin.restriction.nnz)),
    omega: 0,
    fullRank: tent.fullRank,
    smoothing,
    filter,
    rs: undefined,
    galerkin,
    strength: { graph: S, of: (M) => strengthGraph(amalgamate(M, blockSize), theta, symmetric) },
    drift: 0,
  };
  return t;
}

function rsTransfer(
  A: CsrMatrix,
  symmetric: boolean,
  opts: ResolvedAmgOptions,
): AmgTransfer | undefined {
  const rs = rugeStubenTransfer(A, opts.strengthThreshold);
  if (rs.nCoarse === 0) return undefined;
  const galerkin = galerkinPattern(A.pattern, rs.pattern, symmetric);
  return {
    aggregates: new Int32Array(0),
    tentative: undefined,
    coarseNullspace: undefined,
    P: new CsrMatrix(rs.pattern, new Float64Array(rs.pattern.nnz)),
    R: new CsrMatrix(galerkin.restriction, new Float64Array(galerkin.restriction.nnz)),
    omega: 0,
    fullRank: false,
    smoothing: undefined,
    filter: undefined,
    rs,
    galerkin,
    strength: { graph: rs.strength, of: (M) => classicalStrength(M, opts.strengthThreshold) },
    drift: 0,
  };
}

/** A level without transfer, with its numeric smoother data computed. */
function newLevel(
  A: CsrMatrix,
  symmetric: boolean,
  opts: ResolvedAmgOptions,
  index: number,
): AmgLevel {
  const n = A.shape[0];
  const At = symmetric ? A : A.transpose();
  const diagonal = new Float64Array(n);
  const level: AmgLevel = {
    n,
    A,
    At,
    diagonal,
    rho: 0,
    smoother: { kind: opts.smoother, weights: new Float64Array(n), degree: 1, lower: 0, upper: 0 },
    transfer: undefined,
  };
  levelNumeric(level, symmetric, opts, index);
  return level;
}

/** Diagonal, ρ(D⁻¹A), smoother weights and (nonsymmetric) Aᵀ values of one level. */
function levelNumeric(
  level: AmgLevel,
  symmetric: boolean,
  opts: ResolvedAmgOptions,
  index: number,
): void {
  const { A, diagonal: d, n } = level;
  const di = A.pattern.diagonalIndices();
  for (let i = 0; i < n; i++) {
    const v = di[i] < 0 ? 0 : A.values[di[i]];
    if (v === 0) {
      throw new FactorizationError(
        `Cannot set up AMG: diagonal entry of row ${i} on level ${index} is ${
          di[i] < 0 ? "not stored" : 0
        }`,
        i,
      );
    }
    d[i] = v;
  }
  if (!symmetric) {
    const perm = A.pattern.transpose().perm;
    const vt = level.At.values, v = A.values;
    for (let k = 0; k < perm.length; k++) vt[k] = v[perm[k]];
  }
  level.rho = spectralRadius(A, d, { steps: opts.spectralSteps, seed: opts.seed, symmetric });
  level.smoother = smootherState({
    kind: opts.smoother,
    A,
    diagonal: d,
    rho: level.rho,
    degree: opts.chebyshevDegree,
    jacobiWeight: opts.jacobiWeight,
    weights: level.smoother.weights,
  });
}

/**
 * The numeric phase of a level's transfer: P (smoothed, or Ruge–Stüben
 * weights), R = Pᵀ and the coarse matrix, written into `coarse`'s values
 * when given (update) or into a new matrix (setup). P is smoothed with the
 * filtered `A^F` when the level has one: `P = (I − ω D_F⁻¹A^F)T` with
 * `ω = 4/(3ρ(D_F⁻¹A^F))`.
 */
function transferNumeric(
  level: AmgLevel,
  coarse: CsrMatrix | undefined,
  opts: ResolvedAmgOptions,
): CsrMatrix {
  const t = level.transfer!;
  const A = level.A;
  if (t.smoothing && t.tentative) {
    const inv = new Float64Array(level.n);
    let smoother = A, rho = level.rho;
    if (t.filter) {
      smoother = filteredMatrix(A, t.filter.pattern, t.filter.matrix.values, t.filter.weights);
      const dF = t.filter.pattern.diagonal, vF = smoother.values;
      const d = new Float64Array(level.n);
      for (let i = 0; i < level.n; i++) d[i] = vF[dF[i]];
      rho = spectralRadius(smoother, d, {
        steps: opts.spectralSteps,
        seed: opts.seed,
        symmetric: level.A === level.At,
      });
      for (let i = 0; i < level.n; i++) inv[i] = 1 / d[i];
    } else {
      for (let i = 0; i < level.n; i++) inv[i] = 1 / level.diagonal[i];
    }
    t.omega = 4 / (3 * rho);
    t.P = smoothProlongator(smoother, inv, t.omega, t.tentative, t.smoothing, t.P.values);
  } else if (t.rs) {
    t.rs.values(A, t.P.values);
  }
  const { restriction, coarse: Ac } = galerkinValues(
    A,
    t.P,
    t.galerkin,
    t.R.values,
    coarse?.values,
  );
  t.R = restriction;
  return coarse ?? Ac;
}

function coarseSolver(h: AmgHierarchy): DenseCoarseSolver | undefined {
  const last = h.levels[h.levels.length - 1];
  if (last.n > h.options.maxDenseSize) return undefined;
  return denseCoarseSolver(last.A, h.symmetric);
}

/**
 * Recomputes every numeric part of the hierarchy for new values of the
 * finest matrix on the same pattern; aggregates, tentative prolongators and
 * patterns stay. Throws {@linkcode ShapeError} for a wrong length and
 * `RangeError` when the symmetry of the values changed (set up again then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildHierarchy, refreshHierarchy } from "./hierarchy.ts";
 * import { resolveAmgOptions } from "./options.ts";
 * import { poisson2d } from "../../sparse/generators.ts";
 * const A = poisson2d(20);
 * const h = buildHierarchy(A, resolveAmgOptions({ coarseSize: 20 }, A.shape[0]));
 * const before = Float64Array.from(h.levels[1].A.values);
 * refreshHierarchy(h, A.values.map((v) => 2 * v));
 * assert.ok(h.levels[1].A.values.every((v, k) => Math.abs(v - 2 * before[k]) < 1e-12));
 * ```
 */
export function refreshHierarchy(h: AmgHierarchy, values: Float64Array): void {
  const fine = h.levels[0].A;
  if (values.length !== fine.nnz) {
    throw new ShapeError(
      `Cannot update AMG: ${values.length} values for a pattern with ${fine.nnz} entries`,
    );
  }
  const next = fine.withValues(values);
  next.assertFinite("A");
  if (next.symmetric !== h.symmetric) {
    throw new RangeError(
      `Cannot update AMG: the new values are ${next.symmetric ? "" : "not "}symmetric but the ` +
        "hierarchy was built for the other case; call amgSetup again",
    );
  }
  fine.values.set(values);
  const { levels, symmetric, options } = h;
  for (let l = 0; l < levels.length; l++) {
    const level = levels[l];
    levelNumeric(level, symmetric, options, l);
    const t = level.transfer;
    if (t) {
      t.drift = strengthDistance(t.strength.graph, t.strength.of(level.A));
      transferNumeric(level, levels[l + 1].A, options);
    }
  }
  h.coarse = coarseSolver(h);
}
