/**
 * Box means on small float maps: the mean over a `(2r + 1)²` window clipped to the map (each
 * window divided by the number of pixels it really covers, so edges are not darkened). Two
 * running-sum passes, O(1) per pixel for any radius; the scratch row and the reciprocal tables
 * are made once. With the kernels (`src/kernels/`) the same passes run in WebAssembly, to the bit.
 *
 * @module
 */

import { type Allocate, type Kernels, PLAIN } from "../kernels/mod.ts";

/** How a mask stage runs: on the kernels (WebAssembly, the default) or in TypeScript (null). */
export interface MaskEngine {
  /** The kernels its buffers live in and its passes run on; null: plain TypeScript. */
  kernels?: Kernels | null;
}

/** A box mean of one radius on maps of one size. */
export class BoxMean {
  /** Map width. */
  readonly width: number;
  /** Map height. */
  readonly height: number;
  /** Window radius. */
  readonly radius: number;
  /** The scratch map, the column sums and the reciprocal tables (the kernels read them). */
  readonly scratch: {
    readonly tmp: Float32Array;
    readonly col: Float64Array;
    readonly rx: Float32Array;
    readonly ry: Float32Array;
  };
  readonly #tmp: Float32Array;
  readonly #col: Float64Array;
  readonly #rx: Float32Array;
  readonly #ry: Float32Array;
  readonly #kernels: Kernels | null;

  /**
   * @param size the maps' size
   * @param radius window radius in map pixels (≥ 0)
   * @param engine the kernels to run on (default: none, TypeScript)
   */
  constructor(size: { width: number; height: number }, radius: number, engine: MaskEngine = {}) {
    const { width, height } = size;
    this.width = width;
    this.height = height;
    this.radius = radius;
    this.#kernels = engine.kernels ?? null;
    const alloc: Allocate = this.#kernels?.arena ?? PLAIN;
    this.#tmp = alloc.float32(width * height);
    this.#col = alloc.float64(width);
    this.#rx = alloc.float32(width);
    this.#rx.set(reciprocals(width, radius));
    this.#ry = alloc.float32(height);
    this.#ry.set(reciprocals(height, radius));
    this.scratch = { tmp: this.#tmp, col: this.#col, rx: this.#rx, ry: this.#ry };
  }

  /** Gives the arrays back to the kernels' memory; the box is not to be used afterwards. */
  release(): void {
    this.#kernels?.release(this.#tmp, this.#col, this.#rx, this.#ry);
  }

  /**
   * Writes the box mean of `src` into `dst` (may not be the same array).
   *
   * @param src the map, row-major
   * @param dst the means, row-major
   * @example
   * ```ts
   * import { BoxMean } from "./box.ts";
   * const out = new Float32Array(3);
   * new BoxMean({ width: 3, height: 1 }, 1).apply(new Float32Array([0, 3, 6]), out); // [1.5, 3, 4.5]
   * ```
   */
  apply(src: Float32Array, dst: Float32Array): void {
    const { width: w, height: h, radius: r } = this;
    if (this.#kernels !== null) {
      this.#kernels.boxMean(src, dst, this.scratch, { width: w, height: h, radius: r });
      return;
    }
    const tmp = this.#tmp;
    const rx = this.#rx;
    const ry = this.#ry;
    // Along rows: the window enters (x ≤ r), slides, then leaves (x ≥ w − r − 1); three loops
    // without branches. `enterEnd` ≤ `slideEnd` even when the window is wider than the row.
    const enterEnd = Math.min(r + 1, w);
    const slideEnd = Math.max(enterEnd, w - r - 1);
    for (let row = 0; row < w * h; row += w) {
      let sum = 0;
      for (let k = 0; k < Math.min(r, w); k++) sum += src[row + k]!;
      let x = 0;
      for (; x < enterEnd; x++) {
        if (x + r < w) sum += src[row + x + r]!;
        tmp[row + x] = sum * rx[x]!;
      }
      for (; x < slideEnd; x++) {
        sum += src[row + x + r]! - src[row + x - r - 1]!;
        tmp[row + x] = sum * rx[x]!;
      }
      for (; x < w; x++) {
        if (x + r < w) sum += src[row + x + r]!;
        sum -= src[row + x - r - 1]!;
        tmp[row + x] = sum * rx[x]!;
      }
    }
    // Along columns, a row at a time (cache friendly): running column sums.
    const col = this.#col;
    col.fill(0);
    for (let y = 0; y < Math.min(r, h); y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) col[x] = col[x]! + tmp[row + x]!;
    }
    for (let y = 0; y < h; y++) {
      const row = y * w;
      const k = ry[y]!;
      const enter = y + r < h ? (y + r) * w : -1;
      const leave = y - r - 1 >= 0 ? (y - r - 1) * w : -1;
      if (enter >= 0 && leave >= 0) {
        for (let x = 0; x < w; x++) {
          const c = col[x]! + tmp[enter + x]! - tmp[leave + x]!;
          col[x] = c;
          dst[row + x] = c * k;
        }
      } else {
        if (enter >= 0) { for (let x = 0; x < w; x++) col[x] = col[x]! + tmp[enter + x]!; }
        if (leave >= 0) { for (let x = 0; x < w; x++) col[x] = col[x]! - tmp[leave + x]!; }
        for (let x = 0; x < w; x++) dst[row + x] = col[x]! * k;
      }
    }
  }
}

/** 1 / (pixels of the clipped window) per position. */
function reciprocals(size: number, r: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = 1 / (Math.min(size - 1, i + r) - Math.max(0, i - r) + 1);
  }
  return out;
}
