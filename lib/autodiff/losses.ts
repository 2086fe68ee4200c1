/**
 * Losses built from the differentiable ops: sum of squares, mean squared
 * error, Huber.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { sameShape } from "./broadcast.ts";
import { abs, maximum, mul, square, sub } from "./elementwise.ts";
import { mean, sum } from "./reduce.ts";
import type { Tensor } from "./tensor.ts";

function checkPair(pred: Tensor, target: Tensor, what: string): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw new ShapeError(
      `Cannot compute ${what}: prediction has shape [${pred.shape}] but target has [${target.shape}]`,
    );
  }
}

/**
 * `Σ xᵢ²`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sumOfSquares, tensor } from "@gradsolve/gradsolve";
 * assert.equal(sumOfSquares(tensor([1, 2])).item(), 5);
 * ```
 *
 * @category Autodiff
 */
export function sumOfSquares(x: Tensor): Tensor {
  return sum(square(x));
}

/**
 * Mean squared error `mean((pred − target)²)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mse, tensor } from "@gradsolve/gradsolve";
 * assert.equal(mse(tensor([1, 3]), tensor([1, 1])).item(), 2);
 * ```
 *
 * @category Autodiff
 */
export function mse(pred: Tensor, target: Tensor): Tensor {
  checkPair(pred, target, "mse");
  return mean(square(sub(pred, target)));
}

/**
 * Mean Huber loss: `½r²` where `|r| ≤ δ`, `δ(|r| − ½δ)` beyond, with
 * `r = pred − target`. Written as `½r² − ½(max(|r| − δ, 0))²`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { huber, tensor } from "@gradsolve/gradsolve";
 * assert.equal(huber(tensor([3]), tensor([0]), 1).item(), 2.5);
 * ```
 *
 * @category Autodiff
 */
export function huber(pred: Tensor, target: Tensor, delta = 1): Tensor {
  checkPair(pred, target, "huber");
  if (!(delta > 0)) throw new RangeError(`Cannot compute huber: delta must be > 0, got ${delta}`);
  const r = sub(pred, target);
  const excess = maximum(sub(abs(r), delta), 0);
  return mean(mul(sub(square(r), square(excess)), 0.5));
}
