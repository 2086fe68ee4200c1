import assert from "node:assert/strict";
import { logNormalField, Rng, smoothGaussianField } from "@gradsolve/gradsolve";

const nx = 16, cells = nx * nx, draws = 200;

/** Mean of x[k]·x[k+1] over horizontally adjacent cells, divided by `variance`. */
function neighbourCorrelation(fields: Float64Array[], variance: number): number {
  let s = 0, count = 0;
  for (const f of fields) {
    for (let j = 0; j < nx; j++) {
      for (let i = 0; i + 1 < nx; i++) (s += f[j * nx + i] * f[j * nx + i + 1]), count++;
    }
  }
  return s / count / variance;
}

Deno.test("logNormalField(): log κ has mean 0 and standard deviation σ on every draw", () => {
  const rng = new Rng(5);
  for (const sigma of [0.5, 1.5, 3]) {
    const kappa = logNormalField(nx, rng, sigma);
    assert.equal(kappa.length, cells);
    assert.ok(kappa.every((v) => v > 0 && v < Infinity));
    const g = Array.from(kappa, Math.log);
    const mean = g.reduce((s, v) => s + v, 0) / cells;
    const sd = Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / cells);
    assert.ok(Math.abs(mean) < 1e-12, `mean ${mean}`);
    assert.ok(Math.abs(sd - sigma) < 1e-12, `sd ${sd}`);
  }
  assert.ok(logNormalField(nx, new Rng(5), 0).every((v) => v === 1));
});

Deno.test("logNormalField(): over 200 seeded draws each cell has mean ≈ 0, variance ≈ σ², smooth in space", () => {
  const sigma = 1.5, rng = new Rng(11);
  const logs = Array.from({ length: draws }, () => logNormalField(nx, rng, sigma).map(Math.log));
  const cellMean = new Float64Array(cells), cellVar = new Float64Array(cells);
  for (const g of logs) for (let k = 0; k < cells; k++) cellMean[k] += g[k] / draws;
  for (const g of logs) for (let k = 0; k < cells; k++) cellVar[k] += g[k] ** 2 / draws;
  // Sampling error of a cell mean is σ/√200 ≈ 0.106: the RMS over cells measures 0.111.
  const rmsMean = Math.sqrt(cellMean.reduce((s, v) => s + v * v, 0) / cells);
  assert.ok(rmsMean < 0.15, `RMS of the cell means ${rmsMean}`);
  // Every draw has variance σ² over the grid, so the cell variances average to σ² exactly;
  // each one is within sampling error of it (measured 0.80σ² … 1.40σ²).
  const meanVar = cellVar.reduce((s, v) => s + v, 0) / cells;
  assert.ok(Math.abs(meanVar - sigma ** 2) < 1e-9, `mean cell variance ${meanVar}`);
  for (const v of cellVar) assert.ok(v > 0.7 * sigma ** 2 && v < 1.5 * sigma ** 2, `${v}`);
  // Low wave numbers only: neighbours correlate strongly (measured 0.86).
  const rho = neighbourCorrelation(logs, sigma ** 2);
  assert.ok(rho > 0.8 && rho < 0.95, `neighbour correlation ${rho}`);
});

Deno.test("smoothGaussianField(): RMS = amplitude, mean ≈ 0 and correlated neighbours over 200 draws", () => {
  const rng = new Rng(11);
  const fields = Array.from({ length: draws }, () => smoothGaussianField(nx, rng, 2));
  for (const f of fields) {
    const rms = Math.sqrt(f.reduce((s, v) => s + v * v, 0) / cells);
    assert.ok(Math.abs(rms - 2) < 1e-12, `rms ${rms}`);
  }
  let mean = 0;
  for (const f of fields) for (const v of f) mean += v / (draws * cells);
  assert.ok(Math.abs(mean) < 0.2, `pooled mean ${mean}`); // measured −0.077 (amplitude 2)
  const rho = neighbourCorrelation(fields, 4);
  assert.ok(rho > 0.8 && rho < 0.95, `neighbour correlation ${rho}`); // measured 0.87
});

Deno.test("random fields are deterministic for a seed and reject bad arguments", () => {
  assert.deepEqual(logNormalField(8, new Rng(3), 1), logNormalField(8, new Rng(3), 1));
  assert.notDeepEqual(logNormalField(8, new Rng(3), 1), logNormalField(8, new Rng(4), 1));
  assert.deepEqual(smoothGaussianField(8, new Rng(3), 1), smoothGaussianField(8, new Rng(3), 1));
  assert.throws(() => logNormalField(0, new Rng(0), 1), RangeError);
  assert.throws(() => logNormalField(2.5, new Rng(0), 1), RangeError);
  assert.throws(() => logNormalField(4, new Rng(0), -1), RangeError);
  assert.throws(() => smoothGaussianField(4, new Rng(0), Number.NaN), RangeError);
});
