/**
 * {@linkcode Loopback}: the virtual camera. Writes whole frames to a
 * v4l2loopback device with `write()`, in YUYV (default), I420 or NV12, BT.601
 * limited range.
 *
 * @module
 */

import {
  BUF_TYPE,
  CAP,
  COLORSPACE,
  ERRNO,
  FIELD,
  POLL,
  QUANTIZATION,
  V4l2Error,
  VideoDevice,
  YCBCR_ENC,
} from "../../ffi/v4l2/mod.ts";
import { isLoopbackInfo } from "./camera.ts";
import { busyError, DeviceError, ioctlError, openError } from "./errors.ts";
import {
  devicePath,
  formatName,
  type OutputFormat,
  outputPixelFormat,
  rawFrameBytes,
} from "./formats.ts";
import { defaultLoopback } from "./list.ts";
import type { Negotiated } from "./capture.ts";

const OUTPUT = BUF_TYPE.VIDEO_OUTPUT;

/**
 * `VIDIOC_STREAMON` on the output before writing with `write()`.
 *
 * v4l2loopback 0.12.7 marks a handle as the writer only on output STREAMON,
 * not on `write()`; when a handle that only wrote closes, the device never
 * announces its output capability again (with `exclusive_caps=1` no later
 * writer can open it until the module is reloaded). STREAMON also makes the
 * capture side appear at once, before the first frame. Drivers that refuse
 * STREAMON without buffers (`EINVAL`) still take `write()`.
 */
function markWriter(device: VideoDevice): void {
  try {
    device.streamOn(OUTPUT);
  } catch (error) {
    if (
      error instanceof V4l2Error && (error.errno === ERRNO.EINVAL || error.errno === ERRNO.ENOTTY)
    ) return;
    throw error;
  }
}

/** Options for {@linkcode Loopback.open}. */
export interface LoopbackOptions {
  /** Frame width (even). */
  width: number;
  /** Frame height (even for I420 and NV12). */
  height: number;
  /**
   * Pixel format (default `"YUYV"`). `"MJPG"` writes JPEG frames as they are;
   * it exists for tests (Chromium does not list MJPG virtual cameras).
   */
  format?: OutputFormat | "MJPG";
  /** Frame rate announced to readers (default 30). */
  fps?: number;
  /** An explicit libv4l2 path. */
  libraryPath?: string;
}

/** What the loopback device accepted. */
export interface LoopbackNegotiated extends Negotiated {
  /** Bytes of one frame as {@linkcode Loopback.write} expects it (raw formats). */
  frameBytes: number;
}

/**
 * A v4l2loopback output. The handle stays open for the writer's lifetime:
 * v4l2loopback 0.12.7 forgets the format when the last handle closes, and
 * with `exclusive_caps=1` readers see a capture device only while a writer
 * holds it. `open` issues an output STREAMON (see `markWriter` in the source)
 * so readers see the camera at once and the device takes a new writer after
 * this one closes; frames then go out with `write()`.
 *
 * Readers block when frames stop (Chromium drops the track after ~10 s): keep
 * writing, e.g. repeat the last frame, while the source stalls.
 *
 * Colorimetry: the format is declared as BT.601 (`V4L2_COLORSPACE_SMPTE170M`,
 * `V4L2_YCBCR_ENC_601`, `V4L2_QUANTIZATION_LIM_RANGE`), which is what
 * `src/image/yuv.ts` produces. v4l2loopback 0.12.7 keeps the encoding and the
 * range but overwrites the colorspace with sRGB; `negotiated.colorimetry`
 * shows what the driver kept.
 *
 * @example
 * ```ts
 * import { Loopback } from "./loopback.ts";
 * import { rgbToYuyv } from "../image/yuv.ts";
 *
 * using out = Loopback.open(undefined, { width: 640, height: 480, fps: 30 });
 * const rgb = new Uint8Array(640 * 480 * 3).fill(200);
 * const yuyv = new Uint8Array(out.negotiated.frameBytes);
 * rgbToYuyv(rgb, yuyv, { width: 640, height: 480 });
 * out.write(yuyv);
 * ```
 */
