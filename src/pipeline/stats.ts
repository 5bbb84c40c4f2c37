/**
 * Per-stage timings and frame rates for the `-d` status line (backscrub's debug output), kept in
 * fixed typed arrays: recording a time allocates nothing.
 *
 * @module
 */

/** The stages of one frame, in order. */
export const STAGES = [
  "grab",
  "decode",
  "prep",
  "infer",
  "post",
  "compose",
  "convert",
  "write",
] as const;

/** A stage name. */
export type Stage = typeof STAGES[number];

/** Accumulates stage times over an interval and counts frames. */
export class Stats {
  readonly #sum = new Float64Array(STAGES.length);
  readonly #count = new Uint32Array(STAGES.length);
  #frames = 0;
  #modelFrames = 0;
  #since = performance.now();
  /** Frames written since the start. */
  totalFrames = 0;
  /** Model runs since the start. */
  totalModelRuns = 0;
  /** Frames the source gave that could not be used (e.g. corrupt MJPG), since the start. */
  skipped = 0;

  /** Records `ms` spent in `stage`. */
  add(stage: Stage, ms: number): void {
    const i = STAGES.indexOf(stage);
    this.#sum[i] = this.#sum[i]! + ms;
    this.#count[i] = this.#count[i]! + 1;
  }

  /** Counts one output frame. */
  frame(): void {
    this.#frames++;
    this.totalFrames++;
  }

  /** Counts one finished model run. */
  modelRun(): void {
    this.#modelFrames++;
    this.totalModelRuns++;
  }

  /** Milliseconds since the interval began. */
  elapsed(): number {
    return performance.now() - this.#since;
  }

  /**
   * The status line for the interval so far, then starts a new interval.
   *
   * @returns e.g. `grab 1.2 prep 0.4 infer 1.5 post 0.6 compose 1.1 write 0.8 ms | 30.0 fps, model 30.0 fps`
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
