/**
 * Internal helpers for libv4l2: loading it once (libc comes from `ffi/libc`, loaded once for the
 * whole program), and the one check function that turns `-1` into {@linkcode V4l2Error}.
 *
 * @module
 */

import { errnoName, errnoText } from "../libc/errno.ts";
import { libc, type LibcSymbols, readErrno } from "../libc/mod.ts";
import { ERRNO } from "./layout.ts";
import { symbols, type V4l2Symbols } from "./symbols.ts";
import { readEnv } from "../_util.ts";
import { LIBRARY_ENVS, LIBRARY_SONAMES, namedCandidates, openLibrary } from "../_library.ts";

export { readErrno };

/** Environment variable that overrides the libv4l2 path. */
export const LIBRARY_ENV: string = LIBRARY_ENVS.v4l2!;
/** The versioned soname loaded by default. */
export const LIBRARY_NAME: string = LIBRARY_SONAMES.v4l2;

/**
 * A failed V4L2 or libc call, with its `errno`.
 *
 * The message names the action and the device and gives the C reason, e.g.
 * `Cannot VIDIOC_REQBUFS on "/dev/video0": device busy (EBUSY)`. Callers in
 * `src/device` add the fix for the user.
 */
export class V4l2Error extends Error {
  /** The `errno` value (0 when the failure did not come from a C call). */
  readonly errno: number;
  /** The symbolic name, e.g. `"EBUSY"` (`"E?"` for unknown values). */
  readonly code: string;
  /** What was attempted, e.g. `"VIDIOC_S_FMT"` or `"open"`. */
  readonly action: string;
  /** The device path. */
  readonly path: string;
  /** The reason alone, e.g. `"device busy"`. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param action What was attempted.
   * @param path The device path.
   * @param errno The `errno` value.
   * @param detail An optional reason that replaces the `errno` text.
   */
  constructor(action: string, path: string, errno: number, detail?: string) {
    const code = errnoName(errno) ?? (errno === 0 ? "" : `E${errno}`);
    const reason = detail ?? errnoText(errno) ?? `error ${errno}`;
    super(`Cannot ${action} on "${path}": ${reason}${code === "" ? "" : ` (${code})`}`);
    this.name = "V4l2Error";
    this.errno = errno;
    this.code = code === "" ? "E?" : code;
    this.action = action;
    this.path = path;
    this.reason = reason;
  }
}

/** The loaded libraries. */
export interface V4l2Libraries {
  /** libv4l2 symbols. */
  readonly v4l2: V4l2Symbols;
  /** libc symbols (the program's one copy, from `ffi/libc`). */
  readonly libc: LibcSymbols;
  /** The path or soname libv4l2 was loaded from. */
  readonly path: string;
}

let loaded: V4l2Libraries | null = null;

/**
 * Loads libv4l2 once per process (it stays loaded until exit), with the program's libc.
 *
 * Order: the explicit `path`, then `$BACKSCRUB_V4L2_LIB`, then the system
 * `libv4l2.so.0`. An explicit path is never silently replaced by another copy.
 *
 * @param path An explicit libv4l2 path.
 * @returns The loaded libraries.
 * @throws {LibraryLoadError} When libv4l2 or libc cannot be loaded, with the paths tried.
 */
export function loadV4l2(path?: string): V4l2Libraries {
  if (loaded !== null && (path === undefined || path === loaded.path)) return loaded;
  const c = libc();
  loaded = openLibrary(
    "v4l2",
    namedCandidates("v4l2", path),
    symbols,
    (lib, at): V4l2Libraries => {
      quietLibv4l2(lib.symbols, c);
      return { v4l2: lib.symbols, libc: c, path: at };
    },
  ).value;
  return loaded;
}

/**
 * libv4l2 prints its own "libv4l2: error ..." lines to stderr for every failed
 * ioctl, doubling the one-line errors backscrub prints. Unless the user asked
 * for its log (`$LIBV4L2_LOG_FILENAME`), point its `v4l2_log_file` at
 * `/dev/null`.
 */
function quietLibv4l2(v4l2: V4l2Symbols, c: LibcSymbols): void {
  const address = v4l2.v4l2_log_file;
  if (address === null || readEnv("LIBV4L2_LOG_FILENAME") !== undefined) return;
  const slot = new BigUint64Array(Deno.UnsafePointerView.getArrayBuffer(address, 8));
  if (slot[0] !== 0n) return;
  const file = c.fopen(encoder.encode("/dev/null\0"), encoder.encode("w\0"));
  if (file !== null) slot[0] = BigInt(Deno.UnsafePointer.value(file));
}

const encoder = new TextEncoder();

/** What {@linkcode v4l2Check} does with `EAGAIN` (`EINTR` is always retried). */
export type AgainPolicy = "throw" | "return" | "retry";

/** How often, and how many milliseconds apart, `"retry"` tries an `EAGAIN` call again. */
const AGAIN_RETRIES = 20;
const AGAIN_WAIT_MS = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The one check function for libv4l2 and libc return values: calls `fn`,
 * retries on `EINTR`, and turns `-1` into a {@linkcode V4l2Error}.
 *
 * @param libs The loaded libraries (for `errno`).
 * @param fn The C call; returns the C result.
 * @param action What is attempted (for the message), e.g. `"VIDIOC_DQBUF"`.
 * @param path The device path (for the message).
 * @param again `"return"` to return `null` on `EAGAIN` (a non-blocking call
 *   that would block), `"throw"` to treat it as an error, `"retry"` to try
 *   again a few times 5 ms apart (queries on a blocking descriptor: vivid
 *   answers `VIDIOC_ENUM_FRAMEINTERVALS` with a passing `EAGAIN` right after
 *   another handle stopped reading), then throw.
 * @returns The result as a number, or `null` for `EAGAIN` with `"return"`.
 * @throws {V4l2Error} When the call fails.
 */
export function v4l2Check(
  libs: V4l2Libraries,
  fn: () => number | bigint,
  action: string,
  path: string,
  again: AgainPolicy = "throw",
): number | null {
  for (let tries = 0;; tries++) {
    const rc = Number(fn());
    if (rc !== -1) return rc;
    const errno = readErrno(libs.libc);
    if (errno === ERRNO.EINTR) continue;
    if (errno === ERRNO.EAGAIN && again === "return") return null;
    if (errno === ERRNO.EAGAIN && again === "retry" && tries < AGAIN_RETRIES) {
      Atomics.wait(sleeper, 0, 0, AGAIN_WAIT_MS);
      continue;
    }
    throw new V4l2Error(action, path, errno);
  }
}
