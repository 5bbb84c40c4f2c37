/**
 * {@linkcode Camera}: V4L2 capture with mmap streaming (or `read()` for drivers
 * without streaming), negotiating size, format and frame rate and reporting
 * what the driver really gave.
 *
 * @module
 */

import {
  BUF_FLAG,
  BUF_TYPE,
  CAP,
  CAP_TIMEPERFRAME,
  type Capability,
  FIELD,
  type FormatDescription,
  type Fraction,
  type PixFormat,
  POLL,
  V4l2Error,
  VideoDevice,
} from "../../ffi/v4l2/mod.ts";
import { DeviceError, ioctlError, openError } from "./errors.ts";
import {
  CAPTURE_PREFERENCE,
  DECODABLE,
  devicePath,
  formatName,
  parsePixelFormat,
} from "./formats.ts";
import type { CapturedBuffer, CaptureDevice, Negotiated } from "./capture.ts";

const CAPTURE = BUF_TYPE.VIDEO_CAPTURE;

/** Options for {@linkcode Camera.open}. */
export interface CameraOptions {
  /** Wanted width (default: the driver's current width). */
  width?: number;
  /** Wanted height (default: the driver's current height). */
  height?: number;
  /** Wanted frames per second (default: the driver's current rate). */
  fps?: number;
  /**
   * Wanted pixel format: a name (`MJPG`, `YUYV`, `NV12`, `I420`) or a FourCC
   * (default: the first of YUYV, MJPG, NV12, YU12 that supports the size and
   * rate).
   */
  format?: string;
  /** How many driver buffers to ask for (default 4). */
  buffers?: number;
  /** `"mmap"` streaming, `"read"`, or `"auto"` (default: mmap when the driver streams). */
  io?: "auto" | "mmap" | "read";
  /** An explicit libv4l2 path. */
  libraryPath?: string;
  /**
   * When another program streams from the camera, its format cannot be set (`VIDIOC_S_FMT` fails
   * busy): open it anyway, with the format `VIDIOC_TRY_FMT` says it would give (or, when the
   * driver will not say, the one asked for), and set that format and the rate on
   * {@linkcode Camera.start}, which fails busy until the camera is free. Default `false`: `open`
   * fails busy.
   */
  deferBusy?: boolean;
}

/** Counters of a {@linkcode Camera}. */
export interface CameraStats {
  /** Frames handed out by `grab`. */
  frames: number;
  /** Frames the driver marked damaged (`V4L2_BUF_FLAG_ERROR`), skipped. */
  errorFrames: number;
  /** `grab` calls that timed out. */
  timeouts: number;
  /** Frames lost between two grabs, from gaps in the driver's sequence numbers. */
  dropped: number;
}

/** A frame of a {@linkcode Camera}: one object per buffer, reused. */
class CameraFrame implements CapturedBuffer {
  data: Uint8Array;
  sequence = 0;
  timestampUs = 0;
  held = false;
  readonly index: number;
  readonly buffer: Uint8Array;

  constructor(index: number, buffer: Uint8Array) {
    this.index = index;
    this.buffer = buffer;
    this.data = buffer.subarray(0, 0);
  }

  /** Points `data` at the first `bytes` bytes (a new view only when the size changes). */
  fill(bytes: number): void {
    if (this.data.length !== bytes || this.data.buffer !== this.buffer.buffer) {
      this.data = this.buffer.subarray(0, Math.min(bytes, this.buffer.length));
    }
  }
}

function fpsOf(t: Fraction): number | null {
  return t.numerator > 0 && t.denominator > 0 ? t.denominator / t.numerator : null;
}

function sameFps(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.01 * Math.max(a, b);
}

function fpsText(fps: number): string {
  return `${Number(fps.toFixed(3))} fps`;
}

