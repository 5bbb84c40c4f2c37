/**
 * {@linkcode PipewireSink}: the virtual camera as a PipeWire camera (`-v pipewire[:NAME]`), a
 * `PackedSink` beside v4l2loopback's. No kernel module: the node is a `Video/Source` with
 * `media.role` `Camera`, which browsers reach through the desktop's camera portal and any
 * PipeWire program reads directly. It offers YUY2 (what the compositor writes, sent as it is),
 * I420 and NV12 (repacked in one pass), at the output size and rate.
 *
 * It is also the readers' count for idling ({@linkcode Readers}): a program linked to the node
 * is a reader. While the daemon is gone (it stopped or restarted), frames are dropped, the count
 * is 0, and the sink connects again once a second until the daemon is back.
 *
 * @module
 */

import {
  type FrameTarget,
  PipewireError,
  PipewireVideoSource,
  type StreamState,
} from "../../ffi/pipewire/mod.ts";
import type { FrameTiming, PackedSink, Size } from "../frame/mod.ts";
import { yuyvTo420 } from "../image/yuv.ts";
import type { Readers } from "./readers.ts";

/** What `-v` takes for a PipeWire camera: `pipewire` or `pipewire:NAME`. */
export const PIPEWIRE_SINK = "pipewire";

/** The name people see when none is given. */
export const DEFAULT_CAMERA_NAME = "backscrub";

/** How often a lost daemon is tried again. */
const RECONNECT_MS = 1000;
/** How long {@linkcode PipewireSink.open} waits for the daemon to publish the node. */
const PUBLISH_MS = 3000;

/**
 * Whether `-v`'s value names a PipeWire camera.
 *
 * @param spec `-v`'s value
 * @returns true for `pipewire` and `pipewire:NAME`
 */
export function isPipewireSpec(spec: string): boolean {
  return spec === PIPEWIRE_SINK || spec.startsWith(`${PIPEWIRE_SINK}:`);
}

/**
 * The node's names from `-v pipewire[:NAME]`: `NAME` is what people see (`node.description`,
 * default "backscrub"); `node.name`, the node's identifier, is made from it (letters, digits,
 * `.`, `_` and `-`).
 *
 * @example
 * ```ts
 * import { pipewireNames } from "./pipewire_sink.ts";
 * pipewireNames("pipewire:Studio Cam"); // { name: "backscrub.Studio_Cam", description: "Studio Cam" }
 * ```
 *
 * @param spec `pipewire` or `pipewire:NAME`
 * @returns `node.name` and `node.description`
 */
export function pipewireNames(spec: string): { name: string; description: string } {
  const given = spec.slice(PIPEWIRE_SINK.length + 1).trim();
  if (given === "") return { name: DEFAULT_CAMERA_NAME, description: DEFAULT_CAMERA_NAME };
  const slug = given.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "");
  return { name: `${DEFAULT_CAMERA_NAME}.${slug || "camera"}`, description: given };
}

/** Options of {@linkcode PipewireSink.open}. */
export interface PipewireSinkOptions {
  /** Frame width (even). */
  width: number;
  /** Frame height. */
  height: number;
  /** Frame rate announced (default 30). */
  fps?: number;
  /**
   * The frame to read from, when another sink owns it (both cameras fed from one buffer); else
   * the sink makes its own.
   */
  yuyv?: Uint8Array;
  /** Lines about the daemon going away and coming back. */
  log?: (line: string) => void;
  /** An explicit libpipewire. */
  libraryPath?: string;
}

/**
 * The PipeWire camera as the pipeline's `PackedSink`. See the module comment.
 *
 * @example
 * ```ts ignore
 * import { FrameTiming } from "../frame/mod.ts";
 * import { PipewireSink } from "./pipewire_sink.ts";
 *
 * await using sink = await PipewireSink.open("pipewire", { width: 640, height: 480 });
 * console.log(sink.description); // pipewire "backscrub" (node 42): 640x480 YUY2, I420 or NV12, 30 fps
 * sink.yuyv.fill(128);
 * await sink.commit(new FrameTiming()); // sent when a program reads the camera
 * ```
 */
