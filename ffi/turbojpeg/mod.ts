/**
 * Safe JPEG decoding and encoding through libturbojpeg (TurboJPEG 2.x API).
 *
 * Callers get classes and typed arrays; pointers stay in this folder.
 *
 * ```ts
 * import { JpegDecoder, JpegEncoder, scaledSize } from "./mod.ts";
 *
 * using encoder = new JpegEncoder();
 * const rgb = new Uint8Array(64 * 48 * 3).fill(128);
 * const jpeg = encoder.encode(rgb, { width: 64, height: 48, quality: 90 });
 *
 * using decoder = new JpegDecoder();
 * const size = scaledSize(decoder.header(jpeg), 2); // { width: 32, height: 24 }
 * const small = new Uint8Array(size.width * size.height * 3);
 * const result = decoder.decode(jpeg, small, { scale: 2 });
 * console.log(result.width, result.height, result.warning); // 32 24 null
 * ```
 *
 * @module
 */

import { checkTj, JpegError, loadTurbojpeg } from "./_library.ts";
import { TJCS, TJFLAG, TJPF, TJSAMP, type TurbojpegSymbols } from "./symbols.ts";

export { JpegError };

/** Pixel layouts for decoded or source pixels (8 bits per channel, interleaved). */
export type JpegPixelFormat = "rgb" | "bgr" | "rgba" | "bgra" | "gray";

/** DCT scaling denominators: the picture is decoded at 1/N size almost for free. */
export type JpegScale = 1 | 2 | 4 | 8;

/** Chrominance subsampling of a JPEG (`"unknown"` for unusual sampling factors). */
export type JpegSubsampling = "444" | "422" | "420" | "gray" | "440" | "411" | "unknown";

/** Colour space of the JPEG data. */
export type JpegColorspace = "rgb" | "ycbcr" | "gray" | "cmyk" | "ycck";

/** The values read from a JPEG header. */
export interface JpegHeader {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Chrominance subsampling. */
  subsampling: JpegSubsampling;
  /** Colour space of the compressed data. */
  colorspace: JpegColorspace;
}

/** Options for {@linkcode JpegDecoder.decode}. */
export interface JpegDecodeOptions {
  /** Output pixel layout (default `"rgb"`). */
  format?: JpegPixelFormat;
  /** Decode at 1/`scale` size (default 1); see {@linkcode scaledSize}. */
  scale?: JpegScale;
  /** Use the fast integer DCT and fast upsampling (slightly lower quality). */
  fast?: boolean;
}

/** Result of {@linkcode JpegDecoder.decode}. */
export interface JpegDecodeResult {
  /** Width of the decoded picture (after scaling). */
  width: number;
  /** Height of the decoded picture (after scaling). */
  height: number;
  /**
   * libturbojpeg's warning (e.g. `"Premature end of JPEG file"`) when the
   * data was damaged but the output was filled and is usable; else `null`.
   */
  warning: string | null;
}

/** Caller-owned output planes for {@linkcode JpegDecoder.decodeToYuv}. */
export interface YuvPlanes {
  /** Luma plane (`planes[0].width * planes[0].height` bytes at least). */
  y: Uint8Array;
  /** Cb plane (unused for grayscale JPEGs). */
  u?: Uint8Array;
  /** Cr plane (unused for grayscale JPEGs). */
  v?: Uint8Array;
}

/** Size of one tightly packed YUV plane. */
export interface YuvPlaneSize {
  /** Plane width in bytes (also its stride). */
  width: number;
  /** Plane height in rows. */
  height: number;
}

/** The plane layout of a YUV decode (see {@linkcode JpegDecoder.yuvLayout}). */
export interface YuvLayout {
  /** Picture width (after scaling). */
  width: number;
  /** Picture height (after scaling). */
  height: number;
  /** Subsampling of the planes (that of the JPEG). */
  subsampling: JpegSubsampling;
  /** One entry for grayscale JPEGs (Y), three otherwise (Y, U, V). */
  planes: YuvPlaneSize[];
}

/** Result of {@linkcode JpegDecoder.decodeToYuv}. */
export interface YuvDecodeResult extends YuvLayout {
  /** As in {@linkcode JpegDecodeResult.warning}. */
  warning: string | null;
}

