/**
 * Struct layouts, ioctl request numbers and constants from `linux/videodev2.h`,
 * `poll.h`, `fcntl.h` and `sys/mman.h` for x86-64 and aarch64 Linux (LP64).
 *
 * Every value here is checked by `layout_test.ts` against a C probe compiled
 * with the system gcc and headers; add a value there when you add one here.
 * Offsets are in bytes from the start of the struct named in the constant.
 *
 * @module
 */

/** `struct v4l2_capability` (`VIDIOC_QUERYCAP`). */
export const CAPABILITY = {
  size: 104,
  driver: 0, // __u8 driver[16]
  card: 16, // __u8 card[32]
  busInfo: 48, // __u8 bus_info[32]
  version: 80, // __u32
  capabilities: 84, // __u32
  deviceCaps: 88, // __u32
} as const;

/** `struct v4l2_fmtdesc` (`VIDIOC_ENUM_FMT`). */
export const FMTDESC = {
  size: 64,
  index: 0, // __u32
  type: 4, // __u32 (enum v4l2_buf_type)
  flags: 8, // __u32
  description: 12, // __u8 description[32]
  pixelformat: 44, // __u32
} as const;

/** `struct v4l2_frmsizeenum` (`VIDIOC_ENUM_FRAMESIZES`). */
export const FRMSIZEENUM = {
  size: 44,
  index: 0, // __u32
  pixelFormat: 4, // __u32
  type: 8, // __u32 (enum v4l2_frmsizetypes)
  discreteWidth: 12, // __u32 discrete.width
  discreteHeight: 16, // __u32 discrete.height
  minWidth: 12, // __u32 stepwise.min_width
  maxWidth: 16, // __u32 stepwise.max_width
  stepWidth: 20, // __u32 stepwise.step_width
  minHeight: 24, // __u32 stepwise.min_height
  maxHeight: 28, // __u32 stepwise.max_height
  stepHeight: 32, // __u32 stepwise.step_height
} as const;

/** `struct v4l2_frmivalenum` (`VIDIOC_ENUM_FRAMEINTERVALS`). */
export const FRMIVALENUM = {
  size: 52,
  index: 0, // __u32
  pixelFormat: 4, // __u32
  width: 8, // __u32
  height: 12, // __u32
  type: 16, // __u32 (enum v4l2_frmivaltypes)
  discreteNumerator: 20, // __u32 discrete.numerator
  discreteDenominator: 24, // __u32 discrete.denominator
  minNumerator: 20, // __u32 stepwise.min.numerator
  minDenominator: 24, // __u32 stepwise.min.denominator
  maxNumerator: 28, // __u32 stepwise.max.numerator
  maxDenominator: 32, // __u32 stepwise.max.denominator
  stepNumerator: 36, // __u32 stepwise.step.numerator
  stepDenominator: 40, // __u32 stepwise.step.denominator
} as const;

/** `struct v4l2_format` (`VIDIOC_G_FMT`, `VIDIOC_S_FMT`, `VIDIOC_TRY_FMT`). */
export const FORMAT = {
  size: 208,
  type: 0, // __u32 (enum v4l2_buf_type)
  fmt: 8, // union (8-aligned: struct v4l2_window holds pointers)
} as const;

/** `struct v4l2_pix_format`, at {@linkcode FORMAT}`.fmt` inside `struct v4l2_format`. */
export const PIX_FORMAT = {
  size: 48,
  width: 0, // __u32
  height: 4, // __u32
  pixelformat: 8, // __u32
  field: 12, // __u32 (enum v4l2_field)
  bytesperline: 16, // __u32
  sizeimage: 20, // __u32
  colorspace: 24, // __u32 (enum v4l2_colorspace)
  priv: 28, // __u32
  flags: 32, // __u32
  ycbcrEnc: 36, // __u32 (union with hsv_enc)
  quantization: 40, // __u32 (enum v4l2_quantization)
  xferFunc: 44, // __u32 (enum v4l2_xfer_func)
} as const;

/** `struct v4l2_requestbuffers` (`VIDIOC_REQBUFS`). */
export const REQUESTBUFFERS = {
  size: 20,
  count: 0, // __u32
  type: 4, // __u32
  memory: 8, // __u32 (enum v4l2_memory)
  capabilities: 12, // __u32
} as const;

