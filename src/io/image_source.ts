/**
 * Still images as frame sources: one PNG or JPEG repeated, or a sequence of them given as a
 * printf pattern (`shots/frame_%04d.png`), a wildcard in the file name (`shots/*.png`) or a
 * folder (its `.png`, `.jpg` and `.jpeg` files). Files are sorted by their number (patterns) or
 * in natural order (`2.png` before `10.png`); all must have the size of the first. An alpha
 * channel is dropped.
 *
 * A single image is converted once, at open, to a full-range 4:4:4 {@linkcode Frame} (and once
 * more to 4:2:2 if the pipeline asks for that); each read copies its planes. A sequence's files
 * are decoded and converted (`rgbToFrame`) when they are read: a file read and a PNG decode
 * allocate; the caller's frame is filled in place.
 *
 * @module
 */

import { JpegDecoder } from "../../ffi/turbojpeg/mod.ts";
import { chromaHeight, chromaWidth, type Frame, makeFrame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { FrameSource } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { convertFrame, rgbToFrame } from "../image/planar.ts";
import type { RgbImage } from "../image/types.ts";
import { fsError, MediaFileError } from "./errors.ts";
import { loadImage } from "./image_file.ts";

/** Options for {@linkcode ImageSource.open}. */
export interface ImageSourceOptions {
  /** How many times the image is yielded (default 1; `Infinity` for a never-ending source). */
  frames?: number;
  /** Nominal frame rate (default 0, "unknown", for one frame; 25 for more). */
  fps?: number;
}

/** Options for {@linkcode ImageSequenceSource.open}. */
export interface ImageSequenceOptions {
  /** Nominal frame rate (default 25, as ffmpeg assumes for image sequences). */
  fps?: number;
}

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;
const PRINTF = /%(0?)(\d*)d/;

function checkFrame(into: Frame, size: Size, what: string): void {
  if (into.width !== size.width || into.height !== size.height) {
    throw new RangeError(
      `Cannot read ${what}: the frame is ${into.width}x${into.height}, the images are ` +
        `${size.width}x${size.height}`,
    );
  }
}

/** Copies a frame's planes into another of the same size and layout. */
function copyFrame(from: Frame, into: Frame): void {
  const chroma = chromaWidth(from.width, from.layout) * chromaHeight(from.height, from.layout);
  into.y.set(from.y);
  into.u.set(from.u.subarray(0, chroma));
  into.v.set(from.v.subarray(0, chroma));
  into.layout = from.layout;
}

/**
 * One image as a frame source that yields the same frame `frames` times.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { ImageSource } from "./image_source.ts";
 * await using still = await ImageSource.open("portrait.jpg", { frames: 90, fps: 30 });
 * const frame = makeFrame(still.size, "444");
 * while (await still.read(frame, new FrameTiming())) {
 *   // three seconds of the same picture
 * }
 * ```
 */
export class ImageSource implements FrameSource {
  /** Frame size in pixels. */
  readonly size: Size;
  /** The `fps` option (0 by default for a single frame). */
  readonly fps: number;
  /** E.g. `portrait.jpg 640x480 image ×90 30 fps`. */
  readonly description: string;
  /** How many frames the source yields. */
  readonly frames: number;
  /** The picture, converted at open. */
  #full: Frame;
  /** The picture with half-width chroma, made on the first read into such a frame. */
  #half: Frame | undefined;
  #read = 0;

  private constructor(path: string, image: RgbImage, frames: number, fps: number) {
    this.size = { width: image.width, height: image.height };
    this.#full = makeFrame(this.size, "444");
    rgbToFrame(image.data, this.#full);
    this.frames = frames;
    this.fps = fps;
    this.description =
      `${path} ${image.width}x${image.height} image ${
        Number.isFinite(frames) ? `×${frames}` : "repeated"
      }` +
      (fps > 0 ? ` ${fps} fps` : "");
  }

  /**
   * Loads the image.
   *
   * @param path A PNG or JPEG file.
   * @param options How many frames, at what nominal rate.
   * @returns The source.
   * @throws {ImageError} `Cannot read image "<path>": <reason>` from `loadImage`.
   * @throws {MediaFileError} When `frames` or `fps` is invalid.
   */
  static async open(path: string, options: ImageSourceOptions = {}): Promise<ImageSource> {
    const frames = options.frames ?? 1;
    const fps = options.fps ?? (frames === 1 ? 0 : 25);
    const action = `Cannot read image ${JSON.stringify(path)}`;
    if (!(frames >= 1) || (!Number.isInteger(frames) && frames !== Infinity)) {
      throw new MediaFileError(action, `frames ${frames} is not a whole number from 1`, {
        kind: "invalid",
      });
    }
    if (!Number.isFinite(fps) || fps < 0) {
      throw new MediaFileError(action, `frame rate ${fps} is not a positive number`, {
        kind: "invalid",
      });
    }
    return new ImageSource(path, await loadImage(path), frames, fps);
  }

  /**
   * Copies the image, converted at open, into `into` (a `"444"` frame gets the 4:4:4 picture, a
   * `"422"` or `"420"` one the 4:2:2 picture, converted on the first such read). Sets
   * `timing.decode` to the copy's time.
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @returns false once `frames` frames have been read.
   * @throws {RangeError} When `into` is not of the image's size.
   */
  // deno-lint-ignore require-await
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    checkFrame(into, this.size, "image");
    if (this.#read >= this.frames) return false;
    const start = performance.now();
    if (into.layout === "444") {
      copyFrame(this.#full, into);
    } else {
      if (this.#half === undefined) {
        this.#half = makeFrame(this.size, "422");
        convertFrame(this.#full, this.#half);
      }
      copyFrame(this.#half, into);
    }
    timing.decode = performance.now() - start;
    this.#read++;
    return true;
  }

  /** Nothing to release. Idempotent. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Compares file names in natural order: runs of digits by value, the rest by code unit.
 *
 * @example
 * ```ts
 * import { naturalCompare } from "./image_source.ts";
 * ["b10.png", "b2.png", "a.png"].sort(naturalCompare); // ["a.png", "b2.png", "b10.png"]
 * ```
 *
 * @param a A name.
 * @param b Another name.
 * @returns Negative, zero or positive, as `Array.prototype.sort` wants.
 */
export function naturalCompare(a: string, b: string): number {
  const chunks = /(\d+|\D+)/g;
  const as = a.match(chunks) ?? [];
  const bs = b.match(chunks) ?? [];
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits) {
      const dx = BigInt(x);
      const dy = BigInt(y);
      if (dx !== dy) return dx < dy ? -1 : 1;
      return x.length - y.length; // "01" after "1"
    }
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

function splitPath(spec: string): { dir: string; name: string } {
  const slash = spec.lastIndexOf("/");
  if (slash < 0) return { dir: ".", name: spec };
  return { dir: slash === 0 ? "/" : spec.slice(0, slash), name: spec.slice(slash + 1) };
}

function join(dir: string, name: string): string {
  return dir === "." ? name : dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether `spec` names an image sequence by its form alone: a printf pattern (`%d`, `%04d`) or
 * a `*` or `?` wildcard. (A folder is a sequence too, but that needs a look at the disk.)
 *
 * @example
 * ```ts
 * import { isSequencePattern } from "./image_source.ts";
 * isSequencePattern("shots/frame_%04d.png"); // true
 * isSequencePattern("shots/*.jpg"); // true
 * isSequencePattern("shot.png"); // false
 * ```
 *
 * @param spec A path as the user gave it.
 * @returns true for a pattern.
 */
export function isSequencePattern(spec: string): boolean {
  return PRINTF.test(spec.replaceAll("%%", "")) || /[*?]/.test(spec);
}

/**
 * Lists the files of an image sequence in frame order.
 *
 * - `dir/frame_%04d.png`: the files whose name is the pattern printed with some number
 *   (`%d`, `%4d`, `%04d`; `%%` is a literal `%`), by number. Gaps are allowed.
 * - `dir/*.png`, `dir/shot_??.jpg`: wildcards in the file name only, natural order.
 * - `dir`: its PNG and JPEG files (not hidden ones), natural order.
 *
 * @example
 * ```ts
 * import { listImageSequence } from "./image_source.ts";
 * const files = await listImageSequence("shots/frame_%04d.png");
 * // ["shots/frame_0001.png", "shots/frame_0002.png", …]
 * ```
 *
 * @param spec The pattern or folder.
 * @returns The paths, at least one.
 * @throws {MediaFileError} `Cannot read image sequence "<spec>": <reason>`: `no file matches`,
 *   `the folder has no PNG or JPEG files`, `no such folder "<dir>"`, …
 */
export async function listImageSequence(spec: string): Promise<string[]> {
  const action = `Cannot read image sequence ${JSON.stringify(spec)}`;
  const fail = (detail: string): never => {
    throw new MediaFileError(action, detail, { kind: "invalid" });
  };
  let dir: string;
  let accept: (name: string) => number | undefined | true;
  if (isSequencePattern(spec)) {
    const parts = splitPath(spec);
    dir = parts.dir;
    if (isSequencePattern(dir)) fail("only the file name may hold a pattern or wildcards");
    const name = parts.name;
    const printf = PRINTF.exec(name.replaceAll("%%", "\0\0"));
    if (printf !== null) {
      if (PRINTF.test(name.slice(printf.index + printf[0].length).replaceAll("%%", ""))) {
        fail("the pattern has more than one number (%d)");
      }
      const width = Number(printf[2] || "0");
      const pad = printf[1] === "0" ? "0" : " ";
      const before = name.slice(0, printf.index).replaceAll("%%", "%");
      const after = name.slice(printf.index + printf[0].length).replaceAll("%%", "%");
      const regex = new RegExp(`^${escapeRegExp(before)}( *\\d+)${escapeRegExp(after)}$`);
      accept = (file) => {
        const match = regex.exec(file);
        if (match === null) return undefined;
        const n = Number(match[1]!.trim());
        // Exactly what printf would print for n (no extra leading zeros).
        return String(n).padStart(width, pad) === match[1] ? n : undefined;
      };
    } else {
      const regex = new RegExp(
        `^${
          name.split("").map((c) => c === "*" ? ".*" : c === "?" ? "." : escapeRegExp(c)).join("")
        }$`,
      );
      accept = (file) =>
        regex.test(file) && !(file.startsWith(".") && !name.startsWith(".")) || undefined;
    }
  } else {
    dir = spec;
    accept = (file) => (IMAGE_EXTENSION.test(file) && !file.startsWith(".")) || undefined;
  }

  const found: { name: string; n: number | true }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) continue;
      const n = accept(entry.name);
      if (n !== undefined) found.push({ name: entry.name, n });
    }
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound
      ? `no such folder ${JSON.stringify(dir)}`
      : error instanceof Deno.errors.NotADirectory
      ? `${JSON.stringify(dir)} is not a folder`
      : undefined;
    throw fsError(action, error, "read", detail);
  }
  if (found.length === 0) {
    throw new MediaFileError(
      action,
      dir === spec ? "the folder has no PNG or JPEG files" : "no file matches",
      { kind: "not-found" },
    );
  }
  found.sort((a, b) =>
    typeof a.n === "number" && typeof b.n === "number" && a.n !== b.n
      ? a.n - b.n
      : naturalCompare(a.name, b.name)
  );
  return found.map((f) => join(dir, f.name));
}

/**
 * A sequence of PNG or JPEG files as a frame source (see {@linkcode listImageSequence} for the
 * forms of `spec`). The first file is decoded at open to learn the size.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { ImageSequenceSource } from "./image_source.ts";
 * await using shots = await ImageSequenceSource.open("shots/frame_%04d.png", { fps: 30 });
 * const frame = makeFrame(shots.size, "444");
 * while (await shots.read(frame, new FrameTiming())) {
 *   // one file per frame
 * }
 * ```
 */
export class ImageSequenceSource implements FrameSource {
  /** Frame size in pixels (the first file's). */
  readonly size: Size;
  /** The `fps` option (default 25). */
  readonly fps: number;
  /** E.g. `shots/*.png 640x480 120 images 25 fps`. */
  readonly description: string;
  /** The files, in frame order. */
  readonly files: readonly string[];
  #spec: string;
  #decoder: JpegDecoder | undefined;
  #first: RgbImage | undefined;
  #next = 0;
  #closed = false;

  private constructor(spec: string, files: string[], first: RgbImage, fps: number) {
    this.#spec = spec;
    this.files = files;
    this.#first = first;
    this.size = { width: first.width, height: first.height };
    this.fps = fps;
    this.description = `${spec} ${first.width}x${first.height} ${files.length} ` +
      `image${files.length === 1 ? "" : "s"} ${fps} fps`;
  }

  /**
   * Lists the files and decodes the first.
   *
   * @param spec A printf pattern, a wildcard pattern or a folder.
   * @param options The nominal frame rate.
   * @returns The source.
   * @throws {MediaFileError} When no file matches (see {@linkcode listImageSequence}).
   * @throws {ImageError} When the first file cannot be decoded.
   */
  static async open(
    spec: string,
    options: ImageSequenceOptions = {},
  ): Promise<ImageSequenceSource> {
    const fps = options.fps ?? 25;
    if (!Number.isFinite(fps) || fps <= 0) {
      throw new MediaFileError(
        `Cannot read image sequence ${JSON.stringify(spec)}`,
        `frame rate ${fps} is not a positive number`,
        { kind: "invalid" },
      );
    }
    const files = await listImageSequence(spec);
    const first = await loadImage(files[0]!);
    return new ImageSequenceSource(spec, files, first, fps);
  }

  /**
   * Decodes the next file and converts it into `into`, in its layout; sets `timing.decode` to
   * the time of both.
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record.
   * @returns false after the last file.
   * @throws {MediaFileError} When a file's size differs from the first one's.
   * @throws {ImageError} When a file cannot be read or decoded.
   * @throws {RangeError} When `into` is not of the sequence's size.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const action = `Cannot read image sequence ${JSON.stringify(this.#spec)}`;
    if (this.#closed) throw new MediaFileError(action, "it is closed", { kind: "closed" });
    checkFrame(into, this.size, "image sequence");
    if (this.#next >= this.files.length) return false;
    const path = this.files[this.#next]!;
    const start = performance.now();
    let image = this.#first;
    this.#first = undefined;
    if (image === undefined) {
      // One decoder for the whole sequence (loadImage makes a temporary one otherwise).
      if (/\.jpe?g$/i.test(path)) this.#decoder ??= new JpegDecoder();
      image = await loadImage(path, this.#decoder);
    }
    const { width, height } = this.size;
    if (image.width !== width || image.height !== height) {
      throw new MediaFileError(
        action,
        `${JSON.stringify(path)} is ${image.width}x${image.height}, the first frame is ` +
          `${width}x${height} (all frames must have the same size)`,
        { kind: "invalid" },
      );
    }
    rgbToFrame(image.data, into);
    timing.decode = performance.now() - start;
    this.#next++;
    return true;
  }

  /** Releases the JPEG decoder. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#decoder?.close();
    this.#decoder = undefined;
    this.#first = undefined;
    return Promise.resolve();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
