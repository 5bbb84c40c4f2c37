// The compositors in WebAssembly SIMD: `compositeYuyv` (a 4:2:2 or 4:2:0 camera frame over a
// 4:2:2 background into BT.601 limited-range YUYV, light wrap and despill in the same pass) and
// `compositeFrame` (4:4:4 frames, the file sinks). Byte for byte what `src/image/composite.ts`
// computes (its documentation gives the arithmetic); the tests compare the two on random data.
//
// Why 16-bit lanes suffice: the TypeScript blend (c·f + b·(65536 − f) + 32768) >> 16 with
// f = a·257 + (a >> 7) equals round((c·a + b·(255 − a)) / 255) for every c, b, a (checked
// exhaustively by the tests), and round(x / 255) for x ≤ 65 025 is (t + (t >> 8)) >> 8 with
// t = x + 128, all below 2^16. The limited range is round(16 + 219·y / 255) = div255(219·y + 4080)
// and round(128 + 224·(c − 128) / 255) = div255(224·c + 3968): the tables of `planar.ts`.

/** round(x / 255) in each 16-bit lane, for 0 ≤ x ≤ 65 025. */
// @ts-ignore: decorator
@inline function div255x(x: v128): v128 {
  const t = i16x8.add(x, i16x8.splat(128));
  return i16x8.shr_u(i16x8.add(t, i16x8.shr_u(t, 8)), 8);
}

/** round(x / 255) for 0 ≤ x ≤ 65 025 (scalar). */
// @ts-ignore: decorator
@inline function div255(x: i32): i32 {
  return ((x + 128) * 257) >>> 16;
}

/** Full-range luma → limited, per 16-bit lane. */
// @ts-ignore: decorator
@inline function lumaLimited(y: v128): v128 {
  return div255x(i16x8.add(i16x8.mul(y, i16x8.splat(219)), i16x8.splat(4080)));
}

/** Full-range chroma → limited, per 16-bit lane. */
// @ts-ignore: decorator
@inline function chromaLimited(c: v128): v128 {
  return div255x(i16x8.add(i16x8.mul(c, i16x8.splat(224)), i16x8.splat(3968)));
}

/** round((f·a + b·(255 − a)) / 255) per 16-bit lane (f, b, a in 0 … 255). */
// @ts-ignore: decorator
@inline function blendx(f: v128, b: v128, a: v128): v128 {
  return div255x(i16x8.add(i16x8.mul(f, a), i16x8.mul(b, i16x8.sub(i16x8.splat(255), a))));
}

