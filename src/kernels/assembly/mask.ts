// The mask's post-processing in WebAssembly: the box means, the fast guided filter (its guide,
// its solve on the cells and its per-pixel render), the temporal filter and the sampling of the
// model's map onto the cells. Each is the TypeScript of `src/mask/` operation for operation, in
// the same precision (float64 arithmetic, float32 storage), so the results are the same bits;
// the tests compare them on random data. SIMD is used where every lane does exactly the scalar
// operation (float64 pairs in the box means' column pass and the solve, float32 products).

/** A 32-bit slot of a descriptor (see `src/kernels/mask.ts` for the layout). */
// @ts-ignore: decorator
@inline function slot(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

/** A pointer slot. */
// @ts-ignore: decorator
@inline function ptr(d: usize, i: i32): usize {
  return <usize>load<i32>(d + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function f32at(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function i32at(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function setf32(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

/**
 * `BoxMean.apply` of `src/mask/box.ts`: the mean over a (2r + 1)² window clipped to the map,
 * `src` → `dst` (w × h float32), with its scratch map `tmp` (float32), column sums `col`
 * (float64 × w) and reciprocal tables `rx`, `ry` (float32).
 */
export function boxMean(
  src: usize, dst: usize, tmp: usize, col: usize, rx: usize, ry: usize,
  w: i32, h: i32, r: i32,
): void {
  const enterEnd = min(r + 1, w);
  const slideEnd = max(enterEnd, w - r - 1);
  const pre = min(r, w);
  // Rows, four at a time: four independent running sums keep the pipeline busy (each row's sum
  // is still added up in its own order, as the TypeScript does).
  let row = 0;
  for (; row + 4 <= h; row += 4) {
    const s0 = src + (<usize>(row * w) << 2), t0 = tmp + (<usize>(row * w) << 2);
    const s1 = s0 + (<usize>w << 2), s2 = s1 + (<usize>w << 2), s3 = s2 + (<usize>w << 2);
    const t1 = t0 + (<usize>w << 2), t2 = t1 + (<usize>w << 2), t3 = t2 + (<usize>w << 2);
    let a: f64 = 0, b: f64 = 0, c: f64 = 0, e: f64 = 0;
    for (let k = 0; k < pre; k++) {
      a += f32at(s0, k);
      b += f32at(s1, k);
      c += f32at(s2, k);
      e += f32at(s3, k);
    }
    let x = 0;
    for (; x < enterEnd; x++) {
      if (x + r < w) {
        a += f32at(s0, x + r);
        b += f32at(s1, x + r);
        c += f32at(s2, x + r);
        e += f32at(s3, x + r);
      }
      const k = f32at(rx, x);
      setf32(t0, x, a * k);
      setf32(t1, x, b * k);
      setf32(t2, x, c * k);
      setf32(t3, x, e * k);
    }
    for (; x < slideEnd; x++) {
      const i = x + r, j = x - r - 1;
      a += f32at(s0, i) - f32at(s0, j);
      b += f32at(s1, i) - f32at(s1, j);
      c += f32at(s2, i) - f32at(s2, j);
      e += f32at(s3, i) - f32at(s3, j);
      const k = f32at(rx, x);
      setf32(t0, x, a * k);
      setf32(t1, x, b * k);
      setf32(t2, x, c * k);
      setf32(t3, x, e * k);
    }
    for (; x < w; x++) {
      const j = x - r - 1;
      if (x + r < w) {
        a += f32at(s0, x + r);
        b += f32at(s1, x + r);
        c += f32at(s2, x + r);
        e += f32at(s3, x + r);
      }
      a -= f32at(s0, j);
      b -= f32at(s1, j);
      c -= f32at(s2, j);
      e -= f32at(s3, j);
      const k = f32at(rx, x);
      setf32(t0, x, a * k);
      setf32(t1, x, b * k);
      setf32(t2, x, c * k);
      setf32(t3, x, e * k);
    }
  }
  for (; row < h; row++) {
    const sr = src + (<usize>(row * w) << 2), tr = tmp + (<usize>(row * w) << 2);
    let sum: f64 = 0;
    for (let k = 0; k < pre; k++) sum += f32at(sr, k);
    let x = 0;
    for (; x < enterEnd; x++) {
      if (x + r < w) sum += f32at(sr, x + r);
      setf32(tr, x, sum * f32at(rx, x));
    }
    for (; x < slideEnd; x++) {
      sum += f32at(sr, x + r) - f32at(sr, x - r - 1);
      setf32(tr, x, sum * f32at(rx, x));
    }
    for (; x < w; x++) {
      if (x + r < w) sum += f32at(sr, x + r);
      sum -= f32at(sr, x - r - 1);
      setf32(tr, x, sum * f32at(rx, x));
    }
  }
  // Columns, a row at a time, two float64 column sums per SIMD step.
  memory.fill(col, 0, <usize>w << 3);
  const pairs = w & ~1;
  const top = min(r, h);
  for (let y = 0; y < top; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      store<f64>(col + (<usize>x << 3), load<f64>(col + (<usize>x << 3)) + f32at(tmp, row + x));
    }
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const k = f32at(ry, y);
    const kk = f64x2.splat(k);
    const enter = y + r < h ? (y + r) * w : -1;
    const leave = y - r - 1 >= 0 ? (y - r - 1) * w : -1;
    if (enter >= 0 && leave >= 0) {
      let x = 0;
      for (; x < pairs; x += 2) {
        const cp = col + (<usize>x << 3);
        const e = f64x2.promote_low_f32x4(v128.load64_zero(tmp + (<usize>(enter + x) << 2)));
        const l = f64x2.promote_low_f32x4(v128.load64_zero(tmp + (<usize>(leave + x) << 2)));
        const c = f64x2.sub(f64x2.add(v128.load(cp), e), l);
        v128.store(cp, c);
        v128.store64_lane(
          dst + (<usize>(row + x) << 2),
          f32x4.demote_f64x2_zero(f64x2.mul(c, kk)),
          0,
        );
      }
      for (; x < w; x++) {
        const cp = col + (<usize>x << 3);
        const c = load<f64>(cp) + f32at(tmp, enter + x) - f32at(tmp, leave + x);
        store<f64>(cp, c);
        setf32(dst, row + x, c * k);
      }
    } else {
      if (enter >= 0) {
        for (let x = 0; x < w; x++) {
          const cp = col + (<usize>x << 3);
          store<f64>(cp, load<f64>(cp) + f32at(tmp, enter + x));
        }
      }
      if (leave >= 0) {
        for (let x = 0; x < w; x++) {
          const cp = col + (<usize>x << 3);
          store<f64>(cp, load<f64>(cp) - f32at(tmp, leave + x));
        }
      }
      for (let x = 0; x < w; x++) setf32(dst, row + x, load<f64>(col + (<usize>x << 3)) * k);
    }
  }
}

// The guided filter's descriptor: 32-bit slots (pointers and sizes), then eps as a float64 at
// byte G_EPS. The same numbers are in `src/kernels/mask.ts`.
const G_LW = 0;
const G_LH = 1;
const G_WIDTH = 2;
const G_HEIGHT = 3;
const G_PLAIN = 4;
const G_INPUT = 5;
const G_GUIDE = 6;
const G_IP = 7;
const G_II = 8;
const G_MI = 9;
const G_MP = 10;
const G_MIP = 11;
const G_MII = 12;
const G_A = 13;
const G_B = 14;
const G_KIND = 15;
const G_QW = 16;
const G_LOW_END = 17;
const G_HIGH_START = 18;
const G_TMP = 19;
const G_COL = 20;
const G_RX = 21;
const G_RY = 22;
const G_RADIUS = 23;
const G_LUT = 24;
const G_WRAP_LUT = 25;
const G_HOLD = 26;
const G_QUAD_START = 27;
const G_RUN_START = 28;
const G_RUN_END = 29;
const G_RUN_KIND = 30;
const G_RUN_QUAD = 31;
const G_RUN_QUAD_END = 32;
const G_QUAD_SEG = 33;
const G_SEG_START = 34;
const G_SEG_CELL = 35;
const G_SEG_F0 = 36;
const G_SEG_DF = 37;
const G_ROW_A = 38;
const G_ROW_B = 39;
const G_X0 = 40;
const G_X1 = 41;
const G_Y0 = 42;
const G_Y1 = 43;
const G_FY = 44;
const G_SAMPLE_COLS = 45;
const G_SAMPLE_ROWS = 46;
const G_EPS = 192;

const LUT_MAX: i32 = 1023;
const LOW: u8 = 0;
const HIGH: u8 = 1;
const MIXED: u8 = 2;

/** `GuidedUpsampler.setGuide`: the mean of 2×2 luma samples per cell, luma in 0 … 1. */
export function guidedGuide(d: usize, y: usize): void {
  if (slot(d, G_PLAIN) != 0) return;
  const lw2 = 2 * slot(d, G_LW);
  const rows2 = 2 * slot(d, G_LH);
  const cols = ptr(d, G_SAMPLE_COLS), rows = ptr(d, G_SAMPLE_ROWS), guide = ptr(d, G_GUIDE);
  const scale: f64 = 1.0 / (4.0 * 255.0);
  let k = 0;
  for (let j = 0; j < rows2; j += 2) {
    const ra = <usize>i32at(rows, j), rb = <usize>i32at(rows, j + 1);
    for (let i = 0; i < lw2; i += 2, k++) {
      const ca = <usize>i32at(cols, i), cb = <usize>i32at(cols, i + 1);
      const s = <i32>load<u8>(y + ra + ca) + <i32>load<u8>(y + ra + cb) +
        <i32>load<u8>(y + rb + ca) + <i32>load<u8>(y + rb + cb);
      setf32(guide, k, <f64>s * scale);
    }
  }
}

/** The box mean of one of the filter's maps. */
// @ts-ignore: decorator
@inline function box(d: usize, src: usize, dst: usize): void {
  boxMean(
    src, dst, ptr(d, G_TMP), ptr(d, G_COL), ptr(d, G_RX), ptr(d, G_RY),
    slot(d, G_LW), slot(d, G_LH), slot(d, G_RADIUS),
  );
}

/** `GuidedUpsampler.solve`: the local linear models, their means, and the quads' kinds. */
export function guidedSolve(d: usize): void {
  const lw = slot(d, G_LW), lh = slot(d, G_LH);
  const n = lw * lh;
  const I = ptr(d, G_GUIDE), p = ptr(d, G_INPUT);
  const mI = ptr(d, G_MI), mP = ptr(d, G_MP), mIP = ptr(d, G_MIP), mII = ptr(d, G_MII);
  const a = ptr(d, G_A), b = ptr(d, G_B);
  const mA = mIP, mB = mII;
  if (slot(d, G_PLAIN) != 0) {
    memory.fill(mA, 0, <usize>n << 2);
    memory.copy(mB, p, <usize>n << 2);
  } else {
    const ip = ptr(d, G_IP), ii = ptr(d, G_II);
    // A float32 product rounds the exact product once, as the float64 one stored in float32.
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      const g = v128.load(I + o);
      v128.store(ip + o, f32x4.mul(g, v128.load(p + o)));
      v128.store(ii + o, f32x4.mul(g, g));
    }
    for (; k < n; k++) {
      const g = f32at(I, k);
      setf32(ip, k, g * f32at(p, k));
      setf32(ii, k, g * g);
    }
    box(d, I, mI);
    box(d, p, mP);
    box(d, ip, mIP);
    box(d, ii, mII);
    const eps = load<f64>(d + G_EPS);
    // Two cells per step in float64 lanes: each lane does the scalar operations.
    const epsx = f64x2.splat(eps);
    const zero = f64x2.splat(0);
    for (k = 0; k + 2 <= n; k += 2) {
      const o = <usize>k << 2;
      const m = f64x2.promote_low_f32x4(v128.load64_zero(mI + o));
      const mp = f64x2.promote_low_f32x4(v128.load64_zero(mP + o));
      const variance = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(mII + o)), f64x2.mul(m, m));
      const cov = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(mIP + o)), f64x2.mul(m, mp));
      // (variance > 0 ? variance : 0): NaN and −0 give 0 as the comparison does.
      const v0 = v128.bitselect(variance, zero, f64x2.gt(variance, zero));
      const ak = f64x2.div(cov, f64x2.add(v0, epsx));
      v128.store64_lane(a + o, f32x4.demote_f64x2_zero(ak), 0);
      v128.store64_lane(b + o, f32x4.demote_f64x2_zero(f64x2.sub(mp, f64x2.mul(ak, m))), 0);
    }
    for (; k < n; k++) {
      const m = f32at(mI, k);
      const variance = f32at(mII, k) - m * m;
      const cov = f32at(mIP, k) - m * f32at(mP, k);
      const ak = cov / ((variance > 0 ? variance : 0) + eps);
      setf32(a, k, ak);
      setf32(b, k, f32at(mP, k) - ak * m);
    }
    box(d, a, mA);
    box(d, b, mB);
  }
  // Bounds of q = a·I + b over I in 0 … 1 per cell, then the kind of each quad.
  const lo = a, hi = b;
  const lutMax = <f64>LUT_MAX;
  for (let k = 0; k < n; k++) {
    const bk = f32at(mB, k) * lutMax;
    const ak = f32at(mA, k) * lutMax;
    setf32(lo, k, ak < 0 ? bk + ak : bk);
    setf32(hi, k, ak > 0 ? bk + ak : bk);
  }
  const qw = slot(d, G_QW);
  const qh = max(1, lh - 1);
  const lowEnd = <f64>slot(d, G_LOW_END), highStart = <f64>slot(d, G_HIGH_START);
  const kind = ptr(d, G_KIND);
  for (let j = 0; j < qh; j++) {
    const r0 = j * lw;
    const r1 = min(j + 1, lh - 1) * lw;
    for (let i = 0; i < qw; i++) {
      const i1 = i + 1 < lw ? i + 1 : i;
      const qmax = Math.max(
        Math.max(f32at(hi, r0 + i), f32at(hi, r0 + i1)),
        Math.max(f32at(hi, r1 + i), f32at(hi, r1 + i1)),
      );
      const qmin = Math.min(
        Math.min(f32at(lo, r0 + i), f32at(lo, r0 + i1)),
        Math.min(f32at(lo, r1 + i), f32at(lo, r1 + i1)),
      );
      store<u8>(
        kind + <usize>(j * qw + i),
        qmax < lowEnd ? LOW : qmin >= highStart + 1 ? HIGH : MIXED,
      );
    }
  }
}

