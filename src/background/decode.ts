/**
 * The slow part of opening a picture or GIF background — reading the file, decoding the PNG,
 * JPEG (libturbojpeg) or GIF, scaling it to cover the output and converting it to the
 * pipeline's planes — done beside the loop, in a Web Worker (`decode_worker.ts`), so that a
 * background changed while the camera runs never holds up a frame.
 *
 * One shared worker, held while it is needed: {@linkcode decodeInWorker} starts it when none
 * runs, sends it the resolved path, the output size and layout, and takes back the frames (their
 * buffers transferred, not copied) or the error. The worker is kept while an open is in flight
 * or a background it prepared is open, and terminated when the last one closes: so a background
 * changed for another while the camera runs reuses it, and nothing is left to keep the process
 * alive once the pipeline has closed its background. (Starting a worker blocks the thread that
 * starts it for some 25–45 ms — Deno creates the worker's runtime before `new Worker` returns —
 * which is why it is not started for every open.) The worker inherits the program's permissions.
 *
 * Errors cross as plain data ({@linkcode WireError}) and are thrown again on the main thread as
 * the same classes with the same words: {@linkcode BackgroundError} (same kind and path),
 * `LibraryLoadError`, `RangeError`…
 *
 * @module
 */

import type { Frame, WorkingLayout } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import { isPng } from "../image/png.ts";
import { ImageError } from "../image/types.ts";
import { isJpeg, loadImage } from "../io/image_file.ts";
import { LibraryLoadError, type LoadAttempt, type NativeLibrary } from "../../ffi/_library.ts";
import { gifFrames } from "./animation.ts";
import { BackgroundError, type BackgroundErrorKind } from "./errors.ts";
import { GifError, isGif, parseGif } from "./gif.ts";
import type { FileKind } from "./spec.ts";
import { imageFrame } from "./still.ts";

/** What the worker is asked to prepare. */
export interface DecodeRequest {
  /** The file, already resolved (absolute). */
  path: string;
  /** What its name says it is (its content decides). */
  type: Exclude<FileKind, "video">;
  /** The output size. */
  size: Size;
  /** The pipeline's working layout. */
  layout: WorkingLayout;
  /** Memory limit for a GIF's converted frames, in bytes (default 300 MB). */
  maxAnimationBytes?: number | undefined;
}

/** A prepared background as plain data: one picture, or an animation's frames and delays. */
export type DecodedBackground =
  | { kind: "still"; frame: Frame; description: string }
  | { kind: "animation"; frames: Frame[]; delaysMs: number[]; description: string };

/** An error as it crosses from the worker: enough to throw the same class with the same words. */
export type WireError =
  | {
    type: "BackgroundError";
    kind: BackgroundErrorKind;
    message: string;
    path?: string;
    command?: string;
    cause?: WireError;
  }
  | { type: "LibraryLoadError"; message: string; library: NativeLibrary; attempts: LoadAttempt[] }
  | { type: "ImageError"; message: string; detail: string; cause?: WireError }
  | { type: "GifError"; detail: string }
  | { type: "Error"; name: string; message: string; stack?: string; cause?: WireError };

/** A message to the worker: one request and its number. */
export interface DecodeMessage {
  /** Numbers the reply. */
  id: number;
  /** What to prepare. */
  request: DecodeRequest;
}

/** The worker's reply to one request. */
export type DecodeReply =
  | { id: number; ok: true; decoded: DecodedBackground }
  | { id: number; ok: false; error: WireError };

let decodes = 0;

/**
 * How many files {@linkcode decodeBackgroundFile} has decoded in this thread (the main thread's
 * stays 0 while backgrounds open in workers: the tests check it).
 *
 * @returns The count.
 */
export function decodesInThisThread(): number {
  return decodes;
}

