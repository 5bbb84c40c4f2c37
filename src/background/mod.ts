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
 * it once, at open. Pictures and GIFs are read, decoded and scaled in a Web Worker
 * (`decode.ts`, `decode_worker.ts`): opening one while the camera runs does not block the loop.
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
import { Kernels } from "../kernels/mod.ts";
import { resolveResource } from "../resources.ts";
import { AnimatedBackground } from "./animation.ts";
import { MaskAwareBlur } from "./blur.ts";
import { decodeInWorker } from "./decode.ts";
import { BackgroundError } from "./errors.ts";
import { parseBackgroundSpec } from "./spec.ts";
import { passthroughBackground, solidBackground, StillBackground } from "./still.ts";
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

/**
 * Opens the background a spec names (see the module documentation for the specs). Pictures and
 * GIFs are read, decoded and scaled once, in a worker of their own (the file is found here); a
 * video starts ffmpeg and waits for its first frame.
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
    // What stands at the name as given, when it is not a file: a folder, or out of reach.
    let given: Deno.FileInfo | "not-allowed" | null = null;
    try {
      given = Deno.statSync(name);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        given = "not-allowed";
      }
    }
    if (given === "not-allowed") {
      throw new BackgroundError(
        "read-permission",
        `Cannot read background ${JSON.stringify(name)}: no read permission`,
        { path: name },
      );
    }
    if (given?.isDirectory) {
      throw new BackgroundError(
        "folder",
        `Cannot use background ${
          JSON.stringify(name)
        }: it is a folder (give a picture, an animated GIF or a video in it)`,
        { path: name },
      );
    }
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
  if (parsed.type === "video") return await openVideoBackground(path, options);
  // The slow part (read, decode, cover-scale, convert) runs in a worker, beside the loop.
  const { decoded, release } = await decodeInWorker({
    path,
    type: parsed.type,
    size,
    layout,
    maxAnimationBytes: options.maxAnimationBytes,
  });
  // Closing the background gives back its hold on the worker.
  const { description } = decoded;
  if (decoded.kind === "still") {
    // The picture is read by the kernels every frame: it lives in their memory.
    const kernels = Kernels.shared();
    const frame = kernels.place(decoded.frame);
    const onClose = (): void => {
      kernels.releaseFrame(frame);
      release();
    };
    return new StillBackground(frame, { description, onClose });
  }
  return new AnimatedBackground(decoded.frames, {
    delaysMs: decoded.delaysMs,
    description,
    onClose: release,
  });
}
