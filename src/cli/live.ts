/**
 * The live virtual camera (`backscrub [options]`): capture → segmentation → background →
 * loopback, with files allowed at either end (`-c clip.mp4`, `-v out.y4m`). Prints a banner
 * with every resolved setting, stops cleanly on SIGINT/SIGTERM (finish the frame, stream off,
 * close everything, exit 0).
 *
 * @module
 */

import { ResilientSource } from "../device/resilient_source.ts";
import { isPipewireSpec } from "../device/pipewire_sink.ts";
import { ReaderGate } from "../device/readers.ts";
import type { FrameSink, FrameSource } from "../frame/stages.ts";
import { MediaFileError } from "../io/errors.ts";
import { isFileSpec, openFileSink, openFileSource } from "../io/mod.ts";
import { LoopSource } from "../io/loop_source.ts";
import { NULL_SINK, NullSink } from "../io/null_sink.ts";
import { startControl } from "./control.ts";
import { cameraChangeLine, cameraStatus, cameraSummary } from "./camera_status.ts";
import { openVirtualCameras, type VirtualCameras } from "./virtual_cameras.ts";
import { describeMaskOptions } from "../mask/mod.ts";
import { Preview } from "../control/preview.ts";
import { Pipeline } from "../pipeline/loop.ts";
import type { StatsSample } from "../pipeline/stats.ts";
import { UsageError } from "./errors.ts";
import { explain } from "./explain.ts";
import type { LiveOptions } from "./options.ts";
import { cliStageFactory, settingsFromOptions } from "./stage_factory.ts";

/** How long a silent camera is waited for before it is closed and opened again. */
const STALL_LIMIT_MS = 10_000;
/**
 * After this long without a camera frame the last frame is sent again, then at the camera's rate:
 * the virtual camera never goes quiet (Chromium ends a track that gets no frame for ~10 s).
 */
const REPEAT_AFTER_MS = 200;
/** After this long without the camera the notice replaces the last frame. */
const NOTICE_AFTER_MS = 2000;
/**
 * How long the virtual camera may stay unread before the camera is paused (`--no-idle`: never).
 * Long enough that a program that only looks at the device (listing cameras, reopening it to
 * change the format) does not stop and restart the camera; short enough that the camera's light
 * goes off soon after a call ends.
 */
const IDLE_AFTER_MS = 2000;

/** Output lines of the live command. */
export interface LiveIo {
  /** The banner and the summary (stdout). */
  log: (line: string) => void;
  /** Warnings, the `-d` status line and `-s` progress (stderr). */
  status: (text: string) => void;
  /**
   * Reads the settings file and the command line again (on SIGHUP); absent: SIGHUP only says
   * that nothing was reloaded.
   */
  reload?: () => LiveOptions;
  /** The settings file "Save as default" writes (the one read at start, else the default). */
  settingsFile?: string | null;
}

