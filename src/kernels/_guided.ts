/**
 * The guided filter's kernels over a `GuidedUpsampler`'s own arrays (all in the kernels' memory):
 * a descriptor of their offsets is written once, and each call passes only it and the frame's
 * buffers. Internal to `src/kernels/`; `src/mask/guided.ts` gets it from
 * {@linkcode Kernels.guided}.
 *
 * @module
 */

import type { Arena } from "./arena.ts";
import type { KernelExports } from "./_module.ts";
import type { Stager } from "./_stage.ts";

/** What the guided filter keeps, as `src/mask/guided.ts` lays it out (every array in memory). */
export interface GuidedState {
  /** Cells per row and cell rows. */
  lowWidth: number;
  lowHeight: number;
  /** The output size. */
  width: number;
  height: number;
  /** Plain bilinear lifting (a = 0, b = p). */
  plain: boolean;
  /** Window radius (cells) and regularisation. */
  radius: number;
  eps: number;
  /** Below this table index both tables give their first entry; from `highStart` on, their last. */
  lowEnd: number;
  highStart: number;
  /** Quads per row. */
  quadWidth: number;
  input: Float32Array;
  guide: Float32Array;
  ip: Float32Array;
  ii: Float32Array;
  mI: Float32Array;
  mP: Float32Array;
  mIP: Float32Array;
  mII: Float32Array;
  a: Float32Array;
  b: Float32Array;
  kind: Uint8Array;
  /** The box mean's scratch map, column sums and reciprocal tables. */
  boxTmp: Float32Array;
  boxCol: Float64Array;
  boxRx: Float32Array;
  boxRy: Float32Array;
  lut: Uint8Array;
  wrapLut: Uint8Array | null;
  hold: Int16Array | null;
  quadStart: Int32Array;
  runStart: Int32Array;
  runEnd: Int32Array;
  runKind: Uint8Array;
  runQuad: Int32Array;
  runQuadEnd: Int32Array;
  quadSeg: Int32Array;
  segStart: Int32Array;
  segCell: Int32Array;
  segF0: Float32Array;
  segDf: Float32Array;
  rowA: Float32Array;
  rowB: Float32Array;
  /** The grid's lifting tables: columns' two cells, rows' two cells and weight. */
  x0: Int32Array;
  x1: Int32Array;
  y0: Int32Array;
  y1: Int32Array;
  fy: Float32Array;
  sampleCols: Int32Array;
  sampleRows: Int32Array;
}

/** The descriptor's slots, as `assembly/mask.ts` reads them (eps: a float64 at byte 192). */
const SLOTS: readonly (keyof GuidedState)[] = [
  "lowWidth",
  "lowHeight",
  "width",
  "height",
  "plain",
  "input",
  "guide",
  "ip",
  "ii",
  "mI",
  "mP",
  "mIP",
  "mII",
  "a",
  "b",
  "kind",
  "quadWidth",
  "lowEnd",
  "highStart",
  "boxTmp",
  "boxCol",
  "boxRx",
  "boxRy",
  "radius",
  "lut",
  "wrapLut",
  "hold",
  "quadStart",
  "runStart",
  "runEnd",
  "runKind",
  "runQuad",
  "runQuadEnd",
  "quadSeg",
  "segStart",
  "segCell",
  "segF0",
  "segDf",
  "rowA",
  "rowB",
  "x0",
  "x1",
  "y0",
  "y1",
  "fy",
  "sampleCols",
  "sampleRows",
];
const EPS_BYTE = 192;

/** The guided filter's three steps in WebAssembly. */
export class GuidedKernel {
  readonly #x: KernelExports;
  readonly #stage: Stager;
  readonly #arena: Arena;
  readonly #desc: Int32Array;
  readonly #n: number;
  readonly #wrapped: boolean;

  /**
   * @param x the module's exports
   * @param arena the memory
   * @param stage staging for frame buffers from outside the memory
   * @param state the filter's arrays, every one in `arena`
   * @throws {RangeError} when an array is not in the memory
   */
  constructor(x: KernelExports, arena: Arena, stage: Stager, state: GuidedState) {
    this.#x = x;
    this.#arena = arena;
    this.#stage = stage;
    const bytes = arena.bytes(EPS_BYTE + 8);
    if (!arena.holds(bytes)) throw new RangeError("Cannot place the guided filter: memory full");
    this.#desc = new Int32Array(bytes.buffer, bytes.byteOffset, EPS_BYTE / 4);
    new Float64Array(bytes.buffer, bytes.byteOffset + EPS_BYTE, 1)[0] = state.eps;
    SLOTS.forEach((key, i) => {
      const value = state[key];
      if (typeof value === "number") this.#desc[i] = value;
      else if (typeof value === "boolean") this.#desc[i] = value ? 1 : 0;
      else if (value === null) this.#desc[i] = 0;
      else if (arena.holds(value)) this.#desc[i] = value.byteOffset;
      else {throw new RangeError(
          `Cannot run the guided filter in WebAssembly: "${key}" is not in its memory`,
        );}
    });
    this.#n = state.width * state.height;
    this.#wrapped = state.wrapLut !== null;
    this.bytes = bytes;
  }

  #check(a: Uint8Array, name: string): void {
    if (a.length < this.#n) {
      throw new RangeError(
        `Cannot render the mask: the ${name} holds ${a.length} bytes, need ${this.#n}`,
      );
    }
  }

  /** The descriptor's block (released with the filter's arrays). */
  readonly bytes: Uint8Array;

  /** `setGuide`: the cells' mean luma from the frame's luma plane. */
  guide(y: Uint8Array): void {
    this.#check(y, "luma plane");
    this.#x.guidedGuide(this.#desc.byteOffset, this.#stage.in(y, this.#n, 20));
  }

  /** `solve`: the local linear models and the quads' kinds. */
  solve(): void {
    this.#x.guidedSolve(this.#desc.byteOffset);
  }

  /** `render`: the alpha (and light-wrap weights) of every output pixel. */
  render(y: Uint8Array, alpha: Uint8Array, wrap: Uint8Array | undefined): void {
    const n = this.#n, s = this.#stage;
    const w = this.#wrapped && wrap !== undefined ? wrap : null;
    this.#check(y, "luma plane");
    this.#check(alpha, "alpha");
    if (w !== null) this.#check(w, "light-wrap weights");
    // The alpha is read too (the per-pixel hold): a staged copy starts from it.
    const a = this.#arena.holds(alpha) ? alpha.byteOffset : s.in(alpha, n, 21);
    this.#x.guidedRender(
      this.#desc.byteOffset,
      s.in(y, n, 20),
      a,
      w === null ? 0 : s.out(w, n, 22),
    );
    s.back(alpha, n, 21);
    if (w !== null) s.back(w, n, 22);
  }
}
