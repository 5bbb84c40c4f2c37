/**
 * {@linkcode DeviceError}: a camera or virtual-camera problem the user can fix. The message is
 * one line of facts (what was attempted, on which device, why); the fields say the same for
 * code — the kind, the device, what it was opened for, the `errno`, who holds it, what it
 * offers — so that the command line can add the fix in its own words (`src/cli/explain.ts`).
 *
 * @module
 */

import { ERRNO, V4l2Error } from "../../ffi/v4l2/mod.ts";
import { describeHolders, findHolders, type Holders } from "./holders.ts";

/** What went wrong, for callers that branch on it (the message is for people). */
export type DeviceErrorKind =
  /** No such device (ENOENT), or a node without a driver behind it (ENODEV, ENXIO). */
  | "not-found"
  /** The user may not open it (EACCES, EPERM). */
  | "permission"
  /** Not a V4L2 device node (ENOTTY, EINVAL, a folder). */
  | "not-v4l2"
  /** A device that does not capture (an output, a metadata node, an idle loopback). */
  | "not-capture"
  /** A device that is not a v4l2loopback output. */
  | "not-output"
  /** Another handle streams from or writes to it; see {@linkcode DeviceError.holders}. */
  | "busy"
  /** No v4l2loopback device exists. */
  | "no-loopback"
  /** No pixel format backscrub can read; see {@linkcode DeviceError.offered}. */
  | "format"
  /** A frame size backscrub cannot read (e.g. odd for a 4:2:x format). */
  | "size"
  /** The driver lacks an I/O method backscrub was asked to use. */
  | "unsupported"
  /** No frame came, or no data was taken, in time. */
  | "timeout"
  /** The device went away while in use. */
  | "disconnected"
  /** Any other failure of the device. */
  | "io";

/**
 * What the device was opened for: `camera` (capture) or `virtual` (the v4l2loopback output the
 * picture goes to). Undefined when it was only being listed.
 */
export type DevicePurpose = "camera" | "virtual";

/** The structured part of a {@linkcode DeviceError}, as given to its constructor. */
export interface DeviceErrorDetails {
  /** The device path, when one is involved. */
  path?: string | undefined;
  /** What the device was opened for. */
  purpose?: DevicePurpose | undefined;
  /** The `errno` of the failed call, when one failed. */
  errno?: number | undefined;
  /** Its symbolic name, e.g. `"EBUSY"`. */
  code?: string | undefined;
  /** Who holds the device (kind `busy`). */
  holders?: Holders | undefined;
  /** The pixel formats the device offers (kind `format`), e.g. `["H264", "GREY"]`. */
  offered?: readonly string[] | undefined;
  /** The format a virtual camera is fixed at by another writer (kind `busy`), e.g. `640x480 YUYV`. */
  fixedAt?: string | undefined;
  /** The original error. */
  cause?: unknown;
}

/**
 * A camera or virtual-camera problem the user can fix. The message is one line of facts, e.g.
 * `Cannot open video device "/dev/video9": no such file`; the fields carry the same facts for
 * code.
 *
 * @example
 * ```ts
 * import { DeviceError } from "./errors.ts";
 * try {
 *   throw new DeviceError("busy", 'Cannot start "/dev/video0": device busy', {
 *     path: "/dev/video0",
 *     purpose: "camera",
 *   });
 * } catch (e) {
 *   if (e instanceof DeviceError && e.kind === "busy") console.error(e.message, e.purpose);
 * }
 * ```
 */
export class DeviceError extends Error {
  /** What went wrong. */
  readonly kind: DeviceErrorKind;
  /** The device path, when one is involved. */
  readonly path: string | undefined;
  /** What the device was opened for (undefined when it was only listed, or unknown). */
  readonly purpose: DevicePurpose | undefined;
  /** The `errno` of the failed call, when one failed. */
  readonly errno: number | undefined;
  /** Its symbolic name, e.g. `"EBUSY"`. */
  readonly code: string | undefined;
  /** Who holds the device (kind `busy`). */
  readonly holders: Holders | undefined;
  /** The pixel formats the device offers (kind `format`). */
  readonly offered: readonly string[] | undefined;
  /** The format a virtual camera is fixed at by another writer (kind `busy`). */
  readonly fixedAt: string | undefined;

