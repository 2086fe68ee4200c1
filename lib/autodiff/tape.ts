/**
 * The tape: when ops record graph nodes, and the one backward algorithm
 * (a topological sort followed by one reversed loop, as in micrograd).
 *
 * Recording. An op records a node only while some transform is tracing and
 * one of its inputs is traced. A transform traces while it runs `f`, and
 * while it runs its backward pass only if an enclosing transform was tracing
 * when it started (then the gradient it returns must itself be
 * differentiable: `grad(grad(f))`, `hvp`). The state is a counter, never a
 * flag that is switched off, so interleaved async transforms can only record
 * more than needed, never less.
 *
 * Nesting. Each transform differentiates with respect to fresh `input` nodes
 * wrapped around its arguments ({@linkcode watch}); the backward walk stops at
 * them. A closure over an outer variable is therefore differentiated by the
 * outer transform only, which is what avoids perturbation confusion.
 *
 * @module
 */

import { GradsolveError, ShapeError } from "../errors.ts";
import { type Cotangents, type Saved, Tensor, type VjpRule } from "./tensor.ts";
import { add } from "./elementwise.ts";

let tracing = 0;
let paused = 0;

/**
 * True when ops currently record graph nodes.
 *
 * @category Autodiff
 */
export function isRecording(): boolean {
  return tracing > 0 && paused === 0;
}

/**
 * Runs `fn` with recording on (one more level of tracing), also inside an
 * {@linkcode untraced} section: a transform called there still works.
 */
export function traced<T>(fn: () => T): T {
  const wasPaused = paused;
  tracing++;
  paused = 0;
  try {
    return fn();
  } finally {
    tracing--;
    paused = wasPaused;
  }
}

/** Async {@linkcode traced}: recording stays on until the promise settles. */
export async function tracedAsync<T>(fn: () => T | Promise<T>): Promise<T> {
  tracing++;
  try {
    return await fn();
  } finally {
    tracing--;
  }
}

/** Runs synchronous `fn` without recording (the numeric forward of a custom op). */
export function untraced<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

/**
 * Makes the output tensor of an op: with a graph node when recording and
 * some parent is traced, as a constant otherwise. `vjp` is the op's
 * backward rule; `saved` lists the buffers it keeps alive besides the parents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grad, mul, record, sum, Tensor, tensor } from "@gradsolve/gradsolve";
 * // y = 3x as a new primitive
 * function triple(x: Tensor): Tensor {
 *   const y = x.data.map((v) => 3 * v);
 *   return record("triple", y, x.shape, [x], (g) => [mul(g, 3)]);
 * }
 * assert.deepEqual([...triple(tensor([1, 2])).data], [3, 6]);
 * assert.deepEqual([...grad((x) => sum(triple(x)))(tensor([1, 2])).data], [3, 3]);
 * ```
 *
 * @category Autodiff
 */
export function record(
  op: string,
  data: Float64Array,
  shape: readonly number[],
  parents: readonly Tensor[],
  vjp: VjpRule,
  saved: readonly Saved[] = [],
): Tensor {
  if (isRecording() && parents.some((p) => p.node !== undefined)) {
    return new Tensor(data, shape, { op, parents, vjp, saved });
  }
  return new Tensor(data, shape);
}

/**
 * A fresh traced copy of `x` (same data) that a transform differentiates
 * with respect to. Its node passes the cotangent on to `x`, so enclosing
 * transforms still see through it.
 */
export function watch(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape, { op: "input", parents: [x], vjp: (g) => [g], saved: [] });
}

/** What one backward step asks its driver to resolve (maybe a Promise). */
type Step = Cotangents | Promise<Cotangents>;

/**
 * The backward algorithm as a generator: it yields each node's vjp result and
 * receives it back resolved, so one algorithm serves the sync and the async
 * drivers. Returns one cotangent per input (`null` when none reached it).
 */
