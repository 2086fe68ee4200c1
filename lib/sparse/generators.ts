/**
 * Test and benchmark problems as CSR matrices: finite-difference Poisson
 * matrices in 1, 2 and 3 dimensions, variable-coefficient diffusion (with
 * the face map that lets a caller differentiate through assembly),
 * upwind convection–diffusion, and seeded random sparse matrices.
 *
 * Grid problems number unknowns with the first axis fastest: in 2-D the
 * unknown at (i, j) is row `j·nx + i`, in 3-D (i, j, k) is
 * `(k·ny + j)·nx + i`, the order of `shared/bench/cg_reference.cpp`.
 * Boundaries are homogeneous Dirichlet: the boundary nodes are eliminated,
 * so a row next to the boundary keeps the full diagonal and loses the
 * off-diagonal entry.
 *
 * @module
 */

import { NonFiniteError, ShapeError } from "../errors.ts";
import { Rng } from "../random.ts";
import { patternFromTriplets, scatterTriplets } from "./coo.ts";
import { CsrMatrix } from "./csr.ts";
import { CsrPattern } from "./pattern.ts";

/**
 * 1-D Poisson matrix `tridiag(−1, 2, −1)` of order `n` (3-point stencil,
 * Dirichlet at both ends, unscaled: multiply by 1/h² for −u″).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poisson1d } from "@gradsolve/gradsolve";
 * const A = poisson1d(3);
 * assert.equal(A.nnz, 7);
 * assert.equal(A.get(1, 1), 2);
 * assert.equal(A.get(1, 2), -1);
 * ```
 *
 * @category Sparse
 */
export function poisson1d(n: number): CsrMatrix {
  return gridMatrix("poisson1d", [n], [-1], [-1], 2);
}

/**
 * 2-D Poisson matrix on an `nx × ny` grid of interior nodes: the 5-point
 * stencil with diagonal 4 and off-diagonals −1 (unscaled, Dirichlet), row
 * `j·nx + i`, columns sorted — identical to `cg_reference.cpp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poisson2d } from "@gradsolve/gradsolve";
 * const A = poisson2d(3); // 9 unknowns
 * assert.equal(A.shape[0], 9);
 * assert.equal(A.nnz, 33);
 * assert.equal(A.get(4, 1), -1);
 * ```
 *
 * @category Sparse
 */
export function poisson2d(nx: number, ny: number = nx): CsrMatrix {
  return gridMatrix("poisson2d", [nx, ny], [-1, -1], [-1, -1], 4);
}

/**
 * Anisotropic 2-D diffusion `−ε u_xx − u_yy` on an `nx × ny` grid (5-point,
 * Dirichlet, unscaled): couplings `−ε` along x, `−1` along y, diagonal
 * `2ε + 2`. The standard hard case of aggregation AMG for small ε: the
 * x-couplings are weak and coarsening must follow y. Throws `RangeError`
 * unless ε is finite and > 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anisotropic2d } from "@gradsolve/gradsolve";
 * const A = anisotropic2d(4, 4, 1e-3);
 * assert.equal(A.get(5, 4), -1e-3);
 * assert.equal(A.get(5, 1), -1);
 * assert.equal(A.get(5, 5), 2.002);
 * ```
 *
 * @category Sparse
 */
export function anisotropic2d(nx: number, ny: number, eps: number): CsrMatrix {
  if (!(eps > 0 && eps < Infinity)) {
    throw new RangeError(`anisotropic2d: eps must be finite and > 0, got ${eps}`);
  }
  return gridMatrix("anisotropic2d", [nx, ny], [-eps, -1], [-eps, -1], 2 * eps + 2);
}

/**
 * 3-D Poisson matrix on an `nx × ny × nz` grid of interior nodes: the
 * 7-point stencil with diagonal 6 and off-diagonals −1 (unscaled,
 * Dirichlet), row `(k·ny + j)·nx + i`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poisson3d } from "@gradsolve/gradsolve";
 * const A = poisson3d(2, 2, 2);
 * assert.equal(A.shape[0], 8);
 * assert.equal(A.get(0, 0), 6);
 * assert.equal(A.get(0, 4), -1);
 * ```
 *
 * @category Sparse
 */
