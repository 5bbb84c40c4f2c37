/**
 * The libc symbols of the whole program, bound once (`libc.so.6`): `sched_yield` (see
 * `yieldToEventLoop`), the calls of the inotify watch (`inotify_init1`, `inotify_add_watch`,
 * `inotify_rm_watch`, `eventfd`, `read`, `write`, `poll`, `close`), `__errno_location`, what
 * the V4L2 binding needs besides libv4l2 (`open`, `fopen`, `poll`), and `calloc`/`free` for memory
 * a native library keeps (PipeWire's listeners: JavaScript memory may move or be collected).
 *
 * One is variadic: `open(const char *path, int flags, ...)` is declared with a fixed third
 * `mode_t mode`. On x86-64 (System V) and aarch64 Linux (AAPCS64 as used by glibc) variadic
 * integer and pointer arguments are passed exactly like fixed ones, in the next general-purpose
 * register; the callee's `va_arg` reads that register. (x86-64 also expects `al` to bound the
 * number of vector registers used; it only matters for floating-point varargs.)
 *
 * @module
 */

/** The symbols `Deno.dlopen` binds from `libc.so.6`. */
export const symbols = {
  /**
   * Declared nonblocking: calling it hops to Deno's blocking-call thread and back, which makes the
   * event loop poll finished async ops (such as a nonblocking ONNX Runtime Run) on the way.
   */
  sched_yield: {
    parameters: [],
    result: "i32", // int sched_yield(void)
    nonblocking: true,
  },
  inotify_init1: {
    parameters: [
      "i32", // int flags (IN_NONBLOCK | IN_CLOEXEC)
    ],
    result: "i32", // int (the fd, or -1 with errno)
  },
  inotify_add_watch: {
    parameters: [
      "i32", // int fd
      "buffer", // const char *pathname
      "u32", // uint32_t mask
    ],
    result: "i32", // int (the watch descriptor, or -1 with errno)
  },
  inotify_rm_watch: {
    parameters: [
      "i32", // int fd
      "i32", // int wd
    ],
    result: "i32", // int
  },
  eventfd: {
    parameters: [
      "u32", // unsigned int initval
      "i32", // int flags (EFD_NONBLOCK | EFD_CLOEXEC)
    ],
    result: "i32", // int (the fd, or -1 with errno)
  },
  read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buf
      "usize", // size_t count
    ],
    result: "isize", // ssize_t
  },
  write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buf
      "usize", // size_t count
    ],
    result: "isize", // ssize_t
  },
  poll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "u64", // nfds_t nfds (unsigned long)
      "i32", // int timeout (milliseconds, -1 = forever)
    ],
    result: "i32", // int
  },
  poll_nonblocking: {
    name: "poll",
    parameters: [
      "buffer", // struct pollfd *fds
      "u64", // nfds_t nfds (unsigned long)
      "i32", // int timeout (milliseconds, -1 = forever)
    ],
    result: "i32", // int
    // Runs on a Deno worker thread and resolves a promise: the event loop stays free (and the
    // process uses no CPU) while it waits. errno from that thread cannot be read here.
    nonblocking: true,
  },
  close: {
    parameters: [
      "i32", // int fd
    ],
    result: "i32", // int
  },
  open: {
    parameters: [
      "buffer", // const char *pathname
      "i32", // int flags
      "u32", // mode_t mode (the first variadic argument; see the module comment)
    ],
    result: "i32", // int (the fd, or -1 with errno)
  },
  fopen: {
    parameters: [
      "buffer", // const char *pathname
      "buffer", // const char *mode
    ],
    result: "pointer", // FILE * (NULL with errno)
  },
  __errno_location: {
    parameters: [],
    result: "pointer", // int * (the calling thread's errno)
  },
  calloc: {
    parameters: [
      "usize", // size_t nmemb
      "usize", // size_t size
    ],
    result: "pointer", // void * (zeroed; NULL when out of memory)
  },
  free: {
    parameters: [
      "pointer", // void *ptr
    ],
    result: "void",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded libc symbols. */
export type LibcSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
