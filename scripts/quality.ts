/**
 * `deno task quality [--json] [--compare] [--out DIR] [--frames N] [flags]`: how good the mask
 * looks, measured — a benchmark, not a test. For the current settings ("ours": the defaults, or
 * the live command's picture-quality flags given, e.g. `--smooth 0.5 --tighten off`) and for the
 * plain baseline (bilinear upsampling of the model's map, no temporal filter, no tightening —
 * what the loop did before):
 *
 * - **flicker**: mean |alpha_t − alpha_(t−1)| (alpha in 0 … 1, over all pixels) over a static
 *   clip: a still photo of a person with fresh Gaussian sensor noise (σ = 3 per RGB channel) in
 *   every frame. Lower is better.
 * - **lag IoU**: on a clip where the same photo pans by 6.6 px per frame (same noise), the IoU of
 *   the temporally filtered mask (alpha ≥ 0.5) and the single-frame mask of the same settings
 *   without the temporal stages. Higher is better (1: no lag; the baseline has no filter).
 * - **edge alignment**: the share of the alpha = 0.5 contour within 2 px of a strong image edge
 *   (Sobel magnitude ≥ 6 luma levels per pixel, thinned to its ridge, of the noise-free frame's
 *   luma plane).
 *   Also printed: the share of edge-band pixels (0.1 < alpha < 0.9) within 2 px of such an edge,
 *   and the band's mean width (band pixels per contour pixel). The band share rewards a wide
 *   band wherever the picture has texture, so the contour share is the one that says whether the
 *   edge sits on the picture's edge.
 * - **cost**: median ms per 1280×720 frame of each post-processing stage on one core
 *   (interleaved rounds), the light wrap as the extra cost of the blend that applies it (the
 *   4:4:4 compositor files get, `compositeFrame`).
 *
 * `--compare` adds the same figures for the other upsamplers (joint bilateral, bilinear) with
 * every other stage as in "ours": the measurement that chose the guided filter.
 *
 * The clips are 1280×720 crops (16:9, zoomed so that the pan has room) of the reference photos of
 * people (`../shared/reference/images`) as 4:4:4 frames, the pipeline's frames for files (the
 * photo converted once, each crop resampled from it, the noise added in RGB as a sensor's); the
 * model is `landscape`. Figures are means over the photos. It also writes `out/quality.png`, a
 * contact sheet, per photo a row of full frames and two rows zoomed 2x on the hair and a
 * shoulder: input, baseline mask and result, our mask and result (on the bundled `studio.png`).
 *
 * @module
 */

import { join } from "node:path";
import { OnnxRuntime } from "../ffi/onnxruntime/mod.ts";
import { openBackground } from "../src/background/mod.ts";
import { parseLiveOptions } from "../src/cli/options.ts";
import { settingsFromOptions } from "../src/cli/stage_factory.ts";
import { type Frame, makeFrame } from "../src/frame/frame.ts";
import type { Rect, Size } from "../src/frame/geometry.ts";
import { FrameRegionMaps, RegionMap, resampleAlpha, resampleFrame } from "../src/frame/region.ts";
import { compositeFrame } from "../src/image/composite.ts";
import { frameToRgb, rgbToFrame } from "../src/image/planar.ts";
import { readPng, writePng } from "../src/image/png.ts";
import { type MaskOptions, MaskPipeline, resolveMaskOptions } from "../src/mask/mod.ts";
import { resolveModel } from "../src/models/resolve.ts";
import { Segmenter } from "../src/segment/segmenter.ts";

/** Output size of the clips and of the cost measurement. */
export const WIDTH = 1280;
/** Output height. */
export const HEIGHT = 720;
const N = WIDTH * HEIGHT;

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const IMAGES = join(ROOT, "..", "shared", "reference", "images");

/** A photo and where its 16:9 crop sits (top of the crop as a fraction of the photo height). */
export const PHOTOS = [
  { name: "mpl_grace_hopper", top: 0.23 },
  { name: "skimage_astronaut", top: 0.02 },
  { name: "skimage_camera", top: 0.08 },
] as const;

