/**
 * {@linkcode LoopbackSink}: the virtual camera as the pipeline's `PackedSink`
 * (`src/frame/stages.ts`). The compositor writes YUYV straight into its buffer; committing sends
 * it as it is to a YUYV device, or repacked to I420 or NV12 in one pass.
 *
 * @module
 */

import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import {
  type Frame,
  type FrameTiming,
  makeFrame,
  type PackedSink,
  type Size,
} from "../frame/mod.ts";
import { yuyvToFrame } from "../image/planar.ts";
import { yuyvTo420 } from "../image/yuv.ts";
import type { OutputFormat } from "./formats.ts";
import { Loopback } from "./loopback.ts";
import { Kernels } from "../kernels/mod.ts";

/**
 * The virtual camera's JPEG quality for `--out-format MJPG`: 90 keeps the picture (skin, hair,
 * text) without visible blocks; lower saves little CPU (the encode is mostly the DCT).
 */
export const MJPG_QUALITY = 90;

/** Options for {@linkcode LoopbackSink.open}. */
export interface LoopbackSinkOptions {
  /** Frame width (even). */
  width: number;
  /** Frame height (even for I420 and NV12). */
  height: number;
  /**
   * `"YUYV"` (default), `"I420"` or `"NV12"`; `"MJPG"`: each frame JPEG-encoded (for Firefox,
   * which reads uncompressed formats 800 or more wide at 15 fps at most).
   */
  format?: OutputFormat | "MJPG";
  /** JPEG quality for `"MJPG"` (default {@linkcode MJPG_QUALITY}). */
  quality?: number;
  /** Frame rate announced to readers (default 30). */
  fps?: number;
}

/**
 * The virtual camera as the pipeline's `PackedSink`: the pipeline fills {@linkcode yuyv} (YUYV,
 * BT.601 limited range, made once) and calls {@linkcode commit}, which writes it to the device,
 * repacked to I420 or NV12 (into a second buffer made once) when the device was opened in one of
 * those.
 *
 * @example
 * ```ts
 * import { FrameTiming } from "../frame/mod.ts";
 * import { LoopbackSink } from "./loopback_sink.ts";
 *
 * const sink = LoopbackSink.open(undefined, { width: 640, height: 480, format: "NV12" });
 * sink.yuyv.fill(128); // a grey frame
 * const timing = new FrameTiming();
 * await sink.commit(timing);
 * console.log(timing.convert); // the YUYV → NV12 repack, e.g. 0.3 ms
 * await sink.close();
 * ```
 */
export class LoopbackSink implements PackedSink {
  /** Takes packed YUYV. */
  readonly kind = "yuyv" as const;
  /** The negotiated frame size. */
  readonly size: Size;
  /** E.g. `/dev/video10 640x480 YUYV 30 fps`. */
  readonly description: string;
  /** The frame to fill before {@linkcode commit}: `width × height × 2` bytes of YUYV. */
  readonly yuyv: Uint8Array;
  /** The device's format. */
  readonly format: OutputFormat | "MJPG";
  readonly #loopback: Loopback;
  /** The 4:2:0 layout {@linkcode yuyv} is repacked to, or null for a YUYV device. */
  readonly #repack: "i420" | "nv12" | null;
  /** The repacked frame (empty for a YUYV device). */
  readonly #out: Uint8Array;
  /** MJPG: the full-range 4:2:2 planes the JPEG is made from, and the encoder. */
  readonly #jpeg: { frame: Frame; encoder: JpegEncoder; quality: number } | null;

  private constructor(loopback: Loopback, format: OutputFormat | "MJPG", quality: number) {
    const n = loopback.negotiated;
    this.#loopback = loopback;
    this.format = format;
    this.size = { width: n.width, height: n.height };
    this.#repack = format === "I420" ? "i420" : format === "NV12" ? "nv12" : null;
    // The compositor's kernels write it in place: it lives in their memory (libv4l2's write
    // takes it from there as from any buffer).
    this.yuyv = Kernels.shared().arena.bytes(n.width * n.height * 2);
    this.#out = new Uint8Array(this.#repack === null ? 0 : n.frameBytes);
    this.#jpeg = format === "MJPG"
      ? { frame: makeFrame(this.size, "422"), encoder: new JpegEncoder(), quality }
      : null;
    this.description = `${loopback.path} ${n.width}x${n.height} ${format}` +
      (n.fps === null ? "" : ` ${n.fps} fps`);
  }

  /**
   * Opens the virtual camera.
   *
   * @param spec The device, or `undefined` for the first v4l2loopback device.
   * @param options Size, format and rate.
   * @returns The sink.
   * @throws {DeviceError} As {@linkcode Loopback.open}.
   */
  static open(spec: string | undefined, options: LoopbackSinkOptions): LoopbackSink {
    const format = options.format ?? "YUYV";
    const loopback = Loopback.open(spec, { ...options, format });
    return new LoopbackSink(loopback, format, options.quality ?? MJPG_QUALITY);
  }

  /** The writer (negotiated format, warnings, frame count). */
  get loopback(): Loopback {
    return this.#loopback;
  }

  /**
   * Writes what {@linkcode yuyv} holds: as it is to a YUYV device, repacked to I420 or NV12
   * otherwise (then `timing.convert` is the repack's time; a YUYV device leaves it unset).
   *
   * @param timing This frame's timing record.
   * @throws {DeviceError} When the device fails.
   */
  commit(timing: FrameTiming): Promise<void> {
    if (this.#jpeg !== null) {
      // YUYV (limited range) → full-range 4:2:2 planes → JPEG, no RGB on the way.
      const t = performance.now();
      const { frame, encoder, quality } = this.#jpeg;
      yuyvToFrame(this.yuyv, frame);
      const jpeg = encoder.encodeYuv(frame, { ...this.size, subsampling: "422", quality });
      timing.convert = performance.now() - t;
      this.#loopback.write(jpeg);
    } else if (this.#repack === null) {
      this.#loopback.write(this.yuyv);
    } else {
      const t = performance.now();
      yuyvTo420(this.yuyv, this.#out, this.#repack, this.size);
      timing.convert = performance.now() - t;
      this.#loopback.write(this.#out);
    }
    return Promise.resolve();
  }

  /** Closes the device. Idempotent. */
  close(): Promise<void> {
    this.#jpeg?.encoder.close();
    this.#loopback.close();
    Kernels.shared().release(this.yuyv);
    return Promise.resolve();
  }
}
