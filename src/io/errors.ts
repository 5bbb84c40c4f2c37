/**
 * The error type of `src/io`: a file source or sink that cannot be opened, read or written.
 *
 * Messages state facts only (what failed, on which file, why); they never name a command-line
 * flag or a shell command. What a user can do about it is the CLI's to say, keyed on
 * {@linkcode MediaFileError.kind} (and {@linkcode MediaFileError.permission} /
 * {@linkcode MediaFileError.tool}).
 *
 * @module
 */

/**
 * What went wrong, for callers that explain or handle it:
 * - `not-found`: the file or folder does not exist;
 * - `permission`: the operating system refused access;
 * - `not-allowed`: the Deno runtime was not granted the access ({@linkcode MediaFileError.permission}
 *   says which);
 * - `missing-tool`: ffmpeg or ffprobe is not installed ({@linkcode MediaFileError.tool});
 * - `tool-failed`: ffmpeg or ffprobe ran and failed (its last line is in the message);
 * - `unsupported`: a valid file in a form this module does not read or write;
 * - `corrupt`: the file is not what it claims to be, or is damaged;
 * - `invalid`: a bad argument (size, frame rate, pattern, extension);
 * - `closed`: the source or sink was used after `close()`;
 * - `io`: any other file-system failure.
 */
export type MediaFileErrorKind =
  | "not-found"
  | "permission"
  | "not-allowed"
  | "missing-tool"
  | "tool-failed"
  | "unsupported"
  | "corrupt"
  | "invalid"
  | "closed"
  | "io";

/** The access a {@linkcode MediaFileError} of kind `not-allowed` needed. */
export type MediaPermission = "read" | "write" | "run";

/** Options for {@linkcode MediaFileError}. */
export interface MediaFileErrorOptions {
  /** The error that caused it. */
  cause?: unknown;
  /** What went wrong (default `io`). */
  kind?: MediaFileErrorKind;
  /** For `not-allowed`: the access that was refused. */
  permission?: MediaPermission;
  /** For `missing-tool` and `tool-failed`: the tool (`ffmpeg`, `ffprobe`). */
  tool?: string;
}

/**
 * A media file (y4m, video, image sequence, PNG folder) that cannot be opened, read or written.
 * The message is one line, `${action}: ${detail}`, naming the file and the problem;
 * {@linkcode MediaFileError.detail} holds the bare reason and {@linkcode MediaFileError.kind}
 * its category.
 *
 * @example
 * ```ts
 * import { MediaFileError } from "./errors.ts";
 * const error = new MediaFileError('Cannot read video "x.mp4"', "ffmpeg is not installed", {
 *   kind: "missing-tool",
 *   tool: "ffmpeg",
 * });
 * console.log(error.message); // Cannot read video "x.mp4": ffmpeg is not installed
 * ```
 */
export class MediaFileError extends Error {
  /** The reason alone, e.g. `"not a y4m file"`. */
  readonly detail: string;
  /** What went wrong. */
  readonly kind: MediaFileErrorKind;
  /** For `not-allowed`: the access that was refused. */
  readonly permission: MediaPermission | undefined;
  /** For `missing-tool` and `tool-failed`: the tool. */
  readonly tool: string | undefined;

  /**
   * Creates an error with the message `${action}: ${detail}`.
   *
   * @param action What failed, e.g. `Cannot read y4m "in.y4m"`.
   * @param detail Why, e.g. `not a y4m file (it does not start with "YUV4MPEG2 ")`.
   * @param options The cause, the kind and its details.
   */
  constructor(action: string, detail: string, options: MediaFileErrorOptions = {}) {
    super(`${action}: ${detail}`, options.cause === undefined ? undefined : options);
    this.name = "MediaFileError";
    this.detail = detail;
    this.kind = options.kind ?? "io";
    this.permission = options.permission;
    this.tool = options.tool;
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
  if (error instanceof Deno.errors.NotCapable) return "no file permission";
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The kind of a file-system error.
 *
 * @example
 * ```ts
 * import { fsErrorKind } from "./errors.ts";
 * fsErrorKind(new Deno.errors.NotFound("x")); // "not-found"
 * ```
 *
 * @param error What `Deno.open`, `Deno.readDir` or the like threw.
 * @returns `not-found`, `permission`, `not-allowed` or `io`.
 */
export function fsErrorKind(error: unknown): MediaFileErrorKind {
  if (error instanceof Deno.errors.NotFound) return "not-found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission";
  if (error instanceof Deno.errors.NotCapable) return "not-allowed";
  return "io";
}

/**
 * A {@linkcode MediaFileError} for a file-system error: detail from {@linkcode fsErrorText}
 * (unless given), kind from {@linkcode fsErrorKind}, the error as the cause.
 *
 * @example
 * ```ts
 * import { fsError } from "./errors.ts";
 * const e = fsError('Cannot read y4m "a.y4m"', new Deno.errors.NotFound("x"), "read");
 * console.log(e.message, e.kind); // Cannot read y4m "a.y4m": no such file not-found
 * ```
 *
 * @param action What failed.
 * @param error What the file system threw.
 * @param permission The access the operation needed (kept for `not-allowed`).
 * @param detail A better reason than {@linkcode fsErrorText}'s, if the caller knows one.
 * @returns The error, to throw.
 */
export function fsError(
  action: string,
  error: unknown,
  permission: "read" | "write",
  detail?: string,
): MediaFileError {
  const kind = fsErrorKind(error);
  return new MediaFileError(action, detail ?? fsErrorText(error), {
    cause: error,
    kind,
    ...(kind === "not-allowed" ? { permission } : {}),
  });
}
