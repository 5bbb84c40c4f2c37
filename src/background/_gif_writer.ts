/**
 * A small GIF89a writer with real LZW compression (growing code sizes, clear at 4096 codes), for
 * the decoder's tests: the files it makes exercise every path of `gif.ts`.
 *
 * @module
 */

/** One frame to write. */
export interface GifWriteFrame {
  /** Palette indices, width × height, rows top to bottom. */
  indices: Uint8Array;
  /** Frame rectangle width (default: the canvas width). */
  width?: number;
  /** Frame rectangle height (default: the canvas height). */
  height?: number;
  /** Left edge (default 0). */
  x?: number;
  /** Top edge (default 0). */
  y?: number;
  /** Delay in centiseconds (default 10). */
  delayCs?: number;
  /** Disposal method 0 … 3 (default 0). */
  disposal?: number;
  /** Transparent palette index (default none). */
  transparentIndex?: number;
  /** A local colour table (RGB, 2^n entries). */
  palette?: Uint8Array;
  /** Store rows interlaced (default false). */
  interlaced?: boolean;
}

/** A whole file to write. */
export interface GifWriteOptions {
  /** Canvas width. */
  width: number;
  /** Canvas height. */
  height: number;
  /** Global colour table (RGB, 2^n entries, 2 … 256), or null for local tables only. */
  palette: Uint8Array | null;
  /** The frames. */
  frames: GifWriteFrame[];
  /** NETSCAPE2.0 loop count (0 = forever); omitted: no extension. */
  loopCount?: number;
}

/** log2 of the colour table size for `palette` (RGB bytes), at least 1. */
function tableBits(palette: Uint8Array): number {
  let bits = 1;
  while (1 << bits < palette.length / 3) bits++;
  return bits;
}

/**
 * LZW-compresses palette indices the GIF way, as sub-blocks ending with an empty one.
 *
 * @example
 * ```ts
 * import { lzwEncode } from "./_gif_writer.ts";
 * lzwEncode(new Uint8Array([0, 0, 0, 0]), 2).length > 0; // true
 * ```
 *
 * @param indices The pixels.
 * @param minCodeSize The LZW minimum code size (2 … 8).
 * @returns The data sub-blocks.
 */
export function lzwEncode(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const bytes: number[] = [];
  let datum = 0;
  let bits = 0;
  let size = minCodeSize + 1;
  let next = clear + 2;
  let dict = new Map<number, number>();
  const emit = (code: number): void => {
    datum |= code << bits;
    bits += size;
    while (bits >= 8) {
      bytes.push(datum & 0xff);
      datum >>>= 8;
      bits -= 8;
    }
  };
  // The decoder adds a code after each one it reads but the first after a clear; mirror it.
  const grow = (): void => {
    next++;
    if (next > 1 << size && size < 12) size++;
  };
  emit(clear);
  let w = indices[0] ?? 0;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!;
    const key = w * 256 + k;
    const code = dict.get(key);
    if (code !== undefined) {
      w = code;
      continue;
    }
    emit(w);
    dict.set(key, next);
    grow();
    if (next === 4096) {
      emit(clear);
      dict = new Map();
      size = minCodeSize + 1;
      next = clear + 2;
    }
    w = k;
  }
  emit(w);
  if (next !== clear + 2) grow();
  emit(end);
  if (bits > 0) bytes.push(datum & 0xff);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const chunk = bytes.slice(i, i + 255);
    out.push(chunk.length, ...chunk);
  }
  out.push(0);
  return new Uint8Array(out);
}

/**
 * Writes a GIF89a file.
 *
 * @example
 * ```ts
 * import { writeGif } from "./_gif_writer.ts";
 * const palette = new Uint8Array([0, 0, 0, 255, 255, 255]);
 * const gif = writeGif({ width: 2, height: 1, palette, frames: [{ indices: new Uint8Array([0, 1]) }] });
 * ```
 *
 * @param options Canvas size, palette and frames.
 * @returns The file contents.
 */
export function writeGif(options: GifWriteOptions): Uint8Array {
  const { width, height, palette, frames } = options;
  const out: number[] = [...new TextEncoder().encode("GIF89a")];
  const u16 = (v: number): void => {
    out.push(v & 0xff, v >> 8);
  };
  u16(width);
  u16(height);
  out.push(palette ? 0xf0 | (tableBits(palette) - 1) : 0x70, 0, 0);
  if (palette) {
    for (const b of palette) out.push(b);
    for (let i = palette.length; i < 3 * (1 << tableBits(palette)); i++) out.push(0);
  }
  if (options.loopCount !== undefined) {
    out.push(0x21, 0xff, 11, ...new TextEncoder().encode("NETSCAPE2.0"), 3, 1);
    u16(options.loopCount);
    out.push(0);
  }
  for (const frame of frames) {
    const w = frame.width ?? width;
    const h = frame.height ?? height;
    const transparent = frame.transparentIndex ?? -1;
    out.push(0x21, 0xf9, 4, ((frame.disposal ?? 0) << 2) | (transparent >= 0 ? 1 : 0));
    u16(frame.delayCs ?? 10);
    out.push(Math.max(transparent, 0), 0);
    out.push(0x2c);
    u16(frame.x ?? 0);
    u16(frame.y ?? 0);
    u16(w);
    u16(h);
    const local = frame.palette;
    out.push((local ? 0x80 | (tableBits(local) - 1) : 0) | (frame.interlaced ? 0x40 : 0));
    if (local) {
      for (const b of local) out.push(b);
      for (let i = local.length; i < 3 * (1 << tableBits(local)); i++) out.push(0);
    }
    let indices = frame.indices;
    if (frame.interlaced) {
      indices = new Uint8Array(w * h);
      let row = 0;
      for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
        for (let y = start; y < h; y += step) {
          indices.set(frame.indices.subarray(y * w, (y + 1) * w), row++ * w);
        }
      }
    }
    const minCodeSize = Math.max(2, tableBits(local ?? palette!));
    out.push(minCodeSize);
    for (const b of lzwEncode(indices, minCodeSize)) out.push(b);
  }
  out.push(0x3b);
  return new Uint8Array(out);
}
