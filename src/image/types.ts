/**
 * Shared image types for `src/image`.
 *
 * @module
 */

/** An 8-bit RGB picture, row-major, 3 bytes per pixel, with optional alpha. */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 3` bytes: R, G, B per pixel, rows top to bottom. */
  data: Uint8Array;
  /** `width * height` bytes of opacity (255 opaque), when the source had any. */
  alpha?: Uint8Array;
}

/**
 * An image that cannot be read, decoded or encoded. The message is one line
 * that names the problem; {@linkcode ImageError.detail} holds the bare reason.
 *
 * @example
 * ```ts
 * import { ImageError } from "./types.ts";
 * const error = new ImageError("Cannot decode PNG", "wrong PNG signature");
 * console.log(error.message); // "Cannot decode PNG: wrong PNG signature"
 * ```
 */
export class ImageError extends Error {
  /** The reason alone, e.g. `"wrong PNG signature"`. */
  readonly detail: string;

  /**
   * Creates an image error with the message `${action}: ${detail}`.
   *
   * @param action What failed, e.g. `Cannot decode PNG`.
   * @param detail Why, e.g. `wrong PNG signature`.
   * @param options An optional `cause`.
   */
  constructor(action: string, detail: string, options?: { cause?: unknown }) {
    super(`${action}: ${detail}`, options?.cause === undefined ? undefined : options);
    this.name = "ImageError";
    this.detail = detail;
  }
}
