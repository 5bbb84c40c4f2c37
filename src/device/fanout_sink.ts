/**
 * {@linkcode FanoutSink}: two virtual cameras fed the same frames (`-v /dev/video10 -v pipewire`),
 * so that one backscrub serves programs that read v4l2loopback and programs that read PipeWire.
 *
 * @module
 */

import type { FrameTiming, PackedSink, Size } from "../frame/mod.ts";

/**
 * Several `PackedSink`s as one: the compositor fills the first sink's frame; each commit sends it
 * to every sink. A sink that reads from that same frame (opened with it) gets it as it is; any
 * other gets a copy first. `timing.convert` is the sum of the sinks' repacks.
 *
 * @example
 * ```ts ignore
 * const loopback = LoopbackSink.open("/dev/video10", { width: 640, height: 480 });
 * const camera = await PipewireSink.open("pipewire", { width: 640, height: 480, yuyv: loopback.yuyv });
 * const sink = new FanoutSink([loopback, camera]);
 * ```
 */
export class FanoutSink implements PackedSink {
  /** Takes packed YUYV. */
  readonly kind = "yuyv" as const;
  /** The frame size (the first sink's). */
  readonly size: Size;
  /** The first sink's frame. */
  readonly yuyv: Uint8Array;
  /** The sinks, in order. */
  readonly sinks: readonly PackedSink[];

  /**
   * @param sinks at least one, all of the first one's size
   * @throws {RangeError} when the sizes differ
   */
  constructor(sinks: readonly PackedSink[]) {
    const first = sinks[0];
    if (first === undefined) throw new RangeError("Cannot fan out to no sink");
    for (const s of sinks) {
      if (s.size.width !== first.size.width || s.size.height !== first.size.height) {
        throw new RangeError(
          `Cannot feed ${s.description} (${s.size.width}x${s.size.height}) beside ${first.description}: the sizes differ`,
        );
      }
    }
    this.sinks = [...sinks];
    this.size = first.size;
    this.yuyv = first.yuyv;
  }

  /** Every sink's description, joined: `/dev/video10 640x480 YUYV 30 fps + pipewire "backscrub" …`. */
  get description(): string {
    return this.sinks.map((s) => s.description).join(" + ");
  }

  /**
   * Sends the frame to every sink, in order.
   *
   * @param timing this frame's timing record
   */
  async commit(timing: FrameTiming): Promise<void> {
    let convert = NaN;
    for (const sink of this.sinks) {
      if (sink.yuyv !== this.yuyv) sink.yuyv.set(this.yuyv);
      timing.convert = NaN;
      await sink.commit(timing);
      if (!Number.isNaN(timing.convert)) {
        convert = (Number.isNaN(convert) ? 0 : convert) + timing.convert;
      }
    }
    timing.convert = convert;
  }

  /** Closes every sink (the last first). Idempotent. */
  async close(): Promise<void> {
    for (const sink of [...this.sinks].reverse()) await sink.close();
  }
}
