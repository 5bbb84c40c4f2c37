/**
 * Parsing what the user typed after `-b`/`--background` (and what `--blur [N]`, `--color` and
 * backscrub's `-p bgblur:N` turn into) into a {@linkcode BackgroundSpec}. Pure: no file access.
 *
 * @module
 */

import { BLUR_STRENGTH_RANGE, DEFAULT_BLUR_STRENGTH } from "./blur.ts";
import { BackgroundError } from "./errors.ts";

/** An RGB colour, 0 … 255 per channel. */
export type Rgb = [number, number, number];

/** What kind of file a background path is, from its extension. */
export type FileKind = "image" | "gif" | "video" | "unknown";

/** A parsed background spec. */
export type BackgroundSpec =
  | { kind: "off" }
  | { kind: "blur"; strength: number }
  | { kind: "color"; rgb: Rgb; hex: string }
  | { kind: "file"; name: string; type: FileKind };

/** The colour names `color:NAME` accepts, with their CSS values. */
export const COLOR_NAMES: Readonly<Record<string, Rgb>> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  green: [0, 128, 0],
  blue: [0, 0, 255],
};

const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];
const VIDEO_EXTENSIONS = [".mp4", ".webm", ".mkv", ".mov", ".avi", ".m4v", ".ogv", ".y4m"];
const SPEC_HELP = "use off, blur[:N], #RRGGBB, color:NAME or an image, GIF or video file";

/**
 * The kind of a background file from its extension (case-insensitive).
 *
 * @example
 * ```ts
 * import { fileKind } from "./spec.ts";
 * fileKind("beach.JPG"); // "image"
 * fileKind("loop.webm"); // "video"
 * ```
 *
 * @param name A path or file name.
 * @returns `image`, `gif`, `video`, or `unknown` without a known extension.
 */
export function fileKind(name: string): FileKind {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf(".");
  const extension = dot > lower.lastIndexOf("/") ? lower.slice(dot) : "";
  if (IMAGE_EXTENSIONS.includes(extension)) return "image";
  if (extension === ".gif") return "gif";
  if (VIDEO_EXTENSIONS.includes(extension)) return "video";
  return "unknown";
}

/**
 * The colour `#RGB`, `#RRGGBB` or a name of {@linkcode COLOR_NAMES} (case-insensitive), or
 * null when `text` is none of these.
 *
 * @example
 * ```ts
 * import { parseColor } from "./spec.ts";
 * parseColor("#0f8"); // [0, 255, 136]
 * parseColor("Green"); // [0, 128, 0]
 * parseColor("#12345"); // null
 * ```
 *
 * @param text The colour as typed.
 * @returns The colour, or null.
 */
export function parseColor(text: string): Rgb | null {
  const named = COLOR_NAMES[text.toLowerCase()];
  if (named !== undefined) return [...named];
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short) return [1, 2, 3].map((i) => parseInt(short[i]!.repeat(2), 16)) as Rgb;
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (long) return [1, 2, 3].map((i) => parseInt(long[i]!, 16)) as Rgb;
  return null;
}

/**
 * `#rrggbb` (lower case) for a colour.
 *
 * @example
 * ```ts
 * import { hexColor } from "./spec.ts";
 * hexColor([0, 255, 136]); // "#00ff88"
 * ```
 *
 * @param rgb The colour.
 * @returns Seven characters.
 */
export function hexColor(rgb: Rgb): string {
  return "#" + rgb.map((c) => c.toString(16).padStart(2, "0")).join("");
}

function fail(spec: string, detail: string): never {
  throw new BackgroundError("spec", `Cannot use background ${JSON.stringify(spec)}: ${detail}`);
}

/**
 * Parses a background spec:
 *
 * - `off` → no replacement (the camera passes through);
 * - `blur`, `blur:N`, `bgblur:N` → mask-aware blur of strength N (1 … 100, default
 *   {@linkcode DEFAULT_BLUR_STRENGTH});
 * - `#RGB`, `#RRGGBB`, `color:NAME`, `colour:NAME`, `color:#RRGGBB` → a solid colour;
 * - anything else → a file (image, GIF or video by extension; `unknown` is decided by content).
 *
 * @example
 * ```ts
 * import { parseBackgroundSpec } from "./spec.ts";
 * parseBackgroundSpec("blur:20"); // { kind: "blur", strength: 20 }
 * parseBackgroundSpec("#00ff00"); // { kind: "color", rgb: [0, 255, 0], hex: "#00ff00" }
 * parseBackgroundSpec("beach.jpg"); // { kind: "file", name: "beach.jpg", type: "image" }
 * ```
 *
 * @param spec What the user typed.
 * @returns The parsed spec.
 * @throws {BackgroundError} For an empty spec, a bad colour or a bad blur strength.
 */
export function parseBackgroundSpec(spec: string): BackgroundSpec {
  const text = spec.trim();
  if (text === "") fail(spec, `the spec is empty (${SPEC_HELP})`);
  const lower = text.toLowerCase();
  if (lower === "off" || lower === "none") return { kind: "off" };
  const blur = /^(?:bg)?blur(?::(.*))?$/i.exec(text);
  if (blur) {
    const [min, max] = BLUR_STRENGTH_RANGE;
    const value = blur[1];
    if (value === undefined || value === "") {
      return { kind: "blur", strength: DEFAULT_BLUR_STRENGTH };
    }
    const strength = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(strength >= min && strength <= max)) {
      fail(
        spec,
        `the blur strength is a whole number from ${min} to ${max} (e.g. blur:${DEFAULT_BLUR_STRENGTH})`,
      );
    }
    return { kind: "blur", strength };
  }
  const named = /^colou?r:(.*)$/i.exec(text);
  if (named || text.startsWith("#")) {
    const rgb = parseColor(named ? named[1]!.trim() : text);
    if (rgb === null) {
      const names = Object.keys(COLOR_NAMES).join(", ");
      fail(
        spec,
        `a colour is #RGB, #RRGGBB or color:NAME with NAME one of ${names} (e.g. #00ff00)`,
      );
    }
    return { kind: "color", rgb, hex: hexColor(rgb) };
  }
  return { kind: "file", name: text, type: fileKind(text) };
}
