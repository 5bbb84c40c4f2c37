/**
 * The settings as the control API speaks them: a JSON object whose keys are the long option names
 * and settings-file keys (`background`, `blur`, `mirror`, `light-wrap`, …), translated to and
 * from the pipeline's typed {@linkcode Settings}. Pure: nothing here opens a file. A background
 * or model from a client is only ever a name from the server's own lists.
 *
 * @module
 */

import { DEFAULT_BLUR_STRENGTH } from "../background/blur.ts";
import { DEFAULT_SMOOTHING, DEFAULT_TIGHTEN } from "../mask/mod.ts";
import type { MaskOptions } from "../mask/mask_pipeline.ts";
import {
  type FrameMode,
  MAX_FRAME_ZOOM,
  type Settings,
  type SettingsChange,
} from "../pipeline/settings.ts";

/** The settings object of `GET /api/settings`. */
export interface ApiSettings {
  background: string;
  model: string;
  mirror: boolean;
  flip: boolean;
  threshold: number | null;
  upsample: "guided" | "bilateral" | "bilinear";
  smooth: number;
  tighten: [number, number] | null;
  "light-wrap": number | null;
  despill: "green" | "blue" | null;
  fps: number | null;
  privacy: boolean;
  /** Auto-framing: `"auto"` follows the person, `"off"` shows the whole picture. */
  frame: FrameMode;
  /** The most auto-framing zooms in, 1-4. */
  "frame-zoom": number;
}

/** Every key `PATCH /api/settings` takes. */
export const API_KEYS: readonly string[] = [
  "background",
  "blur",
  "color",
  "colour",
  "model",
  "mirror",
  "flip",
  "threshold",
  "upsample",
  "smooth",
  "tighten",
  "light-wrap",
  "despill",
  "fps",
  "privacy",
  "frame",
  "frame-zoom",
];

/** A request the API refuses (400): one line, naming the key. */
export class ApiSettingsError extends Error {
  /** @param message one line: what is wrong and what to send instead */
  constructor(message: string) {
    super(message);
    this.name = "ApiSettingsError";
  }
}

/** What a change may name besides fixed values. */
export interface ApiSettingsContext {
  /** Whether a background name is in the server's list (bundled, the user's, uploaded). */
  hasBackground(name: string): boolean;
  /** The model names the server offers. */
  models: readonly string[];
}

/**
 * The API's view of the settings in force.
 *
 * @param s the settings
 * @returns the JSON object (every key present)
 */
export function settingsToApi(s: Readonly<Settings>): ApiSettings {
  const m = s.mask;
  const tighten = m.tighten === undefined ? DEFAULT_TIGHTEN : m.tighten;
  return {
    background: s.background,
    model: s.model,
    mirror: s.mirror,
    flip: s.flip,
    threshold: s.threshold,
    upsample: m.upsample ?? "guided",
    smooth: m.smoothing ?? DEFAULT_SMOOTHING,
    tighten: tighten === null ? null : [tighten[0], tighten[1]],
    "light-wrap": m.lightWrap ?? null,
    despill: s.despill,
    fps: s.fps,
    privacy: s.privacy,
    frame: s.frame,
    "frame-zoom": s.frameZoom,
  };
}

/** `#RGB` / `#RRGGBB` → `#rrggbb`, or null. */
function colour(text: unknown): string | null {
  if (typeof text !== "string") return null;
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  return `#${hex.toLowerCase()}`;
}

function bool(key: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new ApiSettingsError(
    `Invalid ${key} ${JSON.stringify(value)}: use true or false (on or off)`,
  );
}

/** Auto-framing's switch: `"auto"`/`"off"`, or `true`/`false` (and `"on"`) like a switch. */
function frameMode(value: unknown): FrameMode {
  if (value === "auto" || value === true || value === "on" || value === "true") return "auto";
  if (value === "off" || value === false || value === "false") return "off";
  throw new ApiSettingsError(
    `Invalid frame ${JSON.stringify(value)}: use auto or off (or true or false)`,
  );
}

function number(key: string, value: unknown, min: number, max: number, example: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
    throw new ApiSettingsError(
      `Invalid ${key} ${
        JSON.stringify(value)
      }: use a number from ${min} to ${max}, e.g. ${example}`,
    );
  }
  return n;
}

function blurStrength(value: unknown): string {
  if (value === true) return "blur";
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 100) {
    throw new ApiSettingsError(
      `Invalid blur ${JSON.stringify(value)}: use a whole number from 1 to 100 (the strength)`,
    );
  }
  return `blur:${n}`;
}

/**
 * The background a client names: `off`, `blur`, `blur:N`, `#RRGGBB`, or a name from the list.
 * Never a path.
 */
function background(value: unknown, ctx: ApiSettingsContext): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ApiSettingsError(
      "Invalid background: give off, blur, blur:N, #RRGGBB or a name from GET /api/backgrounds",
    );
  }
  const v = value.trim();
  if (v === "off" || v === "blur") return v;
  const blur = /^blur:(.*)$/.exec(v);
  if (blur) return blurStrength(blur[1]);
  const c = colour(v);
  if (c !== null && v.startsWith("#")) return c;
  if (ctx.hasBackground(v)) return v;
  throw new ApiSettingsError(
    `Unknown background ${
      JSON.stringify(v)
    }: use off, blur, blur:N, #RRGGBB or a name from GET /api/backgrounds (upload a file with POST /api/backgrounds)`,
  );
}