/** `struct v4l2_buffer` (`VIDIOC_QUERYBUF`, `VIDIOC_QBUF`, `VIDIOC_DQBUF`). */
export const BUFFER = {
  size: 88,
  index: 0, // __u32
  type: 4, // __u32
  bytesused: 8, // __u32
  flags: 12, // __u32
  field: 16, // __u32
  timestampSec: 24, // struct timeval timestamp: time_t tv_sec (64-bit)
  timestampUsec: 32, // suseconds_t tv_usec (64-bit)
  sequence: 56, // __u32
  memory: 60, // __u32
  offset: 64, // __u32 m.offset (the mmap cookie for V4L2_MEMORY_MMAP)
  length: 72, // __u32
} as const;

/** `struct v4l2_streamparm` (`VIDIOC_G_PARM`, `VIDIOC_S_PARM`). */
export const STREAMPARM = {
  size: 204,
  type: 0, // __u32
  parm: 4, // union { v4l2_captureparm capture; v4l2_outputparm output; __u8 raw_data[200]; }
} as const;

/**
 * `struct v4l2_captureparm` and `struct v4l2_outputparm` (same layout), at
 * {@linkcode STREAMPARM}`.parm`.
 */
export const CAPTUREPARM = {
  size: 40,
  capability: 0, // __u32
  mode: 4, // __u32 capturemode / outputmode
  timeperframeNumerator: 8, // __u32 timeperframe.numerator
  timeperframeDenominator: 12, // __u32 timeperframe.denominator
  extendedmode: 16, // __u32
  buffers: 20, // __u32 readbuffers / writebuffers
} as const;

/** `struct pollfd` from `poll.h`. */
export const POLLFD = {
  size: 8,
  fd: 0, // int
  events: 4, // short
  revents: 6, // short
} as const;

/** ioctl request numbers (`_IOR`/`_IOW`/`_IOWR('V', n, type)`). */
export const IOCTL = {
  QUERYCAP: 0x80685600,
  ENUM_FMT: 0xc0405602,
  G_FMT: 0xc0d05604,
  S_FMT: 0xc0d05605,
  REQBUFS: 0xc0145608,
  QUERYBUF: 0xc0585609,
  QBUF: 0xc058560f,
  DQBUF: 0xc0585611,
  STREAMON: 0x40045612,
  STREAMOFF: 0x40045613,
  G_PARM: 0xc0cc5615,
  S_PARM: 0xc0cc5616,
  TRY_FMT: 0xc0d05640,
  ENUM_FRAMESIZES: 0xc02c564a,
  ENUM_FRAMEINTERVALS: 0xc034564b,
} as const;

/** `enum v4l2_buf_type` (single-planar video only). */
export const BUF_TYPE = {
  VIDEO_CAPTURE: 1,
  VIDEO_OUTPUT: 2,
} as const;

/** `enum v4l2_memory`. */
export const MEMORY = {
  MMAP: 1,
} as const;

/** `enum v4l2_field`. */
export const FIELD = {
  ANY: 0,
  NONE: 1,
} as const;

/** `V4L2_CAP_*` capability bits. */
export const CAP = {
  VIDEO_CAPTURE: 0x00000001,
  VIDEO_OUTPUT: 0x00000002,
  VIDEO_CAPTURE_MPLANE: 0x00001000,
  VIDEO_OUTPUT_MPLANE: 0x00002000,
  VIDEO_M2M_MPLANE: 0x00004000,
  VIDEO_M2M: 0x00008000,
  META_CAPTURE: 0x00800000,
  READWRITE: 0x01000000,
  STREAMING: 0x04000000,
  DEVICE_CAPS: 0x80000000,
} as const;

/** `V4L2_CAP_TIMEPERFRAME` in `v4l2_captureparm.capability`. */
export const CAP_TIMEPERFRAME = 0x1000;

/**
 * `V4L2_PIX_FMT_PRIV_MAGIC`: set in `v4l2_pix_format.priv` so the kernel keeps
 * the extended fields (`ycbcr_enc`, `quantization`, `xfer_func`, `flags`);
 * without it `v4l_sanitize_format()` zeroes them.
 */
export const PIX_FMT_PRIV_MAGIC = 0xfeedcafe;

/** `V4L2_FMT_FLAG_*` in `v4l2_fmtdesc.flags`. */
export const FMT_FLAG = {
  COMPRESSED: 0x0001,
  EMULATED: 0x0002,
} as const;

