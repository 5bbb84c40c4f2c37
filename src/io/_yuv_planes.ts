/**
 * Planar YUV buffers as files hold them (y4m frames, ffmpeg's raw `yuv444p`) ↔ the pipeline's
 * {@linkcode Frame}: every y4m layout (4:2:0, 4:2:2, 4:4:4, mono, odd sizes), limited (BT.601
 * studio) or full range, converted once, with no allocation per frame.
 *
 * **Reading into a `"444"` frame** (files): by table, in integers, two pixels per lookup where
 * the planes sit at even addresses. Luma goes through the limited → full table; chroma is
 * upsampled the way the earlier RGB-based reader sited it (each even pixel takes its sample, an
 * odd pixel the mean of the samples either side, the last repeating; a 4:2:0 chroma row serves
 * the two luma rows it sits between) with the mean and the range change in one table, rounded
 * once. The frame stores Y, Cb and Cr, each rounded, and turning it into RGB rounds again: one
 * rounding more than that reader's decode straight to RGB, so a picture converted back to RGB
 * is within 2 of it, and within 1 for 99.7 % of the values of the 11 million limited-range
 * colours (measured; `_yuv_planes_test.ts`). A sample outside the limited range (ffmpeg's own
 * 4:2:0 chroma overshoots at sharp colour edges; superwhite, below black) would be clamped on its
 * own plane by the tables, where that reader clamped R, G and B: the tables flag such samples,
 * and the pixels using them are redone its way, through RGB in floats (within 1), at that cost
 * for those pixels only. Mono and full-range 4:4:4 planes go straight in (exact); full-range
 * 4:2:0 and 4:2:2 chroma is interpolated as above (within 1).
 *
 * **Reading into a `"422"` frame** (a file feeding the virtual camera): planes are copied
 * through the limited → full tables, 4:2:0 stays 4:2:0 (the frame is marked `"420"`), 4:4:4
 * chroma is averaged in pairs (the mean and the range change rounded once). Samples outside the
 * limited range clamp per plane, as the camera's YUYV does.
 *
 * **Writing** ({@linkcode frameToPlanes}) gives limited-range planes: 4:4:4 through the
 * full → limited tables, or 4:2:0 sited the MPEG-2 way (co-sited with the even column, between
 * the two rows) through the [1, 2, 1] ⊗ [1, 1] / 8 filter of `rgbToI420` in `src/image/yuv.ts`,
 * applied to the full-range chroma and rounded once (a table of the filter's sum), so the bytes
 * are within 1 of what `rgbToI420` gives for the same picture in RGB.
 *
 * @module
 */

import { chromaHeight, chromaWidth, type Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import {
  CHROMA_TO_FULL,
  CHROMA_TO_LIMITED,
  clamp8,
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

const IDENTITY: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => i);

/**
 * The mean of two limited-range chroma samples a, b → full range, indexed by a + b (0 … 510),
 * rounded once: the odd pixels of upsampled 4:2:0 and 4:2:2 chroma, and the pairs of 4:4:4
 * chroma put in a 4:2:2 frame. Even sums give {@linkcode CHROMA_TO_FULL} of the half.
 */
const CHROMA_MEAN_TO_FULL: Uint8Array = Uint8Array.from(
  { length: 511 },
  (_, s) => clamp8(128 + ((s / 2 - 128) * 255) / 224),
);
/** As {@linkcode CHROMA_MEAN_TO_FULL}, full range in: the rounded mean. */
const MEAN: Uint8Array = Uint8Array.from({ length: 511 }, (_, s) => (s + 1) >> 1);
/**
 * The sum s of the [1, 2, 1] ⊗ [1, 1] filter (0 … 2040) of full-range chroma → limited-range
 * 4:2:0: 128 + (s / 8 − 128) · 224 / 255, rounded (no value is exactly halfway).
 */
const MPEG2_SUM_TO_LIMITED: Uint8Array = Uint8Array.from(
  { length: 2041 },
  (_, s) => Math.floor((s - 1024) * (28 / 255) + 128.5),
);
/** The sum of two full-range chroma samples (0 … 510) → the limited range of their mean. */
const PAIR_SUM_TO_LIMITED: Uint8Array = Uint8Array.from(
  { length: 511 },
  (_, s) => Math.floor((s - 256) * (112 / 255) + 128.5),
);

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
 * frame gets full-resolution chroma (see the module doc for the accuracy), a `"422"` or
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
  const { width, height, subsampling } = options;
  const n = sizes.luma;
  const luma = full ? IDENTITY : LUMA_TO_FULL;
  const chroma = full ? IDENTITY : CHROMA_TO_FULL;
  const mean = full ? MEAN : CHROMA_MEAN_TO_FULL;
  const lumaOutside = mapBytes(planes, 0, frame.y, 0, n, luma);
  if (subsampling === "mono") {
    frame.u.fill(128);
    frame.v.fill(128);
    if (frame.layout === "420") frame.layout = "422";
    return;
  }
  const c = sizes.chroma;
  const { u, v } = frame;
  if (frame.layout === "444") {
    let outside: boolean;
    if (subsampling === "444") {
      outside = mapBytes(planes, n, u, 0, n, chroma);
      outside = mapBytes(planes, 2 * n, v, 0, n, chroma) || outside;
    } else {
      const rows = subsampling === "420" ? 2 : 1;
      outside = upsample(planes, n, sizes.chromaWidth, u, width, height, rows, chroma, mean);
      outside = upsample(planes, n + c, sizes.chromaWidth, v, width, height, rows, chroma, mean) ||
        outside;
    }
    if (outside || lumaOutside) fixOutside(planes, options, sizes, frame, lumaOutside, outside);
    return;
  }
  // Half-width chroma (the frame's width is even, so the planes' chroma width is width / 2).
  if (subsampling === "444") {
    halve(planes, n, u, n >> 1, mean);
    halve(planes, 2 * n, v, n >> 1, mean);
    frame.layout = "422";
  } else {
    mapBytes(planes, n, u, 0, c, chroma);
    mapBytes(planes, n + c, v, 0, c, chroma);
    frame.layout = subsampling;
  }
}

