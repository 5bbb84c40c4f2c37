/**
 * The live command's options: backscrub's short flags (`-c -v -b -m -p bgblur:N -H -V --cg --vg
 * -f -t -d -s -?`) and long options that read naturally (`--background`, `--blur [N]`,
 * `--color #RRGGBB`, `--mirror`, `--fps`, `--threshold`, ...). Parsing is pure: values are checked
 * here and every mistake is one {@linkcode UsageError} line.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DEFAULT_SMOOTHING, DEFAULT_TIGHTEN } from "../mask/mod.ts";
import type { Size } from "../frame/geometry.ts";
import { DEFAULT_FRAME_ZOOM, MAX_FRAME_ZOOM } from "../pipeline/settings.ts";
import { UsageError } from "./errors.ts";

/** The default background: a gentle blur of the camera's own background. */
export const DEFAULT_BACKGROUND = "blur";

/** Everything the live command needs to know. */
export interface LiveOptions {
  /** `-c`: capture device (`/dev/video0`, `video0`) or a file (video, .y4m, image, sequence). */
  capture: string;
  /**
   * `-v`: loopback device, `pipewire[:NAME]`, or a file (.y4m, .mp4, a folder for PNGs); null =
   * the first loopback (else PipeWire, when it runs).
   */
  virtual: string | null;
  /** A second `-v`: another virtual camera fed the same frames (`-v /dev/video10 -v pipewire`). */
  alsoVirtual: string | null;
  /** `-b`: background spec (`blur[:N]`, `off`, `#RRGGBB`, an image/GIF/video path). */
  background: string;
  /** `-m`: model name or path. */
  model: string;
  /** `--cg`: requested capture size. */
  captureSize: Size | null;
  /** `--vg`: output size (default: the capture size). */
  virtualSize: Size | null;
  /** `-f`: capture pixel format as a FourCC (`MJPG`, `YUYV`, ...). */
  format: string | null;
  /** `--out-format`: the loopback pixel format (MJPG: JPEG frames, for Firefox's full rate). */
  outputFormat: "YUYV" | "I420" | "NV12" | "MJPG";
  /** `--fps`: requested camera rate and output cap. */
  fps: number | null;
  /** `-t`: ONNX Runtime threads. */
  threads: number;
  /** `-H` / `--mirror`. */
  mirror: boolean;
  /** `-V` / `--flip`. */
  flip: boolean;
  /** `--threshold`: hard cut of the mask (0..1); soft when null. */
  threshold: number | null;
  /** `--upsample`: how the mask is lifted to the output size. */
  upsample: "guided" | "bilateral" | "bilinear";
  /** `--smooth`: temporal smoothing strength of the mask's edge, 0 (off) … 0.95. */
  smooth: number;
  /** `--tighten LO,HI`: the smoothstep range of edge tightening; null (`off`): none. */
  tighten: [number, number] | null;
  /** `--light-wrap`: 0 … 1; null: the default (0.3, none on a solid colour). */
  lightWrap: number | null;
  /** `--despill`: remove green or blue spill from the person's edge; null: off. */
  despill: "green" | "blue" | null;
  /** `-d` (repeatable): the per-stage status line. */
  debug: number;
  /** `-s`: a simple progress indicator. */
  progress: boolean;
  /** `--frames`: stop after N frames. */
  frames: number | null;
  /** `--ort-lib`. */
  ortLib: string | null;
  /** Pause the camera while no program reads the virtual camera (`--no-idle`: false). */
  idle: boolean;
  /** Run the model whenever it is free, even while the scene is still (`--every-frame`). */
  everyFrame: boolean;
  /**
   * `--http [ADDR:]PORT`: where the control panel and its API listen; `"off"`: nowhere; null
   * (not given): 127.0.0.1 on a free port for a live run (a camera, `--loop`), none for a file
   * run.
   */
  http: HttpAddress | "off" | null;
  /** `--loop`: play the file source as a live camera, again and again, at its own rate. */
  loop: boolean;
  /** `--frame auto|off`: auto-framing (keep the person centred and well sized). */
  frame: "off" | "auto";
  /** `--frame-zoom MAX`: auto-framing zooms in at most this much (1-4). */
  frameZoom: number;
}

/** Where the control panel listens. */
export interface HttpAddress {
  /** An IP address (`127.0.0.1`, `::1`, `0.0.0.0`) or `localhost`. */
  hostname: string;
  /** 0: a free port. */
  port: number;
}

/**
 * Parses `--http`'s value: `off`, `PORT`, `ADDR:PORT` or `[IPv6]:PORT`.
 *
 * @param text the value as typed
 * @returns the address, or "off"
 * @throws {UsageError} for anything else
 */
export function parseHttp(text: string): HttpAddress | "off" {
  if (text === "off") return "off";
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+|localhost)):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new UsageError(
      `Invalid --http "${text}": use PORT, ADDRESS:PORT (e.g. 127.0.0.1:8080; port 0: a free one) or off`,
    );
  }
  return { hostname: m[1] ?? m[2] ?? "127.0.0.1", port };
}

