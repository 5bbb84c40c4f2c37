/**
 * The per-pixel kernels in WebAssembly SIMD: the AssemblyScript sources in `assembly/`, compiled
 * by `deno task kernels` into `kernels.wasm` (committed, so running, testing and
 * `deno task compile` need no compiler). One {@linkcode Kernels} instance per process
 * ({@linkcode Kernels.shared}): the module instantiated once over one fixed memory, its
 * {@linkcode Arena} handing out the frame planes, alpha, backgrounds and YUYV output the kernels
 * work on, so that nothing is copied in or out. Arrays from elsewhere work too: they are copied
 * into the memory and back (counted in {@linkcode Kernels.staged}).
 *
 * Each kernel gives byte for byte what its TypeScript reference gives (`src/image/`,
 * `src/mask/`, `src/segment/`; the tests compare them on random data and odd sizes).
 *
 * @example
 * ```ts
 * import { Kernels } from "./mod.ts";
 * const k = Kernels.shared();
 * const size = { width: 2, height: 1 };
 * const cam = k.frame(size, "422"), bg = k.frame(size, "422");
 * cam.y.fill(255);
 * const yuyv = k.arena.bytes(4);
 * k.compositeYuyv(cam, bg, k.arena.bytes(2).fill(255), yuyv); // [235, 128, 235, 128]
 * ```
 *
 * @module
 */

import {
  chromaHeight,
  type ChromaLayout,
  chromaWidth,
  type Frame,
  makeFrame,
  type PlaneAllocator,
} from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import { type FrameRegionMaps, type RegionMap, resampleFrame } from "../frame/region.ts";
import type { CompositeFrameOptions, CompositeYuyvOptions } from "../image/composite.ts";
import { B_FROM_CB, G_TIE, R_FROM_CR } from "../image/planar.ts";
import { Arena, type ArenaView } from "./arena.ts";
import { GuidedKernel, type GuidedState } from "./_guided.ts";
import { instantiate, type KernelExports, KERNELS_WASM } from "./_module.ts";
import { Stager } from "./_stage.ts";

export { type Allocate, Arena, type ArenaStats, type ArenaView, PLAIN } from "./arena.ts";
export { GuidedKernel, type GuidedState } from "./_guided.ts";
export { KERNELS_WASM };

/** The memory's default size: a ceiling (pages cost nothing until written), never grown. */
export const DEFAULT_MEGABYTES = 512;

/** The sampling tables of {@linkcode Kernels.fitInput} (`src/segment/segmenter.ts` makes them). */
export interface FitInput {
  /** Where the frame lands in the model input (whole pixels). */
  rect: { x: number; y: number; w: number; h: number };
  /** The model input's width. */
  modelWidth: number;
  /** Luma columns (first source column, weight of the next), chroma columns, luma and chroma rows. */
  lx: Int32Array;
  lw: Float32Array;
  cx: Int32Array;
  cw: Float32Array;
  ly: Int32Array;
  lh: Float32Array;
  cy: Int32Array;
  ch: Float32Array;
  /** Each channel is `value × scale + offset`. */
  scale: number;
  offset: number;
}

let shared: Kernels | null = null;

function despillCode(d: CompositeYuyvOptions["despill"]): number {
  return d === "green" ? 1 : d === "blue" ? 2 : 0;
}

/** The kernels over one memory (see the module doc). */
export class Kernels {
  /** The memory and its allocator. */
  readonly arena: Arena;
  /** Frame planes in the memory: `makeFrame(size, layout, kernels.planes)`. */
  readonly planes: PlaneAllocator;
  readonly #x: KernelExports;
  readonly #stage: Stager;
  readonly #warmed = new Set<string>();
  // Tables of planar.ts the 4:4:4 compositor's RGB round trip uses.
  readonly #rt: Uint16Array;
  readonly #bt: Uint16Array;
  readonly #tie: Uint8Array;