/** What a reload cannot change while running: the devices, files and sizes. */
const RESTART_KEYS = [
  "capture",
  "virtual",
  "alsoVirtual",
  "captureSize",
  "virtualSize",
  "format",
  "outputFormat",
  "threads",
  "ortLib",
] as const satisfies readonly (keyof LiveOptions)[];

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

  // SIGHUP re-reads the settings file and applies what can change live; it never ends the
  // program (its default action). Until the pipeline runs it is only acknowledged.
  let reload = (): void => io.log("backscrub: SIGHUP: still starting, nothing reloaded");
  const onHangup = (): void => reload();
  Deno.addSignalListener("SIGHUP", onHangup);
  stack.defer(() => Deno.removeSignalListener("SIGHUP", onHangup));

  // SIGINT/SIGTERM at any moment end the current step: during start-up (opening the camera,
  // loading the model) backscrub stops before streaming, releases what it opened and exits 0.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  stack.defer(() => {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  });
  const stoppedEarly = (): number => {
    io.log("backscrub: stopped by signal while starting");
    return 0;
  };

  // A file written over while it is read loses the input: refuse before opening either.
  if (
    options.virtual !== null && isFileSpec(options.capture) && isFileSpec(options.virtual) &&
    sameFile(options.capture, options.virtual)
  ) {
    throw new UsageError(
      `-c and -v name the same file "${options.virtual}": writing it would destroy the input; write to another file`,
    );
  }

  if (options.loop && !isFileSpec(options.capture)) {
    throw new UsageError(
      `--loop plays a file as a camera; "${options.capture}" is a camera: give -c a clip or a picture, or leave out --loop`,
    );
  }

  // 1. The source.
  let source: FrameSource;
  let mode: "live" | "exact";
  if (options.loop) {
    source = await LoopSource.open(
      () => openFileSource(options.capture, { frames: Infinity, warn }),
      { maxFps: options.fps },
    );
    mode = "live";
  } else if (isFileSpec(options.capture)) {
    source = await openFileSource(options.capture, {
      ...(options.frames !== null ? { frames: options.frames } : {}),
      ...(options.fps !== null ? { fps: options.fps } : {}),
      warn,
    });
    mode = "exact";
  } else {
    // Once open, losing the camera is never fatal: it is found again when it comes back.
    const camera = ResilientSource.open(options.capture, {
      ...(options.captureSize ?? {}),
      ...(options.fps !== null ? { fps: options.fps, maxFps: options.fps } : {}),
      ...(options.format !== null ? { format: options.format } : {}),
      stallLimitMs: STALL_LIMIT_MS,
      repeatAfterMs: REPEAT_AFTER_MS,
      noticeAfterMs: NOTICE_AFTER_MS,
      onChange: (change) => io.log(cameraChangeLine(change)),
      onWarning: warn,
      // A camera written to a file is read into 4:4:4 frames (its scratch frame made now).
      layout: options.virtual !== null && isFileSpec(options.virtual) &&
          !isPipewireSpec(options.virtual)
        ? "444"
        : "422",
    });
    for (const w of camera.warnings) warn(w);
    source = camera;
    mode = "live";
  }
  stack.defer(() => source.close());
  if (controller.signal.aborted) return stoppedEarly();

  // 2. The sink, at the output size (default: the source's; the virtual camera's YUYV needs an
  // even width, so an odd-width file gives up its last column there).
  const src = source.size;
  const size = options.virtualSize ?? src;
  let sink: FrameSink;
  let cameras: VirtualCameras | null = null;
  if (options.virtual === NULL_SINK && options.alsoVirtual === null) {
    sink = new NullSink(size);
  } else if (
    options.virtual !== null && isFileSpec(options.virtual) && !isPipewireSpec(options.virtual) &&
    options.alsoVirtual === null
  ) {
    sink = await openFileSink(options.virtual, { size, fps: source.fps || options.fps || 30 });
  } else {
    // v4l2loopback devices and PipeWire cameras (-v given twice feeds both).
    cameras = await openVirtualCameras(options, {
      size,
      fps: options.fps ?? (Math.round(source.fps) || 30),
      warn,
      log: io.log,
    });
    sink = cameras.sink;
  }
  stack.defer(() => sink.close());
  if (controller.signal.aborted) return stoppedEarly();

  // 2b. Idling: a camera feeding a virtual camera pauses while no program reads it (has the
  // device open, or is linked to the PipeWire camera). The watch starts after our own handle is
  // open, so that handle is not counted as a reader.
  let input: FrameSource = source;
  let gate: ReaderGate | null = null;
  const watch = options.idle && source instanceof ResilientSource && cameras !== null
    ? cameras.watch()
    : null;
  if (watch !== null && source instanceof ResilientSource) {
    const { label } = watch;
    stack.defer(() => watch.close());
    gate = new ReaderGate(source, watch.readers, {
      idleAfterMs: IDLE_AFTER_MS,
      signal: controller.signal,
      onIdle: () => io.log(`backscrub: no program is reading ${label}: camera paused`),
      onResume: (ms) =>
        io.log(
          `backscrub: ${watch.woken()}: camera resumed (idle for ${(ms / 1000).toFixed(1)} s)`,
        ),
    });
    input = gate;
  }

  // 3. Background and model, through the same factory live changes use. The control panel's
  // preview taps the output (it costs nothing while nobody watches); watching keeps the camera on.
  const factory = stack.use(cliStageFactory(options));
  const panelWanted = options.http !== "off" &&
    (options.http !== null || mode === "live");
  let releaseHold: (() => void) | null = null;
  const preview = panelWanted
    ? new Preview({
      onWatch: (watching) => {
        if (watching) releaseHold ??= gate?.hold() ?? null;
        else {
          releaseHold?.();
          releaseHold = null;
        }
      },
    })
    : null;
  if (preview !== null) stack.defer(() => preview.close());
  let sample: StatsSample | null = null;
  const pipeline = await Pipeline.open({
    source: input,
    sink,
    factory,
    settings: settingsFromOptions(options),
    mode,
    ...(options.everyFrame ? { motion: false as const } : {}),
    maxFrames: options.frames ?? undefined,
    signal: controller.signal,
    ...(options.debug > 0 ? { onStatus: (line: string) => io.status(`${line}\n`) } : {}),
    ...(preview !== null
      ? {
        onOutput: preview.tap,
        onSample: (s: StatsSample) => {
          sample = s;
        },
      }
      : {}),
    ...(options.progress
      ? {
        onFrame: (_t: unknown, s: { totalFrames: number }) => {
          if (s.totalFrames % 10 === 0) io.status(`\rbackscrub: ${s.totalFrames} frames`);
        },
      }
      : {}),
  });
  stack.defer(() => pipeline.close());
  if (controller.signal.aborted) return stoppedEarly();
  const segmenter = pipeline.model;
  const modelLine = segmenter === null
    ? "none (background off)"
    : `${segmenter.manifest.name} (${segmenter.manifest.input.width}x${segmenter.manifest.input.height}, ${segmenter.path}), ONNX Runtime ${factory.ort?.version}, ${options.threads} thread${
      options.threads > 1 ? "s" : ""
    }`;

  io.log(`backscrub: capture    ${source.description}`);
  io.log(`backscrub: output     ${sink.description}`);
  io.log(`backscrub: model      ${modelLine}`);
  io.log(`backscrub: background ${pipeline.background.description}`);
  if (pipeline.mask !== null) {
    io.log(
      `backscrub: mask       ${describeMaskOptions(pipeline.mask.options)}${
        options.despill ? `, despill ${options.despill}` : ""
      }`,
    );
  }
  const extras = [
    options.mirror ? "mirrored" : "",
    options.flip ? "flipped" : "",
    options.threshold !== null ? `threshold ${options.threshold}` : "soft mask",
    options.fps !== null ? `at most ${options.fps} fps` : "",
    options.frame === "auto" ? `auto-framing (zoom at most ${options.frameZoom}x)` : "",
    options.frames !== null ? `${options.frames} frames` : "",
    mode === "live" ? "model beside capture" : "every frame with its own mask",
    mode === "live" && segmenter && !options.everyFrame
      ? "model rests while the scene is still"
      : "",
    gate ? `camera paused after ${IDLE_AFTER_MS / 1000} s unread` : "",
  ].filter((s) => s !== "");
  io.log(`backscrub: options    ${extras.join(", ")}`);
  io.log(
    `backscrub: frames     ${
      sink.kind === "yuyv"
        ? "YCbCr 4:2:2, composited straight into YUYV"
        : "YCbCr 4:4:4 (files keep full colour resolution)"
    }`,
  );

  // 3b. The control panel and its API.
  const started = performance.now();
  const control = preview === null ? null : await startControl({
    options,
    address: options.http === null || options.http === "off"
      ? { hostname: "127.0.0.1", port: 0 }
      : options.http,
    pipeline,
    factory,
    preview,
    settingsFile: io.settingsFile ?? null,
    status: () => ({
      camera: {
        device: options.capture,
        description: source.description,
        paused: gate?.paused ?? false,
        ...(source instanceof ResilientSource ? cameraStatus(source) : {}),
      },
      virtual: {
        device: cameras?.device ?? options.virtual,
        description: sink.description,
        readers: watch?.readers.readers ?? null,
      },
      fps: round(sample?.fps, 10),
      modelFps: round(sample?.modelFps, 10),
      frames: pipeline.stats.totalFrames,
      stages: sample === null ? null : Object.fromEntries(
        Object.entries(sample.stages).map(([k, ms]) => [k, round(ms ?? undefined, 100)]),
      ),
      cpu: round(sample?.cpu ?? undefined, 10),
      paused: gate?.paused ?? false,
      privacy: pipeline.settings.privacy,
      background: pipeline.settings.background,
      uptime: (performance.now() - started) / 1000,
    }),
    warn,
  });
  if (control !== null) {
    stack.defer(() => control.close());
    io.log(`backscrub: panel      ${control.url}?token=${control.token}`);
    if (
      !/^(127\.|::1$|localhost$)/.test(
        options.http === null || options.http === "off" ? "127.0.0.1" : options.http.hostname,
      )
    ) {
      warn(
        `the control panel listens on ${control.url}, reachable from other machines: anyone with the token can watch the camera`,
      );
    }
  }

  reload = () => {
    if (io.reload === undefined) {
      io.log("backscrub: SIGHUP: no settings to reload");
      return;
    }
    let next: LiveOptions;
    try {
      next = io.reload();
    } catch (error) {
      io.log(`backscrub: SIGHUP: ${explain(error)}; the settings stay as they were`);
      return;
    }
    const fixed = RESTART_KEYS.filter((k) =>
      JSON.stringify(next[k]) !== JSON.stringify(options[k])
    );
    // Privacy is not a file setting: a reload leaves the switch as it is.
    const { privacy: _privacy, ...fromFile } = settingsFromOptions(next);
    pipeline.change(fromFile).then(
      (applied) => {
        control?.settingsChanged();
        const what = applied.lines.length > 0 ? applied.lines.join("; ") : "nothing changed";
        io.log(`backscrub: SIGHUP: settings reloaded from frame ${applied.frame}: ${what}`);
        if (fixed.length > 0) {
          io.log(`backscrub: SIGHUP: ${fixed.join(", ")} take effect after a restart`);
        }
      },
      (error) => io.log(`backscrub: SIGHUP: ${explain(error)}; the settings stay as they were`),
    );
  };

  // 4. Run until done or told to stop.
  const t0 = performance.now();
  const stats = await pipeline.run();
  if (options.progress) io.status("\n");
  if (stats.totalFrames === 0 && !controller.signal.aborted) {
    // Nothing written: an empty or broken input is an error, not a quiet success.
    throw new MediaFileError(
      `Cannot read ${JSON.stringify(options.capture)}`,
      "it held no whole frame: nothing was written",
      { kind: "corrupt" },
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const skipped = source instanceof ResilientSource ? source.decodeStats.skipped : 0;
  io.log(
    `backscrub: ${stats.totalFrames} frames in ${seconds.toFixed(1)} s (${
      (stats.totalFrames / Math.max(seconds, 1e-3)).toFixed(1)
    } fps), ${stats.totalModelRuns} model runs${
      skipped ? `, ${skipped} corrupt frames skipped` : ""
    }${source instanceof ResilientSource ? cameraSummary(source) : ""}${
      gate && gate.pauses > 0
        ? `, camera paused ${gate.pauses}x for ${(gate.idleMs / 1000).toFixed(1)} s`
        : ""
    }${controller.signal.aborted ? ", stopped by signal" : ""}`,
  );
  return 0;
}

/**
 * Whether two paths name the same file or folder (after links). An output that does not exist
 * yet is never the input.
 *
 * @param a a path
 * @param b another path
 * @returns true when both exist and are the same file
 */
export function sameFile(a: string, b: string): boolean {
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return false;
  }
}

/** A figure rounded for the status (`per`: 10 → one decimal), or null when there is none. */
function round(value: number | undefined, per: number): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.round(value * per) / per;
}
