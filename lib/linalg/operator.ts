/**
 * The linear-operator interface every solver consumes: CSR matrices
 * implement it, and so can any pair of closures (matrix-free).
 *
 * @module
 */

import { ShapeError } from "../errors.ts";

/**
 * A linear map `y = A x` of shape `[rows, cols]`. `apply` and
 * `applyTranspose` write into `y` (length rows, resp. cols) and must not
 * allocate per call if they sit in a solver's hot loop. `symmetric` is a
 * promise, not a check: when true, solvers may use `apply` for `Aᵀ`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cg, type LinearOperator } from "@gradsolve/gradsolve";
 * const twice: LinearOperator = {
 *   shape: [3, 3],
 *   symmetric: true,
 *   apply: (x, y) => { for (let i = 0; i < 3; i++) y[i] = 2 * x[i]; },
 * };
 * assert.deepEqual([...cg(twice, Float64Array.of(2, 4, 6)).x], [1, 2, 3]);
 * ```
 *
 * @category Solvers
 */
export interface LinearOperator {
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number];
  /** `y ← A x`. */
  apply(x: Float64Array, y: Float64Array): void;
  /** `y ← Aᵀ x`; optional for symmetric operators. */
  applyTranspose?(x: Float64Array, y: Float64Array): void;
  /** True when `A = Aᵀ` (a promise by the caller, unchecked). */
  readonly symmetric?: boolean;
}

/**
 * Closures and shape for {@linkcode matrixFreeOperator}.
 *
 * @category Solvers
 */
export interface MatrixFreeOptions {
  /** Number of rows (and columns unless `cols` is given). */
  rows: number;
  /** Number of columns; defaults to `rows`. */
  cols?: number;
  /** `y ← A x`. */
  apply(x: Float64Array, y: Float64Array): void;
  /** `y ← Aᵀ x`. */
  applyTranspose?(x: Float64Array, y: Float64Array): void;
  /** Promise that the operator is symmetric. @default {false} */
  symmetric?: boolean;
}

/**
 * Wraps user closures as a {@linkcode LinearOperator}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matrixFreeOperator } from "@gradsolve/gradsolve";
 * // 1-D Laplacian without storing a matrix.
 * const n = 4;
 * const A = matrixFreeOperator({
 *   rows: n,
 *   symmetric: true,
 *   apply: (x, y) => {
 *     for (let i = 0; i < n; i++) y[i] = 2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0);
 *   },
 * });
 * assert.equal(A.shape[0], 4);
 * ```
 *
 * @category Solvers
 */
export function matrixFreeOperator(options: MatrixFreeOptions): LinearOperator {
  const rows = options.rows, cols = options.cols ?? options.rows;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) {
    throw new ShapeError(
      `Cannot build operator: shape must be positive integers, got ${rows}x${cols}`,
    );
  }
  const op: LinearOperator = {
    shape: [rows, cols],
    apply: options.apply,
    symmetric: options.symmetric ?? false,
  };
  if (options.applyTranspose) {
    return { ...op, applyTranspose: options.applyTranspose };
  }
  return op;
}

/**
 * Applies `Aᵀ`, using `apply` when the operator promises symmetry, and
 * throws a clear error when neither is possible.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyTranspose, matrixFreeOperator } from "@gradsolve/gradsolve";
 * const A = matrixFreeOperator({ rows: 1, symmetric: true, apply: (x, y) => { y[0] = 3 * x[0]; } });
 * const y = new Float64Array(1);
 * applyTranspose(A, Float64Array.of(2), y);
 * assert.equal(y[0], 6);
 * ```
 *
 * @category Solvers
 */
export function applyTranspose(A: LinearOperator, x: Float64Array, y: Float64Array): void {
  if (A.applyTranspose) A.applyTranspose(x, y);
  else if (A.symmetric) A.apply(x, y);
  else {
    throw new ShapeError(
      "Cannot apply the transpose: the operator has no applyTranspose and is not marked symmetric",
    );
  }
}

/**
 * The operator `Aᵀ` as a {@linkcode LinearOperator} (for adjoint solves).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matrixFreeOperator, transposeOperator } from "@gradsolve/gradsolve";
 * const A = matrixFreeOperator({ rows: 2, cols: 3, apply: () => {}, applyTranspose: () => {} });
 * assert.equal(transposeOperator(A).shape[0], 3);
 * ```
 *
 * @category Solvers
 */
export function transposeOperator(A: LinearOperator): LinearOperator {
  if (A.symmetric) return A;
  const fwd = A.applyTranspose;
  if (!fwd) {
    throw new ShapeError(
      "Cannot transpose the operator: it has no applyTranspose and is not marked symmetric",
    );
  }
  return {
    shape: [A.shape[1], A.shape[0]],
    apply: (x, y) => fwd.call(A, x, y),
    applyTranspose: (x, y) => A.apply(x, y),
    symmetric: false,
  };
}
