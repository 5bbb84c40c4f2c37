/**
 * `-v null`: a sink that discards every frame. It takes the virtual camera's YUYV, so a run into
 * it does all the work a virtual camera's does (and the control panel's preview shows it): for
 * trying backscrub without a loopback device and for tests.
 *
 * @module
 */

import type { Size } from "../frame/geometry.ts";
import type { PackedSink } from "../frame/stages.ts";

/** What `-v` takes for {@linkcode NullSink}. */
export const NULL_SINK = "null";

/** Discards frames. */
export class NullSink implements PackedSink, AsyncDisposable {
  readonly kind = "yuyv";
  readonly size: Size;
  readonly description: string;
  readonly yuyv: Uint8Array;
  /** Frames taken so far. */
  frames = 0;

  /** @param size the output size (an odd width loses its last column, as a virtual camera's) */
  constructor(size: Size) {
    const width = size.width - (size.width % 2);
    this.size = { width, height: size.height };
    this.yuyv = new Uint8Array(width * size.height * 2);
    this.description = `null: ${width}x${size.height} YUYV, discarded`;
  }

  /** Counts the frame, sends it nowhere. */
  commit(): Promise<void> {
    this.frames++;
    return Promise.resolve();
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the sink. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
