/**
 * A mask-aware blur of the camera's own background, fast enough for every frame.
 *
 * **Mask-aware:** a plain blur smears the person into the background around them (a bright halo
 * that the compositor then shows beside the person). Here the background is a *normalized
 * convolution*: `blur(frame × w) / blur(w)` with the weight `w = 1 − mask/255`, so pixels of the
 * person take (almost) no part in the blurred background. The weight has a tiny floor
 * (`w = (255 − mask) × 64 + 1`, in units of 1/16320) so that the denominator never reaches 0:
 * deep inside a large person, far from any background pixel, the result fades smoothly into a
 * plain blur of the frame instead of dividing by zero, and near the background the person
 * weighs 16 320 times less than a background pixel.
 *
 * **Real time:** the weighted frame is sampled down by a factor `f` (8 for the default strength
 * at 720p and 1080p: 2x2 samples per f×f block), blurred there with three running-sum box blurs
 * per axis (≈ a Gaussian, O(1) per pixel for any radius, with zero padding, which the
 * normalization turns into correct edges) and upsampled bilinearly with half-pixel centres in
 * integer fixed point, two channels per 32-bit operation. `f` is the largest of 2, 4, 8 not
 * above σ/1.5: the blur stays wider than the sampling grid, so the linear interpolation errs by
 * at most ~3 % of a sharp edge's contrast (invisible at 1:1), while the work shrinks by f².
 * Weak blurs are the slow case: below σ = 6 px (`f` = 2) a frame costs ~8x more, and below
 * σ = 3 px the 2x2 reduction itself blurs a little more than asked. Every buffer is made in the
 * constructor; `render()` allocates nothing.
 *
 * **YCbCr:** the blur runs on the frame's own planes (it is linear, so this equals blurring RGB
 * and converting): Y sampled from the luma plane and Cb, Cr from the chroma planes at the same
 * sample pixels with the same weights, whatever the camera's layout (`"444"`, `"422"` or
 * `"420"`). It draws in the layout it was opened for: `"444"` upsamples all three planes to full
 * resolution the way it does luma; `"422"` upsamples chroma straight to half width, interpolated
 * at the centre of each pixel pair, and writes 2 bytes per pixel instead of 3.
 *
 * @module
 */

import { chromaWidth, type Frame, makeFrame, type WorkingLayout } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import { Kernels } from "../kernels/mod.ts";
import type { Background, BackgroundContext, BackgroundOptions } from "../frame/stages.ts";
import {
  BACKGROUND_WEIGHT,
  blurReduced,
  LANES_MASK,
  lerpPairRow,
  lerpRow,
  lerpTable,
  runTable,
  samples,
  spanRows,
  type WordPlane,
  wordPlane,
} from "./_blur_kernels.ts";
import { BackgroundError } from "./errors.ts";

/** The blur strength used by `blur` without a number (also the default background). */
export const DEFAULT_BLUR_STRENGTH = 12;

/** The accepted blur strengths, inclusive. */
export const BLUR_STRENGTH_RANGE: readonly [number, number] = [1, 100];

/** How a blur of some strength is computed at some output size. */
export interface BlurPlan {
  /** Gaussian σ in output pixels: `strength × min(width, height) / 720`. */
  sigma: number;
  /** Downsampling factor (2, 4 or 8). */
  factor: number;
  /** Width of the reduced grid, `ceil(width / factor)`. */
  lowWidth: number;
  /** Height of the reduced grid, `ceil(height / factor)`. */
  lowHeight: number;
  /** Radii of the three box blurs on the reduced grid (their variances add up to (σ/f)²). */
  radii: [number, number, number];
}

/**
 * Radii of three box blurs whose succession approximates a Gaussian of standard deviation
 * `sigma` (the widths differ by at most 2; Kovesi's "fast almost-Gaussian filtering").
 *
 * @example
 * ```ts
 * import { boxRadii } from "./blur.ts";
 * boxRadii(3); // [2, 2, 3]: box widths 5, 5, 7, variance (24 + 24 + 48) / 12 = 8 ≈ 3²
 * ```
 *
 * @param sigma The standard deviation in pixels (≥ 0).
 * @returns Three radii, smallest first.
 */
