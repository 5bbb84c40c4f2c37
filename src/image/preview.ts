/**
 * Small pictures for the control panel's preview: a frame (the virtual camera's YUYV, a planar
 * frame, or the mask) averaged down by a whole factor into RGB or gray, mirrored and flipped on
 * the way when asked. Pure pixels; the caller owns every buffer.
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import { chromaWidth } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import { CHROMA_TO_FULL, clamp8, LUMA_TO_FULL, YCBCR_TO_RGB } from "./planar.ts";

/** A preview's size: the frame's divided by `factor`, at most `maxWidth` wide. */
export interface PreviewSize extends Size {
  /** Source pixels per preview pixel, each way. */
  readonly factor: number;
}

/**
 * The preview size of a frame.
 *
 * @example
 * ```ts
 * import { previewSize } from "./preview.ts";
 * previewSize({ width: 1280, height: 720 }); // { width: 640, height: 360, factor: 2 }
 * ```
 *
 * @param size the frame's size
 * @param maxWidth the widest preview (default 640)
 * @returns the size and factor
 */
export function previewSize(size: Size, maxWidth = 640): PreviewSize {
  const factor = Math.max(1, Math.ceil(size.width / maxWidth));
  return {
    width: Math.max(1, Math.floor(size.width / factor)),
    height: Math.max(1, Math.floor(size.height / factor)),
    factor,
  };
}

function rgbAt(rgb: Uint8Array, i: number, y: number, cb: number, cr: number): void {
  const { crR, cbG, crG, cbB } = YCBCR_TO_RGB;
  rgb[i] = clamp8(y + crR * (cr - 128));
  rgb[i + 1] = clamp8(y - cbG * (cb - 128) - crG * (cr - 128));
  rgb[i + 2] = clamp8(y + cbB * (cb - 128));
}

/**
 * The virtual camera's picture (YUYV, BT.601 limited range) as a preview in RGB.
 *
 * @param yuyv `width × height × 2` bytes
 * @param size the picture's size
 * @param p the preview size ({@linkcode previewSize})
 * @param rgb `p.width × p.height × 3` bytes, filled
 */
export function yuyvToPreview(yuyv: Uint8Array, size: Size, p: PreviewSize, rgb: Uint8Array): void {
  const { width } = size;
  const k = p.factor;
  const n = k * k;
  for (let py = 0; py < p.height; py++) {
    for (let px = 0; px < p.width; px++) {
      let ys = 0, us = 0, vs = 0;
      for (let dy = 0; dy < k; dy++) {
        const row = (py * k + dy) * width;
        for (let dx = 0; dx < k; dx++) {
          const x = px * k + dx;
          const pair = (row + (x & ~1)) * 2;
          ys += yuyv[(row + x) * 2]!;
          us += yuyv[pair + 1]!;
          vs += yuyv[pair + 3]!;
        }
      }
      rgbAt(
        rgb,
        (py * p.width + px) * 3,
        LUMA_TO_FULL[Math.round(ys / n)]!,
        CHROMA_TO_FULL[Math.round(us / n)]!,
        CHROMA_TO_FULL[Math.round(vs / n)]!,
      );
    }
  }
}

/**
 * A planar frame (full range, any layout) as a preview in RGB, mirrored and flipped as asked.
 *
 * @param frame the frame
 * @param p the preview size ({@linkcode previewSize} of the frame's size)
 * @param rgb `p.width × p.height × 3` bytes, filled
 * @param mirror mirror left-right
 * @param flip flip upside down
 */
export function frameToPreview(
  frame: Frame,
  p: PreviewSize,
  rgb: Uint8Array,
  mirror = false,
  flip = false,
): void {
  const { width, layout } = frame;
  const cw = chromaWidth(width, layout);
  const sx = layout === "444" ? 0 : 1;
  const sy = layout === "420" ? 1 : 0;
  const k = p.factor;
  const n = k * k;
  for (let py = 0; py < p.height; py++) {
    const oy = flip ? p.height - 1 - py : py;
    for (let px = 0; px < p.width; px++) {
      let ys = 0, us = 0, vs = 0;
      for (let dy = 0; dy < k; dy++) {
        const y = py * k + dy;
        const row = y * width;
        const crow = (y >> sy) * cw;
        for (let dx = 0; dx < k; dx++) {
          const x = px * k + dx;
          ys += frame.y[row + x]!;
          us += frame.u[crow + (x >> sx)]!;
          vs += frame.v[crow + (x >> sx)]!;
        }
      }
      const ox = mirror ? p.width - 1 - px : px;
      rgbAt(rgb, (oy * p.width + ox) * 3, ys / n, us / n, vs / n);
    }
  }
}

/**
 * A mask (one byte per pixel) as a gray preview, mirrored and flipped as asked.
 *
 * @param alpha `width × height` bytes
 * @param size the mask's size
 * @param p the preview size
 * @param gray `p.width × p.height` bytes, filled
 * @param mirror mirror left-right
 * @param flip flip upside down
 */
export function alphaToPreview(
  alpha: Uint8Array,
  size: Size,
  p: PreviewSize,
  gray: Uint8Array,
  mirror = false,
  flip = false,
): void {
  const k = p.factor;
  const n = k * k;
  for (let py = 0; py < p.height; py++) {
    const oy = flip ? p.height - 1 - py : py;
    for (let px = 0; px < p.width; px++) {
      let s = 0;
      for (let dy = 0; dy < k; dy++) {
        const row = (py * k + dy) * size.width + px * k;
        for (let dx = 0; dx < k; dx++) s += alpha[row + dx]!;
      }
      const ox = mirror ? p.width - 1 - px : px;
      gray[oy * p.width + ox] = Math.round(s / n);
    }
  }
}
