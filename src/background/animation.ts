/**
 * Animated GIF backgrounds: every frame is decoded, cover-scaled and converted to the pipeline's
 * layout once, at open; `render()` picks the frame for the time (looping at the GIF's own
 * delays) and returns it as it is.
 *
 * @module
 */

import { chromaWidth, type Frame, makeFrame } from "../frame/frame.ts";
import type { Background, BackgroundContext, BackgroundOptions } from "../frame/stages.ts";
import { rgbToFrame } from "../image/planar.ts";
import { coverScale } from "./cover.ts";
import { BackgroundError } from "./errors.ts";
import { composeGif, type GifFile } from "./gif.ts";

/** Default limit on the memory the scaled frames of an animation may take. */
export const DEFAULT_ANIMATION_BYTES = 300 * 1024 * 1024;

/**
 * Frames shown in a loop, each for its own delay; the loop starts at the first `render()`.
 *
 * @example
 * ```ts
 * import { AnimatedBackground } from "./animation.ts";
 * import { makeFrame } from "../frame/frame.ts";
 * const red = makeFrame({ width: 1, height: 1 }, "444"), blue = makeFrame({ width: 1, height: 1 }, "444");
 * const anim = new AnimatedBackground([red, blue], { delaysMs: [100, 50], description: "2 frames" });
 * const at = (timeMs: number) => anim.render({ timeMs });
 * at(0) === red; at(120) === blue; at(160) === red; // true, true, true
 * ```
 */
export class AnimatedBackground implements Background {
  /** One line for the startup banner. */
  readonly description: string;
  /** Always false. */
  readonly passthrough = false;
  /** True only for a single frame. */
  readonly still: boolean;
  /** Length of one loop in milliseconds. */
  readonly durationMs: number;
  readonly #frames: Frame[];
  /** End time of each frame within the loop. */
  readonly #ends: Float64Array;
  #start = NaN;
  #index = 0;
  #onClose: (() => void) | undefined;