export class Loopback {
  readonly #device: VideoDevice;
  readonly #negotiated: LoopbackNegotiated;
  readonly #warnings: readonly string[];
  readonly #raw: boolean;
  #frames = 0;

  private constructor(
    device: VideoDevice,
    negotiated: LoopbackNegotiated,
    warnings: string[],
    raw: boolean,
  ) {
    this.#device = device;
    this.#negotiated = negotiated;
    this.#warnings = warnings;
    this.#raw = raw;
  }

  /**
   * Opens the virtual camera and sets its format and frame rate.
   *
   * @param spec The device (`/dev/video10`, `video10`, `10`), or `undefined`
   *   for the first v4l2loopback device.
   * @param options Size, format and rate.
   * @returns The writer.
   * @throws {DeviceError} When there is no loopback device, the device is not
   *   an output, another program writes to it, or it cannot be opened.
   */
  static open(spec: string | undefined, options: LoopbackOptions): Loopback {
    let path: string;
    if (spec === undefined) {
      const found = defaultLoopback(options.libraryPath);
      if (found === null) {
        throw new DeviceError("no-loopback", "No v4l2loopback device found", {
          purpose: "virtual",
        });
      }
      path = found;
    } else {
      path = devicePath(spec);
    }
    const format = options.format ?? "YUYV";
    const code = outputPixelFormat(format);
    const { width, height } = options;
    const raw = format !== "MJPG";
    const frameBytes = rawFrameBytes(code, { width, height });
    if (
      !Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 ||
      width % 2 !== 0 || (format !== "YUYV" && height % 2 !== 0)
    ) {
      throw new RangeError(
        `Cannot write ${width}x${height} ${format} frames: use an even width${
          format === "YUYV" ? "" : " and height"
        }`,
      );
    }
    let device: VideoDevice;
    try {
      device = VideoDevice.open(path, {
        ...(options.libraryPath === undefined ? {} : { libraryPath: options.libraryPath }),
      });
    } catch (error) {
      throw openError(error, path, "virtual");
    }
    try {
      const info = device.queryCap();
      if ((info.deviceCaps & CAP.VIDEO_OUTPUT) === 0) {
        if (isLoopbackInfo(info)) {
          throw busyError(
            `Cannot write to "${path}": another program is already writing to this virtual camera`,
            path,
            "virtual",
          );
        }
        throw new DeviceError(
          "not-output",
          `Cannot write to "${path}": it is not a v4l2loopback output ("${info.card}", driver "${info.driver}")`,
          { path, purpose: "virtual" },
        );
      }
      const warnings: string[] = [];
      const got = device.setFormat(OUTPUT, {
        width,
        height,
        pixelformat: code,
        field: FIELD.NONE,
        bytesperline: raw && format === "YUYV" ? width * 2 : raw ? width : 0,
        sizeimage: frameBytes ?? width * height * 2,
        colorspace: COLORSPACE.SMPTE170M,
        ycbcrEnc: YCBCR_ENC.ENC_601,
        quantization: QUANTIZATION.LIM_RANGE,
      });
      if (got.width !== width || got.height !== height || got.pixelformat !== code) {
        // v4l2loopback keeps the format of a writer that is still streaming
        // (or of keep_format=1); frames of another size would be garbage.
        const fixedAt = `${got.width}x${got.height} ${formatName(got.pixelformat)}`;
        throw new DeviceError(
          "busy",
          `Cannot write ${width}x${height} ${
            formatName(code)
          } to "${path}": it is fixed at ${fixedAt} (another writer or keep_format=1 holds it)`,
          { path, purpose: "virtual", fixedAt },
        );
      }
      if (
        raw && (got.ycbcrEnc !== YCBCR_ENC.ENC_601 || got.quantization !== QUANTIZATION.LIM_RANGE)
      ) {
        warnings.push(
          `"${path}" did not keep the BT.601 limited-range colorimetry (ycbcr_enc ${got.ycbcrEnc}, quantization ${got.quantization}); readers may show slightly wrong colours`,
        );
      }
      const fps = options.fps ?? 30;
      if (!(fps > 0 && Number.isFinite(fps))) {
        throw new RangeError(`Cannot announce ${fps} fps: use a positive number`);
      }
      const scale = Number.isInteger(fps) ? 1 : 1000;
      const parm = device.setParm(OUTPUT, {
        numerator: scale,
        denominator: Math.round(fps * scale),
      });
      const gotFps = parm !== null && parm.timeperframe.numerator > 0
        ? parm.timeperframe.denominator / parm.timeperframe.numerator
        : null;
      if (gotFps !== null && Math.abs(gotFps - fps) > 0.01 * fps) {
        warnings.push(`Asked "${path}" to announce ${fps} fps, it announces ${gotFps} fps`);
      }
      markWriter(device);
      const negotiated: LoopbackNegotiated = {
        width: got.width,
        height: got.height,
        fourcc: formatName(got.pixelformat),
        pixelformat: got.pixelformat,
        fps: gotFps,
        bytesperline: got.bytesperline,
        sizeimage: got.sizeimage,
        colorimetry: {
          colorspace: got.colorspace,
          ycbcrEnc: got.ycbcrEnc,
          quantization: got.quantization,
          xferFunc: got.xferFunc,
        },
        frameBytes: frameBytes ?? got.sizeimage,
      };
      return new Loopback(device, negotiated, warnings, raw);
    } catch (error) {
      device.close();
      throw error instanceof V4l2Error
        ? ioctlError(error, path, "set up the virtual camera", "virtual")
        : error;
    }
  }

