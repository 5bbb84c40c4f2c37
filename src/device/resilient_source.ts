/**
 * {@linkcode ResilientSource}: a camera that is never fatal once it has started. The virtual
 * camera keeps getting frames at the camera's rate whatever the camera does — unplugged, its
 * driver failing (`ENODEV`, `EIO`), silent, or taken by another program while backscrub idled:
 * first the last frame again, then, once the camera has been away for a while ({@linkcode
 * ResilientSourceOptions.noticeAfterMs}), {@linkcode ResilientSource.standby} asks the loop for
 * the background with a "camera unavailable" notice (`src/image/notice.ts`). Meanwhile the camera
 * is looked for again every {@linkcode ResilientSourceOptions.retryMs} — under its old node or
 * another one, by its identity (`camera_identity.ts`) — and used again as soon as it is back; a
 * camera that is silent for {@linkcode ResilientSourceOptions.stallLimitMs} is opened again.
 * Every change of {@linkcode ResilientSource.state} is reported once, not per frame.
 *
 * Only opening the camera at start can fail (a wrong device, a format it cannot give): that is
 * the user's mistake to fix. A camera that is busy at start (another program streams from it) is
 * no mistake: it is opened with the format it will give (`deferBusy`) and waited for like one
 * taken while backscrub idled, the virtual camera showing the notice meanwhile.
 *
 * The camera's frame warnings (corrupt frames skipped) go through a {@linkcode WarningLimit}: the
 * first at once, then at most one line per interval with the count, whatever the camera sends.
 *
 * @module
 */

import type { Frame, FrameTiming, Size } from "../frame/mod.ts";
import { Camera } from "./camera.ts";
import { findCamera, identityOf } from "./camera_identity.ts";
import { CameraSource, type CameraSourceOptions } from "./camera_source.ts";
import type { DecodeStats, DecodeWarningKind } from "./decode.ts";
import { DeviceError } from "./errors.ts";
import type { PausableSource } from "./readers.ts";
import { WarningLimit } from "./warning_limit.ts";

/**
 * How the camera is doing:
 * - `"streaming"`: frames come (short hiccups included: the last frame fills them);
 * - `"silent"`: it is open but has sent no frame for `noticeAfterMs` (a stalled camera);
 * - `"lost"`: it failed or disappeared; it is being looked for;
 * - `"busy"`: it is there but another program holds it; tried again until it is free.
 */
export type CameraState = "streaming" | "silent" | "lost" | "busy";

/** A change of {@linkcode ResilientSource.state}, as {@linkcode ResilientSourceOptions.onChange} gets it. */
export interface CameraChange {
  /** The new state. */
  readonly state: CameraState;
  /** The state before. */
  readonly previous: CameraState;
  /** Why the camera is away; `null` when it is back. */
  readonly error: DeviceError | null;
  /** When it is back: how long it was away, in ms; else `null`. */
  readonly awayMs: number | null;
  /** The camera's node now (it may have come back as another one). */
  readonly path: string;
}

/**
 * What {@linkcode ResilientSource} uses of a camera: a started {@linkcode CameraSource}, or a
 * stand-in with the same members (tests).
 */
export type CameraFeed =
  & Pick<
    CameraSource,
    | "size"
    | "fps"
    | "description"
    | "warnings"
    | "decodeStats"
    | "next"
    | "setMaxFps"
    | "pause"
    | "resume"
    | "close"
  >
  & { readonly camera: { readonly path: string } };

/** Options for {@linkcode ResilientSource}. */
export interface ResilientSourceOptions {
  /**
   * Opens the camera again wherever it is now, started and at the size it had (called every
   * `retryMs` while it is away).
   *
   * @throws {DeviceError} When it is not there, busy or unusable (kept trying)
   */
  reopen: () => CameraFeed;
  /** Away this long, the notice replaces the last frame (default 2000 ms). */
  noticeAfterMs?: number;
  /** No frame for this long, the last frame is sent again, then at the camera's rate (default 200 ms). */
  repeatAfterMs?: number;
  /** Silent this long, the camera is closed and opened again (default 10 000 ms). */
  stallLimitMs?: number;
  /** How often a camera that is away is looked for (default 500 ms). */
  retryMs?: number;
  /** A frame-rate limit to start with (see {@linkcode ResilientSource.setMaxFps}). */
  maxFps?: number | null;
  /** Called once per change of state. */
  onChange?: (change: CameraChange) => void;
  /**
   * The limit the cameras' frame warnings go through (the feeds were given its `warn`): the
   * summaries it holds back are said on reads, once due.
   */
  warnings?: WarningLimit<DecodeWarningKind>;
  /**
   * The feed is open but not started: its start failed with this (busy) error, because another
   * program streams from the camera. The source starts `"busy"` (the change is reported), reads
   * give the notice, and the start is tried again every `retryMs`.
   */
  busy?: DeviceError;
}

