import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { frameToRgb, packYuyv, rgbToFrame } from "./planar.ts";
import { alphaToPreview, frameToPreview, previewSize, yuyvToPreview } from "./preview.ts";

Deno.test("previewSize divides by a whole factor, at most 640 wide", () => {
  assert.deepEqual(previewSize({ width: 1280, height: 720 }), {
    width: 640,
    height: 360,
    factor: 2,
  });
  assert.deepEqual(previewSize({ width: 1920, height: 1080 }), {
    width: 640,
    height: 360,
    factor: 3,
  });
  assert.deepEqual(previewSize({ width: 640, height: 480 }), {
    width: 640,
    height: 480,
    factor: 1,
  });
});

/** A picture of four coloured quadrants, as RGB. */
function quadrants(w: number, h: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  const colours = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [220, 220, 40]];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = colours[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)]!;
      rgb.set(c, (y * w + x) * 3);
    }
  }
  return rgb;
}

function near(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > tol) return false;
  return a.length === b.length;
}

Deno.test("frameToPreview and yuyvToPreview average the picture down, in its colours", () => {
  const w = 64, h = 32;
  const rgb = quadrants(w, h);
  const f444 = makeFrame({ width: w, height: h }, "444");
  rgbToFrame(rgb, f444);
  const f422 = makeFrame({ width: w, height: h }, "422");
  rgbToFrame(rgb, f422);
  const yuyv = new Uint8Array(w * h * 2);
  packYuyv(f422, yuyv);
  const p = previewSize({ width: w, height: h }, 32);
  assert.equal(p.factor, 2);
  // The reference: the quadrants at the preview's size.
  const want = quadrants(p.width, p.height);
  for (
    const [name, fill] of [
      ["444", (out: Uint8Array) => frameToPreview(f444, p, out)],
      ["422", (out: Uint8Array) => frameToPreview(f422, p, out)],
      ["yuyv", (out: Uint8Array) => yuyvToPreview(yuyv, { width: w, height: h }, p, out)],
    ] as const
  ) {
    const out = new Uint8Array(p.width * p.height * 3);
    fill(out);
    // Limited range costs a few levels; 4:2:2 chroma at the quadrant edge is averaged.
    let bad = 0;
    for (let i = 0; i < out.length; i++) if (Math.abs(out[i]! - want[i]!) > 4) bad++;
    assert.ok(bad <= p.height * 3 * 2, `${name}: ${bad} values off`);
  }
});

Deno.test("frameToPreview mirrors and flips; alphaToPreview too", () => {
  const w = 8, h = 4;
  const rgb = quadrants(w, h);
  const f = makeFrame({ width: w, height: h }, "444");
  rgbToFrame(rgb, f);
  const p = previewSize({ width: w, height: h });
  const plain = new Uint8Array(w * h * 3);
  frameToPreview(f, p, plain);
  const back = new Uint8Array(w * h * 3);
  frameToRgb(f, back);
  assert.ok(near(plain, back, 1), "factor 1: the picture itself");
  const turned = new Uint8Array(w * h * 3);
  frameToPreview(f, p, turned, true, true);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = ((h - 1 - y) * w + (w - 1 - x)) * 3;
      assert.deepEqual([...turned.subarray(a, a + 3)], [
        ...plain.subarray((y * w + x) * 3, (y * w + x) * 3 + 3),
      ]);
    }
  }
  const alpha = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) alpha[y * w + x] = 255;
  const gray = new Uint8Array(4 * 2);
  alphaToPreview(
    alpha,
    { width: w, height: h },
    previewSize({ width: w, height: h }, 4),
    gray,
    true,
  );
  assert.deepEqual([...gray], [0, 0, 255, 255, 0, 0, 255, 255]);
});
