/**
 * The RGB compositor the pipeline used before it worked in YCbCr, kept as the reference the planar
 * compositors (`src/image/composite.ts`) are tested against: the camera over the background
 * through the person alpha, in 16-bit fixed point, with light wrap and despill on the person's
 * edge, and the mirror and flip of an RGB picture.
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

/** Which key colour's spill to remove from the person's edge. */
export type Despill = "green" | "blue";

/** Options for {@linkcode composite}. */
export interface CompositeOptions {
  /** Light-wrap weight per pixel, 0 … 255 (from the mask's post-processing); none when absent. */
  wrap?: Uint8Array | null | undefined;
  /** Remove green or blue spill from the person's edge (a green or blue screen behind). */
  despill?: Despill | null | undefined;
}

/**
 * `round(x / 255)` for 0 ≤ x ≤ 65 025, without a division.
 *
 * @param x the numerator
 * @returns the rounded quotient
 */
export function div255(x: number): number {
  return ((x + 128) * 257) >>> 16;
}

/**
 * {@linkcode blend} with the edge treatments: on the person's edge (alpha below 255 or a
 * light-wrap weight) the camera pixel first loses the key colour's spill (`despill`: green
 * limited to the mean of red and blue, or blue to that of red and green), then takes the
 * background's light (`wrap`: a screen blend of the background scaled by the weight, so
 * background light spills softly onto the rim), then is blended as {@linkcode blend} does, in
 * 16-bit fixed point. Pixels inside the person without wrap are copied, background pixels too:
 * only the thin edge band costs more than a copy.
 *
 * @param fg the camera frame, RGB
 * @param bg the background, RGB, same size
 * @param alpha person alpha per pixel, 0..255
 * @param out the result, RGB (may be `fg` or `bg`)
 * @param options light wrap and despill
 * @example
 * ```ts
 * const out = new Uint8Array(3);
 * const fg = new Uint8Array([100, 200, 100]);
 * composite(fg, new Uint8Array([0, 0, 0]), new Uint8Array([128]), out, { despill: "green" });
 * // green limited to (100 + 100) / 2 first: out = [50, 50, 50]
 * ```
 */
export function composite(
  fg: Uint8Array,
  bg: Uint8Array,
  alpha: Uint8Array,
  out: Uint8Array,
  options: CompositeOptions = {},
): void {
  const wrap = options.wrap ?? null;
  const despill = options.despill ?? null;
  if (wrap === null && despill === null) {
    blend(fg, bg, alpha, out);
    return;
  }
  const n = alpha.length;
  if (
    fg.length < n * 3 || bg.length < n * 3 || out.length < n * 3 || (wrap && wrap.length < n)
  ) {
    throw new RangeError(`Cannot composite: buffers are smaller than ${n} pixels`);
  }
  const green = despill === "green";
  const blue = despill === "blue";
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const a8 = alpha[i]!;
    if (a8 === 0) {
      out[j] = bg[j]!;
      out[j + 1] = bg[j + 1]!;
      out[j + 2] = bg[j + 2]!;
      continue;
    }
    const w = wrap === null ? 0 : wrap[i]!;
    let r = fg[j]!, g = fg[j + 1]!, b = fg[j + 2]!;
    if (a8 === 255 && w === 0) {
      out[j] = r;
      out[j + 1] = g;
      out[j + 2] = b;
      continue;
    }
    if (green) {
      const limit = (r + b) >> 1;
      if (g > limit) g = limit;
    } else if (blue) {
      const limit = (r + g) >> 1;
      if (b > limit) b = limit;
    }
    const br = bg[j]!, bgG = bg[j + 1]!, bb = bg[j + 2]!;
    if (w !== 0) {
      r += div255((255 - r) * div255(br * w));
      g += div255((255 - g) * div255(bgG * w));
      b += div255((255 - b) * div255(bb * w));
    }
    if (a8 === 255) {
      out[j] = r;
      out[j + 1] = g;
      out[j + 2] = b;
    } else {
      const a = a8 * 257 + (a8 >> 7);
      const c = 65536 - a;
      out[j] = (r * a + br * c + 32768) >>> 16;
      out[j + 1] = (g * a + bgG * c + 32768) >>> 16;
      out[j + 2] = (b * a + bb * c + 32768) >>> 16;
    }
  }
}

/**
 * Mirrors an RGB picture left-right in place.
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
 * Flips an RGB picture upside down in place.
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
  const row = scratch.subarray(0, stride);
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    const a = rgb.subarray(top * stride, (top + 1) * stride);
    const b = rgb.subarray(bottom * stride, (bottom + 1) * stride);
    row.set(a);
    a.set(b);
    b.set(row);
  }
}
