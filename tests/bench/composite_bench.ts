/**
 * What compositing a file frame costs: `compositeFrame` (4:4:4 planes, the file sinks) against
 * the RGB compositor the pipeline used before it worked in YCbCr (`tests/reference/
 * rgb_composite.ts`), on the same picture, at 1280x720 and 1920x1080, with and without light
 * wrap.
 *
 * The mask is person-shaped (head, neck, shoulders: a signed distance to the outline) with a
 * probability ramp across the outline, turned into alpha and light-wrap weights by the mask's own
 * tables (`alphaLut` with the default tightening, `wrapLut` at the default strength), as
 * `MaskPipeline` makes them. Two edge widths: "thin", about 3 % of the pixels in the soft band
 * (alpha 1 … 254), and "wide", 7 % soft plus 3 % that only take light wrap (alpha 255), close to
 * a real run of the landscape model on a 720p file (7.3 % and 4.4 %).
 *
 * `deno bench --allow-all tests/bench/composite_bench.ts` for Deno's statistics;
 * `deno run --allow-all tests/bench/composite_bench.ts` prints a table of medians (ms).
 * Buffers are made once, outside the measured functions, as the live loop does.
 *
 * @module
 */

import { type Frame, makeFrame } from "../../src/frame/frame.ts";
import { compositeFrame, type CompositeFrameOptions } from "../../src/image/composite.ts";
import { rgbToFrame } from "../../src/image/planar.ts";
import { alphaLut, DEFAULT_TIGHTEN, LUT_MAX, wrapLut } from "../../src/mask/remap.ts";
import { DEFAULT_LIGHT_WRAP } from "../../src/mask/mask_pipeline.ts";
import { composite } from "../reference/rgb_composite.ts";

const SIZES = [[1280, 720], [1920, 1080]] as const;
/** Probability ramp across the outline, in picture heights: the edge band's width. */
const EDGES = { thin: 0.05, wide: 0.12 } as const;

/** A camera-like picture: smooth colour areas, some texture and noise. */
function picture(width: number, height: number, seed: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let s = seed;
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      s = (s * 1103515245 + 12345) >>> 0;
      const noise = (s >>> 24) & 15;
      const u = x / width, v = y / height;
      rgb[o] = 60 + 120 * u + 30 * Math.sin(v * 9 + seed) + noise;
      rgb[o + 1] = 50 + 90 * v + 40 * Math.cos(u * 7 - seed) + noise;
      rgb[o + 2] = 90 + 80 * Math.sin((u + v) * 5 + seed) + noise;
    }
  }
  return rgb;
}

/** Signed distance (pixels, positive inside) to a rounded box centred at cx, cy. */
function roundedBox(
  x: number,
  y: number,
  cx: number,
  cy: number,
  hw: number,
  hh: number,
  r: number,
): number {
  const qx = Math.abs(x - cx) - hw + r, qy = Math.abs(y - cy) - hh + r;
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
  return r - outside;
}

/** A person's alpha and light-wrap weights, as MaskPipeline's tables make them. */
function person(
  width: number,
  height: number,
  ramp: number,
): { alpha: Uint8Array; wrap: Uint8Array; soft: number; wrapOnly: number } {
  const lut = alphaLut({ tighten: DEFAULT_TIGHTEN });
  const wlut = wrapLut(DEFAULT_LIGHT_WRAP, DEFAULT_TIGHTEN[1]);
  const alpha = new Uint8Array(width * height), wrap = new Uint8Array(width * height);
  const h = height, cx = width / 2;
  let soft = 0, wrapOnly = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const head = 0.16 * h - Math.hypot((x - cx) / 0.85, y - 0.36 * h);
      const neck = roundedBox(x, y, cx, 0.58 * h, 0.06 * h, 0.1 * h, 0.02 * h);
      const body = roundedBox(x, y, cx, 1.1 * h, 0.36 * h, 0.42 * h, 0.16 * h);
      const d = Math.max(head, neck, body);
      const p = Math.min(1, Math.max(0, 0.5 + d / (ramp * h)));
      const k = Math.round(p * LUT_MAX);
      alpha[i] = lut[k]!;
      wrap[i] = wlut[k]!;
      if (alpha[i] !== 0 && alpha[i] !== 255) soft++;
      else if (alpha[i] === 255 && wrap[i] !== 0) wrapOnly++;
    }
  }
  return { alpha, wrap, soft: soft / (width * height), wrapOnly: wrapOnly / (width * height) };
}

interface Case {
  name: string;
  group: string;
  run: () => void;
  baseline: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [width, height] of SIZES) {
    const size = { width, height };
    const camRgb = picture(width, height, 1), bgRgb = picture(width, height, 4);
    const cam: Frame = makeFrame(size, "444"), bg: Frame = makeFrame(size, "444");
    rgbToFrame(camRgb, cam);
    rgbToFrame(bgRgb, bg);
    const out444 = makeFrame(size, "444");
    const outRgb = new Uint8Array(width * height * 3);
    for (const [edge, ramp] of Object.entries(EDGES)) {
      const mask = person(width, height, ramp);
      for (const withWrap of [false, true]) {
        const options: CompositeFrameOptions = { wrap: withWrap ? mask.wrap : null };
        const rgbOptions = { wrap: withWrap ? mask.wrap : null };
        const group = `${width}x${height} ${edge} edge (${(100 * mask.soft).toFixed(1)} % soft${
          withWrap ? ` + ${(100 * mask.wrapOnly).toFixed(1)} % wrap` : ""
        })${withWrap ? " light wrap" : ""}`;
        out.push({
          name: `RGB composite (old) ${group}`,
          group,
          baseline: true,
          run: () => composite(camRgb, bgRgb, mask.alpha, outRgb, rgbOptions),
        });
        out.push({
          name: `compositeFrame 444 ${group}`,
          group,
          baseline: false,
          run: () => compositeFrame(cam, bg, mask.alpha, out444, options),
        });
      }
    }
  }
  return out;
}

if (import.meta.main) {
  // Medians of many runs, interleaved so that both compositors see the same machine state.
  const all = cases();
  const rounds = Number(Deno.args[0] ?? 200);
  const times = all.map(() => [] as number[]);
  for (const c of all) for (let i = 0; i < 20; i++) c.run();
  for (let r = 0; r < rounds; r++) {
    all.forEach((c, k) => {
      const t = performance.now();
      c.run();
      times[k]!.push(performance.now() - t);
    });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  for (let k = 0; k < all.length; k += 2) {
    const old = median(times[k]!), now = median(times[k + 1]!);
    console.log(
      `${all[k]!.group}: RGB ${old.toFixed(2)} ms, 444 ${now.toFixed(2)} ms (×${
        (now / old).toFixed(2)
      })`,
    );
  }
} else {
  for (const c of cases()) {
    Deno.bench(c.name, { group: c.group, baseline: c.baseline }, c.run);
  }
}
