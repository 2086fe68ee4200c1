/**
 * Several right-hand sides `A X = B` (`B` is n×k, row-major) solved as a
 * block. CG and BiCGSTAB run in lock-step: one pass over the matrix per
 * matrix product serves all k columns (an SpMM kernel for CSR matrices),
 * while each column keeps its own scalars and stops on its own tolerance.
 * GMRES, MINRES and direct solves loop over the columns (one solve each).
 *
 * Every column is finished like a single solve: the true residual is
 * recomputed; a column whose estimate met the tolerance but whose true
 * residual did not is handed to the single-vector solver from its current
 * iterate. Columns are scaled to unit max-norm first; zero columns cost nothing.
 *
 * @module
 */

import type { LinearOperator } from "../linalg/operator.ts";
import type { Preconditioner } from "../linalg/preconditioner.ts";
import {
  enforcePolicy,
  reasonMessage,
  type SolveReason,
  type SolveResult,
} from "../linalg/result.ts";
import { maxAbs } from "../linalg/vector.ts";
import { CsrMatrix } from "../sparse/csr.ts";
import { numericSolve, type NumericSolveOptions, zeroResult } from "./numeric_solve.ts";

/**
 * Per-column results of {@linkcode blockSolve}.
 *
 * @category Differentiable solves
 */
export interface BlockSolveResult {
  /** Solutions, n×k row-major. */
  readonly X: Float64Array;
  /** One result per column (`x` of each is its column). */
  readonly columns: readonly SolveResult[];
  /** Columns for which a solver ran (zero columns excluded). */
  readonly solved: number;
}

/** `Y ← A X` for k columns: one pass over a CSR matrix, else column by column. */
function blockApply(
  A: LinearOperator,
  X: Float64Array,
  Y: Float64Array,
  k: number,
  tmp: Tmp,
): void {
  if (A instanceof CsrMatrix) {
    const { rowPtr, colIdx, nRows } = A.pattern;
    const v = A.values;
    Y.fill(0);
    for (let i = 0; i < nRows; i++) {
      const o = i * k;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const a = v[p], c = colIdx[p] * k;
        for (let j = 0; j < k; j++) Y[o + j] += a * X[c + j];
      }
    }
    return;
  }
  for (let j = 0; j < k; j++) {
    getColumn(X, k, j, tmp.u);
    A.apply(tmp.u, tmp.w);
    setColumn(Y, k, j, tmp.w);
  }
}

interface Tmp {
  u: Float64Array;
  w: Float64Array;
}

function getColumn(X: Float64Array, k: number, j: number, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = X[i * k + j];
}

function setColumn(X: Float64Array, k: number, j: number, col: Float64Array): void {
  for (let i = 0; i < col.length; i++) X[i * k + j] = col[i];
}

function colDot(X: Float64Array, Y: Float64Array, k: number, j: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += X[i * k + j] * Y[i * k + j];
  return s;
}

/** `Z[:, j] ← M⁻¹ R[:, j]` for the listed columns. */
function precondition(
  M: Preconditioner | undefined,
  R: Float64Array,
  Z: Float64Array,
  k: number,
  cols: readonly number[],
  tmp: Tmp,
): void {
  if (!M) {
    for (const j of cols) for (let i = 0; i < tmp.u.length; i++) Z[i * k + j] = R[i * k + j];
    return;
  }
  for (const j of cols) {
    getColumn(R, k, j, tmp.u);
    M.apply(tmp.u, tmp.w);
    setColumn(Z, k, j, tmp.w);
  }
}

/** State of one column in a lock-step iteration. */
interface Column {
  active: boolean;
  status: "estimate" | SolveReason;
  iterations: number;
  tol: number;
  bnorm: number;
  history: number[];
}

type LockStep = (
  A: LinearOperator,
  B: Float64Array,
  X: Float64Array,
  k: number,
  cols: Column[],
  options: NumericSolveOptions,
  maxIter: number,
) => void;

