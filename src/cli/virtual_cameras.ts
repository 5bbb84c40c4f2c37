/**
 * The virtual cameras of a live run, from `-v` (given once, twice, or not at all): a
 * v4l2loopback device, a PipeWire camera (`pipewire[:NAME]`), `null`, or two of them fed the same
 * frames. Without `-v` the first v4l2loopback device is used; with none, a PipeWire camera when
 * PipeWire runs (said at start). Also who reads them, for idling.
 *
 * @module
 */

import { LoopbackSink } from "../device/loopback_sink.ts";
import { DeviceError } from "../device/errors.ts";
import { FanoutSink } from "../device/fanout_sink.ts";
import { isPipewireSpec, PIPEWIRE_SINK, PipewireSink } from "../device/pipewire_sink.ts";
import { anyReaders, type Readers, ReaderWatch } from "../device/readers.ts";
import type { PackedSink, Size } from "../frame/mod.ts";
import { isFileSpec } from "../io/mod.ts";
import { NULL_SINK, NullSink } from "../io/null_sink.ts";
import { UsageError } from "./errors.ts";
import { explain } from "./explain.ts";
import type { LiveOptions } from "./options.ts";

/** What {@linkcode openVirtualCameras} needs besides the options. */
export interface VirtualCameraContext {
  /** The output size (an odd width loses its last column). */
  size: Size;
  /** The frame rate announced. */
  fps: number;
  /** Warnings (one line each, without the `backscrub: warning:` prefix). */
  warn: (line: string) => void;
  /** Lines for the log (the default camera chosen, PipeWire going away and coming back). */
  log: (line: string) => void;
}

/** Who reads the virtual cameras, for the idle gate, with the words its lines use. */
export interface CameraReaders {
  /** The count and the wait. */
  readers: Readers;
  /** What is read, e.g. `/dev/video10` or `the PipeWire camera "backscrub"`. */
  label: string;
  /** What ended the idling, e.g. `a program opened /dev/video10` (asked when it ends). */
  woken: () => string;
  /** Stops watching (the loopbacks' inotify watches). */
  close: () => Promise<void>;
}

/** The opened virtual cameras. */
export interface VirtualCameras {
  /** One sink, or a fan-out of two. */
  sink: PackedSink;
  /** The device the status shows: `/dev/video10`, `pipewire`, or both joined by ` + `. */
  device: string;
  /** The sinks themselves, in `-v` order. */
  sinks: readonly PackedSink[];
  /**
   * Starts counting readers (after the sinks' own opens, which must not count): null when the
   * cameras cannot say (`null`), or a loopback that cannot be watched (then it warns).
   */
  watch: () => CameraReaders | null;
}

/**
 * Opens the virtual cameras `-v` names (see the module comment).
 *
 * @param options the live options (`virtual`, `alsoVirtual`, `outputFormat`)
 * @param context size, rate and where to print
 * @returns the sink and how to watch its readers
 * @throws {UsageError} for a file given with a second `-v`
 * @throws {DeviceError} as `LoopbackSink.open`, e.g. `no-loopback` when neither a loopback device
 *   nor PipeWire is there
 * @throws {PipewireError} `not-running` for `-v pipewire` without PipeWire (`ffi/pipewire`)
 */
