/**
 * Benchmark stages: a source that plays a few pre-made camera frames (YUYV bytes or real JPEG
 * data) from memory at full speed and decodes each one with the real {@linkcode FrameDecoder}, as
 * `CameraSource` does, and a sink that converts to YUYV like `LoopbackSink` and then discards the
 * frame. Used by `scripts/bench.ts`.
 *
 * @module
 */

import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { FrameDecoder } from "../device/decode.ts";
import type { YuvFrame } from "../image/planar.ts";
import { rgbToYuyv } from "../image/yuv.ts";
import type { RgbImage } from "../image/types.ts";
import { coverRect } from "./geometry.ts";
import { RegionMap, resampleRgb } from "./region.ts";
import type { FrameSink, FrameSource } from "./types.ts";

/** The camera formats a {@linkcode BenchSource} can play. */
export type BenchInput = "yuyv" | "mjpg";

/** A frame size. */
export interface Size {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Makes `count` RGB frames of `size` from a picture: cover-scaled (centred crop), each shifted by
 * a few pixels so that consecutive frames differ.
 *
 * @param picture the photo
 * @param size the frame size
 * @param count how many frames
 * @returns the frames (width × height × 3 bytes each)
 */
export function makeRgbFrames(picture: RgbImage, size: Size, count: number): Uint8Array[] {
  const crop = coverRect(picture.width, picture.height, size);
  // Leave a margin of 6% so the crop can move.
  const w = crop.w * 0.94;
  const h = crop.h * 0.94;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const dx = (crop.w - w) * (0.5 + 0.4 * Math.sin(i * 0.9));
    const dy = (crop.h - h) * (0.5 + 0.3 * Math.cos(i * 1.3));
    const map = new RegionMap(
      { width: picture.width, height: picture.height },
      { x: crop.x + dx, y: crop.y + dy, w, h },
      size,
    );
    const out = new Uint8Array(size.width * size.height * 3);
    resampleRgb(picture.data, picture.width, map, out);
    frames.push(out);
  }
  return frames;
}

/**
 * Encodes RGB frames as a camera would deliver them: YUYV bytes or JPEG data (quality 85, 4:2:2
 * as UVC cameras send).
 *
 * @param frames RGB frames of `size`
 * @param size the frame size
 * @param input the camera format
 * @returns the encoded frames
 */
export function encodeFrames(frames: Uint8Array[], size: Size, input: BenchInput): Uint8Array[] {
  if (input === "yuyv") {
    return frames.map((rgb) => {
      const out = new Uint8Array(size.width * size.height * 2);
      rgbToYuyv(rgb, out, size);
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

/** The decoder for frames of one size and format (the caller closes it). */
export function benchDecoder(size: Size, input: BenchInput): FrameDecoder {
  return new FrameDecoder({
    width: size.width,
    height: size.height,
    pixelformat: input === "yuyv" ? PIX_FMT.YUYV : PIX_FMT.MJPEG,
    bytesperline: input === "yuyv" ? size.width * 2 : 0,
  });
}

/** Plays encoded frames from memory, looping, decoding each read; reports `decodeMs`. */
export class BenchSource implements FrameSource {
  readonly width: number;
  readonly height: number;
  readonly fps = 30;
  readonly description: string;
  /** Milliseconds the last read spent decoding. */
  decodeMs = 0;
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
   * @param options `paceFps`: give frames no faster than this, as a camera does (default: at
   *   full speed)
   */
  constructor(
    frames: readonly Uint8Array[],
    size: Size,
    input: BenchInput,
    count: number,
    options: { paceFps?: number } = {},
  ) {
    this.#intervalMs = options.paceFps ? 1000 / options.paceFps : 0;
    this.width = size.width;
    this.height = size.height;
    this.#frames = frames;
    this.#count = count;
    this.#decoder = benchDecoder(size, input);
    this.description = `memory ${size.width}x${size.height} ${input}, ${count} frames`;
  }

  /** Decodes the next frame into `into` as RGB; false after `count` frames. */
  async read(into: Uint8Array): Promise<boolean> {
    const data = await this.#take();
    if (data === null) return false;
    const t = performance.now();
    const ok = this.#decoder.decode(data, into);
    this.decodeMs = performance.now() - t;
    if (ok === null) throw new Error("A benchmark frame did not decode");
    return true;
  }

  /** Decodes the next frame into `into` as planar YCbCr (the fast path), as a camera does. */
  async readYuv(into: YuvFrame): Promise<boolean> {
    const data = await this.#take();
    if (data === null) return false;
    const t = performance.now();
    const ok = this.#decoder.decodeYuv(data, into);
    this.decodeMs = performance.now() - t;
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

/** Converts each frame to YUYV (as the virtual camera's sink does) and discards it. */
export class NullSink implements FrameSink {
  readonly width: number;
  readonly height: number;
  readonly description: string;
  /** Milliseconds the last write spent converting. */
  convertMs = 0;
  /** Frames written. */
  frames = 0;
  readonly #yuv: Uint8Array;
  readonly #size: Size;

  /** @param size the output size */
  constructor(size: Size) {
    this.width = size.width;
    this.height = size.height;
    this.#size = { width: size.width, height: size.height };
    this.#yuv = new Uint8Array(size.width * size.height * 2);
    this.description = `null ${size.width}x${size.height} YUYV`;
  }

  /** Converts and drops the frame. */
  write(frame: Uint8Array): Promise<void> {
    const t = performance.now();
    rgbToYuyv(frame, this.#yuv, this.#size);
    this.convertMs = performance.now() - t;
    this.frames++;
    return Promise.resolve();
  }

  /** Drops a frame already packed as YUYV (the fast path: nothing to convert). */
  writeYuyv(_yuyv: Uint8Array): Promise<void> {
    this.convertMs = 0;
    this.frames++;
    return Promise.resolve();
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
