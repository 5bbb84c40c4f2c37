/**
 * In-memory stages for tests (and the stand-ins of a demo or a benchmark): a source that plays
 * {@linkcode Frame}s from memory ({@linkcode MemorySource}), a planar sink that keeps copies of the
 * frames written ({@linkcode MemorySink}, as a file sink is fed) and a packed sink that keeps copies
 * of the YUYV committed ({@linkcode MemoryYuyvSink}, as the virtual camera is fed).
 *
 * They check the stage contracts of `src/frame/stages.ts` as they go (sizes, the planar sink's
 * `"444"`), so a loop test also tests that the loop keeps them. Unlike the product's stages they
 * allocate per frame where that keeps them simple (copies of what was written).
 *
 * @module
 */

import {
  chromaHeight,
  type ChromaLayout,
  chromaWidth,
  type Frame,
  makeFrame,
} from "../../src/frame/frame.ts";
import type { Size } from "../../src/frame/geometry.ts";
import type { FrameSource, PackedSink, PlanarSink } from "../../src/frame/stages.ts";
import type { FrameTiming } from "../../src/frame/timing.ts";
import { convertFrame, frameToRgb, rgbToFrame, yuyvToFrame } from "../../src/image/planar.ts";

/** Options of {@linkcode MemorySource}. */
export interface MemorySourceOptions {
  /** How many frames to give in all, looping over the list (default: each once). */
  count?: number;
  /** The nominal frame rate it reports (default 30). */
  fps?: number;
}

/**
 * A copy of a frame: same size and layout, planes of the layout's own size.
 *
 * @param frame the frame
 * @returns a new frame
 */
export function copyFrame(frame: Frame): Frame {
  const copy = makeFrame(frame, frame.layout);
  copyInto(frame, copy);
  return copy;
}

/** Copies `src` into `dst` (same size, and room for `src`'s layout), taking its layout. */
function copyInto(src: Frame, dst: Frame): void {
  const c = chromaWidth(src.width, src.layout) * chromaHeight(src.height, src.layout);
  dst.layout = src.layout;
  dst.y.set(src.y.subarray(0, src.width * src.height));
  dst.u.set(src.u.subarray(0, c));
  dst.v.set(src.v.subarray(0, c));
}

/** Throws unless `frame` has the size `size`. */
function checkSize(frame: Size, size: Size, what: string): void {
  if (frame.width !== size.width || frame.height !== size.height) {
    throw new RangeError(
      `${what}: a ${frame.width}x${frame.height} frame, the stage is ${size.width}x${size.height}`,
    );
  }
}

/**
 * Plays frames from memory, in order and looping, for a number of frames.
 *
 * Each read fills `into` in its layout: a copy when the layouts match, {@linkcode convertFrame}
 * when they differ, except that a 4:2:0 frame read into a frame made `"422"` comes back `"420"`
 * (and a 4:2:2 one `"422"` again), as a camera's JPEG frames do.
 *
 * @example
 * ```ts ignore
 * const source = MemorySource.fromRgb([photo.data], photo, { count: 3 });
 * const frame = makeFrame(source.size, "444");
 * await source.read(frame, new FrameTiming()); // true, three times
 * ```
 */
export class MemorySource implements FrameSource {
  readonly size: Size;
  readonly fps: number;
  readonly description: string;
  /** The frames played (the source's own copies). */
  readonly frames: readonly Frame[];
  readonly #count: number;
  #next = 0;

  /**
   * @param frames the frames, all of one size, played in order and looped (kept, not copied)
   * @param options how many frames to give in all, the fps
   * @throws {RangeError} for no frames, or frames of different sizes
   */
  constructor(frames: readonly Frame[], options: MemorySourceOptions = {}) {
    const first = frames[0];
    if (first === undefined) throw new RangeError("A memory source needs at least one frame");
    for (const f of frames) checkSize(f, first, "Cannot play frames of different sizes");
    this.size = { width: first.width, height: first.height };
    this.fps = options.fps ?? 30;
    this.frames = frames;
    this.#count = options.count ?? frames.length;
    this.description =
      `memory ${first.width}x${first.height} ${first.layout}, ${this.#count} frames`;
  }

  /**
   * A source of RGB pictures, each converted once, here, with `rgbToFrame`.
   *
   * @param pictures interleaved RGB, `width × height × 3` bytes each
   * @param size their size
   * @param options how many frames to give, the fps, and the layout they are converted to
   *   (default `"444"`: within ±1 of the RGB)
   * @returns the source
   * @throws {RangeError} for a picture of another byte length
   */
  static fromRgb(
    pictures: readonly Uint8Array[],
    size: Size,
    options: MemorySourceOptions & { layout?: ChromaLayout } = {},
  ): MemorySource {
    const frames = pictures.map((rgb) => {
      if (rgb.length !== size.width * size.height * 3) {
        throw new RangeError(
          `A memory picture has ${rgb.length} bytes, not ${size.width}x${size.height}x3`,
        );
      }
      const frame = makeFrame(size, options.layout ?? "444");
      rgbToFrame(rgb, frame);
      return frame;
    });
    return new MemorySource(frames, options);
  }

  /** Frames given so far. */
  get given(): number {
    return this.#next;
  }