export async function openVirtualCameras(
  options: Pick<LiveOptions, "virtual" | "alsoVirtual" | "outputFormat">,
  context: VirtualCameraContext,
): Promise<VirtualCameras> {
  const specs = [options.virtual, options.alsoVirtual].filter((s): s is string => s !== null);
  if (specs.length === 2) {
    const file = specs.find((s) => s !== NULL_SINK && !isPipewireSpec(s) && isFileSpec(s));
    if (file !== undefined) {
      throw new UsageError(
        `-v given twice feeds two virtual cameras (e.g. -v /dev/video10 -v pipewire); "${file}" is a file: write files in a run of their own`,
      );
    }
  }
  const width = context.size.width - (context.size.width % 2);
  const { height } = context.size;
  const sinks: PackedSink[] = [];
  try {
    if (specs.length === 0) {
      sinks.push(await openDefault(options, width, height, context));
    }
    for (const spec of specs) {
      // Later sinks read the frame the first one owns: no copy between them.
      const shared = sinks[0]?.yuyv;
      if (spec === NULL_SINK) {
        sinks.push(new NullSink({ width, height }));
      } else if (isPipewireSpec(spec)) {
        sinks.push(
          await PipewireSink.open(spec, {
            width: sinks[0]?.size.width ?? width,
            height: sinks[0]?.size.height ?? height,
            fps: context.fps,
            log: context.log,
            ...(shared !== undefined ? { yuyv: shared } : {}),
          }),
        );
      } else {
        const first = sinks[0];
        sinks.push(openLoopback(spec, options, first?.size ?? { width, height }, context));
      }
    }
  } catch (error) {
    for (const s of sinks.reverse()) await s.close();
    throw error;
  }
  return {
    sink: sinks.length === 1 ? sinks[0]! : new FanoutSink(sinks),
    sinks,
    device: sinks.map((s) =>
      s instanceof LoopbackSink
        ? s.loopback.path
        : s instanceof PipewireSink
        ? `${PIPEWIRE_SINK}:${s.cameraName}`
        : NULL_SINK
    ).join(" + "),
    watch: () => watchReaders(sinks, context.warn),
  };
}

function openLoopback(
  spec: string | undefined,
  options: Pick<LiveOptions, "outputFormat">,
  size: Size,
  context: VirtualCameraContext,
): LoopbackSink {
  const loopback = LoopbackSink.open(spec, {
    width: size.width,
    height: size.height,
    format: options.outputFormat,
    fps: context.fps,
  });
  for (const w of loopback.loopback.warnings) context.warn(w);
  return loopback;
}

/**
 * No `-v`: the first v4l2loopback device; with none, a PipeWire camera when PipeWire runs. When
 * neither is there, the loopback's error stands (its fix names both).
 */
async function openDefault(
  options: Pick<LiveOptions, "outputFormat">,
  width: number,
  height: number,
  context: VirtualCameraContext,
): Promise<PackedSink> {
  try {
    return openLoopback(undefined, options, { width, height }, context);
  } catch (error) {
    if (!(error instanceof DeviceError) || error.kind !== "no-loopback") throw error;
    let camera: PipewireSink;
    try {
      camera = await PipewireSink.open(PIPEWIRE_SINK, {
        width,
        height,
        fps: context.fps,
        log: context.log,
      });
    } catch {
      throw error;
    }
    context.log(
      `backscrub: no v4l2loopback device: publishing a PipeWire camera "${camera.cameraName}" instead (-v pipewire)`,
    );
    return camera;
  }
}

/**
 * Who reads the cameras: an inotify watch per loopback device (started now, after backscrub's own
 * opens), the PipeWire camera's links.
 */
function watchReaders(
  sinks: readonly PackedSink[],
  warn: (line: string) => void,
): CameraReaders | null {
  const parts: { readers: Readers; label: string; woken: string; close?: () => Promise<void> }[] =
    [];
  for (const sink of sinks) {
    if (sink instanceof LoopbackSink) {
      const path = sink.loopback.path;
      let watch: ReaderWatch;
      try {
        watch = ReaderWatch.open(path);
      } catch (error) {
        if (!(error instanceof DeviceError)) throw error;
        warn(`${explain(error)}; the camera keeps running while nobody reads`);
        for (const p of parts) void p.close?.();
        return null;
      }
      parts.push({
        readers: watch,
        label: path,
        woken: `a program opened ${path}`,
        close: () => watch.close(),
      });
    } else if (sink instanceof PipewireSink) {
      const label = `the PipeWire camera "${sink.cameraName}"`;
      parts.push({ readers: sink, label, woken: `a program reads ${label}` });
    } else {
      // `null` has no readers to count: the camera keeps running.
      for (const p of parts) void p.close?.();
      return null;
    }
  }
  if (parts.length === 0) return null;
  return {
    readers: anyReaders(parts.map((p) => p.readers)),
    label: parts.map((p) => p.label).join(" or "),
    woken: () => (parts.find((p) => p.readers.readers > 0) ?? parts[0]!).woken,
    close: async () => {
      for (const p of parts) await p.close?.();
    },
  };
}