function* backwardSteps(
  output: Tensor,
  seed: Tensor,
  inputs: readonly Tensor[],
): Generator<Step, (Tensor | null)[], Cotangents> {
  if (
    seed.shape.length !== output.shape.length || seed.shape.some((d, i) => d !== output.shape[i])
  ) {
    throw new ShapeError(
      `Cannot run backward: cotangent has shape [${seed.shape}] but the output has [${output.shape}]`,
    );
  }
  const isInput = new Set(inputs);

  // 1. Topological order (parents first) of the tensors on a path from an
  //    input to the output. Iterative DFS: unrolled solves make deep graphs.
  const relevant = new Map<Tensor, boolean>();
  const order: Tensor[] = [];
  const stack: Tensor[] = [output];
  const next: number[] = [0];
  const seen = new Set<Tensor>([output]);
  while (stack.length > 0) {
    const t = stack[stack.length - 1];
    const parents = isInput.has(t) || !t.node ? [] : t.node.parents;
    const k = next[next.length - 1];
    if (k < parents.length) {
      next[next.length - 1]++;
      const p = parents[k];
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
        next.push(0);
      }
      continue;
    }
    stack.pop();
    next.pop();
    const onPath = isInput.has(t) || parents.some((p) => relevant.get(p) === true);
    relevant.set(t, onPath);
    if (onPath) order.push(t);
  }

  // 2. One reversed loop: each node turns its output cotangent into parent
  //    cotangents, which are summed where paths meet.
  const grads = new Map<Tensor, Tensor>([[output, seed]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (isInput.has(t)) continue;
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    const node = t.node!;
    const needs = node.parents.map((p) => relevant.get(p) === true);
    const parts = yield node.vjp(g, needs, t);
    if (parts.length !== node.parents.length) {
      throw new GradsolveError(
        `Cannot run backward: the vjp rule of '${node.op}' returned ${parts.length} cotangents for ${node.parents.length} inputs`,
      );
    }
    for (let j = 0; j < parts.length; j++) {
      const part = parts[j], p = node.parents[j];
      if (!needs[j]) continue;
      if (part === null) {
        throw new GradsolveError(
          `Cannot run backward: op '${node.op}' has no gradient rule for its input ${j}`,
        );
      }
      if (part.shape.length !== p.shape.length || part.shape.some((d, a) => d !== p.shape[a])) {
        throw new ShapeError(
          `Cannot run backward: the vjp rule of '${node.op}' gave shape [${part.shape}] for input ${j} of shape [${p.shape}]`,
        );
      }
      const prev = grads.get(p);
      grads.set(p, prev ? add(prev, part) : part);
    }
  }
  return inputs.map((x) => grads.get(x) ?? null);
}

/** Options of {@linkcode backward} and {@linkcode backwardAsync}. */
export interface BackwardOptions {
  /** Record the backward pass so its results are differentiable. */
  readonly createGraph: boolean;
}

/**
 * Cotangents of `inputs` for the output cotangent `seed` (synchronous).
 * Throws when a vjp rule returns a Promise.
 */
export function backward(
  output: Tensor,
  seed: Tensor,
  inputs: readonly Tensor[],
  options: BackwardOptions,
): (Tensor | null)[] {
  const run = () => {
    const it = backwardSteps(output, seed, inputs);
    let r = it.next();
    while (!r.done) {
      if (r.value instanceof Promise) {
        r.value.catch(() => {});
        throw new GradsolveError(
          "Cannot run backward synchronously: a vjp rule returned a Promise; use gradAsync, valueAndGradAsync or vjpAsync (e.g. for webgpu solves)",
        );
      }
      r = it.next(r.value);
    }
    return r.value;
  };
  return options.createGraph ? traced(run) : run();
}

/** Cotangents of `inputs` for `seed`, awaiting asynchronous vjp rules one by one. */
export async function backwardAsync(
  output: Tensor,
  seed: Tensor,
  inputs: readonly Tensor[],
  options: BackwardOptions,
): Promise<(Tensor | null)[]> {
  const run = async () => {
    const it = backwardSteps(output, seed, inputs);
    let r = it.next();
    while (!r.done) r = it.next(await r.value);
    return r.value;
  };
  return options.createGraph ? await tracedAsync(run) : await run();
}
