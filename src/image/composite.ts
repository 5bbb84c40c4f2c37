/**
 * Compositing: the camera frame over the background through the person alpha, in full-range
 * YCbCr, with light wrap and despill on the person's edge. Inside the person (alpha 255, no wrap)
 * the camera is copied, in the background (alpha 0) the background: only the thin edge band costs
 * more than a copy.
 *
 * - {@linkcode compositeFrame} (`"444"` frames, the file sinks) copies the person's interior and
 *   the background four pixels at a time. On the soft edge without light wrap or despill it blends
 *   Y, Cb and Cr directly with the RGB compositor's 16-bit fixed-point blend (YCbCr is an affine
 *   map of RGB, so this is the RGB blend up to rounding): within 1 per Y, Cb, Cr of the RGB
 *   composite of the frames' own RGB stored as YCbCr, which is up to 2 levels in RGB (measured), 3
 *   off the RGB composite of the original pictures (the frames' RGB are themselves ±1 off the
 *   pictures they came from). Where light wrap or despill apply (they are not affine) the pixel
 *   goes to RGB (as `frameToRgb` does, in whole numbers), is treated and blended exactly as the RGB
 *   compositor did and converted back (as `rgbToFrame` does): the RGB composite of the frames'
 *   own RGB, within the ±1 per channel of storing it as YCbCr; 3 off that of the original
 *   pictures with light wrap, 2 with despill alone. All in whole numbers, nothing allocated per
 *   call.
 * - {@linkcode compositeYuyv} (a `"422"`/`"420"` camera frame over a `"422"` background, the
 *   virtual camera) blends, converts to limited range and packs YUYV in one pass, no RGB: Y, Cb
 *   and Cr are blended with the 16-bit fixed-point blend `round((f·a + b·(255 − a)) / 255)`
 *   (YCbCr is an affine map of RGB, so this is the RGB blend up to rounding); a pixel pair shares
 *   its chroma, which is blended with the pair's mean alpha. Light wrap (a screen blend of the
 *   background onto the person's rim) is not affine; there it is applied as
 *   `Y' = Y + (255 − Y)·Ybg·w` and `C' = C + (1 − Y/255)·w·(Cbg − 128)`, which is the RGB screen
 *   blend exactly for grey camera pixels and close for coloured ones. Despill is done in RGB for
 *   the pixel pairs of the edge band (a round trip per pair).
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import {
  B_FROM_CB,
  CHROMA_TO_LIMITED,
  clamp8,
  G_BIAS,
  G_CB,
  G_CR,
  G_TIE,
  LUMA_PAIR_TO_LIMITED,
  LUMA_TO_LIMITED,
  R_FROM_CR,
  YCBCR_TO_RGB,
} from "./planar.ts";

/** Which key colour's spill to remove from the person's edge. */
export type Despill = "green" | "blue";

/**
 * `round(x / 255)` for 0 ≤ x ≤ 65 025, without a division.
 *
 * @example
 * ```ts
 * import { div255 } from "./composite.ts";
 * console.log(div255(128 * 255)); // 128
 * ```
 *
 * @param x the numerator
 * @returns the rounded quotient
 */
export function div255(x: number): number {
  return ((x + 128) * 257) >>> 16;
}

function view16(a: Uint8Array, name: string): Uint16Array {
  if (a.byteOffset % 2 !== 0) {
    throw new RangeError(`Cannot composite: the ${name} must start on a 2-byte boundary`);
  }
  return new Uint16Array(a.buffer, a.byteOffset, a.length >> 1);
}

/** Options for {@linkcode compositeYuyv}. */
export interface CompositeYuyvOptions {
  /** Light-wrap weight per pixel, 0 … 255; none when absent. */
  wrap?: Uint8Array | null | undefined;
  /**
   * The background already packed as YUYV words (`packYuyv` of `bg` in `planar.ts`), for
   * backgrounds that do not change: background runs are then plain word copies.
   */
  bgPacked?: Uint32Array | null | undefined;
  /** Remove green or blue spill from the person's edge. */
  despill?: Despill | null | undefined;
}

/** Options for {@linkcode compositeFrame}. */
export interface CompositeFrameOptions {
  /** Light-wrap weight per pixel, 0 … 255 (from the mask's post-processing); none when absent. */
  wrap?: Uint8Array | null | undefined;
  /** Remove green or blue spill from the person's edge (a green or blue screen behind). */
  despill?: Despill | null | undefined;
}

