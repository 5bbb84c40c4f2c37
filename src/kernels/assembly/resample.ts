// Bilinear crop-and-scale of one 8-bit plane in WebAssembly: `resamplePlane` of
// `src/frame/region.ts`, to the byte. That one blends each output pixel horizontally, then the two
// rows vertically, in 8.8 fixed point with one rounding at the end; as every step is an exact
// integer product, blending vertically first (a whole source row span at a time, 8 bytes per SIMD
// step) and then horizontally gives the same sums, so the same bytes.

/**
 * Crops and scales the plane `src` (`srcWidth` bytes a row) into `out` (`width` × `height`)
 * through the tables of a `RegionMap`: per output column the source columns `x0`, `x1` (i32, `x1`
 * is `x0` or `x0 + 1`) and the weight `fx` (u16, /256); per output row `y0`, `y1`, `fy`. `row` is
 * scratch for one blended source row (`srcWidth + 8` u16 words) and `cols` for the column tables
 * (`resampleScratch(width)` bytes).
 *
 * Horizontally, 8 output pixels are made per SIMD step where their source columns lie within 8
 * of each other (any enlargement, e.g. auto-framing's zoom): one load of 8 blended values, two
 * swizzles pick each pixel's pair. Elsewhere (a reduction) a pixel at a time.
 */
export function resamplePlane(
  src: usize, srcWidth: i32, out: usize, width: i32, height: i32,
  x0: usize, x1: usize, fx: usize, y0: usize, y1: usize, fy: usize, row: usize, cols: usize,
): void {
  // The source columns the output reads (the tables rise with the column).
  const lo = load<i32>(x0), hi = load<i32>(x1 + (<usize>(width - 1) << 2)) + 1;
  // Per pixel: x0 << 8 | weight; where both columns are the same one the weight does not
  // matter: it is made 0, so that every pixel reads the pair (a, a + 1).
  for (let x = 0; x < width; x++) {
    const a = load<i32>(x0 + (<usize>x << 2)), b = load<i32>(x1 + (<usize>x << 2));
    const wx = b === a ? 0 : <i32>load<u16>(fx + (<usize>x << 1));
    store<i32>(cols + (<usize>x << 2), (a << 8) | wx);
  }
  // Per group of 8 pixels: 64 bytes: the swizzles of the left and right values (16 bytes each),
  // the weights (8 × u16), the first column (i32; −1: the columns are too far apart).
  const groups = width >> 3;
  const g0 = cols + (<usize>width << 2);
  for (let g = 0; g < groups; g++) {
    const rec = g0 + (<usize>g << 6);
    const base = load<i32>(cols + (<usize>(g << 3) << 2)) >> 8;
    const last = load<i32>(cols + (<usize>((g << 3) + 7) << 2)) >> 8;
    store<i32>(rec, last + 1 - base <= 7 ? base : -1, 48);
    for (let k = 0; k < 8; k++) {
      const p = load<i32>(cols + (<usize>((g << 3) + k) << 2));
      const d = (p >> 8) - base;
      store<u8>(rec + <usize>(2 * k), <u8>(2 * d));
      store<u8>(rec + <usize>(2 * k + 1), <u8>(2 * d + 1));
      store<u8>(rec + <usize>(16 + 2 * k), <u8>(2 * d + 2));
      store<u8>(rec + <usize>(16 + 2 * k + 1), <u8>(2 * d + 3));
      store<u16>(rec + <usize>(32 + 2 * k), <u16>(p & 255));
    }
  }
  const full = i16x8.splat(256), half = i32x4.splat(32768);
  let o = out;
  for (let y = 0; y < height; y++) {
    const wy = <i32>load<u16>(fy + (<usize>y << 1));
    const wy0 = 256 - wy;
    const r0 = src + <usize>(load<i32>(y0 + (<usize>y << 2)) * srcWidth);
    const r1 = src + <usize>(load<i32>(y1 + (<usize>y << 2)) * srcWidth);
    // Vertical: row[c] = s0·(256 − wy) + s1·wy (≤ 65280: fits 16 bits).
    const a0 = i16x8.splat(<i16>wy0), a1 = i16x8.splat(<i16>wy);
    let c = lo;
    for (; c + 8 <= hi; c += 8) {
      const s0 = v128.load8x8_u(r0 + <usize>c), s1 = v128.load8x8_u(r1 + <usize>c);
      v128.store(row + (<usize>c << 1), i16x8.add(i16x8.mul(s0, a0), i16x8.mul(s1, a1)));
    }
    for (; c < hi; c++) {
      const v = <i32>load<u8>(r0 + <usize>c) * wy0 + <i32>load<u8>(r1 + <usize>c) * wy;
      store<u16>(row + (<usize>c << 1), <u16>v);
    }
    // Horizontal: (row[a]·(256 − wx) + row[a + 1]·wx + 32768) >> 16.
    let x = 0;
    for (let g = 0; g < groups; g++, x += 8) {
      const rec = g0 + (<usize>g << 6);
      const base = load<i32>(rec, 48);
      if (base < 0) {
        for (let k = 0; k < 8; k++) one(cols, row, o, x + k);
        continue;
      }
      const v = v128.load(row + (<usize>base << 1));
      const va = i8x16.swizzle(v, v128.load(rec)), vb = i8x16.swizzle(v, v128.load(rec, 16));
      const w = v128.load(rec, 32), w0 = i16x8.sub(full, w);
      const lo4 = i32x4.shr_u(
        i32x4.add(
          i32x4.add(i32x4.extmul_low_i16x8_u(va, w0), i32x4.extmul_low_i16x8_u(vb, w)),
          half,
        ),
        16,
      );
      const hi4 = i32x4.shr_u(
        i32x4.add(
          i32x4.add(i32x4.extmul_high_i16x8_u(va, w0), i32x4.extmul_high_i16x8_u(vb, w)),
          half,
        ),
        16,
      );
      const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(lo4, hi4), lo4);
      v128.store64_lane(o + <usize>x, bytes, 0);
    }
    for (; x < width; x++) one(cols, row, o, x);
    o += <usize>width;
  }
}

/** One output pixel from the packed column table. */
// @ts-ignore: decorator
@inline function one(cols: usize, row: usize, o: usize, x: i32): void {
  const p = load<i32>(cols + (<usize>x << 2));
  const wx = p & 255;
  const pair = load<u32>(row + (<usize>(p >>> 8) << 1));
  const va = <i32>(pair & 0xffff), vb = <i32>(pair >>> 16);
  store<u8>(o + <usize>x, <u8>((va * (256 - wx) + vb * wx + 32768) >>> 16));
}