/** Long options that take a number, as typed (`--fps`). */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(
  [
    "fps",
    "threads",
    "threshold",
    "smooth",
    "light-wrap",
    "frames",
    "tighten",
    "cg",
    "vg",
    "frame-zoom",
  ].map(
    (o) => `--${o}`,
  ),
);

/** Short options that take a number, and their long names. */
const SHORT_VALUE_OPTIONS: ReadonlyMap<string, string> = new Map([["-t", "threads"]]);

function size(flag: string, text: string): Size {
  const m = /^(\d+)x(\d+)$/i.exec(text);
  const w = m ? Number(m[1]) : NaN;
  const h = m ? Number(m[2]) : NaN;
  if (!m || w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 || h % 2) {
    throw new UsageError(
      `Invalid ${flag} "${text}": use WIDTHxHEIGHT, even sizes from 16x16 to 7680x4320, e.g. 1280x720`,
    );
  }
  return { width: w, height: h };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`Invalid ${flag} "${text}": use a whole number from ${min} to ${max}`);
  }
  return n;
}

function fraction(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new UsageError(`Invalid ${flag} "${text}": use a number between 0 and 1, e.g. 0.5`);
  }
  return n;
}

function range(flag: string, text: string, min: number, max: number, example: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `Invalid ${flag} "${text}": use a number from ${min} to ${max}, e.g. ${example}`,
    );
  }
  return n;
}

function tightenRange(text: string): [number, number] | null {
  if (text === "off" || text === "0,1") return null;
  const m = /^\s*([\d.]+)\s*,\s*([\d.]+)\s*$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || !(lo >= 0 && hi <= 1 && lo < hi)) {
    throw new UsageError(
      `Invalid --tighten "${text}": use LOW,HIGH with 0 ≤ LOW < HIGH ≤ 1 (e.g. 0.25,0.75) or off`,
    );
  }
  return [lo, hi];
}

/** `#RGB` or `#RRGGBB`, returned lower-case as `#rrggbb`. */
export function parseColour(text: string): string {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text);
  if (!m) throw new UsageError(`Invalid --color "${text}": use #RRGGBB, e.g. #00b140`);
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  return `#${hex.toLowerCase()}`;
}

/**
 * Parses the live command's arguments.
 *
 * @param args the arguments (without the program name)
 * @returns the options, defaults filled in
 * @throws {UsageError} for an unknown flag, a missing or bad value, or extra arguments
 * @example
 * ```ts
 * parseLiveOptions(["-c", "video0", "-b", "beach.jpg", "-H", "--vg", "1280x720"]);
 * ```
 */
