/**
 * The backgrounds the control panel offers: the bundled ones, the user's folders (the same
 * folders `-b NAME` looks in: `$BACKSCRUB_PATH/backgrounds`, `$XDG_DATA_HOME/backscrub/backgrounds`,
 * next to the executable) and uploads. A client names a background by its `name` in this list,
 * never by a path: the library maps names to the files it found itself.
 *
 * Uploads are size-limited, their picture size is checked from the header before anything is
 * decoded, they are proven by opening them as a background (decoding an image, a GIF's first
 * frame, a video's first frame through ffmpeg), and they are stored in the user's backgrounds
 * folder under a generated name (`upload-<8 hex>.<ext>`).
 *
 * @module
 */

import { dirname, join } from "node:path";
import { JpegDecoder, JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { type FileKind, fileKind } from "../background/spec.ts";
import { makeFrame } from "../frame/frame.ts";
import type { Background, BackgroundOptions } from "../frame/stages.ts";
import { MAX_PICTURE_SIDE } from "../image/limits.ts";
import { frameToRgb } from "../image/planar.ts";
import { projectRoot, resourceDirs } from "../resources.ts";

/** Where a background came from. */
export type BackgroundSource = "bundled" | "user" | "uploaded";

/** One entry of `GET /api/backgrounds`. */
export interface BackgroundEntry {
  /** What a client sends as `background`. */
  name: string;
  kind: Exclude<FileKind, "unknown">;
  source: BackgroundSource;
  /** The thumbnail's URL path. */
  thumbnail: string;
  /** An upload's original file name (a label only). */
  label?: string;
}

/** The largest upload, in bytes (a short video background fits). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** The largest picture an upload may declare, each way (8K, as for every picture). */
export const MAX_UPLOAD_SIDE = MAX_PICTURE_SIDE;
/** The thumbnail size. */
export const THUMBNAIL = { width: 160, height: 90 } as const;

/** An upload or thumbnail the library refuses: `status` is the HTTP status to answer with. */
export class LibraryError extends Error {
  /** 400, 404, 413 or 507. */
  readonly status: number;
  /**
   * @param status the HTTP status
   * @param message one line
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "LibraryError";
    this.status = status;
  }
}

/** Opens a background file (the pipeline's factory): how uploads and thumbnails are decoded. */
export type OpenBackground = (spec: string, options: BackgroundOptions) => Promise<Background>;

interface Found extends BackgroundEntry {
  path: string;
}

/** The file type an upload's first bytes show, as the extension it is stored with. */
export function sniff(bytes: Uint8Array): string | null {
  const ascii = (at: number, text: string): boolean =>
    text.split("").every((c, i) => bytes[at + i] === c.charCodeAt(0));
  if (bytes[0] === 0x89 && ascii(1, "PNG")) return ".png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return ".jpg";
  if (ascii(0, "GIF87a") || ascii(0, "GIF89a")) return ".gif";
  if (ascii(4, "ftyp")) return ".mp4";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return ".mkv";
  }
  if (ascii(0, "RIFF") && ascii(8, "AVI ")) return ".avi";
  if (ascii(0, "OggS")) return ".ogv";
  if (ascii(0, "YUV4MPEG2")) return ".y4m";
  return null;
}

/** The picture size an image's header declares, or null when it is not a PNG or GIF. */
function declaredSize(bytes: Uint8Array, ext: string): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ext === ".png" && bytes.length >= 24) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (ext === ".gif" && bytes.length >= 10) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  return null;
}

/** The backgrounds on offer, uploads, thumbnails. */
export class BackgroundLibrary {
  readonly #open: OpenBackground;
  readonly #uploads: string | null;
  readonly #thumbnails = new Map<string, Uint8Array>();
  readonly #labels = new Map<string, string>();

  /**
   * @param open opens a background file (the stage factory's)
   * @param uploads the folder uploads are stored in; null: uploads refused (no home folder)
   */
  constructor(open: OpenBackground, uploads: string | null = defaultUploadDir()) {
    this.#open = open;
    this.#uploads = uploads;
  }

  /** Every background on offer, first found first (the order `-b NAME` looks in). */
  list(): BackgroundEntry[] {
    return this.#scan().map(({ path: _path, ...entry }) => entry);
  }

  /**
   * The file of a name in the list.
   *
   * @param name a name from {@linkcode list}
   * @returns its path, or null for a name not in the list
   */
  pathOf(name: string): string | null {
    return this.#scan().find((e) => e.name === name)?.path ?? null;
  }

  /**
   * The name a background file has in the list (to show a path the command line gave by name).
   *
   * @param path a path
   * @returns the name, or null when the file is not in the list
   */
  nameOf(path: string): string | null {
    // The list's files are absolute paths: a bare name or a spec (blur:30, #3366cc) is none of
    // them, and the folders are not read for it (the status asks every second).
    if (!path.startsWith("/")) return null;
    return this.#scan().find((e) => e.path === path)?.name ?? null;
  }

  /**
   * A thumbnail of a background in the list, made once.
   *
   * @param name a name from {@linkcode list}
   * @returns a {@linkcode THUMBNAIL}-sized JPEG
   * @throws {LibraryError} 404 for a name not in the list, 400 when it cannot be decoded
   */
  async thumbnail(name: string): Promise<Uint8Array> {
    const cached = this.#thumbnails.get(name);
    if (cached !== undefined) return cached;
    const path = this.pathOf(name);
    if (path === null) throw new LibraryError(404, `No background named ${JSON.stringify(name)}`);
    const jpeg = await this.#picture(path);
    this.#thumbnails.set(name, jpeg);
    return jpeg;
  }

