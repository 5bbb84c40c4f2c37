/**
 * Pure pixel code on the one internal {@linkcode Frame} and on RGB at the edges: the frame's
 * conversions (RGB, layouts, YUYV), the compositors, PNG read/write, bilinear resize and the YUV
 * converters the tests and the loopback's repack use. Imports nothing but `src/frame/`.
 *
 * ```ts
 * import { frameToRgb, readPng, rgbToFrame } from "./mod.ts";
 * import { makeFrame } from "../frame/frame.ts";
 *
 * const png = readPng(await Deno.readFile("photo.png"));
 * const frame = makeFrame(png, "444");
 * rgbToFrame(png.data, frame);
 * const rgb = new Uint8Array(png.width * png.height * 3);
 * frameToRgb(frame, rgb); // within ±1 of png.data
 * ```
 *
 * @module
 */

export { ImageError, type RgbImage } from "./types.ts";
export { isPng, type PngPixels, readPng, writePng } from "./png.ts";
export { type PixelArray, resizeBilinear, type ResizeOptions } from "./resize.ts";
export {
  CHROMA_TO_FULL,
  CHROMA_TO_LIMITED,
  clamp8,
  convertFrame,
  fillFrame,
  flipFrame,
  flipRows,
  type Frame,
  frameToRgb,
  LUMA_PAIR_TO_LIMITED,
  LUMA_TO_FULL,
  LUMA_TO_LIMITED,
  mirrorFrame,
  mirrorYuyv,
  packYuyv,
  rgbToFrame,
  YCBCR_TO_RGB,
  yuyvToFrame,
} from "./planar.ts";
export {
  compositeFrame,
  type CompositeFrameOptions,
  compositeYuyv,
  type CompositeYuyvOptions,
  type Despill,
  div255,
} from "./composite.ts";
