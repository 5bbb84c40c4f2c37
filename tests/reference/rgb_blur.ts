/**
 * The mask-aware blur's RGB path as it was before frames became planar YCbCr (issue 12), kept
 * as a test oracle only: `src/background/blur.ts` now draws in YCbCr (4:4:4 or 4:2:2), and its
 * tests compare the 4:4:4 output, converted to RGB, with this one within a measured tolerance.
 * The pixel path is the old `MaskAwareBlur.render()` unchanged: the RGB parts (reduce, the
 * horizontal upsampling of a row, the upsampling loop) are below; the plan (σ, factor, radii)
 * comes from `blur.ts`, and the kernels the YCbCr path draws with as well (box blurs, normalize,
 * bilinear tables, fixed-point spans) from `src/background/_blur_kernels.ts`. The RGB digests in
 * `rgb_blur_test.ts` pin that these still draw the old bytes.
 *
 * @module
 */

import { type BlurPlan, blurPlan, DEFAULT_BLUR_STRENGTH } from "../../src/background/blur.ts";
import * as kernels from "../../src/background/_blur_kernels.ts";

/**
 * The old RGB mask-aware blur (interleaved RGB in, interleaved RGB out).
 *
 * @example
 * ```ts
 * import { RgbMaskAwareBlur } from "./rgb_blur.ts";
 * const blur = new RgbMaskAwareBlur({ width: 64, height: 48, strength: 12 });
 * const out = blur.render(new Uint8Array(64 * 48 * 3), new Uint8Array(64 * 48));
 * console.log(out.length); // 9216
 * ```
 */
export class RgbMaskAwareBlur {
  /** How the blur is computed. */
  readonly plan: BlurPlan;
  readonly #width: number;
  readonly #height: number;
  readonly #rgb: readonly kernels.WordPlane[];
  readonly #a: Float32Array;
  readonly #b: Float32Array;
  readonly #sums: Float64Array;
  readonly #lowPair: Int32Array;
  readonly #lowMid: Int32Array;
  readonly #sampleX: Int32Array;
  readonly #sampleY: Int32Array;
  readonly #columns: Int32Array;
  readonly #rowA: Int32Array;
  readonly #rowB: Int32Array;
  readonly #rowW: Int32Array;
  readonly #even: [Int32Array, Int32Array];
  readonly #odd: [Int32Array, Int32Array];
  readonly #rowOf = new Int32Array(2);
  readonly #line: Int32Array;
  readonly #lineBytes: Uint8Array;

