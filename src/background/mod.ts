/**
 * Backgrounds: what replaces the camera's background behind the person. One entry point,
 * {@linkcode openBackground}, turns what the user typed after `-b`/`--background` into a
 * {@linkcode Background}:
 *
 * | spec | background |
 * | --- | --- |
 * | `off` | none: the camera passes through |
 * | `blur`, `blur:N`, `bgblur:N` | mask-aware blur of the camera, strength 1 … 100 (default 12) |
 * | `#RRGGBB`, `#RGB`, `color:NAME` | a solid colour (black, white, gray, green, blue) |
 * | `beach.jpg`, `x.png` | a picture scaled to cover the output (centred crop) |
 * | `loop.gif` | an animated GIF, every frame scaled once, looped at its own delays |
 * | `x.mp4`, `.webm`, `.mkv`, `.mov`, `.avi` | a video decoded by ffmpeg, looped at its frame rate |
 *
 * Files are looked for as given, then in `$BACKSCRUB_PATH/backgrounds`,
 * `$XDG_DATA_HOME/backscrub/backgrounds`, next to the executable and in the bundled
 * `backgrounds/`.
 *
 * Every background draws frames of the output size in the pipeline's working layout (`"444"`
 * for files, `"422"` for the virtual camera); pictures, colours and GIF frames are converted to
 * it once, at open.
 *
 * ```ts
 * import { openBackground } from "./mod.ts";
 * const size = { width: 1280, height: 720 };
 * const background = await openBackground("blur", { size, layout: "422" });
 * console.log(background.description); // "blur 12 (mask-aware)"
 * ```
 *
 * @module
 */

import type { Background, BackgroundOptions } from "../frame/stages.ts";
import { isPng } from "../image/png.ts";
import { ImageError } from "../image/types.ts";
import { isJpeg, loadImage } from "../io/image_file.ts";
import { resolveResource } from "../resources.ts";
import { gifBackground } from "./animation.ts";
import { MaskAwareBlur } from "./blur.ts";
import { BackgroundError, type BackgroundErrorKind } from "./errors.ts";
import { GifError, isGif, parseGif } from "./gif.ts";
import { type FileKind, parseBackgroundSpec } from "./spec.ts";
import { imageBackground, passthroughBackground, solidBackground } from "./still.ts";
import { openVideoBackground } from "./video.ts";

export { BackgroundError, type BackgroundErrorKind } from "./errors.ts";
export { DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "./blur.ts";
export { type BackgroundSpec, parseBackgroundSpec, parseColor } from "./spec.ts";
export { VideoBackground } from "./video.ts";

/** Options of {@linkcode openBackground}. */
export interface OpenBackgroundOptions extends BackgroundOptions {
  /** The ffmpeg command for videos (default `ffmpeg`). */
  ffmpeg?: string;
  /** The ffprobe command for videos (default `ffprobe`). */
  ffprobe?: string;
  /** Memory limit for the scaled frames of a GIF, in bytes (default 300 MB). */
  maxAnimationBytes?: number;
}

function checkSize(options: BackgroundOptions): void {
  const { size: { width, height }, layout } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(
      `Cannot make a background of ${width}x${height}: the output size must be positive integers`,
    );
  }
  if (layout !== "444" && width % 2 !== 0) {
    throw new RangeError(
      `Cannot make a ${layout} background ${width} pixels wide: half-width chroma needs an even width`,
    );
  }
}

