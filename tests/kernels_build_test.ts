/**
 * The committed `src/kernels/kernels.wasm` is what `src/kernels/assembly/` compiles to: the
 * AssemblyScript compiler (pinned in `scripts/build_kernels.ts`, fetched from npm by Deno) is run
 * into a temporary file and the bytes compared. Under CI the compiler must be reachable; a
 * machine without the network (outside CI) reports the comparison as ignored.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildKernels, OUTPUT, ROOT } from "../scripts/build_kernels.ts";
import { Kernels, KERNELS_WASM } from "../src/kernels/mod.ts";

const OFFLINE = /error sending request|dns error|failed to fetch|connect|network/i;

Deno.test("src/kernels/kernels.wasm is what the AssemblyScript sources compile to", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backscrub-kernels-" });
  try {
    const out = join(dir, "kernels.wasm");
    try {
      await buildKernels(out);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!Deno.env.get("CI") && OFFLINE.test(message)) {
        await t.step({ name: "the compiler is unreachable (offline)", ignore: true, fn() {} });
        return;
      }
      throw error;
    }
    const built = await Deno.readFile(out);
    const committed = await Deno.readFile(join(ROOT, OUTPUT));
    assert.ok(
      built.length === committed.length && built.every((b, i) => b === committed[i]),
      `${OUTPUT} differs from what its sources compile to (${built.length} bytes, committed ${committed.length}): run "deno task kernels" and commit it`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the kernels' module imports only its memory, made at its full size", async () => {
  const module = new WebAssembly.Module(await Deno.readFile(KERNELS_WASM));
  assert.deepEqual(WebAssembly.Module.imports(module), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  assert.ok(exports.includes("compositeYuyv") && exports.includes("heapBase"));
  // Its maximum is its size: it cannot grow, so no view of it is ever detached.
  const k = new Kernels({ megabytes: 2 });
  const view = k.arena.bytes(16);
  assert.throws(() => k.arena.memory.grow(1), RangeError);
  assert.equal(view.length, 16);
});
