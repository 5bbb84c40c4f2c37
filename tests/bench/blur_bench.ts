/**
 * `deno task bench:stages`: the mask-aware blur in each layout it draws in, at 720p and 1080p,
 * default strength: 4:2:2 (the virtual camera) from 4:2:2 and 4:2:0 camera frames, and 4:4:4
 * (files). 4:2:2 writes 2 bytes per pixel instead of 3 and should cost clearly less.
 */

import { DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "../../src/background/blur.ts";
import { type ChromaLayout, makeFrame } from "../../src/frame/frame.ts";
import { convertFrame, rgbToFrame } from "../../src/image/planar.ts";

/** A camera-like picture (texture) with a person-like mask (an upright ellipse, soft edge). */
function scene(width: number, height: number): { rgb: Uint8Array; mask: Uint8Array } {
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7919) % 251);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot((x - width / 2) / (width * 0.2), (y - height * 0.7) / (height * 0.6));
      mask[y * width + x] = Math.max(0, Math.min(255, Math.round((1.05 - d) * 2550)));
    }
  }
  return { rgb, mask };
}

for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
  const size = { width, height };
  const { rgb, mask } = scene(width, height);
  const full = makeFrame(size, "444");
  rgbToFrame(rgb, full);
  /** The picture as a camera gives it (a 4:2:0 one in a frame made 4:2:2). */
  const camera = (layout: ChromaLayout) => {
    const frame = makeFrame(size, layout === "444" ? "444" : "422");
    frame.layout = layout;
    convertFrame(full, frame);
    return frame;
  };
  const cam422 = camera("422"), cam420 = camera("420");
  const half = new MaskAwareBlur({ size, layout: "422", strength: DEFAULT_BLUR_STRENGTH });
  const wide = new MaskAwareBlur({ size, layout: "444", strength: DEFAULT_BLUR_STRENGTH });
  const group = `blur ${DEFAULT_BLUR_STRENGTH} ${width}x${height}`;
  Deno.bench(`render() 4:2:2 → 4:2:2 ${width}x${height}`, { group, baseline: true }, () => {
    half.render({ frame: cam422, mask, timeMs: 0 });
  });
  Deno.bench(`render() 4:2:0 → 4:2:2 ${width}x${height}`, { group }, () => {
    half.render({ frame: cam420, mask, timeMs: 0 });
  });
  Deno.bench(`render() 4:4:4 → 4:4:4 ${width}x${height}`, { group }, () => {
    wide.render({ frame: full, mask, timeMs: 0 });
  });
}
