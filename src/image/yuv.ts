/**
 * Conversions between 8-bit RGB and the YUV formats of webcams and
 * v4l2loopback: packed YUYV 4:2:2 (`V4L2_PIX_FMT_YUYV`), planar I420
 * (`V4L2_PIX_FMT_YUV420`) and semi-planar NV12 (`V4L2_PIX_FMT_NV12`). Every
 * function writes into a caller-owned buffer (size it with
 * {@linkcode yuvByteLength}), checks the sizes once and makes one pass over the
 * pixels without allocating.
 *
 * ## Colour space
 *
 * ITU-R BT.601, limited ("studio", "TV") range: Y in 16–235, Cb and Cr in
 * 16–240, with the 8-bit matrix of BT.601 (Kr = 0.299, Kb = 0.114):
 *
 * ```text
 * Y  =  16 + ( 65.481 R + 128.553 G +  24.966 B) / 255
 * Cb = 128 + (−37.797 R −  74.203 G + 112.000 B) / 255
 * Cr = 128 + (112.000 R −  93.786 G −  18.214 B) / 255
 * ```
 *
 * RGB → YUV is correctly rounded (half up): each output byte is the exact
 * value of the formula above, applied to the filtered RGB below, rounded to
 * the nearest integer (exhaustively tested). The code evaluates it in float64
 * with the coefficients pre-divided by 255000 × the filter weight, adds
 * 0.5 + 2⁻²⁴ and truncates with `| 0`. That is exact: the float64 error
 * (< 2 × 10⁻¹³) is far below the 2⁻²⁴ nudge, which is in turn below the smallest
 * gap between an exact value and a rounding boundary (the value is an integer
 * over 255000 × 8 at most, so the gap is 0 or ≥ 4.9 × 10⁻⁷); a value exactly
 * halfway rounds up. Shift-based int32 fixed point cannot be exact here: with
 * 16-bit coefficients 9060 of the 16.7 million colours get a wrong Y (48 still
 * with 23 bits, the most int32 allows); JavaScript has no 64-bit multiply. The
 * float64 form costs about 10% more than 16-bit fixed point in V8 and is
 * 20% faster than an exact int32 sum scaled by one float64 multiply. No clamp is
 * needed: the filters have positive weights summing to one, so the filtered
 * RGB stays in 0–255 and the matrix maps that into 16–235 / 16–240.
 *
 * YUV → RGB inverts the same matrix (R = 1.164383 (Y − 16) + 1.596027 (Cr − 128),
 * G = 1.164383 (Y − 16) − 0.391762 (Cb − 128) − 0.812968 (Cr − 128),
 * B = 1.164383 (Y − 16) + 2.017232 (Cb − 128)) in float64, rounds to nearest
 * (+0.5 and truncation) and clamps to 0–255 by table, so Y below 16 or above
 * 235 from a camera is accepted. It matches a float64 reference for every
 * (Y, Cb, Cr) triple (exhaustively tested); 16-bit fixed point would be ~5%
 * faster but off by one on about 0.05% of them.
 *
 * ## Chroma siting and filters
 *
 * - **YUYV (4:2:2)**: BT.601 sites each Cb/Cr pair with the even luma sample
 *   (co-sited). The encoder takes the chroma of pixel pair (2k, 2k + 1) through
 *   a [1, 2, 1] / 4 filter centred on pixel 2k (pixels 2k − 1, 2k, 2k + 1); at
 *   the left edge pixel −1 is pixel 0, so column 0 gets [3, 1] / 4. The right
 *   edge needs no clamp (the width is even). A plain two-pixel average would
 *   shift the chroma half a pixel right of where decoders put it.
 * - **I420, NV12 (4:2:0)**: the MPEG-2 / H.264 default (what browsers and
 *   players assume for camera I420/NV12): co-sited horizontally, interstitial
 *   vertically (halfway between luma rows 2j and 2j + 1). The encoder uses the
 *   same horizontal [1, 2, 1] / 4 filter on the average of rows 2j and 2j + 1,
 *   a [1, 2, 1] ⊗ [1, 1] / 8 kernel.
 * - **Decoding** (camera input): an even pixel takes its co-sited chroma
 *   sample; an odd pixel, halfway between two samples, takes their average
 *   (linear interpolation; the last odd pixel repeats the last sample).
 *   Vertically, a 4:2:0 chroma row serves both luma rows it sits between
 *   (nearest-neighbour: both rows are equally near, so there is no shift; a
 *   vertical chroma edge is softened by half a chroma row, which bilinear
 *   3/4 + 1/4 weights would avoid at the cost of reading three chroma rows per
 *   row pair). It keeps decoding at one pass; the round-trip bounds on smooth
 *   gradients are in `yuv_test.ts`.
 *
 * ```ts
 * import { rgbToYuyv, yuvByteLength, yuyvToRgb } from "./yuv.ts";
 *
 * const size = { width: 1280, height: 720 };
 * const rgb = new Uint8Array(size.width * size.height * 3);
 * const yuyv = new Uint8Array(yuvByteLength("yuyv", size));
 * rgbToYuyv(rgb, yuyv, size); // each frame, into the same buffer
 * yuyvToRgb(yuyv, rgb, size);
 * ```
 *
 * @module
 */

