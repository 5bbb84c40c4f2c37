/**
 * Pixel conversions of the one internal {@linkcode Frame} (planar YCbCr, full range, chroma
 * `"444"`, `"422"` or `"420"`): RGB in and out at the edges ({@linkcode rgbToFrame},
 * {@linkcode frameToRgb}), layout changes ({@linkcode convertFrame}), the V4L2 YUYV in and out
 * ({@linkcode yuyvToFrame}, {@linkcode packYuyv}), and the mirror and flip of frames and packed
 * pictures.
 *
 * Full range is kept inside because JPEG is full range and the guided filter wants luma on the
 * 0 … 255 scale; the BT.601 limited range of V4L2's YUYV is applied once, on output, by table.
 * Limited → full → limited is lossless (the expansion is injective and rounds back). RGB → 4:4:4 →
 * RGB is within ±1 per channel; 4:2:2 and 4:2:0 share chroma between 2 and 4 pixels (their means).
 *
 * @module
 */

import { chromaHeight, chromaWidth, type Frame } from "../frame/frame.ts";

export type { Frame } from "../frame/frame.ts";

/**
 * `x` rounded and clamped to 0 … 255.
 *
 * @param x any number
 * @returns a byte value
 */
export function clamp8(x: number): number {
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
}

/**
 * JFIF YCbCr → RGB, with Cb′ = Cb − 128 and Cr′ = Cr − 128: R = Y + `crR`·Cr′,
 * G = Y − `cbG`·Cb′ − `crG`·Cr′, B = Y + `cbB`·Cb′. Callers copy the fields into locals in their
 * loops.
 */
export const YCBCR_TO_RGB = { crR: 1.402, cbG: 0.344136, crG: 0.714136, cbB: 1.772 } as const;

/**
 * {@linkcode YCBCR_TO_RGB} in whole numbers (five times faster than in floating point): for a
 * pixel (Y, Cb, Cr) the RGB that {@linkcode frameToRgb} gives is `RGB_CLAMP[Y + R_FROM_CR[Cr]]`,
 * `RGB_CLAMP[Y + 256 + ((G_BIAS − G_CB·Cb − G_CR·Cr) >> 23)]` and `RGB_CLAMP[Y + B_FROM_CB[Cb]]`.
 * Each offset is `round(coefficient · chroma)` (Y is whole, so rounding the sum rounds the
 * offset): red's and blue's by table, stored plus 256 so that `RGB_CLAMP` (clamping −256 … 511
 * to 0 … 255) takes the sum as an index; green's in 23-bit fixed point, exact for every Cb, Cr but
 * one: for Cb 78, Cr 178 the offset is exactly −18.5, which the floating-point formula rounds
 * either way depending on Y, so that pair's green is {@linkcode G_TIE}`[Y]`. The same bytes as the
 * formula, every colour.
 */
export const R_FROM_CR: Uint16Array = Uint16Array.from(
  { length: 256 },
  (_, c) => 256 + Math.round(YCBCR_TO_RGB.crR * (c - 128)),
);
/** See {@linkcode R_FROM_CR}: blue's offset for Cb, plus 256. */
export const B_FROM_CB: Uint16Array = Uint16Array.from(
  { length: 256 },
  (_, c) => 256 + Math.round(YCBCR_TO_RGB.cbB * (c - 128)),
);
/** See {@linkcode R_FROM_CR}: `round(0.344136 · 2^23)`, Cb's part of green. */
export const G_CB = 2886822;
/** See {@linkcode R_FROM_CR}: `round(0.714136 · 2^23)`, Cr's part of green. */
export const G_CR = 5990607;
/** See {@linkcode R_FROM_CR}: 128 · (G_CB + G_CR) for the chroma offsets, and a half. */
export const G_BIAS = 128 * (G_CB + G_CR) + (1 << 22);
/** See {@linkcode R_FROM_CR}: `RGB_CLAMP[v + 256]` is `v` clamped to 0 … 255. */
export const RGB_CLAMP: Uint8Array = Uint8Array.from(
  { length: 768 },
  (_, i) => Math.min(255, Math.max(0, i - 256)),
);
/** Green for Cb 78, Cr 178 per Y, as the floating-point formula rounds it (see R_FROM_CR). */
export const G_TIE: Uint8Array = Uint8Array.from(
  { length: 256 },
  (_, l) => clamp8(l - YCBCR_TO_RGB.cbG * (78 - 128) - YCBCR_TO_RGB.crG * (178 - 128)),
);

