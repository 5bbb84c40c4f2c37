/**
 * The error type of `src/io`: a file source or sink that cannot be opened, read or written.
 *
 * @module
 */

/**
 * A media file (y4m, video, image sequence, PNG folder) that cannot be opened, read or written.
 * The message is one line, `${action}: ${detail}`, naming the file, the problem and the fix;
 * {@linkcode MediaFileError.detail} holds the bare reason.
 *
 * @example
 * ```ts
 * import { MediaFileError } from "./errors.ts";
 * const error = new MediaFileError(
 *   'Cannot read video "x.mp4"',
 *   "ffmpeg is not installed (sudo apt install ffmpeg)",
 * );
 * console.log(error.message);
 * // Cannot read video "x.mp4": ffmpeg is not installed (sudo apt install ffmpeg)
 * ```
 */
export class MediaFileError extends Error {
  /** The reason alone, e.g. `"not a y4m file"`. */
  readonly detail: string;

  /**
   * Creates an error with the message `${action}: ${detail}`.
   *
   * @param action What failed, e.g. `Cannot read y4m "in.y4m"`.
   * @param detail Why, and the fix, e.g. `not a y4m file (it does not start with "YUV4MPEG2 ")`.
   * @param options An optional `cause`.
   */
  constructor(action: string, detail: string, options?: { cause?: unknown }) {
    super(`${action}: ${detail}`, options?.cause === undefined ? undefined : options);
    this.name = "MediaFileError";
    this.detail = detail;
  }
}

/**
 * Describes a file-system error in a few words for the end of an error line.
 *
 * @example
 * ```ts
 * import { fsErrorText } from "./errors.ts";
 * fsErrorText(new Deno.errors.NotFound("x")); // "no such file"
 * ```
 *
 * @param error What `Deno.open`, `Deno.readDir` or the like threw.
 * @returns E.g. `"no such file"`, `"permission denied"`.
 */
export function fsErrorText(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) return "a parent is not a folder";
  if (error instanceof Deno.errors.NotCapable) {
    return "no file permission (run with --allow-read --allow-write)";
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}