/** Options for {@linkcode JpegEncoder.encode}. */
export interface JpegEncodeOptions {
  /** Width of the source pixels. */
  width: number;
  /** Height of the source pixels. */
  height: number;
  /** Source pixel layout (default `"rgb"`). */
  format?: JpegPixelFormat;
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
  /** Chrominance subsampling (default `"420"`, or `"gray"` for gray sources). */
  subsampling?: Exclude<JpegSubsampling, "unknown">;
  /** Use the fast integer DCT (slightly lower quality). */
  fast?: boolean;
}

/** Information on the loaded libturbojpeg. */
export interface TurbojpegInfo {
  /** The path or soname the library was loaded from. */
  path: string;
  /** Whether the 2.0+ error API (`tjGetErrorCode`, `tjGetErrorStr2`) is present. */
  hasErrorCodes: boolean;
  /** The scaling factors the library supports, as `[num, denom]` pairs. */
  scalingFactors: [number, number][];
}

const PIXEL_FORMATS: Record<JpegPixelFormat, { id: number; bytes: number }> = {
  rgb: { id: TJPF.RGB, bytes: 3 },
  bgr: { id: TJPF.BGR, bytes: 3 },
  rgba: { id: TJPF.RGBA, bytes: 4 },
  bgra: { id: TJPF.BGRA, bytes: 4 },
  gray: { id: TJPF.GRAY, bytes: 1 },
};

const SUBSAMPLING_NAMES: readonly JpegSubsampling[] = ["444", "422", "420", "gray", "440", "411"];
const SUBSAMPLING_IDS: Record<Exclude<JpegSubsampling, "unknown">, number> = {
  "444": TJSAMP.S444,
  "422": TJSAMP.S422,
  "420": TJSAMP.S420,
  "gray": TJSAMP.GRAY,
  "440": TJSAMP.S440,
  "411": TJSAMP.S411,
};
const COLORSPACE_NAMES: Record<number, JpegColorspace> = {
  [TJCS.RGB]: "rgb",
  [TJCS.YCbCr]: "ycbcr",
  [TJCS.GRAY]: "gray",
  [TJCS.CMYK]: "cmyk",
  [TJCS.YCCK]: "ycck",
};

function pixelFormat(format: JpegPixelFormat | undefined): { id: number; bytes: number } {
  const entry = PIXEL_FORMATS[format ?? "rgb"];
  if (entry === undefined) {
    throw new TypeError(
      `Cannot use pixel format "${format}": expected one of ${
        Object.keys(PIXEL_FORMATS).join(", ")
      }`,
    );
  }
  return entry;
}

function checkScale(scale: number): void {
  if (scale !== 1 && scale !== 2 && scale !== 4 && scale !== 8) {
    throw new RangeError(`Cannot decode at scale 1/${scale}: use 1, 2, 4 or 8`);
  }
}

function decodeFlags(fast: boolean | undefined): number {
  return fast === true ? TJFLAG.FASTDCT | TJFLAG.FASTUPSAMPLE : 0;
}

function checkInput(jpeg: Uint8Array, action: string): void {
  if (jpeg.length === 0) {
    throw new JpegError(`Cannot ${action}: the data is empty`, { fatal: true });
  }
}

/**
 * The size of a picture decoded at 1/`scale`, rounded up like libturbojpeg's
 * `TJSCALED` (`ceil(width / scale)`).
 *
 * @example
 * ```ts
 * import { scaledSize } from "./mod.ts";
 * scaledSize({ width: 641, height: 480 }, 4); // { width: 161, height: 120 }
 * ```
 *
 * @param size The full size (a {@linkcode JpegHeader} works).
 * @param scale The DCT scaling denominator.
 * @returns The scaled size.
 */
export function scaledSize(
  size: { width: number; height: number },
  scale: JpegScale,
): { width: number; height: number } {
  checkScale(scale);
  return { width: Math.ceil(size.width / scale), height: Math.ceil(size.height / scale) };
}

