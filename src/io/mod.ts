/**
 * Files at either end of the pipeline: a file, image or image sequence can stand in for the
 * camera and a file or folder for the virtual camera, so the same pipeline runs on files,
 * frame-exact and reproducible. Sources fill the pipeline's frames (`src/frame/`; converted once,
 * on read); sinks take them (4:4:4 for files) and convert once, on write. Images are loaded with
 * {@linkcode loadImage}.
 *
 * | source spec                                            | read by                         |
 * | ------------------------------------------------------- | ------------------------------- |
 * | `clip.y4m`                                              | {@linkcode Y4mReader}           |
 * | `photo.png`, `photo.jpg`                                | {@linkcode ImageSource}         |
 * | `shots/frame_%04d.png`, `shots/*.png`, `shots/`         | {@linkcode ImageSequenceSource} |
 * | anything else (`.mp4`, `.mkv`, `.webm`, `rtsp://…`)     | {@linkcode FfmpegSource}        |
 *
 * | sink spec                                               | written by                      |
 * | ------------------------------------------------------- | ------------------------------- |
 * | `out.y4m`                                               | {@linkcode Y4mWriter}           |
 * | `out.mp4`, `.mov`, `.mkv`, `.webm`                      | {@linkcode FfmpegSink}          |
 * | `frames/` (a trailing `/`) or an existing folder        | {@linkcode PngFolderWriter}     |
 *
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { isFileSpec, openFileSink, openFileSource } from "./mod.ts";
 *
 * if (isFileSpec("in.mp4")) {
 *   const source = await openFileSource("in.mp4");
 *   const sink = await openFileSink("out.y4m", { size: source.size, fps: source.fps || 30 });
 *   const frame = makeFrame(source.size, "444");
 *   const timing = new FrameTiming();
 *   while (await source.read(frame, timing)) await sink.write(frame, timing);
 *   await source.close();
 *   await sink.close();
 * }
 * ```
 *
 * @module
 */

import type { Size } from "../frame/geometry.ts";
import type { FrameSource, PlanarSink } from "../frame/stages.ts";
import type { FfmpegPaths } from "./_process.ts";
import { MediaFileError } from "./errors.ts";
import { FfmpegSink, FfmpegSource, VIDEO_EXTENSIONS } from "./ffmpeg.ts";
import { ImageSequenceSource, ImageSource, isSequencePattern } from "./image_source.ts";
import { PngFolderWriter } from "./png_folder.ts";
import { Y4mReader, Y4mWriter } from "./y4m.ts";

export {
  fsErrorText,
  MediaFileError,
  type MediaFileErrorKind,
  type MediaFileErrorOptions,
  type MediaPermission,
} from "./errors.ts";
export {
  ffmpegEncoderArgs,
  type FfmpegPaths,
  FfmpegSink,
  type FfmpegSinkOptions,
  FfmpegSource,
  type FfmpegSourceOptions,
  probeVideo,
  VIDEO_EXTENSIONS,
  type VideoInfo,
} from "./ffmpeg.ts";
export { isJpeg, loadImage } from "./image_file.ts";
export {
  type ImageSequenceOptions,
  ImageSequenceSource,
  ImageSource,
  type ImageSourceOptions,
  isSequencePattern,
  listImageSequence,
  naturalCompare,
} from "./image_source.ts";
export { type PngFolderOptions, PngFolderWriter, pngFrameName } from "./png_folder.ts";
export {
  parseY4mHeader,
  type Y4mColorspace,
  type Y4mHeader,
  Y4mReader,
  type Y4mReaderOptions,
  Y4mWriter,
  type Y4mWriterOptions,
} from "./y4m.ts";

/** Options for {@linkcode openFileSource}. */
export interface FileSourceOptions extends FfmpegPaths {
  /** For a single image: how many times it is yielded (default 1; `Infinity` for ever). */
  frames?: number;
  /** For images and image sequences: the nominal frame rate (videos have their own). */
  fps?: number;
  /** Where one-line warnings (a truncated last frame) go (default `console.warn`). */
  warn?: (message: string) => void;
}

/** Options for {@linkcode openFileSink}. */
export interface FileSinkOptions extends FfmpegPaths {
  /** Frame size in pixels. */
  size: Size;
  /** Frames per second (y4m header, video rate; unused by PNG folders). */
  fps: number;
  /** Video quality for `.mp4`/`.mov`/`.mkv`/`.webm` (see {@linkcode FfmpegSinkOptions}). */
  crf?: number;
}