/** Limited-range luma (16 … 235) → full range, every byte value. */
export const LUMA_TO_FULL: Uint8Array = Uint8Array.from(
  { length: 256 },
  (_, i) => clamp8(((i - 16) * 255) / 219),
);
/** Limited-range chroma (16 … 240) → full range. */
export const CHROMA_TO_FULL: Uint8Array = Uint8Array.from(
  { length: 256 },
  (_, i) => clamp8(128 + ((i - 128) * 255) / 224),
);
/** Full-range luma → limited range (16 … 235). */
export const LUMA_TO_LIMITED: Uint8Array = Uint8Array.from(
  { length: 256 },
  (_, i) => Math.round(16 + (i * 219) / 255),
);
/** Full-range chroma → limited range (16 … 240). */
export const CHROMA_TO_LIMITED: Uint8Array = Uint8Array.from(
  { length: 256 },
  (_, i) => Math.round(128 + ((i - 128) * 224) / 255),
);

/**
 * Two full-range lumas (a 16-bit little-endian pair) → limited range in bytes 0 and 2 of a YUYV
 * word, for packers that read luma two bytes at a time.
 */
export const LUMA_PAIR_TO_LIMITED: Uint32Array = Uint32Array.from(
  { length: 65536 },
  (_, i) => LUMA_TO_LIMITED[i & 255]! | (LUMA_TO_LIMITED[i >> 8]! << 16),
);

function checkRgb(rgb: Uint8Array, frame: Frame, action: string): void {
  if (rgb.length < frame.width * frame.height * 3) {
    throw new RangeError(
      `Cannot ${action}: ${rgb.length} bytes of RGB, ${frame.width}x${frame.height} needs ${
        frame.width * frame.height * 3
      }`,
    );
  }
}

function checkHalfWidth(frame: Frame, action: string): void {
  if (frame.width % 2 !== 0) {
    throw new RangeError(
      `Cannot ${action}: a ${frame.layout} frame ${frame.width} pixels wide (half-width chroma needs an even width)`,
    );
  }
}

/**
 * Unpacks a YUYV picture (BT.601 limited range, as V4L2 cameras send it) into a full-range
 * `"422"` frame in one pass.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { yuyvToFrame } from "./planar.ts";
 * const f = makeFrame({ width: 2, height: 1 }, "422");
 * yuyvToFrame(new Uint8Array([16, 128, 235, 128]), f);
 * console.log(f.y); // Uint8Array [0, 255]
 * ```
 *
 * @param yuyv `width × height × 2` bytes
 * @param frame the destination, made `"422"` (its size is the picture's); set to `"422"`
 * @throws {RangeError} for too few bytes, or a `"444"` frame
 */
export function yuyvToFrame(yuyv: Uint8Array, frame: Frame): void {
  const n = frame.width * frame.height;
  if (yuyv.length < n * 2) {
    throw new RangeError(`Cannot unpack YUYV: ${yuyv.length} bytes, need ${n * 2}`);
  }
  if (frame.layout === "444") {
    throw new RangeError("Cannot unpack YUYV into a 444 frame: make it 422");
  }
  checkHalfWidth(frame, "unpack YUYV");
  const { y, u, v } = frame;
  const ly = LUMA_TO_FULL, lc = CHROMA_TO_FULL;
  for (let i = 0, k = 0, c = 0; i < n; i += 2, k += 4, c++) {
    y[i] = ly[yuyv[k]!]!;
    u[c] = lc[yuyv[k + 1]!]!;
    y[i + 1] = ly[yuyv[k + 2]!]!;
    v[c] = lc[yuyv[k + 3]!]!;
  }
  frame.layout = "422";
}

/**
 * Converts interleaved RGB to the frame's layout (JFIF coefficients in 16-bit fixed point):
 * `"444"` per pixel; `"422"` chroma is the mean of each pixel pair's; `"420"` the mean of each
 * 2×2 block's (a last odd row pairs with itself).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { rgbToFrame } from "./planar.ts";
 * const f = makeFrame({ width: 2, height: 1 }, "422");
 * rgbToFrame(new Uint8Array([255, 0, 0, 255, 0, 0]), f);
 * console.log(f.y[0], f.u[0], f.v[0]); // 76 85 255
 * ```
 *
 * @param rgb interleaved RGB, `width × height × 3` bytes
 * @param frame the destination (its layout says how)
 * @throws {RangeError} for too few bytes, or an odd width with half-width chroma
 */
