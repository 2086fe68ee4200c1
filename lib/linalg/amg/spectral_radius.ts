/**
 * Estimates of `ρ(D⁻¹A)`, the spectral radius of the Jacobi-scaled matrix,
 * which sets the prolongator damping `ω = 4/(3ρ)` and the Chebyshev
 * interval. Deterministic: the start vector comes from a seeded
 * {@linkcode Rng}.
 *
 * @module
 */

import { tridiagonalExtremes } from "../lanczos.ts";
import type { CsrMatrix } from "../../sparse/csr.ts";
import { Rng } from "../../random.ts";

/** Options of {@linkcode spectralRadius}. */
export interface SpectralRadiusOptions {
  /** Lanczos (symmetric) or power (nonsymmetric) steps. @default {12} */
  steps?: number;
  /** Seed of the start vector. @default {0} */
  seed?: number;
  /** Treat A as symmetric with a positive diagonal (use Lanczos). @default {A.symmetric} */
  symmetric?: boolean;
}

/**
 * Estimates `ρ(D⁻¹A)` for a diagonal `d` (all nonzero). For symmetric A with
 * positive diagonal it runs Lanczos on `D^{-1/2} A D^{-1/2}` (similar to
 * `D⁻¹A`) and returns the largest Ritz value, which approaches ρ from below
 * quickly; otherwise it runs power iteration on `D⁻¹A` and returns the last
 * norm ratio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spectralRadius } from "./spectral_radius.ts";
 * import { poisson1d } from "../../sparse/generators.ts";
 * const A = poisson1d(10); // D⁻¹A = I − ½·tridiag(1, 0, 1): ρ = 1 + cos(π/11)
 * const rho = spectralRadius(A, A.diagonal(), { steps: 10 });
 * assert.ok(Math.abs(rho - (1 + Math.cos(Math.PI / 11))) < 1e-10);
 * ```
 */
export function spectralRadius(
  A: CsrMatrix,
  d: Float64Array,
  options: SpectralRadiusOptions = {},
): number {
  const n = d.length;
  const steps = Math.min(options.steps ?? 12, n);
  const rng = new Rng(options.seed ?? 0);
  let positive = true;
  for (let i = 0; i < n; i++) if (!(d[i] > 0)) positive = false;
  const symmetric = (options.symmetric ?? A.symmetric) && positive;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() - 0.5;
  return symmetric ? lanczos(A, d, v, steps) : power(A, d, v, Math.max(steps, 20));
}

function lanczos(A: CsrMatrix, d: Float64Array, v: Float64Array, steps: number): number {
  const n = d.length;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = 1 / Math.sqrt(d[i]);
  let nv = 0;
  for (let i = 0; i < n; i++) nv += v[i] * v[i];
  nv = Math.sqrt(nv);
  for (let i = 0; i < n; i++) v[i] /= nv;
  const vPrev = new Float64Array(n);
  const t = new Float64Array(n);
  const w = new Float64Array(n);
  const alpha: number[] = [], beta: number[] = [];
  let b = 0;
  const { rowPtr, colIdx } = A.pattern;
  const av = A.values;
  for (let i = 0; i < n; i++) t[i] = s[i] * v[i];
  for (let j = 0; j < steps; j++) {
    // w = S A S v − β v_prev, α = wᵀv (t holds S v)
    let a = 0;
    for (let i = 0, k = 0; i < n; i++) {
      const end = rowPtr[i + 1];
      let acc = 0;
      for (; k < end; k++) acc += av[k] * t[colIdx[k]];
      const wi = s[i] * acc - b * vPrev[i];
      w[i] = wi;
      a += wi * v[i];
    }
    alpha.push(a);
    let nw = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i] - a * v[i];
      w[i] = wi;
      nw += wi * wi;
    }
    b = Math.sqrt(nw);
    if (!(b > 1e-14 * Math.abs(a)) || j === steps - 1) break;
    beta.push(b);
    const inv = 1 / b;
    for (let i = 0; i < n; i++) {
      vPrev[i] = v[i];
      const vi = w[i] * inv;
      v[i] = vi;
      t[i] = s[i] * vi;
    }
  }
  // Largest eigenvalue of the Lanczos tridiagonal (Sturm bisection).
  return tridiagonalExtremes(alpha, beta.slice(0, alpha.length - 1)).max;
}

function power(A: CsrMatrix, d: Float64Array, v: Float64Array, steps: number): number {
  const n = d.length;
  const w = new Float64Array(n);
  let rho = 0;
  let nv = 0;
  for (let i = 0; i < n; i++) nv += v[i] * v[i];
  nv = Math.sqrt(nv);
  for (let i = 0; i < n; i++) v[i] /= nv;
  for (let j = 0; j < steps; j++) {
    A.apply(v, w);
    let nw = 0;
    for (let i = 0; i < n; i++) {
      w[i] /= d[i];
      nw += w[i] * w[i];
    }
    rho = Math.sqrt(nw);
    if (!(rho > 0)) return 0;
    for (let i = 0; i < n; i++) v[i] = w[i] / rho;
  }
  return rho;
}
