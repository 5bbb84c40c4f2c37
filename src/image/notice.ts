/**
 * The "camera unavailable" notice: a small dark rounded square in the middle of the picture with
 * a crossed-out video camera in light grey — drawn from shapes, without fonts, so it reads the
 * same in every language. The virtual camera shows it over the background while the camera is
 * lost, busy or silent (`src/device/resilient_source.ts` says when; the loop draws it).
 *
 * The shapes are sampled once per size (4×4 samples per pixel, so the edges are smooth) into two
 * coverage maps; drawing a frame then blends only the square's pixels: nothing is allocated per
 * frame.
 *
 * @module
 */

import { chromaHeight, chromaWidth, type Frame } from "../frame/frame.ts";
import type { Rect, Size } from "../frame/geometry.ts";
import { CHROMA_TO_LIMITED, LUMA_TO_LIMITED } from "./planar.ts";

/** The square's side as a share of the picture's shorter side. */
const SIDE = 0.2;
/** How much the square darkens what is under it (0 … 1). */
const SHADE = 0.62;
/** The icon's luma, full range (a light grey, not glaring white). */
const MARK_Y = 228;
/** Samples per pixel along each axis. */
const SS = 4;

/** A point of the unit square (0 … 1 across the notice). */
type Point = readonly [number, number];

/** The camera's lens: a trapezoid opening to the right. */
const LENS: readonly Point[] = [[0.63, 0.455], [0.81, 0.355], [0.81, 0.645], [0.63, 0.545]];

function inRoundedRect(
  x: number,
  y: number,
  box: { x0: number; y0: number; x1: number; y1: number; r: number },
): boolean {
  const dx = Math.max(box.x0 + box.r - x, 0, x - (box.x1 - box.r));
  const dy = Math.max(box.y0 + box.r - y, 0, y - (box.y1 - box.r));
  return x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1 &&
    dx * dx + dy * dy <= box.r ** 2;
}

function inConvex(x: number, y: number, poly: readonly Point[]): boolean {
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!;
    const [bx, by] = poly[(i + 1) % poly.length]!;
    if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) < 0) return false;
  }
  return true;
}

/** Distance from (x, y) to the slash, a segment from top left to bottom right. */
function slashDistance(x: number, y: number): number {
  const ax = 0.2, ay = 0.2, bx = 0.8, by = 0.8;
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / 0.72));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
}

/** The square (1) and the icon (2) at a point of the unit square; 0 outside. */
function shapeAt(x: number, y: number): 0 | 1 | 2 {
  if (!inRoundedRect(x, y, { x0: 0, y0: 0, x1: 1, y1: 1, r: 0.2 })) return 0;
  const d = slashDistance(x, y);
  if (d <= 0.04) return 2;
  if (d <= 0.085) return 1; // a gap of the square's colour on each side of the slash
  const body = inRoundedRect(x, y, { x0: 0.19, y0: 0.33, x1: 0.6, y1: 0.67, r: 0.06 });
  return body || inConvex(x, y, LENS) ? 2 : 1;
}

/**
 * The notice for one picture size: where it goes and how much of each pixel the square and the
 * icon cover.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { Notice } from "./notice.ts";
 *
 * const notice = new Notice({ width: 640, height: 360 });
 * console.log(notice.rect); // { x: 284, y: 144, w: 72, h: 72 }
 * const yuyv = new Uint8Array(640 * 360 * 2);
 * notice.drawYuyv(yuyv); // over the virtual camera's frame
 * notice.drawFrame(makeFrame({ width: 640, height: 360 }, "444")); // over a file's frame
 * ```
 */
export class Notice {
  /** The picture size it was made for. */
  readonly size: Size;
  /** Where the square is (an even `x`: YUYV pairs stay whole). */
  readonly rect: Rect;
  /** How much the square covers each of its pixels (0 … 255), row by row. */
  readonly #square: Uint8Array;
  /** How much the icon covers each pixel (0 … 255). */
  readonly #mark: Uint8Array;

