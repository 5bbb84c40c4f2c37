/**
 * libc symbols used outside a device binding.
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
} as const satisfies Deno.ForeignLibraryInterface;
