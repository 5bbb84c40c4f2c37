/**
 * The devices as pipeline stages (`src/pipeline/types.ts`): a camera as an RGB
 * `FrameSource` and the virtual camera as an RGB `FrameSink`.
 *
 * @module
 */

import type { YuvFrame } from "../image/planar.ts";
import type { FrameSink, FrameSource } from "../pipeline/types.ts";
import { rgbToI420, rgbToNv12, rgbToYuyv, yuyvTo420 } from "../image/yuv.ts";
import { Camera, type CameraOptions } from "./camera.ts";
import { FrameDecoder } from "./decode.ts";
import { DeviceError } from "./errors.ts";
import type { OutputFormat } from "./formats.ts";
import { Loopback } from "./loopback.ts";

/** Options for {@linkcode CameraSource.open}. */
export interface CameraSourceOptions extends CameraOptions {
  /** How long `read` waits for a decodable frame before it fails (default 5000 ms). */
  timeoutMs?: number;
  /** Called with each skipped-frame warning (one line); default: nothing. */
  onWarning?: (message: string) => void;
  /**
   * Once streaming, when no frame comes for this long `read` gives the last frame again (the
   * caller's buffer is left as it is) instead of waiting on, so that a virtual camera keeps
   * sending: Chromium ends a track that gets no frame for ~10 s. `timeoutMs` still ends a stall.
   */
  repeatAfterMs?: number;
  /** Hand back frames that come sooner than 1/maxFps after the last one (`--fps`). */
  maxFps?: number;
}

/**
 * A camera as the pipeline's RGB `FrameSource`: grabs a frame (waiting on a
 * worker thread, so the event loop stays free), decodes it into the caller's
 * buffer and hands it back. Corrupt MJPG frames are skipped.
 *
 * @example
 * ```ts
 * import { CameraSource } from "./pipeline.ts";
 *
 * const source = CameraSource.open("video0", { width: 640, height: 480, fps: 30 });
 * source.warnings.forEach((w) => console.warn(w));
 * const rgb = new Uint8Array(source.width * source.height * 3);
 * await source.read(rgb);
 * await source.close();
 * ```
 */
export class CameraSource implements FrameSource {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly description: string;
  readonly #camera: Camera;
  readonly #decoder: FrameDecoder;
  readonly #timeoutMs: number;
  readonly #repeatAfterMs: number;
  readonly #minIntervalMs: number;
  #lastFrameAt = -Infinity;
  #lastSeenAt = 0;
  #delivered = 0;
  /** Frames given again because the camera was silent. */
  repeated = 0;
  /** Milliseconds the last read spent decoding. */
  decodeMs = 0;

  private constructor(camera: Camera, decoder: FrameDecoder, options: CameraSourceOptions) {
    const n = camera.negotiated;
    this.#camera = camera;
    this.#decoder = decoder;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#repeatAfterMs = options.repeatAfterMs ?? Infinity;
    // A little slack so that a camera at exactly maxFps is not halved by jitter.
    this.#minIntervalMs = options.maxFps ? 1000 / options.maxFps - 3 : 0;
    this.width = n.width;
    this.height = n.height;
    this.fps = n.fps ?? 0;
    this.description = `${camera.path} (${camera.info.card}) ${n.width}x${n.height} ${n.fourcc}` +
      (n.fps === null ? "" : ` ${Number(n.fps.toFixed(3))} fps`);
  }

  /**
   * Opens the camera, negotiates, and starts streaming.
   *
   * @param spec The device (`/dev/video0`, `video0`, `0`).
   * @param options Size, rate, format, timeout and a warning callback.
   * @returns The source.
   * @throws {DeviceError} As {@linkcode Camera.open} and {@linkcode Camera.start}.
   */
  static open(spec: string, options: CameraSourceOptions = {}): CameraSource {
    const camera = Camera.open(spec, options);
    try {
      const decoder = new FrameDecoder(camera.negotiated, {
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      });
      camera.start();
      return new CameraSource(camera, decoder, options);
    } catch (error) {
      camera.close();
      throw error;
    }
  }

