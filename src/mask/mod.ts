/**
 * The mask's post-processing: adaptive temporal smoothing of the model's probability map,
 * edge-aware upsampling guided by the camera frame's luma (fast guided filter), edge tightening,
 * the optional hard threshold and light-wrap weights. Each stage is a small module with its own
 * tests; {@linkcode MaskPipeline} wires them as the live loop runs them.
 *
 * @example
 * ```ts
 * import { MaskPipeline } from "./mod.ts";
 * const mask = new MaskPipeline({
 *   model: { width: 256, height: 144 },
 *   region: { x: 0, y: 0, w: 256, h: 144 },
 *   output: { width: 1280, height: 720 },
 * });
 * mask.ingest(new Float32Array(256 * 144).fill(0.9)); // once per model run
 * // Once per camera frame, guided by its luma plane (a Frame's y, any layout):
 * const alpha = mask.render(new Uint8Array(1280 * 720).fill(128));
 * console.log(alpha.length, mask.wrap?.length); // 921600 921600
 * ```
 *
 * @module
 */

export { type BilateralOptions, BilateralUpsampler, DEFAULT_SIGMA_LUMA } from "./bilateral.ts";
export { BoxMean } from "./box.ts";
export { Grid, RegionSampler } from "./grid.ts";
export {
  DEFAULT_GUIDED_EPS,
  DEFAULT_GUIDED_RADIUS,
  DEFAULT_HOLD,
  DEFAULT_HOLD_RANGE,
  type GuidedOptions,
  GuidedUpsampler,
  holdSteps,
} from "./guided.ts";
export {
  autoFactor,
  DEFAULT_LIGHT_WRAP,
  describeMaskOptions,
  type MaskGeometry,
  type MaskOptions,
  MaskPipeline,
  type ResolvedMaskOptions,
  resolveMaskOptions,
  type UpsampleMode,
} from "./mask_pipeline.ts";
export { alphaLut, DEFAULT_TIGHTEN, LUT_MAX, smoothstep, WRAP_END, wrapLut } from "./remap.ts";
export {
  DEFAULT_CONFIDENT,
  DEFAULT_MOTION,
  DEFAULT_SMOOTHING,
  TemporalFilter,
  type TemporalOptions,
} from "./temporal.ts";
export { MASK_STAGES, type MaskStage, MaskTimings } from "./timings.ts";