  /**
   * Wraps prepared frames.
   *
   * @param frames Frames of the output size in the pipeline's layout (kept, not copied), at
   *   least one.
   * @param options Each frame's delay (ms, > 0), the description, and what to do once on close
   *   (e.g. give back the decoding worker that prepared the frames).
   * @throws {RangeError} When there are no frames or the delays do not match.
   */
  constructor(
    frames: Frame[],
    options: { delaysMs: number[]; description: string; onClose?: () => void },
  ) {
    const { delaysMs } = options;
    if (frames.length === 0 || delaysMs.length !== frames.length) {
      throw new RangeError(
        `Cannot animate ${frames.length} frames with ${delaysMs.length} delays: give one delay per frame`,
      );
    }
    this.#frames = frames;
    this.still = frames.length === 1;
    this.#ends = new Float64Array(frames.length);
    let t = 0;
    delaysMs.forEach((d, i) => this.#ends[i] = t += Math.max(d, 1));
    this.durationMs = t;
    this.description = options.description;
    this.#onClose = options.onClose;
  }

  /**
   * The frame for `ctx.timeMs` (time since the first call, modulo the loop).
   *
   * @param ctx Only `timeMs` is used.
   * @returns One of the prepared frames (not a copy).
   */
  render(ctx: Pick<BackgroundContext, "timeMs">): Frame {
    if (Number.isNaN(this.#start)) this.#start = ctx.timeMs;
    const t = (ctx.timeMs - this.#start) % this.durationMs;
    const time = t < 0 ? t + this.durationMs : t;
    const ends = this.#ends;
    // Usually the same or the next frame: search from the last one, wrapping once.
    let i = this.#index;
    if (i > 0 && time < ends[i - 1]!) i = 0;
    while (i < ends.length - 1 && time >= ends[i]!) i++;
    this.#index = i;
    return this.#frames[i]!;
  }

  /**
   * Runs the `onClose` given, once (the frames are garbage-collected with the background).
   * Idempotent.
   */
  close(): Promise<void> {
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
    return Promise.resolve();
  }
}

/** The frames of an animation prepared for the output, their delays and the description. */
export interface PreparedAnimation {
  /** Frames of the output size in the pipeline's layout, at least one. */
  frames: Frame[];
  /** Each frame's delay in milliseconds. */
  delaysMs: number[];
  /** One line for the banner. */
  description: string;
}

/**
 * The work behind {@linkcode gifBackground}: each frame of a GIF composed, flattened over black,
 * cover-scaled and converted to the pipeline's layout once, with the delays and the description.
 * Plain data, so that it can be made in a worker and transferred.
 *
 * @example
 * ```ts
 * import { gifFrames } from "./animation.ts";
 * import { parseGif } from "./gif.ts";
 * const gif = parseGif(await Deno.readFile("backgrounds/loop.gif"));
 * const { frames, delaysMs } = gifFrames(gif, { size: { width: 640, height: 360 }, layout: "422", path: "loop.gif" });
 * console.log(frames.length === delaysMs.length); // true
 * ```
 *
 * @param gif The parsed GIF.
 * @param options The output size and layout, the path (for messages) and the memory limit in
 *   bytes (default {@linkcode DEFAULT_ANIMATION_BYTES}) for the converted frames.
 * @returns The frames, delays and description.
 * @throws {BackgroundError} When the frames would take more memory than the limit.
 * @throws {GifError} For corrupt LZW data.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export function gifFrames(
  gif: GifFile,
  options: BackgroundOptions & { path: string; maxBytes?: number },
): PreparedAnimation {
  const { size, layout, path } = options;
  const { width, height } = size;
  const maxBytes = options.maxBytes ?? DEFAULT_ANIMATION_BYTES;
  const frameBytes = (width + 2 * chromaWidth(width, layout)) * height;
  const count = gif.frames.length;
  if (count * frameBytes > maxBytes) {
    const mb = (n: number): string => `${Math.round(n / 1024 / 1024)} MB`;
    throw new BackgroundError(
      "too-large",
      `Cannot use GIF background ${
        JSON.stringify(path)
      }: ${count} frames at ${width}x${height} need ${mb(count * frameBytes)}, more than the ${
        mb(maxBytes)
      } allowed (shorten it, or convert it to a video)`,
      { path },
    );
  }
  const rgb = new Uint8Array(gif.width * gif.height * 3);
  const source = { width: gif.width, height: gif.height, data: rgb };
  // One RGB frame at output size for the scaling, reused: only the converted frames are kept.
  const scaled = new Uint8Array(width * height * 3);
  const frames: Frame[] = [];
  const delaysMs: number[] = [];
  for (const canvas of composeGif(gif)) {
    const rgba = canvas.rgba;
    // Transparent canvas pixels show black.
    for (let i = 0, o = 0; o < rgb.length; i += 4, o += 3) {
      const a = rgba[i + 3]!;
      rgb[o] = (rgba[i]! * a + 127) / 255;
      rgb[o + 1] = (rgba[i + 1]! * a + 127) / 255;
      rgb[o + 2] = (rgba[i + 2]! * a + 127) / 255;
    }
    coverScale(source, scaled, size);
    const frame = makeFrame(size, layout);
    rgbToFrame(scaled, frame);
    frames.push(frame);
    delaysMs.push(canvas.delayMs);
  }
  const seconds = delaysMs.reduce((a, b) => a + b, 0) / 1000;
  return {
    frames,
    delaysMs,
    description: `GIF ${path} ${count} frame${
      count === 1 ? "" : "s"
    } ${gif.width}x${gif.height} → cover ${width}x${height}, ${seconds.toFixed(1)} s loop`,
  };
}

/**
 * An animated GIF as a background: each frame composed, flattened over black, cover-scaled and
 * converted to the pipeline's layout once (see {@linkcode gifFrames}).
 *
 * @example
 * ```ts
 * import { gifBackground } from "./animation.ts";
 * import { parseGif } from "./gif.ts";
 * const gif = parseGif(await Deno.readFile("backgrounds/loop.gif"));
 * const size = { width: 1280, height: 720 };
 * const background = gifBackground(gif, { size, layout: "422", path: "loop.gif" });
 * console.log(background.description); // "GIF loop.gif 12 frames 480x270 → cover 1280x720, 1.2 s loop"
 * ```
 *
 * @param gif The parsed GIF.
 * @param options The output size and layout, the path (for messages) and the memory limit in
 *   bytes (default {@linkcode DEFAULT_ANIMATION_BYTES}) for the converted frames.
 * @returns The background.
 * @throws {BackgroundError} When the frames would take more memory than the limit.
 * @throws {GifError} For corrupt LZW data.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export function gifBackground(
  gif: GifFile,
  options: BackgroundOptions & { path: string; maxBytes?: number },
): AnimatedBackground {
  const { frames, delaysMs, description } = gifFrames(gif, options);
  return new AnimatedBackground(frames, { delaysMs, description });
}