/**
 * The samples a table converts as the old RGB decode would (give or take its rounding): the
 * limited range. Outside it a table clamps each plane on its own, where that decode clamped R,
 * G and B; the pixels using such a sample are redone its way ({@linkcode fixOutside}).
 */
const DOMAIN = new Map<Uint8Array, readonly [number, number]>([
  [LUMA_TO_FULL, [16, 235]],
  [CHROMA_TO_FULL, [16, 240]],
]);
/** Set in a pair table's entry (above its two bytes) when a sample is outside the domain. */
const OUTSIDE = 1 << 16;

/**
 * Two bytes at a time: 16-bit views of the planes (made once per buffer) and tables of 65536
 * byte pairs, made on first use (256 KiB each, the pair and the {@linkcode OUTSIDE} flag). A
 * lookup per byte pair is twice as fast as per byte; the pairs of {@linkcode mapBytes} keep
 * their byte order, those of {@linkcode upsample} are laid out for this machine's.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const views = new WeakMap<ArrayBufferLike, Uint16Array>();
const pairTables = new Map<Uint8Array, Uint32Array>();
const upsampleTables = new Map<Uint8Array, Uint32Array>();

function wide(bytes: Uint8Array): Uint16Array {
  let view = views.get(bytes.buffer);
  if (view === undefined) {
    view = new Uint16Array(bytes.buffer, 0, bytes.buffer.byteLength >> 1);
    views.set(bytes.buffer, view);
  }
  return view;
}

/** Whether sample `b` is outside `table`'s {@linkcode DOMAIN}. */
function outside(table: Uint8Array, b: number): boolean {
  const [lo, hi] = DOMAIN.get(table) ?? [0, 255];
  return b < lo || b > hi;
}

/** Byte pair → both bytes through `table`, flagged {@linkcode OUTSIDE}. */
function pairTable(table: Uint8Array): Uint32Array {
  let pairs = pairTables.get(table);
  if (pairs === undefined) {
    pairs = new Uint32Array(65536);
    for (let i = 0; i < 65536; i++) {
      const a = i & 255;
      const b = i >> 8;
      const flag = outside(table, a) || outside(table, b) ? OUTSIDE : 0;
      pairs[i] = table[a]! | (table[b]! << 8) | flag;
    }
    pairTables.set(table, pairs);
  }
  return pairs;
}

/** Samples a | b << 8 → the pixels `even[a]`, `mean[a + b]` in memory order, flagged. */
function upsampleTable(even: Uint8Array, mean: Uint8Array): Uint32Array {
  let pairs = upsampleTables.get(mean);
  if (pairs === undefined) {
    pairs = new Uint32Array(65536);
    for (let i = 0; i < 65536; i++) {
      const a = i & 255;
      const b = i >> 8;
      const first = even[a]!;
      const second = mean[a + b]!;
      const flag = outside(even, a) || outside(even, b) ? OUTSIDE : 0;
      pairs[i] = (LITTLE_ENDIAN ? first | (second << 8) : (first << 8) | second) | flag;
    }
    upsampleTables.set(mean, pairs);
  }
  return pairs;
}

