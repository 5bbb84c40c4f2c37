/**
 * YUV4MPEG2 (`.y4m`) files: an uncompressed, frame-exact format that ffmpeg, mpv, x264 and
 * mjpegtools read and write, so a test clip goes through the pipeline and back bit for bit.
 *
 * A file is one header line, `YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420mpeg2 …`, then for each
 * frame a line `FRAME` (plus ignored parameters) and the Y, Cb and Cr planes.
 *
 * - **Reading** accepts `C420jpeg` (the default when `C` is absent), `C420mpeg2`, `C420paldv`,
 *   `C420`, `C422`, `C444` and `Cmono`, 8 bits per sample, and converts each frame once, on
 *   read, to a full-range {@linkcode Frame} in the caller's layout (`src/io/_yuv_planes.ts`: a
 *   `"444"` frame turned into RGB is within 2, and mostly 1, of the BT.601 decode of
 *   `src/image/yuv.ts`). The range is limited unless the header says `XCOLORRANGE=FULL` (ffmpeg
 *   writes that for `yuvj*` and gray pixel formats); other `X` parameters and the interlacing
 *   flag are ignored (frames are taken as progressive). All 4:2:0 sitings decode alike: each
 *   even pixel takes its chroma sample, odd pixels interpolate; the sitings differ by a quarter
 *   of a pixel, which segmentation cannot see. The file is streamed through one frame buffer; a file that ends
 *   inside a frame ends the stream with a warning.
 * - **Writing** produces `C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED`, BT.601 limited range,
 *   with the chroma filter of `rgbToI420` in `src/image/yuv.ts`, which sites the samples the
 *   MPEG-2 way (co-sited with the even column, between the two rows), applied to the frame's
 *   full-range chroma. ffmpeg reads that as `yuv420p` with `chroma_location=left` and writes it
 *   back unchanged; its own y4m output of an unlabelled `yuv420p` stream says `C420jpeg`, which
 *   we read too. Odd sizes, which 4:2:0 cannot hold, are written as `C444`.
 *
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { Y4mReader, Y4mWriter } from "./y4m.ts";
 *
 * const input = await Y4mReader.open("in.y4m");
 * const output = await Y4mWriter.open("out.y4m", { size: input.size, fps: input.fps });
 * const frame = makeFrame(input.size, "444");
 * const timing = new FrameTiming();
 * while (await input.read(frame, timing)) await output.write(frame, timing);
 * await input.close();
 * await output.close();
 * ```
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { FrameSource, PlanarSink } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { BufferedReader } from "./_buffered.ts";
import {
  frameToPlanes,
  type PlanarOptions,
  planeSizes,
  planesToFrame,
  type Subsampling,
  type YuvRange,
} from "./_yuv_planes.ts";
import { fpsToRatio } from "./_rational.ts";
import { fsError, MediaFileError, type MediaFileErrorKind } from "./errors.ts";

/** The colour spaces (`C` values) this module reads. */
export type Y4mColorspace =
  | "420jpeg"
  | "420mpeg2"
  | "420paldv"
  | "420"
  | "422"
  | "444"
  | "mono";

/** A parsed y4m stream header. */
export interface Y4mHeader {
  /** Frame width in pixels (`W`). */
  width: number;
  /** Frame height in pixels (`H`). */
  height: number;
  /** Frame rate numerator (`F`; 25:1 when absent, as ffmpeg assumes). */
  fpsNum: number;
  /** Frame rate denominator. */
  fpsDen: number;
  /** Interlacing (`I`): `p` progressive, `t` top first, `b` bottom first, `m` mixed, `?`. */
  interlace: "p" | "t" | "b" | "m" | "?";
  /** Pixel aspect ratio numerator (`A`; 0:0 when unknown). */
  aspectNum: number;
  /** Pixel aspect ratio denominator. */
  aspectDen: number;
  /** Colour space (`C`; `420jpeg` when absent). */
  colorspace: Y4mColorspace;
  /** Sample range: `full` only with `XCOLORRANGE=FULL`. */
  range: YuvRange;
  /** The `X` parameters, without the `X` (e.g. `YSCSS=420JPEG`). */
  extensions: string[];
}

