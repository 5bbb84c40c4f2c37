/**
 * One timing record per frame: each stage writes its own field while the frame passes, the loop
 * hands the record to the statistics once the frame is written. Made once, reset every frame:
 * nothing is allocated per frame and nothing is read back through side channels.
 *
 * @module
 */

/** The stages of one frame, in order (the `-d` status line's columns). */
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

/** Milliseconds spent in each stage of one frame; `NaN` where the stage did not run. */
export class FrameTiming {
  /** Waiting for and reading the source's frame, decoding not counted. */
  grab = NaN;
  /** Decoding it (MJPG, a file's pixels) into the frame: set by the source. */
  decode = NaN;
  /** Filling the model's input from the frame: set when a model run starts. */
  prep = NaN;
  /** The model run whose mask this frame took (measured beside the loop): set when taken. */
  infer = NaN;
  /** Crop to the output and the mask's post-processing. */
  post = NaN;
  /** Background and compositing. */
  compose = NaN;
  /** Converting to the sink's format (e.g. YUYV → I420): set by the sink. */
  convert = NaN;
  /** Writing to the sink, converting not counted. */
  write = NaN;
  /** Whether this frame started a model run. */
  modelStarted = false;
  /** Whether this frame took a new model output. */
  modelTaken = false;

  /** Clears every field for the next frame. */
  reset(): void {
    this.grab =
      this.decode =
      this.prep =
      this.infer =
        NaN;
    this.post =
      this.compose =
      this.convert =
      this.write =
        NaN;
    this.modelStarted = this.modelTaken = false;
  }

  /**
   * One stage's time.
   *
   * @param stage the stage
   * @returns milliseconds, `NaN` when it did not run
   */
  get(stage: Stage): number {
    return this[stage];
  }
}