/** Options for {@linkcode ResilientSource.open}: the camera's and the wrapper's. */
export type ResilientOpenOptions =
  & CameraSourceOptions
  & Omit<ResilientSourceOptions, "reopen">
  & {
    /** sysfs, where the camera is looked for again (default `/sys`; tests). */
    sysRoot?: string;
    /**
     * `onWarning` hears at most one line per kind of frame warning this often (the first at
     * once, then the latest with the count; default 30 000 ms).
     */
    warningIntervalMs?: number;
  };

const ZERO_STATS: Readonly<DecodeStats> = { decoded: 0, skipped: 0, damaged: 0, lastWarning: null };

/**
 * A camera source that survives losing the camera (see the module documentation).
 *
 * @example
 * ```ts
 * import { FrameTiming, makeFrame } from "../frame/mod.ts";
 * import { ResilientSource } from "./resilient_source.ts";
 *
 * const source = ResilientSource.open("video0", {
 *   width: 640,
 *   height: 480,
 *   onChange: (c) => console.log(`camera ${c.state}: ${c.error?.message ?? c.path}`),
 * });
 * const frame = makeFrame(source.size, "422");
 * await source.read(frame, new FrameTiming()); // never throws a camera problem
 * console.log(source.state, source.standby); // "streaming" false
 * await source.close();
 * ```
 */
export class ResilientSource implements PausableSource {
  /** The camera's frame size (a camera that comes back must give it again). */
  readonly size: Size;
  /** The camera's frame rate at start (0 when the driver does not say). */
  readonly fps: number;
  /** The camera at start, e.g. `/dev/video0 (vivid) 640x480 YUYV 30 fps`. */
  readonly description: string;
  /** How the camera at start differs from the request. */
  readonly warnings: readonly string[];
  readonly #options: ResilientSourceOptions;
  readonly #noticeAfterMs: number;
  readonly #repeatAfterMs: number;
  readonly #stallLimitMs: number;
  readonly #retryMs: number;
  #feed: CameraFeed | null;
  #path: string;
  #maxFps: number | null;
  #state: CameraState = "streaming";
  #error: DeviceError | null = null;
  /** When the current trouble began (the last frame, or the failure); null while all is well. */
  #troubleSince: number | null = null;
  /** The last frame, or the last (re)start of the camera: silence counts from here. */
  #quietSince: number;
  #started = false;
  /** Whether the caller's frame holds a picture of this streaming session (not from before a pause). */
  #hasPicture = false;
  /** Whether the last read gave no new frame (reads then come at the camera's rate). */
  #repeating = false;
  /** When the last read that gave no new frame returned. */
  #repeatedAt = -Infinity;
  #standby = false;
  /**
   * The camera is open but another program streams from it (its start failed busy): its start is
   * tried again every `retryMs` — cheaper than opening it again.
   */
  #held = false;
  #retryAt = 0;
  #lastAttempt = -Infinity;
  #closed = false;
  /** Decoder counters of the cameras closed so far. */
  #past: DecodeStats = { ...ZERO_STATS };
  #outageMs = 0;
  /** Reads that gave no new frame (the last frame or the notice again). */
  repeated = 0;
  /** Times the camera went away (left `"streaming"`). */
  outages = 0;
  /** Times the camera was opened again. */
  reopened = 0;
  /** Times a silent camera was closed and opened again. */
  restarts = 0;

