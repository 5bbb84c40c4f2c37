/**
 * `deno task bench`: what the mask's post-processing costs per frame at 1280x720 on one core,
 * stage by stage (budget: 4 ms in all), against the plain bilinear upsampling it replaces. The
 * scene is person-like: a soft-edged upright ellipse of probability at the model's 256x144 and
 * a textured camera frame whose edge is a few pixels off the mask's (as a real one is).
 *
 * Then, at 720p and 1080p, the guide as an RGB frame against the planar fast path's luma plane
 * (`MaskPipeline.renderLuma`), per frame and per sub-stage (`guide`: the cells' luma and the
 * filter's coefficients; `upsample`: the output alpha and wrap weights).
 */

import {
  alphaLut,
  autoFactor,
  DEFAULT_HOLD,
  DEFAULT_LIGHT_WRAP,
  DEFAULT_TIGHTEN,
  Grid,
  GuidedUpsampler,
  MaskPipeline,
  RegionSampler,
  wrapLut,
} from "../../src/mask/mod.ts";
import { composite } from "../../src/pipeline/compose.ts";
import { RegionMap, resampleAlpha } from "../../src/pipeline/region.ts";

const W = 1280, H = 720, MW = 256, MH = 144;

function inside(x: number, y: number, w: number, h: number): number {
  return 1.05 - Math.hypot((x - w / 2) / (w * 0.2), (y - h * 0.75) / (h * 0.6));
}

const probability = new Float32Array(MW * MH);
for (let y = 0; y < MH; y++) {
  for (let x = 0; x < MW; x++) {
    const d = inside(x + 0.5, y + 0.5, MW, MH);
    probability[y * MW + x] = 1 / (1 + Math.exp(-d * 40));
  }
}
const frame = new Uint8Array(W * H * 3);
for (let y = 0, i = 0; y < H; y++) {
  for (let x = 0; x < W; x++, i += 3) {
    const person = inside(x + 3, y, W, H) > 0;
    const texture = (x * 7919 + y * 104729) % 23;
    frame[i] = person ? 180 + texture : 60 + texture;
    frame[i + 1] = person ? 140 + texture : 90 + texture;
    frame[i + 2] = person ? 120 + texture : 160 + texture;
  }
}
const background = new Uint8Array(W * H * 3).map((_, i) => (i * 31) & 255);
const out = new Uint8Array(W * H * 3);
const region = { x: 0, y: 0, w: MW, h: MH };
const size = { width: W, height: H };

const baselineMap = new RegionMap({ width: MW, height: MH }, region, size);
const baselineAlpha = new Uint8Array(W * H);
Deno.bench(
  "bilinear upsampling only (the old post)",
  { group: "post 720p", baseline: true },
  () => {
    resampleAlpha(probability, MW, baselineMap, baselineAlpha);
  },
);

const mask = new MaskPipeline({ model: { width: MW, height: MH }, region, output: size });
mask.ingest(probability);
mask.render(frame);
Deno.bench("mask: temporal (per model run)", { group: "post 720p" }, () => {
  mask.ingest(probability);
});
Deno.bench(
  "mask: guided filter + tighten + wrap weights (per frame)",
  { group: "post 720p" },
  () => {
    mask.render(frame);
  },
);
Deno.bench("mask: all stages (defaults)", { group: "post 720p" }, () => {
  mask.ingest(probability);
  mask.render(frame);
});

Deno.bench("composite: plain blend", { group: "compose 720p", baseline: true }, () => {
  composite(frame, background, mask.alpha, out);
});
Deno.bench("composite: with light wrap", { group: "compose 720p" }, () => {
  composite(frame, background, mask.alpha, out, { wrap: mask.wrap });
});
Deno.bench("composite: with light wrap and despill", { group: "compose 720p" }, () => {
  composite(frame, background, mask.alpha, out, { wrap: mask.wrap, despill: "green" });
});

/** The scene's camera frame at `width` × `height`: RGB and its full-range BT.601 luma plane. */
function cameraFrame(width: number, height: number): { rgb: Uint8Array; y: Uint8Array } {
  const rgb = new Uint8Array(width * height * 3);
  const y = new Uint8Array(width * height);
  for (let r = 0, i = 0; r < height; r++) {
    for (let x = 0; x < width; x++, i++) {
      const person = inside(x + 3, r, width, height) > 0;
      const texture = (x * 7919 + r * 104729) % 23;
      const R = rgb[3 * i] = person ? 180 + texture : 60 + texture;
      const G = rgb[3 * i + 1] = person ? 140 + texture : 90 + texture;
      const B = rgb[3 * i + 2] = person ? 120 + texture : 160 + texture;
      y[i] = (77 * R + 150 * G + 29 * B + 128) >> 8;
    }
  }
  return { rgb, y };
}

for (const [name, width, height] of [["720p", 1280, 720], ["1080p", 1920, 1080]] as const) {
  const output = { width, height };
  const { rgb, y } = cameraFrame(width, height);
  const group = `guide ${name}`;
  const pipeline = new MaskPipeline({ model: { width: MW, height: MH }, region, output });
  pipeline.ingest(probability);
  Deno.bench(`mask ${name}: render(rgb) per frame`, { group, baseline: true }, () => {
    pipeline.render(rgb);
  });
  Deno.bench(`mask ${name}: renderLuma(y) per frame`, { group }, () => {
    pipeline.renderLuma(y);
  });
  // The sub-stages, on a guided filter set up as the pipeline's (defaults).
  const grid = new Grid(output, autoFactor(width, MW));
  const guided = new GuidedUpsampler(grid, {
    lut: alphaLut({ tighten: DEFAULT_TIGHTEN }),
    wrapLut: wrapLut(DEFAULT_LIGHT_WRAP, DEFAULT_TIGHTEN[1]),
    hold: DEFAULT_HOLD,
  });
  new RegionSampler(grid, { map: { width: MW, height: MH }, region }).sample(
    probability,
    guided.input,
  );
  const alpha = new Uint8Array(width * height);
  const wrap = new Uint8Array(width * height);
  guided.setGuide(rgb);
  guided.solve();
  Deno.bench(`guide ${name}: setGuide(rgb) + solve()`, { group: `${group} stages` }, () => {
    guided.setGuide(rgb);
    guided.solve();
  });
  Deno.bench(`guide ${name}: setGuideLuma(y) + solve()`, { group: `${group} stages` }, () => {
    guided.setGuideLuma(y);
    guided.solve();
  });
  Deno.bench(`upsample ${name}: render(rgb)`, { group: `${group} stages` }, () => {
    guided.render(rgb, alpha, wrap);
  });
  Deno.bench(`upsample ${name}: renderLuma(y)`, { group: `${group} stages` }, () => {
    guided.renderLuma(y, alpha, wrap);
  });
}
