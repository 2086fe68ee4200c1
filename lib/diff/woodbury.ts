/**
 * A diagonal + low-rank preconditioner in the Jacobi-scaled frame,
 * `M = S (E + U Uᵀ) S` with `S = diag(A)^½`, `E = diag(eˢ)` and `U` n×r,
 * applied as `M⁻¹` through the Woodbury identity
 *
 * ```
 * (E + UUᵀ)⁻¹ = E⁻¹ − E⁻¹U (I + UᵀE⁻¹U)⁻¹ UᵀE⁻¹
 * ```
 *
 * in O(n·r) per application after an r×r capacitance solve. `M` is SPD for
 * any `s` and `U`, so it suits CG. Two forms: {@linkcode woodburyApply}, written
 * with differentiable tensor ops (to learn `s` and `U` through a solve), and
 * {@linkcode woodburyPreconditioner}, a numeric {@linkcode Preconditioner}
 * with the capacitance inverse precomputed.
 *
 * @module
 */

import { add, exp, matmul, mul, reshape, sub, transpose2d } from "../autodiff/mod.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { ShapeError } from "../errors.ts";
import { denseSolve } from "../linalg/dense.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import { userPreconditioner } from "../linalg/user_preconditioner.ts";
import { solve } from "./solve.ts";

/**
 * Parameters of the diagonal + low-rank preconditioner (in the Jacobi-scaled frame).
 *
 * @category Preconditioners
 */
export interface WoodburyParams {
  /** Log of the diagonal `E = diag(eˢ)`, shape [n]. */
  readonly s: Tensor;
  /** Low-rank factor `U`, shape [n, r]. */
  readonly U: Tensor;
}

function checkWoodbury(what: string, p: WoodburyParams, diagA: Float64Array): number {
  const n = diagA.length;
  if (p.s.shape.length !== 1 || p.s.shape[0] !== n) {
    throw new ShapeError(`Cannot ${what}: s has shape [${p.s.shape}] but diag(A) has length ${n}`);
  }
  if (p.U.shape.length !== 2 || p.U.shape[0] !== n || p.U.shape[1] < 1) {
    throw new ShapeError(`Cannot ${what}: U has shape [${p.U.shape}], expected [${n}, r], r >= 1`);
  }
  for (let i = 0; i < n; i++) {
    if (!(diagA[i] > 0 && diagA[i] < Infinity)) {
      throw new RangeError(`Cannot ${what}: diag(A)[${i}] = ${diagA[i]} is not positive`);
    }
  }
  return p.U.shape[1];
}

/**
 * `M⁻¹r` for `M = S (E + U Uᵀ) S`, `S = diag(A)^½`, `E = diag(eˢ)`, with
 * differentiable ops (so gradients reach `p.s`, `p.U` and `r`): with
 * `W = E^{-1/2}U` and `w = E^{-1/2}S⁻¹r`,
 * `M⁻¹r = S⁻¹E^{-1/2}(w − W (I + WᵀW)⁻¹ Wᵀw)`; the r×r capacitance system
 * `(I + WᵀW)c = Wᵀw` is itself a differentiable `solve` (CG, rtol 1e-13).
 * Throws {@linkcode ShapeError} when `s` is not [n] or `U` not [n, r]
 * (n = `diagA.length`), and `RangeError` for a non-positive diagonal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, woodburyApply, zeros } from "@gradsolve/gradsolve";
 * // U = 0, s = 0: M = diag(A), so M⁻¹r = r / diag(A).
 * const z = woodburyApply({ s: zeros([2]), U: zeros([2, 1]) }, Float64Array.of(4, 2), tensor([4, 4]));
 * assert.ok(Math.abs(z.data[0] - 1) < 1e-12);
 * assert.ok(Math.abs(z.data[1] - 2) < 1e-12);
 * ```
 *
 * @category Preconditioners
 */
