import assert from "node:assert/strict";
import { i420ToRgb, rgbToYuyv, yuyvToRgb } from "../image/yuv.ts";
import { planarToRgb, planeSizes, rgbToYuv444 } from "./_planar.ts";

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

Deno.test("planeSizes() rounds odd chroma sizes up like ffmpeg", () => {
  assert.deepEqual(planeSizes({ width: 5, height: 3, subsampling: "420" }), {
    luma: 15,
    chromaWidth: 3,
    chromaHeight: 2,
    chroma: 6,
    total: 27,
  });
  assert.equal(planeSizes({ width: 4, height: 2, subsampling: "422" }).total, 16);
  assert.equal(planeSizes({ width: 4, height: 2, subsampling: "444" }).total, 24);
  assert.equal(planeSizes({ width: 4, height: 2, subsampling: "mono" }).total, 8);
});

Deno.test("planarToRgb() gives the same bytes as i420ToRgb() for 4:2:0", () => {
  const size = { width: 18, height: 10 };
  const i420 = random(18 * 10 * 3 / 2, 7);
  const expected = new Uint8Array(18 * 10 * 3);
  const actual = new Uint8Array(18 * 10 * 3);
  i420ToRgb(i420, expected, size);
  planarToRgb(i420, actual, { ...size, subsampling: "420" });
  assert.deepEqual(actual, expected);
});

Deno.test("planarToRgb() gives the same bytes as yuyvToRgb() for 4:2:2", () => {
  const width = 10;
  const height = 4;
  const planar = random(width * height * 2, 3);
  const yuyv = new Uint8Array(width * height * 2);
  const luma = width * height;
  for (let i = 0; i < luma / 2; i++) {
    yuyv.set(
      [planar[2 * i]!, planar[luma + i]!, planar[2 * i + 1]!, planar[luma * 1.5 + i]!],
      i * 4,
    );
  }
  const expected = new Uint8Array(luma * 3);
  const actual = new Uint8Array(luma * 3);
  yuyvToRgb(yuyv, expected, { width, height });
  planarToRgb(planar, actual, { width, height, subsampling: "422" });
  assert.deepEqual(actual, expected);
});

Deno.test("rgbToYuv444() uses the BT.601 limited-range matrix of yuv.ts", () => {
  // A flat row through rgbToYuyv has unfiltered chroma, so both must agree exactly.
  const colours = random(3 * 64, 11);
  for (let i = 0; i < 64; i++) {
    const rgb = new Uint8Array(6);
    rgb.set(colours.subarray(i * 3, i * 3 + 3));
    rgb.set(colours.subarray(i * 3, i * 3 + 3), 3);
    const yuyv = new Uint8Array(4);
    rgbToYuyv(rgb, yuyv, { width: 2, height: 1 });
    const yuv = new Uint8Array(6);
    rgbToYuv444(rgb, yuv, { width: 2, height: 1 });
    assert.deepEqual([yuv[0], yuv[2], yuv[4]], [yuyv[0], yuyv[1], yuyv[3]]);
  }
});

Deno.test("planarToRgb() reads mono and full range", () => {
  const rgb = new Uint8Array(6);
  planarToRgb(new Uint8Array([16, 235]), rgb, { width: 2, height: 1, subsampling: "mono" });
  assert.deepEqual(rgb, new Uint8Array([0, 0, 0, 255, 255, 255]));
  planarToRgb(new Uint8Array([7, 200]), rgb, {
    width: 2,
    height: 1,
    subsampling: "mono",
    range: "full",
  });
  assert.deepEqual(rgb, new Uint8Array([7, 7, 7, 200, 200, 200]));
  // Full-range red (JPEG): Y 76, Cb 85, Cr 255 (255.5 before clamping, so R comes out 254).
  planarToRgb(new Uint8Array([76, 85, 255]), rgb, {
    width: 1,
    height: 1,
    subsampling: "444",
    range: "full",
  });
  assert.deepEqual([...rgb.subarray(0, 3)], [254, 0, 0]);
});
