/**
 * Live settings: what a running pipeline lets you change between two frames, and the stages a
 * change needs (a background, a model), made beside the loop by a {@linkcode StageFactory}.
 *
 * One typed API for every way a setting changes: the command line and the settings file give the
 * first {@linkcode Settings}; SIGHUP, the control panel and its JSON API send a
 * {@linkcode SettingsChange} to `Pipeline.change`, which answers with what it {@linkcode Applied}.
 *
 * @module
 */

import type { Background, BackgroundOptions } from "../frame/stages.ts";
import type { Despill } from "../image/composite.ts";
import type { MaskOptions } from "../mask/mask_pipeline.ts";
import type { Segmenter } from "../segment/segmenter.ts";

/** Every setting a running pipeline can change. */
export interface Settings {
  /**
   * The background, as `-b` takes it: `blur` or `blur:N` (N = strength 1-100), `off`,
   * `#RRGGBB`, an image, an animated GIF or a video (a path or a bundled name).
   */
  background: string;
  /** The model, as `-m` takes it: a name or an `.onnx`/`.tflite` path. */
  model: string;
  /** Mirror the output left-right. */
  mirror: boolean;
  /** Flip the output upside down. */
  flip: boolean;
  /** A hard cut of the mask at this probability (0-1); null: soft edges. */
  threshold: number | null;
  /**
   * The mask's post-processing (upsampling, smoothing, tightening, light wrap). A `lightWrap`
   * left undefined follows the background: none on a solid colour, the default otherwise.
   */
  mask: MaskOptions;
  /** Remove green or blue screen spill from the person's edge; null: off. */
  despill: Despill | null;
  /** At most this many frames a second from the camera; null: as many as it gives. */
  fps: number | null;
  /**
   * Privacy: send the background alone, the person removed, while the camera keeps running (so
   * that switching back is instant). A background that shows the camera itself (blur, off)
   * is replaced by {@linkcode PRIVACY_COLOUR} meanwhile: a blurred person is still a person.
   */
  privacy: boolean;
  /**
   * Auto-framing: `"auto"` crops the camera picture to keep the person's head and shoulders where
   * a camera operator would put them (gliding, never jumping); `"off"`: the whole picture (the
   * output's aspect, centred).
   */
  frame: FrameMode;
  /** Auto-framing zooms in at most this much (1-4): beyond it the picture gets soft. */
  frameZoom: number;
}

/** Auto-framing: off, or following the person. */
export type FrameMode = "off" | "auto";

/** The default most auto-framing zooms in: 1.6x keeps a 720p camera sharp at 720p out. */
export const DEFAULT_FRAME_ZOOM = 1.6;

/** The largest `frameZoom` accepted. */
export const MAX_FRAME_ZOOM = 4;

/** What privacy shows instead of a background made from the camera (blur, off): a calm grey. */
export const PRIVACY_COLOUR = "#2b2f36";

/**
 * The settings of a plain run: the default model, nothing mirrored or flipped, soft edges, the
 * mask's defaults, no despill, the camera's own frame rate, with `background` and whatever else
 * is given.
 *
 * @param given the settings that differ from the defaults (at least the background)
 * @returns every setting
 */
export function defaultSettings(given: Partial<Settings> & Pick<Settings, "background">): Settings {
  return {
    model: "landscape",
    mirror: false,
    flip: false,
    threshold: null,
    mask: {},
    despill: null,
    fps: null,
    privacy: false,
    frame: "off",
    frameZoom: DEFAULT_FRAME_ZOOM,
    ...given,
  };
}

/** A change: the settings to change, the others stay. */
export type SettingsChange = Partial<Settings>;

/** What a change did. */
export interface Applied {
  /** Every setting in force after the change. */
  readonly settings: Readonly<Settings>;
  /** The settings that changed (an empty list when the change changed nothing). */
  readonly changed: readonly (keyof Settings)[];
  /**
   * The index (from 0) of the first frame written with the change; every frame before it was
   * written without.
   */
  readonly frame: number;
  /** One line per changed setting, for the log, e.g. `background: image studio.png (cover)`. */
  readonly lines: readonly string[];
}

/** A change that could not be made: the old settings stay in force. */
export class SettingsError extends Error {
  /** The setting that could not be changed. */
  readonly setting: keyof Settings;

  /**
   * @param setting the setting
   * @param message one line: what is wrong
   * @param options the underlying error
   */
  constructor(setting: keyof Settings, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SettingsError";
    this.setting = setting;
  }
}

