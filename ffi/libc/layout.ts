/**
 * Constants and struct layouts of the libc calls in `symbols.ts`, from `sys/inotify.h`,
 * `sys/eventfd.h`, `poll.h` and `errno.h` (the same on x86-64 and aarch64 Linux). `layout_test.ts`
 * checks every value against a C probe compiled with the system gcc.
 *
 * @module
 */

/** `inotify_init1()` flags (`IN_NONBLOCK` = `O_NONBLOCK`, `IN_CLOEXEC` = `O_CLOEXEC`). */
export const IN_INIT = {
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
} as const;

/** inotify event bits (`sys/inotify.h`), for `inotify_add_watch()` masks and `inotify_event.mask`. */
export const IN = {
  /** File was accessed (read). */
  ACCESS: 0x00000001,
  /** File was modified (written). */
  MODIFY: 0x00000002,
  /** Metadata changed (also sent when the last link of a watched file goes). */
  ATTRIB: 0x00000004,
  /** A handle opened for writing was closed. */
  CLOSE_WRITE: 0x00000008,
  /** A handle not opened for writing was closed. */
  CLOSE_NOWRITE: 0x00000010,
  /** File was opened. */
  OPEN: 0x00000020,
  /** The watched file itself was deleted. */
  DELETE_SELF: 0x00000400,
  /** The event queue overflowed (`wd` is -1): events were lost. */
  Q_OVERFLOW: 0x00004000,
  /** The watch was removed (explicitly, or because the file is gone). */
  IGNORED: 0x00008000,
} as const;

/** `eventfd()` flags (`EFD_NONBLOCK` = `O_NONBLOCK`, `EFD_CLOEXEC` = `O_CLOEXEC`). */
export const EFD = {
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
} as const;

/** `events`/`revents` bits of `struct pollfd`. */
export const POLL = {
  IN: 0x001,
  ERR: 0x008,
  HUP: 0x010,
  NVAL: 0x020,
} as const;

/** `struct pollfd` (`poll.h`): size and member offsets in bytes. */
export const POLLFD = {
  size: 8,
  fd: 0,
  events: 4,
  revents: 6,
} as const;

/** `struct inotify_event` (`sys/inotify.h`): the fixed part; `len` bytes of name follow it. */
export const INOTIFY_EVENT = {
  size: 16,
  wd: 0,
  mask: 4,
  cookie: 8,
  len: 12,
} as const;

/** `NAME_MAX` (`limits.h`): a read buffer of `size + NAME_MAX + 1` bytes holds any one event. */
export const NAME_MAX = 255;

/**
 * `errno` values the bindings name (asm-generic, the same on x86-64 and aarch64): libc's and
 * libv4l2's (`ffi/v4l2` re-exports this table).
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ENOSPC: 28,
  EPIPE: 32,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ELOOP: 40,
  ETIMEDOUT: 110,
} as const;