export function woodburyApply(p: WoodburyParams, diagA: Float64Array, r: Tensor): Tensor {
  const rank = checkWoodbury("apply the Woodbury preconditioner", p, diagA), n = diagA.length;
  if (r.shape.length !== 1 || r.shape[0] !== n) {
    throw new ShapeError(
      `Cannot apply the Woodbury preconditioner: r has shape [${r.shape}], expected [${n}]`,
    );
  }
  const sInv = new Tensor(diagA.map((d) => 1 / Math.sqrt(d)), [n]);
  const eHalf = exp(mul(p.s, -0.5)); // E^{-1/2}
  const W = mul(reshape(eHalf, [n, 1]), p.U); // E^{-1/2} U
  const eye = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++) eye[i * rank + i] = 1;
  const C = add(new Tensor(eye, [rank, rank]), matmul(transpose2d(W), W));
  const w = mul(eHalf, mul(sInv, r)); // E^{-1/2} S⁻¹ r
  const t = reshape(matmul(transpose2d(W), reshape(w, [n, 1])), [rank]);
  const c = solve(C, t, { method: "cg", rtol: 1e-13 });
  const inner = sub(w, reshape(matmul(W, reshape(c, [rank, 1])), [n]));
  return mul(sInv, mul(eHalf, inner));
}

/**
 * The numeric Woodbury preconditioner for one matrix with diagonal `diagA`
 * (the values of `p` are read once; the capacitance `I + WᵀW` is inverted
 * densely up front, so each application is O(n·r) and allocates nothing).
 * Symmetric, so it serves CG and adjoint solves alike; reported as
 * `"woodbury"`. Throws like {@linkcode woodburyApply}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, woodburyPreconditioner } from "@gradsolve/gradsolve";
 * const M = woodburyPreconditioner({ s: tensor([0, 0]), U: tensor([1, 1], [2, 1]) }, Float64Array.of(1, 1));
 * const z = new Float64Array(2);
 * M.apply(Float64Array.of(3, 3), z); // (I + 11ᵀ)⁻¹ [3, 3] = [1, 1]
 * assert.ok(Math.abs(z[0] - 1) < 1e-14);
 * assert.ok(Math.abs(z[1] - 1) < 1e-14);
 * assert.equal(M.name, "woodbury");
 * ```
 *
 * @category Preconditioners
 */
export function woodburyPreconditioner(p: WoodburyParams, diagA: Float64Array): Preconditioner {
  const rank = checkWoodbury("build the Woodbury preconditioner", p, diagA), n = diagA.length;
  const scale = new Float64Array(n); // S⁻¹ E^{-1/2}
  const W = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    const e = Math.exp(-0.5 * p.s.data[i]);
    scale[i] = e / Math.sqrt(diagA[i]);
    for (let q = 0; q < rank; q++) W[i * rank + q] = e * p.U.data[i * rank + q];
  }
  const C = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++) C[i * rank + i] = 1;
  for (let k = 0; k < n; k++) {
    for (let a = 0; a < rank; a++) {
      for (let b = 0; b < rank; b++) C[a * rank + b] += W[k * rank + a] * W[k * rank + b];
    }
  }
  const Cinv = new Float64Array(rank * rank);
  for (let q = 0; q < rank; q++) {
    const e = new Float64Array(rank);
    e[q] = 1;
    const col = denseSolve(C, rank, e);
    for (let a = 0; a < rank; a++) Cinv[a * rank + q] = col[a];
  }
  const w = new Float64Array(n), t = new Float64Array(rank), c = new Float64Array(rank);
  const apply = (r: Float64Array, z: Float64Array): void => {
    t.fill(0);
    for (let i = 0; i < n; i++) {
      w[i] = scale[i] * r[i];
      for (let q = 0; q < rank; q++) t[q] += W[i * rank + q] * w[i];
    }
    for (let a = 0; a < rank; a++) {
      let s = 0;
      for (let b = 0; b < rank; b++) s += Cinv[a * rank + b] * t[b];
      c[a] = s;
    }
    for (let i = 0; i < n; i++) {
      let s = w[i];
      for (let q = 0; q < rank; q++) s -= W[i * rank + q] * c[q];
      z[i] = scale[i] * s;
    }
  };
  return userPreconditioner({ name: "woodbury", symmetric: true, apply });
}
