/**
 * Planar YUV buffers as files hold them (y4m frames, ffmpeg's raw `yuv444p`) ↔ the pipeline's
 * {@linkcode Frame}: every y4m layout (4:2:0, 4:2:2, 4:4:4, mono, odd sizes), limited (BT.601
 * studio) or full range, converted once, in one pass, with no allocation per frame.
 *
 * **Reading into a `"444"` frame** (files): each pixel gets exactly the RGB value the earlier
 * RGB-based reader gave (BT.601 inverse matrix in float64, chroma of an odd pixel between two
 * samples interpolated, a 4:2:0 chroma row serving the two luma rows it sits between, rounded
 * and clamped), computed in registers and turned into full-range Y, Cb, Cr with the JFIF matrix.
 * So a picture converted back to RGB is within 1 of what that reader produced — for every one of
 * the 11 million limited-range colours, which a direct limited → full table of each plane cannot
 * do (it is 2 off for 1 % of them, measured: the full-range planes re-quantise Y and chroma
 * separately). Mono and full-range 4:4:4 planes go straight in (exact).
 *
 * **Reading into a `"422"` frame** (a file feeding the virtual camera): planes are copied
 * through the limited → full tables, 4:2:0 stays 4:2:0 (the frame is marked `"420"`), 4:4:4
 * chroma is averaged in pairs.
 *
 * **Writing** ({@linkcode frameToPlanes}) gives limited-range planes: 4:4:4 through the
 * full → limited tables, or 4:2:0 sited the MPEG-2 way (co-sited with the even column, between
 * the two rows) through the [1, 2, 1] ⊗ [1, 1] / 8 filter of `rgbToI420` in `src/image/yuv.ts`,
 * applied to the full-range chroma and rounded once, so the bytes are within 1 of what
 * `rgbToI420` gives for the same picture in RGB.
 *
 * @module
 */

