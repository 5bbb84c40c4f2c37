/**
 * A PipeWire video source (a camera other programs can read) through libpipewire 0.3, called
 * from the JavaScript thread only:
 *
 * - **The loop is ours.** {@linkcode PipewireVideoSource} makes its own `pw_loop`, enters it once
 *   on this thread and never runs it: {@linkcode PipewireVideoSource.dispatch} iterates it without
 *   waiting, and {@linkcode PipewireVideoSource.wait} sleeps in `poll()` on the loop's descriptor
 *   on Deno's blocking-call thread (no CPU, the event loop stays free). So every PipeWire callback
 *   runs on this thread during `dispatch`, and calls from PipeWire's data thread into the loop are
 *   queued until then. (`pw_thread_loop` would call back from a foreign thread while this one may
 *   hold its lock: a deadlock with Deno's callbacks.)
 * - **The stream drives.** It is a `Video/Source` node with `media.role` `Camera`, a `node.name`
 *   and a `node.description`, flagged `DRIVER`: a frame goes out when
 *   {@linkcode PipewireVideoSource.write} queues one and triggers the graph, at the camera's pace.
 * - **Memory PipeWire keeps is C memory.** The stream's listener and its event table live in one
 *   `calloc` block freed at close; pods are copied by libpipewire before the call returns. Frames
 *   are written straight into PipeWire's own buffers (mapped by libpipewire), never handed over
 *   from JavaScript memory.
 *
 * @module
 */

import { EFD, POLL, POLLFD } from "../libc/layout.ts";
import { readErrno } from "../libc/mod.ts";
import { readEnv } from "../_util.ts";
import { errnoReason, loadPipewire, type Pipewire, PipewireError, pwCheck } from "./_library.ts";
import {
  DIRECTION,
  LOOP_CONTROL_METHODS,
  PW_BUFFER,
  PW_ID_ANY,
  PW_LOOP,
  PW_VERSION_STREAM_EVENTS,
  SPA_BUFFER,
  SPA_CHUNK,
  SPA_DATA,
  SPA_INTERFACE,
  SPA_META,
  SPA_META_HEADER,
  SPA_META_TYPE,
  SPA_PARAM,
  STREAM_EVENTS,
  STREAM_FLAG,
  STREAM_STATE,
} from "./layout.ts";
import {
  buffersPod,
  frameLayout,
  metaHeaderPod,
  parseVideoFormat,
  type VideoFormat,
  videoFormatPod,
  type VideoFormatSpec,
} from "./pod.ts";
import { LOOP_CONTROL_FNS, STREAM_CALLBACKS } from "./symbols.ts";

export { LIBRARY_ENV, LIBRARY_NAME, loadPipewire, PipewireError } from "./_library.ts";
export type { Pipewire, PipewireErrorKind } from "./_library.ts";
export { frameLayout, parseVideoFormat, videoFormatPod } from "./pod.ts";
export type { VideoFormat, VideoFormatSpec } from "./pod.ts";

/**
 * The socket libpipewire connects to: `$PIPEWIRE_REMOTE` (default `pipewire-0`) in
 * `$PIPEWIRE_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR`.
 *
 * @returns the path, or null when no runtime folder is set (an absolute remote is returned as is)
 */
export function pipewireSocket(): string | null {
  const remote = readEnv("PIPEWIRE_REMOTE") ?? "pipewire-0";
  if (remote.startsWith("/")) return remote;
  const dir = readEnv("PIPEWIRE_RUNTIME_DIR") ?? readEnv("XDG_RUNTIME_DIR");
  return dir === undefined ? null : `${dir.replace(/\/+$/, "")}/${remote}`;
}

/** What {@linkcode probePipewire} found. */
export interface PipewireStatus {
  /** The libpipewire version, e.g. `"0.3.65"`. */
  version: string;
  /** The socket tried (see {@linkcode pipewireSocket}). */
  socket: string | null;
  /** Whether a daemon answered there. */
  running: boolean;
  /** Why not, in a few words (null when it runs). */
  reason: string | null;
}

