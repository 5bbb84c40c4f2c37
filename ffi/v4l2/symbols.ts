/**
 * Raw symbols of libv4l2 (`libv4l2.so.0`). The libc functions the V4L2 binding
 * needs besides (`open`, `poll`, `fopen`, `__errno_location`) come from the
 * program's one libc binding, `ffi/libc`.
 *
 * Variadic function: `v4l2_ioctl(int fd, unsigned long request, ...)` is
 * declared with a fixed third parameter `void *arg` (libc's `open` likewise
 * takes a fixed third `mode_t mode`, see `ffi/libc/symbols.ts`).
 * On x86-64 (System V) and aarch64 Linux (AAPCS64 as used by glibc) variadic
 * integer and pointer arguments are passed exactly like fixed ones: in the next
 * general-purpose register (rdx / x2). The callee's `va_arg(ap, void *)` reads
 * that register. (x86-64 also expects `al` to bound the number of vector
 * registers used; it only matters for floating-point varargs, which these calls
 * never take.) `v4l2_open` is not used: it cannot pass `V4L2_DISABLE_CONVERSION`,
 * so devices are opened with libc `open` and handed to `v4l2_fd_open`.
 *
 * @module
 */

/** The libv4l2 symbol table for `Deno.dlopen`. */
export const symbols = {
  v4l2_fd_open: {
    parameters: [
      "i32", // int fd
      "i32", // int v4l2_flags
    ],
    result: "i32", // int (the fd, or -1 with errno)
  },
  v4l2_close: {
    parameters: [
      "i32", // int fd
    ],
    result: "i32", // int
  },
  v4l2_ioctl: {
    parameters: [
      "i32", // int fd
      "u64", // unsigned long int request
      "buffer", // void *arg (the first variadic argument; see the module comment)
    ],
    result: "i32", // int
  },
  v4l2_read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buffer
      "usize", // size_t n
    ],
    result: "isize", // ssize_t
  },
  v4l2_write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buffer
      "usize", // size_t n
    ],
    result: "isize", // ssize_t
  },
  v4l2_mmap: {
    parameters: [
      "pointer", // void *start
      "usize", // size_t length
      "i32", // int prot
      "i32", // int flags
      "i32", // int fd
      "i64", // int64_t offset
    ],
    result: "pointer", // void * (MAP_FAILED = (void *)-1 on error)
  },
  v4l2_munmap: {
    parameters: [
      "pointer", // void *start
      "usize", // size_t length
    ],
    result: "i32", // int
  },
  v4l2_log_file: {
    type: "pointer", // FILE *v4l2_log_file (the address of the variable; NULL = stderr)
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded libv4l2 symbols. */
export type V4l2Symbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