/**
 * Describes the loaded libturbojpeg (loading it if needed). libjpeg-turbo 2.x
 * has no version function, so the path and capabilities are reported instead.
 *
 * @example
 * ```ts
 * import { turbojpegInfo } from "./mod.ts";
 * console.log(turbojpegInfo().path); // "libturbojpeg.so.0"
 * ```
 *
 * @returns The library path and capabilities.
 * @throws {LibraryLoadError} When the library cannot be loaded.
 */
export function turbojpegInfo(): TurbojpegInfo {
  const { symbols, path } = loadTurbojpeg();
  const scalingFactors: [number, number][] = [];
  if (symbols.tjGetScalingFactors !== null) {
    const count = new Int32Array(1);
    const ptr = symbols.tjGetScalingFactors(count);
    if (ptr !== null) {
      const view = new Deno.UnsafePointerView(ptr);
      for (let i = 0; i < count[0]!; i++) {
        scalingFactors.push([view.getInt32(i * 8), view.getInt32(i * 8 + 4)]);
      }
    }
  }
  return {
    path,
    hasErrorCodes: symbols.tjGetErrorCode !== null && symbols.tjGetErrorStr2 !== null,
    scalingFactors,
  };
}

/** Releases handles that were never closed (a backstop, not the normal path). */
const handleRegistry = new FinalizationRegistry<
  { lib: TurbojpegSymbols; handle: Deno.PointerObject }
>(
  ({ lib, handle }) => {
    lib.tjDestroy(handle);
  },
);

/** Shared lifetime handling for the decoder and the encoder. */
abstract class TjHandle {
  readonly #lib: TurbojpegSymbols;
  readonly #kind: "decompressor" | "compressor";
  #handle: Deno.PointerObject | null;

  constructor(kind: "decompressor" | "compressor") {
    this.#lib = loadTurbojpeg().symbols;
    this.#kind = kind;
    this.#handle = this.#create();
  }