  /** The camera (negotiated format, warnings, stats). */
  get camera(): Camera {
    return this.#camera;
  }

  /** How the camera differs from the request. */
  get warnings(): readonly string[] {
    return this.#camera.warnings;
  }

  /** The decoder's counters (skipped corrupt frames). */
  get decodeStats(): FrameDecoder["stats"] {
    return this.#decoder.stats;
  }

  /**
   * Fills `into` with the next frame as RGB.
   *
   * @param into `width * height * 3` bytes.
   * @returns `true` (a camera does not end).
   * @throws {DeviceError} `"timeout"` when no decodable frame came in time.
   */
  async read(into: Uint8Array): Promise<boolean> {
    return await this.#next(into, null);
  }

  /**
   * Fills `into` with the next frame as full-range planar YCbCr (MJPG without colour
   * conversion, YUYV by one unpacking pass).
   *
   * @param into A frame of the camera's size (`makeYuvFrame(width, height)`).
   * @returns `true` (a camera does not end).
   * @throws {DeviceError} `"timeout"` when no decodable frame came in time.
   */
  async readYuv(into: YuvFrame): Promise<boolean> {
    return await this.#next(null, into);
  }

  /** The next decodable frame into `rgb` or, when that is null, into `yuv`. */
  async #next(rgb: Uint8Array | null, yuv: YuvFrame | null): Promise<boolean> {
    const start = performance.now();
    for (;;) {
      // A stall is counted from the last frame the camera gave (or from this call, at first).
      const deadline = (this.#delivered > 0 ? this.#lastSeenAt : start) + this.#timeoutMs;
      // Before the first frame there is nothing to repeat.
      const repeatAt = this.#delivered > 0 ? start + this.#repeatAfterMs : Infinity;
      const until = Math.min(deadline, repeatAt);
      const now = performance.now();
      const frame = until > now ? await this.#camera.grabAsync(until - now) : null;
      if (frame === null) {
        const t = performance.now();
        if (t >= deadline) {
          throw new DeviceError(
            "timeout",
            `Cannot read from "${this.#camera.path}": no usable frame for ${this.#timeoutMs} ms (is the camera covered by another program, or unplugged? backscrub devices shows it)`,
            { path: this.#camera.path },
          );
        }
        if (t >= repeatAt) {
          this.repeated++;
          return true; // the caller's buffer still holds the last frame
        }
        continue;
      }
      try {
        const t = performance.now();
        this.#lastSeenAt = t;
        if (t - this.#lastFrameAt < this.#minIntervalMs) continue;
        const decoded = rgb !== null
          ? this.#decoder.decode(frame.data, rgb) !== null
          : this.#decoder.decodeYuv(frame.data, yuv!);
        this.decodeMs = performance.now() - t;
        if (decoded) {
          this.#lastFrameAt = t;
          this.#delivered++;
          return true;
        }
      } finally {
        this.#camera.release(frame);
      }
    }
  }

  /**
   * Stops the camera while nobody needs frames (STREAMOFF, buffers freed): its light goes off and
   * no CPU is used; the device stays open and negotiated. Call it between reads. Idempotent.
   */
  pause(): void {
    this.#camera.stop();
  }

  /**
   * Starts the camera again after {@linkcode pause}. The next read waits for a new frame: nothing
   * from before the pause is repeated, and the stall limit (`timeoutMs`) counts from that read.
   *
   * @throws {DeviceError} When the camera cannot start (e.g. another program took it meanwhile).
   */
  resume(): void {
    if (this.#camera.streaming) return;
    this.#camera.start();
    this.#delivered = 0;
    this.#lastSeenAt = performance.now();
  }

  /** Stops and closes the camera. Idempotent. */
  close(): Promise<void> {
    this.#decoder.close();
    this.#camera.close();
    return Promise.resolve();
  }
}

/** Options for {@linkcode LoopbackSink.open}. */
export interface LoopbackSinkOptions {
  /** Frame width (even). */
  width: number;
  /** Frame height (even for I420 and NV12). */
  height: number;
  /** `"YUYV"` (default), `"I420"` or `"NV12"`. */
  format?: OutputFormat;
  /** Frame rate announced to readers (default 30). */
  fps?: number;
}

const TO_YUV = { YUYV: rgbToYuyv, I420: rgbToI420, NV12: rgbToNv12 } as const;

/**
 * The virtual camera as the pipeline's RGB `FrameSink`: converts each frame to
 * YUYV, I420 or NV12 (BT.601 limited range) in a buffer made once and writes it.
 *
 * @example
 * ```ts
 * import { LoopbackSink } from "./pipeline.ts";
 *
 * const sink = LoopbackSink.open(undefined, { width: 640, height: 480 });
 * await sink.write(new Uint8Array(640 * 480 * 3).fill(128));
 * await sink.close();
 * ```
 */
export class LoopbackSink implements FrameSink {
  readonly width: number;
  readonly height: number;
  readonly description: string;
  readonly #loopback: Loopback;
  readonly #yuv: Uint8Array;
  readonly #convert: (
    rgb: Uint8Array,
    out: Uint8Array,
    size: { width: number; height: number },
  ) => void;
  readonly #size: { width: number; height: number };
  /** Milliseconds the last write spent converting RGB to YUV. */
  convertMs = 0;
  /** The 4:2:0 layout the fast path's YUYV is repacked to, or null for a YUYV device. */
  readonly #repack: "i420" | "nv12" | null;

  private constructor(loopback: Loopback, format: OutputFormat) {
    const n = loopback.negotiated;
    this.#loopback = loopback;
    this.width = n.width;
    this.height = n.height;
    this.#size = { width: n.width, height: n.height };
    this.#yuv = new Uint8Array(n.frameBytes);
    this.#convert = TO_YUV[format];
    this.#repack = format === "I420" ? "i420" : format === "NV12" ? "nv12" : null;
    this.description = `${loopback.path} ${n.width}x${n.height} ${format}` +
      (n.fps === null ? "" : ` ${n.fps} fps`);
  }

  /**
   * Opens the virtual camera.
   *
   * @param spec The device, or `undefined` for the first v4l2loopback device.
   * @param options Size, format and rate.
   * @returns The sink.
   * @throws {DeviceError} As {@linkcode Loopback.open}.
   */
  static open(spec: string | undefined, options: LoopbackSinkOptions): LoopbackSink {
    const format = options.format ?? "YUYV";
    const loopback = Loopback.open(spec, { ...options, format });
    return new LoopbackSink(loopback, format);
  }

  /** The writer (negotiated format, warnings, frame count). */
  get loopback(): Loopback {
    return this.#loopback;
  }

  /**
   * Converts and writes one RGB frame.
   *
   * @param frame `width * height * 3` bytes.
   * @throws {DeviceError} When the device fails.
   */
  write(frame: Uint8Array): Promise<void> {
    const t = performance.now();
    this.#convert(frame, this.#yuv, this.#size);
    this.convertMs = performance.now() - t;
    this.#loopback.write(this.#yuv);
    return Promise.resolve();
  }

  /**
   * Writes a frame already packed as YUYV (the loop's fast path): as it is to a YUYV device,
   * repacked to I420 or NV12 (one cheap pass) otherwise.
   *
   * @param yuyv `width * height * 2` bytes.
   * @throws {DeviceError} When the device fails.
   */
  writeYuyv(yuyv: Uint8Array): Promise<void> {
    if (this.#repack === null) {
      this.convertMs = 0;
      this.#loopback.write(yuyv);
    } else {
      const t = performance.now();
      yuyvTo420(yuyv, this.#yuv, this.#repack, this.#size);
      this.convertMs = performance.now() - t;
      this.#loopback.write(this.#yuv);
    }
    return Promise.resolve();
  }

  /** Closes the device. Idempotent. */
  close(): Promise<void> {
    this.#loopback.close();
    return Promise.resolve();
  }
}
