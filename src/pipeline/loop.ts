/**
 * The loop: source → model → mask → background + compositor → sink (backscrub's main loop and
 * CalcMask). It only wires stages built once; every buffer is made at setup, and settings change
 * between two frames through {@linkcode Pipeline.change}.
 *
 * Live (`mode: "live"`): the model runs on ONNX Runtime's thread on the newest frame
 * ({@linkcode LatestMask}) while the loop keeps reading and composing every camera frame with the
 * newest mask; while the scene is still the model runs only a few times a second
 * ({@linkcode MotionGate}). Exact (`mode: "exact"`, files): every frame waits for its own mask,
 * so a run is reproducible byte for byte.
 *
 * Frames are planar YCbCr in one working layout, chosen from the sink: the virtual camera
 * (`"422"`) gets the composite packed straight into its YUYV buffer; files (`"444"`) get a planar
 * frame.
 *
 * @module
 */

import { coverRect, type Rect, type Size } from "../frame/geometry.ts";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { FrameRegionMaps } from "../frame/region.ts";
import {
  type Background,
  type BackgroundContext,
  type FrameSink,
  type FrameSource,
  workingLayout,
} from "../frame/stages.ts";
import { FrameTiming } from "../frame/timing.ts";
import type { Despill } from "../image/composite.ts";
import { Kernels } from "../kernels/mod.ts";
import {
  convertFrame,
  fillFrame,
  flipFrame,
  flipRows,
  mirrorFrame,
  mirrorYuyv,
  packYuyv,
} from "../image/planar.ts";
import { fillYuyv, Notice } from "../image/notice.ts";
import { type MaskOptions, MaskPipeline } from "../mask/mask_pipeline.ts";
import { MotionGate, type MotionGateOptions } from "../segment/motion.ts";
import type { Segmenter } from "../segment/segmenter.ts";
import { LatestMask } from "./latest_mask.ts";
import {
  type Applied,
  changedSettings,
  PRIVACY_COLOUR,
  type Settings,
  type SettingsChange,
  SettingsError,
  showsCamera,
  type StageFactory,
  validateChange,
} from "./settings.ts";
import { formatSample, Stats, type StatsSample } from "./stats.ts";
import { Framer } from "../framing/mod.ts";

/** What a pipeline is opened with. */
export interface PipelineOptions {
  /** Camera frames. */
  source: FrameSource;
  /** Output frames; its size is the output size (`--vg`). */
  sink: FrameSink;
  /** Makes backgrounds and models, at open and for live changes. */
  factory: StageFactory;
  /** The settings to start with. */
  settings: Settings;
  /** "live": the model beside capture; "exact": every frame with its own mask. */
  mode: "live" | "exact";
  /**
   * Live mode: skip model runs while the scene is still ({@linkcode MotionGate}; its options, or
   * false to run the model whenever it is free). Default: on.
   */
  motion?: MotionGateOptions | false;
  /** Stop after this many frames. */
  maxFrames?: number | undefined;
  /** Stops the loop after the current frame. */
  signal?: AbortSignal | undefined;
  /** Called about once a second with the `-d` status line. */
  onStatus?: ((line: string) => void) | undefined;
  /** Called after each frame with its timings (for `-s` progress and the benchmarks). */
  onFrame?: ((timing: FrameTiming, stats: Stats) => void) | undefined;
  /** Called about once a second with the interval's figures (the control panel's status). */
  onSample?: ((sample: StatsSample) => void) | undefined;
  /**
   * Called with every frame once it is composed, before it is written (the control panel's
   * preview). The views are the loop's own buffers, valid only during the call: copy what you
   * keep, and return quickly (it runs on the loop).
   */
  onOutput?: ((output: OutputView) => void) | undefined;
}

