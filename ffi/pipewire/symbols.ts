/**
 * Raw symbols of libpipewire 0.3 (`libpipewire-0.3.so.0`, PipeWire 0.3.x and 1.x): the context,
 * the connection to the daemon (`pw_core`), properties and the stream that publishes the camera.
 *
 * The loop's own calls (`pw_loop_enter`, `pw_loop_iterate`, `pw_loop_leave`, `pw_loop_get_fd`)
 * are C macros in 0.3.x (exported functions only from 1.4): they call through the method table of
 * the loop's `spa_loop_control` interface, which `mod.ts` reads with the offsets in `layout.ts`
 * and calls with {@linkcode LOOP_CONTROL_FNS}.
 *
 * No variadic function is bound: properties are made with `pw_properties_new_string("")` and
 * filled with `pw_properties_set`, never with the variadic `pw_properties_new(key, value, ...)`.
 *
 * @module
 */

/** The libpipewire symbol table for `Deno.dlopen`. */
export const symbols = {
  pw_init: {
    parameters: [
      "pointer", // int *argc (NULL)
      "pointer", // char **argv[] (NULL)
    ],
    result: "void",
  },
  pw_get_library_version: {
    parameters: [],
    result: "pointer", // const char * (e.g. "0.3.65")
  },
  pw_log_set_level: {
    parameters: [
      "i32", // enum spa_log_level level
    ],
    result: "void",
  },
  pw_loop_new: {
    parameters: [
      "pointer", // const struct spa_dict *props (NULL)
    ],
    result: "pointer", // struct pw_loop * (NULL with errno)
  },
  pw_loop_destroy: {
    parameters: [
      "pointer", // struct pw_loop *loop
    ],
    result: "void",
  },
  pw_context_new: {
    parameters: [
      "pointer", // struct pw_loop *main_loop
      "pointer", // struct pw_properties *props (ownership taken; NULL)
      "usize", // size_t user_data_size
    ],
    result: "pointer", // struct pw_context * (NULL with errno)
  },
  pw_context_destroy: {
    parameters: [
      "pointer", // struct pw_context *context
    ],
    result: "void",
  },
  pw_context_connect: {
    parameters: [
      "pointer", // struct pw_context *context
      "pointer", // struct pw_properties *properties (ownership taken; NULL)
      "usize", // size_t user_data_size
    ],
    result: "pointer", // struct pw_core * (NULL with errno)
  },
  pw_core_disconnect: {
    parameters: [
      "pointer", // struct pw_core *core
    ],
    result: "i32", // int
  },
  pw_properties_new_string: {
    parameters: [
      "buffer", // const char *args ("key=value ..." or "")
    ],
    result: "pointer", // struct pw_properties * (NULL with errno)
  },
  pw_properties_set: {
    parameters: [
      "pointer", // struct pw_properties *properties
      "buffer", // const char *key (copied)
      "buffer", // const char *value (copied; NULL removes the key)
    ],
    result: "i32", // int (1 when changed)
  },
  pw_properties_free: {
    parameters: [
      "pointer", // struct pw_properties *properties
    ],
    result: "void",
  },
  pw_stream_new: {
    parameters: [
      "pointer", // struct pw_core *core
      "buffer", // const char *name (copied)
      "pointer", // struct pw_properties *props (ownership taken, also on failure)
    ],
    result: "pointer", // struct pw_stream * (NULL with errno)
  },
  pw_stream_destroy: {
    parameters: [
      "pointer", // struct pw_stream *stream
    ],
    result: "void",
  },
  pw_stream_add_listener: {
    parameters: [
      "pointer", // struct pw_stream *stream
      "pointer", // struct spa_hook *listener (kept until the stream is destroyed)
      "pointer", // const struct pw_stream_events *events (kept likewise)
      "pointer", // void *data
    ],
    result: "void",
  },
  pw_stream_connect: {
    parameters: [
      "pointer", // struct pw_stream *stream
      "u32", // enum pw_direction direction
      "u32", // uint32_t target_id
      "u32", // enum pw_stream_flags flags
      "pointer", // const struct spa_pod **params (copied)
      "u32", // uint32_t n_params
    ],
    result: "i32", // int (0 or a negative errno)
  },
  pw_stream_get_state: {
    parameters: [
      "pointer", // struct pw_stream *stream
      "buffer", // const char **error (out; may stay NULL)
    ],
    result: "i32", // enum pw_stream_state
  },
  pw_stream_get_node_id: {
    parameters: [
      "pointer", // struct pw_stream *stream
    ],
    result: "u32", // uint32_t (PW_ID_ANY until connected)
  },
  pw_stream_update_params: {
    parameters: [
      "pointer", // struct pw_stream *stream
      "pointer", // const struct spa_pod **params (copied)
      "u32", // uint32_t n_params
    ],
    result: "i32", // int (0 or a negative errno)
  },
  pw_stream_dequeue_buffer: {
    parameters: [
      "pointer", // struct pw_stream *stream
    ],
    result: "pointer", // struct pw_buffer * (NULL when none is free)
  },
  pw_stream_queue_buffer: {
    parameters: [
      "pointer", // struct pw_stream *stream
      "pointer", // struct pw_buffer *buffer
    ],
    result: "i32", // int (0 or a negative errno)
  },
  pw_stream_trigger_process: {
    parameters: [
      "pointer", // struct pw_stream *stream
    ],
    result: "i32", // int (0 or a negative errno)
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded libpipewire symbols. */
export type PipewireSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];

/**
 * The `spa_loop_control` methods called through the loop's method table (see the module comment),
 * as `Deno.UnsafeFnPointer` definitions. Each takes the interface's `cb.data` as `object`.
 */
export const LOOP_CONTROL_FNS = {
  getFd: {
    parameters: [
      "pointer", // void *object
    ],
    result: "i32", // int (the loop's epoll descriptor)
  },
  enter: {
    parameters: [
      "pointer", // void *object
    ],
    result: "void",
  },
  leave: {
    parameters: [
      "pointer", // void *object
    ],
    result: "void",
  },
  iterate: {
    parameters: [
      "pointer", // void *object
      "i32", // int timeout (milliseconds; 0: do not wait)
    ],
    result: "i32", // int (sources dispatched, or a negative errno)
  },
} as const satisfies Record<string, Deno.ForeignFunction>;

/** The `pw_stream_events` callbacks backscrub listens to, as `Deno.UnsafeCallback` definitions. */
export const STREAM_CALLBACKS = {
  paramChanged: {
    parameters: [
      "pointer", // void *data
      "u32", // uint32_t id
      "pointer", // const struct spa_pod *param (NULL: cleared)
    ],
    result: "void",
  },
} as const satisfies Record<string, Deno.UnsafeCallbackDefinition>;
