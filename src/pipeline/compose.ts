/**
 * Compositing: the camera frame over the background through the person alpha, in 16-bit fixed
 * point, and the mirror/flip of the result.
 *
 * @module
 */

/**
 * Blends `fg` over `bg`: out = fg·a + bg·(1 − a), a = alpha / 255, correctly rounded.
 *
 * @param fg the camera frame, RGB
 * @param bg the background, RGB, same size
 * @param alpha person alpha per pixel, 0..255
 * @param out the result, RGB (may be `fg` or `bg`)
 * @example
 * ```ts
 * const out = new Uint8Array(3);
 * blend(new Uint8Array([255, 0, 0]), new Uint8Array([0, 0, 255]), new Uint8Array([128]), out);
 * // out = [128, 0, 127]
 * ```
 */
export function blend(fg: Uint8Array, bg: Uint8Array, alpha: Uint8Array, out: Uint8Array): void {
  const n = alpha.length;
  if (fg.length < n * 3 || bg.length < n * 3 || out.length < n * 3) {
    throw new RangeError(`Cannot blend: buffers are smaller than ${n} RGB pixels`);
  }
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const a8 = alpha[i]!;
    if (a8 === 0) {
      out[j] = bg[j]!;
      out[j + 1] = bg[j + 1]!;
      out[j + 2] = bg[j + 2]!;
    } else if (a8 === 255) {
      out[j] = fg[j]!;
      out[j + 1] = fg[j + 1]!;
      out[j + 2] = fg[j + 2]!;
    } else {
      const a = a8 * 257 + (a8 >> 7); // 0..65536
      const b = 65536 - a;
      out[j] = (fg[j]! * a + bg[j]! * b + 32768) >>> 16;
      out[j + 1] = (fg[j + 1]! * a + bg[j + 1]! * b + 32768) >>> 16;
      out[j + 2] = (fg[j + 2]! * a + bg[j + 2]! * b + 32768) >>> 16;
    }
  }
}

/**
 * Mirrors an RGB picture left-right in place (`-H`, `--mirror`).
 *
 * @param rgb the picture
 * @param width its width
 * @param height its height
 */
export function flipHorizontal(rgb: Uint8Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    let l = y * width * 3;
    let r = l + (width - 1) * 3;
    while (l < r) {
      for (let c = 0; c < 3; c++) {
        const t = rgb[l + c]!;
        rgb[l + c] = rgb[r + c]!;
        rgb[r + c] = t;
      }
      l += 3;
      r -= 3;
    }
  }
}

/**
 * Flips an RGB picture upside down in place (`-V`).
 *
 * @param rgb the picture
 * @param width its width
 * @param height its height
 * @param scratch one row (width × 3 bytes), made once by the caller
 */
export function flipVertical(
  rgb: Uint8Array,
  width: number,
  height: number,
  scratch: Uint8Array,
): void {
  const stride = width * 3;
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    const a = rgb.subarray(top * stride, (top + 1) * stride);
    const b = rgb.subarray(bottom * stride, (bottom + 1) * stride);
    scratch.set(a);
    a.set(b);
    b.set(scratch);
  }
}