export function rgbToFrame(rgb: Uint8Array, frame: Frame): void {
  checkRgb(rgb, frame, "convert RGB to YCbCr");
  const { width, height, y, u, v, layout } = frame;
  const n = width * height;
  // 16-bit fixed point: Y = .299 R + .587 G + .114 B; Cb = −.168736 R − .331264 G + .5 B;
  // Cr = .5 R − .418688 G − .081312 B (each + 128). Pure blue or red reach 255.5: clamp (the low
  // end stays ≥ 0.5).
  if (layout === "444") {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const r = rgb[j]!, g = rgb[j + 1]!, b = rgb[j + 2]!;
      y[i] = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
      const cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32768) >> 16;
      const cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32768) >> 16;
      u[i] = cb > 255 ? 255 : cb;
      v[i] = cr > 255 ? 255 : cr;
    }
    return;
  }
  checkHalfWidth(frame, "convert RGB to YCbCr");
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    y[i] = (19595 * rgb[j]! + 38470 * rgb[j + 1]! + 7471 * rgb[j + 2]! + 32768) >> 16;
  }
  const cw = width >> 1;
  const stride = width * 3;
  if (layout === "422") {
    for (let i = 0, j = 0, c = 0; i < n; i += 2, j += 6, c++) {
      // Sums of two pixels: halve with the extra bit of the shift; +128 per pixel pair.
      const r = rgb[j]! + rgb[j + 3]!, g = rgb[j + 1]! + rgb[j + 4]!, b = rgb[j + 2]! + rgb[j + 5]!;
      const cb = (-11059 * r - 21709 * g + 32768 * b + (256 << 16) + 65536) >> 17;
      const cr = (32768 * r - 27439 * g - 5329 * b + (256 << 16) + 65536) >> 17;
      u[c] = cb > 255 ? 255 : cb;
      v[c] = cr > 255 ? 255 : cr;
    }
    return;
  }
  // "420": sums of four pixels (a last odd row counted twice); +128 per four; two extra bits.
  const rows = chromaHeight(height, "420");
  for (let cr0 = 0, c = 0; cr0 < rows; cr0++) {
    const top = 2 * cr0 * stride;
    const bottom = Math.min(2 * cr0 + 1, height - 1) * stride;
    for (let x = 0; x < cw; x++, c++) {
      const j = top + x * 6, k = bottom + x * 6;
      const r = rgb[j]! + rgb[j + 3]! + rgb[k]! + rgb[k + 3]!;
      const g = rgb[j + 1]! + rgb[j + 4]! + rgb[k + 1]! + rgb[k + 4]!;
      const b = rgb[j + 2]! + rgb[j + 5]! + rgb[k + 2]! + rgb[k + 5]!;
      const cb = (-11059 * r - 21709 * g + 32768 * b + (512 << 16) + 131072) / 262144;
      const cr = (32768 * r - 27439 * g - 5329 * b + (512 << 16) + 131072) / 262144;
      // Sums reach 2^28: floor by division (a shift would overflow 32 bits).
      u[c] = cb >= 255 ? 255 : Math.floor(cb);
      v[c] = cr >= 255 ? 255 : Math.floor(cr);
    }
  }
}

/**
 * Converts a frame of any layout to interleaved RGB (JFIF coefficients, in whole numbers: see
 * {@linkcode R_FROM_CR}; chroma repeated over the pixels that share it), for PNG output, tests
 * and stages that need RGB.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { frameToRgb, rgbToFrame } from "./planar.ts";
 * const f = makeFrame({ width: 2, height: 1 }, "444");
 * rgbToFrame(new Uint8Array([10, 200, 30, 40, 50, 60]), f);
 * const rgb = new Uint8Array(6);
 * frameToRgb(f, rgb); // [10, 200, 30, 40, 50, 60], each within ±1
 * ```
 *
 * @param frame the frame
 * @param rgb `width × height × 3` bytes
 * @throws {RangeError} for too few bytes, or an odd width with half-width chroma
 */
