/**
 * Backgrounds that never change: a solid colour, a picture scaled to cover the output, and
 * "off" (the camera passes through). Each is computed once; `render()` returns the same buffer.
 *
 * @module
 */

import type { RgbImage } from "../image/types.ts";
import type { YuvFrame } from "../image/planar.ts";
import type {
  Background,
  BackgroundContext,
  BackgroundOptions,
  YuvBackgroundContext,
} from "../pipeline/types.ts";
import { coverRect, coverScale } from "./cover.ts";
import { PlanarCache } from "./planar_cache.ts";
import { hexColor, type Rgb } from "./spec.ts";

/**
 * A background made once: `render()` returns the same pixels every frame.
 *
 * @example
 * ```ts
 * import { StillBackground } from "./still.ts";
 * const still = new StillBackground(new Uint8Array(2 * 2 * 3), { description: "black" });
 * still.render({ frame: new Uint8Array(12), mask: new Uint8Array(4), timeMs: 0 }).length; // 12
 * ```
 */
export class StillBackground implements Background {
  /** One line for the startup banner. */
  readonly description: string;
  /** Always false. */
  readonly passthrough = false;
  /** The same picture every frame (the loop may keep it packed for the output). */
  readonly still = true;
  readonly #pixels: Uint8Array;
  /** The picture as planar YCbCr, converted on the first {@linkcode renderYuv}. */
  readonly #planar = new PlanarCache();

  /**
   * Wraps prepared pixels.
   *
   * @param pixels Output width × height × 3 bytes, RGB (kept, not copied).
   * @param options The description for the banner.
   */
  constructor(pixels: Uint8Array, options: { description: string }) {
    this.#pixels = pixels;
    this.description = options.description;
  }

  /**
   * The prepared pixels.
   *
   * @param _ctx Unused.
   * @returns The same buffer on every call.
   */
  render(_ctx: BackgroundContext): Uint8Array {
    return this.#pixels;
  }

  /**
   * The picture as full-range 4:2:2 YCbCr (converted once, on the first call).
   *
   * @param ctx the frame (only its size is used)
   * @returns the same frame every time
   */
  renderYuv(ctx: YuvBackgroundContext): YuvFrame {
    return this.#planar.frameFor(this.#pixels, ctx.frame, 0);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * "off": no replacement; the pipeline passes the camera through (and skips segmentation).
 *
 * @example
 * ```ts
 * import { passthroughBackground } from "./still.ts";
 * const off = passthroughBackground();
 * const frame = new Uint8Array(12);
 * off.render({ frame, mask: new Uint8Array(4), timeMs: 0 }) === frame; // true
 * ```
 *
 * @returns A background whose `render()` returns `ctx.frame`.
 */
export function passthroughBackground(): Background {
  return {
    description: "off (camera passes through)",
    passthrough: true,
    render: (ctx: BackgroundContext): Uint8Array => ctx.frame,
    close: (): Promise<void> => Promise.resolve(),
  };
}

/**
 * A solid colour at output size.
 *
 * @example
 * ```ts
 * import { solidBackground } from "./still.ts";
 * const green = solidBackground([0, 255, 0], { width: 2, height: 1 });
 * console.log(green.description); // "colour #00ff00"
 * ```
 *
 * @param rgb The colour.
 * @param options The output size.
 * @returns The background.
 */
export function solidBackground(rgb: Rgb, options: BackgroundOptions): StillBackground {
  const pixels = new Uint8Array(options.width * options.height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = rgb[0];
    pixels[i + 1] = rgb[1];
    pixels[i + 2] = rgb[2];
  }
  return new StillBackground(pixels, { description: `colour ${hexColor(rgb)}` });
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

/**
 * A picture scaled once to cover the output (no distortion, centred crop; transparency shows
 * black).
 *
 * @example
 * ```ts
 * import { imageBackground } from "./still.ts";
 * const image = { width: 4, height: 3, data: new Uint8Array(4 * 3 * 3) };
 * const still = imageBackground(image, { width: 8, height: 4, path: "x.png" });
 * console.log(still.description); // "image x.png 4x3 → cover 8x4 (crops 4x2)"
 * ```
 *
 * @param image The picture.
 * @param options The output size and the picture's path (for the description).
 * @returns The background.
 */
export function imageBackground(
  image: RgbImage,
  options: BackgroundOptions & { path: string },
): StillBackground {
  const { width, height, path } = options;
  const pixels = new Uint8Array(width * height * 3);
  coverScale(flattenAlpha(image), pixels, { width, height });
  const rect = coverRect(image, { width, height });
  const crop = rect.width < image.width - 0.5 || rect.height < image.height - 0.5
    ? ` (crops ${Math.round(rect.width)}x${Math.round(rect.height)})`
    : "";
  return new StillBackground(pixels, {
    description: `image ${path} ${image.width}x${image.height} → cover ${width}x${height}${crop}`,
  });
}