export function boxRadii(sigma: number): [number, number, number] {
  const n = 3;
  const variance = 12 * sigma * sigma;
  let low = Math.floor(Math.sqrt(variance / n + 1));
  if (low % 2 === 0) low--;
  if (low < 1) low = 1;
  const m = Math.round((variance - n * low * low - 4 * n * low - 3 * n) / (-4 * low - 4));
  const radius = (i: number): number => ((i < m ? low : low + 2) - 1) / 2;
  return [radius(0), radius(1), radius(2)];
}

/**
 * How {@linkcode MaskAwareBlur} computes a blur: σ in output pixels (the strength is σ at 720
 * lines, scaled with the output's shorter side), the downsampling factor and the box radii.
 *
 * @example
 * ```ts
 * import { blurPlan } from "./blur.ts";
 * const plan = blurPlan(12, { width: 1280, height: 720 });
 * console.log(plan.sigma, plan.factor, plan.lowWidth, plan.lowHeight); // 12 8 160 90
 * ```
 *
 * @param strength 1 … 100.
 * @param size The output size.
 * @returns The plan.
 * @throws {BackgroundError} When the strength is not a number from 1 to 100.
 */
export function blurPlan(strength: number, size: Size): BlurPlan {
  const [min, max] = BLUR_STRENGTH_RANGE;
  if (!Number.isFinite(strength) || strength < min || strength > max) {
    throw new BackgroundError(
      "spec",
      `Cannot use blur strength ${
        JSON.stringify(strength)
      }: use a number from ${min} to ${max} (e.g. blur:${DEFAULT_BLUR_STRENGTH})`,
    );
  }
  const { width, height } = size;
  const sigma = strength * Math.min(width, height) / 720;
  let factor = 8;
  while (factor > 2 && factor > sigma / 1.5) factor /= 2;
  const lowWidth = Math.ceil(width / factor);
  const lowHeight = Math.ceil(height / factor);
  return { sigma, factor, lowWidth, lowHeight, radii: boxRadii(sigma / factor) };
}

/**
 * A mask-aware blur of the camera frame, as a {@linkcode Background}: the person does not bleed
 * into the blurred background (see the module documentation for the method and its cost). It
 * reads a camera frame of any layout and draws in the layout it was opened for.
 *
 * @example
 * ```ts
 * import { MaskAwareBlur } from "./blur.ts";
 * import { makeFrame } from "../frame/frame.ts";
 * const size = { width: 64, height: 48 };
 * const blur = new MaskAwareBlur({ size, layout: "444", strength: 12 });
 * const frame = makeFrame(size, "444");
 * const background = blur.render({ frame, mask: new Uint8Array(64 * 48), timeMs: 0 });
 * console.log(blur.description, background.layout, background.u.length); // "blur 12 (mask-aware)" 444 3072
 * ```
 */
