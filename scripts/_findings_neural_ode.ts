/**
 * Finding rules of the neural-ODE report (`neural_ode.ts`).
 *
 * @module
 */

/**
 * The ε-sweep caption: whether the error has the V shape of O(ε²) truncation
 * at large ε and round-off at small ε (its minimum strictly inside the sweep,
 * rising at both ends by at least a factor 10).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { epsilonCaption } from "./_findings_neural_ode.ts";
 * const v = epsilonCaption([1e-2, 1e-4, 1e-6, 1e-8], [1e-3, 1e-7, 1e-9, 1e-6]);
 * assert.ok(v.includes("V"));
 * ```
 */
export function epsilonCaption(eps: readonly number[], errors: readonly number[]): string {
  // Order by decreasing ε: large steps first.
  const order = eps.map((_, i) => i).sort((a, b) => eps[b]! - eps[a]!);
  const e = order.map((i) => errors[i]!), h = order.map((i) => eps[i]!);
  let k = 0;
  for (let i = 1; i < e.length; i++) if (e[i]! < e[k]!) k = i;
  const vShape = k > 0 && k < e.length - 1 && e[0]! >= 10 * e[k]! &&
    e[e.length - 1]! >= 10 * e[k]!;
  const head = `Autodiff against central differences for each direction (first panel) and, for ` +
    `one direction, their relative difference against ε (second panel)`;
  return vShape
    ? `${head}: a V — truncation error (O(ε²)) at large ε, round-off at small ε — whose floor, ` +
      `${e[k]!.toExponential(1)} at ε = ${h[k]!.toExponential(0)}, is the agreement that ` +
      "float64 finite differences can show."
    : `${head}: no V shape over the ε range tried (smallest difference ${
      e[k]!.toExponential(1)
    } at ε = ${h[k]!.toExponential(0)}).`;
}

/** The training sentence: "reduces" only when the final loss is below the initial one. */
export function trainingSentence(m: {
  trainInitial: number;
  trainFinal: number;
  heldInitial: string;
  heldFinal: string;
  heldImproved: boolean;
}): string {
  const train = m.trainFinal < m.trainInitial
    ? `Training on final states alone reduces the training loss from ${
      m.trainInitial.toPrecision(3)
    } to ${m.trainFinal.toPrecision(3)}`
    : `Training on final states alone does not reduce the training loss (${
      m.trainInitial.toPrecision(3)
    } → ${m.trainFinal.toPrecision(3)})`;
  const held = m.heldImproved
    ? `, and the held-out final-state error falls from ${m.heldInitial} to ${m.heldFinal}.`
    : `, and the held-out final-state error does not fall (${m.heldInitial} → ${m.heldFinal}).`;
  return train + held;
}
