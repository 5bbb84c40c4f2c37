/**
 * A compact GIF decoder (GIF87a/89a): the container, LZW, interlacing, transparency, the frame
 * disposal methods and the NETSCAPE loop count. Frames are composed onto an RGBA canvas the way
 * browsers do (the canvas starts transparent; delays of 0 or 1 centisecond mean 100 ms).
 *
 * `parseGif` reads the structure without decoding pixels (cheap: count frames, sum delays),
 * `composeGif` yields each composed frame in one reused canvas, `decodeGif` copies them all.
 *
 * @module
 */

import { pictureSizeProblem } from "../image/limits.ts";

/** A GIF that cannot be decoded; the message is `Cannot decode GIF: <detail>`. */
export class GifError extends Error {
  /** The reason alone, e.g. `"the file is truncated"`. */
  readonly detail: string;

  /**
   * Creates a GIF error.
   *
   * @param detail Why the GIF cannot be decoded.
   */
  constructor(detail: string) {
    super(`Cannot decode GIF: ${detail}`);
    this.name = "GifError";
    this.detail = detail;
  }
}

/** What to do with a frame's area before the next frame is drawn. */
export type GifDisposal = "keep" | "background" | "previous";

/** One frame as stored: its rectangle on the canvas, colours, timing and compressed pixels. */
export interface GifFrameInfo {
  /** Left edge on the canvas. */
  x: number;
  /** Top edge on the canvas. */
  y: number;
  /** Width of the frame's rectangle. */
  width: number;
  /** Height of the frame's rectangle. */
  height: number;
  /** How long the frame shows, in milliseconds (0 or 10 ms in the file mean 100 ms). */
  delayMs: number;
  /** What happens to the frame's rectangle before the next frame. */
  disposal: GifDisposal;
  /** The palette index that is transparent, or -1. */
  transparentIndex: number;
  /** Whether rows are stored in the 4-pass interlaced order. */
  interlaced: boolean;
  /** The colour table in use (local, else global), RGB triples. */
  palette: Uint8Array;
  /** LZW minimum code size (2 … 8). */
  minCodeSize: number;
  /** The LZW data, sub-blocks joined. */
  data: Uint8Array;
}

/** The structure of a GIF file. */
export interface GifFile {
  /** Canvas width. */
  width: number;
  /** Canvas height. */
  height: number;
  /** NETSCAPE2.0 loop count (0 = forever), or null when the file does not say (play once). */
  loopCount: number | null;
  /** The frames, in order. */
  frames: GifFrameInfo[];
}

/** One composed frame: the whole canvas, RGBA. */
export interface GifCanvas {
  /** Index of the frame. */
  index: number;
  /** Canvas width × height × 4 bytes, RGBA (reused by {@linkcode composeGif} between frames). */
  rgba: Uint8Array;
  /** How long the frame shows, in milliseconds. */
  delayMs: number;
}

/** A decoded animation, every frame copied. */
export interface GifAnimation {
  /** Canvas width. */
  width: number;
  /** Canvas height. */
  height: number;
  /** NETSCAPE2.0 loop count (0 = forever), or null. */
  loopCount: number | null;
  /** Each frame's canvas (width × height × 4 bytes, RGBA) and delay. */
  frames: { rgba: Uint8Array; delayMs: number }[];
}

const DISPOSALS: GifDisposal[] = ["keep", "keep", "background", "previous"];

/**
 * Whether `bytes` start with `GIF87a` or `GIF89a`.
 *
 * @example
 * ```ts
 * import { isGif } from "./gif.ts";
 * isGif(new TextEncoder().encode("GIF89a...")); // true
 * ```
 *
 * @param bytes The file contents (only the first 6 bytes are read).
 * @returns `true` for a GIF signature.
 */
export function isGif(bytes: Uint8Array): boolean {
  if (bytes.length < 6) return false;
  const text = String.fromCharCode(...bytes.subarray(0, 6));
  return text === "GIF87a" || text === "GIF89a";
}

/**
 * Reads the structure of a GIF: size, loop count and each frame's rectangle, palette, timing
 * and LZW data. Pixels are not decoded.
 *
 * @example
 * ```ts
 * import { parseGif } from "./gif.ts";
 * const gif = parseGif(await Deno.readFile("backgrounds/loop.gif"));
 * console.log(gif.width, gif.height, gif.frames.length);
 * ```
 *
 * @param bytes The file contents.
 * @returns The structure.
 * @throws {GifError} For a wrong signature, truncated data, or a frame without colour table.
 */
