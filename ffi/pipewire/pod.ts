/**
 * SPA pods, the self-describing binary values PipeWire negotiates formats with, built and read in
 * TypeScript. In C they come from header-only helpers (`spa_pod_builder_add_object`,
 * `spa_format_video_raw_parse`) that no library exports, so the bytes are made here;
 * `pod_test.ts` checks them byte for byte against those helpers compiled with the system gcc.
 *
 * Every pod backscrub makes is a sequence of 32-bit words: an 8-byte header (body size in bytes,
 * type), the body, and zero padding to a multiple of 8 bytes. An object's body is its type and
 * id, then properties (key, flags, value pod).
 *
 * @module
 */

import {
  SPA_CHOICE,
  SPA_DATA_TYPE,
  SPA_FORMAT,
  SPA_MEDIA,
  SPA_META_HEADER,
  SPA_META_TYPE,
  SPA_PARAM,
  SPA_PARAM_BUFFERS,
  SPA_PARAM_META,
  SPA_TYPE,
  SPA_TYPE_OBJECT,
  SPA_VIDEO_COLOR,
  SPA_VIDEO_FORMAT,
} from "./layout.ts";

/** The raw video formats backscrub offers: packed 4:2:2 and the two common 4:2:0 layouts. */
export type VideoFormat = keyof typeof SPA_VIDEO_FORMAT;

/** One fixed video format: what a node offers (an `EnumFormat`) or was given (a `Format`). */
export interface VideoFormatSpec {
  /** The pixel layout. */
  format: VideoFormat;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames per second (whole). */
  fps: number;
}

/** A pod of one value: header, body words, padding to 8 bytes. */
function pod(type: number, body: readonly number[]): number[] {
  const words = [body.length * 4, type, ...body];
  if (words.length % 2 !== 0) words.push(0);
  return words;
}

function id(value: number): number[] {
  return pod(SPA_TYPE.Id, [value]);
}

function int(value: number): number[] {
  return pod(SPA_TYPE.Int, [value | 0]);
}

function rectangle(width: number, height: number): number[] {
  return pod(SPA_TYPE.Rectangle, [width, height]);
}

function fraction(num: number, denom: number): number[] {
  return pod(SPA_TYPE.Fraction, [num, denom]);
}

/** A choice of Int values: the body is choice type, flags, the child header, then the values. */
function intChoice(kind: number, values: readonly number[]): number[] {
  return pod(SPA_TYPE.Choice, [kind, 0, 4, SPA_TYPE.Int, ...values.map((v) => v | 0)]);
}

/** An object: its type and id, then each property as key, flags (0) and value pod. */
function object(type: number, objectId: number, props: readonly [number, number[]][]): number[] {
  const body = [type, objectId];
  for (const [key, value] of props) body.push(key, 0, ...value);
  return pod(SPA_TYPE.Object, body);
}

function bytes(words: readonly number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(words, (w) => w >>> 0).buffer);
}

/**
 * An `EnumFormat` (or, with `param: "Format"`, a `Format`) object for one fixed raw video
 * format: `mediaType` video, `mediaSubtype` raw, `format`, `size`, `framerate`, and — what
 * backscrub really writes — BT.601 limited range (`colorMatrix`, `colorRange`). Every value is
 * fixed (no choices): WebRTC lists a camera's formats only from fixed sizes and pixel formats.
 *
 * @example
 * ```ts
 * import { videoFormatPod } from "./pod.ts";
 * const pod = videoFormatPod({ format: "YUY2", width: 640, height: 480, fps: 30 });
 * console.log(pod.length); // 136 bytes
 * ```
 *
 * @param spec the format
 * @param options `param`: the param id (default `"EnumFormat"`)
 * @returns the pod's bytes (a multiple of 8)
 */
export function videoFormatPod(
  spec: VideoFormatSpec,
  options: { param?: "EnumFormat" | "Format" } = {},
): Uint8Array {
  return bytes(object(SPA_TYPE_OBJECT.Format, SPA_PARAM[options.param ?? "EnumFormat"], [
    [SPA_FORMAT.mediaType, id(SPA_MEDIA.TYPE_video)],
    [SPA_FORMAT.mediaSubtype, id(SPA_MEDIA.SUBTYPE_raw)],
    [SPA_FORMAT.VIDEO_format, id(SPA_VIDEO_FORMAT[spec.format])],
    [SPA_FORMAT.VIDEO_size, rectangle(spec.width, spec.height)],
    [SPA_FORMAT.VIDEO_framerate, fraction(spec.fps, 1)],
    [SPA_FORMAT.VIDEO_colorRange, id(SPA_VIDEO_COLOR.RANGE_16_235)],
    [SPA_FORMAT.VIDEO_colorMatrix, id(SPA_VIDEO_COLOR.MATRIX_BT601)],
  ]));
}