/** One pixel of the edge band: q = a·luma + b through the tables (and the hold). */
// @ts-ignore: decorator
@inline function renderPixel(
  px: usize, a: f64, b: f64, y: usize, alpha: usize, lut: usize, hold: usize, wout: usize,
  wlut: usize,
): void {
  const q = a * <f64>load<u8>(y + px) + b;
  // As `q <= 0 ? 0 : q >= LUT_MAX ? LUT_MAX : q | 0`, without branches: truncation saturates
  // (NaN gives 0, as there), then the whole number is clamped.
  let idx = <i32>q;
  idx = select<i32>(idx, 0, idx > 0);
  idx = select<i32>(idx, LUT_MAX, idx < LUT_MAX);
  const v = <i32>load<u8>(lut + <usize>idx);
  if (hold == 0) {
    store<u8>(alpha + px, v);
  } else {
    const prev = <i32>load<u8>(alpha + px);
    store<u8>(alpha + px, prev + <i32>load<i16>(hold + (<usize>(v - prev + 255) << 1)));
  }
  if (wout != 0) store<u8>(wout + px, load<u8>(wlut + <usize>idx));
}

/**
 * `GuidedUpsampler.render`: the lifted coefficients applied to the luma `y`, through the tables
 * into `alpha` (with the per-pixel hold when the descriptor has one) and `wrap` (0: none).
 */
