/**
 * Auto-framing's work for one 720p frame, as the loop does it (`Pipeline`'s `#frame`), for the
 * benchmarks (`framing_bench.ts`, and the framing line of `deno task bench`): read the person
 * from the model's 256x144 map ({@linkcode Framer.observe}, once per model run), move the crop
 * ({@linkcode Framer.step}) and, when it moved, point the crop-and-scale maps
 * ({@linkcode FrameRegionMaps.update}, luma and 4:2:2 chroma) and the mask
 * ({@linkcode MaskPipeline.setRegion}, which samples the newest map again) at it.
 *
 * The maps are a person-like soft silhouette (head, neck, shoulders; a sigmoid edge as a model
 * gives) walking to and fro across the picture, so the crop glides most of the time: the
 * dearest case. A still person costs the observe and the step alone.
 *
 * @module
 */

import type { Rect, Size } from "../../src/frame/geometry.ts";
import { FrameRegionMaps } from "../../src/frame/region.ts";
import { Framer } from "../../src/framing/mod.ts";
import { MaskPipeline } from "../../src/mask/mod.ts";
import { maskRegion } from "../../src/pipeline/loop.ts";

/** The camera and output (720p: camera and output of one size, the crop pass framing adds). */
export const SIZE: Size = { width: 1280, height: 720 };
/** The landscape model's map. */
export const MAP: Size = { width: 256, height: 144 };
const CONTENT: Rect = { x: 0, y: 0, w: MAP.width, h: MAP.height };
const FPS = 30;

/** A soft head-and-shoulders silhouette whose head is centred on map column `cx`. */
function silhouette(cx: number, into: Float32Array): void {
  const { width, height } = MAP;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5, py = y + 0.5;
      // Signed distances (map pixels, positive inside): head ellipse, neck, shoulders.
      const head = 16 * (1 - Math.hypot((px - cx) / 16, (py - 45) / 20));
      const neck = Math.min(7 - Math.abs(px - cx), py - 60, 78 - py);
      const shoulders = Math.min(48 - Math.abs(px - cx), py - 74 - 0.15 * Math.abs(px - cx));
      const d = Math.max(head, neck, shoulders);
      into[y * width + x] = 1 / (1 + Math.exp(-1.5 * d));
    }
  }
}

/** One frame of framing work at a time (see the module's note). */
export class FramingWork {
  readonly #maps: Float32Array[] = [];
  readonly #framer: Framer;
  readonly #regions: FrameRegionMaps;
  readonly #mask: MaskPipeline;
  readonly #region: Rect = { x: 0, y: 0, w: 0, h: 0 };
  #frame = 0;
  /** Frames in which the crop moved. */
  moved = 0;
  /** Frames done. */
  frames = 0;

  /**
   * @param walking a person walking to and fro (the crop glides); false: standing still
   */
  constructor(walking = true) {
    // 64 positions 2 map pixels apart (10 camera pixels: 300 px/s at 30 fps), there and back.
    const positions = walking ? 64 : 1;
    for (let i = 0; i < positions; i++) {
      const map = new Float32Array(MAP.width * MAP.height);
      silhouette(64 + 2 * i, map);
      this.#maps.push(map);
    }
    const base = { x: 0, y: 0, w: SIZE.width, h: SIZE.height };
    this.#framer = new Framer(SIZE, base, { enabled: true, maxZoom: 1.6 });
    this.#regions = new FrameRegionMaps(SIZE, base, SIZE);
    this.#regions.chroma("422"); // made as the loop makes it on its first 4:2:2 frame
    this.#mask = new MaskPipeline({
      model: MAP,
      region: maskRegion(CONTENT, base, SIZE),
      output: SIZE,
    });
    this.#mask.ingest(this.#maps[0]!); // a map taken in: setRegion samples it again
  }

  /** One frame: observe the newest map, step, and point the maps and mask at a moved crop. */
  frame(): void {
    const n = this.#maps.length;
    const k = this.#frame % (2 * n);
    const map = this.#maps[k < n ? k : 2 * n - 1 - k]!;
    const now = this.#frame / FPS;
    this.#frame++;
    const framer = this.#framer;
    framer.observe(map, MAP, CONTENT, now);
    const crop = framer.step(now);
    if (framer.moved) {
      this.#regions.update(crop);
      this.#mask.setRegion(maskRegion(CONTENT, crop, SIZE, this.#region));
      this.moved++;
    }
    this.frames++;
  }

  /** Gives the mask's buffers back to the kernels' memory. */
  release(): void {
    this.#mask.release();
  }
}
