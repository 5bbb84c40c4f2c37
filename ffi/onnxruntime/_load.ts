/**
 * Finds, opens and binds `libonnxruntime` (layer 2 of 3, internal).
 *
 * The library is opened once per process and never closed: ORT keeps process-wide state (the
 * default allocator, thread pools) that outlives any one `OrtEnv`.
 *
 * The compiled executable carries its own copy (`lib/onnxruntime.json` and the library beside it,
 * inside the program's tree): the system loader cannot open a file inside the executable, so that
 * copy is extracted once to `$XDG_CACHE_HOME/backscrub/<sha256>/libonnxruntime.so.1` (written to a
 * temporary name, its SHA-256 checked, then renamed) and loaded from there.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  LIBRARY_ENVS,
  LIBRARY_SONAMES,
  type LibraryCandidate,
  LibraryLoadError,
  openLibrary,
  Rejection,
} from "../_library.ts";
import {
  ORT_API_VERSION,
  ORT_API_VERSION_BUILD_INFO,
  ortApi,
  ortApiBase,
  ortApiBuildInfo,
  type OrtApiSlot,
  type OrtTableEntry,
  symbols,
} from "./symbols.ts";

/** The file name looked up everywhere. */
const SONAME = LIBRARY_SONAMES.onnxruntime;

/** The environment variable naming the library. */
export const ORT_LIB_ENV: string = LIBRARY_ENVS.onnxruntime!;

/**
 * ONNX Runtime's own switch for its telemetry. Official Linux builds since 1.29 carry Microsoft's
 * 1DS telemetry: without this switch every run queues events (library version, OS, process path)
 * in `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` beside a persistent device id, leaves a
 * `mat-debug-<pid>.log` and a `.ses` file in `$TMPDIR`, and uploads the events when a network is
 * there. The library reads the variable once, when it initialises, and latches it: with `1` it
 * starts no uploader and writes nothing.
 */
export const ORT_TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY";

/**
 * Turns ONNX Runtime's telemetry off for this process: sets {@linkcode ORT_TELEMETRY_ENV} to `1`
 * in the process environment (which the library reads with `getenv`). Called before every
 * `dlopen` of the library, whichever way it was found, so nothing can initialise it first.
 *
 * @returns null when the variable is `1`, else why it could not be set
 */
