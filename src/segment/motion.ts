/**
 * When to run the model and render the mask: a cheap scene-change test so that the live loop
 * skips model runs while the picture is still (a person sitting at a desk), and runs them again
 * as soon as something moves; and keeps the last rendered alpha while nothing moved and no new
 * model output came (the edge-aware upsampling would give the same alpha but for camera noise).
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
 * Decides per frame whether the model needs to run, and whether the mask needs rendering again.
 *
 * @example
 * ```ts
 * import { MotionGate } from "./motion.ts";
 * const gate = new MotionGate();
 * const still = new Uint8Array(640 * 480).fill(90);
 * gate.measure(still, 640, 480);
 * gate.shouldRun(0); // true: the first frame always runs
 * gate.measure(still, 640, 480);
 * gate.shouldRun(33); // false: nothing changed
 * ```
 */
export class MotionGate {
  readonly #threshold: number;
  readonly #maxIntervalMs: number;
  /** Block means of the frame measured last. */
  readonly #means = new Float32Array(BLOCKS_X * BLOCKS_Y);
  /** … of the frame the model last ran on. */
  readonly #modelRef = new Float32Array(BLOCKS_X * BLOCKS_Y);
  /** … of the frame the mask was last rendered for. */
  readonly #renderRef = new Float32Array(BLOCKS_X * BLOCKS_Y);
  #lastRun = -Infinity;
  #rendered = false;
  /** Model runs the gate let through. */
  runs = 0;
  /** Times it held the model back. */
  skipped = 0;
  /** Frames whose mask was kept from the frame before (nothing moved, no new model output). */
  kept = 0;

  /** @param options threshold and the longest interval */
  constructor(options: MotionGateOptions = {}) {
    this.#threshold = options.threshold ?? 2;
    this.#maxIntervalMs = options.maxIntervalMs ?? 200;
  }

  /**
   * Makes the next {@linkcode shouldRender} answer yes (a new mask pipeline has nothing rendered
   * yet, however still the scene is).
   */
  renderNext(): void {
    this.#rendered = false;
  }

  /**
   * Measures a frame (its block means), for {@linkcode shouldRun} and {@linkcode shouldRender}.
   *
   * @param y the frame's luma plane, `width × height` bytes (a `Frame`'s `y`, any layout)
   * @param width the frame's width
   * @param height the frame's height
   */
  measure(y: Uint8Array, width: number, height: number): void {
    const means = this.#means;
    means.fill(0);
    for (let gy = 0; gy < GRID_Y; gy++) {
      const row = Math.min(height - 1, ((gy + 0.5) * height / GRID_Y) | 0) * width;
      const brow = ((gy * BLOCKS_Y / GRID_Y) | 0) * BLOCKS_X;
      for (let gx = 0; gx < GRID_X; gx++) {
        const p = row + Math.min(width - 1, ((gx + 0.5) * width / GRID_X) | 0);
        means[brow + ((gx * BLOCKS_X / GRID_X) | 0)]! += y[p]!;
      }
    }
  }

  /** Whether a block of the measured frame differs from `ref` by more than the threshold. */
  #differs(ref: Float32Array): boolean {
    const means = this.#means;
    const limit = this.#threshold * (GRID_X / BLOCKS_X) * (GRID_Y / BLOCKS_Y);
    for (let i = 0; i < means.length; i++) {
      const d = means[i]! - ref[i]!;
      if (d > limit || d < -limit) return true;
    }
    return false;
  }

  /**
   * Whether the model should run on the measured frame: it moved since the model's last frame,
   * or the last run is `maxIntervalMs` old. When yes, the frame becomes the model's reference.
   *
   * @param nowMs the time (ms, any clock that only goes forward)
   * @returns true when the model should run
   */
  shouldRun(nowMs: number): boolean {
    const run = nowMs - this.#lastRun >= this.#maxIntervalMs || this.#differs(this.#modelRef);
    if (run) {
      this.#modelRef.set(this.#means);
      this.#lastRun = nowMs;
      this.runs++;
    } else {
      this.skipped++;
    }
    return run;
  }

  /**
   * Whether the mask must be rendered again for the measured frame: a new model output came,
   * or the frame moved since the mask was last rendered. Otherwise the last alpha is still
   * right (only camera noise differs) and rendering it again would change nothing visible.
   *
   * @param fresh a new model output is waiting
   * @returns true when the mask should be rendered
   */
  shouldRender(fresh: boolean): boolean {
    const render = fresh || !this.#rendered || this.#differs(this.#renderRef);
    if (render) {
      this.#renderRef.set(this.#means);
      this.#rendered = true;
    } else {
      this.kept++;
    }
    return render;
  }
}
