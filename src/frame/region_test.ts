import assert from "node:assert/strict";
import { makeFrame } from "./frame.ts";
import {
  FrameRegionMaps,
  RegionMap,
  resampleAlpha,
  resampleFrame,
  resamplePlane,
} from "./region.ts";

const whole = (width: number, height: number) => ({ x: 0, y: 0, w: width, h: height });

Deno.test("resamplePlane() copies an identical geometry exactly and halves by averaging", () => {
  const src = Uint8Array.from({ length: 4 * 2 }, (_, i) => i * 30);
  const same = new Uint8Array(src.length);
  resamplePlane(
    src,
    4,
    new RegionMap({ width: 4, height: 2 }, whole(4, 2), { width: 4, height: 2 }),
    same,
  );
  assert.deepEqual(same, src);
  const half = new Uint8Array(2);
  resamplePlane(
    src,
    4,
    new RegionMap({ width: 4, height: 2 }, whole(4, 2), { width: 2, height: 1 }),
    half,
  );
  // Pixel (0.5, 0.5) of the source: mean of pixels 0, 1, 4, 5; (2.5, 0.5): of 2, 3, 6, 7.
  assert.equal(half[0], Math.round((src[0]! + src[1]! + src[4]! + src[5]!) / 4));
  assert.equal(half[1], Math.round((src[2]! + src[3]! + src[6]! + src[7]!) / 4));
});

Deno.test("RegionMap.update() moves the region without allocating", () => {
  const src = Uint8Array.from({ length: 8 }, (_, i) => i * 10);
  const map = new RegionMap({ width: 8, height: 1 }, { x: 0, y: 0, w: 4, h: 1 }, {
    width: 4,
    height: 1,
  });
  const { x0 } = map;
  const out = new Uint8Array(4);
  resamplePlane(src, 8, map, out);
  assert.deepEqual([...out], [0, 10, 20, 30]);
  map.update({ width: 8, height: 1 }, { x: 4, y: 0, w: 4, h: 1 });
  assert.equal(map.x0, x0);
  resamplePlane(src, 8, map, out);
  assert.deepEqual([...out], [40, 50, 60, 70]);
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

Deno.test("resampleFrame() crops luma and both half-width chroma layouts to the same picture", () => {
  const size = { width: 64, height: 48 };
  const src422 = makeFrame(size, "422"), src420 = makeFrame(size, "422");
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) src422.y[y * 64 + x] = src420.y[y * 64 + x] = x * 4;
    for (let c = 0; c < 32; c++) {
      src422.u[y * 32 + c] = 100 + (y >> 1) * 4; // constant over row pairs: 4:2:0 says the same
      src422.v[y * 32 + c] = 50 + c * 5;
    }
  }
  src420.layout = "420";
  for (let r = 0; r < 24; r++) {
    for (let c = 0; c < 32; c++) {
      src420.u[r * 32 + c] = 100 + r * 4;
      src420.v[r * 32 + c] = 50 + c * 5;
    }
  }
  const rect = { x: 16, y: 8, w: 32, h: 24 };
  const maps = new FrameRegionMaps(size, rect, size);
  const a = makeFrame(size, "422"), b = makeFrame(size, "422");
  resampleFrame(src422, maps, a);
  resampleFrame(src420, maps, b);
  assert.equal(b.layout, "422");
  // Luma: the crop of a ramp x·4 from x = 16 scaled 2×: about 64 + 2·x_out.
  assert.ok(Math.abs(a.y[10]! - (64 + 2 * 10 - 1)) <= 2, `luma ${a.y[10]}`);
  // Cb: from 100 + 4·(8/2) at the top of the crop; Cr: the column ramp scaled likewise.
  let worst = 0;
  for (let i = 0; i < a.u.length; i++) {
    worst = Math.max(worst, Math.abs(a.u[i]! - b.u[i]!), Math.abs(a.v[i]! - b.v[i]!));
  }
  assert.ok(worst <= 3, `4:2:0 and 4:2:2 differ by ${worst}`);
  assert.ok(Math.abs(a.v[5]! - (50 + 5 * (8 + 5 / 2 - 0.25))) <= 3, `Cr ${a.v[5]}`);
  assert.ok(a.u[40 * 32]! > a.u[0]! + 30, "Cb grows downwards");
});

Deno.test("resampleFrame() takes 4:4:4 chroma through the luma map", () => {
  const src = makeFrame({ width: 9, height: 7 }, "444");
  for (let i = 0; i < src.y.length; i++) {
    src.y[i] = (i * 7) & 255;
    src.u[i] = (i * 13) & 255;
    src.v[i] = (i * 29) & 255;
  }
  const crop = { x: 1.5, y: 0.75, w: 6, h: 5.5 };
  const out = makeFrame({ width: 5, height: 4 }, "444");
  const maps = new FrameRegionMaps(src, crop, out);
  resampleFrame(src, maps, out);
  const map = new RegionMap(src, crop, out);
  for (const plane of ["y", "u", "v"] as const) {
    const want = new Uint8Array(20);
    resamplePlane(src[plane], 9, map, want);
    assert.deepEqual(out[plane], want, plane);
  }
  assert.equal(maps.chroma("444"), maps.luma);
  // The identity geometry copies; an odd width is fine at 4:4:4.
  const copy = makeFrame(src, "444");
  resampleFrame(src, new FrameRegionMaps(src, whole(9, 7), src), copy);
  assert.deepEqual(copy, src);
});

Deno.test("FrameRegionMaps.update() moves the crop of luma and chroma maps made so far", () => {
  const size = { width: 16, height: 4 };
  const src = makeFrame(size, "422");
  for (let x = 0; x < 16; x++) for (let y = 0; y < 4; y++) src.y[y * 16 + x] = x * 10;
  for (let c = 0; c < 8; c++) for (let y = 0; y < 4; y++) src.u[y * 8 + c] = c * 20;
  const out = makeFrame({ width: 8, height: 4 }, "422");
  const maps = new FrameRegionMaps(size, { x: 0, y: 0, w: 8, h: 4 }, out);
  resampleFrame(src, maps, out);
  assert.deepEqual([...out.y.subarray(0, 8)], [0, 10, 20, 30, 40, 50, 60, 70]);
  assert.deepEqual([...out.u.subarray(0, 4)], [0, 20, 40, 60]);
  maps.update({ x: 8, y: 0, w: 8, h: 4 });
  resampleFrame(src, maps, out);
  assert.deepEqual([...out.y.subarray(0, 8)], [80, 90, 100, 110, 120, 130, 140, 150]);
  assert.deepEqual([...out.u.subarray(0, 4)], [80, 100, 120, 140]);
  // A 4:2:0 map made after the update starts at the new crop too.
  src.layout = "420";
  for (let c = 0; c < 8; c++) for (let r = 0; r < 2; r++) src.u[r * 8 + c] = c * 20;
  resampleFrame(src, maps, out);
  assert.deepEqual([...out.u.subarray(0, 4)], [80, 100, 120, 140]);
});

Deno.test("resampleFrame() rejects an output of another size or layout family", () => {
  const src = makeFrame({ width: 8, height: 4 }, "444");
  const maps = new FrameRegionMaps(src, whole(8, 4), { width: 4, height: 2 });
  assert.throws(
    () => resampleFrame(src, maps, makeFrame({ width: 4, height: 4 }, "444")),
    /Cannot resample into a 4x4 frame: the maps make 4x2/,
  );
  assert.throws(
    () => resampleFrame(src, maps, makeFrame({ width: 4, height: 2 }, "422")),
    /Cannot resample a 444 frame into a 422 one/,
  );
});
