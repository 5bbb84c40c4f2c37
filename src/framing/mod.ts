/**
 * Auto-framing: a crop of the camera picture that keeps the person's head and shoulders where a
 * camera operator would put them ({@linkcode SubjectFinder} reads the person from the model's
 * map, {@linkcode CameraOperator} moves the crop). The loop applies the crop in the same pass as
 * the output's own crop (`--vg`), and the mask follows it.
 *
 * Imports only `src/frame/`.
 *
 * @module
 */

import type { Rect, Size } from "../frame/geometry.ts";
import { CameraOperator } from "./operator.ts";
import { SubjectFinder } from "./subject.ts";

export { CameraOperator } from "./operator.ts";
export { type Subject, SubjectFinder } from "./subject.ts";

/**
 * Finds the person in each model output and moves the crop after them.
 *
 * @example
 * ```ts
 * import { Framer } from "./mod.ts";
 * const framer = new Framer({ width: 1280, height: 720 }, { x: 0, y: 0, w: 1280, h: 720 }, {
 *   enabled: true,
 *   maxZoom: 1.6,
 * });
 * const map = new Float32Array(256 * 144); // nobody
 * framer.observe(map, { width: 256, height: 144 }, { x: 0, y: 0, w: 256, h: 144 }, 0);
 * console.log(framer.step(0).w); // 1280
 * ```
 */
export class Framer {
  readonly #camera: Size;
  readonly #finder = new SubjectFinder();
  readonly #operator: CameraOperator;

  /**
   * @param camera the camera picture's size
   * @param base the whole picture at the output's aspect (the crop without framing)
   * @param options follow from the start; the most it zooms in
   */
  constructor(camera: Size, base: Rect, options: { enabled: boolean; maxZoom: number }) {
    this.#camera = { width: camera.width, height: camera.height };
    this.#operator = new CameraOperator(base, options.maxZoom, options.enabled, camera);
  }

  /** The crop, in camera pixels (updated in place by {@linkcode step}). */
  get crop(): Rect {
    return this.#operator.crop;
  }

  /** Whether the crop is the whole picture, standing still. */
  get atBase(): boolean {
    return this.#operator.atBase;
  }

  /** Whether the last {@linkcode step} moved the crop. */
  get moved(): boolean {
    return this.#operator.moved;
  }

  /** Whether following is on. */
  get enabled(): boolean {
    return this.#operator.enabled;
  }

  /**
   * Turns following on or off (off: back to the whole picture, gliding).
   *
   * @param on follow the person
   */
  setEnabled(on: boolean): void {
    if (on && !this.#operator.enabled) this.#finder.reset();
    this.#operator.setEnabled(on);
  }

  /**
   * Changes the most the crop zooms in.
   *
   * @param maxZoom 1 …
   */
  setMaxZoom(maxZoom: number): void {
    this.#operator.setMaxZoom(maxZoom);
  }

  /**
   * Looks at a new model output.
   *
   * @param map the model's probabilities, row-major
   * @param size the map's size
   * @param content where the camera picture lies in the map, in map pixels
   * @param now seconds, increasing
   */
  observe(map: Float32Array, size: Size, content: Rect, now: number): void {
    if (!this.#operator.enabled) return;
    this.#operator.observe(this.#finder.find(map, size, content, this.#camera), now);
  }

  /**
   * Moves the crop for the time since the last step.
   *
   * @param now seconds, the clock of {@linkcode observe}
   * @returns the crop
   */
  step(now: number): Rect {
    return this.#operator.step(now);
  }
}
