import assert from "node:assert/strict";
import {
  fillPlanar,
  makeYuvFrame,
  planarToRgb,
  rgbToPlanar,
  type YuvFrame,
} from "../image/planar.ts";
import { rgbToYuyv } from "../image/yuv.ts";
import { composite } from "./compose.ts";
import { compositeYuyv, mirrorYuyv, packYuyv } from "./compose_yuv.ts";
import { rng as mulberry32 } from "../../tests/fixtures/rng.ts";

const W = 64, H = 48;

/** A picture with smooth colour areas and a sharp edge, as 4:2:2 planes and as RGB. */
function picture(seed: number): { yuv: YuvFrame; rgb: Uint8Array } {
  const rand = mulberry32(seed);
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const edge = x > W / 2 ? 70 : 0;
      // Moderate saturation: every pair's shared chroma stays inside the RGB gamut.
      const grey = 40 + x / 2 + y / 2 + edge;
      rgb[o] = grey + 30 * Math.sin(y / 7) + rand() * 8;
      rgb[o + 1] = grey + 20 * Math.cos(x / 9) + rand() * 8;
      rgb[o + 2] = grey - 25 * Math.sin(x / 11) + rand() * 8;
    }
  }
  const yuv = makeYuvFrame(W, H);
  rgbToPlanar(rgb, yuv);
  // The RGB the planes stand for (chroma shared per pair), so both paths see the same picture.
  planarToRgb(yuv, rgb);
  return { yuv, rgb };
}

function softAlpha(seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const alpha = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = x - W / 3 - 4 * Math.sin(y / 5);
      alpha[y * W + x] = d < -6 ? 255 : d > 6 ? 0 : Math.round(((6 - d) / 12) * 255);
    }
  }
  for (let i = 0; i < 40; i++) alpha[Math.floor(rand() * alpha.length)] = Math.floor(rand() * 256);
  return alpha;
}

function maxAndMeanDiff(a: Uint8Array, b: Uint8Array): [number, number] {
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return [max, sum / a.length];
}

Deno.test("compositeYuyv() equals the RGB composite converted to YUYV", () => {
  const cam = picture(1), bg = picture(2);
  const alpha = softAlpha(3);
  const rgbOut = new Uint8Array(W * H * 3);
  composite(cam.rgb, bg.rgb, alpha, rgbOut);
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(rgbOut, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  compositeYuyv(cam.yuv, bg.yuv, alpha, got);
  const [max, mean] = maxAndMeanDiff(got, expected);
  assert.ok(max <= 3, `max diff ${max}`);
  assert.ok(mean < 0.6, `mean diff ${mean}`);
  // Somewhere the person and the background really differ, so the test means something.
  assert.notDeepEqual(got.subarray(0, W * 2), got.subarray(W * 2 * (H - 1)));
});

Deno.test("compositeYuyv() light wrap lifts the rim towards the background like the RGB screen", () => {
  const cam = makeYuvFrame(W, H), bg = makeYuvFrame(W, H);
  fillPlanar(cam, [100, 100, 100]);
  fillPlanar(bg, [250, 200, 40]);
  const alpha = new Uint8Array(W * H).fill(255);
  const wrap = new Uint8Array(W * H).fill(120);
  const camRgb = new Uint8Array(W * H * 3), bgRgb = new Uint8Array(W * H * 3);
  planarToRgb(cam, camRgb);
  planarToRgb(bg, bgRgb);
  const rgbOut = new Uint8Array(W * H * 3);
  composite(camRgb, bgRgb, alpha, rgbOut, { wrap });
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(rgbOut, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, got, { wrap });
  const [max] = maxAndMeanDiff(got, expected);
  assert.ok(max <= 2, `grey camera: wrap differs by ${max}`);
  const plain = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, plain);
  assert.ok(got[0]! > plain[0]! + 10, "the wrap brightens the rim");
});

