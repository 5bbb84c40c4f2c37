/**
 * Cameras and the virtual camera: V4L2 capture ({@linkcode Camera}), decoding camera frames to
 * the pipeline's planar frame ({@linkcode FrameDecoder}), v4l2loopback output
 * ({@linkcode Loopback}), device discovery ({@linkcode listDevices}), and the two as pipeline
 * stages: {@linkcode CameraSource} (a `FrameSource`) and {@linkcode LoopbackSink} (a
 * `PackedSink`), with {@linkcode ReaderGate} pausing the camera while nobody reads the output.
 *
 * ```ts
 * import { FrameTiming, makeFrame } from "../frame/mod.ts";
 * import { packYuyv } from "../image/planar.ts";
 * import { CameraSource, LoopbackSink } from "./mod.ts";
 *
 * const camera = CameraSource.open("video0", { width: 640, height: 480, fps: 30 });
 * camera.warnings.forEach((w) => console.warn(w));
 * const out = LoopbackSink.open(undefined, { ...camera.size, format: "YUYV", fps: 30 });
 * const frame = makeFrame(camera.size, "422");
 * const timing = new FrameTiming();
 * for (let i = 0; i < 100; i++) {
 *   timing.reset();
 *   await camera.read(frame, timing); // MJPG or YUYV, no RGB on the way
 *   packYuyv(frame, out.yuyv);
 *   await out.commit(timing);
 * }
 * await out.close();
 * await camera.close();
 * ```
 *
 * @module
 */

export { Camera, type CameraOptions, type CameraStats, isLoopbackInfo } from "./camera.ts";
export { CameraSource, type CameraSourceOptions } from "./camera_source.ts";
export {
  type DecoderFormat,
  type DecodeStats,
  type DecodeWarningKind,
  FrameDecoder,
  type FrameDecoderOptions,
} from "./decode.ts";
export {
  DeviceError,
  type DeviceErrorDetails,
  type DeviceErrorKind,
  type DevicePurpose,
} from "./errors.ts";
export { devicePath, type OutputFormat, parsePixelFormat } from "./formats.ts";
export { findHolders, type Holder, type Holders } from "./holders.ts";
export {
  defaultLoopback,
  type DeviceInfo,
  type DeviceKind,
  type DeviceList,
  type FormatInfo,
  listDevices,
  type SizeInfo,
} from "./list.ts";
export { Loopback, type LoopbackNegotiated, type LoopbackOptions } from "./loopback.ts";
export {
  type CapturedBuffer,
  type CaptureDevice,
  type Colorimetry,
  type Negotiated,
} from "./capture.ts";
export { LoopbackSink, type LoopbackSinkOptions } from "./loopback_sink.ts";
export {
  type PausableSource,
  ReaderGate,
  type ReaderGateOptions,
  ReaderWatch,
  type ReaderWatchOptions,
} from "./readers.ts";
