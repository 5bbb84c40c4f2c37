/**
 * {@linkcode FrameDecoder}: turns a camera frame of any supported format (YUYV, MJPG/JPEG, NV12,
 * YU12) into the pipeline's planar frame (`src/frame/frame.ts`), full-range YCbCr, without going
 * through RGB: MJPG's planes come straight out of libturbojpeg (4:2:2 or 4:2:0, as the camera
 * encoded them), YUYV is unpacked, NV12 and YU12 are copied to 4:2:0 planes. A 4:4:4 frame (a
 * camera recorded to a file) is filled from a 4:2:2 scratch frame by one conversion.
 *
 * @module
 */

import { JpegDecoder, JpegError, type JpegSubsampling } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { type Frame, makeFrame, type Size, type WorkingLayout } from "../frame/mod.ts";
import { CHROMA_TO_FULL, convertFrame, LUMA_TO_FULL, rgbToFrame } from "../image/planar.ts";
import { Kernels } from "../kernels/mod.ts";
import { DeviceError } from "./errors.ts";
import { formatName } from "./formats.ts";
import type { Negotiated } from "./capture.ts";

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

/** What a {@linkcode FrameDecoder} warning is about: a frame dropped, or one used despite damage. */
export type DecodeWarningKind = "skipped" | "damaged";

/** Options for {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Called with each skip or damage warning (one line) and its kind: `"skipped"` (the frame was
   * dropped) or `"damaged"` (used despite a harmless warning); default: nothing.
   */
  onWarning?: (message: string, kind: DecodeWarningKind) => void;
  /** Use libjpeg-turbo's fast DCT and upsampling (slightly lower quality). */
  fastJpeg?: boolean;
  /**
   * The layout of the frames {@linkcode FrameDecoder.decode} will fill (default `"422"`). For
   * `"444"` the 4:2:2 scratch frame the camera's picture goes through is made in the constructor
   * (otherwise on the first 4:4:4 decode).
   */
  layout?: WorkingLayout;
}

/** The part of {@linkcode Negotiated} the decoder needs. */
export type DecoderFormat = Pick<Negotiated, "width" | "height" | "pixelformat" | "bytesperline">;

const JPEG_FORMATS: readonly number[] = [PIX_FMT.MJPEG, PIX_FMT.JPEG];
/** The libjpeg warning that leaves the picture intact (`JWRN_EXTRANEOUS_DATA`). */
const BENIGN_WARNING = /extraneous bytes before marker/i;

/**
 * Decodes frames of one negotiated format into planar frames. Every buffer it needs is made once
 * (in the constructor, or on the first decode that needs it), so decoding allocates nothing per
 * frame.
 *
 * What {@linkcode decode} gives, by the frame's layout:
 * - a `"422"` frame (the virtual camera's pipeline) comes back `"422"` or `"420"`: MJPG as the
 *   JPEG is subsampled (4:2:2 or 4:2:0, no colour conversion), YUYV `"422"`, NV12 and YU12
 *   `"420"`. The rare JPEG in 4:4:4 is converted to 4:2:2; other subsamplings (4:4:0, 4:1:1,
 *   grey) go through libturbojpeg's RGB decode.
 * - a `"444"` frame (a file's pipeline) stays `"444"`: a 4:4:4 JPEG decodes straight into it,
 *   everything else is decoded as above into a 4:2:2 scratch frame and converted
 *   (`convertFrame`).
 *
 * A corrupt MJPG frame (no JPEG start or end marker, undecodable data, data libjpeg warns about,
 * or a different size) is skipped: {@linkcode decode} returns `false`, the stats count it,
 * `onWarning` hears why, and `into` holds the last good picture again (see below). The caller
 * releases the frame and grabs the next one; the stream goes on.
 * Only libjpeg's "extraneous bytes before marker" warning, which some cameras trigger on every
 * frame, keeps the frame.
 *
 * **A skipped frame never stays in `into`.** libturbojpeg writes a JPEG's planes straight into
 * `into` (that is what spares a copy of every frame), and a JPEG with corrupt entropy data is
 * only known to be corrupt once it has been decoded: by then `into` holds garbage. A caller that
 * shows `into` again while the camera is silent (`CameraSource`, `ResilientSource`: the last
 * frame is repeated) would show it. So the decoder keeps the bytes of the last good JPEG (one
 * buffer, made on the first JPEG and grown only when a larger one comes: a copy of the compressed
 * frame per frame, a tenth to a quarter of the bytes of the decoded one) and, after a damaged decode into `into`,
 * decodes them into `into` again: the cost of a corrupt frame is one decode more. Before the first
 * good JPEG there is nothing to restore and `into` may hold garbage (nothing was shown yet).
 *
 * @example
 * ```ts
 * import { makeFrame } from "../frame/mod.ts";
 * import { Camera } from "./camera.ts";
 * import { FrameDecoder } from "./decode.ts";
 *
 * using camera = Camera.open("/dev/video0", { width: 640, height: 480, format: "MJPG" });
 * using decoder = new FrameDecoder(camera.negotiated, { onWarning: console.warn });
 * const frame = makeFrame(decoder.size, "422");
 * camera.start();
 * const grabbed = camera.grab(2000);
 * if (grabbed !== null) {
 *   if (decoder.decode(grabbed.data, frame)) console.log(frame.layout); // "422" or "420"
 *   camera.release(grabbed);
 * }
 * ```
 */
