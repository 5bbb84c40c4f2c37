/**
 * Synthetic clips for the auto-framing tests and pictures: a real person photo, cut out once by
 * the real pipeline (the model on ONNX Runtime and the mask's post-processing), pasted onto a
 * textured wall at a position and scale that change per frame (walking across, stepping closer,
 * leaving, standing still).
 *
 * The paste is known exactly, so is where the person's head is in every camera frame; mapped
 * through the crop the pipeline reports (`OutputView.crop`) it says where the head must be in the
 * output. The body goes on below the photo's bottom edge (its last row's outline, in the colour of
 * its bottom rows) down to the bottom of the frame, as a body does below a camera's picture.
 *
 * @module
 */

import { join } from "node:path";
import { type Frame, makeFrame } from "../src/frame/frame.ts";
import type { Rect, Size } from "../src/frame/geometry.ts";
import type { FrameSource } from "../src/frame/stages.ts";
import type { FrameTiming } from "../src/frame/timing.ts";
import { convertFrame, rgbToFrame } from "../src/image/planar.ts";
import { readPng } from "../src/image/png.ts";
import { Pipeline } from "../src/pipeline/loop.ts";
import { defaultSettings } from "../src/pipeline/settings.ts";
import { cliStageFactory } from "../src/cli/stage_factory.ts";
import { MemorySink, MemorySource } from "./fakes/memory_stages.ts";
import { SHARED } from "./_models.ts";

/** The photo used by default: Grace Hopper, head and shoulders (512x600). */
export const HOPPER: string = join(SHARED, "reference", "images", "mpl_grace_hopper.png");

/** A person cut out of a photo: full-range 4:4:4 planes and an alpha (255: person). */
export interface Cutout extends Size {
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
  readonly alpha: Uint8Array;
  /** The top of the head (hair, hat): the first row with a run of person pixels, pixel edges. */
  readonly top: number;
  /** The head's centre column (pixel edges): the middle of the person in the head's rows. */
  readonly centre: number;
  /** The head's height: from {@linkcode top} to the narrowest row above the shoulders. */
  readonly head: number;
  /** The colour (Y, Cb, Cr) of the body below the photo's bottom edge. */
  readonly below: readonly [number, number, number];
}

/**
 * Cuts the person out of a photo with the real pipeline: the default model and mask, exact mode,
 * the photo's own size (no crop), three frames (the mask's temporal smoothing settled).
 *
 * @param path a PNG photo of one person
 * @returns the cutout and where its head is
 */
export async function cutOut(path: string = HOPPER): Promise<Cutout> {
  const photo = readPng(await Deno.readFile(path));
  const size = { width: photo.width, height: photo.height };
  const frame = makeFrame(size, "444");
  rgbToFrame(photo.data, frame);
  const alpha = new Uint8Array(size.width * size.height);
  using factory = cliStageFactory({});
  {
    await using pipeline = await Pipeline.open({
      source: new MemorySource([frame], { count: 3 }),
      sink: new MemorySink(size, { keep: 1 }),
      factory,
      settings: defaultSettings({ background: "#00b140" }),
      mode: "exact",
      onOutput: (o) => alpha.set(o.alpha),
    });
    await pipeline.run();
  }
  const { width, height } = size;
  // The head: the first row with 8 or more person pixels; its centre the middle of the person's
  // span over the head's upper half; its height down to the neck (the narrowest row above the
  // widest one below it).
  const span = (y: number): [number, number] => {
    let l = width, r = -1;
    for (let x = 0; x < width; x++) {
      if (alpha[y * width + x]! >= 128) {
        if (x < l) l = x;
        r = x;
      }
    }
    return [l, r + 1];
  };
  let top = 0;
  while (top < height && span(top)[1] - span(top)[0] < 8) top++;
  let neck = top + 1, narrowest = Infinity;
  for (let y = top + Math.round(height / 6); y < height * 0.75; y++) {
    const [l, r] = span(y);
    if (r - l < narrowest) [narrowest, neck] = [r - l, y];
  }
  // Below the photo the body goes on in the mean colour of its bottom rows.
  const below = [0, 0, 0];
  let n = 0;
  for (let i = (height - 16) * width; i < height * width; i++) {
    if (alpha[i]! < 250) continue;
    below[0]! += frame.y[i]!;
    below[1]! += frame.u[i]!;
    below[2]! += frame.v[i]!;
    n++;
  }
  let sum = 0;
  const upper = Math.round((neck - top) / 2);
  for (let y = top; y < top + upper; y++) {
    const [l, r] = span(y);
    sum += (l + r) / 2;
  }
  return {
    ...size,
    y: frame.y,
    u: frame.u,
    v: frame.v,
    alpha,
    top,
    centre: sum / upper,
    head: neck - top,
    below: below.map((c) => Math.round(c / Math.max(1, n))) as [number, number, number],
  };
}

