/**
 * The command line's {@linkcode StageFactory}: backgrounds from `-b` specs, models from `-m`
 * names or paths on ONNX Runtime (loaded on first use, `--ort-lib`, `-t` threads), sessions
 * created on ONNX Runtime's own thread so a live model change never holds up a frame. Also the
 * first {@linkcode Settings} from the parsed command line.
 *
 * @module
 */

import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { openBackground } from "../background/mod.ts";
import { parseBackgroundSpec } from "../background/spec.ts";
import { resolveModel } from "../models/resolve.ts";
import type { Settings, StageFactory } from "../pipeline/settings.ts";
import { Segmenter } from "../segment/segmenter.ts";
import type { LiveOptions } from "./options.ts";

/** A {@linkcode StageFactory} that also owns the ONNX Runtime it loaded. */
export interface CliStageFactory extends StageFactory, Disposable {
  /** The runtime, once a model was opened. */
  readonly ort: OnnxRuntime | null;
}

/**
 * Makes the command line's stage factory.
 *
 * @param options `--ort-lib` and `-t`
 * @returns the factory; dispose it after the pipeline is closed
 */
export function cliStageFactory(
  options: { ortLib?: string | null | undefined; threads?: number | undefined },
): CliStageFactory {
  let ort: OnnxRuntime | null = null;
  return {
    get ort() {
      return ort;
    },
    background: (spec, backgroundOptions) => openBackground(spec, backgroundOptions),
    async model(spec) {
      const model = await resolveModel(spec);
      ort ??= OnnxRuntime.load({ libraryPath: options.ortLib ?? undefined });
      return await Segmenter.openAsync(ort, model, { threads: options.threads ?? 1 });
    },
    isSolidColour(spec) {
      try {
        return parseBackgroundSpec(spec).kind === "color";
      } catch {
        return false;
      }
    },
    [Symbol.dispose]() {
      ort?.close();
      ort = null;
    },
  };
}

/**
 * The first settings, from the command line (and the settings file merged into it).
 *
 * @param options the parsed command line
 * @returns the settings a pipeline starts with
 */
export function settingsFromOptions(options: LiveOptions): Settings {
  return {
    background: options.background,
    model: options.model,
    mirror: options.mirror,
    flip: options.flip,
    threshold: options.threshold,
    mask: {
      upsample: options.upsample,
      smoothing: options.smooth,
      hold: options.smooth,
      tighten: options.tighten,
      // Undefined: follows the background (none on a solid colour).
      ...(options.lightWrap !== null ? { lightWrap: options.lightWrap } : {}),
    },
    despill: options.despill,
    fps: options.fps,
    // Privacy is switched live (panel, API, ctl), never from the command line or the file.
    privacy: false,
    frame: options.frame,
    frameZoom: options.frameZoom,
  };
}
