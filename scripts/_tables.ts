/**
 * Tables of a run's headline numbers with human names instead of the
 * camelCase keys of `run().metrics`.
 *
 * @module
 */

/**
 * Rows `{quantity, value}` for every metric, named by `names`; a metric
 * without a name is an error, so a new metric cannot reach a report under
 * its code name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { humanTable } from "./_tables.ts";
 * const rows = humanTable({ msPerStep: 12 }, { msPerStep: "time per step (ms)" });
 * assert.equal(rows[0]!.quantity, "time per step (ms)");
 * ```
 */
export function humanTable(
  metrics: Record<string, unknown>,
  names: Record<string, string>,
): { quantity: string; value: unknown }[] {
  return Object.entries(metrics).map(([key, value]) => {
    const quantity = names[key];
    if (quantity === undefined) {
      throw new Error(`Cannot name metric "${key}": add it to the script's table of names`);
    }
    return { quantity, value };
  });
}
