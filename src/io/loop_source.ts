/**
 * `--loop`: a file played as a live camera. A clip starts again from its first frame when it
 * ends (a y4m file is rewound, with the buffers it has; any other is opened anew: no frame is
 * kept in memory), a picture repeats for ever; frames
 * come at the file's own rate (`--fps` caps it; a picture comes at 25 fps), evenly paced on the
 * clock as a camera's would be, so a recording can be presented in a call and every live feature
 * (the control panel, live settings) can be tried without a camera.
 *
 * @module
 */

import type { Frame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { FrameSource } from "../frame/stages.ts";
import type { FrameTiming } from "../frame/timing.ts";
import { MediaFileError } from "./errors.ts";

/** Options for {@linkcode LoopSource.open}. */
export interface LoopSourceOptions {
  /** At most this many frames a second (default: the file's rate, 30 when it has none). */
  maxFps?: number | null;
  /** Where a restart is told (default: nowhere). */
  onRestart?: (count: number) => void;
}

/**
 * A source that can start again from its first frame without being opened anew (`Y4mReader`):
 * the loop then keeps its buffers instead of making new ones at every restart.
 */
export interface RewindableSource extends FrameSource {
  /** Starts again from the first frame. */
  rewind(): Promise<void>;
}

function isRewindable(source: FrameSource): source is RewindableSource {
  return typeof (source as Partial<RewindableSource>).rewind === "function";
}

/** The default rate of a file that has none (a picture). */
export const LOOP_DEFAULT_FPS = 30;

/**
 * A file source that never ends, paced at its frame rate.
 *
 * @example
 * ```ts ignore
 * await using clip = await LoopSource.open(() => openFileSource("talk.mp4"));
 * ```
 */
export class LoopSource implements FrameSource, AsyncDisposable {
  readonly size: Size;
  readonly fps: number;
  readonly description: string;
  readonly #open: () => Promise<FrameSource>;
  readonly #onRestart: ((count: number) => void) | undefined;
  #source: FrameSource | null;
  #period = 0;
  #due = -Infinity;
  #restarts = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wake: (() => void) | null = null;

  private constructor(source: FrameSource, open: () => Promise<FrameSource>, o: LoopSourceOptions) {
    this.#source = source;
    this.#open = open;
    this.#onRestart = o.onRestart;
    this.size = source.size;
    this.fps = source.fps > 0 ? source.fps : LOOP_DEFAULT_FPS;
    this.setMaxFps(o.maxFps ?? null);
    this.description = `${source.description}, looped at ${
      Number((1000 / this.#period).toFixed(3))
    } fps`;
  }

  /**
   * Opens the file through `open` (called again at every restart, unless the source can
   * {@linkcode RewindableSource.rewind}).
   *
   * @param open opens the file from its start
   * @param options the rate cap, a restart callback
   * @returns the source
   * @throws whatever `open` throws
   */
  static async open(
    open: () => Promise<FrameSource>,
    options: LoopSourceOptions = {},
  ): Promise<LoopSource> {
    return new LoopSource(await open(), open, options);
  }

  /** How many times the file started again. */
  get restarts(): number {
    return this.#restarts;
  }

  /** @inheritdoc */
  setMaxFps(fps: number | null): void {
    const rate = fps === null ? this.fps : Math.min(fps, this.fps);
    this.#period = 1000 / rate;
  }

  /**
   * Waits for the frame's time, then reads it; at the file's end opens it again.
   *
   * @returns true, or false once closed
   * @throws {MediaFileError} when the file holds no frame at all
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const now = performance.now();
    // Evenly paced; after a hold-up (a slow frame) the schedule catches up without a burst.
    this.#due = Math.max(this.#due + this.#period, now);
    if (this.#due > now) await this.#sleep(this.#due - now);
    for (let attempt = 0; !this.#closed; attempt++) {
      if (await this.#source!.read(into, timing)) return true;
      if (attempt > 0) {
        throw new MediaFileError(
          "Cannot loop the source",
          "it holds no whole frame (check the file plays)",
          { kind: "corrupt" },
        );
      }
      const source = this.#source!;
      if (isRewindable(source)) {
        await source.rewind();
      } else {
        await source.close();
        this.#source = null;
        this.#source = await this.#open();
      }
      this.#restarts++;
      this.#onRestart?.(this.#restarts);
    }
    return false;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#wake = null;
        resolve();
      }, ms);
    });
  }

  /** Closes the file; a read waiting for its time returns false. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#source?.close();
  }

  /** Closes the source ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