export function parseGif(bytes: Uint8Array): GifFile {
  if (!isGif(bytes)) throw new GifError("wrong GIF signature");
  let pos = 6;
  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new GifError("the file is truncated");
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = bytes[pos]! | (bytes[pos + 1]! << 8);
    pos += 2;
    return v;
  };
  const table = (packed: number): Uint8Array => {
    const n = 3 * (1 << ((packed & 7) + 1));
    need(n);
    const t = bytes.slice(pos, pos + n);
    pos += n;
    return t;
  };
  /** Joins the sub-blocks that follow (length byte, data …, 0). */
  const subBlocks = (): Uint8Array => {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let n = u8(); n !== 0; n = u8()) {
      need(n);
      parts.push(bytes.subarray(pos, pos + n));
      total += n;
      pos += n;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const part of parts) {
      out.set(part, o);
      o += part.length;
    }
    return out;
  };

  const width = u16();
  const height = u16();
  const screen = u8();
  pos += 2; // background colour index, pixel aspect ratio
  if (width < 1 || height < 1) throw new GifError(`invalid size ${width}x${height}`);
  const tooLarge = pictureSizeProblem(width, height);
  if (tooLarge !== null) throw new GifError(tooLarge);
  const globalPalette = (screen & 0x80) !== 0 ? table(screen) : null;
  let loopCount: number | null = null;
  let delayMs = 0;
  let disposal: GifDisposal = "keep";
  let transparentIndex = -1;
  const frames: GifFrameInfo[] = [];
  for (;;) {
    if (pos >= bytes.length) {
      if (frames.length > 0) break; // a missing trailer is common and harmless
      throw new GifError("the file is truncated");
    }
    const block = u8();
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      const label = u8();
      const body = subBlocks();
      if (label === 0xf9 && body.length >= 4) {
        // Graphic control: packed (disposal << 2 | transparency flag), delay (cs), index.
        disposal = DISPOSALS[(body[0]! >> 2) & 7] ?? "keep";
        const cs = body[1]! | (body[2]! << 8);
        delayMs = cs <= 1 ? 100 : cs * 10;
        transparentIndex = (body[0]! & 1) !== 0 ? body[3]! : -1;
      } else if (label === 0xff && body.length >= 14) {
        const id = String.fromCharCode(...body.subarray(0, 11));
        if ((id === "NETSCAPE2.0" || id === "ANIMEXTS1.0") && body[11] === 1) {
          loopCount = body[12]! | (body[13]! << 8);
        }
      }
      continue;
    }
    if (block !== 0x2c) {
      throw new GifError(
        `unknown block 0x${block.toString(16).padStart(2, "0")} at byte ${pos - 1}`,
      );
    }
    const x = u16(), y = u16(), w = u16(), h = u16();
    const packed = u8();
    const palette = (packed & 0x80) !== 0 ? table(packed) : globalPalette;
    if (palette === null) throw new GifError(`frame ${frames.length} has no colour table`);
    const minCodeSize = u8();
    if (minCodeSize < 1 || minCodeSize > 11) {
      throw new GifError(`frame ${frames.length} has an invalid LZW code size ${minCodeSize}`);
    }
    frames.push({
      x,
      y,
      width: w,
      height: h,
      delayMs: delayMs === 0 ? 100 : delayMs,
      disposal,
      transparentIndex,
      interlaced: (packed & 0x40) !== 0,
      palette,
      minCodeSize,
      data: subBlocks(),
    });
    delayMs = 0;
    disposal = "keep";
    transparentIndex = -1;
  }
  if (frames.length === 0) throw new GifError("it has no frames");
  return { width, height, loopCount, frames };
}

/** LZW tables, made once per `composeGif` (4096 codes, 12 bits at most). */
interface LzwTables {
  prefix: Int16Array;
  suffix: Uint8Array;
  stack: Uint8Array;
}

/**
 * Decodes GIF LZW `data` into palette indices; stops when `out` is full or at the end code.
 *
 * @returns How many indices were written (fewer than `out.length` for truncated data).
 */
function lzwDecode(
  data: Uint8Array,
  minCodeSize: number,
  out: Uint8Array,
  tables: LzwTables,
): number {
  const { prefix, suffix, stack } = tables;
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let size = minCodeSize + 1;
  let mask = (1 << size) - 1;
  let next = clear + 2;
  let prev = -1;
  let first = 0;
  let datum = 0;
  let bits = 0;
  let pos = 0;
  let o = 0;
  for (let i = 0; i < clear; i++) {
    prefix[i] = -1;
    suffix[i] = i;
  }
  while (o < out.length) {
    while (bits < size) {
      if (pos >= data.length) return o;
      datum |= data[pos++]! << bits;
      bits += 8;
    }
    let code = datum & mask;
    datum >>>= size;
    bits -= size;
    if (code === clear) {
      size = minCodeSize + 1;
      mask = (1 << size) - 1;
      next = clear + 2;
      prev = -1;
      continue;
    }
    if (code === end) return o;
    if (prev === -1) {
      if (code > clear) throw new GifError(`invalid LZW code ${code} after a clear code`);
      out[o++] = code;
      first = code;
      prev = code;
      continue;
    }
    if (code > next) throw new GifError(`invalid LZW code ${code} (table has ${next})`);
    const current = code;
    let sp = 0;
    if (code === next) {
      stack[sp++] = first;
      code = prev;
    }
    while (code > end) {
      stack[sp++] = suffix[code]!;
      code = prefix[code]!;
    }
    first = code;
    stack[sp++] = code;
    while (sp > 0 && o < out.length) out[o++] = stack[--sp]!;
    if (next < 4096) {
      prefix[next] = prev;
      suffix[next] = first;
      next++;
      if (next === mask + 1 && size < 12) {
        size++;
        mask = (1 << size) - 1;
      }
    }
    prev = current;
  }
  return o;
}

