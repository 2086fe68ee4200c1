/**
 * Quiets a harmless warning of the Vulkan loader in command-line programs.
 *
 * @module
 */

/**
 * Vulkan's loader probes Wayland when a WebGPU adapter is requested and prints
 * `XDG_RUNTIME_DIR is invalid or not set` when that variable is unset (the
 * message is harmless). Programs call this once at start-up, before any GPU
 * use, to point it at a private temporary folder. Needs `--allow-env` and
 * `--allow-write`; does nothing when the variable is already set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureXdgRuntimeDir } from "./_runtime_dir.ts";
 * ensureXdgRuntimeDir();
 * assert.notEqual(Deno.env.get("XDG_RUNTIME_DIR"), undefined);
 * ```
 */
export function ensureXdgRuntimeDir(): void {
  if (Deno.env.get("XDG_RUNTIME_DIR") === undefined) {
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "gradsolve_xdg_" }));
  }
}