/**
 * `dst[to + i] = table[src[from + i]]` for `count` bytes (a copy for the identity).
 *
 * @returns whether a byte is outside the table's {@linkcode DOMAIN}
 */
function mapBytes(
  src: Uint8Array,
  from: number,
  dst: Uint8Array,
  to: number,
  count: number,
  table: Uint8Array,
): boolean {
  if (table === IDENTITY) {
    dst.set(src.subarray(from, from + count), to);
    return false;
  }
  const a = src.byteOffset + from;
  const b = dst.byteOffset + to;
  let flags = 0;
  let i = 0;
  if (((a | b) & 1) === 0) {
    const s = wide(src);
    const d = wide(dst);
    const pairs = pairTable(table);
    const end = (a + count) >> 1;
    for (let k = a >> 1, m = b >> 1; k < end; k++, m++) {
      const t = pairs[s[k]!]!;
      d[m] = t;
      flags |= t;
    }
    i = count & ~1;
  }
  let last = false;
  for (; i < count; i++) {
    const byte = src[from + i]!;
    dst[to + i] = table[byte]!;
    last ||= outside(table, byte);
  }
  return flags >= OUTSIDE || last;
}

/**
 * One half-width chroma plane (4:2:0 or 4:2:2, at `from` in `src`, `cw` samples a row) → a
 * full-resolution plane, the way the earlier RGB reader sited it: pixel 2k takes sample k, pixel
 * 2k + 1 the mean of samples k and k + 1 (the last sample repeats), and a 4:2:0 chroma row
 * (`rows` 2) serves the two luma rows it sits between (the second is a copy of the first). Through
 * `even` (one sample) and `mean` (the sum of two), so each output is rounded once; both pixels
 * of a pair in one lookup where the row starts on an even address.
 *
 * @returns whether a sample is outside `even`'s {@linkcode DOMAIN}
 */
function upsample(
  src: Uint8Array,
  from: number,
  cw: number,
  dst: Uint8Array,
  width: number,
  height: number,
  rows: 1 | 2,
  even: Uint8Array,
  mean: Uint8Array,
): boolean {
  // Pairs with a next sample; the rest (1 or 2 pixels) repeat the last sample.
  const pairs = Math.min(width >> 1, cw - 1);
  const d16 = wide(dst);
  const table = upsampleTable(even, mean);
  let flags = 0;
  for (let row = 0, c = from; row < height; row += rows, c += cw) {
    const start = row * width;
    const end = start + width;
    let o = start;
    let a = src[c]!;
    const at = dst.byteOffset + start;
    if ((at & 1) === 0) {
      for (let k = c + 1, m = at >> 1, stop = c + pairs; k <= stop; k++, m++) {
        const b = src[k]!;
        const t = table[a | (b << 8)]!;
        d16[m] = t;
        flags |= t;
        a = b;
      }
      o += 2 * pairs;
    } else {
      for (let k = c + 1; k <= c + pairs; k++) {
        const b = src[k]!;
        dst[o++] = even[a]!;
        dst[o++] = mean[a + b]!;
        flags |= table[a | (b << 8)]!;
        a = b;
      }
    }
    const last = even[a]!;
    while (o < end) dst[o++] = last;
    flags |= table[a | (a << 8)]!;
    if (rows === 2 && row + 1 < height) dst.copyWithin(end, start, end);
  }
  return flags >= OUTSIDE;
}

/**
 * Redoes, the old decode's way ({@linkcode exactRun}), every pixel using a limited-range sample
 * outside its range: luma outside 16 … 235 (`luma`), chroma outside 16 … 240 (`chroma`; ffmpeg's
 * own 4:2:0 overshoots so at sharp colour edges) — pixels 2k − 1, 2k and 2k + 1 of half-width
 * sample k. Row by row, in runs of neighbouring pixels: a few runs for a few such samples, one
 * run a row (the cost of that decode) when all are.
 */