/**
 * Whether a PipeWire daemon answers: connects and disconnects at once (nothing is published).
 *
 * @param libraryPath an explicit libpipewire
 * @returns the library's version and whether the daemon runs
 * @throws {LibraryLoadError} when libpipewire cannot be loaded
 */
export function probePipewire(libraryPath?: string): PipewireStatus {
  const pw = loadPipewire(libraryPath);
  const s = pw.symbols;
  const socket = pipewireSocket();
  const loop = pwCheck(pw, s.pw_loop_new(null), "make a PipeWire loop");
  try {
    const context = pwCheck(pw, s.pw_context_new(loop, null, 0n), "make a PipeWire context");
    try {
      const core = s.pw_context_connect(context, null, 0n);
      if (core === null) {
        const errno = readErrno(pw.libc);
        return {
          version: pw.version,
          socket,
          running: false,
          reason: socket === null
            ? "neither PIPEWIRE_RUNTIME_DIR nor XDG_RUNTIME_DIR is set"
            : `nothing answers at "${socket}" (${errnoReason(errno)})`,
        };
      }
      s.pw_core_disconnect(core);
      return { version: pw.version, socket, running: true, reason: null };
    } finally {
      s.pw_context_destroy(context);
    }
  } finally {
    s.pw_loop_destroy(loop);
  }
}

/** A stream's state (`enum pw_stream_state`). */
export type StreamState = "error" | "unconnected" | "connecting" | "paused" | "streaming";

const STATES: Record<number, StreamState> = {
  [STREAM_STATE.ERROR]: "error",
  [STREAM_STATE.UNCONNECTED]: "unconnected",
  [STREAM_STATE.CONNECTING]: "connecting",
  [STREAM_STATE.PAUSED]: "paused",
  [STREAM_STATE.STREAMING]: "streaming",
};

/** Options of {@linkcode PipewireVideoSource.open}. */
export interface VideoSourceOptions {
  /** `node.name`: the node's identifier (WebRTC's device id), e.g. `"backscrub"`. */
  name: string;
  /** `node.description`: what programs show, e.g. `"backscrub"`. */
  description: string;
  /** Frame width (even). */
  width: number;
  /** Frame height. */
  height: number;
  /** Frames per second announced. */
  fps: number;
  /** The formats offered, preferred first (default YUY2, then I420 and NV12 for even heights). */
  formats?: readonly VideoFormat[];
  /** An explicit libpipewire (default: `$BACKSCRUB_PIPEWIRE_LIB`, then the system's). */
  libraryPath?: string;
}

/** The C block every stream keeps: its listener, its event table, and room for pods. */
const NATIVE = {
  size: 8192,
  hook: 0,
  events: 64,
  /** The params array (`const struct spa_pod **`) for connect and update_params. */
  params: 256,
  /** The pods themselves. */
  pods: 512,
} as const;
const MAX_PARAMS = 8;

/** What a {@linkcode PipewireVideoSource.write} callback gets: where to put the frame. */
export interface FrameTarget {
  /** PipeWire's buffer, `layout.size` bytes, mapped into this process. */
  data: Uint8Array;
  /** The negotiated format. */
  format: VideoFormatSpec;
}

/** The native objects of one instance, for close and for the finalizer backstop. */
interface Handles {
  pw: Pipewire;
  loop: Deno.PointerValue;
  leave: () => void;
  context: Deno.PointerValue;
  core: Deno.PointerValue;
  stream: Deno.PointerValue;
  native: Deno.PointerValue;
  callback: Deno.UnsafeCallback<typeof STREAM_CALLBACKS.paramChanged> | null;
  wakeFd: number;
}

