/**
 * A safe V4L2 device handle over libv4l2 (opened with `V4L2_DISABLE_CONVERSION`:
 * raw frames, no emulated formats). Callers get plain objects and typed arrays;
 * pointers stay in this folder.
 *
 * ```ts
 * import { BUF_TYPE, fourccText, VideoDevice } from "./mod.ts";
 *
 * using device = VideoDevice.open("/dev/video0");
 * const cap = device.queryCap();
 * console.log(cap.driver, cap.card);
 * for (const f of device.enumFormats(BUF_TYPE.VIDEO_CAPTURE)) {
 *   console.log(fourccText(f.pixelformat), f.description);
 * }
 * ```
 *
 * @module
 */

import {
  type AgainPolicy,
  loadV4l2,
  readErrno,
  v4l2Check,
  V4l2Error,
  type V4l2Libraries,
} from "./_library.ts";
import {
  type BUF_TYPE,
  BUFFER,
  CAPABILITY,
  CAPTUREPARM,
  ERRNO,
  FMTDESC,
  FORMAT,
  FRM_TYPE,
  FRMIVALENUM,
  FRMSIZEENUM,
  IOCTL,
  MEMORY,
  MMAP,
  O,
  PIX_FMT_PRIV_MAGIC,
  PIX_FORMAT,
  POLL,
  POLLFD,
  REQUESTBUFFERS,
  STREAMPARM,
  V4L2_DISABLE_CONVERSION,
} from "./layout.ts";

export { V4l2Error };
export {
  BUF_FLAG,
  BUF_TYPE,
  CAP,
  CAP_TIMEPERFRAME,
  COLORSPACE,
  ERRNO,
  FIELD,
  FMT_FLAG,
  fourcc,
  fourccText,
  PIX_FMT,
  POLL,
  QUANTIZATION,
  XFER_FUNC,
  YCBCR_ENC,
} from "./layout.ts";

/** `V4L2_BUF_TYPE_VIDEO_CAPTURE` or `V4L2_BUF_TYPE_VIDEO_OUTPUT`. */
export type BufType = typeof BUF_TYPE[keyof typeof BUF_TYPE];

/** The answer to `VIDIOC_QUERYCAP`. */
export interface Capability {
  /** Driver name, e.g. `"vivid"`, `"uvcvideo"`, `"v4l2 loopback"`. */
  driver: string;
  /** Card name, e.g. `"Integrated Camera"` or a loopback `card_label`. */
  card: string;
  /** Bus, e.g. `"usb-0000:00:14.0-6"` or `"platform:v4l2loopback-000"`. */
  busInfo: string;
  /** Kernel version the driver reports, as `KERNEL_VERSION` packs it. */
  version: number;
  /** Capabilities of the whole physical device (`V4L2_CAP_*`). */
  capabilities: number;
  /** Capabilities of this device node (the ones to use). */
  deviceCaps: number;
}

/** One entry of `VIDIOC_ENUM_FMT`. */
export interface FormatDescription {
  /** The FourCC code (`V4L2_PIX_FMT_*`). */
  pixelformat: number;
  /** The driver's description, e.g. `"YUYV 4:2:2"`. */
  description: string;
  /** `V4L2_FMT_FLAG_*`. */
  flags: number;
}

/** The frame sizes of one format (`VIDIOC_ENUM_FRAMESIZES`). */
export type FrameSizes =
  | { kind: "discrete"; sizes: { width: number; height: number }[] }
  | {
    kind: "stepwise" | "continuous";
    minWidth: number;
    maxWidth: number;
    stepWidth: number;
    minHeight: number;
    maxHeight: number;
    stepHeight: number;
  };

/** A fraction of a second (`struct v4l2_fract`), e.g. `1/30`. */
export interface Fraction {
  /** Numerator. */
  numerator: number;
  /** Denominator. */
  denominator: number;
}

/** The frame intervals of one format and size (`VIDIOC_ENUM_FRAMEINTERVALS`). */
export type FrameIntervals =
  | { kind: "discrete"; intervals: Fraction[] }
  | { kind: "stepwise" | "continuous"; min: Fraction; max: Fraction; step: Fraction };

