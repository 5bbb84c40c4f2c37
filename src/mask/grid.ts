/**
 * The reduced grid the mask is refined on: the output picture split into `factor`×`factor`
 * cells (the last row and column of cells may be cut by the picture's edge). The model's
 * probability map is sampled onto it, the camera frame is averaged onto it, and what is computed
 * there is lifted back to the output with bilinear interpolation (half-pixel centres, clamped).
 *
 * Every table is made once per geometry; nothing here allocates per frame.
 *
 * @module
 */

import type { Rect, Size } from "../frame/geometry.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { MaskEngine } from "./box.ts";

/** Linear interpolation along one axis: per destination index, two source indices and a weight. */
export interface LerpAxis {
  /** First source index. */
  i0: Int32Array;
  /** Second source index (`i0 + 1`, or `i0` at the clamped ends). */
  i1: Int32Array;
  /** Weight of the second, 0 … 1. */
  f: Float32Array;
}

/**
 * Interpolation from a grid of `lowSize` cells of `factor` pixels to `size` pixels: pixel `d`
 * sits at cell coordinate `(d + 0.5) / factor − 0.5`, clamped to the first and last cells.
 *
 * @example
 * ```ts
 * import { upsampleAxis } from "./grid.ts";
 * const { i0, f } = upsampleAxis(8, { lowSize: 2, factor: 4 });
 * // pixels 0, 1 take cell 0; pixel 2 is 1/8 of the way to cell 1; pixels 6, 7 take cell 1
 * console.log(i0[2], f[2]); // 0 0.125
 * ```
 *
 * @param size pixels along the axis
 * @param options cells along the axis and pixels per cell
 * @returns the table
 */
export function upsampleAxis(size: number, options: { lowSize: number; factor: number }): LerpAxis {
  const { lowSize, factor } = options;
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const f = new Float32Array(size);
  for (let d = 0; d < size; d++) {
    let u = (d + 0.5) / factor - 0.5;
    u = u < 0 ? 0 : u > lowSize - 1 ? lowSize - 1 : u;
    const a = Math.min(Math.floor(u), Math.max(0, lowSize - 2));
    i0[d] = a;
    i1[d] = Math.min(a + 1, lowSize - 1);
    f[d] = lowSize > 1 ? u - a : 0;
  }
  return { i0, i1, f };
}

/**
 * Where the centres of the cells fall in a region of a source map that shows the whole output:
 * cell `i`'s centre, output pixel `(i + 0.5)·factor − 0.5`, is looked up at the matching spot of
 * `[start, start + length)` in source pixels (half-pixel centres) and clamped to the region's
 * pixels, as the model's map is only valid there.
 *
 * @param lowSize cells along the axis
 * @param options the output size along the axis, the cell size, the region and the source size
 * @returns the table
 */
export function regionAxis(
  lowSize: number,
  options: { size: number; factor: number; start: number; length: number; srcSize: number },
  into?: LerpAxis,
): LerpAxis {
  const { size, factor, start, length, srcSize } = options;
  const i0 = into?.i0 ?? new Int32Array(lowSize);
  const i1 = into?.i1 ?? new Int32Array(lowSize);
  const f = into?.f ?? new Float32Array(lowSize);
  const lo = Math.max(0, Math.floor(start));
  const hi = Math.max(lo, Math.min(srcSize - 1, Math.ceil(start + length) - 1));
  for (let i = 0; i < lowSize; i++) {
    let s = start + (i + 0.5) * factor * (length / size) - 0.5;
    s = s < lo ? lo : s > hi ? hi : s;
    const a = Math.min(Math.floor(s), Math.max(lo, hi - 1));
    i0[i] = a;
    i1[i] = Math.min(a + 1, hi);
    f[i] = s - a;
  }
  return into ?? { i0, i1, f };
}

/** The cell layout for one output size and factor. */
export class Grid {
  /** Output width. */
  readonly width: number;
  /** Output height. */
  readonly height: number;
  /** Output pixels per cell along each axis. */
  readonly factor: number;
  /** Cells per row, `ceil(width / factor)`. */
  readonly lowWidth: number;
  /** Cell rows, `ceil(height / factor)`. */
  readonly lowHeight: number;
  /** Output → cells, horizontally. */
  readonly cols: LerpAxis;
  /** Output → cells, vertically. */
  readonly rows: LerpAxis;