  /**
   * Samples the shapes for a picture size.
   *
   * @param size the picture's size
   * @throws {RangeError} for a size that is not positive whole pixels
   */
  constructor(size: Size) {
    const { width, height } = size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Cannot draw a notice on ${width}x${height}: give a positive size`);
    }
    this.size = { width, height };
    const side = Math.min(width, height, Math.max(12, Math.round(Math.min(width, height) * SIDE)));
    const x = Math.max(0, ((width - side) >> 1) & ~1);
    const y = (height - side) >> 1;
    const w = Math.min(side, width - x);
    this.rect = { x, y, w, h: side };
    this.#square = new Uint8Array(w * side);
    this.#mark = new Uint8Array(w * side);
    const n = SS * SS;
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < w; col++) {
        let square = 0, mark = 0;
        for (let sy = 0; sy < SS; sy++) {
          for (let sx = 0; sx < SS; sx++) {
            const shape = shapeAt((col + (sx + 0.5) / SS) / side, (row + (sy + 0.5) / SS) / side);
            if (shape > 0) square++;
            if (shape === 2) mark++;
          }
        }
        this.#square[row * w + col] = Math.round((square * 255) / n);
        this.#mark[row * w + col] = Math.round((mark * 255) / n);
      }
    }
  }

  /**
   * Draws the notice over packed YUYV (BT.601 limited range, the virtual camera's frame).
   *
   * @param yuyv `width × height × 2` bytes of the size the notice was made for
   * @throws {RangeError} when `yuyv` is too short
   */
  drawYuyv(yuyv: Uint8Array): void {
    const { width, height } = this.size;
    if (yuyv.length < width * height * 2) {
      throw new RangeError(
        `Cannot draw the notice: ${yuyv.length} bytes of YUYV, ${width}x${height} needs ${
          width * height * 2
        }`,
      );
    }
    const { x, y, w, h } = this.rect;
    const markY = LUMA_TO_LIMITED[MARK_Y]!;
    for (let row = 0; row < h; row++) {
      const line = ((y + row) * width + x) * 2;
      for (let col = 0; col < w; col++) {
        const i = row * w + col;
        const p = line + col * 2;
        yuyv[p] = this.#luma(yuyv[p]!, i, 16, markY);
        // Cb at even pixels, Cr at odd ones: both sit between the pair, blended with its mean.
        const pair = i - (col & 1);
        const both = col - (col & 1) + 1 < w;
        const square = both
          ? (this.#square[pair]! + this.#square[pair + 1]!) >> 1
          : this.#square[pair]!;
        const mark = both ? (this.#mark[pair]! + this.#mark[pair + 1]!) >> 1 : this.#mark[pair]!;
        yuyv[p + 1] = neutral(yuyv[p + 1]!, square, mark);
      }
    }
  }

  /**
   * Draws the notice over a planar frame (full range, any layout), e.g. a file's 4:4:4 frame.
   *
   * @param frame a frame of the size the notice was made for
   * @throws {RangeError} when the frame has another size
   */
  drawFrame(frame: Frame): void {
    const { width, height } = this.size;
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(
        `Cannot draw the notice made for ${width}x${height} on a ${frame.width}x${frame.height} frame`,
      );
    }
    const { x, y, w, h } = this.rect;
    for (let row = 0; row < h; row++) {
      const line = (y + row) * width + x;
      for (let col = 0; col < w; col++) {
        frame.y[line + col] = this.#luma(frame.y[line + col]!, row * w + col, 0, MARK_Y);
      }
    }
    // Chroma: each sample towards neutral by the mean cover over the pixels it spans.
    const cw = chromaWidth(width, frame.layout);
    const hx = cw === width ? 1 : 2;
    const vy = chromaHeight(height, frame.layout) === height ? 1 : 2;
    for (let cy = Math.floor(y / vy); cy * vy < y + h; cy++) {
      for (let cx = Math.floor(x / hx); cx * hx < x + w; cx++) {
        let square = 0, mark = 0;
        for (let dy = 0; dy < vy; dy++) {
          for (let dx = 0; dx < hx; dx++) {
            const r = cy * vy + dy - y, c = cx * hx + dx - x;
            if (r >= 0 && r < h && c >= 0 && c < w) {
              square += this.#square[r * w + c]!;
              mark += this.#mark[r * w + c]!;
            }
          }
        }
        const n = hx * vy;
        const i = cy * cw + cx;
        frame.u[i] = neutral(frame.u[i]!, square / n, mark / n);
        frame.v[i] = neutral(frame.v[i]!, square / n, mark / n);
      }
    }
  }

  /** A luma value under pixel `i`: darkened by the square, then the icon over it. */
  #luma(value: number, i: number, black: number, mark: number): number {
    const shaded = value + (black - value) * SHADE * (this.#square[i]! / 255);
    return Math.round(shaded + (mark - shaded) * (this.#mark[i]! / 255));
  }
}

/**
 * A chroma value taken towards neutral (128): by the shade's share where the square covers it,
 * all the way where the (grey) icon does; covers 0 … 255.
 */
function neutral(value: number, square: number, mark: number): number {
  const shaded = value + (128 - value) * SHADE * (square / 255);
  return Math.round(shaded + (128 - shaded) * (mark / 255));
}

/**
 * Fills packed YUYV (limited range) with one RGB colour, converted as `packYuyv` converts a
 * full-range frame filled with it (`fillFrame`): the plain picture behind the notice when the
 * background is made from the camera.
 *
 * @example
 * ```ts
 * import { fillYuyv } from "./notice.ts";
 * const yuyv = new Uint8Array(4);
 * fillYuyv(yuyv, [255, 255, 255]);
 * console.log(yuyv); // Uint8Array [235, 128, 235, 128]
 * ```
 *
 * @param yuyv the frame (a multiple of 4 bytes is filled)
 * @param rgb the colour, 0 … 255 per channel
 */
export function fillYuyv(yuyv: Uint8Array, rgb: readonly [number, number, number]): void {
  const [r, g, b] = rgb;
  const y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
  const cb = Math.min(255, (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32768) >> 16);
  const cr = Math.min(255, (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32768) >> 16);
  const ly = LUMA_TO_LIMITED[y]!;
  const lb = CHROMA_TO_LIMITED[cb]!;
  const lr = CHROMA_TO_LIMITED[cr]!;
  const n = yuyv.length & ~3;
  for (let p = 0; p < n; p += 4) {
    yuyv[p] = ly;
    yuyv[p + 1] = lb;
    yuyv[p + 2] = ly;
    yuyv[p + 3] = lr;
  }
}
