/**
 * PNG reading and writing (through the pure-JS `fast-png`), normalised to
 * 8-bit RGB plus an optional alpha plane.
 *
 * @module
 */

import { decode, type DecodedPng, encode } from "fast-png";
import { pictureSizeProblem } from "./limits.ts";
import { ImageError, type RgbImage } from "./types.ts";

const TRUNCATED = "the file is truncated";
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Pixels accepted by {@linkcode writePng}. */
export interface PngPixels {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 gray, 3 RGB, 4 RGBA (8 bits each, interleaved). */
  channels: 1 | 3 | 4;
  /** `width * height * channels` bytes, rows top to bottom. */
  data: Uint8Array;
}

/**
 * Whether `bytes` start with the PNG signature.
 *
 * @example
 * ```ts
 * import { isPng } from "./png.ts";
 * isPng(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])); // true
 * ```
 *
 * @param bytes The file contents (only the first 8 bytes are read).
 * @returns `true` for a PNG signature.
 */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b);
}

function fail(detail: string, cause?: unknown): never {
  throw new ImageError("Cannot decode PNG", detail, cause === undefined ? undefined : { cause });
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // fast-png reads through a DataView; running off its end means missing bytes.
  if (/outside the bounds/i.test(text)) return TRUNCATED;
  const clean = text.replace(/\s+/g, " ").trim().replace(/:$/, "");
  return clean === "" ? "unknown error" : clean;
}

/** Rejects what fast-png 8 would decode wrongly, before it tries. */
function checkHeader(bytes: Uint8Array): void {
  if (!isPng(bytes)) fail("wrong PNG signature");
  // IHDR is the first chunk: length(4) "IHDR"(4) width height depth colour compression filter interlace
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 8; offset < bytes.length;) {
    // length(4) type(4) data(length) crc(4)
    if (offset + 8 > bytes.length) fail(TRUNCATED);
    const end = offset + 12 + view.getUint32(offset);
    if (end > bytes.length) fail(TRUNCATED);
    if (view.getUint32(offset + 4) === 0x49454e44) break; // "IEND"
    offset = end;
  }
  if (bytes.length < 33) fail(TRUNCATED);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const tooLarge = pictureSizeProblem(width, height);
  if (tooLarge !== null) fail(tooLarge);
  // Deflate packs at most ~1032 bytes into one: less picture data than that is a file cut short
  // (or one that lies about its size), refused before anything is inflated.
  let compressed = 0;
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = view.getUint32(offset);
    if (view.getUint32(offset + 4) === 0x49444154) compressed += length; // "IDAT"
    offset += 12 + length;
  }
  const channels = [1, 0, 3, 1, 2, 0, 4][bytes[25]!] ?? 4;
  const raw = height * (1 + Math.ceil((width * channels * bytes[24]!) / 8));
  if (compressed * 1032 < raw) {
    fail(`the file holds too little picture data for ${width}x${height} pixels (cut short?)`);
  }
  const depth = bytes[24]!;
  const interlace = bytes[28]!;
  if (interlace === 1 && depth < 8) {
    // fast-png's Adam7 path assumes at least one byte per sample.
    fail(
      `interlaced ${depth}-bit PNGs are not supported (save it without interlacing or as 8-bit)`,
    );
  }
}

/** One sample per entry (unpacks 1/2/4-bit rows, which are padded to a byte). */
function unpack(png: DecodedPng): Uint8Array | Uint16Array {
  const { width, height, depth, data } = png;
  if (depth >= 8) return data as Uint8Array | Uint16Array;
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[row + (bit >> 3)]!;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** A lookup from a `depth`-bit sample to 8 bits (depth ≤ 8). */
function scaleTable(depth: number): Uint8Array {
  const max = (1 << depth) - 1;
  const table = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v++) table[v] = Math.round((v * 255) / max);
  return table;
}

function to8(samples: Uint8Array | Uint16Array, depth: number): Uint8Array {
  if (depth === 8) return samples as Uint8Array;
  const out = new Uint8Array(samples.length);
  if (depth === 16) {
    // round(v / 257): 0..65535 → 0..255
    for (let i = 0; i < samples.length; i++) out[i] = ((samples[i]! + 128) / 257) | 0;
  } else {
    const table = scaleTable(depth);
    for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]!]!;
  }
  return out;
}

