/**
 * The demo's camera: a still portrait filmed with gentle motion — a slow zoom and sway of a 16:9
 * crop — so the whole pipeline (segmentation, temporal behaviour, compositing) has something real
 * to work on without a camera.
 *
 * The photo is converted once, in the constructor, to a full-range 4:4:4 {@linkcode Frame} (and
 * once more to 4:2:2 if the pipeline works in that layout); each frame is a bilinear crop-and-scale
 * of it through maps that move with the crop (`resampleFrame`), with no RGB and no allocation.
 *
 * @module
 */

import { type Frame, makeFrame } from "../frame/frame.ts";
import { coverRect, type Rect, type Size } from "../frame/geometry.ts";
import { FrameRegionMaps, resampleFrame } from "../frame/region.ts";
import type { FrameSource } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { convertFrame, rgbToFrame } from "../image/planar.ts";

/** Options for {@linkcode PortraitSource}. */
export interface PortraitOptions {
  /** Output frame size (default 640×360). */
  size?: Size;
  /** Frames in the clip (default 90). */
  frames?: number;
  /** Frame rate (default 30). */
  fps?: number;
}

/** A still RGB picture. */
export interface Photo extends Size {
  /** `width × height × 3` bytes of interleaved RGB. */
  readonly data: Uint8Array;
}

/**
 * Frames of a photo with a slow zoom (1 → 1.12 → 1) and a gentle sideways sway.
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/frame.ts";
 * import { FrameTiming } from "../frame/timing.ts";
 * import { PortraitSource } from "./portrait_source.ts";
 * const photo = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };
 * const source = new PortraitSource(photo, { size: { width: 32, height: 18 }, frames: 3 });
 * const frame = makeFrame(source.size, "444");
 * while (await source.read(frame, new FrameTiming())) {
 *   // use frame
 * }
 * ```
 */
export class PortraitSource implements FrameSource {
  /** Output frame size. */
  readonly size: Size;
  /** The `fps` option (default 30). */
  readonly fps: number;
  /** E.g. `portrait 512x512 → 640x360, 90 frames with gentle motion`. */
  readonly description: string;
  readonly #photo: Size;
  readonly #frames: number;
  /** The photo, converted once. */
  readonly #full: Frame;
  /** The photo with half-width chroma, made on the first read into such a frame. */
  #half: Frame | undefined;
  readonly #maps: FrameRegionMaps;
  #index = 0;

  /**
   * Converts the photo to a frame.
   *
   * @param photo the still picture (RGB)
   * @param options clip size, length and rate
   */
  constructor(photo: Photo, options: PortraitOptions = {}) {
    const size = options.size ?? { width: 640, height: 360 };
    this.size = { width: size.width, height: size.height };
    this.fps = options.fps ?? 30;
    this.#frames = options.frames ?? 90;
    this.#photo = { width: photo.width, height: photo.height };
    this.#full = makeFrame(this.#photo, "444");
    rgbToFrame(photo.data, this.#full);
    this.#maps = new FrameRegionMaps(this.#photo, this.#rect(0), this.size);
    this.description = `portrait ${photo.width}x${photo.height} → ${size.width}x${size.height}, ` +
      `${this.#frames} frames with gentle motion`;
  }

  /** The crop shown at frame `i`: the 16:9 cover crop, zoomed and swayed a little. */
  #rect(i: number): Rect {
    const base = coverRect(this.#photo.width, this.#photo.height, this.size);
    // Portraits have the face in the upper part: keep the head in the picture.
    base.y = (this.#photo.height - base.h) * 0.1;
    const t = this.#frames > 1 ? i / (this.#frames - 1) : 0;
    const zoom = 1 + 0.12 * Math.sin(Math.PI * t);
    const w = base.w / zoom;
    const h = base.h / zoom;
    const sway = 0.25 * (base.w - w) * Math.sin(2 * Math.PI * t);
    return { x: base.x + (base.w - w) / 2 + sway, y: base.y + (base.h - h) * 0.3, w, h };
  }

  /**
   * Draws the next frame into `into`, in its layout (`"444"`, or `"422"` for a `"422"` or
   * `"420"` frame); sets `timing.decode` to the drawing's time.
   *
   * @param into a frame of {@linkcode size}
   * @param timing this frame's timing record
   * @returns false after the last frame
   */
  read(into: Frame, timing: FrameTiming): Promise<boolean> {
    if (this.#index >= this.#frames) return Promise.resolve(false);
    const start = performance.now();
    this.#maps.update(this.#rect(this.#index));
    resampleFrame(this.#photoFor(into), this.#maps, into);
    timing.decode = performance.now() - start;
    this.#index++;
    return Promise.resolve(true);
  }

  /** The photo in the layout family of `into`. */
  #photoFor(into: Frame): Frame {
    if (into.layout === "444") return this.#full;
    if (this.#half === undefined) {
      this.#half = makeFrame(this.#photo, "422");
      convertFrame(this.#full, this.#half);
    }
    return this.#half;
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