  /**
   * Instantiates the module over a new memory. Use {@linkcode Kernels.shared}: one memory per
   * process is the point.
   *
   * @param options the memory's size in MiB (default {@linkcode DEFAULT_MEGABYTES})
   */
  constructor(options: { megabytes?: number } = {}) {
    const pages = Math.ceil((options.megabytes ?? DEFAULT_MEGABYTES) * 16);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.#x = instantiate(memory);
    this.arena = new Arena(memory, this.#x.heapBase());
    this.#stage = new Stager(this.arena);
    this.planes = (length) => this.arena.bytes(length);
    this.#rt = this.arena.uint16(256);
    this.#rt.set(R_FROM_CR);
    this.#bt = this.arena.uint16(256);
    this.#bt.set(B_FROM_CB);
    this.#tie = this.arena.bytes(256);
    this.#tie.set(G_TIE);
    this.#warm();
  }

  /**
   * The process's kernels: made (and warmed) on the first call.
   *
   * @returns the one instance
   */
  static shared(): Kernels {
    shared ??= new Kernels();
    return shared;
  }

  /**
   * Bytes copied into the memory and back for arrays that were not in it (0 on a pipeline whose
   * buffers all live in the memory).
   */
  get staged(): number {
    return this.#stage.copied;
  }

  /**
   * A frame whose planes live in the memory, black.
   *
   * @param size the picture's size
   * @param layout the chroma layout
   * @returns the frame
   */
  frame(size: Size, layout: ChromaLayout): Frame {
    return makeFrame(size, layout, this.planes);
  }

  /**
   * The frame in the memory: `frame` itself when its planes are there, else a copy there (for a
   * picture made elsewhere, e.g. decoded in a worker, that the kernels will read every frame).
   *
   * @param frame any frame
   * @returns a frame whose planes are in the memory (same size, layout and pixels)
   */
  place(frame: Frame): Frame {
    if (this.arena.holds(frame.y) && this.arena.holds(frame.u) && this.arena.holds(frame.v)) {
      return frame;
    }
    const copy = this.frame(frame, frame.layout === "420" ? "422" : frame.layout);
    copy.layout = frame.layout;
    copy.y.set(frame.y.subarray(0, copy.y.length));
    copy.u.set(frame.u.subarray(0, Math.min(copy.u.length, frame.u.length)));
    copy.v.set(frame.v.subarray(0, Math.min(copy.v.length, frame.v.length)));
    return copy;
  }

  /**
   * Gives a frame's planes back to the memory (a frame from elsewhere is ignored).
   *
   * @param frame a frame from {@linkcode frame}; not to be used afterwards
   */
  releaseFrame(frame: Frame): void {
    this.arena.release(frame.y);
    this.arena.release(frame.u);
    this.arena.release(frame.v);
  }

  /**
   * Gives views back to the memory (see {@linkcode Arena.release}).
   *
   * @param views views from {@linkcode arena}; nulls are skipped
   */
  release(...views: (ArenaView | null | undefined)[]): void {
    for (const v of views) if (v) this.arena.release(v);
  }

  /**
   * `compositeYuyv` of `src/image/composite.ts`, byte for byte: the camera frame over the
   * background through `alpha`, packed as limited-range YUYV, light wrap and despill in the same
   * pass; 16 pixels per step where the SIMD lanes apply.
   *
   * @param cam the camera frame at output size, `"422"` or `"420"` (even width)
   * @param bg the background, same size, `"422"`
   * @param alpha person alpha per pixel, 0 … 255
   * @param yuyv `width × height × 2` bytes
   * @param options light wrap, packed background, despill
   * @throws {RangeError} for mismatched sizes or layouts, or short buffers
   */
  compositeYuyv(
    cam: Frame,
    bg: Frame,
    alpha: Uint8Array,
    yuyv: Uint8Array,
    options: CompositeYuyvOptions = {},
  ): void {
    const { width, height, layout } = cam;
    const n = width * height;
    if (layout === "444" || width % 2 !== 0) {
      throw new RangeError(
        `Cannot composite into YUYV: the camera frame is ${layout} and ${width} wide (give 422 or 420, even width)`,
      );
    }
    if (yuyv.length < n * 2) {
      throw new RangeError(
        `Cannot pack YUYV: ${yuyv.length} bytes, ${width}x${height} needs ${n * 2}`,
      );
    }
    if (bg.width !== width || bg.height !== height || bg.layout !== "422") {
      throw new RangeError(
        `Cannot composite: the background is ${bg.width}x${bg.height} ${bg.layout}, the frame ${width}x${height} 422`,
      );
    }
    if (alpha.length < n) {
      throw new RangeError(`Cannot composite: ${alpha.length} alpha values, need ${n}`);
    }
    const cw = width >> 1;
    const camChroma = cw * (layout === "420" ? (height + 1) >> 1 : height);
    const wrap = options.wrap ?? null;
    if (wrap && wrap.length < n) {
      throw new RangeError(`Cannot composite: ${wrap.length} wrap weights, need ${n}`);
    }
    const packed = options.bgPacked ?? null;
    if (packed && packed.length < cw * height) {
      throw new RangeError(`Cannot composite: ${packed.length} packed words, need ${cw * height}`);
    }
    checkPlanes(cam, n, camChroma, "camera frame");
    checkPlanes(bg, n, cw * height, "background");
    const x = this.#x;
    x.compositeYuyv(
      this.#stage.in(cam.y, n, 0),
      this.#stage.in(cam.u, camChroma, 1),
      this.#stage.in(cam.v, camChroma, 2),
      this.#stage.in(bg.y, n, 3),
      this.#stage.in(bg.u, cw * height, 4),
      this.#stage.in(bg.v, cw * height, 5),
      this.#stage.in(alpha, n, 6),
      wrap ? this.#stage.in(wrap, n, 7) : 0,
      packed ? this.#stage.in(packed, cw * height * 4, 8) : 0,
      this.#stage.out(yuyv, n * 2, 9),
      width,
      height,
      layout === "420" ? 1 : 0,
      despillCode(options.despill),
    );
    this.#stage.back(yuyv, n * 2, 9);
  }

  /**
   * `compositeFrame` of `src/image/composite.ts`, byte for byte: 4:4:4 camera over 4:4:4
   * background into `out` (which may be either); the soft edge blended 16 pixels per step, light
   * wrap and despill through RGB pixel by pixel on the edge band.
   *
   * @param cam the camera frame at output size, `"444"`
   * @param bg the background, same size, `"444"`
   * @param alpha person alpha per pixel, 0 … 255
   * @param out the result, same size, `"444"` (may be `cam` or `bg`)
   * @param options light wrap and despill
   * @throws {RangeError} for mismatched sizes or layouts, short planes, or short alpha or wrap
   */
  compositeFrame(
    cam: Frame,
    bg: Frame,
    alpha: Uint8Array,
    out: Frame,
    options: CompositeFrameOptions = {},
  ): void {
    const { width, height } = cam;
    const n = width * height;
    check444(cam, "camera frame", width, height);
    check444(bg, "background", width, height);
    check444(out, "output", width, height);
    if (alpha.length < n) {
      throw new RangeError(`Cannot composite: ${alpha.length} alpha values, need ${n}`);
    }
    const wrap = options.wrap ?? null;
    if (wrap && wrap.length < n) {
      throw new RangeError(`Cannot composite: ${wrap.length} wrap weights, need ${n}`);
    }
    // An output that is one of the inputs stays that input (the kernel copies no plane onto
    // itself).
    const cy = this.#stage.in(cam.y, n, 0),
      cu = this.#stage.in(cam.u, n, 1),
      cv = this.#stage.in(cam.v, n, 2);
    const by = this.#stage.in(bg.y, n, 3),
      bu = this.#stage.in(bg.u, n, 4),
      bv = this.#stage.in(bg.v, n, 5);
    const slot = out === cam ? 0 : out === bg ? 3 : 6;
    const oy = slot === 0 ? cy : slot === 3 ? by : this.#stage.out(out.y, n, 6);
    const ou = slot === 0 ? cu : slot === 3 ? bu : this.#stage.out(out.u, n, 7);
    const ov = slot === 0 ? cv : slot === 3 ? bv : this.#stage.out(out.v, n, 8);
    this.#x.compositeFrame(
      cy,
      cu,
      cv,
      by,
      bu,
      bv,
      oy,
      ou,
      ov,
      this.#stage.in(alpha, n, 9),
      wrap ? this.#stage.in(wrap, n, 10) : 0,
      n,
      despillCode(options.despill),
      this.#rt.byteOffset,
      this.#bt.byteOffset,
      this.#tie.byteOffset,
    );
    this.#stage.back(out.y, n, slot);
    this.#stage.back(out.u, n, slot + 1);
    this.#stage.back(out.v, n, slot + 2);
  }