export function guidedRender(d: usize, y: usize, alpha: usize, wrap: usize): void {
  const width = slot(d, G_WIDTH), height = slot(d, G_HEIGHT), lowWidth = slot(d, G_LW);
  const x0 = ptr(d, G_X0), x1 = ptr(d, G_X1);
  const y0 = ptr(d, G_Y0), y1 = ptr(d, G_Y1), fy = ptr(d, G_FY);
  const mA = ptr(d, G_MIP), mB = ptr(d, G_MII);
  const rowA = ptr(d, G_ROW_A), rowB = ptr(d, G_ROW_B);
  const lut = ptr(d, G_LUT);
  const wlut = ptr(d, G_WRAP_LUT);
  const wout = wlut != 0 ? wrap : 0;
  const hold = ptr(d, G_HOLD);
  const lowA = load<u8>(lut), highA = load<u8>(lut + <usize>LUT_MAX);
  const lowW = wlut != 0 ? load<u8>(wlut) : 0, highW = wlut != 0 ? load<u8>(wlut + <usize>LUT_MAX) : 0;
  const lutMax = <f64>LUT_MAX;
  const scaleA: f64 = lutMax / 255.0;
  const qw = slot(d, G_QW);
  const kind = ptr(d, G_KIND);
  const quadStart = ptr(d, G_QUAD_START);
  const runStart = ptr(d, G_RUN_START), runEnd = ptr(d, G_RUN_END), runKind = ptr(d, G_RUN_KIND);
  const runQuad = ptr(d, G_RUN_QUAD), runQuadEnd = ptr(d, G_RUN_QUAD_END);
  const quadSeg = ptr(d, G_QUAD_SEG);
  const segStart = ptr(d, G_SEG_START), segCell = ptr(d, G_SEG_CELL);
  const segF0 = ptr(d, G_SEG_F0), segDf = ptr(d, G_SEG_DF);
  let runs = 0;
  let runsOf = -1;
  for (let row = 0; row < height; row++) {
    const j = i32at(y0, row);
    if (j != runsOf) {
      runsOf = j;
      runs = 0;
      const qrow = <usize>(j * qw);
      for (let i = 0; i < qw;) {
        const k = load<u8>(kind + qrow + <usize>i);
        let e = i + 1;
        while (e < qw && load<u8>(kind + qrow + <usize>e) == k) e++;
        store<i32>(runStart + (<usize>runs << 2), i32at(quadStart, i));
        store<i32>(runEnd + (<usize>runs << 2), i32at(quadStart, e));
        store<i32>(runQuad + (<usize>runs << 2), i);
        store<i32>(runQuadEnd + (<usize>runs << 2), e);
        store<u8>(runKind + <usize>runs, k);
        runs++;
        i = e;
      }
    }
    const o = <usize>(row * width);
    const r0 = j * lowWidth;
    const r1 = i32at(y1, row) * lowWidth;
    const wy = f32at(fy, row);
    for (let r = 0; r < runs; r++) {
      const start = i32at(runStart, r), end = i32at(runEnd, r);
      const k = load<u8>(runKind + <usize>r);
      if (k != MIXED) {
        memory.fill(alpha + o + <usize>start, k == LOW ? lowA : highA, <usize>(end - start));
        if (wout != 0) {
          memory.fill(wout + o + <usize>start, k == LOW ? lowW : highW, <usize>(end - start));
        }
        continue;
      }
      const c0 = i32at(x0, start), c1 = i32at(x1, end - 1);
      for (let i = c0; i <= c1; i++) {
        const a0 = f32at(mA, r0 + i), b0 = f32at(mB, r0 + i);
        setf32(rowA, i, (a0 + (f32at(mA, r1 + i) - a0) * wy) * scaleA);
        setf32(rowB, i, (b0 + (f32at(mB, r1 + i) - b0) * wy) * lutMax + 0.5);
      }
      // Segment by segment (the weight grows evenly inside one), two at a time: each keeps its
      // own running coefficients, added up in its own order as in the TypeScript, and the two
      // chains of additions overlap in the processor.
      const segEnd = i32at(quadSeg, i32at(runQuadEnd, r));
      let g = i32at(quadSeg, i32at(runQuad, r));
      for (; g < segEnd; g += 2) {
        const xs1 = i32at(segStart, g), xe1 = i32at(segStart, g + 1);
        const i1 = i32at(segCell, g);
        const n1 = i1 + 1 < lowWidth ? i1 + 1 : i1;
        const f01 = f32at(segF0, g), df1 = f32at(segDf, g);
        const ai1 = f32at(rowA, i1), dA1 = f32at(rowA, n1) - ai1;
        const bi1 = f32at(rowB, i1), dB1 = f32at(rowB, n1) - bi1;
        let a1 = ai1 + dA1 * f01, b1 = bi1 + dB1 * f01;
        const sa1 = dA1 * df1, sb1 = dB1 * df1;
        if (g + 1 == segEnd) {
          for (let x = xs1; x < xe1; x++, a1 += sa1, b1 += sb1) {
            renderPixel(o + <usize>x, a1, b1, y, alpha, lut, hold, wout, wlut);
          }
          break;
        }
        const xs2 = xe1, xe2 = i32at(segStart, g + 2);
        const i2 = i32at(segCell, g + 1);
        const n2 = i2 + 1 < lowWidth ? i2 + 1 : i2;
        const f02 = f32at(segF0, g + 1), df2 = f32at(segDf, g + 1);
        const ai2 = f32at(rowA, i2), dA2 = f32at(rowA, n2) - ai2;
        const bi2 = f32at(rowB, i2), dB2 = f32at(rowB, n2) - bi2;
        let a2 = ai2 + dA2 * f02, b2 = bi2 + dB2 * f02;
        const sa2 = dA2 * df2, sb2 = dB2 * df2;
        const len1 = xe1 - xs1, len2 = xe2 - xs2;
        const both = min(len1, len2);
        let k = 0;
        for (; k < both; k++, a1 += sa1, b1 += sb1, a2 += sa2, b2 += sb2) {
          renderPixel(o + <usize>(xs1 + k), a1, b1, y, alpha, lut, hold, wout, wlut);
          renderPixel(o + <usize>(xs2 + k), a2, b2, y, alpha, lut, hold, wout, wlut);
        }
        for (let m = k; m < len1; m++, a1 += sa1, b1 += sb1) {
          renderPixel(o + <usize>(xs1 + m), a1, b1, y, alpha, lut, hold, wout, wlut);
        }
        for (let m = k; m < len2; m++, a2 += sa2, b2 += sb2) {
          renderPixel(o + <usize>(xs2 + m), a2, b2, y, alpha, lut, hold, wout, wlut);
        }
      }
    }
  }
}

