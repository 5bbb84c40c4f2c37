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
 * ```ts
 * import { openBackground } from "./mod.ts";
 * const background = await openBackground("blur", { width: 1280, height: 720 });
 * console.log(background.description); // "blur 12 (mask-aware)"
 * ```
 *
 * @module
 */

import { isJpeg, loadImage } from "../image/load.ts";
import { isPng } from "../image/png.ts";
import { ImageError } from "../image/types.ts";
import type { Background, BackgroundOptions } from "../pipeline/types.ts";
import { resolveResource } from "../resources.ts";
import { gifBackground } from "./animation.ts";
import { MaskAwareBlur } from "./blur.ts";
import { BackgroundError } from "./errors.ts";
import { GifError, isGif, parseGif } from "./gif.ts";
import { type FileKind, parseBackgroundSpec } from "./spec.ts";
import { imageBackground, passthroughBackground, solidBackground } from "./still.ts";
import { openVideoBackground } from "./video.ts";

export { BackgroundError } from "./errors.ts";
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
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(
      `Cannot make a background of ${width}x${height}: the output size must be positive integers`,
    );
  }
}

function readError(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotCapable) return "no read permission (run with --allow-read)";
  return error instanceof Error ? error.message.replace(/\s+/g, " ").trim() : String(error);
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
 * const green = await openBackground("#00ff00", { width: 640, height: 480 });
 * console.log(green.description); // "colour #00ff00"
 * await green.close();
 * ```
 *
 * @param spec What the user typed, e.g. `blur:20`, `#336699`, `beach.jpg`, `loop.mp4`.
 * @param options The output size (and the ffmpeg commands, the GIF memory limit).
 * @returns The background; close it when done.
 * @throws {BackgroundError} One line with the fix: unknown spec, bad colour or strength,
 *   missing file (with every place looked in), unreadable or corrupt picture, GIF too long,
 *   ffmpeg missing or failing.
 * @throws {JpegError} When a JPEG needs libturbojpeg and it cannot be loaded.
 */
export async function openBackground(
  spec: string,
  options: OpenBackgroundOptions,
): Promise<Background> {
  checkSize(options);
  const { width, height } = options;
  const parsed = parseBackgroundSpec(spec);
  switch (parsed.kind) {
    case "off":
      return passthroughBackground();
    case "blur":
      return new MaskAwareBlur({ width, height, strength: parsed.strength });
    case "color":
      return solidBackground(parsed.rgb, { width, height });
  }
  const { name } = parsed;
  const { path, tried } = resolveResource(name, "backgrounds");
  if (path === null) {
    if (parsed.type === "unknown" && !name.includes("/")) {
      throw new BackgroundError(
        `Cannot use background ${
          JSON.stringify(name)
        }: it is not off, blur[:N], #RRGGBB, color:NAME or a file in ${
          tried.join(", ")
        } (check the spelling, or give the path of an image, GIF or video)`,
      );
    }
    if (tried.length === 1) {
      throw new BackgroundError(
        `Cannot find background ${JSON.stringify(name)}: no such file (check the path)`,
      );
    }
    throw new BackgroundError(
      `Cannot find background ${JSON.stringify(name)}: looked in ${
        tried.join(", ")
      } (give its path, or put it in one of these folders)`,
    );
  }
  let type = parsed.type;
  if (type === "video") return await openVideoBackground(path, { ...options, width, height });
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new BackgroundError(
      `Cannot read background ${JSON.stringify(path)}: ${readError(error)}`,
      {
        cause: error,
      },
    );
  }
  // The content wins over the name (a GIF saved as .png, a PNG saved as .gif).
  const content = sniff(bytes);
  if (content !== "unknown") type = content;
  if (type === "unknown") {
    throw new BackgroundError(
      `Cannot use background ${
        JSON.stringify(path)
      }: it is not a PNG, JPEG or GIF (for a video, give it a .mp4, .webm, .mkv, .mov or .avi name)`,
    );
  }
  if (type === "gif") {
    try {
      return gifBackground(parseGif(bytes), {
        width,
        height,
        path,
        ...(options.maxAnimationBytes === undefined ? {} : { maxBytes: options.maxAnimationBytes }),
      });
    } catch (error) {
      if (error instanceof GifError) {
        throw new BackgroundError(
          `Cannot read background ${
            JSON.stringify(path)
          }: corrupt GIF data (${error.detail}; re-export it, or convert it: ffmpeg -i in.gif out.gif)`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  try {
    return imageBackground(await loadImage(path), { width, height, path });
  } catch (error) {
    if (error instanceof ImageError) {
      throw new BackgroundError(
        `Cannot read background ${
          JSON.stringify(path)
        }: ${error.detail} (use a PNG or JPEG picture)`,
        { cause: error },
      );
    }
    throw error; // JpegError when libturbojpeg is missing: its message has the fix
  }
}
