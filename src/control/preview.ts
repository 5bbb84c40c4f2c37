/**
 * The control panel's live preview: JPEG pictures of what the call sees (the output), the camera
 * and the mask, made from the loop's own frames only while someone watches. With nobody watching
 * the loop's tap is one comparison per frame: no copy, no encode.
 *
 * @module
 */

import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import {
  alphaToPreview,
  frameToPreview,
  type PreviewSize,
  previewSize,
  yuyvToPreview,
} from "../image/preview.ts";
import type { OutputView } from "../pipeline/loop.ts";

/** What a preview shows. */
export type PreviewView = "output" | "camera" | "mask";

/** The views, for checking a client's choice. */
export const PREVIEW_VIEWS: readonly PreviewView[] = ["output", "camera", "mask"];

/** Options for {@linkcode Preview}. */
export interface PreviewOptions {
  /** JPEG quality (default 80). */
  quality?: number;
  /** The widest preview in pixels (default 640). */
  maxWidth?: number;
  /** Told when the first watcher comes (true) and the last one goes (false). */
  onWatch?: (watching: boolean) => void;
}

interface Waiter {
  view: PreviewView;
  resolve: (jpeg: Uint8Array | null) => void;
}

/** Makes preview JPEGs from the loop's frames on demand. */
export class Preview {
  readonly #quality: number;
  readonly #maxWidth: number;
  readonly #onWatch: ((watching: boolean) => void) | undefined;
  #waiters: Waiter[] = [];
  #watchers = 0;
  #encoder: JpegEncoder | null = null;
  #size: PreviewSize | null = null;
  #rgb = new Uint8Array(0);
  #gray = new Uint8Array(0);
  readonly #latest = new Map<PreviewView, Uint8Array>();
  /** JPEGs made so far (for the figures: none while nobody watches). */
  encoded = 0;
  /** The pipeline's output tap: pass it as `onOutput`. */
  readonly tap: (view: OutputView) => void;

  /** @param options quality, size, and the watch callback */
  constructor(options: PreviewOptions = {}) {
    this.#quality = options.quality ?? 80;
    this.#maxWidth = options.maxWidth ?? 640;
    this.#onWatch = options.onWatch;
    this.tap = (view) => {
      if (this.#waiters.length > 0) this.#serve(view);
    };
  }

  /** How many watch for frames (streams open, single pictures awaited). */
  get watchers(): number {
    return this.#watchers;
  }

  /**
   * Starts watching (a stream opened): the camera is kept running meanwhile.
   *
   * @returns stops watching (idempotent)
   */
  watch(): () => void {
    if (this.#watchers++ === 0) this.#onWatch?.(true);
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      if (--this.#watchers === 0) this.#onWatch?.(false);
    };
  }

  /**
   * The next frame's picture.
   *
   * @param view what to show
   * @param timeoutMs how long to wait for a frame (then the last picture made, or null)
   * @param signal ends the wait (null)
   * @returns a JPEG, or null when no frame came in time and none was made before
   */
  next(view: PreviewView, timeoutMs = 2000, signal?: AbortSignal): Promise<Uint8Array | null> {
    const unwatch = this.watch();
    return new Promise<Uint8Array | null>((resolve) => {
      const waiter: Waiter = {
        view,
        resolve: (jpeg) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          unwatch();
          resolve(jpeg);
        },
      };
      const drop = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const timer = setTimeout(() => {
        drop();
        waiter.resolve(this.#latest.get(view) ?? null);
      }, timeoutMs);
      const onAbort = (): void => {
        drop();
        waiter.resolve(null);
      };
      signal?.addEventListener("abort", onAbort);
      this.#waiters.push(waiter);
    });
  }

  /** Ends every wait (null) and frees the encoder. */
  close(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(null);
    this.#encoder?.close();
    this.#encoder = null;
  }

  #serve(view: OutputView): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    const made = new Map<PreviewView, Uint8Array>();
    for (const w of waiters) {
      let jpeg = made.get(w.view);
      if (jpeg === undefined) {
        jpeg = this.#encode(view, w.view);
        made.set(w.view, jpeg);
        this.#latest.set(w.view, jpeg);
      }
      w.resolve(jpeg);
    }
  }

  #encode(view: OutputView, what: PreviewView): Uint8Array {
    const size = { width: view.camera.width, height: view.camera.height };
    let p = this.#size;
    if (p === null || p.width !== Math.floor(size.width / p.factor)) {
      p = this.#size = previewSize(size, this.#maxWidth);
      this.#rgb = new Uint8Array(p.width * p.height * 3);
      this.#gray = new Uint8Array(p.width * p.height);
    }
    this.#encoder ??= new JpegEncoder();
    this.encoded++;
    const q = { width: p.width, height: p.height, quality: this.#quality };
    if (what === "mask") {
      alphaToPreview(view.alpha, size, p, this.#gray, view.mirror, view.flip);
      return this.#encoder.encode(this.#gray, { ...q, format: "gray" });
    }
    if (what === "camera") {
      frameToPreview(view.camera, p, this.#rgb, view.mirror, view.flip);
    } else if (view.yuyv !== null) {
      yuyvToPreview(view.yuyv, size, p, this.#rgb);
    } else {
      frameToPreview(view.frame ?? view.camera, p, this.#rgb);
    }
    return this.#encoder.encode(this.#rgb, { ...q, format: "rgb" });
  }
}
