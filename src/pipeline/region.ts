/**
 * Bilinear resampling of a rectangle of a picture to a whole output picture (half-pixel centres,
 * edges clamped to the rectangle). Used to crop-and-scale the camera frame to the output size and
 * to lift the model's probability map (only the letterboxed content part) to an 8-bit alpha mask.
 *
 * Coordinates are precomputed once per geometry ({@linkcode RegionMap}), so a frame costs one pass
 * with no allocation.
 *
 * @module
 */

import type { Rect } from "./geometry.ts";

/** Precomputed source positions and weights for one region → output mapping. */
export class RegionMap {
  /** Output width. */
  readonly width: number;
  /** Output height. */
  readonly height: number;
  readonly x0: Int32Array;
  readonly x1: Int32Array;
  readonly fx: Uint16Array;
  readonly y0: Int32Array;
  readonly y1: Int32Array;
  readonly fy: Uint16Array;

  /**
   * @param src the source picture's size
   * @param rect the region of the source to show
   * @param out the output size
   */
  constructor(
    src: { width: number; height: number },
    rect: Rect,
    out: { width: number; height: number },
  ) {
    this.width = out.width;
    this.height = out.height;
    this.x0 = new Int32Array(out.width);
    this.x1 = new Int32Array(out.width);
    this.fx = new Uint16Array(out.width);
    this.y0 = new Int32Array(out.height);
    this.y1 = new Int32Array(out.height);
    this.fy = new Uint16Array(out.height);
    this.update(src, rect);
  }

  /**
   * Points the map at another region (e.g. a moving crop) without allocating.
   *
   * @param src the source picture's size
   * @param rect the region of the source to show
   */
  update(src: { width: number; height: number }, rect: Rect): void {
    axis(rect.x, rect.w, src.width, this.x0, this.x1, this.fx);
    axis(rect.y, rect.h, src.height, this.y0, this.y1, this.fy);
  }
}

/** Source indices (clamped to the region) and the weight of the second one, in 1/256ths. */
function axis(
  start: number,
  size: number,
  srcSize: number,
  i0: Int32Array,
  i1: Int32Array,
  f: Uint16Array,
): void {
  const outSize = i0.length;
  const lo = Math.max(0, Math.floor(start));
  const hi = Math.min(srcSize - 1, Math.ceil(start + size) - 1);
  const scale = size / outSize;
  for (let o = 0; o < outSize; o++) {
    let s = start + (o + 0.5) * scale - 0.5;
    if (s < lo) s = lo;
    if (s > hi) s = hi;
    const a = Math.floor(s);
    let w = Math.round((s - a) * 256);
    let first = a;
    if (w === 256) {
      first = Math.min(a + 1, hi);
      w = 0;
    }
    i0[o] = first;
    i1[o] = Math.min(first + 1, hi);
    f[o] = w;
  }
}

/**
 * Resamples a region of an RGB picture to the map's output size.
 *
 * @param src RGB source, `srcWidth` pixels per row
 * @param srcWidth the source's width
 * @param map from {@linkcode RegionMap}
 * @param out RGB output, map.width × map.height × 3
 */
export function resampleRgb(
  src: Uint8Array,
  srcWidth: number,
  map: RegionMap,
  out: Uint8Array,
): void {
  const { width, height, x0, x1, fx, y0, y1, fy } = map;
  const stride = srcWidth * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = y0[y]! * stride;
    const r1 = y1[y]! * stride;
    const wy = fy[y]!;
    const wy0 = 256 - wy;
    for (let x = 0; x < width; x++) {
      const a = x0[x]! * 3;
      const b = x1[x]! * 3;
      const wx = fx[x]!;
      const wx0 = 256 - wx;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + a + c]! * wx0 + src[r0 + b + c]! * wx;
        const bottom = src[r1 + a + c]! * wx0 + src[r1 + b + c]! * wx;
        out[o++] = (top * wy0 + bottom * wy + 32768) >> 16;
      }
    }
  }
}

/**
 * Resamples a region of a probability map (0..1 floats) to an 8-bit alpha mask.
 *
 * @param src probabilities, `srcWidth` per row
 * @param srcWidth the map's width
 * @param map from {@linkcode RegionMap}
 * @param out alpha output, map.width × map.height, 0..255
 */
export function resampleAlpha(
  src: Float32Array,
  srcWidth: number,
  map: RegionMap,
  out: Uint8Array,
): void {
  const { width, height, x0, x1, fx, y0, y1, fy } = map;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = y0[y]! * srcWidth;
    const r1 = y1[y]! * srcWidth;
    const wy = fy[y]! / 256;
    for (let x = 0; x < width; x++) {
      const a = x0[x]!;
      const b = x1[x]!;
      const wx = fx[x]! / 256;
      const top = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * wx;
      const bottom = src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * wx;
      const p = top + (bottom - top) * wy;
      out[o++] = p <= 0 ? 0 : p >= 1 ? 255 : (p * 255 + 0.5) | 0;
    }
  }
}
