/**
 * A stand-in for a V4L2 camera behind `CameraSource` (`src/device/camera_source.ts`): frames come
 * from a function, one every `intervalMs` after `start()`, and `grabAsync` waits for them on
 * timers, as the real one waits on a worker thread. Frames queue up while nobody grabs (or, with
 * `dropLate`, only the newest is kept, as by a camera whose buffers are full). The camera goes
 * silent when the function returns `null`. It can fail as a real one does: set
 * {@linkcode FakeCamera.failure} (every grab throws it: unplugged, a fatal driver error) or
 * {@linkcode FakeCamera.startFailure} (`start` throws it: another program holds the camera).
 *
 * @module
 */

import type { CameraLike } from "../../src/device/camera_source.ts";
import type { CapturedBuffer as CapturedFrame, Negotiated } from "../../src/device/capture.ts";

/** A scripted camera: frame `n` is due `n × intervalMs` after the last `start()`. */
export class FakeCamera implements CameraLike {
  /** The device path (default `/dev/fake0`). */
  readonly path: string;
  readonly info = { card: "fake" } as const;
  readonly warnings: readonly string[] = [];
  readonly negotiated: Negotiated;
  /** `start`, `stop` and `close` calls, in order. */
  readonly log: string[] = [];
  /** Frames handed out and not released. */
  held = 0;
  /** How many frames `grabAsync` has handed out. */
  grabbed = 0;
  /** When set, `grabAsync` throws it (e.g. a `DeviceError` of kind `"disconnected"`). */
  failure: Error | null = null;
  /** When set, `start` throws it (e.g. a `DeviceError` of kind `"busy"`). */
  startFailure: Error | null = null;
  readonly #frame: (n: number) => Uint8Array | null;
  intervalMs: number;
  readonly #dropLate: boolean;
  readonly #stampMs: number | null;
  #streaming = false;
  #startedAt = 0;
  #next = 0;

  /**
   * @param negotiated what the camera "negotiated"
   * @param frame frame `n` (from 0 at each `start`), or `null`: no more frames
   * @param intervalMs the time between two frames
   * @param options `dropLate`: hand out only the newest frame that is due; `stampMs`: the
   *   frames' timestamps are `n × stampMs` (a camera at another rate than it is played at, so
   *   that pacing is tested on the frames' clock without waiting for it); `path`: the node it
   *   stands for
   */
  constructor(
    negotiated: Negotiated,
    frame: (n: number) => Uint8Array | null,
    intervalMs: number,
    options: { dropLate?: boolean; stampMs?: number; path?: string } = {},
  ) {
    this.path = options.path ?? "/dev/fake0";
    this.negotiated = negotiated;
    this.#frame = frame;
    this.intervalMs = intervalMs;
    this.#dropLate = options.dropLate ?? false;
    this.#stampMs = options.stampMs ?? null;
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  start(): void {
    if (this.startFailure !== null) throw this.startFailure;
    this.log.push("start");
    this.#streaming = true;
    this.#startedAt = performance.now();
    this.#next = 0;
  }

  stop(): void {
    this.log.push("stop");
    this.#streaming = false;
  }

  close(): void {
    this.log.push("close");
    this.#streaming = false;
  }

  /**
   * The next frame (with `dropLate`, the newest that is due) when it is due within `timeoutMs`,
   * else `null` after `timeoutMs`.
   */
  async grabAsync(timeoutMs: number): Promise<CapturedFrame | null> {
    if (!this.#streaming) throw new Error("Cannot grab a frame: the fake camera is not started");
    if (this.failure !== null) throw this.failure;
    if (this.#dropLate) {
      const newest = Math.floor((performance.now() - this.#startedAt) / this.intervalMs);
      while (this.#next < newest && this.#frame(this.#next + 1) !== null) this.#next++;
    }
    const n = this.#next;
    const data = this.#frame(n);
    const due = this.#startedAt + n * this.intervalMs;
    const wait = data === null ? timeoutMs : Math.min(timeoutMs, due - performance.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (!this.#streaming || data === null || performance.now() < due - 0.5) return null;
    this.#next++;
    this.grabbed++;
    this.held++;
    const stamp = this.#stampMs === null ? due : 1000 + n * this.#stampMs;
    return { data, sequence: n, timestampUs: Math.round(stamp * 1000) };
  }

  release(_frame: CapturedFrame): void {
    this.held--;
  }
}