  /**
   * The guided filter's steps in WebAssembly over a filter's own arrays (`src/mask/guided.ts`
   * makes them in {@linkcode arena} and hands them over once).
   *
   * @param state the filter's sizes, tables and arrays, every array in the memory
   * @returns the kernel (its descriptor lives until {@linkcode release}d with `kernel.bytes`)
   * @throws {RangeError} when an array is not in the memory
   */
  guided(state: GuidedState): GuidedKernel {
    return new GuidedKernel(this.#x, this.arena, this.#stage, state);
  }

  /**
   * `BoxMean.apply` of `src/mask/box.ts`, to the bit: the mean of `src` over a
   * `(2r + 1)²` window clipped to the map, into `dst`.
   *
   * @param src the map (`width × height`)
   * @param dst the means (not `src`)
   * @param scratch the box's own arrays: a map, `width` column sums, the reciprocal tables
   * @param size the map's size and the radius
   */
  boxMean(
    src: Float32Array,
    dst: Float32Array,
    scratch: { tmp: Float32Array; col: Float64Array; rx: Float32Array; ry: Float32Array },
    size: { width: number; height: number; radius: number },
  ): void {
    const { width: w, height: h, radius } = size;
    const n = w * h * 4, s = this.#stage;
    if (src.length < w * h || dst.length < w * h || scratch.tmp.length < w * h) {
      throw new RangeError(`Cannot take the box mean of ${w}x${h}: a map is too short`);
    }
    this.#x.boxMean(
      s.in(src, n, 11),
      s.out(dst, n, 12),
      s.out(scratch.tmp, n, 13),
      s.out(scratch.col, w * 8, 14),
      s.in(scratch.rx, w * 4, 15),
      s.in(scratch.ry, h * 4, 16),
      w,
      h,
      radius,
    );
    s.back(dst, n, 12);
  }

