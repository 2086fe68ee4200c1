/**
 * Smoothers built from `A x` and one diagonal, so they map to GPU kernels
 * (SpMV + axpy) as well as to the CPU:
 *
 * - damped Jacobi, `x ← x + ω D⁻¹ (b − A x)`, ω = 4/(3ρ(D⁻¹A)) by default;
 * - L1-Jacobi, `x ← x + D_ℓ₁⁻¹ (b − A x)` with `(D_ℓ₁)_ii = Σ_j |a_ij|`
 *   (no spectral estimate; convergent for every SPD A);
 * - Chebyshev: the degree-m Chebyshev polynomial in `D⁻¹A` on
 *   `[ρ/30, 1.1ρ]` (the range worth damping, as in PyAMG and hypre).
 *
 * Each sweep is a fixed linear map `x ← x + M (b − A x)` with
 * `M = q(WA) W` for the diagonal weights W. Run on `Aᵀ` with the same
 * weights it applies `q(WAᵀ) W = (W q(AW))ᵀ = (q(WA) W)ᵀ = Mᵀ`, which is how
 * the transposed cycle transposes its smoothers exactly.
 *
 * @module
 */

import type { CsrMatrix } from "../../sparse/csr.ts";
import type { AmgSmoother } from "./options.ts";

/** Numbers a smoother needs on one level. */
export interface SmootherState {
  /** Which smoother. */
  readonly kind: AmgSmoother;
  /** Jacobi `ω/a_ii`, L1-Jacobi `1/Σ_j|a_ij|`, Chebyshev `1/a_ii`. */
  readonly weights: Float64Array;
  /** Chebyshev degree (1 for the Jacobi smoothers). */
  readonly degree: number;
  /** Chebyshev interval of `D⁻¹A` (unused by the Jacobi smoothers). */
  lower: number;
  /** Upper end of the Chebyshev interval. */
  upper: number;
}

/**
 * Fills a level's smoother state from A, its diagonal and `ρ(D⁻¹A)`
 * (`weights` reused when given). `jacobiWeight` overrides `4/(3ρ)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smootherState } from "./smoothers.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const A = poisson1d(3);
 * const s = smootherState({ kind: "l1-jacobi", A, diagonal: A.diagonal(), rho: 2 });
 * assert.deepEqual([...s.weights], [1 / 3, 1 / 4, 1 / 3]);
 * ```
 */
export function smootherState(options: {
  kind: AmgSmoother;
  A: CsrMatrix;
  diagonal: Float64Array;
  rho: number;
  degree?: number;
  jacobiWeight?: number | undefined;
  weights?: Float64Array;
}): SmootherState {
  const { kind, A, diagonal: d, rho } = options;
  const n = d.length;
  const w = options.weights ?? new Float64Array(n);
  if (kind === "l1-jacobi") {
    const { rowPtr } = A.pattern;
    const v = A.values;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) s += Math.abs(v[k]);
      w[i] = 1 / s;
    }
  } else {
    const omega = kind === "jacobi" ? (options.jacobiWeight ?? 4 / (3 * rho)) : 1;
    for (let i = 0; i < n; i++) w[i] = omega / d[i];
  }
  return {
    kind,
    weights: w,
    degree: kind === "chebyshev" ? (options.degree ?? 2) : 1,
    lower: rho / 30,
    upper: 1.1 * rho,
  };
}

/** `r ← b − A x`. */
export function residual(A: CsrMatrix, b: Float64Array, x: Float64Array, r: Float64Array): void {
  const { rowPtr, colIdx, nRows } = A.pattern;
  const v = A.values;
  let k = 0;
  for (let i = 0; i < nRows; i++) {
    const end = rowPtr[i + 1];
    let s = b[i];
    for (; k < end; k++) s -= v[k] * x[colIdx[k]];
    r[i] = s;
  }
}

