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
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category Reports
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

/**
 * Options of {@linkcode removeStaleTemps}.
 *
 * @category Reports
 */
export interface RemoveStaleTempsOptions {
  /** Only remove temporaries last modified at least this long ago, in ms. @default {0} */
  olderThanMs?: number;
}

/**
 * Removes the temporary files {@linkcode writeFileAtomic} leaves behind when
 * a process is killed between its write and its rename: `dir/FILE.tmp-XXXXXXXX`
 * for each `FILE` in `fileNames`. Returns the names removed; a missing `dir`
 * removes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeStaleTemps } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.html.tmp-0123abcd`, "partial");
 * await Deno.writeTextFile(`${dir}/b.html.tmp-0123abcd`, "someone else's");
 * assert.deepEqual(await removeStaleTemps(dir, ["a.html", "a.json"]), ["a.html.tmp-0123abcd"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category Reports
 */
export async function removeStaleTemps(
  dir: string,
  fileNames: readonly string[],
  options: RemoveStaleTempsOptions = {},
): Promise<string[]> {
  const olderThan = options.olderThanMs ?? 0;
  const wanted = new Set(fileNames);
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  for (const e of entries) {
    const m = /^(.+)\.tmp-[0-9a-f]{8}$/.exec(e.name);
    if (!e.isFile || m === null || !wanted.has(m[1]!)) continue;
    const path = `${dir}/${e.name}`;
    if (olderThan > 0) {
      const mtime = (await Deno.stat(path).catch(() => null))?.mtime?.getTime();
      if (mtime === undefined || Date.now() - mtime < olderThan) continue;
    }
    try {
      await Deno.remove(path);
      removed.push(e.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // another run removed it
    }
  }
  return removed.sort();
}
