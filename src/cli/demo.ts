/**
 * `backscrub demo`: the whole pipeline without a camera. A short clip is filmed from the bundled
 * public-domain portrait with gentle motion, segmented, put on a background and written as a
 * video (mp4 through ffmpeg, or y4m when ffmpeg is missing) plus a side-by-side preview PNG
 * (camera | result) that a person can look at.
 *
 * @module
 */

import { join } from "node:path";
import { type Frame, makeFrame } from "../frame/frame.ts";
import type { FrameSource, PlanarSink } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { frameToRgb } from "../image/planar.ts";
import { writePng } from "../image/png.ts";
import { loadImage } from "../io/image_file.ts";
import { openFileSink } from "../io/mod.ts";
import { Pipeline } from "../pipeline/loop.ts";
import { defaultSettings } from "../pipeline/settings.ts";
import { projectRoot, resolveResource } from "../resources.ts";
import { PortraitSource } from "../demo/portrait_source.ts";
import { UsageError } from "./errors.ts";
import { cliStageFactory } from "./stage_factory.ts";

/** Options of the demo. */
export interface DemoOptions {
  /** Folder for the results (default `out`). */
  outDir: string;
  /** Background spec (default: the bundled studio backdrop). */
  background: string;
  /** Model name or path. */
  model: string;
  /** Clip length in frames. */
  frames: number;
  /** `--ort-lib`. */
  ortLib?: string | undefined;
}

/** The background the demo uses unless told otherwise. */
export const DEMO_BACKGROUND = "studio.png";

function ffmpegAvailable(): boolean {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Keeps a copy of the source frame with a given index (for the preview). */
class Tee implements FrameSource {
  readonly kept: Frame;
  #index = 0;
  constructor(private readonly inner: FrameSource, private readonly keep: number) {
    this.kept = makeFrame(inner.size, "444");
  }
  get size() {
    return this.inner.size;
  }
  get fps(): number {
    return this.inner.fps;
  }
  get description(): string {
    return this.inner.description;
  }
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const ok = await this.inner.read(into, timing);
    if (ok && this.#index++ === this.keep) copyInto(into, this.kept);
    return ok;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Passes frames on and keeps the one with a given index. */
class TeeSink implements PlanarSink {
  readonly kind = "planar";
  readonly kept: Frame;
  #index = 0;
  constructor(private readonly inner: PlanarSink, private readonly keep: number) {
    this.kept = makeFrame(inner.size, "444");
  }
  get size() {
    return this.inner.size;
  }
  get description(): string {
    return this.inner.description;
  }
  write(frame: Frame, timing: FrameTiming): Promise<void> {
    if (this.#index++ === this.keep) copyInto(frame, this.kept);
    return this.inner.write(frame, timing);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function copyInto(src: Frame, dst: Frame): void {
  dst.y.set(src.y);
  dst.u.set(src.u);
  dst.v.set(src.v);
}

/**
 * Runs the demo.
 *
 * @param options where to write, which background and model
 * @returns the lines to print (what was written where)
 */
export async function runDemo(options: DemoOptions): Promise<string[]> {
  if (options.frames < 2) throw new UsageError("The demo needs at least 2 frames");
  const root = projectRoot();
  const portraitPath = root ? join(root, "src", "demo", "astronaut.png") : "astronaut.png";
  const photo = await loadImage(portraitPath);
  const width = 640;
  const height = 360;
  const fps = 30;
  const keep = Math.floor(options.frames / 2);
  const source = new Tee(
    new PortraitSource(photo, { size: { width, height }, frames: options.frames, fps }),
    keep,
  );
  await Deno.mkdir(options.outDir, { recursive: true });
  const video = join(options.outDir, ffmpegAvailable() ? "demo.mp4" : "demo.y4m");
  const preview = join(options.outDir, "demo-preview.png");

  using factory = cliStageFactory({ ortLib: options.ortLib });
  const sink = new TeeSink(await openFileSink(video, { size: { width, height }, fps }), keep);
  const t0 = performance.now();
  let stats;
  let description: string;
  let modelName: string;
  try {
    await using pipeline = await Pipeline.open({
      source,
      sink,
      factory,
      settings: defaultSettings({ background: options.background, model: options.model }),
      mode: "exact",
    });
    description = pipeline.background.description;
    modelName = pipeline.model?.manifest.name ?? options.model;
    stats = await pipeline.run();
  } finally {
    await sink.close();
    await source.close();
  }
  const seconds = (performance.now() - t0) / 1000;

  // Preview: camera | result, side by side.
  const camera = new Uint8Array(width * height * 3);
  const result = new Uint8Array(width * height * 3);
  frameToRgb(source.kept, camera);
  frameToRgb(sink.kept, result);
  const side = new Uint8Array(width * 2 * height * 3);
  for (let y = 0; y < height; y++) {
    side.set(camera.subarray(y * width * 3, (y + 1) * width * 3), y * width * 6);
    side.set(result.subarray(y * width * 3, (y + 1) * width * 3), y * width * 6 + width * 3);
  }
  await Deno.writeFile(preview, writePng({ width: width * 2, height, channels: 3, data: side }));

  return [
    `demo: ${source.description}`,
    `demo: model "${modelName}", background ${description}`,
    `demo: ${stats.totalFrames} frames in ${seconds.toFixed(1)} s (${
      (stats.totalFrames / seconds).toFixed(0)
    } fps)`,
    `demo: wrote ${video} (${width}x${height}, ${fps} fps) and ${preview} (camera | result)`,
  ];
}

/** Whether the bundled demo background exists (for the default). */
export function demoBackgroundAvailable(): boolean {
  return resolveResource(DEMO_BACKGROUND, "backgrounds").path !== null;
}
