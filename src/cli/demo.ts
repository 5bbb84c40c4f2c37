/**
 * `backscrub demo`: the whole pipeline without a camera. A short clip is filmed from the bundled
 * public-domain portrait with gentle motion, segmented, put on a background and written as a
 * video (mp4 through ffmpeg, or y4m when ffmpeg is missing) plus a side-by-side preview PNG
 * (camera | result) that a person can look at.
 *
 * @module
 */

import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { openBackground } from "../background/mod.ts";
import { loadImage } from "../image/load.ts";
import { writePng } from "../image/png.ts";
import { openFileSink } from "../io/mod.ts";
import { resolveModel } from "../models/resolve.ts";
import { runPipeline } from "../pipeline/loop.ts";
import type { FrameSink, FrameSource } from "../pipeline/types.ts";
import { projectRoot, resolveResource } from "../resources.ts";
import { PortraitSource } from "../demo/portrait_source.ts";
import { Segmenter } from "../segment/segmenter.ts";
import { UsageError } from "./errors.ts";

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
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly description: string;
  readonly kept: Uint8Array;
  #index = 0;
  constructor(private readonly inner: FrameSource, private readonly keep: number) {
    this.width = inner.width;
    this.height = inner.height;
    this.fps = inner.fps;
    this.description = inner.description;
    this.kept = new Uint8Array(inner.width * inner.height * 3);
  }
  async read(into: Uint8Array): Promise<boolean> {
    const ok = await this.inner.read(into);
    if (ok && this.#index++ === this.keep) this.kept.set(into);
    return ok;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Passes frames on and keeps the one with a given index. */
class TeeSink implements FrameSink {
  readonly width: number;
  readonly height: number;
  readonly description: string;
  readonly kept: Uint8Array;
  #index = 0;
  constructor(private readonly inner: FrameSink, private readonly keep: number) {
    this.width = inner.width;
    this.height = inner.height;
    this.description = inner.description;
    this.kept = new Uint8Array(inner.width * inner.height * 3);
  }
  write(frame: Uint8Array): Promise<void> {
    if (this.#index++ === this.keep) this.kept.set(frame);
    return this.inner.write(frame);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
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
    new PortraitSource(photo, { width, height, frames: options.frames, fps }),
    keep,
  );
  await Deno.mkdir(options.outDir, { recursive: true });
  const video = join(options.outDir, ffmpegAvailable() ? "demo.mp4" : "demo.y4m");
  const preview = join(options.outDir, "demo-preview.png");

  const model = await resolveModel(options.model);
  using ort = OnnxRuntime.load({ libraryPath: options.ortLib });
  using segmenter = Segmenter.open(ort, model);
  const background = await openBackground(options.background, { width, height });
  const sink = new TeeSink(await openFileSink(video, { width, height, fps }), keep);
  const t0 = performance.now();
  let stats;
  try {
    stats = await runPipeline({ source, sink, background, segmenter, mode: "exact" });
  } finally {
    await sink.close();
    await background.close();
    await source.close();
  }
  const seconds = (performance.now() - t0) / 1000;

  // Preview: camera | result, side by side.
  const side = new Uint8Array(width * 2 * height * 3);
  for (let y = 0; y < height; y++) {
    side.set(source.kept.subarray(y * width * 3, (y + 1) * width * 3), y * width * 6);
    side.set(sink.kept.subarray(y * width * 3, (y + 1) * width * 3), y * width * 6 + width * 3);
  }
  await Deno.writeFile(preview, writePng({ width: width * 2, height, channels: 3, data: side }));

  return [
    `demo: ${source.description}`,
    `demo: model "${segmenter.manifest.name}", background ${background.description}`,
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
