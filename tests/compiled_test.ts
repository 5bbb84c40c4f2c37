/**
 * The single executable, run the way `deno compile` runs it — without building it (building
 * needs Deno's runtime, denort, from dl.deno.land; see scripts/compile.sh).
 *
 * `deno compile` embeds the tree `packaging/stage.ts` stages (the program, models, backgrounds,
 * demo portrait, ONNX Runtime + `lib/onnxruntime.json`) as a read-only file system and runs its
 * `main.ts` with `COMPILE_PERMISSIONS`; the modules' `import.meta.url` point into that tree. Here
 * the same tree is staged into a temporary folder and its `main.ts` run from an empty working
 * folder, in two ways:
 *
 * - narrowed: reads limited to the tree, the test's folder and the system files a binary reads
 *   too (so any read elsewhere fails), for the commands that need no `/dev`, `/proc` or `/sys`
 *   (Deno opens those only with every permission): segment, demo, a settings file, --version;
 * - as built: with `COMPILE_PERMISSIONS` exactly, and the project checkout (and ../shared)
 *   hidden under an empty tmpfs in a private mount namespace (`unshare -m`, as root; otherwise
 *   run without hiding), for --version and doctor.
 *
 * So the models, backgrounds, portrait and ONNX Runtime are found inside the tree through the
 * same code as in the binary (`import.meta.url` → `projectRoot()` / `programRoot()` →
 * `lib/onnxruntime.json`), and ONNX Runtime is extracted to `$XDG_CACHE_HOME/backscrub/<sha256>/`.
 *
 * What only a real binary can show: that Deno's virtual file system serves the tree's files to
 * `Deno.readFile`/`Deno.open` as a folder does here (Deno documents that it does; native code
 * cannot read it, hence the extraction of ONNX Runtime and the models handed to ONNX Runtime as
 * bytes, which the last tests check).
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { OnnxRuntime } from "../ffi/onnxruntime/mod.ts";
import { programRoot } from "../ffi/onnxruntime/_load.ts";
import {
  COMPILE_FLAGS,
  COMPILE_INCLUDES,
  COMPILE_PERMISSIONS,
  ROOT as PROJECT,
  type StageSummary,
  stageTree,
} from "../packaging/stage.ts";

/** Deno's own cache (npm packages): kept when the test points XDG_CACHE_HOME elsewhere. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

interface Staged {
  tmp: string;
  stage: string;
  work: string;
  cache: string;
  config: string;
  summary: StageSummary;
  denoDir: string;
}

let staged: Promise<Staged> | null = null;

/** Stages the tree once for every test in this file. */
function stage(): Promise<Staged> {
  staged ??= (async () => {
    const tmp = await Deno.makeTempDir({ prefix: "backscrub-compiled-" });
    const summary = await stageTree(join(tmp, "stage"));
    for (const d of ["work", "cache", "config", "home", "data", "tmpdir"]) {
      await Deno.mkdir(join(tmp, d));
    }
    return {
      tmp,
      stage: join(tmp, "stage"),
      work: join(tmp, "work"),
      cache: join(tmp, "cache"),
      config: join(tmp, "config"),
      summary,
      denoDir: await denoDir(),
    };
  })();
  return staged;
}

/** Every permission, but reads and writes narrowed to what this test allows. */
function narrowed(s: Staged): string[] {
  const reads = [
    s.stage,
    s.tmp,
    "/dev",
    "/sys",
    "/proc",
    "/etc/os-release",
    "/etc/group",
    "/etc/passwd",
    "/usr/lib",
    "/lib",
    dirname(Deno.execPath()), // "next to the executable"
  ];
  return [
    `--allow-read=${reads.join(",")}`,
    `--allow-write=${s.tmp}`,
    "--allow-ffi",
    "--allow-env",
    "--allow-sys",
    "--allow-run",
  ];
}

const SHARED = join(PROJECT, "..", "shared");