  /**
   * Keeps an uploaded file as a background, once it proved to be one.
   *
   * @param bytes the file
   * @param label the client's file name, kept as a label only
   * @returns its entry
   * @throws {LibraryError} 413 too large, 400 not a picture or video backscrub reads, 507 when
   *   it cannot be stored
   */
  async upload(bytes: Uint8Array, label?: string): Promise<BackgroundEntry> {
    if (this.#uploads === null) {
      throw new LibraryError(507, "Cannot keep uploads: there is no home folder (set HOME)");
    }
    if (bytes.length > MAX_UPLOAD_BYTES) {
      throw new LibraryError(413, `The file is too large: at most ${MAX_UPLOAD_BYTES >> 20} MB`);
    }
    const ext = sniff(bytes);
    if (ext === null) {
      throw new LibraryError(
        400,
        "Not a picture or video: upload a PNG, JPEG, GIF or a video (MP4, WebM, MKV)",
      );
    }
    let size = declaredSize(bytes, ext);
    if (ext === ".jpg") {
      try {
        using decoder = new JpegDecoder();
        size = decoder.header(bytes);
      } catch {
        throw new LibraryError(400, "Not a picture backscrub reads: the JPEG header is damaged");
      }
    }
    if (size !== null && (size.width > MAX_UPLOAD_SIDE || size.height > MAX_UPLOAD_SIDE)) {
      throw new LibraryError(
        400,
        `The picture is ${size.width}x${size.height}: at most ${MAX_UPLOAD_SIDE}x${MAX_UPLOAD_SIDE}`,
      );
    }
    const id = [...crypto.getRandomValues(new Uint8Array(4))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const name = `upload-${id}${ext}`;
    const path = join(this.#uploads, name);
    const tmp = join(this.#uploads, `.${name}.part${ext}`);
    try {
      await Deno.mkdir(this.#uploads, { recursive: true, mode: 0o700 });
      await Deno.writeFile(tmp, bytes, { mode: 0o600 });
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw new LibraryError(507, `Cannot keep the upload: ${(error as Error).message}`);
    }
    let jpeg: Uint8Array;
    try {
      jpeg = await this.#picture(tmp);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      const why = (error as Error).message.split("\n")[0];
      throw new LibraryError(400, `Not a picture or video backscrub reads: ${why}`);
    }
    await Deno.rename(tmp, path);
    this.#thumbnails.set(name, jpeg);
    const clean = label?.replace(/[^\p{L}\p{N} ._()-]/gu, "").slice(0, 80);
    if (clean) this.#labels.set(name, clean);
    return this.list().find((e) => e.name === name)!;
  }

  /** Opens a file as a background at thumbnail size and encodes its first picture. */
  async #picture(path: string): Promise<Uint8Array> {
    const background = await this.#open(path, { size: THUMBNAIL, layout: "444" });
    try {
      const camera = makeFrame(THUMBNAIL, "444");
      const mask = new Uint8Array(THUMBNAIL.width * THUMBNAIL.height);
      const frame = background.render({ frame: camera, mask, timeMs: 0 });
      const rgb = new Uint8Array(THUMBNAIL.width * THUMBNAIL.height * 3);
      frameToRgb(frame, rgb);
      using encoder = new JpegEncoder();
      return encoder.encode(rgb, { ...THUMBNAIL, quality: 85 });
    } finally {
      await background.close();
    }
  }

  #scan(): Found[] {
    const found = new Map<string, Found>();
    const root = projectRoot();
    const bundled = new Set<string>();
    if (root !== null) bundled.add(join(root, "backgrounds"));
    try {
      bundled.add(join(dirname(Deno.execPath()), "backgrounds"));
    } catch {
      // no read permission: nothing is next to the executable
    }
    const dirs = resourceDirs("backgrounds");
    if (this.#uploads !== null && !dirs.includes(this.#uploads)) dirs.unshift(this.#uploads);
    for (const dir of dirs) {
      let names: string[];
      try {
        names = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const kind = fileKind(name);
        if (kind === "unknown" || name.startsWith(".") || found.has(name)) continue;
        const source: BackgroundSource = bundled.has(dir)
          ? "bundled"
          : dir === this.#uploads && name.startsWith("upload-")
          ? "uploaded"
          : "user";
        const label = this.#labels.get(name);
        found.set(name, {
          name,
          kind,
          source,
          thumbnail: `/api/backgrounds/${encodeURIComponent(name)}/thumbnail.jpg`,
          path: join(dir, name),
          ...(label ? { label } : {}),
        });
      }
    }
    return [...found.values()];
  }
}

/** `$XDG_DATA_HOME/backscrub/backgrounds` (default `~/.local/share/…`), or null without a home. */
export function defaultUploadDir(): string | null {
  const env = (k: string): string | undefined => Deno.env.get(k) || undefined;
  const data = env("XDG_DATA_HOME") ?? (env("HOME") ? join(env("HOME")!, ".local", "share") : null);
  return data === null ? null : join(data, "backscrub", "backgrounds");
}
