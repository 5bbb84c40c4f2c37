/**
 * The live virtual camera (`backscrub [options]`): capture → segmentation → background →
 * loopback, with files allowed at either end (`-c clip.mp4`, `-v out.y4m`). Prints a banner
 * with every resolved setting, stops cleanly on SIGINT/SIGTERM (finish the frame, stream off,
 * close everything, exit 0).
 *
 * @module
 */

import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { openBackground, parseBackgroundSpec } from "../background/mod.ts";
import { DeviceError } from "../device/errors.ts";
import { CameraSource, LoopbackSink } from "../device/pipeline.ts";
import { ReaderGate, ReaderWatch } from "../device/readers.ts";
import { isFileSpec, openFileSink, openFileSource } from "../io/mod.ts";
import {
  DEFAULT_LIGHT_WRAP,
  describeMaskOptions,
  type MaskOptions,
  resolveMaskOptions,
} from "../mask/mod.ts";
import { resolveModel } from "../models/resolve.ts";
import { type PipelineConfig, runPipeline, yuvPathBlocker } from "../pipeline/loop.ts";
import type { Background, FrameSink, FrameSource } from "../pipeline/types.ts";
import { Segmenter } from "../segment/segmenter.ts";
import type { LiveOptions } from "./options.ts";

/** How long a silent camera is tolerated before backscrub gives up. */
const STALL_LIMIT_MS = 10_000;
/** After this long without a camera frame the last frame is sent again (keeps browsers happy). */
const REPEAT_AFTER_MS = 500;
/**
 * How long the virtual camera may stay unread before the camera is paused (`--no-idle`: never).
 * Long enough that a program that only looks at the device (listing cameras, reopening it to
 * change the format) does not stop and restart the camera; short enough that the camera's light
 * goes off soon after a call ends.
 */
const IDLE_AFTER_MS = 2000;

/**
 * The mask's post-processing options from the command line. No light wrap by default on a solid
 * colour: such a background is usually keyed out downstream, where wrapped colour is spill.
 *
 * @param options the parsed command line
 * @param context whether the background is a solid colour
 * @returns the options for `MaskPipeline`
 */
export function maskOptions(
  options: LiveOptions,
  context: { solidBackground: boolean },
): MaskOptions {
  return {
    upsample: options.upsample,
    smoothing: options.smooth,
    hold: options.smooth,
    tighten: options.tighten,
    lightWrap: options.lightWrap ?? (context.solidBackground ? 0 : DEFAULT_LIGHT_WRAP),
    ...(options.threshold !== null ? { threshold: options.threshold } : {}),
  };
}

/**
 * Watches the virtual camera for readers; when that is impossible (e.g. the inotify watch limit is
 * reached), says so and returns null: backscrub then runs without idling.
 */
function openWatch(path: string, warn: (w: string) => void): ReaderWatch | null {
  try {
    return ReaderWatch.open(path);
  } catch (error) {
    if (!(error instanceof DeviceError)) throw error;
    warn(`${error.message}; the camera keeps running while nobody reads`);
    return null;
  }
}

/** Output lines of the live command. */
export interface LiveIo {
  /** The banner and the summary (stdout). */
  log: (line: string) => void;
  /** Warnings, the `-d` status line and `-s` progress (stderr). */
  status: (text: string) => void;
}

/**
 * Runs the virtual camera until the source ends, `--frames` are written, or a signal comes.
 *
 * @param options the parsed command line
 * @param io where to print
 * @returns the exit status (0)
 */
