/**
 * The model input's letterbox from an interleaved RGB picture, as `Segmenter.setInputFitted` did
 * before frames were planar: the picture resized with bilinear interpolation (half-pixel centres)
 * into the largest centred rectangle of its aspect, normalised to the model's range, the bars at
 * the range's low end. Kept as the reference the planar fill (`Segmenter.setInputFitted(frame)`)
 * is checked against.
 *
 * @module
 */

import { fitRect, type Rect, type Size } from "../../src/frame/geometry.ts";
import { resizeBilinear } from "../../src/image/resize.ts";

/**
 * Fills `out` (the model input, NHWC RGB float32 of `input`'s size) from `rgb`.
 *
 * @param rgb interleaved RGB, `size.width × size.height × 3` bytes
 * @param size the picture's size
 * @param input the model input's size
 * @param range the model input's range for 0 … 255
 * @param out the model input
 * @returns where the picture lies in the model input (input pixels)
 */
export function letterboxRgb(
  rgb: Uint8Array,
  size: Size,
  input: Size,
  range: readonly [number, number],
  out: Float32Array,
): Rect {
  const r = fitRect(size.width, size.height, input);
  const [lo, hi] = range;
  const scale = (hi - lo) / 255;
  out.fill(lo);
  const fitted = new Float32Array(r.w * r.h * 3);
  resizeBilinear(rgb, fitted, {
    srcWidth: size.width,
    srcHeight: size.height,
    dstWidth: r.w,
    dstHeight: r.h,
    channels: 3,
  });
  for (let y = 0; y < r.h; y++) {
    let o = ((r.y + y) * input.width + r.x) * 3;
    let i = y * r.w * 3;
    for (let k = 0; k < r.w * 3; k++) out[o++] = fitted[i++]! * scale + lo;
  }
  return r;
}