const IMAGE = /\.(png|jpe?g)$/i;

/**
 * Whether `spec` names a file (or image sequence, or URL) rather than a V4L2 device. Devices
 * are paths under `/dev/` and the short forms `video2` and `2`.
 *
 * @example
 * ```ts
 * import { isFileSpec } from "./mod.ts";
 * isFileSpec("/dev/video0"); // false
 * isFileSpec("video0"); // false
 * isFileSpec("0"); // false
 * isFileSpec("clip.mp4"); // true
 * isFileSpec("shots/frame_%04d.png"); // true
 * ```
 *
 * @param spec A source or sink spec, as the user gave it.
 * @returns true for a file spec.
 */
export function isFileSpec(spec: string): boolean {
  if (spec === "") return false;
  return !(spec.startsWith("/dev/") || /^(video)?\d+$/.test(spec));
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function extension(path: string): string {
  const match = /\.[^./]+$/.exec(path);
  return match === null ? "" : match[0].toLowerCase();
}

/**
 * Opens a file as a frame source, chosen by the form of `spec` (see the module doc): an image
 * sequence (printf pattern, wildcard or folder), a `.y4m`, a PNG or JPEG image, or else any
 * video ffmpeg reads.
 *
 * @example
 * ```ts
 * import { openFileSource } from "./mod.ts";
 * await using still = await openFileSource("portrait.jpg", { frames: 90, fps: 30 });
 * console.log(still.description);
 * ```
 *
 * @param spec The source spec (a path, pattern, folder or URL).
 * @param options Frame count and rate for images, ffmpeg's location, where warnings go.
 * @returns The source; close it when done.
 * @throws {MediaFileError} One line naming the file and the problem.
 * @throws {ImageError} When an image cannot be decoded.
 */
export async function openFileSource(
  spec: string,
  options: FileSourceOptions = {},
): Promise<FrameSource & AsyncDisposable> {
  const { frames, fps, warn } = options;
  if (isSequencePattern(spec) || (await isFolder(spec))) {
    return await ImageSequenceSource.open(spec, fps === undefined ? {} : { fps });
  }
  const ext = extension(spec);
  if (ext === ".y4m") return await Y4mReader.open(spec, warn === undefined ? {} : { warn });
  if (IMAGE.test(ext)) {
    return await ImageSource.open(spec, {
      ...(frames === undefined ? {} : { frames }),
      ...(fps === undefined ? {} : { fps }),
    });
  }
  return await FfmpegSource.open(spec, options);
}

/**
 * Opens a file as a frame sink, chosen by the form of `spec`: a `.y4m` file, a video file by
 * extension (`.mp4`, `.mov`, `.mkv`, `.webm`, through ffmpeg), or a folder of PNGs (a path
 * ending in `/`, or an existing folder).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { openFileSink } from "./mod.ts";
 * const size = { width: 1280, height: 720 };
 * await using out = await openFileSink("out.mp4", { size, fps: 30 });
 * await out.write(makeFrame(size, "444"), new FrameTiming());
 * ```
 *
 * @param spec The sink spec (a path or folder).
 * @param options Frame size and rate; video quality and ffmpeg's location.
 * @returns The sink; close it to finish the file.
 * @throws {MediaFileError} One line naming the file and the problem, e.g.
 *   `Cannot write "out.avi": unknown output type (use a .y4m, .mp4, .mov, .mkv or .webm file,
 *   or a folder ending in "/")` (kind `unsupported`).
 */
export async function openFileSink(
  spec: string,
  options: FileSinkOptions,
): Promise<PlanarSink & AsyncDisposable> {
  const { size, fps } = options;
  if (spec.endsWith("/") || (await isFolder(spec))) {
    return await PngFolderWriter.open(spec, { size });
  }
  const ext = extension(spec);
  if (ext === ".y4m") return await Y4mWriter.open(spec, { size, fps });
  if (VIDEO_EXTENSIONS.includes(ext)) return await FfmpegSink.open(spec, options);
  const videos = VIDEO_EXTENSIONS.slice(0, -1).join(", ") + " or " + VIDEO_EXTENSIONS.at(-1);
  throw new MediaFileError(
    `Cannot write ${JSON.stringify(spec)}`,
    `unknown output type (use a .y4m, ${videos} file, or a folder ending in "/")`,
    { kind: "unsupported" },
  );
}
