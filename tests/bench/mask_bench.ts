/**
 * `deno task bench`: what the mask's post-processing costs per frame at 1280x720 on one core,
 * stage by stage (budget: 4 ms in all), against the plain bilinear upsampling it replaces. The
 * scene is person-like: a soft-edged upright ellipse of probability at the model's 256x144 and
 * a textured camera frame whose edge is a few pixels off the mask's (as a real one is).
 */

import { MaskPipeline } from "../../src/mask/mod.ts";
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
