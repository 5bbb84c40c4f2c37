/**
 * The mask's post-processing, from the model's probability map to the output alpha, as the loop
 * runs it: the adaptive temporal filter on the model's map (once per model run), then per camera
 * frame the edge-aware upsampling guided by that frame, edge tightening and the optional hard
 * threshold (one table look-up), and the light-wrap weights for the compositor. The guide is the
 * output frame's luma plane (a `Frame`'s `y`), whatever the frame's chroma layout.
 *
 * The probability stays soft until the very last look-up. Every buffer is made in the
 * constructor, in the kernels' memory (`src/kernels/`), whose WebAssembly runs every stage but
 * the joint bilateral upsampler, to the bit of the TypeScript (which runs with `kernels: null`).
 *
 * @module
 */

import type { Rect, Size } from "../frame/geometry.ts";
import { Kernels, PLAIN } from "../kernels/mod.ts";
import { BilateralUpsampler, DEFAULT_SIGMA_LUMA } from "./bilateral.ts";
import type { MaskEngine } from "./box.ts";
import { Grid, RegionSampler } from "./grid.ts";
import {
  DEFAULT_GUIDED_EPS,
  DEFAULT_GUIDED_RADIUS,
  DEFAULT_HOLD,
  GuidedUpsampler,
} from "./guided.ts";
import { alphaLut, DEFAULT_TIGHTEN, wrapLut } from "./remap.ts";
import {
  DEFAULT_CONFIDENT,
  DEFAULT_MOTION,
  DEFAULT_SMOOTHING,
  TemporalFilter,
} from "./temporal.ts";
import { MaskTimings } from "./timings.ts";

/** How the mask is lifted to the output size. */
export type UpsampleMode = "guided" | "bilateral" | "bilinear";

/** The default cell size of the guided filter, in pixels of the model's map. */
export const CELL_MODEL_PIXELS = 1.6;

/**
 * The default cell size of the guided filter's reduced grid: {@linkcode CELL_MODEL_PIXELS} of the
 * model's pixels (8 output pixels at 1280 wide with a 256-wide map), so that the filter's window
 * (3×3 cells) reaches about 2.4 model pixels either side of the model's edge, as far as the
 * model's edge may be off; and the grid has about as many cells as the map has pixels.
 *
 * @example
 * ```ts
 * import { autoFactor } from "./mask_pipeline.ts";
 * autoFactor(1280, 256); // 8
 * ```
 *
 * @param width the output width
 * @param mapWidth the width of the part of the model's map that shows the output
 * @returns output pixels per cell
 */
export function autoFactor(width: number, mapWidth: number): number {
  return Math.max(1, Math.round((CELL_MODEL_PIXELS * width) / mapWidth));
}

/** The default light-wrap strength. */
export const DEFAULT_LIGHT_WRAP = 0.3;

/** Every choice of the mask's post-processing (all optional: the defaults are the best found). */
export interface MaskOptions {
  /**
   * `guided` (default: the fast guided filter), `bilateral` (joint bilateral upsampling; both
   * make the edge follow the camera picture's) or `bilinear`.
   */
  upsample?: UpsampleMode;
  /** Guided filter: output pixels per cell of the reduced grid (default: {@linkcode autoFactor}). */
  factor?: number | null;
  /** Guided filter: window radius in cells. */
  radius?: number;
  /** Guided filter: regularisation (luma variance, luma in 0 … 1). */
  eps?: number;
  /** Joint bilateral: range σ in luma (0 … 1). */
  sigmaLuma?: number;
  /** Temporal smoothing strength 0 … 1 (0: off). */
  smoothing?: number;
  /** Per-pixel hold of the edge band against camera noise, 0 … 1 (0: off; guided only). */
  hold?: number;
  /** Temporal filter: the change of probability that is noise (below) / motion (above). */
  motion?: readonly [number, number];
  /** Temporal filter: the confidence `|2p − 1|` from which a pixel follows at once. */
  confident?: number;
  /** Edge tightening range; null: none. */
  tighten?: readonly [number, number] | null;
  /** A hard cut of the alpha (0 … 1), applied last; null: soft. */
  threshold?: number | null;
  /** Light-wrap strength 0 … 1 (0: off). */
  lightWrap?: number;
}

/** The options in force, every default filled in. */
export interface ResolvedMaskOptions {
  upsample: UpsampleMode;
  factor: number | null;
  radius: number;
  eps: number;
  sigmaLuma: number;
  smoothing: number;
  hold: number;
  motion: readonly [number, number];
  confident: number;
  tighten: readonly [number, number] | null;
  threshold: number | null;
  lightWrap: number;
}

/**
 * The options with every default filled in.
 *
 * @param options what was chosen
 * @returns every setting
 */
