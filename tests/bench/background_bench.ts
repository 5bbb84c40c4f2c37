/**
 * `deno task bench`: what a background costs per frame. The mask-aware blur is the default
 * background and runs on every frame: its target is well under 3 ms at 1280x720 on one core.
 */

import { MaskAwareBlur } from "../../src/background/blur.ts";

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

for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
  const { frame, mask } = scene(width, height);
  for (const strength of [12, 4, 40]) {
    const blur = new MaskAwareBlur({ width, height, strength });
    const { factor } = blur.plan;
    Deno.bench(
      `blur ${strength} ${width}x${height} (1/${factor} scale)`,
      { group: `blur ${width}x${height}`, baseline: strength === 12 },
      () => {
        blur.render({ frame, mask, timeMs: 0 });
      },
    );
  }
}
