/**
 * Bilinear resizing of interleaved pixels into a caller-owned buffer.
 *
 * @module
 */

/** Pixel buffers {@linkcode resizeBilinear} reads and writes. */
export type PixelArray = Uint8Array | Float32Array;

/** Sizes for {@linkcode resizeBilinear}. */
export interface ResizeOptions {
  /** Source width in pixels. */
  srcWidth: number;
  /** Source height in pixels. */
  srcHeight: number;
  /** Destination width in pixels. */
  dstWidth: number;
  /** Destination height in pixels. */
  dstHeight: number;
  /** Interleaved channels per pixel (e.g. 3 for RGB, 1 for a mask). */
  channels: number;
}

// Per-column source index and weight, reused between calls (no per-frame allocation).
let columnIndex = new Int32Array(0);
let columnWeight = new Float64Array(0);

function checkSize(name: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot resize: ${name} size ${width}x${height} is not a positive size`);
  }
}

/**
 * Source coordinate of destination pixel `d` (half-pixel centres, clamped to the edges).
 *
 * @param d the destination pixel
 * @param scale source pixels per destination pixel
 * @param size the source's size along this axis
 * @returns the source position, 0 … size − 1
 */
export function sourceCoordinate(d: number, scale: number, size: number): number {
  const s = (d + 0.5) * scale - 0.5;
  return s < 0 ? 0 : s > size - 1 ? size - 1 : s;
}

/**
 * Resizes interleaved pixels with bilinear interpolation and half-pixel
 * centres (`src = (dst + 0.5) * srcSize / dstSize - 0.5`, clamped to the edge
 * pixels), as OpenCV `INTER_LINEAR` and TFLite `half_pixel_centers` do; no
 * antialiasing when shrinking. Writes into `dst`; `src` and `dst` may be
 * `Uint8Array` (rounded and clamped on write) or `Float32Array`.
 *
 * @example
 * ```ts
 * import { resizeBilinear } from "./resize.ts";
 * const dst = new Float32Array(4 * 4);
 * resizeBilinear(new Float32Array([0, 10, 20, 30]), dst, {
 *   srcWidth: 2, srcHeight: 2, dstWidth: 4, dstHeight: 4, channels: 1,
 * });
 * dst.subarray(0, 4); // Float32Array [0, 2.5, 7.5, 10]
 * ```
 *
 * @param src Source pixels, at least `srcWidth * srcHeight * channels` values.
 * @param dst Destination, at least `dstWidth * dstHeight * channels` values.
 * @param options The sizes and channel count.
 * @throws {RangeError} When a size is invalid or a buffer is too small.
 */
export function resizeBilinear(src: PixelArray, dst: PixelArray, options: ResizeOptions): void {
  const { srcWidth, srcHeight, dstWidth, dstHeight, channels } = options;
  checkSize("source", srcWidth, srcHeight);
  checkSize("destination", dstWidth, dstHeight);
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`Cannot resize: ${channels} channels is not a positive integer`);
  }
  if (src.length < srcWidth * srcHeight * channels) {
    throw new RangeError(
      `Cannot resize: the source has ${src.length} values, ${srcWidth}x${srcHeight}x${channels} needs ${
        srcWidth * srcHeight * channels
      }`,
    );
  }
  if (dst.length < dstWidth * dstHeight * channels) {
    throw new RangeError(
      `Cannot resize: the destination has ${dst.length} values, ${dstWidth}x${dstHeight}x${channels} needs ${
        dstWidth * dstHeight * channels
      }`,
    );
  }

  if (columnIndex.length < dstWidth) {
    columnIndex = new Int32Array(dstWidth);
    columnWeight = new Float64Array(dstWidth);
  }
  const scaleX = srcWidth / dstWidth;
  for (let x = 0; x < dstWidth; x++) {
    const sx = sourceCoordinate(x, scaleX, srcWidth);
    const x0 = Math.floor(sx);
    columnIndex[x] = x0;
    columnWeight[x] = sx - x0;
  }

  const toBytes = dst instanceof Uint8Array;
  const scaleY = srcHeight / dstHeight;
  const srcStride = srcWidth * channels;
  for (let y = 0; y < dstHeight; y++) {
    const sy = sourceCoordinate(y, scaleY, srcHeight);
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    const row0 = y0 * srcStride;
    const row1 = Math.min(y0 + 1, srcHeight - 1) * srcStride;
    let out = y * dstWidth * channels;
    for (let x = 0; x < dstWidth; x++) {
      const x0 = columnIndex[x]!;
      const fx = columnWeight[x]!;
      const a = x0 * channels;
      const b = Math.min(x0 + 1, srcWidth - 1) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[row0 + a + c]! + (src[row0 + b + c]! - src[row0 + a + c]!) * fx;
        const bottom = src[row1 + a + c]! + (src[row1 + b + c]! - src[row1 + a + c]!) * fx;
        const value = top + (bottom - top) * fy;
        dst[out++] = toBytes ? (value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value)) : value;
      }
    }
  }
}