export class PipewireSink implements PackedSink, Readers {
  /** Takes packed YUYV. */
  readonly kind = "yuyv" as const;
  /** The frame size. */
  readonly size: Size;
  /** The frame to fill before {@linkcode commit}: `width × height × 2` bytes of YUYV. */
  readonly yuyv: Uint8Array;
  /** The node's `node.name`. */
  readonly nodeName: string;
  /** The node's `node.description`: what people see. */
  readonly cameraName: string;
  readonly #source: PipewireVideoSource;
  readonly #fps: number;
  readonly #log: (line: string) => void;
  readonly #listeners = new Set<() => void>();
  readonly #pump: Promise<void>;
  #state: StreamState;
  #unreadSince: number | null = performance.now();
  #lost: number | null = null;
  #nextTry = 0;
  #closed = false;
  #error: unknown = null;
  #timing: FrameTiming | null = null;
  /** Frames sent to a reader. */
  frames = 0;
  /** Times the daemon went away and the camera was published again. */
  reconnects = 0;

  private constructor(
    source: PipewireVideoSource,
    names: { name: string; description: string },
    options: PipewireSinkOptions,
  ) {
    this.#source = source;
    this.size = { width: options.width, height: options.height };
    this.yuyv = options.yuyv ?? new Uint8Array(options.width * options.height * 2);
    this.nodeName = names.name;
    this.cameraName = names.description;
    this.#fps = Math.max(1, Math.round(options.fps ?? 30));
    this.#log = options.log ?? (() => {});
    this.#state = source.state;
    this.#pump = this.#run();
  }

  /**
   * Connects to PipeWire and publishes the camera; resolves once the daemon lists the node.
   *
   * @param spec `pipewire` or `pipewire:NAME`
   * @param options size, rate, a shared frame buffer, the log
   * @returns the sink
   * @throws {PipewireError} `not-running` when no PipeWire daemon answers
   * @throws {LibraryLoadError} when libpipewire is not installed
   */
  static async open(spec: string, options: PipewireSinkOptions): Promise<PipewireSink> {
    if (options.width % 2 !== 0) {
      throw new RangeError(`Cannot publish a camera ${options.width} pixels wide: YUY2 needs even`);
    }
    if (options.yuyv !== undefined && options.yuyv.length < options.width * options.height * 2) {
      throw new RangeError("Cannot share a frame smaller than the camera's");
    }
    const names = pipewireNames(spec);
    const source = PipewireVideoSource.open({
      ...names,
      width: options.width,
      height: options.height,
      fps: options.fps ?? 30,
      ...(options.libraryPath !== undefined ? { libraryPath: options.libraryPath } : {}),
    });
    const sink = new PipewireSink(source, names, options);
    const end = performance.now() + PUBLISH_MS;
    while (source.nodeId === null && sink.#error === null && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 5));
      sink.#poll();
    }
    if (sink.#error !== null || source.nodeId === null) {
      const error = sink.#error ??
        new PipewireError(
          "failed",
          `Cannot publish the PipeWire camera "${names.description}": the daemon did not list it within ${
            PUBLISH_MS / 1000
          } s${source.error ? ` (${source.error})` : ""}`,
        );
      await sink.close();
      throw error;
    }
    return sink;
  }

  /** E.g. `pipewire "backscrub" (node 42): 640x480 YUY2, I420 or NV12, 30 fps`. */
  get description(): string {
    const id = this.#source.nodeId;
    const formats = this.#source.formats;
    const list = formats.length === 1
      ? formats[0]
      : `${formats.slice(0, -1).join(", ")} or ${formats.at(-1)}`;
    return `pipewire "${this.cameraName}"${id === null ? "" : ` (node ${id})`}: ` +
      `${this.size.width}x${this.size.height} ${list}, ${this.#fps} fps`;
  }

  /** The node's id in the daemon (null while disconnected). */
  get nodeId(): number | null {
    return this.#source.nodeId;
  }

  /** The format a reader settled on (null while none reads). */
  get format(): string | null {
    return this.#source.format?.format ?? null;
  }

  /** The libpipewire version. */
  get libraryVersion(): string {
    return this.#source.libraryVersion;
  }

