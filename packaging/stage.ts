/**
 * The tree that `deno task compile` embeds in the single executable, staged in a folder of its
 * own: the program (`main.ts`, `src/`, `ffi/` without tests), `deno.json` (without the packages
 * that are only data for `deno task setup`) and `deno.lock`, the converted models, the bundled
 * backgrounds, the demo portrait, and ONNX Runtime as `lib/libonnxruntime.so.1` with
 * `lib/onnxruntime.json` (its SHA-256, size and version).
 *
 * `scripts/compile.sh` runs `deno compile` inside the staged folder, so the executable's virtual
 * file system is exactly this tree; `tests/compiled_test.ts` runs the same tree with the same
 * permissions (and reads limited to it) to show that a compiled binary finds everything inside.
 *
 * ```sh
 * deno run -A packaging/stage.ts dist/stage     # stage (prints a summary)
 * deno run packaging/stage.ts --flags           # the deno compile flags, one per line
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve } from "node:path";

/** The project root (the folder holding `deno.json`). */
export const ROOT: string = resolve(decodeURIComponent(new URL("..", import.meta.url).pathname));

/**
 * The permissions of the compiled executable: all of them. That is the exact need, not a
 * shortcut: Deno 2 lets a program list or read anything under `/dev`, `/proc` and `/sys` —
 * finding the video devices, reading v4l2loopback's parameters, naming the process that holds a
 * camera — only when every permission is granted (`--allow-read` and the rest one by one are
 * refused with "Requires all access"). And `--allow-ffi`, which the native libraries need, already
 * gives a program everything native code can do, so no narrower set would be a real sandbox.
 */
export const COMPILE_PERMISSIONS: readonly string[] = ["--allow-all"];

/**
 * Other `deno compile` flags. `--no-code-cache`: a compiled Deno program otherwise writes a V8
 * code cache of itself to the temporary folder on its first run (`deno-compile-<name>…`) and
 * leaves it there; backscrub writes nothing it does not document (README, Privacy).
 */
export const COMPILE_FLAGS: readonly string[] = ["--no-code-cache"];

/**
 * What `deno compile --include` adds besides the module graph (paths in the staged tree). A Web
 * Worker's module is not part of the graph `deno compile` follows from `main.ts`: it is embedded
 * only when listed here.
 */
export const COMPILE_INCLUDES: readonly string[] = [
  "models",
  "backgrounds",
  "src/demo/astronaut.png",
  "lib",
  "src/background/decode_worker.ts",
  // The control panel's page, served from its files.
  "src/control/panel",
  // The kernels' WebAssembly module, read next to src/kernels/mod.ts.
  "src/kernels/kernels.wasm",
];

/** npm packages that are data for `deno task setup` or tests, never imported by the program. */
const SETUP_ONLY_PACKAGES = ["onnxruntime-node", "@mediapipe/selfie_segmentation", "flatbuffers"];

/** Background files worth embedding. */
const BACKGROUND_FILE = /\.(png|jpe?g|gif)$/i;

/** Options for {@linkcode stageTree}. */
export interface StageOptions {
  /** The project to stage (default {@linkcode ROOT}). */
  root?: string;
  /** The ONNX Runtime library to embed (default: `$BACKSCRUB_ORT_LIB`, else the npm copy). */
  ortLib?: string | undefined;
}

/** What {@linkcode stageTree} put in the tree. */
export interface StageSummary {
  /** The staged folder. */
  dest: string;
  /** Files staged, relative to `dest`. */
  files: string[];
  /** Total bytes. */
  bytes: number;
  /** The embedded ONNX Runtime. */
  ort: { source: string; sha256: string; size: number; version: string };
}

/** A staging failure the person running the build can fix (one line). */
export class StageError extends Error {
  /** @param message what is missing and what to run */
  constructor(message: string) {
    super(message);
    this.name = "StageError";
  }
}

function npmArch(): string {
  return Deno.build.arch === "aarch64" ? "arm64" : "x64";
}

/**
 * The ONNX Runtime library that {@linkcode stageTree} embeds by default.
 *
 * @param root the project root
 * @returns the path (it may not exist)
 */