/** Why reading a file failed, in a few words, and the kind of error it makes. */
function readError(error: unknown): { kind: BackgroundErrorKind; text: string } {
  if (error instanceof Deno.errors.NotCapable) {
    return { kind: "read-permission", text: "no read permission" };
  }
  if (error instanceof Deno.errors.NotFound) return { kind: "not-found", text: "no such file" };
  if (error instanceof Deno.errors.PermissionDenied) {
    return { kind: "unreadable", text: "permission denied" };
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return { kind: "unreadable", text: "it is a directory" };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { kind: "unreadable", text: text.replace(/\s+/g, " ").trim() };
}

/** The kind of a file without a known extension, from its first bytes. */
function sniff(bytes: Uint8Array): FileKind {
  if (isGif(bytes)) return "gif";
  if (isPng(bytes) || isJpeg(bytes)) return "image";
  return "unknown";
}

/**
 * Reads, decodes, cover-scales and converts a picture or GIF background, in the calling thread
 * (the worker's; `openBackground` never calls it on the main thread).
 *
 * @example
 * ```ts ignore
 * import { decodeBackgroundFile } from "./decode.ts";
 * const decoded = await decodeBackgroundFile({
 *   path: "/abs/backgrounds/studio.png", type: "image", size: { width: 1280, height: 720 }, layout: "422",
 * });
 * console.log(decoded.kind, decoded.description);
 * ```
 *
 * @param request The resolved path, what its name says, the output size and layout.
 * @returns The prepared frames and description.
 * @throws {BackgroundError} For an unreadable, unsupported, corrupt or too large file.
 * @throws {LibraryLoadError} When a JPEG needs libturbojpeg and it cannot be loaded.
 */
export async function decodeBackgroundFile(request: DecodeRequest): Promise<DecodedBackground> {
  decodes++;
  const { path, size, layout } = request;
  let type: FileKind = request.type;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const { kind, text } = readError(error);
    throw new BackgroundError(kind, `Cannot read background ${JSON.stringify(path)}: ${text}`, {
      cause: error,
      path,
    });
  }
  // The content wins over the name (a GIF saved as .png, a PNG saved as .gif).
  const content = sniff(bytes);
  if (content !== "unknown") type = content;
  if (type === "unknown") {
    throw new BackgroundError(
      "unsupported",
      `Cannot use background ${
        JSON.stringify(path)
      }: it is not a PNG, JPEG or GIF (for a video, give it a .mp4, .webm, .mkv, .mov or .avi name)`,
      { path },
    );
  }
  if (type === "gif") {
    try {
      const maxBytes = request.maxAnimationBytes;
      const prepared = gifFrames(parseGif(bytes), {
        size,
        layout,
        path,
        ...(maxBytes === undefined ? {} : { maxBytes }),
      });
      return { kind: "animation", ...prepared };
    } catch (error) {
      if (error instanceof GifError) {
        throw new BackgroundError(
          "corrupt",
          `Cannot read background ${
            JSON.stringify(path)
          }: corrupt GIF data (${error.detail}; re-export it)`,
          { cause: error, path },
        );
      }
      throw error;
    }
  }
  try {
    return { kind: "still", ...imageFrame(await loadImage(path), { size, layout, path }) };
  } catch (error) {
    if (error instanceof ImageError) {
      // The content is PNG or JPEG (then it does not decode), or neither (a name that says so).
      throw new BackgroundError(
        content === "unknown" ? "unsupported" : "corrupt",
        `Cannot read background ${
          JSON.stringify(path)
        }: ${error.detail} (use a PNG or JPEG picture)`,
        { cause: error, path },
      );
    }
    throw error; // LibraryLoadError when libturbojpeg is missing
  }
}

/**
 * The buffers of a prepared background, to transfer rather than copy.
 *
 * @param decoded The prepared background.
 * @returns Every plane's buffer.
 */
export function transferList(decoded: DecodedBackground): ArrayBuffer[] {
  const frames = decoded.kind === "still" ? [decoded.frame] : decoded.frames;
  return frames.flatMap((f) => [f.y.buffer, f.u.buffer, f.v.buffer] as ArrayBuffer[]);
}

/**
 * An error as plain data, for `postMessage` (the classes and their fields do not survive a
 * structured clone).
 *
 * @param error Anything thrown.
 * @param depth How many causes deep (causes stop at 4).
 * @returns The error as data.
 */
export function toWire(error: unknown, depth = 0): WireError {
  const cause = (e: Error): { cause?: WireError } =>
    e.cause === undefined || depth >= 4 ? {} : { cause: toWire(e.cause, depth + 1) };
  if (error instanceof BackgroundError) {
    return {
      type: "BackgroundError",
      kind: error.kind,
      message: error.message,
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.command === undefined ? {} : { command: error.command }),
      ...cause(error),
    };
  }
  if (error instanceof LibraryLoadError) {
    return {
      type: "LibraryLoadError",
      message: error.message,
      library: error.library,
      attempts: error.attempts.map((a) => ({ ...a })),
    };
  }
  if (error instanceof ImageError) {
    return { type: "ImageError", message: error.message, detail: error.detail, ...cause(error) };
  }
  if (error instanceof GifError) return { type: "GifError", detail: error.detail };
  if (error instanceof Error) {
    return {
      type: "Error",
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...cause(error),
    };
  }
  return { type: "Error", name: "Error", message: String(error) };
}

/** Standard and Deno error classes, by name. */
const ERROR_CLASSES: Readonly<Record<string, new (message: string) => Error>> = {
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  ...(Deno.errors as unknown as Record<string, new (message: string) => Error>),
};

/**
 * The error {@linkcode toWire} described, as its class again.
 *
 * @param wire The error as data.
 * @returns The error to throw.
 */