/** Row order of an interlaced frame: every 8th from 0, every 8th from 4, 4th from 2, 2nd from 1. */
function interlacedRows(height: number): Int32Array {
  const rows = new Int32Array(height);
  let i = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < height; y += step) rows[i++] = y;
  }
  return rows;
}

/**
 * Composes each frame onto the canvas (applying the previous frame's disposal first) and yields
 * it. The canvas buffer is reused: copy it to keep a frame.
 *
 * @example
 * ```ts
 * import { composeGif, parseGif } from "./gif.ts";
 * const gif = parseGif(await Deno.readFile("backgrounds/loop.gif"));
 * for (const frame of composeGif(gif)) console.log(frame.index, frame.delayMs);
 * ```
 *
 * @param gif The parsed file.
 * @returns A generator of composed frames.
 * @throws {GifError} For corrupt LZW data.
 */
export function* composeGif(gif: GifFile): Generator<GifCanvas> {
  const { width, height } = gif;
  const canvas = new Uint8Array(width * height * 4);
  let saved: Uint8Array | null = null;
  const tables: LzwTables = {
    prefix: new Int16Array(4096),
    suffix: new Uint8Array(4096),
    stack: new Uint8Array(4097),
  };
  let previous: GifFrameInfo | null = null;
  for (let index = 0; index < gif.frames.length; index++) {
    const frame = gif.frames[index]!;
    if (previous?.disposal === "background") clearRect(canvas, width, height, previous);
    if (previous?.disposal === "previous" && saved !== null) canvas.set(saved);
    if (frame.disposal === "previous") {
      saved ??= new Uint8Array(canvas.length);
      saved.set(canvas);
    }
    const indices = new Uint8Array(frame.width * frame.height);
    const count = lzwDecode(frame.data, frame.minCodeSize, indices, tables);
    const rows = frame.interlaced ? interlacedRows(frame.height) : null;
    const { palette, transparentIndex } = frame;
    const colours = palette.length / 3;
    for (let row = 0, i = 0; row < frame.height && i < count; row++) {
      const y = frame.y + (rows === null ? row : rows[row]!);
      const x1 = Math.min(frame.width, width - frame.x, count - i);
      if (y >= height) {
        i += frame.width;
        continue;
      }
      let o = (y * width + frame.x) * 4;
      for (let col = 0; col < x1; col++, o += 4) {
        const c = indices[i + col]!;
        if (c === transparentIndex || c >= colours) continue;
        canvas[o] = palette[c * 3]!;
        canvas[o + 1] = palette[c * 3 + 1]!;
        canvas[o + 2] = palette[c * 3 + 2]!;
        canvas[o + 3] = 255;
      }
      i += frame.width;
    }
    yield { index, rgba: canvas, delayMs: frame.delayMs };
    previous = frame;
  }
}

/** Makes a frame's rectangle transparent again ("restore to background", as browsers do). */
function clearRect(canvas: Uint8Array, width: number, height: number, frame: GifFrameInfo): void {
  const x1 = Math.min(frame.x + frame.width, width);
  const y1 = Math.min(frame.y + frame.height, height);
  for (let y = frame.y; y < y1; y++) {
    if (x1 > frame.x) canvas.fill(0, (y * width + frame.x) * 4, (y * width + x1) * 4);
  }
}

/**
 * Decodes every frame of a GIF (composed, RGBA, copied).
 *
 * @example
 * ```ts
 * import { decodeGif } from "./gif.ts";
 * const gif = decodeGif(await Deno.readFile("backgrounds/loop.gif"));
 * console.log(gif.frames.length, gif.frames[0]!.delayMs);
 * ```
 *
 * @param bytes The file contents.
 * @returns The animation.
 * @throws {GifError} For a corrupt or truncated file.
 */
export function decodeGif(bytes: Uint8Array): GifAnimation {
  const gif = parseGif(bytes);
  const frames: GifAnimation["frames"] = [];
  for (const frame of composeGif(gif)) {
    frames.push({ rgba: frame.rgba.slice(), delayMs: frame.delayMs });
  }
  return { width: gif.width, height: gif.height, loopCount: gif.loopCount, frames };
}