/** The even bytes of a 16-byte vector in the low 8, the odd in the high 8. */
// @ts-ignore: decorator
@inline function evenOdd(v: v128): v128 {
  return i8x16.shuffle(v, v, 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
}

/**
 * Eight YUYV pairs from limited-range lanes: the even lumas `ye`, the odd `yo`, Cb `cb`, Cr `cr`
 * (one 16-bit lane per pair each), stored as 32 bytes at `out`.
 */
// @ts-ignore: decorator
@inline function storePairs(out: usize, ye: v128, yo: v128, cb: v128, cr: v128): void {
  const y = i8x16.narrow_i16x8_u(ye, yo); // Y0 Y2 … Y14 | Y1 Y3 … Y15
  const c = i8x16.narrow_i16x8_u(cb, cr); // Cb0 … Cb7 | Cr0 … Cr7
  v128.store(out, i8x16.shuffle(y, c, 0, 16, 8, 24, 1, 17, 9, 25, 2, 18, 10, 26, 3, 19, 11, 27));
  v128.store(
    out,
    i8x16.shuffle(y, c, 4, 20, 12, 28, 5, 21, 13, 29, 6, 22, 14, 30, 7, 23, 15, 31),
    16,
  );
}

/** Packs 16 full-range pixels (luma at `y`, 8 chroma samples at `u`, `v`) as limited YUYV. */
// @ts-ignore: decorator
@inline function packBlock(y: usize, u: usize, v: usize, out: usize): void {
  const l = evenOdd(v128.load(y));
  storePairs(
    out,
    lumaLimited(i16x8.extend_low_i8x16_u(l)),
    lumaLimited(i16x8.extend_high_i8x16_u(l)),
    chromaLimited(v128.load8x8_u(u)),
    chromaLimited(v128.load8x8_u(v)),
  );
}

// The limited-range tables, as `planar.ts` defines them (scalar paths).
// @ts-ignore: decorator
@inline function ly(y: i32): i32 {
  return div255(219 * y + 4080);
}

// @ts-ignore: decorator
@inline function lc(c: i32): i32 {
  return div255(224 * c + 3968);
}

/** Math.round as JavaScript rounds (halves up), exactly. */
// @ts-ignore: decorator
@inline function jsRound(x: f64): f64 {
  const r = Math.floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

/** clamp8 of `planar.ts`: rounded and clamped to 0 … 255. */
// @ts-ignore: decorator
@inline function clamp8(x: f64): f64 {
  return x <= 0 ? 0 : x >= 255 ? 255 : jsRound(x);
}

/**
 * One pixel pair of `compositeYuyv`'s edge band, exactly as the TypeScript does it: despill (in
 * RGB, for the pair), light wrap, blend, limited range; returns the YUYV word.
 */
function edgePair(
  y0: i32,
  y1: i32,
  cb: i32,
  cr: i32,
  by0: i32,
  by1: i32,
  bcb: i32,
  bcr: i32,
  a0: i32,
  a1: i32,
  w0: i32,
  w1: i32,
  despill: i32,
): u32 {
  if (despill != 0) {
    const kind0 = a0 != 0 && (a0 != 255 || w0 != 0) ? despill : 0;
    const kind1 = a1 != 0 && (a1 != 255 || w1 != 0) ? despill : 0;
    const pb = <f64> (cb - 128), pr = <f64> (cr - 128);
    const dr = 1.402 * pr, dg = -0.344136 * pb - 0.714136 * pr, db = 1.772 * pb;
    let r0 = clamp8(<f64> y0 + dr), g0 = clamp8(<f64> y0 + dg), b0 = clamp8(<f64> y0 + db);
    const r1 = clamp8(<f64> y1 + dr);
    let g1 = clamp8(<f64> y1 + dg), b1 = clamp8(<f64> y1 + db);
    if (kind0 == 1) g0 = Math.min(g0, (r0 + b0) / 2);
    else if (kind0 == 2) b0 = Math.min(b0, (r0 + g0) / 2);
    if (kind1 == 1) g1 = Math.min(g1, (r1 + b1) / 2);
    else if (kind1 == 2) b1 = Math.min(b1, (r1 + g1) / 2);
    y0 = <i32> jsRound(0.299 * r0 + 0.587 * g0 + 0.114 * b0);
    y1 = <i32> jsRound(0.299 * r1 + 0.587 * g1 + 0.114 * b1);
    r0 += r1;
    g0 += g1;
    b0 += b1;
    cb = <i32> clamp8((-0.168736 * r0 - 0.331264 * g0 + 0.5 * b0) / 2 + 128);
    cr = <i32> clamp8((0.5 * r0 - 0.418688 * g0 - 0.081312 * b0) / 2 + 128);
  }
  if ((w0 | w1) != 0) {
    const k = div255((255 - ((y0 + y1) >> 1)) * ((w0 + w1) >> 1));
    y0 += div255((255 - y0) * div255(by0 * w0));
    y1 += div255((255 - y1) * div255(by1 * w1));
    cb += ((bcb - 128) * k + 127) >> 8;
    cr += ((bcr - 128) * k + 127) >> 8;
    cb = cb < 0 ? 0 : cb > 255 ? 255 : cb;
    cr = cr < 0 ? 0 : cr > 255 ? 255 : cr;
  }
  const f0 = a0 * 257 + (a0 >> 7), f1 = a1 * 257 + (a1 >> 7);
  const am = (a0 + a1 + 1) >> 1;
  const fm = am * 257 + (am >> 7);
  y0 = (y0 * f0 + by0 * (65536 - f0) + 32768) >>> 16;
  y1 = (y1 * f1 + by1 * (65536 - f1) + 32768) >>> 16;
  cb = (cb * fm + bcb * (65536 - fm) + 32768) >>> 16;
  cr = (cr * fm + bcr * (65536 - fm) + 32768) >>> 16;
  return <u32> (ly(y0) | (lc(cb) << 8) | (ly(y1) << 16) | (lc(cr) << 24));
}

/**
 * `compositeYuyv` of `src/image/composite.ts`: the camera frame (`y`, `u`, `v`; chroma rows
 * `row >> chromaShift`) over the 4:2:2 background (`by`, `bu`, `bv`) through `alpha`, with the
 * light-wrap weights `wrap` (0: none), background words `packed` (0: none) and despill (0 none,
 * 1 green, 2 blue), into YUYV at `out`.
 */
export function compositeYuyv(
  y: usize,
  u: usize,
  v: usize,
  by: usize,
  bu: usize,
  bv: usize,
  alpha: usize,
  wrap: usize,
  packed: usize,
  out: usize,
  width: i32,
  height: i32,
  chromaShift: i32,
  despill: i32,
): void {
  const cw = width >> 1;
  const blocks = width & ~15;
  const zero = i16x8.splat(0);
  const c128 = i16x8.splat(128);
  const c255 = i16x8.splat(255);
  for (let row = 0; row < height; row++) {
    const rowPix = <usize> (row * width);
    const camC = <usize> ((row >> chromaShift) * cw);
    const bgC = <usize> (row * cw);
    let x = 0;
    for (; x < blocks; x += 16) {
      const i = rowPix + <usize> x;
      const p = i >> 1;
      const c = <usize> (x >> 1);
      const a = v128.load(alpha + i);
      if (!v128.any_true(a)) {
        // Background: packed words, or the background packed here.
        if (packed != 0) {
          v128.store(out + (p << 2), v128.load(packed + (p << 2)));
          v128.store(out + (p << 2), v128.load(packed + (p << 2), 16), 16);
        } else {
          packBlock(by + i, bu + bgC + c, bv + bgC + c, out + (p << 2));
        }
        continue;
      }
      // The light-wrap weights matter only where some pixel is not background.
      const w = wrap != 0 ? v128.load(wrap + i) : zero;
      if (!v128.any_true(v128.not(a)) && !v128.any_true(w)) {
        // Person.
        packBlock(y + i, u + camC + c, v + camC + c, out + (p << 2));
        continue;
      }
      if (despill != 0) {
        // The key colour's spill in RGB, pair by pair (see edgePair).
        for (let k = 0; k < 8; k++) {
          const j = i + <usize> (2 * k);
          const cc = c + <usize> k;
          const a0 = <i32> load<u8>(alpha + j), a1 = <i32> load<u8>(alpha + j, 1);
          const w0 = wrap != 0 ? <i32> load<u8>(wrap + j) : 0;
          const w1 = wrap != 0 ? <i32> load<u8>(wrap + j, 1) : 0;
          let word: u32;
          if ((a0 | a1) == 0) {
            word = packed != 0
              ? load<u32>(packed + ((p + k) << 2))
              : <u32> (ly(load<u8>(by + j)) | (lc(load<u8>(bu + bgC + cc)) << 8) |
                (ly(load<u8>(by + j, 1)) << 16) | (lc(load<u8>(bv + bgC + cc)) << 24));
          } else {
            word = edgePair(
              load<u8>(y + j),
              load<u8>(y + j, 1),
              load<u8>(u + camC + cc),
              load<u8>(v + camC + cc),
              load<u8>(by + j),
              load<u8>(by + j, 1),
              load<u8>(bu + bgC + cc),
              load<u8>(bv + bgC + cc),
              a0,
              a1,
              w0,
              w1,
              (a0 & a1) == 255 && (w0 | w1) == 0 ? 0 : despill,
            );
          }
          store<u32>(out + ((p + k) << 2), word);
        }
        continue;
      }
      // The edge band, eight pairs at once: even and odd pixels in separate lanes.
      const ae8 = evenOdd(a);
      const ae = i16x8.extend_low_i8x16_u(ae8), ao = i16x8.extend_high_i8x16_u(ae8);
      const cy8 = evenOdd(v128.load(y + i));
      let ye = i16x8.extend_low_i8x16_u(cy8), yo = i16x8.extend_high_i8x16_u(cy8);
      const by8 = evenOdd(v128.load(by + i));
      const bye = i16x8.extend_low_i8x16_u(by8), byo = i16x8.extend_high_i8x16_u(by8);
      let cb = v128.load8x8_u(u + camC + c), cr = v128.load8x8_u(v + camC + c);
      const bcb = v128.load8x8_u(bu + bgC + c), bcr = v128.load8x8_u(bv + bgC + c);
      if (v128.any_true(w)) {
        // Light wrap: Y' = Y + (255 − Y)·Ybg·w, C' = C + (1 − Ymean)·wmean·(Cbg − 128).
        const w8 = evenOdd(w);
        const we = i16x8.extend_low_i8x16_u(w8), wo = i16x8.extend_high_i8x16_u(w8);
        const ym = i16x8.shr_u(i16x8.add(ye, yo), 1);
        const wm = i16x8.shr_u(i16x8.add(we, wo), 1);
        const k = div255x(i16x8.mul(i16x8.sub(c255, ym), wm));
        ye = i16x8.add(ye, div255x(i16x8.mul(i16x8.sub(c255, ye), div255x(i16x8.mul(bye, we)))));
        yo = i16x8.add(yo, div255x(i16x8.mul(i16x8.sub(c255, yo), div255x(i16x8.mul(byo, wo)))));
        const c127 = i16x8.splat(127);
        cb = i16x8.add(cb, i16x8.shr_s(i16x8.add(i16x8.mul(i16x8.sub(bcb, c128), k), c127), 8));
        cr = i16x8.add(cr, i16x8.shr_s(i16x8.add(i16x8.mul(i16x8.sub(bcr, c128), k), c127), 8));
        cb = i16x8.min_s(i16x8.max_s(cb, zero), c255);
        cr = i16x8.min_s(i16x8.max_s(cr, zero), c255);
      }
      const am = i16x8.avgr_u(ae, ao); // (a0 + a1 + 1) >> 1
      storePairs(
        out + (p << 2),
        lumaLimited(blendx(ye, bye, ae)),
        lumaLimited(blendx(yo, byo, ao)),
        chromaLimited(blendx(cb, bcb, am)),
        chromaLimited(blendx(cr, bcr, am)),
      );
    }
    // What the blocks leave of the row, pair by pair.
    for (; x < width; x += 2) {
      const j = rowPix + <usize> x;
      const p = j >> 1;
      const cc = <usize> (x >> 1);
      const a0 = <i32> load<u8>(alpha + j), a1 = <i32> load<u8>(alpha + j, 1);
      const w0 = wrap != 0 ? <i32> load<u8>(wrap + j) : 0;
      const w1 = wrap != 0 ? <i32> load<u8>(wrap + j, 1) : 0;
      let word: u32;
      if ((a0 | a1) == 0 && packed != 0) {
        word = load<u32>(packed + (p << 2));
      } else {
        const plain = (a0 | a1) == 0 || ((a0 & a1) == 255 && (w0 | w1) == 0);
        word = edgePair(
          load<u8>(y + j),
          load<u8>(y + j, 1),
          load<u8>(u + camC + cc),
          load<u8>(v + camC + cc),
          load<u8>(by + j),
          load<u8>(by + j, 1),
          load<u8>(bu + bgC + cc),
          load<u8>(bv + bgC + cc),
          a0,
          a1,
          w0,
          w1,
          plain ? 0 : despill,
        );
      }
      store<u32>(out + (p << 2), word);
    }
  }
}

/**
 * One 4:4:4 pixel through RGB, with despill and light wrap, blended and back: `treatPixels` of
 * `src/image/composite.ts`. `rt`, `bt` (u16 × 256) and `tie` (u8 × 256) are `R_FROM_CR`,
 * `B_FROM_CB` and `G_TIE` of `planar.ts`.
 */
function treatPixel(
  cy: usize,
  cu: usize,
  cv: usize,
  by: usize,
  bu: usize,
  bv: usize,
  oy: usize,
  ou: usize,
  ov: usize,
  i: usize,
  a8: i32,
  w: i32,
  despill: i32,
  rt: usize,
  bt: usize,
  tie: usize,
): void {
  const gcb = 2886822, gcr = 5990607, gBias = 128 * (2886822 + 5990607) + (1 << 22);
  let l = <i32> load<u8>(cy + i), cb = <i32> load<u8>(cu + i), cr = <i32> load<u8>(cv + i);
  let r = l + <i32> load<u16>(rt + (<usize> cr << 1)) - 256;
  let g = l + ((gBias - gcb * cb - gcr * cr) >> 23);
  let b = l + <i32> load<u16>(bt + (<usize> cb << 1)) - 256;
  r = r < 0 ? 0 : r > 255 ? 255 : r;
  g = g < 0 ? 0 : g > 255 ? 255 : g;
  b = b < 0 ? 0 : b > 255 ? 255 : b;
  if (cb == 78 && cr == 178) g = <i32> load<u8>(tie + <usize> l);
  l = <i32> load<u8>(by + i);
  cb = <i32> load<u8>(bu + i);
  cr = <i32> load<u8>(bv + i);
  let br = l + <i32> load<u16>(rt + (<usize> cr << 1)) - 256;
  let bg = l + ((gBias - gcb * cb - gcr * cr) >> 23);
  let bb = l + <i32> load<u16>(bt + (<usize> cb << 1)) - 256;
  br = br < 0 ? 0 : br > 255 ? 255 : br;
  bg = bg < 0 ? 0 : bg > 255 ? 255 : bg;
  bb = bb < 0 ? 0 : bb > 255 ? 255 : bb;
  if (cb == 78 && cr == 178) bg = <i32> load<u8>(tie + <usize> l);
  if (despill == 1) {
    const limit = (r + b) >> 1;
    if (g > limit) g = limit;
  } else if (despill == 2) {
    const limit = (r + g) >> 1;
    if (b > limit) b = limit;
  }
  if (w != 0) {
    r += div255((255 - r) * div255(br * w));
    g += div255((255 - g) * div255(bg * w));
    b += div255((255 - b) * div255(bb * w));
  }
  if (a8 != 255) {
    const f = a8 * 257 + (a8 >> 7);
    r = ((br << 16) + (r - br) * f + 32768) >> 16;
    g = ((bg << 16) + (g - bg) * f + 32768) >> 16;
    b = ((bb << 16) + (b - bb) * f + 32768) >> 16;
  }
  store<u8>(oy + i, (19595 * r + 38470 * g + 7471 * b + 32768) >> 16);
  cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32768) >> 16;
  cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32768) >> 16;
  store<u8>(ou + i, cb > 255 ? 255 : cb);
  store<u8>(ov + i, cr > 255 ? 255 : cr);
}

