/**
 * Edge-aware upsampling with a joint bilateral filter (Kopf et al.'s joint bilateral
 * upsampling, as Google Meet and Volcomix/virtual-background use): each output pixel averages
 * the probability of the 4×4 nearest cells, weighted by distance (Gaussian, σ = 1 cell) and by
 * how close each cell's luma is to the pixel's own (Gaussian, σ = `sigmaLuma`). So a pixel takes
 * its probability from the cells that look like it: the person's edge follows the picture's.
 *
 * The `--upsample bilateral` choice; `guided` (the fast guided filter) is the default, chosen by
 * `deno task quality`. Quads whose 4×4 cells all map to the table's first or last entry are
 * filled without per-pixel work, as in `GuidedUpsampler`. The guide is the output frame's luma
 * plane (a `Frame`'s `y`, full range, whatever its chroma layout).
 *
 * @module
 */

import type { Grid } from "./grid.ts";
import { DEFAULT_HOLD_RANGE, holdSteps } from "./guided.ts";
import { LUT_MAX } from "./remap.ts";

/** Options for {@linkcode BilateralUpsampler}. */
export interface BilateralOptions {
  /** Range σ in luma (0 … 1); default {@linkcode DEFAULT_SIGMA_LUMA}. */
  sigmaLuma?: number;
  /** Probability (in 1/{@linkcode LUT_MAX}ths) → alpha; default: alpha = probability. */
  lut?: Uint8Array;
  /** Probability → light-wrap weight, when light-wrap weights are wanted. */
  wrapLut?: Uint8Array | null;
  /** Per-pixel temporal hold on the edge band, 0 … 1 (as `GuidedOptions.hold`). */
  hold?: number;
}

/** The default range σ: a luma difference of 0.1 (25 levels) weighs e^-0.5. */
export const DEFAULT_SIGMA_LUMA = 0.1;

const LOW = 0;
const HIGH = 1;
const MIXED = 2;

/** Per output index along one axis: the 4 nearest cells (clamped) and their spatial weights. */
function taps(size: number, lowSize: number, factor: number): [Int32Array, Float32Array] {
  const index = new Int32Array(size * 4);
  const weight = new Float32Array(size * 4);
  for (let d = 0; d < size; d++) {
    const u = (d + 0.5) / factor - 0.5;
    const base = Math.floor(u) - 1;
    for (let k = 0; k < 4; k++) {
      const c = base + k;
      index[d * 4 + k] = c < 0 ? 0 : c >= lowSize ? lowSize - 1 : c;
      weight[d * 4 + k] = Math.exp(-((u - c) ** 2) / 2);
    }
  }
  return [index, weight];
}

/** Joint bilateral upsampling of the cells' probability, guided by the frame's luma. */
export class BilateralUpsampler {
  /** The cells. */
  readonly grid: Grid;
  readonly #lut: Uint8Array;
  readonly #wrapLut: Uint8Array | null;
  readonly #hold: Int16Array | null;
  readonly #lowEnd: number;
  readonly #highStart: number;
  readonly #range: Float32Array;
  readonly #xIndex: Int32Array;
  readonly #xWeight: Float32Array;
  readonly #yIndex: Int32Array;
  readonly #yWeight: Float32Array;
  /** The cells' luma in 0 … 255 (integers, for the range table). */
  readonly #luma: Uint8Array;
  /** The cells' probability in 1/LUT_MAX ths. */
  readonly #p: Float32Array;
  readonly #kind: Uint8Array;
  readonly #quadWidth: number;
  readonly #quadStart: Int32Array;

