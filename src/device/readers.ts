/**
 * Who reads the virtual camera: {@linkcode ReaderWatch} counts the other programs' open handles of
 * a device node from inotify's open and close events, and {@linkcode ReaderGate} pauses the camera
 * while that count stays 0 (backscrub then idles: camera stopped, no CPU) and starts it again when
 * a program opens the device.
 *
 * v4l2loopback does not say how many readers it has; the opens and closes of its device node are
 * the reliable sign (a program that only looks at the device opens it too, and wakes the camera
 * for a moment).
 *
 * @module
 */

import { IN, Inotify, type InotifyEvent, LibcError } from "../../ffi/libc/mod.ts";
import type { Frame, FrameSource, FrameTiming, Size } from "../frame/mod.ts";
import { DeviceError } from "./errors.ts";
import { countHandles } from "./holders.ts";

/** The events that open and close the watched node. */
const OPEN_CLOSE = IN.OPEN | IN.CLOSE_WRITE | IN.CLOSE_NOWRITE;
const CLOSE = IN.CLOSE_WRITE | IN.CLOSE_NOWRITE;

/** Options for {@linkcode ReaderWatch.open}. */
export interface ReaderWatchOptions {
  /**
   * The proc mount used to find the programs that hold the node open (default `"/proc"`; `null`:
   * never look). See {@linkcode ReaderWatch} for when it is read.
   */
  procRoot?: string | null;
  /**
   * How long after the last event the count is checked against `/proc` when closes came (default
   * 250 ms; see {@linkcode ReaderWatch}).
   */
  recheckMs?: number;
}

/**
 * Counts the open handles of a device node held by other programs, from inotify events (`IN_OPEN`
 * minus `IN_CLOSE_WRITE`/`IN_CLOSE_NOWRITE`), without blocking the event loop or using CPU while
 * nothing happens.
 *
 * Start it after this process has opened its own handles of the node: events from before the
 * watch are never delivered, so this process's opens (e.g. while negotiating the format) are not
 * counted. A close whose open came before the watch (this process's own handle, or a program that
 * had the node open already) never takes the count below 0. Events are applied in the order the
 * kernel queued them, a whole read at a time, so a close and a reopen read together never count
 * as a moment without readers.
 *
 * The event count has one blind spot: the kernel merges an event into the previous one when both
 * are identical and unread, so two quick opens by two programs can come as one `IN_OPEN`. So the
 * programs holding the node are also looked up in `/proc/PID/fd` (this user's programs; all of
 * them as root) when the watch starts — programs that had it open before — and after closes, once
 * no event has come for `recheckMs` (a program listing cameras again and again costs one lookup,
 * not one per close; `ReaderGate` waits far longer than that before it pauses), and
 * {@linkcode readers} is the larger of the two.
 *
 * Two closes merged the same way (two programs listing cameras that close the node at the same
 * moment, or one that holds two handles and exits) leave the event count one too high, and it
 * would never come back to 0. So that lookup also checks the count: when it could read every
 * process's descriptors (as root) and finds fewer handles than the count — other programs'
 * handles, and this process's beyond those it had when the watch started — the count becomes the
 * lookup's. When some process could not be read (as another user: other users' programs, or
 * non-dumpable ones) it may be the reader the count stands for: the count is kept, and backscrub
 * stays awake, as it did without idling. When in doubt, stay awake. A lost-events overflow starts
 * the count again from a lookup at once.
 *
 * @example
 * ```ts
 * import { ReaderWatch } from "./readers.ts";
 *
 * await using watch = ReaderWatch.open("/dev/video10");
 * console.log(watch.readers); // e.g. 0
 * if (await watch.waitForReader(AbortSignal.timeout(60_000))) {
 *   console.log(`${watch.readers} program(s) opened it`);
 *   await watch.waitForNoReaders();
 * }
 * ```
 */
