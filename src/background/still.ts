/**
 * Backgrounds that never change: a solid colour, a picture scaled to cover the output, and
 * "off" (the camera passes through). Each is drawn once, at open, in the layout the pipeline
 * works in; `render()` returns the same frame every time.
 *
 * @module
 */

import { type Frame, makeFrame } from "../frame/frame.ts";
import type { Background, BackgroundContext, BackgroundOptions } from "../frame/stages.ts";
import { fillFrame, rgbToFrame } from "../image/planar.ts";
import type { RgbImage } from "../image/types.ts";
import { Kernels } from "../kernels/mod.ts";
import { coverCrop, coverScale } from "./cover.ts";
import { hexColor, type Rgb } from "./spec.ts";

/**
 * A background drawn once: `render()` returns the same frame every time.
 *
 * @example
 * ```ts
 * import { StillBackground } from "./still.ts";
 * import { makeFrame } from "../frame/frame.ts";
 * const picture = makeFrame({ width: 2, height: 2 }, "444");
 * const still = new StillBackground(picture, { description: "black" });
 * still.render({ frame: picture, mask: new Uint8Array(4), timeMs: 0 }) === picture; // true
 * ```
 */
export class StillBackground implements Background {
  /** One line for the startup banner. */
  readonly description: string;
  /** Always false. */
  readonly passthrough = false;
  /** The same picture every frame (the loop may keep it packed for the output). */
  readonly still = true;
  readonly #frame: Frame;
  #onClose: (() => void) | undefined;

  /**
   * Wraps a prepared frame.
   *
   * @param frame The picture at output size, in the pipeline's layout (kept, not copied).
   * @param options The description for the banner, and what to do once on close (e.g. give back
   *   the decoding worker that prepared it).
   */
  constructor(frame: Frame, options: { description: string; onClose?: () => void }) {
    this.#frame = frame;
    this.description = options.description;
    this.#onClose = options.onClose;
  }

  /**
   * The prepared picture.
   *
   * @param _ctx Unused.
   * @returns The same frame on every call.
   */
  render(_ctx: BackgroundContext): Frame {
    return this.#frame;
  }

  /** Runs the `onClose` given, once (nothing else to release). Idempotent. */
  close(): Promise<void> {
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
    return Promise.resolve();
  }
}

/**
 * "off": no replacement; the pipeline passes the camera through (and skips segmentation).
 *
 * @example
 * ```ts
 * import { passthroughBackground } from "./still.ts";
 * import { makeFrame } from "../frame/frame.ts";
 * const off = passthroughBackground();
 * const frame = makeFrame({ width: 2, height: 2 }, "422");
 * off.render({ frame, mask: new Uint8Array(4), timeMs: 0 }) === frame; // true
 * ```
 *
 * @returns A background whose `render()` returns `ctx.frame`.
 */
export function passthroughBackground(): Background {
  return {
    description: "off (camera passes through)",
    passthrough: true,
    still: false,
    render: (ctx: BackgroundContext): Frame => ctx.frame,
    close: (): Promise<void> => Promise.resolve(),
  };
}

/**
 * A solid colour at output size, in the pipeline's layout.
 *
 * @example
 * ```ts
 * import { solidBackground } from "./still.ts";
 * const green = solidBackground([0, 255, 0], { size: { width: 2, height: 1 }, layout: "444" });
 * console.log(green.description); // "colour #00ff00"
 * ```
 *
 * @param rgb The colour.
 * @param options The output size and layout.
 * @returns The background.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export function solidBackground(rgb: Rgb, options: BackgroundOptions): StillBackground {
  // Read by the kernels every frame: made in their memory, given back on close.
  const kernels = Kernels.shared();
  const frame = makeFrame(options.size, options.layout, kernels.planes);
  fillFrame(frame, rgb);
  return new StillBackground(frame, {
    description: `colour ${hexColor(rgb)}`,
    onClose: () => kernels.releaseFrame(frame),
  });
}

/**
 * The picture's RGB with any transparency composited over black (a new image when there is
 * alpha, the same one otherwise).
 *
 * @example
 * ```ts
 * import { flattenAlpha } from "./still.ts";
 * const image = { width: 1, height: 1, data: new Uint8Array([200, 100, 50]), alpha: new Uint8Array([128]) };
 * flattenAlpha(image).data; // Uint8Array [100, 50, 25]
 * ```
 *
 * @param image The picture.
 * @returns An opaque picture.
 */
