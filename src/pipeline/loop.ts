/**
 * The one loop: source → segmenter → background + compositor → sink (backscrub's main loop and
 * CalcMask, in TypeScript).
 *
 * Live (`mode: "live"`): the model runs `nonblocking` on ONNX Runtime's thread on the newest frame
 * while the loop keeps grabbing and composing every camera frame with the newest mask, so
 * inference never stalls capture; while the scene is still the model runs only a few times a
 * second and frames keep the alpha they have ({@linkcode MotionGate}). Exact (`mode: "exact"`,
 * for files): every frame waits for its own mask, so a run is frame-exact and reproducible.
 *
 * The mask goes through `src/mask/` (temporal filter, guided upsampling, tightening, light wrap)
 * and is composited with {@linkcode composite}. Every buffer is made at start; a frame allocates
 * nothing but the promise of the model run.
 *
 * @module
 */

import { yieldToEventLoop } from "../../ffi/libc/mod.ts";
import { type MaskOptions, MaskPipeline } from "../mask/pipeline.ts";
import { MotionGate, type MotionGateOptions } from "../segment/motion.ts";
import type { Segmenter } from "../segment/segmenter.ts";
import { makeYuvFrame, type YuvFrame } from "../image/planar.ts";
import { composite, type Despill, flipHorizontal, flipRows, flipVertical } from "./compose.ts";
import { compositeYuyv, mirrorYuyv, packYuyv } from "./compose_yuv.ts";
import { coverRect, type Rect } from "./geometry.ts";
import { RegionMap, resampleRgb, resampleYuv, YuvRegionMaps } from "./region.ts";
import { Stats } from "./stats.ts";
import type { Background, FrameSink, FrameSource, YuvBackgroundContext } from "./types.ts";

/** What the loop runs. */
export interface PipelineConfig {
  /** Camera frames. */
  source: FrameSource;
  /** Output frames; its size is the output size (`--vg`). */
  sink: FrameSink;
  /** What replaces the background. */
  background: Background;
  /** The model; null when the background is a passthrough. */
  segmenter: Segmenter | null;
  /** "live": inference beside capture; "exact": each frame with its own mask. */
  mode: "live" | "exact";
  /** Mirror left-right (`-H`). */
  mirror?: boolean;
  /** Flip upside down (`-V`). */
  flip?: boolean;
  /** A hard cut of the alpha at this probability (0..1), applied last; soft when absent. */
  threshold?: number | undefined;
  /** The mask's post-processing (defaults: the best found, see `src/mask/`). */
  mask?: MaskOptions | undefined;
  /** Remove green or blue spill from the person's edge. */
  despill?: Despill | null | undefined;
  /** Stop after this many frames. */
  maxFrames?: number | undefined;
  /** Stops the loop after the current frame. */
  signal?: AbortSignal;
  /** Called about once a second with the `-d` status line. */
  onStatus?: (line: string) => void;
  /** Called after each frame (for `-s` progress). */
  onFrame?: (stats: Stats) => void;
  /**
   * Live mode: skip model runs while the scene is still ({@linkcode MotionGate}; its options, or
   * false to run the model whenever it is free). Default: on.
   */
  motion?: MotionGateOptions | false;
  /**
   * "auto" (default): the YCbCr fast path whenever the stages allow it (see
   * {@linkcode yuvPathBlocker}); "rgb": always the RGB path (for comparisons).
   */
  path?: "auto" | "rgb";
}

/**
 * Why the loop cannot take the fast path (camera planes → mask on luma → composite packed
 * straight into YUYV, no RGB anywhere), or null when it can. It needs a source that gives
 * planes (a camera), a sink that takes YUYV (the virtual camera, repacking for I420/NV12), even
 * widths (pixel pairs share chroma) and a background that draws in YCbCr (all built-in ones do).
 *
 * @param config the loop's stages and options
 * @returns one line, or null
 */
export function yuvPathBlocker(config: PipelineConfig): string | null {
  const { source, sink, background, segmenter } = config;
  if (config.path === "rgb") return "the RGB path was asked for";
  if (!source.readYuv) return "the source gives RGB";
  if (!sink.writeYuyv) return "the output takes RGB only";
  if (source.width % 2 !== 0 || sink.width % 2 !== 0) return "a width is odd";
  const passthrough = background.passthrough || segmenter === null;
  if (!passthrough && !background.renderYuv) return "the background draws in RGB only";
  return null;
}