/** Whether this user may hide folders in a private mount namespace. */
const CAN_HIDE = (() => {
  try {
    return new Deno.Command("unshare", { args: ["-m", "true"], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

/**
 * Runs the staged `main.ts`.
 *
 * @param s the staged tree
 * @param args its arguments
 * @param mode "narrowed" (reads limited) or "built" (the binary's permissions, checkout hidden)
 */
async function runStaged(
  s: Staged,
  args: string[],
  mode: "narrowed" | "built" = "narrowed",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await stagedCommand(s, args, mode).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The command that runs the staged `main.ts` (see {@linkcode runStaged}). */
function stagedCommand(s: Staged, args: string[], mode: "narrowed" | "built"): Deno.Command {
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--cached-only",
    ...(mode === "built" ? COMPILE_PERMISSIONS : narrowed(s)),
    join(s.stage, "main.ts"),
    ...args,
  ];
  const hide = [PROJECT, ...(mode === "built" && existsDir(SHARED) ? [SHARED] : [])];
  const [cmd, ...cmdArgs] = mode === "built" && CAN_HIDE
    ? [
      "unshare",
      "-m",
      "sh",
      "-c",
      'for d in $HIDE; do mount -t tmpfs none "$d" || exit 125; done; exec "$@"',
      "sh",
      ...deno,
    ]
    : deno;
  return new Deno.Command(cmd!, {
    args: cmdArgs,
    cwd: s.work,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_DIR: s.denoDir,
      HOME: join(s.tmp, "home"),
      XDG_CACHE_HOME: s.cache,
      XDG_CONFIG_HOME: s.config,
      XDG_DATA_HOME: join(s.tmp, "data"),
      TMPDIR: join(s.tmp, "tmpdir"),
      NO_COLOR: "1",
      HIDE: hide.join(" "),
    },
    stdout: "piped",
    stderr: "piped",
  });
}

function existsDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

const test = (name: string, fn: () => Promise<void>): void =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

test("stageTree() stages the program, its data and ONNX Runtime with its SHA-256", async () => {
  const s = await stage();
  const files = new Set(s.summary.files);
  for (
    const f of ["main.ts", "deno.json", "deno.lock", "src/cli/main.ts", "ffi/onnxruntime/_load.ts"]
  ) {
    assert.ok(files.has(f), f);
  }
  for (const f of ["models/landscape.json", "models/landscape.onnx", "models/selfie.onnx"]) {
    assert.ok(files.has(f), f);
  }
  assert.ok(files.has("backgrounds/studio.png") && files.has("src/demo/astronaut.png"));
  assert.ok(![...files].some((f) => f.endsWith("_test.ts") || f.endsWith(".stamp")), "no tests");
  const manifest = JSON.parse(await Deno.readTextFile(join(s.stage, "lib/onnxruntime.json")));
  const lib = await Deno.readFile(join(s.stage, "lib/libonnxruntime.so.1"));
  assert.equal(manifest.sha256, createHash("sha256").update(lib).digest("hex"));
  assert.equal(manifest.size, lib.length);
  assert.match(manifest.version, /^1\.\d+\.\d+$/);
  // Every --include names something staged; the data packages are left out of deno.json.
  for (const include of COMPILE_INCLUDES) await Deno.stat(join(s.stage, include));
  const denoJson = JSON.parse(await Deno.readTextFile(join(s.stage, "deno.json")));
  assert.equal(denoJson.imports["onnxruntime-node"], undefined);
});

test("the compiled program prints its version and extracts ONNX Runtime once to the cache", async () => {
  const s = await stage();
  const r = await runStaged(s, ["--version"]);
  assert.equal(r.code, 0, r.stderr);
  const extracted = join(s.cache, "backscrub", s.summary.ort.sha256, "libonnxruntime.so.1");
  const version = JSON.parse(await Deno.readTextFile(join(PROJECT, "deno.json"))).version;
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `backscrub ${version}`);
  assert.match(lines[1]!, /^Deno \d+\.\d+\.\d+ \(V8 /);
  assert.equal(lines[2], `ONNX Runtime ${s.summary.ort.version} (${extracted})`);
  // Narrowed, /proc/self/maps is out of reach: the soname stands in for the file.
  assert.match(lines[3]!, /^libjpeg-turbo .*libturbojpeg\.so\.0/);
  const first = await Deno.stat(extracted);
  const again = await runStaged(s, ["--version"], "built");
  assert.equal(again.code, 0, again.stderr);
  const built = again.stdout.trimEnd().split("\n");
  assert.equal(built[2], lines[2]);
  assert.match(built[3]!, /^libjpeg-turbo \d+\.\d+\.\d+ \(\/.*libturbojpeg\.so\.0/);
  assert.equal((await Deno.stat(extracted)).ino, first.ino, "extracted once, then reused");
  assert.deepEqual(
    [...Deno.readDirSync(dirname(extracted))].map((e) => e.name),
    ["libonnxruntime.so.1"],
    "no temporary files left",
  );
});

test("the compiled program segments a photo with the embedded model", async () => {
  const s = await stage();
  const photo = join(
    PROJECT,
    "..",
    "shared",
    "reference",
    "inputs",
    "256x144",
    "mpl_grace_hopper.png",
  );
  await Deno.copyFile(photo, join(s.work, "photo.png"));
  const r = await runStaged(s, ["segment", "photo.png", "--mask-out", "mask.png"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /model "landscape" \(256x144, ONNX Runtime 1\.\d+\.\d+\) finds a person/);
  assert.ok((await Deno.stat(join(s.work, "mask.png"))).size > 0);
});

test("the compiled program runs the demo from its embedded portrait and background", async () => {
  const s = await stage();
  const r = await runStaged(s, ["demo", "--frames", "4", "-o", "out"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`background .*${join(s.stage, "backgrounds", "studio.png")}`));
  assert.ok((await Deno.stat(join(s.work, "out", "demo-preview.png"))).size > 0);
});

/** A small 4:2:0 Y4M clip: a gray gradient. */
function y4m(width: number, height: number, frames: number): Uint8Array {
  const header = new TextEncoder().encode(
    `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`,
  );
  const frameHeader = new TextEncoder().encode("FRAME\n");
  const frameBytes = width * height * 3 / 2;
  const out = new Uint8Array(header.length + frames * (frameHeader.length + frameBytes));
  out.set(header);
  let at = header.length;
  for (let f = 0; f < frames; f++) {
    out.set(frameHeader, at);
    at += frameHeader.length;
    for (let i = 0; i < width * height; i++) out[at + i] = 16 + ((i % width) * 200) / width;
    out.fill(128, at + width * height, at + frameBytes);
    at += frameBytes;
  }
  return out;
}

test("the compiled program reads the settings file; flags override it", async () => {
  const s = await stage();
  await Deno.writeFile(join(s.work, "in.y4m"), y4m(160, 96, 3));
  const dir = join(s.config, "backscrub");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "config.json"),
    JSON.stringify({ background: "office.png", model: "selfie", mirror: true, frames: 2 }),
  );
  const r = await runStaged(s, ["-c", "in.y4m", "-v", "out.y4m", "--model", "landscape"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`background .*${join(s.stage, "backgrounds", "office.png")}`));
  assert.match(r.stdout, /model +landscape \(256x144, /, "the flag wins over the file");
  assert.match(r.stdout, /mirrored/);
  assert.match(r.stdout, /backscrub: 2 frames in /);

  await Deno.writeTextFile(join(dir, "config.json"), '{"fps": "fast"}');
  const bad = await runStaged(s, ["-c", "in.y4m", "-v", "out.y4m"]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    `backscrub: Invalid "fps" in config file "${
      join(dir, "config.json")
    }": use a number, got "fast"\n`,
  );
  await Deno.remove(join(dir, "config.json"));
});

test("the compiled program's doctor finds its libraries and models inside itself", async () => {
  const s = await stage();
  const r = await runStaged(s, ["doctor"], "built");
  const extracted = join(s.cache, "backscrub", s.summary.ort.sha256, "libonnxruntime.so.1");
  assert.match(r.stdout, new RegExp(`^ok {4}ONNX Runtime .* \\(${extracted}\\)$`, "m"));
  assert.match(
    r.stdout,
    new RegExp(
      `^ok {4}model "landscape" \\(in use\\): .*\\(${join(s.stage, "models")}/landscape\\.onnx\\)$`,
      "m",
    ),
  );
  assert.match(r.stdout, /^ok {4}libv4l2 /m);
  assert.equal(r.stderr, "");
  assert.equal(r.code, /^FAIL/m.test(r.stdout) ? 1 : 0);
});

test("the compiled program leaves nothing behind but the extracted ONNX Runtime (telemetry off)", async () => {
  const s = await stage();
  const list = (dir: string, prefix = ""): string[] =>
    [...Deno.readDirSync(dir)].flatMap((e) =>
      e.isDirectory
        ? [prefix + e.name, ...list(join(dir, e.name), `${prefix}${e.name}/`)]
        : [prefix + e.name]
    ).sort();
  // Every run above (version, segment, demo, settings, doctor) had these as its folders.
  assert.deepEqual(list(join(s.tmp, "home")), []);
  assert.deepEqual(list(join(s.tmp, "tmpdir")), [], "no mat-debug log, no .ses file");
  assert.deepEqual(list(s.cache), [
    "backscrub",
    `backscrub/${s.summary.ort.sha256}`,
    `backscrub/${s.summary.ort.sha256}/libonnxruntime.so.1`,
  ], "no Microsoft/ telemetry queue beside the extracted library");
});

Deno.test("OnnxRuntime.createSession() reads models inside the program's tree itself (ORT cannot see into a binary)", () => {
  const root = programRoot();
  assert.ok(root !== null);
  using ort = OnnxRuntime.load();
  const missing = join(root, "models", "not-there.onnx");
  // Read by Deno: Deno's own "No such file" message, not ORT's "Load model from ... failed".
  assert.throws(() => ort.createSession(missing), (e: unknown) => {
    assert.ok(e instanceof Error && e.name === "OrtError");
    assert.match(
      e.message,
      /^Cannot create ONNX Runtime session from ".*not-there\.onnx": No such file/,
    );
    assert.match(e.message, /readfile/);
    return true;
  });
  // Elsewhere ORT opens the file itself.
  assert.throws(
    () => ort.createSession("/nonexistent/m.onnx"),
    /Load model from \/nonexistent\/m\.onnx failed/,
  );
  using session = ort.createSession(join(root, "models", "landscape.onnx"));
  assert.deepEqual(session.inputs[0]!.shape, [1, 144, 256, 3]);
});

Deno.test("the compiled program gets every permission (Deno opens /dev, /proc and /sys only so)", () => {
  assert.deepEqual(COMPILE_PERMISSIONS, ["--allow-all"]);
  // And it keeps no code cache of itself in the temporary folder.
  assert.ok(COMPILE_FLAGS.includes("--no-code-cache"));
  if (!CAN_HIDE) {
    // Under CI (root) the checkout must be hidden from the as-built runs.
    assert.ok(!Deno.env.get("CI"), "unshare -m is not allowed: run the tests as root in CI");
    console.log("  (unshare -m is not allowed here: the as-built runs see the checkout)");
  }
});

test("the compiled program serves the control panel's page from its own tree", async () => {
  const s = await stage();
  await Deno.mkdir(join(s.tmp, "runtime"), { recursive: true, mode: 0o700 });
  const photo = join(s.stage, "src", "demo", "astronaut.png");
  const child = stagedCommand(s, [
    "-c",
    photo,
    "--loop",
    "-v",
    "null",
    "--http",
    "127.0.0.1:0",
    "--no-config",
    "-b",
    "off",
  ], "built").spawn();
  let out = "";
  const reading = (async () => {
    for await (const c of child.stdout.pipeThrough(new TextDecoderStream())) out += c;
  })();
  const errors = new Response(child.stderr).text();
  try {
    const deadline = Date.now() + 60_000;
    let m: RegExpExecArray | null = null;
    while ((m = /panel +(http:\/\/127\.0\.0\.1:\d+\/)\?token=(\S+)/.exec(out)) === null) {
      assert.ok(Date.now() < deadline, `no panel line: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [, url, token] = m;
    const first = await fetch(`${url}?token=${token}`, { redirect: "manual" });
    await first.body?.cancel();
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const pages: [string, RegExp][] = [
      ["", /text\/html/],
      ["panel.js", /javascript/],
      ["panel.css", /css/],
    ];
    for (const [path, type] of pages) {
      const r = await fetch(`${url}${path}`, { headers: { cookie } });
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get("content-type")!, type);
      assert.ok((await r.text()).length > 500, path);
    }
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reading;
    assert.equal(status.code, 0, await errors);
  }
});

Deno.test({
  name: "the staged tree is removed after the tests",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (staged !== null) await Deno.remove((await staged).tmp, { recursive: true });
  },
});