export class FrameDecoder {
  /** The frame size (the camera's). */
  readonly size: Size;
  readonly #format: DecoderFormat;
  readonly #name: string;
  readonly #jpeg: JpegDecoder | null;
  readonly #onWarning: ((message: string, kind: DecodeWarningKind) => void) | undefined;
  readonly #fast: boolean;
  readonly #stats: DecodeStats = { decoded: 0, skipped: 0, damaged: 0, lastWarning: null };
  /** Tightly packed copy for raw frames with padded rows (made once when needed). */
  #packed: Uint8Array | null = null;
  /** The 4:2:2 frame a `"444"` decode goes through (null for an odd width: then RGB). */
  #scratch422: Frame | null = null;
  /** A 4:4:4 JPEG's planes on their way to a `"422"` frame (made once when needed). */
  #scratch444: Frame | null = null;
  /** RGB for JPEG subsamplings without a planar path (made once when needed). */
  #rgb: Uint8Array | null = null;
  /** The last good JPEG's bytes (`#goodLength` of them), decoded again after a damaged one. */
  #good: Uint8Array | null = null;
  #goodLength = 0;
  /** Whether the last `#decodeChecked` wrote into the caller's frame. */
  #touched = false;
  readonly #kernels: Kernels = Kernels.shared();

  /**
   * Creates a decoder for one format.
   *
   * @param format The negotiated format (e.g. `camera.negotiated`).
   * @param options Warning callback, JPEG speed and the layout to decode into.
   * @throws {DeviceError} `"format"` for a pixel format it cannot decode, `"size"` for a raw
   *   format of odd size (purpose `"camera"`).
   */
  constructor(format: DecoderFormat, options: FrameDecoderOptions = {}) {
    const code = format.pixelformat;
    this.#name = formatName(code);
    const raw = code === PIX_FMT.YUYV || code === PIX_FMT.NV12 || code === PIX_FMT.YUV420;
    if (!raw && !JPEG_FORMATS.includes(code)) {
      throw new DeviceError(
        "format",
        `Cannot decode ${this.#name} frames: backscrub reads YUYV, MJPG, JPEG, NV12 and YU12`,
        { purpose: "camera" },
      );
    }
    if (raw && (format.width % 2 !== 0 || (code !== PIX_FMT.YUYV && format.height % 2 !== 0))) {
      throw new DeviceError(
        "size",
        `Cannot decode ${format.width}x${format.height} ${this.#name} frames: the size must be even`,
        { purpose: "camera" },
      );
    }
    this.#format = { ...format };
    this.size = { width: format.width, height: format.height };
    this.#jpeg = raw ? null : new JpegDecoder();
    this.#onWarning = options.onWarning;
    this.#fast = options.fastJpeg ?? false;
    if (options.layout === "444") this.#scratch422 = this.#makeScratch422();
  }

