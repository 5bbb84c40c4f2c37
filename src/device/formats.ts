/**
 * Pixel formats by name, device paths by spec, and frame byte sizes.
 *
 * @module
 */

import { fourcc, fourccText, PIX_FMT } from "../../ffi/v4l2/mod.ts";

/** The formats backscrub decodes from a camera. */
export const DECODABLE: readonly number[] = [
  PIX_FMT.YUYV,
  PIX_FMT.MJPEG,
  PIX_FMT.JPEG,
  PIX_FMT.NV12,
  PIX_FMT.YUV420,
];

/** The order in which backscrub picks a camera format when none is asked for. */
export const CAPTURE_PREFERENCE: readonly number[] = [
  PIX_FMT.YUYV,
  PIX_FMT.MJPEG,
  PIX_FMT.NV12,
  PIX_FMT.YUV420,
  PIX_FMT.JPEG,
];

/** Virtual-camera output formats (the ones Chromium lists, apart from RGB3). */
export type OutputFormat = "YUYV" | "I420" | "NV12";

const ALIASES: Record<string, number> = {
  YUYV: PIX_FMT.YUYV,
  YUY2: PIX_FMT.YUYV,
  MJPG: PIX_FMT.MJPEG,
  MJPEG: PIX_FMT.MJPEG,
  JPEG: PIX_FMT.JPEG,
  NV12: PIX_FMT.NV12,
  YU12: PIX_FMT.YUV420,
  I420: PIX_FMT.YUV420,
  YUV420: PIX_FMT.YUV420,
};

/**
 * Reads a pixel format given by the user: a name (`MJPG`, `MJPEG`, `YUYV`,
 * `YUY2`, `NV12`, `I420`, `YU12`, any case) or any four-character FourCC.
 *
 * @example
 * ```ts
 * import { parsePixelFormat } from "./formats.ts";
 * parsePixelFormat("mjpeg"); // 0x47504a4d
 * parsePixelFormat("UYVY"); // 0x59565955
 * ```
 *
 * @param text The name or FourCC.
 * @returns The FourCC code.
 * @throws {RangeError} When it is neither.
 */
export function parsePixelFormat(text: string): number {
  const known = ALIASES[text.toUpperCase()];
  if (known !== undefined) return known;
  if (text.length === 4) return fourcc(text);
  throw new RangeError(
    `Cannot use pixel format "${text}": use MJPG, YUYV, NV12, I420 or a four-character FourCC`,
  );
}

/**
 * The FourCC code of a virtual-camera output format.
 *
 * @param format `"YUYV"`, `"I420"` or `"NV12"` (`"MJPG"` too, for tests).
 * @returns The code.
 */
export function outputPixelFormat(format: OutputFormat | "MJPG"): number {
  switch (format) {
    case "YUYV":
      return PIX_FMT.YUYV;
    case "I420":
      return PIX_FMT.YUV420;
    case "NV12":
      return PIX_FMT.NV12;
    case "MJPG":
      return PIX_FMT.MJPEG;
  }
}

/**
 * The FourCC as text, e.g. `"YUYV"`.
 *
 * @param code The FourCC code.
 * @returns The four characters.
 */
export function formatName(code: number): string {
  return fourccText(code);
}

/**
 * Bytes of one tightly packed frame of a raw format, or `null` for compressed
 * or unknown formats.
 *
 * @param code The FourCC code.
 * @param size The frame size.
 * @returns The byte count, or `null`.
 */
export function rawFrameBytes(
  code: number,
  size: { width: number; height: number },
): number | null {
  const { width, height } = size;
  switch (code) {
    case PIX_FMT.YUYV:
    case PIX_FMT.UYVY:
      return width * height * 2;
    case PIX_FMT.NV12:
    case PIX_FMT.YUV420:
    case PIX_FMT.YVU420:
      return width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
    case PIX_FMT.RGB24:
    case PIX_FMT.BGR24:
      return width * height * 3;
    case PIX_FMT.GREY:
      return width * height;
    default:
      return null;
  }
}

/**
 * Turns a device spec into a path: `video0` → `/dev/video0`, `0` → `/dev/video0`;
 * anything else is used as given.
 *
 * @example
 * ```ts
 * import { devicePath } from "./formats.ts";
 * devicePath("video2"); // "/dev/video2"
 * devicePath("/dev/v4l/by-id/usb-cam-video-index0"); // unchanged
 * ```
 *
 * @param spec The path, bare name or number.
 * @returns The path.
 */
export function devicePath(spec: string): string {
  if (/^\d+$/.test(spec)) return `/dev/video${spec}`;
  if (/^video\d+$/.test(spec)) return `/dev/${spec}`;
  return spec;
}
