/**
 * Finds a model from what the user typed after `--model`: a manifest name (`landscape`), a path
 * to an `.onnx` file (with its manifest beside it, or described from its shapes), or a path to a
 * `.tflite` file (converted on the fly and cached by content hash), as backscrub's `-m` did.
 *
 * Names are looked up like backscrub's `resolve_path`: `$BACKSCRUB_PATH/models`,
 * `$XDG_DATA_HOME/backscrub/models` (default `~/.local/share/backscrub/models`), `models/` next to
 * the executable, then the project's own `models/`.
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";
import { resourceDirs } from "../resources.ts";

export { projectRoot } from "../resources.ts";
import { CONVERTER_VERSION } from "../convert/errors.ts";
import { type ModelManifest, readManifest } from "./manifest.ts";

/**
 * Why a model cannot be used:
 * - `spec`: what was given is neither a model name nor a model file path;
 * - `not-found`: no model of that name, or no such model file;
 * - `not-converted`: the manifest is there but its ONNX file is not (the bundled models are
 *   converted from MediaPipe's by setup);
 * - `unreadable`: the model file cannot be read;
 * - `convert-failed`: a `.tflite` model cannot be converted;
 * - `mismatch`: the model's tensors do not match its manifest (converted by another version);
 * - `invalid`: the model is not a segmentation model backscrub can use.
 */
export type ModelErrorKind =
  | "spec"
  | "not-found"
  | "not-converted"
  | "unreadable"
  | "convert-failed"
  | "mismatch"
  | "invalid";

/** A model that cannot be found or prepared. The message states the facts. */
export class ModelError extends Error {
  /** Why (see {@linkcode ModelErrorKind}). */
  readonly kind: ModelErrorKind;

  /**
   * @param message what is wrong, one line
   * @param options the kind (default `invalid`) and an optional cause
   */
  constructor(message: string, options: { kind?: ModelErrorKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ModelError";
    this.kind = options.kind ?? "invalid";
  }
}

/** A model ready to be loaded by ONNX Runtime. */
export interface ResolvedModel {
  /** The name to show (manifest name or file name). */
  name: string;
  /** The ONNX file. */
  onnxPath: string;
  /** The manifest, when there is one; otherwise the model is described from its shapes. */
  manifest: ModelManifest | null;
}

/** The folders searched for model manifests, in order. */
export function modelDirs(): string[] {
  return resourceDirs("models");
}

/** The folder for models converted on the fly: `$XDG_CACHE_HOME/backscrub/models`. */
export function cacheDir(): string {
  const home = Deno.env.get("HOME");
  const cache = Deno.env.get("XDG_CACHE_HOME") ||
    (home ? join(home, ".cache") : join(Deno.cwd(), ".cache"));
  return join(cache, "backscrub", "models");
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Hex SHA-256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes a file atomically: to a temporary name in the same folder, then renamed. The temporary
 * file never outlives the call: it is removed when the write fails, and on SIGINT/SIGTERM during
 * the write (then the process ends as the signal would have ended it).
 *
 * @param path the final path
 * @param bytes the contents
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  const remove = (): void => {
    try {
      Deno.removeSync(tmp);
    } catch {
      // not created, or already renamed
    }
  };
  const signals = [["SIGINT", 130], ["SIGTERM", 143]] as const;
  const handlers = signals.map(([signal, code]) => {
    const handler = (): void => {
      remove();
      Deno.exit(code);
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (error) {
    remove();
    throw error;
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}

/**
 * Resolves `--model`.
 *
 * @param spec a manifest name, an `.onnx` path or a `.tflite` path
 * @returns the ONNX file and its manifest (if any)
 * @throws {ModelError} with the places searched
 * @example
 * ```ts
 * const model = await resolveModel("landscape");
 * console.log(model.onnxPath, model.manifest?.input.width);
 * ```
 */
export async function resolveModel(spec: string): Promise<ResolvedModel> {
  const ext = extname(spec).toLowerCase();
  if (ext === ".tflite") return await fromTflite(spec);
  if (ext === ".onnx") return await fromOnnx(spec);
  if (ext === ".json") return await fromManifest(spec);
  if (spec.includes("/")) {
    throw new ModelError(
      `Cannot use model "${spec}": it is neither a model name nor a path to an .onnx or .tflite file`,
      { kind: "spec" },
    );
  }
  const tried: string[] = [];
  for (const dir of modelDirs()) {
    const path = join(dir, `${spec}.json`);
    tried.push(path);
    if (await exists(path)) return await fromManifest(path);
  }
  throw new ModelError(
    `Cannot find model "${spec}" (looked for ${
      tried.join(", ")
    }); the bundled models are "landscape" and "selfie"`,
    { kind: "not-found" },
  );
}

async function fromManifest(path: string): Promise<ResolvedModel> {
  const manifest = await readManifest(path);
  const onnxPath = resolve(dirname(path), manifest.onnx);
  if (!(await exists(onnxPath))) {
    throw new ModelError(
      `Model "${manifest.name}" is not converted yet ("${onnxPath}" is missing)`,
      { kind: "not-converted" },
    );
  }
  await checkReadable(onnxPath);
  return { name: manifest.name, onnxPath, manifest };
}

/**
 * Opens the model once before ONNX Runtime does: its own message for an unreadable file is
 * "system error number 13".
 */
async function checkReadable(path: string): Promise<void> {
  try {
    (await Deno.open(path, { read: true })).close();
  } catch (e) {
    const why = e instanceof Deno.errors.PermissionDenied
      ? "permission denied (chmod a+r it, or run as its owner)"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a folder"
      : (e as Error).message;
    throw new ModelError(`Cannot read model file "${path}": ${why}`, {
      kind: "unreadable",
      cause: e,
    });
  }
}

async function fromOnnx(path: string): Promise<ResolvedModel> {
  if (!(await exists(path))) {
    throw new ModelError(`Cannot find model file "${path}"`, { kind: "not-found" });
  }
  await checkReadable(path);
  const beside = join(dirname(path), `${basename(path, extname(path))}.json`);
  if (await exists(beside)) {
    const manifest = await readManifest(beside);
    return { name: manifest.name, onnxPath: resolve(path), manifest };
  }
  return { name: basename(path), onnxPath: resolve(path), manifest: null };
}

async function fromTflite(path: string): Promise<ResolvedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ModelError(`Cannot read model file "${path}": ${(e as Error).message}`, {
      kind: "unreadable",
      cause: e,
    });
  }
  const hash = await sha256Hex(bytes);
  const cached = join(cacheDir(), `${hash}-c${CONVERTER_VERSION}.onnx`);
  if (!(await exists(cached))) {
    let onnx: Uint8Array;
    try {
      // Loaded on demand: the converter pulls in protobufjs, which the live path never needs.
      const { convertTflite } = await import("../convert/convert.ts");
      onnx = convertTflite(bytes).onnx;
    } catch (e) {
      throw new ModelError(`Cannot convert model "${path}": ${(e as Error).message}`, {
        kind: "convert-failed",
        cause: e,
      });
    }
    await writeAtomic(cached, onnx);
  }
  return { name: basename(path), onnxPath: cached, manifest: null };
}
