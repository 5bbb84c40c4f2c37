/**
 * {@linkcode MemoryCapture}: a capture device over buffers in memory, for tests and replays.
 *
 * @module
 */

import type { CapturedBuffer, CaptureDevice, Negotiated } from "../../src/device/capture.ts";

/** A frame of a {@linkcode MemoryCapture}. */
class MemoryFrame implements CapturedBuffer {
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
 * A {@linkcode CaptureDevice} over frames held in memory (e.g. JPEG files as MJPG
 * frames, or YUYV bytes), for tests and replays. `grab` never waits.
 *
 * @example
 * ```ts
 * import { MemoryCapture } from "./memory_capture.ts";
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
export class MemoryCapture implements CaptureDevice {
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
  grab(_timeoutMs: number): CapturedBuffer | null {
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
  release(frame: CapturedBuffer): void {
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