export function poisson3d(nx: number, ny: number = nx, nz: number = nx): CsrMatrix {
  return gridMatrix("poisson3d", [nx, ny, nz], [-1, -1, -1], [-1, -1, -1], 6);
}

/**
 * Options of {@linkcode diffusion2d}.
 *
 * @category Sparse
 */
export interface Diffusion2dOptions {
  /**
   * Grid spacing; every entry is scaled by 1/h². The default gives the
   * scaling of {@linkcode poisson2d}: with constant κ, `diffusion2d` is
   * `κ·poisson2d`.
   *
   * @default {1}
   */
  h?: number;
}

/**
 * The faces of a 2-D grid and the two cells each separates.
 *
 * @category Sparse
 */
export interface DiffusionFaces {
  /** First cell of each face (the only one for a boundary face). */
  readonly cellA: Int32Array;
  /** Second cell of each face, −1 for a boundary face. */
  readonly cellB: Int32Array;
}

/**
 * For stored entry `k`, the faces `faces[offsets[k] .. offsets[k+1]-1]` and
 * their signs `signs[...]` (+1 on the diagonal, −1 off it).
 *
 * @category Sparse
 */
export interface DiffusionEntryFaces {
  /** Start of each stored entry's faces; length `nnz + 1`. */
  readonly offsets: Int32Array;
  /** Face index of each contribution. */
  readonly faces: Int32Array;
  /** Sign of each contribution. */
  readonly signs: Float64Array;
}

/**
 * The linear map from face coefficients to matrix values:
 * `values[k] = (1/h²) · Σ signs[q] · w[faces[q]]` over the contributions q
 * of entry k, where a face coefficient is `w = 2κ_A κ_B / (κ_A + κ_B)`
 * (harmonic mean) for an interior face and `w = κ_A` for a boundary face.
 *
 * @category Sparse
 */
export interface DiffusionStencil {
  /** Cells on either side of every face. */
  readonly faces: DiffusionFaces;
  /** Faces feeding every stored entry. */
  readonly entryFace: DiffusionEntryFaces;
}

/**
 * Pattern and face map of {@linkcode diffusion2d}.
 *
 * @category Sparse
 */
export interface Diffusion2dPattern {
  /** The 5-point pattern (the same as {@linkcode poisson2d}'s). */
  readonly pattern: CsrPattern;
  /** How values follow from face coefficients. */
  readonly stencil: DiffusionStencil;
}

/**
 * Pattern and face map of the 2-D variable-coefficient diffusion matrix on
 * `nx × ny` cells. Faces are numbered x-faces first — face `j·(nx+1) + i`
 * lies west of cell (i, j), for i = 0..nx — then y-faces — face
 * `(nx+1)·ny + j·nx + i` lies south of cell (i, j), for j = 0..ny. Interior
 * faces have `cellA < cellB`; the faces on the grid's edge are boundary
 * faces (`cellB = −1`). The diagonal entry of a cell sums its 4 faces
 * (+1); the entry coupling two cells is minus their shared face.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffusion2dPattern } from "@gradsolve/gradsolve";
 * const { pattern, stencil } = diffusion2dPattern(2, 1);
 * assert.equal(pattern.nnz, 4);
 * assert.equal(stencil.faces.cellA.length, 7);
 * assert.equal(stencil.faces.cellA[1], 0);
 * assert.equal(stencil.faces.cellB[1], 1); // face between cells 0 and 1
 * ```
 *
 * @category Sparse
 */
