/**
 * `deno task bench:stages`: what the pixel conversions of the one internal frame cost per frame
 * at 720p and 1080p. The virtual camera's output: a 4:2:2 frame packed as YUYV (`packYuyv`, a
 * passthrough frame or a still background) and the YUYV repacked as I420 / NV12 for a loopback
 * of those formats (`yuyvTo420`). The camera's input: YUYV unpacked to a 4:2:2 frame
 * (`yuyvToFrame`). The edges of files: RGB to and from a 4:4:4 frame (`rgbToFrame`,
 * `frameToRgb`: an ffmpeg or image source, a PNG writer) and the layout changes between 4:4:4 and
 * 4:2:2 (`convertFrame`). Buffers are made once, outside the measured functions, as the live
 * loop does.
 *
 * @module
 */

import { makeFrame } from "../../src/frame/frame.ts";
import {
  convertFrame,
  frameToRgb,
  packYuyv,
  rgbToFrame,
  yuyvToFrame,
} from "../../src/image/planar.ts";
import { yuyvTo420 } from "../../src/image/yuv.ts";

const SIZES = [
  { name: "720p", width: 1280, height: 720 },
  { name: "1080p", width: 1920, height: 1080 },
] as const;

for (const { name, width, height } of SIZES) {
  const size = { width, height };
  // A smooth picture with some noise, so that neither the data nor the branches are uniform.
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const noise = (i * 7919) % 17;
      rgb[i] = (x * 255 / width + noise) & 255;
      rgb[i + 1] = (y * 255 / height + noise) & 255;
      rgb[i + 2] = ((x + y) * 127 / (width + height) + 2 * noise) & 255;
    }
  }
  const f444 = makeFrame(size, "444");
  const f422 = makeFrame(size, "422");
  rgbToFrame(rgb, f444);
  rgbToFrame(rgb, f422);
  const camera = makeFrame(size, "422");
  const yuyv = new Uint8Array(width * height * 2);
  const out420 = new Uint8Array(width * height * 3 / 2);
  const back = new Uint8Array(rgb.length);
  packYuyv(f422, yuyv);

  const output = `frame to virtual camera ${name}`;
  Deno.bench(`packYuyv 422 ${name}`, { group: output, baseline: true }, () => {
    packYuyv(f422, yuyv);
  });
  Deno.bench(`yuyvTo420 i420 ${name}`, { group: output }, () => {
    yuyvTo420(yuyv, out420, "i420", size);
  });
  Deno.bench(`yuyvTo420 nv12 ${name}`, { group: output }, () => {
    yuyvTo420(yuyv, out420, "nv12", size);
  });

  Deno.bench(`yuyvToFrame ${name}`, { group: `camera to frame ${name}` }, () => {
    yuyvToFrame(yuyv, camera);
  });

  const edges = `RGB edges and layouts ${name}`;
  Deno.bench(`rgbToFrame 444 ${name}`, { group: edges, baseline: true }, () => {
    rgbToFrame(rgb, f444);
  });
  Deno.bench(`frameToRgb 444 ${name}`, { group: edges }, () => {
    frameToRgb(f444, back);
  });
  Deno.bench(`rgbToFrame 422 ${name}`, { group: edges }, () => {
    rgbToFrame(rgb, f422);
  });
  Deno.bench(`frameToRgb 422 ${name}`, { group: edges }, () => {
    frameToRgb(f422, back);
  });
  Deno.bench(`convertFrame 444→422 ${name}`, { group: edges }, () => {
    convertFrame(f444, f422);
  });
  Deno.bench(`convertFrame 422→444 ${name}`, { group: edges }, () => {
    convertFrame(f422, f444);
  });
}