/** One composed frame, as {@linkcode PipelineOptions.onOutput} sees it (filled in place). */
export interface OutputView {
  /** The frame's index (from 0). */
  index: number;
  /** The output as the virtual camera gets it (YUYV, limited range); null for a file. */
  yuyv: Uint8Array | null;
  /** The output as a file gets it (planar 4:4:4, full range); null for the virtual camera. */
  frame: Frame | null;
  /** The camera picture cropped to the output size, before mirror and flip. */
  camera: Frame;
  /**
   * The part of the camera picture the output shows (camera pixels, fractional): the output's
   * centred crop, or auto-framing's. The loop's own object: copy what you keep.
   */
  crop: Readonly<Rect>;
  /** The mask at the output size (255: person), before mirror and flip. */
  alpha: Uint8Array;
  /** Whether the output was mirrored / flipped (to show camera and mask the same way). */
  mirror: boolean;
  flip: boolean;
}

/** The stages and switches a frame is made with; swapped whole, between frames. */
interface Scene {
  readonly settings: Readonly<Settings>;
  readonly background: Background;
  /** Null when the background is off (passthrough: no model runs). */
  readonly model: Segmenter | null;
  readonly latest: LatestMask | null;
  readonly mask: MaskPipeline | null;
  /** The newest model output, copied from the model when taken. */
  readonly map: Float32Array | null;
  readonly gate: MotionGate | null;
  /** With privacy on over a background made from the camera: what is sent instead. */
  readonly veil: Background | null;
  /** Where the camera picture lies in the model's map (map pixels); null without a model. */
  readonly content: Rect | null;
}

/**
 * Where the model output shows the output's crop of the camera frame.
 *
 * @param content where the whole camera frame lands in the model output (the letterbox)
 * @param crop the output's crop of the camera frame
 * @param source the camera frame's size
 * @param into the rectangle to fill (default: a new one)
 * @returns the crop in model output coordinates
 */
export function maskRegion(
  content: Rect,
  crop: Rect,
  source: Size,
  into: Rect = { x: 0, y: 0, w: 0, h: 0 },
): Rect {
  into.x = content.x + (crop.x / source.width) * content.w;
  into.y = content.y + (crop.y / source.height) * content.h;
  into.w = (crop.w / source.width) * content.w;
  into.h = (crop.h / source.height) * content.h;
  return into;
}

/**
 * A running virtual camera: stages built once, settings changed live.
 *
 * @example
 * ```ts ignore
 * await using pipeline = await Pipeline.open({ source, sink, factory, settings, mode: "live" });
 * const running = pipeline.run();
 * const applied = await pipeline.change({ background: "studio.png", mirror: true });
 * console.log(applied.frame, applied.lines);
 * await running;
 * ```
 */
