/**
 * Where things sit: the camera frame letterboxed into the model input (aspect kept, the whole
 * frame seen), and the part of the camera frame the output shows (`--vg` with another aspect:
 * a centred crop, never a stretch).
 *
 * @module
 */

/** A rectangle in pixels; may have fractional edges. */
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
 * The rectangle a `width`×`height` picture fills when fitted inside `boxW`×`boxH` with its aspect
 * kept and centred (letterbox or pillarbox), in whole pixels.
 *
 * @param width picture width
 * @param height picture height
 * @param box the box's size
 * @returns the filled rectangle inside the box
 * @example
 * ```ts
 * fitRect(640, 480, { width: 256, height: 144 }); // { x: 32, y: 0, w: 192, h: 144 }
 * ```
 */
export function fitRect(
  width: number,
  height: number,
  box: { width: number; height: number },
): Rect {
  const scale = Math.min(box.width / width, box.height / height);
  const w = Math.max(1, Math.min(box.width, Math.round(width * scale)));
  const h = Math.max(1, Math.min(box.height, Math.round(height * scale)));
  return { x: Math.floor((box.width - w) / 2), y: Math.floor((box.height - h) / 2), w, h };
}

/**
 * The centred part of a `width`×`height` picture that has the aspect of `out` (what the output
 * shows when its aspect differs: cropped, never stretched).
 *
 * @param width picture width
 * @param height picture height
 * @param out the output size
 * @returns the crop rectangle in picture pixels (fractional edges allowed)
 * @example
 * ```ts
 * coverRect(640, 480, { width: 1280, height: 720 }); // { x: 0, y: 60, w: 640, h: 360 }
 * ```
 */
export function coverRect(
  width: number,
  height: number,
  out: { width: number; height: number },
): Rect {
  const scale = Math.max(out.width / width, out.height / height);
  const w = out.width / scale;
  const h = out.height / scale;
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}
