import assert from "node:assert/strict";
import { chromaHeight, type ChromaLayout, type Frame, makeFrame } from "../frame/frame.ts";
import { rng } from "../../tests/fixtures/rng.ts";
import { type OldPlanes, planarToRgb, rgbToPlanar } from "../../tests/reference/planar_422.ts";
import { flipHorizontal, flipVertical } from "../../tests/reference/rgb_composite.ts";
import {
  CHROMA_TO_LIMITED,
  clamp8,
  convertFrame,
  fillFrame,
  flipFrame,
  flipRows,
  frameToRgb,
  LUMA_TO_LIMITED,
  mirrorFrame,
  mirrorYuyv,
  packYuyv,
  rgbToFrame,
  YCBCR_TO_RGB,
  yuyvToFrame,
} from "./planar.ts";
import { readPng } from "./png.ts";
import { rgbToYuyv } from "./yuv.ts";

const REFERENCE = new URL("../../../shared/reference/images/", import.meta.url);
const PHOTOS = ["mpl_grace_hopper", "skimage_astronaut", "skimage_camera"];

function noise(length: number, seed: number): Uint8Array {
  const rand = rng(seed);
  return Uint8Array.from({ length }, () => Math.floor(rand() * 256));
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function oldPlanes(width: number, height: number): OldPlanes {
  const c = (width / 2) * height;
  return {
    width,
    height,
    y: new Uint8Array(width * height),
    u: new Uint8Array(c),
    v: new Uint8Array(c),
    chromaShift: 0,
  };
}

Deno.test("rgbToFrame() and frameToRgb() at 4:4:4 round-trip every RGB colour within 1", () => {
  // All 2^24 colours, 65 536 (one red level) at a time; measured: max 1, a third of values off.
  const f = makeFrame({ width: 256, height: 256 }, "444");
  const rgb = new Uint8Array(65536 * 3), back = new Uint8Array(65536 * 3);
  let worst = 0, off = 0;
  for (let r = 0; r < 256; r++) {
    for (let i = 0; i < 65536; i++) rgb.set([r, i >> 8, i & 255], i * 3);
    rgbToFrame(rgb, f);
    frameToRgb(f, back);
    for (let i = 0; i < back.length; i++) {
      const d = Math.abs(back[i]! - rgb[i]!);
      if (d > worst) worst = d;
      if (d !== 0) off++;
    }
  }
  assert.equal(worst, 1);
  assert.ok(off / (1 << 24) / 3 < 0.35, `${off} values off`);
});

Deno.test("frameToRgb() in whole numbers is the floating-point JFIF formula, every colour", () => {
  // All 2^24 (Y, Cb, Cr), one luma at a time, against the formula it replaced: round and clamp
  // Y + 1.402 Cr', Y − 0.344136 Cb' − 0.714136 Cr', Y + 1.772 Cb'. (Cb 78, Cr 178 is the one
  // exact tie, −18.5, that floating point rounds either way depending on Y: looked up per Y.)
  const { crR, cbG, crG, cbB } = YCBCR_TO_RGB;
  const f = makeFrame({ width: 256, height: 256 }, "444");
  for (let i = 0; i < 65536; i++) {
    f.u[i] = i >> 8;
    f.v[i] = i & 255;
  }
  const rgb = new Uint8Array(65536 * 3);
  for (let l = 0; l < 256; l++) {
    f.y.fill(l);
    frameToRgb(f, rgb);
    for (let i = 0; i < 65536; i++) {
      const cb = (i >> 8) - 128, cr = (i & 255) - 128;
      const r = clamp8(l + crR * cr), g = clamp8(l - cbG * cb - crG * cr), b = clamp8(l + cbB * cb);
      if (rgb[3 * i] !== r || rgb[3 * i + 1] !== g || rgb[3 * i + 2] !== b) {
        assert.fail(`Y ${l} Cb ${cb + 128} Cr ${cr + 128}: ${rgb.subarray(3 * i, 3 * i + 3)}`);
      }
    }
  }
});

Deno.test("rgbToFrame() and frameToRgb() at 4:4:4 round-trip the shared photos within 1", async () => {
  for (const name of PHOTOS) {
    const png = readPng(await Deno.readFile(new URL(`${name}.png`, REFERENCE)));
    const f = makeFrame(png, "444");
    rgbToFrame(png.data, f);
    const back = new Uint8Array(png.data.length);
    frameToRgb(f, back);
    const d = maxDiff(back, png.data);
    // Measured: 1, 1 and 0 (the camera photo is grey: Cb = Cr = 128 exactly).
    assert.ok(d <= (name === "skimage_camera" ? 0 : 1), `${name}: ${d}`);
  }
});

Deno.test("rgbToFrame() 4:4:4 keeps odd sizes and converts pure colours as JFIF", () => {
  const f = makeFrame({ width: 3, height: 1 }, "444");
  rgbToFrame(new Uint8Array([255, 0, 0, 0, 0, 255, 255, 255, 255]), f);
  assert.deepEqual([...f.y], [76, 29, 255]);
  assert.deepEqual([...f.u], [85, 255, 128]); // pure blue's Cb is 255.5: clamped
  assert.deepEqual([...f.v], [255, 107, 128]);
});

Deno.test("rgbToFrame() and frameToRgb() at 4:2:2 are today's rgbToPlanar and planarToRgb", () => {
  for (const [w, h] of [[64, 48], [2, 1], [6, 5]] as const) {
    const rgb = noise(w * h * 3, w + h);
    const old = oldPlanes(w, h);
    rgbToPlanar(rgb, old);
    const f = makeFrame({ width: w, height: h }, "422");
    rgbToFrame(rgb, f);
    assert.deepEqual(f.y, old.y);
    assert.deepEqual(f.u, old.u);
    assert.deepEqual(f.v, old.v);
    const a = new Uint8Array(w * h * 3), b = new Uint8Array(w * h * 3);
    planarToRgb(old, a);
    frameToRgb(f, b);
    assert.deepEqual(b, a);
  }
});

Deno.test("frameToRgb() at 4:2:0 is today's planarToRgb with chroma shift 1", () => {
  const w = 8, h = 5;
  const f = makeFrame({ width: w, height: h }, "422");
  f.layout = "420";
  f.y.set(noise(w * h, 1));
  const c = (w / 2) * chromaHeight(h, "420");
  f.u.set(noise(c, 2));
  f.v.set(noise(c, 3));
  const old: OldPlanes = { width: w, height: h, y: f.y, u: f.u, v: f.v, chromaShift: 1 };
  const a = new Uint8Array(w * h * 3), b = new Uint8Array(w * h * 3);
  planarToRgb(old, a);
  frameToRgb(f, b);
  assert.deepEqual(b, a);
});

Deno.test("rgbToFrame() at 4:2:0 averages 2x2 blocks (an odd last row with itself)", () => {
  const w = 4, h = 3;
  const rgb = noise(w * h * 3, 9);
  const f = makeFrame({ width: w, height: h }, "420");
  rgbToFrame(rgb, f);
  // Per-pixel Cb, Cr in floating point, then block means.
  const cb = (i: number) =>
    -0.168736 * rgb[i * 3]! - 0.331264 * rgb[i * 3 + 1]! + 0.5 * rgb[i * 3 + 2]! + 128;
  const cr = (i: number) =>
    0.5 * rgb[i * 3]! - 0.418688 * rgb[i * 3 + 1]! - 0.081312 * rgb[i * 3 + 2]! + 128;
  for (let row = 0; row < 2; row++) {
    for (let x = 0; x < 2; x++) {
      const r0 = 2 * row, r1 = Math.min(2 * row + 1, h - 1);
      const px = [r0 * w + 2 * x, r0 * w + 2 * x + 1, r1 * w + 2 * x, r1 * w + 2 * x + 1];
      const mb = px.reduce((s, i) => s + cb(i), 0) / 4;
      const mr = px.reduce((s, i) => s + cr(i), 0) / 4;
      assert.ok(Math.abs(f.u[row * 2 + x]! - Math.min(255, mb)) <= 0.51, `Cb ${row},${x}`);
      assert.ok(Math.abs(f.v[row * 2 + x]! - Math.min(255, mr)) <= 0.51, `Cr ${row},${x}`);
    }
  }
  // The same picture as 4:2:2 then convertFrame to 4:2:0: means of means, within a level.
  const f422 = makeFrame({ width: w, height: h }, "422"),
    via = makeFrame({ width: w, height: h }, "420");
  rgbToFrame(rgb, f422);
  convertFrame(f422, via);
  assert.deepEqual(via.y, f.y);
  assert.ok(maxDiff(via.u.subarray(0, 4), f.u.subarray(0, 4)) <= 1);
});

Deno.test("convertFrame() averages down and repeats up, keeping frameToRgb's picture", () => {
  const w = 6, h = 5;
  const layouts: ChromaLayout[] = ["444", "422", "420"];
  const frames = Object.fromEntries(
    layouts.map((l) => [l, makeFrame({ width: w, height: h }, l)]),
  ) as Record<ChromaLayout, Frame>;
  const rgb = noise(w * h * 3, 4);
  rgbToFrame(rgb, frames["444"]);
  // 444 → 422: pair means of the 4:4:4 chroma.
  convertFrame(frames["444"], frames["422"]);
  assert.equal(frames["422"].u[0], (frames["444"].u[0]! + frames["444"].u[1]! + 1) >> 1);
  // 422 → 420: means of row pairs; 444 → 420 directly: 2×2 means, within a level of the two steps.
  const viaPairs = makeFrame({ width: w, height: h }, "420");
  convertFrame(frames["422"], viaPairs);
  assert.equal(viaPairs.u[1], (frames["422"].u[1]! + frames["422"].u[4]! + 1) >> 1);
  assert.equal(viaPairs.u[6], frames["422"].u[12]); // the odd last row alone
  convertFrame(frames["444"], frames["420"]);
  const c = 3 * 3;
  assert.ok(maxDiff(viaPairs.u.subarray(0, c), frames["420"].u.subarray(0, c)) <= 1);
  // Up: repeated, so the RGB picture is the same.
  for (const from of ["422", "420"] as const) {
    for (const to of layouts) {
      if (to === from || (from === "422" && to === "420")) continue;
      const dst = makeFrame({ width: w, height: h }, to === "420" ? "422" : to);
      dst.layout = to;
      convertFrame(frames[from], dst);
      const a = new Uint8Array(w * h * 3), b = new Uint8Array(w * h * 3);
      frameToRgb(frames[from], a);
      frameToRgb(dst, b);
      assert.deepEqual(b, a, `${from} → ${to}`);
    }
  }
  // Same layout: a copy.
  const copy = makeFrame({ width: w, height: h }, "444");
  convertFrame(frames["444"], copy);
  assert.deepEqual(copy, frames["444"]);
  assert.throws(
    () => convertFrame(frames["444"], makeFrame({ width: 4, height: 5 }, "444")),
    /Cannot convert a 6x5 frame into a 4x5 one/,
  );
});

Deno.test("fillFrame() fills every layout with the colour rgbToFrame gives", () => {
  for (const layout of ["444", "422", "420"] as const) {
    const f = makeFrame({ width: 4, height: 3 }, layout);
    fillFrame(f, [0, 177, 64]);
    const one = makeFrame({ width: 1, height: 1 }, "444");
    rgbToFrame(new Uint8Array([0, 177, 64]), one);
    assert.ok(f.y.every((x) => x === one.y[0]) && f.u.every((x) => x === one.u[0]));
    assert.ok(f.v.every((x) => x === one.v[0]));
    assert.equal(f.layout, layout);
    const rgb = new Uint8Array(36);
    frameToRgb(f, rgb);
    assert.ok(maxDiff(rgb.subarray(0, 3), new Uint8Array([0, 177, 64])) <= 1);
  }
});

Deno.test("yuyvToFrame() expands to full range and packYuyv() packs back losslessly", () => {
  // Every limited-range value (luma 16 … 235, chroma 16 … 240) survives the trip.
  const w = 256, h = 1;
  const yuyv = new Uint8Array(w * h * 2);
  for (let i = 0; i < w / 2; i++) {
    yuyv.set([16 + (2 * i) % 220, 16 + i % 225, 16 + (2 * i + 1) % 220, 240 - i % 225], i * 4);
  }
  const f = makeFrame({ width: w, height: h }, "422");
  f.layout = "420";
  yuyvToFrame(yuyv, f);
  assert.equal(f.layout, "422");
  assert.equal(f.y[0], 0);
  const back = new Uint8Array(yuyv.length);
  packYuyv(f, back);
  assert.deepEqual(back, yuyv);
  assert.throws(() => yuyvToFrame(yuyv, makeFrame({ width: w, height: h }, "444")), RangeError);
  assert.throws(() => yuyvToFrame(yuyv.subarray(2), f), /Cannot unpack YUYV/);
});

Deno.test("packYuyv() is the limited-range packing of rgbToYuyv", () => {
  const W = 64, H = 48;
  const rand = rng(4);
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const grey = 40 + x / 2 + y / 2 + (x > W / 2 ? 70 : 0);
      rgb[o] = grey + 30 * Math.sin(y / 7) + rand() * 8;
      rgb[o + 1] = grey + 20 * Math.cos(x / 9) + rand() * 8;
      rgb[o + 2] = grey - 25 * Math.sin(x / 11) + rand() * 8;
    }
  }
  const f = makeFrame({ width: W, height: H }, "422");
  rgbToFrame(rgb, f);
  frameToRgb(f, rgb); // the RGB the planes stand for (chroma shared per pair)
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(rgb, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  packYuyv(f, got);
  // Two roundings (RGB → full range, full → limited) against rgbToYuyv's one.
  const max = maxDiff(got, expected);
  assert.ok(max <= 2, `max diff ${max}`);
  // 4:4:4 packs each pair's chroma mean: the same as converting to 4:2:2 first.
  const wide = makeFrame({ width: W, height: H }, "444"), narrow = makeFrame(wide, "422");
  rgbToFrame(rgb, wide);
  convertFrame(wide, narrow);
  const a = new Uint8Array(W * H * 2), b = new Uint8Array(W * H * 2);
  packYuyv(wide, a);
  packYuyv(narrow, b);
  assert.deepEqual(a, b);
});

