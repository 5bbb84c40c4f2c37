/**
 * The y4m plane ↔ RGB conversions the file sources and sinks used before frames became planar
 * YCbCr (issue 12), kept unchanged as test oracles: `src/io/_yuv_planes.ts` now converts y4m
 * planes to full-range frames (and back), and its tests check that a frame turned
 * into RGB is within 1 of {@linkcode y4mPlanesToRgb}, and that written planes are within 1 of
 * {@linkcode rgbToYuv444} (4:4:4) and `rgbToI420` (4:2:0, `src/image/yuv.ts`).
 *
 * @module
 */

/** Chroma subsampling of a planar frame. */
export type Subsampling = "420" | "422" | "444" | "mono";

/** Sample range: limited (Y 16–235, C 16–240) or full (0–255, JPEG style). */
export type YuvRange = "limited" | "full";

/** Frame layout for {@linkcode y4mPlanesToRgb}. */
export interface PlanarOptions {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Chroma subsampling. */
  subsampling: Subsampling;
  /** Sample range (default limited). */
  range?: YuvRange;
}

// BT.601 (Kr = 0.299, Kb = 0.114) inverse matrix, as in src/image/yuv.ts.
const LIMITED = {
  y: 255 / 219,
  yOffset: 16,
  rv: (255 / 224) * 1.402,
  gu: (255 / 224) * 1.772 * 0.114 / 0.587,
  gv: (255 / 224) * 1.402 * 0.299 / 0.587,
  bu: (255 / 224) * 1.772,
} as const;
const FULL = {
  y: 1,
  yOffset: 0,
  rv: 1.402,
  gu: 1.772 * 0.114 / 0.587,
  gv: 1.402 * 0.299 / 0.587,
  bu: 1.772,
} as const;

/**
 * Returns the sizes of the planes of a frame: luma, and each chroma plane (0 for mono). Odd
 * sizes round the chroma size up, as ffmpeg does.
 *
 * @example
 * ```ts
 * import { planeSizes } from "./y4m_rgb.ts";
 * planeSizes({ width: 5, height: 3, subsampling: "420" });
 * // { luma: 15, chromaWidth: 3, chromaHeight: 2, chroma: 6, total: 27 }
 * ```
 *
 * @param options The frame layout.
 * @returns Byte counts and the chroma plane size.
 */
export function planeSizes(
  options: PlanarOptions,
): { luma: number; chromaWidth: number; chromaHeight: number; chroma: number; total: number } {
  const { width, height, subsampling } = options;
  const luma = width * height;
  if (subsampling === "mono") {
    return { luma, chromaWidth: 0, chromaHeight: 0, chroma: 0, total: luma };
  }
  const chromaWidth = subsampling === "444" ? width : (width + 1) >> 1;
  const chromaHeight = subsampling === "420" ? (height + 1) >> 1 : height;
  const chroma = chromaWidth * chromaHeight;
  return { luma, chromaWidth, chromaHeight, chroma, total: luma + 2 * chroma };
}

function clamp(t: number): number {
  // The Uint8Array store truncates; +0.5 was added before, so this rounds to nearest.
  return t < 0 ? 0 : t > 255 ? 255 : t;
}

/**
 * Converts a planar YUV frame (Y plane, then Cb and Cr planes) to interleaved RGB with the
 * BT.601 matrix.
 *
 * @example
 * ```ts
 * import { y4mPlanesToRgb } from "./y4m_rgb.ts";
 * const rgb = new Uint8Array(3);
 * y4mPlanesToRgb(new Uint8Array([235, 128, 128]), rgb, { width: 1, height: 1, subsampling: "444" });
 * rgb; // Uint8Array [255, 255, 255]
 * ```
 *
 * @param yuv Input planes, {@linkcode planeSizes}`(options).total` bytes.
 * @param rgb Output, `width * height * 3` bytes.
 * @param options The frame layout and range.
 */
