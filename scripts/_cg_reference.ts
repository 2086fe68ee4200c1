/**
 * The C (and, where its headers exist, Eigen) reference CG of
 * `bench/c/cg_reference.cpp`: compile it once, then time its CG and SpMV on
 * the 2-D Poisson matrix. Used by `bench.ts` (interleaved with gradsolve's
 * own solves, so both sides see the same machine) and by
 * `bench_cg_reference.ts`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Path of the C++ source inside this repository. */
export const CG_REFERENCE_SOURCE: string = fileURLToPath(
  new URL("../bench/c/cg_reference.cpp", import.meta.url),
);

/** A compiled reference program. */
export interface CompiledReference {
  /** Path of the executable (inside a temporary folder; call `dispose()`). */
  exe: string;
  /** The compile command, for the report. */
  command: string;
  /** Whether Eigen's headers were found (otherwise only the plain C implementations run). */
  eigen: boolean;
  /** Removes the temporary folder. */
  dispose(): Promise<void>;
}

/** Either a compiled program or the one-line reason there is none. */
export type CompileOutcome = { ok: true; reference: CompiledReference } | {
  ok: false;
  reason: string;
};

/** C-side CG timing of one implementation. */
export interface CTiming {
  /** `c_cg_fused`, `c_cg_plain`, `eigen_cg`, `c_spmv` or `eigen_spmv`. */
  impl: string;
  /** Milliseconds per CG iteration (median per SpMV in spmv mode). */
  ms: number;
  /** Iterations run (CG rows). */
  iterations?: number;
}

const decoder = new TextDecoder();

async function tryRun(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return {
      ok: out.success,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch {
    return { ok: false, stdout: "", stderr: `${cmd} could not be started` };
  }
}

/** The first C++ compiler on PATH among g++, c++ and clang++, or `undefined`. */
export async function findCompiler(): Promise<string | undefined> {
  for (const cxx of ["g++", "c++", "clang++"]) {
    if ((await tryRun(cxx, ["--version"])).ok) return cxx;
  }
  return undefined;
}

async function eigenFlags(): Promise<string[]> {
  const pc = await tryRun("pkg-config", ["--cflags", "eigen3"]);
  if (pc.ok) return pc.stdout.trim().split(/\s+/).filter(Boolean);
  try {
    await Deno.stat("/usr/include/eigen3/Eigen/Sparse");
    return ["-I/usr/include/eigen3"];
  } catch {
    return [];
  }
}

/**
 * Compiles `source` with `-O3 -march=native` into a temporary folder. Never
 * throws for a missing compiler or source: the outcome says why instead.
 */
export async function compileCgReference(source = CG_REFERENCE_SOURCE): Promise<CompileOutcome> {
  try {
    await Deno.stat(source);
  } catch {
    return { ok: false, reason: `the C reference source ${source} is missing` };
  }
  const cxx = await findCompiler();
  if (cxx === undefined) {
    return { ok: false, reason: "no C++ compiler (g++, c++ or clang++) on PATH" };
  }
  const flags = ["-O3", "-march=native", "-DNDEBUG", ...await eigenFlags()];
  const dir = await Deno.makeTempDir({ prefix: "gradsolve_cg_ref_" });
  const exe = `${dir}/cg_reference`;
  const compiled = await tryRun(cxx, [...flags, source, "-o", exe]);
  const dispose = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  if (!compiled.ok) {
    await dispose();
    const first = compiled.stderr.split("\n").find((l) => l.includes("error")) ?? "";
    return { ok: false, reason: `${cxx} failed to compile ${source}${first ? `: ${first}` : ""}` };
  }
  // A one-iteration run tells whether the Eigen implementation was compiled in.
  const probe = await tryRun(exe, ["8", "fixed", "1", "1"]);
  const eigen = probe.stdout.includes('"eigen_cg"');
  const rel = source.replace(/^.*\/(bench\/c\/)/, "$1");
  return {
    ok: true,
    reference: { exe, command: `${cxx} ${flags.join(" ")} ${rel}`, eigen, dispose },
  };
}

/**
 * Runs the reference's CG with a fixed iteration count (`b = A·1`, x₀ = 0)
 * once per implementation, in an order rotated by `round`.
 */
export async function runCFixed(
  reference: CompiledReference,
  options: { N: number; iterations: number; round: number },
): Promise<CTiming[]> {
  const impls = reference.eigen ? "eigen_cg,c_cg_plain,c_cg_fused" : "c_cg_plain,c_cg_fused";
  const out = await tryRun(reference.exe, [
    String(options.N),
    "fixed",
    "1",
    String(options.iterations),
    impls,
    String(options.round),
  ]);
  if (!out.ok) throw new Error(`Cannot run the C reference: ${out.stderr.trim()}`);
  return out.stdout.trim().split("\n").map((line) => {
    const j = JSON.parse(line) as { impl: string; ms_per_iter: number; iters: number };
    return { impl: j.impl, ms: j.ms_per_iter, iterations: j.iters };
  });
}

/** Runs the reference's SpMV timing (median of 31 batched samples per implementation). */
export async function runCSpmv(reference: CompiledReference, N: number): Promise<CTiming[]> {
  const out = await tryRun(reference.exe, [String(N), "spmv", "31"]);
  if (!out.ok) throw new Error(`Cannot run the C reference: ${out.stderr.trim()}`);
  return out.stdout.trim().split("\n").map((line) => {
    const j = JSON.parse(line) as { impl: string; ms_median: number };
    return { impl: j.impl, ms: j.ms_median };
  });
}