export class Pipeline {
  readonly #options: PipelineOptions;
  readonly #source: FrameSource;
  readonly #sink: FrameSink;
  readonly #stats = new Stats();
  readonly #timing = new FrameTiming();
  /** The per-pixel kernels; the frame buffers below live in their memory (nothing is copied). */
  readonly #kernels: Kernels = Kernels.shared();
  // Geometry and buffers, made at setup (the crop's, when auto-framing first needs them).
  readonly #cam: Frame;
  /** The camera frame cropped and scaled to the output; null while the camera frame is it. */
  #view: Frame | null;
  /** The view in the working layout when the camera frame cannot be (odd width → 4:4:4). */
  readonly #work: Frame | null;
  #maps: FrameRegionMaps | null;
  /** Whether the camera frame is the output's size (no crop needed without framing). */
  readonly #same: boolean;
  /** The camera frame's layout as made (the view is made in it too). */
  readonly #camLayout: Frame["layout"];
  /** The output's crop of the camera frame without framing (`--vg`'s aspect, centred). */
  readonly #crop: Rect;
  /** The crop in the model's map, refilled as the crop moves. */
  readonly #maskCrop: Rect = { x: 0, y: 0, w: 0, h: 0 };
  /** The frame this frame's mask, background and composite use: the camera frame or the view. */
  #current: Frame;
  /** Auto-framing: its crop (`framer.crop`) is the one the maps and the mask are set to. */
  readonly #framer: Framer;
  readonly #out: Frame | null;
  readonly #opaque: Uint8Array;
  readonly #scratch: Uint8Array;
  /** A still background packed as YUYV words (virtual camera only), and which frame it holds. */
  readonly #packedBg: Uint32Array | null;
  #packedOf: Frame | null = null;
  /** The compositors' options, filled in place every frame. */
  readonly #yuyvOptions: {
    wrap: Uint8Array | null;
    bgPacked: Uint32Array | null;
    despill: Despill | null;
  } = { wrap: null, bgPacked: null, despill: null };
  readonly #frameOptions: { wrap: Uint8Array | null; despill: Despill | null } = {
    wrap: null,
    despill: null,
  };
  readonly #ctx: BackgroundContext;
  #scene: Scene;
  /** Prepared changes, applied at the top of the next frame. */
  #pending: (() => Promise<void>)[] = [];
  /** Changes are made one after the other, each against the scene the one before left. */
  #changes: Promise<unknown> = Promise.resolve();
  #running = false;
  #closed = false;
  /** The "camera unavailable" notice, made the first time the camera is away. */
  #notice: Notice | null = null;
  #started = 0;
  readonly #output: OutputView;

  private constructor(options: PipelineOptions, scene: Scene) {
    this.#options = options;
    this.#source = options.source;
    this.#sink = options.sink;
    const source = this.#source.size;
    const output = this.#sink.size;
    const layout = workingLayout(this.#sink);
    // A 4:2:2 frame needs an even width; an odd-width file feeding the virtual camera is read in
    // 4:4:4 and converted after the crop (the output width is even).
    const camLayout = layout === "422" && source.width % 2 !== 0 ? "444" : layout;
    const same = source.width === output.width && source.height === output.height;
    this.#same = same;
    this.#camLayout = camLayout;
    this.#crop = coverRect(source.width, source.height, output);
    const k = this.#kernels;
    this.#cam = makeFrame(source, camLayout, k.planes);
    this.#maps = same ? null : new FrameRegionMaps(source, this.#crop, output);
    this.#view = same ? null : makeFrame(output, camLayout, k.planes);
    this.#work = camLayout === layout ? null : makeFrame(output, layout, k.planes);
    this.#current = this.#work ?? this.#view ?? this.#cam;
    this.#framer = new Framer(source, this.#crop, {
      enabled: options.settings.frame === "auto",
      maxZoom: options.settings.frameZoom,
    });
    this.#out = this.#sink.kind === "planar" ? makeFrame(output, "444", k.planes) : null;
    this.#opaque = k.arena.bytes(output.width * output.height).fill(255);
    this.#scratch = new Uint8Array(output.width * 3);
    this.#packedBg = this.#sink.kind === "yuyv"
      ? k.arena.uint32(output.width * output.height / 2)
      : null;
    this.#ctx = { frame: this.#current, mask: this.#opaque, timeMs: 0 };
    this.#output = {
      index: 0,
      yuyv: null,
      frame: null,
      camera: this.#current,
      crop: this.#framer.crop,
      alpha: this.#opaque,
      mirror: false,
      flip: false,
    };
    this.#scene = scene;
  }

  /**
   * Opens the background and the model the settings name, and makes every buffer.
   *
   * @param options the stages, the factory and the first settings
   * @returns the pipeline, ready to run
   * @throws whatever the factory throws for a background or model that cannot be opened (as it
   *   is: the caller explains it)
   */
  static async open(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options, {
      settings: options.settings,
      background: PLACEHOLDER,
      model: null,
      latest: null,
      mask: null,
      map: null,
      gate: null,
      veil: null,
      content: null,
    });
    pipeline.#scene = await pipeline.#prepare(pipeline.#scene, options.settings, true);
    return pipeline;
  }

  /** The settings in force. */
  get settings(): Readonly<Settings> {
    return this.#scene.settings;
  }

  /** The background in use. */
  get background(): Background {
    return this.#scene.background;
  }

  /** The model in use; null while the background is off. */
  get model(): Segmenter | null {
    return this.#scene.model;
  }

  /** The resolved mask options in force; null while the background is off. */
  get mask(): MaskPipeline | null {
    return this.#scene.mask;
  }

  /** The statistics so far. */
  get stats(): Stats {
    return this.#stats;
  }

  /**
   * Changes settings while the pipeline runs (or before it does). The stages the change needs
   * are made beside the loop; the switch happens between two frames, all at once; frames go on
   * meanwhile. When the change fails nothing changes.
   *
   * @param change the settings to change
   * @returns what was changed and the first frame that shows it
   * @throws {SettingsError} one line: what could not be changed; the old settings stay
   */
  change(change: SettingsChange): Promise<Applied> {
    const result = this.#changes.then(() => this.#change(change));
    this.#changes = result.catch(() => {});
    return result;
  }

  async #change(change: SettingsChange): Promise<Applied> {
    if (this.#closed) throw new SettingsError("background", "The pipeline is closed");
    validateChange(change);
    const old = this.#scene;
    const changed = changedSettings(old.settings, change);
    if (changed.length === 0) {
      return { settings: old.settings, changed, frame: this.#stats.totalFrames, lines: [] };
    }
    if (changed.includes("fps") && this.#source.setMaxFps === undefined) {
      throw new SettingsError("fps", "Cannot change the frame rate of a file: it is the file's");
    }
    const settings: Settings = { ...old.settings, ...definedOnly(change) };
    const next = await this.#prepare(old, settings, false);
    const frame = await this.#swap(
      async () => {
        if (old.latest !== null && old.latest !== next.latest) await old.latest.settle();
        // New mask options on the same model: the new mask starts from the newest model output.
        if (
          next.mask !== null && next.mask !== old.mask && next.latest === old.latest &&
          old.latest!.runs > 0
        ) {
          next.mask!.ingest(next.map!);
        }
        // A new mask has rendered nothing yet: render it on the next frame, still scene or not.
        if (next.mask !== old.mask) next.gate?.renderNext();
        this.#scene = next;
        if (changed.includes("fps")) this.#source.setMaxFps?.(settings.fps);
        if (changed.includes("frameZoom")) this.#framer.setMaxZoom(settings.frameZoom);
        if (changed.includes("frame")) this.#framer.setEnabled(settings.frame === "auto");
        await this.#release(old, next);
      },
      next,
      old,
    );
    return { settings: next.settings, changed, frame, lines: describe(next, changed) };
  }

  /**
   * Runs until the source ends, `maxFrames` frames are written or the signal aborts. Closes
   * nothing: the caller owns the source and sink, {@linkcode close} the rest.
   *
   * @returns the statistics of the run
   */
  async run(): Promise<Stats> {
    const o = this.#options;
    const t = this.#timing;
    const stats = this.#stats;
    this.#running = true;
    this.#started = performance.now();
    try {
      while (!o.signal?.aborted && (o.maxFrames === undefined || stats.totalFrames < o.maxFrames)) {
        while (this.#pending.length > 0) await this.#pending.shift()!();
        const s = this.#scene;
        t.reset();
        let t0 = performance.now();
        if (!(await this.#source.read(this.#cam, t))) break;
        t.grab = performance.now() - t0 - (Number.isNaN(t.decode) ? 0 : t.decode);
        // No camera picture (lost, busy, silent): the background with a notice, no model run.
        const standby = this.#source.standby === true;

        if (s.latest !== null && !standby) {
          // Waits only in exact mode and on a model's first frame; otherwise never.
          if (this.#startModel(s)) await s.latest.settle();
          s.latest.check();
          s.latest.take(s.map!, t);
        }
        t0 = performance.now();
        if (!standby) this.#frame(s, t.modelTaken);
        const current = this.#current;
        if (s.mask !== null && !standby && (s.gate === null || s.gate.shouldRender(t.modelTaken))) {
          if (t.modelTaken) s.mask.ingest(s.map!);
          s.mask.render(current.y);
        }
        t.post = performance.now() - t0;

        t0 = performance.now();
        const out = standby ? this.#composeStandby(s) : this.#compose(s);
        t.compose = performance.now() - t0;
        if (o.onOutput) this.#tap(s, out);

        t0 = performance.now();
        if (this.#sink.kind === "yuyv") await this.#sink.commit(t);
        else await this.#sink.write(out!, t);
        t.write = performance.now() - t0 - (Number.isNaN(t.convert) ? 0 : t.convert);

        stats.record(t);
        o.onFrame?.(t, stats);
        // Let a finished model run be delivered even when every await above was resolved.
        if (s.latest?.busy) await s.latest.deliver();
        if ((o.onStatus || o.onSample) && stats.elapsed() >= 1000) {
          const sample = stats.sample();
          o.onSample?.(sample);
          if (o.onStatus) {
            const sub = s.mask ? s.mask.timings.line() : "";
            const line = formatSample(sample);
            o.onStatus(sub ? `${line} | post: ${sub}` : line);
          }
        }
      }
      // Changes that came too late for a frame still take effect.
      while (this.#pending.length > 0) await this.#pending.shift()!();
    } finally {
      this.#running = false;
      // Never leave ONNX Runtime writing into buffers that are about to be released.
      await this.#scene.latest?.settle().catch(() => {});
      if (this.#closed) this.#releaseBuffers();
    }
    return stats;
  }

  /** Closes the background and the model. The source and sink stay the caller's. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const s = this.#scene;
    await s.latest?.settle().catch(() => {});
    await s.background.close();
    await s.veil?.close();
    s.model?.close();
    if (!this.#running) this.#releaseBuffers();
  }

  /**
   * Auto-framing and the crop: moves the framer's crop (after the newest model output, when this
   * frame took one), points the maps and the mask at it when it moved, and crops and scales the
   * camera frame into the view (in the same pass as `--vg`'s crop). Sets {@linkcode #current}.
   */
  #frame(s: Scene, fresh: boolean): void {
    const framer = this.#framer;
    const now = this.#clock();
    if (fresh && s.content !== null) {
      const m = s.model!.manifest.output;
      framer.observe(s.map!, m, s.content, now);
    }
    const crop = framer.step(now);
    if (framer.moved) {
      this.#ensureView();
      this.#maps!.update(crop);
      if (s.mask !== null && s.content !== null) {
        s.mask.setRegion(maskRegion(s.content, crop, this.#source.size, this.#maskCrop));
      }
      s.gate?.renderNext();
    }
    const direct = this.#maps === null || (this.#same && framer.atBase);
    let current = this.#cam;
    if (!direct) {
      this.#kernels.resampleFrame(this.#cam, this.#maps!, this.#view!);
      current = this.#view!;
    }
    if (this.#work !== null && current !== this.#cam) {
      convertFrame(current, this.#work);
      current = this.#work;
    }
    this.#current = current;
    this.#ctx.frame = current;
  }

  /** Seconds for the framer: wall time live, the frame count over the rate for files. */
  #clock(): number {
    if (this.#options.mode === "live") return performance.now() / 1000;
    const fps = this.#source.fps > 0 ? this.#source.fps : 30;
    return this.#stats.totalFrames / fps;
  }

  /** The view and maps a camera frame of the output's size needs once framing crops it. */
  #ensureView(): void {
    if (this.#maps !== null) return;
    const output = this.#sink.size;
    this.#maps = new FrameRegionMaps(this.#source.size, this.#crop, output);
    this.#view = makeFrame(output, this.#camLayout, this.#kernels.planes);
  }

  /** Gives the frame buffers back to the kernels' memory (once the loop has stopped). */
  #releaseBuffers(): void {
    const k = this.#kernels;
    for (const f of new Set([this.#cam, this.#view, this.#work, this.#out])) {
      if (f !== null) k.releaseFrame(f);
    }
    k.release(this.#opaque, this.#packedBg, this.#scene.map);
    this.#scene.mask?.release();
  }

  /** Closes the pipeline ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Starts a model run on this frame when one is due.
   *
   * @returns whether the frame must wait for the run (exact mode; a model's first frame, which
   *   has no earlier mask to use)
   */
  #startModel(s: Scene): boolean {
    const latest = s.latest!;
    s.gate?.measure(this.#cam.y, this.#cam.width, this.#cam.height);
    if (this.#options.mode === "exact") {
      latest.submit(this.#cam, this.#timing);
      return true;
    }
    // The gate's first answer is always yes (it takes that frame as its reference).
    if (!latest.busy && (s.gate === null || s.gate.shouldRun(performance.now()))) {
      latest.submit(this.#cam, this.#timing);
    }
    return latest.runs === 0;
  }

  /**
   * Background, composite, mirror and flip: into the virtual camera's YUYV buffer (returns
   * null), or into a planar frame for a file (returned).
   */
  #compose(s: Scene): Frame | null {
    const view = this.#current;
    const { width, height } = view;
    const mirror = s.settings.mirror;
    const flip = s.settings.flip;
    const alpha = s.mask?.alpha ?? this.#opaque;
    if (s.settings.privacy) return this.#composePrivate(s);
    if (this.#sink.kind === "yuyv") {
      const yuyv = this.#sink.yuyv;
      if (s.background.passthrough) {
        packYuyv(view, yuyv);
      } else {
        const bg = this.#render(s, alpha);
        const o = this.#yuyvOptions;
        o.wrap = s.mask!.wrap;
        o.bgPacked = s.background.still ? this.#packed(bg) : null;
        o.despill = s.settings.despill;
        this.#kernels.compositeYuyv(view, bg, alpha, yuyv, o);
      }
      if (mirror) mirrorYuyv(yuyv, width, height);
      if (flip) flipRows(yuyv, width * 2, height, this.#scratch);
      return null;
    }
    // Passthrough to a file writes the view itself (it is read again next frame).
    let out = view;
    if (!s.background.passthrough) {
      out = this.#out!;
      const o = this.#frameOptions;
      o.wrap = s.mask!.wrap;
      o.despill = s.settings.despill;
      this.#kernels.compositeFrame(view, this.#render(s, alpha), alpha, out, o);
    }
    if (mirror) mirrorFrame(out);
    if (flip) flipFrame(out, this.#scratch);
    return out;
  }

  /** Privacy: the background alone (or the veil over a background made from the camera). */
  #composePrivate(s: Scene): Frame | null {
    const { width, height } = this.#current;
    this.#ctx.mask = this.#opaque;
    this.#ctx.timeMs = performance.now() - this.#started;
    const bg = (s.veil ?? s.background).render(this.#ctx);
    if (this.#sink.kind === "yuyv") {
      const yuyv = this.#sink.yuyv;
      packYuyv(bg, yuyv);
      if (s.settings.mirror) mirrorYuyv(yuyv, width, height);
      if (s.settings.flip) flipRows(yuyv, width * 2, height, this.#scratch);
      return null;
    }
    // The background's own frame is kept by the background: mirror and flip a copy.
    const out = this.#out!;
    out.y.set(bg.y);
    out.u.set(bg.u);
    out.v.set(bg.v);
    if (s.settings.mirror) mirrorFrame(out);
    if (s.settings.flip) flipFrame(out, this.#scratch);
    return out;
  }

  /**
   * The camera is away ({@linkcode FrameSource.standby}): the background alone — a background
   * made from the camera (blur, off) has nothing to show, so the privacy colour — with the
   * "camera unavailable" notice over it (`src/image/notice.ts`, made on first use).
   */
  #composeStandby(s: Scene): Frame | null {
    let out: Frame | null = null;
    if (s.veil !== null || !showsCamera(s.settings.background)) out = this.#composePrivate(s);
    else if (this.#sink.kind === "yuyv") fillYuyv(this.#sink.yuyv, STANDBY_RGB);
    else {
      out = this.#out!;
      fillFrame(out, STANDBY_RGB);
    }
    this.#notice ??= new Notice(this.#sink.size);
    if (this.#sink.kind === "yuyv") this.#notice.drawYuyv(this.#sink.yuyv);
    else this.#notice.drawFrame(out!);
    return out;
  }

  /** Shows the composed frame to {@linkcode PipelineOptions.onOutput}. */
  #tap(s: Scene, out: Frame | null): void {
    const view = this.#output;
    view.index = this.#stats.totalFrames;
    view.yuyv = this.#sink.kind === "yuyv" ? this.#sink.yuyv : null;
    view.frame = out;
    view.alpha = s.mask?.alpha ?? this.#opaque;
    view.camera = this.#current;
    view.mirror = s.settings.mirror;
    view.flip = s.settings.flip;
    this.#options.onOutput!(view);
  }

  #render(s: Scene, alpha: Uint8Array): Frame {
    this.#ctx.mask = alpha;
    this.#ctx.timeMs = performance.now() - this.#started;
    return s.background.render(this.#ctx);
  }

  /** A still background packed as YUYV words once (its runs are then word copies). */
  #packed(bg: Frame): Uint32Array {
    const words = this.#packedBg!;
    if (this.#packedOf !== bg) {
      packYuyv(bg, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
      this.#packedOf = bg;
    }
    return words;
  }

  /**
   * Makes the scene for `settings`, reusing what did not change. Slow work (opening a background
   * or a model) runs here, beside the loop.
   */
  async #prepare(old: Scene, settings: Settings, first: boolean): Promise<Scene> {
    const f = this.#options.factory;
    const output = this.#sink.size;
    const layout = workingLayout(this.#sink);
    const made: { close(): unknown }[] = [];
    try {
      let background = old.background;
      if (first || settings.background !== old.settings.background) {
        try {
          background = await f.background(settings.background, { size: output, layout });
        } catch (error) {
          throw first ? error : asSettingsError("background", error);
        }
        made.push(background);
      }
      let model: Segmenter | null = null;
      // Auto-framing needs the model even when the background is off (to find the person).
      if (!background.passthrough || settings.frame === "auto") {
        model = old.model !== null && !first && settings.model === old.settings.model
          ? old.model
          : null;
        if (model === null) {
          try {
            model = await f.model(settings.model);
          } catch (error) {
            throw first ? error : asSettingsError("model", error);
          }
          made.push(model);
        }
      }
      const options = this.#maskOptions(settings, f);
      const same = model !== null && model === old.model && old.mask !== null &&
        settings.threshold === old.settings.threshold &&
        JSON.stringify(options) === JSON.stringify(this.#maskOptions(old.settings, f));
      // No mask while the background is off (the model runs for framing alone then).
      let mask = same && !background.passthrough ? old.mask : null;
      let map = same ? old.map : null;
      let latest = model !== null && model === old.model ? old.latest : null;
      const content = model === null ? null : model.contentRect(this.#source.size);
      if (model !== null && content !== null) {
        const m = model.manifest.output;
        if (mask === null && !background.passthrough) {
          mask = new MaskPipeline({
            model: { width: m.width, height: m.height },
            region: maskRegion(content, this.#crop, this.#source.size),
            output,
          }, options);
          // Framing has moved the crop: the new mask starts where it is.
          const c = this.#framer.crop;
          if (c.x !== this.#crop.x || c.y !== this.#crop.y || c.h !== this.#crop.h) {
            mask.setRegion(maskRegion(content, c, this.#source.size));
          }
        }
        if (map === null) {
          map = old.map !== null && old.map.length === m.width * m.height
            ? old.map
            : this.#kernels.arena.float32(m.width * m.height);
        }
      }
      if (model !== null && latest === null) latest = new LatestMask(model);
      const wantsGate = model !== null && this.#options.mode === "live" &&
        this.#options.motion !== false;
      const gate = !wantsGate
        ? null
        : old.gate !== null && model === old.model
        ? old.gate
        : new MotionGate(this.#options.motion || {});
      // Privacy over a background made from the camera: a plain colour instead, kept while the
      // privacy switch and the background stay as they are.
      let veil: Background | null = null;
      if (settings.privacy && showsCamera(settings.background)) {
        // A scene has a veil only while privacy hides a background made from the camera.
        veil = old.veil ?? await f.background(PRIVACY_COLOUR, { size: output, layout });
        if (veil !== old.veil) made.push(veil);
      }
      return {
        settings: Object.freeze({ ...settings, mask: { ...settings.mask } }),
        background,
        model,
        latest,
        mask,
        map,
        gate,
        veil,
        content,
      };
    } catch (error) {
      for (const stage of made) await stage.close();
      throw error;
    }
  }

  #maskOptions(settings: Settings, f: StageFactory): MaskOptions {
    const lightWrap = settings.mask.lightWrap ??
      (f.isSolidColour(settings.background) ? 0 : undefined);
    return {
      ...settings.mask,
      ...(lightWrap !== undefined ? { lightWrap } : {}),
      ...(settings.threshold !== null ? { threshold: settings.threshold } : {}),
    };
  }

  /** Runs `apply` between two frames (now, when the loop is not running); returns the frame. */
  #swap(apply: () => Promise<void>, next: Scene, old: Scene): Promise<number> {
    if (!this.#running) {
      return apply().then(() => this.#stats.totalFrames, async (error) => {
        await this.#release(next, old);
        throw error;
      });
    }
    return new Promise<number>((resolve, reject) => {
      this.#pending.push(async () => {
        try {
          await apply();
          resolve(this.#stats.totalFrames);
        } catch (error) {
          await this.#release(next, old);
          reject(error);
        }
      });
    });
  }

  /** Closes what `from` had and `to` does not keep. */
  async #release(from: Scene, to: Scene): Promise<void> {
    if (from.background !== to.background && from.background !== PLACEHOLDER) {
      await from.background.close();
    }
    if (from.veil !== null && from.veil !== to.veil) await from.veil.close();
    if (from.mask !== null && from.mask !== to.mask) from.mask.release();
    if (from.map !== null && from.map !== to.map) this.#kernels.release(from.map);
    if (from.model !== null && from.model !== to.model) {
      await from.latest?.settle().catch(() => {});
      from.model.close();
    }
  }
}

/** Behind the notice when the background is made from the camera: the privacy colour. */
const STANDBY_RGB = [1, 3, 5].map((i) => parseInt(PRIVACY_COLOUR.slice(i, i + 2), 16)) as [
  number,
  number,
  number,
];

/** The background before the first one is opened. */
const PLACEHOLDER: Background = {
  description: "none",
  passthrough: true,
  still: true,
  render: (ctx) => ctx.frame,
  close: () => Promise.resolve(),
};

function definedOnly(change: SettingsChange): Partial<Settings> {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
}

function asSettingsError(setting: keyof Settings, error: unknown): SettingsError {
  if (error instanceof SettingsError) return error;
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
  return new SettingsError(setting, message, { cause: error });
}

function describe(scene: Scene, changed: readonly (keyof Settings)[]): string[] {
  const s = scene.settings;
  return changed.map((name) => {
    switch (name) {
      case "background":
        return `background: ${scene.background.description}`;
      case "model":
        return `model: ${scene.model?.manifest.name ?? s.model}`;
      case "mask":
        return `mask: ${JSON.stringify(s.mask)}`;
      default:
        return `${name}: ${JSON.stringify(s[name])}`;
    }
  });
}
