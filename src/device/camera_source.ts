/**
 * {@linkcode CameraSource}: a camera as the pipeline's `FrameSource` (`src/frame/stages.ts`). It
 * waits for frames off the event loop, decodes them into the caller's planar frame, skips corrupt
 * ones, ends a stall with an error, repeats the last frame while the camera is silent, paces the
 * output to a maximum frame rate (changeable while running) and can stop the camera while nobody
 * needs frames.
 *
 * @module
 */

import type { Frame, FrameSource, FrameTiming, Size, WorkingLayout } from "../frame/mod.ts";
import { Camera, type CameraOptions } from "./camera.ts";
import { type DecodeStats, type DecodeWarningKind, FrameDecoder } from "./decode.ts";
import { DeviceError } from "./errors.ts";

/**
 * What {@linkcode CameraSource} uses of a camera: a {@linkcode Camera}, or a stand-in with the
 * same members (tests).
 */
export type CameraLike =
  & Pick<
    Camera,
    | "path"
    | "negotiated"
    | "warnings"
    | "streaming"
    | "grabAsync"
    | "release"
    | "start"
    | "stop"
    | "close"
  >
  & {
    /** The driver's capability; its card name goes into the description. */
    readonly info: { readonly card: string };
  };

/** Options for {@linkcode CameraSource.open} and {@linkcode CameraSource.wrap}. */
export interface CameraSourceOptions extends CameraOptions {
  /** How long `read` waits for a decodable frame before it fails (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Called with each skipped- or damaged-frame warning (one line) and its kind (see
   * `FrameDecoderOptions.onWarning`); default: nothing.
   */
  onWarning?: (message: string, kind: DecodeWarningKind) => void;
  /**
   * Once streaming, when no frame comes for this long `read` gives the last frame again (the
   * caller's frame is left as it is) instead of waiting on, so that a virtual camera keeps
   * sending: Chromium ends a track that gets no frame for ~10 s. `timeoutMs` still ends a stall.
   */
  repeatAfterMs?: number;
  /**
   * Hand back no more than this many frames per second: frames that come sooner than 1/maxFps
   * after the last one are dropped (default `null`: every frame). See
   * {@linkcode CameraSource.setMaxFps}.
   */
  maxFps?: number | null;
  /**
   * The layout of the frames `read` will fill (default `"422"`): `"444"` makes the decoder's
   * 4:2:2 scratch frame now rather than on the first read.
   */
  layout?: WorkingLayout;
  /** Use libjpeg-turbo's fast DCT and upsampling for MJPG (slightly lower quality). */
  fastJpeg?: boolean;
  /**
   * Whether {@linkcode CameraSource.wrap} starts the camera (default `true`); `false` leaves that
   * to {@linkcode CameraSource.resume} (a camera that may be busy: its start fails until then).
   */
  start?: boolean;
}

/**
 * A camera as the pipeline's `FrameSource`: grabs a frame (waiting on a worker thread, so the
 * event loop stays free), decodes it into the caller's {@linkcode Frame} and hands it back.
 * Corrupt MJPG frames are skipped. Into a `"422"` frame a camera's frame goes without colour
 * conversion (MJPG as 4:2:2 or 4:2:0 planes, YUYV unpacked, NV12/YU12 as 4:2:0 planes); a
 * `"444"` frame (a camera recorded to a file) gets one conversion more.
 *
 * @example
 * ```ts
 * import { FrameTiming, makeFrame } from "../frame/mod.ts";
 * import { CameraSource } from "./camera_source.ts";
 *
 * const source = CameraSource.open("video0", { width: 640, height: 480, fps: 30 });
 * source.warnings.forEach((w) => console.warn(w));
 * const frame = makeFrame(source.size, "422");
 * const timing = new FrameTiming();
 * await source.read(frame, timing);
 * console.log(frame.layout, timing.decode); // e.g. "422" 0.4
 * source.setMaxFps(15); // from the next read on
 * await source.close();
 * ```
 */
