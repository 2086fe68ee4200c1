/**
 * Where the real-world test matrices live: `tests/data/matrices/` in the
 * repository (sources and licences in its README.md), or the folder named by
 * the `GRADSOLVE_MATRICES` environment variable.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const fromEnv = Deno.env.get("GRADSOLVE_MATRICES");
const dir = fromEnv ?? fileURLToPath(new URL("./data/matrices/", import.meta.url));

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** True when the matrices folder exists: always in a checkout, unless `GRADSOLVE_MATRICES` is wrong. */
export const hasSharedData: boolean = exists(dir);

if (!hasSharedData) {
  console.warn(`tests: real matrices not found at ${dir}; tests that need them are skipped`);
}

/** Absolute path of a test matrix, e.g. `matrixPath("west0067")` (".mtx" optional). */
export function matrixPath(name: string): string {
  return `${dir.replace(/\/$/, "")}/${name.endsWith(".mtx") ? name : name + ".mtx"}`;
}

/** Names of the 12 real test matrices. */
export const REAL_MATRICES: readonly string[] = [
  "bcsstk01",
  "bcsstk16",
  "nos6",
  "1138_bus",
  "Laplace3D10",
  "west0067",
  "fs_183_1",
  "west0479",
  "2dcyl1",
  "BentPipe2D100",
  "hangGlider_2",
  "tumorAntiAngiogenesis_2",
];
