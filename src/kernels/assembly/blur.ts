// The mask-aware blur's vertical upsampling in WebAssembly SIMD: `spanRows` of
// `src/background/_blur_kernels.ts` (two 8.8 fixed-point accumulators per 32-bit word, one for
// bytes 0 and 2, one for bytes 1 and 3), four words per step. All whole-number arithmetic that
// wraps as the TypeScript's `| 0` does, so the same bytes; the tests compare the two.

const LANES_HALF: i32 = 0x00800080;
const LANES_MASK: i32 = 0x00ff00ff;
const LANES_HIGH: i32 = 0xff00ff00;

/**
 * Writes `rows` rows of `stride` words from word `base` of `words` on, between the reduced rows
 * `te`/`to` (top: even and odd bytes) and `be`/`bo` (bottom), the first row at weight `k0` / 256
 * of the bottom one, growing by `step` / 256 a row.
 */
export function blurSpan(
  words: usize, stride: i32, base: i32, te: usize, be: usize, to: usize, bo: usize,
  k0: i32, step: i32, rows: i32,
): void {
  const half = i32x4.splat(LANES_HALF);
  const mask = i32x4.splat(LANES_MASK);
  const high = i32x4.splat(LANES_HIGH);
  const k = i32x4.splat(k0);
  const st = i32x4.splat(step);
  const rowBytes = <usize>stride << 2;
  let i = 0;
  for (; i + 4 <= stride; i += 4) {
    const b = <usize>i << 2;
    const tE = v128.load(te + b), tO = v128.load(to + b);
    const dE = i32x4.sub(v128.load(be + b), tE), dO = i32x4.sub(v128.load(bo + b), tO);
    let aE = i32x4.add(i32x4.add(i32x4.shl(tE, 8), i32x4.mul(dE, k)), half);
    let aO = i32x4.add(i32x4.add(i32x4.shl(tO, 8), i32x4.mul(dO, k)), half);
    const sE = i32x4.mul(dE, st), sO = i32x4.mul(dO, st);
    let o = words + (<usize>(base + i) << 2);
    for (let r = 0; r < rows; r++, o += rowBytes) {
      v128.store(o, v128.or(v128.and(i32x4.shr_u(aE, 8), mask), v128.and(aO, high)));
      aE = i32x4.add(aE, sE);
      aO = i32x4.add(aO, sO);
    }
  }
  for (; i < stride; i++) {
    const b = <usize>i << 2;
    const tE = load<i32>(te + b), dE = load<i32>(be + b) - tE;
    const tO = load<i32>(to + b), dO = load<i32>(bo + b) - tO;
    let aE = (tE << 8) + dE * k0 + LANES_HALF;
    let aO = (tO << 8) + dO * k0 + LANES_HALF;
    const sE = dE * step, sO = dO * step;
    let o = words + (<usize>(base + i) << 2);
    for (let r = 0; r < rows; r++, o += rowBytes) {
      store<i32>(o, ((aE >>> 8) & LANES_MASK) | (aO & LANES_HIGH));
      aE += sE;
      aO += sO;
    }
  }
}