export class CameraSource implements FrameSource {
  /** The negotiated frame size. */
  readonly size: Size;
  /** The negotiated frame rate (0 when the driver does not say). */
  readonly fps: number;
  /** E.g. `/dev/video0 (vivid) 640x480 YUYV 30 fps`. */
  readonly description: string;
  readonly #camera: CameraLike;
  readonly #decoder: FrameDecoder;
  readonly #timeoutMs: number;
  readonly #repeatAfterMs: number;
  #maxFps: number | null = null;
  /** With a rate limit: when the next frame is due, on the frames' own clock (ms). */
  #due = -Infinity;
  #lastSeenAt = 0;
  #delivered = 0;
  /** Frames given again because the camera was silent. */
  repeated = 0;

  private constructor(camera: CameraLike, decoder: FrameDecoder, options: CameraSourceOptions) {
    const n = camera.negotiated;
    this.#camera = camera;
    this.#decoder = decoder;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#repeatAfterMs = options.repeatAfterMs ?? Infinity;
    this.setMaxFps(options.maxFps ?? null);
    this.size = { width: n.width, height: n.height };
    this.fps = n.fps ?? 0;
    this.description = `${camera.path} (${camera.info.card}) ${n.width}x${n.height} ${n.fourcc}` +
      (n.fps === null ? "" : ` ${Number(n.fps.toFixed(3))} fps`);
  }

  /**
   * Opens the camera, negotiates, and starts streaming.
   *
   * @param spec The device (`/dev/video0`, `video0`, `0`).
   * @param options Size, rate, format, timeouts, pacing, layout and a warning callback.
   * @returns The source.
   * @throws {DeviceError} As {@linkcode Camera.open} and {@linkcode Camera.start}; `"format"` or
   *   `"size"` when the negotiated format cannot be decoded.
   * @throws {RangeError} For a `maxFps` that is not a positive number.
   */
  static open(spec: string, options: CameraSourceOptions = {}): CameraSource {
    return CameraSource.wrap(Camera.open(spec, options), options);
  }

  /**
   * Makes a source of a camera that is open and negotiated (not started), and starts it (unless
   * `start` is `false`). The source owns it from then on: on failure, and by {@linkcode close},
   * the camera is closed.
   *
   * @param camera The camera (or a stand-in, in tests).
   * @param options Timeouts, pacing, layout and a warning callback (the camera options are not
   *   used: it is negotiated already).
   * @returns The source.
   * @throws {DeviceError} As {@linkcode Camera.start}; `"format"` or `"size"` when the negotiated
   *   format cannot be decoded.
   * @throws {RangeError} For a `maxFps` that is not a positive number.
   */
  static wrap(camera: CameraLike, options: CameraSourceOptions = {}): CameraSource {
    try {
      const decoder = new FrameDecoder(camera.negotiated, {
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        ...(options.fastJpeg === undefined ? {} : { fastJpeg: options.fastJpeg }),
        ...(options.layout === undefined ? {} : { layout: options.layout }),
      });
      try {
        const source = new CameraSource(camera, decoder, options);
        if (options.start ?? true) camera.start();
        return source;
      } catch (error) {
        decoder.close();
        throw error;
      }
    } catch (error) {
      camera.close();
      throw error;
    }
  }

  /** The camera (negotiated format, warnings). */
  get camera(): CameraLike {
    return this.#camera;
  }

  /** How the camera differs from the request. */
  get warnings(): readonly string[] {
    return this.#camera.warnings;
  }

  /** The decoder's counters (skipped corrupt frames). */
  get decodeStats(): Readonly<DecodeStats> {
    return this.#decoder.stats;
  }

  /** The frame-rate limit, or `null` for none. */
  get maxFps(): number | null {
    return this.#maxFps;
  }

  /**
   * Changes the frame-rate limit from the next read on (call it between reads, e.g. for a live
   * settings change): frames that come sooner than 1/`fps` after the last one handed back are
   * dropped. The camera's own rate is not renegotiated: a limit above it changes nothing.
   *
   * @param fps Frames per second, or `null` for no limit.
   * @throws {RangeError} When `fps` is not a positive finite number.
   */
  setMaxFps(fps: number | null): void {
    if (fps !== null && !(Number.isFinite(fps) && fps > 0)) {
      throw new RangeError(`Cannot limit the frame rate to ${fps} fps: it must be above 0`);
    }
    this.#maxFps = fps;
    this.#due = -Infinity;
  }

