/**
 * The last, per-pixel step of the mask: a table from the refined probability (in
 * 1/{@linkcode LUT_MAX}ths) to the 8-bit alpha — edge tightening (a smoothstep over a tunable
 * range) and, only if asked, a hard threshold applied last — and a second table to the light-wrap
 * weight. Tables are made once; a pixel costs one look-up each.
 *
 * @module
 */

/** Probabilities are looked up in steps of 1 / LUT_MAX (10 bits: finer than the 8-bit alpha). */
export const LUT_MAX = 1023;

/** The default edge-tightening range: probability 0.25 → alpha 0, 0.75 → alpha 1. */
export const DEFAULT_TIGHTEN: readonly [number, number] = [0.25, 0.75];

/** Options for {@linkcode alphaLut}. */
export interface AlphaLutOptions {
  /** Smoothstep range `[lo, hi]` (0 ≤ lo < hi ≤ 1); `[0, 1]` or absent: alpha = probability. */
  tighten?: readonly [number, number] | null | undefined;
  /** A hard cut of the (tightened) alpha at this value (0 … 1), applied last. */
  threshold?: number | null | undefined;
}

/**
 * `smoothstep(lo, hi, v)`: 0 below `lo`, 1 above `hi`, a smooth S-curve between (zero slope at
 * both ends, so tightening adds no visible corner).
 *
 * @example
 * ```ts
 * import { smoothstep } from "./remap.ts";
 * smoothstep(0.25, 0.75, 0.5); // 0.5
 * ```
 *
 * @param lo where the curve leaves 0
 * @param hi where it reaches 1
 * @param v the value
 * @returns 0 … 1
 */
export function smoothstep(lo: number, hi: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

/**
 * The probability → alpha table: tightening, then the threshold.
 *
 * @example
 * ```ts
 * import { alphaLut, LUT_MAX } from "./remap.ts";
 * const lut = alphaLut({ tighten: [0.25, 0.75] });
 * console.log(lut[0], lut[LUT_MAX >> 1], lut[LUT_MAX]); // 0 127 255
 * ```
 *
 * @param options the tightening range and threshold
 * @returns `LUT_MAX + 1` alpha values
 */
export function alphaLut(options: AlphaLutOptions = {}): Uint8Array {
  const lut = new Uint8Array(LUT_MAX + 1);
  const [lo, hi] = options.tighten ?? [0, 1];
  const threshold = options.threshold ?? null;
  for (let i = 0; i <= LUT_MAX; i++) {
    const v = i / LUT_MAX;
    let a = lo === 0 && hi === 1 ? v : smoothstep(lo, hi, v);
    if (threshold !== null) a = a >= threshold ? 1 : 0;
    lut[i] = Math.round(a * 255);
  }
  return lut;
}

/** Probability from which the light wrap is gone: the person's interior takes none. */
export const WRAP_END = 0.98;

/**
 * The probability → light-wrap weight table (after Volcomix's light wrapping): full `strength`
 * up to the top of the tightening range, fading linearly to 0 at {@linkcode WRAP_END}. So the
 * wrap covers the soft edge and the outer rim of the person that tightening made opaque, and
 * the interior is untouched.
 *
 * @example
 * ```ts
 * import { LUT_MAX, wrapLut } from "./remap.ts";
 * const lut = wrapLut(0.5, 0.75);
 * console.log(lut[0], lut[LUT_MAX]); // 128 0
 * ```
 *
 * @param strength 0 … 1 (0: no wrap)
 * @param hi where the wrap starts to fade (the tightening range's top; at most 0.9)
 * @returns `LUT_MAX + 1` weights, 0 … 255
 */
export function wrapLut(strength: number, hi: number): Uint8Array {
  const lut = new Uint8Array(LUT_MAX + 1);
  const start = Math.min(hi, 0.9);
  for (let i = 0; i <= LUT_MAX; i++) {
    const v = i / LUT_MAX;
    const fade = v <= start ? 1 : v >= WRAP_END ? 0 : 1 - (v - start) / (WRAP_END - start);
    lut[i] = Math.round(strength * fade * 255);
  }
  return lut;
}