export function defaultOrtLib(root: string = ROOT): string {
  const fromEnv = Deno.env.get("BACKSCRUB_ORT_LIB");
  if (fromEnv) return fromEnv;
  return join(
    root,
    "node_modules/onnxruntime-node/bin/napi-v6/linux",
    npmArch(),
    "libonnxruntime.so.1",
  );
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

async function ortVersion(root: string, lib: string): Promise<string> {
  // The npm package says which release its library is; a library given by path is "unknown"
  // until ONNX Runtime itself is asked (backscrub --version does).
  if (lib !== defaultOrtLib(root)) return "unknown";
  try {
    const pkg = JSON.parse(
      await Deno.readTextFile(join(root, "node_modules/onnxruntime-node/package.json")),
    );
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Stages the embedded tree into `dest` (emptied first).
 *
 * @example
 * ```ts ignore
 * const summary = await stageTree("dist/stage");
 * console.log(summary.files.length, summary.ort.sha256);
 * ```
 *
 * @param dest the folder to fill
 * @param options the project root and the ONNX Runtime library
 * @returns what was staged
 * @throws {StageError} when the models are not converted or ONNX Runtime is missing
 */
export async function stageTree(dest: string, options: StageOptions = {}): Promise<StageSummary> {
  const root = resolve(options.root ?? ROOT);
  dest = resolve(dest);
  // dest is emptied first: never the project or a folder holding it.
  if (!relative(dest, root).startsWith("..")) {
    throw new StageError(`Cannot stage into "${dest}": it holds the project itself`);
  }
  await Deno.remove(dest, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const files: string[] = [];
  let bytes = 0;
  const copy = async (from: string, to: string = relative(root, from)): Promise<void> => {
    const target = join(dest, to);
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.copyFile(from, target);
    await Deno.chmod(target, 0o644);
    bytes += (await Deno.stat(target)).size;
    files.push(to);
  };

  // 1. The program: every TypeScript module of src/ and ffi/ except tests (fakes live in tests/)
  // and the kernels' AssemblyScript sources; the kernels' compiled WebAssembly module.
  await copy(join(root, "main.ts"));
  for (const dir of ["src", "ffi"]) {
    for await (const path of walk(join(root, dir))) {
      const name = basename(path);
      if (!name.endsWith(".ts") || name.endsWith("_test.ts")) continue;
      if (relative(root, path).startsWith(join("src", "kernels", "assembly"))) continue;
      await copy(path);
    }
  }
  await copy(join(root, "src/kernels/kernels.wasm"));
  const denoJson = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  for (const name of SETUP_ONLY_PACKAGES) delete denoJson.imports?.[name];
  delete denoJson.tasks;
  await Deno.writeTextFile(join(dest, "deno.json"), JSON.stringify(denoJson, null, 2) + "\n");
  files.push("deno.json");
  await copy(join(root, "deno.lock"));

  // 2. Data: converted models with their manifests, backgrounds, the demo portrait.
  let models = 0;
  for await (const entry of Deno.readDir(join(root, "models"))) {
    if (!entry.name.endsWith(".json")) continue;
    const manifestPath = join(root, "models", entry.name);
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    const onnx = join(root, "models", String(manifest.onnx));
    try {
      await Deno.stat(onnx);
    } catch {
      throw new StageError(
        `Cannot embed model "${manifest.name}": "${onnx}" is missing (run "deno task setup")`,
      );
    }
    await copy(manifestPath);
    await copy(onnx);
    models++;
  }
  if (models === 0) throw new StageError(`Cannot find any model manifest in "${root}/models"`);
  for await (const entry of Deno.readDir(join(root, "backgrounds"))) {
    if (entry.isFile && BACKGROUND_FILE.test(entry.name)) {
      await copy(join(root, "backgrounds", entry.name));
    }
  }
  await copy(join(root, "src/demo/astronaut.png"));
  // The control panel's page (plain HTML, CSS and JS, served from these files).
  for await (const path of walk(join(root, "src", "control", "panel"))) await copy(path);

  // 3. ONNX Runtime, with the manifest the program checks it against when extracting it.
  const ortLib = options.ortLib ?? defaultOrtLib(root);
  try {
    await Deno.stat(ortLib);
  } catch {
    throw new StageError(
      `Cannot embed ONNX Runtime: "${ortLib}" is missing (run "deno task setup", or set BACKSCRUB_ORT_LIB)`,
    );
  }
  await copy(ortLib, "lib/libonnxruntime.so.1");
  const ort = {
    source: ortLib,
    sha256: await sha256File(join(dest, "lib/libonnxruntime.so.1")),
    size: (await Deno.stat(join(dest, "lib/libonnxruntime.so.1"))).size,
    version: await ortVersion(root, ortLib),
  };
  await Deno.writeTextFile(
    join(dest, "lib/onnxruntime.json"),
    JSON.stringify(
      { file: "libonnxruntime.so.1", sha256: ort.sha256, size: ort.size, version: ort.version },
      null,
      2,
    ) + "\n",
  );
  files.push("lib/onnxruntime.json");
  return { dest, files: files.sort(), bytes, ort };
}

if (import.meta.main) {
  if (Deno.args[0] === "--flags") {
    // One flag per line, for `mapfile` in scripts/compile.sh.
    for (const flag of [...COMPILE_PERMISSIONS, ...COMPILE_FLAGS]) console.log(flag);
    for (const include of COMPILE_INCLUDES) console.log(`--include=${include}`);
    Deno.exit(0);
  }
  const dest = Deno.args[0];
  if (dest === undefined || Deno.args.length > 1) {
    console.error("usage: deno run -A packaging/stage.ts DEST | --flags");
    Deno.exit(2);
  }
  try {
    const s = await stageTree(dest);
    console.log(
      `stage: ${s.files.length} files, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.dest} ` +
        `(ONNX Runtime ${s.ort.version}, sha256 ${s.ort.sha256.slice(0, 12)}…)`,
    );
  } catch (e) {
    if (!(e instanceof StageError)) throw e;
    console.error(`stage: ${e.message}`);
    Deno.exit(1);
  }
}