/** Where the cutout goes in a camera frame: its top-left corner and its scale. */
export interface Placement {
  x: number;
  y: number;
  scale: number;
}

/** The head's top and centre in camera pixels for a placement. */
export function headIn(
  cutout: Cutout,
  p: Placement,
): { top: number; centre: number; head: number } {
  return {
    top: p.y + cutout.top * p.scale,
    centre: p.x + cutout.centre * p.scale,
    head: cutout.head * p.scale,
  };
}

/**
 * The placement that puts the head's centre at (`centre`, `top`) at a scale.
 *
 * @param cutout the person
 * @param centre the head's centre, camera pixels
 * @param top the head's top, camera pixels
 * @param scale camera pixels per photo pixel
 */
export function headAt(cutout: Cutout, centre: number, top: number, scale: number): Placement {
  return { x: centre - cutout.centre * scale, y: top - cutout.top * scale, scale };
}

/**
 * A wall with texture at every scale (tiles of different greys, each with a fine grain) so that a
 * crop a pixel off shows, and calm enough that the model sees nobody in it.
 *
 * @param size the camera frame's size
 * @returns a 4:4:4 frame
 */
export function wall(size: Size): Frame {
  const frame = makeFrame(size, "444");
  const { width, height } = size;
  const hash = (a: number, b: number): number => {
    let h = Math.imul(a * 374761393 + b * 668265263, 1274126177);
    h ^= h >>> 13;
    return (Math.imul(h, 1103515245) >>> 0) / 4294967296;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const tile = hash(Math.floor(x / 40), Math.floor(y / 40));
      const grain = hash(x, y);
      frame.y[i] = Math.round(120 + 50 * tile + 24 * (grain - 0.5));
      frame.u[i] = Math.round(120 + 12 * tile);
      frame.v[i] = Math.round(134 - 10 * tile);
    }
  }
  return frame;
}

/**
 * Plays a clip: the wall, and the person where `place(i)` puts them in frame `i` (null: nobody).
 * Each frame is drawn when read (bilinear from the cutout), in 4:4:4 and converted to the
 * frame's layout when that is 4:2:2.
 */
export class ClipSource implements FrameSource {
  readonly size: Size;
  readonly fps: number;
  readonly description: string;
  readonly #cutout: Cutout;
  readonly #wall: Frame;
  readonly #place: (i: number) => Placement | null;
  readonly #frames: number;
  readonly #scratch: Frame;
  #index = 0;

  /**
   * @param cutout the person
   * @param wall the background, of the camera's size
   * @param place where the person is in frame i (null: out of the picture)
   * @param frames the clip's length
   * @param fps its frame rate (the framer's clock in exact mode)
   */
  constructor(
    cutout: Cutout,
    wall: Frame,
    place: (i: number) => Placement | null,
    options: { frames: number; fps?: number },
  ) {
    this.size = { width: wall.width, height: wall.height };
    this.fps = options.fps ?? 30;
    this.#cutout = cutout;
    this.#wall = wall;
    this.#place = place;
    this.#frames = options.frames;
    this.#scratch = makeFrame(this.size, "444");
    this.description = `framing clip ${wall.width}x${wall.height}, ${options.frames} frames`;
  }