export class ReaderWatch {
  readonly #path: string;
  readonly #inotify: Inotify;
  readonly #wd: number;
  readonly #procRoot: string | null;
  readonly #recheckMs: number;
  /** This process's own handles of the node when the watch started (not readers). */
  readonly #selfAtStart: number;
  /** The pending check of the count against `/proc`, or `null`. */
  #recheck: ReturnType<typeof setTimeout> | null = null;
  #lookups = 0;
  readonly #listeners = new Set<() => void>();
  readonly #loop: Promise<void>;
  /** Opens minus closes seen (never below 0). */
  #events = 0;
  /** Other programs holding the node at the last `/proc` lookup. */
  #floor: number;
  #unreadSince: number | null;
  #error: Error | null = null;
  #closed = false;

  private constructor(
    path: string,
    inotify: Inotify,
    wd: number,
    options: { procRoot: string | null; recheckMs: number },
  ) {
    this.#path = path;
    this.#inotify = inotify;
    this.#wd = wd;
    this.#procRoot = options.procRoot;
    this.#recheckMs = options.recheckMs;
    // After the watch is in place: a program opening meanwhile is seen by one or the other.
    const start = this.#lookup();
    this.#floor = start?.processes ?? 0;
    this.#selfAtStart = start?.selfHandles ?? 0;
    this.#unreadSince = this.#floor === 0 ? performance.now() : null;
    this.#loop = this.#run();
  }

  /**
   * Starts watching `path`.
   *
   * @param path The device node (e.g. `/dev/video10`); any file works.
   * @param options Where `/proc` is.
   * @returns The watch; {@linkcode close} it.
   * @throws {DeviceError} When the node is missing or cannot be watched (the message says why).
   */
  static open(path: string, options: ReaderWatchOptions = {}): ReaderWatch {
    let inotify: Inotify;
    let wd: number;
    try {
      inotify = Inotify.open();
    } catch (error) {
      throw watchError(error, path);
    }
    try {
      wd = inotify.addWatch(path, OPEN_CLOSE);
    } catch (error) {
      void inotify.close();
      // Its message already says `Cannot watch "<path>": …`.
      throw watchError(error, path, true);
    }
    const procRoot = options.procRoot === undefined ? "/proc" : options.procRoot;
    return new ReaderWatch(path, inotify, wd, {
      procRoot,
      recheckMs: options.recheckMs ?? 250,
    });
  }

  /** The watched path. */
  get path(): string {
    return this.#path;
  }