Deno.test("compositeYuyv() takes 4:2:0 camera chroma row by row pair", () => {
  const cam = makeYuvFrame(4, 2), bg = makeYuvFrame(4, 2);
  cam.chromaShift = 1;
  cam.u.set([10, 20]); // one chroma row for both picture rows
  cam.v.set([30, 40]);
  const out = new Uint8Array(16);
  compositeYuyv(cam, bg, new Uint8Array(8).fill(255), out);
  const lc = (c: number) => Math.round(128 + ((c - 128) * 224) / 255);
  assert.deepEqual([out[1], out[5], out[9], out[13]], [lc(10), lc(20), lc(10), lc(20)]);
  assert.deepEqual([out[3], out[7], out[11], out[15]], [lc(30), lc(40), lc(30), lc(40)]);
});

Deno.test("packYuyv() is the limited-range packing of rgbToYuyv", () => {
  const cam = picture(4);
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(cam.rgb, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  packYuyv(cam.yuv, got);
  // Two roundings (RGB → full range, full → limited) against rgbToYuyv's one.
  const [max, mean] = maxAndMeanDiff(got, expected);
  assert.ok(max <= 2, `max diff ${max}`);
  assert.ok(mean < 0.3, `mean diff ${mean}`);
});

Deno.test("mirrorYuyv() reverses pixels and keeps each pair's chroma", () => {
  const yuyv = new Uint8Array([1, 100, 2, 200, 3, 101, 4, 201, 5, 102, 6, 202]);
  mirrorYuyv(yuyv, 6, 1);
  assert.deepEqual([...yuyv], [6, 102, 5, 202, 4, 101, 3, 201, 2, 100, 1, 200]);
});

Deno.test("compositeYuyv() rejects mismatched sizes in one line", () => {
  assert.throws(
    () =>
      compositeYuyv(makeYuvFrame(4, 2), makeYuvFrame(6, 2), new Uint8Array(8), new Uint8Array(16)),
    /Cannot composite: the background is 6x2/,
  );
});

Deno.test("compositeYuyv() despills the edge band as the RGB composite does", () => {
  // A person with a green cast on a green screen; a soft edge down the middle.
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) rgb.set([120, 190, 110], i * 3);
  const cam = makeYuvFrame(W, H), bg = makeYuvFrame(W, H);
  rgbToPlanar(rgb, cam);
  planarToRgb(cam, rgb);
  fillPlanar(bg, [40, 60, 200]);
  const bgRgb = new Uint8Array(W * H * 3);
  planarToRgb(bg, bgRgb);
  // A soft edge (12 px) that wanders, without softAlpha's lone spikes.
  const alpha = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = x - W / 3 - 4 * Math.sin(y / 5);
      alpha[y * W + x] = d < -6 ? 255 : d > 6 ? 0 : Math.round(((6 - d) / 12) * 255);
    }
  }
  for (const despill of ["green", "blue"] as const) {
    const rgbOut = new Uint8Array(W * H * 3);
    composite(rgb, bgRgb, alpha, rgbOut, { despill });
    const expected = new Uint8Array(W * H * 2);
    rgbToYuyv(rgbOut, expected, { width: W, height: H });
    const got = new Uint8Array(W * H * 2);
    compositeYuyv(cam, bg, alpha, got, { despill });
    // Luma per pixel as in RGB; where the band starts, the pair's chroma mixes a despilled and a
    // plain pixel half and half, rgbToYuyv's co-sited [1, 2, 1] filter otherwise: a quarter of
    // the despill's chroma change (~37 levels here), so ≤ 10.
    const [max, mean] = maxAndMeanDiff(got, expected);
    assert.ok(max <= 10 && mean < 0.5, `${despill}: max ${max}, mean ${mean}`);
  }
  const plain = new Uint8Array(W * H * 2), green = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, plain);
  compositeYuyv(cam, bg, alpha, green, { despill: "green" });
  const [changed] = maxAndMeanDiff(plain, green);
  assert.ok(changed >= 10, `despill changes the green edge (${changed})`);
});