/**
 * `TemporalFilter.update`'s per-pixel step: the adaptive moving average of `state` towards `p`
 * (n float32 each).
 */
export function temporalUpdate(
  state: usize, p: usize, n: i32,
  wMin: f64, m0: f64, mScale: f64, c0: f64, cScale: f64,
): void {
  const wSpan = 1 - wMin;
  for (let k = 0; k < n; k++) {
    const v = f32at(p, k);
    const old = f32at(state, k);
    const dd = v - old;
    let motion = ((dd < 0 ? -dd : dd) - m0) * mScale;
    const c = v + v - 1;
    const confidence = ((c < 0 ? -c : c) - c0) * cScale;
    if (confidence > motion) motion = confidence;
    const w = motion <= 0 ? wMin : motion >= 1 ? 1 : wMin + wSpan * motion;
    setf32(state, k, old + w * dd);
  }
}

/**
 * `RegionSampler.sample`: `src` (float32, `srcWidth` wide) sampled bilinearly at the cells'
 * centres into `out` (w × h float32), by the tables `x0`, `x1`, `fx` (w) and `y0`, `y1`, `fy` (h).
 */
export function regionSample(
  src: usize, out: usize, srcWidth: i32,
  x0: usize, x1: usize, fx: usize, y0: usize, y1: usize, fy: usize, w: i32, h: i32,
): void {
  let o = 0;
  for (let j = 0; j < h; j++) {
    const r0 = i32at(y0, j) * srcWidth;
    const r1 = i32at(y1, j) * srcWidth;
    const wy = f32at(fy, j);
    for (let i = 0; i < w; i++) {
      const a = i32at(x0, i), b = i32at(x1, i);
      const wx = f32at(fx, i);
      const ta = f32at(src, r0 + a), ba = f32at(src, r1 + a);
      const top = ta + (f32at(src, r0 + b) - ta) * wx;
      const bottom = ba + (f32at(src, r1 + b) - ba) * wx;
      setf32(out, o++, top + (bottom - top) * wy);
    }
  }
}