  /**
   * Fills `into` with the next decodable frame: a `"422"` frame comes back `"422"` or `"420"`
   * (as the camera sends it), a `"444"` frame stays `"444"`. Sets `timing.decode` (the time spent
   * decoding during this read, skipped frames included; 0 for a repeated frame).
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @returns `true` (a camera does not end).
   * @throws {DeviceError} `"timeout"` (purpose `"camera"`, the path) when no decodable frame came
   *   for `timeoutMs`.
   * @throws {RangeError} When `into` has another size.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const start = performance.now();
    timing.decode = 0;
    for (;;) {
      // A stall is counted from the last frame the camera gave (or from this call, at first).
      const deadline = (this.#delivered > 0 ? this.#lastSeenAt : start) + this.#timeoutMs;
      // Before the first frame there is nothing to repeat.
      const repeatAt = this.#delivered > 0 ? start + this.#repeatAfterMs : Infinity;
      const until = Math.min(deadline, repeatAt);
      if (await this.next(into, timing, until - performance.now())) return true;
      const t = performance.now();
      if (t >= deadline) {
        throw new DeviceError(
          "timeout",
          `Cannot read from "${this.#camera.path}": no usable frame for ${this.#timeoutMs} ms`,
          { path: this.#camera.path, purpose: "camera" },
        );
      }
      if (t >= repeatAt) {
        this.repeated++;
        return true; // the caller's frame still holds the last frame
      }
    }
  }

  /**
   * Waits at most `waitMs` for the next decodable frame (the rate limit applies) and decodes it
   * into `into`, adding the time spent decoding to `timing.decode`. Unlike {@linkcode read} it
   * neither repeats a frame nor ends a stall: the caller decides what a silent camera means
   * (`ResilientSource`). A frame that is ready is taken even when `waitMs` is 0.
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @param waitMs How long to wait at most.
   * @returns `true` when `into` holds a new frame; `false` when none came in time (`into` is
   *   left as it was).
   * @throws {DeviceError} When the camera fails or disappears.
   * @throws {RangeError} When `into` has another size.
   */
  async next(into: Frame, timing: FrameTiming, waitMs: number): Promise<boolean> {
    const until = performance.now() + Math.max(0, waitMs);
    if (Number.isNaN(timing.decode)) timing.decode = 0;
    for (;;) {
      const frame = await this.#camera.grabAsync(Math.max(0, until - performance.now()));
      if (frame === null) return false;
      try {
        const t = performance.now();
        this.#lastSeenAt = t;
        // The camera's own timestamp (when it took the frame) paces the limit; arrival times
        // carry the scheduler's jitter.
        const at = frame.timestampUs > 0 ? frame.timestampUs / 1000 : t;
        if (this.#maxFps === null || this.#isDue(at)) {
          const decoded = this.#decoder.decode(frame.data, into);
          timing.decode += performance.now() - t;
          if (decoded) {
            if (this.#maxFps !== null) this.#advance(at);
            this.#delivered++;
            return true;
          }
        }
      } finally {
        this.#camera.release(frame);
      }
      if (performance.now() >= until) return false;
    }
  }

  /**
   * Whether a frame taken at `at` (ms) is due under the rate limit. A frame a quarter of the
   * camera's interval early still counts (timestamps jitter); a clock that went back (a restarted
   * stream) starts the schedule again.
   */
  #isDue(at: number): boolean {
    const camera = this.fps > 0 ? 1000 / this.fps : 1000 / this.#maxFps!;
    if (at < this.#due - 1000) this.#due = -Infinity;
    return at >= this.#due - camera / 4;
  }

  /**
   * Schedules the next frame one period after this one was due, so that the limit holds on
   * average (10 fps from a 30 fps camera: every third frame); after a gap, from this frame on (no
   * burst to catch up).
   */
  #advance(at: number): void {
    const period = 1000 / this.#maxFps!;
    const camera = this.fps > 0 ? 1000 / this.fps : period;
    this.#due = this.#due === -Infinity
      ? at + period
      : Math.max(this.#due + period, at + period - camera);
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
    this.#due = -Infinity;
    this.#lastSeenAt = performance.now();
  }

  /** Stops and closes the camera. Idempotent. */
  close(): Promise<void> {
    this.#decoder.close();
    this.#camera.close();
    return Promise.resolve();
  }
}
