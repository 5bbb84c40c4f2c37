/**
 * Video files through an ffmpeg subprocess, as a frame source and a frame sink.
 *
 * **Source:** ffprobe gives the size, frame rate and frame count
 * (`ffprobe -v error -select_streams v:0 -show_entries stream=… -of json <in>`; the size is
 * swapped for videos with a ±90° rotation, which ffmpeg applies), then
 *
 * ```text
 * ffmpeg -hide_banner -nostdin -loglevel error -i <in> -map 0:v:0 -vsync passthrough
 *        -f rawvideo -pix_fmt rgb24 -
 * ```
 *
 * streams RGB frames: `-map 0:v:0` takes the first video stream, `-vsync passthrough` emits
 * each decoded frame exactly once (no duplicates or drops for variable-rate files). Frames are
 * read from the pipe into one private buffer (a pipe gives short reads; the loop fills the whole
 * frame) and converted once into the caller's {@linkcode Frame}, in its layout (`rgbToFrame`).
 * RGB keeps the decode deterministic and independent of the video's own pixel format, range and
 * matrix, which ffmpeg resolves.
 *
 * **Sink:** by extension (`.mp4`, `.mov`, `.mkv`: H.264; `.webm`: VP9),
 *
 * ```text
 * ffmpeg -hide_banner -loglevel error -y -f rawvideo -pix_fmt yuv444p -color_range tv
 *        -colorspace smpte170m -s WxH -r FPS -i -
 *        -an -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p
 *        -colorspace smpte170m -color_range tv [-movflags +faststart] <out>
 * ```
 *
 * The frames go in as BT.601 limited-range 4:4:4 planes (the frame's full-range planes through
 * the full → limited tables, 4:2:2 and 4:2:0 chroma repeated), tagged as such, so ffmpeg only
 * subsamples the chroma: no matrix is applied on the way. `-crf 18` is visually lossless,
 * `-preset veryfast` keeps up with a camera, `yuv420p` is what every player decodes, and the
 * BT.601 limited-range tags on the output say so (players do not guess BT.709 for HD sizes).
 * `+faststart` moves the index to the front for
 * streaming. VP9 uses `-c:v libvpx-vp9 -crf 32 -b:v 0 -deadline realtime -cpu-used 8`. Whole
 * frames are written to ffmpeg's stdin, each write awaited (backpressure); `close()` waits for
 * ffmpeg and reports a failure with the last line of its stderr. Paths are passed as `file:…`,
 * so names with a `:` or a leading `-` are not taken for protocols or options; `scheme://` URLs
 * (e.g. `rtsp://`) are passed to ffmpeg as they are.
 *
 * When ffmpeg is missing, both throw `… ffmpeg is not installed` (a {@linkcode MediaFileError}
 * of kind `missing-tool`).
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { FrameSource, PlanarSink } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { rgbToFrame } from "../image/planar.ts";
import { failureText, type FfmpegPaths, ffprobeFor, spawnTool, StderrTail } from "./_process.ts";
import { fpsToRatio, parseRatio } from "./_rational.ts";
import { frameToPlanes } from "./_yuv_planes.ts";
import { fsError, MediaFileError, type MediaFileErrorKind } from "./errors.ts";

export type { FfmpegPaths } from "./_process.ts";

/** What ffprobe says about a video's first video stream. */
export interface VideoInfo {
  /** Width of the frames ffmpeg outputs (after rotation). */
  width: number;
  /** Height of the frames ffmpeg outputs (after rotation). */
  height: number;
  /** Average frame rate (0 when unknown). */
  fps: number;
  /** The number of frames when the container says (mp4 does, mkv and webm do not). */
  frames: number | undefined;
  /** The codec, e.g. `h264`. */
  codec: string;
  /** Display rotation in degrees, 0–359. */
  rotation: number;
}

