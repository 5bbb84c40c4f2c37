/**
 * Finding video devices: every `/dev/videoN` with its driver, kind, formats,
 * sizes and frame rates (what `v4l2-ctl --list-devices --list-formats-ext`
 * shows), and the default virtual camera.
 *
 * @module
 */

import {
  BUF_TYPE,
  type BufType,
  CAP,
  type Capability,
  FMT_FLAG,
  type FrameIntervals,
  type FrameSizes,
  VideoDevice,
} from "../../ffi/v4l2/mod.ts";
import { isLoopbackInfo } from "./camera.ts";
import { DeviceError, type DeviceErrorKind, ioctlError, openError } from "./errors.ts";
import { DECODABLE, formatName } from "./formats.ts";

/** One frame size with its frame rates. */
export interface SizeInfo {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Discrete frame rates (fps), or a range, or `null` when the driver does not say. */
  fps: number[] | { min: number; max: number } | null;
}

/** One pixel format of a device. */
export interface FormatInfo {
  /** The FourCC as text, e.g. `"YUYV"`. */
  fourcc: string;
  /** The driver's description. */
  description: string;
  /** Whether it is compressed (MJPG, H264...). */
  compressed: boolean;
  /** Whether backscrub can decode it (capture) or writes it (output). */
  usable: boolean;
  /** Discrete sizes; a stepwise range; or `null` when the driver does not enumerate them. */
  sizes: SizeInfo[] | {
    minWidth: number;
    maxWidth: number;
    minHeight: number;
    maxHeight: number;
  } | null;
}

/** What a device node is, from backscrub's point of view. */
export type DeviceKind = "capture" | "loopback" | "output" | "other";

/** Why a device node could not be opened or queried. */
export interface DeviceInfoError {
  /** What went wrong (as {@linkcode DeviceError.kind}). */
  kind: DeviceErrorKind;
  /** The one-line message (facts only). */
  message: string;
  /** The `errno` of the failed call, or null. */
  errno: number | null;
}

/** A video device node. */
export interface DeviceInfo {
  /** The path, e.g. `/dev/video0`. */
  path: string;
  /** `"capture"` (a camera), `"loopback"` (v4l2loopback), `"output"` or `"other"`. */
  kind: DeviceKind;
  /** Driver name, or `""` when the device could not be opened. */
  driver: string;
  /** Card name. */
  card: string;
  /** Bus info. */
  busInfo: string;
  /** Whether the node captures now (a loopback device does only while a writer streams). */
  capture: boolean;
  /** Whether the node accepts output now (a loopback device without a writer). */
  output: boolean;
  /** Capture formats (empty when not a capture node). */
  captureFormats: FormatInfo[];
  /** Output formats (empty when not an output node). */
  outputFormats: FormatInfo[];
  /** Why the device could not be opened or queried, else `null`. */
  error: DeviceInfoError | null;
}

/** The result of {@linkcode listDevices}. */
export interface DeviceList {
  /** Every `/dev/videoN`, in numeric order. */
  devices: DeviceInfo[];
  /** The camera backscrub would use by default: the first capture device that is not a loopback. */
  defaultCamera: string | null;
  /** The virtual camera backscrub would use by default: the first v4l2loopback device. */
  defaultLoopback: string | null;
}

/** Output formats backscrub writes, in the order it prefers them. */
const OUTPUT_USABLE = ["YUYV", "YU12", "NV12"];

function videoNodes(devRoot: string): string[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(devRoot)].map((e) => e.name).filter((n) => /^video\d+$/.test(n));
  } catch {
    return [];
  }
  return names
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((n) => `${devRoot}/${n}`);
}

function fpsList(iv: FrameIntervals | null): SizeInfo["fps"] {
  if (iv === null) return null;
  const fps = (n: number, d: number): number => (n > 0 ? Number((d / n).toFixed(3)) : 0);
  if (iv.kind === "discrete") {
    return iv.intervals.map((t) => fps(t.numerator, t.denominator)).filter((f) => f > 0);
  }
  return {
    min: fps(iv.max.numerator, iv.max.denominator),
    max: fps(iv.min.numerator, iv.min.denominator),
  };
}

function sizeInfo(
  device: VideoDevice,
  code: number,
  sizes: FrameSizes | null,
): FormatInfo["sizes"] {
  if (sizes === null) return null;
  if (sizes.kind === "discrete") {
    return sizes.sizes.map((s) => ({
      ...s,
      fps: fpsList(device.enumFrameIntervals(code, s)),
    }));
  }
  return {
    minWidth: sizes.minWidth,
    maxWidth: sizes.maxWidth,
    minHeight: sizes.minHeight,
    maxHeight: sizes.maxHeight,
  };
}