/** Lock-step preconditioned CG over the active columns. */
const blockCg: LockStep = (A, B, X, k, cols, options, maxIter) => {
  const n = B.length / k, M = options.preconditioner;
  const tmp: Tmp = { u: new Float64Array(n), w: new Float64Array(n) };
  const R = new Float64Array(n * k), Z = new Float64Array(n * k), P = new Float64Array(n * k);
  const Q = new Float64Array(n * k), rz = new Float64Array(k);
  blockApply(A, X, Q, k, tmp);
  for (let t = 0; t < R.length; t++) R[t] = B[t] - Q[t];
  const active = () => cols.flatMap((c, j) => (c.active ? [j] : []));
  precondition(M, R, Z, k, active(), tmp);
  P.set(Z);
  for (const j of active()) rz[j] = colDot(R, Z, k, j, n);
  for (let it = 0; it < maxIter; it++) {
    const act = active();
    if (act.length === 0) break;
    blockApply(A, P, Q, k, tmp);
    for (const j of act) {
      const c = cols[j];
      const pq = colDot(P, Q, k, j, n);
      if (!(pq > 0)) {
        c.active = false;
        c.status = pq === 0
          ? "diverged-breakdown"
          : pq < 0
          ? "diverged-indefinite"
          : "diverged-non-finite";
        continue;
      }
      const alpha = rz[j] / pq;
      let rr = 0;
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        X[t] += alpha * P[t];
        R[t] -= alpha * Q[t];
        rr += R[t] * R[t];
      }
      c.iterations++;
      const rn = Math.sqrt(rr);
      c.history.push(rn / c.bnorm);
      if (rn <= c.tol) {
        c.active = false;
        c.status = "estimate";
      } else if (!Number.isFinite(rn)) {
        c.active = false;
        c.status = "diverged-non-finite";
      }
    }
    const still = active();
    precondition(M, R, Z, k, still, tmp);
    for (const j of still) {
      const rzNew = colDot(R, Z, k, j, n);
      if (!(rzNew > 0)) {
        cols[j].active = false;
        cols[j].status = "diverged-indefinite";
        continue;
      }
      const beta = rzNew / rz[j];
      rz[j] = rzNew;
      for (let i = 0; i < n; i++) P[i * k + j] = Z[i * k + j] + beta * P[i * k + j];
    }
  }
  for (const c of cols) if (c.active) (c.active = false), (c.status = "diverged-max-iterations");
};

/** Lock-step right-preconditioned BiCGSTAB over the active columns. */
const blockBicgstab: LockStep = (A, B, X, k, cols, options, maxIter) => {
  const n = B.length / k, M = options.preconditioner;
  const tmp: Tmp = { u: new Float64Array(n), w: new Float64Array(n) };
  const size = n * k;
  const R = new Float64Array(size), Rh = new Float64Array(size), P = new Float64Array(size);
  const V = new Float64Array(size), Ph = new Float64Array(size), S = new Float64Array(size);
  const Sh = new Float64Array(size), T = new Float64Array(size);
  const rho = new Float64Array(k).fill(1), alpha = new Float64Array(k).fill(1);
  const omega = new Float64Array(k).fill(1);
  blockApply(A, X, V, k, tmp);
  for (let t = 0; t < size; t++) R[t] = B[t] - V[t];
  Rh.set(R);
  V.fill(0);
  const active = () => cols.flatMap((c, j) => (c.active ? [j] : []));
  const stop = (j: number, status: Column["status"]) => {
    cols[j].active = false;
    cols[j].status = status;
  };
  for (let it = 0; it < maxIter; it++) {
    let act = active();
    if (act.length === 0) break;
    for (const j of act) {
      const rhoNew = colDot(Rh, R, k, j, n);
      if (rhoNew === 0 || !Number.isFinite(rhoNew)) {
        stop(j, rhoNew === 0 ? "diverged-breakdown" : "diverged-non-finite");
        continue;
      }
      const beta = (rhoNew / rho[j]) * (alpha[j] / omega[j]);
      rho[j] = rhoNew;
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        P[t] = R[t] + beta * (P[t] - omega[j] * V[t]);
      }
    }
    act = active();
    precondition(M, P, Ph, k, act, tmp);
    blockApply(A, Ph, V, k, tmp);
    for (const j of act) {
      const c = cols[j];
      const rv = colDot(Rh, V, k, j, n);
      if (rv === 0) {
        stop(j, "diverged-breakdown");
        continue;
      }
      alpha[j] = rho[j] / rv;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        S[t] = R[t] - alpha[j] * V[t];
        ss += S[t] * S[t];
      }
      c.iterations++;
      if (Math.sqrt(ss) <= c.tol) {
        for (let i = 0; i < n; i++) X[i * k + j] += alpha[j] * Ph[i * k + j];
        c.history.push(Math.sqrt(ss) / c.bnorm);
        stop(j, "estimate");
      }
    }
    act = active();
    precondition(M, S, Sh, k, act, tmp);
    blockApply(A, Sh, T, k, tmp);
    for (const j of act) {
      const c = cols[j];
      const tt = colDot(T, T, k, j, n), ts = colDot(T, S, k, j, n);
      omega[j] = tt === 0 ? 0 : ts / tt;
      if (omega[j] === 0) {
        stop(j, "diverged-breakdown");
        continue;
      }
      let rr = 0;
      for (let i = 0; i < n; i++) {
        const t = i * k + j;
        X[t] += alpha[j] * Ph[t] + omega[j] * Sh[t];
        R[t] = S[t] - omega[j] * T[t];
        rr += R[t] * R[t];
      }
      const rn = Math.sqrt(rr);
      c.history.push(rn / c.bnorm);
      if (rn <= c.tol) stop(j, "estimate");
      else if (!Number.isFinite(rn)) stop(j, "diverged-non-finite");
    }
  }
  for (const c of cols) if (c.active) (c.active = false), (c.status = "diverged-max-iterations");
};

