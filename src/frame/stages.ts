/**
 * The stage contracts: where frames come from, what replaces the background, where frames go.
 * Every stage implements one of these; the loop (`src/pipeline/`) wires them. Nothing here
 * imports a stage.
 *
 * Frames are {@linkcode Frame}s in the pipeline's working layout (`"444"` for files, `"422"` for
 * the virtual camera), made once at setup and filled in place every frame.
 *
 * @module
 */

import type { Frame, WorkingLayout } from "./frame.ts";
import type { Size } from "./geometry.ts";
import type { FrameTiming } from "./timing.ts";

/** Where frames come from: a camera, a video or y4m file, an image or an image sequence. */
export interface FrameSource {
  /** Frame size in pixels. */
  readonly size: Size;
  /** Nominal frames per second (0 when unknown, e.g. a single image). */
  readonly fps: number;
  /** One line for the start-up banner, e.g. `/dev/video0 (vivid) 640x480 YUYV 30 fps`. */
  readonly description: string;
  /**
   * Fills `into` (of {@linkcode size}, made in the working layout) with the next frame. A
   * `"422"` frame may come back `"420"` (a camera's JPEG); a `"444"` frame stays `"444"`. Sets
   * `timing.decode` when it decodes.
   *
   * @returns true when a frame was read, false at the end of the stream
   */
  read(into: Frame, timing: FrameTiming): Promise<boolean>;
  /**
   * Sources that can lose their picture (a camera unplugged, busy or silent for a while): true
   * when the last read gave no picture worth showing (`into` holds the last frame, or nothing).
   * The loop then sends the background with a "camera unavailable" notice instead, without a
   * model run. Absent or false: every read is a picture.
   */
  readonly standby?: boolean;
  /**
   * Sources that pace themselves (a camera): give at most `fps` frames a second from now on
   * (null: as many as come). Absent where the rate is fixed (a file).
   */
  setMaxFps?(fps: number | null): void;
  /** Releases the source. Idempotent. */
  close(): Promise<void>;
}

/** Where frames go: a y4m or video file, a folder of PNGs (planar frames). */
export interface PlanarSink {
  /** Takes {@linkcode Frame}s. */
  readonly kind: "planar";
  /** Frame size in pixels. */
  readonly size: Size;
  /** One line for the start-up banner. */
  readonly description: string;
  /**
   * Writes one frame (of {@linkcode size}, `"444"`); the sink keeps no reference to it. Sets
   * `timing.convert` when it converts.
   */
  write(frame: Frame, timing: FrameTiming): Promise<void>;
  /** Flushes and releases the sink. Idempotent. */
  close(): Promise<void>;
}

/**
 * The virtual camera: it takes packed YUYV (BT.601 limited range), which the compositor writes
 * straight into {@linkcode yuyv} in the same pass as the blend (the fast path: no planar output
 * frame, no separate packing pass). A sink of another V4L2 format (I420, NV12) repacks it.
 */
export interface PackedSink {
  /** Takes YUYV in {@linkcode yuyv}. */
  readonly kind: "yuyv";
  /** Frame size in pixels (even width). */
  readonly size: Size;
  /** One line for the start-up banner. */
  readonly description: string;
  /** The frame to fill, `width × height × 2` bytes, owned by the sink. */
  readonly yuyv: Uint8Array;
  /** Sends what {@linkcode yuyv} holds. Sets `timing.convert` when it repacks. */
  commit(timing: FrameTiming): Promise<void>;
  /** Flushes and releases the sink. Idempotent. */
  close(): Promise<void>;
}

/** Where frames go. */
export type FrameSink = PlanarSink | PackedSink;

/**
 * The working layout for a sink: `"422"` for the virtual camera (YUYV), `"444"` for files.
 *
 * @param sink the sink
 * @returns the layout the pipeline's frames are made in
 */
export function workingLayout(sink: FrameSink): WorkingLayout {
  return sink.kind === "yuyv" ? "422" : "444";
}

/** What a background gets to draw one frame. */
export interface BackgroundContext {
  /** The camera frame at output size, in the working layout. */
  frame: Frame;
  /** The person alpha at output size, 0 (background) … 255 (person). */
  mask: Uint8Array;
  /** Milliseconds since the pipeline started (drives video and GIF backgrounds). */
  timeMs: number;
}

/** What replaces the background: an image, a colour, a blur of the camera, a video, nothing. */
export interface Background {
  /** One line for the start-up banner, e.g. `blur 12` or `image backgrounds/beach.jpg (cover)`. */
  readonly description: string;
  /** True for "off": the pipeline passes the camera through and skips segmentation. */
  readonly passthrough: boolean;
  /** True when every frame gets the same picture (an image, a colour). */
  readonly still: boolean;
  /**
   * The background for this frame: a frame of the output size in the layout the background was
   * opened for (`"444"`, or `"422"` with chroma on every row), owned by the background and valid
   * until the next call. A passthrough background returns `ctx.frame`.
   */
  render(ctx: BackgroundContext): Frame;
  /** Releases resources (subprocesses, buffers). Idempotent. */
  close(): Promise<void>;
}

/** What a background is opened for. */
export interface BackgroundOptions {
  /** The output size. */
  readonly size: Size;
  /** The working layout its frames are drawn in. */
  readonly layout: WorkingLayout;
}
