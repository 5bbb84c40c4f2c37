/**
 * The largest picture backscrub decodes (a background, an image source, an upload): 8192 pixels
 * each way (8K), checked against the size a file declares before anything is decoded, so that a
 * small file claiming a huge picture is one clear line, not gigabytes of memory.
 *
 * @module
 */

/** The widest and tallest picture decoded, in pixels. */
export const MAX_PICTURE_SIDE = 8192;

/**
 * Why a declared picture size is refused, or null when it is fine.
 *
 * @example
 * ```ts
 * import { pictureSizeProblem } from "./limits.ts";
 * pictureSizeProblem(20000, 20000); // "the picture is 20000x20000 pixels: at most 8192x8192"
 * ```
 *
 * @param width the declared width
 * @param height the declared height
 * @returns one line, or null
 */
export function pictureSizeProblem(width: number, height: number): string | null {
  if (width <= MAX_PICTURE_SIDE && height <= MAX_PICTURE_SIDE) return null;
  return `the picture is ${width}x${height} pixels: at most ${MAX_PICTURE_SIDE}x${MAX_PICTURE_SIDE}`;
}
