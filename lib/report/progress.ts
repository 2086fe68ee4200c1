/**
 * A progress bar for long loops in experiment scripts, drawn on stderr only
 * when stderr is a terminal; otherwise it prints nothing.
 *
 * @module
 */

/**
 * Where the bar is drawn: `Deno.stderr` or anything with the same two methods.
 *
 * @category Reports
 */
export interface ProgressOutput {
  /** Whether the output is an interactive terminal. */
  isTerminal(): boolean;
  /** Writes bytes synchronously. */
  writeSync(bytes: Uint8Array): number;
}

/**
 * Options of {@linkcode progress}.
 *
 * @category Reports
 */
export interface ProgressOptions {
  /** Output stream. @default {Deno.stderr} */
  output?: ProgressOutput;
  /** Minimum milliseconds between redraws. @default {100} */
  intervalMs?: number;
}

/**
 * Handle returned by {@linkcode progress}.
 *
 * @category Reports
 */
export interface Progress {
  /** Records `n` more completed steps. @default n=1 */
  tick(n?: number): void;
  /** Draws the final state and ends the line. Further calls do nothing. */
  done(): void;
}

const BAR = 28;
const encoder = new TextEncoder();

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

/**
 * Starts a progress bar for `total` steps labelled `label`:
 * `label [#######-------] 25/100 25% 1.2s eta 3.6s`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progress } from "./progress.ts";
 * let text = "";
 * const output = {
 *   isTerminal: () => true,
 *   writeSync: (bytes: Uint8Array) => (text += new TextDecoder().decode(bytes), bytes.length),
 * };
 * const bar = progress(3, "training", { output });
 * for (let i = 0; i < 3; i++) bar.tick();
 * bar.done();
 * assert.ok(text.includes("training"));
 * assert.ok(text.includes("3/3"));
 * ```
 *
 * @category Reports
 */
export function progress(total: number, label: string, options: ProgressOptions = {}): Progress {
  const output = options.output ?? Deno.stderr;
  const interval = options.intervalMs ?? 100;
  const enabled = output.isTerminal();
  const start = Date.now();
  let count = 0, lastDraw = -Infinity, finished = false;

  const draw = (now: number) => {
    lastDraw = now;
    const fraction = total > 0 ? Math.min(count / total, 1) : 1;
    const filled = Math.round(fraction * BAR);
    const elapsed = now - start;
    const eta = count > 0 && count < total
      ? ` eta ${seconds((elapsed / count) * (total - count))}`
      : "";
    const line = `${label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${count}/${total} ` +
      `${Math.round(fraction * 100)}% ${seconds(elapsed)}${eta}`;
    // \r returns to the line start, \x1b[K clears what the previous line left.
    output.writeSync(encoder.encode(`\r${line}\x1b[K`));
  };

  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      if (!enabled) return;
      const now = Date.now();
      if (now - lastDraw >= interval) draw(now);
    },
    done() {
      if (finished) return;
      finished = true;
      if (!enabled) return;
      draw(Date.now());
      output.writeSync(encoder.encode("\n"));
    },
  };
}