export function y4mPlanesToRgb(yuv: Uint8Array, rgb: Uint8Array, options: PlanarOptions): void {
  const { width, height, subsampling } = options;
  const k = options.range === "full" ? FULL : LIMITED;
  const sizes = planeSizes(options);
  if (yuv.length < sizes.total || rgb.length < width * height * 3) {
    throw new RangeError(`Cannot convert ${subsampling} YUV to RGB: a buffer is too small`);
  }
  let o = 0;
  if (subsampling === "mono") {
    for (let i = 0; i < sizes.luma; i++, o += 3) {
      const l = clamp(k.y * (yuv[i]! - k.yOffset) + 0.5);
      rgb[o] = l;
      rgb[o + 1] = l;
      rgb[o + 2] = l;
    }
    return;
  }
  const { chromaWidth, chromaHeight } = sizes;
  const half = subsampling !== "444";
  const uBase = sizes.luma;
  const vBase = sizes.luma + sizes.chroma;
  for (let row = 0; row < height; row++) {
    const chromaRow = subsampling === "420" ? Math.min(row >> 1, chromaHeight - 1) : row;
    const c0 = chromaRow * chromaWidth;
    const last = c0 + chromaWidth - 1;
    let y = row * width;
    let cu = yuv[uBase + c0]! - 128;
    let cv = yuv[vBase + c0]! - 128;
    let cr = k.rv * cv;
    let cg = k.gu * cu + k.gv * cv;
    let cb = k.bu * cu;
    for (let x = 0, c = c0; x < width; x++, y++, o += 3) {
      let r = cr;
      let g = cg;
      let b = cb;
      if (!half) {
        if (x + 1 < width) {
          c++;
          cu = yuv[uBase + c]! - 128;
          cv = yuv[vBase + c]! - 128;
          cr = k.rv * cv;
          cg = k.gu * cu + k.gv * cv;
          cb = k.bu * cu;
        }
      } else if ((x & 1) === 1) {
        // Halfway between sample c and c + 1 (the last odd pixel repeats the last sample).
        const next = c < last ? c + 1 : c;
        cu = yuv[uBase + next]! - 128;
        cv = yuv[vBase + next]! - 128;
        const nr = k.rv * cv;
        const ng = k.gu * cu + k.gv * cv;
        const nb = k.bu * cu;
        r = (cr + nr) * 0.5;
        g = (cg + ng) * 0.5;
        b = (cb + nb) * 0.5;
        cr = nr;
        cg = ng;
        cb = nb;
        c = next;
      }
      const l = k.y * (yuv[y]! - k.yOffset) + 0.5;
      rgb[o] = clamp(l + r);
      rgb[o + 1] = clamp(l - g);
      rgb[o + 2] = clamp(l + b);
    }
  }
}

// BT.601 8-bit forward matrix in thousandths, as in src/image/yuv.ts (correctly rounded).
const NUDGE = 2 ** -24;
const Y_SCALE = 1 / 255000;
const Y_BIAS = 16.5 + NUDGE;
const C_BIAS = 128.5 + NUDGE;

/**
 * Converts interleaved RGB to planar YUV 4:4:4, BT.601 limited range, correctly rounded (the
 * per-pixel matrix of `src/image/yuv.ts` without chroma filtering). Any size, odd included.
 *
 * @example
 * ```ts
 * import { rgbToYuv444 } from "./y4m_rgb.ts";
 * const yuv = new Uint8Array(3);
 * rgbToYuv444(new Uint8Array([255, 0, 0]), yuv, { width: 1, height: 1 });
 * yuv; // Uint8Array [81, 90, 240]
 * ```
 *
 * @param rgb Input, `width * height * 3` bytes.
 * @param yuv Output, `width * height * 3` bytes: Y plane, Cb plane, Cr plane.
 * @param options The frame size.
 */
export function rgbToYuv444(
  rgb: Uint8Array,
  yuv: Uint8Array,
  options: { width: number; height: number },
): void {
  const n = options.width * options.height;
  if (rgb.length < n * 3 || yuv.length < n * 3) {
    throw new RangeError("Cannot convert RGB to 444 YUV: a buffer is too small");
  }
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const r = rgb[p]!;
    const g = rgb[p + 1]!;
    const b = rgb[p + 2]!;
    yuv[i] = (65481 * r + 128553 * g + 24966 * b) * Y_SCALE + Y_BIAS;
    yuv[n + i] = (-37797 * r - 74203 * g + 112000 * b) * Y_SCALE + C_BIAS;
    yuv[2 * n + i] = (112000 * r - 93786 * g - 18214 * b) * Y_SCALE + C_BIAS;
  }
}