/** The YUV pixel formats of this module. */
export type YuvFormat = "yuyv" | "i420" | "nv12";

/** Frame size for the conversions of this module. */
export interface YuvOptions {
  /** Width in pixels; must be even. */
  width: number;
  /** Height in pixels; must be even for I420 and NV12. */
  height: number;
}

const FORMAT_NAME = { yuyv: "YUYV", i420: "I420", nv12: "NV12" } as const;

// BT.601 8-bit matrix: Y = 16 + (65481 R + 128553 G + 24966 B) / 255000 and so on, divided by
// 255000 × (sum of the filter weights: 1 for Y, 4 for 4:2:2 chroma, 8 for 4:2:0 chroma) once
// here. Rounding is half up through the 2⁻²⁴ nudge; see the module doc for why this is exact.
const NUDGE = 2 ** -24;
const Y_BIAS = 16.5 + NUDGE;
const C_BIAS = 128.5 + NUDGE;
const Y_R = 65481 / 255000;
const Y_G = 128553 / 255000;
const Y_B = 24966 / 255000;
const CB_R4 = -37797 / (255000 * 4);
const CB_G4 = -74203 / (255000 * 4);
const CB_B4 = 112000 / (255000 * 4);
const CR_R4 = 112000 / (255000 * 4);
const CR_G4 = -93786 / (255000 * 4);
const CR_B4 = -18214 / (255000 * 4);
const CB_R8 = -37797 / (255000 * 8);
const CB_G8 = -74203 / (255000 * 8);
const CB_B8 = 112000 / (255000 * 8);
const CR_R8 = 112000 / (255000 * 8);
const CR_G8 = -93786 / (255000 * 8);
const CR_B8 = -18214 / (255000 * 8);

// Inverse of the BT.601 matrix (Kr = 0.299, Kb = 0.114) for limited range.
const K_Y = 255 / 219;
const K_RV = (255 / 224) * 1.402;
const K_GU = (255 / 224) * 1.772 * 0.114 / 0.587;
const K_GV = (255 / 224) * 1.402 * 0.299 / 0.587;
const K_BU = (255 / 224) * 1.772;
// Clamp to 0–255 by table: CLAMP[v + 384] for integer v in [−384, 639]. The decoders' values
// lie in [−173, 535] (Y 0–255, Cb/Cr 0–255), and `(t | 0)` truncates t = value + 0.5, which
// rounds every value ≥ −0.5 to nearest; all lower values clamp to 0 either way.
const CLAMP = new Uint8Array(1024).map((_, i) => i < 384 ? 0 : i > 639 ? 255 : i - 384);

