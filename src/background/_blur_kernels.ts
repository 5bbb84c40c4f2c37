/**
 * The pixel kernels of the mask-aware blur, shared by `blur.ts` (YCbCr) and the RGB test oracle
 * `tests/reference/rgb_blur.ts`, which must draw with exactly the same arithmetic: the sample
 * positions of the 2x2 reduction and the background weight, the running-sum box blurs on the
 * reduced grid with their normalization, the bilinear tables, and the fixed-point upsampling
 * (horizontal runs into bytes, vertical spans two bytes per 16-bit lane, one 32-bit word at a
 * time). Internal: not exported by `mod.ts`.
 *
 * @module
 */

/** Weight of a pure background pixel; a pure person pixel weighs 1. */
export const BACKGROUND_WEIGHT: number = 255 * 64 + 1;
/** Bilinear weights are in 1/128ths: two 8-bit channels × 128 fit the 16-bit lanes of an int. */
const LERP_ONE = 128;
const LERP_SHIFT = 7;
/** Rounding for two lanes (bits 0–15 and 16–31) at once. */
const LANES_ROUND = 0x00400040;
/** Bytes 0 and 2 of a word: the low byte of each 16-bit lane. */
export const LANES_MASK: number = 0x00ff00ff;
/** 0.5 in both lanes of an 8.8 fixed-point pair. */
const LANES_HALF = 0x00800080;
/** The integer parts of two 8.8 lanes, in place: bytes 1 and 3. */
const LANES_HIGH = 0xff00ff00 | 0;

/**
 * An output plane as the upsampling writes it, one 32-bit word (4 bytes) at a time: the plane's
 * own bytes when its rows are whole words, else padded rows copied into the plane at the end.
 */
export interface WordPlane {
  /** The plane. */
  readonly bytes: Uint8Array;
  /** Bytes per row of `bytes`. */
  readonly rowBytes: number;
  /** Words per row of `words`. */
  readonly stride: number;
  /** What the upsampling writes: a view of `bytes`, or padded rows. */
  readonly words: Int32Array;
  /** The padded rows as bytes (made once) when `words` is not `bytes`, else null. */
  readonly padded: readonly Uint8Array[] | null;
  /**
   * This plane's words of the two horizontally upsampled reduced rows (slot = reduced row & 1):
   * bytes 0 and 2 of each word (`even`), bytes 1 and 3 (`odd`), each in the low byte of a 16-bit
   * lane, so one multiply interpolates two bytes.
   */
  readonly even: readonly [Int32Array, Int32Array];
  /** As `even`, bytes 1 and 3. */
  readonly odd: readonly [Int32Array, Int32Array];
}

/**
 * Wraps `bytes` (rows of `rowBytes`) for word-wise writing, with rows of `stride` words.
 */
export function wordPlane(
  bytes: Uint8Array,
  options: Pick<WordPlane, "rowBytes" | "stride" | "even" | "odd">,
): WordPlane {
  const { rowBytes, stride } = options;
  const height = bytes.length / rowBytes;
  if (rowBytes === stride * 4 && bytes.byteOffset % 4 === 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, stride * height);
    return { ...options, bytes, words, padded: null };
  }
  const words = new Int32Array(stride * height);
  const all = new Uint8Array(words.buffer);
  const padded = Array.from(
    { length: height },
    (_, y) => all.subarray(y * stride * 4, y * stride * 4 + rowBytes),
  );
  return { ...options, bytes, words, padded };
}

/**
 * The vertical half of the bilinear upsampling for one plane and one run of `rows` output rows
 * from `y` on, between the reduced rows in slots `top` and `bottom`, the first at weight
 * `k0` / 256 of the bottom one, growing by `step` / 256 a row.
 */
