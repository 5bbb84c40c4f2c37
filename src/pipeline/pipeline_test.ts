import assert from "node:assert/strict";
import { blend, flipHorizontal, flipVertical } from "./compose.ts";
import { coverRect, fitRect } from "./geometry.ts";
import { RegionMap, resampleAlpha, resampleRgb } from "./region.ts";

Deno.test("fitRect() letterboxes 4:3 into the 16:9 model input without stretching", () => {
  assert.deepEqual(fitRect(640, 480, { width: 256, height: 144 }), { x: 32, y: 0, w: 192, h: 144 });
  assert.deepEqual(fitRect(1280, 720, { width: 256, height: 144 }), { x: 0, y: 0, w: 256, h: 144 });
  assert.deepEqual(fitRect(720, 1280, { width: 256, height: 256 }), {
    x: 56,
    y: 0,
    w: 144,
    h: 256,
  });
});

Deno.test("coverRect() crops the centre to the output's aspect", () => {
  assert.deepEqual(coverRect(640, 480, { width: 1280, height: 720 }), {
    x: 0,
    y: 60,
    w: 640,
    h: 360,
  });
  assert.deepEqual(coverRect(640, 480, { width: 320, height: 240 }), {
    x: 0,
    y: 0,
    w: 640,
    h: 480,
  });
});

Deno.test("resampleRgb() copies an identical geometry exactly and halves by averaging", () => {
  const src = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => i * 10);
  const same = new Uint8Array(src.length);
  resampleRgb(
    src,
    4,
    new RegionMap({ width: 4, height: 2 }, { x: 0, y: 0, w: 4, h: 2 }, { width: 4, height: 2 }),
    same,
  );
  assert.deepEqual(same, src);
  const half = new Uint8Array(2 * 1 * 3);
  resampleRgb(
    src,
    4,
    new RegionMap({ width: 4, height: 2 }, { x: 0, y: 0, w: 4, h: 2 }, { width: 2, height: 1 }),
    half,
  );
  // Pixel (0.5, 0.5) of the source: mean of pixels 0, 1, 4, 5.
  for (let c = 0; c < 3; c++) {
    const mean = (src[c]! + src[3 + c]! + src[12 + c]! + src[15 + c]!) / 4;
    assert.equal(half[c], Math.round(mean));
  }
});

Deno.test("resampleAlpha() reads only the letterboxed content of the probability map", () => {
  // 4x2 map: columns 0 and 3 are padding (probability 1), the content (columns 1-2) is 0 / 0.5.
  const p = new Float32Array([1, 0, 0.5, 1, 1, 0, 0.5, 1]);
  const out = new Uint8Array(4);
  resampleAlpha(
    p,
    4,
    new RegionMap({ width: 4, height: 2 }, { x: 1, y: 0, w: 2, h: 2 }, { width: 4, height: 1 }),
    out,
  );
  assert.equal(out[0], 0); // clamped to the content's left edge, never the padding
  assert.equal(out[3], 128);
  assert.ok(out[1]! < out[2]!);
});

Deno.test("blend() mixes by alpha in fixed point with exact ends and rounding", () => {
  const fg = new Uint8Array([200, 100, 0, 200, 100, 0, 200, 100, 0]);
  const bg = new Uint8Array([0, 50, 255, 0, 50, 255, 0, 50, 255]);
  const out = new Uint8Array(9);
  blend(fg, bg, new Uint8Array([0, 255, 51]), out);
  assert.deepEqual([...out.subarray(0, 6)], [0, 50, 255, 200, 100, 0]);
  assert.deepEqual([...out.subarray(6)], [40, 60, 204]); // a = 0.2
});

Deno.test("flipHorizontal() and flipVertical() mirror in place", () => {
  const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i);
  flipHorizontal(rgb, 3, 2);
  assert.deepEqual([...rgb.subarray(0, 9)], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
  flipVertical(rgb, 3, 2, new Uint8Array(9));
  assert.deepEqual([...rgb.subarray(9)], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
});
