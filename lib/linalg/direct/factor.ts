/**
 * Sparse direct solves: {@linkcode factorize} a CSR matrix once (LU with
 * threshold pivoting, or Cholesky for SPD matrices), then solve with A and
 * with Aᵀ (the adjoint of a solve costs two triangular solves), refactor
 * after a value change reusing the symbolic analysis, and estimate the
 * condition number. {@linkcode directSolve} wraps it all in a
 * {@linkcode SolveResult}.
 *
 * Symmetric indefinite matrices (KKT systems) are factored by LU with
 * pivoting: LDLᵀ with Bunch–Kaufman pivoting would halve the storage but
 * needs 2×2 pivots and dynamic structure; LU with threshold pivoting is
 * stable on them and shares the code that the unsymmetric case needs anyway.
 *
 * @module
 */

import {
  FactorizationError,
  NonFiniteError,
  ShapeError,
  SingularMatrixError,
} from "../../errors.ts";
import type { CsrMatrix } from "../../sparse/csr.ts";
import { trueResidual } from "../residual.ts";
import { norm2, unitScale } from "../vector.ts";
import { transposeOperator } from "../operator.ts";
import { enforcePolicy, type FailurePolicy, type SolveResult } from "../result.ts";
import { choleskyNumeric, choleskySolve } from "./cholesky.ts";
import { inverseNorm1Estimate } from "./condest.ts";
import { luFactor, type LuFactors, luRefactor, luSolve, luSolveTranspose } from "./lu.ts";
import { analyze, type Ordering, type Symbolic } from "./symbolic.ts";

/**
 * Options of {@linkcode factorize} and `factor`.
 *
 * @category Solvers
 */
export interface FactorizeOptions {
  /**
   * `cholesky` needs an SPD matrix; `auto` tries Cholesky when A is exactly
   * symmetric with a positive diagonal and falls back to LU on a pivot that
   * is not positive. @default {"auto"}
   */
  kind?: "auto" | "lu" | "cholesky";
  /**
   * LU threshold τ ∈ (0, 1]: a row is an acceptable pivot when its entry is at
   * least τ times the column's largest; the diagonal is kept when acceptable.
   * @default {0.1, or 0.001 when a quarter or more of the diagonal is structurally absent}
   */
  pivotThreshold?: number;
  /** Fill-reducing ordering (see {@linkcode Ordering}). @default {"amd"} */
  ordering?: Ordering;
}

/**
 * A factorisation of a square sparse matrix A.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, factorize } from "@gradsolve/gradsolve";
 * const f = factorize(CsrMatrix.fromDense([[0, 1], [2, 1]]));
 * const x = f.solve(Float64Array.of(1, 3)); // x = [1, 1]
 * assert.equal(f.kind, "lu");
 * assert.ok(Math.abs(x[0] - 1) < 1e-15);
 * ```
 *
 * @category Solvers
 */
export interface Factorization {
  /** `lu` (`PAQ = LU`) or `cholesky` (`PAPᵀ = LLᵀ`). */
  readonly kind: "lu" | "cholesky";
  /** Order of A. */
  readonly n: number;
  /** The symbolic analysis (reused by {@linkcode Factorization.refactor}). */
  readonly symbolic: Symbolic;
  /** Stored entries of L (unit diagonal included for LU). */
  readonly nnzL: number;
  /** Stored entries of U (for Cholesky: of Lᵀ, i.e. `nnzL`, so fill compares with LU). */
  readonly nnzU: number;
  /** `(nnzL + nnzU) / nnz(A)`. */
  readonly fill: number;
  /** `max|U| / max|A|` for LU; `max L² / max|A|` (≤ 1) for Cholesky. */
  readonly pivotGrowth: number;
  /** `x = A⁻¹ b` (a new array). */
  solve(b: Float64Array): Float64Array;
  /** `x = A⁻ᵀ b` from the same factors (two triangular solves). */
  solveTranspose(b: Float64Array): Float64Array;
  /**
   * The factorisation of the matrix with the same pattern and new values,
   * reusing the symbolic analysis. LU reuses the row order too when the
   * pivot rule picks the same rows (the factors are then bit for bit those of
   * a fresh factorisation); otherwise it pivots afresh.
   */
  refactor(values: Float64Array): Factorization;
  /** Hager–Higham estimate of κ₁(A) = ‖A‖₁‖A⁻¹‖₁ (cached; a few solves). */
  conditionEstimate(): number;
}

function norm1(A: { pattern: Symbolic["pattern"]; values: Float64Array }): number {
  const sums = new Float64Array(A.pattern.nCols);
  const { colIdx } = A.pattern;
  for (let k = 0; k < colIdx.length; k++) sums[colIdx[k]] += Math.abs(A.values[k]);
  let m = 0;
  for (let j = 0; j < sums.length; j++) m = Math.max(m, sums[j]);
  return m;
}

