/**
 * Edge-aware upsampling of the person probability with the fast guided filter (He & Sun 2015):
 * on the reduced grid, the probability `p` is fitted locally as a linear function of the camera
 * frame's luma `I` (`q = a·I + b` over each window, ridge-regularised by `eps`); the coefficients
 * `a`, `b` are then lifted to the output bilinearly and applied to the full-resolution luma. The
 * mask's transition therefore snaps to the real edges of hair, ears and shoulders inside each
 * window, while flat regions (where the luma says nothing) keep the smooth upsampled probability.
 *
 * The guide is the luma plane of the output frame (a `Frame`'s `y`, full range, whatever its
 * chroma layout), read as is.
 *
 * Cost at 1280×720 with 8×8 cells: 2×2 luma samples per cell onto 160×90 cells, six box means
 * there, and one output pass in which only the quads near the person's edge cost per-pixel work
 * (two lerps, a luma, a multiply-add and a table look-up); the rest is filled. No allocation
 * after the constructor. With the kernels (`src/kernels/`, the default of `MaskPipeline`) its
 * arrays live in the kernels' memory and the three steps run in WebAssembly, to the bit.
 *
 * @module
 */

import { type Allocate, type GuidedKernel, type Kernels, PLAIN } from "../kernels/mod.ts";
import { BoxMean, type MaskEngine } from "./box.ts";
import type { Grid } from "./grid.ts";
import { LUT_MAX } from "./remap.ts";

/** Options for {@linkcode GuidedUpsampler}. */
export interface GuidedOptions {
  /** Window radius in cells (default 1: 3×3 cells, 24×24 output pixels with 8×8 cells). */
  radius?: number;
  /** Regularisation: luma variance (luma in 0 … 1) below which an edge is not trusted. */
  eps?: number;
  /** Probability (in 1/{@linkcode LUT_MAX}ths) → alpha; default: alpha = probability. */
  lut?: Uint8Array;
  /** Probability → light-wrap weight, when light-wrap weights are wanted. */
  wrapLut?: Uint8Array | null;
  /**
   * Per-pixel temporal hold on the edge band, 0 … 1 (0: off): a change of alpha smaller than
   * `holdRange[0]` levels moves only `1 − hold` of the way from the previous frame's alpha
   * (sensor noise in the camera frame), a change above `holdRange[1]` is taken at once (motion).
   */
  hold?: number;
  /** The alpha changes (levels, 0 … 255) that are noise / motion for `hold`. */
  holdRange?: readonly [number, number];
  /** No guided filter: lift the probability bilinearly (`a = 0`, `b = p`), for comparison. */
  plain?: boolean;
}

/** The default per-pixel hold strength. */
export const DEFAULT_HOLD = 0.8;
/** The default noise / motion limits of the per-pixel hold, in alpha levels. */
export const DEFAULT_HOLD_RANGE: readonly [number, number] = [16, 64];

/**
 * The per-pixel hold as a table: for a change `d` of alpha (index `d + 255`), the step taken.
 *
 * @param hold strength 0 … 1
 * @param range noise / motion limits in levels
 * @returns 511 steps
 */
export function holdSteps(hold: number, range: readonly [number, number]): Int16Array {
  const steps = new Int16Array(511);
  const [t0, t1] = range;
  for (let d = -255; d <= 255; d++) {
    const ad = Math.abs(d);
    const w = ad <= t0 ? 1 - hold : ad >= t1 ? 1 : 1 - hold + hold * (ad - t0) / (t1 - t0);
    steps[d + 255] = Math.round(d * w);
  }
  return steps;
}

/** The default window radius, in cells. */
export const DEFAULT_GUIDED_RADIUS = 1;
/** The default regularisation (a luma step of ~0.1 = 25 levels is half-trusted). */
export const DEFAULT_GUIDED_EPS = 0.0025;

/** Quad kinds: every pixel of the quad maps to the table's first entry, its last, or varies. */
const LOW = 0;
const HIGH = 1;
const MIXED = 2;

