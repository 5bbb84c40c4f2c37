/**
 * Bilinear resampling of a rectangle of a picture to a whole output picture (half-pixel centres,
 * edges clamped to the rectangle). Used to crop-and-scale the camera frame to the output size and
 * to lift the model's probability map (only the letterboxed content part) to an 8-bit alpha mask.
 *
 * Coordinates are precomputed once per geometry ({@linkcode RegionMap},
 * {@linkcode FrameRegionMaps}), so a frame costs one pass with no allocation.
 *
 * @module
 */

import { chromaHeight, chromaWidth, type Frame } from "./frame.ts";
import type { Rect, Size } from "./geometry.ts";

/** Precomputed source positions and weights for one region → output mapping. */
export class RegionMap {
  /** Output width. */
  readonly width: number;
  /** Output height. */
  readonly height: number;
  /** Per output column: the left source column. */
  readonly x0: Int32Array;
  /** Per output column: the right source column. */
  readonly x1: Int32Array;
  /** Per output column: the right column's weight, in 1/256ths. */
  readonly fx: Uint16Array;
  /** Per output row: the upper source row. */
  readonly y0: Int32Array;
  /** Per output row: the lower source row. */
  readonly y1: Int32Array;
  /** Per output row: the lower row's weight, in 1/256ths. */
  readonly fy: Uint16Array;

