/**
 * The `CaptureDevice` interface: raw camera buffers viewed in place ({@linkcode Camera}, or
 * `tests/fakes/memory_capture.ts` in tests). The pipeline's `FrameSource` (`src/frame/stages.ts`)
 * sits one level up: `CameraSource` (`camera_source.ts`) decodes a capture device's buffers into
 * frames.
 *
 * @module
 */

/** How the pixels are encoded: V4L2's colorimetry fields (`enum v4l2_*` values). */
export interface Colorimetry {
  /** `enum v4l2_colorspace` (1 SMPTE170M, 3 REC709, 8 SRGB, 0 default). */
  colorspace: number;
  /** `enum v4l2_ycbcr_encoding` (1 BT.601, 2 BT.709, 0 default = 601 for SD/sRGB). */
  ycbcrEnc: number;
  /** `enum v4l2_quantization` (1 full, 2 limited, 0 default). */
  quantization: number;
  /** `enum v4l2_xfer_func` (0 default). */
  xferFunc: number;
}

/** What a source really delivers (not what was asked for). */
export interface Negotiated {
  /** CapturedBuffer width in pixels. */
  width: number;
  /** CapturedBuffer height in pixels. */
  height: number;
  /** The pixel format as text, e.g. `"YUYV"`, `"MJPG"`. */
  fourcc: string;
  /** The FourCC code. */
  pixelformat: number;
  /** Frames per second, or `null` when the driver does not say. */
  fps: number | null;
  /** Bytes per row of the first plane (0 for compressed formats). */
  bytesperline: number;
  /** The largest frame in bytes. */
  sizeimage: number;
  /** The colorimetry the driver reports. */
  colorimetry: Colorimetry;
}

/**
 * One frame. It views the source's buffer in place: read it, then hand it back
 * with {@linkcode CaptureDevice.release}; after that (or after `stop()`) its
 * bytes belong to the source again (a stale `data` of a mapped buffer reads as
 * empty once unmapped).
 */
export interface CapturedBuffer {
  /** The frame bytes (`bytesused` of the buffer). */
  readonly data: Uint8Array;
  /** The source's frame counter (gaps mean dropped frames). */
  readonly sequence: number;
  /** Capture time in microseconds (the driver's clock, usually monotonic). */
  readonly timestampUs: number;
}

/** A source of captured buffers, e.g. a {@linkcode Camera}. */
export interface CaptureDevice {
  /** What the source delivers. */
  readonly negotiated: Negotiated;
  /** Differences between what was asked for and what the source gives. */
  readonly warnings: readonly string[];
  /** Starts delivering frames. */
  start(): void;
  /**
   * Waits up to `timeoutMs` for the next frame.
   *
   * @returns The frame, or `null` when none came in time.
   */
  grab(timeoutMs: number): CapturedBuffer | null;
  /** Hands a frame back (calling it twice does nothing). */
  release(frame: CapturedBuffer): void;
  /** Stops delivering frames (frames still held become invalid). */
  stop(): void;
  /** Stops and frees everything; calling it again does nothing. */
  close(): void;
}
