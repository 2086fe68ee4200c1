/**
 * Preconditioners for differentiable solves: a name, a numeric
 * {@linkcode Preconditioner}, or a {@linkcode DifferentiablePreconditioner}
 * whose parameters are tensors. The adjoint solve always gets the
 * TRANSPOSED preconditioner `M⁻ᵀ` (the same one when it is symmetric).
 *
 * @module
 */

import { untraced } from "../autodiff/tape.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { vjp } from "../autodiff/transforms.ts";
import { ShapeError } from "../errors.ts";
import { preconditioner as buildPreconditioner } from "../linalg/build_preconditioner.ts";
import type { AmgOptions, AmgPreconditioner } from "../linalg/amg/mod.ts";
import type { Preconditioner, PreconditionerName } from "../linalg/preconditioner.ts";
import type { System } from "./system.ts";

/**
 * A preconditioner `r ↦ M⁻¹r` written with differentiable ops on tensor
 * `params` (e.g. a learned diagonal). It must be linear in `r`.
 *
 * Which modes give its parameters a gradient: `adjoint: "unrolled"` and
 * `{ truncated: k }` differentiate through the iterations, so they do.
 * `adjoint: "implicit"` differentiates the exact solution `x = A⁻¹b`, which
 * does not depend on `M` at all: the gradient with respect to `params` is
 * exactly zero there (M only changes how fast the solve converges).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DifferentiablePreconditioner, fromArray, mul, solve, tensor } from "@gradsolve/gradsolve";
 * const d = tensor([0.5, 0.5, 0.5]);
 * const M: DifferentiablePreconditioner = { params: [d], apply: (r) => mul(d, r), symmetric: true };
 * const A = fromArray([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
 * const x = solve(A, tensor([2, 4, 6]), { preconditioner: M, rtol: 1e-12 });
 * assert.ok(x.data.every((v, i) => Math.abs(v - (i + 1)) < 1e-10));
 * ```
 *
 * @category Differentiable solves
 */
export interface DifferentiablePreconditioner {
  /** The tensors `apply` depends on. */
  readonly params: readonly Tensor[];
  /** `M⁻¹ r` for `r` of shape [n], with differentiable ops. */
  apply(r: Tensor): Tensor;
  /** Promise that `M⁻¹` is symmetric (needed by CG and MINRES). @default {false} */
  readonly symmetric?: boolean;
}

/**
 * What `solve` accepts as a preconditioner.
 *
 * @category Differentiable solves
 */
export type PreconditionerSpec = PreconditionerName | Preconditioner | DifferentiablePreconditioner;

/** True for a {@linkcode DifferentiablePreconditioner}. */
export function isDifferentiable(
  p: PreconditionerSpec | undefined,
): p is DifferentiablePreconditioner {
  return typeof p === "object" && "params" in p;
}

/** The numeric form of a differentiable preconditioner (transpose via its vjp). */
function numericOf(P: DifferentiablePreconditioner, n: number): Preconditioner {
  const run = (r: Float64Array, z: Float64Array) => {
    z.set(untraced(() => P.apply(new Tensor(r, [n]))).data);
  };
  return {
    name: "differentiable",
    symmetric: P.symmetric ?? false,
    apply: run,
    applyTranspose: (r, z) => {
      // M⁻ᵀr is the vjp of the linear map v ↦ M⁻¹v at r.
      const pullback = vjp((v) => P.apply(v), new Tensor(new Float64Array(n), [n]))[1];
      z.set(pullback(new Tensor(r, [n]))[0].data);
    },
  };
}

/**
 * The numeric preconditioner of a system for the forward solve (`undefined`
 * for none). Named ones are built from the system's CSR matrix (`"amg"` with
 * `amg` options). An AMG state passed in (from `amgSetup`) is reused: when
 * the system's values differ from the ones it was built or last updated
 * with, it takes them with `update` (same aggregates and patterns, new
 * numeric part) instead of a new setup — what a training loop wants.
 */
export function numericPreconditioner(
  spec: PreconditionerSpec | undefined,
  sys: System,
  amg?: AmgOptions,
): Preconditioner | undefined {
  if (spec === undefined || spec === "none") return undefined;
  if (typeof spec === "string") {
    if (!sys.csr) {
      throw new ShapeError(
        `Cannot build preconditioner "${spec}": the operator is matrix-free; pass a Preconditioner or a DifferentiablePreconditioner`,
      );
    }
    return buildPreconditioner(spec, sys.csr, spec === "ic0" ? { shift: "auto" } : { amg });
  }
  if (isDifferentiable(spec)) return numericOf(spec, sys.n);
  if (isAmg(spec) && sys.csr) refreshAmg(spec, sys.csr.values);
  return spec;
}

/** True for an AMG state (from `amgSetup`). */
export function isAmg(M: Preconditioner): M is AmgPreconditioner {
  return M.name === "amg" && typeof (M as Partial<AmgPreconditioner>).update === "function" &&
    Array.isArray((M as Partial<AmgPreconditioner>).levels);
}

/**
 * Updates an AMG state to `values` unless it holds them already (O(nnz) to
 * compare). Throws `ShapeError` when the state was built for another
 * number of stored entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refreshAmg } from "./preconditioning.ts";
 * import { amgSetup } from "../linalg/amg/mod.ts";
 * import { poisson2d } from "../sparse/generators.ts";
 * const A = poisson2d(16);
 * const M = amgSetup(A);
 * refreshAmg(M, A.values); // the same values: nothing to do
 * assert.equal(M.info.timed, "setup");
 * refreshAmg(M, A.values.map((v) => 2 * v));
 * assert.equal(M.info.timed, "update");
 * ```
 */
export function refreshAmg(M: AmgPreconditioner, values: Float64Array): void {
  const held = M.levels[0].A.values;
  if (held.length !== values.length) {
    throw new ShapeError(
      `Cannot reuse the AMG preconditioner: it was built for ${held.length} stored entries, the matrix has ${values.length}`,
    );
  }
  for (let k = 0; k < values.length; k++) {
    if (held[k] !== values[k]) {
      M.update(values);
      return;
    }
  }
}
