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

import { type ChromaLayout, type Frame, makeFrame, type PlaneAllocator } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import { Arena, type ArenaView } from "./arena.ts";
import { B_FROM_CB, G_TIE, R_FROM_CR } from "../image/planar.ts";
import type { CompositeFrameOptions, CompositeYuyvOptions } from "../image/composite.ts";

export { Arena, type ArenaStats, type ArenaView } from "./arena.ts";

/** The compiled module, next to this file (embedded in the single executable). */
export const KERNELS_WASM: URL = new URL("./kernels.wasm", import.meta.url);

/** The memory's default size: a ceiling (pages cost nothing until written), never grown. */
export const DEFAULT_MEGABYTES = 512;

/** The module's exports (pointers are byte offsets into the memory). */
interface Exports {
  heapBase(): number;
  compositeYuyv(
    y: number,
    u: number,
    v: number,
    by: number,
    bu: number,
    bv: number,
    alpha: number,
    wrap: number,
    packed: number,
    out: number,
    width: number,
    height: number,
    chromaShift: number,
    despill: number,
  ): void;
  compositeFrame(
    cy: number,
    cu: number,
    cv: number,
    by: number,
    bu: number,
    bv: number,
    oy: number,
    ou: number,
    ov: number,
    alpha: number,
    wrap: number,
    n: number,
    despill: number,
    rt: number,
    bt: number,
    tie: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;

/** The module, compiled once per process. */
function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Deno.readFileSync(KERNELS_WASM));
  return compiled;
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
  readonly #x: Exports;
  /** Staging copies of arrays from outside the memory, per argument slot. */
  readonly #staging: (Uint8Array | null)[] = [];
  #staged = 0;
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
    const instance = new WebAssembly.Instance(wasmModule(), { env: { memory } });
    this.#x = instance.exports as unknown as Exports;
    this.arena = new Arena(memory, this.#x.heapBase());
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
    return this.#staged;
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
      this.#in(cam.y, n, 0),
      this.#in(cam.u, camChroma, 1),
      this.#in(cam.v, camChroma, 2),
      this.#in(bg.y, n, 3),
      this.#in(bg.u, cw * height, 4),
      this.#in(bg.v, cw * height, 5),
      this.#in(alpha, n, 6),
      wrap ? this.#in(wrap, n, 7) : 0,
      packed ? this.#in(bytesOf(packed), cw * height * 4, 8) : 0,
      this.#out(yuyv, n * 2, 9),
      width,
      height,
      layout === "420" ? 1 : 0,
      despillCode(options.despill),
    );
    this.#back(yuyv, n * 2, 9);
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
    const cy = this.#in(cam.y, n, 0), cu = this.#in(cam.u, n, 1), cv = this.#in(cam.v, n, 2);
    const by = this.#in(bg.y, n, 3), bu = this.#in(bg.u, n, 4), bv = this.#in(bg.v, n, 5);
    const slot = out === cam ? 0 : out === bg ? 3 : 6;
    const oy = slot === 0 ? cy : slot === 3 ? by : this.#out(out.y, n, 6);
    const ou = slot === 0 ? cu : slot === 3 ? bu : this.#out(out.u, n, 7);
    const ov = slot === 0 ? cv : slot === 3 ? bv : this.#out(out.v, n, 8);
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
      this.#in(alpha, n, 9),
      wrap ? this.#in(wrap, n, 10) : 0,
      n,
      despillCode(options.despill),
      this.#rt.byteOffset,
      this.#bt.byteOffset,
      this.#tie.byteOffset,
    );
    this.#back(out.y, n, slot);
    this.#back(out.u, n, slot + 1);
    this.#back(out.v, n, slot + 2);
  }

  /** The memory offset of `view`'s first `bytes` bytes, copied into a staging slot if needed. */
  #in(view: Uint8Array, bytes: number, slot: number): number {
    if (this.arena.holds(view)) return view.byteOffset;
    const stage = this.#stage(bytes, slot);
    stage.set(view.subarray(0, bytes));
    this.#staged += bytes;
    return stage.byteOffset;
  }

  /** The memory offset the kernel writes `view`'s first `bytes` bytes to. */
  #out(view: Uint8Array, bytes: number, slot: number): number {
    return this.arena.holds(view) ? view.byteOffset : this.#stage(bytes, slot).byteOffset;
  }

  /** Copies a staged output back into `view` (nothing when it was in the memory). */
  #back(view: Uint8Array, bytes: number, slot: number): void {
    if (this.arena.holds(view)) return;
    view.set(this.#staging[slot]!.subarray(0, bytes));
    this.#staged += bytes;
  }

  #stage(bytes: number, slot: number): Uint8Array {
    let stage = this.#staging[slot] ?? null;
    if (stage === null || stage.length < bytes) {
      if (stage !== null) this.arena.release(stage);
      stage = this.arena.bytes(bytes);
      if (!this.arena.holds(stage)) {
        throw new RangeError(
          `Cannot stage ${bytes} bytes for a kernel: the kernels' memory (${
            this.arena.byteLength >> 20
          } MiB) is full`,
        );
      }
      this.#staging[slot] = stage;
    }
    return stage;
  }

  /** Runs every kernel once on small data, so that the first real frame does not compile them. */
  #warm(): void {
    const size = { width: 48, height: 4 };
    const n = size.width * size.height;
    const cam = this.frame(size, "422"), bg = this.frame(size, "422");
    const alpha = this.arena.bytes(n), wrap = this.arena.bytes(n), yuyv = this.arena.bytes(n * 2);
    for (let i = 0; i < n; i++) alpha[i] = i * 37 & 255;
    for (let r = 0; r < 3; r++) this.compositeYuyv(cam, bg, alpha, yuyv, { wrap });
    const c4 = this.frame(size, "444"), b4 = this.frame(size, "444"), o4 = this.frame(size, "444");
    for (let r = 0; r < 3; r++) this.compositeFrame(c4, b4, alpha, o4, { wrap });
    for (const f of [cam, bg, c4, b4, o4]) this.releaseFrame(f);
    this.release(alpha, wrap, yuyv);
  }
}

function bytesOf(words: Uint32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

function checkPlanes(f: Frame, luma: number, chroma: number, name: string): void {
  if (f.y.length < luma || f.u.length < chroma || f.v.length < chroma) {
    throw new RangeError(
      `Cannot composite: the ${name}'s planes hold ${f.y.length}, ${f.u.length} and ${f.v.length}, need ${luma}, ${chroma} and ${chroma}`,
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
