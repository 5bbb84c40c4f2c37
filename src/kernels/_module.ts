/**
 * The compiled module and its exports (pointers are byte offsets into the memory). Internal to
 * `src/kernels/`.
 *
 * @module
 */

/** The compiled module, next to this file (embedded in the single executable). */
export const KERNELS_WASM: URL = new URL("./kernels.wasm", import.meta.url);

type I = number;

/** What `assembly/index.ts` exports. */
export interface KernelExports {
  heapBase(): I;
  compositeYuyv(
    y: I,
    u: I,
    v: I,
    by: I,
    bu: I,
    bv: I,
    alpha: I,
    wrap: I,
    packed: I,
    out: I,
    width: I,
    height: I,
    chromaShift: I,
    despill: I,
  ): void;
  compositeFrame(
    cy: I,
    cu: I,
    cv: I,
    by: I,
    bu: I,
    bv: I,
    oy: I,
    ou: I,
    ov: I,
    alpha: I,
    wrap: I,
    n: I,
    despill: I,
    rt: I,
    bt: I,
    tie: I,
  ): void;
  boxMean(src: I, dst: I, tmp: I, col: I, rx: I, ry: I, w: I, h: I, r: I): void;
  guidedGuide(desc: I, y: I): void;
  guidedSolve(desc: I): void;
  guidedRender(desc: I, y: I, alpha: I, wrap: I): void;
  temporalUpdate(
    state: I,
    p: I,
    n: I,
    wMin: number,
    m0: number,
    mScale: number,
    c0: number,
    cScale: number,
  ): void;
  regionSample(
    src: I,
    out: I,
    srcWidth: I,
    x0: I,
    x1: I,
    fx: I,
    y0: I,
    y1: I,
    fy: I,
    w: I,
    h: I,
  ): void;
  blurSpan(
    words: I,
    stride: I,
    base: I,
    te: I,
    be: I,
    to: I,
    bo: I,
    k0: I,
    step: I,
    rows: I,
  ): void;
  unpackYuyv(src: I, y: I, u: I, v: I, pairs: I): void;
  resamplePlane(
    src: I,
    srcWidth: I,
    out: I,
    width: I,
    height: I,
    x0: I,
    x1: I,
    fx: I,
    y0: I,
    y1: I,
    fy: I,
    row: I,
    cols: I,
  ): void;
  fitInput(
    Y: I,
    U: I,
    V: I,
    width: I,
    height: I,
    cw: I,
    crows: I,
    lx: I,
    lw: I,
    cx: I,
    cwt: I,
    ly: I,
    lh: I,
    cy: I,
    cht: I,
    x: I,
    modelWidth: I,
    rx: I,
    ry: I,
    rw: I,
    rh: I,
    scale: number,
    offset: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;

/**
 * Instantiates the module (compiled once per process) over `memory`.
 *
 * @param memory the memory it imports
 * @returns its exports
 */
export function instantiate(memory: WebAssembly.Memory): KernelExports {
  compiled ??= new WebAssembly.Module(Deno.readFileSync(KERNELS_WASM));
  return new WebAssembly.Instance(compiled, { env: { memory } })
    .exports as unknown as KernelExports;
}
