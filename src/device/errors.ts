/**
 * {@linkcode DeviceError}: a camera or virtual-camera problem the user can fix,
 * with the fix in its one-line message.
 *
 * @module
 */

import { ERRNO, V4l2Error } from "../../ffi/v4l2/mod.ts";
import { describeHolders, findHolders } from "./holders.ts";

/** What went wrong, for callers that branch on it (the message is for people). */
export type DeviceErrorKind =
  | "not-found"
  | "permission"
  | "not-v4l2"
  | "not-capture"
  | "not-output"
  | "busy"
  | "no-loopback"
  | "format"
  | "timeout"
  | "disconnected"
  | "io";

/** The one `modprobe` line printed (never run) when no v4l2loopback device exists. */
export const MODPROBE_COMMAND =
  "sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=VirtualCam video_nr=10";
/** The line for `/etc/modprobe.d/v4l2loopback.conf` that loads the same device at boot. */
export const MODPROBE_CONF_LINE =
  "options v4l2loopback devices=1 exclusive_caps=1 card_label=VirtualCam video_nr=10";
/** Where {@linkcode MODPROBE_CONF_LINE} goes. */
export const MODPROBE_CONF_PATH = "/etc/modprobe.d/v4l2loopback.conf";

/** The fix for "permission denied" on a video device. */
export const VIDEO_GROUP_FIX =
  "add yourself to the video group: sudo usermod -aG video $USER, then log out and in again";

/** The fix when no v4l2loopback device exists. */
export const LOOPBACK_FIX: string = `load it: ${MODPROBE_COMMAND}; to load it at every boot put ` +
  `"${MODPROBE_CONF_LINE}" in ${MODPROBE_CONF_PATH} and "v4l2loopback" in ` +
  "/etc/modules-load.d/v4l2loopback.conf";

/**
 * A camera or virtual-camera problem the user can fix: the message is one line,
 * the action first and the fix in parentheses, e.g.
 * `Cannot open video device "/dev/video9": no such file (is v4l2loopback loaded? ...)`.
 *
 * @example
 * ```ts
 * import { DeviceError } from "./errors.ts";
 * try {
 *   throw new DeviceError("busy", 'Cannot start "/dev/video0": device busy (close cheese)');
 * } catch (e) {
 *   if (e instanceof DeviceError && e.kind === "busy") console.error(e.message);
 * }
 * ```
 */
export class DeviceError extends Error {
  /** What went wrong. */
  readonly kind: DeviceErrorKind;
  /** The device path, when one is involved. */
  readonly path: string | undefined;

  /**
   * Creates the error.
   *
   * @param kind What went wrong.
   * @param message The one-line message with the fix.
   * @param options The device path and an optional cause.
   */
  constructor(
    kind: DeviceErrorKind,
    message: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DeviceError";
    this.kind = kind;
    this.path = options.path;
  }
}

/** What the device was opened for: shapes the fix in the message. */
export type DevicePurpose = "capture" | "output" | "list";

/**
 * Turns a failed `open()` into a {@linkcode DeviceError} with the fix.
 *
 * @param error The error from `VideoDevice.open`.
 * @param path The device path.
 * @param purpose What the device was for.
 * @returns The error to throw (other errors are returned unchanged).
 */
export function openError(error: unknown, path: string, purpose: DevicePurpose): unknown {
  if (!(error instanceof V4l2Error)) return error;
  const what = purpose === "output" ? "virtual camera device" : "video device";
  const head = `Cannot open ${what} "${path}"`;
  const listFix = "list devices with: backscrub devices";
  switch (error.errno) {
    case ERRNO.ENOENT:
      return new DeviceError(
        "not-found",
        purpose === "output"
          ? `${head}: no such file (is v4l2loopback loaded? ${LOOPBACK_FIX})`
          : `${head}: no such file (is the camera plugged in? ${listFix})`,
        { path, cause: error },
      );
    case ERRNO.ENODEV:
    case ERRNO.ENXIO:
      return new DeviceError(
        "not-found",
        `${head}: the device node exists but no driver is behind it (it was unplugged or its module unloaded; ${listFix})`,
        { path, cause: error },
      );
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return new DeviceError("permission", `${head}: permission denied (${VIDEO_GROUP_FIX})`, {
        path,
        cause: error,
      });
    case ERRNO.ENOTTY:
    case ERRNO.EINVAL:
      return new DeviceError("not-v4l2", `${head}: it is not a V4L2 video device (${listFix})`, {
        path,
        cause: error,
      });
    case ERRNO.EBUSY:
      return busyError(`${head}: device busy`, path, error);
    case ERRNO.EISDIR:
    case ERRNO.ENOTDIR:
      return new DeviceError("not-v4l2", `${head}: it is not a device node (${listFix})`, {
        path,
        cause: error,
      });
    default:
      return new DeviceError("io", `${error.message} (${listFix})`, { path, cause: error });
  }
}

/**
 * Builds the "device busy" error, naming the processes that hold the device
 * (found through `/proc/PID/fd`).
 *
 * @param head The start of the message, e.g. `Cannot start "/dev/video0": device busy`.
 * @param path The device path.
 * @param cause The original error.
 * @param selfFix The fix when this process itself holds the device.
 * @returns The error.
 */
export function busyError(
  head: string,
  path: string,
  cause?: unknown,
  selfFix = "this process already streams from it: close that handle first",
): DeviceError {
  const holders = findHolders(path);
  const who = describeHolders(holders);
  const fix = holders.others.length > 0
    ? "close it, or pick another device: backscrub devices lists them"
    : holders.self
    ? selfFix
    : `close the program using it, or pick another device; fuser -v ${path} names it ` +
      "when run as that user or root";
  return new DeviceError("busy", `${head}, ${who} (${fix})`, {
    path,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Turns a failed ioctl on an open device into a {@linkcode DeviceError} where
 * the user can act on it (busy, unplugged); other errors are wrapped as `"io"`.
 *
 * @param error The error.
 * @param path The device path.
 * @param action What was attempted, e.g. `start capture on`.
 * @returns The error to throw.
 */
export function ioctlError(error: unknown, path: string, action: string): unknown {
  if (!(error instanceof V4l2Error)) return error;
  const head = `Cannot ${action} "${path}"`;
  switch (error.errno) {
    case ERRNO.EBUSY:
      return busyError(`${head}: device busy`, path, error);
    case ERRNO.ENODEV:
    case ERRNO.ENXIO:
    case ERRNO.EIO:
      return new DeviceError(
        "disconnected",
        `${head}: the device stopped answering (${error.code}; was it unplugged? reconnect it and start again)`,
        { path, cause: error },
      );
    default:
      return new DeviceError(
        "io",
        `${head}: ${
          error.message.replace(/^Cannot /, "")
        } (report this with the output of v4l2-ctl -d ${path} --all)`,
        { path, cause: error },
      );
  }
}