/** How well a format supports a size and rate: 2 for the size, 1 for the rate. */
function support(
  device: VideoDevice,
  code: number,
  size: { width: number; height: number } | null,
  fps: number | undefined,
): number {
  let score = 0;
  let sizeOk = true;
  if (size !== null) {
    const sizes = device.enumFrameSizes(code);
    sizeOk = sizes === null ||
      (sizes.kind === "discrete"
        ? sizes.sizes.some((s) => s.width === size.width && s.height === size.height)
        : size.width >= sizes.minWidth && size.width <= sizes.maxWidth &&
          size.height >= sizes.minHeight && size.height <= sizes.maxHeight);
    if (sizeOk) score += 2;
  }
  if (fps !== undefined && size !== null && sizeOk) {
    const iv = device.enumFrameIntervals(code, size);
    const ok = iv === null ||
      (iv.kind === "discrete"
        ? iv.intervals.some((t) => {
          const f = fpsOf(t);
          return f !== null && sameFps(f, fps);
        })
        : (fpsOf(iv.max) ?? 0) <= fps * 1.01 && fps <= (fpsOf(iv.min) ?? Infinity) * 1.01);
    if (ok) score += 1;
  }
  return score;
}

/**
 * A V4L2 camera. Frames view the driver's buffers in place (mmap) until they
 * are handed back with {@linkcode Camera.release}; nothing is allocated per
 * frame.
 *
 * @example
 * ```ts
 * import { Camera } from "./camera.ts";
 *
 * using camera = Camera.open("video0", { width: 640, height: 480, fps: 30, format: "YUYV" });
 * for (const w of camera.warnings) console.warn(w);
 * console.log(camera.negotiated); // { width: 640, height: 480, fourcc: "YUYV", fps: 25, ... }
 * camera.start();
 * const frame = camera.grab(2000);
 * if (frame !== null) {
 *   console.log(frame.sequence, frame.data.length);
 *   camera.release(frame);
 * }
 * ```
 */
export class Camera implements CaptureDevice {
  readonly #device: VideoDevice;
  readonly #path: string;
  readonly #info: Capability;
  readonly #negotiated: Negotiated;
  readonly #warnings: readonly string[];
  readonly #io: "mmap" | "read";
  readonly #bufferCount: number;
  /** The rate to set on the next start, when the camera was busy at open (`deferBusy`). */
  #pendingFps: number | undefined;
  /** Whether the format is still to be set on the next start (`deferBusy`). */
  #pendingFormat: boolean;
  #frames: CameraFrame[] = [];
  #held = 0;
  #streaming = false;
  #lastSequence = -1;
  readonly #stats: CameraStats = { frames: 0, errorFrames: 0, timeouts: 0, dropped: 0 };

  private constructor(
    device: VideoDevice,
    info: Capability,
    negotiated: Negotiated,
    warnings: string[],
    io: "mmap" | "read",
    buffers: number,
    pending: { format: boolean; fps: number | undefined },
  ) {
    this.#device = device;
    this.#path = device.path;
    this.#info = info;
    this.#negotiated = negotiated;
    this.#warnings = warnings;
    this.#io = io;
    this.#bufferCount = buffers;
    this.#pendingFormat = pending.format;
    this.#pendingFps = pending.fps;
  }

  /**
   * Opens a camera and negotiates the format. Read {@linkcode negotiated} for
   * what the driver gave and {@linkcode warnings} for how it differs from the
   * request.
   *
   * @param spec `/dev/video0`, `video0`, `0`, or any path to a device node.
   * @param options Size, rate, format, buffers and I/O method.
   * @returns The camera (not yet streaming: call {@linkcode start}).
   * @throws {DeviceError} When the device is missing, not a camera, busy (unless
   *   `deferBusy`), or not accessible; its fields say which.
   */
  static open(spec: string, options: CameraOptions = {}): Camera {
    const path = devicePath(spec);
    let device: VideoDevice;
    try {
      device = VideoDevice.open(path, {
        ...(options.libraryPath === undefined ? {} : { libraryPath: options.libraryPath }),
      });
    } catch (error) {
      throw openError(error, path, "camera");
    }
    try {
      return Camera.#setup(device, path, options);
    } catch (error) {
      device.close();
      throw error;
    }
  }