  /**
   * @param size the output size
   * @param factor output pixels per cell along each axis (≥ 1)
   */
  constructor(size: Size, factor: number) {
    if (!Number.isInteger(factor) || factor < 1) {
      throw new RangeError(`Cannot use grid factor ${factor}: use a whole number from 1`);
    }
    this.width = size.width;
    this.height = size.height;
    this.factor = factor;
    this.lowWidth = Math.ceil(size.width / factor);
    this.lowHeight = Math.ceil(size.height / factor);
    this.cols = upsampleAxis(size.width, { lowSize: this.lowWidth, factor });
    this.rows = upsampleAxis(size.height, { lowSize: this.lowHeight, factor });
  }
}

/**
 * Samples a region of a probability map (e.g. the model's 256×144 output) at the cell centres of
 * a {@linkcode Grid}, bilinearly, in float.
 */
export class RegionSampler {
  readonly #cols: LerpAxis;
  readonly #rows: LerpAxis;
  readonly #srcWidth: number;
  readonly #kernels: Kernels | null;
  readonly #grid: Grid;
  readonly #map: Size;

  /**
   * @param grid the cells
   * @param source the map's size and the part of it that shows the output
   * @param engine the kernels to run on (default: none, TypeScript)
   */
  constructor(grid: Grid, source: { map: Size; region: Rect }, engine: MaskEngine = {}) {
    this.#kernels = engine.kernels ?? null;
    const { map: src, region } = source;
    this.#srcWidth = src.width;
    this.#grid = grid;
    this.#map = { width: src.width, height: src.height };
    const place = (axis: LerpAxis): LerpAxis => {
      const arena = this.#kernels?.arena;
      if (!arena) return axis;
      const copy = {
        i0: arena.int32(axis.i0.length),
        i1: arena.int32(axis.i1.length),
        f: arena.float32(axis.f.length),
      };
      copy.i0.set(axis.i0);
      copy.i1.set(axis.i1);
      copy.f.set(axis.f);
      return copy;
    };
    this.#cols = place(regionAxis(grid.lowWidth, {
      size: grid.width,
      factor: grid.factor,
      start: region.x,
      length: region.w,
      srcSize: src.width,
    }));
    this.#rows = place(regionAxis(grid.lowHeight, {
      size: grid.height,
      factor: grid.factor,
      start: region.y,
      length: region.h,
      srcSize: src.height,
    }));
  }

  /**
   * Points the sampler at another region of the map (e.g. a moving crop), filling its tables
   * again in place: nothing is allocated.
   *
   * @param region the part of the map that shows the output
   */
  update(region: Rect): void {
    const grid = this.#grid, src = this.#map;
    regionAxis(grid.lowWidth, {
      size: grid.width,
      factor: grid.factor,
      start: region.x,
      length: region.w,
      srcSize: src.width,
    }, this.#cols);
    regionAxis(grid.lowHeight, {
      size: grid.height,
      factor: grid.factor,
      start: region.y,
      length: region.h,
      srcSize: src.height,
    }, this.#rows);
  }

  /** Gives the tables back to the kernels' memory; the sampler is not to be used afterwards. */
  release(): void {
    const c = this.#cols, r = this.#rows;
    this.#kernels?.release(c.i0, c.i1, c.f, r.i0, r.i1, r.f);
  }

  /**
   * Fills `out` (lowWidth × lowHeight) from `src`.
   *
   * @param src the map, row-major
   * @param out the samples, row-major
   */
  sample(src: Float32Array, out: Float32Array): void {
    if (this.#kernels !== null) {
      this.#kernels.regionSample(src, out, this.#srcWidth, this.#cols, this.#rows);
      return;
    }
    const { i0: x0, i1: x1, f: fx } = this.#cols;
    const { i0: y0, i1: y1, f: fy } = this.#rows;
    const w = x0.length;
    const sw = this.#srcWidth;
    let o = 0;
    for (let j = 0; j < y0.length; j++) {
      const r0 = y0[j]! * sw;
      const r1 = y1[j]! * sw;
      const wy = fy[j]!;
      for (let i = 0; i < w; i++) {
        const a = x0[i]!;
        const b = x1[i]!;
        const wx = fx[i]!;
        const top = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * wx;
        const bottom = src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * wx;
        out[o++] = top + (bottom - top) * wy;
      }
    }
  }
}