  /** Frames read so far. */
  get index(): number {
    return this.#index;
  }

  /**
   * Draws frame `i` into a 4:4:4 frame of the camera's size.
   *
   * @param i the frame's index
   * @param into the frame
   */
  draw(i: number, into: Frame): void {
    const wall = this.#wall;
    into.y.set(wall.y);
    into.u.set(wall.u);
    into.v.set(wall.v);
    const p = this.#place(i);
    if (p !== null) paste(this.#cutout, p, into);
  }

  read(into: Frame, _timing: FrameTiming): Promise<boolean> {
    if (this.#index >= this.#frames) return Promise.resolve(false);
    if (into.layout === "444") {
      this.draw(this.#index, into);
    } else {
      this.draw(this.#index, this.#scratch);
      convertFrame(this.#scratch, into);
    }
    this.#index++;
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Pastes the cutout into a 4:4:4 frame (bilinear, pixel centres); below the photo's bottom edge
 * the body goes on (its last row's alpha, {@linkcode Cutout.below}'s colour) to the frame's bottom.
 */
export function paste(c: Cutout, p: Placement, into: Frame): void {
  const { width: W, height: H } = into;
  const s = p.scale;
  const x0 = Math.max(0, Math.floor(p.x)), x1 = Math.min(W, Math.ceil(p.x + c.width * s));
  const y0 = Math.max(0, Math.floor(p.y));
  const [by, bu, bv] = c.below;
  for (let Y = y0; Y < H; Y++) {
    const v = Math.min(c.height - 1, Math.max(0, (Y + 0.5 - p.y) / s - 0.5));
    const extended = (Y + 0.5 - p.y) / s - 0.5 > c.height - 1;
    const v0 = Math.min(c.height - 2, Math.floor(v)), fv = v - v0;
    for (let X = x0; X < x1; X++) {
      const u = (X + 0.5 - p.x) / s - 0.5;
      if (u < -0.5 || u > c.width - 0.5) continue;
      const uc = Math.min(c.width - 1, Math.max(0, u));
      const u0 = Math.min(c.width - 2, Math.floor(uc)), fu = uc - u0;
      const i00 = v0 * c.width + u0, i01 = i00 + 1, i10 = i00 + c.width, i11 = i10 + 1;
      const w00 = (1 - fu) * (1 - fv), w01 = fu * (1 - fv), w10 = (1 - fu) * fv, w11 = fu * fv;
      const a = (c.alpha[i00]! * w00 + c.alpha[i01]! * w01 + c.alpha[i10]! * w10 +
        c.alpha[i11]! * w11) / 255;
      if (a <= 0) continue;
      const o = Y * W + X;
      let py = by, pu = bu, pv = bv;
      if (!extended) {
        py = c.y[i00]! * w00 + c.y[i01]! * w01 + c.y[i10]! * w10 + c.y[i11]! * w11;
        pu = c.u[i00]! * w00 + c.u[i01]! * w01 + c.u[i10]! * w10 + c.u[i11]! * w11;
        pv = c.v[i00]! * w00 + c.v[i01]! * w01 + c.v[i10]! * w10 + c.v[i11]! * w11;
      }
      into.y[o] = Math.round(into.y[o]! + (py - into.y[o]!) * a);
      into.u[o] = Math.round(into.u[o]! + (pu - into.u[o]!) * a);
      into.v[o] = Math.round(into.v[o]! + (pv - into.v[o]!) * a);
    }
  }
}

/**
 * Where a camera point shows in the output for a crop.
 *
 * @param x camera x (pixel edges)
 * @param crop the crop, camera pixels
 * @param output the output's width
 * @returns output x (pixel edges)
 */
export function toOutputX(x: number, crop: Rect, output: number): number {
  return ((x - crop.x) * output) / crop.w;
}

/** As {@linkcode toOutputX}, for y. */
export function toOutputY(y: number, crop: Rect, output: number): number {
  return ((y - crop.y) * output) / crop.h;
}
