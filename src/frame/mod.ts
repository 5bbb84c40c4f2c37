/**
 * The frame and the stage contracts, below every stage: {@linkcode Frame} (planar YCbCr),
 * {@linkcode Size} and {@linkcode Rect}, the stage interfaces ({@linkcode FrameSource},
 * {@linkcode FrameSink}, {@linkcode Background}) and the per-frame {@linkcode FrameTiming}. Imports
 * nothing from `src/` or `ffi/`.
 *
 * @example
 * ```ts
 * import { makeFrame } from "./mod.ts";
 * const frame = makeFrame({ width: 4, height: 2 }, "444");
 * console.log(frame.layout, frame.u.length); // 444 8
 * ```
 *
 * @module
 */

export {
  chromaHeight,
  type ChromaLayout,
  chromaWidth,
  type Frame,
  makeFrame,
  type PlaneAllocator,
  type WorkingLayout,
} from "./frame.ts";
export { coverRect, fitRect, type Rect, type Size } from "./geometry.ts";
export {
  type Background,
  type BackgroundContext,
  type BackgroundOptions,
  type FrameSink,
  type FrameSource,
  type PackedSink,
  type PlanarSink,
  workingLayout,
} from "./stages.ts";
export { FrameTiming, type Stage, STAGES } from "./timing.ts";
