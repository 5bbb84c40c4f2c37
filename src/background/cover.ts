/**
 * Scaling a picture to *cover* the output, like CSS `object-fit: cover`: no distortion, the
 * picture fills the whole output, what sticks out is cropped evenly on both sides. Done once
 * per background (or per GIF frame), so it favours quality over speed: when shrinking by more
 * than 2, the picture is first halved with 2x2 averaging (a mip-map) so that bilinear sampling
 * does not alias.
 *
 * @module
 */

import { coverRect, type Rect, type Size } from "../frame/geometry.ts";
import type { RgbImage } from "../image/types.ts";

/** The part of the source that a cover scaling shows, in source pixels, and the scale. */
export interface CoverCrop extends Rect {
  /** Output pixels per source pixel: `max(W / w, H / h)`. */
  scale: number;
}

/**
 * Which part of a `source` picture covers an `output` of another aspect ratio: the centred crop
 * (as the frame's {@linkcode coverRect}) and the scale `max(W / w, H / h)`.
 *
 * @example
 * ```ts
 * import { coverCrop } from "./cover.ts";
 * coverCrop({ width: 1000, height: 1000 }, { width: 1280, height: 720 });
 * // { x: 0, y: 218.75, w: 1000, h: 562.5, scale: 1.28 }
 * ```
 *
 * @param source The picture's size.
 * @param output The output's size.
 * @returns The visible rectangle of the source and the scale.
 */
export function coverCrop(source: Size, output: Size): CoverCrop {
  const scale = Math.max(output.width / source.width, output.height / source.height);
  return { ...coverRect(source.width, source.height, output), scale };
}

/**
 * Halves an RGB picture with 2x2 averaging (an odd last row or column is averaged with itself).
 *
 * @example
 * ```ts
 * import { halve } from "./cover.ts";
 * const half = halve({ width: 2, height: 2, data: new Uint8Array([0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100]) });
 * half.data; // Uint8Array [50, 50, 50]
 * ```
 *
 * @param image The picture.
 * @returns A new picture of `ceil(width / 2)` × `ceil(height / 2)`.
 */
export function halve(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const w = Math.ceil(width / 2);
  const h = Math.ceil(height / 2);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * width * 3;
    const r1 = Math.min(2 * y + 1, height - 1) * width * 3;
    for (let x = 0; x < w; x++) {
      const c0 = 2 * x * 3;
      const c1 = Math.min(2 * x + 1, width - 1) * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (data[r0 + c0 + c]! + data[r0 + c1 + c]! + data[r1 + c0 + c]! +
          data[r1 + c1 + c]! + 2) >> 2;
      }
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Scales an RGB picture to cover `output` (see {@linkcode coverCrop}) with bilinear sampling
 * and half-pixel centres, into `dst`.
 *
 * @example
 * ```ts
 * import { coverScale } from "./cover.ts";
 * const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(200) };
 * const dst = new Uint8Array(2 * 2 * 3);
 * coverScale(image, dst, { width: 2, height: 2 }); // shows the middle 2x2 of the 4x2 picture
 * ```
 *
 * @param image The picture (its `alpha`, if any, is ignored).
 * @param dst At least `width × height × 3` bytes.
 * @param output The output size.
 * @throws {RangeError} When `dst` is too small.
 */
export function coverScale(image: RgbImage, dst: Uint8Array, output: Size): void {
  const { width: W, height: H } = output;
  if (dst.length < W * H * 3) {
    throw new RangeError(
      `Cannot cover-scale into ${dst.length} bytes: ${W}x${H} RGB needs ${W * H * 3}`,
    );
  }
  let source = image;
  while (coverCrop(source, output).scale <= 0.5 && source.width > 1 && source.height > 1) {
    source = halve(source);
  }
  const { width: w, height: h, data } = source;
  const rect = coverCrop(source, output);
  const columns = new Int32Array(W * 2);
  const weights = new Float64Array(W);
  for (let x = 0; x < W; x++) {
    let s = rect.x + (x + 0.5) / rect.scale - 0.5;
    s = s < 0 ? 0 : s > w - 1 ? w - 1 : s;
    const s0 = Math.floor(s);
    columns[2 * x] = s0 * 3;
    columns[2 * x + 1] = Math.min(s0 + 1, w - 1) * 3;
    weights[x] = s - s0;
  }
  for (let y = 0; y < H; y++) {
    let s = rect.y + (y + 0.5) / rect.scale - 0.5;
    s = s < 0 ? 0 : s > h - 1 ? h - 1 : s;
    const s0 = Math.floor(s);
    const fy = s - s0;
    const top = s0 * w * 3;
    const bottom = Math.min(s0 + 1, h - 1) * w * 3;
    let o = y * W * 3;
    for (let x = 0; x < W; x++) {
      const a = columns[2 * x]!;
      const b = columns[2 * x + 1]!;
      const fx = weights[x]!;
      for (let c = 0; c < 3; c++) {
        const t = data[top + a + c]! + (data[top + b + c]! - data[top + a + c]!) * fx;
        const u = data[bottom + a + c]! + (data[bottom + b + c]! - data[bottom + a + c]!) * fx;
        dst[o++] = Math.round(t + (u - t) * fy);
      }
    }
  }
}
