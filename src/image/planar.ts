/**
 * Planar YCbCr frames, the working format of the fast pipeline path: full-range (JFIF) Y, Cb, Cr
 * planes with chroma halved horizontally (4:2:2) and optionally vertically too (4:2:0). This is
 * what libturbojpeg gives for a camera's MJPG without any colour conversion, and what a YUYV
 * camera gives after one unpacking pass; the compositor blends in it and packs YUYV for the
 * virtual camera in the same pass (`src/pipeline/compose_yuv.ts`).
 *
 * Full range is kept inside because JPEG is full range and the guided filter wants luma on the
 * 0 … 255 scale; the BT.601 limited range of V4L2's YUYV is applied once, on output, by table.
 * Limited → full → limited is lossless (the expansion is injective and rounds back).
 *
 * @module
 */

/** A planar YCbCr picture, full range, chroma at half width. */
export interface YuvFrame {
  /** Width in pixels (even). */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Luma, `width × height` bytes, row-major. */
  readonly y: Uint8Array;
  /** Cb, `width / 2` bytes per chroma row. */
  readonly u: Uint8Array;
  /** Cr, as `u`. */
  readonly v: Uint8Array;
  /**
   * 0: one chroma row per picture row (4:2:2); 1: one per two rows (4:2:0). The chroma row of
   * picture row `r` is `r >> chromaShift`. A camera's JPEG frames may change it per frame.
   */
  chromaShift: 0 | 1;
}

/**
 * Makes a frame with room for 4:2:2 chroma (so 4:2:0 fits too).
 *
 * @example
 * ```ts
 * import { makeYuvFrame } from "./planar.ts";
 * const f = makeYuvFrame(640, 480);
 * console.log(f.y.length, f.u.length); // 307200 153600
 * ```
 *
 * @param width the width (even)
 * @param height the height
 * @returns the frame, black (Y 0, chroma 128)
 */
export function makeYuvFrame(width: number, height: number): YuvFrame {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 1) {
    throw new RangeError(`Cannot make a YUV frame of ${width}x${height}: give a positive size`);
  }
  if (width % 2 !== 0) {
    throw new RangeError(`Cannot make a YUV frame ${width} pixels wide: the width must be even`);
  }
  const c = (width / 2) * height;
  return {
    width,
    height,
    y: new Uint8Array(width * height),
    u: new Uint8Array(c).fill(128),
    v: new Uint8Array(c).fill(128),
    chromaShift: 0,
  };
}

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

function checkRgb(rgb: Uint8Array, frame: YuvFrame, action: string): void {
  if (rgb.length < frame.width * frame.height * 3) {
    throw new RangeError(
      `Cannot ${action}: ${rgb.length} bytes of RGB, ${frame.width}x${frame.height} needs ${
        frame.width * frame.height * 3
      }`,
    );
  }
}

/**
 * Unpacks a YUYV picture (BT.601 limited range, as V4L2 cameras send it) into a full-range
 * 4:2:2 frame in one pass.
 *
 * @example
 * ```ts
 * import { makeYuvFrame, yuyvToPlanar } from "./planar.ts";
 * const f = makeYuvFrame(2, 1);
 * yuyvToPlanar(new Uint8Array([16, 128, 235, 128]), f);
 * console.log(f.y); // Uint8Array [0, 255]
 * ```
 *
 * @param yuyv `width × height × 2` bytes
 * @param frame the destination (its size is the picture's)
 */
export function yuyvToPlanar(yuyv: Uint8Array, frame: YuvFrame): void {
  const n = frame.width * frame.height;
  if (yuyv.length < n * 2) {
    throw new RangeError(`Cannot unpack YUYV: ${yuyv.length} bytes, need ${n * 2}`);
  }
  const { y, u, v } = frame;
  const ly = LUMA_TO_FULL, lc = CHROMA_TO_FULL;
  for (let i = 0, k = 0, c = 0; i < n; i += 2, k += 4, c++) {
    y[i] = ly[yuyv[k]!]!;
    u[c] = lc[yuyv[k + 1]!]!;
    y[i + 1] = ly[yuyv[k + 2]!]!;
    v[c] = lc[yuyv[k + 3]!]!;
  }
  frame.chromaShift = 0;
}