/**
 * Solves `A X = B` for the k columns of `B` (n×k row-major). Lock-step for
 * `cg` and `bicgstab`; a loop of single solves for `gmres`, `minres` and
 * `direct`. `options.x0`, when given, is n×k. `onFailure` applies per column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockSolve, CsrMatrix } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[4, 1], [1, 3]]);
 * const { X } = blockSolve(A, Float64Array.of(1, 0, 0, 1), 2, { method: "cg", rtol: 1e-12 });
 * assert.ok(Math.abs(X[0] - 3 / 11) < 1e-12);
 * ```
 *
 * @category Differentiable solves
 */
export function blockSolve(
  A: LinearOperator,
  B: Float64Array,
  k: number,
  options: NumericSolveOptions,
): BlockSolveResult {
  const n = B.length / k, method = options.method;
  const precName = options.preconditioner?.name ?? "none";
  const X = new Float64Array(n * k);
  const columns: SolveResult[] = new Array(k);
  const col = new Float64Array(n);
  const single = (j: number, x0: Float64Array | undefined) => {
    getColumn(B, k, j, col);
    const { result, solved } = numericSolve(A, col, { ...options, ...(x0 ? { x0 } : {}) });
    setColumn(X, k, j, result.x);
    return { result, solved };
  };
  if (method !== "cg" && method !== "bicgstab") {
    let solved = 0;
    for (let j = 0; j < k; j++) {
      const x0 = options.x0 ? new Float64Array(n) : undefined;
      if (x0 && options.x0) getColumn(options.x0, k, j, x0);
      const r = single(j, x0);
      columns[j] = r.result;
      if (r.solved) solved++;
    }
    return { X, columns, solved };
  }
  // Scale every column to unit max-norm; zero columns are done.
  const scale = new Float64Array(k);
  const Bs = new Float64Array(n * k);
  const state: Column[] = [];
  const rtol = options.rtol ?? 1e-8, atol = options.atol ?? 0;
  for (let j = 0; j < k; j++) {
    getColumn(B, k, j, col);
    scale[j] = maxAbs(col);
    let bb = 0;
    for (let i = 0; i < n; i++) {
      const v = scale[j] === 0 ? 0 : col[i] / scale[j];
      Bs[i * k + j] = v;
      bb += v * v;
      if (options.x0 && scale[j] !== 0) X[i * k + j] = options.x0[i * k + j] / scale[j];
    }
    const bnorm = Math.sqrt(bb);
    state.push({
      active: scale[j] !== 0,
      status: "estimate",
      iterations: 0,
      tol: Math.max(rtol * bnorm, atol / (scale[j] || 1)),
      bnorm: bnorm || 1,
      history: [],
    });
  }
  const maxIter = options.maxIter ?? Math.max(1000, 10 * n);
  (method === "cg" ? blockCg : blockBicgstab)(A, Bs, X, k, state, options, maxIter);
  // Finish each column on its true residual.
  const tmp: Tmp = { u: new Float64Array(n), w: new Float64Array(n) };
  const AX = new Float64Array(n * k);
  blockApply(A, X, AX, k, tmp);
  let solved = 0;
  for (let j = 0; j < k; j++) {
    const s = scale[j], c = state[j];
    if (s === 0) {
      columns[j] = zeroResult(n, method, precName);
      continue;
    }
    solved++;
    let rr = 0;
    for (let i = 0; i < n; i++) rr += (Bs[i * k + j] - AX[i * k + j]) ** 2;
    const rn = Math.sqrt(rr);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = X[i * k + j] * s;
    if (c.status === "estimate" && rn > c.tol) {
      // The estimate was optimistic: let the single-vector solver finish from here.
      const r = single(j, x);
      columns[j] = { ...r.result, iterations: r.result.iterations + c.iterations };
      continue;
    }
    const reason: SolveReason = c.status === "estimate"
      ? (rtol * c.bnorm >= atol / s ? "converged-rtol" : "converged-atol")
      : c.status;
    setColumn(X, k, j, x);
    columns[j] = enforcePolicy({
      x,
      converged: reason.startsWith("converged"),
      reason,
      iterations: c.iterations,
      relativeResidual: rn / c.bnorm,
      residualNorm: rn * s,
      residualHistory: [1, ...c.history],
      method,
      preconditioner: precName,
      message: reasonMessage(reason),
    }, options.onFailure ?? "throw");
  }
  return { X, columns, solved };
}