function checkValues(symbolic: Symbolic, values: Float64Array): void {
  if (values.length !== symbolic.pattern.nnz) {
    throw new ShapeError(
      `Cannot factor: ${values.length} values for a pattern with ${symbolic.pattern.nnz} entries`,
    );
  }
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) {
      const row = symbolic.pattern.rowIndices()[k];
      throw new NonFiniteError(
        `Cannot factor: entry (${row}, ${symbolic.pattern.colIdx[k]}) is ${values[k]}`,
      );
    }
  }
}

/** The shared part of both factorisation kinds: vectors, sizes, condition estimate. */
abstract class BaseFactorization implements Factorization {
  abstract readonly kind: "lu" | "cholesky";
  abstract readonly nnzL: number;
  abstract readonly nnzU: number;
  abstract readonly pivotGrowth: number;
  readonly symbolic: Symbolic;
  readonly values: Float64Array;
  protected readonly options: FactorizeOptions;
  protected readonly work: Float64Array;
  #condition: number | undefined;

  constructor(symbolic: Symbolic, values: Float64Array, options: FactorizeOptions) {
    this.symbolic = symbolic;
    this.values = values;
    this.options = options;
    this.work = new Float64Array(symbolic.n);
  }

  get n(): number {
    return this.symbolic.n;
  }

  get fill(): number {
    return (this.nnzL + this.nnzU) / Math.max(1, this.symbolic.pattern.nnz);
  }

  protected abstract solveInto(b: Float64Array, x: Float64Array, transpose: boolean): void;

  abstract refactor(values: Float64Array): Factorization;

  #checked(b: Float64Array, what: string): void {
    if (b.length !== this.n) {
      throw new ShapeError(
        `Cannot ${what}: b has length ${b.length} but the matrix has ${this.n} rows`,
      );
    }
  }

  solve(b: Float64Array): Float64Array {
    this.#checked(b, "solve");
    const x = new Float64Array(this.n);
    this.solveInto(b, x, false);
    return x;
  }

  solveTranspose(b: Float64Array): Float64Array {
    this.#checked(b, "solve with the transpose");
    const x = new Float64Array(this.n);
    this.solveInto(b, x, true);
    return x;
  }

  conditionEstimate(): number {
    if (this.#condition === undefined) {
      const inv = inverseNorm1Estimate(
        this.n,
        (b) => this.solve(b),
        (b) => this.solveTranspose(b),
      );
      this.#condition = norm1({ pattern: this.symbolic.pattern, values: this.values }) * inv;
    }
    return this.#condition;
  }
}

class LuFactorization extends BaseFactorization {
  readonly kind = "lu" as const;
  readonly factors: LuFactors;

  constructor(symbolic: Symbolic, values: Float64Array, options: FactorizeOptions, f: LuFactors) {
    super(symbolic, values, options);
    this.factors = f;
  }

  get nnzL(): number {
    return this.factors.lRowIdx.length;
  }

  get nnzU(): number {
    return this.factors.uRowIdx.length;
  }

  get pivotGrowth(): number {
    return this.factors.pivotGrowth;
  }

  protected solveInto(b: Float64Array, x: Float64Array, transpose: boolean): void {
    if (transpose) luSolveTranspose(this.factors, b, x, this.work);
    else luSolve(this.factors, b, x, this.work);
  }

  refactor(values: Float64Array): Factorization {
    checkValues(this.symbolic, values);
    const tau = this.options.pivotThreshold ?? this.symbolic.defaultPivotThreshold;
    const f = luRefactor(this.factors, this.symbolic.columns, values, tau) ??
      luFactor(this.symbolic.columns, values, this.symbolic.perm, tau);
    return new LuFactorization(this.symbolic, values, this.options, f);
  }
}

class CholeskyFactorization extends BaseFactorization {
  readonly kind = "cholesky" as const;
  readonly lValues: Float64Array;

  constructor(
    symbolic: Symbolic,
    values: Float64Array,
    options: FactorizeOptions,
    l: Float64Array,
  ) {
    super(symbolic, values, options);
    this.lValues = l;
  }

  get nnzL(): number {
    return this.lValues.length;
  }

  get nnzU(): number {
    return this.lValues.length;
  }

  get pivotGrowth(): number {
    let l = 0, a = 0;
    for (let k = 0; k < this.lValues.length; k++) l = Math.max(l, Math.abs(this.lValues[k]));
    for (let k = 0; k < this.values.length; k++) a = Math.max(a, Math.abs(this.values[k]));
    return (l * l) / (a || 1);
  }

