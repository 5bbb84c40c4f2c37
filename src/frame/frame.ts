/**
 * The one internal frame: planar YCbCr, full range (JFIF: Y, Cb, Cr on 0 … 255), from every source
 * to every sink.
 *
 * Its chroma layout is one of three:
 * - `"422"`: chroma at half width, every row (what a camera's MJPG or YUYV gives without
 *   conversion, and what the virtual camera's YUYV packs);
 * - `"420"`: chroma at half width and half height (some cameras' MJPG; a frame made `"422"` has
 *   room for it, and a camera may switch between the two from one frame to the next);
 * - `"444"`: chroma at full resolution (files and images: an RGB picture converts to it and back
 *   within ±1, and any width works).
 *
 * The pipeline picks its working layout once, at setup, from the sink: `"422"` for the virtual
 * camera, `"444"` for files. Sources fill the frame in that layout, backgrounds draw in it, the
 * compositor blends in it. The BT.601 limited range of V4L2's YUYV and of y4m is applied only at the
 * sinks.
 *
 * @module
 */

import type { Size } from "./geometry.ts";

/** How a frame's chroma planes are sampled. */
export type ChromaLayout = "444" | "422" | "420";

/** The layout a pipeline works in: a 4:2:2 frame may hold a 4:2:0 camera frame. */
export type WorkingLayout = "444" | "422";

/** A planar YCbCr picture, full range. */
export interface Frame extends Size {
  /** Luma, `width × height` bytes, row-major. */
  readonly y: Uint8Array;
  /** Cb, {@linkcode chromaWidth} bytes per chroma row, {@linkcode chromaHeight} rows. */
  readonly u: Uint8Array;
  /** Cr, as `u`. */
  readonly v: Uint8Array;
  /**
   * The chroma layout of the picture the frame holds now. A frame made `"422"` may be switched to
   * `"420"` (and back) by a source; its planes' capacity never changes.
   */
  layout: ChromaLayout;
}

/**
 * The width of one chroma row.
 *
 * @param width the picture's width
 * @param layout the chroma layout
 * @returns chroma samples per row
 */
export function chromaWidth(width: number, layout: ChromaLayout): number {
  return layout === "444" ? width : width >> 1;
}

/**
 * The number of chroma rows.
 *
 * @param height the picture's height
 * @param layout the chroma layout
 * @returns chroma rows
 */
export function chromaHeight(height: number, layout: ChromaLayout): number {
  return layout === "420" ? (height + 1) >> 1 : height;
}

/**
 * Where a frame's planes are made: returns `length` bytes (their contents do not matter).
 *
 * @example
 * ```ts
 * import { makeFrame, type PlaneAllocator } from "./frame.ts";
 * const arena = new Uint8Array(64);
 * let used = 0;
 * const allocate: PlaneAllocator = (n) => arena.subarray(used, used += n);
 * makeFrame({ width: 4, height: 2 }, "422", allocate).v.byteOffset; // 12
 * ```
 */
export type PlaneAllocator = (length: number) => Uint8Array;

function plainPlane(length: number): Uint8Array {
  return new Uint8Array(length);
}

/**
 * Makes a frame, black (Y 0, chroma 128).
 *
 * @example
 * ```ts
 * import { makeFrame } from "./frame.ts";
 * const f = makeFrame({ width: 640, height: 480 }, "422");
 * console.log(f.y.length, f.u.length); // 307200 153600
 * ```
 *
 * @param size the picture's size (an even width for `"422"` and `"420"`)
 * @param layout the chroma layout; `"422"` has room for `"420"` too
 * @param allocate where the planes live (default: plain `Uint8Array`s); e.g. the kernels' memory
 *   (`src/kernels/`), so that its kernels read and write them without a copy
 * @returns the frame
 * @throws {RangeError} for a size that is not positive whole pixels, or an odd width with
 *   half-width chroma
 */
export function makeFrame(
  size: Size,
  layout: ChromaLayout,
  allocate: PlaneAllocator = plainPlane,
): Frame {
  const { width, height } = size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot make a frame of ${width}x${height}: give a positive size`);
  }
  if (layout !== "444" && width % 2 !== 0) {
    throw new RangeError(
      `Cannot make a ${layout} frame ${width} pixels wide: half-width chroma needs an even width`,
    );
  }
  const c = chromaWidth(width, layout) * chromaHeight(height, layout === "420" ? "422" : layout);
  return {
    width,
    height,
    y: allocate(width * height).fill(0),
    u: allocate(c).fill(128),
    v: allocate(c).fill(128),
    layout,
  };
}