export function spanRows(
  plane: WordPlane,
  y: number,
  rows: number,
  top: number,
  bottom: number,
  k0: number,
  step: number,
): void {
  const { words, stride } = plane;
  const te = plane.even[top]!, be = plane.even[bottom]!;
  const to = plane.odd[top]!, bo = plane.odd[bottom]!;
  const base = y * stride;
  if (rows === 4) span4(words, stride, base, te, be, to, bo, k0);
  else if (rows === 8) span8(words, stride, base, te, be, to, bo, k0);
  else {
    for (let i = 0; i < stride; i++) {
      // Lane-wise differences as whole words: exact modulo 2^32, and every lane stays in
      // 0 … 65535 when stored, so the packed arithmetic is exact.
      const tE = te[i]!, dE = be[i]! - tE;
      const tO = to[i]!, dO = bo[i]! - tO;
      let aE = ((tE << 8) + Math.imul(dE, k0) + LANES_HALF) | 0;
      let aO = ((tO << 8) + Math.imul(dO, k0) + LANES_HALF) | 0;
      const sE = Math.imul(dE, step), sO = Math.imul(dO, step);
      for (let r = 0, o = base + i; r < rows; r++, o += stride) {
        words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
        aE = (aE + sE) | 0;
        aO = (aO + sO) | 0;
      }
    }
  }
}

/** {@linkcode spanRows} for a run of 4 rows (factor 4), unrolled: V8 keeps it in registers. */
function span4(
  words: Int32Array,
  n: number,
  base: number,
  te: Int32Array,
  be: Int32Array,
  to: Int32Array,
  bo: Int32Array,
  k0: number,
): void {
  for (let i = 0; i < n; i++) {
    const tE = te[i]!, dE = be[i]! - tE, tO = to[i]!, dO = bo[i]! - tO;
    let aE = ((tE << 8) + Math.imul(dE, k0) + LANES_HALF) | 0;
    let aO = ((tO << 8) + Math.imul(dO, k0) + LANES_HALF) | 0;
    const sE = dE << 6, sO = dO << 6; // 256 / 4
    const o = base + i;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0;
    words[o + n] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0;
    words[o + 2 * n] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0;
    words[o + 3 * n] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
  }
}

/** {@linkcode spanRows} for a run of 8 rows (factor 8), unrolled. */
function span8(
  words: Int32Array,
  n: number,
  base: number,
  te: Int32Array,
  be: Int32Array,
  to: Int32Array,
  bo: Int32Array,
  k0: number,
): void {
  for (let i = 0; i < n; i++) {
    const tE = te[i]!, dE = be[i]! - tE, tO = to[i]!, dO = bo[i]! - tO;
    let aE = ((tE << 8) + Math.imul(dE, k0) + LANES_HALF) | 0;
    let aO = ((tO << 8) + Math.imul(dO, k0) + LANES_HALF) | 0;
    const sE = dE << 5, sO = dO << 5; // 256 / 8
    let o = base + i;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
    aE = (aE + sE) | 0, aO = (aO + sO) | 0, o += n;
    words[o] = ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH);
  }
}

/**
 * Sums each interleaved 4-channel row of `src` over a window of `2r + 1` pixels into `dst`
 * (zero outside the row): one running sum per channel, in three loops (window entering, inside,
 * leaving) so the inner one has no branches.
 */
export function boxRows(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  r: number,
): void {
  const stride = width * 4;
  const reach = 4 * r;
  // After pixel i the window moves on: pixel i + r + 1 enters (when < width) and pixel i − r
  // leaves (when ≥ 0); both happen for i = r … width − r − 2.
  const enterEnd = Math.min(r, width) * 4;
  const middleEnd = Math.max(enterEnd, (width - r - 1) * 4);
  for (let row = 0; row < height * stride; row += stride) {
    const end = row + stride;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = row; k < Math.min(row + reach + 4, end); k += 4) {
      s0 += src[k]!;
      s1 += src[k + 1]!;
      s2 += src[k + 2]!;
      s3 += src[k + 3]!;
    }
    let o = row;
    // Window start clipped at 0: only add the entering pixel (when there is one).
    for (; o < row + enterEnd; o += 4) {
      dst[o] = s0;
      dst[o + 1] = s1;
      dst[o + 2] = s2;
      dst[o + 3] = s3;
      const k = o + reach + 4;
      if (k < end) {
        s0 += src[k]!;
        s1 += src[k + 1]!;
        s2 += src[k + 2]!;
        s3 += src[k + 3]!;
      }
    }
    for (; o < row + middleEnd; o += 4) {
      dst[o] = s0;
      dst[o + 1] = s1;
      dst[o + 2] = s2;
      dst[o + 3] = s3;
      const k = o + reach + 4;
      const j = o - reach;
      s0 += src[k]! - src[j]!;
      s1 += src[k + 1]! - src[j + 1]!;
      s2 += src[k + 2]! - src[j + 2]!;
      s3 += src[k + 3]! - src[j + 3]!;
    }
    // Window end clipped at the row's end: only remove the leaving pixel.
    for (; o < end; o += 4) {
      dst[o] = s0;
      dst[o + 1] = s1;
      dst[o + 2] = s2;
      dst[o + 3] = s3;
      const j = o - reach;
      if (j >= row) {
        s0 -= src[j]!;
        s1 -= src[j + 1]!;
        s2 -= src[j + 2]!;
        s3 -= src[j + 3]!;
      }
    }
  }
}

