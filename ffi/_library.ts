/**
 * Loading the native libraries (ONNX Runtime, libjpeg-turbo, libv4l2, libc, libpipewire): the one
 * ordered loader they share ({@linkcode openLibrary}) and the one error it throws
 * ({@linkcode LibraryLoadError}), which lists every path tried with its reason.
 *
 * Messages state facts only (which library, which paths, why each failed). What the user should
 * do about it — a flag, an environment variable, a package to install — is the command line's to
 * say: it reads {@linkcode LibraryLoadError.library}, {@linkcode LibraryLoadError.kind} and the
 * attempts' {@linkcode LoadAttempt.via}.
 *
 * @module
 */

import { ERRNO } from "./libc/layout.ts";
import { readEnv, reasonOf } from "./_util.ts";

/** The native libraries backscrub loads. */
export type NativeLibrary = "onnxruntime" | "turbojpeg" | "v4l2" | "libc" | "pipewire";

/**
 * Why one path did not give a usable library:
 * - `not-found`: no such file (or the system loader found no library of that name);
 * - `not-loadable`: the file is there but cannot be loaded (not a library for this machine, a
 *   missing dependency, no permission, a damaged embedded copy);
 * - `unusable`: it loaded, but is not what backscrub needs (too old, a symbol missing);
 * - `refused`: backscrub did not open it on purpose (ONNX Runtime's telemetry could not be
 *   turned off first);
 * - `conflict`: another copy of the library is already loaded in this process.
 */
export type LoadFailure = "not-found" | "not-loadable" | "unusable" | "refused" | "conflict";

/**
 * Where a candidate path came from: the caller's explicit path (`argument`), the library's
 * environment variable (`env`), the folder of the executable (`beside-exe`), the system loader's
 * search (`system`), a copy embedded in the program (`embedded`), or an npm package (`npm`).
 */
export type LoadSource = "argument" | "env" | "beside-exe" | "system" | "embedded" | "npm";

/** One path tried, and why it did not give a usable library. */
export interface LoadAttempt {
  /** The path or soname given to the loader. */
  readonly path: string;
  /** Where the path came from. */
  readonly via: LoadSource;
  /** The class of failure. */
  readonly failure: LoadFailure;
  /** The reason in a few words, e.g. `"No such file or directory"` or `"too old (needs 1.17+)"`. */
  readonly reason: string;
  /** The `errno` behind the failure, when known (e.g. 2 for no such file). */
  readonly errno?: number;
}

/** How each library is named in messages. */
export const LIBRARY_TITLES: Readonly<Record<NativeLibrary, string>> = {
  onnxruntime: "ONNX Runtime",
  turbojpeg: "libjpeg-turbo",
  v4l2: "libv4l2",
  libc: "libc",
  pipewire: "libpipewire",
};

/** The environment variable that names each library's file, if it has one. */
export const LIBRARY_ENVS: Readonly<Record<NativeLibrary, string | null>> = {
  onnxruntime: "BACKSCRUB_ORT_LIB",
  turbojpeg: "BACKSCRUB_TURBOJPEG_LIB",
  v4l2: "BACKSCRUB_V4L2_LIB",
  libc: null,
  pipewire: "BACKSCRUB_PIPEWIRE_LIB",
};

/** The soname each library is loaded by when nothing else is named. */
export const LIBRARY_SONAMES: Readonly<Record<NativeLibrary, string>> = {
  onnxruntime: "libonnxruntime.so.1",
  turbojpeg: "libturbojpeg.so.0",
  v4l2: "libv4l2.so.0",
  libc: "libc.so.6",
  pipewire: "libpipewire-0.3.so.0",
};

/** Which failure says most about a library that could not be loaded (higher wins). */
const FAILURE_RANK: Readonly<Record<LoadFailure, number>> = {
  "not-found": 0,
  "not-loadable": 1,
  "unusable": 2,
  "refused": 3,
  "conflict": 4,
};