  /** Counters since creation. */
  get stats(): Readonly<DecodeStats> {
    return this.#stats;
  }

  /**
   * Decodes one frame into `into` (see the class for the layouts it gives).
   *
   * @param data The frame bytes (`frame.data`).
   * @param into A frame of the camera's size, made `"422"` (it may come back `"420"`) or
   *   `"444"`.
   * @returns `true`, or `false` when a corrupt frame was skipped.
   * @throws {RangeError} When `into` has another size or a raw frame is short.
   */
  decode(data: Uint8Array, into: Frame): boolean {
    const { width, height } = this.size;
    if (into.width !== width || into.height !== height) {
      throw new RangeError(
        `Cannot decode a ${width}x${height} frame into a ${into.width}x${into.height} frame`,
      );
    }
    if (this.#jpeg !== null) return this.#decodeJpeg(data, into);
    const { pixelformat } = this.#format;
    const need = pixelformat === PIX_FMT.YUYV ? width * height * 2 : width * height * 3 / 2;
    if (data.length < need) {
      // A frame of another size (the format was changed under us): skipped and counted.
      return this.#skip(
        `${data.length} bytes, a ${width}x${height} ${this.#name} frame has ${need} (the camera's format changed?)`,
      );
    }
    if (into.layout === "444") {
      const scratch = this.#scratch422 ??= this.#makeScratch422()!;
      this.#decodeRaw(data, scratch);
      convertFrame(scratch, into);
    } else {
      this.#decodeRaw(data, into);
    }
    this.#stats.decoded++;
    return true;
  }

