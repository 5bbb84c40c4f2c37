/**
 * In-memory stages: a source that plays frames from memory (tests, benchmarks, the demo) and a
 * sink that keeps the last frame and counts (tests, benchmarks).
 *
 * @module
 */

import { rgbToPlanar, type YuvFrame } from "../image/planar.ts";
import type { FrameSink, FrameSource } from "./types.ts";

/** Plays RGB frames from memory, looping, for a number of frames. */
export class MemorySource implements FrameSource {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly description: string;
  readonly #frames: readonly Uint8Array[];
  readonly #count: number;
  #next = 0;

  /**
   * @param frames RGB frames of `width × height × 3` bytes, played in order and looped
   * @param options the frame size, how many frames to give in all (default: each once), fps, and
   *   `yuv: true` to offer `readYuv` as a camera does
   */
  constructor(
    frames: readonly Uint8Array[],
    options: { width: number; height: number; count?: number; fps?: number; yuv?: boolean },
  ) {
    if (options.yuv) {
      this.readYuv = (into: YuvFrame): Promise<boolean> => {
        if (this.#next >= this.#count) return Promise.resolve(false);
        rgbToPlanar(this.#frames[this.#next % this.#frames.length]!, into);
        this.#next++;
        return Promise.resolve(true);
      };
    }
    this.width = options.width;
    this.height = options.height;
    this.fps = options.fps ?? 30;
    this.#frames = frames;
    this.#count = options.count ?? frames.length;
    for (const f of frames) {
      if (f.length !== this.width * this.height * 3) {
        throw new RangeError(
          `A memory frame has ${f.length} bytes, not ${this.width}x${this.height}x3`,
        );
      }
    }
    this.description = `memory ${this.width}x${this.height}, ${this.#count} frames`;
  }

  /** With `yuv: true`: gives the next frame as planar YCbCr, like a camera (the fast path). */
  readonly readYuv?: (into: YuvFrame) => Promise<boolean>;

  /** Copies the next frame into `into`; false after `count` frames. */
  read(into: Uint8Array): Promise<boolean> {
    if (this.#next >= this.#count) return Promise.resolve(false);
    into.set(this.#frames[this.#next % this.#frames.length]!);
    this.#next++;
    return Promise.resolve(true);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Keeps a copy of the last frame written and counts frames. */
export class MemorySink implements FrameSink {
  readonly width: number;
  readonly height: number;
  readonly description: string;
  /** The last frame written. */
  readonly last: Uint8Array;
  /** Frames written. */
  frames = 0;
  /** Whether close() was called. */
  closed = false;
  /** The last YUYV frame written through {@linkcode writeYuyv} (with `yuyv: true`). */
  readonly lastYuyv: Uint8Array;
  /** Frames written as YUYV. */
  yuyvFrames = 0;
  /** With `yuyv: true`: takes frames packed as YUYV, like the virtual camera (the fast path). */
  readonly writeYuyv?: (yuyv: Uint8Array) => Promise<void>;
  readonly #onFrame: ((frame: Uint8Array, index: number) => void) | undefined;

  /**
   * @param size the output size; `yuyv: true` offers `writeYuyv` as the virtual camera does
   * @param onFrame called with each frame (valid only during the call)
   */
  constructor(
    size: { width: number; height: number; yuyv?: boolean },
    onFrame?: (frame: Uint8Array, index: number) => void,
  ) {
    this.lastYuyv = new Uint8Array(size.yuyv ? size.width * size.height * 2 : 0);
    if (size.yuyv) {
      this.writeYuyv = (yuyv: Uint8Array): Promise<void> => {
        this.lastYuyv.set(yuyv);
        this.yuyvFrames++;
        return Promise.resolve();
      };
    }
    this.width = size.width;
    this.height = size.height;
    this.last = new Uint8Array(size.width * size.height * 3);
    this.description = `memory ${size.width}x${size.height}`;
    this.#onFrame = onFrame;
  }

  /** Keeps the frame. */
  write(frame: Uint8Array): Promise<void> {
    this.last.set(frame);
    this.#onFrame?.(frame, this.frames);
    this.frames++;
    return Promise.resolve();
  }

  /** Marks the sink closed. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