Deno.test("packYuyv() takes 4:2:0 chroma row pair by row pair", () => {
  const f = makeFrame({ width: 4, height: 2 }, "422");
  f.layout = "420";
  f.u.set([10, 20]);
  f.v.set([30, 40]);
  const out = new Uint8Array(16);
  packYuyv(f, out);
  const lc = (c: number) => CHROMA_TO_LIMITED[c];
  assert.deepEqual([out[1], out[5], out[9], out[13]], [lc(10), lc(20), lc(10), lc(20)]);
  assert.deepEqual([out[3], out[7], out[11], out[15]], [lc(30), lc(40), lc(30), lc(40)]);
  assert.equal(out[0], LUMA_TO_LIMITED[0]);
});

function frameRgb(f: Frame): Uint8Array {
  const rgb = new Uint8Array(f.width * f.height * 3);
  frameToRgb(f, rgb);
  return rgb;
}

Deno.test("mirrorFrame() and flipFrame() mirror every layout as the RGB flips do", () => {
  for (const [layout, w, h] of [["444", 5, 3], ["422", 6, 4], ["420", 6, 4]] as const) {
    const f = makeFrame({ width: w, height: h }, layout);
    f.y.set(noise(f.y.length, 1));
    f.u.set(noise(f.u.length, 2));
    f.v.set(noise(f.v.length, 3));
    const rgb = frameRgb(f);
    mirrorFrame(f);
    flipHorizontal(rgb, w, h);
    assert.deepEqual(frameRgb(f), rgb, `${layout} mirror`);
    flipFrame(f, new Uint8Array(w));
    flipVertical(rgb, w, h, new Uint8Array(w * 3));
    assert.deepEqual(frameRgb(f), rgb, `${layout} flip`);
    assert.equal(f.layout, layout);
  }
  assert.throws(
    () => flipFrame(makeFrame({ width: 4, height: 2 }, "444"), new Uint8Array(3)),
    /Cannot flip/,
  );
});

Deno.test("flipFrame() of an odd-height 4:2:0 frame flips luma exactly, chroma by rows", () => {
  const f = makeFrame({ width: 2, height: 3 }, "422");
  f.layout = "420";
  f.y.set([1, 2, 3, 4, 5, 6]);
  f.u.set([10, 20]);
  flipFrame(f, new Uint8Array(2));
  assert.deepEqual([...f.y], [5, 6, 3, 4, 1, 2]);
  assert.deepEqual([...f.u.subarray(0, 2)], [20, 10]);
});

Deno.test("mirrorYuyv() reverses pixels and keeps each pair's chroma", () => {
  const yuyv = new Uint8Array([1, 100, 2, 200, 3, 101, 4, 201, 5, 102, 6, 202]);
  mirrorYuyv(yuyv, 6, 1);
  assert.deepEqual([...yuyv], [6, 102, 5, 202, 4, 101, 3, 201, 2, 100, 1, 200]);
});

Deno.test("flipRows() swaps whole rows in place", () => {
  const buf = Uint8Array.from({ length: 9 }, (_, i) => i);
  flipRows(buf, 3, 3, new Uint8Array(3));
  assert.deepEqual([...buf], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
});