/** Options for {@linkcode FfmpegSource.open}. */
export interface FfmpegSourceOptions extends FfmpegPaths {
  /** Called with one line when the video ends inside a frame (default `console.warn`). */
  warn?: (message: string) => void;
}

/** Options for {@linkcode FfmpegSink.open}. */
export interface FfmpegSinkOptions extends FfmpegPaths {
  /** Frame size in pixels (even sides). */
  size: Size;
  /** Frames per second. */
  fps: number;
  /** Constant-quality level (default 18 for H.264, 32 for VP9; lower is better and bigger). */
  crf?: number;
}

/** An ffmpeg error line that means the output is incomplete, though ffmpeg exits 0. */
const WRITE_ERROR = /error|no space left|i\/o|failed/i;

/** The container extensions {@linkcode FfmpegSink} writes. */
export const VIDEO_EXTENSIONS: readonly string[] = [".mp4", ".mov", ".mkv", ".webm"];

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** ffmpeg's name for a local path (no protocol or option confusion) or a URL as given. */
function ffmpegUrl(path: string): string {
  return URL_SCHEME.test(path) ? path : `file:${path}`;
}

function extension(path: string): string {
  const match = /\.[^./]+$/.exec(path);
  return match === null ? "" : match[0].toLowerCase();
}

/**
 * Asks ffprobe about the first video stream of a file.
 *
 * @example
 * ```ts
 * import { probeVideo } from "./ffmpeg.ts";
 * const info = await probeVideo("clip.mp4");
 * console.log(info.width, info.height, info.fps, info.frames);
 * ```
 *
 * @param path The file (or a URL ffmpeg understands).
 * @param options Where ffprobe is.
 * @returns The stream's size, rate, frame count, codec and rotation.
 * @throws {MediaFileError} `Cannot read video "<path>": <reason>`: `no such file` (kind
 *   `not-found`), `ffmpeg is not installed` (`missing-tool`), `it has no video stream`
 *   (`unsupported`), `not a video ffmpeg can read (…)` (`tool-failed`).
 */
export async function probeVideo(path: string, options: FfmpegPaths = {}): Promise<VideoInfo> {
  const action = `Cannot read video ${JSON.stringify(path)}`;
  if (!URL_SCHEME.test(path)) {
    try {
      const stat = await Deno.stat(path);
      if (stat.isDirectory) {
        throw new MediaFileError(action, "it is a folder, not a video file", { kind: "invalid" });
      }
    } catch (error) {
      if (error instanceof MediaFileError) throw error;
      throw fsError(action, error, "read");
    }
  }
  const entries = "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames" +
    ":stream_side_data=rotation:stream_tags=rotate";
  const args = ["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "json"];
  const child = spawnTool(ffprobeFor(options), [...args, ffmpegUrl(path)], {
    action,
    options: { stdin: "null", stdout: "piped", stderr: "piped" },
    tool: options.ffprobePath === undefined ? "ffmpeg" : "ffprobe",
  });
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1) ?? "";
  if (!output.success) {
    const reason = stderr.replace(`${ffmpegUrl(path)}: `, "");
    throw new MediaFileError(
      action,
      `not a video ffmpeg can read (${reason || "ffprobe failed"})`,
      {
        kind: "tool-failed",
        tool: "ffprobe",
      },
    );
  }
  // deno-lint-ignore no-explicit-any
  let stream: any;
  try {
    stream = JSON.parse(new TextDecoder().decode(output.stdout)).streams?.[0];
  } catch (error) {
    throw new MediaFileError(action, "ffprobe printed something that is not JSON", {
      cause: error,
      kind: "tool-failed",
      tool: "ffprobe",
    });
  }
  if (stream === undefined) {
    throw new MediaFileError(action, "it has no video stream", { kind: "unsupported" });
  }
  const width = Number(stream.width);
  const height = Number(stream.height);
  if (!(width > 0 && height > 0)) {
    throw new MediaFileError(action, "ffprobe does not know the size of its video stream", {
      kind: "unsupported",
    });
  }
  const rate = parseRatio(String(stream.avg_frame_rate)) ??
    parseRatio(String(stream.r_frame_rate));
  const sideRotation = (stream.side_data_list ?? [])
    .map((data: { rotation?: unknown }) => data.rotation)
    .find((r: unknown) => typeof r === "number");
  const rotation = ((Math.round(Number(sideRotation ?? stream.tags?.rotate ?? 0)) % 360) + 360) %
    360;
  const swap = rotation === 90 || rotation === 270;
  const frames = Number.parseInt(String(stream.nb_frames), 10);
  return {
    width: swap ? height : width,
    height: swap ? width : height,
    fps: rate === undefined ? 0 : rate.num / rate.den,
    frames: frames > 0 ? frames : undefined,
    codec: String(stream.codec_name ?? "unknown"),
    rotation,
  };
}