/** One plane's 16 pixels blended: round((c·a + b·(255 − a)) / 255). */
// @ts-ignore: decorator
@inline function blendPlane16(c: usize, b: usize, o: usize, al: v128, ah: v128): void {
  const cv = v128.load(c), bv = v128.load(b);
  const lo = blendx(i16x8.extend_low_i8x16_u(cv), i16x8.extend_low_i8x16_u(bv), al);
  const hi = blendx(i16x8.extend_high_i8x16_u(cv), i16x8.extend_high_i8x16_u(bv), ah);
  v128.store(o, i8x16.narrow_i16x8_u(lo, hi));
}

/**
 * `compositeFrame` of `src/image/composite.ts`: 4:4:4 camera (`cy`, `cu`, `cv`) over the 4:4:4
 * background (`by`, `bu`, `bv`) through `alpha` into (`oy`, `ou`, `ov`, which may be either
 * input), `n` pixels, light-wrap weights `wrap` (0: none), despill (0 none, 1 green, 2 blue);
 * `rt`, `bt`, `tie` as for {@linkcode treatPixel}.
 */
export function compositeFrame(
  cy: usize,
  cu: usize,
  cv: usize,
  by: usize,
  bu: usize,
  bv: usize,
  oy: usize,
  ou: usize,
  ov: usize,
  alpha: usize,
  wrap: usize,
  n: i32,
  despill: i32,
  rt: usize,
  bt: usize,
  tie: usize,
): void {
  const treated = wrap != 0 || despill != 0;
  const copyBg = oy != by, copyCam = oy != cy;
  const zero = i16x8.splat(0);
  const end = <usize> (n & ~15);
  let i: usize = 0;
  for (; i < end; i += 16) {
    const a = v128.load(alpha + i);
    if (!v128.any_true(a)) {
      if (copyBg) {
        v128.store(oy + i, v128.load(by + i));
        v128.store(ou + i, v128.load(bu + i));
        v128.store(ov + i, v128.load(bv + i));
      }
      continue;
    }
    const w = wrap != 0 ? v128.load(wrap + i) : zero;
    if (!v128.any_true(v128.not(a)) && !v128.any_true(w)) {
      if (copyCam) {
        v128.store(oy + i, v128.load(cy + i));
        v128.store(ou + i, v128.load(cu + i));
        v128.store(ov + i, v128.load(cv + i));
      }
      continue;
    }
    if (treated) {
      for (let k: usize = 0; k < 16; k++) {
        edgePixel(cy, cu, cv, by, bu, bv, oy, ou, ov, alpha, wrap, i + k, despill, rt, bt, tie);
      }
      continue;
    }
    const al = i16x8.extend_low_i8x16_u(a), ah = i16x8.extend_high_i8x16_u(a);
    blendPlane16(cy + i, by + i, oy + i, al, ah);
    blendPlane16(cu + i, bu + i, ou + i, al, ah);
    blendPlane16(cv + i, bv + i, ov + i, al, ah);
  }
  for (; i < <usize> n; i++) {
    edgePixel(cy, cu, cv, by, bu, bv, oy, ou, ov, alpha, wrap, i, despill, rt, bt, tie);
  }
}