/**
 * Makes the stages a setting needs. The pipeline calls it beside the loop: slow work (decoding
 * an image or a video's first frame, creating a model session on ONNX Runtime's thread) never
 * holds up a frame.
 */
export interface StageFactory {
  /**
   * Opens a background.
   *
   * @param spec as {@linkcode Settings.background}
   * @param options the output size and the working layout
   */
  background(spec: string, options: BackgroundOptions): Promise<Background>;
  /**
   * Opens a model.
   *
   * @param spec as {@linkcode Settings.model}
   */
  model(spec: string): Promise<Segmenter>;
  /**
   * Whether a background spec is a solid colour (then light wrap defaults to off).
   *
   * @param spec as {@linkcode Settings.background}
   */
  isSolidColour(spec: string): boolean;
}

/**
 * Whether a background spec is made from the camera picture (`off`, `blur`, `blur:N`).
 *
 * @param spec as {@linkcode Settings.background}
 * @returns true when privacy must not show it
 */
export function showsCamera(spec: string): boolean {
  return spec === "off" || spec === "blur" || /^blur:\d+$/.test(spec);
}

/** The setting names, in the order changes are reported. */
export const SETTING_NAMES: readonly (keyof Settings)[] = [
  "background",
  "model",
  "mirror",
  "flip",
  "threshold",
  "mask",
  "despill",
  "fps",
  "privacy",
  "frame",
  "frameZoom",
];

/**
 * Which settings a change really changes.
 *
 * @param current the settings in force
 * @param change the change asked for
 * @returns the names whose value differs, in {@linkcode SETTING_NAMES} order
 */
export function changedSettings(
  current: Readonly<Settings>,
  change: SettingsChange,
): (keyof Settings)[] {
  return SETTING_NAMES.filter((name) =>
    name in change && change[name] !== undefined &&
    JSON.stringify(change[name]) !== JSON.stringify(current[name])
  );
}

/**
 * Checks the values of a change (the types a JSON client may get wrong).
 *
 * @param change the change asked for
 * @throws {SettingsError} naming the first bad setting
 */
export function validateChange(change: SettingsChange): void {
  const bad = (setting: keyof Settings, what: string): never => {
    throw new SettingsError(setting, `Invalid ${setting}: ${what}`);
  };
  for (const key of Object.keys(change)) {
    if (!SETTING_NAMES.includes(key as keyof Settings)) {
      throw new SettingsError(key as keyof Settings, `Unknown setting "${key}"`);
    }
  }
  const { background, model, mirror, flip, threshold, despill, fps, mask, privacy, frame } = change;
  if (background !== undefined && (typeof background !== "string" || background === "")) {
    bad("background", "give a background");
  }
  if (model !== undefined && (typeof model !== "string" || model === "")) {
    bad("model", "give a model");
  }
  if (mirror !== undefined && typeof mirror !== "boolean") bad("mirror", "use true or false");
  if (flip !== undefined && typeof flip !== "boolean") bad("flip", "use true or false");
  if (privacy !== undefined && typeof privacy !== "boolean") bad("privacy", "use true or false");
  if (
    threshold !== undefined && threshold !== null &&
    !(typeof threshold === "number" && threshold >= 0 && threshold <= 1)
  ) {
    bad("threshold", "use a number from 0 to 1, or null");
  }
  if (despill !== undefined && despill !== null && despill !== "green" && despill !== "blue") {
    bad("despill", 'use "green", "blue" or null');
  }
  if (
    fps !== undefined && fps !== null &&
    !(typeof fps === "number" && Number.isFinite(fps) && fps > 0 && fps <= 240)
  ) {
    bad("fps", "use a number from 1 to 240, or null");
  }
  if (frame !== undefined && frame !== "off" && frame !== "auto") {
    bad("frame", 'use "auto" or "off"');
  }
  const zoom = change.frameZoom;
  if (
    zoom !== undefined &&
    !(typeof zoom === "number" && Number.isFinite(zoom) && zoom >= 1 && zoom <= MAX_FRAME_ZOOM)
  ) {
    bad("frameZoom", `use a number from 1 to ${MAX_FRAME_ZOOM}`);
  }
  if (mask !== undefined && (typeof mask !== "object" || mask === null || Array.isArray(mask))) {
    bad("mask", "use an object of mask options");
  }
}
