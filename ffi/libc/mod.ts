/**
 * Small libc services for the rest of the program:
 *
 * - {@linkcode yieldToEventLoop}: a way for a busy loop to let finished async ops through. The
 *   pipeline's live loop awaits only promises that are already resolved when its source is in
 *   memory (tests, benchmarks); those never reach the event loop's poll phase, so the promise of a
 *   nonblocking ONNX Runtime Run would never settle. Awaiting it costs about 20 µs (a round trip
 *   through Deno's blocking-call thread) and lets it settle; a timer (`setTimeout(0)`) would cost
 *   a millisecond or more.
 * - {@linkcode Inotify}: file events (who opens and closes a file) from the kernel, read from a
 *   nonblocking inotify descriptor. {@linkcode Inotify.wait} sleeps in `poll()` on Deno's
 *   blocking-call thread, so waiting for events costs no CPU and never blocks the event loop.
 *
 * Failed calls become {@linkcode LibcError} (with `errno`) in one place, `check`. libc itself is
 * loaded once per process ({@linkcode libc}); the V4L2 binding uses the same symbols and
 * {@linkcode readErrno}.
 *
 * @module
 */

import { EFD, ERRNO, IN_INIT, INOTIFY_EVENT, NAME_MAX, POLL, POLLFD } from "./layout.ts";
import { errnoName, errnoText } from "./errno.ts";
import { type LibcSymbols, symbols } from "./symbols.ts";
import { namedCandidates, openLibrary } from "../_library.ts";

export { IN } from "./layout.ts";
export type { LibcSymbols } from "./symbols.ts";

let lib: LibcSymbols | null = null;

/**
 * libc, loaded once per process for every binding (it stays loaded until exit).
 *
 * @returns its symbols
 * @throws {LibraryLoadError} when `libc.so.6` cannot be loaded (not a glibc system)
 */
export function libc(): LibcSymbols {
  lib ??= openLibrary("libc", namedCandidates("libc"), symbols, (l) => l.symbols).value;
  return lib;
}

/**
 * Yields to the event loop so that finished async ops (e.g. ONNX Runtime runs) are delivered.
 *
 * @example
 * ```ts
 * while (busy) await yieldToEventLoop();
 * ```
 */
export async function yieldToEventLoop(): Promise<void> {
  await libc().sched_yield();
}

/**
 * A failed libc call, with its `errno`. The message is one line naming what was attempted and the
 * reason, e.g. `Cannot watch "/dev/video10": no such file (ENOENT)`.
 */
export class LibcError extends Error {
  /** The `errno` value. */
  readonly errno: number;
  /** The symbolic name, e.g. `"ENOENT"` (`"E?"` for values this binding does not name). */
  readonly code: string;
  /** What was attempted, e.g. `watch "/dev/video10"` or `use inotify`. */
  readonly action: string;

  /**
   * Creates the error.
   *
   * @param action What was attempted, e.g. `watch "/dev/video10"`.
   * @param errno The `errno` value.
   * @param detail A reason that replaces the `errno` text.
   */
  constructor(action: string, errno: number, detail?: string) {
    const code = errnoName(errno) ?? `E${errno}`;
    const reason = detail ?? errnoText(errno) ?? `error ${errno}`;
    super(`Cannot ${action}: ${reason} (${code})`);
    this.name = "LibcError";
    this.errno = errno;
    this.code = errnoName(errno) ?? "E?";
    this.action = action;
  }
}

/**
 * Reads the calling thread's `errno`. Only valid right after a failed call made on this thread
 * (not after a `nonblocking` one, which runs on another thread).
 *
 * Why reading it after the call is safe: Deno runs a synchronous FFI call (no `nonblocking`) on
 * the calling JavaScript thread and returns straight to it, and `errno` is thread-local. Between
 * the failing call and this read only the FFI return path and our own JavaScript run on this
 * thread; neither calls libc functions that fail, and successful libc calls leave `errno` alone.
 *
 * @param c libc (default: {@linkcode libc})
 * @returns the current `errno`
 */
export function readErrno(c: LibcSymbols = libc()): number {
  const ptr = c.__errno_location();
  return ptr === null ? 0 : new Deno.UnsafePointerView(ptr).getInt32();
}

/**
 * The one check of this library: a result of -1 means failure with `errno`. `EINTR` is retried;
 * `EAGAIN` (nothing to read on a nonblocking descriptor) gives `null` when `again` is `"return"`;
 * everything else throws.
 *
 * @param c libc.
 * @param call The call (made again after `EINTR`).
 * @param action For the message, e.g. `watch "/dev/video10"`.
 * @param options `again`, and reasons that replace the `errno` text.
 * @returns The result, or `null` for `EAGAIN` with `again: "return"`.
 * @throws {LibcError} When the call fails.
 */
