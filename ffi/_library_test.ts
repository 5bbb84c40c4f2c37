import assert from "node:assert/strict";
import {
  dlopenFailure,
  LibraryLoadError,
  namedCandidates,
  openLibrary,
  Rejection,
} from "./_library.ts";

const SYMBOLS = { getpid: { parameters: [], result: "i32" } } as const;

Deno.test("namedCandidates(): the explicit path, else the variable, else the soname", () => {
  const previous = Deno.env.get("BACKSCRUB_V4L2_LIB");
  try {
    Deno.env.set("BACKSCRUB_V4L2_LIB", "/from/env/libv4l2.so.0");
    assert.deepEqual(namedCandidates("v4l2", "/given/libv4l2.so.0"), [
      { path: "/given/libv4l2.so.0", via: "argument" },
    ]);
    assert.deepEqual(namedCandidates("v4l2"), [{ path: "/from/env/libv4l2.so.0", via: "env" }]);
    Deno.env.delete("BACKSCRUB_V4L2_LIB");
    assert.deepEqual(namedCandidates("v4l2"), [{ path: "libv4l2.so.0", via: "system" }]);
    assert.deepEqual(namedCandidates("libc"), [{ path: "libc.so.6", via: "system" }]);
  } finally {
    if (previous === undefined) Deno.env.delete("BACKSCRUB_V4L2_LIB");
    else Deno.env.set("BACKSCRUB_V4L2_LIB", previous);
  }
});

Deno.test("openLibrary() opens the first candidate that loads and that bind accepts", () => {
  const rejected: string[] = [];
  const { value, path } = openLibrary(
    "libc",
    [{ path: "/nonexistent/libc.so.6" }, { path: "libc.so.6" }, { path: "libm.so.6" }],
    SYMBOLS,
    (lib, at) => {
      rejected.push(at);
      return lib.symbols.getpid() === Deno.pid ? "mine" : new Rejection("unusable", "not mine");
    },
  );
  assert.deepEqual([value, path, rejected], ["mine", "libc.so.6", ["libc.so.6"]]);
});

Deno.test("openLibrary() lists every attempt in one error of facts, the telling failure as kind", () => {
  assert.throws(
    () =>
      openLibrary(
        "v4l2",
        [
          { path: "/nonexistent/libv4l2.so.0", via: "argument" },
          { path: "/etc/hostname", via: "system", mustExist: true },
          { path: "libc.so.6", via: "system" },
        ],
        SYMBOLS,
        () => new Rejection("unusable", "too old"),
      ),
    (e: unknown) => {
      assert.ok(e instanceof LibraryLoadError);
      assert.equal(e.library, "v4l2");
      assert.equal(e.kind, "unusable");
      assert.equal(e.named, null, "three candidates: nothing the user named alone");
      assert.equal(
        e.message,
        'Cannot load libv4l2 (tried "/nonexistent/libv4l2.so.0" (No such file or directory), ' +
          '"/etc/hostname" (file too short), "libc.so.6" (too old))',
      );
      assert.deepEqual(e.attempts.map((a) => [a.failure, a.errno]), [
        ["not-found", 2],
        ["not-loadable", undefined],
        ["unusable", undefined],
      ]);
      return true;
    },
  );
});

Deno.test("openLibrary() opens nothing when the guard refuses", () => {
  let bound = 0;
  assert.throws(
    () =>
      openLibrary("onnxruntime", [{ path: "libc.so.6" }], SYMBOLS, () => bound++, {
        guard: () => "not opened: the switch did not take",
      }),
    (e: unknown) =>
      e instanceof LibraryLoadError && e.kind === "refused" &&
      e.attempts[0]!.reason === "not opened: the switch did not take",
  );
  assert.equal(bound, 0);
});

Deno.test("dlopenFailure() strips Deno's prefixes and names a missing symbol", () => {
  const failure = (message: string, path: string) => {
    const r = dlopenFailure(new Error(message), path);
    return [r.failure, r.reason, r.errno];
  };
  assert.deepEqual(
    failure(
      "Could not open library: Could not open library: /x/a.so: cannot open shared object file: " +
        "No such file or directory",
      "/x/a.so",
    ),
    ["not-found", "No such file or directory", 2],
  );
  assert.deepEqual(
    failure(
      "Could not open library: /x/a.so: cannot open shared object file: Permission denied",
      "/x/a.so",
    ),
    ["not-loadable", "Permission denied", 13],
  );
  assert.deepEqual(
    failure(
      "Failed to register symbol OrtGetApiBase: Could not obtain symbol from the library: " +
        "/lib/libc.so.6: undefined symbol: OrtGetApiBase",
      "libc.so.6",
    ),
    ["unusable", "it has no symbol OrtGetApiBase", undefined],
  );
});