  /**
   * Wraps a started camera (or, with `busy`, one that another program holds).
   *
   * @param feed the camera, streaming (unless `busy`); owned from now on (closed by
   *   {@linkcode close})
   * @param options how to open it again, the timings and the change callback
   */
  constructor(feed: CameraFeed, options: ResilientSourceOptions) {
    this.#feed = feed;
    this.#path = feed.camera.path;
    this.#options = options;
    this.size = feed.size;
    this.fps = feed.fps;
    this.description = feed.description;
    this.warnings = feed.warnings;
    this.#noticeAfterMs = options.noticeAfterMs ?? 2000;
    this.#repeatAfterMs = options.repeatAfterMs ?? 200;
    this.#stallLimitMs = options.stallLimitMs ?? 10_000;
    this.#retryMs = options.retryMs ?? 500;
    this.#maxFps = null;
    this.setMaxFps(options.maxFps ?? null);
    const now = performance.now();
    this.#quietSince = now;
    if (options.busy !== undefined) this.#holdBusy(options.busy, now);
  }

  /**
   * Opens a camera (as {@linkcode CameraSource.open}) that is opened again by its identity —
   * driver, card and bus info, under the node given or any other — whenever it goes away, with
   * the size, format and rate it got now. A camera another program streams from is waited for:
   * the source starts `"busy"`, at the size the camera says it will give (`deferBusy`).
   *
   * @param spec the device (`/dev/video0`, `video0`, `0`, a `/dev/v4l/by-id/…` link)
   * @param options the camera's options and the wrapper's
   * @returns the source, streaming (or waiting for the busy camera)
   * @throws {DeviceError} As {@linkcode CameraSource.open}, apart from a busy camera: at start
   *   every other camera problem is the user's to fix
   */
  static open(spec: string, options: ResilientOpenOptions = {}): ResilientSource {
    const { onWarning } = options;
    const warnings = onWarning === undefined ? undefined : new WarningLimit<DecodeWarningKind>(
      onWarning,
      options.warningIntervalMs === undefined ? {} : { intervalMs: options.warningIntervalMs },
    );
    const feedOptions: CameraSourceOptions = {
      ...options,
      ...(warnings === undefined ? {} : { onWarning: (m, kind) => warnings.warn(m, kind) }),
    };
    // Busy (another program streams from it) is no reason to fail: opened all the same, with
    // the format it will give, and started once it is free.
    const camera = Camera.open(spec, { ...feedOptions, deferBusy: true });
    const identity = identityOf(camera.path, camera.info, options.sysRoot);
    const n = camera.negotiated;
    const first = CameraSource.wrap(camera, { ...feedOptions, start: false });
    let busy: DeviceError | undefined;
    try {
      first.resume();
    } catch (error) {
      if (!(error instanceof DeviceError && error.kind === "busy")) {
        void first.close();
        throw error;
      }
      busy = error;
    }
    // The same picture again, whatever another program set meanwhile.
    const again: CameraSourceOptions = {
      ...feedOptions,
      width: n.width,
      height: n.height,
      format: n.fourcc,
      ...(n.fps === null ? {} : { fps: n.fps }),
    };
    const lib = options.libraryPath;
    return new ResilientSource(first, {
      ...options,
      ...(warnings === undefined ? {} : { warnings }),
      ...(busy === undefined ? {} : { busy }),
      reopen: () => {
        const path = findCamera(identity, spec, {
          ...(lib === undefined ? {} : { libraryPath: lib }),
          ...(options.sysRoot === undefined ? {} : { sysRoot: options.sysRoot }),
        });
        return CameraSource.open(path, again);
      },
    });
  }

  /** How the camera is doing. */
  get state(): CameraState {
    return this.#state;
  }

  /** Why the camera is away (the latest failure), or `null` while it streams. */
  get error(): DeviceError | null {
    return this.#state === "streaming" ? null : this.#error;
  }

  /**
   * Whether the last read gave no picture worth showing: the camera has been away for
   * `noticeAfterMs`, or has sent nothing since it started or resumed. The frame then holds the
   * last picture (or nothing); the loop shows the background with a notice instead.
   */
  get standby(): boolean {
    return this.#standby;
  }

  /** The camera's node now. */
  get path(): string {
    return this.#path;
  }

  /** Milliseconds the camera has been away so far, the current absence included. */
  get outageMs(): number {
    const now = this.#state === "streaming" || this.#troubleSince === null
      ? 0
      : performance.now() - this.#troubleSince;
    return this.#outageMs + now;
  }

  /** The decoders' counters, over every time the camera was opened. */
  get decodeStats(): Readonly<DecodeStats> {
    const now = this.#feed?.decodeStats ?? ZERO_STATS;
    return {
      decoded: this.#past.decoded + now.decoded,
      skipped: this.#past.skipped + now.skipped,
      damaged: this.#past.damaged + now.damaged,
      lastWarning: now.lastWarning ?? this.#past.lastWarning,
    };
  }