/**
 * Turns a `PATCH /api/settings` body into a change of the settings in force. Checks everything
 * first: a body with one bad key changes nothing.
 *
 * @param body the parsed JSON body
 * @param current the settings in force (for the mask options a key changes one of)
 * @param ctx the names a client may use
 * @returns the change
 * @throws {ApiSettingsError} one line naming the key
 */
export function changeFromApi(
  body: unknown,
  current: Readonly<Settings>,
  ctx: ApiSettingsContext,
): SettingsChange {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiSettingsError('Send a JSON object of settings, e.g. {"blur": 30}');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) {
    throw new ApiSettingsError('Send at least one setting, e.g. {"mirror": true}');
  }
  const change: SettingsChange = {};
  const mask: MaskOptions = { ...current.mask };
  let maskChanged = false;
  const backgrounds: string[] = [];
  for (const [key, value] of entries) {
    switch (key) {
      case "background":
        backgrounds.push(background(value, ctx));
        break;
      case "blur":
        backgrounds.push(blurStrength(value));
        break;
      case "color":
      case "colour": {
        const c = colour(value);
        if (c === null) {
          throw new ApiSettingsError(
            `Invalid ${key} ${JSON.stringify(value)}: use #RRGGBB, e.g. #3366cc`,
          );
        }
        backgrounds.push(c);
        break;
      }
      case "model":
        if (typeof value !== "string" || !ctx.models.includes(value)) {
          throw new ApiSettingsError(
            `Unknown model ${JSON.stringify(value)}: use ${ctx.models.join(" or ")}`,
          );
        }
        change.model = value;
        break;
      case "mirror":
      case "flip":
      case "privacy":
        change[key] = bool(key, value);
        break;
      case "threshold":
        change.threshold = value === null || value === "off"
          ? null
          : number("threshold", value, 0, 1, "0.5");
        break;
      case "upsample":
        if (value !== "guided" && value !== "bilateral" && value !== "bilinear") {
          throw new ApiSettingsError(
            `Invalid upsample ${JSON.stringify(value)}: use guided, bilateral or bilinear`,
          );
        }
        mask.upsample = value;
        maskChanged = true;
        break;
      case "smooth": {
        const n = number("smooth", value, 0, 0.95, "0.8");
        mask.smoothing = n;
        mask.hold = n;
        maskChanged = true;
        break;
      }
      case "tighten":
        mask.tighten = tightenValue(value);
        maskChanged = true;
        break;
      case "light-wrap":
        if (value === null) delete mask.lightWrap;
        else mask.lightWrap = number("light-wrap", value, 0, 1, "0.3");
        maskChanged = true;
        break;
      case "despill":
        if (value === null || value === "off") change.despill = null;
        else if (value === "green" || value === "blue") change.despill = value;
        else {
          throw new ApiSettingsError(
            `Invalid despill ${JSON.stringify(value)}: use green, blue or off`,
          );
        }
        break;
      case "fps":
        change.fps = value === null || value === "camera"
          ? null
          : Math.round(number("fps", value, 1, 240, "15"));
        break;
      case "frame":
        change.frame = frameMode(value);
        break;
      case "frame-zoom":
        change.frameZoom = number("frame-zoom", value, 1, MAX_FRAME_ZOOM, "1.6");
        break;
      default:
        throw new ApiSettingsError(
          `Unknown setting ${JSON.stringify(key)}: use ${API_KEYS.join(", ")}`,
        );
    }
  }
  if (backgrounds.length > 1) {
    throw new ApiSettingsError(
      `Choose one background: got ${backgrounds.map((b) => JSON.stringify(b)).join(" and ")}`,
    );
  }
  if (backgrounds[0] !== undefined) change.background = backgrounds[0];
  if (maskChanged) change.mask = mask;
  return change;
}

function tightenValue(value: unknown): [number, number] | null {
  if (value === null || value === "off" || value === false) return null;
  let pair: unknown = value;
  if (typeof value === "string") pair = value.split(",").map((p) => Number(p.trim()));
  if (
    Array.isArray(pair) && pair.length === 2 &&
    pair.every((n) => typeof n === "number" && Number.isFinite(n)) &&
    pair[0] >= 0 && pair[1] <= 1 && pair[0] < pair[1]
  ) {
    return [pair[0], pair[1]];
  }
  throw new ApiSettingsError(
    `Invalid tighten ${
      JSON.stringify(value)
    }: use [LOW, HIGH] or "LOW,HIGH" with 0 ≤ LOW < HIGH ≤ 1 (e.g. "0.25,0.75"), or "off"`,
  );
}

/** The blur strength a background spec shows, or null when it is not a blur. */
export function blurOf(spec: string): number | null {
  if (spec === "blur") return DEFAULT_BLUR_STRENGTH;
  const m = /^blur:(\d+)$/.exec(spec);
  return m ? Number(m[1]) : null;
}
