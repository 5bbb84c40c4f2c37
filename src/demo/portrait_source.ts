/**
 * The demo's camera: a still portrait filmed with gentle motion — a slow zoom and sway of a 16:9
 * crop — so the whole pipeline (segmentation, temporal behaviour, compositing) has something real
 * to work on without a camera.
 *
 * @module
 */

import { coverRect } from "../pipeline/geometry.ts";
import { RegionMap, resampleRgb } from "../pipeline/region.ts";
import type { FrameSource } from "../pipeline/types.ts";

/** Options for {@linkcode PortraitSource}. */
export interface PortraitOptions {
  /** Output frame width (default 640). */
  width?: number;
  /** Output frame height (default 360). */
  height?: number;
  /** Frames in the clip (default 90). */
  frames?: number;
  /** Frame rate (default 30). */
  fps?: number;
}

/** Frames of a photo with a slow zoom (1 → 1.12 → 1) and a gentle sideways sway. */
export class PortraitSource implements FrameSource {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly description: string;
  readonly #photo: { width: number; height: number; data: Uint8Array };
  readonly #frames: number;
  readonly #map: RegionMap;
  #index = 0;

  /**
   * @param photo the still picture (RGB)
   * @param options clip size, length and rate
   */
  constructor(
    photo: { width: number; height: number; data: Uint8Array },
    options: PortraitOptions = {},
  ) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 360;
    this.fps = options.fps ?? 30;
    this.#frames = options.frames ?? 90;
    this.#photo = photo;
    this.#map = new RegionMap(photo, this.#rect(0), this);
    this.description =
      `portrait ${photo.width}x${photo.height} → ${this.width}x${this.height}, ${this.#frames} frames with gentle motion`;
  }

  /** The crop shown at frame `i`: the 16:9 cover crop, zoomed and swayed a little. */
  #rect(i: number): { x: number; y: number; w: number; h: number } {
    const base = coverRect(this.#photo.width, this.#photo.height, this);
    // Portraits have the face in the upper part: keep the head in the picture.
    base.y = (this.#photo.height - base.h) * 0.1;
    const t = this.#frames > 1 ? i / (this.#frames - 1) : 0;
    const zoom = 1 + 0.12 * Math.sin(Math.PI * t);
    const w = base.w / zoom;
    const h = base.h / zoom;
    const sway = 0.25 * (base.w - w) * Math.sin(2 * Math.PI * t);
    return { x: base.x + (base.w - w) / 2 + sway, y: base.y + (base.h - h) * 0.3, w, h };
  }

  /** Draws the next frame into `into`; false after the last. */
  read(into: Uint8Array): Promise<boolean> {
    if (this.#index >= this.#frames) return Promise.resolve(false);
    this.#map.update(this.#photo, this.#rect(this.#index));
    resampleRgb(this.#photo.data, this.#photo.width, this.#map, into);
    this.#index++;
    return Promise.resolve(true);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