export function diffusion2dPattern(nx: number, ny: number = nx): Diffusion2dPattern {
  const n = gridSize("diffusion2dPattern", [nx, ny]);
  const nnz = gridNnz([nx, ny]);
  const xFaces = (nx + 1) * ny;
  const nFaces = xFaces + nx * (ny + 1);
  const cellA = new Int32Array(nFaces);
  const cellB = new Int32Array(nFaces);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const f = j * (nx + 1) + i, r = j * nx + i;
      cellA[f] = i === 0 ? r : r - 1;
      cellB[f] = i === 0 || i === nx ? -1 : r;
    }
  }
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i < nx; i++) {
      const f = xFaces + j * nx + i, r = j * nx + i;
      cellA[f] = j === 0 ? r : r - nx;
      cellB[f] = j === 0 || j === ny ? -1 : r;
    }
  }
  const rowPtr = new Int32Array(n + 1);
  const colIdx = new Int32Array(nnz);
  const offsets = new Int32Array(nnz + 1);
  const faces = new Int32Array(nnz + 3 * n); // one per entry, three more per diagonal
  const signs = new Float64Array(nnz + 3 * n);
  let k = 0, q = 0;
  const push = (col: number, face: number): void => {
    colIdx[k] = col;
    faces[q] = face;
    signs[q++] = -1;
    offsets[++k] = q;
  };
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const r = j * nx + i;
      const west = j * (nx + 1) + i, south = xFaces + j * nx + i;
      if (j > 0) push(r - nx, south);
      if (i > 0) push(r - 1, west);
      colIdx[k] = r;
      for (const f of [west, west + 1, south, south + nx]) {
        faces[q] = f;
        signs[q++] = 1;
      }
      offsets[++k] = q;
      if (i < nx - 1) push(r + 1, west + 1);
      if (j < ny - 1) push(r + nx, south + nx);
      rowPtr[r + 1] = k;
    }
  }
  return {
    pattern: new CsrPattern(n, n, rowPtr, colIdx),
    stencil: { faces: { cellA, cellB }, entryFace: { offsets, faces, signs } },
  };
}

/**
 * The matrix of `−∇·(κ ∇u)` on `nx × ny` cells with cell coefficients
 * `kappa` (length nx·ny, row `j·nx + i`, all finite and > 0), homogeneous
 * Dirichlet boundary: 5-point stencil whose face coefficients are harmonic
 * means of the two neighbouring cells' κ, boundary faces using the cell's
 * own κ, all divided by h². Symmetric positive definite. Built from
 * {@linkcode diffusion2dPattern}'s face map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffusion2d, poisson2d } from "@gradsolve/gradsolve";
 * const A = diffusion2d(new Float64Array(9).fill(2), 3);
 * const P = poisson2d(3);
 * assert.ok(A.values.every((v, k) => v === 2 * P.values[k]));
 * ```
 *
 * @category Sparse
 */
export function diffusion2d(
  kappa: Float64Array,
  nx: number,
  ny: number = nx,
  options: Diffusion2dOptions = {},
): CsrMatrix {
  const { h = 1 } = options;
  const { pattern, stencil } = diffusion2dPattern(nx, ny);
  if (kappa.length !== nx * ny) {
    throw new ShapeError(
      `Cannot build diffusion2d: kappa has length ${kappa.length} but the ${nx}x${ny} grid has ${
        nx * ny
      } cells`,
    );
  }
  for (let c = 0; c < kappa.length; c++) {
    if (Number.isNaN(kappa[c])) {
      throw new NonFiniteError(`Cannot build diffusion2d: kappa[${c}] is NaN`);
    }
    if (!(kappa[c] > 0 && kappa[c] < Infinity)) {
      throw new RangeError(
        `Cannot build diffusion2d: kappa[${c}] must be finite and > 0, got ${kappa[c]}`,
      );
    }
  }
  checkSpacing("diffusion2d", h);
  const { cellA, cellB } = stencil.faces;
  const w = new Float64Array(cellA.length);
  for (let f = 0; f < w.length; f++) {
    const a = kappa[cellA[f]];
    const b = cellB[f];
    w[f] = b < 0 ? a : (2 * a * kappa[b]) / (a + kappa[b]);
  }
  const { offsets, faces, signs } = stencil.entryFace;
  const scale = 1 / (h * h);
  const values = new Float64Array(pattern.nnz);
  for (let k = 0; k < values.length; k++) {
    let s = 0;
    for (let q = offsets[k]; q < offsets[k + 1]; q++) s += signs[q] * w[faces[q]];
    values[k] = s * scale;
  }
  return new CsrMatrix(pattern, values);
}

/**
 * Options of {@linkcode convectionDiffusion2d}.
 *
 * @category Sparse
 */
