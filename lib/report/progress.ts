/**
 * Progress of long loops in experiment scripts, on stderr: a bar redrawn in
 * place on a terminal; plain log lines (one every few seconds, and one at the
 * end) when stderr is a file or a pipe, so a log shows that a run is alive.
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
  /** Minimum milliseconds between redraws on a terminal. @default {100} */
  intervalMs?: number;
  /** Milliseconds between log lines when the output is not a terminal. @default {5000} */
  logIntervalMs?: number;
  /** Clock in milliseconds (tests). @default {Date.now} */
  now?: () => number;
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
  const terminal = output.isTerminal();
  const interval = terminal ? options.intervalMs ?? 100 : options.logIntervalMs ?? 5000;
  const clock = options.now ?? Date.now;
  const start = clock();
  // A log's first line comes one interval in; a terminal's bar at once.
  let count = 0, lastDraw = terminal ? -Infinity : start, finished = false;

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
    // Terminal: \r returns to the line start, \x1b[K clears what the previous line left.
    // Log: one plain line each time.
    output.writeSync(encoder.encode(terminal ? `\r${line}\x1b[K` : `${line}\n`));
  };

  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      const now = clock();
      if (now - lastDraw >= interval) draw(now);
    },
    done() {
      if (finished) return;
      finished = true;
      draw(clock());
      if (terminal) output.writeSync(encoder.encode("\n"));
    },
  };
}