  /**
   * @param src the source picture's size
   * @param rect the region of the source to show
   * @param out the output size
   */
  constructor(
    src: Size,
    rect: Rect,
    out: Size,
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
  update(src: Size, rect: Rect): void {
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
 * Resamples a region of one 8-bit plane (a luma or chroma plane) to the map's output size, in 8.8
 * fixed point.
 *
 * @example
 * ```ts
 * import { RegionMap, resamplePlane } from "./region.ts";
 * const size = { width: 2, height: 1 };
 * const map = new RegionMap(size, { x: 0, y: 0, w: 2, h: 1 }, { width: 1, height: 1 });
 * const out = new Uint8Array(1);
 * resamplePlane(new Uint8Array([10, 20]), 2, map, out);
 * console.log(out[0]); // 15
 * ```
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
  const { width, height, x0, x1, fx, y0, y1, fy } = map;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = y0[y]! * srcWidth;
    const r1 = y1[y]! * srcWidth;
    const wy = fy[y]!;
    const wy0 = 256 - wy;
    for (let x = 0; x < width; x++) {
      const a = x0[x]!;
      const b = x1[x]!;
      const wx = fx[x]!;
      const wx0 = 256 - wx;
      const top = src[r0 + a]! * wx0 + src[r0 + b]! * wx;
      const bottom = src[r1 + a]! * wx0 + src[r1 + b]! * wx;
      out[o++] = (top * wy0 + bottom * wy + 32768) >> 16;
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
 * The maps that crop-and-scale a {@linkcode Frame} of the source size to the output size, made
 * once per geometry: one for luma (which `"444"` chroma uses too) and one per half-width chroma
 * layout of the source (`"422"`, `"420"`: made on first use, as a camera's JPEG frames may switch
 * between them). Chroma sites are centred (JPEG's), so a half-width chroma region is the luma
 * region halved.
 */
export class FrameRegionMaps {
  readonly #source: Size;
  readonly #output: Size;
  readonly #crop: Rect;
  /** The half-width chroma planes' sizes and regions, refilled in place by {@linkcode update}. */
  readonly #chromaSize: [Size, Size];
  readonly #chromaCrop: [Rect, Rect] = [{ x: 0, y: 0, w: 0, h: 0 }, { x: 0, y: 0, w: 0, h: 0 }];
  /** The luma map (and the `"444"` chroma map). */
  readonly luma: RegionMap;
  #c422: RegionMap | null = null;
  #c420: RegionMap | null = null;

  /**
   * @example
   * ```ts
   * import { FrameRegionMaps } from "./region.ts";
   * const maps = new FrameRegionMaps(
   *   { width: 1280, height: 720 },
   *   { x: 160, y: 0, w: 960, h: 720 },
   *   { width: 640, height: 480 },
   * );
   * console.log(maps.luma.width); // 640
   * ```
   *
   * @param source the source frames' size (even width for half-width chroma)
   * @param crop the region of the source to show
   * @param output the output size (even width for half-width chroma)
   */
  constructor(source: Size, crop: Rect, output: Size) {
    this.#source = { width: source.width, height: source.height };
    this.#output = { width: output.width, height: output.height };
    this.#crop = { x: crop.x, y: crop.y, w: crop.w, h: crop.h };
    this.#chromaSize = [
      { width: source.width / 2, height: source.height },
      { width: source.width / 2, height: Math.ceil(source.height / 2) },
    ];
    this.luma = new RegionMap(source, crop, output);
  }

  /** The output size. */
  get output(): Size {
    return this.#output;
  }

  /**
   * Points the maps at another region of the source (e.g. a moving crop) without allocating.
   *
   * @param crop the region of the source to show
   */
  update(crop: Rect): void {
    const c = this.#crop;
    c.x = crop.x;
    c.y = crop.y;
    c.w = crop.w;
    c.h = crop.h;
    this.luma.update(this.#source, crop);
    if (this.#c422) this.#c422.update(this.#chromaSize[0], this.#chromaRegion(0));
    if (this.#c420) this.#c420.update(this.#chromaSize[1], this.#chromaRegion(1));
  }

  /**
   * The chroma map for a source layout.
   *
   * @param layout the source frame's layout
   * @returns the map from its chroma planes to the output's (`"444"`: the luma map; `"422"` and
   *   `"420"`: to half-width 4:2:2 chroma)
   */
  chroma(layout: Frame["layout"]): RegionMap {
    if (layout === "444") return this.luma;
    if (layout === "422") {
      return this.#c422 ??= new RegionMap(
        this.#chromaSize[0],
        this.#chromaRegion(0),
        this.#halfOutput(),
      );
    }
    return this.#c420 ??= new RegionMap(
      this.#chromaSize[1],
      this.#chromaRegion(1),
      this.#halfOutput(),
    );
  }

  /** The crop in a half-width chroma plane (`shift` 1: half height too), filled in place. */
  #chromaRegion(shift: 0 | 1): Rect {
    const v = 1 << shift;
    const r = this.#crop;
    const c = this.#chromaCrop[shift];
    c.x = r.x / 2;
    c.y = r.y / v;
    c.w = r.w / 2;
    c.h = r.h / v;
    return c;
  }

  #halfOutput(): Size {
    return { width: this.#output.width / 2, height: this.#output.height };
  }
}

/**
 * Crops and scales a frame to the output size: `"444"` to `"444"`, `"422"` or `"420"` to
 * `"422"` (the layout is picked per frame, so a camera may switch between the two).
 *
 * @example
 * ```ts
 * import { makeFrame } from "./frame.ts";
 * import { FrameRegionMaps, resampleFrame } from "./region.ts";
 * const src = makeFrame({ width: 8, height: 8 }, "444");
 * const out = makeFrame({ width: 4, height: 4 }, "444");
 * const maps = new FrameRegionMaps(src, { x: 0, y: 0, w: 8, h: 8 }, out);
 * resampleFrame(src, maps, out);
 * ```
 *
 * @param src the source frame, of the maps' source size
 * @param maps made once for the geometry
 * @param out the output frame, of the maps' output size: made `"444"` for a `"444"` source,
 *   `"422"` otherwise (its layout is set)
 * @throws {RangeError} for frames of other sizes, or an output that cannot hold the layout
 */
export function resampleFrame(src: Frame, maps: FrameRegionMaps, out: Frame): void {
  const { width, height } = maps.output;
  if (out.width !== width || out.height !== height) {
    throw new RangeError(
      `Cannot resample into a ${out.width}x${out.height} frame: the maps make ${width}x${height}`,
    );
  }
  const wide = src.layout === "444";
  if (wide !== (out.layout === "444")) {
    throw new RangeError(
      `Cannot resample a ${src.layout} frame into a ${out.layout} one: 444 gives 444, 422 and 420 give 422`,
    );
  }
  const chroma = maps.chroma(src.layout);
  const scw = chromaWidth(src.width, src.layout);
  if (
    src.y.length < src.width * src.height ||
    src.u.length < scw * chromaHeight(src.height, src.layout)
  ) {
    throw new RangeError(
      `Cannot resample: the ${src.width}x${src.height} source's planes are short`,
    );
  }
  resamplePlane(src.y, src.width, maps.luma, out.y);
  resamplePlane(src.u, scw, chroma, out.u);
  resamplePlane(src.v, scw, chroma, out.v);
  if (!wide) out.layout = "422";
}
