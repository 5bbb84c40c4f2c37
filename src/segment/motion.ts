/**
 * When to run the model: a cheap scene-change test so that the live loop skips model runs while
 * the picture is still (a person sitting at a desk), and runs them again as soon as something
 * moves. The model's last mask stays in use meanwhile; the edge still follows every frame
 * because the mask's upsampling is guided by the current frame's luma.
 *
 * The test samples the luma on a 128 × 72 grid (9 216 pixels, ~20 µs), averages it over 16 × 9
 * blocks, and compares each block's mean with the means of the frame the model last ran on.
 * Averaging 64 samples per block divides camera noise by 8, so a threshold of 2 levels is far
 * above noise (σ ≈ 2 → 0.25 per block) yet a hand entering a block, or an edge moving by a few
 * pixels across it, changes its mean by more. Runs are never further apart than `maxIntervalMs`
 * (slow drifts, lighting), so a still scene still refreshes its mask several times a second.
 *
 * @module
 */

/** Options of {@linkcode MotionGate}. */
export interface MotionGateOptions {
  /** A block mean must change by more than this many luma levels (0 … 255). Default 2. */
  threshold?: number;
  /** The longest time between model runs, in ms. Default 200 (≥ 5 runs a second). */
  maxIntervalMs?: number;
}

const GRID_X = 128;
const GRID_Y = 72;
const BLOCKS_X = 16;
const BLOCKS_Y = 9;

/**
 * Decides per frame whether the model needs to run.
 *
 * @example
 * ```ts
 * import { MotionGate } from "./motion.ts";
 * const gate = new MotionGate();
 * const still = new Uint8Array(640 * 480).fill(90);
 * gate.shouldRun(still, 640, 480, 1, 0); // true: the first frame always runs
 * gate.shouldRun(still, 640, 480, 1, 33); // false: nothing changed
 * ```
 */
export class MotionGate {
  readonly #threshold: number;
  readonly #maxIntervalMs: number;
  readonly #means = new Float32Array(BLOCKS_X * BLOCKS_Y);
  readonly #reference = new Float32Array(BLOCKS_X * BLOCKS_Y);
  #lastRun = -Infinity;
  /** Model runs the gate let through. */
  runs = 0;
  /** Frames on which it skipped the model. */
  skipped = 0;

  /** @param options threshold and the longest interval */
  constructor(options: MotionGateOptions = {}) {
    this.#threshold = options.threshold ?? 2;
    this.#maxIntervalMs = options.maxIntervalMs ?? 200;
  }

  /**
   * Measures a frame and says whether the model should run on it; when it says yes, the frame
   * becomes the reference the next ones are compared with.
   *
   * @param pixels a luma plane (`channels` 1) or interleaved RGB (`channels` 3)
   * @param width the frame's width
   * @param height the frame's height
   * @param channels 1 or 3
   * @param nowMs the time (ms, any clock that only goes forward)
   * @returns true when the model should run
   */
  shouldRun(
    pixels: Uint8Array,
    width: number,
    height: number,
    channels: 1 | 3,
    nowMs: number,
  ): boolean {
    const means = this.#means;
    means.fill(0);
    for (let gy = 0; gy < GRID_Y; gy++) {
      const row = Math.min(height - 1, ((gy + 0.5) * height / GRID_Y) | 0) * width;
      const brow = ((gy * BLOCKS_Y / GRID_Y) | 0) * BLOCKS_X;
      for (let gx = 0; gx < GRID_X; gx++) {
        const p = (row + Math.min(width - 1, ((gx + 0.5) * width / GRID_X) | 0)) * channels;
        // Luma, or (R + 2G + B) / 4 from RGB: good enough to see change.
        const l = channels === 1
          ? pixels[p]!
          : (pixels[p]! + 2 * pixels[p + 1]! + pixels[p + 2]!) * 0.25;
        means[brow + ((gx * BLOCKS_X / GRID_X) | 0)]! += l;
      }
    }
    const perBlock = (GRID_X / BLOCKS_X) * (GRID_Y / BLOCKS_Y);
    const limit = this.#threshold * perBlock;
    let changed = nowMs - this.#lastRun >= this.#maxIntervalMs;
    const ref = this.#reference;
    for (let i = 0; i < means.length && !changed; i++) {
      const d = means[i]! - ref[i]!;
      if (d > limit || d < -limit) changed = true;
    }
    if (changed) {
      ref.set(means);
      this.#lastRun = nowMs;
      this.runs++;
    } else {
      this.skipped++;
    }
    return changed;
  }
}