function fixOutside(
  planes: Uint8Array,
  options: PlanarOptions,
  sizes: PlaneSizes,
  frame: Frame,
  luma: boolean,
  chroma: boolean,
): void {
  const { width, height, subsampling } = options;
  const { chromaWidth: cw, chromaHeight: ch, luma: n, chroma: c } = sizes;
  const hs = subsampling === "444" ? 0 : 1;
  if (runs.length < width + 1) runs = new Int32Array(width + 1);
  for (let row = 0; row < height; row++) {
    // The runs the chroma needs, as [first, last] pairs in `runs`.
    let count = 0;
    if (chroma) {
      const c0 = n + (subsampling === "420" ? Math.min(row >> 1, ch - 1) : row) * cw;
      for (let k = 0, i = c0; k < cw; k++, i++) {
        if (((planes[i]! - 16) >>> 0) <= 224 && ((planes[i + c]! - 16) >>> 0) <= 224) continue;
        const x0 = (k << hs) - hs;
        const x1 = Math.min(width - 1, (k << hs) + hs);
        if (count > 0 && x0 <= runs[count - 1]! + 1) {
          runs[count - 1] = x1;
        } else {
          runs[count++] = Math.max(0, x0);
          runs[count++] = x1;
        }
      }
      for (let r = 0; r < count; r += 2) {
        exactRun(planes, options, sizes, frame, row, runs[r]!, runs[r + 1]!);
      }
    }
    if (!luma) continue;
    // Then the luma's, outside those.
    const base = row * width;
    for (let x = 0, r = 0; x < width; x++) {
      if (((planes[base + x]! - 16) >>> 0) <= 219) continue;
      while (r < count && runs[r + 1]! < x) r += 2;
      if (r < count && runs[r]! <= x) {
        x = runs[r + 1]!;
        continue;
      }
      const stop = r < count ? runs[r]! - 1 : width - 1;
      let last = x;
      while (last < stop && ((planes[base + last + 1]! - 16) >>> 0) > 219) last++;
      exactRun(planes, options, sizes, frame, row, x, last);
      x = last;
    }
  }
}

/** Scratch for {@linkcode fixOutside}: a row's runs, grown to the widest row seen. */
let runs = new Int32Array(0);

// The BT.601 inverse matrix of the old RGB decode (tests/reference/y4m_rgb.ts), limited range.
const KY = 255 / 219;
const RV = (255 / 224) * 1.402;
const GU = (255 / 224) * 1.772 * 0.114 / 0.587;
const GV = (255 / 224) * 1.402 * 0.299 / 0.587;
const BU = (255 / 224) * 1.772;

/**
 * Pixels `x0` … `x1` of a row of limited-range planes as the old decode made them (float BT.601
 * inverse matrix, chroma of an odd pixel the mean of two samples' contributions, R, G, B rounded
 * and clamped), then full-range Y, Cb, Cr with the JFIF matrix in 16-bit fixed point (the
 * rounding of `src/image/planar.ts`): within 1 of that decode once turned back into RGB.
 */
function exactRun(
  planes: Uint8Array,
  options: PlanarOptions,
  sizes: PlaneSizes,
  frame: Frame,
  row: number,
  x0: number,
  x1: number,
): void {
  const { width, subsampling } = options;
  const { chromaWidth: cw, chromaHeight: ch, luma: n, chroma: c } = sizes;
  const { y: outY, u: outU, v: outV } = frame;
  const half = subsampling !== "444";
  const c0 = n + (subsampling === "420" ? Math.min(row >> 1, ch - 1) : row) * cw;
  const last = c0 + cw - 1;
  for (let x = x0, i = row * width + x0; x <= x1; x++, i++) {
    const at = c0 + (half ? x >> 1 : x);
    let cu = planes[at]! - 128;
    let cv = planes[at + c]! - 128;
    let dr = RV * cv;
    let dg = GU * cu + GV * cv;
    let db = BU * cu;
    if (half && (x & 1) === 1) {
      const next = at < last ? at + 1 : at;
      cu = planes[next]! - 128;
      cv = planes[next + c]! - 128;
      dr = (dr + RV * cv) * 0.5;
      dg = (dg + (GU * cu + GV * cv)) * 0.5;
      db = (db + BU * cu) * 0.5;
    }
    const l = KY * (planes[i]! - 16) + 0.5;
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

/** One 4:4:4 chroma plane → half width: the mean of each pair through `mean`. */
function halve(src: Uint8Array, from: number, dst: Uint8Array, count: number, mean: Uint8Array) {
  for (let o = 0, i = from; o < count; o++, i += 2) dst[o] = mean[src[i]! + src[i + 1]!]!;
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
    const sum = PAIR_SUM_TO_LIMITED;
    for (let j = 0, o = 0; j < ch; j++) {
      const a = 2 * j * cw;
      const b = a + cw;
      for (let k = 0; k < cw; k++, o++) {
        planes[uBase + o] = sum[u[a + k]! + u[b + k]!]!;
        planes[vBase + o] = sum[v[a + k]! + v[b + k]!]!;
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
  const table = MPEG2_SUM_TO_LIMITED;
  let o = base;
  for (let row = 0; row < height; row += 2) {
    let p0 = row * width;
    let p1 = p0 + width;
    const end = p1;
    let left = src[p0]! + src[p1]!;
    while (p0 < end) {
      const even = src[p0]! + src[p1]!;
      const odd = src[p0 + 1]! + src[p1 + 1]!;
      out[o++] = table[left + 2 * even + odd]!;
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