export interface ConvectionDiffusion2dOptions {
  /** Constant velocity `[wx, wy]` (finite). */
  wind: readonly [number, number];
  /**
   * Diffusion coefficient ε ≥ 0.
   *
   * @default {1}
   */
  diffusion?: number;
  /**
   * Grid spacing: diffusion entries scale as ε/h², convection entries as
   * |w|/h.
   *
   * @default {1}
   */
  h?: number;
}

/**
 * The matrix of `−ε Δu + w·∇u` on an `nx × ny` grid of interior nodes
 * (Dirichlet, row `j·nx + i`, the 5-point pattern of {@linkcode poisson2d}):
 * diffusion by the 5-point stencil, convection by first-order upwind
 * differences — backward along an axis where its wind component is > 0,
 * forward where it is < 0. Off-diagonals are ≤ 0 and the diagonal
 * `4ε/h² + (|wx| + |wy|)/h` dominates, so it is a nonsingular M-matrix
 * for ε > 0; nonsymmetric whenever the wind is nonzero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convectionDiffusion2d } from "@gradsolve/gradsolve";
 * const A = convectionDiffusion2d(3, 3, { wind: [1, 0] });
 * assert.equal(A.get(4, 4), 5);
 * assert.equal(A.get(4, 3), -2);
 * assert.equal(A.get(4, 5), -1);
 * ```
 *
 * @category Sparse
 */
export function convectionDiffusion2d(
  nx: number,
  ny: number = nx,
  options: ConvectionDiffusion2dOptions,
): CsrMatrix {
  const { wind, diffusion = 1, h = 1 } = options;
  const [wx, wy] = wind;
  if (!Number.isFinite(wx) || !Number.isFinite(wy)) {
    throw new NonFiniteError(`Cannot build convectionDiffusion2d: wind is [${wx}, ${wy}]`);
  }
  if (!(diffusion >= 0 && diffusion < Infinity)) {
    throw new RangeError(
      `Cannot build convectionDiffusion2d: diffusion must be finite and >= 0, got ${diffusion}`,
    );
  }
  checkSpacing("convectionDiffusion2d", h);
  const d = diffusion / (h * h);
  const lower = [-d - Math.max(wx, 0) / h, -d - Math.max(wy, 0) / h];
  const upper = [-d + Math.min(wx, 0) / h, -d + Math.min(wy, 0) / h];
  const diag = 4 * d + (Math.abs(wx) + Math.abs(wy)) / h;
  return gridMatrix("convectionDiffusion2d", [nx, ny], lower, upper, diag);
}

/**
 * Options of {@linkcode randomSparseSpd}.
 *
 * @category Sparse
 */
export interface RandomSparseSpdOptions {
  /** Seed of the {@linkcode Rng} that draws the pattern and values. */
  seed: number;
  /**
   * Target mean of stored entries per row, diagonal included; coincident
   * random pairs merge, so the result can be slightly lower. Give this or
   * `density`, not both.
   *
   * @default {Math.min(5, n)}
   */
  nnzPerRow?: number;
  /**
   * Fraction in [0, 1] of the off-diagonal pairs (i, j) to draw (before
   * merging coincident ones); replaces `nnzPerRow`.
   *
   * @default {undefined}
   */
  density?: number;
  /**
   * Margin of diagonal dominance: `A[i, i] = Σ_{j≠i} |A[i, j]| + shift`,
   * so by Gershgorin every eigenvalue is ≥ shift.
   *
   * @default {1}
   */
  shift?: number;
}

/**
 * A random sparse symmetric positive definite matrix of order `n`:
 * random symmetric off-diagonal pairs with values uniform in [−1, 1), and a
 * positive diagonal that dominates each row by `shift`, so every
 * eigenvalue lies in `[shift, shift + 2·max_i Σ_{j≠i} |A[i, j]|]`.
 * Deterministic for a seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomSparseSpd } from "@gradsolve/gradsolve";
 * const A = randomSparseSpd(50, { seed: 1, nnzPerRow: 7 });
 * assert.ok(A.symmetric);
 * assert.equal(A.shape[0], 50);
 * ```
 *
 * @category Sparse
 */
