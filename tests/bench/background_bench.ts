/**
 * `deno task bench`: what a background costs per frame. The mask-aware blur is the default
 * background and runs on every frame: its target is well under 3 ms at 1280x720 on one core, in
 * the virtual camera's 4:2:2 (and the files' 4:4:4 at the default strength for comparison).
 */

import { MaskAwareBlur } from "../../src/background/blur.ts";
import { makeFrame, type WorkingLayout } from "../../src/frame/frame.ts";
import { rgbToFrame } from "../../src/image/planar.ts";

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

const CASES: [WorkingLayout, number][] = [["422", 12], ["422", 4], ["422", 40], ["444", 12]];

for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
  const size = { width, height };
  const { rgb, mask } = scene(width, height);
  for (const [layout, strength] of CASES) {
    const frame = makeFrame(size, layout);
    rgbToFrame(rgb, frame);
    const blur = new MaskAwareBlur({ size, layout, strength });
    const { factor } = blur.plan;
    Deno.bench(
      `blur ${strength} ${layout} ${width}x${height} (1/${factor} scale)`,
      { group: `blur ${width}x${height}`, baseline: strength === 12 && layout === "422" },
      () => {
        blur.render({ frame, mask, timeMs: 0 });
      },
    );
  }
}
