/**
 * A CPU solver state, lineax style: {@linkcode LinearSolver.init} does
 * everything that depends only on A (the preconditioner's setup — Jacobi,
 * ILU(0), IC(0) or an AMG hierarchy — or a sparse factorisation), and
 * returns a state; {@linkcode LinearSolver.compute} solves for one right-
 * hand side and {@linkcode LinearSolver.computeBlock} for k;
 * {@linkcode LinearSolver.transpose} gives the state of `Aᵀ` (the
 * transposed preconditioner, the same factors solved transposed, the
 * matrix through its cached transpose); {@linkcode LinearSolver.update}
 * takes new values on the same pattern without a new setup (a numeric
 * refactorisation, an AMG numeric update) — what a training loop wants.
 *
 * The GPU's state of the same shape is `GpuSolver` (lib/gpu).
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import type { CsrMatrix } from "../sparse/csr.ts";
import type { AmgInfo, AmgOptions, AmgPreconditioner } from "./amg/mod.ts";
import { preconditioner as buildPreconditioner } from "./build_preconditioner.ts";
import { directSolve, type Factorization, factorize } from "./direct/factor.ts";
import type { KrylovMethod } from "./krylov.ts";
import type { KrylovOptions } from "./options.ts";
import type { Preconditioner, PreconditionerName } from "./preconditioner.ts";
import { transposedPreconditioner } from "./preconditioner.ts";
import type { SolveMethod, SolveResult } from "./result.ts";
import { krylovBlockSolve, krylovSolve } from "./solve.ts";
import { getColumn } from "./block.ts";

/**
 * Options of {@linkcode LinearSolver.init}: the method and preconditioner
 * (set up once) and the defaults of every `compute`.
 *
 * @category Solvers
 */
export interface LinearSolverOptions extends Omit<KrylovOptions, "preconditioner"> {
  /** Solver. @default {"cg" when A is symmetric, else "gmres"} */
  method?: SolveMethod;
  /**
   * A name (built from A at init: `ic0` with an automatic shift, `amg` with
   * `amg` options) or a Preconditioner of your own (used as given; `update`
   * cannot refresh it unless it is an AMG state). @default {"none"}
   */
  preconditioner?: PreconditionerName | Preconditioner;
  /** Options of the AMG hierarchy for `preconditioner: "amg"`. @default {see AmgOptions} */
  amg?: AmgOptions;
  /**
   * With `preconditioner: "amg"`, `update` sets the hierarchy up afresh
   * instead of keeping its aggregates when the new values' strong
   * couplings drifted further than this from those of the last setup
   * (`AmgInfo.strengthDrift`, a distance in [0, 1]: 0 same, 1 disjoint).
   * 1 never sets up again. Measured: drift 0 keeps the iterations of a
   * fresh setup; 0.5 cost up to 2.7× the iterations and 1.0 up to 5×.
   * @default {0.25}
   */
  amgResetupDrift?: number;
}

/** What `compute` may change per call (not the setup). */
export type ComputeOptions = Omit<KrylovOptions, "preconditioner" | "restart">;

/** The per-state pieces: the matrix, its setup, and whether it solves with Aᵀ. */
interface StateParts {
  A: CsrMatrix;
  method: SolveMethod;
  options: LinearSolverOptions;
  M: Preconditioner | undefined;
  /** The name the preconditioner was built from (rebuilt by `update`), if any. */
  named: PreconditionerName | undefined;
  factors: Factorization | undefined;
  transposed: boolean;
  /** The operator the Krylov methods apply: A, or Aᵀ built once per value set. */
  op: CsrMatrix;
}

function setup(A: CsrMatrix, options: LinearSolverOptions): StateParts {
  const [rows, cols] = A.shape;
  if (rows !== cols || rows === 0) {
    throw new ShapeError(`Cannot set up a solver: A is ${rows}x${cols}, not square and nonempty`);
  }
  A.assertFinite("A");
  const drift = options.amgResetupDrift;
  if (drift !== undefined && !(drift >= 0 && drift <= 1)) {
    throw new RangeError(
      `Cannot set up a solver: amgResetupDrift must be in [0, 1], got ${drift}`,
    );
  }
  const method = options.method ?? (A.symmetric ? "cg" : "gmres");
  const spec = options.preconditioner ?? "none";
  const named = typeof spec === "string" ? spec : undefined;
  let M: Preconditioner | undefined;
  let factors: Factorization | undefined;
  if (method === "direct") factors = factorize(A);
  else if (named !== undefined) M = build(named, A, options);
  else M = spec as Preconditioner;
  return { A, method, options, M, named, factors, transposed: false, op: A };
}

function build(
  name: PreconditionerName,
  A: CsrMatrix,
  options: LinearSolverOptions,
): Preconditioner | undefined {
  if (name === "none") return undefined;
  return buildPreconditioner(name, A, name === "ic0" ? { shift: "auto" } : { amg: options.amg });
}

function isAmgState(M: Preconditioner | undefined): M is AmgPreconditioner {
  return M !== undefined && M.name === "amg" &&
    typeof (M as Partial<AmgPreconditioner>).update === "function";
}

/**
 * A CPU solver state for one matrix (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LinearSolver, poisson2d } from "@gradsolve/gradsolve";
 * const A = poisson2d(32);
 * const b = new Float64Array(A.shape[0]).fill(1);
 * const solver = LinearSolver.init(A, { preconditioner: "amg", rtol: 1e-10 });
 * const x = solver.compute(b).x;                   // setup done once, in init
 * const lambda = solver.transpose().compute(b).x;  // Aᵀλ = b with the same hierarchy
 * assert.ok(Math.abs(x[0] - lambda[0]) < 1e-8);    // A is symmetric
 * solver.update(A.values.map((v) => 2 * v));       // new values: numeric update only
 * assert.ok(Math.abs(solver.compute(b).x[0] - x[0] / 2) < 1e-8);
 * ```
 *
 * @category Solvers
 */