  /**
   * Creates the error.
   *
   * @param kind What went wrong.
   * @param message The one-line message: facts, no fix.
   * @param details The device path, purpose, errno, holders, offered formats and cause.
   */
  constructor(kind: DeviceErrorKind, message: string, details: DeviceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "DeviceError";
    this.kind = kind;
    this.path = details.path;
    this.purpose = details.purpose;
    this.errno = details.errno;
    this.code = details.code;
    this.holders = details.holders;
    this.offered = details.offered;
    this.fixedAt = details.fixedAt;
  }
}

/** The errno fields of a {@linkcode V4l2Error}, for {@linkcode DeviceErrorDetails}. */
function errnoOf(error: V4l2Error): { errno: number; code: string } {
  return { errno: error.errno, code: error.code };
}

/**
 * Turns a failed `open()` into a {@linkcode DeviceError}.
 *
 * @param error The error from `VideoDevice.open`.
 * @param path The device path.
 * @param purpose What the device was for (undefined: only listing it).
 * @returns The error to throw (other errors are returned unchanged).
 */
export function openError(
  error: unknown,
  path: string,
  purpose: DevicePurpose | undefined,
): unknown {
  if (!(error instanceof V4l2Error)) return error;
  const what = purpose === "virtual" ? "virtual camera device" : "video device";
  const head = `Cannot open ${what} "${path}"`;
  const details = { path, purpose, ...errnoOf(error), cause: error };
  switch (error.errno) {
    case ERRNO.ENOENT:
      return new DeviceError("not-found", `${head}: no such file`, details);
    case ERRNO.ENODEV:
    case ERRNO.ENXIO:
      return new DeviceError(
        "not-found",
        `${head}: the device node exists but no driver is behind it (it was unplugged or its module unloaded)`,
        details,
      );
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return new DeviceError("permission", `${head}: permission denied`, details);
    case ERRNO.ENOTTY:
    case ERRNO.EINVAL:
      return new DeviceError("not-v4l2", `${head}: it is not a V4L2 video device`, details);
    case ERRNO.EBUSY:
      return busyError(`${head}: device busy`, path, purpose, error);
    case ERRNO.EISDIR:
    case ERRNO.ENOTDIR:
      return new DeviceError("not-v4l2", `${head}: it is not a device node`, details);
    default:
      return new DeviceError("io", error.message, details);
  }
}

/**
 * Builds the "device busy" error, naming the processes that hold the device
 * (found through `/proc/PID/fd`), e.g.
 * `Cannot start "/dev/video0": device busy, in use by cheese (pid 4242)`.
 *
 * @param head The start of the message, e.g. `Cannot start "/dev/video0": device busy`.
 * @param path The device path.
 * @param purpose What the device was for.
 * @param cause The original error.
 * @returns The error, with {@linkcode DeviceError.holders}.
 */
export function busyError(
  head: string,
  path: string,
  purpose: DevicePurpose | undefined,
  cause?: unknown,
): DeviceError {
  const holders = findHolders(path);
  return new DeviceError("busy", `${head}, ${describeHolders(holders)}`, {
    path,
    purpose,
    holders,
    ...(cause instanceof V4l2Error ? errnoOf(cause) : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Turns a failed ioctl on an open device into a {@linkcode DeviceError}: busy and unplugged get
 * their own kinds, other failures are `"io"`.
 *
 * @param error The error.
 * @param path The device path.
 * @param action What was attempted, e.g. `start capture on`.
 * @param purpose What the device was for.
 * @returns The error to throw (errors other than `V4l2Error` are returned unchanged).
 */
export function ioctlError(
  error: unknown,
  path: string,
  action: string,
  purpose?: DevicePurpose,
): unknown {
  if (!(error instanceof V4l2Error)) return error;
  const head = `Cannot ${action} "${path}"`;
  const details = { path, purpose, ...errnoOf(error), cause: error };
  switch (error.errno) {
    case ERRNO.EBUSY:
      return busyError(`${head}: device busy`, path, purpose, error);
    case ERRNO.ENODEV:
    case ERRNO.ENXIO:
    case ERRNO.EIO:
      return new DeviceError(
        "disconnected",
        `${head}: the device stopped answering (${error.code})`,
        details,
      );
    default:
      return new DeviceError(
        "io",
        `${head}: ${error.action} failed: ${error.reason} (${error.code})`,
        details,
      );
  }
}