const MAGIC = "YUV4MPEG2";
const SUBSAMPLING: Record<Y4mColorspace, Subsampling> = {
  "420jpeg": "420",
  "420mpeg2": "420",
  "420paldv": "420",
  "420": "420",
  "422": "422",
  "444": "444",
  "mono": "mono",
};
// Listed in this order (an object's integer-like keys would come first).
const SUPPORTED = "C420jpeg, C420mpeg2, C420paldv, C420, C422, C444, Cmono";
const MAX_SIZE = 1 << 15;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function badHeader(detail: string, kind: MediaFileErrorKind = "corrupt"): never {
  throw new MediaFileError("Cannot parse y4m header", detail, { kind });
}

function dimension(token: string, name: string): number {
  const value = /^\d+$/.test(token.slice(1)) ? Number(token.slice(1)) : NaN;
  if (!(value >= 1 && value <= MAX_SIZE)) {
    badHeader(`${name} ${JSON.stringify(token)} is not a size from 1 to ${MAX_SIZE}`);
  }
  return value;
}

function ratio(token: string, name: string): [number, number] {
  const match = /^(\d+):(\d+)$/.exec(token.slice(1));
  if (match === null) badHeader(`${name} ${JSON.stringify(token)} is not a ratio like 30:1`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * Parses a y4m stream header line (without its `\n`).
 *
 * @example
 * ```ts
 * import { parseY4mHeader } from "./y4m.ts";
 * const header = parseY4mHeader("YUV4MPEG2 W64 H48 F5:1 Ip A1:1 C420jpeg XYSCSS=420JPEG");
 * header.width; // 64
 * header.colorspace; // "420jpeg"
 * ```
 *
 * @param line The first line of the file.
 * @returns The header fields, with the defaults of the format and of ffmpeg filled in.
 * @throws {MediaFileError} `Cannot parse y4m header: <reason>`, e.g. `not a y4m file (…)`
 *   (kind `corrupt`) or `colour space "C420p10" is not supported (…)` (kind `unsupported`).
 */
export function parseY4mHeader(line: string): Y4mHeader {
  const tokens = line.split(" ");
  if (tokens[0] !== MAGIC) {
    badHeader(`not a y4m file (it does not start with "${MAGIC} ")`);
  }
  let width = 0;
  let height = 0;
  let fps: [number, number] = [25, 1];
  let aspect: [number, number] = [0, 0];
  let interlace: Y4mHeader["interlace"] = "p";
  let colorspace: Y4mColorspace = "420jpeg";
  let range: YuvRange = "limited";
  const extensions: string[] = [];
  for (const token of tokens.slice(1)) {
    if (token === "") continue;
    const value = token.slice(1);
    switch (token[0]) {
      case "W":
        width = dimension(token, "width");
        break;
      case "H":
        height = dimension(token, "height");
        break;
      case "F": {
        const [num, den] = ratio(token, "frame rate");
        // ffmpeg takes a zero rate as 25 fps.
        if (num > 0 && den > 0) fps = [num, den];
        break;
      }
      case "A":
        aspect = ratio(token, "pixel aspect");
        break;
      case "I":
        if (!["p", "t", "b", "m", "?"].includes(value)) {
          badHeader(`interlacing ${JSON.stringify(token)} is not one of Ip, It, Ib, Im, I?`);
        }
        interlace = value as Y4mHeader["interlace"];
        break;
      case "C":
        if (!(value in SUBSAMPLING)) {
          badHeader(
            `colour space ${JSON.stringify(token)} is not supported (8-bit ${SUPPORTED} are)`,
            "unsupported",
          );
        }
        colorspace = value as Y4mColorspace;
        break;
      case "X":
        extensions.push(value);
        if (value === "COLORRANGE=FULL") range = "full";
        if (value === "COLORRANGE=LIMITED") range = "limited";
        break;
      default:
        badHeader(`unknown header field ${JSON.stringify(token)}`);
    }
  }
  if (width === 0 || height === 0) badHeader("the header has no width (W) or height (H)");
  return {
    width,
    height,
    fpsNum: fps[0],
    fpsDen: fps[1],
    interlace,
    aspectNum: aspect[0],
    aspectDen: aspect[1],
    colorspace,
    range,
    extensions,
  };
}

/** Options for {@linkcode Y4mReader.open}. */
export interface Y4mReaderOptions {
  /** Called with one line when the file ends inside a frame (default `console.warn`). */
  warn?: (message: string) => void;
}

/**
 * Reads a y4m file frame by frame (a {@linkcode FrameSource}). One frame buffer is made at
 * open; the file is never loaded whole. {@linkcode rewind} starts it again from its first frame
 * with the same buffers (`--loop`: no allocation per restart).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { Y4mReader } from "./y4m.ts";
 * await using video = await Y4mReader.open("in.y4m");
 * const frame = makeFrame(video.size, "444");
 * while (await video.read(frame, new FrameTiming())) {
 *   // use frame
 * }
 * ```
 */
export class Y4mReader implements FrameSource {
  /** The parsed stream header. */
  readonly header: Y4mHeader;
  /** Frame size in pixels. */
  readonly size: Size;
  /** Frames per second from the `F` field. */
  readonly fps: number;
  /** E.g. `in.y4m 64x48 C420jpeg 5 fps`. */
  readonly description: string;
  #path: string;
  #file: Deno.FsFile;
  #reader: BufferedReader;
  #layout: PlanarOptions;
  #planes: Uint8Array;
  /** Where the first frame starts: just after the header line. */
  #firstFrame: number;
  #warn: (message: string) => void;
  #frames = 0;
  #ended = false;
  #closed = false;

  private constructor(
    path: string,
    file: Deno.FsFile,
    reader: BufferedReader,
    header: Y4mHeader,
    firstFrame: number,
    warn: (message: string) => void,
  ) {
    this.#path = path;
    this.#firstFrame = firstFrame;
    this.#file = file;
    this.#reader = reader;
    this.#warn = warn;
    this.header = header;
    const { width, height, colorspace, range } = header;
    this.size = { width, height };
    this.fps = header.fpsNum / header.fpsDen;
    const fps = Math.round(this.fps * 1000) / 1000;
    this.description = `${path} ${width}x${height} C${colorspace}` +
      `${range === "full" ? " full range" : ""} ${fps} fps`;
    this.#layout = { width, height, subsampling: SUBSAMPLING[colorspace], range };
    this.#planes = new Uint8Array(planeSizes(this.#layout).total);
  }

  /**
   * Opens a y4m file and reads its header.
   *
   * @param path The file.
   * @param options Where warnings go.
   * @returns The reader, positioned at the first frame.
   * @throws {MediaFileError} `Cannot read y4m "<path>": <reason>`: `no such file` (kind
   *   `not-found`), `not a y4m file (…)` (`corrupt`), `colour space "C411" is not supported (…)`
   *   (`unsupported`), …
   */
  static async open(path: string, options: Y4mReaderOptions = {}): Promise<Y4mReader> {
    const action = `Cannot read y4m ${JSON.stringify(path)}`;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw fsError(action, error, "read");
    }
    try {
      const reader = new BufferedReader(file);
      const line = await reader.readLine();
      if (typeof line === "string") {
        const start = decoder.decode(reader.pending.subarray(0, MAGIC.length + 1));
        const looksRight = start === `${MAGIC} ` || start === MAGIC;
        throw new MediaFileError(
          action,
          line === "eof"
            ? "the file is empty"
            : !looksRight
            ? `not a y4m file (it does not start with "${MAGIC} ")`
            : line === "truncated"
            ? "the file ends inside its header"
            : "the header line is longer than 4096 bytes (the file is corrupt)",
          { kind: "corrupt" },
        );
      }
      let header: Y4mHeader;
      try {
        header = parseY4mHeader(decoder.decode(line));
      } catch (error) {
        if (error instanceof MediaFileError) {
          throw new MediaFileError(action, error.detail, { cause: error, kind: error.kind });
        }
        throw error;
      }
      // The header line starts the file: the first frame comes after it and its "\n".
      const firstFrame = line.length + 1;
      return new Y4mReader(path, file, reader, header, firstFrame, options.warn ?? console.warn);
    } catch (error) {
      file.close();
      if (error instanceof MediaFileError) throw error;
      throw fsError(action, error, "read");
    }
  }

  /** Frames read so far. */
  get framesRead(): number {
    return this.#frames;
  }

  /**
   * Reads the next frame into `into`, converted to its layout (see the module doc); sets
   * `timing.decode` to the conversion's time.
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @returns true for a frame; false at the end of the file (or at a truncated last frame,
   *   after a warning).
   * @throws {MediaFileError} When a frame does not start with `FRAME` (a corrupt file).
   * @throws {RangeError} When `into` is not of the file's size.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const action = `Cannot read y4m ${JSON.stringify(this.#path)}`;
    if (this.#closed) throw new MediaFileError(action, "it is closed", { kind: "closed" });
    if (this.#ended) return false;
    const { width, height } = this.size;
    if (into.width !== width || into.height !== height) {
      throw new RangeError(
        `${action}: the frame is ${into.width}x${into.height}, the file's are ${width}x${height}`,
      );
    }
    const frame = this.#frames + 1;
    const line = await this.#reader.readLine();
    if (line === "eof") return this.#end();
    if (line === "truncated") return this.#end(`the file ends inside the header of frame ${frame}`);
    if (line === "too long" || !isFrameLine(line)) {
      this.#ended = true;
      throw new MediaFileError(
        action,
        `frame ${frame} does not start with "FRAME" (the file is corrupt)`,
        { kind: "corrupt" },
      );
    }
    const got = await this.#reader.readFull(this.#planes);
    if (got < this.#planes.length) {
      return this.#end(
        `the file ends inside frame ${frame} (${got} of ${this.#planes.length} bytes)`,
      );
    }
    const start = performance.now();
    planesToFrame(this.#planes, this.#layout, into);
    timing.decode = performance.now() - start;
    this.#frames = frame;
    return true;
  }

  /**
   * Starts the file again from its first frame (`--loop`), with the buffers made at open: the
   * next {@linkcode read} gives frame 1.
   *
   * @throws {MediaFileError} When the reader is closed, or the file cannot be read again.
   */
  async rewind(): Promise<void> {
    const action = `Cannot read y4m ${JSON.stringify(this.#path)} again`;
    if (this.#closed) throw new MediaFileError(action, "it is closed", { kind: "closed" });
    try {
      await this.#file.seek(this.#firstFrame, Deno.SeekMode.Start);
    } catch (error) {
      throw fsError(action, error, "read");
    }
    this.#reader.reset();
    this.#frames = 0;
    this.#ended = false;
  }

  #end(problem?: string): false {
    this.#ended = true;
    if (problem !== undefined) {
      this.#warn(
        `Stopped reading ${JSON.stringify(this.#path)} after ${this.#frames} frames: ${problem}`,
      );
    }
    return false;
  }

  /** Closes the file. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#file.close();
    }
    return Promise.resolve();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function isFrameLine(line: Uint8Array): boolean {
  // "FRAME", then nothing or " " and parameters.
  return line.length >= 5 && line[0] === 0x46 && line[1] === 0x52 && line[2] === 0x41 &&
    line[3] === 0x4d && line[4] === 0x45 && (line.length === 5 || line[5] === 0x20);
}

/** Options for {@linkcode Y4mWriter.open}. */
export interface Y4mWriterOptions {
  /** Frame size in pixels. */
  size: Size;
  /** Frames per second (written as a ratio: 30 → `F30:1`, 29.97 → `F30000:1001`). */
  fps: number;
  /** `"420"` (default; `C420mpeg2`, or `C444` for odd sizes) or `"444"`. */
  chroma?: "420" | "444";
}

/**
 * Writes frames to a y4m file (a {@linkcode PlanarSink}): BT.601 limited range, `C420mpeg2`
 * (see the module doc). Takes `"444"` frames (the pipeline's for files), and `"422"` and
 * `"420"` ones too. One frame buffer is made at open.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { Y4mWriter } from "./y4m.ts";
 * const size = { width: 64, height: 48 };
 * await using out = await Y4mWriter.open("out.y4m", { size, fps: 30 });
 * await out.write(makeFrame(size, "444"), new FrameTiming());
 * ```
 */
export class Y4mWriter implements PlanarSink {
  /** Takes {@linkcode Frame}s. */
  readonly kind = "planar";
  /** Frame size in pixels. */
  readonly size: Size;
  /** E.g. `out.y4m 64x48 C420mpeg2 30 fps`. */
  readonly description: string;
  /** The header line written, without its `\n`. */
  readonly headerLine: string;
  #path: string;
  #file: Deno.FsFile;
  #chroma: "420" | "444";
  #buffer: Uint8Array;
  #planes: Uint8Array;
  #closed = false;

  private constructor(path: string, file: Deno.FsFile, header: string, options: Y4mWriterOptions) {
    const { width, height } = options.size;
    this.#path = path;
    this.#file = file;
    this.size = { width, height };
    this.headerLine = header;
    this.#chroma = chromaFor(options);
    const size = planeSizes({ width, height, subsampling: this.#chroma }).total;
    const frameLine = encoder.encode("FRAME\n");
    this.#buffer = new Uint8Array(frameLine.length + size);
    this.#buffer.set(frameLine);
    this.#planes = this.#buffer.subarray(frameLine.length);
    this.description = `${path} ${width}x${height} C${
      this.#chroma === "420" ? "420mpeg2" : "444"
    } ${options.fps} fps`;
  }

  /**
   * Creates (or truncates) a y4m file and writes its header.
   *
   * @param path The file.
   * @param options Frame size and rate, and the chroma layout.
   * @returns The writer.
   * @throws {MediaFileError} `Cannot write y4m "<path>": <reason>`, e.g. `its folder does not
   *   exist` (kind `not-found`), or a size or rate that is not positive (`invalid`).
   */
  static async open(path: string, options: Y4mWriterOptions): Promise<Y4mWriter> {
    const action = `Cannot write y4m ${JSON.stringify(path)}`;
    const { size: { width, height }, fps } = options;
    for (const [name, value] of [["width", width], ["height", height]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
        throw new MediaFileError(action, `${name} ${value} is not a size from 1 to ${MAX_SIZE}`, {
          kind: "invalid",
        });
      }
    }
    if (!Number.isFinite(fps) || fps <= 0) {
      throw new MediaFileError(action, `frame rate ${fps} is not a positive number`, {
        kind: "invalid",
      });
    }
    const { num, den } = fpsToRatio(fps);
    const colour = chromaFor(options) === "444" ? "C444 XYSCSS=444" : "C420mpeg2 XYSCSS=420MPEG2";
    const header = `${MAGIC} W${width} H${height} F${num}:${den} Ip A1:1 ${colour} ` +
      "XCOLORRANGE=LIMITED";
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, create: true, truncate: true });
    } catch (error) {
      const missing = error instanceof Deno.errors.NotFound;
      throw fsError(action, error, "write", missing ? "its folder does not exist" : undefined);
    }
    const writer = new Y4mWriter(path, file, header, options);
    try {
      await writeAll(file, encoder.encode(header + "\n"));
    } catch (error) {
      file.close();
      throw fsError(action, error, "write");
    }
    return writer;
  }

  /**
   * Converts one frame and appends it; sets `timing.convert` to the conversion's time.
   *
   * @param frame A frame of {@linkcode size}, any layout; not kept.
   * @param timing This frame's timing record.
   * @throws {MediaFileError} When the sink is closed or the disk write fails.
   * @throws {RangeError} When the frame is not of the sink's size.
   */
  async write(frame: Frame, timing: FrameTiming): Promise<void> {
    const action = `Cannot write y4m ${JSON.stringify(this.#path)}`;
    if (this.#closed) throw new MediaFileError(action, "it is closed", { kind: "closed" });
    const { width, height } = this.size;
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(
        `${action}: the frame is ${frame.width}x${frame.height}, the file's are ${width}x${height}`,
      );
    }
    const start = performance.now();
    frameToPlanes(frame, this.#planes, this.#chroma);
    timing.convert = performance.now() - start;
    try {
      await writeAll(this.#file, this.#buffer);
    } catch (error) {
      throw fsError(action, error, "write");
    }
  }

  /** Closes the file. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#file.close();
    }
    return Promise.resolve();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The chroma layout written: 4:4:4 when asked or when the size is odd. */
function chromaFor(options: Y4mWriterOptions): "420" | "444" {
  const { width, height } = options.size;
  return options.chroma === "444" || width % 2 !== 0 || height % 2 !== 0 ? "444" : "420";
}

/** Writes all of `bytes`, retrying after partial writes. */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    offset += await file.write(bytes.subarray(offset));
  }
}
