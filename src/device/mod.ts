/**
 * Cameras and the virtual camera: V4L2 capture ({@linkcode Camera}), frame
 * decoding to RGB ({@linkcode FrameDecoder}), v4l2loopback output
 * ({@linkcode Loopback}) and device discovery ({@linkcode listDevices}).
 *
 * ```ts
 * import { Camera, FrameDecoder, Loopback } from "./mod.ts";
 * import { rgbToYuyv } from "../image/yuv.ts";
 *
 * using camera = Camera.open("video0", { width: 640, height: 480, fps: 30 });
 * camera.warnings.forEach((w) => console.warn(w));
 * const { width, height } = camera.negotiated;
 * using decoder = new FrameDecoder(camera.negotiated);
 * using out = Loopback.open(undefined, { width, height, format: "YUYV", fps: 30 });
 * const rgb = new Uint8Array(width * height * 3);
 * const yuyv = new Uint8Array(out.negotiated.frameBytes);
 * camera.start();
 * for (let i = 0; i < 100; i++) {
 *   const frame = camera.grab(2000);
 *   if (frame === null) continue;
 *   const ok = decoder.decode(frame.data, rgb);
 *   camera.release(frame);
 *   if (ok === null) continue;
 *   rgbToYuyv(rgb, yuyv, { width, height });
 *   out.write(yuyv);
 * }
 * ```
 *
 * @module
 */

export { Camera, type CameraOptions, type CameraStats, isLoopbackInfo } from "./camera.ts";
export type { JpegScale } from "../../ffi/turbojpeg/mod.ts";
export {
  type DecodeResult,
  type DecoderFormat,
  type DecodeStats,
  FrameDecoder,
  type FrameDecoderOptions,
} from "./decode.ts";
export {
  DeviceError,
  type DeviceErrorKind,
  LOOPBACK_FIX,
  MODPROBE_COMMAND,
  MODPROBE_CONF_LINE,
  MODPROBE_CONF_PATH,
  VIDEO_GROUP_FIX,
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
export { type DeviceReport, formatDeviceReport } from "./report.ts";
export {
  type CaptureSource,
  type Colorimetry,
  type Frame,
  MemoryCapture,
  type MemoryCaptureOptions,
  type Negotiated,
} from "./source.ts";
export {
  CameraSource,
  type CameraSourceOptions,
  LoopbackSink,
  type LoopbackSinkOptions,
} from "./pipeline.ts";