function check(
  c: LibcSymbols,
  call: () => number | bigint,
  action: string,
  options: { again?: "return" | "throw"; reasons?: Record<number, string> } = {},
): number | null {
  for (;;) {
    const result = Number(call());
    if (result !== -1) return result;
    const errno = readErrno(c);
    if (errno === ERRNO.EINTR) continue;
    if (errno === ERRNO.EAGAIN && options.again === "return") return null;
    throw new LibcError(action, errno, options.reasons?.[errno]);
  }
}

/** One event read from an {@linkcode Inotify}. */
export interface InotifyEvent {
  /** The watch it belongs to (from {@linkcode Inotify.addWatch}); -1 for `IN.Q_OVERFLOW`. */
  wd: number;
  /** What happened: `IN.*` bits. */
  mask: number;
  /** Connects the two halves of a rename; 0 otherwise. */
  cookie: number;
  /** The file's name inside a watched folder; `""` for a watched file itself. */
  name: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Closes descriptors of an {@linkcode Inotify} that was dropped without `close()`. */
const leaked = new FinalizationRegistry<number[]>((fds) => {
  for (const fd of fds) libc().close(fd);
});

/**
 * An inotify instance: watches files and hands out their events. The descriptor is nonblocking
 * and close-on-exec. {@linkcode wait} sleeps in `poll()` on Deno's blocking-call thread (no CPU,
 * the event loop stays free) until events are ready or {@linkcode close} wakes it (through an
 * eventfd, so a pending wait ends at once and no descriptor is closed under it).
 *
 * The kernel merges an event into the previous one when both are identical and the first has not
 * been read yet: two quick opens of a file may come as one `IN.OPEN`.
 *
 * @example
 * ```ts
 * import { IN, Inotify } from "./mod.ts";
 *
 * await using inotify = Inotify.open();
 * const path = await Deno.makeTempFile();
 * const wd = inotify.addWatch(path, IN.OPEN | IN.CLOSE_WRITE | IN.CLOSE_NOWRITE);
 * (await Deno.open(path)).close();
 * if (await inotify.wait(1000)) {
 *   for (const e of inotify.read()) console.log(e.wd === wd, (e.mask & IN.OPEN) !== 0);
 * }
 * ```
 */
export class Inotify {
  #fd: number;
  #wake: number;
  readonly #c: LibcSymbols;
  /** Two `struct pollfd`: the inotify descriptor, then the eventfd. */
  readonly #pollfds = new Uint8Array(2 * POLLFD.size);
  readonly #pollView = new DataView(this.#pollfds.buffer);
  readonly #buffer = new Uint8Array(Math.max(4096, INOTIFY_EVENT.size + NAME_MAX + 1));
  readonly #view = new DataView(this.#buffer.buffer);
  readonly #one = new Uint8Array(new BigUint64Array([1n]).buffer);
  #waiting = false;
  #closing = false;
  #closed: Promise<void> | null = null;
  #onClosed: () => void = () => {};

  private constructor(c: LibcSymbols, fd: number, wake: number) {
    this.#c = c;
    this.#fd = fd;
    this.#wake = wake;
    leaked.register(this, [fd, wake], this);
  }

  /**
   * Creates an inotify instance (`inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`) and its wake-up
   * eventfd.
   *
   * @returns The instance; {@linkcode close} it.
   * @throws {LibcError} When the per-user limit of inotify instances is reached, or out of
   *   descriptors.
   */
  static open(): Inotify {
    const c = libc();
    const fd = check(c, () => c.inotify_init1(IN_INIT.NONBLOCK | IN_INIT.CLOEXEC), "use inotify", {
      reasons: { [ERRNO.EMFILE]: "this user has too many inotify instances" },
    })!;
    let wake: number;
    try {
      wake = check(c, () => c.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC), "make an eventfd")!;
    } catch (error) {
      c.close(fd);
      throw error;
    }
    return new Inotify(c, fd, wake);
  }

  /** Whether {@linkcode close} has been called. */
  get closed(): boolean {
    return this.#closing || this.#fd === -1;
  }