/**
 * A video file decoded by ffmpeg (a {@linkcode FrameSource}).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { FfmpegSource } from "./ffmpeg.ts";
 * await using video = await FfmpegSource.open("clip.mp4");
 * const frame = makeFrame(video.size, "444");
 * while (await video.read(frame, new FrameTiming())) {
 *   // use frame
 * }
 * ```
 */
export class FfmpegSource implements FrameSource {
  /** Frame size in pixels (after rotation). */
  readonly size: Size;
  /** Average frame rate from ffprobe (0 when unknown). */
  readonly fps: number;
  /** E.g. `clip.mp4 640x480 h264 30 fps (ffmpeg)`. */
  readonly description: string;
  /** What ffprobe said. */
  readonly info: VideoInfo;
  #path: string;
  #child: Deno.ChildProcess;
  #reader: ReadableStreamBYOBReader;
  #tail: StderrTail;
  #buffer: Uint8Array;
  #warn: (message: string) => void;
  #frames = 0;
  #ended = false;
  #closing: Promise<void> | undefined;

  private constructor(
    path: string,
    info: VideoInfo,
    child: Deno.ChildProcess,
    warn: (message: string) => void,
  ) {
    this.#path = path;
    this.info = info;
    this.size = { width: info.width, height: info.height };
    this.fps = info.fps;
    const fps = Math.round(info.fps * 1000) / 1000;
    this.description = `${path} ${info.width}x${info.height} ${info.codec} ${fps} fps (ffmpeg)`;
    this.#child = child;
    this.#reader = child.stdout.getReader({ mode: "byob" });
    this.#tail = new StderrTail(child.stderr);
    this.#buffer = new Uint8Array(info.width * info.height * 3);
    this.#warn = warn;
  }