/**
 * Converts RGB to a full-range 4:2:2 frame (JFIF coefficients; chroma of each pixel pair is the
 * mean of the two), for backgrounds and sources that give RGB.
 *
 * @example
 * ```ts
 * import { makeYuvFrame, rgbToPlanar } from "./planar.ts";
 * const f = makeYuvFrame(2, 1);
 * rgbToPlanar(new Uint8Array([255, 0, 0, 255, 0, 0]), f);
 * console.log(f.y[0], f.u[0], f.v[0]); // 76 85 255
 * ```
 *
 * @param rgb interleaved RGB, `width × height × 3` bytes
 * @param frame the destination
 */
export function rgbToPlanar(rgb: Uint8Array, frame: YuvFrame): void {
  checkRgb(rgb, frame, "convert RGB to YUV");
  const { y, u, v } = frame;
  const n = frame.width * frame.height;
  // 16-bit fixed point: Y = .299 R + .587 G + .114 B; Cb = −.168736 R − .331264 G + .5 B;
  // Cr = .5 R − .418688 G − .081312 B (each + 128).
  for (let i = 0, j = 0, c = 0; i < n; i += 2, j += 6, c++) {
    const r0 = rgb[j]!, g0 = rgb[j + 1]!, b0 = rgb[j + 2]!;
    const r1 = rgb[j + 3]!, g1 = rgb[j + 4]!, b1 = rgb[j + 5]!;
    y[i] = (19595 * r0 + 38470 * g0 + 7471 * b0 + 32768) >> 16;
    y[i + 1] = (19595 * r1 + 38470 * g1 + 7471 * b1 + 32768) >> 16;
    const r = r0 + r1, g = g0 + g1, b = b0 + b1;
    // Sums of two pixels: halve with the extra bit of the shift; +128 per pixel pair.
    // Pure blue or red reach 255.5: clamp (the low end stays ≥ 0.5).
    const cb = (-11059 * r - 21709 * g + 32768 * b + (256 << 16) + 65536) >> 17;
    const cr = (32768 * r - 27439 * g - 5329 * b + (256 << 16) + 65536) >> 17;
    u[c] = cb > 255 ? 255 : cb;
    v[c] = cr > 255 ? 255 : cr;
  }
  frame.chromaShift = 0;
}

/**
 * Converts a full-range frame (4:2:2 or 4:2:0) to RGB (JFIF coefficients, chroma repeated), for
 * tests and for stages that need RGB.
 *
 * @example
 * ```ts
 * import { makeYuvFrame, planarToRgb, rgbToPlanar } from "./planar.ts";
 * const f = makeYuvFrame(2, 1);
 * rgbToPlanar(new Uint8Array([10, 200, 30, 10, 200, 30]), f);
 * const rgb = new Uint8Array(6);
 * planarToRgb(f, rgb); // ≈ [10, 200, 30, 10, 200, 30]
 * ```
 *
 * @param frame the frame
 * @param rgb `width × height × 3` bytes
 */
export function planarToRgb(frame: YuvFrame, rgb: Uint8Array): void {
  checkRgb(rgb, frame, "convert YUV to RGB");
  const { width, height, y, u, v, chromaShift } = frame;
  const { crR, cbG, crG, cbB } = YCBCR_TO_RGB;
  const cw = width >> 1;
  for (let row = 0; row < height; row++) {
    const crow = (row >> chromaShift) * cw;
    let o = row * width * 3;
    for (let x = 0; x < width; x++) {
      const l = y[row * width + x]!;
      const cb = u[crow + (x >> 1)]! - 128;
      const cr = v[crow + (x >> 1)]! - 128;
      rgb[o++] = clamp8(l + crR * cr);
      rgb[o++] = clamp8(l - cbG * cb - crG * cr);
      rgb[o++] = clamp8(l + cbB * cb);
    }
  }
}

/**
 * Fills a frame with one RGB colour.
 *
 * @param frame the frame
 * @param rgb the colour
 */
export function fillPlanar(frame: YuvFrame, rgb: readonly [number, number, number]): void {
  const px = new Uint8Array([...rgb, ...rgb]);
  const one: YuvFrame = {
    width: 2,
    height: 1,
    y: new Uint8Array(2),
    u: new Uint8Array(1),
    v: new Uint8Array(1),
    chromaShift: 0,
  };
  rgbToPlanar(px, one);
  frame.y.fill(one.y[0]!);
  frame.u.fill(one.u[0]!);
  frame.v.fill(one.v[0]!);
  frame.chromaShift = 0;
}
