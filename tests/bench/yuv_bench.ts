/**
 * `deno task bench`: what the pixel format conversions cost per frame at 720p and 1080p — RGB →
 * YUYV / I420 / NV12 for the v4l2loopback output and YUYV / I420 / NV12 → RGB for the camera
 * input. Buffers are made once, outside the measured functions, as the live loop does.
 */

import {
  i420ToRgb,
  nv12ToRgb,
  rgbToI420,
  rgbToNv12,
  rgbToYuyv,
  yuvByteLength,
  yuyvToRgb,
} from "../../src/image/yuv.ts";

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
  const yuyv = new Uint8Array(yuvByteLength("yuyv", size));
  const i420 = new Uint8Array(yuvByteLength("i420", size));
  const nv12 = new Uint8Array(yuvByteLength("nv12", size));
  const back = new Uint8Array(rgb.length);
  rgbToYuyv(rgb, yuyv, size);
  rgbToI420(rgb, i420, size);
  rgbToNv12(rgb, nv12, size);

  const encode = `RGB to YUV ${name}`;
  Deno.bench(`rgbToYuyv ${name}`, { group: encode, baseline: true }, () => {
    rgbToYuyv(rgb, yuyv, size);
  });
  Deno.bench(`rgbToI420 ${name}`, { group: encode }, () => {
    rgbToI420(rgb, i420, size);
  });
  Deno.bench(`rgbToNv12 ${name}`, { group: encode }, () => {
    rgbToNv12(rgb, nv12, size);
  });

  const decode = `YUV to RGB ${name}`;
  Deno.bench(`yuyvToRgb ${name}`, { group: decode, baseline: true }, () => {
    yuyvToRgb(yuyv, back, size);
  });
  Deno.bench(`i420ToRgb ${name}`, { group: decode }, () => {
    i420ToRgb(i420, back, size);
  });
  Deno.bench(`nv12ToRgb ${name}`, { group: decode }, () => {
    nv12ToRgb(nv12, back, size);
  });
}