export function frameToRgb(frame: Frame, rgb: Uint8Array): void {
  checkRgb(rgb, frame, "convert YCbCr to RGB");
  const { width, height, y, u, v, layout } = frame;
  // Whole numbers (see R_FROM_CR): the same bytes as the floating-point formula.
  const rt = R_FROM_CR, bt = B_FROM_CB, cl = RGB_CLAMP, tie = G_TIE;
  const gcb = G_CB, gcr = G_CR, gBias = G_BIAS;
  if (layout === "444") {
    for (let i = 0, o = 0, n = width * height; i < n; i++, o += 3) {
      const l = y[i]!, cb = u[i]!, cr = v[i]!;
      rgb[o] = cl[l + rt[cr]!]!;
      rgb[o + 1] = cb === 78 && cr === 178
        ? tie[l]!
        : cl[l + 256 + ((gBias - gcb * cb - gcr * cr) >> 23)]!;
      rgb[o + 2] = cl[l + bt[cb]!]!;
    }
    return;
  }
  // Half-width chroma: each sample's offsets serve its pixel pair.
  checkHalfWidth(frame, "convert YCbCr to RGB");
  const cw = chromaWidth(width, layout);
  const vShift = layout === "420" ? 1 : 0;
  for (let row = 0, i = 0, o = 0; row < height; row++) {
    for (let c = (row >> vShift) * cw, end = c + cw; c < end; c++, i += 2, o += 6) {
      const cb = u[c]!, cr = v[c]!;
      const dr = rt[cr]!, dg = 256 + ((gBias - gcb * cb - gcr * cr) >> 23), db = bt[cb]!;
      const l0 = y[i]!, l1 = y[i + 1]!;
      const isTie = cb === 78 && cr === 178;
      rgb[o] = cl[l0 + dr]!;
      rgb[o + 1] = isTie ? tie[l0]! : cl[l0 + dg]!;
      rgb[o + 2] = cl[l0 + db]!;
      rgb[o + 3] = cl[l1 + dr]!;
      rgb[o + 4] = isTie ? tie[l1]! : cl[l1 + dg]!;
      rgb[o + 5] = cl[l1 + db]!;
    }
  }
}

/** One chroma plane of {@linkcode convertFrame}: means of `hx × vy` samples, or repeats. */
function convertChroma(
  s: Uint8Array,
  d: Uint8Array,
  scw: number,
  sch: number,
  dcw: number,
  dch: number,
  hx: number,
  rx: number,
  vy: number,
  ry: number,
): void {
  const count = hx * vy, half = count >> 1;
  for (let row = 0, o = 0; row < dch; row++) {
    if (count === 1) {
      const base = (row >> ry) * scw;
      for (let x = 0; x < dcw; x++) d[o++] = s[base + (x >> rx)]!;
      continue;
    }
    const r0 = row * vy * scw;
    const r1 = Math.min(row * vy + vy - 1, sch - 1) * scw;
    for (let x = 0; x < dcw; x++) {
      const c = x * hx;
      let sum = s[r0 + c]! + (hx === 2 ? s[r0 + c + 1]! : 0);
      if (vy === 2) sum += s[r1 + c]! + (hx === 2 ? s[r1 + c + 1]! : 0);
      d[o++] = ((sum + half) / count) | 0;
    }
  }
}

/**
 * Copies a frame into another of the same size and any layout. Luma is copied; chroma is
 * averaged where the destination has less of it (`"444"` → `"422"` pair means, → `"420"` 2×2
 * means, `"422"` → `"420"` means of row pairs, all rounded half up) and repeated where it has more
 * (`"422"`/`"420"` → `"444"`, `"420"` → `"422"`: each sample copied to the sites it covers, so
 * {@linkcode frameToRgb} gives the same RGB before and after).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { convertFrame, fillFrame } from "./planar.ts";
 * const a = makeFrame({ width: 4, height: 2 }, "444");
 * const b = makeFrame({ width: 4, height: 2 }, "422");
 * fillFrame(a, [255, 0, 0]);
 * convertFrame(a, b);
 * console.log(b.u[0], b.v[0]); // 85 255
 * ```
 *
 * @param src the source
 * @param dst the destination, same size (its layout says how; `src` and `dst` must differ)
 * @throws {RangeError} for different sizes, or an odd width with half-width chroma
 */