export async function runLive(options: LiveOptions, io: LiveIo): Promise<number> {
  const warn = (w: string): void => io.status(`backscrub: warning: ${w}\n`);
  await using stack = new AsyncDisposableStack();

  // 1. The source.
  let source: FrameSource;
  let mode: "live" | "exact";
  if (isFileSpec(options.capture)) {
    source = await openFileSource(options.capture, {
      ...(options.frames !== null ? { frames: options.frames } : {}),
      ...(options.fps !== null ? { fps: options.fps } : {}),
      warn,
    });
    mode = "exact";
  } else {
    const camera = CameraSource.open(options.capture, {
      ...(options.captureSize ?? {}),
      ...(options.fps !== null ? { fps: options.fps, maxFps: options.fps } : {}),
      ...(options.format !== null ? { format: options.format } : {}),
      timeoutMs: STALL_LIMIT_MS,
      repeatAfterMs: REPEAT_AFTER_MS,
      onWarning: warn,
    });
    for (const w of camera.warnings) warn(w);
    source = camera;
    mode = "live";
  }
  stack.defer(() => source.close());

  // 2. The sink, at the output size (default: the source's).
  const size = options.virtualSize ?? { width: source.width, height: source.height };
  let sink: FrameSink;
  if (options.virtual !== null && isFileSpec(options.virtual)) {
    sink = await openFileSink(options.virtual, { ...size, fps: source.fps || options.fps || 30 });
  } else {
    const loopback = LoopbackSink.open(options.virtual ?? undefined, {
      ...size,
      format: options.outputFormat,
      fps: options.fps ?? (Math.round(source.fps) || 30),
    });
    for (const w of loopback.loopback.warnings) warn(w);
    sink = loopback;
  }
  stack.defer(() => sink.close());

  // 2b. Idling: a camera feeding a virtual camera pauses while no program has the device open.
  // The watch starts after our own handle is open, so that handle is not counted as a reader.
  const controller = new AbortController();
  let input: FrameSource = source;
  let gate: ReaderGate | null = null;
  const watch = options.idle && source instanceof CameraSource && sink instanceof LoopbackSink
    ? openWatch(sink.loopback.path, warn)
    : null;
  if (watch !== null && source instanceof CameraSource) {
    const path = watch.path;
    stack.defer(() => watch.close());
    gate = new ReaderGate(source, watch, {
      idleAfterMs: IDLE_AFTER_MS,
      signal: controller.signal,
      onIdle: () => io.log(`backscrub: no program is reading ${path}: camera paused`),
      onResume: (ms) =>
        io.log(
          `backscrub: a program opened ${path}: camera resumed (idle for ${
            (ms / 1000).toFixed(1)
          } s)`,
        ),
    });
    input = gate;
  }

  // 3. Background and model.
  const background: Background = await openBackground(options.background, size);
  stack.defer(() => background.close());
  let segmenter: Segmenter | null = null;
  let ort: OnnxRuntime | null = null;
  let modelLine = "none (background off)";
  if (!background.passthrough) {
    const model = await resolveModel(options.model);
    ort = OnnxRuntime.load({ libraryPath: options.ortLib ?? undefined });
    stack.defer(() => ort!.close());
    segmenter = Segmenter.open(ort, model, { threads: options.threads });
    stack.defer(() => segmenter!.close());
    const m = segmenter.manifest;
    modelLine =
      `${m.name} (${m.input.width}x${m.input.height}, ${model.onnxPath}), ONNX Runtime ${ort.version}, ${options.threads} thread${
        options.threads > 1 ? "s" : ""
      }`;
  }

  const mask = maskOptions(options, {
    solidBackground: parseBackgroundSpec(options.background).kind === "color",
  });

  io.log(`backscrub: capture    ${source.description}`);
  io.log(`backscrub: output     ${sink.description}`);
  io.log(`backscrub: model      ${modelLine}`);
  io.log(`backscrub: background ${background.description}`);
  if (segmenter) {
    io.log(
      `backscrub: mask       ${describeMaskOptions(resolveMaskOptions(mask))}${
        options.despill ? `, despill ${options.despill}` : ""
      }`,
    );
  }
  const pipelineConfig: PipelineConfig = {
    source: input,
    sink,
    background,
    segmenter,
    mode,
    ...(options.everyFrame ? { motion: false as const } : {}),
    mirror: options.mirror,
    flip: options.flip,
    threshold: options.threshold ?? undefined,
    mask,
    despill: options.despill,
    maxFrames: options.frames ?? undefined,
    signal: controller.signal,
    ...(options.debug > 0 ? { onStatus: (line: string) => io.status(`${line}\n`) } : {}),
    ...(options.progress
      ? {
        onFrame: (s: { totalFrames: number }) => {
          if (s.totalFrames % 10 === 0) io.status(`\rbackscrub: ${s.totalFrames} frames`);
        },
      }
      : {}),
  };
  const extras = [
    options.mirror ? "mirrored" : "",
    options.flip ? "flipped" : "",
    options.threshold !== null ? `threshold ${options.threshold}` : "soft mask",
    options.fps !== null ? `at most ${options.fps} fps` : "",
    options.frames !== null ? `${options.frames} frames` : "",
    mode === "live" ? "model beside capture" : "every frame with its own mask",
    mode === "live" && segmenter && !options.everyFrame
      ? "model rests while the scene is still"
      : "",
    gate ? `camera paused after ${IDLE_AFTER_MS / 1000} s unread` : "",
  ].filter((s) => s !== "");
  io.log(`backscrub: options    ${extras.join(", ")}`);
  const blocker = yuvPathBlocker(pipelineConfig);
  io.log(
    `backscrub: path       ${
      blocker === null ? "YCbCr (camera planes to YUYV, no RGB conversion)" : `RGB (${blocker})`
    }`,
  );

  // 4. Run until done or told to stop.
  const stop = (): void => controller.abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  stack.defer(() => {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  });
  const t0 = performance.now();
  const stats = await runPipeline(pipelineConfig);
  if (options.progress) io.status("\n");
  const seconds = (performance.now() - t0) / 1000;
  const skipped = source instanceof CameraSource ? source.decodeStats.skipped : 0;
  io.log(
    `backscrub: ${stats.totalFrames} frames in ${seconds.toFixed(1)} s (${
      (stats.totalFrames / Math.max(seconds, 1e-3)).toFixed(1)
    } fps), ${stats.totalModelRuns} model runs${
      skipped ? `, ${skipped} corrupt frames skipped` : ""
    }${
      gate && gate.pauses > 0
        ? `, camera paused ${gate.pauses}x for ${(gate.idleMs / 1000).toFixed(1)} s`
        : ""
    }${controller.signal.aborted ? ", stopped by signal" : ""}`,
  );
  return 0;
}
