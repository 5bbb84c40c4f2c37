/**
 * {@linkcode FrameDecoder}: turns a camera frame of any supported format (YUYV,
 * MJPG/JPEG, NV12, YU12) into 8-bit RGB, full size or scaled down. MJPG scales
 * through libturbojpeg's DCT scaling (1/2, 1/4, 1/8 almost for free); raw
 * formats are converted at full size and then resized.
 *
 * @module
 */

import { JpegDecoder, JpegError, type JpegScale, scaledSize } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { resizeBilinear } from "../image/resize.ts";
import { rgbToPlanar, type YuvFrame, yuyvToPlanar } from "../image/planar.ts";
import { i420ToRgb, nv12ToRgb, yuyvToRgb } from "../image/yuv.ts";
import { DeviceError } from "./errors.ts";
import { formatName } from "./formats.ts";
import type { Negotiated } from "./source.ts";

/** Counters of a {@linkcode FrameDecoder}. */
export interface DecodeStats {
  /** Frames decoded (including damaged-but-usable ones). */
  decoded: number;
  /** Corrupt frames skipped (truncated, undecodable or damaged JPEG data, wrong size). */
  skipped: number;
  /** Frames used despite libjpeg's "extraneous bytes before marker" warning. */
  damaged: number;
  /** The last skip or damage reason, or `null`. */
  lastWarning: string | null;
}

/** Result of {@linkcode FrameDecoder.decode}. */
export interface DecodeResult {
  /** Width of the RGB picture. */
  width: number;
  /** Height of the RGB picture. */
  height: number;
}

/** Options for {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Called with each skip or damage warning (one line); default: nothing. */
  onWarning?: (message: string) => void;
  /** Use libjpeg-turbo's fast DCT and upsampling (slightly lower quality). */
  fastJpeg?: boolean;
}

/** The part of {@linkcode Negotiated} the decoder needs. */
export type DecoderFormat = Pick<Negotiated, "width" | "height" | "pixelformat" | "bytesperline">;

const JPEG_FORMATS: readonly number[] = [PIX_FMT.MJPEG, PIX_FMT.JPEG];
/** The libjpeg warning that leaves the picture intact (`JWRN_EXTRANEOUS_DATA`). */
const BENIGN_WARNING = /extraneous bytes before marker/i;

/**
 * Decodes frames of one negotiated format into RGB. Every buffer it needs is
 * made once (in the constructor or on the first scaled decode), so decoding
 * allocates nothing per frame.
 *
 * A corrupt MJPG frame (no JPEG start or end marker, undecodable data, data
 * libjpeg warns about, or a different size) is skipped: {@linkcode decode}
 * returns `null`, the stats count it, `onWarning` hears why, and `out` may hold
 * a partial picture (do not use it). The caller releases the frame and grabs
 * the next one; the stream goes on. Only libjpeg's "extraneous bytes before
 * marker" warning, which some cameras trigger on every frame, keeps the frame.
 *
 * @example
 * ```ts
 * import { Camera } from "./camera.ts";
 * import { FrameDecoder } from "./decode.ts";
 *
 * using camera = Camera.open("/dev/video0", { width: 640, height: 480, format: "MJPG" });
 * using decoder = new FrameDecoder(camera.negotiated, { onWarning: console.warn });
 * const rgb = new Uint8Array(640 * 480 * 3);
 * const small = new Uint8Array(160 * 120 * 3);
 * camera.start();
 * const frame = camera.grab(2000);
 * if (frame !== null) {
 *   decoder.decode(frame.data, rgb); // full size
 *   decoder.decode(frame.data, small, { scale: 4 }); // DCT-scaled for the model
 *   camera.release(frame);
 * }
 * ```
 */
export class FrameDecoder {
  readonly #format: DecoderFormat;
  readonly #name: string;
  readonly #jpeg: JpegDecoder | null;
  readonly #onWarning: ((message: string) => void) | undefined;
  readonly #fast: boolean;
  readonly #stats: DecodeStats = { decoded: 0, skipped: 0, damaged: 0, lastWarning: null };
  /** Tightly packed copy for raw frames with padded rows (made once when needed). */
  #packed: Uint8Array | null = null;
  /** Full-size RGB for scaled decodes of raw formats (made once when needed). */
  #full: Uint8Array | null = null;
  readonly #size: { width: number; height: number };

