/**
 * Loading PNG and JPEG files (chosen by their magic bytes) as 8-bit RGB: the images that frame
 * sources and backgrounds convert once, on open, to frames. JPEGs go through libturbojpeg, which
 * is why this lives in `src/io` and not in the pure pixel code of `src/image`.
 *
 * An image that cannot be read throws an `ImageError` whose message states the facts; its
 * `cause` is the file-system error (e.g. `Deno.errors.NotCapable` when the runtime was not
 * granted read access), for callers that explain what to do.
 *
 * @module
 */

import { JpegDecoder, JpegError } from "../../ffi/turbojpeg/mod.ts";
import { pictureSizeProblem } from "../image/limits.ts";
import { isPng, readPng } from "../image/png.ts";
import { ImageError, type RgbImage } from "../image/types.ts";

/**
 * Whether `bytes` start with a JPEG SOI marker followed by another marker
 * (`FF D8 FF`).
 *
 * @example
 * ```ts
 * import { isJpeg } from "./image_file.ts";
 * isJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // true
 * ```
 *
 * @param bytes The file contents (only the first 3 bytes are read).
 * @returns `true` for JPEG magic bytes.
 */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function readError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotCapable) return "no read permission";
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}

function decodeJpeg(bytes: Uint8Array, decoder: JpegDecoder, fail: (d: string) => never): RgbImage {
  try {
    const header = decoder.header(bytes);
    const tooLarge = pictureSizeProblem(header.width, header.height);
    if (tooLarge !== null) fail(tooLarge);
    if (header.colorspace === "cmyk" || header.colorspace === "ycck") {
      fail("CMYK JPEGs are not supported (convert it to RGB)");
    }
    const data = new Uint8Array(header.width * header.height * 3);
    // A warning (e.g. a truncated file) still gives a complete, usable picture.
    const { width, height } = decoder.decode(bytes, data, { format: "rgb" });
    return { width, height, data };
  } catch (error) {
    if (error instanceof JpegError && error.fatal) {
      fail(`corrupt JPEG data (${error.message.replace(/^Cannot [^:]+: /, "")})`);
    }
    throw error; // ImageError from above, or the library is missing/closed
  }
}

/**
 * Reads a PNG or JPEG file as 8-bit RGB (plus alpha for PNGs with
 * transparency). The format is taken from the magic bytes, not the name.
 * JPEGs are decoded with libturbojpeg; pass a decoder to reuse one.
 *
 * @example
 * ```ts
 * import { loadImage } from "./image_file.ts";
 * const background = await loadImage("backgrounds/beach.jpg");
 * console.log(background.width, background.height);
 * ```
 *
 * @param path The file to read.
 * @param decoder A JPEG decoder to use (a temporary one otherwise).
 * @returns The picture.
 * @throws {ImageError} One line naming the file and the problem:
 *   `Cannot read image "x.png": not a PNG or JPEG file`, `...: no such file`,
 *   `...: corrupt PNG data (<reason>)`, `...: corrupt JPEG data (<reason>)`.
 * @throws {LibraryLoadError} When a JPEG needs libturbojpeg and it cannot be loaded.
 */
export async function loadImage(path: string, decoder?: JpegDecoder): Promise<RgbImage> {
  const action = `Cannot read image ${JSON.stringify(path)}`;
  const fail = (detail: string, cause?: unknown): never => {
    throw new ImageError(action, detail, cause === undefined ? undefined : { cause });
  };
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    return fail(readError(error), error);
  }
  if (bytes.length === 0) return fail("the file is empty");
  if (isPng(bytes)) {
    try {
      return readPng(bytes);
    } catch (error) {
      if (error instanceof ImageError) {
        const unsupported = error.detail.includes("not supported");
        return fail(unsupported ? error.detail : `corrupt PNG data (${error.detail})`, error);
      }
      throw error;
    }
  }
  if (isJpeg(bytes)) {
    if (decoder !== undefined) return decodeJpeg(bytes, decoder, fail);
    using temporary = new JpegDecoder();
    return decodeJpeg(bytes, temporary, fail);
  }
  return fail("not a PNG or JPEG file");
}