/** `struct v4l2_pix_format`: the fields backscrub reads and sets. */
export interface PixFormat {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The FourCC code. */
  pixelformat: number;
  /** `enum v4l2_field` (`FIELD.NONE` for progressive frames). */
  field: number;
  /** Bytes per row of the first plane (0 for compressed formats). */
  bytesperline: number;
  /** Bytes per frame (the maximum for compressed formats). */
  sizeimage: number;
  /** `enum v4l2_colorspace`. */
  colorspace: number;
  /** `enum v4l2_ycbcr_encoding`. */
  ycbcrEnc: number;
  /** `enum v4l2_quantization`. */
  quantization: number;
  /** `enum v4l2_xfer_func`. */
  xferFunc: number;
}

/** `struct v4l2_captureparm` / `v4l2_outputparm`: the fields backscrub uses. */
export interface StreamParm {
  /** `V4L2_CAP_TIMEPERFRAME` when the driver honours `timeperframe`. */
  capability: number;
  /** Seconds per frame (`{ 0, 0 }` when the driver does not say). */
  timeperframe: Fraction;
}

/** A dequeued buffer. One object per device, overwritten by each dequeue. */
export interface DequeuedBuffer {
  /** The buffer index. */
  index: number;
  /** Bytes of frame data (for raw formats the frame size). */
  bytesused: number;
  /** `V4L2_BUF_FLAG_*` (`ERROR` marks a damaged frame). */
  flags: number;
  /** The driver's frame counter. */
  sequence: number;
  /** Capture time in microseconds (usually `CLOCK_MONOTONIC`). */
  timestampUs: number;
}

/** Options for {@linkcode VideoDevice.open}. */
export interface OpenOptions {
  /** Open read-only (enough for listing; default read-write). */
  readOnly?: boolean;
  /** Make `read`, `write` and `VIDIOC_DQBUF` return at once (default `true`). */
  nonBlocking?: boolean;
  /** An explicit libv4l2 path (else `$BACKSCRUB_V4L2_LIB`, else `libv4l2.so.0`). */
  libraryPath?: string;
}

const MAP_FAILED = 0xffffffffffffffffn;
/** The ioctl request numbers as `unsigned long` arguments (made once). */
const REQUEST = Object.fromEntries(
  Object.entries(IOCTL).map(([name, value]) => [name, BigInt(value)]),
) as Record<keyof typeof IOCTL, bigint>;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const view = bytes.subarray(offset, offset + length);
  const end = view.indexOf(0);
  return decoder.decode(end === -1 ? view : view.subarray(0, end)).trim();
}

/** Mapped buffers of one device, unmapped on close (a backstop, not the normal path). */
const mappingRegistry = new FinalizationRegistry<
  {
    libs: V4l2Libraries;
    fd: number;
    maps: Map<number, { ptr: Deno.PointerObject; length: number }>;
  }
>(({ libs, fd, maps }) => {
  for (const { ptr, length } of maps.values()) libs.v4l2.v4l2_munmap(ptr, BigInt(length));
  libs.v4l2.v4l2_close(fd);
});

/**
 * An open V4L2 device node. Every struct buffer is allocated once, so the
 * streaming calls (`queueBuffer`, `dequeueBuffer`, `poll`, `read`, `write`)
 * allocate nothing.
 *
 * Memory from {@linkcode VideoDevice.mapBuffer} is the driver's buffer itself;
 * {@linkcode VideoDevice.unmapAll} and {@linkcode VideoDevice.close} detach those
 * arrays before unmapping, so a stale view reads as empty instead of crashing.
 */
export class VideoDevice {
  readonly #libs: V4l2Libraries;
  readonly #path: string;
  #fd: number;
  readonly #maps = new Map<
    number,
    { ptr: Deno.PointerObject; length: number; buffer: ArrayBuffer }
  >();
  readonly #registryMaps = new Map<number, { ptr: Deno.PointerObject; length: number }>();