  /**
   * @param grid the cells and the output size
   * @param options range σ and the output tables
   */
  constructor(grid: Grid, options: BilateralOptions = {}) {
    this.grid = grid;
    const { lowWidth: lw, lowHeight: lh, factor } = grid;
    this.#lut = options.lut ??
      Uint8Array.from({ length: LUT_MAX + 1 }, (_, i) => Math.round(i * 255 / LUT_MAX));
    this.#wrapLut = options.wrapLut ?? null;
    const hold = options.hold ?? 0;
    this.#hold = hold > 0 ? holdSteps(hold, DEFAULT_HOLD_RANGE) : null;
    const lut = this.#lut, wlut = this.#wrapLut;
    const same = (i: number, j: number): boolean =>
      lut[i] === lut[j] && (wlut === null || wlut[i] === wlut[j]);
    let lowEnd = 0;
    while (lowEnd < LUT_MAX && same(lowEnd + 1, 0)) lowEnd++;
    let highStart = LUT_MAX;
    while (highStart > 0 && same(highStart - 1, LUT_MAX)) highStart--;
    this.#lowEnd = lowEnd;
    this.#highStart = highStart;
    const sigma = (options.sigmaLuma ?? DEFAULT_SIGMA_LUMA) * 255;
    this.#range = Float32Array.from(
      { length: 256 },
      (_, d) => Math.exp(-(d * d) / (2 * sigma ** 2)),
    );
    [this.#xIndex, this.#xWeight] = taps(grid.width, lw, factor);
    [this.#yIndex, this.#yWeight] = taps(grid.height, lh, factor);
    this.#luma = new Uint8Array(lw * lh);
    this.#p = new Float32Array(lw * lh);
    this.#quadWidth = Math.max(1, lw - 1);
    this.#kind = new Uint8Array(this.#quadWidth * Math.max(1, lh - 1));
    this.#quadStart = new Int32Array(this.#quadWidth + 1);
    const cols = grid.cols.i0;
    for (let q = 0, x = 0; q <= this.#quadWidth; q++) {
      while (x < grid.width && cols[x]! < q) x++;
      this.#quadStart[q] = x;
    }
    this.#quadStart[this.#quadWidth] = grid.width;
  }

  /**
   * Takes the cells' luma and probability (from a `GuidedUpsampler`'s `guide` and
   * `input`, which share the grid) and marks the quads that need per-pixel work.
   *
   * @param guide mean luma per cell, 0 … 1
   * @param input probability per cell, 0 … 1
   */
  solve(guide: Float32Array, input: Float32Array): void {
    const { lowWidth: lw, lowHeight: lh } = this.grid;
    const luma = this.#luma, p = this.#p;
    for (let k = 0; k < luma.length; k++) {
      const g = guide[k]! * 255 + 0.5;
      luma[k] = g < 0 ? 0 : g > 255 ? 255 : g;
      p[k] = input[k]! * LUT_MAX;
    }
    // A quad's pixels average its 4×4 neighbourhood of cells: certain when all of them are.
    const qw = this.#quadWidth, qh = Math.max(1, lh - 1);
    const lowEnd = this.#lowEnd, highStart = this.#highStart;
    for (let j = 0; j < qh; j++) {
      for (let i = 0; i < qw; i++) {
        let lo = Infinity, hi = -Infinity;
        for (let v = j - 1; v <= j + 2; v++) {
          const row = (v < 0 ? 0 : v >= lh ? lh - 1 : v) * lw;
          for (let u = i - 1; u <= i + 2; u++) {
            const x = p[row + (u < 0 ? 0 : u >= lw ? lw - 1 : u)]!;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        }
        this.#kind[j * qw + i] = hi < lowEnd ? LOW : lo >= highStart + 1 ? HIGH : MIXED;
      }
    }
  }

  /**
   * The output alpha (and light-wrap weights) for a frame, guided by its luma plane: each pixel
   * of a quad near the person's edge averages the probability of its 4×4 nearest cells, weighted
   * by distance and by how close each cell's luma is to the pixel's own.
   *
   * @example
   * ```ts
   * import { BilateralUpsampler } from "./bilateral.ts";
   * import { Grid } from "./grid.ts";
   * const up = new BilateralUpsampler(new Grid({ width: 8, height: 4 }, 4));
   * up.solve(new Float32Array(2).fill(0.5), new Float32Array(2).fill(1));
   * const alpha = new Uint8Array(8 * 4);
   * up.render(new Uint8Array(8 * 4).fill(128), alpha);
   * console.log(alpha[0]); // 255
   * ```
   *
   * @param y luma 0 … 255, output width × height
   * @param alpha the output alpha
   * @param wrap the light-wrap weights (needs the `wrapLut` option)
   */
  render(y: Uint8Array, alpha: Uint8Array, wrap?: Uint8Array): void {
    const { width, height, lowWidth: lw } = this.grid;
    const y0 = this.grid.rows.i0;
    const lut = this.#lut, wlut = this.#wrapLut;
    const wout = wlut !== null && wrap !== undefined ? wrap : null;
    const lowA = lut[0]!, highA = lut[LUT_MAX]!;
    const lowW = wlut ? wlut[0]! : 0, highW = wlut ? wlut[LUT_MAX]! : 0;
    const hold = this.#hold;
    const range = this.#range, luma = this.#luma, p = this.#p;
    const xi = this.#xIndex, xw = this.#xWeight, yi = this.#yIndex, yw = this.#yWeight;
    const qw = this.#quadWidth, kind = this.#kind, quadStart = this.#quadStart;
    for (let row = 0; row < height; row++) {
      const o = row * width;
      const krow = y0[row]! * qw;
      const r0 = yi[4 * row]! * lw, r1 = yi[4 * row + 1]! * lw;
      const r2 = yi[4 * row + 2]! * lw, r3 = yi[4 * row + 3]! * lw;
      const w0 = yw[4 * row]!, w1 = yw[4 * row + 1]!, w2 = yw[4 * row + 2]!;
      const w3 = yw[4 * row + 3]!;
      for (let q = 0; q < qw;) {
        const k = kind[krow + q]!;
        let e = q + 1;
        while (e < qw && kind[krow + e] === k) e++;
        const start = quadStart[q]!, end = quadStart[e]!;
        q = e;
        if (k !== MIXED) {
          alpha.fill(k === LOW ? lowA : highA, o + start, o + end);
          if (wout !== null) wout.fill(k === LOW ? lowW : highW, o + start, o + end);
          continue;
        }
        for (let x = start; x < end; x++) {
          const Y = y[o + x]!;
          let sum = 0, total = 0;
          for (let t = 0; t < 4; t++) {
            const c = xi[4 * x + t]!, wx = xw[4 * x + t]!;
            let d = Y - luma[r0 + c]!;
            let w = w0 * wx * range[d < 0 ? -d : d]!;
            sum += w * p[r0 + c]!;
            total += w;
            d = Y - luma[r1 + c]!;
            w = w1 * wx * range[d < 0 ? -d : d]!;
            sum += w * p[r1 + c]!;
            total += w;
            d = Y - luma[r2 + c]!;
            w = w2 * wx * range[d < 0 ? -d : d]!;
            sum += w * p[r2 + c]!;
            total += w;
            d = Y - luma[r3 + c]!;
            w = w3 * wx * range[d < 0 ? -d : d]!;
            sum += w * p[r3 + c]!;
            total += w;
          }
          const v = total > 1e-12 ? sum / total + 0.5 : 0;
          const idx = v <= 0 ? 0 : v >= LUT_MAX ? LUT_MAX : v | 0;
          if (hold === null) {
            alpha[o + x] = lut[idx]!;
          } else {
            const prev = alpha[o + x]!;
            alpha[o + x] = prev + hold[lut[idx]! - prev + 255]!;
          }
          if (wout !== null) wout[o + x] = wlut![idx]!;
        }
      }
    }
  }
}