/**
 * Sums each column of `src` over a window of `2r + 1` rows into `dst` (zero outside), row by
 * row with one running sum per column (`sums`, 4 × width doubles) so memory is read in order.
 */
export function boxColumns(
  src: Float32Array,
  dst: Float32Array,
  sums: Float64Array,
  width: number,
  height: number,
  r: number,
): void {
  const stride = width * 4;
  sums.fill(0);
  for (let j = 0; j <= Math.min(r, height - 1); j++) {
    const row = j * stride;
    for (let k = 0; k < stride; k++) sums[k]! += src[row + k]!;
  }
  for (let y = 0; y < height; y++) {
    const out = y * stride;
    const add = (y + r + 1) * stride;
    const sub = (y - r) * stride;
    if (y + r + 1 < height && y - r >= 0) {
      for (let k = 0; k < stride; k++) {
        const s = sums[k]!;
        dst[out + k] = s;
        sums[k] = s + src[add + k]! - src[sub + k]!;
      }
    } else if (y + r + 1 < height) {
      for (let k = 0; k < stride; k++) {
        const s = sums[k]!;
        dst[out + k] = s;
        sums[k] = s + src[add + k]!;
      }
    } else if (y - r >= 0) {
      for (let k = 0; k < stride; k++) {
        const s = sums[k]!;
        dst[out + k] = s;
        sums[k] = s - src[sub + k]!;
      }
    } else {
      for (let k = 0; k < stride; k++) dst[out + k] = sums[k]!;
    }
  }
}

/**
 * The three box blurs per axis on the reduced grid `a` (4 interleaved channels, ping-pong with
 * `b`; `sums` holds 4 × `lowWidth` doubles), then {@linkcode normalize} into `pair` and `mid`.
 */
export function blurReduced(
  plan: {
    readonly lowWidth: number;
    readonly lowHeight: number;
    readonly radii: readonly [number, number, number];
  },
  a: Float32Array,
  b: Float32Array,
  sums: Float64Array,
  pair: Int32Array,
  mid: Int32Array,
): void {
  const { lowWidth: w, lowHeight: h, radii } = plan;
  boxRows(a, b, w, h, radii[0]);
  boxRows(b, a, w, h, radii[1]);
  boxRows(a, b, w, h, radii[2]);
  boxColumns(b, a, sums, w, h, radii[0]);
  boxColumns(a, b, sums, w, h, radii[1]);
  boxColumns(b, a, sums, w, h, radii[2]);
  normalize(a, pair, mid, w * h);
}

/**
 * Reduced colours = weighted sums / weights (channel 3 of `a`), rounded, packed into `pair`
 * (channel 0 | channel 2 << 16) and `mid` (channel 1), for `n` reduced pixels.
 */
function normalize(a: Float32Array, pair: Int32Array, mid: Int32Array, n: number): void {
  for (let i = 0, k = 0; i < n; i++, k += 4) {
    const f = 1 / a[k + 3]!;
    // Running sums may drift a hair outside 0 … 255: clamp.
    let c0 = (a[k]! * f + 0.5) | 0;
    let c1 = (a[k + 1]! * f + 0.5) | 0;
    let c2 = (a[k + 2]! * f + 0.5) | 0;
    c0 = c0 < 0 ? 0 : c0 > 255 ? 255 : c0;
    c1 = c1 < 0 ? 0 : c1 > 255 ? 255 : c1;
    c2 = c2 < 0 ? 0 : c2 > 255 ? 255 : c2;
    pair[i] = c0 | (c2 << 16);
    mid[i] = c1;
  }
}

/**
 * Interpolates reduced row values (8 bits each, `src[base …]`) along the column runs into bytes
 * `dst[offset + x × pitch]`: per run one multiply, then one add per pixel.
 */
