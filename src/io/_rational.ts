/**
 * Frame rates as the integer ratios y4m headers and ffmpeg's `-r` take.
 *
 * @module
 */

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Turns a frame rate into a reduced `num / den` ratio: integers stay integers, NTSC-style rates
 * (29.97, 59.94, 23.976) become `n / 1001`, anything else is rounded to thousandths.
 *
 * @example
 * ```ts
 * import { fpsToRatio } from "./_rational.ts";
 * fpsToRatio(30); // { num: 30, den: 1 }
 * fpsToRatio(29.97); // { num: 30000, den: 1001 }
 * fpsToRatio(12.5); // { num: 25, den: 2 }
 * ```
 *
 * @param fps Frames per second, positive and finite.
 * @returns The ratio.
 * @throws {RangeError} When `fps` is not a positive finite number.
 */
export function fpsToRatio(fps: number): { num: number; den: number } {
  if (!Number.isFinite(fps) || fps <= 0) {
    throw new RangeError(`Cannot use frame rate ${fps}: it must be a positive number`);
  }
  if (Number.isInteger(fps)) return { num: fps, den: 1 };
  const ntsc = fps * 1.001;
  if (Math.abs(ntsc - Math.round(ntsc)) < 0.005) return { num: Math.round(ntsc) * 1000, den: 1001 };
  const num = Math.round(fps * 1000);
  const divisor = gcd(num, 1000);
  return { num: num / divisor, den: 1000 / divisor };
}

/**
 * Parses a ratio such as ffprobe's `"30000/1001"` or y4m's `"30000:1001"`.
 *
 * @example
 * ```ts
 * import { parseRatio } from "./_rational.ts";
 * parseRatio("30000/1001"); // { num: 30000, den: 1001 }
 * parseRatio("0/0"); // undefined
 * ```
 *
 * @param text Two non-negative integers separated by `/` or `:`.
 * @returns The ratio, or undefined when it is malformed or has a zero part.
 */
export function parseRatio(text: string): { num: number; den: number } | undefined {
  const match = /^(\d+)[/:](\d+)$/.exec(text);
  if (match === null) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}