/** The crop's width as a share of the photo's: leaves room for the pan. */
const ZOOM = 0.85;

/** A small fast seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One clip: 4:4:4 frames of 1280×720 and the clean (noise-free) first frame. */
export interface Clip {
  frames: Frame[];
  clean: Frame;
}

/** The output size of the clips. */
const OUTPUT: Size = { width: WIDTH, height: HEIGHT };

/**
 * A clip of a photo: `pan` output pixels per frame (ping-pong) or a still, with sensor noise.
 * The photo is converted once to a 4:4:4 frame and each crop resampled from it; the noise is
 * added per RGB channel (a sensor's), through one exact RGB round trip per frame.
 *
 * @param photo the RGB photo
 * @param options frames, pan speed, noise σ and the crop's top
 * @returns the frames and the noise-free first frame
 */
export function makeClip(
  photo: { width: number; height: number; data: Uint8Array },
  options: { frames: number; pan: number; sigma: number; top: number; seed: number },
): Clip {
  const w = photo.width * ZOOM;
  const h = w * HEIGHT / WIDTH;
  const rect = { x: 0, y: Math.min(photo.height - h, options.top * photo.height), w, h };
  const room = photo.width - w;
  const source = makeFrame(photo, "444");
  rgbToFrame(photo.data, source);
  const maps = new FrameRegionMaps(photo, rect, OUTPUT);
  const rnd = random(options.seed);
  const frames: Frame[] = [];
  const clean = makeFrame(OUTPUT, "444");
  const rgb = new Uint8Array(N * 3);
  const step = options.pan * w / WIDTH; // photo pixels per frame
  let x = options.pan > 0 ? 0 : room / 2;
  let dir = 1;
  // Irwin–Hall: the sum of 4 uniforms has variance 1/3.
  const k = options.sigma * Math.sqrt(3);
  for (let f = 0; f < options.frames; f++) {
    rect.x = x;
    maps.update(rect);
    const frame = makeFrame(OUTPUT, "444");
    resampleFrame(source, maps, frame);
    if (f === 0) copyFrame(frame, clean);
    frameToRgb(frame, rgb);
    for (let i = 0; i < rgb.length; i++) {
      const v = rgb[i]! + (rnd() + rnd() + rnd() + rnd() - 2) * k;
      rgb[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    rgbToFrame(rgb, frame);
    frames.push(frame);
    if (options.pan > 0) {
      if (x + dir * step > room || x + dir * step < 0) dir = -dir;
      x += dir * step;
    }
  }
  return { frames, clean };
}

/** Copies a frame's planes into another of the same size and layout. */
function copyFrame(src: Frame, dst: Frame): void {
  dst.y.set(src.y);
  dst.u.set(src.u);
  dst.v.set(src.v);
  dst.layout = src.layout;
}

/** A frame as interleaved RGB (for the contact sheet). */
function toRgb(frame: Frame): Uint8Array {
  const rgb = new Uint8Array(frame.width * frame.height * 3);
  frameToRgb(frame, rgb);
  return rgb;
}

/** The model's probability maps of a clip, and where the frame lies in them. */
export interface Segmented {
  maps: Float32Array[];
  rect: Rect;
  size: Size;
}

/**
 * Runs the model on every frame.
 *
 * @param seg the segmenter
 * @param clip the frames
 * @returns one probability map per frame
 */
export function segmentClip(seg: Segmenter, clip: Clip): Segmented {
  let rect: Rect = { x: 0, y: 0, w: 0, h: 0 };
  const maps: Float32Array[] = [];
  for (const frame of clip.frames) {
    rect = seg.setInputFitted(frame);
    seg.run();
    maps.push(seg.probability.slice());
  }
  const { width, height } = seg.manifest.output;
  return { maps, rect, size: { width, height } };
}

/** Something that turns a clip's maps into alphas, frame by frame. */
export type Post = (frame: Frame, map: Float32Array, alpha: Uint8Array) => void;

/** The plain baseline: bilinear, nothing else (what the loop did before `src/mask/`). */
export function baseline(s: Segmented): Post {
  const map = new RegionMap(s.size, s.rect, OUTPUT);
  return (_frame, m, alpha) => resampleAlpha(m, s.size.width, map, alpha);
}

/** Our post-processing with some options (defaults when none). */
export function ours(s: Segmented, options: MaskOptions = {}): Post & { pipeline: MaskPipeline } {
  const pipeline = new MaskPipeline({ model: s.size, region: s.rect, output: OUTPUT }, options);
  const post = (frame: Frame, m: Float32Array, alpha: Uint8Array): void => {
    pipeline.ingest(m);
    alpha.set(pipeline.render(frame.y));
  };
  return Object.assign(post, { pipeline });
}

/** Mean |alpha_t − alpha_(t−1)| in 0 … 1, from frame `skip` on. */
export function flicker(clip: Clip, s: Segmented, post: Post, skip = 3): number {
  const prev = new Uint8Array(N);
  const alpha = new Uint8Array(N);
  let sum = 0;
  let count = 0;
  clip.frames.forEach((frame, t) => {
    post(frame, s.maps[t]!, alpha);
    if (t >= skip) {
      let d = 0;
      for (let i = 0; i < N; i++) {
        const x = alpha[i]! - prev[i]!;
        d += x < 0 ? -x : x;
      }
      sum += d / N / 255;
      count++;
    }
    prev.set(alpha);
  });
  return sum / count;
}

/** Mean IoU (alpha ≥ 0.5) of two post-processings frame by frame, from frame 1 on. */
export function lagIou(clip: Clip, s: Segmented, filtered: Post, single: Post): number {
  const a = new Uint8Array(N);
  const b = new Uint8Array(N);
  let sum = 0;
  let count = 0;
  clip.frames.forEach((frame, t) => {
    filtered(frame, s.maps[t]!, a);
    single(frame, s.maps[t]!, b);
    if (t === 0) return;
    let inter = 0;
    let union = 0;
    for (let i = 0; i < N; i++) {
      const x = a[i]! >= 128, y = b[i]! >= 128;
      if (x && y) inter++;
      if (x || y) union++;
    }
    sum += union ? inter / union : 1;
    count++;
  });
  return sum / count;
}

/**
 * Strong-edge map of a frame: Sobel magnitude of its luma ≥ 6 levels/px on its ridge, grown by
 * 2 px.
 */
export function edgeZone(frame: Frame): Uint8Array {
  const y = frame.y;
  const mag = new Float32Array(N);
  const dir = new Uint8Array(N);
  for (let r = 1; r < HEIGHT - 1; r++) {
    for (let c = 1; c < WIDTH - 1; c++) {
      const i = r * WIDTH + c;
      const gx = (y[i - WIDTH + 1]! + 2 * y[i + 1]! + y[i + WIDTH + 1]! - y[i - WIDTH - 1]! -
        2 * y[i - 1]! - y[i + WIDTH - 1]!) / 8;
      const gy = (y[i + WIDTH - 1]! + 2 * y[i + WIDTH]! + y[i + WIDTH + 1]! - y[i - WIDTH - 1]! -
        2 * y[i - WIDTH]! - y[i - WIDTH + 1]!) / 8;
      mag[i] = Math.hypot(gx, gy);
      const angle = (Math.atan2(gy, gx) * 4 / Math.PI + 8) % 4; // 0: horizontal gradient
      dir[i] = Math.round(angle) % 4;
    }
  }
  const ridge = new Uint8Array(N);
  const offsets = [1, WIDTH + 1, WIDTH, WIDTH - 1];
  for (let i = WIDTH; i < N - WIDTH; i++) {
    const m = mag[i]!;
    if (m < 6) continue;
    const o = offsets[dir[i]!]!;
    if (m >= mag[i - o]! && m >= mag[i + o]!) ridge[i] = 1;
  }
  // Grow by 2 px (Chebyshev distance): rows, then columns.
  const rows = new Uint8Array(N);
  const zone = new Uint8Array(N);
  for (let r = 0; r < HEIGHT; r++) {
    for (let c = 0; c < WIDTH; c++) {
      let any = 0;
      for (let d = -2; d <= 2; d++) {
        const x = c + d;
        if (x >= 0 && x < WIDTH && ridge[r * WIDTH + x]) any = 1;
      }
      rows[r * WIDTH + c] = any;
    }
  }
  for (let r = 0; r < HEIGHT; r++) {
    for (let c = 0; c < WIDTH; c++) {
      let any = 0;
      for (let d = -2; d <= 2; d++) {
        const x = r + d;
        if (x >= 0 && x < HEIGHT && rows[x * WIDTH + c]) any = 1;
      }
      zone[r * WIDTH + c] = any;
    }
  }
  return zone;
}

/**
 * Edge alignment of one alpha: the share of its contour (alpha = 0.5 crossings) within 2 px of a
 * strong image edge, the share of its band pixels (0.1 < alpha < 0.9) there, and the band's mean
 * width (band pixels per contour pixel).
 */
export function edgeAlignment(
  alpha: Uint8Array,
  zone: Uint8Array,
): { contour: number; band: number; width: number } {
  let band = 0;
  let bandNear = 0;
  let contour = 0;
  let contourNear = 0;
  const lo = 0.1 * 255, hi = 0.9 * 255;
  for (let r = 0; r < HEIGHT; r++) {
    for (let c = 0; c < WIDTH; c++) {
      const i = r * WIDTH + c;
      const a = alpha[i]!;
      if (a > lo && a < hi) {
        band++;
        if (zone[i]) bandNear++;
      }
      const inside = a >= 128;
      if (
        (c + 1 < WIDTH && (alpha[i + 1]! >= 128) !== inside) ||
        (r + 1 < HEIGHT && (alpha[i + WIDTH]! >= 128) !== inside)
      ) {
        contour++;
        if (zone[i]) contourNear++;
      }
    }
  }
  return {
    contour: contour ? contourNear / contour : 1,
    band: band ? bandNear / band : 1,
    width: contour ? band / contour : 0,
  };
}

/** Median of a list. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median ms of `fn` over `runs` runs after `warm` warm-up runs. */
function time(fn: () => void, runs = 60, warm = 15): number {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Cost per 1280×720 frame of each stage (median ms). */
export function cost(
  clip: Clip,
  s: Segmented,
  options: MaskOptions = {},
): Record<string, number> {
  const frame = clip.frames[0]!;
  const map = s.maps[0]!;
  const alpha = new Uint8Array(N);
  const out = makeFrame(OUTPUT, "444");
  const bg = makeFrame(OUTPUT, "444");
  rgbToFrame(new Uint8Array(N * 3).map((_, i) => (i * 31) & 255), bg);
  const base = baseline(s);
  const mine = new MaskPipeline({ model: s.size, region: s.rect, output: OUTPUT }, options);
  mine.ingest(map);
  mine.render(frame.y);
  // Interleaved rounds (the median of each), so a busy neighbour core hits every stage alike.
  const stages: Record<string, () => void> = {
    baseline_bilinear: () => base(frame, map, alpha),
    temporal: () => mine.ingest(map),
    guide_and_upsample: () => mine.render(frame.y),
    blend_plain: () => compositeFrame(frame, bg, alpha, out, { wrap: null, despill: null }),
    blend_with_light_wrap: () =>
      compositeFrame(frame, bg, alpha, out, { wrap: mine.wrap, despill: null }),
    blend_with_light_wrap_and_despill: () =>
      compositeFrame(frame, bg, alpha, out, { wrap: mine.wrap, despill: "green" }),
  };
  const rounds: Record<string, number[]> = {};
  for (let r = 0; r < 5; r++) {
    for (const [name, fn] of Object.entries(stages)) {
      (rounds[name] ??= []).push(time(fn, 20, r === 0 ? 15 : 3));
    }
  }
  const result: Record<string, number> = {};
  for (const [name, list] of Object.entries(rounds)) result[name] = median(list);
  mine.timings.line();
  for (let i = 0; i < 40; i++) mine.render(frame.y);
  result.guide = mine.timings.mean("guide");
  result.upsample = mine.timings.mean("upsample");
  mine.timings.line();
  result.light_wrap = Math.max(0, result.blend_with_light_wrap! - result.blend_plain!);
  result.despill = Math.max(
    0,
    result.blend_with_light_wrap_and_despill! - result.blend_with_light_wrap!,
  );
  result.post_total = result.temporal! + result.guide_and_upsample! + result.light_wrap;
  return result;
}

/**
 * The zoom windows (160×90 output px) on the hair and a shoulder: centred on the top of the
 * person, and on the person's outline three quarters of the way down (the side further from the
 * frame's border).
 */
function edgeWindows(alpha: Uint8Array): { x: number; y: number }[] {
  const place = (cx: number, cy: number): { x: number; y: number } => ({
    x: Math.max(0, Math.min(WIDTH - 160, Math.round(cx - 80))),
    y: Math.max(0, Math.min(HEIGHT - 90, Math.round(cy - 45))),
  });
  let top = { x: WIDTH / 2, y: 0 };
  search: for (let y = 0; y < HEIGHT; y++) {
    let sum = 0, n = 0;
    for (let x = 0; x < WIDTH; x++) {
      if (alpha[y * WIDTH + x]! >= 128) {
        sum += x;
        n++;
      }
    }
    if (n > 0) {
      top = { x: sum / n, y };
      break search;
    }
  }
  const outline = (y: number): number => {
    let left = 0, right = WIDTH - 1;
    while (left < WIDTH - 1 && alpha[y * WIDTH + left]! < 128) left++;
    while (right > 0 && alpha[y * WIDTH + right]! < 128) right--;
    return left > WIDTH - 1 - right ? left : right;
  };
  // When the crop cuts the head, the hair is at its sides.
  const hairRow = Math.round(HEIGHT * 0.35);
  const hair = top.y > 5 ? place(top.x, top.y + 30) : place(outline(hairRow), hairRow);
  return [hair, place(outline(Math.round(HEIGHT * 0.75)), HEIGHT * 0.75)];
}

/** Copies a region of an RGB or gray picture into a tile of the sheet, scaled by nearest. */
function paste(
  sheet: Uint8Array,
  sheetWidth: number,
  at: { x: number; y: number },
  src: {
    data: Uint8Array;
    channels: 1 | 3;
    region: { x: number; y: number; w: number; h: number };
  },
  tile: { w: number; h: number },
): void {
  const { data, channels, region } = src;
  for (let ty = 0; ty < tile.h; ty++) {
    const sy = Math.min(HEIGHT - 1, Math.floor(region.y + (ty + 0.5) * region.h / tile.h));
    for (let tx = 0; tx < tile.w; tx++) {
      const sx = Math.min(WIDTH - 1, Math.floor(region.x + (tx + 0.5) * region.w / tile.w));
      const s = sy * WIDTH + sx;
      const o = ((at.y + ty) * sheetWidth + at.x + tx) * 3;
      for (let c = 0; c < 3; c++) sheet[o + c] = channels === 3 ? data[s * 3 + c]! : data[s]!;
    }
  }
}

/** The figures for one photo and the sheet rows. */
interface PhotoResult {
  flicker: { ours: number; baseline: number };
  lag_iou: { ours: number; baseline: number };
  edge_alignment: { ours: number; baseline: number };
  edge_band_share: { ours: number; baseline: number };
  band_width_px: { ours: number; baseline: number };
  tiles: { data: Uint8Array; channels: 1 | 3 }[];
  windows: { x: number; y: number }[];
  alternatives: Record<
    string,
    { flicker: number; lag_iou: number; edge_alignment: number; band_width_px: number }
  >;
}

async function measurePhoto(
  seg: Segmenter,
  name: string,
  top: number,
  frames: number,
  options: MaskOptions,
  alternatives: Record<string, MaskOptions> = {},
): Promise<PhotoResult & { clip: Clip; segmented: Segmented }> {
  const photo = readPng(await Deno.readFile(join(IMAGES, `${name}.png`)));
  const still = makeClip(photo, { frames, pan: 0, sigma: 3, top, seed: 1 });
  const stillSeg = segmentClip(seg, still);
  const flickerBase = flicker(still, stillSeg, baseline(stillSeg));
  const flickerOurs = flicker(still, stillSeg, ours(stillSeg, options));

  // Edge alignment on the last frame of the static clip, against the clean picture's edges.
  const zone = edgeZone(still.clean);
  const last = still.frames.length - 1;
  const baseAlpha = new Uint8Array(N);
  const ourAlpha = new Uint8Array(N);
  const b = baseline(stillSeg);
  b(still.frames[last]!, stillSeg.maps[last]!, baseAlpha);
  const o = ours(stillSeg, options);
  for (let t = 0; t <= last; t++) o(still.frames[t]!, stillSeg.maps[t]!, ourAlpha);
  const eBase = edgeAlignment(baseAlpha, zone);
  const eOurs = edgeAlignment(ourAlpha, zone);

  const pan = makeClip(photo, {
    frames: Math.round(frames * 1.5),
    pan: 6.6,
    sigma: 3,
    top,
    seed: 2,
  });
  const panSeg = segmentClip(seg, pan);
  const lagOurs = lagIou(
    pan,
    panSeg,
    ours(panSeg, options),
    ours(panSeg, { ...options, smoothing: 0, hold: 0 }),
  );
  const lagBase = lagIou(pan, panSeg, baseline(panSeg), baseline(panSeg));

  // The same figures for other choices of some stage (`--compare`).
  const others: PhotoResult["alternatives"] = {};
  for (const [label, alt] of Object.entries(alternatives)) {
    const a = new Uint8Array(N);
    const post = ours(stillSeg, alt);
    for (let t = 0; t <= last; t++) post(still.frames[t]!, stillSeg.maps[t]!, a);
    const e = edgeAlignment(a, zone);
    others[label] = {
      flicker: flicker(still, stillSeg, ours(stillSeg, alt)),
      lag_iou: lagIou(
        pan,
        panSeg,
        ours(panSeg, alt),
        ours(panSeg, { ...alt, smoothing: 0, hold: 0 }),
      ),
      edge_alignment: e.contour,
      band_width_px: e.width,
    };
  }

  // Contact sheet tiles: input, baseline mask + result, our mask + result.
  const background = await openBackground("studio.png", { size: OUTPUT, layout: "444" });
  const bg = makeFrame(OUTPUT, "444");
  copyFrame(background.render({ frame: still.clean, mask: baseAlpha, timeMs: 0 }), bg);
  await background.close();
  const baseOut = makeFrame(OUTPUT, "444");
  const ourOut = makeFrame(OUTPUT, "444");
  const frame = still.frames[last]!;
  compositeFrame(frame, bg, baseAlpha, baseOut, { wrap: null });
  compositeFrame(frame, bg, ourAlpha, ourOut, { wrap: o.pipeline.wrap });
  return {
    flicker: { ours: flickerOurs, baseline: flickerBase },
    lag_iou: { ours: lagOurs, baseline: lagBase },
    edge_alignment: { ours: eOurs.contour, baseline: eBase.contour },
    edge_band_share: { ours: eOurs.band, baseline: eBase.band },
    band_width_px: { ours: eOurs.width, baseline: eBase.width },
    tiles: [
      { data: toRgb(frame), channels: 3 },
      { data: baseAlpha, channels: 1 },
      { data: toRgb(baseOut), channels: 3 },
      { data: ourAlpha, channels: 1 },
      { data: toRgb(ourOut), channels: 3 },
    ],
    windows: edgeWindows(baseAlpha),
    alternatives: others,
    clip: still,
    segmented: stillSeg,
  };
}

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
const r3 = (v: number): number => Math.round(v * 1e3) / 1e3;

/**
 * Measures everything and writes the contact sheet.
 *
 * @param options frames per clip, output folder, mask options
 * @returns the JSON document
 */
export async function quality(
  options: { frames?: number; out?: string; mask?: MaskOptions; compare?: boolean } = {},
): Promise<Record<string, unknown>> {
  const frames = options.frames ?? 30;
  const mask = options.mask ?? {};
  // The other upsamplers, every other stage as in "ours".
  const alternatives: Record<string, MaskOptions> = options.compare
    ? {
      bilateral: { ...mask, upsample: "bilateral" },
      bilinear: { ...mask, upsample: "bilinear" },
    }
    : {};
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const results: PhotoResult[] = [];
  let costs: Record<string, number> | null = null;
  const altCosts: Record<string, number> = {};
  for (const { name, top } of PHOTOS) {
    const r = await measurePhoto(seg, name, top, frames, mask, alternatives);
    results.push(r);
    if (!costs) {
      costs = cost(r.clip, r.segmented, mask);
      for (const [label, alt] of Object.entries(alternatives)) {
        const c = cost(r.clip, r.segmented, alt);
        altCosts[label] = c.temporal! + c.guide_and_upsample! + c.light_wrap!;
      }
    }
  }
  const mean = (f: (r: PhotoResult) => number): number =>
    results.reduce((s, r) => s + f(r), 0) / results.length;
  const pair = (
    key: "flicker" | "lag_iou" | "edge_alignment" | "edge_band_share" | "band_width_px",
  ) => ({
    ours: mean((r) => r[key].ours),
    baseline: mean((r) => r[key].baseline),
  });

  // The contact sheet: per photo, a row of full frames and two rows zoomed 2x on edges.
  const tw = 320, th = 180, gap = 4;
  const cols = 5;
  const sheetW = cols * tw + (cols + 1) * gap;
  const rowsPer = 3;
  const sheetH = results.length * rowsPer * (th + gap) + gap;
  const sheet = new Uint8Array(sheetW * sheetH * 3).fill(40);
  results.forEach((r, p) => {
    const regions = [
      { x: 0, y: 0, w: WIDTH, h: HEIGHT },
      ...r.windows.map((w) => ({ x: w.x, y: w.y, w: 160, h: 90 })),
    ];
    regions.forEach((region, k) => {
      r.tiles.forEach((tile, c) => {
        paste(
          sheet,
          sheetW,
          {
            x: gap + c * (tw + gap),
            y: gap + (p * rowsPer + k) * (th + gap),
          },
          { ...tile, region },
          { w: tw, h: th },
        );
      });
    });
  });
  const outDir = options.out ?? join(ROOT, "out");
  await Deno.mkdir(outDir, { recursive: true });
  const sheetPath = join(outDir, "quality.png");
  await Deno.writeFile(
    sheetPath,
    writePng({ width: sheetW, height: sheetH, channels: 3, data: sheet }),
  );

  const c = costs!;
  const round = (o: { ours: number; baseline: number }, f: (v: number) => number) => ({
    ours: f(o.ours),
    baseline: f(o.baseline),
  });
  return {
    settings: resolveMaskOptions(mask),
    photos: PHOTOS.map((p) => p.name),
    frames_per_clip: frames,
    flicker: round(pair("flicker"), (v) => Math.round(v * 1e6) / 1e6),
    flicker_ratio: r3(pair("flicker").baseline / pair("flicker").ours),
    lag_iou: round(pair("lag_iou"), r4),
    edge_alignment: round(pair("edge_alignment"), r3),
    edge_band_share: round(pair("edge_band_share"), r3),
    band_width_px: round(pair("band_width_px"), r3),
    post_ms_720p: r3(c.post_total!),
    post_stages_ms_720p: Object.fromEntries(Object.entries(c).map(([k, v]) => [k, r3(v)])),
    per_photo: Object.fromEntries(results.map((r, i) => [PHOTOS[i]!.name, {
      flicker: round(r.flicker, (v) => Math.round(v * 1e6) / 1e6),
      lag_iou: round(r.lag_iou, r4),
      edge_alignment: round(r.edge_alignment, r3),
      edge_band_share: round(r.edge_band_share, r3),
      band_width_px: round(r.band_width_px, r3),
    }])),
    ...(options.compare
      ? {
        alternatives: Object.fromEntries(
          Object.keys(alternatives).map((label) => [label, {
            flicker: Math.round(mean((r) => r.alternatives[label]!.flicker) * 1e6) / 1e6,
            lag_iou: r4(mean((r) => r.alternatives[label]!.lag_iou)),
            edge_alignment: r3(mean((r) => r.alternatives[label]!.edge_alignment)),
            band_width_px: r3(mean((r) => r.alternatives[label]!.band_width_px)),
            post_ms_720p: r3(altCosts[label]!),
          }]),
        ),
      }
      : {}),
    contact_sheet: sheetPath,
  };
}

if (import.meta.main) {
  // Our own flags; everything else is the live command's picture-quality flags (the settings
  // to measure, e.g. `--smooth 0.5 --upsample bilateral`), checked as the live command does.
  const own: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < Deno.args.length; i++) {
    const a = Deno.args[i]!;
    if (a === "--json" || a === "--compare") own[a] = true;
    else if (a === "--frames" || a === "--out") own[a] = Deno.args[++i] ?? "";
    else rest.push(a);
  }
  let mask: MaskOptions;
  try {
    // As the live command resolves them over a picture background: a light wrap left unset is
    // the default one; a threshold is part of the mask.
    const settings = settingsFromOptions(parseLiveOptions(rest));
    mask = {
      ...settings.mask,
      ...(settings.threshold !== null ? { threshold: settings.threshold } : {}),
    };
  } catch (e) {
    console.error(`quality: ${(e as Error).message}`);
    Deno.exit(2);
  }
  const json = own["--json"] === true;
  const doc = await quality({
    mask,
    compare: own["--compare"] === true,
    ...(own["--frames"] ? { frames: Number(own["--frames"]) } : {}),
    ...(own["--out"] ? { out: String(own["--out"]) } : {}),
  });
  if (json) {
    console.log(JSON.stringify(doc, null, 2));
  } else {
    const f = doc.flicker as { ours: number; baseline: number };
    const l = doc.lag_iou as { ours: number; baseline: number };
    const e = doc.edge_alignment as { ours: number; baseline: number };
    const w = doc.band_width_px as { ours: number; baseline: number };
    const s = doc.post_stages_ms_720p as Record<string, number>;
    console.log(`settings: ${JSON.stringify(doc.settings)}`);
    console.log(`                      ours        baseline`);
    console.log(
      `flicker (lower)       ${f.ours.toFixed(5).padEnd(11)} ${
        f.baseline.toFixed(5)
      }   (${doc.flicker_ratio}x lower)`,
    );
    console.log(`lag IoU (higher)      ${l.ours.toFixed(4).padEnd(11)} ${l.baseline.toFixed(4)}`);
    console.log(`edge alignment        ${e.ours.toFixed(3).padEnd(11)} ${e.baseline.toFixed(3)}`);
    const b = doc.edge_band_share as { ours: number; baseline: number };
    console.log(`edge band share       ${b.ours.toFixed(3).padEnd(11)} ${b.baseline.toFixed(3)}`);
    console.log(`edge band width (px)  ${w.ours.toFixed(2).padEnd(11)} ${w.baseline.toFixed(2)}`);
    console.log(
      `post ms at 1280x720   ${String(doc.post_ms_720p).padEnd(11)} ${s.baseline_bilinear}`,
    );
    console.log(
      `  stages: ${Object.entries(s).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
    const alts = (doc.alternatives ?? {}) as Record<string, Record<string, number>>;
    for (const [label, a] of Object.entries(alts)) {
      console.log(
        `${
          label.padEnd(21)
        } flicker ${a.flicker}, lag IoU ${a.lag_iou}, edge alignment ${a.edge_alignment}, band ${a.band_width_px} px, post ${a.post_ms_720p} ms`,
      );
    }
    console.log(`contact sheet: ${doc.contact_sheet}`);
  }
}