/** The fast guided filter on luma, from the reduced grid to the output. */
export class GuidedUpsampler {
  /** The cells. */
  readonly grid: Grid;
  /** The probability on the cells (0 … 1), filled by the caller before {@linkcode solve}. */
  readonly input: Float32Array;
  /** The mean luma of each cell (0 … 1), from {@linkcode setGuide}. */
  readonly guide: Float32Array;
  readonly #eps: number;
  readonly #box: BoxMean;
  readonly #lut: Uint8Array;
  readonly #wrapLut: Uint8Array | null;
  readonly #hold: Int16Array | null;
  readonly #plain: boolean;
  /** Below this index both tables give their first entry; from `#highStart` on, their last. */
  readonly #lowEnd: number;
  readonly #highStart: number;
  readonly #ip: Float32Array;
  readonly #ii: Float32Array;
  readonly #mI: Float32Array;
  readonly #mP: Float32Array;
  readonly #mIP: Float32Array;
  readonly #mII: Float32Array;
  readonly #a: Float32Array;
  readonly #b: Float32Array;
  /** Per cell: the 2×2 luma sample offsets in the frame (pixels), rows and columns. */
  readonly #sampleCols: Int32Array;
  readonly #sampleRows: Int32Array;
  /** Per quad (between 2×2 cells): LOW, HIGH or MIXED, from {@linkcode solve}. */
  readonly #kind: Uint8Array;
  readonly #quadWidth: number;
  /** First output column of each quad column (and the width at the end). */
  readonly #quadStart: Int32Array;
  readonly #runStart: Int32Array;
  readonly #runEnd: Int32Array;
  readonly #runKind: Uint8Array;
  readonly #runQuad: Int32Array;
  readonly #runQuadEnd: Int32Array;
  /** Segments of output columns with one quad and an evenly growing weight (see constructor). */
  readonly #segStart: Int32Array;
  readonly #segCell: Int32Array;
  readonly #segF0: Float32Array;
  readonly #segDf: Float32Array;
  /** First segment of each quad column (and the segment count at the end). */
  readonly #quadSeg: Int32Array;
  readonly #rowA: Float32Array;
  readonly #rowB: Float32Array;
  /** The grid's lifting tables, in the kernels' memory (null without kernels). */
  readonly #lift: {
    x0: Int32Array;
    x1: Int32Array;
    y0: Int32Array;
    y1: Int32Array;
    fy: Float32Array;
  } | null;
  readonly #kernels: Kernels | null;
  readonly #wasm: GuidedKernel | null;

  /**
   * @param grid the cells and the output size
   * @param options window radius, regularisation and the output tables
   * @param engine the kernels to run on (default: none, TypeScript)
   */
  constructor(grid: Grid, options: GuidedOptions = {}, engine: MaskEngine = {}) {
    this.grid = grid;
    const { lowWidth: lw, lowHeight: lh, factor } = grid;
    const n = lw * lh;
    const kernels = this.#kernels = engine.kernels ?? null;
    const alloc: Allocate = kernels?.arena ?? PLAIN;
    /** A copy of `a` made by `alloc`. */
    const placed = <T extends Uint8Array | Int16Array>(a: T, make: (n: number) => T): T => {
      const copy = make(a.length);
      copy.set(a);
      return copy;
    };
    this.input = alloc.float32(n);
    this.guide = alloc.float32(n);
    this.#eps = options.eps ?? DEFAULT_GUIDED_EPS;
    this.#box = new BoxMean(
      { width: lw, height: lh },
      options.radius ?? DEFAULT_GUIDED_RADIUS,
      engine,
    );
    this.#lut = placed(
      options.lut ??
        Uint8Array.from({ length: LUT_MAX + 1 }, (_, i) => Math.round(i * 255 / LUT_MAX)),
      (k) => alloc.bytes(k),
    );
    this.#wrapLut = options.wrapLut ? placed(options.wrapLut, (k) => alloc.bytes(k)) : null;
    this.#plain = options.plain ?? false;
    const hold = options.hold ?? 0;
    this.#hold = hold > 0
      ? placed(holdSteps(hold, options.holdRange ?? DEFAULT_HOLD_RANGE), (k) => alloc.int16(k))
      : null;
    const lut = this.#lut, wlut = this.#wrapLut;
    const same = (i: number, j: number): boolean =>
      lut[i] === lut[j] && (wlut === null || wlut[i] === wlut[j]);
    let lowEnd = 0;
    while (lowEnd < LUT_MAX && same(lowEnd + 1, 0)) lowEnd++;
    let highStart = LUT_MAX;
    while (highStart > 0 && same(highStart - 1, LUT_MAX)) highStart--;
    this.#lowEnd = lowEnd;
    this.#highStart = highStart;
    this.#ip = alloc.float32(n);
    this.#ii = alloc.float32(n);
    this.#mI = alloc.float32(n);
    this.#mP = alloc.float32(n);
    this.#mIP = alloc.float32(n);
    this.#mII = alloc.float32(n);
    this.#a = alloc.float32(n);
    this.#b = alloc.float32(n);
    const first = Math.floor(factor / 4);
    const second = Math.floor((3 * factor) / 4);
    this.#sampleCols = alloc.int32(lw * 2);
    for (let i = 0; i < lw; i++) {
      this.#sampleCols[2 * i] = Math.min(i * factor + first, grid.width - 1);
      this.#sampleCols[2 * i + 1] = Math.min(i * factor + second, grid.width - 1);
    }
    this.#sampleRows = alloc.int32(lh * 2);
    for (let j = 0; j < lh; j++) {
      this.#sampleRows[2 * j] = Math.min(j * factor + first, grid.height - 1) * grid.width;
      this.#sampleRows[2 * j + 1] = Math.min(j * factor + second, grid.height - 1) * grid.width;
    }
    this.#quadWidth = Math.max(1, lw - 1);
    this.#kind = alloc.bytes(this.#quadWidth * Math.max(1, lh - 1));
    this.#quadStart = alloc.int32(this.#quadWidth + 1);
    const cols = grid.cols.i0;
    for (let q = 0, x = 0; q <= this.#quadWidth; q++) {
      while (x < grid.width && cols[x]! < q) x++;
      this.#quadStart[q] = x;
    }
    this.#quadStart[this.#quadWidth] = grid.width;
    this.#runStart = alloc.int32(this.#quadWidth);
    this.#runEnd = alloc.int32(this.#quadWidth);
    this.#runKind = alloc.bytes(this.#quadWidth);
    this.#runQuad = alloc.int32(this.#quadWidth);
    this.#runQuadEnd = alloc.int32(this.#quadWidth);
    // Split the columns into segments with one first cell in which the weight grows evenly
    // (by 1 / factor per pixel, or not at all in the clamped margins).
    const { f: fxs } = grid.cols;
    const starts: number[] = [0];
    for (let x = 1, xs = 0; x < grid.width; x++) {
      const linear = x - xs < 2 ||
        Math.abs(fxs[x]! - (fxs[xs]! + (x - xs) * (fxs[xs + 1]! - fxs[xs]!))) < 1e-5;
      if (cols[x] !== cols[xs] || !linear) {
        starts.push(x);
        xs = x;
      }
    }
    const segments = starts.length;
    this.#segStart = alloc.int32(segments + 1);
    this.#segCell = alloc.int32(segments);
    this.#segF0 = alloc.float32(segments);
    this.#segDf = alloc.float32(segments);
    this.#quadSeg = alloc.int32(this.#quadWidth + 1).fill(segments);
    for (let g = segments - 1; g >= 0; g--) {
      const x = starts[g]!;
      const end = g + 1 < segments ? starts[g + 1]! : grid.width;
      this.#segStart[g] = x;
      this.#segCell[g] = cols[x]!;
      this.#segF0[g] = fxs[x]!;
      this.#segDf[g] = end - x > 1 ? fxs[x + 1]! - fxs[x]! : 0;
      this.#quadSeg[cols[x]!] = g;
    }
    this.#segStart[segments] = grid.width;
    this.#rowA = alloc.float32(lw);
    this.#rowB = alloc.float32(lw);
    if (kernels === null) {
      this.#lift = null;
      this.#wasm = null;
      return;
    }
    const copy = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const c = make(a.length);
      c.set(a);
      return c;
    };
    const ints = (k: number) => alloc.int32(k), floats = (k: number) => alloc.float32(k);
    const lift = this.#lift = {
      x0: copy(grid.cols.i0, ints),
      x1: copy(grid.cols.i1, ints),
      y0: copy(grid.rows.i0, ints),
      y1: copy(grid.rows.i1, ints),
      fy: copy(grid.rows.f, floats),
    };
    const box = this.#box.scratch;
    this.#wasm = kernels.guided({
      lowWidth: lw,
      lowHeight: lh,
      width: grid.width,
      height: grid.height,
      plain: this.#plain,
      radius: this.#box.radius,
      eps: this.#eps,
      lowEnd,
      highStart,
      quadWidth: this.#quadWidth,
      input: this.input,
      guide: this.guide,
      ip: this.#ip,
      ii: this.#ii,
      mI: this.#mI,
      mP: this.#mP,
      mIP: this.#mIP,
      mII: this.#mII,
      a: this.#a,
      b: this.#b,
      kind: this.#kind,
      boxTmp: box.tmp,
      boxCol: box.col,
      boxRx: box.rx,
      boxRy: box.ry,
      lut: this.#lut,
      wrapLut: this.#wrapLut,
      hold: this.#hold,
      quadStart: this.#quadStart,
      runStart: this.#runStart,
      runEnd: this.#runEnd,
      runKind: this.#runKind,
      runQuad: this.#runQuad,
      runQuadEnd: this.#runQuadEnd,
      quadSeg: this.#quadSeg,
      segStart: this.#segStart,
      segCell: this.#segCell,
      segF0: this.#segF0,
      segDf: this.#segDf,
      rowA: this.#rowA,
      rowB: this.#rowB,
      ...lift,
      sampleCols: this.#sampleCols,
      sampleRows: this.#sampleRows,
    });
  }

  /**
   * Gives every array back to the kernels' memory (nothing without kernels); the filter is not
   * to be used afterwards.
   */
  release(): void {
    const k = this.#kernels;
    if (k === null) return;
    this.#box.release();
    k.release(this.input, this.guide, this.#ip, this.#ii, this.#mI, this.#mP, this.#mIP);
    k.release(this.#mII, this.#a, this.#b, this.#kind, this.#lut, this.#wrapLut, this.#hold);
    k.release(this.#sampleCols, this.#sampleRows, this.#quadStart, this.#runStart, this.#runEnd);
    k.release(this.#runKind, this.#runQuad, this.#runQuadEnd, this.#segStart, this.#segCell);
    k.release(this.#segF0, this.#segDf, this.#quadSeg, this.#rowA, this.#rowB, this.#wasm?.bytes);
    const l = this.#lift!;
    k.release(l.x0, l.x1, l.y0, l.y1, l.fy);
  }

  /**
   * The averaged coefficients of the last {@linkcode solve} on the cells: alpha (0 … 1) =
   * `a·luma + b` with luma in 0 … 1, `a` and `b` lifted bilinearly. Views, valid until the next
   * solve (for tests and visualisation).
   */
  get coefficients(): { a: Float32Array; b: Float32Array } {
    return { a: this.#mIP, b: this.#mII };
  }

  /**
   * The luma plane's mean on the cells: the mean of 2×2 samples per cell, spread over it (a
   * quarter and three quarters of the way), as the reduced grid needs no more.
   *
   * @example
   * ```ts
   * import { Grid } from "./grid.ts";
   * import { GuidedUpsampler } from "./guided.ts";
   * const g = new GuidedUpsampler(new Grid({ width: 8, height: 4 }, 4));
   * g.setGuide(new Uint8Array(8 * 4).fill(255));
   * console.log(g.guide[0]); // 1
   * ```
   *
   * @param y luma 0 … 255, output width × height
   */
  setGuide(y: Uint8Array): void {
    if (this.#plain) return; // the plain lifting needs no guide
    if (this.#wasm !== null) {
      this.#wasm.guide(y);
      return;
    }
    const lw2 = 2 * this.grid.lowWidth;
    const cols = this.#sampleCols;
    const rows = this.#sampleRows;
    const guide = this.guide;
    const scale = 1 / (4 * 255);
    let k = 0;
    for (let j = 0; j < rows.length; j += 2) {
      const ra = rows[j]!, rb = rows[j + 1]!;
      for (let i = 0; i < lw2; i += 2, k++) {
        const ca = cols[i]!, cb = cols[i + 1]!;
        guide[k] = (y[ra + ca]! + y[ra + cb]! + y[rb + ca]! + y[rb + cb]!) * scale;
      }
    }
  }

  /**
   * Fits the local linear models of {@linkcode input} on {@linkcode guide} (the `a`, `b` maps)
   * and marks the quads whose every pixel is certain to map to the tables' first or last entry.
   */
  solve(): void {
    if (this.#wasm !== null) {
      this.#wasm.solve();
      return;
    }
    const n = this.input.length;
    const I = this.guide;
    const p = this.input;
    const mI = this.#mI, mP = this.#mP, mIP = this.#mIP, mII = this.#mII;
    const a = this.#a, b = this.#b;
    // The averaged coefficients end up in mIP (a) and mII (b).
    const mA = mIP, mB = mII;
    if (this.#plain) {
      // Plain bilinear lifting of the probability: a = 0, b = p.
      mA.fill(0);
      mB.set(p);
    } else {
      const ip = this.#ip;
      const ii = this.#ii;
      for (let k = 0; k < n; k++) {
        const g = I[k]!;
        ip[k] = g * p[k]!;
        ii[k] = g * g;
      }
      const box = this.#box;
      box.apply(I, mI);
      box.apply(p, mP);
      box.apply(ip, mIP);
      box.apply(ii, mII);
      const eps = this.#eps;
      for (let k = 0; k < n; k++) {
        const m = mI[k]!;
        const variance = mII[k]! - m * m;
        const cov = mIP[k]! - m * mP[k]!;
        const ak = cov / ((variance > 0 ? variance : 0) + eps);
        a[k] = ak;
        b[k] = mP[k]! - ak * m;
      }
      // Average the coefficients of every window that covers a cell (reuse the product maps).
      box.apply(a, mA);
      box.apply(b, mB);
    }
    // Bounds of q = a·I + b over I in 0 … 1 per cell (reuse a, b), then per quad: bilinear
    // weights are convex, so a quad's pixels stay within its four cells' bounds.
    const lo = a, hi = b;
    for (let k = 0; k < n; k++) {
      const bk = mB[k]! * LUT_MAX;
      const ak = mA[k]! * LUT_MAX;
      lo[k] = ak < 0 ? bk + ak : bk;
      hi[k] = ak > 0 ? bk + ak : bk;
    }
    const { lowWidth: lw, lowHeight: lh } = this.grid;
    const qw = this.#quadWidth;
    const qh = Math.max(1, lh - 1);
    const lowEnd = this.#lowEnd, highStart = this.#highStart;
    const kind = this.#kind;
    for (let j = 0; j < qh; j++) {
      const r0 = j * lw;
      const r1 = Math.min(j + 1, lh - 1) * lw;
      for (let i = 0; i < qw; i++) {
        const i1 = i + 1 < lw ? i + 1 : i;
        const qmax = Math.max(hi[r0 + i]!, hi[r0 + i1]!, hi[r1 + i]!, hi[r1 + i1]!);
        const qmin = Math.min(lo[r0 + i]!, lo[r0 + i1]!, lo[r1 + i]!, lo[r1 + i1]!);
        kind[j * qw + i] = qmax < lowEnd ? LOW : qmin >= highStart + 1 ? HIGH : MIXED;
      }
    }
  }

  /**
   * Applies the lifted coefficients to the full-resolution luma and maps the result through the
   * tables into `alpha` (and `wrap`, when the light-wrap table was given); use it after
   * {@linkcode setGuide} and {@linkcode solve} on the same plane. Quads that are certain to be
   * background or person are filled without reading the plane: only the band along the person's
   * edge costs per-pixel work. With `hold`, `alpha` must hold the previous frame's alpha (the
   * same buffer every frame).
   *
   * @example
   * ```ts
   * import { Grid } from "./grid.ts";
   * import { GuidedUpsampler } from "./guided.ts";
   * const g = new GuidedUpsampler(new Grid({ width: 8, height: 4 }, 4));
   * const y = new Uint8Array(8 * 4).fill(100);
   * g.input.fill(1);
   * g.setGuide(y);
   * g.solve();
   * const alpha = new Uint8Array(8 * 4);
   * g.render(y, alpha);
   * console.log(alpha[0]); // 255
   * ```
   *
   * @param y luma 0 … 255, output width × height
   * @param alpha the output alpha, width × height
   * @param wrap the light-wrap weights, width × height (needs the `wrapLut` option)
   */
  render(y: Uint8Array, alpha: Uint8Array, wrap?: Uint8Array): void {
    if (this.#wasm !== null) {
      this.#wasm.render(y, alpha, wrap);
      return;
    }
    const { width, height, lowWidth } = this.grid;
    const { i0: x0, i1: x1 } = this.grid.cols;
    const { i0: y0, i1: y1, f: fy } = this.grid.rows;
    const mA = this.#mIP, mB = this.#mII;
    const rowA = this.#rowA, rowB = this.#rowB;
    const lut = this.#lut;
    const wlut = this.#wrapLut;
    const wout = wlut !== null && wrap !== undefined ? wrap : null;
    const hold = this.#hold;
    const lowA = lut[0]!, highA = lut[LUT_MAX]!;
    const lowW = wlut ? wlut[0]! : 0, highW = wlut ? wlut[LUT_MAX]! : 0;
    // The coefficients apply to luma levels (0 … 255) in the table's units.
    const scaleA = LUT_MAX / 255;
    const qw = this.#quadWidth;
    const kind = this.#kind;
    const quadStart = this.#quadStart;
    const runStart = this.#runStart, runEnd = this.#runEnd, runKind = this.#runKind;
    const runQuad = this.#runQuad, runQuadEnd = this.#runQuadEnd;
    const quadSeg = this.#quadSeg;
    const segStart = this.#segStart, segCell = this.#segCell;
    const segF0 = this.#segF0, segDf = this.#segDf;
    let runs = 0;
    let runsOf = -1;
    for (let row = 0; row < height; row++) {
      const j = y0[row]!;
      if (j !== runsOf) {
        // Runs of equal quads in this quad row, as output column ranges.
        runsOf = j;
        runs = 0;
        const row = j * qw;
        for (let i = 0; i < qw;) {
          const k = kind[row + i]!;
          let e = i + 1;
          while (e < qw && kind[row + e] === k) e++;
          runStart[runs] = quadStart[i]!;
          runEnd[runs] = quadStart[e]!;
          runQuad[runs] = i;
          runQuadEnd[runs] = e;
          runKind[runs] = k;
          runs++;
          i = e;
        }
      }
      const o = row * width;
      const r0 = j * lowWidth;
      const r1 = y1[row]! * lowWidth;
      const wy = fy[row]!;
      for (let r = 0; r < runs; r++) {
        const start = runStart[r]!, end = runEnd[r]!;
        const k = runKind[r]!;
        if (k !== MIXED) {
          alpha.fill(k === LOW ? lowA : highA, o + start, o + end);
          if (wout !== null) wout.fill(k === LOW ? lowW : highW, o + start, o + end);
          continue;
        }
        // The cells this run's pixels interpolate between, lifted to this row.
        const c0 = x0[start]!, c1 = x1[end - 1]!;
        for (let i = c0; i <= c1; i++) {
          const a0 = mA[r0 + i]!, b0 = mB[r0 + i]!;
          rowA[i] = (a0 + (mA[r1 + i]! - a0) * wy) * scaleA;
          rowB[i] = (b0 + (mB[r1 + i]! - b0) * wy) * LUT_MAX + 0.5;
        }
        // Segment by segment (the interpolation weight grows evenly inside one): the lifted
        // coefficients are stepped, not looked up, per pixel.
        const segEnd = quadSeg[runQuadEnd[r]!]!;
        for (let g = quadSeg[runQuad[r]!]!; g < segEnd; g++) {
          const xs = segStart[g]!, xe = segStart[g + 1]!;
          const i = segCell[g]!, f0 = segF0[g]!, df = segDf[g]!;
          const ai = rowA[i]!, dA = rowA[i + 1 < lowWidth ? i + 1 : i]! - ai;
          const bi = rowB[i]!, dB = rowB[i + 1 < lowWidth ? i + 1 : i]! - bi;
          let a = ai + dA * f0, b = bi + dB * f0;
          const sa = dA * df, sb = dB * df;
          for (let x = xs; x < xe; x++, a += sa, b += sb) {
            const q = a * y[o + x]! + b;
            const idx = q <= 0 ? 0 : q >= LUT_MAX ? LUT_MAX : q | 0;
            if (hold === null) {
              alpha[o + x] = lut[idx]!;
            } else {
              const prev = alpha[o + x]!;
              alpha[o + x] = prev + hold[lut[idx]! - prev + 255]!;
            }
            if (wout !== null) wout[o + x] = wlut![idx]!;
          }
        }
      }
    }
  }
}
