/**
 * Matrix products: 2-D·2-D, 2-D·1-D and 1-D·2-D.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { reshape, transpose2d } from "./shape.ts";
import { record } from "./tape.ts";
import type { Tensor } from "./tensor.ts";

/**
 * `a b` for a 2-D `a` and a 2-D or 1-D `b` (or a 1-D `a` and 2-D `b`).
 * vjp: `ā = ḡ bᵀ`, `b̄ = aᵀ ḡ`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmul, tensor } from "@gradsolve/gradsolve";
 * const A = tensor([1, 2, 3, 4], [2, 2]);
 * assert.equal(matmul(A, tensor([1, 1])).data.join(), "3,7");
 * ```
 *
 * @category Autodiff
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 2 && b.ndim === 1) {
    return reshape(matmul(a, reshape(b, [b.size, 1])), [a.shape[0]]);
  }
  if (a.ndim === 1 && b.ndim === 2) {
    return reshape(matmul(reshape(a, [1, a.size]), b), [b.shape[1]]);
  }
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new ShapeError(`Cannot multiply matrices of shapes [${a.shape}] and [${b.shape}]`);
  }
  const [m, k] = a.shape, n = b.shape[1];
  const x = a.data, y = b.data, out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = x[i * k + p];
      if (aip === 0) continue;
      const row = p * n, o = i * n;
      for (let j = 0; j < n; j++) out[o + j] += aip * y[row + j];
    }
  }
  return record("matmul", out, [m, n], [a, b], (g, needs) => [
    needs[0] ? matmul(g, transpose2d(b)) : null,
    needs[1] ? matmul(transpose2d(a), g) : null,
  ]);
}