/** Releases what {@linkcode Handles} hold, in the order libpipewire wants. Idempotent. */
function release(h: Handles): void {
  const s = h.pw.symbols;
  if (h.stream !== null) s.pw_stream_destroy(h.stream);
  h.stream = null;
  if (h.core !== null) s.pw_core_disconnect(h.core);
  h.core = null;
  if (h.context !== null) s.pw_context_destroy(h.context);
  h.context = null;
  if (h.loop !== null) {
    h.leave();
    s.pw_loop_destroy(h.loop);
  }
  h.loop = null;
  if (h.native !== null) h.pw.libc.free(h.native);
  h.native = null;
  h.callback?.close();
  h.callback = null;
  if (h.wakeFd !== -1) h.pw.libc.close(h.wakeFd);
  h.wakeFd = -1;
}

/** A source dropped without `close()` still leaves the daemon and frees its C memory. */
const leaked = new FinalizationRegistry<Handles>(release);

const encoder = new TextEncoder();

function cstring(s: string): Uint8Array {
  return encoder.encode(s + "\0");
}

function readPointer(ptr: Deno.PointerObject, offset: number): Deno.PointerValue {
  return new Deno.UnsafePointerView(ptr).getPointer(offset);
}

/**
 * A PipeWire camera: a `Video/Source` node offering fixed raw video formats, fed by
 * {@linkcode write}. See the module comment for how the loop and memory are handled.
 *
 * @example
 * ```ts ignore
 * import { PipewireVideoSource } from "./mod.ts";
 *
 * using source = PipewireVideoSource.open({
 *   name: "backscrub", description: "backscrub", width: 640, height: 480, fps: 30,
 * });
 * for (;;) {
 *   await source.wait(100);
 *   source.dispatch();
 *   if (source.state === "streaming") source.write(({ data }) => data.fill(128));
 * }
 * ```
 */
export class PipewireVideoSource {
  readonly #pw: Pipewire;
  readonly #h: Handles;
  readonly #options: Required<Omit<VideoSourceOptions, "libraryPath">>;
  readonly #object: Deno.PointerValue;
  readonly #iterate: Deno.UnsafeFnPointer<typeof LOOP_CONTROL_FNS.iterate>;
  readonly #fd: number;
  readonly #native: Uint8Array;
  readonly #nativeView: DataView;
  readonly #errorOut = new BigUint64Array(1);
  readonly #pollfds = new Uint8Array(2 * POLLFD.size);
  readonly #one = new Uint8Array(new BigUint64Array([1n]).buffer);
  /** Views of PipeWire's mapped buffers, by address and size (made once per buffer). */
  readonly #views = new Map<string, Uint8Array>();
  #format: VideoFormatSpec | null = null;
  #waiting: Promise<number> | null = null;
  #sequence = 0n;
  /** Set by {@linkcode close}: no more waits or frames. */
  #closed = false;
  #released = false;

  private constructor(
    pw: Pipewire,
    h: Handles,
    options: Required<Omit<VideoSourceOptions, "libraryPath">>,
    object: Deno.PointerValue,
    iterate: Deno.UnsafeFnPointer<typeof LOOP_CONTROL_FNS.iterate>,
    fd: number,
  ) {
    this.#pw = pw;
    this.#h = h;
    this.#options = options;
    this.#object = object;
    this.#iterate = iterate;
    this.#fd = fd;
    const buffer = Deno.UnsafePointerView.getArrayBuffer(h.native!, NATIVE.size);
    this.#native = new Uint8Array(buffer);
    this.#nativeView = new DataView(buffer);
    leaked.register(this, h, this);
  }

