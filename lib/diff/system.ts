/**
 * The three kinds of differentiable matrix behind one interface: a sparse
 * tensor, a dense 2-D tensor, and a parameterised matrix-free operator
 * `A(θ)`. A {@linkcode System} knows its differentiable parameters, its
 * numeric action for the solvers, its transpose, and how the gradient of a
 * solve reaches its parameters: `θ̄ = −(∂(A(θ)x)/∂θ)ᵀ λ`.
 *
 * @module
 */

import { add as addT, gather, matmul, neg, reshape, transpose2d } from "../autodiff/mod.ts";
import { type Factorization, factorize } from "../linalg/direct/factor.ts";
import type { DirectHandle } from "../linalg/numeric_solve.ts";
import { sampledOuter, SparseTensor, spmv, toCsr, transposeSparse } from "../autodiff/sparse.ts";
import { untraced } from "../autodiff/tape.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { vjp } from "../autodiff/transforms.ts";
import { ShapeError } from "../errors.ts";
import type { LinearOperator } from "../linalg/operator.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { CsrPattern } from "../sparse/pattern.ts";

/**
 * A square linear operator `A(θ)` given by a differentiable action: `apply`
 * must be built from differentiable ops and be linear in `x` (`x` is `[n]`).
 * The transpose action used by the adjoint solve is `applyTranspose` when
 * given, else the vjp of `x ↦ apply(params, x)` (exact, since it is linear).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { add, mul, type ParametricOperator, solve, tensor } from "@gradsolve/gradsolve";
 * // A(θ) = diag(θ) + I
 * const op: ParametricOperator = {
 *   shape: [3, 3],
 *   symmetric: true,
 *   params: [tensor([1, 2, 3])],
 *   apply: ([theta], x) => add(mul(theta, x), x),
 * };
 * const x = solve(op, tensor([2, 3, 4]), { rtol: 1e-12 }); // diag(2, 3, 4) x = [2, 3, 4]
 * assert.ok(x.data.every((v) => Math.abs(v - 1) < 1e-10));
 * ```
 *
 * @category Differentiable solves
 */
export interface ParametricOperator {
  /** `[n, n]`. */
  readonly shape: readonly [number, number];
  /** The parameters θ (gradients are returned for them). */
  readonly params: readonly Tensor[];
  /** `A(θ) x` with differentiable ops. */
  apply(params: readonly Tensor[], x: Tensor): Tensor;
  /** `A(θ)ᵀ y` with differentiable ops. @default {vjp of apply} */
  applyTranspose?(params: readonly Tensor[], y: Tensor): Tensor;
  /** Promise that `A(θ)` is symmetric (unchecked). @default {false} */
  readonly symmetric?: boolean;
}

/**
 * A matrix `solve` accepts: sparse tensor, dense `[n, n]` tensor, or matrix-free `A(θ)`.
 *
 * @category Differentiable solves
 */
export type DiffMatrix = SparseTensor | Tensor | ParametricOperator;

/** One differentiable square system, as the solvers in lib/diff see it. */
export interface System {
  /** Order n. */
  readonly n: number;
  /** Exactly symmetric (sparse/dense: checked; matrix-free: promised). */
  readonly symmetric: boolean;
  /** True for the transpose of the system `solve` was given (the adjoint's), false for it. */
  readonly transposed: boolean;
  /** Differentiable parameters (the inputs of the solve node besides b). */
  readonly params: readonly Tensor[];
  /** Numeric action for the Krylov solvers (current parameter values). */
  readonly numeric: LinearOperator;
  /** The matrix as CSR when it has one (named preconditioners, direct solves). */
  readonly csr: CsrMatrix | undefined;
  /** `A x` with differentiable ops (unrolled mode), `x` of shape [n]. */
  apply(x: Tensor): Tensor;
  /** `−(∂(A(θ)x)/∂θ)ᵀ λ` for each parameter: the matrix part of the solve's gradient. */
  paramCotangents(lam: Tensor, x: Tensor, needs: readonly boolean[]): (Tensor | null)[];
  /** `Aᵀ` as a system whose parameters depend differentiably on these. */
  transpose(): System;
  /** Factorisation shared by this system and its transpose (`method: "direct"`). */
  readonly direct?: DirectHandle;
}

function directHandle(matrix: CsrMatrix, transposeOf: System | undefined): DirectHandle {
  const shared = transposeOf?.direct;
  if (shared) {
    return {
      matrix: shared.matrix,
      transpose: !shared.transpose,
      factorization: shared.factorization,
    };
  }
  let factors: Factorization | undefined;
  return { matrix, transpose: false, factorization: () => (factors ??= factorize(matrix)) };
}

/** Builds the {@linkcode System} of a matrix given to `solve`. */
export function systemOf(A: DiffMatrix): System {
  if (A instanceof SparseTensor) return sparseSystem(A);
  if (A instanceof Tensor) return denseSystem(A);
  return parametricSystem(A, undefined);
}

function requireSquare(rows: number, cols: number, what: string): void {
  if (rows !== cols || rows === 0) {
    throw new ShapeError(
      `Cannot solve: ${what} is ${rows}x${cols} but must be square and nonempty`,
    );
  }
}