  /** How many handles other programs hold open now (best knowledge, never negative). */
  get readers(): number {
    return Math.max(this.#events, this.#floor);
  }

  /**
   * When the count last fell to 0 (`performance.now()` time; the watch's start when nobody had
   * the node open then), or `null` while there are readers.
   */
  get unreadSince(): number | null {
    return this.#unreadSince;
  }

  /**
   * Waits until at least one other program has the node open (at once if one has).
   *
   * @param signal Ends the wait early.
   * @returns `true` when there is a reader; `false` when `signal` aborted or the watch was closed.
   * @throws {DeviceError} When the node disappeared (e.g. v4l2loopback was unloaded).
   */
  waitForReader(signal?: AbortSignal): Promise<boolean> {
    return this.#waitUntil(() => this.readers > 0, signal);
  }

  /**
   * Waits until no other program has the node open (at once if none has).
   *
   * @param signal Ends the wait early.
   * @returns `true` when the count is 0; `false` when `signal` aborted or the watch was closed.
   * @throws {DeviceError} When the node disappeared.
   */
  waitForNoReaders(signal?: AbortSignal): Promise<boolean> {
    return this.#waitUntil(() => this.readers === 0, signal);
  }

  #waitUntil(done: () => boolean, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const check = (): void => {
        if (this.#error !== null) finish(() => reject(this.#error));
        else if (done()) finish(() => resolve(true));
        else if (this.#closed || signal?.aborted) finish(() => resolve(false));
      };
      const finish = (settle: () => void): void => {
        this.#listeners.delete(check);
        signal?.removeEventListener("abort", check);
        settle();
      };
      this.#listeners.add(check);
      signal?.addEventListener("abort", check);
      check();
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** The handles of the node `/proc` shows, or `null` when it is not looked at. */
  #lookup(): ReturnType<typeof countHandles> | null {
    if (this.#procRoot === null) return null;
    this.#lookups++;
    return countHandles(this.#path, this.#procRoot);
  }

  /** How many times `/proc` was looked at so far (each scans every process's descriptors). */
  get lookups(): number {
    return this.#lookups;
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed) {
        const ready = await this.#inotify.wait();
        if (this.#closed) break;
        if (ready) this.#apply(this.#inotify.read());
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The watch failed (the node disappeared): every wait hears it. */
  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#cancelRecheck();
    this.#error = error instanceof DeviceError ? error : watchError(error, this.#path);
    this.#notify();
  }

  /** Applies one read's events, in the order the kernel queued them. */
  #apply(events: InotifyEvent[]): void {
    if (events.length === 0) return;
    const was = this.readers;
    let count = this.#events;
    let closes = 0;
    let overflow = false;
    let gone = false;
    for (const e of events) {
      if ((e.mask & IN.Q_OVERFLOW) !== 0) overflow = true;
      if (e.wd !== this.#wd) continue;
      if ((e.mask & IN.OPEN) !== 0) count++;
      if ((e.mask & CLOSE) !== 0) {
        // A close without its open (an open from before the watch) must not count below zero.
        count = Math.max(0, count - 1);
        closes++;
      }
      if ((e.mask & IN.IGNORED) !== 0) gone = true;
    }
    if (gone) {
      throw new DeviceError(
        "disconnected",
        `Cannot watch "${this.#path}" for readers: it disappeared`,
        { path: this.#path, purpose: "virtual" },
      );
    }
    if (overflow) count = 0;
    this.#events = count;
    if (overflow) this.#floor = this.#lookup()?.processes ?? 0;
    // After closes, /proc is asked once all is quiet (every event puts it off): a program may
    // still hold the node (merged opens), or a close may have been two (merged closes).
    if (closes > 0 || this.#recheck !== null) this.#scheduleRecheck();
    this.#changed(was);
  }

  /** Tells the waits when the count changed from `was`; keeps `unreadSince`. */
  #changed(was: number): void {
    const now = this.readers;
    if (now === 0 && was > 0) this.#unreadSince = performance.now();
    if (now > 0) this.#unreadSince = null;
    if (now !== was) this.#notify();
  }

  #scheduleRecheck(): void {
    this.#cancelRecheck();
    this.#recheck = setTimeout(() => this.#recount(), this.#recheckMs);
  }

  #cancelRecheck(): void {
    if (this.#recheck === null) return;
    clearTimeout(this.#recheck);
    this.#recheck = null;
  }

  /**
   * `/proc`, no event having come for `recheckMs` after closes: the programs holding the node,
   * and the count lowered to the handles found when the lookup could see every process (see the
   * class).
   */
  #recount(): void {
    this.#recheck = null;
    if (this.#closed) return;
    const found = this.#lookup();
    if (found === null) return;
    try {
      // An event that came during the lookup (a close whose handle it no longer saw) goes first;
      // the lookup is made again later.
      const late = this.#inotify.read();
      if (late.length > 0) {
        this.#apply(late);
        this.#scheduleRecheck();
        return;
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    const was = this.readers;
    this.#floor = found.processes;
    if (found.complete && this.#events > 0) {
      const handles = found.handles + Math.max(0, found.selfHandles - this.#selfAtStart);
      if (handles < this.#events) this.#events = handles;
    }
    this.#changed(was);
  }

  /**
   * Stops watching; pending waits return `false`. Calling it again does nothing.
   *
   * @returns Resolves once the inotify instance is closed.
   */
  async close(): Promise<void> {
    this.#cancelRecheck();
    if (!this.#closed) {
      this.#closed = true;
      this.#notify();
    }
    await this.#inotify.close();
    await this.#loop;
  }

  /** Same as {@linkcode close}, for `using` (the descriptors close a moment later). */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A failure to watch `path` (the virtual camera), as a one-line {@linkcode DeviceError}:
 * `"not-found"` when the node is missing (`ENOENT`), else `"io"`; the errno of a failed libc
 * call, and the original error as `cause`.
 *
 * @param error What failed.
 * @param path The watched node.
 * @param stated Whether the error's message already names the watch of `path` (a failed
 *   `addWatch`): then it is kept as it is.
 */
function watchError(error: unknown, path: string, stated = false): DeviceError {
  const message = error instanceof Error ? error.message : String(error);
  const libc = error instanceof LibcError ? error : null;
  const kind = libc?.code === "ENOENT" ? "not-found" : "io";
  const text = stated ? message : `Cannot watch "${path}": ${message}`;
  return new DeviceError(kind, text, {
    path,
    purpose: "virtual",
    ...(libc === null ? {} : { errno: libc.errno, code: libc.code }),
    cause: error,
  });
}

/**
 * Who reads an output, as {@linkcode ReaderGate} needs to know it: a {@linkcode ReaderWatch} on a
 * v4l2loopback node, a PipeWire camera (`PipewireSink`: linked programs), or several outputs
 * together ({@linkcode anyReaders}).
 */
export interface Readers {
  /** How many readers there are now (best knowledge). */
  readonly readers: number;
  /**
   * When the count last fell to 0 (`performance.now()` time; the start when there were none
   * then), or `null` while there are readers.
   */
  readonly unreadSince: number | null;
  /**
   * Waits until there is a reader (at once if there is one).
   *
   * @returns `true` when there is one; `false` when `signal` aborted or the output was closed
   */
  waitForReader(signal?: AbortSignal): Promise<boolean>;
}

/**
 * The readers of several outputs as one: read while any output is read, unread since the last
 * of them lost its readers.
 *
 * @example
 * ```ts ignore
 * const readers = anyReaders([ReaderWatch.open("/dev/video10"), pipewireSink]);
 * ```
 *
 * @param outputs the outputs' readers (at least one)
 * @returns their union
 */
export function anyReaders(outputs: readonly Readers[]): Readers {
  if (outputs.length === 1) return outputs[0]!;
  return {
    get readers(): number {
      return outputs.reduce((n, o) => n + o.readers, 0);
    },
    get unreadSince(): number | null {
      let latest = -Infinity;
      for (const o of outputs) {
        const since = o.unreadSince;
        if (since === null) return null;
        latest = Math.max(latest, since);
      }
      return latest;
    },
    async waitForReader(signal?: AbortSignal): Promise<boolean> {
      if (outputs.some((o) => o.readers > 0)) return true;
      const done = new AbortController();
      const both = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
      try {
        return await Promise.race(outputs.map((o) => o.waitForReader(both)));
      } finally {
        done.abort();
      }
    },
  };
}

/** A frame source that can stop its device while nothing is read (a camera: `CameraSource`). */
export interface PausableSource extends FrameSource {
  /** Stops the device (e.g. STREAMOFF: the camera's light goes off). Called between reads. */
  pause(): void;
  /** Starts it again. */
  resume(): void;
}

/** Options for {@linkcode ReaderGate}. */
export interface ReaderGateOptions {
  /** How long the count must stay 0 before the source is paused, in ms. */
  idleAfterMs: number;
  /** Ends an idle wait: the read then returns `false` (end of stream). */
  signal?: AbortSignal;
  /** Called when the source is paused. */
  onIdle?: () => void;
  /** Called when it is resumed, with the milliseconds spent idle. */
  onResume?: (idleMs: number) => void;
}

/**
 * A frame source that pauses while nobody reads the output: before each read, when the
 * {@linkcode Readers} (a {@linkcode ReaderWatch}, a PipeWire camera) have counted no reader for `idleAfterMs` (counted from the first read at
 * the earliest), it pauses the source and waits (no CPU) for a reader, then resumes the source and
 * reads. Size, rate, description and the timing the read records are the source's.
 *
 * @example
 * ```ts
 * import { FrameTiming, makeFrame } from "../frame/mod.ts";
 * import { CameraSource } from "./camera_source.ts";
 * import { ReaderGate, ReaderWatch } from "./readers.ts";
 *
 * const camera = CameraSource.open("video0");
 * await using watch = ReaderWatch.open("/dev/video10");
 * const source = new ReaderGate(camera, watch, {
 *   idleAfterMs: 2000,
 *   onIdle: () => console.log("camera paused"),
 * });
 * const frame = makeFrame(source.size, "422");
 * await source.read(frame, new FrameTiming()); // waits while nobody reads /dev/video10
 * await source.close();
 * ```
 */
export class ReaderGate implements FrameSource {
  /** The source's frame size. */
  readonly size: Size;
  /** The source's frame rate. */
  readonly fps: number;
  /** The source's description. */
  readonly description: string;
  /** A live frame-rate change, passed on to the source when it paces itself (a camera). */
  readonly setMaxFps?: (fps: number | null) => void;
  readonly #source: PausableSource;
  readonly #watch: Readers;
  readonly #options: ReaderGateOptions;
  #startedAt: number | null = null;
  /** Milliseconds spent idle (paused, waiting for a reader) so far. */
  idleMs = 0;
  /** How many times the source was paused. */
  pauses = 0;
  #paused = false;
  /** Holds that keep the source running without a reader (the control panel's preview). */
  #holds = 0;
  #wake: AbortController | null = null;

  /**
   * Wraps a source.
   *
   * @param source The source to pause; closed by {@linkcode close}.
   * @param watch The readers of the output (not closed here).
   * @param options When to pause, the abort signal and callbacks.
   */
  constructor(source: PausableSource, watch: Readers, options: ReaderGateOptions) {
    if (source.setMaxFps !== undefined) this.setMaxFps = (fps) => source.setMaxFps!(fps);
    this.#source = source;
    this.#watch = watch;
    this.#options = options;
    this.size = source.size;
    this.fps = source.fps;
    this.description = source.description;
  }

  /**
   * Reads the next frame, first waiting (paused) while nobody has read the output for
   * `idleAfterMs`. The idle wait is not timed separately: it is part of the read.
   *
   * @param into The frame to fill, as the source's `read` takes it.
   * @param timing This frame's timing record (the source sets `decode`).
   * @returns The source's answer; `false` when the signal ended an idle wait.
   * @throws {DeviceError} When the output node disappeared, or as the source's `read`/`resume`.
   */
  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    return await this.#admit() && await this.#source.read(into, timing);
  }

  /** The source's {@linkcode FrameSource.standby}: its last read gave no picture to show. */
  get standby(): boolean {
    return this.#source.standby === true;
  }

  /** Whether the source is paused now (waiting for a reader). */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Keeps the source running while something besides the output's readers watches it (the
   * control panel's preview): a paused source resumes at once, and none pauses until every hold
   * is released.
   *
   * @returns releases the hold (idempotent)
   */
  hold(): () => void {
    this.#holds++;
    this.#wake?.abort();
    let held = true;
    return () => {
      if (held) this.#holds--;
      held = false;
    };
  }

  /** Whether the next read may go ahead, after idling if nobody reads. */
  async #admit(): Promise<boolean> {
    const now = performance.now();
    // The first read always goes ahead (e.g. the model's first run happens then), and the time
    // without readers counts from it at the earliest.
    this.#startedAt ??= now;
    const since = this.#watch.unreadSince;
    if (
      this.#holds > 0 || since === null ||
      now - Math.max(since, this.#startedAt) < this.#options.idleAfterMs
    ) {
      return true;
    }
    if (this.#options.signal?.aborted) return false;
    this.#source.pause();
    this.#paused = true;
    this.pauses++;
    this.#options.onIdle?.();
    const t0 = performance.now();
    const wake = new AbortController();
    this.#wake = wake;
    const outer = this.#options.signal;
    let reader: boolean;
    try {
      reader = await this.#watch.waitForReader(
        outer ? AbortSignal.any([outer, wake.signal]) : wake.signal,
      );
    } finally {
      this.#wake = null;
    }
    const idle = performance.now() - t0;
    this.idleMs += idle;
    if (!reader && (outer?.aborted || this.#holds === 0)) return false;
    this.#paused = false;
    this.#source.resume();
    this.#options.onResume?.(idle);
    return true;
  }

  /** Closes the source. Idempotent. */
  close(): Promise<void> {
    return this.#source.close();
  }
}
