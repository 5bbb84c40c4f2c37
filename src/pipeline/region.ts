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

import type { YuvFrame } from "../image/planar.ts";
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
  resampleBytes(src, srcWidth, map, out, 3);
}

/**
 * Resamples a region of one 8-bit plane (a luma or chroma plane) to the map's output size.
 *
 * @param src the plane, `srcWidth` bytes per row
 * @param srcWidth the plane's width
 * @param map from {@linkcode RegionMap}
 * @param out the output plane, map.width × map.height
 */
export function resamplePlane(
  src: Uint8Array,
  srcWidth: number,
  map: RegionMap,
  out: Uint8Array,
): void {
  resampleBytes(src, srcWidth, map, out, 1);
}

/** Bilinear resampling of interleaved 8-bit pixels of `channels` bytes, in 8.8 fixed point. */
function resampleBytes(
  src: Uint8Array,
  srcWidth: number,
  map: RegionMap,
  out: Uint8Array,
  channels: number,
): void {
  const { width, height, x0, x1, fx, y0, y1, fy } = map;
  const stride = srcWidth * channels;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = y0[y]! * stride;
    const r1 = y1[y]! * stride;
    const wy = fy[y]!;
    const wy0 = 256 - wy;
    for (let x = 0; x < width; x++) {
      const a = x0[x]! * channels;
      const b = x1[x]! * channels;
      const wx = fx[x]!;
      const wx0 = 256 - wx;
      for (let c = 0; c < channels; c++) {
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

/**
 * The maps that crop-and-scale a planar YCbCr frame: one for luma, one per chroma layout (4:2:2,
 * 4:2:0), made once. Chroma sites are centred (JPEG's), so the chroma region is the luma region
 * halved.
 */
export class YuvRegionMaps {
  readonly #src: { width: number; height: number };
  readonly #rect: Rect;
  readonly #out: { width: number; height: number };
  /** The luma map. */
  readonly luma: RegionMap;
  readonly #chroma: [RegionMap | null, RegionMap | null] = [null, null];

  /**
   * @param src the camera frame's size (even width)
   * @param rect the region of it to show
   * @param out the output size (even width)
   */
  constructor(
    src: { width: number; height: number },
    rect: Rect,
    out: { width: number; height: number },
  ) {
    this.#src = src;
    this.#rect = rect;
    this.#out = out;
    this.luma = new RegionMap(src, rect, out);
  }

  /**
   * The chroma map for a chroma layout (made on first use).
   *
   * @param shift 0 for 4:2:2, 1 for 4:2:0
   * @returns the map from the chroma planes to the output's half-width chroma planes
   */
  chroma(shift: 0 | 1): RegionMap {
    let map = this.#chroma[shift];
    if (map === null) {
      const v = 1 << shift;
      const { width, height } = this.#src;
      const r = this.#rect;
      map = new RegionMap(
        { width: width / 2, height: Math.ceil(height / v) },
        { x: r.x / 2, y: r.y / v, w: r.w / 2, h: r.h / v },
        { width: this.#out.width / 2, height: this.#out.height },
      );
      this.#chroma[shift] = map;
    }
    return map;
  }
}

/**
 * Crops and scales a planar YCbCr frame (4:2:2 or 4:2:0) to a 4:2:2 frame of the output size.
 *
 * @param src the camera frame
 * @param maps made once for the geometry
 * @param out the output frame
 */
export function resampleYuv(src: YuvFrame, maps: YuvRegionMaps, out: YuvFrame): void {
  resamplePlane(src.y, src.width, maps.luma, out.y);
  const chroma = maps.chroma(src.chromaShift);
  resamplePlane(src.u, src.width / 2, chroma, out.u);
  resamplePlane(src.v, src.width / 2, chroma, out.v);
  out.chromaShift = 0;
}
