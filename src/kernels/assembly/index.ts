// The kernels' WebAssembly module: every export of the kernel files, and where the module's own
// static data ends (the arena's blocks start above it). Built by `deno task kernels` into
// `src/kernels/kernels.wasm`; loaded by `src/kernels/mod.ts`.

export { compositeFrame, compositeYuyv } from "./composite";
export { boxMean, guidedGuide, guidedRender, guidedSolve, regionSample, temporalUpdate } from "./mask";
export { fitInput } from "./sample";
export { blurSpan } from "./blur";
export { unpackYuyv } from "./unpack";
export { resamplePlane } from "./resample";

/** The end of the module's static data: memory above it is the arena's. */
export function heapBase(): usize {
  return __heap_base;
}
