/**
 * Sparse matrices on the tape: a constant CSR pattern with a values tensor.
 * `spmv` is differentiable in the values and in x; the values gradient lives
 * on the pattern only (O(nnz)), never as a dense outer product.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import type { CsrPattern } from "../sparse/pattern.ts";
import { gather } from "./index.ts";
import { record } from "./tape.ts";
import { Tensor } from "./tensor.ts";

/**
 * A sparse matrix whose stored values are a 1-D tensor of length `nnz`, in
 * pattern order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, SparseTensor, tensor } from "@gradsolve/gradsolve";
 * const A = new SparseTensor(CsrMatrix.fromDense([[2, 1], [0, 3]]).pattern, tensor([2, 1, 3]));
 * assert.equal(A.nnz, 3);
 * assert.equal(A.shape[1], 2);
 * ```
 *
 * @category Autodiff
 */
export class SparseTensor {
  /** The constant sparsity pattern. */
  readonly pattern: CsrPattern;
  /** One value per stored entry. */
  readonly values: Tensor;

  /** Pairs a pattern with a values tensor of shape `[nnz]`. */
  constructor(pattern: CsrPattern, values: Tensor) {
    if (values.ndim !== 1 || values.size !== pattern.nnz) {
      throw new ShapeError(
        `Cannot build sparse tensor: values have shape [${values.shape}] but the pattern has ${pattern.nnz} entries`,
      );
    }
    this.pattern = pattern;
    this.values = values;
  }

  /** `[nRows, nCols]`. */
  get shape(): readonly [number, number] {
    return [this.pattern.nRows, this.pattern.nCols];
  }

  /** Number of stored entries. */
  get nnz(): number {
    return this.pattern.nnz;
  }
}

/**
 * A {@linkcode SparseTensor} from a pattern and values (a tensor, or an
 * array copied into a constant tensor).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, sparseTensor } from "@gradsolve/gradsolve";
 * const A = sparseTensor(CsrMatrix.fromDense([[1, 0], [0, 1]]).pattern, [4, 5]);
 * assert.equal(A.values.data[1], 5);
 * ```
 *
 * @category Autodiff
 */
export function sparseTensor(
  pattern: CsrPattern,
  values: Tensor | ArrayLike<number>,
): SparseTensor {
  const v = values instanceof Tensor
    ? values
    : new Tensor(Float64Array.from(values), [pattern.nnz]);
  return new SparseTensor(pattern, v);
}

/**
 * A constant {@linkcode SparseTensor} sharing the matrix's pattern and values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, fromCsr } from "@gradsolve/gradsolve";
 * assert.equal(fromCsr(CsrMatrix.fromDense([[3]])).values.data[0], 3);
 * ```
 *
 * @category Autodiff
 */
export function fromCsr(A: CsrMatrix): SparseTensor {
  return new SparseTensor(A.pattern, new Tensor(A.values, [A.nnz]));
}

/**
 * The numeric matrix (current values, not copied) for solvers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, sparseTensor, toCsr } from "@gradsolve/gradsolve";
 * const p = CsrMatrix.fromDense([[1, 2]]).pattern;
 * assert.equal(toCsr(sparseTensor(p, [7, 8])).get(0, 1), 8);
 * ```
 *
 * @category Autodiff
 */
export function toCsr(A: SparseTensor): CsrMatrix {
  return new CsrMatrix(A.pattern, A.values.data);
}

/**
 * `Aᵀ` as a sparse tensor on the cached transposed pattern; its values are
 * `gather(values, perm)`, so gradients flow back to `A`'s values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, fromCsr, toCsr, transposeSparse } from "@gradsolve/gradsolve";
 * assert.equal(toCsr(transposeSparse(fromCsr(CsrMatrix.fromDense([[1, 2], [0, 3]])))).get(1, 0), 2);
 * ```
 *
 * @category Autodiff
 */
export function transposeSparse(A: SparseTensor): SparseTensor {
  const { pattern, perm } = A.pattern.transpose();
  return new SparseTensor(pattern, gather(A.values, perm));
}

function columns(x: Tensor): number {
  return x.ndim === 2 ? x.shape[1] : 1;
}

/** Checks that `x` is `[n]` or `[n, k]` with `n` the expected row count. */
function checkOperand(what: string, x: Tensor, n: number): void {
  if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[0] !== n) {
    throw new ShapeError(
      `Cannot compute ${what}: operand has shape [${x.shape}] but needs [${n}] or [${n}, k]`,
    );
  }
}

/**
 * `A x` for `x` of shape `[n]` or `[n, k]` (all k columns in one pass over
 * the stored entries). vjp: `x̄ = Aᵀḡ`, `v̄[k] = Σ_c ḡ[row k, c]·x[col k, c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, sparseTensor, spmv, tensor } from "@gradsolve/gradsolve";
 * const A = sparseTensor(CsrMatrix.fromDense([[2, 1], [0, 3]]).pattern, [2, 1, 3]);
 * assert.equal(spmv(A, tensor([1, 1])).data.join(), "3,3");
 * ```
 *
 * @category Autodiff
 */
