import assert from "node:assert/strict";
import type { RgbImage } from "../image/types.ts";
import { coverCrop, coverScale, halve } from "./cover.ts";

function image(
  width: number,
  height: number,
  f: (x: number, y: number) => [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 3);
  }
  return { width, height, data };
}

function cover(src: RgbImage, width: number, height: number): Uint8Array {
  const dst = new Uint8Array(width * height * 3);
  coverScale(src, dst, { width, height });
  return dst;
}

Deno.test("coverCrop() scales by the larger ratio and crops the centre", () => {
  assert.deepEqual(coverCrop({ width: 1000, height: 1000 }, { width: 1280, height: 720 }), {
    x: 0,
    y: 218.75,
    w: 1000,
    h: 562.5,
    scale: 1.28,
  });
  assert.deepEqual(coverCrop({ width: 1920, height: 1080 }, { width: 1280, height: 720 }), {
    x: 0,
    y: 0,
    w: 1920,
    h: 1080,
    scale: 2 / 3,
  });
  const tall = coverCrop({ width: 3000, height: 1000 }, { width: 640, height: 480 });
  assert.equal(tall.h, 1000);
  assert.equal(tall.x, (3000 - tall.w) / 2);
});

Deno.test("coverScale() keeps a circle round", () => {
  // A white circle of radius 100 in a 400x300 picture: at 1280x720 the scale is 3.2.
  const src = image(
    400,
    300,
    (x, y) => Math.hypot(x + 0.5 - 200, y + 0.5 - 150) < 100 ? [255, 255, 255] : [0, 0, 0],
  );
  const W = 1280, H = 720;
  const out = cover(src, W, H);
  const white = (x: number, y: number): boolean => out[(y * W + x) * 3]! >= 128;
  let left = W, right = -1, top = H, bottom = -1;
  for (let x = 0; x < W; x++) {
    if (white(x, H / 2)) left = Math.min(left, x), right = Math.max(right, x);
  }
  for (let y = 0; y < H; y++) {
    if (white(W / 2, y)) top = Math.min(top, y), bottom = Math.max(bottom, y);
  }
  const width = right - left + 1, height = bottom - top + 1;
  assert.ok(Math.abs(width - 640) <= 4, `width ${width}`);
  assert.ok(Math.abs(height - 640) <= 4, `height ${height}`);
  assert.ok(Math.abs(width - height) <= 2, `${width} vs ${height}`);
  // Centred: as much space on each side.
  assert.ok(Math.abs(left - (W - 1 - right)) <= 2, `left ${left}, right ${W - 1 - right}`);
  assert.ok(Math.abs(top - (H - 1 - bottom)) <= 2, `top ${top}, bottom ${H - 1 - bottom}`);
});

Deno.test("coverScale() crops a wide picture's sides and a tall one's ends evenly", () => {
  const bands = image(300, 100, (x) => x < 100 ? [255, 0, 0] : x < 200 ? [0, 255, 0] : [0, 0, 255]);
  const wide = cover(bands, 50, 50); // shows the middle 100x100: all green
  for (let i = 0; i < wide.length; i += 3) {
    assert.deepEqual([...wide.subarray(i, i + 3)], [0, 255, 0]);
  }
  const rows = image(60, 180, (_, y) => y < 60 ? [255, 0, 0] : y < 120 ? [0, 255, 0] : [0, 0, 255]);
  const tall = cover(rows, 60, 60);
  for (let i = 0; i < tall.length; i += 3) {
    assert.deepEqual([...tall.subarray(i, i + 3)], [0, 255, 0]);
  }
});

Deno.test("coverScale() averages when it shrinks a lot (no aliasing)", () => {
  const checker = image(400, 400, (x, y) => (x + y) % 2 ? [255, 255, 255] : [0, 0, 0]);
  const out = cover(checker, 50, 50);
  for (const v of out) assert.ok(Math.abs(v - 128) <= 2, `${v}`);
});

Deno.test("coverScale() leaves a same-size picture unchanged", () => {
  const src = image(32, 24, (x, y) => [x * 8, y * 10, (x * y) % 256]);
  assert.deepEqual(cover(src, 32, 24), src.data);
});

Deno.test("coverScale() rejects a destination that is too small", () => {
  assert.throws(
    () => coverScale(image(4, 4, () => [0, 0, 0]), new Uint8Array(10), { width: 4, height: 4 }),
    /Cannot cover-scale into 10 bytes: 4x4 RGB needs 48/,
  );
});

Deno.test("halve() averages 2x2 blocks, odd edges with themselves", () => {
  const src = image(3, 3, (x, y) => [x * 100, y * 100, 0]);
  const half = halve(src);
  assert.equal(half.width, 2);
  assert.equal(half.height, 2);
  assert.deepEqual([...half.data], [50, 50, 0, 200, 50, 0, 50, 200, 0, 200, 200, 0]);
});
