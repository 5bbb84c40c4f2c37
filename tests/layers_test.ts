/**
 * The layout's rules, checked on the source (README, Layout): the frame and the stage contracts
 * sit below every stage, `src/image/` is pure pixel code, no stage imports the loop, only `ffi/`
 * touches pointers, fakes live under `tests/`, one `Size`, libc opened once.
 */

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./_models.ts";

/** Every .ts file under `dir` (relative to the root), tests included. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(ROOT, dir))) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...sources(rel));
    else if (e.name.endsWith(".ts")) out.push(rel);
  }
  return out.sort();
}

/** The project files a module imports (relative to the root). */
function imports(file: string): string[] {
  const text = Deno.readTextFileSync(join(ROOT, file));
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/g)) {
    found.push(relative(ROOT, resolve(ROOT, dirname(file), m[1]!)));
  }
  return found;
}

const product = [...sources("src"), ...sources("ffi"), "main.ts"].filter((f) =>
  !f.endsWith("_test.ts")
);

function offenders(files: string[], bad: (target: string) => boolean): string[] {
  return files.flatMap((f) => imports(f).filter(bad).map((t) => `${f} → ${t}`));
}

Deno.test("src/frame/ imports nothing from the stages or ffi/", () => {
  const files = product.filter((f) => f.startsWith("src/frame/"));
  assert.ok(files.length >= 5);
  assert.deepEqual(offenders(files, (t) => !t.startsWith("src/frame/")), []);
});

Deno.test("src/image/ is pure pixel code: it imports only src/frame/, never ffi/", () => {
  const files = product.filter((f) => f.startsWith("src/image/"));
  assert.deepEqual(
    offenders(files, (t) => !t.startsWith("src/image/") && !t.startsWith("src/frame/")),
    [],
  );
});

Deno.test("src/kernels/ is pixel code too: it imports only src/frame/ and src/image/", () => {
  const files = product.filter((f) => f.startsWith("src/kernels/"));
  assert.ok(files.includes("src/kernels/mod.ts"));
  assert.deepEqual(
    offenders(
      files,
      (t) => !["src/kernels/", "src/image/", "src/frame/"].some((p) => t.startsWith(p)),
    ),
    [],
  );
});

Deno.test("src/framing/ is geometry: it imports only src/frame/", () => {
  const files = product.filter((f) => f.startsWith("src/framing/"));
  assert.ok(files.includes("src/framing/mod.ts"));
  assert.deepEqual(
    offenders(files, (t) => !t.startsWith("src/framing/") && !t.startsWith("src/frame/")),
    [],
  );
});

Deno.test("no stage imports the loop: src/pipeline/ is imported only by the front ends (src/cli/, src/control/)", () => {
  const front = ["src/pipeline/", "src/cli/", "src/control/"];
  const stages = product.filter((f) => !front.some((p) => f.startsWith(p)));
  assert.deepEqual(offenders(stages, (t) => t.startsWith("src/pipeline/")), []);
});

Deno.test("the control panel drives the loop's API and never speaks in flags (src/cli/ does)", () => {
  const control = product.filter((f) => f.startsWith("src/control/"));
  assert.ok(control.length >= 5);
  assert.deepEqual(offenders(control, (t) => t.startsWith("src/cli/")), []);
  const loop = product.filter((f) => f.startsWith("src/pipeline/"));
  assert.deepEqual(
    offenders(loop, (t) => t.startsWith("src/control/") || t.startsWith("src/cli/")),
    [],
  );
});

Deno.test("only ffi/ touches pointers", () => {
  const pointer = /Deno\.(dlopen|UnsafePointer|UnsafePointerView|UnsafeFnPointer|UnsafeCallback)\b/;
  const touching = product.filter((f) =>
    !f.startsWith("ffi/") && pointer.test(Deno.readTextFileSync(join(ROOT, f)))
  );
  assert.deepEqual(touching, []);
});

Deno.test("fakes and bench stand-ins live under tests/, not in the product", () => {
  const fakes = product.filter((f) => /(memory|fake|bench|_testing)[^/]*\.ts$/.test(f));
  assert.deepEqual(fakes, []);
});

Deno.test("names explain themselves: one Size, no file called pipeline.ts, libc opened once", () => {
  const sizes = product.filter((f) =>
    /export (interface|type) Size\b/.test(Deno.readTextFileSync(join(ROOT, f)))
  );
  assert.deepEqual(sizes, ["src/frame/geometry.ts"]);
  assert.deepEqual(product.filter((f) => f.endsWith("/pipeline.ts")), []);
  const code = (f: string): string =>
    Deno.readTextFileSync(join(ROOT, f)).split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l))
      .join("\n");
  const libc = product.filter((f) =>
    /(Deno\.dlopen\(\s*["'`]libc|openLibrary\(\s*"libc")/.test(code(f))
  );
  assert.deepEqual(libc, ["ffi/libc/mod.ts"]);
});