  /** The frame-rate limit, or `null` for none. */
  get maxFps(): number | null {
    return this.#maxFps;
  }

  /**
   * Changes the frame-rate limit from the next read on (kept when the camera is opened again).
   *
   * @param fps Frames per second, or `null` for no limit.
   * @throws {RangeError} When `fps` is not a positive finite number.
   */
  setMaxFps(fps: number | null): void {
    if (fps !== null && !(Number.isFinite(fps) && fps > 0)) {
      throw new RangeError(`Cannot limit the frame rate to ${fps} fps: it must be above 0`);
    }
    this.#feed?.setMaxFps(fps);
    this.#maxFps = fps;
  }

  /**
   * Fills `into` with the camera's next frame; when there is none, leaves it as it is (the last
   * frame) at the camera's rate, and sets {@linkcode standby} once the camera has been away for
   * `noticeAfterMs`. A camera problem never ends it.
   *
   * @param into A frame of {@linkcode size}.
   * @param timing This frame's timing record (`decode` is set).
   * @returns `true`; `false` once closed.
   * @throws {RangeError} When `into` has another size.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    if (this.#closed) return false;
    timing.decode = 0;
    this.#options.warnings?.flush();
    const start = performance.now();
    if (!this.#started) {
      // Silence counts from the first read (the model may load for a while after the open).
      this.#started = true;
      this.#quietSince = start;
    }
    for (;;) {
      let now = performance.now();
      if ((this.#feed === null || this.#held) && now >= this.#retryAt) {
        if (this.#feed === null) this.#reopen(now);
        else this.#start(now);
        now = performance.now();
      }
      const due = this.#dueAt(start);
      if (this.#feed !== null && !this.#held) {
        let got: boolean;
        try {
          got = await this.#feed.next(into, timing, due - now);
        } catch (error) {
          if (!(error instanceof DeviceError)) throw error;
          this.#fail(error, performance.now());
          continue;
        }
        now = performance.now();
        if (got) {
          // A frame just after a repeat waits for half an interval: the output stays even.
          const hold = this.#repeating ? this.#repeatedAt + this.#tickMs() / 2 - now : 0;
          if (hold > 0) await new Promise((r) => setTimeout(r, hold));
          this.#gotFrame(performance.now());
          return true;
        }
        if (now - this.#quietSince >= this.#stallLimitMs) this.#restart();
      } else {
        const until = Math.min(due, this.#retryAt);
        if (until > now) await new Promise((r) => setTimeout(r, until - now));
        now = performance.now();
      }
      if (now >= due) {
        this.#noFrame(now);
        return true;
      }
    }
  }

  /** When this read must give something: after a short wait while frames come, else at the camera's rate. */
  #dueAt(start: number): number {
    if (this.#feed === null || this.#held || this.#repeating) return start + this.#tickMs();
    // The first frame after a start: wait for it, up to the notice.
    if (!this.#hasPicture) return this.#quietSince + this.#noticeAfterMs;
    return this.#quietSince + this.#repeatAfterMs;
  }

  /** The output's frame interval: the camera's, or the limit's when lower. */
  #tickMs(): number {
    const fps = Math.min(this.fps > 0 ? this.fps : 30, this.#maxFps ?? Infinity);
    return 1000 / fps;
  }

  #gotFrame(now: number): void {
    if (this.#state !== "streaming") {
      const away = now - (this.#troubleSince ?? now);
      this.#outageMs += away;
      this.#troubleSince = null;
      this.#set("streaming", away);
    }
    this.#troubleSince = null;
    this.#error = null;
    this.#repeating = false;
    this.#hasPicture = true;
    this.#standby = false;
    this.#quietSince = now;
  }

  /** A read that gave no new frame: the last one again, or the notice. */
  #noFrame(now: number): void {
    this.repeated++;
    this.#repeating = true;
    this.#repeatedAt = now;
    this.#troubleSince ??= this.#quietSince;
    const away = now - this.#troubleSince;
    const long = away >= this.#noticeAfterMs || !this.#hasPicture;
    if (this.#state === "streaming" && long) {
      const seconds = Number((away / 1000).toFixed(1));
      this.#error = new DeviceError(
        "timeout",
        `No frame from "${this.#path}" for ${seconds} s`,
        { path: this.#path, purpose: "camera" },
      );
      this.#set("silent", null);
    }
    this.#standby = this.#state !== "streaming" && long;
  }