/** Checks the size and returns the byte length of a frame in `format`. */
function frameLength(action: string, format: YuvFormat, width: number, height: number): number {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${action}: ${width}x${height} is not a positive size`);
  }
  const name = FORMAT_NAME[format];
  if (width % 2 !== 0) {
    throw new RangeError(`${action}: width ${width} is odd (${name} needs an even width)`);
  }
  if (format === "yuyv") return width * height * 2;
  if (height % 2 !== 0) {
    throw new RangeError(`${action}: height ${height} is odd (${name} needs an even height)`);
  }
  return width * height * 3 / 2;
}

/** Checks both buffers of a conversion once, before any pixel is written. */
function checkBuffers(
  format: YuvFormat,
  toYuv: boolean,
  input: Uint8Array,
  output: Uint8Array,
  options: YuvOptions,
): void {
  const { width, height } = options;
  const name = FORMAT_NAME[format];
  const action = toYuv ? `Cannot convert RGB to ${name}` : `Cannot convert ${name} to RGB`;
  const yuvLength = frameLength(action, format, width, height);
  const rgbLength = width * height * 3;
  const inputLength = toYuv ? rgbLength : yuvLength;
  const outputLength = toYuv ? yuvLength : rgbLength;
  if (input.length < inputLength) {
    throw new RangeError(
      `${action}: the input has ${input.length} bytes, ${width}x${height} needs ${inputLength}`,
    );
  }
  if (output.length < outputLength) {
    throw new RangeError(
      `${action}: the output has ${output.length} bytes, ${width}x${height} needs ${outputLength}`,
    );
  }
}

/**
 * Returns the byte length of a `width` × `height` frame in a YUV format:
 * `width * height * 2` for YUYV, `width * height * 3 / 2` for I420 and NV12.
 *
 * @example
 * ```ts
 * import { yuvByteLength } from "./yuv.ts";
 * yuvByteLength("yuyv", { width: 1280, height: 720 }); // 1843200
 * yuvByteLength("nv12", { width: 1280, height: 720 }); // 1382400
 * ```
 *
 * @param format `"yuyv"`, `"i420"` or `"nv12"`.
 * @param options The frame size.
 * @returns The number of bytes the frame needs.
 * @throws {RangeError} When the size is not positive, the width is odd, or the
 * height is odd for I420 or NV12.
 */
export function yuvByteLength(format: YuvFormat, options: YuvOptions): number {
  return frameLength(
    `Cannot size a ${FORMAT_NAME[format]} frame`,
    format,
    options.width,
    options.height,
  );
}

/**
 * Converts RGB to packed YUYV 4:2:2 (bytes Y0 Cb Y1 Cr per pixel pair),
 * BT.601 limited range, correctly rounded. Chroma is co-sited with the even
 * pixel through a [1, 2, 1] / 4 filter (see the module doc).
 *
 * @example
 * ```ts
 * import { rgbToYuyv } from "./yuv.ts";
 * const yuyv = new Uint8Array(2 * 1 * 2);
 * rgbToYuyv(new Uint8Array([255, 0, 0, 255, 0, 0]), yuyv, { width: 2, height: 1 });
 * yuyv; // Uint8Array [81, 90, 81, 240]
 * ```
 *
 * @param rgb Input, `width * height * 3` bytes, rows top to bottom.
 * @param out Output, at least `width * height * 2` bytes.
 * @param options The frame size; the width must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function rgbToYuyv(rgb: Uint8Array, out: Uint8Array, options: YuvOptions): void {
  checkBuffers("yuyv", true, rgb, out, options);
  const { width, height } = options;
  let p = 0;
  let o = 0;
  for (let row = 0; row < height; row++) {
    const end = p + width * 3;
    // The left neighbour of column 0 is column 0 (edge clamp).
    let lr = rgb[p]!;
    let lg = rgb[p + 1]!;
    let lb = rgb[p + 2]!;
    while (p < end) {
      const r0 = rgb[p]!;
      const g0 = rgb[p + 1]!;
      const b0 = rgb[p + 2]!;
      const r1 = rgb[p + 3]!;
      const g1 = rgb[p + 4]!;
      const b1 = rgb[p + 5]!;
      const r = lr + 2 * r0 + r1;
      const g = lg + 2 * g0 + g1;
      const b = lb + 2 * b0 + b1;
      out[o] = Y_R * r0 + Y_G * g0 + Y_B * b0 + Y_BIAS | 0;
      out[o + 1] = CB_R4 * r + CB_G4 * g + CB_B4 * b + C_BIAS | 0;
      out[o + 2] = Y_R * r1 + Y_G * g1 + Y_B * b1 + Y_BIAS | 0;
      out[o + 3] = CR_R4 * r + CR_G4 * g + CR_B4 * b + C_BIAS | 0;
      lr = r1;
      lg = g1;
      lb = b1;
      p += 6;
      o += 4;
    }
  }
}

/** RGB → 4:2:0: Y plane, then chroma at `uBase` / `vBase` with `step` bytes between samples. */
function rgbTo420(
  rgb: Uint8Array,
  out: Uint8Array,
  width: number,
  height: number,
  uBase: number,
  vBase: number,
  step: number,
): void {
  const stride = width * 3;
  let u = uBase;
  let v = vBase;
  for (let row = 0; row < height; row += 2) {
    let p0 = row * stride;
    let p1 = p0 + stride;
    const end = p1;
    let y0 = row * width;
    let y1 = y0 + width;
    // Vertical sums of the left neighbour column; column 0 at the left edge.
    let lr = rgb[p0]! + rgb[p1]!;
    let lg = rgb[p0 + 1]! + rgb[p1 + 1]!;
    let lb = rgb[p0 + 2]! + rgb[p1 + 2]!;
    while (p0 < end) {
      const r00 = rgb[p0]!;
      const g00 = rgb[p0 + 1]!;
      const b00 = rgb[p0 + 2]!;
      const r01 = rgb[p0 + 3]!;
      const g01 = rgb[p0 + 4]!;
      const b01 = rgb[p0 + 5]!;
      const r10 = rgb[p1]!;
      const g10 = rgb[p1 + 1]!;
      const b10 = rgb[p1 + 2]!;
      const r11 = rgb[p1 + 3]!;
      const g11 = rgb[p1 + 4]!;
      const b11 = rgb[p1 + 5]!;
      out[y0] = Y_R * r00 + Y_G * g00 + Y_B * b00 + Y_BIAS | 0;
      out[y0 + 1] = Y_R * r01 + Y_G * g01 + Y_B * b01 + Y_BIAS | 0;
      out[y1] = Y_R * r10 + Y_G * g10 + Y_B * b10 + Y_BIAS | 0;
      out[y1 + 1] = Y_R * r11 + Y_G * g11 + Y_B * b11 + Y_BIAS | 0;
      const er = r00 + r10;
      const eg = g00 + g10;
      const eb = b00 + b10;
      const or = r01 + r11;
      const og = g01 + g11;
      const ob = b01 + b11;
      const r = lr + 2 * er + or;
      const g = lg + 2 * eg + og;
      const b = lb + 2 * eb + ob;
      out[u] = CB_R8 * r + CB_G8 * g + CB_B8 * b + C_BIAS | 0;
      out[v] = CR_R8 * r + CR_G8 * g + CR_B8 * b + C_BIAS | 0;
      lr = or;
      lg = og;
      lb = ob;
      p0 += 6;
      p1 += 6;
      y0 += 2;
      y1 += 2;
      u += step;
      v += step;
    }
  }
}

/**
 * Converts RGB to planar I420 (YUV 4:2:0): the Y plane (`width * height`),
 * then Cb and Cr planes of `width / 2 * height / 2` bytes each. BT.601
 * limited range, correctly rounded; chroma co-sited horizontally and
 * interstitial vertically, through a [1, 2, 1] ⊗ [1, 1] / 8 filter (see the
 * module doc).
 *
 * @example
 * ```ts
 * import { rgbToI420 } from "./yuv.ts";
 * const i420 = new Uint8Array(2 * 2 * 3 / 2);
 * rgbToI420(new Uint8Array(2 * 2 * 3).fill(255), i420, { width: 2, height: 2 });
 * i420; // Uint8Array [235, 235, 235, 235, 128, 128]
 * ```
 *
 * @param rgb Input, `width * height * 3` bytes, rows top to bottom.
 * @param out Output, at least `width * height * 3 / 2` bytes.
 * @param options The frame size; width and height must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function rgbToI420(rgb: Uint8Array, out: Uint8Array, options: YuvOptions): void {
  checkBuffers("i420", true, rgb, out, options);
  const { width, height } = options;
  const lumaLength = width * height;
  rgbTo420(rgb, out, width, height, lumaLength, lumaLength + lumaLength / 4, 1);
}

/**
 * Converts RGB to semi-planar NV12 (YUV 4:2:0): the Y plane
 * (`width * height`), then one plane of interleaved Cb, Cr pairs
 * (`width / 2 * height / 2` pairs). Same values as {@linkcode rgbToI420}.
 *
 * @example
 * ```ts
 * import { rgbToNv12 } from "./yuv.ts";
 * const nv12 = new Uint8Array(2 * 2 * 3 / 2);
 * rgbToNv12(new Uint8Array(2 * 2 * 3).fill(0), nv12, { width: 2, height: 2 });
 * nv12; // Uint8Array [16, 16, 16, 16, 128, 128]
 * ```
 *
 * @param rgb Input, `width * height * 3` bytes, rows top to bottom.
 * @param out Output, at least `width * height * 3 / 2` bytes.
 * @param options The frame size; width and height must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function rgbToNv12(rgb: Uint8Array, out: Uint8Array, options: YuvOptions): void {
  checkBuffers("nv12", true, rgb, out, options);
  const { width, height } = options;
  const lumaLength = width * height;
  rgbTo420(rgb, out, width, height, lumaLength, lumaLength + 1, 2);
}

/**
 * Repacks YUYV 4:2:2 as I420 or NV12 4:2:0 (both limited range, as they came): luma copied,
 * each chroma sample the rounded mean of the two rows' samples (interstitial vertically, like
 * {@linkcode rgbToI420}). The fast path composes YUYV and repacks it for a virtual camera that
 * was asked for I420 or NV12.
 *
 * @example
 * ```ts
 * import { yuyvTo420 } from "./yuv.ts";
 * const out = new Uint8Array(6);
 * yuyvTo420(new Uint8Array([16, 100, 235, 200, 16, 102, 235, 201]), out, "i420", { width: 2, height: 2 });
 * out; // Uint8Array [16, 235, 16, 235, 101, 201]
 * ```
 *
 * @param yuyv Input, `width * height * 2` bytes.
 * @param out Output, at least `width * height * 3 / 2` bytes.
 * @param format `"i420"` (Y, Cb, Cr planes) or `"nv12"` (Y, interleaved Cb Cr).
 * @param options The frame size; width and height must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function yuyvTo420(
  yuyv: Uint8Array,
  out: Uint8Array,
  format: "i420" | "nv12",
  options: YuvOptions,
): void {
  const { width, height } = options;
  const action = `Cannot repack YUYV as ${FORMAT_NAME[format]}`;
  const length = frameLength(action, format, width, height);
  if (yuyv.length < width * height * 2 || out.length < length) {
    throw new RangeError(
      `${action}: ${yuyv.length} bytes in, ${out.length} out; ${width}x${height} needs ${
        width * height * 2
      } and ${length}`,
    );
  }
  const lumaLength = width * height;
  const cw = width / 2;
  const nv12 = format === "nv12";
  const vBase = nv12 ? lumaLength + 1 : lumaLength + lumaLength / 4;
  const step = nv12 ? 2 : 1;
  for (let row = 0; row < height; row += 2) {
    const a = row * width * 2, b = a + width * 2;
    let yo = row * width;
    for (let k = a; k < b; k += 2) out[yo++] = yuyv[k]!;
    for (let k = b; k < b + width * 2; k += 2) out[yo++] = yuyv[k]!;
    let u = nv12 ? lumaLength + (row / 2) * width : lumaLength + (row / 2) * cw;
    let v = nv12 ? vBase + (row / 2) * width : vBase + (row / 2) * cw;
    for (let k = a; k < b; k += 4, u += step, v += step) {
      out[u] = (yuyv[k + 1]! + yuyv[k + 1 + width * 2]! + 1) >> 1;
      out[v] = (yuyv[k + 3]! + yuyv[k + 3 + width * 2]! + 1) >> 1;
    }
  }
}

/**
 * Converts packed YUYV 4:2:2 (what most webcams give) to RGB, BT.601 limited
 * range, rounded to nearest and clamped to 0–255. Even pixels take their
 * co-sited chroma, odd pixels the average of the two neighbouring samples.
 *
 * @example
 * ```ts
 * import { yuyvToRgb } from "./yuv.ts";
 * const rgb = new Uint8Array(2 * 1 * 3);
 * yuyvToRgb(new Uint8Array([81, 90, 81, 240]), rgb, { width: 2, height: 1 });
 * rgb; // Uint8Array [254, 0, 0, 254, 0, 0]: 8-bit BT.601 red, within 1 of pure red
 * ```
 *
 * @param yuyv Input, `width * height * 2` bytes (Y0 Cb Y1 Cr per pixel pair).
 * @param rgb Output, at least `width * height * 3` bytes.
 * @param options The frame size; the width must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function yuyvToRgb(yuyv: Uint8Array, rgb: Uint8Array, options: YuvOptions): void {
  checkBuffers("yuyv", false, yuyv, rgb, options);
  const { width, height } = options;
  let i = 0;
  let o = 0;
  for (let row = 0; row < height; row++) {
    const last = i + width * 2 - 4;
    let u = yuyv[i + 1]! - 128;
    let v = yuyv[i + 3]! - 128;
    let cr = K_RV * v;
    let cg = K_GU * u + K_GV * v;
    let cb = K_BU * u;
    for (; i <= last; i += 4) {
      const next = i < last ? i + 4 : i;
      u = yuyv[next + 1]! - 128;
      v = yuyv[next + 3]! - 128;
      const nr = K_RV * v;
      const ng = K_GU * u + K_GV * v;
      const nb = K_BU * u;
      const l0 = K_Y * (yuyv[i]! - 16) + 0.5;
      const l1 = K_Y * (yuyv[i + 2]! - 16) + 0.5;
      let t = l0 + cr;
      rgb[o] = CLAMP[(t | 0) + 384]!;
      t = l0 - cg;
      rgb[o + 1] = CLAMP[(t | 0) + 384]!;
      t = l0 + cb;
      rgb[o + 2] = CLAMP[(t | 0) + 384]!;
      t = l1 + (cr + nr) * 0.5;
      rgb[o + 3] = CLAMP[(t | 0) + 384]!;
      t = l1 - (cg + ng) * 0.5;
      rgb[o + 4] = CLAMP[(t | 0) + 384]!;
      t = l1 + (cb + nb) * 0.5;
      rgb[o + 5] = CLAMP[(t | 0) + 384]!;
      cr = nr;
      cg = ng;
      cb = nb;
      o += 6;
    }
  }
}

/** 4:2:0 → RGB: chroma at `uBase` / `vBase` with `step` bytes between samples. */
function yuv420ToRgb(
  yuv: Uint8Array,
  rgb: Uint8Array,
  width: number,
  height: number,
  uBase: number,
  vBase: number,
  step: number,
): void {
  const stride = width * 3;
  const chromaRow = (width / 2) * step;
  for (let row = 0; row < height; row += 2) {
    let y0 = row * width;
    let o0 = row * stride;
    let u = uBase + (row / 2) * chromaRow;
    let v = vBase + (row / 2) * chromaRow;
    const last = u + chromaRow - step;
    let cu = yuv[u]! - 128;
    let cv = yuv[v]! - 128;
    let cr = K_RV * cv;
    let cg = K_GU * cu + K_GV * cv;
    let cb = K_BU * cu;
    for (; u <= last; u += step, v += step) {
      const next = u < last ? step : 0;
      cu = yuv[u + next]! - 128;
      cv = yuv[v + next]! - 128;
      const nr = K_RV * cv;
      const ng = K_GU * cu + K_GV * cv;
      const nb = K_BU * cu;
      const mr = (cr + nr) * 0.5;
      const mg = (cg + ng) * 0.5;
      const mb = (cb + nb) * 0.5;
      const y1 = y0 + width;
      const o1 = o0 + stride;
      let l = K_Y * (yuv[y0]! - 16) + 0.5;
      let t = l + cr;
      rgb[o0] = CLAMP[(t | 0) + 384]!;
      t = l - cg;
      rgb[o0 + 1] = CLAMP[(t | 0) + 384]!;
      t = l + cb;
      rgb[o0 + 2] = CLAMP[(t | 0) + 384]!;
      l = K_Y * (yuv[y0 + 1]! - 16) + 0.5;
      t = l + mr;
      rgb[o0 + 3] = CLAMP[(t | 0) + 384]!;
      t = l - mg;
      rgb[o0 + 4] = CLAMP[(t | 0) + 384]!;
      t = l + mb;
      rgb[o0 + 5] = CLAMP[(t | 0) + 384]!;
      l = K_Y * (yuv[y1]! - 16) + 0.5;
      t = l + cr;
      rgb[o1] = CLAMP[(t | 0) + 384]!;
      t = l - cg;
      rgb[o1 + 1] = CLAMP[(t | 0) + 384]!;
      t = l + cb;
      rgb[o1 + 2] = CLAMP[(t | 0) + 384]!;
      l = K_Y * (yuv[y1 + 1]! - 16) + 0.5;
      t = l + mr;
      rgb[o1 + 3] = CLAMP[(t | 0) + 384]!;
      t = l - mg;
      rgb[o1 + 4] = CLAMP[(t | 0) + 384]!;
      t = l + mb;
      rgb[o1 + 5] = CLAMP[(t | 0) + 384]!;
      cr = nr;
      cg = ng;
      cb = nb;
      y0 += 2;
      o0 += 6;
    }
  }
}

/**
 * Converts planar I420 (YUV 4:2:0) to RGB, BT.601 limited range, rounded to
 * nearest and clamped to 0–255. Chroma is interpolated horizontally like
 * {@linkcode yuyvToRgb} and shared by the two luma rows it sits between.
 *
 * @example
 * ```ts
 * import { i420ToRgb } from "./yuv.ts";
 * const rgb = new Uint8Array(2 * 2 * 3);
 * i420ToRgb(new Uint8Array([41, 41, 41, 41, 240, 110]), rgb, { width: 2, height: 2 });
 * rgb.subarray(0, 3); // Uint8Array [0, 0, 255]
 * ```
 *
 * @param i420 Input, `width * height * 3 / 2` bytes: Y plane, Cb plane, Cr plane.
 * @param rgb Output, at least `width * height * 3` bytes.
 * @param options The frame size; width and height must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function i420ToRgb(i420: Uint8Array, rgb: Uint8Array, options: YuvOptions): void {
  checkBuffers("i420", false, i420, rgb, options);
  const { width, height } = options;
  const lumaLength = width * height;
  yuv420ToRgb(i420, rgb, width, height, lumaLength, lumaLength + lumaLength / 4, 1);
}

/**
 * Converts semi-planar NV12 (YUV 4:2:0) to RGB, BT.601 limited range, rounded
 * to nearest and clamped to 0–255; same filters as {@linkcode i420ToRgb}.
 *
 * @example
 * ```ts
 * import { nv12ToRgb } from "./yuv.ts";
 * const rgb = new Uint8Array(2 * 2 * 3);
 * nv12ToRgb(new Uint8Array([145, 145, 145, 145, 54, 34]), rgb, { width: 2, height: 2 });
 * rgb.subarray(0, 3); // Uint8Array [0, 255, 1]: 8-bit BT.601 green
 * ```
 *
 * @param nv12 Input, `width * height * 3 / 2` bytes: Y plane, then Cb Cr pairs.
 * @param rgb Output, at least `width * height * 3` bytes.
 * @param options The frame size; width and height must be even.
 * @throws {RangeError} When the size is invalid or a buffer is too small.
 */
export function nv12ToRgb(nv12: Uint8Array, rgb: Uint8Array, options: YuvOptions): void {
  checkBuffers("nv12", false, nv12, rgb, options);
  const { width, height } = options;
  const lumaLength = width * height;
  yuv420ToRgb(nv12, rgb, width, height, lumaLength, lumaLength + 1, 2);
}
