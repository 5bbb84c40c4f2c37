/**
 * Internal helpers for libpipewire: loading it once (with `pw_init`), and the one check that
 * turns its C conventions — a negative errno as the result, or NULL with `errno` set — into
 * {@linkcode PipewireError}.
 *
 * @module
 */

import { errnoName, errnoText } from "../libc/errno.ts";
import { libc, type LibcSymbols, readErrno } from "../libc/mod.ts";
import { LIBRARY_ENVS, LIBRARY_SONAMES, namedCandidates, openLibrary } from "../_library.ts";
import { readEnv } from "../_util.ts";
import { LOG_LEVEL } from "./layout.ts";
import { type PipewireSymbols, symbols } from "./symbols.ts";

/** Environment variable that overrides the library path. */
export const LIBRARY_ENV: string = LIBRARY_ENVS.pipewire!;
/** The versioned soname loaded by default. */
export const LIBRARY_NAME: string = LIBRARY_SONAMES.pipewire;

/** `errno` values libpipewire gives that libc's table does not name. */
const NET_ERRNO: Record<number, [string, string]> = {
  111: ["ECONNREFUSED", "connection refused"],
  104: ["ECONNRESET", "connection reset"],
  107: ["ENOTCONN", "not connected"],
  112: ["EHOSTDOWN", "host is down"],
};

/**
 * What went wrong, for callers that branch on it:
 * - `not-running`: no PipeWire daemon answers (no socket, or nobody listening on it);
 * - `disconnected`: the daemon went away while connected (it stopped or restarted);
 * - `failed`: any other failed call.
 */
export type PipewireErrorKind = "not-running" | "disconnected" | "failed";

/**
 * A failed libpipewire call. The message names the action and gives the C reason, e.g.
 * `Cannot connect to PipeWire: no such file (ENOENT)`; the command line adds the fix.
 */
export class PipewireError extends Error {
  /** What went wrong. */
  readonly kind: PipewireErrorKind;
  /** The `errno` (positive; 0 when none was given). */
  readonly errno: number;
  /** Its symbolic name, e.g. `"ECONNREFUSED"` (`""` when none). */
  readonly code: string;

  /**
   * @param kind what went wrong
   * @param message the one-line message
   * @param errno the errno behind it (positive), or 0
   */
  constructor(kind: PipewireErrorKind, message: string, errno = 0) {
    super(message);
    this.name = "PipewireError";
    this.kind = kind;
    this.errno = errno;
    this.code = errno === 0 ? "" : errnoName(errno) ?? NET_ERRNO[errno]?.[0] ?? `E${errno}`;
  }
}

/** The reason for an errno in words, with its name: `connection refused (ECONNREFUSED)`. */
export function errnoReason(errno: number): string {
  const name = errnoName(errno) ?? NET_ERRNO[errno]?.[0] ?? `E${errno}`;
  const text = errnoText(errno) ?? NET_ERRNO[errno]?.[1] ?? `error ${errno}`;
  return `${text} (${name})`;
}

/** The loaded library. */
export interface Pipewire {
  /** libpipewire's symbols. */
  readonly symbols: PipewireSymbols;
  /** The program's libc (for `errno`, `calloc`, `poll`). */
  readonly libc: LibcSymbols;
  /** The path or soname given to `dlopen`. */
  readonly path: string;
  /** The library's version, e.g. `"0.3.65"`. */
  readonly version: string;
}

let loaded: Pipewire | null = null;

/**
 * Loads libpipewire once per process (it stays loaded until exit) and initialises it
 * (`pw_init`). PipeWire's own log is limited to errors unless `PIPEWIRE_DEBUG` asks for more:
 * backscrub says what matters in its own words.
 *
 * Order: the explicit `path`, then `$BACKSCRUB_PIPEWIRE_LIB`, then the system
 * `libpipewire-0.3.so.0`. A library the user named is never silently replaced by another copy.
 *
 * @param path An explicit library path.
 * @returns The loaded library.
 * @throws {LibraryLoadError} When it cannot be loaded, with the paths tried.
 */
export function loadPipewire(path?: string): Pipewire {
  if (loaded !== null && (path === undefined || path === loaded.path)) return loaded;
  const c = libc();
  loaded = openLibrary(
    "pipewire",
    namedCandidates("pipewire", path),
    symbols,
    (lib, at): Pipewire => {
      const s = lib.symbols;
      s.pw_init(null, null);
      if (readEnv("PIPEWIRE_DEBUG") === undefined) s.pw_log_set_level(LOG_LEVEL.ERROR);
      const v = s.pw_get_library_version();
      const version = v === null ? "unknown" : Deno.UnsafePointerView.getCString(v);
      return { symbols: s, libc: c, path: at, version };
    },
  ).value;
  return loaded;
}

/**
 * The one check for libpipewire results: a negative number is `-errno`, a NULL pointer means
 * failure with `errno` set.
 *
 * @param lib The library (for `errno`).
 * @param result What the call returned.
 * @param action What was attempted, for the message (e.g. `"connect the stream"`).
 * @returns The result, when it is not a failure.
 * @throws {PipewireError} When the call failed.
 */
export function pwCheck<T extends number | Deno.PointerValue>(
  lib: Pipewire,
  result: T,
  action: string,
): Exclude<T, null> {
  let errno = 0;
  if (result === null) errno = readErrno(lib.libc) || 5; // EIO when errno says nothing
  else if (typeof result === "number" && result < 0) errno = -result;
  else return result as Exclude<T, null>;
  throw new PipewireError("failed", `Cannot ${action}: ${errnoReason(errno)}`, errno);
}
