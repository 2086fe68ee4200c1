/**
 * Atomic file writes: a reader (or a crash) never sees a half-written file.
 *
 * @module
 */

/**
 * Writes `data` to `path.tmp-<random>` and renames it onto `path`, so `path`
 * holds either its old content or all of `data`. On failure the temporary
 * file is removed and the error rethrown.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * console.assert(await Deno.readTextFile(`${dir}/a.txt`) === "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}