/** `V4L2_BUF_FLAG_*` in `v4l2_buffer.flags`. */
export const BUF_FLAG = {
  MAPPED: 0x00000001,
  QUEUED: 0x00000002,
  DONE: 0x00000004,
  ERROR: 0x00000040,
} as const;

/** `enum v4l2_frmsizetypes` and `enum v4l2_frmivaltypes` (same values). */
export const FRM_TYPE = {
  DISCRETE: 1,
  CONTINUOUS: 2,
  STEPWISE: 3,
} as const;

/** `enum v4l2_colorspace` (the values backscrub meets). */
export const COLORSPACE = {
  DEFAULT: 0,
  SMPTE170M: 1,
  REC709: 3,
  JPEG: 7,
  SRGB: 8,
} as const;

/** `enum v4l2_ycbcr_encoding` (the values backscrub meets). */
export const YCBCR_ENC = {
  DEFAULT: 0,
  ENC_601: 1,
  ENC_709: 2,
} as const;

/** `enum v4l2_quantization`. */
export const QUANTIZATION = {
  DEFAULT: 0,
  FULL_RANGE: 1,
  LIM_RANGE: 2,
} as const;

/** `enum v4l2_xfer_func` (the values backscrub meets). */
export const XFER_FUNC = {
  DEFAULT: 0,
  XFER_709: 1,
  SRGB: 2,
} as const;

/** `V4L2_PIX_FMT_*` FourCC codes (`v4l2_fourcc(a, b, c, d)`, little-endian). */
export const PIX_FMT = {
  YUYV: 0x56595559,
  UYVY: 0x59565955,
  MJPEG: 0x47504a4d,
  JPEG: 0x4745504a,
  NV12: 0x3231564e,
  YUV420: 0x32315559,
  YVU420: 0x32315659,
  RGB24: 0x33424752,
  BGR24: 0x33524742,
  GREY: 0x59455247,
} as const;

/** `events`/`revents` bits of `struct pollfd`. */
export const POLL = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  NVAL: 0x020,
} as const;

/** `open()` flags from `fcntl.h` (identical on x86-64 and aarch64). */
export const O = {
  RDONLY: 0,
  RDWR: 2,
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
} as const;

/** `mmap()` protection and flags from `sys/mman.h`. */
export const MMAP = {
  PROT_READ: 1,
  PROT_WRITE: 2,
  MAP_SHARED: 1,
} as const;

/**
 * `v4l2_fd_open()` flag from `libv4l2.h` (`V4L2_DISABLE_CONVERSION`): raw frames,
 * no emulated formats. The header (libv4l-dev) is not installed here, so the
 * layout test cannot check it; the value has been 0x01 since libv4l 0.5.
 */
export const V4L2_DISABLE_CONVERSION = 0x01;

/** `errno` values (one table for every binding that calls into libc). */
export { ERRNO } from "../libc/layout.ts";

/**
 * Packs four ASCII characters into a FourCC code like `v4l2_fourcc()`.
 *
 * @example
 * ```ts
 * import { fourcc } from "./layout.ts";
 * fourcc("YUYV"); // 0x56595559
 * ```
 *
 * @param text Exactly four characters in the range U+0020–U+007E.
 * @returns The 32-bit code.
 * @throws {RangeError} When `text` is not four printable ASCII characters.
 */
export function fourcc(text: string): number {
  if (!/^[\x20-\x7e]{4}$/.test(text)) {
    throw new RangeError(`Cannot make a FourCC from "${text}": use four ASCII characters`);
  }
  return (text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) |
    (text.charCodeAt(3) << 24)) >>> 0;
}

/**
 * Turns a FourCC code back into its four characters (the big-endian flag bit
 * 31, `V4L2_PIX_FMT_FLAG_BE_*`, is shown as a trailing `-BE`).
 *
 * @example
 * ```ts
 * import { fourccText } from "./layout.ts";
 * fourccText(0x47504a4d); // "MJPG"
 * ```
 *
 * @param code The 32-bit code.
 * @returns The four characters.
 */
export function fourccText(code: number): string {
  const be = (code & 0x80000000) !== 0;
  const c = code & 0x7fffffff;
  const text = String.fromCharCode(c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24);
  return be ? `${text}-BE` : text;
}
