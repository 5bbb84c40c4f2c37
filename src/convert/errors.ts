/**
 * The converter's error and version, without the converter: importing these does not load
 * protobufjs, so the live command starts faster (it only converts for `--model x.tflite`).
 *
 * @module
 */

/**
 * Bumped whenever a change to the converter changes its output, so that cached conversions
 * (`--model x.tflite`) and `deno task setup` redo their work.
 */
export const CONVERTER_VERSION = 3;

/** The model uses something the converter cannot represent exactly. */
export class ConvertError extends Error {
  /** @param message what cannot be converted, naming the op */
  constructor(message: string) {
    super(message);
    this.name = "ConvertError";
  }
}
