/**
 * The YCbCr copy of an RGB background (a still picture, a GIF's or a video's frames) for the
 * fast path's `renderYuv`: converted only when the picture changed, into one frame made on first
 * use.
 *
 * @module
 */

import { makeYuvFrame, rgbToPlanar, type YuvFrame } from "../image/planar.ts";

/** Converts an RGB picture to planar YCbCr when its version changes. */
export class PlanarCache {
  #frame: YuvFrame | null = null;
  #version = NaN;

  /**
   * The planar copy of `rgb`, converted again only when `version` differs from the last call's.
   *
   * @example
   * ```ts
   * import { PlanarCache } from "./planar_cache.ts";
   * const cache = new PlanarCache();
   * const rgb = new Uint8Array(4 * 2 * 3).fill(255);
   * cache.frameFor(rgb, { width: 4, height: 2 }, 0).y[0]; // 255
   * ```
   *
   * @param rgb the picture, `width × height × 3` bytes
   * @param size the picture's size (the output size)
   * @param version changes whenever `rgb` holds another picture (a frame index)
   * @returns the same frame every call
   */
  frameFor(rgb: Uint8Array, size: { width: number; height: number }, version: number): YuvFrame {
    let frame = this.#frame;
    if (frame === null || frame.width !== size.width || frame.height !== size.height) {
      frame = this.#frame = makeYuvFrame(size.width, size.height);
      this.#version = NaN;
    }
    if (version !== this.#version) {
      rgbToPlanar(rgb, frame);
      this.#version = version;
    }
    return frame;
  }
}
