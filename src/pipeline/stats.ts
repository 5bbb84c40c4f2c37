/**
 * Per-stage timings and frame rates for the `-d` status line (backscrub's debug output): the loop
 * hands every written frame's {@linkcode FrameTiming} to {@linkcode Stats.record}. Kept in fixed
 * typed arrays: recording a frame allocates nothing.
 *
 * @module
 */

import process from "node:process";
import { type FrameTiming, type Stage, STAGES } from "../frame/timing.ts";

export { type Stage, STAGES };

/** The figures of one interval (about a second): what `-d` prints and the control API shows. */
export interface StatsSample {
  /** Frames written per second. */
  readonly fps: number;
  /** Model outputs taken per second. */
  readonly modelFps: number;
  /** Average milliseconds per stage; null for a stage that did not run in the interval. */
  readonly stages: Readonly<Record<Stage, number | null>>;
  /** Percent of one core backscrub used (every thread: ONNX Runtime's too), null if unknown. */
  readonly cpu: number | null;
  /** Frames written since the start, at the end of the interval. */
  readonly frames: number;
  /** Frames skipped since the start. */
  readonly skipped: number;
  /** The length of the interval in seconds. */
  readonly seconds: number;
}

/** Process CPU time in microseconds (user + system), or null when unavailable. */
function cpuMicros(): number | null {
  try {
    const u = process.cpuUsage();
    return u.user + u.system;
  } catch {
    return null;
  }
}

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
  /** The figures of the last finished interval; null before the first. */
  last: StatsSample | null = null;
  #cpuSince = cpuMicros();

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
   * Ends the interval: its figures become {@linkcode last}, and a new interval begins.
   *
   * @returns the interval's figures
   */
  sample(): StatsSample {
    const seconds = Math.max(this.elapsed() / 1000, 1e-3);
    const stages = {} as Record<Stage, number | null>;
    for (let i = 0; i < STAGES.length; i++) {
      const n = this.#count[i]!;
      stages[STAGES[i]!] = n ? this.#sum[i]! / n : null;
    }
    const cpu = cpuMicros();
    const last: StatsSample = {
      fps: this.#frames / seconds,
      modelFps: this.#modelFrames / seconds,
      stages,
      cpu: cpu !== null && this.#cpuSince !== null ? (cpu - this.#cpuSince) / 1e4 / seconds : null,
      frames: this.totalFrames,
      skipped: this.skipped,
      seconds,
    };
    this.last = last;
    this.#cpuSince = cpu;
    this.#sum.fill(0);
    this.#count.fill(0);
    this.#frames = 0;
    this.#modelFrames = 0;
    this.#since = performance.now();
    return last;
  }

  /**
   * The status line for the interval so far, then starts a new interval ({@linkcode sample}). A
   * stage that did not run in the interval shows `-`.
   *
   * @returns e.g. `grab 1.2 decode - prep 0.4 infer 1.5 post 0.6 compose 1.1 convert - write 0.8 ms | 30.0 fps, model 30.0 fps`
   */
  line(): string {
    return formatSample(this.sample());
  }
}

/**
 * The `-d` status line of an interval's figures.
 *
 * @param s the figures
 * @returns e.g. `grab 1.2 decode - … write 0.8 ms | 30.0 fps, model 30.0 fps`
 */
export function formatSample(s: StatsSample): string {
  const parts = STAGES.map((stage) => {
    const ms = s.stages[stage];
    return `${stage} ${ms === null ? "-" : ms.toFixed(1)}`;
  });
  return `${parts.join(" ")} ms | ${s.fps.toFixed(1)} fps, model ${s.modelFps.toFixed(1)} fps${
    s.skipped ? `, ${s.skipped} frames skipped` : ""
  }`;
}
