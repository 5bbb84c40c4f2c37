/**
 * The one error type of `src/background`: a background the user asked for that cannot be made.
 *
 * @module
 */

/**
 * Why a background cannot be made, for callers that add their own words (the CLI names its
 * flags and the commands that fix it; this layer does not):
 *
 * - `spec`: not a background spec (unknown word, bad colour, blur strength out of range);
 * - `not-found`: no such file, in any of the places looked in;
 * - `folder`: the name given is a folder, not a file;
 * - `read-permission`: the process may not read the file (Deno's read permission);
 * - `unreadable`: the file system refused (permission denied, a directory…);
 * - `unsupported`: not a PNG, JPEG or GIF (and not named as a video);
 * - `corrupt`: a PNG, JPEG or GIF that cannot be decoded;
 * - `too-large`: a GIF whose scaled frames would take more memory than allowed;
 * - `ffmpeg-missing`: the ffmpeg or ffprobe command is not installed ({@linkcode BackgroundError.command});
 * - `run-permission`: the process may not run that command (Deno's run permission);
 * - `video`: ffmpeg or ffprobe cannot play the file.
 */
export type BackgroundErrorKind =
  | "spec"
  | "not-found"
  | "folder"
  | "read-permission"
  | "unreadable"
  | "unsupported"
  | "corrupt"
  | "too-large"
  | "ffmpeg-missing"
  | "run-permission"
  | "video";

/** Options of a {@linkcode BackgroundError}. */
export interface BackgroundErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The file concerned. */
  path?: string;
  /** The command concerned (`ffmpeg`, `ffprobe` or the one configured). */
  command?: string;
}

/**
 * A background spec that cannot be opened: a missing or corrupt file, an unknown spec, a bad
 * colour or blur strength, a missing `ffmpeg`. The message is one line of facts, the action
 * first, e.g. `Cannot use background "#12345": a colour is #RGB or #RRGGBB (e.g. #00ff00)`;
 * {@linkcode BackgroundError.kind} says which case it is.
 *
 * @example
 * ```ts
 * import { BackgroundError } from "./errors.ts";
 * const error = new BackgroundError("spec", "Cannot use background \"x\": unknown spec");
 * console.log(error.name, error.kind, error.message);
 * ```
 */
export class BackgroundError extends Error {
  /** Which case it is (see {@linkcode BackgroundErrorKind}). */
  readonly kind: BackgroundErrorKind;
  /** The file concerned, when there is one. */
  readonly path: string | undefined;
  /** The command concerned, for `ffmpeg-missing`, `run-permission` and `video`. */
  readonly command: string | undefined;

  /**
   * Creates a background error.
   *
   * @param kind Which case it is.
   * @param message One line: what failed and why.
   * @param options An optional `cause`, the file and the command concerned.
   */
  constructor(kind: BackgroundErrorKind, message: string, options: BackgroundErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BackgroundError";
    this.kind = kind;
    this.path = options.path;
    this.command = options.command;
  }
}