function fromPalette(png: DecodedPng, indices: Uint8Array | Uint16Array): RgbImage {
  const palette = png.palette ?? [];
  const n = png.width * png.height;
  const lut = new Uint8Array(palette.length * 4);
  let hasAlpha = false;
  palette.forEach((entry, i) => {
    lut.set([entry[0] ?? 0, entry[1] ?? 0, entry[2] ?? 0, entry[3] ?? 255], i * 4);
    if ((entry[3] ?? 255) !== 255) hasAlpha = true;
  });
  const data = new Uint8Array(n * 3);
  const alpha = hasAlpha ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const index = indices[i]!;
    if (index >= palette.length) {
      fail(`palette index ${index} is out of range (the palette has ${palette.length} colours)`);
    }
    data[i * 3] = lut[index * 4]!;
    data[i * 3 + 1] = lut[index * 4 + 1]!;
    data[i * 3 + 2] = lut[index * 4 + 2]!;
    if (alpha !== undefined) alpha[i] = lut[index * 4 + 3]!;
  }
  return alpha === undefined
    ? { width: png.width, height: png.height, data }
    : { width: png.width, height: png.height, data, alpha };
}

function toRgb(png: DecodedPng): RgbImage {
  const { width, height, depth, channels } = png;
  const n = width * height;
  const raw = unpack(png);
  if (raw.length < n * channels) fail("unexpected end of image data");
  if (png.palette !== undefined && channels === 1) return fromPalette(png, raw);

  const color = channels >= 3;
  const hasAlphaChannel = channels === 2 || channels === 4;
  const key = png.transparency; // tRNS colour key for gray/RGB images (raw samples)
  const useKey = !hasAlphaChannel && key !== undefined && key.length >= (color ? 3 : 1);
  const samples = to8(raw, depth);

  if (channels === 3 && !useKey && samples.length === n * 3) {
    return { width, height, data: samples };
  }
  const data = new Uint8Array(n * 3);
  const alpha = hasAlphaChannel || useKey ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (color) {
      data[i * 3] = samples[s]!;
      data[i * 3 + 1] = samples[s + 1]!;
      data[i * 3 + 2] = samples[s + 2]!;
    } else {
      data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = samples[s]!;
    }
    if (alpha !== undefined) {
      if (hasAlphaChannel) {
        alpha[i] = samples[s + channels - 1]!;
      } else {
        const match = color
          ? raw[s] === key![0] && raw[s + 1] === key![1] && raw[s + 2] === key![2]
          : raw[s] === key![0];
        alpha[i] = match ? 0 : 255;
      }
    }
  }
  return alpha === undefined ? { width, height, data } : { width, height, data, alpha };
}

/**
 * Decodes any PNG (gray, gray+alpha, RGB, RGBA, palette; 1/2/4/8/16-bit;
 * `tRNS` transparency) to 8-bit RGB plus an alpha plane when the file has
 * transparency. 16-bit samples are rounded to 8 bits.
 *
 * @example
 * ```ts
 * import { readPng } from "./png.ts";
 * const image = readPng(await Deno.readFile("background.png"));
 * console.log(image.width, image.height, image.alpha !== undefined);
 * ```
 *
 * @param bytes The PNG file contents.
 * @returns The picture as RGB (and alpha).
 * @throws {ImageError} `Cannot decode PNG: <reason>` for corrupt or unsupported data.
 */
export function readPng(bytes: Uint8Array): RgbImage {
  checkHeader(bytes);
  let png: DecodedPng;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (error) {
    fail(reasonOf(error), error);
  }
  if (png.width < 1 || png.height < 1) fail(`invalid size ${png.width}x${png.height}`);
  return toRgb(png);
}

/**
 * Encodes 8-bit gray, RGB or RGBA pixels as a PNG.
 *
 * @example
 * ```ts
 * import { readPng, writePng } from "./png.ts";
 * const png = writePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 * readPng(png).data; // Uint8Array [255, 0, 0, 0, 0, 255]
 * ```
 *
 * @param image Size, channel count and pixels.
 * @returns The PNG file contents.
 * @throws {RangeError} When the size and the data length disagree.
 */
export function writePng(image: PngPixels): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot encode PNG of size ${width}x${height}: use positive integers`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`Cannot encode PNG with ${channels} channels: use 1, 3 or 4`);
  }
  const needed = width * height * channels;
  if (data.length !== needed) {
    throw new RangeError(
      `Cannot encode a ${width}x${height}x${channels} PNG from ${data.length} bytes: it needs ${needed}`,
    );
  }
  return encode({ width, height, channels, depth: 8, data });
}
