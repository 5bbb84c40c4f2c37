/**
 * The one error type of `src/background`: a background the user asked for that cannot be made.
 *
 * @module
 */

/**
 * A background spec that cannot be opened: a missing or corrupt file, an unknown spec, a bad
 * colour or blur strength, a missing `ffmpeg`. The message is one line, the action first and
 * the fix last, e.g. `Cannot use background "#12345": a colour is #RGB or #RRGGBB (e.g. #00ff00)`.
 *
 * @example
 * ```ts
 * import { BackgroundError } from "./errors.ts";
 * const error = new BackgroundError("Cannot use background \"x\": unknown spec");
 * console.log(error.name, error.message);
 * ```
 */
export class BackgroundError extends Error {
  /**
   * Creates a background error.
   *
   * @param message One line: what failed, why, and how to fix it.
   * @param options An optional `cause`.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : options);
    this.name = "BackgroundError";
  }
}
