/**
 * A folder of numbered PNGs as a frame sink: `frame_000001.png`, `frame_000002.png`, … (8-bit
 * RGB, lossless, so the output is exactly the pipeline's frames). The folder is created when
 * missing; files of the same names are overwritten. PNG encoding (fast-png) allocates each
 * frame's file; use a y4m sink where that matters.
 *
 * @module
 */

import { writePng } from "../image/png.ts";
import type { FrameSink } from "../pipeline/types.ts";
import { fsErrorText, MediaFileError } from "./errors.ts";

/** Options for {@linkcode PngFolderWriter.open}. */
export interface PngFolderOptions {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
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
 * import { PngFolderWriter } from "./png_folder.ts";
 * await using out = await PngFolderWriter.open("out/frames", { width: 64, height: 48 });
 * await out.write(new Uint8Array(64 * 48 * 3)); // out/frames/frame_000001.png
 * ```
 */
export class PngFolderWriter implements FrameSink {
  /** Frame width in pixels. */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
  /** E.g. `out/frames/frame_%06d.png 64x48 PNG`. */
  readonly description: string;
  /** The folder written to. */
  readonly folder: string;
  #frames = 0;
  #closed = false;

  private constructor(folder: string, options: PngFolderOptions) {
    this.folder = folder;
    this.width = options.width;
    this.height = options.height;
    this.description = `${folder}/frame_%06d.png ${options.width}x${options.height} PNG`;
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
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new MediaFileError(action, `${width}x${height} is not a positive size`);
    }
    try {
      await Deno.mkdir(clean, { recursive: true });
    } catch (error) {
      const text = error instanceof Deno.errors.AlreadyExists
        ? "it is a file, not a folder"
        : fsErrorText(error);
      throw new MediaFileError(action, text, { cause: error });
    }
    return new PngFolderWriter(clean, options);
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.#frames;
  }

  /**
   * Writes the next frame as a PNG.
   *
   * @param frame `width * height * 3` bytes of RGB; not kept.
   * @throws {MediaFileError} When the sink is closed or the file cannot be written.
   */
  async write(frame: Uint8Array): Promise<void> {
    const name = `${this.folder}/${pngFrameName(this.#frames + 1)}`;
    const action = `Cannot write PNG frame ${JSON.stringify(name)}`;
    if (this.#closed) throw new MediaFileError(action, "the sink is closed");
    const { width, height } = this;
    const png = writePng({
      width,
      height,
      channels: 3,
      data: frame.subarray(0, width * height * 3),
    });
    try {
      await Deno.writeFile(name, png);
    } catch (error) {
      throw new MediaFileError(action, fsErrorText(error), { cause: error });
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