  /**
   * `TemporalFilter.update`'s per-pixel step of `src/mask/temporal.ts`, to the bit: `state`
   * moves towards `p` by the adaptive weight.
   *
   * @param state the filtered map (updated)
   * @param p the new map, as long
   * @param o the weights: the smallest, the motion and confidence ramps
   */
  temporalUpdate(
    state: Float32Array,
    p: Float32Array,
    o: { wMin: number; m0: number; mScale: number; c0: number; cScale: number },
  ): void {
    const n = state.length, s = this.#stage;
    if (p.length < n) throw new RangeError(`Cannot filter: ${p.length} values, need ${n}`);
    const at = this.arena.holds(state) ? state.byteOffset : s.in(state, n * 4, 17);
    this.#x.temporalUpdate(at, s.in(p, n * 4, 18), n, o.wMin, o.m0, o.mScale, o.c0, o.cScale);
    s.back(state, n * 4, 17);
  }

  /**
   * `RegionSampler.sample` of `src/mask/grid.ts`, to the bit: `src` sampled bilinearly at
   * the cells' centres into `out`.
   *
   * @param src the map, `srcWidth` wide
   * @param out the samples, `cols.i0.length × rows.i0.length`
   * @param srcWidth the map's width
   * @param cols per cell column the two map columns and the second's weight
   * @param rows the same per cell row
   */
  regionSample(
    src: Float32Array,
    out: Float32Array,
    srcWidth: number,
    cols: { i0: Int32Array; i1: Int32Array; f: Float32Array },
    rows: { i0: Int32Array; i1: Int32Array; f: Float32Array },
  ): void {
    const w = cols.i0.length, h = rows.i0.length, s = this.#stage;
    if (out.length < w * h) {
      throw new RangeError(`Cannot sample: ${out.length} cells, need ${w * h}`);
    }
    this.#x.regionSample(
      s.in(src, src.length * 4, 19),
      s.out(out, w * h * 4, 23),
      srcWidth,
      s.in(cols.i0, w * 4, 24),
      s.in(cols.i1, w * 4, 25),
      s.in(cols.f, w * 4, 26),
      s.in(rows.i0, h * 4, 27),
      s.in(rows.i1, h * 4, 28),
      s.in(rows.f, h * 4, 29),
      w,
      h,
    );
    s.back(out, w * h * 4, 23);
  }

  /**
   * `Segmenter.setInputFitted`'s sampling of `src/segment/segmenter.ts`, to the bit: the model
   * input `x` inside `rect` from the frame's planes (bilinear, to RGB, normalised).
   *
   * @param frame the camera frame, any layout
   * @param x the model input (NHWC RGB), `modelWidth` wide
   * @param fit the tables, the rectangle, the model's width and the normalisation
   */
  fitInput(frame: Frame, x: Float32Array, fit: FitInput): void {
    const { width, height, layout } = frame;
    const cw = layout === "444" ? width : width >> 1;
    const crows = layout === "420" ? (height + 1) >> 1 : height;
    const { rect: r, modelWidth } = fit;
    const s = this.#stage;
    const need = ((r.y + r.h - 1) * modelWidth + r.x + r.w) * 3;
    if (x.length < need || frame.y.length < width * height || frame.u.length < cw * crows) {
      throw new RangeError("Cannot fill the model input: a buffer is too short");
    }
    const t = (a: Int32Array | Float32Array, slot: number): number => s.in(a, a.length * 4, slot);
    const xo = this.arena.holds(x) ? x.byteOffset : s.in(x, x.length * 4, 30);
    this.#x.fitInput(
      s.in(frame.y, width * height, 31),
      s.in(frame.u, cw * crows, 32),
      s.in(frame.v, cw * crows, 33),
      width,
      height,
      cw,
      crows,
      t(fit.lx, 34),
      t(fit.lw, 35),
      t(fit.cx, 36),
      t(fit.cw, 37),
      t(fit.ly, 38),
      t(fit.lh, 39),
      t(fit.cy, 40),
      t(fit.ch, 41),
      xo,
      modelWidth,
      r.x,
      r.y,
      r.w,
      r.h,
      fit.scale,
      fit.offset,
    );
    s.back(x, x.length * 4, 30);
  }

  /**
   * `resampleFrame` of `src/frame/region.ts`, to the byte: the crop-and-scale of the camera frame
   * to the output (`--vg`, auto-framing), each row blended vertically 8 bytes per SIMD step, then
   * horizontally. The same checks and layouts as `resampleFrame` (which it runs first on a
   * 1×1-pixel check of the sizes: it throws what that throws).
   *
   * @param src the source frame, of the maps' source size
   * @param maps made once for the geometry
   * @param out the output frame, of the maps' output size (its layout is set)
   */
  resampleFrame(src: Frame, maps: FrameRegionMaps, out: Frame): void {
    const { width, height } = maps.output;
    if (
      out.width !== width || out.height !== height ||
      (src.layout === "444") !== (out.layout === "444")
    ) {
      resampleFrame(src, maps, out); // throws the reference's error
      return;
    }
    const chroma = maps.chroma(src.layout);
    const scw = chromaWidth(src.width, src.layout);
    const srows = chromaHeight(src.height, src.layout);
    if (src.y.length < src.width * src.height || src.u.length < scw * srows) {
      resampleFrame(src, maps, out);
      return;
    }
    this.#resample(src.y, src.width, src.height, maps.luma, out.y, 46);
    this.#resample(src.u, scw, srows, chroma, out.u, 47);
    this.#resample(src.v, scw, srows, chroma, out.v, 48);
    if (src.layout !== "444") out.layout = "422";
  }

  #resample(
    plane: Uint8Array,
    srcWidth: number,
    srcHeight: number,
    map: RegionMap,
    out: Uint8Array,
    slot: number,
  ): void {
    const s = this.#stage;
    const { width, height } = map;
    const n = width * height;
    this.#x.resamplePlane(
      s.in(plane, srcWidth * srcHeight, slot),
      srcWidth,
      s.out(out, n, slot + 3),
      width,
      height,
      s.in(map.x0, width * 4, 52),
      s.in(map.x1, width * 4, 53),
      s.in(map.fx, width * 2, 54),
      s.in(map.y0, height * 4, 55),
      s.in(map.y1, height * 4, 56),
      s.in(map.fy, height * 2, 57),
      // Scratch: one blended source row (u16 words, 8 spare), the column tables (4 bytes a
      // pixel, 64 a group of 8).
      s.scratch((srcWidth + 8) * 2, 58),
      s.scratch(width * 12, 59),
    );
    s.back(out, n, slot + 3);
  }

  /**
   * `yuyvToFrame` of `src/image/planar.ts`, to the byte, 16 pixels per step: a camera's YUYV
   * (BT.601 limited range) unpacked into a full-range `"422"` frame. The camera's buffer is
   * copied into the memory first when it is not there (a memory copy, ~10x cheaper than the
   * unpacking it replaces).
   *
   * @param yuyv `width × height × 2` bytes
   * @param frame the destination, made `"422"` (its size is the picture's); set to `"422"`
   * @throws {RangeError} for too few bytes, a `"444"` frame or an odd width
   */
  yuyvToFrame(yuyv: Uint8Array, frame: Frame): void {
    const { width, height } = frame;
    const n = width * height;
    if (yuyv.length < n * 2) {
      throw new RangeError(`Cannot unpack YUYV: ${yuyv.length} bytes, need ${n * 2}`);
    }
    if (frame.layout === "444") {
      throw new RangeError("Cannot unpack YUYV into a 444 frame: make it 422");
    }
    if (width % 2 !== 0) {
      throw new RangeError(
        `Cannot unpack YUYV: a ${frame.layout} frame ${width} pixels wide (half-width chroma needs an even width)`,
      );
    }
    checkPlanes(frame, n, n >> 1, "frame", "unpack YUYV");
    const s = this.#stage;
    this.#x.unpackYuyv(
      s.in(yuyv, n * 2, 42),
      s.out(frame.y, n, 43),
      s.out(frame.u, n >> 1, 44),
      s.out(frame.v, n >> 1, 45),
      n >> 1,
    );
    s.back(frame.y, n, 43);
    s.back(frame.u, n >> 1, 44);
    s.back(frame.v, n >> 1, 45);
    frame.layout = "422";
  }

  /**
   * `spanRows` of `src/background/_blur_kernels.ts`, to the bit, four words per step: `rows`
   * rows of `stride` words from word `base` of `words` on, between the top reduced row (`te`,
   * `to`: its even and odd bytes as 16-bit lanes) and the bottom one (`be`, `bo`), the first at
   * weight `k0` / 256 of the bottom one, growing by `step` / 256 a row. Every array must be in
   * the memory (the blur makes them there).
   *
   * @param words the plane as words
   * @param span where and how: stride, base, the four reduced rows, weights and rows
   * @throws {RangeError} when an array is not in the memory or too short
   */
  blurSpan(
    words: Int32Array,
    span: {
      stride: number;
      base: number;
      te: Int32Array;
      be: Int32Array;
      to: Int32Array;
      bo: Int32Array;
      k0: number;
      step: number;
      rows: number;
    },
  ): void {
    const { stride, base, te, be, to, bo, rows } = span;
    const a = this.arena;
    for (const v of [words, te, be, to, bo]) {
      if (!a.holds(v)) {
        throw new RangeError("Cannot blur in WebAssembly: a row is not in its memory");
      }
    }
    if (
      base < 0 || base + rows * stride > words.length ||
      Math.min(te.length, be.length, to.length, bo.length) < stride
    ) {
      throw new RangeError(
        `Cannot blur ${rows} rows of ${stride} words from word ${base}: out of range`,
      );
    }
    this.#x.blurSpan(
      words.byteOffset,
      stride,
      base,
      te.byteOffset,
      be.byteOffset,
      to.byteOffset,
      bo.byteOffset,
      span.k0,
      span.step,
      rows,
    );
  }

  /**
   * Runs `fn` once per kernels instance and `key`: for a component to warm the kernels only it
   * can drive (the guided filter's need its own tables), the first time one is made.
   *
   * @param key what is warmed
   * @param fn the warm-up
   */
  warm(key: string, fn: () => void): void {
    if (this.#warmed.has(key)) return;
    this.#warmed.add(key);
    fn();
  }

  /**
   * Runs the kernels on small data until V8 has compiled them with its optimising tier (it starts
   * every WebAssembly function in a fast baseline compiler, 2–4× slower, and recompiles it once
   * it has run a while): so the first frames are not the slow ones. About 15 ms, once.
   */
  #warm(): void {
    const a = this.arena;
    const size = { width: 256, height: 32 };
    const n = size.width * size.height;
    const cam = this.frame(size, "422"), bg = this.frame(size, "422");
    const alpha = a.bytes(n), wrap = a.bytes(n), yuyv = a.bytes(n * 2);
    for (let i = 0; i < n; i++) {
      alpha[i] = i * 37 & 255;
      wrap[i] = i & 63;
    }
    for (let r = 0; r < 8; r++) this.compositeYuyv(cam, bg, alpha, yuyv, { wrap });
    for (let r = 0; r < 8; r++) this.yuyvToFrame(yuyv, cam);
    const c4 = this.frame(size, "444"), b4 = this.frame(size, "444"), o4 = this.frame(size, "444");
    for (let r = 0; r < 8; r++) this.compositeFrame(c4, b4, alpha, o4, { wrap });
    // The mask's maps and the model input, on a small map.
    const w = 64, h = 36, m = w * h;
    const map = a.float32(m), out = a.float32(m);
    for (let i = 0; i < m; i++) map[i] = (i % 17) / 16;
    const scratch = { tmp: a.float32(m), col: a.float64(w), rx: a.float32(w), ry: a.float32(h) };
    scratch.rx.fill(1 / 3);
    scratch.ry.fill(1 / 3);
    const axis = (k: number) => {
      // Filled in place (map() would make arrays outside the memory).
      const t = { i0: a.int32(k), i1: a.int32(k), f: a.float32(k).fill(0.5) };
      for (let i = 0; i < k; i++) {
        t.i0[i] = Math.max(0, i - 1);
        t.i1[i] = i;
      }
      return t;
    };
    const cols = axis(w), rows = axis(h);
    const weights = { wMin: 0.2, m0: 0.2, mScale: 3, c0: 0.8, cScale: 5 };
    const model = a.float32(w * h * 3);
    const fit = {
      rect: { x: 0, y: 0, w, h },
      modelWidth: w,
      lx: cols.i0,
      lw: cols.f,
      cx: cols.i0,
      cw: cols.f,
      ly: rows.i0,
      lh: rows.f,
      cy: rows.i0,
      ch: rows.f,
      scale: 1 / 255,
      offset: 0,
    };
    const te = a.int32(64).fill(0x00400040), be = a.int32(64), words = a.int32(64 * 8);
    for (let r = 0; r < 40; r++) {
      this.boxMean(map, out, scratch, { width: w, height: h, radius: 1 });
      this.temporalUpdate(out, map, weights);
      this.regionSample(map, out, w, cols, rows);
      this.fitInput(cam, model, fit);
      this.blurSpan(words, {
        stride: 64,
        base: 0,
        te,
        be,
        to: be,
        bo: te,
        k0: 9,
        step: 32,
        rows: 8,
      });
    }
    for (const f of [cam, bg, c4, b4, o4]) this.releaseFrame(f);
    this.release(alpha, wrap, yuyv, map, out, scratch.tmp, scratch.col, scratch.rx, scratch.ry);
    this.release(cols.i0, cols.i1, cols.f, rows.i0, rows.i1, rows.f, model, te, be, words);
  }
}

function checkPlanes(
  f: Frame,
  luma: number,
  chroma: number,
  name: string,
  action = "composite",
): void {
  if (f.y.length < luma || f.u.length < chroma || f.v.length < chroma) {
    throw new RangeError(
      `Cannot ${action}: the ${name}'s planes hold ${f.y.length}, ${f.u.length} and ${f.v.length}, need ${luma}, ${chroma} and ${chroma}`,
    );
  }
}

function check444(f: Frame, name: string, width: number, height: number): void {
  if (f.width !== width || f.height !== height || f.layout !== "444") {
    throw new RangeError(
      `Cannot composite: the ${name} is ${f.width}x${f.height} ${f.layout}, need ${width}x${height} 444`,
    );
  }
  const n = width * height;
  if (f.y.length < n || f.u.length < n || f.v.length < n) {
    throw new RangeError(
      `Cannot composite: the ${name}'s planes hold ${f.y.length}, ${f.u.length} and ${f.v.length}, need ${n}`,
    );
  }
}
