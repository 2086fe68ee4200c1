/**
 * Small matrices and vectors for the Krylov and preconditioner tests, built
 * inline so every case is easy to read: 2-D Poisson, upwind
 * convection–diffusion, a symmetric indefinite KKT matrix, and a seeded RNG.
 *
 * @module
 */

import { CsrMatrix } from "../lib/sparse/csr.ts";

/** Mulberry32: a seeded uniform generator on [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A vector of `n` uniform values in [-1, 1) from `seed`. */
export function randomVector(n: number, seed: number): Float64Array {
  const next = rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * next() - 1;
  return v;
}

/** 5-point Laplacian on an N×N interior grid (Dirichlet), order N², SPD. */
export function poisson(N: number): CsrMatrix {
  const r: number[] = [], c: number[] = [], v: number[] = [];
  const add = (i: number, j: number, x: number) => (r.push(i), c.push(j), v.push(x));
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = y * N + x;
      add(i, i, 4);
      if (x > 0) add(i, i - 1, -1);
      if (x < N - 1) add(i, i + 1, -1);
      if (y > 0) add(i, i - N, -1);
      if (y < N - 1) add(i, i + N, -1);
    }
  }
  return CsrMatrix.fromTriplets(N * N, N * N, r, c, v);
}

/**
 * Upwind convection–diffusion `−Δu + w·∇u` on an N×N grid with wind
 * `(wx, wy)` times the mesh size: nonsymmetric, diagonally dominant.
 */
export function convectionDiffusion(N: number, wx = 1, wy = 0.5): CsrMatrix {
  const r: number[] = [], c: number[] = [], v: number[] = [];
  const add = (i: number, j: number, x: number) => (r.push(i), c.push(j), v.push(x));
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = y * N + x;
      add(i, i, 4 + wx + wy);
      if (x > 0) add(i, i - 1, -1 - wx);
      if (x < N - 1) add(i, i + 1, -1);
      if (y > 0) add(i, i - N, -1 - wy);
      if (y < N - 1) add(i, i + N, -1);
    }
  }
  return CsrMatrix.fromTriplets(N * N, N * N, r, c, v);
}

/**
 * Symmetric indefinite saddle-point matrix `[[K, Bᵀ], [B, 0]]` with `K` the
 * 1-D Laplacian of order `m` and `B` the `m/2 × m` difference of
 * neighbouring pairs (full row rank): nonsingular, with negative eigenvalues.
 */
export function kkt(m: number): CsrMatrix {
  const k = m >> 1, n = m + k;
  const r: number[] = [], c: number[] = [], v: number[] = [];
  const add = (i: number, j: number, x: number) => (r.push(i), c.push(j), v.push(x));
  for (let i = 0; i < m; i++) {
    add(i, i, 2);
    if (i > 0) add(i, i - 1, -1);
    if (i < m - 1) add(i, i + 1, -1);
  }
  for (let i = 0; i < k; i++) {
    add(m + i, 2 * i, 1);
    add(2 * i, m + i, 1);
    add(m + i, 2 * i + 1, -1);
    add(2 * i + 1, m + i, -1);
  }
  return CsrMatrix.fromTriplets(n, n, r, c, v);
}

/** Largest absolute difference between two vectors. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Largest absolute value of a vector. */
export function maxAbs(a: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]));
  return d;
}

/** Asserts `max|a − b| ≤ tol · max|b|`, naming `what` and the error in the message. */
export function assertClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol: number,
  what = "values",
): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  if (!(d <= tol * s)) throw new Error(`${what}: max error ${d} (scale ${s}, tol ${tol})`);
}
