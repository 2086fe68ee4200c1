/**
 * Spectrum estimates from conjugate-gradient coefficients (the CG–Lanczos
 * relation; Saad, *Iterative Methods for Sparse Linear Systems*, 2003,
 * §6.7.3).
 *
 * m steps of (preconditioned) CG with step lengths `α_0 … α_{m−1}` and
 * direction updates `β_0 … β_{m−2}` (`p_{j+1} = z_{j+1} + β_j p_j`,
 * `β_j = r_{j+1}ᵀz_{j+1} / r_jᵀz_j`) are m steps of Lanczos on `M⁻¹A` in the
 * M-inner product. The Lanczos tridiagonal `T_m` is
 *
 * ```
 * T_jj     = 1/α_j + β_{j−1}/α_{j−1}      (β_{−1}/α_{−1} = 0)
 * T_{j,j+1} = T_{j+1,j} = √β_j / α_j
 * ```
 *
 * Its eigenvalues (Ritz values) interlace with those of `M⁻¹A` and its
 * extreme ones converge first, from inside, to `λmin` and `λmax`; so
 * `λmax(T)/λmin(T)` is a lower estimate of `κ(M⁻¹A)` that is sharp once CG
 * has run long enough (exact after n steps in exact arithmetic).
 *
 * @module
 */

/**
 * Extreme eigenvalues of a tridiagonal matrix.
 *
 * @category Solvers
 */
export interface TridiagonalExtremes {
  /** Smallest eigenvalue. */
  readonly min: number;
  /** Largest eigenvalue. */
  readonly max: number;
}

/**
 * Smallest and largest eigenvalue of the symmetric tridiagonal matrix with
 * diagonal `d` and off-diagonal `e` (length `d.length − 1`), by bisection on
 * the Sturm count: the number of eigenvalues below `x` is the number of
 * negative pivots of the LDLᵀ factorisation of `T − xI`
 * (`piv_i = d_i − x − e_{i−1}²/piv_{i−1}`), searched inside the Gershgorin
 * interval to relative accuracy 1e-15. Throws `RangeError` for an empty `d`
 * or an `e` of the wrong length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tridiagonalExtremes } from "@gradsolve/gradsolve";
 * const { min, max } = tridiagonalExtremes([2, 2], [1]); // eigenvalues 1 and 3
 * assert.ok(Math.abs(min - 1) < 1e-12);
 * assert.ok(Math.abs(max - 3) < 1e-12);
 * ```
 *
 * @category Solvers
 */
export function tridiagonalExtremes(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
): TridiagonalExtremes {
  const m = d.length;
  if (m === 0) throw new RangeError("Cannot find tridiagonal eigenvalues: the diagonal is empty");
  if (e.length !== m - 1) {
    throw new RangeError(
      `Cannot find tridiagonal eigenvalues: the off-diagonal has length ${e.length}, expected ${
        m - 1
      }`,
    );
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const rad = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < m - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - rad);
    hi = Math.max(hi, d[i] + rad);
  }
  // Number of eigenvalues < x (negative pivots of the LDLᵀ of T − xI).
  const below = (x: number): number => {
    let count = 0, piv = 1;
    for (let i = 0; i < m; i++) {
      piv = d[i] - x - (i > 0 ? (e[i - 1] * e[i - 1]) / piv : 0);
      if (piv === 0) piv = -1e-300;
      if (piv < 0) count++;
    }
    return count;
  };
  // The k-th smallest eigenvalue (k from 0).
  const bisect = (k: number): number => {
    let a = lo, b = hi;
    for (let it = 0; it < 200 && b - a > 1e-15 * Math.max(Math.abs(a), Math.abs(b)); it++) {
      const mid = 0.5 * (a + b);
      if (below(mid) > k) b = mid;
      else a = mid;
    }
    return 0.5 * (a + b);
  };
  return { min: bisect(0), max: bisect(m - 1) };
}

/**
 * A spectrum estimate of the (preconditioned) matrix from CG coefficients.
 *
 * @category Solvers
 */
export interface LanczosEstimate {
  /** Smallest Ritz value (an upper estimate of λmin). */
  readonly lambdaMin: number;
  /** Largest Ritz value (a lower estimate of λmax). */
  readonly lambdaMax: number;
  /** `lambdaMax / lambdaMin` (a lower estimate of κ). */
  readonly condition: number;
}

/**
 * Extreme eigenvalues and condition number of `M⁻¹A` estimated from the
 * coefficients of m CG steps: `alphas` are `α_0 … α_{m−1}`, `betas` at least
 * `β_0 … β_{m−2}` (extra entries are ignored). From a `cg` callback these are
 * `info.alpha` of every iteration and `info.beta` where defined (at
 * iteration `i ≥ 2` it is `β_{i−2}`). Builds the Lanczos tridiagonal (see the
 * module doc) and takes its extreme eigenvalues with
 * {@linkcode tridiagonalExtremes}. Throws `RangeError` when `alphas` is
 * empty, `betas` is too short, or a coefficient is not positive and finite
 * (`α_j > 0`, `β_j ≥ 0`: what CG on an SPD system produces).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, CsrMatrix, lanczosCondition } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, 0, 0], [0, 5, 0], [0, 0, 8]]);
 * const alphas: number[] = [], betas: number[] = [];
 * cg(A, Float64Array.of(1, 1, 1), {
 *   rtol: 1e-14,
 *   callback: (info) => {
 *     alphas.push(info.alpha!);
 *     if (info.beta !== undefined) betas.push(info.beta);
 *   },
 * });
 * const est = lanczosCondition(alphas, betas); // 3 steps: T has A's eigenvalues
 * assert.ok(Math.abs(est.lambdaMin - 2) < 1e-9);
 * assert.ok(Math.abs(est.lambdaMax - 8) < 1e-9);
 * assert.ok(Math.abs(est.condition - 4) < 1e-9);
 * ```
 *
 * @category Solvers
 */
export function lanczosCondition(
  alphas: ArrayLike<number>,
  betas: ArrayLike<number>,
): LanczosEstimate {
  const m = alphas.length;
  if (m === 0) throw new RangeError("Cannot estimate the condition number: no CG step (α) given");
  if (betas.length < m - 1) {
    throw new RangeError(
      `Cannot estimate the condition number: ${m} step lengths need ${
        m - 1
      } β, got ${betas.length}`,
    );
  }
  for (let j = 0; j < m; j++) {
    if (!(alphas[j] > 0 && alphas[j] < Infinity)) {
      throw new RangeError(
        `Cannot estimate the condition number: α_${j} = ${alphas[j]} is not positive and finite`,
      );
    }
    if (j < m - 1 && !(betas[j] >= 0 && betas[j] < Infinity)) {
      throw new RangeError(
        `Cannot estimate the condition number: β_${j} = ${betas[j]} is not finite and >= 0`,
      );
    }
  }
  const d = new Float64Array(m), e = new Float64Array(m - 1);
  for (let j = 0; j < m; j++) {
    d[j] = 1 / alphas[j] + (j > 0 ? betas[j - 1] / alphas[j - 1] : 0);
    if (j < m - 1) e[j] = Math.sqrt(betas[j]) / alphas[j];
  }
  const { min, max } = tridiagonalExtremes(d, e);
  return { lambdaMin: min, lambdaMax: max, condition: max / min };
}
