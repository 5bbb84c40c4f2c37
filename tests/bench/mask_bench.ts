/**
 * `deno task bench:stages`: what the mask's post-processing costs per frame at 1280x720 on one
 * core, stage by stage (budget: 4 ms in all), against the plain bilinear upsampling it replaces.
 * The scene is person-like: a soft-edged upright ellipse of probability at the model's 256x144 and
 * a textured camera frame whose edge is a few pixels off the mask's (as a real one is). The guide
 * is the frame's luma plane, whatever its chroma layout.
 *
 * Then the compositing it feeds, on both outputs (the virtual camera's 4:2:2 → YUYV, the files'
 * 4:4:4), and at 720p and 1080p the three upsampling modes per frame and the guided filter's
 * sub-stages (`guide`: the cells' luma and the filter's coefficients; `upsample`: the output
 * alpha and wrap weights). The mask and the compositors run on the WebAssembly kernels (as the
 * loop runs them), each beside its TypeScript reference.
 */

import { type ChromaLayout, type Frame, makeFrame } from "../../src/frame/frame.ts";
import type { Size } from "../../src/frame/geometry.ts";
import { RegionMap, resampleAlpha } from "../../src/frame/region.ts";
import { compositeFrame, compositeYuyv } from "../../src/image/composite.ts";
import { rgbToFrame } from "../../src/image/planar.ts";
import { Kernels } from "../../src/kernels/mod.ts";
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

/** The scene's camera frame at `size`, in `layout`. */
function cameraFrame(size: Size, layout: ChromaLayout): Frame {
  const { width, height } = size;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const person = inside(x + 3, y, width, height) > 0;
      const texture = (x * 7919 + y * 104729) % 23;
      rgb[i] = person ? 180 + texture : 60 + texture;
      rgb[i + 1] = person ? 140 + texture : 90 + texture;
      rgb[i + 2] = person ? 120 + texture : 160 + texture;
    }
  }
  const frame = makeFrame(size, layout);
  rgbToFrame(rgb, frame);
  return frame;
}

/** A busy background at `size`, in `layout`. */
function backgroundFrame(size: Size, layout: ChromaLayout): Frame {
  const frame = makeFrame(size, layout);
  rgbToFrame(new Uint8Array(size.width * size.height * 3).map((_, i) => (i * 31) & 255), frame);
  return frame;
}

const size = { width: W, height: H };
const region = { x: 0, y: 0, w: MW, h: MH };
const camera = cameraFrame(size, "422");

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
mask.render(camera.y);
Deno.bench("mask: temporal (per model run)", { group: "post 720p" }, () => {
  mask.ingest(probability);
});
Deno.bench(
  "mask: guided filter + tighten + wrap weights (per frame)",
  { group: "post 720p" },
  () => {
    mask.render(camera.y);
  },
);
Deno.bench("mask: all stages (defaults)", { group: "post 720p" }, () => {
  mask.ingest(probability);
  mask.render(camera.y);
});
const maskTs = new MaskPipeline({ model: { width: MW, height: MH }, region, output: size }, {}, {
  kernels: null,
});
maskTs.ingest(probability);
maskTs.render(camera.y);
Deno.bench("mask, TypeScript: all stages (defaults)", { group: "post 720p" }, () => {
  maskTs.ingest(probability);
  maskTs.render(camera.y);
});

// The virtual camera's output: the 4:2:2 frame blended and packed to YUYV in one pass.
const background = backgroundFrame(size, "422");
const yuyv = new Uint8Array(W * H * 2);
Deno.bench("composite 4:2:2 → YUYV: plain blend", { group: "compose 720p", baseline: true }, () => {
  compositeYuyv(camera, background, mask.alpha, yuyv, {});
});
Deno.bench("composite 4:2:2 → YUYV: with light wrap", { group: "compose 720p" }, () => {
  compositeYuyv(camera, background, mask.alpha, yuyv, { wrap: mask.wrap });
});
Deno.bench("composite 4:2:2 → YUYV: with light wrap and despill", { group: "compose 720p" }, () => {
  compositeYuyv(camera, background, mask.alpha, yuyv, { wrap: mask.wrap, despill: "green" });
});
// The same on the kernels, every buffer in their memory (as the loop has them).
const kernels = Kernels.shared();
const kCamera = kernels.place(camera), kBackground = kernels.place(background);
const kYuyv = kernels.arena.bytes(W * H * 2);
Deno.bench("composite 4:2:2 → YUYV, WebAssembly: plain blend", { group: "compose 720p" }, () => {
  kernels.compositeYuyv(kCamera, kBackground, mask.alpha, kYuyv, {});
});
Deno.bench(
  "composite 4:2:2 → YUYV, WebAssembly: with light wrap",
  { group: "compose 720p" },
  () => {
    kernels.compositeYuyv(kCamera, kBackground, mask.alpha, kYuyv, { wrap: mask.wrap });
  },
);
// The files' output: 4:4:4 frames, the edge band in RGB.
const camera444 = cameraFrame(size, "444");
const background444 = backgroundFrame(size, "444");
const out444 = makeFrame(size, "444");
Deno.bench("composite 4:4:4: plain blend", { group: "compose 720p" }, () => {
  compositeFrame(camera444, background444, mask.alpha, out444, {});
});
Deno.bench("composite 4:4:4: with light wrap and despill", { group: "compose 720p" }, () => {
  compositeFrame(camera444, background444, mask.alpha, out444, {
    wrap: mask.wrap,
    despill: "green",
  });
});
const kCamera444 = kernels.place(camera444), kBackground444 = kernels.place(background444);
const kOut444 = kernels.frame(size, "444");
Deno.bench("composite 4:4:4, WebAssembly: with light wrap", { group: "compose 720p" }, () => {
  kernels.compositeFrame(kCamera444, kBackground444, mask.alpha, kOut444, { wrap: mask.wrap });
});

for (const [name, width, height] of [["720p", 1280, 720], ["1080p", 1920, 1080]] as const) {
  const output = { width, height };
  const { y } = cameraFrame(output, "422");
  const group = `mask ${name}`;
  for (const upsample of ["guided", "bilateral", "bilinear"] as const) {
    const pipeline = new MaskPipeline({ model: { width: MW, height: MH }, region, output }, {
      upsample,
    });
    pipeline.ingest(probability);
    Deno.bench(`mask ${name}: render(y) per frame, ${upsample}`, {
      group,
      baseline: upsample === "guided",
    }, () => {
      pipeline.render(y);
    });
  }
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
  guided.setGuide(y);
  guided.solve();
  Deno.bench(`guide ${name}: setGuide(y) + solve()`, { group: `${group} stages` }, () => {
    guided.setGuide(y);
    guided.solve();
  });
  Deno.bench(`upsample ${name}: render(y)`, { group: `${group} stages` }, () => {
    guided.render(y, alpha, wrap);
  });
}
