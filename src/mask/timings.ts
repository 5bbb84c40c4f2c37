/**
 * Sub-stage timings of the mask's post-processing for the `-d` status line (`post: temporal 0.02
 * guide 0.61 upsample 1.10 ms`), in fixed typed arrays: recording allocates nothing.
 *
 * @module
 */

/**
 * The post-processing sub-stages, in order: `crop` (the camera frame cropped and scaled to the
 * output, recorded by the loop when the sizes differ), `temporal` (per model run), `guide` (the
 * guided filter's coefficients) and `upsample` (the output alpha and light-wrap weights).
 */
export const MASK_STAGES = ["crop", "temporal", "guide", "upsample"] as const;

/** A sub-stage name. */
export type MaskStage = typeof MASK_STAGES[number];

/** Accumulates sub-stage times over an interval. */
export class MaskTimings {
  readonly #sum = new Float64Array(MASK_STAGES.length);
  readonly #count = new Uint32Array(MASK_STAGES.length);

  /** Records `ms` spent in `stage`. */
  add(stage: MaskStage, ms: number): void {
    const i = MASK_STAGES.indexOf(stage);
    this.#sum[i] = this.#sum[i]! + ms;
    this.#count[i] = this.#count[i]! + 1;
  }

  /** Mean milliseconds of `stage` in the interval (0 when it did not run). */
  mean(stage: MaskStage): number {
    const i = MASK_STAGES.indexOf(stage);
    const n = this.#count[i]!;
    return n ? this.#sum[i]! / n : 0;
  }

  /**
   * The sub-stages that ran in the interval, then starts a new interval.
   *
   * @returns e.g. `temporal 0.02 guide 0.61 upsample 1.10`
   */
  line(): string {
    const parts: string[] = [];
    for (let i = 0; i < MASK_STAGES.length; i++) {
      const n = this.#count[i]!;
      if (n) parts.push(`${MASK_STAGES[i]} ${(this.#sum[i]! / n).toFixed(2)}`);
    }
    this.#sum.fill(0);
    this.#count.fill(0);
    return parts.join(" ");
  }
}