  /** Programs reading the camera: 1 while one is linked and streaming, else 0. */
  get readers(): number {
    return this.#state === "streaming" ? 1 : 0;
  }

  /** When the camera last lost its readers (or was published), or null while it is read. */
  get unreadSince(): number | null {
    return this.#unreadSince;
  }

  /**
   * Waits until a program reads the camera (at once if one does).
   *
   * @param signal ends the wait early
   * @returns `true` when one does; `false` when `signal` aborted or the sink was closed
   */
  waitForReader(signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (this.readers > 0) finish(true);
        else if (this.#closed || signal?.aborted) finish(false);
      };
      const finish = (value: boolean): void => {
        this.#listeners.delete(check);
        signal?.removeEventListener("abort", check);
        resolve(value);
      };
      this.#listeners.add(check);
      signal?.addEventListener("abort", check);
      check();
    });
  }

  /** Runs the loop's pending work and follows the state: readers, a lost daemon. */
  #poll(): void {
    if (this.#closed) return;
    this.#source.dispatch();
    if (this.#lost !== null) {
      this.#retry();
      return;
    }
    const state = this.#source.state;
    if (state === "unconnected" || state === "error") {
      const why = this.#source.error ?? state;
      if (this.#source.nodeId === null && this.#source.connected && state === "error") {
        // Refused before it was ever published: that is an error, not a restart.
        this.#error = new PipewireError(
          "failed",
          `Cannot publish the PipeWire camera "${this.cameraName}": ${why}`,
        );
      }
      this.#lost = performance.now();
      this.#nextTry = this.#lost + RECONNECT_MS;
      this.#log(`backscrub: PipeWire went away (${why}): reconnecting every second`);
      this.#setState("unconnected");
      return;
    }
    this.#setState(state);
  }

  #retry(): void {
    const now = performance.now();
    if (now < this.#nextTry) return;
    this.#nextTry = now + RECONNECT_MS;
    try {
      this.#source.reconnect();
    } catch (error) {
      if (error instanceof PipewireError && error.kind === "not-running") return;
      throw error;
    }
    const away = ((now - this.#lost!) / 1000).toFixed(1);
    this.#lost = null;
    this.reconnects++;
    this.#log(
      `backscrub: PipeWire is back: the camera "${this.cameraName}" is published again (away ${away} s)`,
    );
  }

  #setState(state: StreamState): void {
    const was = this.readers;
    this.#state = state;
    const now = this.readers;
    if (now === 0 && was > 0) this.#unreadSince = performance.now();
    if (now > 0) this.#unreadSince = null;
    if (now !== was) { for (const l of [...this.#listeners]) l(); }
  }

  /** Follows the daemon while no frames come (the camera paused): waits on the loop, no CPU. */
  async #run(): Promise<void> {
    try {
      while (!this.#closed) {
        await this.#source.wait(this.#lost !== null ? RECONNECT_MS : -1);
        this.#poll();
      }
    } catch (error) {
      if (!this.#closed) {
        this.#error = error;
        for (const l of [...this.#listeners]) l();
      }
    }
  }

  readonly #fill = (target: FrameTarget): void => {
    const { data, format } = target;
    if (format.format === "YUY2") {
      data.set(this.yuyv.subarray(0, data.length));
      return;
    }
    const t = performance.now();
    yuyvTo420(this.yuyv, data, format.format === "I420" ? "i420" : "nv12", this.size);
    if (this.#timing !== null) this.#timing.convert = performance.now() - t;
  };

  /**
   * Sends what {@linkcode yuyv} holds to the program reading the camera (repacked when it asked
   * for I420 or NV12: then `timing.convert` is the repack's time). Without a reader, or while
   * the daemon is away, the frame is dropped.
   *
   * @param timing this frame's timing record
   * @throws {PipewireError} when the stream failed for good
   */
  commit(timing: FrameTiming): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    this.#poll();
    if (this.#lost === null && this.#state === "streaming") {
      this.#timing = timing;
      if (this.#source.write(this.#fill)) this.frames++;
      this.#timing = null;
    }
    return Promise.resolve();
  }

  /** Removes the camera from PipeWire and frees everything. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of [...this.#listeners]) l();
    this.#source.wake();
    await this.#pump;
    await this.#source.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