  protected solveInto(b: Float64Array, x: Float64Array): void {
    choleskySolve(this.symbolic.cholesky!, this.lValues, b, x, this.work);
  }

  refactor(values: Float64Array): Factorization {
    return factor(this.symbolic, values, this.options);
  }
}

function positiveDiagonal(A: CsrMatrix): boolean {
  const d = A.diagonal();
  for (let i = 0; i < d.length; i++) if (!(d[i] > 0)) return false;
  return true;
}

/**
 * Numeric factorisation of `values` on a symbolic analysis. For a Cholesky
 * analysis, `kind: "auto"` (the default) falls back to a fresh LU analysis on
 * a pivot that is not positive; `kind: "cholesky"` throws
 * {@linkcode FactorizationError} instead (or {@linkcode SingularMatrixError}
 * for a positive pivot below `n·eps·a_kk`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze } from "./symbolic.ts";
 * import { factor } from "./factor.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const s = analyze(A.pattern, { kind: "cholesky" });
 * const f = factor(s, A.values), g = factor(s, Float64Array.of(8, 2, 2, 6)); // 2A
 * assert.ok(Math.abs(g.solve(Float64Array.of(10, 8))[0] - f.solve(Float64Array.of(5, 4))[0]) < 1e-15);
 * ```
 */
export function factor(
  symbolic: Symbolic,
  values: Float64Array,
  options: FactorizeOptions = {},
): Factorization {
  checkValues(symbolic, values);
  const tau = options.pivotThreshold ?? symbolic.defaultPivotThreshold;
  if (!(tau > 0 && tau <= 1)) {
    throw new RangeError(`Cannot factor: pivotThreshold must be in (0, 1], got ${tau}`);
  }
  if (symbolic.kind === "lu") {
    const f = luFactor(symbolic.columns, values, symbolic.perm, tau);
    return new LuFactorization(symbolic, values, options, f);
  }
  const c = choleskyNumeric(symbolic.cholesky!, values);
  if (c.ok) return new CholeskyFactorization(symbolic, values, options, c.lValues);
  if (options.kind === "cholesky") {
    const detail = `pivot ${c.pivot.toExponential(3)} in column ${c.column} (1-based ${
      c.column + 1
    })`;
    if (c.tiny) {
      throw new SingularMatrixError(`Cannot factor: matrix is singular, ${detail}`, c.column);
    }
    throw new FactorizationError(
      `Cannot build Cholesky factorisation: matrix is not positive definite, ${detail}; use kind lu`,
      c.column,
    );
  }
  const lu = analyze(symbolic.pattern, { kind: "lu", ordering: symbolic.ordering });
  return factor(lu, values, { ...options, kind: "lu" });
}

/**
 * Factors a square CSR matrix: analysis (ordering, structure) then numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, factorize } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1, 0], [1, 4, 1], [0, 1, 4]]);
 * const f = factorize(A); // symmetric, positive diagonal: Cholesky
 * const x = f.solve(Float64Array.of(5, 6, 5));
 * assert.equal(f.kind, "cholesky");
 * assert.ok(Math.abs(x[1] - 1) < 1e-15);
 * assert.ok(f.conditionEstimate() > 1);
 * ```
 *
 * @category Solvers
 */
export function factorize(A: CsrMatrix, options: FactorizeOptions = {}): Factorization {
  const [rows, cols] = A.shape;
  if (rows !== cols) {
    throw new ShapeError(`Cannot factor: matrix is ${rows}x${cols} but must be square`);
  }
  const kind = options.kind ?? "auto";
  const cholesky = kind === "cholesky" ||
    (kind === "auto" && A.symmetric && positiveDiagonal(A));
  const symbolic = analyze(A.pattern, {
    kind: cholesky ? "cholesky" : "lu",
    ordering: options.ordering ?? "amd",
  });
  return factor(symbolic, A.values, options);
}

/**
 * Options of {@linkcode directSolve}.
 *
 * @category Solvers
 */
export interface DirectSolveOptions extends FactorizeOptions {
  /** `throw` (default) raises ConvergenceError when the residual is above √eps; `return` returns the result. @default {"throw"} */
  onFailure?: FailurePolicy;
  /** Maximum steps of iterative refinement (each kept only if it lowers the residual). @default {1} */
  refine?: number;
  /** A factorisation of `A` to reuse (e.g. the forward solve's, for the adjoint). @default {factorize(A)} */
  factorization?: Factorization;
  /** Solve `Aᵀx = b` with the same factors (two transposed triangular solves). @default {false} */
  transpose?: boolean;
}

