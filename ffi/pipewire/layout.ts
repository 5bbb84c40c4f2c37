/**
 * Struct layouts and constants of libpipewire 0.3 and SPA (`pipewire/loop.h`, `pipewire/stream.h`,
 * `spa/support/loop.h`, `spa/utils/hook.h`, `spa/buffer/*.h`, `spa/pod/pod.h`, `spa/param/**`) for
 * x86-64 and aarch64 Linux (LP64). The SPA numbers are part of PipeWire's wire protocol and ABI:
 * they do not change between 0.3.x and 1.x.
 *
 * Every value here is checked by `layout_test.ts` against a C probe compiled with the system gcc
 * and the `libpipewire-0.3-dev`/`libspa-0.2-dev` headers; add a value there when you add one here.
 * Offsets are in bytes from the start of the struct named in the constant.
 *
 * @module
 */

/** `struct pw_loop` (`pipewire/loop.h`): four interface pointers. */
export const PW_LOOP = {
  system: 0, // struct spa_system *
  loop: 8, // struct spa_loop *
  control: 16, // struct spa_loop_control *
  utils: 24, // struct spa_loop_utils *
} as const;

/** `struct spa_interface` (`spa/utils/hook.h`), the head of every SPA interface. */
export const SPA_INTERFACE = {
  size: 32,
  type: 0, // const char *
  version: 8, // uint32_t
  funcs: 16, // const void *cb.funcs (the method table)
  data: 24, // void *cb.data (the object passed to every method)
} as const;

/** `struct spa_loop_control_methods` (`spa/support/loop.h`), version 0 members. */
export const LOOP_CONTROL_METHODS = {
  version: 0, // uint32_t
  getFd: 8, // int (*get_fd)(void *object)
  addHook: 16, // void (*add_hook)(void *object, struct spa_hook *, const struct spa_loop_control_hooks *, void *)
  enter: 24, // void (*enter)(void *object)
  leave: 32, // void (*leave)(void *object)
  iterate: 40, // int (*iterate)(void *object, int timeout)
} as const;

/** `struct spa_hook` (`spa/utils/hook.h`): a listener, zeroed before use, owned by the caller. */
export const SPA_HOOK = { size: 48 } as const;

/** `struct pw_stream_events` (`pipewire/stream.h`), version {@linkcode PW_VERSION_STREAM_EVENTS}. */
export const STREAM_EVENTS = {
  size: 96,
  version: 0, // uint32_t
  destroy: 8, // void (*destroy)(void *data)
  stateChanged: 16, // void (*state_changed)(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error)
  paramChanged: 40, // void (*param_changed)(void *data, uint32_t id, const struct spa_pod *param)
  process: 64, // void (*process)(void *data)
} as const;

/** `PW_VERSION_STREAM_EVENTS`. */
export const PW_VERSION_STREAM_EVENTS = 2;

/** `struct pw_buffer` (`pipewire/stream.h`). */
export const PW_BUFFER = {
  buffer: 0, // struct spa_buffer *
} as const;

/** `struct spa_buffer` (`spa/buffer/buffer.h`). */
export const SPA_BUFFER = {
  nMetas: 0, // uint32_t
  nDatas: 4, // uint32_t
  metas: 8, // struct spa_meta *
  datas: 16, // struct spa_data *
} as const;

/** `struct spa_meta` (`spa/buffer/meta.h`). */
export const SPA_META = {
  size: 16,
  type: 0, // uint32_t
  bytes: 4, // uint32_t size
  data: 8, // void *
} as const;

/** `struct spa_meta_header` (`spa/buffer/meta.h`). */
export const SPA_META_HEADER = {
  size: 32,
  flags: 0, // uint32_t
  offset: 4, // uint32_t
  pts: 8, // int64_t
  dtsOffset: 16, // int64_t
  seq: 24, // uint64_t
} as const;

/** `struct spa_data` (`spa/buffer/buffer.h`). */
export const SPA_DATA = {
  size: 40,
  type: 0, // uint32_t
  flags: 4, // uint32_t
  fd: 8, // int64_t
  mapoffset: 16, // uint32_t
  maxsize: 20, // uint32_t
  data: 24, // void *
  chunk: 32, // struct spa_chunk *
} as const;