  #live(action: string): number {
    if (this.closed) throw new Error(`Cannot ${action}: the inotify instance is closed`);
    return this.#fd;
  }

  /**
   * Starts watching a file (or adds bits to its watch).
   *
   * @param path The file; symbolic links are followed.
   * @param mask `IN.*` bits to report.
   * @returns The watch descriptor, as in {@linkcode InotifyEvent.wd}.
   * @throws {LibcError} When the file is missing or not readable, or the per-user watch limit is
   *   reached.
   */
  addWatch(path: string, mask: number): number {
    const fd = this.#live(`watch "${path}"`);
    const cpath = encoder.encode(path + "\0");
    return check(this.#c, () => this.#c.inotify_add_watch(fd, cpath, mask), `watch "${path}"`, {
      reasons: { [ERRNO.ENOSPC]: "this user has too many inotify watches" },
    })!;
  }

  /**
   * Stops a watch; the kernel then queues an `IN.IGNORED` event for it.
   *
   * @param wd From {@linkcode addWatch}.
   * @returns `false` when the watch was already gone (e.g. its file was deleted).
   */
  removeWatch(wd: number): boolean {
    const fd = this.#live("remove an inotify watch");
    try {
      check(this.#c, () => this.#c.inotify_rm_watch(fd, wd), "remove an inotify watch");
      return true;
    } catch (error) {
      if (error instanceof LibcError && error.errno === ERRNO.EINVAL) return false;
      throw error;
    }
  }

  /**
   * Reads the events that are ready, without waiting.
   *
   * @returns The events in the order the kernel queued them; empty when none are ready.
   * @throws {LibcError} When the read fails.
   */
  read(): InotifyEvent[] {
    const fd = this.#live("read inotify events");
    const buf = this.#buffer;
    const n = check(
      this.#c,
      () => this.#c.read(fd, buf, BigInt(buf.length)),
      "read inotify events",
      {
        again: "return",
      },
    );
    const events: InotifyEvent[] = [];
    if (n === null) return events;
    const v = this.#view;
    for (let at = 0; at + INOTIFY_EVENT.size <= n;) {
      const len = v.getUint32(at + INOTIFY_EVENT.len, true);
      const start = at + INOTIFY_EVENT.size;
      let end = start;
      while (end < start + len && buf[end] !== 0) end++;
      events.push({
        wd: v.getInt32(at + INOTIFY_EVENT.wd, true),
        mask: v.getUint32(at + INOTIFY_EVENT.mask, true),
        cookie: v.getUint32(at + INOTIFY_EVENT.cookie, true),
        name: decoder.decode(buf.subarray(start, end)),
      });
      at = start + len;
    }
    return events;
  }

  /**
   * Waits until events are ready to {@linkcode read}, without blocking the event loop.
   *
   * @param timeoutMs How long to wait; -1 (default) waits until events come or
   *   {@linkcode close} is called.
   * @returns `true` when events are ready; `false` on timeout, an interrupted wait, or when the
   *   instance was closed meanwhile.
   * @throws {Error} When another `wait` is running.
   * @throws {LibcError} When `poll()` fails.
   */
  async wait(timeoutMs = -1): Promise<boolean> {
    const fd = this.#live("wait for inotify events");
    if (this.#waiting) throw new Error("Cannot wait for inotify events twice at once");
    const v = this.#pollView;
    for (const [i, f] of [fd, this.#wake].entries()) {
      const at = i * POLLFD.size;
      v.setInt32(at + POLLFD.fd, f, true);
      v.setInt16(at + POLLFD.events, POLL.IN, true);
      v.setInt16(at + POLLFD.revents, 0, true);
    }
    const timeout = timeoutMs < 0 ? -1 : Math.min(0x7fffffff, Math.round(timeoutMs));
    this.#waiting = true;
    let n: number;
    try {
      n = await this.#c.poll_nonblocking(this.#pollfds, 2n, timeout);
    } finally {
      this.#waiting = false;
    }
    if (this.#closing) {
      this.#release();
      return false;
    }
    // errno of the worker thread is out of reach: ask again here, without waiting.
    if (n === -1) n = check(this.#c, () => this.#c.poll(this.#pollfds, 2n, 0), "poll inotify")!;
    return n > 0 && (v.getInt16(POLLFD.revents, true) & POLL.IN) !== 0;
  }

  #release(): void {
    if (this.#fd === -1) return;
    leaked.unregister(this);
    this.#c.close(this.#fd);
    this.#c.close(this.#wake);
    this.#fd = -1;
    this.#wake = -1;
    this.#onClosed();
  }

  /**
   * Stops every watch and closes the descriptors; a pending {@linkcode wait} returns `false`.
   * Calling it again does nothing.
   *
   * @returns Resolves once the descriptors are closed (at once unless a `wait` is pending).
   */
  close(): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#closing = true;
    this.#closed = new Promise<void>((resolve) => this.#onClosed = resolve);
    if (this.#waiting) {
      // Wake the poll() on the worker thread; wait() closes the descriptors when it returns.
      this.#c.write(this.#wake, this.#one, 8n);
    } else {
      this.#release();
    }
    return this.#closed;
  }

  /** Same as {@linkcode close}, for `using` (the descriptors close when a pending wait ends). */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