/**
 * Despill of a pixel pair in YCbCr: both pixels to RGB (JFIF), green limited to the mean of red
 * and blue (kind 1) or blue to that of red and green (kind 2) in each pixel whose kind is not
 * 0, and back (the pair's chroma from both pixels).
 *
 * @returns y0 | y1 << 8 | cb << 16 | cr << 24 (full range)
 */
function despillPair(
  y0: number,
  y1: number,
  cb: number,
  cr: number,
  kind0: number,
  kind1: number,
): number {
  const pb = cb - 128, pr = cr - 128;
  const { crR, cbG, crG, cbB } = YCBCR_TO_RGB;
  const dr = crR * pr, dg = -cbG * pb - crG * pr, db = cbB * pb;
  // The camera's RGB as frameToRgb gives it: whole, clamped values.
  let r0 = clamp8(y0 + dr), g0 = clamp8(y0 + dg), b0 = clamp8(y0 + db);
  const r1 = clamp8(y1 + dr);
  let g1 = clamp8(y1 + dg), b1 = clamp8(y1 + db);
  if (kind0 === 1) g0 = Math.min(g0, (r0 + b0) / 2);
  else if (kind0 === 2) b0 = Math.min(b0, (r0 + g0) / 2);
  if (kind1 === 1) g1 = Math.min(g1, (r1 + b1) / 2);
  else if (kind1 === 2) b1 = Math.min(b1, (r1 + g1) / 2);
  const ny0 = Math.round(0.299 * r0 + 0.587 * g0 + 0.114 * b0);
  const ny1 = Math.round(0.299 * r1 + 0.587 * g1 + 0.114 * b1);
  r0 += r1;
  g0 += g1;
  b0 += b1;
  const ncb = clamp8((-0.168736 * r0 - 0.331264 * g0 + 0.5 * b0) / 2 + 128);
  const ncr = clamp8((0.5 * r0 - 0.418688 * g0 - 0.081312 * b0) / 2 + 128);
  return (ny0 | (ny1 << 8) | (ncb << 16) | (ncr << 24)) >>> 0;
}

/**
 * Blends the camera frame over the background through `alpha` and packs the result as YUYV
 * (limited range) in one pass: the virtual camera's output. Runs of pixel pairs wholly inside
 * the person (alpha 255, no wrap) are packed by table look-up, runs wholly in the background
 * (alpha 0) copied from `bgPacked` or packed likewise; only the edge band is blended.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { fillFrame } from "./planar.ts";
 * import { compositeYuyv } from "./composite.ts";
 * const cam = makeFrame({ width: 2, height: 1 }, "422");
 * const bg = makeFrame({ width: 2, height: 1 }, "422");
 * fillFrame(cam, [255, 255, 255]);
 * const out = new Uint8Array(4);
 * compositeYuyv(cam, bg, new Uint8Array([255, 0]), out, {}); // [235, 128, 16, 128]
 * ```
 *
 * @param cam the camera frame at output size, `"422"` or `"420"` (even width)
 * @param bg the background, same size, `"422"`
 * @param alpha person alpha per pixel, 0 … 255 (2-byte aligned)
 * @param yuyv `width × height × 2` bytes, YUYV, 4-byte aligned
 * @param options light wrap, packed background, despill
 * @throws {RangeError} for mismatched sizes or layouts, short or misaligned buffers
 */
