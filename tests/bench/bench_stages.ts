/**
 * Benchmark stages: a source that plays a few pre-made camera frames (YUYV bytes or real JPEG
 * data) from memory and decodes each one with the real {@linkcode FrameDecoder}, as the camera
 * source does, and a packed sink that takes the compositor's YUYV like the virtual camera and
 * discards it. With the helpers that make those camera frames from a photo. Used by
 * `scripts/bench.ts`.
 *
 * @module
 */

import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { FrameDecoder } from "../../src/device/decode.ts";
import { type Frame, makeFrame, type WorkingLayout } from "../../src/frame/frame.ts";
import { coverRect, type Size } from "../../src/frame/geometry.ts";
import { FrameRegionMaps, resampleFrame } from "../../src/frame/region.ts";
import type { FrameSource, PackedSink } from "../../src/frame/stages.ts";
import type { FrameTiming } from "../../src/frame/timing.ts";
import { frameToRgb, packYuyv, rgbToFrame } from "../../src/image/planar.ts";
import type { RgbImage } from "../../src/image/types.ts";
import { Kernels } from "../../src/kernels/mod.ts";

/** The camera formats a {@linkcode BenchSource} can play. */
export type BenchInput = "yuyv" | "mjpg";

/**
 * Makes `count` RGB frames of `size` from a picture: cover-scaled (centred crop), each shifted by
 * a few pixels so that consecutive frames differ. The picture is converted once to a 4:4:4 frame
 * and each crop resampled from it: on the shared portrait 99.8 % of the values are within ±1 (all
 * within ±3) of the frames the RGB resampler made before.
 *
 * @param picture the photo
 * @param size the frame size
 * @param count how many frames
 * @returns the frames (width × height × 3 bytes each)
 */
export function makeRgbFrames(picture: RgbImage, size: Size, count: number): Uint8Array[] {
  const photo = makeFrame(picture, "444");
  rgbToFrame(picture.data, photo);
  const crop = coverRect(picture.width, picture.height, size);
  // Leave a margin of 6% so the crop can move.
  const w = crop.w * 0.94;
  const h = crop.h * 0.94;
  const out = makeFrame(size, "444");
  const maps = new FrameRegionMaps(picture, crop, size);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const dx = (crop.w - w) * (0.5 + 0.4 * Math.sin(i * 0.9));
    const dy = (crop.h - h) * (0.5 + 0.3 * Math.cos(i * 1.3));
    maps.update({ x: crop.x + dx, y: crop.y + dy, w, h });
    resampleFrame(photo, maps, out);
    const rgb = new Uint8Array(size.width * size.height * 3);
    frameToRgb(out, rgb);
    frames.push(rgb);
  }
  return frames;
}

/**
 * Encodes RGB frames as a camera would deliver them: YUYV bytes (BT.601 limited range) or JPEG
 * data (quality 85, 4:2:2 as UVC cameras send).
 *
 * @param frames RGB frames of `size` (an even width)
 * @param size the frame size
 * @param input the camera format
 * @returns the encoded frames
 */
export function encodeFrames(frames: Uint8Array[], size: Size, input: BenchInput): Uint8Array[] {
  if (input === "yuyv") {
    const planar = makeFrame(size, "422");
    return frames.map((rgb) => {
      rgbToFrame(rgb, planar);
      const out = new Uint8Array(size.width * size.height * 2);
      packYuyv(planar, out);
      return out;
    });
  }
  const encoder = new JpegEncoder();
  try {
    return frames.map((rgb) =>
      encoder.encode(rgb, { ...size, format: "rgb", quality: 85, subsampling: "422" }).slice()
    );
  } finally {
    encoder.close();
  }
}

/**
 * The decoder for frames of one size and format, as the camera source makes it (the caller
 * closes it).
 *
 * @param size the frame size
 * @param input the camera format
 * @param layout the layout of the frames it will fill (default `"422"`, the virtual camera's)
 * @returns the decoder
 */
