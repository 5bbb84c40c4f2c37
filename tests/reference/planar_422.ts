/**
 * The 4:2:2 / 4:2:0 conversions of `src/image/planar.ts` before frames had a layout
 * (`rgbToPlanar`, `planarToRgb` on a frame with a `chromaShift`), kept as the reference the
 * `"422"` and `"420"` paths of `rgbToFrame` and `frameToRgb` must still equal byte for byte.
 *
 * @module
 */

/** Planes as the old `YuvFrame` held them. */
export interface OldPlanes {
  /** Width (even). */
  width: number;
  /** Height. */
  height: number;
  /** Luma. */
  y: Uint8Array;
  /** Cb, half width. */
  u: Uint8Array;
  /** Cr, half width. */
  v: Uint8Array;
  /** 0: 4:2:2, 1: 4:2:0. */
  chromaShift: 0 | 1;
}

function clamp8(x: number): number {
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
}

/**
 * RGB → full-range 4:2:2 (pair means), as `rgbToPlanar` did.
 *
 * @param rgb interleaved RGB
 * @param frame the destination planes (set to 4:2:2)
 */
export function rgbToPlanar(rgb: Uint8Array, frame: OldPlanes): void {
  const { y, u, v } = frame;
  const n = frame.width * frame.height;
  for (let i = 0, j = 0, c = 0; i < n; i += 2, j += 6, c++) {
    const r0 = rgb[j]!, g0 = rgb[j + 1]!, b0 = rgb[j + 2]!;
    const r1 = rgb[j + 3]!, g1 = rgb[j + 4]!, b1 = rgb[j + 5]!;
    y[i] = (19595 * r0 + 38470 * g0 + 7471 * b0 + 32768) >> 16;
    y[i + 1] = (19595 * r1 + 38470 * g1 + 7471 * b1 + 32768) >> 16;
    const r = r0 + r1, g = g0 + g1, b = b0 + b1;
    const cb = (-11059 * r - 21709 * g + 32768 * b + (256 << 16) + 65536) >> 17;
    const cr = (32768 * r - 27439 * g - 5329 * b + (256 << 16) + 65536) >> 17;
    u[c] = cb > 255 ? 255 : cb;
    v[c] = cr > 255 ? 255 : cr;
  }
  frame.chromaShift = 0;
}

/**
 * Full-range 4:2:2 or 4:2:0 → RGB (chroma repeated), as `planarToRgb` did.
 *
 * @param frame the planes
 * @param rgb interleaved RGB out
 */
export function planarToRgb(frame: OldPlanes, rgb: Uint8Array): void {
  const { width, height, y, u, v, chromaShift } = frame;
  const cw = width >> 1;
  for (let row = 0; row < height; row++) {
    const crow = (row >> chromaShift) * cw;
    let o = row * width * 3;
    for (let x = 0; x < width; x++) {
      const l = y[row * width + x]!;
      const cb = u[crow + (x >> 1)]! - 128;
      const cr = v[crow + (x >> 1)]! - 128;
      rgb[o++] = clamp8(l + 1.402 * cr);
      rgb[o++] = clamp8(l - 0.344136 * cb - 0.714136 * cr);
      rgb[o++] = clamp8(l + 1.772 * cb);
    }
  }
}