/** Why reading a file failed, in a few words, and the kind of error it makes. */
function readError(error: unknown): { kind: BackgroundErrorKind; text: string } {
  if (error instanceof Deno.errors.NotCapable) {
    return { kind: "read-permission", text: "no read permission" };
  }
  if (error instanceof Deno.errors.NotFound) return { kind: "not-found", text: "no such file" };
  if (error instanceof Deno.errors.PermissionDenied) {
    return { kind: "unreadable", text: "permission denied" };
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return { kind: "unreadable", text: "it is a directory" };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { kind: "unreadable", text: text.replace(/\s+/g, " ").trim() };
}

/** The kind of a file without a known extension, from its first bytes. */
function sniff(bytes: Uint8Array): FileKind {
  if (isGif(bytes)) return "gif";
  if (isPng(bytes) || isJpeg(bytes)) return "image";
  return "unknown";
}

/**
 * Opens the background a spec names (see the module documentation for the specs). Pictures and
 * GIFs are scaled once here; a video starts ffmpeg and waits for its first frame.
 *
 * @example
 * ```ts
 * import { openBackground } from "./mod.ts";
 * const green = await openBackground("#00ff00", { size: { width: 640, height: 480 }, layout: "444" });
 * console.log(green.description); // "colour #00ff00"
 * await green.close();
 * ```
 *
 * @param spec What the user typed, e.g. `blur:20`, `#336699`, `beach.jpg`, `loop.mp4`.
 * @param options The output size and working layout (and the ffmpeg commands, the GIF memory
 *   limit).
 * @returns The background; close it when done.
 * @throws {BackgroundError} One line of facts, with a {@linkcode BackgroundErrorKind}: unknown
 *   spec, bad colour or strength, missing file (with every place looked in), unreadable or
 *   corrupt picture, GIF too long, ffmpeg missing or failing.
 * @throws {LibraryLoadError} When a JPEG needs libturbojpeg and it cannot be loaded.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export async function openBackground(
  spec: string,
  options: OpenBackgroundOptions,
): Promise<Background> {
  checkSize(options);
  const { size, layout } = options;
  const parsed = parseBackgroundSpec(spec);
  switch (parsed.kind) {
    case "off":
      return passthroughBackground();
    case "blur":
      return new MaskAwareBlur({ size, layout, strength: parsed.strength });
    case "color":
      return solidBackground(parsed.rgb, { size, layout });
  }
  const { name } = parsed;
  const { path, tried } = resolveResource(name, "backgrounds");
  if (path === null) {
    if (parsed.type === "unknown" && !name.includes("/")) {
      throw new BackgroundError(
        "spec",
        `Cannot use background ${
          JSON.stringify(name)
        }: it is not off, blur[:N], #RRGGBB, color:NAME or a file in ${
          tried.join(", ")
        } (check the spelling, or give the path of an image, GIF or video)`,
      );
    }
    if (tried.length === 1) {
      throw new BackgroundError(
        "not-found",
        `Cannot find background ${JSON.stringify(name)}: no such file (check the path)`,
        { path: name },
      );
    }
    throw new BackgroundError(
      "not-found",
      `Cannot find background ${JSON.stringify(name)}: looked in ${
        tried.join(", ")
      } (give its path, or put it in one of these folders)`,
      { path: name },
    );
  }
  let type = parsed.type;
  if (type === "video") return await openVideoBackground(path, options);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const { kind, text } = readError(error);
    throw new BackgroundError(kind, `Cannot read background ${JSON.stringify(path)}: ${text}`, {
      cause: error,
      path,
    });
  }
  // The content wins over the name (a GIF saved as .png, a PNG saved as .gif).
  const content = sniff(bytes);
  if (content !== "unknown") type = content;
  if (type === "unknown") {
    throw new BackgroundError(
      "unsupported",
      `Cannot use background ${
        JSON.stringify(path)
      }: it is not a PNG, JPEG or GIF (for a video, give it a .mp4, .webm, .mkv, .mov or .avi name)`,
      { path },
    );
  }
  if (type === "gif") {
    try {
      return gifBackground(parseGif(bytes), {
        size,
        layout,
        path,
        ...(options.maxAnimationBytes === undefined ? {} : { maxBytes: options.maxAnimationBytes }),
      });
    } catch (error) {
      if (error instanceof GifError) {
        throw new BackgroundError(
          "corrupt",
          `Cannot read background ${
            JSON.stringify(path)
          }: corrupt GIF data (${error.detail}; re-export it)`,
          { cause: error, path },
        );
      }
      throw error;
    }
  }
  try {
    return imageBackground(await loadImage(path), { size, layout, path });
  } catch (error) {
    if (error instanceof ImageError) {
      // The content is PNG or JPEG (then it does not decode), or neither (a name that says so).
      throw new BackgroundError(
        content === "unknown" ? "unsupported" : "corrupt",
        `Cannot read background ${
          JSON.stringify(path)
        }: ${error.detail} (use a PNG or JPEG picture)`,
        { cause: error, path },
      );
    }
    throw error; // LibraryLoadError when libturbojpeg is missing
  }
}