function formats(device: VideoDevice, type: BufType, withSizes: boolean): FormatInfo[] {
  return device.enumFormats(type).map((f) => {
    const fourcc = formatName(f.pixelformat);
    return {
      fourcc,
      description: f.description,
      compressed: (f.flags & FMT_FLAG.COMPRESSED) !== 0,
      usable: type === BUF_TYPE.VIDEO_CAPTURE
        ? DECODABLE.includes(f.pixelformat)
        : OUTPUT_USABLE.includes(fourcc),
      sizes: withSizes
        ? sizeInfo(device, f.pixelformat, device.enumFrameSizes(f.pixelformat))
        : null,
    };
  });
}

function kindOf(info: Capability): DeviceKind {
  if (isLoopbackInfo(info)) return "loopback";
  if ((info.deviceCaps & CAP.VIDEO_CAPTURE) !== 0) return "capture";
  if ((info.deviceCaps & CAP.VIDEO_OUTPUT) !== 0) return "output";
  return "other";
}

/** A device's error as plain data (it goes into `backscrub devices --json`). */
function infoError(error: DeviceError): DeviceInfoError {
  return { kind: error.kind, message: error.message, errno: error.errno ?? null };
}

/** Queries one device node; errors become the entry's `error`. */
function describe(path: string, libraryPath: string | undefined): DeviceInfo {
  const entry: DeviceInfo = {
    path,
    kind: "other",
    driver: "",
    card: "",
    busInfo: "",
    capture: false,
    output: false,
    captureFormats: [],
    outputFormats: [],
    error: null,
  };
  let device: VideoDevice;
  try {
    device = VideoDevice.open(path, {
      ...(libraryPath === undefined ? {} : { libraryPath }),
    });
  } catch (error) {
    const e = openError(error, path, undefined);
    if (e instanceof DeviceError) {
      entry.error = infoError(e);
      return entry;
    }
    throw e;
  }
  try {
    const info = device.queryCap();
    entry.kind = kindOf(info);
    entry.driver = info.driver;
    entry.card = info.card;
    entry.busInfo = info.busInfo;
    entry.capture = (info.deviceCaps & CAP.VIDEO_CAPTURE) !== 0;
    entry.output = (info.deviceCaps & CAP.VIDEO_OUTPUT) !== 0;
    if (entry.capture) entry.captureFormats = formats(device, BUF_TYPE.VIDEO_CAPTURE, true);
    // v4l2loopback lists ~55 output formats with no sizes: the names are enough.
    if (entry.output) entry.outputFormats = formats(device, BUF_TYPE.VIDEO_OUTPUT, false);
  } catch (error) {
    const e = ioctlError(error, path, "query");
    entry.error = e instanceof DeviceError
      ? infoError(e)
      : { kind: "io", message: (e as Error).message, errno: null };
  } finally {
    device.close();
  }
  return entry;
}

/**
 * Lists every `/dev/videoN` with what it can do. Devices that cannot be
 * opened (permission, busy) are listed with an `error` instead of failing the
 * whole list. An empty list means there are no video devices at all.
 *
 * @example
 * ```ts
 * import { listDevices } from "./list.ts";
 * const { devices, defaultCamera, defaultLoopback } = listDevices();
 * for (const d of devices) console.log(d.path, d.kind, d.card);
 * console.log(defaultCamera, defaultLoopback); // "/dev/video0" "/dev/video10"
 * ```
 *
 * @param options `devRoot` (default `/dev`) and an explicit libv4l2 path.
 * @returns The devices and the defaults.
 */
export function listDevices(options: { devRoot?: string; libraryPath?: string } = {}): DeviceList {
  const devices = videoNodes(options.devRoot ?? "/dev").map((p) =>
    describe(p, options.libraryPath)
  );
  const camera =
    devices.find((d) => d.kind === "capture" && d.captureFormats.some((f) => f.usable)) ??
      devices.find((d) => d.kind === "capture");
  return {
    devices,
    defaultCamera: camera?.path ?? null,
    defaultLoopback: devices.find((d) => d.kind === "loopback")?.path ?? null,
  };
}

/**
 * The first v4l2loopback device (by driver name or bus info), without
 * enumerating formats.
 *
 * @param libraryPath An explicit libv4l2 path.
 * @param devRoot The device directory (default `/dev`).
 * @returns Its path, or `null` when there is none.
 */
export function defaultLoopback(libraryPath?: string, devRoot = "/dev"): string | null {
  for (const path of videoNodes(devRoot)) {
    try {
      using device = VideoDevice.open(path, {
        ...(libraryPath === undefined ? {} : { libraryPath }),
      });
      if (isLoopbackInfo(device.queryCap())) return path;
    } catch {
      // Not openable (permission, gone): not a candidate.
    }
  }
  return null;
}
