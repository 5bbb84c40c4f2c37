import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { embeddedOrt, extractEmbeddedOrt, openOrtLibrary, ortLibraryCandidates } from "./_load.ts";

const ARCH = Deno.build.arch === "aarch64" ? "arm64" : "x64";
/** The npm copy installed by `deno task setup`: stands in for the embedded one. */
const NPM_LIB = new URL(
  `../../node_modules/onnxruntime-node/bin/napi-v6/linux/${ARCH}/libonnxruntime.so.1`,
  import.meta.url,
).pathname;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const NPM_SHA = sha256(Deno.readFileSync(NPM_LIB));

async function withDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("extractEmbeddedOrt() writes the library once to <cache>/backscrub/<sha256>/ and checks it", async () => {
  await withDir((cache) => {
    const path = extractEmbeddedOrt(NPM_LIB, { sha256: NPM_SHA, cacheHome: cache });
    const dir = join(cache, "backscrub", NPM_SHA);
    assert.equal(path, join(dir, "libonnxruntime.so.1"));
    assert.equal(sha256(Deno.readFileSync(path)), NPM_SHA);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["libonnxruntime.so.1"]);
    assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700, "a private folder");

    // Used again as it is, not rewritten.
    const before = Deno.statSync(path);
    assert.equal(extractEmbeddedOrt(NPM_LIB, { sha256: NPM_SHA, cacheHome: cache }), path);
    const after = Deno.statSync(path);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());

    // A damaged copy in the cache is replaced.
    using f = Deno.openSync(path, { write: true });
    f.seekSync(1000, Deno.SeekMode.Start);
    f.writeSync(new Uint8Array([0xde, 0xad]));
    f.close();
    assert.notEqual(sha256(Deno.readFileSync(path)), NPM_SHA);
    assert.equal(extractEmbeddedOrt(NPM_LIB, { sha256: NPM_SHA, cacheHome: cache }), path);
    assert.equal(sha256(Deno.readFileSync(path)), NPM_SHA);
    assert.notEqual(Deno.statSync(path).ino, before.ino, "replaced by rename");
  });
});

Deno.test("extractEmbeddedOrt() refuses a copy whose SHA-256 differs and leaves nothing behind", async () => {
  await withDir((cache) => {
    const wrong = "0".repeat(64);
    assert.throws(
      () => extractEmbeddedOrt(NPM_LIB, { sha256: wrong, cacheHome: cache }),
      new RegExp(`is damaged \\(SHA-256 ${NPM_SHA}, expected ${wrong}\\)$`),
    );
    assert.deepEqual([...Deno.readDirSync(join(cache, "backscrub", wrong))], []);
    // A copy left by an extraction killed half-way goes; one a live process is writing stays.
    const dir = join(cache, "backscrub", wrong);
    const dead = `.libonnxruntime.so.1.${2 ** 22 + 1}.x.tmp`;
    const live = `.libonnxruntime.so.1.${Deno.pid}.y.tmp`;
    for (const name of [dead, live]) Deno.writeFileSync(join(dir, name), new Uint8Array(1));
    assert.throws(() => extractEmbeddedOrt(NPM_LIB, { sha256: wrong, cacheHome: cache }));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [live]);
    assert.throws(
      () => extractEmbeddedOrt(join(cache, "missing.so"), { sha256: wrong, cacheHome: cache }),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("ortLibraryCandidates() tries an embedded copy after the system's and before npm's", async () => {
  await withDir(async (root) => {
    assert.equal(embeddedOrt(root), null, "no manifest, no embedded copy");
    const previous = Deno.env.get("BACKSCRUB_ORT_LIB");
    Deno.env.delete("BACKSCRUB_ORT_LIB");
    try {
      await Deno.mkdir(join(root, "lib"));
      const manifest = { file: "libonnxruntime.so.1", sha256: NPM_SHA, size: 1, version: "1.30.0" };
      await Deno.writeTextFile(join(root, "lib/onnxruntime.json"), JSON.stringify(manifest));
      assert.deepEqual(embeddedOrt(root), {
        manifest,
        path: join(root, "lib/libonnxruntime.so.1"),
      });
      const candidates = ortLibraryCandidates({ programRoot: root + "/" });
      const index = candidates.findIndex((c) => c.embedded !== undefined);
      assert.ok(index > candidates.findIndex((c) => c.path === "libonnxruntime.so"));
      assert.ok(index < candidates.findIndex((c) => c.path.includes("onnxruntime-node")));
      assert.deepEqual(candidates[index], {
        path: join(root, "lib/libonnxruntime.so.1"),
        embedded: { sha256: NPM_SHA },
      });
      // A manifest that is not ours is ignored rather than trusted.
      await Deno.writeTextFile(join(root, "lib/onnxruntime.json"), '{"file": "../evil.so"}');
      assert.equal(embeddedOrt(root), null);
    } finally {
      if (previous !== undefined) Deno.env.set("BACKSCRUB_ORT_LIB", previous);
    }
  });
});

Deno.test("openOrtLibrary() reports an embedded copy that cannot be extracted", async () => {
  await withDir((cache) => {
    const wrong = "f".repeat(64);
    assert.throws(
      () => openOrtLibrary([{ path: NPM_LIB, embedded: { sha256: wrong, cacheHome: cache } }]),
      (e: unknown) => {
        assert.ok(e instanceof Error && e.name === "OrtLoadError");
        assert.ok(
          e.message.includes(`"${NPM_LIB}" (cannot extract the embedded copy: the embedded copy`),
          e.message,
        );
        return true;
      },
    );
  });
});