  static #setup(device: VideoDevice, path: string, options: CameraOptions): Camera {
    const info = device.queryCap();
    const caps = info.deviceCaps;
    if ((caps & CAP.VIDEO_CAPTURE) === 0) {
      throw notCaptureError(path, info);
    }
    const canStream = (caps & CAP.STREAMING) !== 0;
    const canRead = (caps & CAP.READWRITE) !== 0;
    const wantIo = options.io ?? "auto";
    const io = wantIo === "auto" ? (canStream ? "mmap" : "read") : wantIo;
    if ((io === "mmap" && !canStream) || (io === "read" && !canRead && !canStream)) {
      throw new DeviceError(
        "unsupported",
        `Cannot capture from "${path}" with ${io === "mmap" ? "streaming I/O" : "read()"}: ` +
          `the driver "${info.driver}" does not offer it`,
        { path, purpose: "camera" },
      );
    }
    const warnings: string[] = [];
    const formats = safely(() => device.enumFormats(CAPTURE), path, "list the formats of");
    const current = safely(() => device.getFormat(CAPTURE), path, "read the format of");
    const size = options.width !== undefined && options.height !== undefined
      ? { width: options.width, height: options.height }
      : options.width !== undefined || options.height !== undefined
      ? null
      : { width: current.width, height: current.height };
    if (size === null) {
      throw new RangeError("Cannot open a camera with only a width or only a height: give both");
    }
    const code = chooseFormat(device, formats, current, size, options, path, warnings);
    let got: PixFormat;
    let deferred = false;
    try {
      got = device.setFormat(CAPTURE, {
        width: size.width,
        height: size.height,
        pixelformat: code,
        field: FIELD.NONE,
      });
    } catch (error) {
      const problem = ioctlError(error, path, "set the format of", "camera");
      if (!(options.deferBusy && problem instanceof DeviceError && problem.kind === "busy")) {
        throw problem;
      }
      // Another program streams from it: what the driver would give, set on start.
      got = tryFormat(device, size, code, current);
      deferred = true;
    }
    if (got.width !== size.width || got.height !== size.height) {
      warnings.push(
        `Asked "${path}" for ${size.width}x${size.height}, it gives ${got.width}x${got.height}`,
      );
    }
    if (got.pixelformat !== code) {
      warnings.push(
        `Asked "${path}" for ${formatName(code)}, it gives ${formatName(got.pixelformat)}`,
      );
    }
    if (got.field !== FIELD.NONE && got.field !== FIELD.ANY) {
      warnings.push(`"${path}" delivers interlaced frames (field ${got.field}); expect combing`);
    }
    const fps = deferred
      ? options.fps ?? currentFps(device)
      : negotiateFps(device, options.fps, path, warnings);
    const negotiated: Negotiated = {
      width: got.width,
      height: got.height,
      fourcc: formatName(got.pixelformat),
      pixelformat: got.pixelformat,
      fps,
      bytesperline: got.bytesperline,
      sizeimage: got.sizeimage,
      colorimetry: {
        colorspace: got.colorspace,
        ycbcrEnc: got.ycbcrEnc,
        quantization: got.quantization,
        xferFunc: got.xferFunc,
      },
    };
    const buffers = Math.max(1, Math.min(32, Math.round(options.buffers ?? 4)));
    return new Camera(device, info, negotiated, warnings, io, buffers, {
      format: deferred,
      fps: deferred ? options.fps : undefined,
    });
  }

  /** The device path. */
  get path(): string {
    return this.#path;
  }

  /** Driver, card and capabilities (`VIDIOC_QUERYCAP`). */
  get info(): Capability {
    return this.#info;
  }

  /** What the driver really delivers. */
  get negotiated(): Negotiated {
    return this.#negotiated;
  }

  /** How the result differs from the request (one line each), e.g. a smaller size. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /** The I/O method: `"mmap"` streaming or `"read"`. */
  get io(): "mmap" | "read" {
    return this.#io;
  }

  /** Counters since {@linkcode open}. */
  get stats(): Readonly<CameraStats> {
    return this.#stats;
  }

  /** How many times {@linkcode start} set the format back after another program changed it. */
  formatRestored = 0;

  /** Whether {@linkcode start} has been called (and not {@linkcode stop}). */
  get streaming(): boolean {
    return this.#streaming;
  }

  /**
   * Starts capture: REQBUFS, QUERYBUF + mmap, QBUF every buffer, STREAMON
   * (or, for `read()`, allocates the frame buffers once).
   *
   * @throws {DeviceError} When the device is busy (naming the holder) or fails.
   */
  start(): void {
    if (this.#streaming) return;
    const device = this.#device;
    this.#reassertFormat();
    if (this.#pendingFps !== undefined) {
      // Busy at open: the rate asked for is set now (its warnings were the banner's to give).
      negotiateFps(device, this.#pendingFps, this.#path, []);
      this.#pendingFps = undefined;
    }
    if (this.#io === "read") {
      const size = Math.max(this.#negotiated.sizeimage, 1);
      this.#frames = Array.from(
        { length: this.#bufferCount },
        (_, i) => new CameraFrame(i, new Uint8Array(size)),
      );
      this.#held = 0;
      this.#lastSequence = -1;
      this.#streaming = true;
      return;
    }
    try {
      const count = device.requestBuffers(CAPTURE, this.#bufferCount);
      if (count < 1) {
        throw new DeviceError("io", `Cannot start "${this.#path}": the driver gave no buffers`, {
          path: this.#path,
          purpose: "camera",
        });
      }
      this.#frames = [];
      for (let i = 0; i < count; i++) {
        this.#frames.push(new CameraFrame(i, device.mapBuffer(CAPTURE, i)));
      }
      for (let i = 0; i < count; i++) device.queueBuffer(CAPTURE, i);
      device.streamOn(CAPTURE);
    } catch (error) {
      this.#teardown();
      throw error instanceof DeviceError ? error : ioctlError(error, this.#path, "start", "camera");
    }
    this.#held = 0;
    this.#lastSequence = -1;
    this.#streaming = true;
  }

  /**
   * Sets the negotiated format again when another program changed it while this camera was
   * stopped (a browser listing cameras opens each one and may set its own format), and checks
   * what the driver gives: the frames must be the size the decoder was made for.
   *
   * @throws {DeviceError} `"format"` when the driver will not give the negotiated format back.
   */
  #reassertFormat(): void {
    const n = this.#negotiated;
    const device = this.#device;
    const now = safely(() => device.getFormat(CAPTURE), this.#path, "read the format of");
    if (
      now.width === n.width && now.height === n.height && now.pixelformat === n.pixelformat &&
      now.sizeimage >= n.sizeimage
    ) {
      this.#pendingFormat = false;
      return;
    }
    let got: PixFormat;
    try {
      got = device.setFormat(CAPTURE, {
        width: n.width,
        height: n.height,
        pixelformat: n.pixelformat,
        field: FIELD.NONE,
      });
    } catch (error) {
      throw ioctlError(error, this.#path, "set the format of", "camera");
    }
    if (got.width !== n.width || got.height !== n.height || got.pixelformat !== n.pixelformat) {
      throw new DeviceError(
        "format",
        `Cannot start "${this.#path}": another program changed it to ${got.width}x${got.height} ${
          formatName(got.pixelformat)
        } and it will not go back to ${n.width}x${n.height} ${n.fourcc}`,
        { path: this.#path, purpose: "camera" },
      );
    }
    if (this.#pendingFormat) this.#pendingFormat = false;
    else this.formatRestored++;
  }

  /**
   * Waits up to `timeoutMs` for the next frame (`poll()` on this thread).
   * Frames the driver marks damaged are skipped (counted in `stats.errorFrames`).
   *
   * @param timeoutMs Milliseconds to wait (0 = only if one is ready).
   * @returns The frame (hand it back with {@linkcode release}), or `null` on timeout.
   * @throws {DeviceError} When the device fails or disappears.
   * @throws {Error} When not started, or when every buffer is held by the caller.
   */
  grab(timeoutMs: number): CapturedBuffer | null {
    const deadline = this.#beginGrab(timeoutMs);
    try {
      for (;;) {
        const frame = this.#tryGrab();
        if (frame !== null) return frame;
        const remaining = deadline - performance.now();
        if (remaining <= 0) break;
        const revents = this.#device.poll(POLL.IN, remaining);
        if (revents === 0) break;
        this.#checkRevents(revents);
      }
    } catch (error) {
      throw error instanceof V4l2Error
        ? ioctlError(error, this.#path, "capture from", "camera")
        : error;
    }
    this.#stats.timeouts++;
    return null;
  }

  /**
   * Like {@linkcode grab}, but waits with `poll()` on a Deno worker thread so
   * the event loop keeps running (e.g. to finish a model run) meanwhile.
   *
   * @param timeoutMs Milliseconds to wait.
   * @returns The frame, or `null` on timeout.
   * @throws {DeviceError} When the device fails or disappears.
   * @throws {Error} When not started, or when every buffer is held by the caller.
   */
  async grabAsync(timeoutMs: number): Promise<CapturedBuffer | null> {
    const deadline = this.#beginGrab(timeoutMs);
    try {
      for (;;) {
        const frame = this.#tryGrab();
        if (frame !== null) return frame;
        const remaining = deadline - performance.now();
        if (remaining <= 0) break;
        const revents = await this.#device.pollAsync(POLL.IN, remaining);
        if (!this.#streaming) return null; // stopped while waiting
        if (revents === 0) break;
        this.#checkRevents(revents);
      }
    } catch (error) {
      throw error instanceof V4l2Error
        ? ioctlError(error, this.#path, "capture from", "camera")
        : error;
    }
    this.#stats.timeouts++;
    return null;
  }

  #beginGrab(timeoutMs: number): number {
    if (!this.#streaming) {
      throw new Error(`Cannot grab from "${this.#path}": call start() first`);
    }
    if (this.#held >= this.#frames.length) {
      throw new Error(
        `Cannot grab from "${this.#path}": all ${this.#frames.length} buffers are held (release frames first)`,
      );
    }
    return performance.now() + Math.max(0, timeoutMs);
  }

  /** vb2 reports POLLERR (without POLLIN) when streaming broke; DQBUF then says why. */
  #checkRevents(revents: number): void {
    if ((revents & POLL.IN) !== 0 || (revents & (POLL.ERR | POLL.HUP | POLL.NVAL)) === 0) return;
    if (this.#io === "mmap" && this.#device.dequeueBuffer(CAPTURE) === null) {
      throw new DeviceError(
        "disconnected",
        `Cannot capture from "${this.#path}": the device stopped streaming`,
        { path: this.#path, purpose: "camera" },
      );
    }
  }

  /** One non-waiting attempt: a frame, or `null` when none is ready. */
  #tryGrab(): CapturedBuffer | null {
    const device = this.#device;
    if (this.#io === "read") {
      let frame = this.#frames[0]!;
      for (const f of this.#frames) {
        if (!f.held) {
          frame = f;
          break;
        }
      }
      // read() before any poll(): libv4l2 starts its read emulation on the
      // first read, and a poll() before it would start the driver's own.
      const n = device.read(frame.buffer);
      if (n === null || n <= 0) return null;
      frame.fill(n);
      frame.sequence = this.#lastSequence + 1;
      frame.timestampUs = Math.round(performance.now() * 1000);
      return this.#handOut(frame);
    }
    for (;;) {
      const buffer = device.dequeueBuffer(CAPTURE);
      if (buffer === null) return null;
      if ((buffer.flags & BUF_FLAG.ERROR) !== 0) {
        this.#stats.errorFrames++;
        device.queueBuffer(CAPTURE, buffer.index);
        continue;
      }
      const frame = this.#frames[buffer.index]!;
      frame.fill(buffer.bytesused);
      frame.sequence = buffer.sequence;
      frame.timestampUs = buffer.timestampUs;
      return this.#handOut(frame);
    }
  }

  #handOut(frame: CameraFrame): CapturedBuffer {
    if (this.#lastSequence >= 0 && frame.sequence > this.#lastSequence + 1) {
      this.#stats.dropped += frame.sequence - this.#lastSequence - 1;
    }
    this.#lastSequence = frame.sequence;
    frame.held = true;
    this.#held++;
    this.#stats.frames++;
    return frame;
  }

  /**
   * Hands a frame back to the driver (QBUF). Calling it twice, or after
   * {@linkcode stop}, does nothing.
   *
   * @param frame A frame from {@linkcode grab}.
   * @throws {DeviceError} When the device fails.
   */
  release(frame: CapturedBuffer): void {
    if (!(frame instanceof CameraFrame) || !frame.held) return;
    if (this.#frames[frame.index] !== frame) return;
    frame.held = false;
    this.#held--;
    if (this.#io === "mmap" && this.#streaming) {
      try {
        this.#device.queueBuffer(CAPTURE, frame.index);
      } catch (error) {
        throw ioctlError(error, this.#path, "capture from", "camera");
      }
    }
  }

  #teardown(): void {
    for (const f of this.#frames) f.held = false;
    this.#held = 0;
    this.#frames = [];
    if (this.#io !== "mmap" || this.#device.closed) return;
    try {
      this.#device.streamOff(CAPTURE);
    } catch {
      // Not streaming (start failed half-way) or the device is gone.
    }
    this.#device.unmapAll();
    try {
      this.#device.requestBuffers(CAPTURE, 0);
    } catch {
      // Buffers already freed.
    }
  }

  /**
   * Stops capture: STREAMOFF, unmap, free the buffers. Frames still held
   * become empty (their `data` has length 0). {@linkcode start} may be called again.
   */
  stop(): void {
    if (!this.#streaming) return;
    this.#streaming = false;
    this.#teardown();
  }

  /** Stops and closes the device; calling it again does nothing. */
  close(): void {
    if (this.#device.closed) return;
    this.stop();
    this.#device.close();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Runs a query, turning V4L2 errors into user-facing ones. */
function safely<T>(fn: () => T, path: string, action: string): T {
  try {
    return fn();
  } catch (error) {
    throw ioctlError(error, path, action, "camera");
  }
}

/** The "not a capture device" error, saying what the device is instead. */
export function notCaptureError(path: string, info: Capability): DeviceError {
  const caps = info.deviceCaps;
  const loopback = isLoopbackInfo(info);
  const what = loopback
    ? `it is the v4l2loopback device "${info.card}" and no program is writing to it ` +
      "(with exclusive_caps=1 it offers capture only while a writer streams)"
    : (caps & CAP.VIDEO_CAPTURE_MPLANE) !== 0
    ? `it is a multi-planar capture device ("${info.driver}"), which backscrub does not support`
    : (caps & CAP.VIDEO_OUTPUT) !== 0
    ? `it is an output device ("${info.card}", driver "${info.driver}")`
    : (caps & CAP.META_CAPTURE) !== 0
    ? `it is a metadata node of "${info.card}" (cameras often have two nodes)`
    : `it is not a video capture device ("${info.card}", driver "${info.driver}")`;
  return new DeviceError("not-capture", `Cannot capture from "${path}": ${what}`, {
    path,
    purpose: "camera",
  });
}

/**
 * Whether `VIDIOC_QUERYCAP` describes a v4l2loopback device (driver
 * `"v4l2 loopback"`, or bus info `platform:v4l2loopback-NNN`).
 *
 * @param info The capability.
 * @returns `true` for v4l2loopback.
 */
export function isLoopbackInfo(info: Capability): boolean {
  return info.driver === "v4l2 loopback" || info.busInfo.startsWith("platform:v4l2loopback");
}

function chooseFormat(
  device: VideoDevice,
  formats: FormatDescription[],
  current: PixFormat,
  size: { width: number; height: number },
  options: CameraOptions,
  path: string,
  warnings: string[],
): number {
  const offered = formats.map((f) => f.pixelformat);
  if (options.format !== undefined) {
    const wanted = parsePixelFormat(options.format);
    if (offered.length === 0 || offered.includes(wanted)) return wanted;
    const fallback = bestFormat(device, offered, size, options.fps);
    if (fallback === null) {
      throw noDecodableFormat(path, offered);
    }
    warnings.push(
      `"${path}" does not offer ${formatName(wanted)} (it offers ${
        offered.map(formatName).join(", ")
      }); using ${formatName(fallback)}`,
    );
    return fallback;
  }
  if (offered.length === 0) return current.pixelformat;
  const best = bestFormat(device, offered, size, options.fps);
  if (best === null) throw noDecodableFormat(path, offered);
  return best;
}

function noDecodableFormat(path: string, codes: readonly number[]): DeviceError {
  const offered = codes.map(formatName);
  return new DeviceError(
    "format",
    `Cannot capture from "${path}": it offers ${
      offered.join(", ") || "none"
    }, and backscrub reads ${DECODABLE.map(formatName).join(", ")}`,
    { path, purpose: "camera", offered },
  );
}

function bestFormat(
  device: VideoDevice,
  offered: number[],
  size: { width: number; height: number },
  fps: number | undefined,
): number | null {
  let best: number | null = null;
  let bestScore = -1;
  for (const code of CAPTURE_PREFERENCE) {
    if (!offered.includes(code)) continue;
    const score = support(device, code, size, fps);
    if (score > bestScore) {
      best = code;
      bestScore = score;
    }
  }
  return best;
}

function negotiateFps(
  device: VideoDevice,
  fps: number | undefined,
  path: string,
  warnings: string[],
): number | null {
  const before = safely(() => device.getParm(CAPTURE), path, "read the frame rate of");
  if (fps === undefined) return before === null ? null : fpsOf(before.timeperframe);
  if (!(fps > 0 && Number.isFinite(fps))) {
    throw new RangeError(`Cannot ask for ${fps} fps: use a positive number`);
  }
  if (before === null || (before.capability & CAP_TIMEPERFRAME) === 0) {
    const now = before === null ? null : fpsOf(before.timeperframe);
    warnings.push(
      `"${path}" cannot set its frame rate; it runs at ${
        now === null ? "an unknown rate" : fpsText(now)
      }, not ${fpsText(fps)}`,
    );
    return now;
  }
  // 1/fps as a fraction with an integer denominator (30 → 1/30, 12.5 → 2/25).
  const scale = Number.isInteger(fps) ? 1 : 1000;
  const after = safely(
    () => device.setParm(CAPTURE, { numerator: scale, denominator: Math.round(fps * scale) }),
    path,
    "set the frame rate of",
  );
  const got = after === null ? null : fpsOf(after.timeperframe);
  if (got === null) {
    warnings.push(`Asked "${path}" for ${fpsText(fps)}, it does not say what it gives`);
  } else if (!sameFps(got, fps)) {
    warnings.push(`Asked "${path}" for ${fpsText(fps)}, it gives ${fpsText(got)}`);
  }
  return got;
}

/**
 * What the driver would give for `size` in `code` (`VIDIOC_TRY_FMT`, which works while another
 * program streams); when it will not say, the camera's current format if it is that one, else
 * the request itself.
 */
function tryFormat(
  device: VideoDevice,
  size: { width: number; height: number },
  code: number,
  current: PixFormat,
): PixFormat {
  try {
    return device.setFormat(CAPTURE, { ...size, pixelformat: code, field: FIELD.NONE }, true);
  } catch {
    if (
      current.width === size.width && current.height === size.height &&
      current.pixelformat === code
    ) {
      return current;
    }
    return { ...current, ...size, pixelformat: code, bytesperline: 0, sizeimage: 0 };
  }
}

/** The camera's current rate, or `null` when the driver does not say. */
function currentFps(device: VideoDevice): number | null {
  try {
    const parm = device.getParm(CAPTURE);
    return parm === null ? null : fpsOf(parm.timeperframe);
  } catch {
    return null;
  }
}