export function convertFrame(src: Frame, dst: Frame): void {
  const { width, height } = src;
  if (dst.width !== width || dst.height !== height) {
    throw new RangeError(
      `Cannot convert a ${width}x${height} frame into a ${dst.width}x${dst.height} one`,
    );
  }
  dst.y.set(src.y.subarray(0, width * height));
  const from = src.layout, to = dst.layout;
  const scw = chromaWidth(width, from), sch = chromaHeight(height, from);
  if (from === to) {
    dst.u.set(src.u.subarray(0, scw * sch));
    dst.v.set(src.v.subarray(0, scw * sch));
    return;
  }
  if (to !== "444") checkHalfWidth(dst, "convert a frame");
  const dcw = chromaWidth(width, to), dch = chromaHeight(height, to);
  // Each destination sample covers sx × sy source samples (or repeats one when coarser).
  const hx = from === "444" && to !== "444" ? 2 : 1;
  const rx = from !== "444" && to === "444" ? 1 : 0; // source column = x >> rx
  const vy = to === "420" && from !== "420" ? 2 : 1;
  const ry = from === "420" && to !== "420" ? 1 : 0; // source row = row >> ry
  convertChroma(src.u, dst.u, scw, sch, dcw, dch, hx, rx, vy, ry);
  convertChroma(src.v, dst.v, scw, sch, dcw, dch, hx, rx, vy, ry);
}

/**
 * Fills a frame with one RGB colour (as {@linkcode rgbToFrame} converts it), whatever its layout.
 *
 * @param frame the frame (its layout is kept)
 * @param rgb the colour, 0 … 255 per channel
 */
export function fillFrame(frame: Frame, rgb: readonly [number, number, number]): void {
  const [r, g, b] = rgb;
  // As rgbToFrame converts one "444" pixel.
  const cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32768) >> 16;
  const cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32768) >> 16;
  frame.y.fill((19595 * r + 38470 * g + 7471 * b + 32768) >> 16);
  frame.u.fill(cb > 255 ? 255 : cb);
  frame.v.fill(cr > 255 ? 255 : cr);
}

function view16(a: Uint8Array, name: string, action: string): Uint16Array {
  if (a.byteOffset % 2 !== 0) {
    throw new RangeError(`Cannot ${action}: the ${name} must start on a 2-byte boundary`);
  }
  return new Uint16Array(a.buffer, a.byteOffset, a.length >> 1);
}

/**
 * Packs a full-range frame as limited-range YUYV (the virtual camera's format): `"422"` and
 * `"420"` as they are, `"444"` with each pixel pair's chroma averaged.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { packYuyv } from "./planar.ts";
 * const f = makeFrame({ width: 2, height: 1 }, "422");
 * f.y.set([0, 255]);
 * const out = new Uint8Array(4);
 * packYuyv(f, out); // [16, 128, 235, 128]
 * ```
 *
 * @param frame the frame (even width)
 * @param yuyv `width × height × 2` bytes, starting on a 4-byte boundary
 * @throws {RangeError} for too few bytes, a misaligned output or an odd width
 */
export function packYuyv(frame: Frame, yuyv: Uint8Array): void {
  const { width, height, y, u, v, layout } = frame;
  const n = width * height;
  if (yuyv.length < n * 2) {
    throw new RangeError(
      `Cannot pack YUYV: ${yuyv.length} bytes, ${width}x${height} needs ${n * 2}`,
    );
  }
  if (yuyv.byteOffset % 4 !== 0) {
    throw new RangeError("Cannot pack YUYV: the output must start on a 4-byte boundary");
  }
  if (width % 2 !== 0) {
    throw new RangeError(`Cannot pack YUYV ${width} pixels wide: the width must be even`);
  }
  const cw = width >> 1;
  const words = new Uint32Array(yuyv.buffer, yuyv.byteOffset, cw * height);
  const y16 = view16(y, "luma plane", "pack YUYV");
  const lp = LUMA_PAIR_TO_LIMITED, lc = CHROMA_TO_LIMITED;
  if (layout === "444") {
    for (let p = 0, c = 0; p < cw * height; p++, c += 2) {
      const cb = (u[c]! + u[c + 1]! + 1) >> 1, cr = (v[c]! + v[c + 1]! + 1) >> 1;
      words[p] = lp[y16[p]!]! | (lc[cb]! << 8) | (lc[cr]! << 24);
    }
    return;
  }
  const shift = layout === "420" ? 1 : 0;
  for (let row = 0, p = 0; row < height; row++) {
    const crow = (row >> shift) * cw;
    for (let c = crow, end = crow + cw; c < end; c++, p++) {
      words[p] = lp[y16[p]!]! | (lc[u[c]!]! << 8) | (lc[v[c]!]! << 24);
    }
  }
}

