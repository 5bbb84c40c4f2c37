// A camera's YUYV (BT.601 limited range) unpacked into full-range planes in WebAssembly SIMD:
// `yuyvToFrame` of `src/image/planar.ts`, 16 pixels per step. Its tables LUMA_TO_FULL
// (round((y − 16)·255/219), clamped) and CHROMA_TO_FULL (round(128 + (c − 128)·255/224),
// clamped) are, for every byte, floor((4770·y − 74348) / 4096) and floor((4663·c − 70508) / 4096)
// clamped to 0 … 255 (found by search; the tests check all 256 values of each).

/** floor((m·x + c) / 4096) of 16 bytes, saturated to bytes. */
// @ts-ignore: decorator
@inline function expand(x: v128, m: v128, c: v128): v128 {
  const lo = i16x8.extend_low_i8x16_u(x), hi = i16x8.extend_high_i8x16_u(x);
  const a = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(lo), m), c), 12);
  const b = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(lo), m), c), 12);
  const d = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(hi), m), c), 12);
  const e = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(hi), m), c), 12);
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(d, e));
}

// @ts-ignore: decorator
@inline function lumaFull(x: i32): i32 {
  const v = (4770 * x - 74348) >> 12;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// @ts-ignore: decorator
@inline function chromaFull(x: i32): i32 {
  const v = (4663 * x - 70508) >> 12;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Unpacks `pairs` YUYV pixel pairs at `src` into the planes `y` (2 per pair), `u` and `v`. */
export function unpackYuyv(src: usize, y: usize, u: usize, v: usize, pairs: i32): void {
  const ml = i32x4.splat(4770), cl = i32x4.splat(-74348);
  const mc = i32x4.splat(4663), cc = i32x4.splat(-70508);
  let p = 0;
  for (; p + 8 <= pairs; p += 8) {
    const s = src + (<usize>p << 2);
    const a = v128.load(s), b = v128.load(s, 16);
    const luma = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const chroma = i8x16.shuffle(a, b, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
    v128.store(y + (<usize>p << 1), expand(luma, ml, cl));
    const c = expand(chroma, mc, cc);
    v128.store64_lane(u + <usize>p, c, 0);
    v128.store64_lane(v + <usize>p, c, 1);
  }
  for (; p < pairs; p++) {
    const s = src + (<usize>p << 2);
    store<u8>(y + (<usize>p << 1), lumaFull(load<u8>(s)));
    store<u8>(u + <usize>p, chromaFull(load<u8>(s, 1)));
    store<u8>(y + (<usize>p << 1), lumaFull(load<u8>(s, 2)), 1);
    store<u8>(v + <usize>p, chromaFull(load<u8>(s, 3)));
  }
}
