/**
 * `deno task bench:stages`: the mask-aware blur in RGB (`render`) against the same blur in
 * planar YCbCr (`renderYuv`, from 4:2:2 and 4:2:0 camera frames) at 720p and 1080p, default
 * strength. The YCbCr path writes 2 bytes per pixel instead of 3 and should cost clearly less.
 */

import { DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "../../src/background/blur.ts";
import { makeYuvFrame, rgbToPlanar, type YuvFrame } from "../../src/image/planar.ts";

/** A camera-like frame (texture) with a person-like mask (an upright ellipse, soft edge). */
function scene(width: number, height: number): { frame: Uint8Array; mask: Uint8Array } {
  const frame = new Uint8Array(width * height * 3).map((_, i) => (i * 7919) % 251);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot((x - width / 2) / (width * 0.2), (y - height * 0.7) / (height * 0.6));
      mask[y * width + x] = Math.max(0, Math.min(255, Math.round((1.05 - d) * 2550)));
    }
  }
  return { frame, mask };
}

/** `frame` as 4:2:0: each chroma row the mean of two 4:2:2 rows. */
function to420(frame: YuvFrame): YuvFrame {
  const out = makeYuvFrame(frame.width, frame.height);
  out.y.set(frame.y);
  const cw = frame.width / 2;
  for (let r = 0; r < frame.height; r += 2) {
    const next = Math.min(r + 1, frame.height - 1);
    for (let c = 0; c < cw; c++) {
      out.u[(r >> 1) * cw + c] = (frame.u[r * cw + c]! + frame.u[next * cw + c]! + 1) >> 1;
      out.v[(r >> 1) * cw + c] = (frame.v[r * cw + c]! + frame.v[next * cw + c]! + 1) >> 1;
    }
  }
  out.chromaShift = 1;
  return out;
}

for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
  const { frame, mask } = scene(width, height);
  const yuv = makeYuvFrame(width, height);
  rgbToPlanar(frame, yuv);
  const yuv420 = to420(yuv);
  const blur = new MaskAwareBlur({ width, height, strength: DEFAULT_BLUR_STRENGTH });
  const group = `blur ${DEFAULT_BLUR_STRENGTH} ${width}x${height}`;
  Deno.bench(`render() RGB ${width}x${height}`, { group, baseline: true }, () => {
    blur.render({ frame, mask, timeMs: 0 });
  });
  Deno.bench(`renderYuv() 4:2:2 ${width}x${height}`, { group }, () => {
    blur.renderYuv({ frame: yuv, mask, timeMs: 0 });
  });
  Deno.bench(`renderYuv() 4:2:0 ${width}x${height}`, { group }, () => {
    blur.renderYuv({ frame: yuv420, mask, timeMs: 0 });
  });
}