/**
 * A native library that could not be loaded: which one, and every path tried with its reason.
 * The message is one line of facts, e.g.
 * `Cannot load libjpeg-turbo (tried "libturbojpeg.so.0" (No such file or directory))`.
 *
 * @example
 * ```ts
 * import { LibraryLoadError } from "./_library.ts";
 * const error = new LibraryLoadError("turbojpeg", [
 *   { path: "libturbojpeg.so.0", via: "system", failure: "not-found", reason: "no such file" },
 * ]);
 * console.log(error.kind, error.message);
 * ```
 */
export class LibraryLoadError extends Error {
  /** The library. */
  readonly library: NativeLibrary;
  /** Every path tried, in order, with why each failed. */
  readonly attempts: readonly LoadAttempt[];
  /**
   * The failure that says most: `conflict`, else `refused`, else `unusable` (a library was found
   * but is wrong), else `not-loadable`, else `not-found`. For a path the user named, that path's
   * failure.
   */
  readonly kind: LoadFailure;
  /** Where the one path came from when the user named it (`argument` or `env`), else null. */
  readonly named: "argument" | "env" | null;

  /**
   * Builds the message from the attempts.
   *
   * @param library the library
   * @param attempts the paths tried, in order (at least one)
   * @param summary what failed, placed before the list (default `Cannot load <library>`)
   */
  constructor(library: NativeLibrary, attempts: readonly LoadAttempt[], summary?: string) {
    const tried = attempts.map((a) => `"${a.path}" (${a.reason})`).join(", ");
    super(`${summary ?? `Cannot load ${LIBRARY_TITLES[library]}`} (tried ${tried})`);
    this.name = "LibraryLoadError";
    this.library = library;
    this.attempts = attempts;
    this.kind = attempts.reduce<LoadFailure>(
      (worst, a) => FAILURE_RANK[a.failure] > FAILURE_RANK[worst] ? a.failure : worst,
      "not-found",
    );
    const first = attempts[0]?.via;
    this.named = attempts.length === 1 && (first === "argument" || first === "env") ? first : null;
  }
}

/** A path to try. */
export interface LibraryCandidate {
  /** Given to `Deno.dlopen` (after {@linkcode OpenLibraryOptions.prepare}). */
  readonly path: string;
  /** Where it came from (default `system`). */
  readonly via?: LoadSource | undefined;
  /** Skip the candidate (but report it as not found) unless the file exists. */
  readonly mustExist?: boolean | undefined;
}

/**
 * Where to look for a library the simple way: the explicit path, else the library's environment
 * variable, else the system loader's search for its soname. A library the user named is the only
 * candidate: when it does not load, the user hears so instead of silently getting another copy.
 *
 * @param library the library
 * @param explicit a path the caller was given (a flag), if any
 * @returns the candidates, in order
 */
export function namedCandidates(library: NativeLibrary, explicit?: string): LibraryCandidate[] {
  if (explicit) return [{ path: explicit, via: "argument" }];
  const env = LIBRARY_ENVS[library];
  const fromEnv = env === null ? undefined : readEnv(env);
  if (fromEnv) return [{ path: fromEnv, via: "env" }];
  return [{ path: LIBRARY_SONAMES[library], via: "system" }];
}

/** What {@linkcode OpenLibraryOptions.prepare} and `bind` return to reject a candidate. */
export class Rejection {
  /** The class of failure. */
  readonly failure: LoadFailure;
  /** Why, in a few words. */
  readonly reason: string;
  /** The `errno` behind it, when known. */
  readonly errno: number | undefined;

  /**
   * @param failure the class of failure
   * @param reason why, in a few words
   * @param errno the `errno` behind it, when known
   */
  constructor(failure: LoadFailure, reason: string, errno?: number) {
    this.failure = failure;
    this.reason = reason;
    this.errno = errno;
  }
}