function sparseSystem(A: SparseTensor, transposeOf?: System): System {
  const [rows, cols] = A.shape;
  requireSquare(rows, cols, "the sparse matrix");
  const csr = toCsr(A);
  const sys: System = {
    n: rows,
    symmetric: csr.symmetric,
    transposed: transposeOf ? !transposeOf.transposed : false,
    params: [A.values],
    numeric: csr,
    csr,
    apply: (x) => spmv(A, x),
    // Ā[k] = −λ[row k]·x[col k] on the stored entries only (O(nnz)).
    paramCotangents: (lam, x, needs) => [needs[0] ? neg(sampledOuter(A.pattern, lam, x)) : null],
    // Always the differentiable transpose, even when A is symmetric: a perturbation of one
    // stored value is not symmetric, so the adjoint must depend on the values through Aᵀ
    // (its second derivative, hvp, sees the transposed perturbation).
    transpose: () => transposeOf ?? sparseSystem(transposeSparse(A), sys),
    direct: directHandle(csr, transposeOf),
  };
  return sys;
}

/** A dense pattern (every entry stored) for the CSR view of a dense matrix. */
function densePattern(n: number): CsrPattern {
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(n * n);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = (i + 1) * n;
    for (let j = 0; j < n; j++) colIdx[i * n + j] = j;
  }
  return new CsrPattern(n, n, rowPtr, colIdx);
}

function denseSystem(A: Tensor, transposeOf?: System): System {
  if (A.ndim !== 2) throw new ShapeError(`Cannot solve: dense A has shape [${A.shape}], not 2-D`);
  const [rows, cols] = A.shape;
  requireSquare(rows, cols, "the dense matrix");
  const csr = new CsrMatrix(densePattern(rows), A.data);
  const sys: System = {
    n: rows,
    symmetric: csr.symmetric,
    transposed: transposeOf ? !transposeOf.transposed : false,
    params: [A],
    numeric: csr,
    csr,
    apply: (x) => matmul(A, x),
    // Ā = −λ xᵀ (for a block of k columns, −Λ Xᵀ).
    paramCotangents: (lam, x, needs) => {
      if (!needs[0]) return [null];
      const L = lam.ndim === 1 ? reshape(lam, [rows, 1]) : lam;
      const X = x.ndim === 1 ? reshape(x, [rows, 1]) : x;
      return [neg(matmul(L, transpose2d(X)))];
    },
    // The differentiable transpose even when A is symmetric (see sparseSystem).
    transpose: () => transposeOf ?? denseSystem(transpose2d(A), sys),
  };
  return sys;
}

/** The transpose action of `op`: its own, or the vjp of its (linear) apply. */
function transposeAction(op: ParametricOperator): ParametricOperator["apply"] {
  if (op.applyTranspose) return op.applyTranspose.bind(op);
  const n = op.shape[0];
  return (params, y) =>
    vjp((x) => op.apply(params, x), new Tensor(new Float64Array(n), [n]))[1](y)[0];
}

function parametricSystem(op: ParametricOperator, transposeOf: System | undefined): System {
  const [rows, cols] = op.shape;
  requireSquare(rows, cols, "the operator");
  const n = rows;
  const params = op.params;
  const action = (x: Tensor) => op.apply(params, x);
  const numeric: LinearOperator = {
    shape: [n, n],
    symmetric: op.symmetric ?? false,
    apply: (x, y) => {
      const out = untraced(() => action(new Tensor(x, [n])));
      if (out.size !== n) {
        throw new ShapeError(
          `Cannot apply the operator: apply returned shape [${out.shape}] for [${n}]`,
        );
      }
      y.set(out.data);
    },
  };
  const sys: System = {
    n,
    symmetric: op.symmetric ?? false,
    transposed: transposeOf ? !transposeOf.transposed : false,
    params,
    numeric,
    csr: undefined,
    apply: action,
    // θ̄ = −vjp_θ(θ ↦ A(θ)x)(λ); a block is handled column by column.
    paramCotangents: (lam, x, needs) => {
      const columns = lam.ndim === 1 ? [[lam, x]] : splitColumns(lam, x);
      let total: (Tensor | null)[] = params.map(() => null);
      for (const [l, xc] of columns) {
        const cts = vjp((...th: Tensor[]) => op.apply(th, xc), ...params)[1](l);
        total = total.map((t, i) => (needs[i] ? (t ? addT(t, cts[i]) : cts[i]) : null));
      }
      return total.map((t) => (t ? neg(t) : null));
    },
    transpose: () => {
      if (transposeOf) return transposeOf;
      if (sys.symmetric) return sys;
      const flipped: ParametricOperator = {
        shape: op.shape,
        params,
        apply: transposeAction(op),
        applyTranspose: op.apply.bind(op),
        symmetric: false,
      };
      return parametricSystem(flipped, sys);
    },
  };
  return sys;
}

/** Columns of two [n, k] tensors as pairs of [n] tensors (differentiably). */
function splitColumns(a: Tensor, b: Tensor): [Tensor, Tensor][] {
  const k = a.shape[1];
  const at = transpose2d(a), bt = transpose2d(b);
  const out: [Tensor, Tensor][] = [];
  for (let j = 0; j < k; j++) {
    const idx = Int32Array.of(j);
    out.push([reshape(gather(at, idx), [a.shape[0]]), reshape(gather(bt, idx), [b.shape[0]])]);
  }
  return out;
}
