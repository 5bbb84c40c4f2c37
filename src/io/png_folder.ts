/**
 * A folder of numbered PNGs as a frame sink: `frame_000001.png`, `frame_000002.png`, … (8-bit
 * RGB, lossless). Each frame is converted once to RGB (`frameToRgb`, into one buffer made at
 * open): a `"444"` frame of an RGB picture comes back within 1 of it. The folder is created when
 * missing; files of the same names are overwritten. PNG encoding (fast-png) allocates each
 * frame's file; use a y4m sink where that matters.
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { PlanarSink } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { frameToRgb } from "../image/planar.ts";
import { writePng } from "../image/png.ts";
import { fsError, MediaFileError } from "./errors.ts";

/** Options for {@linkcode PngFolderWriter.open}. */
export interface PngFolderOptions {
  /** Frame size in pixels. */
  size: Size;
}

/**
 * The file name of frame `n` (1-based): `frame_000001.png`.
 *
 * @example
 * ```ts
 * import { pngFrameName } from "./png_folder.ts";
 * pngFrameName(12); // "frame_000012.png"
 * ```
 *
 * @param n The frame number, from 1.
 * @returns The file name, without a folder.
 */
export function pngFrameName(n: number): string {
  return `frame_${String(n).padStart(6, "0")}.png`;
}

/**
 * Writes each frame as the next numbered PNG in a folder (a {@linkcode FrameSink}).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { PngFolderWriter } from "./png_folder.ts";
 * const size = { width: 64, height: 48 };
 * await using out = await PngFolderWriter.open("out/frames", { size });
 * await out.write(makeFrame(size, "444"), new FrameTiming()); // out/frames/frame_000001.png
 * ```
 */
export class PngFolderWriter implements PlanarSink {
  /** Takes {@linkcode Frame}s. */
  readonly kind = "planar";
  /** Frame size in pixels. */
  readonly size: Size;
  /** E.g. `out/frames/frame_%06d.png 64x48 PNG`. */
  readonly description: string;
  /** The folder written to. */
  readonly folder: string;
  #rgb: Uint8Array;
  #frames = 0;
  #closed = false;

  private constructor(folder: string, size: Size) {
    this.folder = folder;
    this.size = { width: size.width, height: size.height };
    this.#rgb = new Uint8Array(size.width * size.height * 3);
    this.description = `${folder}/frame_%06d.png ${size.width}x${size.height} PNG`;
  }

  /**
   * Creates the folder if needed and returns the sink.
   *
   * @param folder The folder (a trailing `/` is fine).
   * @param options The frame size.
   * @returns The sink; nothing is written until the first frame.
   * @throws {MediaFileError} `Cannot write PNG frames to "<folder>": <reason>`.
   */
  static async open(folder: string, options: PngFolderOptions): Promise<PngFolderWriter> {
    const clean = folder.length > 1 ? folder.replace(/\/+$/, "") : folder;
    const action = `Cannot write PNG frames to ${JSON.stringify(clean)}`;
    const { width, height } = options.size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new MediaFileError(action, `${width}x${height} is not a positive size`, {
        kind: "invalid",
      });
    }
    try {
      await Deno.mkdir(clean, { recursive: true });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new MediaFileError(action, "it is a file, not a folder", {
          cause: error,
          kind: "invalid",
        });
      }
      throw fsError(action, error, "write");
    }
    return new PngFolderWriter(clean, options.size);
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.#frames;
  }

  /**
   * Converts the next frame to RGB and writes it as a PNG; sets `timing.convert` to the
   * conversion's time (PNG encoding not counted).
   *
   * @param frame A frame of {@linkcode size}, any layout; not kept.
   * @param timing This frame's timing record.
   * @throws {MediaFileError} When the sink is closed or the file cannot be written.
   * @throws {RangeError} When the frame is not of the sink's size.
   */
  async write(frame: Frame, timing: FrameTiming): Promise<void> {
    const name = `${this.folder}/${pngFrameName(this.#frames + 1)}`;
    const action = `Cannot write PNG frame ${JSON.stringify(name)}`;
    if (this.#closed) throw new MediaFileError(action, "the sink is closed", { kind: "closed" });
    const { width, height } = this.size;
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(
        `${action}: the frame is ${frame.width}x${frame.height}, the sink's are ${width}x${height}`,
      );
    }
    const start = performance.now();
    frameToRgb(frame, this.#rgb);
    timing.convert = performance.now() - start;
    const png = writePng({ width, height, channels: 3, data: this.#rgb });
    try {
      await Deno.writeFile(name, png);
    } catch (error) {
      throw fsError(action, error, "write");
    }
    this.#frames++;
  }

  /** Ends the sink (the files are complete after each write). Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