/** Options of {@linkcode openLibrary}. */
export interface OpenLibraryOptions<C extends LibraryCandidate> {
  /**
   * Runs before anything is opened; a string stops the whole load, every candidate reported as
   * `refused` with that reason (e.g. ONNX Runtime's telemetry could not be turned off).
   */
  guard?: () => string | null;
  /**
   * Turns a candidate into the file to open (e.g. extracts an embedded copy), or rejects it with
   * a {@linkcode Rejection}; what it throws is reported as `not-loadable`.
   */
  prepare?: (candidate: C) => string | Rejection;
}

/**
 * Opens the first candidate that loads and that `bind` accepts: one ordered loop for every
 * native library. A library `bind` rejects is closed again.
 *
 * @example
 * ```ts ignore
 * const libc = openLibrary("libc", namedCandidates("libc"), symbols, (lib) => lib.symbols);
 * ```
 *
 * @param library the library (for the error)
 * @param candidates where to look, in order
 * @param symbols the symbol table for `Deno.dlopen`
 * @param bind makes the caller's value from the opened library, or rejects it
 * @param options a guard run first, and a `prepare` step per candidate
 * @returns what `bind` made, and the path it was opened from
 * @throws {LibraryLoadError} when no candidate gives a usable library
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface, T, C extends LibraryCandidate>(
  library: NativeLibrary,
  candidates: readonly C[],
  symbols: S,
  bind: (lib: Deno.DynamicLibrary<S>, path: string) => T | Rejection,
  options: OpenLibraryOptions<C> = {},
): { value: T; path: string } {
  const refusal = options.guard?.() ?? null;
  if (refusal !== null) {
    throw new LibraryLoadError(
      library,
      candidates.map((c) => ({
        path: c.path,
        via: c.via ?? "system",
        failure: "refused",
        reason: refusal,
      })),
    );
  }
  const attempts: LoadAttempt[] = [];
  for (const candidate of candidates) {
    const via = candidate.via ?? "system";
    let path = candidate.path;
    const fail = ({ failure, reason, errno }: Rejection): void => {
      attempts.push({ path, via, failure, reason, ...(errno === undefined ? {} : { errno }) });
    };
    if (candidate.mustExist && !isFile(path)) {
      fail(new Rejection("not-found", "no such file", ERRNO.ENOENT));
      continue;
    }
    if (options.prepare) {
      let prepared: string | Rejection;
      try {
        prepared = options.prepare(candidate);
      } catch (error) {
        prepared = new Rejection("not-loadable", reasonOf(error));
      }
      if (prepared instanceof Rejection) {
        fail(prepared);
        continue;
      }
      path = prepared;
    }
    let lib: Deno.DynamicLibrary<S>;
    try {
      lib = Deno.dlopen(path, symbols);
    } catch (error) {
      fail(dlopenFailure(error, path));
      continue;
    }
    const value = bind(lib, path);
    if (value instanceof Rejection) {
      lib.close();
      fail(value);
      continue;
    }
    return { value, path };
  }
  throw new LibraryLoadError(library, attempts);
}

/**
 * Classifies a `Deno.dlopen` failure: the loader's reason without Deno's prefixes and the path,
 * and its errno when the reason is a system error.
 *
 * @param error what `Deno.dlopen` threw
 * @param path the path it was given
 * @returns the failure class, the reason and the errno
 */
export function dlopenFailure(error: unknown, path: string): Rejection {
  const text = reasonOf(error).replace(/^(Could not open library: )+/, "");
  const symbol = /^Failed to register symbol (\S+):/.exec(text);
  if (symbol) return new Rejection("unusable", `it has no symbol ${symbol[1]}`);
  const reason = text.startsWith(`${path}: `) ? text.slice(path.length + 2) : text;
  // dlerror() says "<file>: cannot open shared object file: <strerror>" for system errors.
  const detail = reason.replace(/^cannot open shared object file: /, "");
  if (/No such file or directory$/.test(detail)) {
    return new Rejection("not-found", detail, ERRNO.ENOENT);
  }
  if (/Permission denied$/.test(detail)) return new Rejection("not-loadable", detail, ERRNO.EACCES);
  return new Rejection("not-loadable", detail);
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
