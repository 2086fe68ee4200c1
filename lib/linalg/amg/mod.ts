/**
 * Algebraic multigrid (smoothed aggregation, and classical Ruge–Stüben) as
 * a preconditioner: {@linkcode amgSetup} returns a {@linkcode Preconditioner}
 * with `apply`, `applyTranspose`, `update(values)` and an `info` report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amgSetup } from "./mod.ts";
 * import { poisson2d } from "../../sparse/generators.ts";
 * const M = amgSetup(poisson2d(32), { coarseSize: 40 });
 * assert.equal(M.name, "amg");
 * assert.ok(M.info.levels >= 2);
 * ```
 *
 * @module
 */

export * from "./setup.ts";
export * from "./options.ts";
export * from "./hierarchy.ts";
export * from "./cycle.ts";
export * from "./smoothers.ts";
export * from "./strength.ts";
export * from "./aggregate.ts";
export * from "./tentative.ts";
export * from "./smooth_prolongator.ts";
export * from "./galerkin.ts";
export * from "./spgemm.ts";
export * from "./spectral_radius.ts";
export * from "./coarse_solve.ts";
export * from "./filter.ts";
export * from "./ruge_stuben.ts";
