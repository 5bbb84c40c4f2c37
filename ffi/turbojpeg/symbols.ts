/**
 * Raw libturbojpeg symbols (TurboJPEG 2.x API, also exported by 3.x) and the
 * constants from `turbojpeg.h` that the safe classes in `mod.ts` need.
 *
 * `unsigned long` is 64-bit on the LP64 Linux targets we support (x86-64,
 * aarch64), so it is declared as `u64` and `unsigned long *` as a pointer to an
 * 8-byte buffer.
 *
 * @module
 */

/** Pixel formats (`enum TJPF`). */
export const TJPF = {
  RGB: 0,
  BGR: 1,
  RGBX: 2,
  BGRX: 3,
  XBGR: 4,
  XRGB: 5,
  GRAY: 6,
  RGBA: 7,
  BGRA: 8,
  ABGR: 9,
  ARGB: 10,
  CMYK: 11,
} as const;

/** Chrominance subsampling (`enum TJSAMP`); `-1` is reported for unusual layouts. */
export const TJSAMP = {
  S444: 0,
  S422: 1,
  S420: 2,
  GRAY: 3,
  S440: 4,
  S411: 5,
} as const;

/** JPEG colour spaces (`enum TJCS`). */
export const TJCS = {
  RGB: 0,
  YCbCr: 1,
  GRAY: 2,
  CMYK: 3,
  YCCK: 4,
} as const;

/** Error codes returned by `tjGetErrorCode` (`enum TJERR`). */
export const TJERR = {
  WARNING: 0,
  FATAL: 1,
} as const;

/** Flags accepted by the compress and decompress functions (`TJFLAG_*`). */
export const TJFLAG = {
  BOTTOMUP: 2,
  FASTUPSAMPLE: 256,
  NOREALLOC: 1024,
  FASTDCT: 2048,
  ACCURATEDCT: 4096,
  STOPONWARNING: 8192,
} as const;

/** The libturbojpeg symbol table for `Deno.dlopen`. */
export const symbols = {
  tjInitDecompress: {
    parameters: [],
    result: "pointer", // tjhandle
  },
  tjInitCompress: {
    parameters: [],
    result: "pointer", // tjhandle
  },
  tjDestroy: {
    parameters: [
      "pointer", // tjhandle handle
    ],
    result: "i32", // int
  },
  tjDecompressHeader3: {
    parameters: [
      "pointer", // tjhandle handle
      "buffer", // const unsigned char *jpegBuf
      "u64", // unsigned long jpegSize
      "buffer", // int *width
      "buffer", // int *height
      "buffer", // int *jpegSubsamp
      "buffer", // int *jpegColorspace
    ],
    result: "i32", // int
  },
  tjDecompress2: {
    parameters: [
      "pointer", // tjhandle handle
      "buffer", // const unsigned char *jpegBuf
      "u64", // unsigned long jpegSize
      "buffer", // unsigned char *dstBuf
      "i32", // int width
      "i32", // int pitch
      "i32", // int height
      "i32", // int pixelFormat
      "i32", // int flags
    ],
    result: "i32", // int
  },
  tjDecompressToYUVPlanes: {
    parameters: [
      "pointer", // tjhandle handle
      "buffer", // const unsigned char *jpegBuf
      "u64", // unsigned long jpegSize
      "buffer", // unsigned char **dstPlanes
      "i32", // int width
      "buffer", // int *strides (NULL: planes are tightly packed)
      "i32", // int height
      "i32", // int flags
    ],
    result: "i32", // int
  },
  tjCompress2: {
    parameters: [
      "pointer", // tjhandle handle
      "buffer", // const unsigned char *srcBuf
      "i32", // int width
      "i32", // int pitch
      "i32", // int height
      "i32", // int pixelFormat
      "buffer", // unsigned char **jpegBuf
      "buffer", // unsigned long *jpegSize
      "i32", // int jpegSubsamp
      "i32", // int jpegQual
      "i32", // int flags
    ],
    result: "i32", // int
  },
  tjCompressFromYUVPlanes: {
    parameters: [
      "pointer", // tjhandle handle
      "buffer", // const unsigned char **srcPlanes
      "i32", // int width
      "buffer", // const int *strides (NULL: planes are tightly packed)
      "i32", // int height
      "i32", // int subsamp
      "buffer", // unsigned char **jpegBuf
      "buffer", // unsigned long *jpegSize
      "i32", // int jpegQual
      "i32", // int flags
    ],
    result: "i32", // int
  },
  tjBufSize: {
    parameters: [
      "i32", // int width
      "i32", // int height
      "i32", // int jpegSubsamp
    ],
    result: "u64", // unsigned long
  },
  tjPlaneWidth: {
    parameters: [
      "i32", // int componentID
      "i32", // int width
      "i32", // int subsamp
    ],
    result: "i32", // int
  },
  tjPlaneHeight: {
    parameters: [
      "i32", // int componentID
      "i32", // int height
      "i32", // int subsamp
    ],
    result: "i32", // int
  },
  tjGetErrorStr2: {
    parameters: [
      "pointer", // tjhandle handle
    ],
    result: "pointer", // char *
    optional: true, // libjpeg-turbo >= 2.0
  },
  tjGetErrorCode: {
    parameters: [
      "pointer", // tjhandle handle
    ],
    result: "i32", // int
    optional: true, // libjpeg-turbo >= 2.0
  },
  tjGetErrorStr: {
    parameters: [],
    result: "pointer", // char * (global, not thread-safe; fallback for < 2.0)
    optional: true,
  },
  tjGetScalingFactors: {
    parameters: [
      "buffer", // int *numScalingFactors
    ],
    result: "pointer", // tjscalingfactor * ({ int num; int denom; }[])
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded library's symbols. */
export type TurbojpegSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