export class MaskAwareBlur implements Background {
  /** `blur N (mask-aware)`. */
  readonly description: string;
  /** Always false. */
  readonly passthrough = false;
  /** Always false: every frame is blurred anew. */
  readonly still = false;
  /** The strength, 1 … 100. */
  readonly strength: number;
  /** How the blur is computed. */
  readonly plan: BlurPlan;
  /** The layout it draws in. */
  readonly layout: WorkingLayout;
  readonly #width: number;
  readonly #height: number;
  /** The background, overwritten by every `render()`. */
  readonly #out: Frame;
  /** Y, Cb, Cr of `#out` as word planes. */
  readonly #planes: readonly WordPlane[];
  /** Words per luma row (4 pixels each). */
  readonly #lumaStride: number;
  /** Words per chroma row (4 chroma samples each). */
  readonly #chromaStride: number;
  // Reduced grid, 4 interleaved channels (Cb·w, Y·w, Cr·w, w); ping-pong between a and b.
  readonly #a: Float32Array;
  readonly #b: Float32Array;
  readonly #sums: Float64Array;
  /** Reduced colours: Cb | Cr << 16, and Y. */
  readonly #lowPair: Int32Array;
  readonly #lowMid: Int32Array;
  // Sample columns/rows of each reduced pixel (two each: 2x2 samples per block).
  readonly #sampleX: Int32Array;
  readonly #sampleY: Int32Array;
  /** Runs of output columns between the same two reduced columns ({@linkcode runTable}). */
  readonly #columns: Int32Array;
  /** The same for chroma columns: `#columns` in 4:4:4, centred on each pixel pair in 4:2:2. */
  readonly #chromaColumns: Int32Array;
  // Bilinear table: per output row the two reduced rows and the second's weight.
  readonly #rowA: Int32Array;
  readonly #rowB: Int32Array;
  readonly #rowW: Int32Array;
  /**
   * Two horizontally upsampled reduced rows (slot = reduced row & 1) as output-row words split
   * into bytes 0 and 2 (`#even`) and bytes 1 and 3 (`#odd`), so one multiply does two bytes:
   * the Y words, then the Cb words, then the Cr words.
   */
  readonly #even: [Int32Array, Int32Array];
  readonly #odd: [Int32Array, Int32Array];
  readonly #rowOf = new Int32Array(2);
  /** One horizontally upsampled reduced row, as words and as bytes (Y, then Cb, then Cr). */
  readonly #line: Int32Array;
  readonly #lineBytes: Uint8Array;
  readonly #kernels: Kernels = Kernels.shared();

  /**
   * Makes every buffer for one output size and layout.
   *
   * @param options The output size and layout, and the strength (default
   *   {@linkcode DEFAULT_BLUR_STRENGTH}).
   * @throws {BackgroundError} When the strength is not a number from 1 to 100.
   * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
   */
  constructor(options: BackgroundOptions & { strength?: number }) {
    const { size, layout } = options;
    const { width, height } = size;
    this.strength = options.strength ?? DEFAULT_BLUR_STRENGTH;
    this.plan = blurPlan(this.strength, size);
    this.description = `blur ${this.strength} (mask-aware)`;
    this.layout = layout;
    this.#width = width;
    this.#height = height;
    // Read by the kernels every frame: drawn in their memory, given back on close.
    this.#out = makeFrame(size, layout, this.#kernels.planes);
    const { factor, lowWidth, lowHeight } = this.plan;
    this.#a = new Float32Array(lowWidth * lowHeight * 4);
    this.#b = new Float32Array(lowWidth * lowHeight * 4);
    this.#sums = new Float64Array(lowWidth * 4);
    this.#lowPair = new Int32Array(lowWidth * lowHeight);
    this.#lowMid = new Int32Array(lowWidth * lowHeight);
    this.#sampleX = samples(lowWidth, factor, width);
    this.#sampleY = samples(lowHeight, factor, height);
    // 4 luma pixels, or 4 chroma samples (8 pixels in 4:2:2), per word.
    const lumaStride = this.#lumaStride = Math.ceil(width / 4);
    const chromaStride = this.#chromaStride = layout === "444" ? lumaStride : Math.ceil(width / 8);
    this.#columns = runTable(lerpTable(lumaStride * 4, { lowSize: lowWidth, factor }));
    // A 4:2:2 chroma sample's centre is between its two pixels: half the factor on its grid.
    this.#chromaColumns = layout === "444"
      ? this.#columns
      : runTable(lerpTable(chromaStride * 4, { lowSize: lowWidth, factor: factor / 2 }));
    [this.#rowA, this.#rowB, this.#rowW] = lerpTable(height, { lowSize: lowHeight, factor });
    const words = lumaStride + 2 * chromaStride;
    // In the kernels' memory too: the vertical upsampling runs there.
    const arena = this.#kernels.arena;
    this.#even = [arena.int32(words), arena.int32(words)];
    this.#odd = [arena.int32(words), arena.int32(words)];
    this.#line = new Int32Array(words);
    this.#lineBytes = new Uint8Array(this.#line.buffer);
    const part = (from: number, length: number): Pick<WordPlane, "even" | "odd"> => {
      const [e0, e1] = this.#even, [o0, o1] = this.#odd;
      const end = from + length;
      return {
        even: [e0.subarray(from, end), e1.subarray(from, end)],
        odd: [o0.subarray(from, end), o1.subarray(from, end)],
      };
    };
    const out = this.#out;
    const chromaBytes = chromaWidth(width, layout);
    this.#planes = [
      wordPlane(out.y, { rowBytes: width, stride: lumaStride, ...part(0, lumaStride) }),
      wordPlane(out.u, {
        rowBytes: chromaBytes,
        stride: chromaStride,
        ...part(lumaStride, chromaStride),
      }),
      wordPlane(out.v, {
        rowBytes: chromaBytes,
        stride: chromaStride,
        ...part(lumaStride + chromaStride, chromaStride),
      }),
    ];
  }