  /**
   * Probes the file and starts ffmpeg.
   *
   * @param path The video file (any format ffmpeg reads), or a `scheme://` URL.
   * @param options Where ffmpeg and ffprobe are; where warnings go.
   * @returns The source.
   * @throws {MediaFileError} See {@linkcode probeVideo}; and
   *   `Cannot read video "<path>": ffmpeg is not installed` (kind `missing-tool`).
   */
  static async open(path: string, options: FfmpegSourceOptions = {}): Promise<FfmpegSource> {
    const action = `Cannot read video ${JSON.stringify(path)}`;
    const info = await probeVideo(path, options);
    const args = [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-i", ffmpegUrl(path)],
      ...["-map", "0:v:0", "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    ];
    const child = spawnTool(options.ffmpegPath ?? "ffmpeg", args, {
      action,
      options: { stdin: "null", stdout: "piped", stderr: "piped" },
    });
    return new FfmpegSource(path, info, child, options.warn ?? console.warn);
  }

  /** Frames read so far. */
  get framesRead(): number {
    return this.#frames;
  }

  /**
   * Reads the next frame and converts it into `into`, in its layout; sets `timing.decode` to
   * the conversion's time (ffmpeg decodes in its own process).
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @returns true for a frame, false at the end of the video.
   * @throws {MediaFileError} `Cannot read video "<path>": ffmpeg failed (<its last line>)`
   *   (kind `tool-failed`).
   * @throws {RangeError} When `into` is not of the video's size.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const action = `Cannot read video ${JSON.stringify(this.#path)}`;
    if (this.#closing !== undefined) {
      throw new MediaFileError(action, "it is closed", { kind: "closed" });
    }
    const { width, height } = this.size;
    if (into.width !== width || into.height !== height) {
      throw new RangeError(
        `${action}: the frame is ${into.width}x${into.height}, the video's are ${width}x${height}`,
      );
    }
    const size = this.#buffer.length;
    if (this.#ended) return false;
    let filled = 0;
    while (filled < size) {
      // The read transfers the buffer's memory to the stream and back; take it back each time.
      const view = new Uint8Array(this.#buffer.buffer, filled, size - filled);
      const { value, done } = await this.#reader.read(view);
      this.#buffer = value === undefined ? new Uint8Array(size) : new Uint8Array(value.buffer);
      if (done) break;
      filled += value.byteLength;
    }
    if (filled === size) {
      const start = performance.now();
      rgbToFrame(this.#buffer, into);
      timing.decode = performance.now() - start;
      this.#frames++;
      return true;
    }
    this.#ended = true;
    const status = await this.#child.status;
    if (!status.success) {
      const line = (await this.#tail.lastLine()).replaceAll(ffmpegUrl(this.#path), this.#path);
      throw new MediaFileError(action, failureText("ffmpeg", status, line), {
        kind: "tool-failed",
        tool: "ffmpeg",
      });
    }
    if (filled > 0) {
      this.#warn(
        `Stopped reading ${JSON.stringify(this.#path)} after ${this.#frames} frames: the ` +
          `video ends inside frame ${this.#frames + 1} (${filled} of ${size} bytes)`,
      );
    } else {
      // ffmpeg exits 0 at the end of a file cut short ("partial file", "Invalid data found"):
      // fewer frames than the file declares, or an error line, is said (at -loglevel error).
      const line = (await this.#tail.lastLine()).replaceAll(ffmpegUrl(this.#path), this.#path);
      const expected = this.info.frames;
      if (expected !== undefined && this.#frames < expected) {
        this.#warn(
          `${JSON.stringify(this.#path)} ended early: ${this.#frames} of its ${expected} frames ` +
            `could be read${line ? ` (${line.replace(/^\[[^\]]*\] /, "")})` : ""}`,
        );
      } else if (line !== "") {
        this.#warn(`${JSON.stringify(this.#path)}: ${line.replace(/^\[[^\]]*\] /, "")}`);
      }
    }
    return false;
  }

  /** Stops ffmpeg (if still running) and waits for it. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#ended) {
        try {
          this.#child.kill("SIGTERM");
        } catch {
          // It has already exited.
        }
      }
      await this.#reader.cancel().catch(() => {});
      await this.#child.status;
      await this.#tail.lastLine();
    })();
    return this.#closing;
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The ffmpeg arguments {@linkcode FfmpegSink} uses for a file (see the module doc).
 *
 * @example
 * ```ts
 * import { ffmpegEncoderArgs } from "./ffmpeg.ts";
 * ffmpegEncoderArgs("out.mp4", { size: { width: 640, height: 480 }, fps: 30 }).join(" ");
 * // "-hide_banner -loglevel error -y -f rawvideo -pix_fmt yuv444p -color_range tv …"
 * ```
 *
 * @param path The output file; its extension picks the codec.
 * @param options Size, rate and quality.
 * @returns The arguments after `ffmpeg`.
 */
export function ffmpegEncoderArgs(path: string, options: FfmpegSinkOptions): string[] {
  const { num, den } = fpsToRatio(options.fps);
  const ext = extension(path);
  const { width, height } = options.size;
  const input = [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "rawvideo", "-pix_fmt", "yuv444p", "-color_range", "tv"],
    ...["-colorspace", "smpte170m", "-s", `${width}x${height}`],
    ...["-r", `${num}/${den}`, "-i", "-", "-an"],
  ];
  const codec = ext === ".webm"
    ? [
      ...["-c:v", "libvpx-vp9", "-crf", String(options.crf ?? 32), "-b:v", "0"],
      ...["-deadline", "realtime", "-cpu-used", "8"],
    ]
    : ["-c:v", "libx264", "-preset", "veryfast", "-crf", String(options.crf ?? 18)];
  const colour = ["-pix_fmt", "yuv420p", "-colorspace", "smpte170m", "-color_range", "tv"];
  const container = ext === ".mp4" || ext === ".mov" ? ["-movflags", "+faststart"] : [];
  return [...input, ...codec, ...colour, ...container, ffmpegUrl(path)];
}

/**
 * Encodes frames to a video file with ffmpeg (a {@linkcode PlanarSink}): `"444"` frames (the
 * pipeline's for files), and `"422"` and `"420"` ones too.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { FfmpegSink } from "./ffmpeg.ts";
 * const size = { width: 640, height: 480 };
 * const out = await FfmpegSink.open("out.mp4", { size, fps: 30 });
 * await out.write(makeFrame(size, "444"), new FrameTiming());
 * await out.close(); // waits for ffmpeg; throws with its last line if it failed
 * ```
 */
export class FfmpegSink implements PlanarSink {
  /** Takes {@linkcode Frame}s. */
  readonly kind = "planar";
  /** Frame size in pixels. */
  readonly size: Size;
  /** E.g. `out.mp4 640x480 libx264 crf 18 30 fps (ffmpeg)`. */
  readonly description: string;
  /** The arguments ffmpeg was started with. */
  readonly args: readonly string[];
  #path: string;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #tail: StderrTail;
  #planes: Uint8Array;
  #frames = 0;
  #closing: Promise<void> | undefined;
  #failed: MediaFileError | undefined;

  private constructor(
    path: string,
    options: FfmpegSinkOptions,
    args: string[],
    child: Deno.ChildProcess,
  ) {
    this.#path = path;
    const { width, height } = options.size;
    this.size = { width, height };
    this.args = args;
    const codec = args[args.indexOf("-c:v") + 1];
    const crf = args[args.indexOf("-crf") + 1];
    this.description = `${path} ${width}x${height} ${codec} crf ${crf} ${options.fps} fps (ffmpeg)`;
    this.#planes = new Uint8Array(width * height * 3);
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#tail = new StderrTail(child.stderr);
  }

  /**
   * Checks the options and starts ffmpeg.
   *
   * @param path The output file: `.mp4`, `.mov`, `.mkv` or `.webm`.
   * @param options Size, rate, quality, and where ffmpeg is.
   * @returns The sink.
   * @throws {MediaFileError} `Cannot write video "<path>": <reason>`: an unknown extension
   *   (kind `unsupported`), an odd size (`invalid`), a missing folder (`not-found`),
   *   `ffmpeg is not installed` (`missing-tool`).
   */
  static async open(path: string, options: FfmpegSinkOptions): Promise<FfmpegSink> {
    const action = `Cannot write video ${JSON.stringify(path)}`;
    const fail = (detail: string, kind: MediaFileErrorKind = "invalid"): never => {
      throw new MediaFileError(action, detail, { kind });
    };
    if (!VIDEO_EXTENSIONS.includes(extension(path))) {
      fail(`unknown video type (use ${VIDEO_EXTENSIONS.join(", ")})`, "unsupported");
    }
    const { size: { width, height }, fps } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      fail(`${width}x${height} is not a positive size`);
    }
    if (width % 2 !== 0 || height % 2 !== 0) {
      fail(`${width}x${height} has an odd side (yuv420p video needs even sizes; write a .y4m)`);
    }
    if (!Number.isFinite(fps) || fps <= 0) fail(`frame rate ${fps} is not a positive number`);
    try {
      if ((await Deno.stat(path)).isDirectory) fail("it is a folder");
    } catch (error) {
      if (error instanceof MediaFileError) throw error;
    }
    const slash = path.lastIndexOf("/");
    if (slash > 0) {
      try {
        if (!(await Deno.stat(path.slice(0, slash))).isDirectory) fail("its folder is a file");
      } catch (error) {
        if (error instanceof MediaFileError) throw error;
        const missing = error instanceof Deno.errors.NotFound;
        throw fsError(action, error, "write", missing ? "its folder does not exist" : undefined);
      }
    }
    const args = ffmpegEncoderArgs(path, options);
    const child = spawnTool(options.ffmpegPath ?? "ffmpeg", args, {
      action,
      options: { stdin: "piped", stdout: "null", stderr: "piped" },
    });
    return new FfmpegSink(path, options, args, child);
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.#frames;
  }

  async #failure(error: unknown): Promise<MediaFileError> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // It has already exited, as expected after a broken pipe.
    }
    const status = await this.#child.status;
    const line = (await this.#tail.lastLine()).replaceAll(ffmpegUrl(this.#path), this.#path);
    return new MediaFileError(
      `Cannot write video ${JSON.stringify(this.#path)}`,
      failureText("ffmpeg", status, line),
      { cause: error, kind: "tool-failed", tool: "ffmpeg" },
    );
  }

