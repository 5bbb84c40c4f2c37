/**
 * Compositing on the fast path: the camera frame over the background through the person alpha,
 * in full-range planar YCbCr, packed straight into YUYV (BT.601 limited range) for the virtual
 * camera — blend, range conversion and packing in one pass, no RGB anywhere.
 *
 * The blend is the same 16-bit fixed-point blend as {@linkcode blend} in `compose.ts`, per
 * component: YCbCr is an affine map of RGB, so blending in it equals blending in RGB (up to
 * rounding). A pixel pair shares its chroma, which is blended with the pair's mean alpha.
 *
 * Light wrap (a screen blend of the background onto the person's rim) is not affine; in YCbCr it
 * is applied as `Y' = Y + (255 − Y)·Ybg·w` and `C' = C + (1 − Y/255)·w·(Cbg − 128)`, which is the
 * RGB screen blend exactly for grey camera pixels and close for coloured ones. Despill is done in
 * RGB for the pixel pairs of the edge band (a round trip per pair; inside and outside the person
 * nothing is despilled, as in `composite`).
 *
 * @module
 */

import {
  CHROMA_TO_LIMITED,
  clamp8,
  LUMA_TO_LIMITED,
  YCBCR_TO_RGB,
  type YuvFrame,
} from "../image/planar.ts";
import { type Despill, div255 } from "./compose.ts";

/** Two full-range lumas (a 16-bit little-endian pair) → bytes 0 and 2 of a YUYV word. */
const LUMA_PAIR_TO_LIMITED: Uint32Array = Uint32Array.from(
  { length: 65536 },
  (_, i) => LUMA_TO_LIMITED[i & 255]! | (LUMA_TO_LIMITED[i >> 8]! << 16),
);

function view16(a: Uint8Array, name: string): Uint16Array {
  if (a.byteOffset % 2 !== 0) {
    throw new RangeError(`Cannot composite: the ${name} must start on a 2-byte boundary`);
  }
  return new Uint16Array(a.buffer, a.byteOffset, a.length >> 1);
}

function checkSizes(cam: YuvFrame, out: Uint8Array, bg: YuvFrame | null, alpha: Uint8Array | null) {
  const { width, height } = cam;
  const n = width * height;
  if (out.length < n * 2) {
    throw new RangeError(
      `Cannot pack YUYV: ${out.length} bytes, ${width}x${height} needs ${n * 2}`,
    );
  }
  if (out.byteOffset % 4 !== 0) {
    throw new RangeError("Cannot pack YUYV: the output must start on a 4-byte boundary");
  }
  if (bg && (bg.width !== width || bg.height !== height || bg.chromaShift !== 0)) {
    throw new RangeError(
      `Cannot composite: the background is ${bg.width}x${bg.height} (chroma shift ${bg.chromaShift}), the frame ${width}x${height} 4:2:2`,
    );
  }
  if (alpha && alpha.length < n) {
    throw new RangeError(`Cannot composite: ${alpha.length} alpha values, need ${n}`);
  }
}

/**
 * Packs a full-range frame (4:2:2 or 4:2:0) as limited-range YUYV: the passthrough (`-b off`).
 *
 * @example
 * ```ts
 * import { makeYuvFrame } from "../image/planar.ts";
 * import { packYuyv } from "./compose_yuv.ts";
 * const f = makeYuvFrame(2, 1);
 * f.y.set([0, 255]);
 * const out = new Uint8Array(4);
 * packYuyv(f, out); // [16, 128, 235, 128]
 * ```
 *
 * @param cam the frame
 * @param out `width × height × 2` bytes
 */
export function packYuyv(cam: YuvFrame, out: Uint8Array): void {
  checkSizes(cam, out, null, null);
  const { width, height, y, u, v, chromaShift } = cam;
  const cw = width >> 1;
  const words = new Uint32Array(out.buffer, out.byteOffset, cw * height);
  const y16 = view16(y, "luma plane");
  const lp = LUMA_PAIR_TO_LIMITED, lc = CHROMA_TO_LIMITED;
  for (let row = 0, p = 0; row < height; row++) {
    const crow = (row >> chromaShift) * cw;
    for (let c = crow, end = crow + cw; c < end; c++, p++) {
      words[p] = lp[y16[p]!]! | (lc[u[c]!]! << 8) | (lc[v[c]!]! << 24);
    }
  }
}

/** Options for {@linkcode compositeYuyv}. */
export interface CompositeYuyvOptions {
  /** Light-wrap weight per pixel, 0 … 255; none when absent. */
  wrap?: Uint8Array | null | undefined;
  /**
   * The background already packed as YUYV words (from {@linkcode packYuyv} of `bg`), for
   * backgrounds that do not change: background runs are then plain word copies.
   */
  bgPacked?: Uint32Array | null | undefined;
  /** Remove green or blue spill from the person's edge, as `composite` does in RGB. */
  despill?: Despill | null | undefined;
}

/**
 * Despill of a pixel pair in YCbCr: both pixels to RGB (JFIF), green limited to the mean of red
 * and blue (kind 1) or blue to that of red and green (kind 2) in each pixel whose kind is not
 * 0, as `composite` does, and back (the pair's chroma from both pixels).
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
  // The camera's RGB, as `composite` would get it: whole, clamped values.
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
 * (limited range) in one pass. Runs of pixel pairs wholly inside the person (alpha 255, no
 * wrap) are packed by table look-up, runs wholly in the background (alpha 0) copied from
 * `bgPacked` or packed likewise; only the edge band is blended.
 *
 * @example
 * ```ts
 * import { fillPlanar, makeYuvFrame } from "../image/planar.ts";
 * import { compositeYuyv } from "./compose_yuv.ts";
 * const cam = makeYuvFrame(2, 1), bg = makeYuvFrame(2, 1);
 * fillPlanar(cam, [255, 255, 255]);
 * const out = new Uint8Array(4);
 * compositeYuyv(cam, bg, new Uint8Array([255, 0]), out); // [235, 128, 16, 128]
 * ```
 *
 * @param cam the camera frame at output size (4:2:2 or 4:2:0)
 * @param bg the background, same size, 4:2:2
 * @param alpha person alpha per pixel, 0 … 255
 * @param out `width × height × 2` bytes, YUYV
 * @param options light wrap, packed background, despill
 */
export function compositeYuyv(
  cam: YuvFrame,
  bg: YuvFrame,
  alpha: Uint8Array,
  out: Uint8Array,
  options: CompositeYuyvOptions = {},
): void {
  checkSizes(cam, out, bg, alpha);
  const { width, height, y, u, v, chromaShift } = cam;
  const cw = width >> 1;
  const pairs = cw * height;
  const wrap = options.wrap ?? null;
  if (wrap && wrap.length < alpha.length) {
    throw new RangeError(`Cannot composite: ${wrap.length} wrap weights, need ${alpha.length}`);
  }
  const packed = options.bgPacked ?? null;
  const despill = options.despill === "green" ? 1 : options.despill === "blue" ? 2 : 0;
  if (packed && packed.length < pairs) {
    throw new RangeError(`Cannot composite: ${packed.length} packed words, need ${pairs}`);
  }
  const by = bg.y, bu = bg.u, bv = bg.v;
  const words = new Uint32Array(out.buffer, out.byteOffset, pairs);
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
        // Per pixel as in `composite`: not where the pixel is background or plain person.
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

/**
 * Mirrors a YUYV picture left-right in place (`-H`): pixel pairs reversed, the two lumas of each
 * pair swapped (the pair's chroma is shared, so it stays).
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
