/**
 * Small pure image modules: PNG read/write, bilinear resize, and loading PNG
 * or JPEG files as 8-bit RGB.
 *
 * ```ts
 * import { loadImage, resizeBilinear } from "./mod.ts";
 *
 * const image = await loadImage("backgrounds/beach.jpg");
 * const small = new Uint8Array(256 * 144 * 3);
 * resizeBilinear(image.data, small, {
 *   srcWidth: image.width,
 *   srcHeight: image.height,
 *   dstWidth: 256,
 *   dstHeight: 144,
 *   channels: 3,
 * });
 * ```
 *
 * @module
 */

export { ImageError, type RgbImage } from "./types.ts";
export { isPng, type PngPixels, readPng, writePng } from "./png.ts";
export { type PixelArray, resizeBilinear, type ResizeOptions } from "./resize.ts";
export { isJpeg, loadImage } from "./load.ts";