export function fromWire(wire: WireError): Error {
  const cause = (w: { cause?: WireError }): { cause?: unknown } =>
    w.cause === undefined ? {} : { cause: fromWire(w.cause) };
  switch (wire.type) {
    case "BackgroundError":
      return new BackgroundError(wire.kind, wire.message, {
        ...cause(wire),
        ...(wire.path === undefined ? {} : { path: wire.path }),
        ...(wire.command === undefined ? {} : { command: wire.command }),
      });
    case "LibraryLoadError": {
      // The message is "<summary> (tried …)": rebuild it from the same summary.
      const tried = new LibraryLoadError(wire.library, wire.attempts, "").message;
      const summary = wire.message.endsWith(tried)
        ? wire.message.slice(0, -tried.length)
        : undefined;
      return new LibraryLoadError(wire.library, wire.attempts, summary);
    }
    case "ImageError": {
      const action = wire.message.endsWith(`: ${wire.detail}`)
        ? wire.message.slice(0, -(wire.detail.length + 2))
        : wire.message;
      const { cause: c } = cause(wire);
      return new ImageError(action, wire.detail, c === undefined ? undefined : { cause: c });
    }
    case "GifError":
      return new GifError(wire.detail);
    case "Error": {
      const Class = Object.hasOwn(ERROR_CLASSES, wire.name) ? ERROR_CLASSES[wire.name]! : Error;
      const error = new Class(wire.message);
      if (error.name !== wire.name) error.name = wire.name;
      if (wire.stack !== undefined) error.stack = wire.stack;
      if (wire.cause !== undefined) error.cause = fromWire(wire.cause);
      return error;
    }
  }
}

/** A request in flight: where its reply goes. */
interface Pending {
  path: string;
  resolve(decoded: DecodedBackground): void;
  reject(error: Error): void;
}

/** The decoding worker and who holds it: requests in flight and backgrounds still open. */
interface SharedWorker {
  worker: Worker;
  holders: number;
  pending: Map<number, Pending>;
}

let current: SharedWorker | null = null;
let nextId = 0;

/** Ends a worker that failed: every request in flight fails; the next open starts a new one. */
function abandon(shared: SharedWorker, why: string): void {
  if (current === shared) current = null;
  shared.worker.terminate();
  for (const p of shared.pending.values()) {
    p.reject(new Error(`Cannot prepare background ${JSON.stringify(p.path)}: ${why}`));
  }
  shared.pending.clear();
}

function startWorker(): SharedWorker {
  const worker = new Worker(new URL("./decode_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const shared: SharedWorker = { worker, holders: 0, pending: new Map() };
  worker.onmessage = (event: MessageEvent<DecodeReply>): void => {
    const reply = event.data;
    const pending = shared.pending.get(reply.id);
    if (pending === undefined) return;
    shared.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.decoded);
    else pending.reject(fromWire(reply.error));
  };
  worker.onmessageerror = (): void => abandon(shared, "the decoding worker's reply cannot be read");
  worker.onerror = (event: ErrorEvent): void => {
    event.preventDefault(); // handled here: not thrown again in the main thread
    abandon(shared, `the decoding worker failed (${event.message.replace(/\s+/g, " ").trim()})`);
  };
  return shared;
}

function release(shared: SharedWorker): void {
  if (--shared.holders > 0) return;
  if (current === shared) current = null;
  shared.worker.terminate();
}

/**
 * Whether the decoding worker is running (it runs while an open is in flight or a background it
 * prepared is open).
 *
 * @returns true while it runs.
 */
export function decodeWorkerRunning(): boolean {
  return current !== null;
}

/** A background prepared in the worker, and the hold on the worker to give back when it closes. */
export interface WorkerDecoded {
  /** The prepared frames and description. */
  decoded: DecodedBackground;
  /** Gives back the hold on the worker (call once, when the background closes). */
  release(): void;
}

/**
 * Prepares a picture or GIF background in the decoding worker (see the module documentation),
 * starting it when none runs. The worker is kept while a background it prepared is open, so a
 * background changed for another is prepared without starting one again; it ends when the last
 * one closes (and the opens in flight are done).
 *
 * @example
 * ```ts ignore
 * import { decodeInWorker } from "./decode.ts";
 * const { decoded, release } = await decodeInWorker({
 *   path: "/abs/backgrounds/studio.png", type: "image", size: { width: 1280, height: 720 }, layout: "422",
 * });
 * release(); // when the background made of it closes
 * ```
 *
 * @param request The resolved path, what its name says, the output size and layout.
 * @returns The prepared frames and description, and the hold on the worker.
 * @throws {BackgroundError} For an unreadable, unsupported, corrupt or too large file.
 * @throws {LibraryLoadError} When a JPEG needs libturbojpeg and it cannot be loaded.
 * @throws {Error} When the worker itself fails (e.g. its module is missing).
 */
export async function decodeInWorker(request: DecodeRequest): Promise<WorkerDecoded> {
  const shared = current ??= startWorker();
  shared.holders++;
  const id = nextId++;
  try {
    const decoded = await new Promise<DecodedBackground>((resolve, reject) => {
      shared.pending.set(id, { path: request.path, resolve, reject });
      shared.worker.postMessage({ id, request });
    });
    let held = true;
    return {
      decoded,
      release: (): void => {
        if (held) release(shared);
        held = false;
      },
    };
  } catch (error) {
    release(shared);
    throw error;
  }
}
