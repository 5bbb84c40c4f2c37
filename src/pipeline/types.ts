/**
 * The pipeline's stage interfaces: a frame source, a background, a frame sink. A V4L2 device or
 * a file can stand at either end; the loop (`loop.ts`) wires them with the segmenter and the
 * compositor. Frames are 8-bit RGB, interleaved, row-major; every buffer is made once, at start.
 *
 * The fast path: a source that can give planar YCbCr (`readYuv`: a camera's MJPG or YUYV), a
 * sink that takes YUYV (`writeYuyv`: the virtual camera) and a background that can draw in YCbCr
 * (`renderYuv`) let the loop skip every RGB conversion (see `loop.ts`).
 *
 * @module
 */

import type { YuvFrame } from "../image/planar.ts";

/** Where frames come from: a camera, a video or y4m file, an image or an image sequence. */
export interface FrameSource {
  /** Frame width in pixels. */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
  /** Nominal frames per second (0 when unknown, e.g. a single image). */
  readonly fps: number;
  /** One line for the startup banner, e.g. `/dev/video0 (vivid) 640x480 YUYV 30 fps`. */
  readonly description: string;
  /** Milliseconds the last `read` spent decoding (reported as its own stage), if it decodes. */
  readonly decodeMs?: number;
  /**
   * Fills `into` (width × height × 3 bytes, RGB) with the next frame.
   *
   * @returns true when a frame was read, false at the end of the stream
   */
  read(into: Uint8Array): Promise<boolean>;
  /**
   * Optional fast path: fills `into` (full-range planar YCbCr of the source's size) with the
   * next frame, without converting to RGB.
   *
   * @returns true when a frame was read, false at the end of the stream
   */
  readYuv?(into: YuvFrame): Promise<boolean>;
  /** Releases the source. Idempotent. */
  close(): Promise<void>;
}

/** Where frames go: a v4l2loopback device, a y4m or mp4 file, a folder of PNGs. */
export interface FrameSink {
  /** Frame width in pixels. */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
  /** One line for the startup banner. */
  readonly description: string;
  /** Milliseconds the last `write` spent converting pixels (its own stage), if it converts. */
  readonly convertMs?: number;
  /** Writes one RGB frame (width × height × 3 bytes); the sink may not keep a reference. */
  write(frame: Uint8Array): Promise<void>;
  /**
   * Optional fast path: writes one frame already in YUYV (BT.601 limited range, width × height
   * × 2 bytes), as the loop packs it while compositing (a sink of another YUV format repacks it).
   */
  writeYuyv?(yuyv: Uint8Array): Promise<void>;
  /** Flushes and releases the sink. Idempotent. */
  close(): Promise<void>;
}

/** What a background gets to draw one frame. */
export interface BackgroundContext {
  /** The camera frame at output size (RGB). */
  frame: Uint8Array;
  /** The person alpha at output size, 0 (background) … 255 (person). */
  mask: Uint8Array;
  /** Milliseconds since the pipeline started (drives video backgrounds). */
  timeMs: number;
}

/** What a background gets to draw one frame on the fast path. */
export interface YuvBackgroundContext {
  /** The camera frame at output size, full-range planar YCbCr (4:2:2 or 4:2:0). */
  frame: YuvFrame;
  /** The person alpha at output size, 0 (background) … 255 (person). */
  mask: Uint8Array;
  /** Milliseconds since the pipeline started (drives video backgrounds). */
  timeMs: number;
}

/** What replaces the background: an image, a colour, a blur of the camera, a video. */
export interface Background {
  /** One line for the startup banner, e.g. `blur 12` or `image backgrounds/beach.jpg (cover)`. */
  readonly description: string;
  /** True for "off": the pipeline passes the camera through and skips segmentation. */
  readonly passthrough: boolean;
  /** True when every frame gets the same picture (an image, a colour). */
  readonly still?: boolean;
  /**
   * Returns the background for this frame (output width × height × 3 bytes, RGB). The buffer
   * belongs to the background and stays valid until the next call.
   */
  render(ctx: BackgroundContext): Uint8Array;
  /**
   * Optional fast path: the background for this frame as a full-range 4:2:2 planar frame of the
   * output size (`chromaShift` 0), owned by the background and valid until the next call.
   */
  renderYuv?(ctx: YuvBackgroundContext): YuvFrame;
  /** Releases resources (subprocesses, buffers). Idempotent. */
  close(): Promise<void>;
}

/** Output size and frame rate a background is made for. */
export interface BackgroundOptions {
  /** Output width. */
  width: number;
  /** Output height. */
  height: number;
}
