/**
 * `errno` in words, for the error classes of every binding that calls into libc (`LibcError`,
 * `V4l2Error`): the symbolic name and a short reason.
 *
 * @module
 */

import { ERRNO } from "./layout.ts";

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ERRNO).map(([name, value]) => [value, name]),
);

const TEXT: Record<number, string> = {
  [ERRNO.EPERM]: "operation not permitted",
  [ERRNO.ENOENT]: "no such file",
  [ERRNO.EINTR]: "interrupted",
  [ERRNO.EIO]: "input/output error",
  [ERRNO.ENXIO]: "no such device or address",
  [ERRNO.EBADF]: "bad file descriptor",
  [ERRNO.EAGAIN]: "try again",
  [ERRNO.ENOMEM]: "out of memory",
  [ERRNO.EACCES]: "permission denied",
  [ERRNO.EFAULT]: "bad address",
  [ERRNO.EBUSY]: "device busy",
  [ERRNO.ENODEV]: "no such device",
  [ERRNO.ENOTDIR]: "not a directory",
  [ERRNO.EISDIR]: "is a directory",
  [ERRNO.EINVAL]: "invalid argument",
  [ERRNO.ENFILE]: "the system is out of file handles",
  [ERRNO.EMFILE]: "too many open files",
  [ERRNO.ENOTTY]: "not a V4L2 device (inappropriate ioctl)",
  [ERRNO.ENOSPC]: "no space left on device",
  [ERRNO.EPIPE]: "broken pipe",
  [ERRNO.ERANGE]: "result out of range",
  [ERRNO.ENAMETOOLONG]: "the name is too long",
  [ERRNO.ENOSYS]: "function not implemented",
  [ERRNO.ELOOP]: "too many symbolic links",
  [ERRNO.ETIMEDOUT]: "timed out",
};

/**
 * The symbolic name of an `errno` value.
 *
 * @example
 * ```ts
 * import { errnoName } from "./errno.ts";
 * errnoName(16); // "EBUSY"
 * ```
 *
 * @param errno the value
 * @returns e.g. `"EBUSY"`, or undefined for a value not in `ERRNO`
 */
export function errnoName(errno: number): string | undefined {
  return NAMES[errno];
}

/**
 * A short reason for an `errno` value.
 *
 * @param errno the value
 * @returns e.g. `"device busy"`, or undefined for a value without one
 */
export function errnoText(errno: number): string | undefined {
  return TEXT[errno];
}
