/**
 * Running ffmpeg and ffprobe: spawning with one clear line when they are missing, and keeping
 * the end of their stderr to explain a failure.
 *
 * @module
 */

import { MediaFileError } from "./errors.ts";

/** Where to find ffmpeg and ffprobe. */
export interface FfmpegPaths {
  /** The ffmpeg executable (default `ffmpeg` on `PATH`). */
  ffmpegPath?: string;
  /**
   * The ffprobe executable (default: `ffprobe` beside an explicit `ffmpegPath`, else on `PATH`).
   */
  ffprobePath?: string;
}

/**
 * The ffprobe to use for `paths`: the explicit one, else the one beside an explicit ffmpeg.
 *
 * @example
 * ```ts
 * import { ffprobeFor } from "./_process.ts";
 * ffprobeFor({ ffmpegPath: "/opt/ffmpeg/bin/ffmpeg" }); // "/opt/ffmpeg/bin/ffprobe"
 * ffprobeFor({}); // "ffprobe"
 * ```
 *
 * @param paths The options given.
 * @returns A command name or path.
 */
export function ffprobeFor(paths: FfmpegPaths): string {
  if (paths.ffprobePath !== undefined) return paths.ffprobePath;
  const ffmpeg = paths.ffmpegPath;
  if (ffmpeg === undefined || !ffmpeg.includes("/")) return "ffprobe";
  const slash = ffmpeg.lastIndexOf("/");
  const name = ffmpeg.slice(slash + 1);
  // "ffmpeg-6" → "ffprobe-6"; any other name → "ffprobe".
  const probe = name.startsWith("ffmpeg") ? `ffprobe${name.slice(6)}` : "ffprobe";
  return ffmpeg.slice(0, slash + 1) + probe;
}

/**
 * Spawns a tool, turning "not found" and "not allowed" into one line (and a `kind`) for the user.
 *
 * @example
 * ```ts
 * import { spawnTool } from "./_process.ts";
 * const child = spawnTool("ffmpeg", ["-version"], {
 *   action: 'Cannot read video "a.mp4"',
 *   options: { stdout: "piped" },
 * });
 * ```
 *
 * @param command The executable (name or path).
 * @param args Its arguments.
 * @param context `action` for the error line, `options` for `Deno.Command`, and `tool`: the
 *   name the "not installed" line uses (default ffmpeg, which ffprobe ships with).
 * @returns The running process.
 * @throws {MediaFileError} `<action>: ffmpeg is not installed` (kind `missing-tool`), or
 *   `<action>: no permission to run ffmpeg` (kind `not-allowed`, permission `run`).
 */
export function spawnTool(
  command: string,
  args: string[],
  context: { action: string; options: Deno.CommandOptions; tool?: string },
): Deno.ChildProcess {
  const tool = context.tool ?? "ffmpeg";
  try {
    return new Deno.Command(command, { ...context.options, args }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new MediaFileError(context.action, `${tool} is not installed`, {
        cause: error,
        kind: "missing-tool",
        tool,
      });
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new MediaFileError(context.action, `no permission to run ${tool}`, {
        cause: error,
        kind: "not-allowed",
        permission: "run",
        tool,
      });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new MediaFileError(
        context.action,
        `cannot run ${JSON.stringify(command)} (permission denied; is it executable?)`,
        { cause: error, kind: "permission", tool },
      );
    }
    throw error;
  }
}

/**
 * Drains a process's stderr in the background (so it never blocks on a full pipe) and keeps
 * its last few kilobytes to explain a failure.
 *
 * @example
 * ```ts
 * import { StderrTail } from "./_process.ts";
 * const child = new Deno.Command("ffmpeg", { args: ["-bogus"], stderr: "piped" }).spawn();
 * const tail = new StderrTail(child.stderr);
 * await child.status;
 * console.log(await tail.lastLine()); // "Unrecognized option 'bogus'."-ish
 * ```
 */
export class StderrTail {
  #text = "";
  #done: Promise<void>;

  /**
   * Starts draining.
   *
   * @param stream The child's `stderr`.
   * @param limit How many characters to keep (default 4096).
   */
  constructor(stream: ReadableStream<Uint8Array>, limit = 4096) {
    this.#done = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream) {
          this.#text = (this.#text + decoder.decode(chunk, { stream: true })).slice(-limit);
        }
      } catch {
        // The stream was cancelled with the process; keep what came.
      }
    })();
  }

  /**
   * Waits for the end of the stream and returns its last non-empty line.
   *
   * @returns The line, trimmed, or `""` when the tool printed nothing.
   */
  async lastLine(): Promise<string> {
    await this.#done;
    const lines = this.#text.split(/\r?\n|\r/).map((line) => line.trim());
    return lines.filter((line) => line !== "").at(-1) ?? "";
  }
}

/**
 * The reason a tool failed, for the end of an error line: `ffmpeg failed (<last line>)`.
 *
 * @example
 * ```ts
 * import { failureText } from "./_process.ts";
 * failureText("ffmpeg", { code: 1, signal: null, success: false }, "Unknown encoder 'x'");
 * // "ffmpeg failed (Unknown encoder 'x')"
 * ```
 *
 * @param tool `ffmpeg` or `ffprobe`.
 * @param status How it ended.
 * @param lastLine The last line of its stderr.
 * @returns The text.
 */
export function failureText(tool: string, status: Deno.CommandStatus, lastLine: string): string {
  const how = status.signal !== null
    ? `was stopped by ${status.signal}`
    : `exited with code ${status.code}`;
  return lastLine === "" ? `${tool} ${how}` : `${tool} failed (${lastLine})`;
}