  /**
   * Connects to the PipeWire daemon and publishes the node (it appears at once; programs can
   * link to it after a few loop iterations).
   *
   * @param options The node's names, the frame size, rate and formats.
   * @returns The source; {@linkcode close} it.
   * @throws {LibraryLoadError} When libpipewire cannot be loaded.
   * @throws {PipewireError} `not-running` when no daemon answers; `failed` otherwise.
   */
  static open(options: VideoSourceOptions): PipewireVideoSource {
    const pw = loadPipewire(options.libraryPath);
    const s = pw.symbols;
    const formats = options.formats ??
      (options.height % 2 === 0 ? ["YUY2", "I420", "NV12"] as const : ["YUY2"] as const);
    const opts = {
      name: options.name,
      description: options.description,
      width: options.width,
      height: options.height,
      fps: Math.max(1, Math.round(options.fps)),
      formats,
    };
    const loop = pwCheck(pw, s.pw_loop_new(null), "make a PipeWire loop");
    // The loop's control interface and its method table (pw_loop_* are macros in 0.3).
    const control = readPointer(loop, PW_LOOP.control)!;
    const funcs = readPointer(control, SPA_INTERFACE.funcs)!;
    const object = readPointer(control, SPA_INTERFACE.data);
    const table = new Deno.UnsafePointerView(funcs);
    const method = <D extends Deno.ForeignFunction>(at: number, definition: D) => {
      const fn = Deno.UnsafePointer.create<D>(table.getBigUint64(at));
      if (fn === null) {
        throw new PipewireError("failed", "Cannot use the PipeWire loop: a method is missing");
      }
      return new Deno.UnsafeFnPointer(fn, definition);
    };
    const enter = method(LOOP_CONTROL_METHODS.enter, LOOP_CONTROL_FNS.enter);
    const leave = method(LOOP_CONTROL_METHODS.leave, LOOP_CONTROL_FNS.leave);
    const iterate = method(LOOP_CONTROL_METHODS.iterate, LOOP_CONTROL_FNS.iterate);
    const fd = method(LOOP_CONTROL_METHODS.getFd, LOOP_CONTROL_FNS.getFd).call(object);
    // Entered once, for good: this thread is the loop's, so other threads queue their calls.
    enter.call(object);
    const h: Handles = {
      pw,
      loop,
      leave: () => leave.call(object),
      context: null,
      core: null,
      stream: null,
      native: null,
      callback: null,
      wakeFd: -1,
    };
    try {
      h.native = pwCheck(pw, pw.libc.calloc(1n, BigInt(NATIVE.size)), "allocate memory");
      h.wakeFd = pw.libc.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
      if (h.wakeFd < 0) pwCheck(pw, null, "make an eventfd");
      h.context = pwCheck(pw, s.pw_context_new(loop, null, 0n), "make a PipeWire context");
    } catch (error) {
      release(h);
      throw error;
    }
    const source = new PipewireVideoSource(pw, h, opts, object, iterate, fd);
    h.callback = new Deno.UnsafeCallback(
      STREAM_CALLBACKS.paramChanged,
      (_data, id, param) => source.#paramChanged(id, param),
    );
    try {
      source.#connect();
    } catch (error) {
      source.#dispose();
      throw error;
    }
    return source;
  }

  /** The library's version, e.g. `"0.3.65"`. */
  get libraryVersion(): string {
    return this.#pw.version;
  }

  /** The node's `node.name`. */
  get name(): string {
    return this.#options.name;
  }

  /** The formats offered, preferred first. */
  get formats(): readonly VideoFormat[] {
    return this.#options.formats;
  }

