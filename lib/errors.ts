/**
 * Typed errors shared by every part of gradsolve. Each error names what was
 * wrong and the offending value, so a caller can branch on the class and a
 * person can act on the message.
 *
 * @module
 */

/**
 * Base class of every error gradsolve throws on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GradsolveError, ShapeError } from "@gradsolve/gradsolve";
 * const e = new ShapeError("Cannot solve: matrix is 3x4 but must be square");
 * assert.ok(e instanceof GradsolveError);
 * ```
 *
 * @category Errors
 */
export class GradsolveError extends Error {
  /** Creates the error; `name` is the subclass name. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A dimension is wrong: non-square matrix, vector of the wrong length,
 * empty matrix, index out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GradsolveError, ShapeError } from "@gradsolve/gradsolve";
 * const e = new ShapeError("Cannot apply operator: x has length 3 but the operator has 4 columns");
 * assert.ok(e instanceof GradsolveError);
 * assert.equal(e.name, "ShapeError");
 * ```
 *
 * @category Errors
 */
export class ShapeError extends GradsolveError {}

/**
 * A NaN or infinite value was found in input data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NonFiniteError } from "@gradsolve/gradsolve";
 * const e = new NonFiniteError("Cannot solve: b[2] is NaN");
 * assert.equal(e.name, "NonFiniteError");
 * ```
 *
 * @category Errors
 */
export class NonFiniteError extends GradsolveError {}

/**
 * A preconditioner or factorisation cannot be built from this matrix:
 * zero diagonal for Jacobi, zero pivot in ILU(0), non-positive pivot in IC(0).
 * `row` is the 0-based row where it happened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FactorizationError } from "@gradsolve/gradsolve";
 * const e = new FactorizationError("Cannot build Jacobi preconditioner: diagonal entry of row 3 is zero", 3);
 * assert.equal(e.row, 3);
 * ```
 *
 * @category Errors
 */
export class FactorizationError extends GradsolveError {
  /** 0-based row (or column) where the factorisation failed. */
  readonly row: number;
  /** Creates the error for 0-based `row`. */
  constructor(message: string, row: number, options?: ErrorOptions) {
    super(message, options);
    this.row = row;
  }
}

/**
 * The matrix is structurally or numerically singular; `column` is the 0-based
 * column where the pivot vanished.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SingularMatrixError } from "@gradsolve/gradsolve";
 * const e = new SingularMatrixError("Cannot factor: matrix is singular, no nonzero pivot in column 4", 4);
 * assert.equal(e.column, 4);
 * ```
 *
 * @category Errors
 */
export class SingularMatrixError extends GradsolveError {
  /** 0-based column where no usable pivot was found. */
  readonly column: number;
  /** Creates the error for 0-based `column`. */
  constructor(message: string, column: number, options?: ErrorOptions) {
    super(message, options);
    this.column = column;
  }
}

/**
 * A Matrix Market file is malformed. `line` is 1-based; `source` names the
 * file when known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MatrixMarketError } from "@gradsolve/gradsolve";
 * const e = new MatrixMarketError("expected 3 fields but found 2", 7, "A.mtx");
 * assert.equal(e.message, "A.mtx:7: expected 3 fields but found 2");
 * ```
 *
 * @category Errors
 */
export class MatrixMarketError extends GradsolveError {
  /** 1-based line number of the offending line. */
  readonly line: number;
  /** File name or other source label, if known. */
  readonly source: string | undefined;
  /** Creates the error; the message is prefixed with `source:line:`. */
  constructor(detail: string, line: number, source?: string) {
    super(`${source ?? "<matrix market>"}:${line}: ${detail}`);
    this.line = line;
    this.source = source;
  }
}

/**
 * No WebGPU adapter or device could be obtained, or the device lacks a
 * required feature or limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuUnavailableError } from "@gradsolve/gradsolve";
 * const e = new GpuUnavailableError("No WebGPU adapter found");
 * assert.ok(e instanceof Error);
 * ```
 *
 * @category Errors
 */
export class GpuUnavailableError extends GradsolveError {}

/**
 * The GPU reported a shader compile error, a validation error, an
 * out-of-memory error, or a buffer over a device limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuError } from "@gradsolve/gradsolve";
 * const e = new GpuError("Shader 'spmv' failed to compile: line 3: unknown type");
 * assert.equal(e.name, "GpuError");
 * ```
 *
 * @category Errors
 */
export class GpuError extends GradsolveError {}

/**
 * The GPU device was lost (destroyed, driver reset) while gradsolve used it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuDeviceLostError } from "@gradsolve/gradsolve";
 * const e = new GpuDeviceLostError("GPU device lost: destroyed");
 * assert.ok(e instanceof Error);
 * ```
 *
 * @category Errors
 */
export class GpuDeviceLostError extends GradsolveError {}