export function lerpRow(
  src: Int32Array,
  base: number,
  runs: Int32Array,
  dst: Uint8Array,
  offset: number,
  pitch: number,
): void {
  for (let r = 0; r < runs.length; r += 6) {
    const end = runs[r + 1]!;
    const a = src[base + runs[r + 2]!]!, d = src[base + runs[r + 3]!]! - a;
    // a × 128 + d × weight: the same sum as a × (128 − weight) + b × weight, in 0 … 32640.
    let acc = (a << LERP_SHIFT) + Math.imul(d, runs[r + 4]!) + (LERP_ONE >> 1);
    const step = Math.imul(d, runs[r + 5]!);
    for (let x = runs[r]!, o = offset + x * pitch; x < end; x++, o += pitch) {
      dst[o] = acc >> LERP_SHIFT;
      acc = (acc + step) | 0;
    }
  }
}

/**
 * {@linkcode lerpRow} for two values per reduced pixel (lanes 0 and 1: bits 0–7 and 16–23), both
 * interpolated by the same adds: lane 0 into `dst[first + x × pitch]`, lane 1 into
 * `dst[second + x × pitch]`. The word-wise difference borrows across lanes, but each running sum
 * equals the exact lane-wise one (below 2^31), so the lanes come out as if done one by one.
 */
export function lerpPairRow(
  src: Int32Array,
  base: number,
  runs: Int32Array,
  dst: Uint8Array,
  first: number,
  second: number,
  pitch: number,
): void {
  for (let r = 0; r < runs.length; r += 6) {
    const end = runs[r + 1]!;
    const a = src[base + runs[r + 2]!]!, d = src[base + runs[r + 3]!]! - a;
    let acc = (a << LERP_SHIFT) + Math.imul(d, runs[r + 4]!) + LANES_ROUND;
    const step = Math.imul(d, runs[r + 5]!);
    for (let x = runs[r]!, o = x * pitch, o1 = first + o, o2 = second + o; x < end; x++) {
      const c = acc >> LERP_SHIFT;
      dst[o1] = c; // the store keeps bits 0–7
      dst[o2] = c >>> 16;
      acc = (acc + step) | 0;
      o1 += pitch;
      o2 += pitch;
    }
  }
}

/**
 * Runs of consecutive output indices between the same two reduced indices whose weight grows
 * by the same step, from a {@linkcode lerpTable}: 6 integers per run (first index, end, the two
 * reduced indices, the first weight, the step).
 */
export function runTable(table: [Int32Array, Int32Array, Int32Array]): Int32Array {
  const [first, second, weight] = table;
  const n = first.length;
  const same = (x: number, y: number): boolean => first[x] === first[y] && second[x] === second[y];
  const runs: number[] = [];
  for (let x = 0; x < n;) {
    let end = x + 1;
    const step = end < n && same(x, end) ? weight[end]! - weight[x]! : 0;
    while (end < n && same(x, end) && weight[end] === weight[x]! + (end - x) * step) end++;
    runs.push(x, end, first[x]!, second[x]!, weight[x]!, step);
    x = end;
  }
  return Int32Array.from(runs);
}

/** The two sample positions (x or y) inside each block of `factor` pixels, clamped to the size. */
export function samples(lowSize: number, factor: number, size: number): Int32Array {
  const first = Math.floor(factor / 4);
  const second = first + Math.floor(factor / 2);
  const table = new Int32Array(lowSize * 2);
  for (let i = 0; i < lowSize; i++) {
    table[2 * i] = Math.min(i * factor + first, size - 1);
    table[2 * i + 1] = Math.min(i * factor + second, size - 1);
  }
  return table;
}

/**
 * Bilinear table for upsampling to `size` from the reduced grid, whose pixel `i` covers output
 * pixels `i·factor … (i+1)·factor − 1` (half-pixel centres, clamped): per output index the two
 * reduced indices and the weight of the second (0 … 128).
 */
export function lerpTable(
  size: number,
  options: { lowSize: number; factor: number },
): [Int32Array, Int32Array, Int32Array] {
  const { lowSize, factor } = options;
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const weight = new Int32Array(size);
  for (let d = 0; d < size; d++) {
    let s = (d + 0.5) / factor - 0.5;
    s = s < 0 ? 0 : s > lowSize - 1 ? lowSize - 1 : s;
    const s0 = Math.floor(s);
    first[d] = s0;
    second[d] = Math.min(s0 + 1, lowSize - 1);
    weight[d] = Math.round((s - s0) * LERP_ONE);
  }
  return [first, second, weight];
}