  /** The stream's state now: `streaming` while a program is linked and reading. */
  get state(): StreamState {
    if (this.#h.stream === null) return "unconnected";
    return STATES[this.#pw.symbols.pw_stream_get_state(this.#h.stream, this.#errorOut)] ?? "error";
  }

  /** The stream's error message (after `error`, or a lost connection), or null. */
  get error(): string | null {
    if (this.#h.stream === null) return null;
    this.#errorOut[0] = 0n;
    this.#pw.symbols.pw_stream_get_state(this.#h.stream, this.#errorOut);
    const p = Deno.UnsafePointer.create(this.#errorOut[0]!);
    return p === null ? null : Deno.UnsafePointerView.getCString(p);
  }

  /** Whether a connection to the daemon is open (it may still have broken since). */
  get connected(): boolean {
    return this.#h.core !== null;
  }

  /** The node's id in the daemon (null until it is known). */
  get nodeId(): number | null {
    if (this.#h.stream === null) return null;
    const id = this.#pw.symbols.pw_stream_get_node_id(this.#h.stream);
    return id === PW_ID_ANY ? null : id;
  }

  /** The format a link settled on, or null while none has. */
  get format(): VideoFormatSpec | null {
    return this.#format;
  }

  /** Connects the core and the stream (the context and loop are there). */
  #connect(): void {
    const s = this.#pw.symbols;
    const h = this.#h;
    const core = s.pw_context_connect(h.context, null, 0n);
    if (core === null) {
      const errno = readErrno(this.#pw.libc);
      const socket = pipewireSocket();
      throw new PipewireError(
        "not-running",
        socket === null
          ? "Cannot connect to PipeWire: neither PIPEWIRE_RUNTIME_DIR nor XDG_RUNTIME_DIR is set"
          : `Cannot connect to PipeWire: it is not running (nothing answers at "${socket}": ${
            errnoReason(errno)
          })`,
        errno,
      );
    }
    h.core = core;
    const props = pwCheck(this.#pw, s.pw_properties_new_string(cstring("")), "make properties");
    const o = this.#options;
    for (
      const [key, value] of [
        ["media.class", "Video/Source"],
        ["media.role", "Camera"],
        ["media.type", "Video"],
        ["media.category", "Capture"],
        ["node.name", o.name],
        ["node.description", o.description],
        ["node.nick", o.description],
      ]
    ) {
      s.pw_properties_set(props, cstring(key!), cstring(value!));
    }
    h.stream = pwCheck(
      this.#pw,
      s.pw_stream_new(core, cstring(o.description), props),
      "make a stream",
    );
    // The listener and its event table stay in C memory while the stream lives.
    const events = NATIVE.events;
    this.#native.fill(0, 0, NATIVE.params);
    this.#nativeView.setUint32(events + STREAM_EVENTS.version, PW_VERSION_STREAM_EVENTS, true);
    this.#nativeView.setBigUint64(
      events + STREAM_EVENTS.paramChanged,
      BigInt(Deno.UnsafePointer.value(h.callback!.pointer)),
      true,
    );
    const base = Deno.UnsafePointer.value(h.native);
    s.pw_stream_add_listener(
      h.stream,
      Deno.UnsafePointer.create(BigInt(base) + BigInt(NATIVE.hook)),
      Deno.UnsafePointer.create(BigInt(base) + BigInt(events)),
      null,
    );
    const pods = o.formats.map((format) =>
      videoFormatPod({ format, width: o.width, height: o.height, fps: o.fps })
    );
    const params = this.#writeParams(pods);
    pwCheck(
      this.#pw,
      s.pw_stream_connect(
        h.stream,
        DIRECTION.OUTPUT,
        PW_ID_ANY,
        STREAM_FLAG.DRIVER | STREAM_FLAG.MAP_BUFFERS,
        params,
        pods.length,
      ),
      "connect the PipeWire stream",
    );
  }

  /** Copies pods into the C block and fills its params array; returns the array's address. */
  #writeParams(pods: readonly Uint8Array[]): Deno.PointerValue {
    const base = BigInt(Deno.UnsafePointer.value(this.#h.native));
    let at = NATIVE.pods;
    pods.forEach((pod, i) => {
      if (i >= MAX_PARAMS || at + pod.length > NATIVE.size) {
        throw new RangeError("Cannot pass the PipeWire params: too many or too large");
      }
      this.#native.set(pod, at);
      this.#nativeView.setBigUint64(NATIVE.params + 8 * i, base + BigInt(at), true);
      at += pod.length;
    });
    return Deno.UnsafePointer.create(base + BigInt(NATIVE.params));
  }

  /** `param_changed`: a link set (or cleared) the format; answer with the buffers it needs. */
  #paramChanged(id: number, param: Deno.PointerValue): void {
    if (id !== SPA_PARAM.Format) return;
    this.#views.clear();
    if (param === null) {
      this.#format = null;
      return;
    }
    const size = new Deno.UnsafePointerView(param).getUint32(0);
    const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(param, 8 + size).slice(0));
    const format = parseVideoFormat(bytes);
    this.#format = format;
    if (format === null || this.#h.stream === null) return;
    const { size: frame, stride } = frameLayout(format.format, format.width, format.height);
    const pods = [buffersPod({ buffers: [4, 2, 8], size: frame, stride }), metaHeaderPod()];
    this.#pw.symbols.pw_stream_update_params(this.#h.stream, this.#writeParams(pods), pods.length);
  }

  /**
   * Runs what is pending on the loop (messages from the daemon, calls queued by PipeWire's
   * threads), without waiting. Callbacks run now, on this thread.
   *
   * @returns How many sources were dispatched.
   */
  dispatch(): number {
    if (this.#closed) return 0;
    let total = 0;
    for (let i = 0; i < 64; i++) {
      const n = this.#iterate.call(this.#object, 0);
      if (n <= 0) break;
      total += n;
    }
    return total;
  }

  /**
   * Waits until the loop has something to {@linkcode dispatch}, without blocking the event loop
   * or using CPU ({@linkcode wake} or {@linkcode close} end the wait early).
   *
   * @param timeoutMs How long to wait at most (-1: no limit).
   * @returns `true` when there is something to dispatch.
   */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#waiting !== null) throw new Error("Cannot wait for PipeWire twice at once");
    const v = new DataView(this.#pollfds.buffer);
    for (const [i, f] of [this.#fd, this.#h.wakeFd].entries()) {
      v.setInt32(i * POLLFD.size + POLLFD.fd, f, true);
      v.setInt16(i * POLLFD.size + POLLFD.events, POLL.IN, true);
      v.setInt16(i * POLLFD.size + POLLFD.revents, 0, true);
    }
    const timeout = timeoutMs < 0 ? -1 : Math.min(0x7fffffff, Math.round(timeoutMs));
    this.#waiting = this.#pw.libc.poll_nonblocking(this.#pollfds, 2n, timeout);
    let n: number;
    try {
      n = await this.#waiting;
    } finally {
      this.#waiting = null;
    }
    if (this.#closed) return false;
    if ((v.getInt16(POLLFD.size + POLLFD.revents, true) & POLL.IN) !== 0) {
      this.#pw.libc.read(this.#h.wakeFd, this.#one.slice(), 8n);
    }
    return n > 0 && (v.getInt16(POLLFD.revents, true) & POLL.IN) !== 0;
  }

  /** Ends a pending {@linkcode wait} now. */
  wake(): void {
    if (this.#h.wakeFd !== -1) this.#pw.libc.write(this.#h.wakeFd, this.#one, 8n);
  }

  /**
   * Sends one frame: takes a free buffer from PipeWire, lets `fill` write the frame into it (in
   * the negotiated format), queues it and runs the graph. Does nothing unless a program is
   * linked and a buffer is free.
   *
   * @param fill Writes the frame into `target.data` (exactly the frame's bytes).
   * @returns `true` when a frame was sent.
   */
  write(fill: (target: FrameTarget) => void): boolean {
    const s = this.#pw.symbols;
    const stream = this.#h.stream;
    const format = this.#format;
    if (this.#closed || stream === null || format === null || this.state !== "streaming") {
      return false;
    }
    const b = s.pw_stream_dequeue_buffer(stream);
    if (b === null) return false;
    const buffer = readPointer(b, PW_BUFFER.buffer)!;
    const bv = new Deno.UnsafePointerView(buffer);
    const data = bv.getPointer(SPA_BUFFER.datas);
    const { size, stride } = frameLayout(format.format, format.width, format.height);
    let sent = false;
    if (data !== null && bv.getUint32(SPA_BUFFER.nDatas) > 0) {
      const dv = new Deno.UnsafePointerView(data);
      const mem = dv.getPointer(SPA_DATA.data);
      const chunk = dv.getPointer(SPA_DATA.chunk);
      const maxsize = dv.getUint32(SPA_DATA.maxsize);
      if (mem !== null && chunk !== null && maxsize >= size) {
        const key = `${Deno.UnsafePointer.value(mem)}:${size}`;
        let view = this.#views.get(key);
        if (view === undefined) {
          view = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(mem, size));
          this.#views.set(key, view);
        }
        fill({ data: view, format });
        const c = new DataView(Deno.UnsafePointerView.getArrayBuffer(chunk, SPA_CHUNK.size));
        c.setUint32(SPA_CHUNK.offset, 0, true);
        c.setUint32(SPA_CHUNK.bytes, size, true);
        c.setInt32(SPA_CHUNK.stride, stride, true);
        c.setInt32(SPA_CHUNK.flags, 0, true);
        this.#stamp(bv);
        sent = true;
      }
    }
    s.pw_stream_queue_buffer(stream, b);
    if (sent) s.pw_stream_trigger_process(stream);
    return sent;
  }

  /** Fills the buffer's header meta, when the link asked for one: no flags, a sequence number. */
  #stamp(buffer: Deno.UnsafePointerView): void {
    const n = buffer.getUint32(SPA_BUFFER.nMetas);
    const metas = buffer.getPointer(SPA_BUFFER.metas);
    if (metas === null) return;
    const mv = new Deno.UnsafePointerView(metas);
    for (let i = 0; i < n; i++) {
      const at = i * SPA_META.size;
      if (mv.getUint32(at + SPA_META.type) !== SPA_META_TYPE.Header) continue;
      if (mv.getUint32(at + SPA_META.bytes) < SPA_META_HEADER.size) continue;
      const header = mv.getPointer(at + SPA_META.data);
      if (header === null) continue;
      const h = new DataView(Deno.UnsafePointerView.getArrayBuffer(header, SPA_META_HEADER.size));
      h.setUint32(SPA_META_HEADER.flags, 0, true);
      h.setUint32(SPA_META_HEADER.offset, 0, true);
      h.setBigInt64(SPA_META_HEADER.pts, -1n, true);
      h.setBigInt64(SPA_META_HEADER.dtsOffset, 0n, true);
      h.setBigUint64(SPA_META_HEADER.seq, this.#sequence++, true);
    }
  }

  /**
   * Drops the stream and the connection, and connects again (after the daemon restarted).
   *
   * @throws {PipewireError} `not-running` while no daemon answers.
   */
  reconnect(): void {
    if (this.#closed) throw new PipewireError("failed", "Cannot reconnect: the source is closed");
    const s = this.#pw.symbols;
    const h = this.#h;
    if (h.stream !== null) s.pw_stream_destroy(h.stream);
    h.stream = null;
    if (h.core !== null) s.pw_core_disconnect(h.core);
    h.core = null;
    this.#format = null;
    this.#views.clear();
    this.#connect();
  }

  #dispose(): void {
    this.#closed = true;
    if (this.#released) return;
    this.#released = true;
    this.#views.clear();
    leaked.unregister(this);
    release(this.#h);
  }

  /**
   * Leaves the daemon (the node disappears) and frees everything. Idempotent.
   *
   * @returns Resolves once a pending {@linkcode wait} has ended.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#waiting;
    if (pending !== null) {
      this.wake();
      await pending.catch(() => {});
    }
    this.#dispose();
  }

  /** Same as {@linkcode close} (without waiting for a pending wait to end). */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
