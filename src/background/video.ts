/**
 * Video backgrounds, decoded by `ffmpeg` in a subprocess: scaled and cropped to cover the output
 * by ffmpeg itself, read as raw RGB into a small ring of buffers made at open (each frame shown is
 * converted once to the pipeline's layout, into one frame made at open), looped with
 * `-stream_loop -1` (and restarted should ffmpeg stop anyway), paced by `ctx.timeMs` at the
 * video's own frame rate (from `ffprobe`).
 *
 * Reading runs beside the pipeline: `render()` never waits. It shows the newest decoded frame
 * that is not ahead of the time; ffmpeg decodes at most `ring − 1` frames ahead and is held back
 * by the pipe when the ring is full. A decoder slower than real time makes the video play
 * slower, not the camera.
 *
 * @module
 */

import { type Frame, makeFrame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { Background, BackgroundContext, BackgroundOptions } from "../frame/stages.ts";
import { rgbToFrame } from "../image/planar.ts";
import { Kernels } from "../kernels/mod.ts";
import { BackgroundError, type BackgroundErrorKind } from "./errors.ts";

/** Options of {@linkcode openVideoBackground}. */
export interface VideoOptions extends BackgroundOptions {
  /** The ffmpeg command (default `ffmpeg`). */
  ffmpeg?: string;
  /** The ffprobe command (default `ffprobe`). */
  ffprobe?: string;
  /** Frames decoded ahead, including the one shown (default 4, at least 2). */
  ring?: number;
}

/** What ffprobe says about the first video stream: its size and frame rate. */
export interface VideoInfo extends Size {
  /** Frames per second (the average rate, else the base rate, else 25). */
  fps: number;
}

const MISSING = "ffmpeg is not installed";

function actionFor(path: string): string {
  return `Cannot play video background ${JSON.stringify(path)}`;
}

/** The last meaningful line of ffmpeg/ffprobe's stderr, without the file name prefix. */
function lastLine(text: string, path: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const line = lines.at(-1) ?? "";
  return line.startsWith(path + ": ") ? line.slice(path.length + 2) : line;
}

/**
 * Parses an ffprobe rate such as `30000/1001` or `25/1`.
 *
 * @example
 * ```ts
 * import { parseRate } from "./video.ts";
 * parseRate("30000/1001"); // 29.97002997002997
 * parseRate("0/0"); // 0
 * ```
 *
 * @param rate The rate text.
 * @returns Frames per second, or 0 when unknown.
 */
export function parseRate(rate: string | undefined): number {
  const [num, den] = (rate ?? "").split("/").map(Number);
  const fps = den === undefined ? num ?? 0 : (num ?? 0) / den;
  return Number.isFinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
}

async function run(
  command: string,
  args: string[],
  path: string,
): Promise<Deno.CommandOutput> {
  try {
    return await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BackgroundError("ffmpeg-missing", `${actionFor(path)}: ${MISSING}`, {
        cause: error,
        path,
        command,
      });
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new BackgroundError(
        "run-permission",
        `${actionFor(path)}: no permission to run ${command}`,
        { cause: error, path, command },
      );
    }
    throw error;
  }
}

/**
 * Asks ffprobe for the size and frame rate of a video's first video stream.
 *
 * @example
 * ```ts
 * import { probeVideo } from "./video.ts";
 * const info = await probeVideo("backgrounds/loop.mp4");
 * console.log(info.width, info.height, info.fps);
 * ```
 *
 * @param path The video file.
 * @param options The ffprobe command (default `ffprobe`).
 * @returns Size and frame rate.
 * @throws {BackgroundError} When ffprobe is missing, fails, or finds no video stream.
 */
export async function probeVideo(
  path: string,
  options: { ffprobe?: string } = {},
): Promise<VideoInfo> {
  const ffprobe = options.ffprobe ?? "ffprobe";
  const output = await run(ffprobe, [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=width,height,avg_frame_rate,r_frame_rate",
    "-of",
    "json",
    path,
  ], path);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) {
    const reason = lastLine(stderr, path) || `ffprobe exited with code ${output.code}`;
    throw new BackgroundError("video", `${actionFor(path)}: ${reason} (is it a video file?)`, {
      path,
      command: ffprobe,
    });
  }
  let stream: Record<string, unknown> | undefined;
  try {
    stream = JSON.parse(new TextDecoder().decode(output.stdout)).streams?.[0];
  } catch {
    stream = undefined;
  }
  const width = Number(stream?.width);
  const height = Number(stream?.height);
  if (!(width > 0 && height > 0)) {
    throw new BackgroundError(
      "video",
      `${actionFor(path)}: it has no video stream (use a video file)`,
      { path, command: ffprobe },
    );
  }
  const fps = parseRate(String(stream?.avg_frame_rate)) ||
    parseRate(String(stream?.r_frame_rate)) ||
    25;
  return { width, height, fps };
}

