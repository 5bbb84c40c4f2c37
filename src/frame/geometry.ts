/**
 * Sizes and rectangles: the one `Size` and `Rect` of the project, and the two fits every stage
 * uses (the model's letterbox, the output's crop).
 *
 * @module
 */

/** A width and a height in pixels. */
export interface Size {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/** An axis-aligned rectangle (may be fractional). */
export interface Rect {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  w: number;
  /** Height. */
  h: number;
}

/**
 * The largest rectangle with the aspect of `width`×`height` that fits inside `box`, centred
 * (letterbox): whole pixels, at least 1×1.
 *
 * @example
 * ```ts
 * import { fitRect } from "./geometry.ts";
 * fitRect(1280, 720, { width: 256, height: 256 }); // { x: 0, y: 56, w: 256, h: 144 }
 * ```
 *
 * @param width the picture's width
 * @param height the picture's height
 * @param box the box to fit into
 * @returns the rectangle inside the box
 */
export function fitRect(width: number, height: number, box: Size): Rect {
  const scale = Math.min(box.width / width, box.height / height);
  const w = Math.max(1, Math.min(box.width, Math.round(width * scale)));
  const h = Math.max(1, Math.min(box.height, Math.round(height * scale)));
  return { x: Math.floor((box.width - w) / 2), y: Math.floor((box.height - h) / 2), w, h };
}

/**
 * The centred part of a `width`×`height` picture with the aspect of `out` (crop to cover),
 * in the picture's coordinates (fractional).
 *
 * @example
 * ```ts
 * import { coverRect } from "./geometry.ts";
 * coverRect(1280, 720, { width: 640, height: 480 }); // { x: 160, y: 0, w: 960, h: 720 }
 * ```
 *
 * @param width the picture's width
 * @param height the picture's height
 * @param out the output size whose aspect is kept
 * @returns the part of the picture that fills the output
 */
export function coverRect(width: number, height: number, out: Size): Rect {
  const scale = Math.max(out.width / width, out.height / height);
  const w = out.width / scale;
  const h = out.height / scale;
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}