export function parseLiveOptions(args: readonly string[]): LiveOptions {
  // `--blur` takes an optional strength: give parseArgs an explicit value either way. A value
  // that looks like a negative number (`--fps -5`, `-t -1`) is taken as the option's value, so
  // that its check names the range instead of parseArgs calling it an unknown or ambiguous flag.
  const normalized: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const negative = next !== undefined && /^-\d/.test(next);
    if (a === "--blur") {
      if (next !== undefined && (/^\d+$/.test(next) || negative)) {
        normalized.push(`--blur=${next}`);
        i++;
      } else {
        normalized.push("--blur=");
      }
    } else if (negative && (VALUE_OPTIONS.has(a) || SHORT_VALUE_OPTIONS.has(a))) {
      normalized.push(`--${SHORT_VALUE_OPTIONS.get(a) ?? a.slice(2)}=${next}`);
      i++;
    } else {
      normalized.push(a);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: normalized,
      allowPositionals: true,
      strict: true,
      options: {
        capture: { type: "string", short: "c" },
        virtual: { type: "string", short: "v", multiple: true },
        background: { type: "string", short: "b" },
        model: { type: "string", short: "m" },
        p: { type: "string", short: "p" },
        blur: { type: "string" },
        color: { type: "string" },
        colour: { type: "string" },
        mirror: { type: "boolean", short: "H" },
        flip: { type: "boolean", short: "V" },
        cg: { type: "string" },
        vg: { type: "string" },
        format: { type: "string", short: "f" },
        "out-format": { type: "string" },
        fps: { type: "string" },
        threads: { type: "string", short: "t" },
        threshold: { type: "string" },
        upsample: { type: "string" },
        smooth: { type: "string" },
        tighten: { type: "string" },
        "light-wrap": { type: "string" },
        despill: { type: "string" },
        debug: { type: "boolean", short: "d", multiple: true },
        progress: { type: "boolean", short: "s" },
        frames: { type: "string" },
        "ort-lib": { type: "string" },
        "no-idle": { type: "boolean" },
        "every-frame": { type: "boolean" },
        http: { type: "string" },
        loop: { type: "boolean" },
        frame: { type: "string" },
        "frame-zoom": { type: "string" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]!.replace(/\. To specify .*$/, ""));
  }
  const v = parsed.values;
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[0]}"`);
  }

  const virtuals = v.virtual ?? [];
  if (virtuals.length > 2) {
    throw new UsageError(
      `Give -v at most twice (e.g. -v /dev/video10 -v pipewire), got ${virtuals.length}: ${
        virtuals.map((s) => `"${s}"`).join(", ")
      }`,
    );
  }
  if (virtuals.length === 2 && virtuals[0] === virtuals[1]) {
    throw new UsageError(`-v "${virtuals[0]}" is given twice: give two different virtual cameras`);
  }

  const backgrounds: string[] = [];
  if (v.background !== undefined) backgrounds.push(v.background);
  if (v.blur !== undefined) {
    backgrounds.push(v.blur === "" ? "blur" : `blur:${integer("--blur", v.blur, 1, 100)}`);
  }
  const colour = v.color ?? v.colour;
  if (colour !== undefined) backgrounds.push(parseColour(colour));
  if (v.p !== undefined) {
    const m = /^bgblur(?::(\d+))?$/.exec(v.p);
    if (!m) throw new UsageError(`Invalid -p "${v.p}": the only post-processing is bgblur:N`);
    backgrounds.push(m[1] ? `blur:${integer("-p bgblur", m[1], 1, 100)}` : "blur");
  }
  if (backgrounds.length > 1) {
    throw new UsageError(
      `Choose one background: got ${backgrounds.map((b) => `"${b}"`).join(" and ")}`,
    );
  }

  let format: string | null = null;
  if (v.format !== undefined) {
    const f = v.format.toUpperCase();
    if (!/^[A-Z0-9]{3,4}$/.test(f)) {
      throw new UsageError(`Invalid -f "${v.format}": give a FourCC such as MJPG, YUYV or NV12`);
    }
    format = f.padEnd(4, " ");
  }
  let outputFormat: LiveOptions["outputFormat"] = "YUYV";
  if (v["out-format"] !== undefined) {
    const f = v["out-format"].toUpperCase();
    if (f === "YU12") outputFormat = "I420";
    else if (f === "MJPEG" || f === "JPEG") outputFormat = "MJPG";
    else if (f === "YUYV" || f === "I420" || f === "NV12" || f === "MJPG") outputFormat = f;
    else {
      throw new UsageError(
        `Invalid --out-format "${v["out-format"]}": use YUYV, I420, NV12 or MJPG`,
      );
    }
  }

  let upsample: LiveOptions["upsample"] = "guided";
  if (v.upsample !== undefined) {
    if (v.upsample !== "guided" && v.upsample !== "bilateral" && v.upsample !== "bilinear") {
      throw new UsageError(`Invalid --upsample "${v.upsample}": use guided, bilateral or bilinear`);
    }
    upsample = v.upsample;
  }
  let despill: LiveOptions["despill"] = null;
  if (v.despill !== undefined) {
    const d = v.despill.toLowerCase();
    if (d === "green" || d === "blue") despill = d;
    else if (d !== "off") {
      throw new UsageError(`Invalid --despill "${v.despill}": use green, blue or off`);
    }
  }

  let frame: LiveOptions["frame"] = "off";
  if (v.frame !== undefined) {
    const f = v.frame.toLowerCase();
    if (f === "auto" || f === "off") frame = f;
    else throw new UsageError(`Invalid --frame "${v.frame}": use auto or off`);
  }

  return {
    capture: v.capture ?? "/dev/video0",
    virtual: virtuals[0] ?? null,
    alsoVirtual: virtuals[1] ?? null,
    background: backgrounds[0] ?? DEFAULT_BACKGROUND,
    model: v.model ?? "landscape",
    captureSize: v.cg === undefined ? null : size("--cg", v.cg),
    virtualSize: v.vg === undefined ? null : size("--vg", v.vg),
    format,
    outputFormat,
    fps: v.fps === undefined ? null : integer("--fps", v.fps, 1, 240),
    threads: v.threads === undefined ? 1 : integer("--threads", v.threads, 1, 64),
    mirror: v.mirror ?? false,
    flip: v.flip ?? false,
    threshold: v.threshold === undefined ? null : fraction("--threshold", v.threshold),
    upsample,
    smooth: v.smooth === undefined
      ? DEFAULT_SMOOTHING
      : range("--smooth", v.smooth, 0, 0.95, "0.8"),
    tighten: v.tighten === undefined
      ? [DEFAULT_TIGHTEN[0], DEFAULT_TIGHTEN[1]]
      : tightenRange(v.tighten),
    lightWrap: v["light-wrap"] === undefined
      ? null
      : range("--light-wrap", v["light-wrap"], 0, 1, "0.3"),
    despill,
    debug: v.debug?.length ?? 0,
    progress: v.progress ?? false,
    frames: v.frames === undefined ? null : integer("--frames", v.frames, 1, 1e9),
    ortLib: v["ort-lib"] ?? null,
    idle: !(v["no-idle"] ?? false),
    everyFrame: v["every-frame"] ?? false,
    http: v.http === undefined ? null : parseHttp(v.http),
    loop: v.loop ?? false,
    frame,
    frameZoom: v["frame-zoom"] === undefined
      ? DEFAULT_FRAME_ZOOM
      : range("--frame-zoom", v["frame-zoom"], 1, MAX_FRAME_ZOOM, "1.6"),
  };
}
