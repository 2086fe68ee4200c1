/**
 * Gradient checking: central finite differences against the autodiff
 * gradient, per component and overall.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { Tensor } from "./tensor.ts";
import { grad } from "./transforms.ts";

/**
 * Options of {@linkcode checkGrad}.
 *
 * @category Autodiff
 */
export interface CheckGradOptions {
  /** Finite-difference step, scaled by `max(1, |xᵢ|)` per component. @default {1e-6} */
  eps?: number;
  /** Largest accepted per-component relative error. @default {1e-6} */
  tolerance?: number;
  /**
   * Denominator floor for the per-component error, relative to the largest
   * gradient component: components far smaller than the gradient's scale are
   * judged against that scale, not against themselves. @default {1e-6}
   */
  floor?: number;
}

/**
 * What {@linkcode checkGrad} measured.
 *
 * @category Autodiff
 */
export interface GradCheckReport {
  /** The autodiff gradient. */
  readonly analytic: Float64Array;
  /** The central-difference gradient. */
  readonly numeric: Float64Array;
  /** `|aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|, floor·‖n‖∞)` per component. */
  readonly relErrors: Float64Array;
  /** Largest per-component relative error. */
  readonly maxRelError: number;
  /** Overall relative error `‖a − n‖₂ / ‖n‖₂` (absolute when n = 0). */
  readonly relError: number;
  /** True when `maxRelError ≤ tolerance`. */
  readonly ok: boolean;
}

/**
 * Compares `grad(f)(x)` with central differences
 * `(f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ` for every component of `x`.
 * Costs 2·size(x) evaluations of `f`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkGrad, exp, sum, tensor } from "@gradsolve/gradsolve";
 * const report = checkGrad((x) => sum(exp(x)), tensor([0.1, -0.3]));
 * assert.ok(report.ok, `max relative error ${report.maxRelError}`);
 * ```
 *
 * @category Autodiff
 */
export function checkGrad(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  options: CheckGradOptions = {},
): GradCheckReport {
  const eps = options.eps ?? 1e-6, tolerance = options.tolerance ?? 1e-6;
  const floor = options.floor ?? 1e-6;
  const analytic = Float64Array.from(grad(f)(x).data);
  const evalAt = (i: number, h: number) => {
    const d = Float64Array.from(x.data);
    d[i] += h;
    const y = f(new Tensor(d, x.shape));
    if (y.size !== 1) {
      throw new ShapeError(`Cannot check gradient: f must return a scalar, got [${y.shape}]`);
    }
    return y.data[0];
  };
  const numeric = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const h = eps * Math.max(1, Math.abs(x.data[i]));
    numeric[i] = (evalAt(i, h) - evalAt(i, -h)) / (2 * h);
  }
  let scale = 0, diff2 = 0, num2 = 0;
  for (let i = 0; i < numeric.length; i++) scale = Math.max(scale, Math.abs(numeric[i]));
  const relErrors = new Float64Array(x.size);
  let maxRelError = 0;
  for (let i = 0; i < x.size; i++) {
    const e = Math.abs(analytic[i] - numeric[i]);
    const denom = Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]), floor * scale);
    relErrors[i] = denom === 0 ? e : e / denom;
    maxRelError = Math.max(maxRelError, relErrors[i]);
    diff2 += e * e;
    num2 += numeric[i] * numeric[i];
  }
  const relError = num2 === 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / num2);
  return { analytic, numeric, relErrors, maxRelError, relError, ok: maxRelError <= tolerance };
}