export function compositeYuyv(
  cam: Frame,
  bg: Frame,
  alpha: Uint8Array,
  yuyv: Uint8Array,
  options: CompositeYuyvOptions = {},
): void {
  const { width, height, y, u, v, layout } = cam;
  const n = width * height;
  if (layout === "444" || width % 2 !== 0) {
    throw new RangeError(
      `Cannot composite into YUYV: the camera frame is ${layout} and ${width} wide (give 422 or 420, even width)`,
    );
  }
  if (yuyv.length < n * 2) {
    throw new RangeError(
      `Cannot pack YUYV: ${yuyv.length} bytes, ${width}x${height} needs ${n * 2}`,
    );
  }
  if (yuyv.byteOffset % 4 !== 0) {
    throw new RangeError("Cannot pack YUYV: the output must start on a 4-byte boundary");
  }
  if (bg.width !== width || bg.height !== height || bg.layout !== "422") {
    throw new RangeError(
      `Cannot composite: the background is ${bg.width}x${bg.height} ${bg.layout}, the frame ${width}x${height} 422`,
    );
  }
  if (alpha.length < n) {
    throw new RangeError(`Cannot composite: ${alpha.length} alpha values, need ${n}`);
  }
  const chromaShift = layout === "420" ? 1 : 0;
  const cw = width >> 1;
  const pairs = cw * height;
  const wrap = options.wrap ?? null;
  if (wrap && wrap.length < n) {
    throw new RangeError(`Cannot composite: ${wrap.length} wrap weights, need ${n}`);
  }
  const packed = options.bgPacked ?? null;
  const despill = options.despill === "green" ? 1 : options.despill === "blue" ? 2 : 0;
  if (packed && packed.length < pairs) {
    throw new RangeError(`Cannot composite: ${packed.length} packed words, need ${pairs}`);
  }
  const by = bg.y, bu = bg.u, bv = bg.v;
  const words = new Uint32Array(yuyv.buffer, yuyv.byteOffset, pairs);
  const a16 = view16(alpha, "alpha");
  const w16 = wrap ? view16(wrap, "wrap weights") : null;
  const y16 = view16(y, "luma plane");
  const by16 = view16(by, "background luma plane");
  const lp = LUMA_PAIR_TO_LIMITED, ly = LUMA_TO_LIMITED, lc = CHROMA_TO_LIMITED;
  for (let row = 0; row < height; row++) {
    const c0 = (row >> chromaShift) * cw;
    const first = row * cw;
    const end = first + cw;
    let p = first;
    while (p < end) {
      const a = a16[p]!;
      if (a === 0) {
        // Background run.
        if (packed) {
          do {
            words[p] = packed[p]!;
            p++;
          } while (p < end && a16[p] === 0);
        } else {
          do {
            words[p] = lp[by16[p]!]! | (lc[bu[p]!]! << 8) | (lc[bv[p]!]! << 24);
            p++;
          } while (p < end && a16[p] === 0);
        }
        continue;
      }
      if (a === 0xffff && (w16 === null || w16[p] === 0)) {
        // Person run.
        let c = c0 + (p - first);
        do {
          words[p] = lp[y16[p]!]! | (lc[u[c]!]! << 8) | (lc[v[c]!]! << 24);
          p++;
          c++;
        } while (p < end && a16[p] === 0xffff && (w16 === null || w16[p] === 0));
        continue;
      }
      // The edge band: blend (and wrap) one pair.
      const i = 2 * p;
      const c = c0 + (p - first);
      const a0 = alpha[i]!, a1 = alpha[i + 1]!;
      let y0 = y[i]!, y1 = y[i + 1]!, cb = u[c]!, cr = v[c]!;
      const by0 = by[i]!, by1 = by[i + 1]!, bcb = bu[p]!, bcr = bv[p]!;
      const w0 = wrap === null ? 0 : wrap[i]!, w1 = wrap === null ? 0 : wrap[i + 1]!;
      if (despill !== 0) {
        // The key colour's spill, in RGB for the pair (the edge band only; see despillPair).
        // Per pixel: not where the pixel is background or plain person.
        const packedPair = despillPair(
          y0,
          y1,
          cb,
          cr,
          a0 !== 0 && (a0 !== 255 || w0 !== 0) ? despill : 0,
          a1 !== 0 && (a1 !== 255 || w1 !== 0) ? despill : 0,
        );
        y0 = packedPair & 255;
        y1 = (packedPair >>> 8) & 255;
        cb = (packedPair >>> 16) & 255;
        cr = packedPair >>> 24;
      }
      if ((w0 | w1) !== 0) {
        // Screen blend of the background light onto the rim (see the module doc).
        const k = div255((255 - ((y0 + y1) >> 1)) * ((w0 + w1) >> 1)); // (1 − Y)·w, 0 … 255
        y0 += div255((255 - y0) * div255(by0 * w0));
        y1 += div255((255 - y1) * div255(by1 * w1));
        cb += ((bcb - 128) * k + 127) >> 8;
        cr += ((bcr - 128) * k + 127) >> 8;
        cb = cb < 0 ? 0 : cb > 255 ? 255 : cb;
        cr = cr < 0 ? 0 : cr > 255 ? 255 : cr;
      }
      const f0 = a0 * 257 + (a0 >> 7), f1 = a1 * 257 + (a1 >> 7);
      const am = (a0 + a1 + 1) >> 1;
      const fm = am * 257 + (am >> 7);
      y0 = (y0 * f0 + by0 * (65536 - f0) + 32768) >>> 16;
      y1 = (y1 * f1 + by1 * (65536 - f1) + 32768) >>> 16;
      cb = (cb * fm + bcb * (65536 - fm) + 32768) >>> 16;
      cr = (cr * fm + bcr * (65536 - fm) + 32768) >>> 16;
      words[p] = ly[y0]! | (lc[cb]! << 8) | (ly[y1]! << 16) | (lc[cr]! << 24);
      p++;
    }
  }
}