  /** The device path. */
  get path(): string {
    return this.#device.path;
  }

  /** What the device accepted. */
  get negotiated(): LoopbackNegotiated {
    return this.#negotiated;
  }

  /** How the result differs from the request (one line each). */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /** Frames written. */
  get frames(): number {
    return this.#frames;
  }

  /**
   * Writes one whole frame. Partial writes continue at the offset; `EINTR`
   * is retried; `EAGAIN` waits (poll) for room up to `timeoutMs`.
   *
   * @param frame Exactly `negotiated.frameBytes` bytes (raw formats), or one
   *   JPEG of at most `negotiated.sizeimage` bytes (`"MJPG"`).
   * @param timeoutMs How long to wait for room (default 1000 ms).
   * @throws {RangeError} When the frame has the wrong size.
   * @throws {DeviceError} When the device fails or stays full past the timeout.
   */
  write(frame: Uint8Array, timeoutMs = 1000): void {
    const n = this.#negotiated;
    if (this.#raw ? frame.length !== n.frameBytes : frame.length > n.sizeimage) {
      throw new RangeError(
        `Cannot write a ${frame.length}-byte frame to "${this.path}": ${n.width}x${n.height} ${n.fourcc} takes ${
          this.#raw ? "exactly " + n.frameBytes : "at most " + n.sizeimage
        } bytes`,
      );
    }
    const device = this.#device;
    const deadline = performance.now() + timeoutMs;
    let offset = 0;
    try {
      while (offset < frame.length) {
        const chunk = offset === 0 ? frame : frame.subarray(offset);
        const written = device.write(chunk);
        if (written === null) {
          const remaining = deadline - performance.now();
          if (remaining <= 0 || device.poll(POLL.OUT, remaining) === 0) {
            throw new DeviceError(
              "timeout",
              `Cannot write to "${this.path}": it took no data for ${timeoutMs} ms`,
              { path: this.path, purpose: "virtual" },
            );
          }
          continue;
        }
        if (written === 0) {
          throw new DeviceError("io", `Cannot write to "${this.path}": the driver took 0 bytes`, {
            path: this.path,
            purpose: "virtual",
          });
        }
        offset += written;
      }
    } catch (error) {
      throw error instanceof V4l2Error
        ? ioctlError(error, this.path, "write to", "virtual")
        : error;
    }
    this.#frames++;
  }

  /** Closes the device (readers stop getting frames); calling it again does nothing. */
  close(): void {
    this.#device.close();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
