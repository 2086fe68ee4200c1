/**
 * Seeded smooth random fields on a square grid, for random-coefficient
 * problems such as `diffusion2d(kappa, nx)`. Cells are numbered like the grid
 * generators: cell (i, j) is `j·nx + i`.
 *
 * @module
 */

import type { Rng } from "../random.ts";

function checkGrid(what: string, nx: number, scale: number, scaleName: string): void {
  if (!(Number.isInteger(nx) && nx >= 1)) {
    throw new RangeError(`Cannot draw ${what}: nx must be an integer >= 1, got ${nx}`);
  }
  if (!(scale >= 0 && scale < Infinity)) {
    throw new RangeError(`Cannot draw ${what}: ${scaleName} must be finite and >= 0, got ${scale}`);
  }
}

/**
 * A smooth random log-normal coefficient field on an `nx × nx` grid,
 * `κ = exp(σ·g)`: `g` is a sum of random Fourier modes
 * `a_k cos(2π(k_x i + k_y j)/nx + φ_k)` over the half-plane of wave vectors
 * with `|k_x|, |k_y| ≤ 4`, amplitudes `a_k ~ N(0, 1)/(1 + |k|²)` and phases
 * uniform, then centred and scaled so that over the grid `log κ` has mean 0
 * and standard deviation exactly `σ` (so κ spans about `e^{±2σ}`). Draws
 * one normal and one uniform number from `rng` per mode (40 modes). Throws
 * `RangeError` for a bad `nx` or `sigma`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logNormalField, Rng } from "@gradsolve/gradsolve";
 * const kappa = logNormalField(8, new Rng(0), 1.5);
 * assert.equal(kappa.length, 64);
 * assert.ok(kappa.every((v) => v > 0));
 * const logs = Array.from(kappa, Math.log);
 * const mean = logs.reduce((s, v) => s + v, 0) / 64;
 * const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / 64);
 * assert.ok(Math.abs(mean) < 1e-12);
 * assert.ok(Math.abs(sd - 1.5) < 1e-12);
 * ```
 *
 * @category Sparse
 */
export function logNormalField(nx: number, rng: Rng, sigma: number): Float64Array {
  checkGrid("a log-normal field", nx, sigma, "sigma");
  const g = new Float64Array(nx * nx);
  for (let kx = 0; kx <= 4; kx++) {
    for (let ky = -4; ky <= 4; ky++) {
      if (kx === 0 && ky <= 0) continue;
      const amp = rng.normal() / (1 + kx * kx + ky * ky), phase = 2 * Math.PI * rng.next();
      for (let j = 0; j < nx; j++) {
        for (let i = 0; i < nx; i++) {
          g[j * nx + i] += amp * Math.cos((2 * Math.PI * (kx * i + ky * j)) / nx + phase);
        }
      }
    }
  }
  let m = 0, v = 0;
  for (const x of g) m += x / g.length;
  for (const x of g) v += (x - m) ** 2 / g.length;
  const sd = Math.sqrt(v) || 1;
  return g.map((x) => Math.exp((sigma * (x - m)) / sd));
}

/**
 * A smooth random Gaussian field on an `m × m` grid: white noise `N(0, 1)`
 * per cell, smoothed by three passes of 3×3 neighbour averaging (cells
 * outside the grid left out of the average), then scaled so that its root
 * mean square over the grid is exactly `amplitude`. Its mean is 0 in
 * expectation (not centred per draw), neighbouring cells are strongly
 * correlated, and `exp` of it is a log-normal coefficient field. Draws
 * `m²` normals from `rng`. Throws `RangeError` for a bad `m` or `amplitude`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, smoothGaussianField } from "@gradsolve/gradsolve";
 * const theta = smoothGaussianField(12, new Rng(0), 2);
 * assert.equal(theta.length, 144);
 * const rms = Math.sqrt(theta.reduce((s, v) => s + v * v, 0) / 144);
 * assert.ok(Math.abs(rms - 2) < 1e-12);
 * ```
 *
 * @category Sparse
 */
export function smoothGaussianField(m: number, rng: Rng, amplitude: number): Float64Array {
  checkGrid("a Gaussian field", m, amplitude, "amplitude");
  let f = Float64Array.from({ length: m * m }, () => rng.normal());
  for (let pass = 0; pass < 3; pass++) {
    const g = new Float64Array(f.length);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        let s = 0, w = 0;
        for (let dj = -1; dj <= 1; dj++) {
          for (let di = -1; di <= 1; di++) {
            const ii = i + di, jj = j + dj;
            if (ii >= 0 && ii < m && jj >= 0 && jj < m) (s += f[jj * m + ii]), w++;
          }
        }
        g[j * m + i] = s / w;
      }
    }
    f = g;
  }
  let ss = 0;
  for (let i = 0; i < f.length; i++) ss += f[i] * f[i];
  const rms = Math.sqrt(ss) / Math.sqrt(f.length);
  return f.map((v) => (amplitude * v) / rms);
}