/** 32-bit views of whole buffers, made once per buffer (a frame's planes live as long as it). */
const wordViews = new WeakMap<ArrayBufferLike, Int32Array>();

/** The 32-bit view of `bytes`'s whole buffer (index it from `bytes.byteOffset >> 2`). */
function words(bytes: Uint8Array): Int32Array {
  const buffer = bytes.buffer;
  let view = wordViews.get(buffer);
  if (view === undefined) {
    view = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    wordViews.set(buffer, view);
  }
  return view;
}

function check444(f: Frame, name: string, width: number, height: number): void {
  if (f.width !== width || f.height !== height || f.layout !== "444") {
    throw new RangeError(
      `Cannot composite: the ${name} is ${f.width}x${f.height} ${f.layout}, need ${width}x${height} 444`,
    );
  }
  const n = width * height;
  if (f.y.length < n || f.u.length < n || f.v.length < n) {
    throw new RangeError(
      `Cannot composite: the ${name}'s planes hold ${f.y.length}, ${f.u.length} and ${f.v.length}, need ${n}`,
    );
  }
}

/**
 * {@linkcode compositeFrame} pixel by pixel without light wrap or despill, for pixels `from` …
 * `to` − 1: copies where alpha is 0 or 255, the soft edge blended in YCbCr. Called for runs of
 * words that are not plain copies, and for what the words leave.
 */
function blendPixels(
  cam: Frame,
  bg: Frame,
  alpha: Uint8Array,
  out: Frame,
  from: number,
  to: number,
): void {
  const cy = cam.y, cu = cam.u, cv = cam.v;
  const by = bg.y, bu = bg.u, bv = bg.v;
  const oy = out.y, ou = out.u, ov = out.v;
  const copyBg = oy !== by, copyCam = oy !== cy;
  for (let i = from; i < to; i++) {
    const a8 = alpha[i]!;
    if (a8 === 0) {
      if (copyBg) {
        oy[i] = by[i]!;
        ou[i] = bu[i]!;
        ov[i] = bv[i]!;
      }
    } else if (a8 === 255) {
      if (copyCam) {
        oy[i] = cy[i]!;
        ou[i] = cu[i]!;
        ov[i] = cv[i]!;
      }
    } else {
      // The soft edge, nothing but the blend: Y, Cb and Cr directly (see the module doc), as
      // (c · f + b · (65536 − f) + 32768) >> 16 with one product fewer.
      const f = a8 * 257 + (a8 >> 7); // 0 … 65536
      const y0 = by[i]!, u0 = bu[i]!, v0 = bv[i]!;
      oy[i] = ((y0 << 16) + (cy[i]! - y0) * f + 32768) >> 16;
      ou[i] = ((u0 << 16) + (cu[i]! - u0) * f + 32768) >> 16;
      ov[i] = ((v0 << 16) + (cv[i]! - v0) * f + 32768) >> 16;
    }
  }
}

/**
 * {@linkcode compositeFrame} pixel by pixel with light wrap or despill, for pixels `from` …
 * `to` − 1: copies where alpha is 0, or 255 without wrap; the rest through RGB.
 */
