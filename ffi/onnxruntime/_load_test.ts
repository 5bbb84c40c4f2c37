import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { LibraryLoadError } from "../_library.ts";
import {
  embeddedOrt,
  extractEmbeddedOrt,
  openOrtLibrary,
  ORT_TELEMETRY_ENV,
  ortLibraryCandidates,
} from "./_load.ts";

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
        via: "embedded",
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
        assert.ok(e instanceof LibraryLoadError && e.library === "onnxruntime");
        assert.ok(
          e.message.includes(`"${NPM_LIB}" (cannot extract the embedded copy: the embedded copy`),
          e.message,
        );
        assert.equal(e.kind, "not-loadable");
        assert.equal(e.attempts[0]!.via, "system", "a candidate without `via` is the system's");
        return true;
      },
    );
  });
});

Deno.test("openOrtLibrary() throws one LibraryLoadError listing every path tried, facts only", () => {
  const tried = [
    { path: "/nonexistent/libonnxruntime.so.1" },
    { path: "/nonexistent/next-to-exe/libonnxruntime.so.1", via: "beside-exe", mustExist: true },
    { path: "/etc/hostname", via: "npm" },
  ] as const;
  assert.throws(() => openOrtLibrary(tried), (e: unknown) => {
    assert.ok(e instanceof LibraryLoadError);
    assert.equal(e.library, "onnxruntime");
    assert.deepEqual(e.attempts.map((a) => a.path), tried.map((t) => t.path));
    assert.deepEqual(e.attempts.map((a) => a.via), ["system", "beside-exe", "npm"]);
    assert.deepEqual(e.attempts.map((a) => a.failure), ["not-found", "not-found", "not-loadable"]);
    assert.deepEqual(e.attempts.map((a) => a.errno), [2, 2, undefined]);
    assert.equal(e.kind, "not-loadable", "a file that is there but does not load says most");
    assert.equal(e.named, null);
    assert.equal(
      e.message,
      'Cannot load ONNX Runtime (tried "/nonexistent/libonnxruntime.so.1" (No such file or ' +
        'directory), "/nonexistent/next-to-exe/libonnxruntime.so.1" (no such file), ' +
        '"/etc/hostname" (file too short))',
    );
    return true;
  });
});

Deno.test("openOrtLibrary() names a path the user gave, and rejects a library that is not ONNX Runtime", () => {
  assert.throws(
    () => openOrtLibrary(ortLibraryCandidates({ libraryPath: "/nonexistent/libonnxruntime.so.1" })),
    (e: unknown) =>
      e instanceof LibraryLoadError && e.named === "argument" && e.kind === "not-found",
  );
  // libc loads but has no OrtGetApiBase: found, but not ONNX Runtime.
  assert.throws(() => openOrtLibrary([{ path: "libc.so.6" }]), (e: unknown) => {
    assert.ok(e instanceof LibraryLoadError);
    assert.equal(e.kind, "unusable");
    assert.equal(e.attempts[0]!.reason, "it has no symbol OrtGetApiBase");
    return true;
  });
});

Deno.test("openOrtLibrary() opens nothing when the telemetry switch cannot be set (fail closed)", () => {
  const previous = Deno.env.get(ORT_TELEMETRY_ENV);
  const dlopen = Deno.dlopen;
  let opened = 0;
  // The environment refuses the variable: Deno.env.set works, but the value does not read back.
  const env = Deno.env;
  const fake = Object.create(env) as typeof Deno.env;
  fake.get = (key: string) => key === ORT_TELEMETRY_ENV ? "0" : env.get(key);
  fake.set = () => {};
  Object.defineProperty(Deno, "env", { value: fake, configurable: true });
  (Deno as { dlopen: typeof Deno.dlopen }).dlopen = ((...args: Parameters<typeof dlopen>) => {
    opened++;
    return dlopen(...args);
  }) as typeof Deno.dlopen;
  try {
    assert.throws(() => openOrtLibrary([{ path: NPM_LIB }]), (e: unknown) => {
      assert.ok(e instanceof LibraryLoadError);
      assert.equal(e.kind, "refused");
      assert.match(e.attempts[0]!.reason, /^not opened: cannot set ORT_DISABLE_TELEMETRY=1/);
      return true;
    });
    assert.equal(opened, 0, "no dlopen at all");
  } finally {
    Object.defineProperty(Deno, "env", { value: env, configurable: true });
    (Deno as { dlopen: typeof Deno.dlopen }).dlopen = dlopen;
    if (previous !== undefined) Deno.env.set(ORT_TELEMETRY_ENV, previous);
  }
});