  #create(): Deno.PointerObject {
    const lib = this.#lib;
    const handle = this.#kind === "decompressor" ? lib.tjInitDecompress() : lib.tjInitCompress();
    if (handle === null) {
      checkTj(lib, null, -1, `create a TurboJPEG ${this.#kind}`);
      throw new JpegError(`Cannot create a TurboJPEG ${this.#kind}: out of memory`, {
        fatal: true,
      });
    }
    handleRegistry.register(this, { lib, handle }, this);
    return handle;
  }

  protected get lib(): TurbojpegSymbols {
    return this.#lib;
  }

  /** The handle, or a clear error when closed. */
  protected live(action: string): Deno.PointerObject {
    if (this.#handle === null) {
      throw new JpegError(`Cannot ${action}: the TurboJPEG ${this.#kind} is closed`, {
        fatal: false,
      });
    }
    return this.#handle;
  }

  /**
   * Replaces the handle with a fresh one. libjpeg-turbo 2.1 can leave a handle
   * unusable after a fatal error (data cut inside a Huffman table makes every
   * later call fail with "Bogus Huffman table definition"), so every fatal
   * error ends here. Errors are rare, so the re-init cost does not matter.
   */
  protected reset(): void {
    if (this.#handle === null) return;
    this.close();
    this.#handle = this.#create();
  }

  /** {@linkcode checkTj} for this handle, resetting it on fatal errors. */
  protected check(rc: number, action: string): string | null {
    try {
      return checkTj(this.#lib, this.#handle, rc, action);
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  /** Whether {@linkcode close} has been called. */
  get closed(): boolean {
    return this.#handle === null;
  }

  /** Frees the native handle; calling it again does nothing. */
  close(): void {
    if (this.#handle === null) return;
    handleRegistry.unregister(this);
    this.#lib.tjDestroy(this.#handle);
    this.#handle = null;
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A JPEG decoder holding one TurboJPEG handle, reused for every frame. Decodes
 * into caller-owned buffers; nothing is allocated per frame apart from the
 * small result object.
 *
 * @example
 * ```ts
 * import { JpegDecoder } from "./mod.ts";
 *
 * const jpeg = await Deno.readFile("frame.jpg");
 * using decoder = new JpegDecoder();
 * const { width, height } = decoder.header(jpeg);
 * const rgb = new Uint8Array(width * height * 3);
 * const { warning } = decoder.decode(jpeg, rgb);
 * if (warning !== null) console.warn(`Damaged frame: ${warning}`);
 * ```
 */
export class JpegDecoder extends TjHandle {
  readonly #width = new Int32Array(1);
  readonly #height = new Int32Array(1);
  readonly #subsamp = new Int32Array(1);
  readonly #colorspace = new Int32Array(1);
  readonly #planes = new BigUint64Array(3);

  /**
   * Creates a decoder (loading libturbojpeg on first use).
   *
   * @throws {LibraryLoadError} When the library cannot be loaded.
   */
  constructor() {
    super("decompressor");
  }

  #readHeader(jpeg: Uint8Array, action: string): void {
    checkInput(jpeg, action);
    const handle = this.live(action);
    // tjDecompressHeader3 returns 0 without touching the outputs for data that
    // ends before the frame header (it reads as a tables-only stream).
    this.#width[0] = 0;
    this.#height[0] = 0;
    const rc = this.lib.tjDecompressHeader3(
      handle,
      jpeg,
      BigInt(jpeg.length),
      this.#width,
      this.#height,
      this.#subsamp,
      this.#colorspace,
    );
    this.check(rc, action);
    if (this.#width[0]! < 1 || this.#height[0]! < 1) {
      this.reset();
      throw new JpegError(
        `Cannot ${action}: no frame header (the data is truncated or holds only tables)`,
        { fatal: true },
      );
    }
  }

  /**
   * Reads the JPEG header.
   *
   * @param jpeg The complete JPEG data.
   * @returns Size, subsampling and colour space.
   * @throws {JpegError} (fatal) When the data is not a JPEG.
   */
  header(jpeg: Uint8Array): JpegHeader {
    this.#readHeader(jpeg, "read JPEG header");
    return {
      width: this.#width[0]!,
      height: this.#height[0]!,
      subsampling: SUBSAMPLING_NAMES[this.#subsamp[0]!] ?? "unknown",
      colorspace: COLORSPACE_NAMES[this.#colorspace[0]!] ?? "ycbcr",
    };
  }

  /**
   * Decodes a JPEG into `out` (tightly packed rows, `format` layout).
   *
   * Damaged but decodable data (e.g. a truncated frame) returns a `warning`;
   * undecodable data throws a fatal {@linkcode JpegError}: drop that frame.
   *
   * @param jpeg The JPEG data.
   * @param out The output buffer, at least `width * height * bytesPerPixel`
   *   bytes of the scaled size (see {@linkcode scaledSize}).
   * @param options Pixel format, scale and speed.
   * @returns The decoded size and any warning.
   * @throws {JpegError} (fatal) When the data cannot be decoded.
   * @throws {RangeError} When `out` is too small.
   */
  decode(jpeg: Uint8Array, out: Uint8Array, options: JpegDecodeOptions = {}): JpegDecodeResult {
    const format = pixelFormat(options.format);
    const scale = options.scale ?? 1;
    checkScale(scale);
    this.#readHeader(jpeg, "decode JPEG");
    const width = Math.ceil(this.#width[0]! / scale);
    const height = Math.ceil(this.#height[0]! / scale);
    const needed = width * height * format.bytes;
    if (out.length < needed) {
      throw new RangeError(
        `Cannot decode a ${width}x${height} ${
          options.format ?? "rgb"
        } picture into ${out.length} bytes: it needs ${needed} bytes`,
      );
    }
    const handle = this.live("decode JPEG");
    const rc = this.lib.tjDecompress2(
      handle,
      jpeg,
      BigInt(jpeg.length),
      out,
      width,
      0,
      height,
      format.id,
      decodeFlags(options.fast),
    );
    const warning = this.check(rc, "decode JPEG");
    return { width, height, warning };
  }

  /**
   * The planes {@linkcode decodeToYuv} would fill for this JPEG, so callers
   * can allocate them once.
   *
   * @param jpeg The JPEG data.
   * @param scale The DCT scaling denominator (default 1).
   * @returns Picture size, subsampling and plane sizes.
   * @throws {JpegError} (fatal) When the data is not a JPEG.
   */
  yuvLayout(jpeg: Uint8Array, scale: JpegScale = 1): YuvLayout {
    checkScale(scale);
    this.#readHeader(jpeg, "read JPEG header");
    return this.#layout(scale);
  }

  #layout(scale: number): YuvLayout {
    const width = Math.ceil(this.#width[0]! / scale);
    const height = Math.ceil(this.#height[0]! / scale);
    const subsamp = this.#subsamp[0]!;
    const subsampling = SUBSAMPLING_NAMES[subsamp] ?? "unknown";
    if (subsampling === "unknown") {
      throw new JpegError("Cannot decode JPEG to YUV: its chroma subsampling is not supported", {
        fatal: true,
      });
    }
    const count = subsampling === "gray" ? 1 : 3;
    const planes: YuvPlaneSize[] = [];
    for (let c = 0; c < count; c++) {
      planes.push({
        width: this.lib.tjPlaneWidth(c, width, subsamp),
        height: this.lib.tjPlaneHeight(c, height, subsamp),
      });
    }
    return { width, height, subsampling, planes };
  }

  /**
   * Decodes a JPEG into separate, tightly packed Y, U and V planes (no colour
   * conversion), the cheapest path to luma or to YUYV output.
   *
   * @param jpeg The JPEG data.
   * @param planes Caller-owned planes, sized per {@linkcode yuvLayout}.
   * @param options Scale and speed.
   * @returns The layout and any warning.
   * @throws {JpegError} (fatal) When the data cannot be decoded.
   * @throws {RangeError} When a plane is missing or too small.
   */
  decodeToYuv(
    jpeg: Uint8Array,
    planes: YuvPlanes,
    options: { scale?: JpegScale; fast?: boolean } = {},
  ): YuvDecodeResult {
    const scale = options.scale ?? 1;
    checkScale(scale);
    this.#readHeader(jpeg, "decode JPEG to YUV");
    const layout = this.#layout(scale);
    const buffers = [planes.y, planes.u, planes.v];
    this.#planes.fill(0n);
    layout.planes.forEach((size, i) => {
      const buffer = buffers[i];
      const needed = size.width * size.height;
      if (buffer === undefined || buffer.length < needed) {
        throw new RangeError(
          `Cannot decode JPEG to YUV: plane ${
            "YUV"[i]
          } needs ${needed} bytes (${size.width}x${size.height}), got ${buffer?.length ?? "none"}`,
        );
      }
      this.#planes[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
    });
    const handle = this.live("decode JPEG to YUV");
    const rc = this.lib.tjDecompressToYUVPlanes(
      handle,
      jpeg,
      BigInt(jpeg.length),
      this.#planes,
      layout.width,
      null,
      layout.height,
      decodeFlags(options.fast),
    );
    const warning = this.check(rc, "decode JPEG to YUV");
    return { ...layout, warning };
  }
}

/**
 * A JPEG encoder holding one TurboJPEG handle and one output buffer, grown
 * only when a larger picture arrives.
 *
 * @example
 * ```ts
 * import { JpegEncoder } from "./mod.ts";
 *
 * using encoder = new JpegEncoder();
 * const rgb = new Uint8Array(32 * 32 * 3).fill(200);
 * const jpeg = encoder.encode(rgb, { width: 32, height: 32, quality: 95 });
 * await Deno.writeFile("gray.jpg", jpeg);
 * ```
 */
export class JpegEncoder extends TjHandle {
  #out = new Uint8Array(0);
  readonly #planes = new BigUint64Array(3);
  readonly #outPtr = new BigUint64Array(1);
  readonly #size = new BigUint64Array(1);

  /**
   * Creates an encoder (loading libturbojpeg on first use).
   *
   * @throws {LibraryLoadError} When the library cannot be loaded.
   */
  constructor() {
    super("compressor");
  }

  /**
   * Compresses interleaved 8-bit pixels to JPEG.
   *
   * @param pixels Tightly packed rows in `options.format` layout.
   * @param options Size, layout, quality and subsampling.
   * @returns A new array holding the JPEG data.
   * @throws {RangeError} When the options or the pixel buffer size are wrong.
   * @throws {JpegError} When libturbojpeg fails.
   */
  encode(pixels: Uint8Array, options: JpegEncodeOptions): Uint8Array {
    const { width, height } = options;
    const format = pixelFormat(options.format);
    const quality = options.quality ?? 90;
    const subsampling = options.subsampling ?? (options.format === "gray" ? "gray" : "420");
    const subsamp = SUBSAMPLING_IDS[subsampling];
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`Cannot encode a ${width}x${height} picture: use positive integers`);
    }
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
      throw new RangeError(`Cannot encode at quality ${quality}: use an integer from 1 to 100`);
    }
    if (subsamp === undefined) {
      throw new RangeError(`Cannot encode with subsampling "${subsampling}": unknown value`);
    }
    if (options.format === "gray" && subsampling !== "gray") {
      throw new RangeError(
        `Cannot encode gray pixels with subsampling "${subsampling}": use "gray"`,
      );
    }
    const needed = width * height * format.bytes;
    if (pixels.length < needed) {
      throw new RangeError(
        `Cannot encode a ${width}x${height} ${
          options.format ?? "rgb"
        } picture from ${pixels.length} bytes: it needs ${needed} bytes`,
      );
    }
    const handle = this.live("encode JPEG");
    const capacity = Number(this.lib.tjBufSize(width, height, subsamp));
    if (this.#out.length < capacity) {
      this.#out = new Uint8Array(capacity);
    }
    this.#outPtr[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#out)));
    this.#size[0] = BigInt(this.#out.length);
    const flags = TJFLAG.NOREALLOC | (options.fast === true ? TJFLAG.FASTDCT : 0);
    const rc = this.lib.tjCompress2(
      handle,
      pixels,
      width,
      0,
      height,
      format.id,
      this.#outPtr,
      this.#size,
      subsamp,
      quality,
      flags,
    );
    this.check(rc, "encode JPEG");
    return this.#out.slice(0, Number(this.#size[0]));
  }

  /**
   * Compresses full-range YCbCr planes (JFIF) to JPEG without a trip through RGB: the virtual
   * camera's MJPG. The answer is a view of this encoder's own buffer, valid until the next
   * encode (nothing is allocated per frame once the buffer is large enough).
   *
   * @param planes Tightly packed Y, Cb and Cr planes (chroma halved across for `"422"`, both
   *   ways for `"420"`).
   * @param options Size, the planes' subsampling, quality.
   * @returns The JPEG data (a view, valid until the next encode).
   * @throws {RangeError} When the options or a plane's size are wrong.
   * @throws {JpegError} When libturbojpeg fails.
   */
  encodeYuv(
    planes: YuvPlanes,
    options: {
      width: number;
      height: number;
      subsampling: "444" | "422" | "420";
      quality?: number;
    },
  ): Uint8Array {
    const { width, height, subsampling } = options;
    const quality = options.quality ?? 85;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`Cannot encode a ${width}x${height} picture: use positive integers`);
    }
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
      throw new RangeError(`Cannot encode at quality ${quality}: use an integer from 1 to 100`);
    }
    const cw = subsampling === "444" ? width : Math.ceil(width / 2);
    const ch = subsampling === "420" ? Math.ceil(height / 2) : height;
    const sizes = [width * height, cw * ch, cw * ch];
    [planes.y, planes.u, planes.v].forEach((plane, i) => {
      if (plane === undefined || plane.length < sizes[i]!) {
        throw new RangeError(
          `Cannot encode YUV: plane ${"YUV"[i]} needs ${sizes[i]} bytes, got ${
            plane?.length ?? "none"
          }`,
        );
      }
      this.#planes[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(plane)));
    });
    const subsamp = SUBSAMPLING_IDS[subsampling]!;
    const handle = this.live("encode JPEG from YUV");
    const capacity = Number(this.lib.tjBufSize(width, height, subsamp));
    if (this.#out.length < capacity) this.#out = new Uint8Array(capacity);
    this.#outPtr[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#out)));
    this.#size[0] = BigInt(this.#out.length);
    const rc = this.lib.tjCompressFromYUVPlanes(
      handle,
      this.#planes,
      width,
      null,
      height,
      subsamp,
      this.#outPtr,
      this.#size,
      quality,
      TJFLAG.NOREALLOC,
    );
    this.check(rc, "encode JPEG from YUV");
    return this.#out.subarray(0, Number(this.#size[0]));
  }
}