  /** The 4:2:2 scratch frame of a `"444"` decode, or null when the width is odd. */
  #makeScratch422(): Frame | null {
    return this.size.width % 2 === 0 ? makeFrame(this.size, "422") : null;
  }

  #skip(reason: string): false {
    const message = `Skipped a corrupt ${this.#name} frame: ${reason}`;
    this.#stats.skipped++;
    this.#stats.lastWarning = message;
    this.#onWarning?.(message, "skipped");
    return false;
  }

  /**
   * Decodes JPEG data into `into`, checking it first. A frame that turns out corrupt after
   * libturbojpeg began writing `into` is replaced by the last good one (see the class).
   */
  #decodeJpeg(data: Uint8Array, into: Frame): boolean {
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
    const problem = this.#decodeChecked(jpeg, into);
    if (problem === null) {
      this.#keepGood(jpeg);
      this.#stats.decoded++;
      return true;
    }
    if (this.#touched) this.#restoreGood(into);
    return this.#skip(problem);
  }

  /**
   * Decodes one JPEG into `into` (or through a scratch frame, converted only when the data is
   * good). Returns why the frame must be skipped (`null`: it is good); `#touched` says whether
   * `into` was written before that was known.
   */
  #decodeChecked(jpeg: Uint8Array, into: Frame, restoring = false): string | null {
    const decoder = this.#jpeg!;
    this.#touched = false;
    try {
      const header = decoder.header(jpeg);
      const { width, height } = this.size;
      if (header.width !== width || header.height !== height) {
        return `it is ${header.width}x${header.height}, the camera said ${width}x${height}`;
      }
      const sub = header.subsampling;
      const fast = this.#fast;
      const planes = this.#planesFor(into, sub);
      let warning: string | null;
      if (planes !== null) {
        this.#touched = planes === into;
        warning = decoder.decodeToYuv(jpeg, planes, { fast }).warning;
        if (sub === "422" || sub === "420") planes.layout = sub;
      } else {
        // 4:4:0, 4:1:1, grey (or 4:2:x of an odd width into 4:4:4): through RGB.
        const rgb = this.#rgb ??= new Uint8Array(width * height * 3);
        warning = decoder.decode(jpeg, rgb, { format: "rgb", fast }).warning;
        if (warning === null || BENIGN_WARNING.test(warning)) {
          if (into.layout === "420") into.layout = "422";
          rgbToFrame(rgb, into);
        }
      }
      if (warning !== null) {
        // Corrupt entropy data decodes "successfully" with a warning and
        // shows as garbage blocks: skip it. Only stray bytes before a marker
        // (some UVC cameras add them to every frame) leave the picture intact.
        if (!BENIGN_WARNING.test(warning)) return warning;
        if (!restoring) {
          const message = `Decoded a damaged ${this.#name} frame: ${warning}`;
          this.#stats.damaged++;
          this.#stats.lastWarning = message;
          this.#onWarning?.(message, "damaged");
        }
      }
      if (planes !== null && planes !== into) {
        // Decoded into a scratch frame: convert, now that the data is good.
        if (into.layout === "420") into.layout = "422";
        convertFrame(planes, into);
      }
      return null;
    } catch (error) {
      if (error instanceof JpegError && error.fatal) return error.message;
      throw error;
    }
  }

  /** Keeps a good JPEG's bytes (the buffer grows, by half again, only for a larger JPEG). */
  #keepGood(jpeg: Uint8Array): void {
    let good = this.#good;
    if (good === null || good.length < jpeg.length) {
      good = this.#good = new Uint8Array(Math.max(jpeg.length + (jpeg.length >> 1), 4096));
    }
    good.set(jpeg);
    this.#goodLength = jpeg.length;
  }

  /** Decodes the last good JPEG into `into` again, after a damaged decode wrote over it. */
  #restoreGood(into: Frame): void {
    if (this.#good === null) return;
    // It decoded before, the same way: it does so again (a failure would leave `into` as it is).
    this.#decodeChecked(this.#good.subarray(0, this.#goodLength), into, true);
  }

  /**
   * Where libturbojpeg's planes of a `sub`-sampled JPEG go for `into`: `into` itself (its own
   * layout, or 4:2:0 in a 4:2:2 frame), a scratch frame that is converted into `into` once the data
   * proves good, or `null`: no planar path (through RGB).
   */
  #planesFor(into: Frame, sub: JpegSubsampling): Frame | null {
    const planar = sub === "422" || sub === "420";
    if (into.layout === "444") {
      if (sub === "444") return into;
      // An odd width has no 4:2:2 scratch frame: through RGB.
      return planar ? (this.#scratch422 ??= this.#makeScratch422()) : null;
    }
    if (planar) return into;
    return sub === "444" ? (this.#scratch444 ??= makeFrame(this.size, "444")) : null;
  }

  /** Unpacks a raw frame into a 4:2:2-capable frame: `"422"` for YUYV, `"420"` for NV12/YU12. */
  #decodeRaw(data: Uint8Array, into: Frame): void {
    const { width, height, pixelformat } = this.#format;
    const yuyv = pixelformat === PIX_FMT.YUYV;
    const need = yuyv ? width * height * 2 : width * height * 3 / 2;
    if (data.length < need) {
      throw new RangeError(
        `Cannot decode a ${width}x${height} ${this.#name} frame from ${data.length} bytes: it needs ${need}`,
      );
    }
    const src = this.#unpad(data);
    if (yuyv) {
      into.layout = "422";
      // In WebAssembly SIMD, to the byte of yuyvToFrame (src/kernels/).
      this.#kernels.yuyvToFrame(src, into);
      return;
    }
    // 4:2:0, BT.601 limited range → full range.
    const n = width * height;
    const cn = n >> 2;
    const { y, u, v } = into;
    const ly = LUMA_TO_FULL, lc = CHROMA_TO_FULL;
    for (let i = 0; i < n; i++) y[i] = ly[src[i]!]!;
    if (pixelformat === PIX_FMT.NV12) {
      for (let c = 0, k = n; c < cn; c++, k += 2) {
        u[c] = lc[src[k]!]!;
        v[c] = lc[src[k + 1]!]!;
      }
    } else {
      for (let c = 0; c < cn; c++) {
        u[c] = lc[src[n + c]!]!;
        v[c] = lc[src[n + cn + c]!]!;
      }
    }
    into.layout = "420";
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