export function benchDecoder(
  size: Size,
  input: BenchInput,
  layout: WorkingLayout = "422",
): FrameDecoder {
  return new FrameDecoder({
    width: size.width,
    height: size.height,
    pixelformat: input === "yuyv" ? PIX_FMT.YUYV : PIX_FMT.MJPEG,
    bytesperline: input === "yuyv" ? size.width * 2 : 0,
  }, { layout });
}

/** Options of {@linkcode BenchSource}. */
export interface BenchSourceOptions {
  /** Give frames no faster than this, as a camera does (default: at full speed). */
  paceFps?: number;
  /** The layout of the frames it will fill (default `"422"`). */
  layout?: WorkingLayout;
}

/**
 * Plays encoded frames from memory, looping, decoding each read with the real decoder; sets
 * `timing.decode`.
 */
export class BenchSource implements FrameSource {
  readonly size: Size;
  readonly fps = 30;
  readonly description: string;
  readonly #frames: readonly Uint8Array[];
  readonly #decoder: FrameDecoder;
  readonly #count: number;
  readonly #intervalMs: number;
  #next = 0;
  #due = 0;

  /**
   * @param frames encoded frames (YUYV or JPEG) of `size`
   * @param size the frame size
   * @param input the format of `frames`
   * @param count how many frames to give in all
   * @param options pacing, the layout of the frames to fill
   */
  constructor(
    frames: readonly Uint8Array[],
    size: Size,
    input: BenchInput,
    count: number,
    options: BenchSourceOptions = {},
  ) {
    this.#intervalMs = options.paceFps ? 1000 / options.paceFps : 0;
    this.size = { width: size.width, height: size.height };
    this.#frames = frames;
    this.#count = count;
    this.#decoder = benchDecoder(size, input, options.layout);
    this.description = `memory ${size.width}x${size.height} ${input}, ${count} frames`;
  }

  /**
   * Decodes the next frame into `into`; false after `count` frames.
   *
   * @throws {Error} when a frame does not decode (the bench's frames are made to decode)
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const data = await this.#take();
    if (data === null) return false;
    const t = performance.now();
    const ok = this.#decoder.decode(data, into);
    timing.decode = performance.now() - t;
    if (!ok) throw new Error("A benchmark frame did not decode");
    return true;
  }

  /** The next encoded frame, after waiting for its time when paced; null at the end. */
  async #take(): Promise<Uint8Array | null> {
    if (this.#next >= this.#count) return null;
    if (this.#intervalMs > 0) {
      const now = performance.now();
      if (this.#due === 0) this.#due = now;
      if (this.#due > now) await new Promise((r) => setTimeout(r, this.#due - now));
      // A late frame is not made up for: a camera drops it.
      this.#due = Math.max(this.#due + this.#intervalMs, performance.now() - this.#intervalMs);
    }
    const data = this.#frames[this.#next % this.#frames.length]!;
    this.#next++;
    return data;
  }

  /** Closes the decoder. */
  close(): Promise<void> {
    this.#decoder.close();
    return Promise.resolve();
  }
}

/**
 * Takes the compositor's YUYV as the virtual camera's sink does (with the YUYV format: nothing to
 * repack) and discards it.
 */
export class NullSink implements PackedSink {
  readonly kind = "yuyv";
  readonly size: Size;
  readonly description: string;
  readonly yuyv: Uint8Array;
  /** Frames committed. */
  frames = 0;

  /**
   * @param size the output size (an even width)
   * @throws {RangeError} for an odd width
   */
  constructor(size: Size) {
    if (size.width % 2 !== 0) {
      throw new RangeError(`A YUYV sink needs an even width, not ${size.width}`);
    }
    this.size = { width: size.width, height: size.height };
    // In the kernels' memory, as the virtual camera's sink makes it: the compositor writes it
    // in place.
    this.yuyv = Kernels.shared().arena.bytes(size.width * size.height * 2);
    this.description = `null ${size.width}x${size.height} YUYV`;
  }

  /** Drops the frame. */
  commit(_timing: FrameTiming): Promise<void> {
    this.frames++;
    return Promise.resolve();
  }

  /** Gives the frame back to the kernels' memory. */
  close(): Promise<void> {
    Kernels.shared().release(this.yuyv);
    return Promise.resolve();
  }
}