/** Reverses each row of a plane in place. */
function mirrorPlane(plane: Uint8Array, width: number, rows: number): void {
  for (let row = 0; row < rows; row++) {
    plane.subarray(row * width, (row + 1) * width).reverse();
  }
}

/**
 * Mirrors a frame left-right in place (`--mirror`), any layout: each plane's rows reversed (a
 * half-width chroma sample covers a pixel pair, and the pairs swap whole as the width is even).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { mirrorFrame } from "./planar.ts";
 * const f = makeFrame({ width: 3, height: 1 }, "444");
 * f.y.set([1, 2, 3]);
 * mirrorFrame(f);
 * console.log(f.y); // Uint8Array [3, 2, 1]
 * ```
 *
 * @param frame the frame
 */
export function mirrorFrame(frame: Frame): void {
  const { width, height, layout } = frame;
  mirrorPlane(frame.y, width, height);
  const cw = chromaWidth(width, layout), ch = chromaHeight(height, layout);
  mirrorPlane(frame.u, cw, ch);
  mirrorPlane(frame.v, cw, ch);
}

/**
 * Flips a frame upside down in place (`--flip`), any layout: each plane's rows swapped. A
 * `"420"` frame of odd height flips its chroma rows too, so the last luma row (which had a chroma
 * row to itself) shares the top chroma row afterwards: exact for even heights only.
 *
 * @param frame the frame
 * @param scratch at least one row (`width` bytes), made once by the caller
 * @throws {RangeError} for a scratch row that is too short
 */
export function flipFrame(frame: Frame, scratch: Uint8Array): void {
  const { width, height, layout } = frame;
  if (scratch.length < width) {
    throw new RangeError(`Cannot flip: ${scratch.length} bytes of scratch, need ${width}`);
  }
  flipRows(frame.y, width, height, scratch);
  const cw = chromaWidth(width, layout), ch = chromaHeight(height, layout);
  flipRows(frame.u, cw, ch, scratch);
  flipRows(frame.v, cw, ch, scratch);
}

/**
 * Mirrors a YUYV picture left-right in place (`--mirror` on the virtual camera's output): pixel
 * pairs reversed, the two lumas of each pair swapped (the pair's chroma is shared, so it stays).
 *
 * @param yuyv the picture, `width × height × 2` bytes, 4-byte aligned
 * @param width its width (even)
 * @param height its height
 */
export function mirrorYuyv(yuyv: Uint8Array, width: number, height: number): void {
  const cw = width >> 1;
  const words = new Uint32Array(yuyv.buffer, yuyv.byteOffset, cw * height);
  // Swap bytes 0 and 2 of a word: the two lumas.
  const swap = (x: number): number => (x & 0xff00ff00) | ((x & 0xff) << 16) | ((x >>> 16) & 0xff);
  for (let row = 0; row < height; row++) {
    let l = row * cw, r = l + cw - 1;
    for (; l < r; l++, r--) {
      const t = words[l]!;
      words[l] = swap(words[r]!);
      words[r] = swap(t);
    }
    if (l === r) words[l] = swap(words[l]!);
  }
}

/**
 * Flips any picture stored as whole rows (a plane, RGB, YUYV) upside down in place by swapping
 * rows.
 *
 * @param buf the picture
 * @param rowBytes bytes per row
 * @param rows rows
 * @param scratch at least one row, made once by the caller
 */
export function flipRows(
  buf: Uint8Array,
  rowBytes: number,
  rows: number,
  scratch: Uint8Array,
): void {
  const row = scratch.subarray(0, rowBytes);
  for (let top = 0, bottom = rows - 1; top < bottom; top++, bottom--) {
    const a = buf.subarray(top * rowBytes, (top + 1) * rowBytes);
    const b = buf.subarray(bottom * rowBytes, (bottom + 1) * rowBytes);
    row.set(a);
    a.set(b);
    b.set(row);
  }
}