/**
 * A video playing in a loop behind the person (see the module documentation). Made by
 * {@linkcode openVideoBackground}.
 */
export class VideoBackground implements Background {
  /** `video x.mp4 640x480 25 fps → cover 1280x720 (ffmpeg)`. */
  readonly description: string;
  /** Always false. */
  readonly passthrough = false;
  /** Always false. */
  readonly still = false;
  /** The video's frame rate. */
  readonly fps: number;
  readonly #path: string;
  readonly #args: string[];
  readonly #ffmpeg: string;
  readonly #frameBytes: number;
  /** The frame shown, in the pipeline's layout: converted once per new video frame. */
  readonly #out: Frame;
  /** The ring; a slot's view is replaced by each read (the stream transfers its buffer). */
  readonly #slots: Uint8Array[];
  /** Frames fully read; frame i is in slot i % ring. */
  #produced = 0;
  /** The frame in `#out`, or -1. */
  #shown = -1;
  /** Frames below this are not needed any more (their slots may be refilled). */
  #floor = 0;
  #start = NaN;
  #closed = false;
  #error: BackgroundError | null = null;
  #child: Deno.ChildProcess | null = null;
  #reader: ReadableStreamBYOBReader | null = null;
  #wake: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #pump: Promise<void> = Promise.resolve();

