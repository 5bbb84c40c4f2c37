import assert from "node:assert/strict";
import { join } from "node:path";
import { writeAtomic } from "./resolve.ts";

Deno.test("writeAtomic() writes the file whole and leaves no temporary file, also when it fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeAtomic(join(dir, "sub", "a.bin"), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await Deno.readFile(join(dir, "sub", "a.bin")), new Uint8Array([1, 2, 3]));
    // The rename onto a folder that is not empty fails: the temporary copy goes with it.
    await Deno.mkdir(join(dir, "busy"));
    await Deno.writeTextFile(join(dir, "busy", "x"), "x");
    await assert.rejects(writeAtomic(join(dir, "busy"), new Uint8Array([4])));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["busy", "sub"]);
    assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["a.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