function treatPixels(
  cam: Frame,
  bg: Frame,
  alpha: Uint8Array,
  out: Frame,
  wrap: Uint8Array | null,
  despill: number,
  from: number,
  to: number,
): void {
  const cy = cam.y, cu = cam.u, cv = cam.v;
  const by = bg.y, bu = bg.u, bv = bg.v;
  const oy = out.y, ou = out.u, ov = out.v;
  const rt = R_FROM_CR, bt = B_FROM_CB, tie = G_TIE, gcb = G_CB, gcr = G_CR, gBias = G_BIAS;
  const copyBg = oy !== by, copyCam = oy !== cy;
  for (let i = from; i < to; i++) {
    const a8 = alpha[i]!;
    if (a8 === 0) {
      if (copyBg) {
        oy[i] = by[i]!;
        ou[i] = bu[i]!;
        ov[i] = bv[i]!;
      }
      continue;
    }
    const w = wrap === null ? 0 : wrap[i]!;
    if (a8 === 255 && w === 0) {
      if (copyCam) {
        oy[i] = cy[i]!;
        ou[i] = cu[i]!;
        ov[i] = cv[i]!;
      }
      continue;
    }
    // This pixel through RGB (as frameToRgb, in whole numbers), treated and blended exactly as the
    // RGB compositor did, and back (as rgbToFrame; see the module doc).
    let l = cy[i]!, cb = cu[i]!, cr = cv[i]!;
    let r = l + rt[cr]! - 256, g = l + ((gBias - gcb * cb - gcr * cr) >> 23);
    let b = l + bt[cb]! - 256;
    r = r < 0 ? 0 : r > 255 ? 255 : r;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    b = b < 0 ? 0 : b > 255 ? 255 : b;
    if (cb === 78 && cr === 178) g = tie[l]!;
    l = by[i]!;
    cb = bu[i]!;
    cr = bv[i]!;
    let br = l + rt[cr]! - 256, bgG = l + ((gBias - gcb * cb - gcr * cr) >> 23);
    let bb = l + bt[cb]! - 256;
    br = br < 0 ? 0 : br > 255 ? 255 : br;
    bgG = bgG < 0 ? 0 : bgG > 255 ? 255 : bgG;
    bb = bb < 0 ? 0 : bb > 255 ? 255 : bb;
    if (cb === 78 && cr === 178) bgG = tie[l]!;
    if (despill === 1) {
      const limit = (r + b) >> 1;
      if (g > limit) g = limit;
    } else if (despill === 2) {
      const limit = (r + g) >> 1;
      if (b > limit) b = limit;
    }
    if (w !== 0) {
      // r + div255((255 − r) · div255(br · w)), div255 written out.
      r += (((255 - r) * (((br * w + 128) * 257) >>> 16) + 128) * 257) >>> 16;
      g += (((255 - g) * (((bgG * w + 128) * 257) >>> 16) + 128) * 257) >>> 16;
      b += (((255 - b) * (((bb * w + 128) * 257) >>> 16) + 128) * 257) >>> 16;
    }
    if (a8 !== 255) {
      // (r · f + br · (65536 − f) + 32768) >> 16, one product fewer.
      const f = a8 * 257 + (a8 >> 7); // 0 … 65536
      r = ((br << 16) + (r - br) * f + 32768) >> 16;
      g = ((bgG << 16) + (g - bgG) * f + 32768) >> 16;
      b = ((bb << 16) + (b - bb) * f + 32768) >> 16;
    }
    // As rgbToFrame converts a "444" pixel.
    oy[i] = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
    cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32768) >> 16;
    cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32768) >> 16;
    ou[i] = cb > 255 ? 255 : cb;
    ov[i] = cr > 255 ? 255 : cr;
  }
}

/**
 * Blends the camera frame over the background through `alpha` into `out`, per pixel, all
 * `"444"`: the compositor of the file sinks. Pixels inside the person without wrap are copied,
 * background pixels too (four at a time, as 32-bit words, when every array starts on a 4-byte
 * boundary; the word views are made once per buffer). On the soft edge (alpha 1 … 254) without
 * wrap or despill, Y, Cb and Cr are blended directly in 16-bit fixed point. Where a light-wrap
 * weight or despill applies the pixel is done in RGB, as the RGB compositor did it: the camera
 * pixel first loses the key colour's spill (`despill`: green limited to the mean of red and blue,
 * or blue to that of red and green), then takes the background's light (`wrap`: a screen blend
 * of the background scaled by the weight, so background light spills softly onto the rim), then
 * is blended in 16-bit fixed point, and converted back. The accuracy of each is in the module
 * doc.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { fillFrame } from "./planar.ts";
 * import { compositeFrame } from "./composite.ts";
 * const size = { width: 2, height: 1 };
 * const cam = makeFrame(size, "444"), bg = makeFrame(size, "444"), out = makeFrame(size, "444");
 * fillFrame(cam, [255, 255, 255]);
 * compositeFrame(cam, bg, new Uint8Array([255, 128]), out, {});
 * console.log(out.y); // Uint8Array [255, 128]: half of white over black
 * ```
 *
 * @param cam the camera frame at output size, `"444"`
 * @param bg the background, same size, `"444"`
 * @param alpha person alpha per pixel, 0 … 255
 * @param out the result, same size, `"444"` (may be `cam` or `bg`)
 * @param options light wrap and despill
 * @throws {RangeError} for mismatched sizes or layouts, short planes, or short alpha or wrap
 */