/** What a stream asks of the buffers a link allocates for it. */
export interface BuffersSpec {
  /** How many buffers: preferred, least, most. */
  buffers: readonly [number, number, number];
  /** Bytes of one frame (one data block). */
  size: number;
  /** Bytes of one line of the first plane. */
  stride: number;
}

/**
 * A `Buffers` param: count (a range), one block, the frame's size and stride, and the memory
 * kinds backscrub can write into (memfd or plain memory, mapped by libpipewire).
 *
 * @param spec count, size and stride
 * @returns the pod's bytes
 */
export function buffersPod(spec: BuffersSpec): Uint8Array {
  const types = (1 << SPA_DATA_TYPE.MemFd) | (1 << SPA_DATA_TYPE.MemPtr);
  return bytes(object(SPA_TYPE_OBJECT.ParamBuffers, SPA_PARAM.Buffers, [
    [SPA_PARAM_BUFFERS.buffers, intChoice(SPA_CHOICE.Range, spec.buffers)],
    [SPA_PARAM_BUFFERS.blocks, int(1)],
    [SPA_PARAM_BUFFERS.size, int(spec.size)],
    [SPA_PARAM_BUFFERS.stride, int(spec.stride)],
    [SPA_PARAM_BUFFERS.dataType, intChoice(SPA_CHOICE.Flags, [types])],
  ]));
}

/**
 * A `Meta` param asking for a header (flags, timestamp, sequence number) on every buffer.
 *
 * @returns the pod's bytes
 */
export function metaHeaderPod(): Uint8Array {
  return bytes(object(SPA_TYPE_OBJECT.ParamMeta, SPA_PARAM.Meta, [
    [SPA_PARAM_META.type, id(SPA_META_TYPE.Header)],
    [SPA_PARAM_META.size, int(SPA_META_HEADER.size)],
  ]));
}

/** The bytes of one frame of `format` at `width`×`height`, and the stride of its first plane. */
export function frameLayout(
  format: VideoFormat,
  width: number,
  height: number,
): { size: number; stride: number } {
  return format === "YUY2"
    ? { size: width * height * 2, stride: width * 2 }
    : { size: width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2)), stride: width };
}

/**
 * Reads a raw video `Format` object (what a link settled on): its pixel format, size and frame
 * rate. Values given as a choice are read from the choice's first (default) value.
 *
 * @example
 * ```ts
 * import { parseVideoFormat, videoFormatPod } from "./pod.ts";
 * const spec = { format: "NV12", width: 320, height: 240, fps: 25 } as const;
 * console.log(parseVideoFormat(videoFormatPod(spec))); // the same spec
 * ```
 *
 * @param pod the pod's bytes (at least its header and body)
 * @returns the format, or null when the pod is not a raw video format backscrub offers
 */
export function parseVideoFormat(pod: Uint8Array): VideoFormatSpec | null {
  if (pod.length < 16) return null;
  const view = new DataView(pod.buffer, pod.byteOffset, pod.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  const size = u32(0);
  if (u32(4) !== SPA_TYPE.Object || 8 + size > pod.length || u32(8) !== SPA_TYPE_OBJECT.Format) {
    return null;
  }
  const values = new Map<number, { type: number; at: number }>();
  for (let at = 16; at + 16 <= 8 + size;) {
    const key = u32(at);
    const valueSize = u32(at + 8);
    let type = u32(at + 12);
    let body = at + 16;
    if (type === SPA_TYPE.Choice && valueSize >= 16) {
      // choice type, flags, child size, child type, then the values (the first is the default)
      type = u32(at + 16 + 12);
      body = at + 16 + 16;
    }
    values.set(key, { type, at: body });
    at += 16 + Math.ceil(valueSize / 8) * 8;
  }
  const get = (key: number, type: number): number | null => {
    const v = values.get(key);
    return v !== undefined && v.type === type ? v.at : null;
  };
  const mediaType = get(SPA_FORMAT.mediaType, SPA_TYPE.Id);
  const subtype = get(SPA_FORMAT.mediaSubtype, SPA_TYPE.Id);
  const format = get(SPA_FORMAT.VIDEO_format, SPA_TYPE.Id);
  const rect = get(SPA_FORMAT.VIDEO_size, SPA_TYPE.Rectangle);
  if (
    mediaType === null || u32(mediaType) !== SPA_MEDIA.TYPE_video || subtype === null ||
    u32(subtype) !== SPA_MEDIA.SUBTYPE_raw || format === null || rect === null
  ) {
    return null;
  }
  const name = (Object.keys(SPA_VIDEO_FORMAT) as VideoFormat[]).find((k) =>
    SPA_VIDEO_FORMAT[k] === u32(format)
  );
  if (name === undefined) return null;
  const rate = get(SPA_FORMAT.VIDEO_framerate, SPA_TYPE.Fraction);
  const fps = rate === null || u32(rate + 4) === 0 ? 0 : u32(rate) / u32(rate + 4);
  return { format: name, width: u32(rect), height: u32(rect + 4), fps };
}