  /**
   * Creates a decoder for one format.
   *
   * @param format The negotiated format (e.g. `camera.negotiated`).
   * @param options Warning callback and JPEG speed.
   * @throws {DeviceError} When backscrub cannot decode the format.
   */
  constructor(format: DecoderFormat, options: FrameDecoderOptions = {}) {
    const code = format.pixelformat;
    this.#name = formatName(code);
    const raw = code === PIX_FMT.YUYV || code === PIX_FMT.NV12 || code === PIX_FMT.YUV420;
    if (!raw && !JPEG_FORMATS.includes(code)) {
      throw new DeviceError(
        "format",
        `Cannot decode ${this.#name} frames: backscrub reads YUYV, MJPG, JPEG, NV12 and YU12 (ask the camera for one of them with -f)`,
      );
    }
    if (raw && (format.width % 2 !== 0 || (code !== PIX_FMT.YUYV && format.height % 2 !== 0))) {
      throw new DeviceError(
        "format",
        `Cannot decode ${format.width}x${format.height} ${this.#name} frames: the size must be even (ask for an even size)`,
      );
    }
    this.#format = { ...format };
    this.#size = { width: format.width, height: format.height };
    this.#jpeg = raw ? null : new JpegDecoder();
    this.#onWarning = options.onWarning;
    this.#fast = options.fastJpeg ?? false;
  }

  /** Counters since creation. */
  get stats(): Readonly<DecodeStats> {
    return this.#stats;
  }