/** One pixel of `compositeFrame` as the TypeScript does it (copies, blend, or `treatPixel`). */
function edgePixel(
  cy: usize,
  cu: usize,
  cv: usize,
  by: usize,
  bu: usize,
  bv: usize,
  oy: usize,
  ou: usize,
  ov: usize,
  alpha: usize,
  wrap: usize,
  i: usize,
  despill: i32,
  rt: usize,
  bt: usize,
  tie: usize,
): void {
  const a8 = <i32> load<u8>(alpha + i);
  if (a8 == 0) {
    if (oy != by) {
      store<u8>(oy + i, load<u8>(by + i));
      store<u8>(ou + i, load<u8>(bu + i));
      store<u8>(ov + i, load<u8>(bv + i));
    }
    return;
  }
  const w = wrap != 0 ? <i32> load<u8>(wrap + i) : 0;
  if (a8 == 255 && w == 0) {
    if (oy != cy) {
      store<u8>(oy + i, load<u8>(cy + i));
      store<u8>(ou + i, load<u8>(cu + i));
      store<u8>(ov + i, load<u8>(cv + i));
    }
    return;
  }
  if (wrap != 0 || despill != 0) {
    treatPixel(cy, cu, cv, by, bu, bv, oy, ou, ov, i, a8, w, despill, rt, bt, tie);
    return;
  }
  const f = a8 * 257 + (a8 >> 7);
  let b0 = <i32> load<u8>(by + i);
  store<u8>(oy + i, ((b0 << 16) + (<i32> load<u8>(cy + i) - b0) * f + 32768) >> 16);
  b0 = <i32> load<u8>(bu + i);
  store<u8>(ou + i, ((b0 << 16) + (<i32> load<u8>(cu + i) - b0) * f + 32768) >> 16);
  b0 = <i32> load<u8>(bv + i);
  store<u8>(ov + i, ((b0 << 16) + (<i32> load<u8>(cv + i) - b0) * f + 32768) >> 16);
}
