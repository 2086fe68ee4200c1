/**
 * Diagnostics of one differentiable solve: the forward results, the adjoint
 * results (filled when a backward pass runs), and how many numeric solves ran.
 *
 * @module
 */

import type { Tensor } from "../autodiff/tensor.ts";
import { JUPYTER_DISPLAY, solveInfoDisplay } from "../display/bundles.ts";
import type { AmgInfo } from "../linalg/amg/mod.ts";
import type { SolveResult } from "../linalg/result.ts";

/**
 * What {@linkcode solveWithInfo} returns. Live: `adjoints` and `solveCount`
 * grow when gradients are taken through `x`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SolveInfo } from "@gradsolve/gradsolve";
 * const info = new SolveInfo();
 * assert.equal(info.solveCount, 0);
 * assert.equal(info.adjoints.length, 0);
 * ```
 *
 * @category Differentiable solves
 */
export class SolveInfo {
  /** The solution (set by the solve). */
  x!: Tensor;
  /** Forward results, one per right-hand-side column. */
  readonly forwardColumns: SolveResult[] = [];
  /** Adjoint (and, for higher derivatives, further) results, one per column solved. */
  readonly adjoints: SolveResult[] = [];
  /** Numeric solves that ran (columns; zero right-hand sides cost none). */
  solveCount = 0;
  /**
   * The AMG hierarchy report (levels, sizes, nnz, operator and grid
   * complexity, setup or update time) when the solve was AMG-preconditioned;
   * the forward and adjoint solves share the hierarchy.
   */
  amg: AmgInfo | undefined = undefined;
  /**
   * Set when a reused AMG state (passed as `preconditioner`) needed more than
   * twice (plus two) the iterations of its first solve: a fresh `amgSetup`
   * is due.
   */
  amgNote: string | undefined = undefined;
  /** How gradients flow through this solve (`SolveOptions.adjoint`). */
  gradientMode: "implicit" | "unrolled" | "truncated" = "implicit";
  /**
   * What the gradient of `x` is the derivative of, when it is not the
   * derivative of `A⁻¹b`: set in unrolled and truncated modes, which
   * differentiate the k-step iteration map instead (see `SolveOptions.adjoint`).
   */
  gradientNote: string | undefined = undefined;

  /** The forward result (the first column's for a block). */
  get forward(): SolveResult {
    return this.forwardColumns[0];
  }

  /**
   * Notebook display (Deno's Jupyter kernel): forward and adjoint residual
   * histories and a table of reason, iterations and true residual per solve.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { JUPYTER_DISPLAY } from "../display/bundles.ts";
   * import { SolveInfo } from "./solve_info.ts";
   * assert.match(new SolveInfo()[JUPYTER_DISPLAY]()["text/plain"], /0 numeric solve/);
   * ```
   */
  [JUPYTER_DISPLAY](): { "text/plain": string; "text/html"?: string; "image/svg+xml"?: string } {
    return solveInfoDisplay(this);
  }
}