export function resolveMaskOptions(options: MaskOptions = {}): ResolvedMaskOptions {
  return {
    upsample: options.upsample ?? "guided",
    factor: options.factor ?? null,
    radius: options.radius ?? DEFAULT_GUIDED_RADIUS,
    eps: options.eps ?? DEFAULT_GUIDED_EPS,
    sigmaLuma: options.sigmaLuma ?? DEFAULT_SIGMA_LUMA,
    smoothing: options.smoothing ?? DEFAULT_SMOOTHING,
    hold: options.hold ?? DEFAULT_HOLD,
    motion: options.motion ?? DEFAULT_MOTION,
    confident: options.confident ?? DEFAULT_CONFIDENT,
    tighten: options.tighten === undefined ? DEFAULT_TIGHTEN : options.tighten,
    threshold: options.threshold ?? null,
    lightWrap: options.lightWrap ?? DEFAULT_LIGHT_WRAP,
  };
}

/**
 * One line for the startup banner.
 *
 * @param o the options in force
 * @returns e.g. `guided filter (auto cells, r1, eps 0.0025), smoothing 0.8, tighten 0.25-0.75, ...`
 */
export function describeMaskOptions(o: ResolvedMaskOptions): string {
  return [
    o.upsample === "bilateral"
      ? `joint bilateral (${o.factor === null ? "auto" : `${o.factor}x${o.factor}`} cells)`
      : o.upsample === "guided"
      ? `guided filter (${
        o.factor === null ? "auto" : `${o.factor}x${o.factor}`
      } cells, r${o.radius}, eps ${o.eps})`
      : "bilinear",
    o.smoothing > 0 || o.hold > 0
      ? `smoothing ${o.smoothing}${o.hold !== o.smoothing ? ` (hold ${o.hold})` : ""}`
      : "no smoothing",
    o.tighten ? `tighten ${o.tighten[0]}-${o.tighten[1]}` : "no tightening",
    o.lightWrap > 0 ? `light wrap ${o.lightWrap}` : "no light wrap",
    o.threshold !== null ? `threshold ${o.threshold}` : "soft",
  ].join(", ");
}

/** Where the mask comes from and goes to. */
export interface MaskGeometry {
  /** The probability map's size (the model's output). */
  model: Size;
  /** The part of the map that shows the output (letterbox content, crop), in map pixels. */
  region: Rect;
  /** The output size. */
  output: Size;
}

/** Probability map → alpha (and light-wrap weights) at the output size. */
export class MaskPipeline {
  /** The options in force. */
  readonly options: ResolvedMaskOptions;
  /** Sub-stage times for `-d`. */
  readonly timings: MaskTimings = new MaskTimings();
  /** The alpha per output pixel (0 … 255), from {@linkcode render}; kept across frames. */
  readonly alpha: Uint8Array;
  /** The light-wrap weight per output pixel (0 … 255), or null when light wrap is off. */
  readonly wrap: Uint8Array | null;
  readonly #temporal: TemporalFilter;
  readonly #sampler: RegionSampler;
  /** The guided filter; with `bilinear` it lifts the probability plainly (a = 0, b = p). */
  readonly #guided: GuidedUpsampler;
  readonly #bilateral: BilateralUpsampler | null;
  readonly #kernels: Kernels | null;
  #ready = false;

