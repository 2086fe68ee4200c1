/**
 * The reverse-mode autodiff engine: tensors, differentiable ops, transforms,
 * custom rules, sparse tensors, gradient checking and tape measurement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grad, mul, sin, sum, tensor } from "@gradsolve/gradsolve";
 * const g = grad((x) => sum(mul(sin(x), x)))(tensor([0, 1]));
 * assert.ok(Math.abs(g.data[1] - (Math.cos(1) + Math.sin(1))) < 1e-15);
 * ```
 *
 * @module
 */

export * from "./tensor.ts";
export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./matmul.ts";
export * from "./shape.ts";
export * from "./index.ts";
export * from "./losses.ts";
export * from "./sparse.ts";
export * from "./transforms.ts";
export * from "./transforms_async.ts";
export * from "./custom.ts";
export * from "./check_grad.ts";
export * from "./tape_bytes.ts";
export { isRecording, record } from "./tape.ts";