  /**
   * The RGB size {@linkcode decode} produces at `scale` (`ceil(size / scale)`,
   * as libturbojpeg's DCT scaling rounds).
   *
   * @param scale 1, 2, 4 or 8.
   * @returns The size.
   */
  outputSize(scale: JpegScale = 1): { width: number; height: number } {
    return scaledSize(this.#size, scale);
  }

  /**
   * Decodes one frame into `out` (RGB, 3 bytes per pixel, tightly packed rows).
   *
   * @param data The frame bytes (`frame.data`).
   * @param out At least `width * height * 3` bytes of {@linkcode outputSize}`(scale)`.
   * @param options `scale`: 1 (default), 2, 4 or 8.
   * @returns The size decoded, or `null` when a corrupt frame was skipped.
   * @throws {RangeError} When `out` is too small or a raw frame is short.
   */
  decode(
    data: Uint8Array,
    out: Uint8Array,
    options: { scale?: JpegScale } = {},
  ): DecodeResult | null {
    const scale = options.scale ?? 1;
    const size = scaledSize(this.#size, scale);
    const needed = size.width * size.height * 3;
    if (out.length < needed) {
      throw new RangeError(
        `Cannot decode a ${size.width}x${size.height} picture into ${out.length} bytes: it needs ${needed}`,
      );
    }
    if (this.#jpeg !== null) return this.#decodeJpeg(data, out, null, scale, size);
    if (scale === 1) {
      this.#decodeRaw(data, out);
    } else {
      this.#full ??= new Uint8Array(this.#size.width * this.#size.height * 3);
      this.#decodeRaw(data, this.#full);
      resizeBilinear(this.#full, out, {
        srcWidth: this.#size.width,
        srcHeight: this.#size.height,
        dstWidth: size.width,
        dstHeight: size.height,
        channels: 3,
      });
    }
    this.#stats.decoded++;
    return size;
  }

  /**
   * Decodes one frame into a full-range planar frame (`src/image/planar.ts`) of the camera's
   * size: MJPG in 4:2:2 or 4:2:0 (what cameras send) straight to its planes without colour
   * conversion, YUYV by one unpacking pass; other subsamplings and raw formats through RGB.
   *
   * @param data The frame bytes (`frame.data`).
   * @param frame The destination, `width × height` of the camera.
   * @returns `true`, or `false` when a corrupt frame was skipped.
   * @throws {RangeError} When `frame` has another size or a raw frame is short.
   */
  decodeYuv(data: Uint8Array, frame: YuvFrame): boolean {
    const { width, height } = this.#size;
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(
        `Cannot decode a ${width}x${height} frame into a ${frame.width}x${frame.height} YUV frame`,
      );
    }
    if (this.#jpeg !== null) {
      return this.#decodeJpeg(data, null, frame, 1, this.#size) !== null;
    }
    if (this.#format.pixelformat === PIX_FMT.YUYV) {
      yuyvToPlanar(this.#unpad(data), frame);
    } else {
      const rgb = this.#full ??= new Uint8Array(width * height * 3);
      this.#decodeRaw(data, rgb);
      rgbToPlanar(rgb, frame);
    }
    this.#stats.decoded++;
    return true;
  }

  #skip(reason: string): null {
    const message = `Skipped a corrupt ${this.#name} frame: ${reason}`;
    this.#stats.skipped++;
    this.#stats.lastWarning = message;
    this.#onWarning?.(message);
    return null;
  }

  /** Decodes JPEG data into `out` (RGB) or, when `out` is null, into `yuv`. */
  #decodeJpeg(
    data: Uint8Array,
    out: Uint8Array | null,
    yuv: YuvFrame | null,
    scale: JpegScale,
    size: { width: number; height: number },
  ): DecodeResult | null {
    // UVC cameras pad frames with zeros after the end marker; a frame cut
    // short (USB packet loss) has no end marker and would decode half gray.
    let end = data.length;
    while (end > 2 && data[end - 1] === 0) end--;
    if (end < 4 || data[0] !== 0xff || data[1] !== 0xd8) {
      return this.#skip(`no JPEG start marker (${data.length} bytes)`);
    }
    if (data[end - 2] !== 0xff || data[end - 1] !== 0xd9) {
      return this.#skip(`no JPEG end marker (truncated, ${data.length} bytes)`);
    }
    const jpeg = end === data.length ? data : data.subarray(0, end);
    try {
      const header = this.#jpeg!.header(jpeg);
      if (header.width !== this.#size.width || header.height !== this.#size.height) {
        return this.#skip(
          `it is ${header.width}x${header.height}, the camera said ${this.#size.width}x${this.#size.height}`,
        );
      }
      let warning: string | null;
      if (out !== null) {
        warning = this.#jpeg!.decode(jpeg, out, { scale, format: "rgb", fast: this.#fast }).warning;
      } else if (header.subsampling === "422" || header.subsampling === "420") {
        warning = this.#jpeg!.decodeToYuv(jpeg, yuv!, { fast: this.#fast }).warning;
        yuv!.chromaShift = header.subsampling === "420" ? 1 : 0;
      } else {
        const rgb = this.#full ??= new Uint8Array(size.width * size.height * 3);
        warning = this.#jpeg!.decode(jpeg, rgb, { format: "rgb", fast: this.#fast }).warning;
        rgbToPlanar(rgb, yuv!);
      }
      if (warning !== null) {
        // Corrupt entropy data decodes "successfully" with a warning and
        // shows as garbage blocks: skip it. Only stray bytes before a marker
        // (some UVC cameras add them to every frame) leave the picture intact.
        if (!BENIGN_WARNING.test(warning)) return this.#skip(warning);
        const message = `Decoded a damaged ${this.#name} frame: ${warning}`;
        this.#stats.damaged++;
        this.#stats.lastWarning = message;
        this.#onWarning?.(message);
      }
      this.#stats.decoded++;
      return size;
    } catch (error) {
      if (error instanceof JpegError && error.fatal) return this.#skip(error.message);
      throw error;
    }
  }

  #decodeRaw(data: Uint8Array, out: Uint8Array): void {
    const { width, height, pixelformat } = this.#format;
    const src = this.#unpad(data);
    if (pixelformat === PIX_FMT.YUYV) yuyvToRgb(src, out, { width, height });
    else if (pixelformat === PIX_FMT.NV12) nv12ToRgb(src, out, { width, height });
    else i420ToRgb(src, out, { width, height });
  }

  /** Removes row padding (`bytesperline` beyond the pixels), copying into a buffer made once. */
  #unpad(data: Uint8Array): Uint8Array {
    const { width, height, pixelformat, bytesperline } = this.#format;
    const packedLine = pixelformat === PIX_FMT.YUYV ? width * 2 : width;
    if (bytesperline === 0 || bytesperline === packedLine) return data;
    const stride = bytesperline;
    if (pixelformat === PIX_FMT.YUYV) {
      const packed = this.#packed ??= new Uint8Array(width * height * 2);
      for (let y = 0; y < height; y++) {
        packed.set(data.subarray(y * stride, y * stride + packedLine), y * packedLine);
      }
      return packed;
    }
    // 4:2:0: the Y plane with `stride`, then chroma rows with `stride` (NV12) or `stride / 2`
    // per plane (YU12).
    const packed = this.#packed ??= new Uint8Array(width * height * 3 / 2);
    for (let y = 0; y < height; y++) {
      packed.set(data.subarray(y * stride, y * stride + width), y * width);
    }
    const chromaBase = stride * height;
    const ch = height / 2;
    if (pixelformat === PIX_FMT.NV12) {
      for (let y = 0; y < ch; y++) {
        const from = chromaBase + y * stride;
        packed.set(data.subarray(from, from + width), width * height + y * width);
      }
    } else {
      const cStride = stride / 2;
      const cw = width / 2;
      for (let plane = 0; plane < 2; plane++) {
        const srcBase = chromaBase + plane * cStride * ch;
        const dstBase = width * height + plane * cw * ch;
        for (let y = 0; y < ch; y++) {
          const from = srcBase + y * cStride;
          packed.set(data.subarray(from, from + cw), dstBase + y * cw);
        }
      }
    }
    return packed;
  }

  /** Frees the JPEG handle; calling it again does nothing. */
  close(): void {
    this.#jpeg?.close();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