export function spmv(A: SparseTensor, x: Tensor): Tensor {
  const { nRows, nCols, rowPtr, colIdx } = A.pattern;
  checkOperand("spmv", x, nCols);
  const k = columns(x), v = A.values.data, xd = x.data;
  const out = new Float64Array(nRows * k);
  if (k === 1) {
    for (let i = 0; i < nRows; i++) {
      let s = 0;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) s += v[p] * xd[colIdx[p]];
      out[i] = s;
    }
  } else {
    for (let i = 0; i < nRows; i++) {
      const o = i * k;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const a = v[p], c = colIdx[p] * k;
        for (let j = 0; j < k; j++) out[o + j] += a * xd[c + j];
      }
    }
  }
  const shape = x.ndim === 2 ? [nRows, k] : [nRows];
  return record("spmv", out, shape, [A.values, x], (g, needs) => [
    needs[0] ? sampledOuter(A.pattern, g, x) : null,
    needs[1] ? spmvT(A, g) : null,
  ], [A.pattern.rowPtr, A.pattern.colIdx]);
}

/**
 * `Aᵀ y` for `y` of shape `[m]` or `[m, k]` (scatter form, no transpose
 * built). vjp: `ȳ = A ḡ`, `v̄[k] = Σ_c y[row k, c]·ḡ[col k, c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, sparseTensor, spmvT, tensor } from "@gradsolve/gradsolve";
 * const A = sparseTensor(CsrMatrix.fromDense([[2, 1], [0, 3]]).pattern, [2, 1, 3]);
 * assert.equal(spmvT(A, tensor([1, 1])).data.join(), "2,4");
 * ```
 *
 * @category Autodiff
 */
export function spmvT(A: SparseTensor, y: Tensor): Tensor {
  const { nRows, nCols, rowPtr, colIdx } = A.pattern;
  checkOperand("spmvT", y, nRows);
  const k = columns(y), v = A.values.data, yd = y.data;
  const out = new Float64Array(nCols * k);
  for (let i = 0; i < nRows; i++) {
    const o = i * k;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const a = v[p], c = colIdx[p] * k;
      for (let j = 0; j < k; j++) out[c + j] += a * yd[o + j];
    }
  }
  const shape = y.ndim === 2 ? [nCols, k] : [nCols];
  return record("spmvT", out, shape, [A.values, y], (g, needs) => [
    needs[0] ? sampledOuter(A.pattern, y, g) : null,
    needs[1] ? spmv(A, g) : null,
  ], [A.pattern.rowPtr, A.pattern.colIdx]);
}

/**
 * The outer product `u wᵀ` sampled on a pattern: entry k at (i, j) is
 * `Σ_c u[i, c]·w[j, c]` (for vectors, `u[i]·w[j]`). This is the gradient of
 * a sparse matrix's values: O(nnz), never a dense n×n product. vjp:
 * `ū = S ḡ`, `w̄ = Sᵀ ḡ` with `S` the sparse matrix with values `ḡ`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, sampledOuter, tensor } from "@gradsolve/gradsolve";
 * const p = CsrMatrix.fromDense([[1, 0], [1, 1]]).pattern;
 * assert.equal(sampledOuter(p, tensor([1, 2]), tensor([3, 4])).data.join(), "3,6,8");
 * ```
 *
 * @category Autodiff
 */
export function sampledOuter(pattern: CsrPattern, u: Tensor, w: Tensor): Tensor {
  const { nRows, nCols, rowPtr, colIdx } = pattern;
  checkOperand("sampledOuter", u, nRows);
  checkOperand("sampledOuter", w, nCols);
  if (u.ndim !== w.ndim || columns(u) !== columns(w)) {
    throw new ShapeError(
      `Cannot compute sampledOuter: shapes [${u.shape}] and [${w.shape}] differ in columns`,
    );
  }
  const k = columns(u), ud = u.data, wd = w.data;
  const out = new Float64Array(pattern.nnz);
  for (let i = 0; i < nRows; i++) {
    const o = i * k;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const c = colIdx[p] * k;
      let s = 0;
      for (let j = 0; j < k; j++) s += ud[o + j] * wd[c + j];
      out[p] = s;
    }
  }
  return record("sampledOuter", out, [pattern.nnz], [u, w], (g, needs) => {
    const S = new SparseTensor(pattern, g);
    return [needs[0] ? spmv(S, w) : null, needs[1] ? spmvT(S, u) : null];
  }, [pattern.rowPtr, pattern.colIdx]);
}