  /**
   * Fills `into` with the next frame; false after `count` frames.
   *
   * @throws {RangeError} when `into` has another size
   */
  // deno-lint-ignore require-await -- async so a refusal rejects rather than throws
  async read(into: Frame, _timing: FrameTiming): Promise<boolean> {
    if (this.#next >= this.#count) return false;
    checkSize(into, this.size, "Cannot read a memory frame");
    const src = this.frames[this.#next % this.frames.length]!;
    const halfWidth = (l: ChromaLayout): boolean => l !== "444";
    const room = chromaWidth(src.width, src.layout) * chromaHeight(src.height, src.layout);
    if (
      src.layout === into.layout ||
      (halfWidth(src.layout) && halfWidth(into.layout) && into.u.length >= room)
    ) {
      copyInto(src, into);
    } else {
      convertFrame(src, into);
    }
    this.#next++;
    return true;
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Options of the memory sinks. */
export interface MemorySinkOptions<T> {
  /** Keep copies of only the newest `keep` frames (default: all). */
  keep?: number;
  /** Called with each frame as it is written (valid only during the call) and its index. */
  onFrame?: (frame: T, index: number) => void;
}

/** Keeps the newest `keep` copies, reusing the buffer of the one that drops out. */
function keepCopy<T>(list: T[], keep: number, fresh: () => T, fill: (into: T) => void): void {
  const into = list.length >= keep ? list.shift()! : fresh();
  fill(into);
  list.push(into);
}

/**
 * A planar sink (as the file sinks are) that keeps copies of the frames written and counts them.
 * It refuses a frame that breaks the contract: another size, or a layout other than `"444"`.
 */
export class MemorySink implements PlanarSink {
  readonly kind = "planar";
  readonly size: Size;
  readonly description: string;
  /** Copies of the frames written, oldest first (the newest `keep`). */
  readonly frames: Frame[] = [];
  /** Frames written. */
  count = 0;
  /** Whether close() was called. */
  closed = false;
  readonly #keep: number;
  readonly #onFrame: ((frame: Frame, index: number) => void) | undefined;

  /**
   * @param size the output size
   * @param options how many copies to keep, a callback per frame
   */
  constructor(size: Size, options: MemorySinkOptions<Frame> = {}) {
    this.size = { width: size.width, height: size.height };
    this.description = `memory ${size.width}x${size.height}`;
    this.#keep = Math.max(1, options.keep ?? Infinity);
    this.#onFrame = options.onFrame;
  }

  /**
   * The newest frame written.
   *
   * @throws {RangeError} when nothing was written
   */
  get last(): Frame {
    const f = this.frames.at(-1);
    if (f === undefined) throw new RangeError("Nothing was written to the memory sink");
    return f;
  }

  /**
   * A frame written, as interleaved RGB (converted now, with `frameToRgb`).
   *
   * @param frame one of {@linkcode frames} (default: the newest)
   * @returns `width × height × 3` bytes
   */
  rgb(frame: Frame = this.last): Uint8Array {
    const out = new Uint8Array(frame.width * frame.height * 3);
    frameToRgb(frame, out);
    return out;
  }

  /**
   * Keeps a copy of the frame.
   *
   * @throws {RangeError} for another size or a layout other than `"444"`
   */
  // deno-lint-ignore require-await -- async so a refusal rejects rather than throws
  async write(frame: Frame, _timing: FrameTiming): Promise<void> {
    checkSize(frame, this.size, "Cannot write to the memory sink");
    if (frame.layout !== "444") {
      throw new RangeError(`Cannot write a ${frame.layout} frame to a planar sink: it takes 444`);
    }
    keepCopy(this.frames, this.#keep, () => makeFrame(this.size, "444"), (c) => copyInto(frame, c));
    this.#onFrame?.(frame, this.count);
    this.count++;
  }

  /** Marks the sink closed. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/**
 * A packed sink (as the virtual camera is) that keeps copies of the YUYV committed and counts
 * them. The compositor fills {@linkcode yuyv}; {@linkcode commit} copies it.
 */
export class MemoryYuyvSink implements PackedSink {
  readonly kind = "yuyv";
  readonly size: Size;
  readonly description: string;
  readonly yuyv: Uint8Array;
  /** Copies of the YUYV committed, oldest first (the newest `keep`). */
  readonly frames: Uint8Array[] = [];
  /** Frames committed. */
  count = 0;
  /** Whether close() was called. */
  closed = false;
  readonly #keep: number;
  readonly #onFrame: ((yuyv: Uint8Array, index: number) => void) | undefined;

  /**
   * @param size the output size (an even width)
   * @param options how many copies to keep, a callback per frame
   * @throws {RangeError} for an odd width
   */
  constructor(size: Size, options: MemorySinkOptions<Uint8Array> = {}) {
    if (size.width % 2 !== 0) {
      throw new RangeError(`A YUYV sink needs an even width, not ${size.width}`);
    }
    this.size = { width: size.width, height: size.height };
    this.yuyv = new Uint8Array(size.width * size.height * 2);
    this.description = `memory ${size.width}x${size.height} YUYV`;
    this.#keep = Math.max(1, options.keep ?? Infinity);
    this.#onFrame = options.onFrame;
  }

  /**
   * The newest YUYV committed.
   *
   * @throws {RangeError} when nothing was committed
   */
  get last(): Uint8Array {
    const f = this.frames.at(-1);
    if (f === undefined) throw new RangeError("Nothing was committed to the memory sink");
    return f;
  }

  /**
   * YUYV committed, unpacked to a full-range `"422"` frame (now, with `yuyvToFrame`).
   *
   * @param yuyv one of {@linkcode frames} (default: the newest)
   * @returns a new frame
   */
  frame(yuyv: Uint8Array = this.last): Frame {
    const out = makeFrame(this.size, "422");
    yuyvToFrame(yuyv, out);
    return out;
  }

  /** Keeps a copy of {@linkcode yuyv}. */
  commit(_timing: FrameTiming): Promise<void> {
    const n = this.yuyv.length;
    keepCopy(this.frames, this.#keep, () => new Uint8Array(n), (c) => c.set(this.yuyv));
    this.#onFrame?.(this.yuyv, this.count);
    this.count++;
    return Promise.resolve();
  }

  /** Marks the sink closed. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