/**
 * Runs `sweeps` sweeps of the smoother on `A x = b`. When `zeroGuess` is
 * true `x` is taken as 0 (and not read), which saves one product. `r` and
 * `d` are scratch vectors of length n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smooth, smootherState } from "./smoothers.ts";
 * import { CsrMatrix } from "../../sparse/csr.ts";
 * // On a diagonal matrix, one L1-Jacobi sweep is the exact solve.
 * const A = CsrMatrix.fromDense([[2, 0], [0, 4]], true);
 * const s = smootherState({ kind: "l1-jacobi", A, diagonal: A.diagonal(), rho: 1 });
 * const x = new Float64Array(2);
 * smooth({ A, state: s, b: Float64Array.of(2, 2), x, zeroGuess: true, sweeps: 1, r: new Float64Array(2), d: new Float64Array(2) });
 * assert.deepEqual([...x], [1, 0.5]);
 * ```
 */
export function smooth(args: {
  A: CsrMatrix;
  state: SmootherState;
  b: Float64Array;
  x: Float64Array;
  zeroGuess: boolean;
  sweeps: number;
  r: Float64Array;
  d: Float64Array;
}): void {
  const { A, state, b, x, sweeps, r, d } = args;
  let zero = args.zeroGuess;
  if (sweeps === 0) {
    if (zero) x.fill(0);
    return;
  }
  for (let s = 0; s < sweeps; s++) {
    if (state.kind === "chebyshev") chebyshev(A, state, b, x, zero, r, d);
    else jacobiSweep(A, state.weights, b, x, zero, r);
    zero = false;
  }
}

function jacobiSweep(
  A: CsrMatrix,
  w: Float64Array,
  b: Float64Array,
  x: Float64Array,
  zero: boolean,
  r: Float64Array,
): void {
  const n = w.length;
  if (zero) {
    for (let i = 0; i < n; i++) x[i] = w[i] * b[i];
    return;
  }
  residual(A, b, x, r);
  for (let i = 0; i < n; i++) x[i] += w[i] * r[i];
}

/**
 * One Chebyshev sweep of degree m (Saad, Iterative Methods, Alg. 12.1 on
 * `D⁻¹A e = D⁻¹ r`): with θ, δ the centre and half-width of the interval,
 * `d₀ = D⁻¹r/θ`, then `r ← r − A d`,
 * `d ← ρ_k ρ_{k−1} d + (2ρ_k/δ) D⁻¹ r`, `ρ_k = 1/(2θ/δ − ρ_{k−1})`.
 */
function chebyshev(
  A: CsrMatrix,
  s: SmootherState,
  b: Float64Array,
  x: Float64Array,
  zero: boolean,
  r: Float64Array,
  d: Float64Array,
): void {
  const w = s.weights;
  const n = w.length;
  const theta = 0.5 * (s.upper + s.lower);
  const delta = 0.5 * (s.upper - s.lower);
  const sigma = theta / delta;
  let rhoK = 1 / sigma;
  if (zero) r.set(b);
  else residual(A, b, x, r);
  const inv = 1 / theta;
  if (zero) {
    for (let i = 0; i < n; i++) {
      const di = inv * w[i] * r[i];
      d[i] = di;
      x[i] = di;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const di = inv * w[i] * r[i];
      d[i] = di;
      x[i] += di;
    }
  }
  const { rowPtr, colIdx } = A.pattern;
  const v = A.values;
  for (let m = 1; m < s.degree; m++) {
    // r ← r − A d
    let k = 0;
    for (let i = 0; i < n; i++) {
      const end = rowPtr[i + 1];
      let t = 0;
      for (; k < end; k++) t += v[k] * d[colIdx[k]];
      r[i] -= t;
    }
    const rhoNext = 1 / (2 * sigma - rhoK);
    const c1 = rhoNext * rhoK, c2 = (2 * rhoNext) / delta;
    for (let i = 0; i < n; i++) {
      const di = c1 * d[i] + c2 * w[i] * r[i];
      d[i] = di;
      x[i] += di;
    }
    rhoK = rhoNext;
  }
}