/** `struct spa_chunk` (`spa/buffer/buffer.h`). */
export const SPA_CHUNK = {
  size: 16,
  offset: 0, // uint32_t
  bytes: 4, // uint32_t size
  stride: 8, // int32_t
  flags: 12, // int32_t
} as const;

/** `enum pw_stream_state`. */
export const STREAM_STATE = {
  ERROR: -1,
  UNCONNECTED: 0,
  CONNECTING: 1,
  PAUSED: 2,
  STREAMING: 3,
} as const;

/** `enum pw_stream_flags`. */
export const STREAM_FLAG = {
  AUTOCONNECT: 1 << 0,
  INACTIVE: 1 << 1,
  MAP_BUFFERS: 1 << 2,
  DRIVER: 1 << 3,
  RT_PROCESS: 1 << 4,
  DONT_RECONNECT: 1 << 7,
} as const;

/** `enum pw_direction` (= `enum spa_direction`). */
export const DIRECTION = { INPUT: 0, OUTPUT: 1 } as const;

/** `PW_ID_ANY` (= `SPA_ID_INVALID`). */
export const PW_ID_ANY = 0xffffffff;

/** `enum spa_log_level`. */
export const LOG_LEVEL = { NONE: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 } as const;

/** Pod value types (`enum spa_type`, `spa/utils/type.h`). */
export const SPA_TYPE = {
  None: 1,
  Bool: 2,
  Id: 3,
  Int: 4,
  Long: 5,
  Float: 6,
  Double: 7,
  String: 8,
  Bytes: 9,
  Rectangle: 10,
  Fraction: 11,
  Bitmap: 12,
  Array: 13,
  Struct: 14,
  Object: 15,
  Sequence: 16,
  Pointer: 17,
  Fd: 18,
  Choice: 19,
  Pod: 20,
} as const;

/** Object types (`SPA_TYPE_OBJECT_*`). */
export const SPA_TYPE_OBJECT = {
  Format: 0x40003,
  ParamBuffers: 0x40004,
  ParamMeta: 0x40005,
} as const;

/** `enum spa_choice_type` (`spa/pod/pod.h`). */
export const SPA_CHOICE = { None: 0, Range: 1, Step: 2, Enum: 3, Flags: 4 } as const;

/** `enum spa_param_type` (`spa/param/param.h`). */
export const SPA_PARAM = { EnumFormat: 3, Format: 4, Buffers: 5, Meta: 6 } as const;

/** Format object keys (`enum spa_format`, `spa/param/format.h`). */
export const SPA_FORMAT = {
  mediaType: 1,
  mediaSubtype: 2,
  VIDEO_format: 0x20001,
  VIDEO_size: 0x20003,
  VIDEO_framerate: 0x20004,
  VIDEO_colorRange: 0x2000c,
  VIDEO_colorMatrix: 0x2000d,
} as const;

/** `SPA_MEDIA_TYPE_video` and `SPA_MEDIA_SUBTYPE_raw`. */
export const SPA_MEDIA = { TYPE_video: 2, SUBTYPE_raw: 1 } as const;

/** `enum spa_video_format` (`spa/param/video/raw.h`): the three backscrub offers. */
export const SPA_VIDEO_FORMAT = { I420: 2, YUY2: 4, NV12: 23 } as const;

/** `enum spa_video_color_range` and `enum spa_video_color_matrix`. */
export const SPA_VIDEO_COLOR = { RANGE_16_235: 2, MATRIX_BT601: 4 } as const;

/** Buffers object keys (`enum spa_param_buffers`, `spa/param/buffers.h`). */
export const SPA_PARAM_BUFFERS = {
  buffers: 1,
  blocks: 2,
  size: 3,
  stride: 4,
  align: 5,
  dataType: 6,
} as const;

/** Meta object keys (`enum spa_param_meta`). */
export const SPA_PARAM_META = { type: 1, size: 2 } as const;

/** `enum spa_meta_type`: the header (flags, pts, seq). */
export const SPA_META_TYPE = { Header: 1 } as const;

/** `enum spa_data_type`: memory kinds of a buffer's data. */
export const SPA_DATA_TYPE = { MemPtr: 1, MemFd: 2, DmaBuf: 3 } as const;