  /**
   * Blurs `ctx.frame` without the person (`ctx.mask`): Y is sampled from the luma plane and Cb,
   * Cr from the chroma planes at the same places (each weighted by the mask at its picture
   * pixel), then drawn in the blur's layout. Allocates nothing.
   *
   * @example
   * ```ts
   * import { MaskAwareBlur } from "./blur.ts";
   * import { makeFrame } from "../frame/frame.ts";
   * const size = { width: 64, height: 48 };
   * const blur = new MaskAwareBlur({ size, layout: "422" });
   * const out = blur.render({ frame: makeFrame(size, "422"), mask: new Uint8Array(64 * 48), timeMs: 0 });
   * console.log(out.width, out.height, out.layout, out.u.length); // 64 48 422 1536
   * ```
   *
   * @param ctx The camera frame (any layout, full range) and the mask, at output size.
   * @returns The same frame, of the output size in the blur's layout, on every call, overwritten.
   * @throws {RangeError} When the frame is not of the output size.
   */
  render(ctx: BackgroundContext): Frame {
    const { frame } = ctx;
    if (frame.width !== this.#width || frame.height !== this.#height) {
      throw new RangeError(
        `Cannot blur a ${frame.width}x${frame.height} frame: this blur is made for ${this.#width}x${this.#height}`,
      );
    }
    this.#reduce(frame, ctx.mask);
    blurReduced(this.plan, this.#a, this.#b, this.#sums, this.#lowPair, this.#lowMid);
    this.#upsample();
    return this.#out;
  }

  /** Gives the drawn frame back to the kernels' memory. Idempotent. */
  close(): Promise<void> {
    const k = this.#kernels;
    k.releaseFrame(this.#out);
    k.release(...this.#even, ...this.#odd);
    return Promise.resolve();
  }

  /**
   * Weighted 2x2 samples of each block into the reduced grid `a`, as (Cb, Y, Cr, weight) so that
   * Y is the single channel of `#lowMid`: chroma read at each sample's chroma pixel (column
   * `x >> 1` in 4:2:2 and 4:2:0, row `y >> 1` in 4:2:0).
   */
  #reduce(frame: Frame, mask: Uint8Array): void {
    const { lowWidth, lowHeight } = this.plan;
    const width = this.#width;
    const { y: luma, u, v, layout } = frame;
    const cw = chromaWidth(width, layout);
    const hs = layout === "444" ? 0 : 1;
    const vs = layout === "420" ? 1 : 0;
    const a = this.#a;
    const sx = this.#sampleX;
    const sy = this.#sampleY;
    const scale = (BACKGROUND_WEIGHT - 1) / 255;
    let o = 0;
    for (let j = 0; j < lowHeight; j++) {
      const y0 = sy[2 * j]!, y1 = sy[2 * j + 1]!;
      const r0 = y0 * width, r1 = y1 * width;
      const c0 = (y0 >> vs) * cw, c1 = (y1 >> vs) * cw;
      for (let i = 0; i < lowWidth; i++) {
        const x0 = sx[2 * i]!;
        const x1 = sx[2 * i + 1]!;
        const p0 = r0 + x0, p1 = r0 + x1, p2 = r1 + x0, p3 = r1 + x1;
        // Integers below 2^24, exact in the Float32Array.
        const w0 = (255 - mask[p0]!) * scale + 1;
        const w1 = (255 - mask[p1]!) * scale + 1;
        const w2 = (255 - mask[p2]!) * scale + 1;
        const w3 = (255 - mask[p3]!) * scale + 1;
        const h0 = x0 >> hs, h1 = x1 >> hs;
        const q0 = c0 + h0, q1 = c0 + h1, q2 = c1 + h0, q3 = c1 + h1;
        a[o] = u[q0]! * w0 + u[q1]! * w1 + u[q2]! * w2 + u[q3]! * w3;
        a[o + 1] = luma[p0]! * w0 + luma[p1]! * w1 + luma[p2]! * w2 + luma[p3]! * w3;
        a[o + 2] = v[q0]! * w0 + v[q1]! * w1 + v[q2]! * w2 + v[q3]! * w3;
        a[o + 3] = w0 + w1 + w2 + w3;
        o += 4;
      }
    }
  }

  /**
   * Reduced row `k` upsampled horizontally (Y to the output width, Cb and Cr to the chroma
   * width), as the even and odd bytes of the output rows' words, cached in slot `k & 1`.
   */
  #row(k: number): number {
    const slot = k & 1;
    if (this.#rowOf[slot] === k) return slot;
    this.#rowOf[slot] = k;
    const base = k * this.plan.lowWidth;
    const line = this.#lineBytes;
    lerpRow(this.#lowMid, base, this.#columns, line, 0, 1);
    // Cb and Cr are lanes 0 and 1 of the pairs.
    const u = this.#lumaStride * 4, v = u + this.#chromaStride * 4;
    lerpPairRow(this.#lowPair, base, this.#chromaColumns, line, u, v, 1);
    const even = this.#even[slot]!, odd = this.#odd[slot]!, all = this.#line;
    for (let i = 0; i < all.length; i++) {
      const word = all[i]!;
      even[i] = word & LANES_MASK;
      odd[i] = (word >>> 8) & LANES_MASK;
    }
    return slot;
  }

  /**
   * Bilinear upsampling into the output planes, down each column of words: between two reduced
   * rows the colour changes by the same step every output row, so each word keeps two running
   * 8.8 fixed-point accumulators (two bytes each) and adds the step: two adds per 4 bytes, one
   * 32-bit store (little-endian, as on every platform Deno runs).
   */
  #upsample(): void {
    this.#rowOf.fill(-1);
    const planes = this.#planes;
    const height = this.#height;
    const rowA = this.#rowA, rowB = this.#rowB, rowW = this.#rowW;
    const step = 256 / this.plan.factor; // weight change per output row, in 1/256ths
    for (let y = 0; y < height;) {
      // The run of rows between the same two reduced rows with evenly growing weights.
      const k = rowA[y]!;
      const k0 = rowW[y]! * 2;
      let end = y + 1;
      while (end < height && rowA[end] === k && rowW[end]! * 2 === k0 + (end - y) * step) end++;
      const top = this.#row(k), bottom = this.#row(rowB[y]!);
      for (let p = 0; p < planes.length; p++) {
        const plane = planes[p]!;
        if (plane.padded === null) {
          // In WebAssembly SIMD, to the bit (the words are the frame's, in the kernels' memory).
          this.#kernels.blurSpan(plane.words, {
            stride: plane.stride,
            base: y * plane.stride,
            te: plane.even[top]!,
            be: plane.even[bottom]!,
            to: plane.odd[top]!,
            bo: plane.odd[bottom]!,
            k0,
            step,
            rows: end - y,
          });
        } else {
          spanRows(plane, y, end - y, top, bottom, k0, step);
        }
      }
      y = end;
    }
    for (let p = 0; p < planes.length; p++) {
      const { bytes, rowBytes, padded } = planes[p]!;
      if (padded === null) continue;
      for (let y = 0; y < height; y++) bytes.set(padded[y]!, y * rowBytes);
    }
  }
}
