/**
 * `deno task kernels`: compiles the AssemblyScript kernels (`src/kernels/assembly/`) into
 * `src/kernels/kernels.wasm` with the AssemblyScript compiler from npm, run by Deno (no Node).
 * The compiled module is committed, so running, testing and `deno task compile` need no compiler;
 * `tests/kernels_build_test.ts` checks that it is what these sources compile to.
 *
 * ```sh
 * deno task kernels                 # rebuilds src/kernels/kernels.wasm
 * deno task kernels --out x.wasm    # compiles elsewhere (the test does)
 * ```
 *
 * @module
 */

import { resolve } from "node:path";

/** The compiler, pinned: the same version gives the same bytes. */
export const ASC = "npm:assemblyscript@0.28.20/asc";

/** The project root. */
export const ROOT: string = resolve(decodeURIComponent(new URL("..", import.meta.url).pathname));

/** The entry file and the committed module, relative to the root. */
export const ENTRY = "src/kernels/assembly/index.ts";
export const OUTPUT = "src/kernels/kernels.wasm";

/**
 * The compiler's options: fastest code, 128-bit SIMD, no runtime (the kernels allocate nothing;
 * the TypeScript side owns every buffer), no abort import, and the memory imported (the loader
 * makes it once, at its full size; the limits here only bound what it may be).
 */
export const ASC_FLAGS: readonly string[] = [
  "-O3",
  "--noAssert",
  "--enable",
  "simd",
  "--runtime",
  "stub",
  "--use",
  "abort=",
  "--importMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
];

/**
 * Compiles the kernels.
 *
 * @param out where the module goes (relative to the root, or absolute)
 * @throws {Error} with the compiler's output when it fails
 */
export async function buildKernels(out: string = OUTPUT): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", ASC, ENTRY, ...ASC_FLAGS, "-o", out],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
    throw new Error(`Cannot compile the kernels:\n${text.trim()}`);
  }
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const out = i >= 0 ? Deno.args[i + 1] : undefined;
  await buildKernels(out);
  console.log(`kernels: wrote ${out ?? OUTPUT}`);
}