export class LinearSolver {
  #s: StateParts;
  #transpose: LinearSolver | undefined;
  #of: LinearSolver | undefined;

  private constructor(parts: StateParts, of?: LinearSolver) {
    this.#s = parts;
    this.#of = of;
  }

  /** Sets up a solver for `A`: the preconditioner or factorisation, once. */
  static init(A: CsrMatrix, options: LinearSolverOptions = {}): LinearSolver {
    return new LinearSolver(setup(A, options));
  }

  /** The method `compute` runs. */
  get method(): SolveMethod {
    return this.#s.method;
  }

  /**
   * The AMG hierarchy report when the preconditioner is an AMG state (its
   * `timed` says whether the last `update` kept the aggregates), else
   * undefined.
   */
  get amg(): AmgInfo | undefined {
    const M = this.#s.M;
    return isAmgState(M) ? M.info : undefined;
  }

  /** True for the state of `Aᵀ`. */
  get transposed(): boolean {
    return this.#s.transposed;
  }

  /** The preconditioner in use (undefined for none or a direct solve). */
  get preconditioner(): Preconditioner | undefined {
    return this.#s.M;
  }

  /** The matrix whose values the state holds (the state solves with its transpose when `transposed`). */
  get matrix(): CsrMatrix {
    return this.#s.A;
  }

  /** Solves for one right-hand side; `overrides` change tolerances, x0, callback, failure policy. */
  compute(b: Float64Array, overrides: ComputeOptions = {}): SolveResult {
    const s = this.#s;
    const opts = { ...s.options, ...overrides };
    if (s.method === "direct") {
      return directSolve(s.A, b, {
        factorization: s.factors!,
        transpose: s.transposed,
        onFailure: opts.onFailure ?? "throw",
      });
    }
    const { preconditioner: _p, amg: _a, method: _m, ...krylov } = opts;
    return krylovSolve(s.op, b, {
      ...krylov,
      method: s.method as KrylovMethod,
      ...(s.M ? { preconditioner: s.M } : {}),
    });
  }

  /** Solves for the k columns of `B` (n×k row-major): CG and BiCGSTAB in lock-step. */
  computeBlock(B: Float64Array, k: number, overrides: ComputeOptions = {}): SolveResult[] {
    const s = this.#s;
    if (s.method === "direct") {
      const n = s.A.shape[0];
      if (B.length !== n * k) {
        throw new ShapeError(`Cannot solve a block: B has length ${B.length}, not n·k = ${n}·${k}`);
      }
      const col = new Float64Array(n), out: SolveResult[] = [];
      for (let j = 0; j < k; j++) {
        getColumn(B, k, j, col);
        out.push(this.compute(col, overrides));
      }
      return out;
    }
    const { preconditioner: _p, amg: _a, method: _m, ...krylov } = { ...s.options, ...overrides };
    return krylovBlockSolve(s.method as KrylovMethod, s.op, B, k, {
      ...krylov,
      ...(s.M ? { preconditioner: s.M } : {}),
    });
  }

  /**
   * The state of `Aᵀ`: the transposed preconditioner (`M⁻ᵀ`; AMG's
   * transposed cycle on the same hierarchy) or the same factors solved
   * transposed. Cached; it follows this state's updates.
   */
  transpose(): LinearSolver {
    if (this.#of) return this.#of;
    const s = this.#s;
    return this.#transpose ??= new LinearSolver({
      ...s,
      M: s.M && transposedPreconditioner(s.M),
      transposed: !s.transposed,
      op: s.A.transpose(),
    }, this);
  }

  /**
   * New values for the same pattern: a named preconditioner is rebuilt from
   * them (Jacobi, ILU(0), IC(0) are numeric setups), an AMG hierarchy keeps
   * its aggregates and patterns and recomputes its numeric part, a direct
   * factorisation is refactored on its symbolic analysis. A Preconditioner
   * of your own (not AMG) is kept as it is. A named AMG hierarchy is set
   * up afresh instead when the new values' strong couplings drifted past
   * `amgResetupDrift` (then `amg.timed` is `"setup"`).
   */
  update(values: Float64Array): void {
    if (this.#of) {
      this.#of.update(values);
      return;
    }
    const s = this.#s;
    if (values.length !== s.A.nnz) {
      throw new ShapeError(
        `Cannot update the solver: ${values.length} values for a pattern with ${s.A.nnz} entries`,
      );
    }
    const A = s.A.withValues(Float64Array.from(values));
    A.assertFinite("A");
    let M = s.M;
    if (s.factors) s.factors = s.factors.refactor(A.values);
    else if (isAmgState(M)) {
      M.update(A.values);
      if (s.named === "amg" && M.info.strengthDrift > (s.options.amgResetupDrift ?? 0.25)) {
        M = build("amg", A, s.options);
      }
    } else if (s.named !== undefined) M = build(s.named, A, s.options);
    s.A = A;
    s.op = A;
    s.M = M;
    if (this.#transpose) {
      const t = this.#transpose.#s;
      t.A = A;
      t.op = A.transpose();
      t.factors = s.factors;
      t.M = M && transposedPreconditioner(M);
    }
  }
}