  /**
   * Makes every buffer for one output size.
   *
   * @param options The output size and the strength (default 12).
   */
  constructor(options: { width: number; height: number; strength?: number }) {
    const { width, height } = options;
    this.plan = blurPlan(options.strength ?? DEFAULT_BLUR_STRENGTH, { width, height });
    this.#width = width;
    this.#height = height;
    const { factor, lowWidth, lowHeight } = this.plan;
    this.#a = new Float32Array(lowWidth * lowHeight * 4);
    this.#b = new Float32Array(lowWidth * lowHeight * 4);
    this.#sums = new Float64Array(lowWidth * 4);
    this.#lowPair = new Int32Array(lowWidth * lowHeight);
    this.#lowMid = new Int32Array(lowWidth * lowHeight);
    this.#sampleX = kernels.samples(lowWidth, factor, width);
    this.#sampleY = kernels.samples(lowHeight, factor, height);
    // RGB rows are built 4 pixels (3 words) at a time.
    const groups = Math.ceil(width / 4);
    this.#columns = kernels.runTable(kernels.lerpTable(groups * 4, { lowSize: lowWidth, factor }));
    [this.#rowA, this.#rowB, this.#rowW] = kernels.lerpTable(height, {
      lowSize: lowHeight,
      factor,
    });
    this.#even = [new Int32Array(groups * 3), new Int32Array(groups * 3)];
    this.#odd = [new Int32Array(groups * 3), new Int32Array(groups * 3)];
    this.#line = new Int32Array(groups * 3);
    this.#lineBytes = new Uint8Array(this.#line.buffer);
    this.#rgb = [
      kernels.wordPlane(new Uint8Array(width * height * 3), {
        rowBytes: width * 3,
        stride: groups * 3,
        even: this.#even,
        odd: this.#odd,
      }),
    ];
  }

  /**
   * Blurs `frame` (RGB) without the person (`mask`).
   *
   * @param frame Interleaved RGB, width × height × 3 bytes.
   * @param mask The person alpha, 0 … 255.
   * @returns The same buffer on every call, overwritten.
   */
  render(frame: Uint8Array, mask: Uint8Array): Uint8Array {
    this.#reduce(frame, mask);
    kernels.blurReduced(this.plan, this.#a, this.#b, this.#sums, this.#lowPair, this.#lowMid);
    this.#upsample(this.#rgb);
    return this.#rgb[0]!.bytes;
  }

  /** Weighted 2x2 samples of each block into the reduced grid `a` (R, G, B, weight). */
  #reduce(frame: Uint8Array, mask: Uint8Array): void {
    const { lowWidth, lowHeight } = this.plan;
    const width = this.#width;
    const a = this.#a;
    const sx = this.#sampleX;
    const sy = this.#sampleY;
    const scale = (kernels.BACKGROUND_WEIGHT - 1) / 255;
    let o = 0;
    for (let j = 0; j < lowHeight; j++) {
      const r0 = sy[2 * j]! * width;
      const r1 = sy[2 * j + 1]! * width;
      for (let i = 0; i < lowWidth; i++) {
        const x0 = sx[2 * i]!;
        const x1 = sx[2 * i + 1]!;
        const p0 = r0 + x0, p1 = r0 + x1, p2 = r1 + x0, p3 = r1 + x1;
        // Integers below 2^24, exact in the Float32Array.
        const w0 = (255 - mask[p0]!) * scale + 1;
        const w1 = (255 - mask[p1]!) * scale + 1;
        const w2 = (255 - mask[p2]!) * scale + 1;
        const w3 = (255 - mask[p3]!) * scale + 1;
        const q0 = p0 * 3, q1 = p1 * 3, q2 = p2 * 3, q3 = p3 * 3;
        a[o] = frame[q0]! * w0 + frame[q1]! * w1 + frame[q2]! * w2 + frame[q3]! * w3;
        a[o + 1] = frame[q0 + 1]! * w0 + frame[q1 + 1]! * w1 + frame[q2 + 1]! * w2 +
          frame[q3 + 1]! * w3;
        a[o + 2] = frame[q0 + 2]! * w0 + frame[q1 + 2]! * w1 + frame[q2 + 2]! * w2 +
          frame[q3 + 2]! * w3;
        a[o + 3] = w0 + w1 + w2 + w3;
        o += 4;
      }
    }
  }

  /** Reduced row `k` upsampled horizontally (RGB), cached in slot `k & 1`. */
  #row(k: number): number {
    const slot = k & 1;
    if (this.#rowOf[slot] === k) return slot;
    this.#rowOf[slot] = k;
    const base = k * this.plan.lowWidth;
    const line = this.#lineBytes;
    const words = this.#line.length;
    // Red and blue are lanes 0 and 1 of the pairs; pixel x is bytes 3x … 3x + 2.
    kernels.lerpPairRow(this.#lowPair, base, this.#columns, line, 0, 2, 3);
    kernels.lerpRow(this.#lowMid, base, this.#columns, line, 1, 3);
    const even = this.#even[slot]!, odd = this.#odd[slot]!, all = this.#line;
    for (let i = 0; i < words; i++) {
      const word = all[i]!;
      even[i] = word & kernels.LANES_MASK;
      odd[i] = (word >>> 8) & kernels.LANES_MASK;
    }
    return slot;
  }

  /**
   * Bilinear upsampling into the output planes, down each column of words: between two reduced
   * rows the colour changes by the same step every output row, so each word keeps two running
   * 8.8 fixed-point accumulators (two bytes each) and adds the step: two adds per 4 bytes, one
   * 32-bit store (little-endian, as on every platform Deno runs).
   */
  #upsample(planes: readonly kernels.WordPlane[]): void {
    this.#rowOf.fill(-1);
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
        kernels.spanRows(planes[p]!, y, end - y, top, bottom, k0, step);
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