import { chromaHeight, chromaWidth, type Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import {
  CHROMA_TO_FULL,
  CHROMA_TO_LIMITED,
  LUMA_TO_FULL,
  LUMA_TO_LIMITED,
} from "../image/planar.ts";

/** Chroma subsampling of a file's planes. */
export type Subsampling = "420" | "422" | "444" | "mono";

/** Sample range: limited (Y 16–235, C 16–240) or full (0–255, JPEG style). */
export type YuvRange = "limited" | "full";

/** The layout of a file's planes. */
export interface PlanarOptions extends Size {
  /** Chroma subsampling. */
  readonly subsampling: Subsampling;
  /** Sample range (default limited). */
  readonly range?: YuvRange;
}

/** The byte counts of a file's planes. */
export interface PlaneSizes {
  /** Luma bytes. */
  luma: number;
  /** Chroma samples per row (0 for mono). */
  chromaWidth: number;
  /** Chroma rows (0 for mono). */
  chromaHeight: number;
  /** Bytes of each chroma plane. */
  chroma: number;
  /** All planes. */
  total: number;
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

const IDENTITY: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => i);

/**
 * Returns the sizes of the planes of a frame: luma, and each chroma plane (0 for mono). Odd
 * sizes round the chroma size up, as ffmpeg does.
 *
 * @example
 * ```ts
 * import { planeSizes } from "./_yuv_planes.ts";
 * planeSizes({ width: 5, height: 3, subsampling: "420" });
 * // { luma: 15, chromaWidth: 3, chromaHeight: 2, chroma: 6, total: 27 }
 * ```
 *
 * @param options The frame layout.
 * @returns Byte counts and the chroma plane size.
 */
export function planeSizes(options: PlanarOptions): PlaneSizes {
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

function checkFrame(frame: Frame, size: Size, action: string): void {
  if (frame.width !== size.width || frame.height !== size.height) {
    throw new RangeError(
      `Cannot ${action}: the frame is ${frame.width}x${frame.height}, the planes are ` +
        `${size.width}x${size.height}`,
    );
  }
}

/**
 * Converts a file's planes (Y, then Cb and Cr) to a frame, in the frame's layout: a `"444"`
 * frame gets full-resolution chroma (see the module doc for the exactness), a `"422"` or
 * `"420"` frame gets 4:2:2, or 4:2:0 for 4:2:0 planes (its `layout` is set).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { planesToFrame } from "./_yuv_planes.ts";
 * const frame = makeFrame({ width: 1, height: 1 }, "444");
 * planesToFrame(new Uint8Array([235, 128, 128]), { width: 1, height: 1, subsampling: "444" }, frame);
 * frame.y; // Uint8Array [255]
 * ```
 *
 * @param planes The planes, {@linkcode planeSizes}`(options).total` bytes.
 * @param options Their layout and range.
 * @param frame The destination, of the planes' size.
 * @throws {RangeError} When the sizes do not match.
 */
export function planesToFrame(planes: Uint8Array, options: PlanarOptions, frame: Frame): void {
  checkFrame(frame, options, "convert planes to a frame");
  const sizes = planeSizes(options);
  if (planes.length < sizes.total) {
    throw new RangeError(
      `Cannot convert ${options.subsampling} planes to a frame: ${planes.length} bytes, ` +
        `${options.width}x${options.height} needs ${sizes.total}`,
    );
  }
  const full = options.range === "full";
  const { subsampling } = options;
  const n = sizes.luma;
  const luma = full ? IDENTITY : LUMA_TO_FULL;
  const chroma = full ? IDENTITY : CHROMA_TO_FULL;
  if (subsampling === "mono") {
    mapBytes(planes, 0, frame.y, 0, n, luma);
    frame.u.fill(128);
    frame.v.fill(128);
    if (frame.layout === "420") frame.layout = "422";
    return;
  }
  if (frame.layout === "444") {
    if (subsampling === "444" && full) {
      frame.y.set(planes.subarray(0, n));
      frame.u.set(planes.subarray(n, 2 * n));
      frame.v.set(planes.subarray(2 * n, 3 * n));
    } else {
      exactTo444(planes, options, sizes, frame);
    }
    return;
  }
  // Half-width chroma (the frame's width is even, so the planes' chroma width is width / 2).
  mapBytes(planes, 0, frame.y, 0, n, luma);
  const c = sizes.chroma;
  if (subsampling === "444") {
    const { u, v } = frame;
    for (let i = 0, j = n; i < (n >> 1); i++, j += 2) {
      u[i] = chroma[(planes[j]! + planes[j + 1]! + 1) >> 1]!;
      v[i] = chroma[(planes[j + n]! + planes[j + n + 1]! + 1) >> 1]!;
    }
    frame.layout = "422";
  } else {
    mapBytes(planes, n, frame.u, 0, c, chroma);
    mapBytes(planes, n + c, frame.v, 0, c, chroma);
    frame.layout = subsampling;
  }
}

function mapBytes(
  src: Uint8Array,
  from: number,
  dst: Uint8Array,
  to: number,
  count: number,
  table: Uint8Array,
): void {
  if (table === IDENTITY) {
    dst.set(src.subarray(from, from + count), to);
    return;
  }
  for (let i = 0; i < count; i++) dst[to + i] = table[src[from + i]!]!;
}

/**
 * Planes → RGB in registers (bytes as the earlier RGB reader gave them) → full-range 4:4:4 with
 * the JFIF matrix in 16-bit fixed point (the rounding of `src/image/planar.ts`).
 */
function exactTo444(
  planes: Uint8Array,
  options: PlanarOptions,
  sizes: PlaneSizes,
  frame: Frame,
): void {
  const { width, height, subsampling } = options;
  const k = options.range === "full" ? FULL : LIMITED;
  const { y: outY, u: outU, v: outV } = frame;
  const { chromaWidth: cw, chromaHeight: ch } = sizes;
  const half = subsampling !== "444";
  const uBase = sizes.luma;
  const vBase = sizes.luma + sizes.chroma;
  const ky = k.y, yOffset = k.yOffset, rv = k.rv, gu = k.gu, gv = k.gv, bu = k.bu;
  for (let row = 0; row < height; row++) {
    const chromaRow = subsampling === "420" ? Math.min(row >> 1, ch - 1) : row;
    const c0 = chromaRow * cw;
    const last = c0 + cw - 1;
    let i = row * width;
    let cu = planes[uBase + c0]! - 128;
    let cv = planes[vBase + c0]! - 128;
    let cr = rv * cv;
    let cg = gu * cu + gv * cv;
    let cb = bu * cu;
    for (let x = 0, c = c0; x < width; x++, i++) {
      let dr = cr;
      let dg = cg;
      let db = cb;
      if (!half) {
        if (x + 1 < width) {
          c++;
          cu = planes[uBase + c]! - 128;
          cv = planes[vBase + c]! - 128;
          cr = rv * cv;
          cg = gu * cu + gv * cv;
          cb = bu * cu;
        }
      } else if ((x & 1) === 1) {
        // Halfway between sample c and c + 1 (the last odd pixel repeats the last sample).
        const next = c < last ? c + 1 : c;
        cu = planes[uBase + next]! - 128;
        cv = planes[vBase + next]! - 128;
        const nr = rv * cv;
        const ng = gu * cu + gv * cv;
        const nb = bu * cu;
        dr = (cr + nr) * 0.5;
        dg = (cg + ng) * 0.5;
        db = (cb + nb) * 0.5;
        cr = nr;
        cg = ng;
        cb = nb;
        c = next;
      }
      const l = ky * (planes[i]! - yOffset) + 0.5;
      let t = l + dr;
      const r = t <= 0 ? 0 : t >= 255 ? 255 : t | 0;
      t = l - dg;
      const g = t <= 0 ? 0 : t >= 255 ? 255 : t | 0;
      t = l + db;
      const b = t <= 0 ? 0 : t >= 255 ? 255 : t | 0;
      outY[i] = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
      const u = (-11059 * r - 21709 * g + 32768 * b + 8421376) >> 16;
      const v = (32768 * r - 27439 * g - 5329 * b + 8421376) >> 16;
      outU[i] = u > 255 ? 255 : u;
      outV[i] = v > 255 ? 255 : v;
    }
  }
}

/**
 * Converts a frame (any layout) to limited-range planes: `"444"` (Y, Cb, Cr at full
 * resolution; 4:2:2 and 4:2:0 chroma is repeated) or `"420"` (MPEG-2 sited, see the module doc;
 * even sizes only).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { frameToPlanes } from "./_yuv_planes.ts";
 * const frame = makeFrame({ width: 2, height: 2 }, "444");
 * frame.y.fill(255);
 * const planes = new Uint8Array(6);
 * frameToPlanes(frame, planes, "420");
 * planes; // Uint8Array [235, 235, 235, 235, 128, 128]
 * ```
 *
 * @param frame The frame.
 * @param planes The output, {@linkcode planeSizes} bytes for the frame's size and `subsampling`.
 * @param subsampling `"444"` or `"420"`.
 * @throws {RangeError} When the buffer is too small, or for 4:2:0 of an odd size.
 */
export function frameToPlanes(
  frame: Frame,
  planes: Uint8Array,
  subsampling: "444" | "420",
): void {
  const { width, height, layout } = frame;
  const sizes = planeSizes({ width, height, subsampling });
  if (planes.length < sizes.total) {
    throw new RangeError(
      `Cannot convert a frame to ${subsampling} planes: ${planes.length} bytes, ` +
        `${width}x${height} needs ${sizes.total}`,
    );
  }
  if (subsampling === "420" && (width % 2 !== 0 || height % 2 !== 0)) {
    throw new RangeError(`Cannot convert a ${width}x${height} frame to 4:2:0: the size is odd`);
  }
  const n = sizes.luma;
  mapBytes(frame.y, 0, planes, 0, n, LUMA_TO_LIMITED);
  const uBase = n;
  const vBase = n + sizes.chroma;
  if (subsampling === "444") {
    if (layout === "444") {
      mapBytes(frame.u, 0, planes, uBase, n, CHROMA_TO_LIMITED);
      mapBytes(frame.v, 0, planes, vBase, n, CHROMA_TO_LIMITED);
    } else {
      repeatChroma(frame, planes, uBase, vBase);
    }
    return;
  }
  const cw = width >> 1;
  const ch = height >> 1;
  const { u, v } = frame;
  const table = CHROMA_TO_LIMITED;
  if (layout === "420") {
    mapBytes(u, 0, planes, uBase, cw * ch, table);
    mapBytes(v, 0, planes, vBase, cw * ch, table);
  } else if (layout === "422") {
    // Two chroma rows → one; the exact mean goes through the full → limited scale once.
    for (let j = 0, o = 0; j < ch; j++) {
      const a = 2 * j * cw;
      const b = a + cw;
      for (let k = 0; k < cw; k++, o++) {
        planes[uBase + o] = (u[a + k]! + u[b + k]! - 256) * (112 / 255) + 128.5;
        planes[vBase + o] = (v[a + k]! + v[b + k]! - 256) * (112 / 255) + 128.5;
      }
    }
  } else {
    to420Mpeg2(u, planes, uBase, width, height);
    to420Mpeg2(v, planes, vBase, width, height);
  }
}

/**
 * One full-resolution full-range chroma plane → 4:2:0 limited range, MPEG-2 sited: the
 * [1, 2, 1] ⊗ [1, 1] / 8 filter of `rgbToI420` (column −1 is column 0), rounded once.
 */
function to420Mpeg2(
  src: Uint8Array,
  out: Uint8Array,
  base: number,
  width: number,
  height: number,
): void {
  // 128 + (s / 8 − 128) · 224 / 255 for the filter sum s; no value is exactly halfway.
  const scale = 28 / 255;
  let o = base;
  for (let row = 0; row < height; row += 2) {
    let p0 = row * width;
    let p1 = p0 + width;
    const end = p1;
    let left = src[p0]! + src[p1]!;
    while (p0 < end) {
      const even = src[p0]! + src[p1]!;
      const odd = src[p0 + 1]! + src[p1 + 1]!;
      out[o++] = (left + 2 * even + odd - 1024) * scale + 128.5;
      left = odd;
      p0 += 2;
      p1 += 2;
    }
  }
}

/** 4:2:2 or 4:2:0 chroma → limited-range 4:4:4 planes, each sample repeated. */
function repeatChroma(frame: Frame, planes: Uint8Array, uBase: number, vBase: number): void {
  const { width, height, u, v, layout } = frame;
  const cw = chromaWidth(width, layout);
  const rows = chromaHeight(height, layout);
  const table = CHROMA_TO_LIMITED;
  for (let row = 0, o = 0; row < height; row++) {
    const c0 = Math.min(layout === "420" ? row >> 1 : row, rows - 1) * cw;
    for (let x = 0; x < width; x++, o++) {
      const c = c0 + (x >> 1);
      planes[uBase + o] = table[u[c]!]!;
      planes[vBase + o] = table[v[c]!]!;
    }
  }
}