  readonly #cap = new Uint8Array(CAPABILITY.size);
  readonly #fmtdesc = new Uint8Array(FMTDESC.size);
  readonly #frmsize = new Uint8Array(FRMSIZEENUM.size);
  readonly #frmival = new Uint8Array(FRMIVALENUM.size);
  readonly #format = new Uint8Array(FORMAT.size);
  readonly #reqbufs = new Uint8Array(REQUESTBUFFERS.size);
  readonly #parm = new Uint8Array(STREAMPARM.size);
  readonly #buf = new Uint8Array(BUFFER.size);
  readonly #bufView = new DataView(this.#buf.buffer);
  readonly #type = new Int32Array(1);
  readonly #pollfd = new Uint8Array(POLLFD.size);
  readonly #pollView = new DataView(this.#pollfd.buffer);
  readonly #asyncPollfd = new Uint8Array(POLLFD.size);
  readonly #asyncPollView = new DataView(this.#asyncPollfd.buffer);
  #asyncPolling = false;
  readonly #dequeued: DequeuedBuffer = {
    index: 0,
    bytesused: 0,
    flags: 0,
    sequence: 0,
    timestampUs: 0,
  };
  // Hot-path calls built once (no closure per frame).
  readonly #qbufCall = (): number => this.#libs.v4l2.v4l2_ioctl(this.#fd, REQUEST.QBUF, this.#buf);
  readonly #dqbufCall = (): number =>
    this.#libs.v4l2.v4l2_ioctl(this.#fd, REQUEST.DQBUF, this.#buf);
  #pollTimeout = 0;
  readonly #pollCall = (): number => this.#libs.libc.poll(this.#pollfd, 1n, this.#pollTimeout);
  #ioData: Uint8Array = new Uint8Array(0);
  #ioLength = 0n;
  #ioLengthNumber = 0;
  readonly #readCall = (): number | bigint =>
    this.#libs.v4l2.v4l2_read(this.#fd, this.#ioData, this.#ioLength);
  readonly #writeCall = (): number | bigint =>
    this.#libs.v4l2.v4l2_write(this.#fd, this.#ioData, this.#ioLength);

  private constructor(libs: V4l2Libraries, path: string, fd: number) {
    this.#libs = libs;
    this.#path = path;
    this.#fd = fd;
    mappingRegistry.register(this, { libs, fd, maps: this.#registryMaps }, this);
  }

  /**
   * Opens a device node with libc `open` and registers it with libv4l2
   * (`v4l2_fd_open(fd, V4L2_DISABLE_CONVERSION)`).
   *
   * @param path The device path, e.g. `/dev/video0`.
   * @param options Access mode, blocking and library path.
   * @returns The open device.
   * @throws {V4l2Error} `open` with `ENOENT`, `EACCES`, `ENODEV`…; `v4l2_fd_open`
   *   with `ENOTTY` when the node is not a V4L2 device.
   */
  static open(path: string, options: OpenOptions = {}): VideoDevice {
    const libs = loadV4l2(options.libraryPath);
    const flags = (options.readOnly === true ? O.RDONLY : O.RDWR) | O.CLOEXEC |
      (options.nonBlocking === false ? 0 : O.NONBLOCK);
    const cpath = encoder.encode(path + "\0");
    const fd = v4l2Check(libs, () => libs.libc.open(cpath, flags, 0), "open", path)!;
    // QUERYCAP on the fd before libv4l2 knows it (v4l2_ioctl passes unknown fds
    // straight to the kernel): its plugins perror() about non-V4L2 files.
    const cap = new Uint8Array(CAPABILITY.size);
    let rc = libs.v4l2.v4l2_ioctl(fd, REQUEST.QUERYCAP, cap);
    if (rc !== -1) rc = libs.v4l2.v4l2_fd_open(fd, V4L2_DISABLE_CONVERSION);
    if (rc === -1) {
      const errno = readErrno(libs.libc);
      libs.v4l2.v4l2_close(fd);
      throw new V4l2Error("query the device (VIDIOC_QUERYCAP)", path, errno);
    }
    return new VideoDevice(libs, path, fd);
  }

  /** The device path given to {@linkcode open}. */
  get path(): string {
    return this.#path;
  }

  /** Whether {@linkcode close} has been called. */
  get closed(): boolean {
    return this.#fd === -1;
  }

  #live(action: string): number {
    if (this.#fd === -1) {
      throw new V4l2Error(action, this.#path, ERRNO.EBADF, "the device is closed");
    }
    return this.#fd;
  }

  #ioctl(
    request: bigint,
    arg: Uint8Array | Int32Array,
    action: string,
    again: AgainPolicy = "throw",
  ): number {
    const fd = this.#live(action);
    return v4l2Check(
      this.#libs,
      () => this.#libs.v4l2.v4l2_ioctl(fd, request, arg),
      action,
      this.#path,
      again,
    )!;
  }

  /**
   * An ioctl used for enumeration: `EINVAL` ends the list (returns `false`); a passing
   * `EAGAIN` is tried again.
   */
  #enumIoctl(request: bigint, arg: Uint8Array, action: string): boolean {
    try {
      this.#ioctl(request, arg, action, "retry");
      return true;
    } catch (error) {
      if (error instanceof V4l2Error && error.errno === ERRNO.EINVAL) return false;
      throw error;
    }
  }

  /**
   * `VIDIOC_QUERYCAP`.
   *
   * @returns Driver, card, bus and capability bits.
   * @throws {V4l2Error} When the ioctl fails.
   */
  queryCap(): Capability {
    const b = this.#cap;
    b.fill(0);
    this.#ioctl(REQUEST.QUERYCAP, b, "VIDIOC_QUERYCAP");
    const v = new DataView(b.buffer);
    const capabilities = v.getUint32(CAPABILITY.capabilities, true);
    const deviceCaps = v.getUint32(CAPABILITY.deviceCaps, true);
    return {
      driver: cString(b, CAPABILITY.driver, 16),
      card: cString(b, CAPABILITY.card, 32),
      busInfo: cString(b, CAPABILITY.busInfo, 32),
      version: v.getUint32(CAPABILITY.version, true),
      capabilities,
      // Drivers without V4L2_CAP_DEVICE_CAPS (very old kernels) leave it 0.
      deviceCaps: (capabilities & 0x80000000) !== 0 ? deviceCaps : capabilities,
    };
  }

  /**
   * `VIDIOC_ENUM_FMT` for every index.
   *
   * @param type The buffer type.
   * @returns The formats in the driver's order.
   * @throws {V4l2Error} On errors other than the end of the list.
   */
  enumFormats(type: BufType): FormatDescription[] {
    const b = this.#fmtdesc;
    const v = new DataView(b.buffer);
    const out: FormatDescription[] = [];
    for (let index = 0; index < 256; index++) {
      b.fill(0);
      v.setUint32(FMTDESC.index, index, true);
      v.setUint32(FMTDESC.type, type, true);
      if (!this.#enumIoctl(REQUEST.ENUM_FMT, b, "VIDIOC_ENUM_FMT")) break;
      out.push({
        pixelformat: v.getUint32(FMTDESC.pixelformat, true),
        description: cString(b, FMTDESC.description, 32),
        flags: v.getUint32(FMTDESC.flags, true),
      });
    }
    return out;
  }

  /**
   * `VIDIOC_ENUM_FRAMESIZES` for one format.
   *
   * @param pixelformat The FourCC code.
   * @returns Discrete sizes, or the stepwise range; `null` when the driver
   *   does not enumerate sizes (e.g. output devices).
   * @throws {V4l2Error} On errors other than "not supported".
   */
  enumFrameSizes(pixelformat: number): FrameSizes | null {
    const b = this.#frmsize;
    const v = new DataView(b.buffer);
    const sizes: { width: number; height: number }[] = [];
    for (let index = 0; index < 1024; index++) {
      b.fill(0);
      v.setUint32(FRMSIZEENUM.index, index, true);
      v.setUint32(FRMSIZEENUM.pixelFormat, pixelformat, true);
      if (!this.#enumOptional(REQUEST.ENUM_FRAMESIZES, b, "VIDIOC_ENUM_FRAMESIZES")) break;
      const type = v.getUint32(FRMSIZEENUM.type, true);
      if (type !== FRM_TYPE.DISCRETE) {
        return {
          kind: type === FRM_TYPE.CONTINUOUS ? "continuous" : "stepwise",
          minWidth: v.getUint32(FRMSIZEENUM.minWidth, true),
          maxWidth: v.getUint32(FRMSIZEENUM.maxWidth, true),
          stepWidth: v.getUint32(FRMSIZEENUM.stepWidth, true),
          minHeight: v.getUint32(FRMSIZEENUM.minHeight, true),
          maxHeight: v.getUint32(FRMSIZEENUM.maxHeight, true),
          stepHeight: v.getUint32(FRMSIZEENUM.stepHeight, true),
        };
      }
      sizes.push({
        width: v.getUint32(FRMSIZEENUM.discreteWidth, true),
        height: v.getUint32(FRMSIZEENUM.discreteHeight, true),
      });
    }
    return sizes.length === 0 ? null : { kind: "discrete", sizes };
  }

  /**
   * `VIDIOC_ENUM_FRAMEINTERVALS` for one format and size.
   *
   * @param pixelformat The FourCC code.
   * @param size The frame size.
   * @returns Discrete intervals or the stepwise range; `null` when the driver
   *   does not enumerate them.
   * @throws {V4l2Error} On errors other than "not supported".
   */
  enumFrameIntervals(
    pixelformat: number,
    size: { width: number; height: number },
  ): FrameIntervals | null {
    const b = this.#frmival;
    const v = new DataView(b.buffer);
    const intervals: Fraction[] = [];
    const fract = (n: number, d: number): Fraction => ({
      numerator: v.getUint32(n, true),
      denominator: v.getUint32(d, true),
    });
    for (let index = 0; index < 1024; index++) {
      b.fill(0);
      v.setUint32(FRMIVALENUM.index, index, true);
      v.setUint32(FRMIVALENUM.pixelFormat, pixelformat, true);
      v.setUint32(FRMIVALENUM.width, size.width, true);
      v.setUint32(FRMIVALENUM.height, size.height, true);
      if (!this.#enumOptional(REQUEST.ENUM_FRAMEINTERVALS, b, "VIDIOC_ENUM_FRAMEINTERVALS")) break;
      const type = v.getUint32(FRMIVALENUM.type, true);
      if (type !== FRM_TYPE.DISCRETE) {
        return {
          kind: type === FRM_TYPE.CONTINUOUS ? "continuous" : "stepwise",
          min: fract(FRMIVALENUM.minNumerator, FRMIVALENUM.minDenominator),
          max: fract(FRMIVALENUM.maxNumerator, FRMIVALENUM.maxDenominator),
          step: fract(FRMIVALENUM.stepNumerator, FRMIVALENUM.stepDenominator),
        };
      }
      intervals.push(fract(FRMIVALENUM.discreteNumerator, FRMIVALENUM.discreteDenominator));
    }
    return intervals.length === 0 ? null : { kind: "discrete", intervals };
  }

  /** Like {@linkcode #enumIoctl}, also ending on `ENOTTY` (ioctl not implemented). */
  #enumOptional(request: bigint, arg: Uint8Array, action: string): boolean {
    try {
      return this.#enumIoctl(request, arg, action);
    } catch (error) {
      if (error instanceof V4l2Error && error.errno === ERRNO.ENOTTY) return false;
      throw error;
    }
  }

  #readPix(): PixFormat {
    const v = new DataView(this.#format.buffer);
    const at = (field: number): number => v.getUint32(FORMAT.fmt + field, true);
    return {
      width: at(PIX_FORMAT.width),
      height: at(PIX_FORMAT.height),
      pixelformat: at(PIX_FORMAT.pixelformat),
      field: at(PIX_FORMAT.field),
      bytesperline: at(PIX_FORMAT.bytesperline),
      sizeimage: at(PIX_FORMAT.sizeimage),
      colorspace: at(PIX_FORMAT.colorspace),
      ycbcrEnc: at(PIX_FORMAT.ycbcrEnc),
      quantization: at(PIX_FORMAT.quantization),
      xferFunc: at(PIX_FORMAT.xferFunc),
    };
  }

  /**
   * `VIDIOC_G_FMT`.
   *
   * @param type The buffer type.
   * @returns The current format.
   * @throws {V4l2Error} When the ioctl fails.
   */
  getFormat(type: BufType): PixFormat {
    this.#format.fill(0);
    new DataView(this.#format.buffer).setUint32(FORMAT.type, type, true);
    this.#ioctl(REQUEST.G_FMT, this.#format, "VIDIOC_G_FMT");
    return this.#readPix();
  }

  /**
   * `VIDIOC_S_FMT` (or `VIDIOC_TRY_FMT` with `tryOnly`): asks for a format and
   * returns what the driver really set (it adjusts sizes it cannot do).
   *
   * @param type The buffer type.
   * @param format The wanted format; missing fields are sent as 0 ("driver's choice").
   * @param tryOnly Only ask what the driver would give (`VIDIOC_TRY_FMT`).
   * @returns The format the driver chose.
   * @throws {V4l2Error} When the ioctl fails (`EBUSY` while another handle streams).
   */
  setFormat(
    type: BufType,
    format: Partial<PixFormat> & { width: number; height: number; pixelformat: number },
    tryOnly = false,
  ): PixFormat {
    const b = this.#format;
    b.fill(0);
    const v = new DataView(b.buffer);
    v.setUint32(FORMAT.type, type, true);
    const set = (field: number, value: number | undefined): void =>
      v.setUint32(FORMAT.fmt + field, value ?? 0, true);
    set(PIX_FORMAT.width, format.width);
    set(PIX_FORMAT.height, format.height);
    set(PIX_FORMAT.pixelformat, format.pixelformat);
    set(PIX_FORMAT.field, format.field);
    set(PIX_FORMAT.bytesperline, format.bytesperline);
    set(PIX_FORMAT.sizeimage, format.sizeimage);
    set(PIX_FORMAT.colorspace, format.colorspace);
    set(PIX_FORMAT.ycbcrEnc, format.ycbcrEnc);
    set(PIX_FORMAT.quantization, format.quantization);
    set(PIX_FORMAT.xferFunc, format.xferFunc);
    // The kernel zeroes the extended fields unless priv holds the magic value.
    set(PIX_FORMAT.priv, PIX_FMT_PRIV_MAGIC);
    const request = tryOnly ? REQUEST.TRY_FMT : REQUEST.S_FMT;
    this.#ioctl(request, b, tryOnly ? "VIDIOC_TRY_FMT" : "VIDIOC_S_FMT");
    return this.#readPix();
  }

  #readParm(): StreamParm {
    const v = new DataView(this.#parm.buffer);
    const at = (field: number): number => v.getUint32(STREAMPARM.parm + field, true);
    return {
      capability: at(CAPTUREPARM.capability),
      timeperframe: {
        numerator: at(CAPTUREPARM.timeperframeNumerator),
        denominator: at(CAPTUREPARM.timeperframeDenominator),
      },
    };
  }

  /**
   * `VIDIOC_G_PARM`.
   *
   * @param type The buffer type.
   * @returns The streaming parameters; `null` when the driver has none (`ENOTTY`, `EINVAL`).
   * @throws {V4l2Error} On other errors.
   */
  getParm(type: BufType): StreamParm | null {
    this.#parm.fill(0);
    new DataView(this.#parm.buffer).setUint32(STREAMPARM.type, type, true);
    try {
      this.#ioctl(REQUEST.G_PARM, this.#parm, "VIDIOC_G_PARM");
    } catch (error) {
      if (
        error instanceof V4l2Error && (error.errno === ERRNO.ENOTTY || error.errno === ERRNO.EINVAL)
      ) return null;
      throw error;
    }
    return this.#readParm();
  }

  /**
   * `VIDIOC_S_PARM` with a frame interval (`1/fps` seconds as `{ 1, fps }`).
   *
   * @param type The buffer type.
   * @param timeperframe The wanted seconds per frame.
   * @returns What the driver set; `null` when it has no such ioctl.
   * @throws {V4l2Error} On other errors.
   */
  setParm(type: BufType, timeperframe: Fraction): StreamParm | null {
    const b = this.#parm;
    b.fill(0);
    const v = new DataView(b.buffer);
    v.setUint32(STREAMPARM.type, type, true);
    v.setUint32(STREAMPARM.parm + CAPTUREPARM.timeperframeNumerator, timeperframe.numerator, true);
    v.setUint32(
      STREAMPARM.parm + CAPTUREPARM.timeperframeDenominator,
      timeperframe.denominator,
      true,
    );
    try {
      this.#ioctl(REQUEST.S_PARM, b, "VIDIOC_S_PARM");
    } catch (error) {
      if (error instanceof V4l2Error && error.errno === ERRNO.ENOTTY) return null;
      throw error;
    }
    return this.#readParm();
  }

  /**
   * `VIDIOC_REQBUFS` with `V4L2_MEMORY_MMAP` (count 0 frees the buffers).
   *
   * @param type The buffer type.
   * @param count How many buffers to ask for.
   * @returns How many the driver allocated.
   * @throws {V4l2Error} When the ioctl fails (`EBUSY` when another handle owns the queue).
   */
  requestBuffers(type: BufType, count: number): number {
    const b = this.#reqbufs;
    b.fill(0);
    const v = new DataView(b.buffer);
    v.setUint32(REQUESTBUFFERS.count, count, true);
    v.setUint32(REQUESTBUFFERS.type, type, true);
    v.setUint32(REQUESTBUFFERS.memory, MEMORY.MMAP, true);
    this.#ioctl(REQUEST.REQBUFS, b, "VIDIOC_REQBUFS");
    return v.getUint32(REQUESTBUFFERS.count, true);
  }

  #prepareBuf(type: BufType, index: number): void {
    this.#buf.fill(0);
    this.#bufView.setUint32(BUFFER.index, index, true);
    this.#bufView.setUint32(BUFFER.type, type, true);
    this.#bufView.setUint32(BUFFER.memory, MEMORY.MMAP, true);
  }

  /**
   * `VIDIOC_QUERYBUF` then `mmap`: the driver's buffer as a byte array
   * (no copy). Valid until {@linkcode unmapAll} or {@linkcode close}, which
   * detach it (its length becomes 0).
   *
   * @param type The buffer type.
   * @param index The buffer index.
   * @returns The mapped memory.
   * @throws {V4l2Error} When the query or the mapping fails.
   */
  mapBuffer(type: BufType, index: number): Uint8Array {
    const fd = this.#live("mmap");
    this.#prepareBuf(type, index);
    this.#ioctl(REQUEST.QUERYBUF, this.#buf, "VIDIOC_QUERYBUF");
    const length = this.#bufView.getUint32(BUFFER.length, true);
    const offset = this.#bufView.getUint32(BUFFER.offset, true);
    const ptr = this.#libs.v4l2.v4l2_mmap(
      null,
      BigInt(length),
      MMAP.PROT_READ | MMAP.PROT_WRITE,
      MMAP.MAP_SHARED,
      fd,
      BigInt(offset),
    );
    if (ptr === null || BigInt(Deno.UnsafePointer.value(ptr)) === MAP_FAILED) {
      throw new V4l2Error("mmap", this.#path, readErrno(this.#libs.libc));
    }
    const buffer = Deno.UnsafePointerView.getArrayBuffer(ptr, length);
    this.#unmap(index);
    this.#maps.set(index, { ptr, length, buffer });
    this.#registryMaps.set(index, { ptr, length });
    return new Uint8Array(buffer);
  }

  #unmap(index: number): void {
    const map = this.#maps.get(index);
    if (map === undefined) return;
    // Detach first: any view the caller still holds now has length 0 instead
    // of pointing at unmapped memory.
    map.buffer.transfer(0);
    this.#libs.v4l2.v4l2_munmap(map.ptr, BigInt(map.length));
    this.#maps.delete(index);
    this.#registryMaps.delete(index);
  }

  /** Unmaps every buffer mapped by {@linkcode mapBuffer} (their arrays become empty). */
  unmapAll(): void {
    for (const index of [...this.#maps.keys()]) this.#unmap(index);
  }

  /**
   * `VIDIOC_QBUF`: hands a buffer to the driver.
   *
   * @param type The buffer type.
   * @param index The buffer index.
   * @param bytesused Bytes of data (output buffers only).
   * @throws {V4l2Error} When the ioctl fails.
   */
  queueBuffer(type: BufType, index: number, bytesused = 0): void {
    this.#live("VIDIOC_QBUF");
    this.#prepareBuf(type, index);
    this.#bufView.setUint32(BUFFER.bytesused, bytesused, true);
    v4l2Check(this.#libs, this.#qbufCall, "VIDIOC_QBUF", this.#path);
  }

  /**
   * `VIDIOC_DQBUF`: takes a filled buffer back (non-blocking devices return at once).
   *
   * @param type The buffer type.
   * @returns The buffer (one object per device, overwritten by the next call),
   *   or `null` when none is ready (`EAGAIN`).
   * @throws {V4l2Error} When the ioctl fails.
   */
  dequeueBuffer(type: BufType): DequeuedBuffer | null {
    this.#live("VIDIOC_DQBUF");
    this.#prepareBuf(type, 0);
    const rc = v4l2Check(this.#libs, this.#dqbufCall, "VIDIOC_DQBUF", this.#path, "return");
    if (rc === null) return null;
    const v = this.#bufView;
    const d = this.#dequeued;
    d.index = v.getUint32(BUFFER.index, true);
    d.bytesused = v.getUint32(BUFFER.bytesused, true);
    d.flags = v.getUint32(BUFFER.flags, true);
    d.sequence = v.getUint32(BUFFER.sequence, true);
    d.timestampUs = Number(v.getBigInt64(BUFFER.timestampSec, true)) * 1e6 +
      Number(v.getBigInt64(BUFFER.timestampUsec, true));
    return d;
  }

  /**
   * `VIDIOC_STREAMON`.
   *
   * @param type The buffer type.
   * @throws {V4l2Error} When the ioctl fails.
   */
  streamOn(type: BufType): void {
    this.#type[0] = type;
    this.#ioctl(REQUEST.STREAMON, this.#type, "VIDIOC_STREAMON");
  }

  /**
   * `VIDIOC_STREAMOFF` (also takes back every queued buffer).
   *
   * @param type The buffer type.
   * @throws {V4l2Error} When the ioctl fails.
   */
  streamOff(type: BufType): void {
    this.#type[0] = type;
    this.#ioctl(REQUEST.STREAMOFF, this.#type, "VIDIOC_STREAMOFF");
  }

  /**
   * `poll()` on this device, blocking the calling thread up to `timeoutMs`.
   *
   * @param events `POLL.IN` to wait for a frame, `POLL.OUT` for room to write.
   * @param timeoutMs Milliseconds to wait (0 = just check, -1 = forever).
   * @returns The `revents` bits, 0 on timeout.
   * @throws {V4l2Error} When `poll` fails.
   */
  poll(events: number, timeoutMs: number): number {
    const fd = this.#live("poll");
    const v = this.#pollView;
    v.setInt32(POLLFD.fd, fd, true);
    v.setInt16(POLLFD.events, events, true);
    v.setInt16(POLLFD.revents, 0, true);
    this.#pollTimeout = Math.max(-1, Math.min(0x7fffffff, Math.round(timeoutMs)));
    const n = v4l2Check(this.#libs, this.#pollCall, "poll", this.#path)!;
    return n === 0
      ? 0
      : v.getUint16(POLLFD.revents, true) & (events | POLL.ERR | POLL.HUP | POLL.NVAL);
  }

  #setIo(data: Uint8Array): void {
    this.#ioData = data;
    // Frames keep their size, so the bigint is made again only when it changes.
    if (data.length !== this.#ioLengthNumber) {
      this.#ioLengthNumber = data.length;
      this.#ioLength = BigInt(data.length);
    }
  }

  /**
   * `poll()` on a Deno worker thread, so the event loop keeps running while it
   * waits. A failed poll (rare: `EINTR`) cannot report its `errno` from that
   * thread, so it is answered by a non-waiting poll on this thread, which
   * either reports the same condition or throws the real error.
   *
   * @param events `POLL.IN` or `POLL.OUT`.
   * @param timeoutMs Milliseconds to wait (0 = just check).
   * @returns The `revents` bits, 0 on timeout.
   * @throws {V4l2Error} When `poll` fails, or when another `pollAsync` is running.
   */
  async pollAsync(events: number, timeoutMs: number): Promise<number> {
    const fd = this.#live("poll");
    if (this.#asyncPolling) {
      throw new V4l2Error("poll", this.#path, ERRNO.EBUSY, "another pollAsync() is running");
    }
    const v = this.#asyncPollView;
    v.setInt32(POLLFD.fd, fd, true);
    v.setInt16(POLLFD.events, events, true);
    v.setInt16(POLLFD.revents, 0, true);
    const timeout = Math.max(0, Math.min(0x7fffffff, Math.round(timeoutMs)));
    this.#asyncPolling = true;
    let n: number;
    try {
      n = await this.#libs.libc.poll_nonblocking(this.#asyncPollfd, 1n, timeout);
    } finally {
      this.#asyncPolling = false;
    }
    if (this.#fd === -1) return 0; // closed while waiting
    if (n === -1) return this.poll(events, 0);
    const mask = events | POLL.ERR | POLL.HUP | POLL.NVAL;
    return n === 0 ? 0 : v.getUint16(POLLFD.revents, true) & mask;
  }

  /**
   * `read()` one frame (for drivers without streaming I/O).
   *
   * @param into The destination.
   * @returns Bytes read, or `null` when nothing is ready (`EAGAIN`).
   * @throws {V4l2Error} When `read` fails.
   */
  read(into: Uint8Array): number | null {
    this.#live("read");
    this.#setIo(into);
    try {
      return v4l2Check(this.#libs, this.#readCall, "read", this.#path, "return");
    } finally {
      this.#ioData = EMPTY;
    }
  }

  /**
   * One `write()` call (it may write less than asked; retries `EINTR`).
   *
   * @param data The bytes to write.
   * @returns Bytes written, or `null` when the device cannot take data now (`EAGAIN`).
   * @throws {V4l2Error} When `write` fails.
   */
  write(data: Uint8Array): number | null {
    this.#live("write");
    this.#setIo(data);
    try {
      return v4l2Check(this.#libs, this.#writeCall, "write", this.#path, "return");
    } finally {
      this.#ioData = EMPTY;
    }
  }

  /** Unmaps every buffer and closes the device; calling it again does nothing. */
  close(): void {
    if (this.#fd === -1) return;
    this.unmapAll();
    mappingRegistry.unregister(this);
    this.#libs.v4l2.v4l2_close(this.#fd);
    this.#fd = -1;
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

const EMPTY = new Uint8Array(0);