  /**
   * Prepares the buffers; {@linkcode openVideoBackground} starts ffmpeg.
   *
   * @param path The video file.
   * @param options Output size and layout, video info and commands.
   * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
   */
  constructor(path: string, options: VideoOptions & { info: VideoInfo }) {
    const { size, layout, info } = options;
    const { width, height } = size;
    this.#path = path;
    this.fps = info.fps;
    this.#ffmpeg = options.ffmpeg ?? "ffmpeg";
    this.#frameBytes = width * height * 3;
    // Read by the kernels every frame: converted into their memory, given back on close.
    this.#out = makeFrame(size, layout, Kernels.shared().planes);
    const ring = Math.max(2, options.ring ?? 4);
    this.#slots = Array.from({ length: ring }, () => new Uint8Array(this.#frameBytes));
    const fps = Math.round(info.fps * 100) / 100;
    this.description =
      `video ${path} ${info.width}x${info.height} ${fps} fps → cover ${width}x${height} (ffmpeg)`;
    this.#args = [
      "-hide_banner",
      "-loglevel",
      "error",
      "-nostdin",
      "-stream_loop",
      "-1",
      "-i",
      path,
      "-an",
      "-sn",
      "-dn",
      "-vf",
      `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1`,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ];
  }

  /** The error that stopped playback after open (the last frame stays), or null. */
  get error(): BackgroundError | null {
    return this.#error;
  }

  /** Starts ffmpeg and waits for the first frame. */
  async start(): Promise<void> {
    this.#pump = this.#run();
    await this.ready(NaN);
  }

  /**
   * Resolves when `render({ timeMs })` will show the frame for that time (frames before it may
   * be skipped). For tests and for writing to files faster or slower than real time.
   *
   * @param timeMs Time as `render()` gets it (NaN: the first frame).
   * @throws {BackgroundError} When ffmpeg fails before that frame.
   */
  async ready(timeMs: number): Promise<void> {
    const want = Number.isNaN(timeMs) ? 0 : this.#frameAt(timeMs);
    if (want > this.#floor) {
      this.#floor = want;
      this.#wakeReader();
    }
    while (this.#produced <= want && !this.#closed && this.#error === null) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#produced <= want && this.#error !== null) throw this.#error;
  }

  /**
   * The newest decoded frame not ahead of `ctx.timeMs` (the video starts at the first call),
   * converted from RGB when it is a new one.
   *
   * @param ctx Only `timeMs` is used.
   * @returns The same frame on every call.
   */
  render(ctx: Pick<BackgroundContext, "timeMs">): Frame {
    const want = this.#frameAt(ctx.timeMs);
    const newest = this.#produced - 1;
    let target = want < newest ? want : newest;
    if (target < this.#floor) target = this.#floor; // older slots may be refilled already
    if (target > newest || target <= this.#shown) return this.#out;
    rgbToFrame(this.#slots[target % this.#slots.length]!, this.#out);
    this.#shown = target;
    this.#floor = target;
    this.#wakeReader();
    return this.#out;
  }

  /** Stops ffmpeg. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#wakeReader();
      this.#notify();
      try {
        this.#child?.kill("SIGTERM");
      } catch { /* already exited */ }
      this.#reader?.cancel().catch(() => {});
    }
    await this.#pump;
    Kernels.shared().releaseFrame(this.#out);
  }

  #frameAt(timeMs: number): number {
    if (Number.isNaN(this.#start)) this.#start = timeMs;
    return Math.floor((timeMs - this.#start) * this.fps / 1000 + 1e-6);
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #fail(kind: BackgroundErrorKind, detail: string): void {
    this.#error ??= new BackgroundError(kind, `${actionFor(this.#path)}: ${detail}`, {
      path: this.#path,
      command: this.#ffmpeg,
    });
    this.#notify();
  }

  /** Runs ffmpeg (again when it stops) and reads frames into the ring until closed. */
  async #run(): Promise<void> {
    while (!this.#closed) {
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(this.#ffmpeg, {
          args: this.#args,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return this.#fail("ffmpeg-missing", MISSING);
        if (error instanceof Deno.errors.NotCapable) {
          return this.#fail("run-permission", `no permission to run ${this.#ffmpeg}`);
        }
        return this.#fail("video", error instanceof Error ? error.message : String(error));
      }
      this.#child = child;
      const stderr = collect(child.stderr);
      const reader = child.stdout.getReader({ mode: "byob" });
      this.#reader = reader;
      let frames = 0;
      try {
        while (!this.#closed) {
          while (this.#produced - this.#floor >= this.#slots.length && !this.#closed) {
            await new Promise<void>((resolve) => this.#wake = resolve);
          }
          if (this.#closed || !(await this.#readFrame(reader))) break;
          frames++;
          this.#produced++;
          this.#notify();
        }
      } catch (error) {
        if (!this.#closed) {
          this.#fail("video", error instanceof Error ? error.message : String(error));
        }
      } finally {
        try {
          child.kill("SIGTERM");
        } catch { /* already exited */ }
        await reader.cancel().catch(() => {});
        await child.status;
      }
      const text = await stderr;
      if (this.#closed || this.#error !== null) return;
      if (frames === 0) {
        return this.#fail(
          "video",
          `${lastLine(text, this.#path) || "ffmpeg gave no frames"} (is it a video file?)`,
        );
      }
      // Looping normally happens inside ffmpeg; it stopped anyway: start it again.
    }
  }

  /** Reads one frame into the slot of frame `#produced`; false at the end of the stream. */
  async #readFrame(reader: ReadableStreamBYOBReader): Promise<boolean> {
    const slot = this.#produced % this.#slots.length;
    const size = this.#frameBytes;
    let filled = 0;
    while (filled < size) {
      const buffer = this.#slots[slot]!.buffer;
      const { value, done } = await reader.read(new Uint8Array(buffer, filled, size - filled));
      if (value !== undefined) this.#slots[slot] = new Uint8Array(value.buffer, 0, size);
      else this.#slots[slot] = new Uint8Array(size); // cancelled: the buffer went with the stream
      if (done) return false;
      filled += value!.length;
    }
    return true;
  }
}

/** All of a stream as text (ffmpeg's stderr, which must be drained). */
async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text = (text + decoder.decode(chunk, { stream: true })).slice(-4000);
  }
  return text;
}

/**
 * Opens a video file as a looping background: probes it, starts ffmpeg and waits for the first
 * frame.
 *
 * @example
 * ```ts
 * import { openVideoBackground } from "./video.ts";
 * const size = { width: 1280, height: 720 };
 * const video = await openVideoBackground("backgrounds/loop.mp4", { size, layout: "422" });
 * console.log(video.description);
 * await video.close();
 * ```
 *
 * @param path The video file.
 * @param options The output size and layout, and optionally the commands and the ring size.
 * @returns The running background.
 * @throws {BackgroundError} When ffmpeg is missing or cannot decode the file.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export async function openVideoBackground(
  path: string,
  options: VideoOptions,
): Promise<VideoBackground> {
  const info = await probeVideo(
    path,
    options.ffprobe === undefined ? {} : { ffprobe: options.ffprobe },
  );
  const video = new VideoBackground(path, { ...options, info });
  try {
    await video.start();
  } catch (error) {
    await video.close();
    throw error;
  }
  return video;
}