export function randomSparseSpd(n: number, options: RandomSparseSpdOptions): CsrMatrix {
  const { seed, nnzPerRow, density, shift = 1 } = options;
  checkOrder("randomSparseSpd", n);
  if (nnzPerRow !== undefined && density !== undefined) {
    throw new RangeError("Cannot build randomSparseSpd: give nnzPerRow or density, not both");
  }
  if (!(shift > 0 && shift < Infinity)) {
    throw new RangeError(
      `Cannot build randomSparseSpd: shift must be finite and > 0, got ${shift}`,
    );
  }
  let pairs: number;
  if (density !== undefined) {
    if (!(density >= 0 && density <= 1)) {
      throw new RangeError(
        `Cannot build randomSparseSpd: density must be in [0, 1], got ${density}`,
      );
    }
    pairs = Math.round((density * n * (n - 1)) / 2);
  } else {
    const perRow = checkNnzPerRow("randomSparseSpd", n, nnzPerRow ?? Math.min(5, n));
    pairs = Math.round((n * (perRow - 1)) / 2);
  }
  const rng = new Rng(seed);
  const m = 2 * pairs + n;
  const rows = new Int32Array(m), cols = new Int32Array(m), vals = new Float64Array(m);
  for (let p = 0; p < pairs; p++) {
    const i = rng.int(n);
    let j = rng.int(n - 1);
    if (j >= i) j++;
    const v = 2 * rng.next() - 1;
    rows[2 * p] = i;
    cols[2 * p] = j;
    rows[2 * p + 1] = j;
    cols[2 * p + 1] = i;
    vals[2 * p] = vals[2 * p + 1] = v;
  }
  for (let i = 0; i < n; i++) rows[2 * pairs + i] = cols[2 * pairs + i] = i;
  return dominantDiagonal(n, rows, cols, vals, 1, shift);
}

/**
 * Options of {@linkcode randomSparseNonsymmetric}.
 *
 * @category Sparse
 */
export interface RandomSparseNonsymmetricOptions {
  /** Seed of the {@linkcode Rng} that draws the pattern and values. */
  seed: number;
  /**
   * Target number of stored entries per row, diagonal included (drawn
   * columns that coincide merge).
   *
   * @default {Math.min(5, n)}
   */
  nnzPerRow?: number;
  /**
   * Diagonal `A[i, i] = dominance · (1 + Σ_{j≠i} |A[i, j]|)`: ≥ 1 makes every
   * row strictly diagonally dominant, hence the matrix nonsingular; smaller
   * values give harder (possibly singular) matrices.
   *
   * @default {1}
   */
  dominance?: number;
}

/**
 * A random sparse nonsymmetric matrix of order `n`: in each row,
 * `nnzPerRow − 1` random off-diagonal columns with values uniform in
 * [−1, 1), and a positive diagonal set by `dominance`. Deterministic for a
 * seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomSparseNonsymmetric } from "@gradsolve/gradsolve";
 * const A = randomSparseNonsymmetric(40, { seed: 2, nnzPerRow: 4, dominance: 1.5 });
 * assert.ok(!A.symmetric);
 * assert.ok(A.nnz <= 160);
 * ```
 *
 * @category Sparse
 */
export function randomSparseNonsymmetric(
  n: number,
  options: RandomSparseNonsymmetricOptions,
): CsrMatrix {
  const { seed, nnzPerRow = Math.min(5, n), dominance = 1 } = options;
  checkOrder("randomSparseNonsymmetric", n);
  const perRow = checkNnzPerRow("randomSparseNonsymmetric", n, nnzPerRow) - 1;
  if (!(dominance > 0 && dominance < Infinity)) {
    throw new RangeError(
      `Cannot build randomSparseNonsymmetric: dominance must be finite and > 0, got ${dominance}`,
    );
  }
  const rng = new Rng(seed);
  const m = n * (perRow + 1);
  const rows = new Int32Array(m), cols = new Int32Array(m), vals = new Float64Array(m);
  let t = 0;
  for (let i = 0; i < n; i++) {
    rows[t] = cols[t] = i;
    t++;
    for (let s = 0; s < perRow; s++) {
      let j = rng.int(n - 1);
      if (j >= i) j++;
      rows[t] = i;
      cols[t] = j;
      vals[t++] = 2 * rng.next() - 1;
    }
  }
  return dominantDiagonal(n, rows, cols, vals, dominance, dominance);
}

