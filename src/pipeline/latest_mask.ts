/**
 * {@linkcode LatestMask}: backscrub's CalcMask as a small class. The model runs beside the loop on
 * the newest frame it was given, and the loop takes the newest finished mask whenever one has
 * arrived, so inference never blocks capture: submit the newest frame, take the newest mask.
 *
 * One run is in flight at a time. {@linkcode LatestMask.submit} and {@linkcode LatestMask.take}
 * never wait; {@linkcode LatestMask.settle} waits for the run in flight (exact mode, the first
 * frame, closing, switching models). A failed run's error is kept and rethrown by the next
 * {@linkcode LatestMask.check} or {@linkcode LatestMask.settle}.
 *
 * ```text
 * frame n:    submit(n) ─ run n on ONNX Runtime's thread ───────────┐
 * frame n+1:  busy: take() → false (the mask of n-1 stays in use)   │
 * frame n+2:  busy: take() → false                                  │ settles, its map is kept
 * frame n+3:  submit(n+3) · take() → true: the mask of frame n ◄────┘
 * ```
 *
 * Nothing is allocated per frame but the promise of each model run: the callbacks are bound once
 * and the map is copied into a buffer made at construction (and again on a model switch).
 *
 * @module
 */

import { yieldToEventLoop } from "../../ffi/libc/mod.ts";
import type { Frame } from "../frame/frame.ts";
import type { FrameTiming } from "../frame/timing.ts";

/**
 * What {@linkcode LatestMask} needs of a model; `Segmenter` (`src/segment/segmenter.ts`)
 * implements it.
 */
export interface Inference {
  /**
   * The model's output map (e.g. the person probability, output height × width), valid once a run
   * has settled and until the next run settles.
   */
  readonly probability: Float32Array;
  /**
   * Fills the model's input from a frame (synchronously). What it returns (`Segmenter` returns
   * where the picture lies in the map) is not used: the loop knows the geometry from setup.
   */
  setInputFitted(frame: Frame): void;
  /** Runs the model on its input beside the loop; the input must not change until it settles. */
  runAsync(): Promise<void>;
}

/**
 * The newest mask of a model running beside the loop (CalcMask): at most one run in flight, the
 * newest finished map kept until taken.
 *
 * @example
 * ```ts ignore
 * const latest = new LatestMask(segmenter);
 * const map = new Float32Array(segmenter.probability.length);
 * // Every frame:
 * if (!latest.busy) latest.submit(frame, timing);
 * if (latest.runs === 0) await latest.settle(); // the first frame waits for its own mask
 * latest.check();
 * if (latest.take(map, timing)) mask.ingest(map);
 * // … compose and write the frame …
 * await latest.deliver();
 * // At the end:
 * await latest.settle();
 * ```
 */
export class LatestMask {
  #model: Inference;
  /** A copy of the newest finished map (so the next run may overwrite the model's own). */
  #map: Float32Array;
  /** The run in flight (settles to undefined, never rejects), or null. */
  #inflight: Promise<void> | null = null;
  /** Whether {@linkcode #map} holds a run not taken yet. */
  #fresh = false;
  /** When the run in flight started (`performance.now()`). */
  #startedAt = 0;
  /** Milliseconds the run in {@linkcode #map} took. */
  #ranMs = NaN;
  #runs = 0;
  #failed = false;
  #error: unknown = undefined;
  /** Bound once: no closure is made per run. */
  readonly #onDone = (): void => {
    this.#ranMs = performance.now() - this.#startedAt;
    this.#map.set(this.#model.probability);
    this.#fresh = true;
    this.#runs++;
    this.#inflight = null;
  };
  readonly #onFail = (error: unknown): void => {
    this.#failed = true;
    this.#error = error;
    this.#inflight = null;
  };

  /** @param model the model to run (the caller keeps owning it) */
  constructor(model: Inference) {
    this.#model = model;
    this.#map = new Float32Array(model.probability.length);
  }

  /** The model runs use now. */
  get model(): Inference {
    return this.#model;
  }

  /** Whether a run is in flight: {@linkcode submit} would throw. */
  get busy(): boolean {
    return this.#inflight !== null;
  }

  /**
   * Runs that finished without error (0 means no mask of this model exists yet: the loop waits
   * for the first). A new model gets a new `LatestMask` (the loop swaps it with the scene).
   */
  get runs(): number {
    return this.#runs;
  }

  /**
   * Fills the model's input from `frame` and starts a run; returns at once. Sets `timing.prep`
   * (the time to fill the input) and `timing.modelStarted`.
   *
   * @param frame the frame to segment (read now, not kept)
   * @param timing this frame's timing record
   * @throws {Error} when a run is in flight ({@linkcode busy}); whatever filling the input or
   *   starting the run throws
   */
  submit(frame: Frame, timing: FrameTiming): void {
    if (this.#inflight !== null) {
      throw new Error("Cannot start a model run: the previous run is still in flight");
    }
    const t0 = performance.now();
    this.#model.setInputFitted(frame);
    this.#startedAt = performance.now();
    timing.prep = this.#startedAt - t0;
    timing.modelStarted = true;
    this.#inflight = this.#model.runAsync().then(this.#onDone, this.#onFail);
  }

  /**
   * Copies the newest finished map into `into` when a run has finished since the last take;
   * never waits. Sets `timing.infer` (that run's time, start to delivery) and
   * `timing.modelTaken` when it takes one.
   *
   * @param into the model's map size ({@linkcode Inference.probability}'s length)
   * @param timing this frame's timing record
   * @returns true when `into` now holds a new map, false when nothing new arrived
   * @throws {RangeError} when `into` has another length than the model's map
   */
  take(into: Float32Array, timing: FrameTiming): boolean {
    if (!this.#fresh) return false;
    if (into.length !== this.#map.length) {
      throw new RangeError(
        `Cannot take a model map of ${this.#map.length} values into ${into.length}`,
      );
    }
    into.set(this.#map);
    this.#fresh = false;
    timing.infer = this.#ranMs;
    timing.modelTaken = true;
    return true;
  }

  /**
   * Rethrows the error of a failed run, once; does nothing otherwise. Call it every frame.
   *
   * @throws {unknown} what the run threw
   */
  check(): void {
    if (!this.#failed) return;
    const error = this.#error;
    this.#failed = false;
    this.#error = undefined;
    throw error;
  }

  /**
   * Waits for the run in flight, if any, then {@linkcode check}s. For exact mode, the first
   * frame, a model switch and closing (never leave the model writing into buffers about to be
   * released; when the loop is already failing, catch what this throws so it does not hide the
   * first error).
   *
   * @throws {unknown} what a failed run threw
   */
  async settle(): Promise<void> {
    while (this.#inflight !== null) await this.#inflight;
    this.check();
  }

  /**
   * Lets a finished run's promise settle when it is busy. ONNX Runtime's nonblocking run resolves
   * through the event loop's poll phase, which a loop whose every await is already resolved (a
   * source in memory) never reaches; this round trip (about 20 µs, `yieldToEventLoop` in
   * `ffi/libc`) lets it through. Does nothing when no run is in flight. Call it once per frame.
   */
  async deliver(): Promise<void> {
    if (this.#inflight !== null) await yieldToEventLoop();
  }
}