/**
 * Runs the pipeline until the source ends, `maxFrames` frames are written or `signal` aborts.
 * Closes nothing: the caller owns the stages.
 *
 * @param config the stages and options
 * @returns the statistics of the run
 */
export async function runPipeline(config: PipelineConfig): Promise<Stats> {
  const { source, sink, background, segmenter } = config;
  const stats = new Stats();
  const sw = source.width;
  const sh = source.height;
  const ow = sink.width;
  const oh = sink.height;

  // Geometry, fixed for the run: the output shows the centred crop of the camera frame with the
  // output's aspect; the model sees the whole frame, letterboxed.
  const crop = coverRect(sw, sh, { width: ow, height: oh });
  const sameGeometry = sw === ow && sh === oh;
  const yuvPath = yuvPathBlocker(config) === null;
  const frameMap = sameGeometry || yuvPath
    ? null
    : new RegionMap({ width: sw, height: sh }, crop, { width: ow, height: oh });

  // The fast path's buffers (camera planes, their crop at the output size, YUYV out) or the RGB
  // path's.
  const cam: YuvFrame | null = yuvPath ? makeYuvFrame(sw, sh) : null;
  const view: YuvFrame | null = !yuvPath ? null : sameGeometry ? cam : makeYuvFrame(ow, oh);
  const yuvMaps = yuvPath && !sameGeometry
    ? new YuvRegionMaps({ width: sw, height: sh }, crop, { width: ow, height: oh })
    : null;
  const yuyv = yuvPath ? new Uint8Array(ow * oh * 2) : null;
  let packedBg = null as { of: YuvFrame; words: Uint32Array } | null;
  const camera = yuvPath ? new Uint8Array(0) : new Uint8Array(sw * sh * 3);
  const frame = sameGeometry || yuvPath ? camera : new Uint8Array(ow * oh * 3);
  let alpha: Uint8Array = new Uint8Array(ow * oh).fill(255);
  const yuvCtx: YuvBackgroundContext = { frame: view!, mask: alpha, timeMs: 0 };
  const out = yuvPath ? new Uint8Array(0) : new Uint8Array(ow * oh * 3);
  const rowScratch = new Uint8Array(ow * 3);
  const passthrough = background.passthrough || segmenter === null;
  const gate = config.mode === "live" && !passthrough && config.motion !== false
    ? new MotionGate(config.motion ?? {})
    : null;

  let latest: Float32Array | null = null;
  let mask = null as MaskPipeline | null;
  let fresh = false;
  let content: Rect | null = null;
  let inflight: Promise<void> | null = null;
  let inferStart = 0;
  let inferError: unknown = null;
  if (!passthrough) {
    const m = segmenter.manifest.output;
    latest = new Float32Array(m.width * m.height);
  }
  const onInferred = (): void => {
    latest!.set(segmenter!.probability);
    fresh = true;
    stats.add("infer", performance.now() - inferStart);
    stats.modelRun();
    inflight = null;
  };
  const onFailed = (e: unknown): void => {
    inferError = e;
    inflight = null;
  };
  const startInference = (): void => {
    const t = performance.now();
    const rect = cam
      ? segmenter!.setInputFittedYuv(cam)
      : segmenter!.setInputFitted(camera, sw, sh);
    if (!content) {
      content = rect;
      // The part of the model output that shows the output's crop of the camera frame.
      const m = segmenter!.manifest.output;
      mask = new MaskPipeline({
        model: { width: m.width, height: m.height },
        region: {
          x: rect.x + (crop.x / sw) * rect.w,
          y: rect.y + (crop.y / sh) * rect.h,
          w: (crop.w / sw) * rect.w,
          h: (crop.h / sh) * rect.h,
        },
        output: { width: ow, height: oh },
      }, {
        ...config.mask,
        ...(config.threshold !== undefined ? { threshold: config.threshold } : {}),
      });
      alpha = mask.alpha;
    }
    stats.add("prep", performance.now() - t);
    inferStart = performance.now();
    inflight = segmenter!.runAsync().then(onInferred, onFailed);
  };

  const started = performance.now();
  try {
    while (
      !config.signal?.aborted &&
      (config.maxFrames === undefined || stats.totalFrames < config.maxFrames)
    ) {
      let t = performance.now();
      if (!(await (cam ? source.readYuv!(cam) : source.read(camera)))) break;
      const decodeMs = source.decodeMs ?? 0;
      stats.add("grab", performance.now() - t - decodeMs);
      if (source.decodeMs !== undefined) stats.add("decode", decodeMs);

      if (!passthrough) {
        if (gate !== null) {
          if (cam) gate.measure(cam.y, sw, sh, 1);
          else gate.measure(camera, sw, sh, 3);
        }
        if (config.mode === "exact") {
          startInference();
          await inflight;
        } else {
          if (
            inflight === null &&
            // The gate's first answer is always yes (it takes that frame as its reference).
            (gate === null || gate.shouldRun(performance.now()))
          ) {
            startInference();
          }
          // The first frame has no earlier mask to use: wait for its own.
          if (stats.totalModelRuns === 0) await inflight;
        }
        if (inferError) throw inferError;
      }

      // Crop to the output, then the mask: the temporal step once per model run and the
      // frame-guided alpha for every frame (a still frame without a new model output keeps the
      // alpha it has).
      t = performance.now();
      if (yuvMaps) resampleYuv(cam!, yuvMaps, view!);
      else if (frameMap) resampleRgb(camera, sw, frameMap, frame);
      if (yuvMaps || frameMap) mask?.timings.add("crop", performance.now() - t);
      if (!passthrough && (gate === null || gate.shouldRender(fresh))) {
        if (fresh) {
          mask!.ingest(latest!);
          fresh = false;
        }
        if (view) mask!.renderLuma(view.y);
        else mask!.render(frame);
      }
      stats.add("post", performance.now() - t);

      t = performance.now();
      if (view) {
        if (passthrough) {
          packYuyv(view, yuyv!);
        } else {
          yuvCtx.mask = alpha;
          yuvCtx.timeMs = performance.now() - started;
          const bg = background.renderYuv!(yuvCtx);
          if (background.still && packedBg?.of !== bg) {
            // A still background is packed once; its runs are then word copies.
            const words = new Uint8Array(ow * oh * 2);
            packYuyv(bg, words);
            packedBg = { of: bg, words: new Uint32Array(words.buffer) };
          }
          compositeYuyv(view, bg, alpha, yuyv!, {
            wrap: mask!.wrap,
            bgPacked: background.still ? packedBg!.words : null,
            despill: config.despill,
          });
        }
        if (config.mirror) mirrorYuyv(yuyv!, ow, oh);
        if (config.flip) flipRows(yuyv!, ow * 2, oh, rowScratch);
      } else {
        if (passthrough) {
          out.set(frame);
        } else {
          const bg = background.render({ frame, mask: alpha, timeMs: performance.now() - started });
          composite(frame, bg, alpha, out, { wrap: mask!.wrap, despill: config.despill });
        }
        if (config.mirror) flipHorizontal(out, ow, oh);
        if (config.flip) flipVertical(out, ow, oh, rowScratch);
      }
      stats.add("compose", performance.now() - t);

      t = performance.now();
      if (view) await sink.writeYuyv!(yuyv!);
      else await sink.write(out);
      const convertMs = sink.convertMs ?? 0;
      stats.add("write", performance.now() - t - convertMs);
      if (sink.convertMs !== undefined) stats.add("convert", convertMs);
      stats.frame();
      config.onFrame?.(stats);
      // Let a finished model run be delivered even when every await above was already resolved.
      if (inflight !== null) await yieldToEventLoop();
      if (config.onStatus && stats.elapsed() >= 1000) {
        const sub = mask ? mask.timings.line() : "";
        config.onStatus(sub ? `${stats.line()} | post: ${sub}` : stats.line());
      }
    }
  } finally {
    // Never leave ONNX Runtime writing into buffers that are about to be released.
    if (inflight) await inflight;
  }
  if (inferError) throw inferError;
  return stats;
}
