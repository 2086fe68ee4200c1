/**
 * Host side of the solver state block that the GPU Krylov kernels keep in
 * one storage buffer (layout in `shaders/common.wgsl`): how it is
 * initialised, and how a read-back copy is decoded.
 *
 * @module
 */

/** u32 words before the residual-history ring. */
export const STATE_HEADER_WORDS = 128;

/** Byte offset of the GMRES `stop` word (bound as a control word by SpMV). */
export const STOP_WORD_OFFSET = 256;

/** Why a GPU inner solve stopped (word 0 of the state block). */
export type InnerCode =
  | "running"
  | "converged"
  | "max-iterations"
  | "breakdown"
  | "indefinite"
  | "non-finite"
  | "stagnation";

const CODES: readonly InnerCode[] = [
  "running",
  "converged",
  "max-iterations",
  "breakdown",
  "indefinite",
  "non-finite",
  "stagnation",
];

/** A decoded read-back of the state block. */
export interface DecodedState {
  /** Stop code. */
  readonly code: InnerCode;
  /** Iterations taken so far. */
  readonly iterations: number;
  /** GMRES: the remaining Arnoldi steps of the cycle are skipped. */
  readonly stop: boolean;
  /** History ring (relative residual of iteration i at `(i-1) % length`). */
  readonly history: Float32Array<ArrayBuffer>;
}

/**
 * Bytes of the state block for a history ring of `histLen` entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateBytes } from "./state.ts";
 * assert.equal(stateBytes(25), 4 * (128 + 25));
 * ```
 */
export function stateBytes(histLen: number): number {
  return 4 * (STATE_HEADER_WORDS + histLen);
}

/**
 * The initial state block: running, 0 iterations, the iteration cap, the
 * ring length and the squared relative tolerance (scaled on the GPU by ‖r₀‖²).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialState } from "./state.ts";
 * const words = initialState(25, 100, 1e-5);
 * assert.equal(words[2], 100);
 * assert.equal(words[3], 25);
 * ```
 */
export function initialState(
  histLen: number,
  maxIter: number,
  tolRel: number,
): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(STATE_HEADER_WORDS + histLen);
  words[2] = maxIter;
  words[3] = histLen;
  new Float32Array(words.buffer)[4] = tolRel * tolRel;
  return words;
}

/**
 * Decodes a read-back state block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeState, initialState } from "./state.ts";
 * const s = decodeState(initialState(4, 10, 1e-3).buffer);
 * assert.equal(s.code, "running");
 * assert.equal(s.iterations, 0);
 * ```
 */
export function decodeState(bytes: ArrayBuffer): DecodedState {
  const u = new Uint32Array(bytes);
  return {
    code: CODES[u[0]] ?? "non-finite",
    iterations: u[1],
    stop: u[64] !== 0,
    history: new Float32Array(bytes, 4 * STATE_HEADER_WORDS, u[3]),
  };
}
