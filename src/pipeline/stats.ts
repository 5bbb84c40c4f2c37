/**
 * Per-stage timings and frame rates for the `-d` status line (backscrub's debug output): the loop
 * hands every written frame's {@linkcode FrameTiming} to {@linkcode Stats.record}. Kept in fixed
 * typed arrays: recording a frame allocates nothing.
 *
 * @module
 */

import { type FrameTiming, type Stage, STAGES } from "../frame/timing.ts";

export { type Stage, STAGES };

/** Accumulates stage times over an interval and counts frames and model runs. */
export class Stats {
  readonly #sum = new Float64Array(STAGES.length);
  readonly #count = new Uint32Array(STAGES.length);
  #frames = 0;
  #modelFrames = 0;
  #since = performance.now();
  /** Frames written since the start. */
  totalFrames = 0;
  /** Model outputs taken since the start (one per finished model run). */
  totalModelRuns = 0;
  /** Frames the source gave that could not be used (e.g. corrupt MJPG), since the start. */
  skipped = 0;

  /**
   * Records one written frame: each stage that ran (a finite time in `timing`) adds to its
   * average, and a frame that took a new model output (`timing.modelTaken`) counts a model run.
   *
   * @param timing the frame's timing record (read, not kept)
   */
  record(timing: FrameTiming): void {
    for (let i = 0; i < STAGES.length; i++) {
      const ms = timing.get(STAGES[i]!);
      if (Number.isFinite(ms)) {
        this.#sum[i] = this.#sum[i]! + ms;
        this.#count[i] = this.#count[i]! + 1;
      }
    }
    this.#frames++;
    this.totalFrames++;
    if (timing.modelTaken) {
      this.#modelFrames++;
      this.totalModelRuns++;
    }
  }

  /** Milliseconds since the interval began. */
  elapsed(): number {
    return performance.now() - this.#since;
  }

  /**
   * The status line for the interval so far, then starts a new interval. A stage that did not run
   * in the interval shows `-`.
   *
   * @returns e.g. `grab 1.2 decode - prep 0.4 infer 1.5 post 0.6 compose 1.1 convert - write 0.8 ms | 30.0 fps, model 30.0 fps`
   */
  line(): string {
    const seconds = Math.max(this.elapsed() / 1000, 1e-3);
    const parts: string[] = [];
    for (let i = 0; i < STAGES.length; i++) {
      const n = this.#count[i]!;
      parts.push(`${STAGES[i]} ${n ? (this.#sum[i]! / n).toFixed(1) : "-"}`);
    }
    const text = `${parts.join(" ")} ms | ${(this.#frames / seconds).toFixed(1)} fps, model ${
      (this.#modelFrames / seconds).toFixed(1)
    } fps${this.skipped ? `, ${this.skipped} frames skipped` : ""}`;
    this.#sum.fill(0);
    this.#count.fill(0);
    this.#frames = 0;
    this.#modelFrames = 0;
    this.#since = performance.now();
    return text;
  }
}