export function compositeFrame(
  cam: Frame,
  bg: Frame,
  alpha: Uint8Array,
  out: Frame,
  options: CompositeFrameOptions = {},
): void {
  const { width, height } = cam;
  const n = width * height;
  check444(cam, "camera frame", width, height);
  check444(bg, "background", width, height);
  check444(out, "output", width, height);
  if (alpha.length < n) {
    throw new RangeError(`Cannot composite: ${alpha.length} alpha values, need ${n}`);
  }
  const wrap = options.wrap ?? null;
  if (wrap && wrap.length < n) {
    throw new RangeError(`Cannot composite: ${wrap.length} wrap weights, need ${n}`);
  }
  const despill = options.despill === "green" ? 1 : options.despill === "blue" ? 2 : 0;
  const treated = wrap !== null || despill !== 0;
  const cy = cam.y, cu = cam.u, cv = cam.v;
  const by = bg.y, bu = bg.u, bv = bg.v;
  const oy = out.y, ou = out.u, ov = out.v;
  // Four pixels at a time: 32-bit words of every array (views made once per buffer), when each
  // starts on a word. A word of alpha (and wrap) all 0, or all 255 without wrap, is a copy of
  // three words; runs of other words go pixel by pixel.
  const aligned = ((alpha.byteOffset | (wrap?.byteOffset ?? 0) | cy.byteOffset | cu.byteOffset |
    cv.byteOffset | by.byteOffset | bu.byteOffset | bv.byteOffset | oy.byteOffset |
    ou.byteOffset | ov.byteOffset) & 3) === 0;
  const nw = aligned ? n >> 2 : 0;
  if (nw > 0) {
    const copyBg = oy !== by, copyCam = oy !== cy;
    const a32 = words(alpha), ao = alpha.byteOffset >> 2;
    const w32 = wrap === null ? null : words(wrap), wo = wrap === null ? 0 : wrap.byteOffset >> 2;
    const cy32 = words(cy), cu32 = words(cu), cv32 = words(cv);
    const by32 = words(by), bu32 = words(bu), bv32 = words(bv);
    const oy32 = words(oy), ou32 = words(ou), ov32 = words(ov);
    const cyo = cy.byteOffset >> 2, cuo = cu.byteOffset >> 2, cvo = cv.byteOffset >> 2;
    const byo = by.byteOffset >> 2, buo = bu.byteOffset >> 2, bvo = bv.byteOffset >> 2;
    const oyo = oy.byteOffset >> 2, ouo = ou.byteOffset >> 2, ovo = ov.byteOffset >> 2;
    let q = 0;
    while (q < nw) {
      const a = a32[ao + q]!;
      if (a === 0) {
        // A background run.
        if (copyBg) {
          do {
            oy32[oyo + q] = by32[byo + q]!;
            ou32[ouo + q] = bu32[buo + q]!;
            ov32[ovo + q] = bv32[bvo + q]!;
            q++;
          } while (q < nw && a32[ao + q] === 0);
        } else {
          do q++; while (q < nw && a32[ao + q] === 0);
        }
      } else if (a === -1 && (w32 === null || w32[wo + q] === 0)) {
        // A person run.
        if (copyCam) {
          do {
            oy32[oyo + q] = cy32[cyo + q]!;
            ou32[ouo + q] = cu32[cuo + q]!;
            ov32[ovo + q] = cv32[cvo + q]!;
            q++;
          } while (q < nw && a32[ao + q] === -1 && (w32 === null || w32[wo + q] === 0));
        } else {
          do q++; while (q < nw && a32[ao + q] === -1 && (w32 === null || w32[wo + q] === 0));
        }
      } else {
        // A run of words with edge pixels (or a mix).
        const from = q << 2;
        do {
          q++;
          if (q === nw) break;
          const next = a32[ao + q]!;
          if (next === 0 || (next === -1 && (w32 === null || w32[wo + q] === 0))) break;
        } while (true);
        if (treated) treatPixels(cam, bg, alpha, out, wrap, despill, from, q << 2);
        else blendPixels(cam, bg, alpha, out, from, q << 2);
      }
    }
  }
  if (nw << 2 === n) return;
  if (treated) treatPixels(cam, bg, alpha, out, wrap, despill, nw << 2, n);
  else blendPixels(cam, bg, alpha, out, nw << 2, n);
}
