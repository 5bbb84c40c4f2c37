/**
 * Temporal smoothing of the probability map that does not lag: an exponential moving average
 * whose weight is chosen per pixel and per frame.
 *
 * - A **confident** pixel (new probability near 0 or 1) takes the new value at once.
 * - A **large change** (motion: the person moved, a hand came in) is taken at once.
 * - An **uncertain** pixel with a small change (the border flickering with sensor noise) moves
 *   only part of the way: `state += w·(p − state)` with `w = 1 − strength`.
 *
 * Between those, the weight rises smoothly (linear ramps), so there is no visible switch. It runs
 * on the model's map (e.g. 256×144) once per model run — a few hundredths of a millisecond.
 * With the kernels (`src/kernels/`) the per-pixel step runs in WebAssembly, to the bit.
 *
 * @module
 */

import { type Kernels, PLAIN } from "../kernels/mod.ts";
import type { MaskEngine } from "./box.ts";

/** Options for {@linkcode TemporalFilter}. */
export interface TemporalOptions {
  /** 0 … 1: how strongly uncertain pixels are smoothed (0: off; default {@linkcode DEFAULT_SMOOTHING}). */
  strength?: number;
  /** A change of probability below `motion[0]` is noise, above `motion[1]` is motion. */
  motion?: readonly [number, number];
  /** Confidence `|2p − 1|` from which a pixel starts to follow at once (full at 1). */
  confident?: number;
}

/** The default smoothing strength: an uncertain pixel moves 20 % of the way per frame. */
export const DEFAULT_SMOOTHING = 0.8;
/** The default noise / motion limits of a change of probability. */
export const DEFAULT_MOTION: readonly [number, number] = [0.2, 0.5];
/** The default confidence where following at once starts. */
export const DEFAULT_CONFIDENT = 0.8;

/** The adaptive temporal filter over one map size. */
export class TemporalFilter {
  /** The filtered map. */
  readonly state: Float32Array;
  readonly #minWeight: number;
  readonly #m0: number;
  readonly #mScale: number;
  readonly #c0: number;
  readonly #cScale: number;
  readonly #kernels: Kernels | null;
  #primed = false;

  /**
   * @param size pixels in the map
   * @param options strength and limits
   * @param engine the kernels to run on (default: none, TypeScript)
   * @example
   * ```ts
   * import { TemporalFilter } from "./temporal.ts";
   * const t = new TemporalFilter(1, { strength: 0.5 });
   * t.update(new Float32Array([0.5]));
   * t.update(new Float32Array([0.55])); // uncertain, small change: half-way
   * console.log(t.state[0]); // ≈ 0.525
   * ```
   */
  constructor(size: number, options: TemporalOptions = {}, engine: MaskEngine = {}) {
    const strength = options.strength ?? DEFAULT_SMOOTHING;
    if (!(strength >= 0 && strength < 1)) {
      throw new RangeError(`Cannot smooth with strength ${strength}: use 0 … 1 (not 1)`);
    }
    const [m0, m1] = options.motion ?? DEFAULT_MOTION;
    const c0 = options.confident ?? DEFAULT_CONFIDENT;
    this.#kernels = engine.kernels ?? null;
    this.state = (this.#kernels?.arena ?? PLAIN).float32(size);
    this.#minWeight = 1 - strength;
    this.#m0 = m0;
    this.#mScale = 1 / Math.max(1e-6, m1 - m0);
    this.#c0 = c0;
    this.#cScale = 1 / Math.max(1e-6, 1 - c0);
  }

  /** Gives the state back to the kernels' memory; the filter is not to be used afterwards. */
  release(): void {
    this.#kernels?.release(this.state);
  }

  /** Forgets the past: the next map is taken as it is. */
  reset(): void {
    this.#primed = false;
  }

  /**
   * Takes a new map into {@linkcode state}.
   *
   * @param p the new probabilities (same size)
   */
  update(p: Float32Array): void {
    const s = this.state;
    const n = s.length;
    if (!this.#primed || this.#minWeight >= 1) {
      s.set(p.subarray(0, n));
      this.#primed = true;
      return;
    }
    const wMin = this.#minWeight;
    const m0 = this.#m0, mScale = this.#mScale, c0 = this.#c0, cScale = this.#cScale;
    if (this.#kernels !== null) {
      this.#kernels.temporalUpdate(s, p, { wMin, m0, mScale, c0, cScale });
      return;
    }
    const wSpan = 1 - wMin;
    for (let k = 0; k < n; k++) {
      const v = p[k]!;
      const old = s[k]!;
      const d = v - old;
      let motion = ((d < 0 ? -d : d) - m0) * mScale;
      const c = v + v - 1;
      const confidence = ((c < 0 ? -c : c) - c0) * cScale;
      if (confidence > motion) motion = confidence;
      const w = motion <= 0 ? wMin : motion >= 1 ? 1 : wMin + wSpan * motion;
      s[k] = old + w * d;
    }
  }
}