  /**
   * @param geometry the model's map size, the part of it that shows the output (letterbox
   *   content, crop) and the output size
   * @param options the choices (defaults: the best found)
   * @param engine the kernels (default: the process's, `Kernels.shared()`); null: TypeScript
   */
  constructor(geometry: MaskGeometry, options: MaskOptions = {}, engine: MaskEngine = {}) {
    const { model, region, output } = geometry;
    const o = resolveMaskOptions(options);
    this.options = o;
    const kernels = this.#kernels = engine.kernels === undefined
      ? Kernels.shared()
      : engine.kernels;
    const on = { kernels };
    // The first mask made on these kernels warms them (see Kernels.warm).
    kernels?.warm("mask", () => warmMask(kernels));
    this.#temporal = new TemporalFilter(model.width * model.height, {
      strength: o.smoothing,
      motion: o.motion,
      confident: o.confident,
    }, on);
    const alpha = alphaLut({ tighten: o.tighten, threshold: o.threshold });
    const wrap = o.lightWrap > 0 ? wrapLut(o.lightWrap, o.tighten ? o.tighten[1] : 1) : null;
    const alloc = kernels?.arena ?? PLAIN;
    this.alpha = alloc.bytes(output.width * output.height);
    this.wrap = wrap ? alloc.bytes(output.width * output.height) : null;
    // Bilinear lifting works on cells of one model pixel, the edge-aware filters on their own.
    const factor = o.factor ??
      (o.upsample === "bilinear"
        ? Math.max(1, Math.round(output.width / region.w))
        : autoFactor(output.width, region.w));
    const grid = new Grid(output, factor);
    this.#sampler = new RegionSampler(grid, { map: model, region }, on);
    this.#guided = new GuidedUpsampler(grid, {
      radius: o.radius,
      eps: o.eps,
      lut: alpha,
      wrapLut: wrap,
      hold: o.hold,
      plain: o.upsample === "bilinear",
    }, on);
    this.#bilateral = o.upsample === "bilateral"
      ? new BilateralUpsampler(grid, {
        sigmaLuma: o.sigmaLuma,
        lut: alpha,
        wrapLut: wrap,
        hold: o.hold,
      })
      : null;
  }

  /**
   * Gives every buffer back to the kernels' memory (nothing without kernels); the mask, its
   * `alpha` and `wrap` are not to be used afterwards.
   */
  release(): void {
    const k = this.#kernels;
    if (k === null) return;
    this.#temporal.release();
    this.#sampler.release();
    this.#guided.release();
    k.release(this.alpha, this.wrap);
  }

  /**
   * Points the mask at another part of the model's map (auto-framing's moving crop): the newest
   * map taken in is sampled again for the new region, so the next {@linkcode render} fits the
   * new crop without waiting for a model run. Nothing is allocated.
   *
   * @param region the part of the map that shows the output, in map pixels
   */
  setRegion(region: Rect): void {
    this.#sampler.update(region);
    if (this.#ready) this.#sampler.sample(this.#temporal.state, this.#guided.input);
  }

  /** Forgets the temporal state (e.g. after a scene cut). */
  reset(): void {
    this.#temporal.reset();
    this.#ready = false;
  }

  /**
   * Takes a new probability map from the model (the temporal step).
   *
   * @param probability the model's map, row-major, 0 … 1
   */
  ingest(probability: Float32Array): void {
    const t = performance.now();
    this.#temporal.update(probability);
    this.#sampler.sample(this.#temporal.state, this.#guided.input);
    this.#ready = true;
    this.timings.add("temporal", performance.now() - t);
  }

  /**
   * The alpha for a camera frame, from the newest map taken in: edge-aware upsampling guided by
   * the frame's luma plane, tightening and threshold, into {@linkcode alpha}; also fills
   * {@linkcode wrap}.
   *
   * @example
   * ```ts
   * import { MaskPipeline } from "./mask_pipeline.ts";
   * const mask = new MaskPipeline({
   *   model: { width: 16, height: 9 },
   *   region: { x: 0, y: 0, w: 16, h: 9 },
   *   output: { width: 64, height: 36 },
   * });
   * mask.ingest(new Float32Array(16 * 9).fill(1));
   * const alpha = mask.render(new Uint8Array(64 * 36).fill(128));
   * console.log(alpha[0]); // 255
   * ```
   *
   * @param y the camera frame's luma at the output size (a `Frame`'s `y`), width × height, 0 … 255
   * @returns {@linkcode alpha}
   * @throws {RangeError} when `y` is not exactly the output size
   * @throws {Error} before any {@linkcode ingest}
   */
  render(y: Uint8Array): Uint8Array {
    if (y.length !== this.alpha.length) {
      throw new RangeError(
        `Cannot guide the mask by a luma plane of ${y.length} bytes: give one of the output size (${this.alpha.length} bytes)`,
      );
    }
    if (!this.#ready) throw new Error("MaskPipeline.render() before any ingest()");
    const alpha = this.alpha;
    const wrap = this.wrap ?? undefined;
    const guided = this.#guided;
    const bilateral = this.#bilateral;
    let t = performance.now();
    guided.setGuide(y);
    if (bilateral) bilateral.solve(guided.guide, guided.input);
    else guided.solve();
    this.timings.add("guide", performance.now() - t);
    t = performance.now();
    if (bilateral) bilateral.render(y, alpha, wrap);
    else guided.render(y, alpha, wrap);
    this.timings.add("upsample", performance.now() - t);
    return alpha;
  }
}

/**
 * Runs a small mask (a 64×36 map onto 320×180) 24 times on the kernels, so that V8 compiles the
 * guided filter's kernels with its optimising tier before the first camera frame needs them.
 */
function warmMask(kernels: Kernels): void {
  const output = { width: 320, height: 180 };
  const mask = new MaskPipeline(
    {
      model: { width: 64, height: 36 },
      region: { x: 0, y: 0, w: 64, h: 36 },
      output,
    },
    {},
    { kernels },
  );
  const map = kernels.arena.float32(64 * 36);
  for (let i = 0; i < map.length; i++) map[i] = ((i * 7) % 64) / 63;
  const y = kernels.arena.bytes(output.width * output.height);
  for (let i = 0; i < y.length; i++) y[i] = (i * 13) & 255;
  for (let r = 0; r < 24; r++) {
    mask.ingest(map);
    mask.render(y);
  }
  mask.release();
  kernels.release(map, y);
}