  /**
   * The camera failed: close it and look for it again from the next read on (at most every
   * `retryMs`; a busy one after `retryMs`): closing and opening in two reads keeps each short.
   */
  #fail(error: DeviceError, now: number): void {
    this.#closeFeed();
    this.#troubleSince ??= now;
    this.#error = error;
    this.#retryAt = error.kind === "busy"
      ? now + this.#retryMs
      : Math.max(performance.now() + this.#tickMs(), this.#lastAttempt + this.#retryMs);
    this.#set(error.kind === "busy" ? "busy" : "lost", null);
  }

  /**
   * Starts the open camera (after a pause, or while another program held it). Busy: it stays
   * open and is tried again in `retryMs`; any other failure closes it and it is looked for again.
   */
  #start(now: number): void {
    try {
      this.#feed!.resume();
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      if (error.kind !== "busy") {
        this.#fail(error, now);
        return;
      }
      this.#holdBusy(error, now);
      return;
    }
    this.#held = false;
    this.#quietSince = performance.now();
  }

  /** The open camera cannot start, another program streams from it: started again in `retryMs`. */
  #holdBusy(error: DeviceError, now: number): void {
    this.#held = true;
    this.#troubleSince ??= now;
    this.#error = error;
    this.#retryAt = now + this.#retryMs;
    this.#set("busy", null);
  }

  /** Silent for the stall limit: close it and open it again (the state stays `"silent"`). */
  #restart(): void {
    this.restarts++;
    this.#closeFeed();
    this.#retryAt = Math.max(performance.now() + this.#tickMs(), this.#lastAttempt + this.#retryMs);
  }

  #reopen(now: number): void {
    this.#lastAttempt = now;
    let feed: CameraFeed;
    try {
      feed = this.#options.reopen();
      const { width, height } = feed.size;
      if (width !== this.size.width || height !== this.size.height) {
        void feed.close();
        throw new DeviceError(
          "format",
          `Cannot use "${feed.camera.path}" again: it gives ${width}x${height}, not the ${this.size.width}x${this.size.height} backscrub started with`,
          { path: feed.camera.path, purpose: "camera" },
        );
      }
      feed.setMaxFps(this.#maxFps);
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      this.#troubleSince ??= now;
      this.#error = error;
      this.#retryAt = now + this.#retryMs;
      this.#set(error.kind === "busy" ? "busy" : "lost", null);
      return;
    }
    this.#feed = feed;
    this.#path = feed.camera.path;
    this.#quietSince = performance.now();
    this.reopened++;
  }

  #closeFeed(): void {
    const feed = this.#feed;
    if (feed === null) return;
    this.#feed = null;
    this.#held = false;
    const s = feed.decodeStats;
    this.#past = {
      decoded: this.#past.decoded + s.decoded,
      skipped: this.#past.skipped + s.skipped,
      damaged: this.#past.damaged + s.damaged,
      lastWarning: s.lastWarning ?? this.#past.lastWarning,
    };
    void feed.close();
  }

  #set(state: CameraState, awayMs: number | null): void {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    if (previous === "streaming") this.outages++;
    this.#options.onChange?.({
      state,
      previous,
      error: state === "streaming" ? null : this.#error,
      awayMs,
      path: this.#path,
    });
  }

  /**
   * Stops the camera while nobody needs frames (its light goes off); a camera that is away is
   * not looked for meanwhile. Call it between reads. Idempotent.
   */
  pause(): void {
    this.#feed?.pause();
  }

  /**
   * Starts the camera again after {@linkcode pause}; the next read waits for a new frame (up to
   * `noticeAfterMs`), nothing from before the pause is shown. A camera that cannot start (another
   * program took it meanwhile) is tried again every `retryMs` from the next read on: this never
   * throws a camera problem.
   */
  resume(): void {
    const now = performance.now();
    this.#hasPicture = false;
    this.#repeating = false;
    this.#quietSince = now;
    if (this.#feed === null) {
      this.#retryAt = now;
      return;
    }
    this.#start(now);
  }

  /** Stops and closes the camera. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closeFeed();
    return Promise.resolve();
  }
}