// ---------------------------------------------------------------------------
// Internals

/**
 * Assembles triplets (diagonal included with value 0) and sets each
 * diagonal to `factor · Σ_{j≠i} |A[i, j]| + margin`.
 */
function dominantDiagonal(
  n: number,
  rows: Int32Array,
  cols: Int32Array,
  vals: Float64Array,
  factor: number,
  margin: number,
): CsrMatrix {
  const { pattern, map } = patternFromTriplets(n, n, rows, cols);
  const values = scatterTriplets(pattern.nnz, map, vals);
  const { rowPtr } = pattern;
  const diag = pattern.diagonalIndices();
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (k !== diag[i]) s += Math.abs(values[k]);
    values[diag[i]] = factor * s + margin;
  }
  return new CsrMatrix(pattern, values);
}

/** Number of grid points, after checking every extent is a positive integer. */
function gridSize(what: string, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!(Number.isInteger(d) && d > 0)) {
      throw new ShapeError(
        `Cannot build ${what}: grid extents must be positive integers, got ${dims.join("x")}`,
      );
    }
    n *= d;
  }
  if (n * (2 * dims.length + 1) > 2147483647) {
    throw new ShapeError(
      `Cannot build ${what}: a ${dims.join("x")} grid has too many entries for Int32 indices`,
    );
  }
  return n;
}

/** Stored entries of a (2·d+1)-point grid stencil with Dirichlet boundaries. */
function gridNnz(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  let nnz = n;
  for (const d of dims) nnz += 2 * (n - n / d);
  return nnz;
}

/**
 * The (2·d+1)-point stencil matrix on a d-dimensional grid (first axis
 * fastest, Dirichlet): `lower[a]` couples a node to its neighbour one step
 * down axis a, `upper[a]` one step up, `diag` to itself. Columns come out
 * sorted because the strides increase with the axis.
 */
function gridMatrix(
  what: string,
  dims: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  diag: number,
): CsrMatrix {
  const n = gridSize(what, dims);
  const d = dims.length;
  const strides = new Int32Array(d);
  for (let a = 0, s = 1; a < d; s *= dims[a++]) strides[a] = s;
  const nnz = gridNnz(dims);
  const rowPtr = new Int32Array(n + 1);
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const coord = new Int32Array(d);
  let k = 0;
  for (let r = 0; r < n; r++) {
    for (let a = d - 1; a >= 0; a--) {
      if (coord[a] > 0) {
        colIdx[k] = r - strides[a];
        values[k++] = lower[a];
      }
    }
    colIdx[k] = r;
    values[k++] = diag;
    for (let a = 0; a < d; a++) {
      if (coord[a] < dims[a] - 1) {
        colIdx[k] = r + strides[a];
        values[k++] = upper[a];
      }
    }
    rowPtr[r + 1] = k;
    for (let a = 0; a < d && ++coord[a] === dims[a]; a++) coord[a] = 0;
  }
  return new CsrMatrix(new CsrPattern(n, n, rowPtr, colIdx), values);
}

function checkOrder(what: string, n: number): void {
  if (!(Number.isInteger(n) && n > 0 && n <= 2147483647)) {
    throw new ShapeError(`Cannot build ${what}: order n must be a positive integer, got ${n}`);
  }
}

function checkNnzPerRow(what: string, n: number, nnzPerRow: number): number {
  if (!(Number.isInteger(nnzPerRow) && nnzPerRow >= 1 && nnzPerRow <= n)) {
    throw new RangeError(
      `Cannot build ${what}: nnzPerRow must be an integer in 1..${n}, got ${nnzPerRow}`,
    );
  }
  return nnzPerRow;
}

function checkSpacing(what: string, h: number): void {
  if (!(h > 0 && h < Infinity)) {
    throw new RangeError(`Cannot build ${what}: spacing h must be finite and > 0, got ${h}`);
  }
}