/**
 * A {@linkcode SolveResult} with the factorisation that produced it (reuse it for the adjoint).
 *
 * @category Solvers
 */
export interface DirectSolveResult extends SolveResult {
  /** The factorisation; `solveTranspose` gives the adjoint solve. */
  readonly factorization: Factorization;
}

/**
 * Solves `A x = b` by factorisation, with up to `refine` steps of iterative
 * refinement in float64 (kept only when they lower the true residual).
 * `iterations` counts the solves with the factors; `relativeResidual` is the
 * true `‖b − Ax‖/‖b‖`. A result above √eps is reported as
 * `diverged-stagnation` with the condition estimate in `message`.
 * Singular matrices throw {@linkcode SingularMatrixError} (there is no x to return).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, directSolve } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[0, 2, 0], [1, 0, 1], [0, 1, 3]]);
 * const r = directSolve(A, Float64Array.of(2, 2, 4));
 * assert.equal(r.reason, "converged-direct");
 * assert.ok(r.relativeResidual < 1e-15);
 * const lambda = r.factorization.solveTranspose(Float64Array.of(1, 0, 0)); // adjoint solve
 * assert.equal(lambda.length, 3);
 * ```
 *
 * @category Solvers
 */
export function directSolve(
  A: CsrMatrix,
  b: Float64Array,
  options: DirectSolveOptions = {},
): DirectSolveResult {
  const n = A.shape[0];
  if (b.length !== n) {
    throw new ShapeError(`Cannot solve: b has length ${b.length} but the matrix has ${n} rows`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(b[i])) throw new NonFiniteError(`Cannot solve: b[${i}] is ${b[i]}`);
  }
  const f = options.factorization ?? factorize(A, options);
  if (f.n !== n) {
    throw new ShapeError(
      `Cannot solve: the factorisation is of order ${f.n} but the matrix has ${n} rows`,
    );
  }
  const transpose = options.transpose ?? false;
  const op = transpose ? transposeOperator(A) : A;
  const solveWith = (rhs: Float64Array) => transpose ? f.solveTranspose(rhs) : f.solve(rhs);
  // At unit scale (s a power of two near max|b|, so b/s is exact): the residual norms can
  // neither overflow nor underflow, and x = s·y is returned at the caller's scale.
  const s = unitScale(b);
  const bs = s === 1 ? b : b.map((v) => v / s);
  const bNorm = norm2(bs);
  let x = solveWith(bs);
  const r = new Float64Array(n);
  let rNorm = trueResidual(op, bs, x, r);
  const history = [bNorm === 0 ? 0 : rNorm / bNorm];
  let solves = 1;
  const maxRefine = options.refine ?? 1;
  const rTrial = new Float64Array(n);
  for (let step = 0; step < maxRefine && rNorm > 0; step++) {
    const d = solveWith(r);
    solves++;
    const xTrial = x.map((v, i) => v + d[i]);
    const trialNorm = trueResidual(op, bs, xTrial, rTrial);
    if (!(trialNorm < rNorm)) break;
    x = xTrial;
    rNorm = trialNorm;
    r.set(rTrial);
    history.push(bNorm === 0 ? 0 : rNorm / bNorm);
  }
  if (s !== 1) { for (let i = 0; i < n; i++) x[i] *= s; }
  const relativeResidual = bNorm === 0 ? 0 : rNorm / bNorm;
  const converged = relativeResidual <= Math.sqrt(Number.EPSILON);
  const name = f.kind === "lu" ? "LU" : "Cholesky";
  let message = `Solved by ${name} factorisation: nnz(L+U) = ${f.nnzL + f.nnzU} (fill ${
    f.fill.toFixed(2)
  }x), pivot growth ${f.pivotGrowth.toExponential(2)}, true relative residual ${
    relativeResidual.toExponential(2)
  }.`;
  if (relativeResidual > 1000 * Number.EPSILON) {
    const kappa = f.conditionEstimate();
    const predicted = kappa * Number.EPSILON;
    message += ` The residual is above the 1000·eps a stable factorisation gives;` +
      ` condition estimate κ₁ ≈ ${kappa.toExponential(2)}` +
      (relativeResidual > predicted
        ? `, so it is also far above the κ₁·eps = ${predicted.toExponential(2)} that predicts.`
        : ".");
  }
  const result: DirectSolveResult = {
    x,
    converged,
    reason: converged ? "converged-direct" : "diverged-stagnation",
    iterations: solves,
    relativeResidual,
    residualNorm: rNorm * s,
    residualHistory: history,
    method: "direct",
    preconditioner: "none",
    message,
    factorization: f,
  };
  return enforcePolicy(result, options.onFailure ?? "throw");
}