export function disableOrtTelemetry(): string | null {
  try {
    if (Deno.env.get(ORT_TELEMETRY_ENV) !== "1") Deno.env.set(ORT_TELEMETRY_ENV, "1");
    return Deno.env.get(ORT_TELEMETRY_ENV) === "1" ? null : "the variable did not take";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The callable `OrtApi` slots, each an `UnsafeFnPointer` built once. */
export type OrtApi = {
  readonly [K in keyof typeof ortApi]: Deno.UnsafeFnPointer<(typeof ortApi)[K]>;
};

/** An opened and bound `libonnxruntime`. */
export interface OrtLibrary {
  /** The path (or soname) that was opened. */
  readonly path: string;
  /** The `OrtApi` slots used by the binding. */
  readonly api: OrtApi;
  /** `GetVersionString()`, e.g. `"1.30.0"`. */
  readonly version: string;
  /** `GetBuildInfoString()` when the library has API version 15, else `undefined`. */
  readonly buildInfo: string | undefined;
}

/**
 * A candidate library: a path, or a bare soname for the system loader (`path` is given to
 * `Deno.dlopen`; for an embedded copy it is the file inside the program's tree).
 */
export interface OrtLibraryCandidate extends LibraryCandidate {
  /** An embedded copy: extracted with {@linkcode extractEmbeddedOrt} before it is opened. */
  readonly embedded?: { readonly sha256: string; readonly cacheHome?: string | undefined };
}

/** Options for {@linkcode ortLibraryCandidates}. */
export interface OrtLibraryLookupOptions {
  /** An explicit path (the CLI's `--ort-lib`); tried first. */
  libraryPath?: string | undefined;
  /** The program's tree (default: the folder holding `ffi/`); for tests. */
  programRoot?: string | undefined;
}

/** Where the embedded copy is described, relative to the program's tree. */
export const EMBEDDED_ORT_MANIFEST = "lib/onnxruntime.json";

/** `lib/onnxruntime.json`: the embedded library, written by `packaging/stage.ts`. */
export interface EmbeddedOrtManifest {
  /** The library's file name, beside the manifest (`libonnxruntime.so.1`). */
  readonly file: string;
  /** Its SHA-256, lower-case hex. */
  readonly sha256: string;
  /** Its size in bytes. */
  readonly size: number;
  /** The ONNX Runtime version, e.g. `"1.30.0"`. */
  readonly version: string;
}

/**
 * The program's own tree: the folder holding `ffi/` — the source checkout, or the virtual file
 * system of a compiled executable (whose files only Deno can read, not native code).
 *
 * @returns an absolute path ending in `/`, or null when the modules are not `file:` URLs
 */
export function programRoot(): string | null {
  const root = new URL("../../", import.meta.url);
  return root.protocol === "file:" ? decodeURIComponent(root.pathname) : null;
}

/**
 * Reads the embedded library's manifest, if the program carries one.
 *
 * @param root the program's tree (default {@linkcode programRoot})
 * @returns the manifest and the library's path, or null when there is no (valid) manifest
 */
export function embeddedOrt(
  root: string | null = programRoot(),
): { manifest: EmbeddedOrtManifest; path: string } | null {
  if (root === null) return null;
  const manifestPath = join(root, EMBEDDED_ORT_MANIFEST);
  const manifest = tryOr(
    () => JSON.parse(Deno.readTextFileSync(manifestPath)) as Partial<EmbeddedOrtManifest>,
    null,
  );
  if (
    manifest === null || typeof manifest.file !== "string" || manifest.file.includes("/") ||
    typeof manifest.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(manifest.sha256) ||
    typeof manifest.size !== "number" || typeof manifest.version !== "string"
  ) {
    return null;
  }
  return {
    manifest: manifest as EmbeddedOrtManifest,
    path: join(dirname(manifestPath), manifest.file),
  };
}

/** Options for {@linkcode extractEmbeddedOrt}. */
export interface ExtractOptions {
  /** The expected SHA-256 (lower-case hex) of the library. */
  sha256: string;
  /** The cache folder (default `$XDG_CACHE_HOME`, else `~/.cache`, else a new temporary folder). */
  cacheHome?: string | undefined;
}

/** The SHA-256 of a file, read in 1 MiB chunks (works on a compiled executable's embedded files). */
function fileSha256(path: string): string {
  using file = Deno.openSync(path, { read: true });
  const hash = createHash("sha256");
  const chunk = new Uint8Array(1 << 20);
  for (;;) {
    const n = file.readSync(chunk);
    if (n === null) break;
    hash.update(chunk.subarray(0, n));
  }
  return hash.digest("hex");
}

function defaultCacheHome(): string {
  const env = (k: string): string | undefined =>
    tryOr(() => Deno.env.get(k) || undefined, undefined);
  const cache = env("XDG_CACHE_HOME");
  if (cache) return cache;
  const home = env("HOME");
  // No home (a bare service): a fresh private folder each run rather than a guessable shared path.
  return home ? join(home, ".cache") : Deno.makeTempDirSync({ prefix: "backscrub-cache-" });
}

/**
 * Extracts the embedded ONNX Runtime library once, to
 * `<cache>/backscrub/<sha256>/libonnxruntime.so.1`: copied to a temporary file in that folder
 * while hashing, checked against `sha256`, then renamed into place (atomic, so concurrent starts
 * are safe). A copy already there is used when its SHA-256 is right, and replaced otherwise.
 *
 * @example
 * ```ts ignore
 * const path = extractEmbeddedOrt("/tmp/deno-compile-backscrub/lib/libonnxruntime.so.1", {
 *   sha256: "ffb75a92...",
 * });
 * Deno.dlopen(path, symbols);
 * ```
 *
 * @param sourcePath the library inside the program's tree (readable by Deno only)
 * @param options the expected SHA-256 and the cache folder
 * @returns the path of the extracted library, on the real file system
 * @throws {Error} when the source is missing or its SHA-256 differs, or the cache is not writable
 */
export function extractEmbeddedOrt(sourcePath: string, options: ExtractOptions): string {
  const dir = join(join(options.cacheHome ?? defaultCacheHome(), "backscrub"), options.sha256);
  const target = join(dir, SONAME);
  if (tryOr(() => Deno.statSync(target).isFile, false) && fileSha256(target) === options.sha256) {
    return target;
  }
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  removeStaleCopies(dir);
  const tmp = join(dir, `.${SONAME}.${Deno.pid}.${crypto.randomUUID()}.tmp`);
  try {
    const hash = createHash("sha256");
    {
      using source = Deno.openSync(sourcePath, { read: true });
      using out = Deno.openSync(tmp, { write: true, createNew: true, mode: 0o644 });
      const chunk = new Uint8Array(1 << 20);
      for (;;) {
        const n = source.readSync(chunk);
        if (n === null) break;
        const bytes = chunk.subarray(0, n);
        hash.update(bytes);
        for (let written = 0; written < n;) written += out.writeSync(bytes.subarray(written));
      }
      out.syncSync();
    }
    const actual = hash.digest("hex");
    if (actual !== options.sha256) {
      throw new Error(
        `the embedded copy "${sourcePath}" is damaged (SHA-256 ${actual}, expected ${options.sha256})`,
      );
    }
    Deno.renameSync(tmp, target);
  } catch (error) {
    tryOr(() => Deno.removeSync(tmp), undefined);
    throw error;
  }
  return target;
}

/**
 * Removes temporary copies that an extraction killed half-way (SIGKILL, or a signal during the
 * synchronous copy) left behind: those whose process is gone.
 */
function removeStaleCopies(dir: string): void {
  const pattern = new RegExp(`^\\.${SONAME.replaceAll(".", "\\.")}\\.(\\d+)\\..*\\.tmp$`);
  for (const entry of tryOr(() => [...Deno.readDirSync(dir)], [])) {
    const pid = pattern.exec(entry.name)?.[1];
    if (pid === undefined || tryOr(() => Deno.statSync(`/proc/${pid}`).isDirectory, false)) {
      continue;
    }
    tryOr(() => Deno.removeSync(join(dir, entry.name)), undefined);
  }
}

/**
 * Lists where to look for the library, in order: the explicit path, `$BACKSCRUB_ORT_LIB`, next to
 * the executable, the system loader (`libonnxruntime.so.1`, `libonnxruntime.so`), the copy
 * embedded in the program (`lib/onnxruntime.json`, extracted to the cache when reached), then the
 * npm package `onnxruntime-node` under the current directory and under the project root.
 *
 * A library the user named (`--ort-lib`, else `$BACKSCRUB_ORT_LIB`) is the only candidate: when
 * it does not load, the user hears so instead of silently getting another copy.
 *
 * @param options the explicit path, if any
 * @returns the candidates, without duplicates
 */
export function ortLibraryCandidates(
  options: OrtLibraryLookupOptions = {},
): OrtLibraryCandidate[] {
  const candidates: OrtLibraryCandidate[] = [];
  const add = (path: string, via: "beside-exe" | "system" | "npm", mustExist = false): void => {
    if (!candidates.some((c) => c.path === path)) candidates.push({ path, via, mustExist });
  };
  const root = options.programRoot ?? programRoot();
  if (options.libraryPath) {
    return [{ path: options.libraryPath, via: "argument", mustExist: false }];
  }
  const fromEnv = tryOr(() => Deno.env.get(ORT_LIB_ENV), undefined);
  if (fromEnv) return [{ path: fromEnv, via: "env", mustExist: false }];
  const execPath = tryOr(() => Deno.execPath(), undefined);
  if (execPath) add(join(dirname(execPath), SONAME), "beside-exe", true);
  add(SONAME, "system");
  add("libonnxruntime.so", "system");
  const embedded = embeddedOrt(root);
  if (embedded) {
    candidates.push({
      path: embedded.path,
      via: "embedded",
      embedded: { sha256: embedded.manifest.sha256 },
    });
  }
  const npm = `node_modules/onnxruntime-node/bin/napi-v6/linux/${npmArch()}/${SONAME}`;
  const cwd = tryOr(() => Deno.cwd(), undefined);
  if (cwd) add(join(cwd, npm), "npm");
  if (root !== null) add(join(root, npm), "npm");
  return candidates;
}

/**
 * Opens the first candidate that loads and has `OrtApi` version {@linkcode ORT_API_VERSION}, with
 * ONNX Runtime's telemetry turned off first ({@linkcode disableOrtTelemetry}): when it cannot be
 * turned off, no candidate is opened at all (fail closed).
 *
 * @param candidates from {@linkcode ortLibraryCandidates}
 * @returns the bound library
 * @throws {LibraryLoadError} when none loads, listing every path tried
 */
export function openOrtLibrary(candidates: readonly OrtLibraryCandidate[]): OrtLibrary {
  return openLibrary("onnxruntime", candidates, symbols, bind, {
    guard: () => {
      const telemetry = disableOrtTelemetry();
      // Fail closed: a library that may report home is not loaded at all.
      return telemetry === null
        ? null
        : `not opened: cannot set ${ORT_TELEMETRY_ENV}=1 to keep its telemetry off (${telemetry})`;
    },
    prepare: ({ path, embedded }) => {
      if (!embedded) return path;
      try {
        return extractEmbeddedOrt(path, embedded);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return new Rejection("not-loadable", `cannot extract the embedded copy: ${reason}`);
      }
    },
  }).value;
}

let loaded: OrtLibrary | undefined;

/**
 * Opens the library once per process (later calls return the same one).
 *
 * @param options an explicit path, tried first
 * @returns the bound library
 * @throws {LibraryLoadError} when none loads, or when an explicit path differs from the loaded one
 */
export function loadOrtLibrary(options: OrtLibraryLookupOptions = {}): OrtLibrary {
  if (loaded) {
    const wanted = options.libraryPath;
    if (wanted !== undefined && wanted !== loaded.path) {
      throw new LibraryLoadError("onnxruntime", [{
        path: wanted,
        via: "argument",
        failure: "conflict",
        reason: `another copy is already loaded from "${loaded.path}"`,
      }], "Cannot load ONNX Runtime twice in one process");
    }
    return loaded;
  }
  loaded = openOrtLibrary(ortLibraryCandidates(options));
  return loaded;
}

/**
 * Reports which library file the process loaded.
 *
 * @returns the path (or soname) given to the loader, or `undefined` before the first load
 */
export function loadedOrtLibraryPath(): string | undefined {
  return loaded?.path;
}

/** Reads the tables of an opened library; rejects it when it is unusable. */
function bind(lib: Deno.DynamicLibrary<typeof symbols>, path: string): OrtLibrary | Rejection {
  const base = lib.symbols.OrtGetApiBase();
  if (base === null) return new Rejection("unusable", "OrtGetApiBase() returned NULL");
  const getApi = tableEntry(base, ortApiBase.GetApi);
  const getVersion = tableEntry(base, ortApiBase.GetVersionString);
  const version = cStringOrEmpty(getVersion.call());
  const minor = Number(/^1\.(\d+)\./.exec(version)?.[1] ?? 0);
  // GetApi() prints to stderr when the version is too new; ask only when the release has it.
  if (minor < ORT_API_VERSION) {
    return new Rejection(
      "unusable",
      `ONNX Runtime ${version || "(unknown version)"} is too old (needs 1.${ORT_API_VERSION}+)`,
    );
  }
  const table = getApi.call(ORT_API_VERSION);
  if (table === null) {
    return new Rejection(
      "unusable",
      `GetApi(${ORT_API_VERSION}) returned NULL (version ${version})`,
    );
  }
  const api = bindSlots(table, ortApi);
  let buildInfo: string | undefined;
  if (minor >= ORT_API_VERSION_BUILD_INFO) {
    const table15 = getApi.call(ORT_API_VERSION_BUILD_INFO);
    if (table15 !== null) {
      buildInfo = cStringOrEmpty(bindSlots(table15, ortApiBuildInfo).GetBuildInfoString.call());
    }
  }
  return { path, api, version, buildInfo };
}

function bindSlots<T extends Record<string, OrtApiSlot>>(
  table: Deno.PointerObject,
  slots: T,
): { readonly [K in keyof T]: Deno.UnsafeFnPointer<T[K]> } {
  const view = new Deno.UnsafePointerView(table);
  const out: Record<string, Deno.UnsafeFnPointer<Deno.ForeignFunction>> = {};
  for (const [name, { index, ...definition }] of Object.entries(slots)) {
    type Definition = Omit<typeof definition, "nonblocking">;
    const fn = Deno.UnsafePointer.create<Definition>(view.getBigUint64(index * 8));
    if (fn === null) throw new Error(`OrtApi slot ${index} (${name}) is NULL`);
    out[name] = new Deno.UnsafeFnPointer(fn, definition);
  }
  return out as { readonly [K in keyof T]: Deno.UnsafeFnPointer<T[K]> };
}

function tableEntry<T extends OrtTableEntry>(
  table: Deno.PointerObject,
  entry: T,
): Deno.UnsafeFnPointer<T> {
  const { offset, ...definition } = entry;
  const address = new Deno.UnsafePointerView(table).getBigUint64(offset);
  const fn = Deno.UnsafePointer.create<Omit<T, "nonblocking">>(address);
  if (fn === null) throw new Error(`OrtApiBase entry at offset ${offset} is NULL`);
  return new Deno.UnsafeFnPointer(fn, definition as unknown as T);
}

function cStringOrEmpty(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

function tryOr<T, D>(fn: () => T, fallback: D): T | D {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function npmArch(): string {
  return Deno.build.arch === "aarch64" ? "arm64" : "x64";
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? (slash === 0 ? "/" : ".") : path.slice(0, slash);
}

function join(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}
