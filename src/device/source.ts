/**
 * The `CaptureSource` interface (raw camera frames viewed in place: a
 * {@linkcode Camera} or frames in memory) and {@linkcode MemoryCapture}, an
 * in-memory source for tests and replays. The pipeline's RGB `FrameSource`
 * (`src/pipeline/types.ts`) sits one level up: `CameraSource` in `pipeline.ts`
 * adapts a camera to it.
 *
 * @module
 */

/** How the pixels are encoded: V4L2's colorimetry fields (`enum v4l2_*` values). */
export interface Colorimetry {
  /** `enum v4l2_colorspace` (1 SMPTE170M, 3 REC709, 8 SRGB, 0 default). */
  colorspace: number;
  /** `enum v4l2_ycbcr_encoding` (1 BT.601, 2 BT.709, 0 default = 601 for SD/sRGB). */
  ycbcrEnc: number;
  /** `enum v4l2_quantization` (1 full, 2 limited, 0 default). */
  quantization: number;
  /** `enum v4l2_xfer_func` (0 default). */
  xferFunc: number;
}

/** What a source really delivers (not what was asked for). */
export interface Negotiated {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** The pixel format as text, e.g. `"YUYV"`, `"MJPG"`. */
  fourcc: string;
  /** The FourCC code. */
  pixelformat: number;
  /** Frames per second, or `null` when the driver does not say. */
  fps: number | null;
  /** Bytes per row of the first plane (0 for compressed formats). */
  bytesperline: number;
  /** The largest frame in bytes. */
  sizeimage: number;
  /** The colorimetry the driver reports. */
  colorimetry: Colorimetry;
}

/**
 * One frame. It views the source's buffer in place: read it, then hand it back
 * with {@linkcode CaptureSource.release}; after that (or after `stop()`) its
 * bytes belong to the source again (a stale `data` of a mapped buffer reads as
 * empty once unmapped).
 */
export interface Frame {
  /** The frame bytes (`bytesused` of the buffer). */
  readonly data: Uint8Array;
  /** The source's frame counter (gaps mean dropped frames). */
  readonly sequence: number;
  /** Capture time in microseconds (the driver's clock, usually monotonic). */
  readonly timestampUs: number;
}

/** A source of frames, e.g. a {@linkcode Camera} or a {@linkcode MemoryCapture}. */
export interface CaptureSource {
  /** What the source delivers. */
  readonly negotiated: Negotiated;
  /** Differences between what was asked for and what the source gives. */
  readonly warnings: readonly string[];
  /** Starts delivering frames. */
  start(): void;
  /**
   * Waits up to `timeoutMs` for the next frame.
   *
   * @returns The frame, or `null` when none came in time.
   */
  grab(timeoutMs: number): Frame | null;
  /** Hands a frame back (calling it twice does nothing). */
  release(frame: Frame): void;
  /** Stops delivering frames (frames still held become invalid). */
  stop(): void;
  /** Stops and frees everything; calling it again does nothing. */
  close(): void;
}

/** A frame of a {@linkcode MemoryCapture}. */
class MemoryFrame implements Frame {
  data: Uint8Array = new Uint8Array(0);
  sequence = 0;
  timestampUs = 0;
  held = false;
}

/** Options for {@linkcode MemoryCapture}. */
export interface MemoryCaptureOptions {
  /** Start again at the first frame after the last (default `false`: then `grab` returns `null`). */
  loop?: boolean;
  /** Warnings to report, as a camera would. */
  warnings?: string[];
}

/**
 * A {@linkcode CaptureSource} over frames held in memory (e.g. JPEG files as MJPG
 * frames, or YUYV bytes), for tests and replays. `grab` never waits.
 *
 * @example
 * ```ts
 * import { MemoryCapture } from "./source.ts";
 *
 * const frame = new Uint8Array(4 * 2 * 2).fill(128);
 * const source = new MemoryCapture([frame], {
 *   width: 4, height: 2, fourcc: "YUYV", pixelformat: 0x56595559, fps: 30,
 *   bytesperline: 8, sizeimage: 16,
 *   colorimetry: { colorspace: 1, ycbcrEnc: 1, quantization: 2, xferFunc: 0 },
 * });
 * source.start();
 * const f = source.grab(0)!;
 * source.release(f);
 * ```
 */
export class MemoryCapture implements CaptureSource {
  readonly negotiated: Negotiated;
  readonly warnings: readonly string[];
  readonly #frames: readonly Uint8Array[];
  readonly #loop: boolean;
  readonly #frame = new MemoryFrame();
  #next = 0;
  #sequence = 0;
  #running = false;

  /**
   * Creates the source.
   *
   * @param frames The frames, in order (not copied).
   * @param negotiated What they are.
   * @param options Looping and warnings.
   */
  constructor(
    frames: readonly Uint8Array[],
    negotiated: Negotiated,
    options: MemoryCaptureOptions = {},
  ) {
    this.#frames = frames;
    this.negotiated = negotiated;
    this.warnings = options.warnings ?? [];
    this.#loop = options.loop ?? false;
  }

  /** Starts (again from the first frame). */
  start(): void {
    this.#running = true;
    this.#next = 0;
  }

  /**
   * The next frame.
   *
   * @param _timeoutMs Ignored: frames are always ready.
   * @returns The frame, or `null` at the end (or while stopped).
   * @throws {Error} When the previous frame was not released.
   */
  grab(_timeoutMs: number): Frame | null {
    if (!this.#running) return null;
    if (this.#frame.held) {
      throw new Error(
        "Cannot grab a frame: release the previous one first (MemoryCapture holds one)",
      );
    }
    if (this.#next >= this.#frames.length) {
      if (!this.#loop || this.#frames.length === 0) return null;
      this.#next = 0;
    }
    const f = this.#frame;
    f.data = this.#frames[this.#next++]!;
    f.sequence = this.#sequence++;
    f.timestampUs = Math.round(performance.now() * 1000);
    f.held = true;
    return f;
  }

  /** Hands the frame back. */
  release(frame: Frame): void {
    if (frame === this.#frame) this.#frame.held = false;
  }

  /** Stops. */
  stop(): void {
    this.#running = false;
    this.#frame.held = false;
  }

  /** Same as {@linkcode stop}. */
  close(): void {
    this.stop();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