export function flattenAlpha(image: RgbImage): RgbImage {
  const { width, height, data, alpha } = image;
  if (alpha === undefined) return image;
  const out = new Uint8Array(data.length);
  for (let i = 0, p = 0; p < alpha.length; p++, i += 3) {
    const a = alpha[p]!;
    out[i] = (data[i]! * a + 127) / 255;
    out[i + 1] = (data[i + 1]! * a + 127) / 255;
    out[i + 2] = (data[i + 2]! * a + 127) / 255;
  }
  return { width, height, data: out };
}

/** A picture prepared for the output: what the background shows, and how it says so. */
export interface PreparedStill {
  /** The picture at output size, in the pipeline's layout. */
  frame: Frame;
  /** One line for the banner, e.g. `image x.png 4x3 → cover 8x4 (crops 4x2)`. */
  description: string;
}

/**
 * The work behind {@linkcode imageBackground}: the picture scaled once to cover the output
 * (transparency shows black) and converted once to the pipeline's layout, with its description.
 * Plain data, so that it can be made in a worker and transferred.
 *
 * @example
 * ```ts
 * import { imageFrame } from "./still.ts";
 * const image = { width: 4, height: 3, data: new Uint8Array(4 * 3 * 3) };
 * const { frame, description } = imageFrame(image, { size: { width: 8, height: 4 }, layout: "444", path: "x.png" });
 * console.log(frame.y.length, description); // 32 "image x.png 4x3 → cover 8x4 (crops 4x2)"
 * ```
 *
 * @param image The picture.
 * @param options The output size and layout, and the picture's path (for the description).
 * @returns The frame and its description.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export function imageFrame(
  image: RgbImage,
  options: BackgroundOptions & { path: string },
): PreparedStill {
  const { size, layout, path } = options;
  const { width, height } = size;
  const frame = makeFrame(size, layout);
  const pixels = new Uint8Array(width * height * 3);
  coverScale(flattenAlpha(image), pixels, size);
  rgbToFrame(pixels, frame);
  const rect = coverCrop(image, size);
  const crop = rect.w < image.width - 0.5 || rect.h < image.height - 0.5
    ? ` (crops ${Math.round(rect.w)}x${Math.round(rect.h)})`
    : "";
  return {
    frame,
    description: `image ${path} ${image.width}x${image.height} → cover ${width}x${height}${crop}`,
  };
}

/**
 * A picture scaled once to cover the output (no distortion, centred crop; transparency shows
 * black), then converted once to the pipeline's layout (see {@linkcode imageFrame}).
 *
 * @example
 * ```ts
 * import { imageBackground } from "./still.ts";
 * const image = { width: 4, height: 3, data: new Uint8Array(4 * 3 * 3) };
 * const still = imageBackground(image, { size: { width: 8, height: 4 }, layout: "444", path: "x.png" });
 * console.log(still.description); // "image x.png 4x3 → cover 8x4 (crops 4x2)"
 * ```
 *
 * @param image The picture.
 * @param options The output size and layout, and the picture's path (for the description).
 * @returns The background.
 * @throws {RangeError} For a size that is not positive whole pixels, or an odd width in 4:2:2.
 */
export function imageBackground(
  image: RgbImage,
  options: BackgroundOptions & { path: string },
): StillBackground {
  const { frame, description } = imageFrame(image, options);
  return new StillBackground(frame, { description });
}