  /**
   * Converts one frame to limited-range 4:4:4 planes, sends them to ffmpeg and waits until the
   * pipe has taken them; sets `timing.convert` to the conversion's time.
   *
   * @param frame A frame of {@linkcode size}, any layout; not kept.
   * @param timing This frame's timing record.
   * @throws {MediaFileError} `Cannot write video "<path>": ffmpeg failed (<its last line>)`
   *   (kind `tool-failed`).
   * @throws {RangeError} When the frame is not of the sink's size.
   */
  async write(frame: Frame, timing: FrameTiming): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    const action = `Cannot write video ${JSON.stringify(this.#path)}`;
    if (this.#closing !== undefined) {
      throw new MediaFileError(action, "it is closed", { kind: "closed" });
    }
    const { width, height } = this.size;
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(
        `${action}: the frame is ${frame.width}x${frame.height}, the video's are ` +
          `${width}x${height}`,
      );
    }
    const start = performance.now();
    frameToPlanes(frame, this.#planes, "444");
    timing.convert = performance.now() - start;
    try {
      await this.#writer.ready;
      await this.#writer.write(this.#planes);
    } catch (error) {
      this.#failed = await this.#failure(error);
      throw this.#failed;
    }
    this.#frames++;
  }

  /**
   * Ends the input, waits for ffmpeg to finish the file, and reports its failure. Idempotent;
   * after a failed {@linkcode write} (which reported the failure) it just resolves.
   *
   * @throws {MediaFileError} `Cannot write video "<path>": ffmpeg failed (<its last line>)`.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#failed !== undefined) return;
      try {
        await this.#writer.close();
      } catch {
        // ffmpeg is gone; its status and stderr say why.
      }
      const status = await this.#child.status;
      const line = (await this.#tail.lastLine()).replaceAll(ffmpegUrl(this.#path), this.#path);
      // ffmpeg exits 0 after "Error writing trailer … No space left on device": the file is cut
      // short all the same. It runs at -loglevel error, so an error line is a failure.
      if (status.success && WRITE_ERROR.test(line)) {
        throw new MediaFileError(
          `Cannot write video ${JSON.stringify(this.#path)}`,
          `ffmpeg could not finish the file (${line})`,
          { kind: "io", tool: "ffmpeg" },
        );
      }
      if (!status.success) {
        throw new MediaFileError(
          `Cannot write video ${JSON.stringify(this.#path)}`,
          failureText("ffmpeg", status, line),
          { kind: "tool-failed", tool: "ffmpeg" },
        );
      }
    })();
    return this.#closing;
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
