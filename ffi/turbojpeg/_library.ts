/**
 * Internal helpers for libturbojpeg: loading the library once and turning the
 * C error convention (`-1` + `tjGetErrorCode` + `tjGetErrorStr2`) into
 * {@linkcode JpegError}.
 *
 * @module
 */

import { symbols, TJERR, type TurbojpegSymbols } from "./symbols.ts";
import { LIBRARY_ENVS, LIBRARY_SONAMES, namedCandidates, openLibrary } from "../_library.ts";

/** Environment variable that overrides the library path. */
export const LIBRARY_ENV: string = LIBRARY_ENVS.turbojpeg!;
/** The versioned soname loaded by default. */
export const LIBRARY_NAME: string = LIBRARY_SONAMES.turbojpeg;

/**
 * An error reported by libturbojpeg while encoding or decoding (a library that cannot be loaded
 * is a `LibraryLoadError` instead).
 */
export class JpegError extends Error {
  /**
   * `true` when libturbojpeg reported a fatal error (the frame is unusable and
   * should be dropped); `false` for other failures such as a closed handle.
   */
  readonly fatal: boolean;

  /**
   * Creates a JPEG error.
   *
   * @param message The one-line message.
   * @param options `fatal` as above, and an optional `cause`.
   */
  constructor(message: string, options: { fatal: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "JpegError";
    this.fatal = options.fatal;
  }
}

/** The loaded library and the path it was loaded from. */
export interface Turbojpeg {
  /** The symbols (optional ones are `null` when missing). */
  readonly symbols: TurbojpegSymbols;
  /** The path or soname given to `dlopen`. */
  readonly path: string;
}

let loaded: Turbojpeg | null = null;

/**
 * Loads libturbojpeg once per process (the library stays loaded until exit).
 *
 * Order: the explicit `path` argument, then `$BACKSCRUB_TURBOJPEG_LIB`, then the
 * system `libturbojpeg.so.0`. An explicit path is not silently replaced by the
 * system copy when it fails.
 *
 * @param path An explicit library path (overrides the environment).
 * @returns The loaded library.
 * @throws {LibraryLoadError} When the library cannot be loaded, with the path tried.
 */
export function loadTurbojpeg(path?: string): Turbojpeg {
  if (loaded !== null && (path === undefined || path === loaded.path)) return loaded;
  loaded = openLibrary(
    "turbojpeg",
    namedCandidates("turbojpeg", path),
    symbols,
    (lib, at): Turbojpeg => ({ symbols: lib.symbols, path: at }),
  ).value;
  return loaded;
}

/** Reads the per-handle (or global) error message. */
function errorMessage(lib: TurbojpegSymbols, handle: Deno.PointerValue): string {
  const ptr = lib.tjGetErrorStr2 !== null
    ? lib.tjGetErrorStr2(handle)
    : lib.tjGetErrorStr !== null
    ? lib.tjGetErrorStr()
    : null;
  if (ptr === null) return "unknown error";
  const text = Deno.UnsafePointerView.getCString(ptr).trim();
  return text === "" ? "unknown error" : text;
}

/**
 * The one check function for libturbojpeg return codes.
 *
 * @param lib The library symbols.
 * @param handle The handle the call was made with (or `null`).
 * @param rc The C return code (`0` success, `-1` error or warning).
 * @param action What was attempted, e.g. `"decode JPEG"` (for the message).
 * @returns `null` on success, or the warning text when libturbojpeg reported
 *   only a warning (the output is usable).
 * @throws {JpegError} With `fatal: true` when the error is fatal.
 */
export function checkTj(
  lib: TurbojpegSymbols,
  handle: Deno.PointerValue,
  rc: number,
  action: string,
): string | null {
  if (rc === 0) return null;
  const message = errorMessage(lib, handle);
  // Without tjGetErrorCode (libjpeg-turbo < 2.0) every -1 is treated as fatal.
  const code = lib.tjGetErrorCode !== null ? lib.tjGetErrorCode(handle) : TJERR.FATAL;
  if (code === TJERR.WARNING) return message;
  throw new JpegError(`Cannot ${action}: ${message}`, { fatal: true });
}
