/**
 * The vector operations a Krylov method is written over. CG and BiCGSTAB
 * are each written once (`cgMethod`, `bicgstabMethod`) as their maths over
 * this interface; backends implement it: the CPU in float64 for k columns at
 * once (`CpuKrylovOps`, k = 1 for a single solve, columns masked as they
 * stop) and the autodiff tape (`TapeKrylovOps` in lib/diff: the same text,
 * recorded, is the unrolled and truncated gradient).
 *
 * Conventions every backend follows:
 *
 * - Vectors are values of type `V`; an operation that "updates" a vector
 *   returns the new one. In-place backends overwrite their argument and
 *   return it, functional ones (the tape) return a new value, so the method
 *   text never reads a vector after passing it to an update.
 * - `out` arguments name a workspace the backend may fill (from `vector()`);
 *   functional backends ignore them.
 * - Scalars are values of type `S`, one number per column.
 * - A guard (`positive`, `nonzero`, `finite`) stops the columns whose scalar
 *   fails it, with the status it names, and returns true while any column
 *   is still active; a stopped column is no longer touched by any operation.
 * - `step` ends one iteration (BiCGSTAB: one half-step) with the squared
 *   recursive residual norm: it records the history, stops converged,
 *   non-finite and out-of-budget columns, calls the user's callback, and
 *   returns true while any column is active.
 *
 * @module
 */

/**
 * How one column's cycle ended: its estimate met the tolerance
 * (`converged`), GMRES reached its restart length (`restart`), the budget
 * was spent (`max-iterations`), the callback asked to stop (`stopped`), a
 * backend's refinement made no more progress (`stagnation`), or a failure.
 * The driver then decides on the true residual.
 *
 * @category Solvers
 */
export type CycleStatus =
  | "converged"
  | "restart"
  | "max-iterations"
  | "stopped"
  | "breakdown"
  | "indefinite"
  | "non-finite"
  | "stagnation";

/**
 * The operations of {@linkcode cgMethod} and {@linkcode bicgstabMethod}.
 * See the module documentation for the conventions.
 *
 * @example
 * ```ts
 * import type { KrylovOps } from "@gradsolve/gradsolve";
 * // Any backend: float64 on the CPU, the tape, …
 * function residualNorm<V, S>(ops: KrylovOps<V, S>, r: V): S {
 *   return ops.dot(r, r);
 * }
 * ```
 *
 * @category Solvers
 */
export interface KrylovOps<V, S> {
  /** A workspace vector (zeros), allocated once per cycle. */
  vector(): V;
  /** `out ← src`. */
  copy(src: V, out: V): V;
  /** `A p`. */
  apply(p: V, out: V): V;
  /** `q = A p` and `pᵀq` in one pass. */
  applyDot(p: V, out: V): [V, S];
  /** `M⁻¹ r` (`r` itself when there is no preconditioner). */
  precondition(r: V, out: V): V;
  /** `aᵀb` per column. */
  dot(a: V, b: V): S;
  /** `y + α x`. */
  axpy(alpha: S, x: V, y: V): V;
  /** `y + α x` and its squared norm in one pass. */
  axpyNorm(alpha: S, x: V, y: V): [V, S];
  /** CG's update: `x + α p`, `r − α q` and `‖r − α q‖²` in one pass. */
  update(alpha: S, p: V, q: V, x: V, r: V): [V, V, S];
  /** CG's direction: `z + β p`. */
  xpby(z: V, beta: S, p: V): V;
  /** BiCGSTAB's direction: `r + β (p − ω v)`. */
  direction(r: V, beta: S, omega: S, p: V, v: V): V;
  /** `a / b`. */
  div(a: S, b: S): S;
  /** `a / b`, and 0 where `b = 0` (BiCGSTAB's ω when `t = 0`). */
  divOrZero(a: S, b: S): S;
  /** `a · b`. */
  mul(a: S, b: S): S;
  /** `−a`. */
  neg(a: S): S;
  /** Stops columns with `s ≤ 0` (`< 0`: indefinite, `= 0`: `zero`) or NaN (non-finite). */
  positive(s: S, zero: "breakdown" | "indefinite"): boolean;
  /** Stops columns with `s = 0` (breakdown) or a non-finite `s`. */
  nonzero(s: S): boolean;
  /** Stops columns with a non-finite `s`. */
  finite(s: S): boolean;
  /**
   * Ends an iteration with `‖r‖²` (recursive); `alpha` and `beta` are the
   * iteration's step length and the last direction update's coefficient,
   * passed to the user's callback.
   */
  step(rr: S, alpha?: S, beta?: S): boolean;
}
