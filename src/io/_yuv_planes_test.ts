import assert from "node:assert/strict";
import { chromaHeight, chromaWidth, makeFrame } from "../frame/frame.ts";
import {
  CHROMA_TO_FULL,
  CHROMA_TO_LIMITED,
  frameToRgb,
  LUMA_TO_FULL,
  rgbToFrame,
} from "../image/planar.ts";
import { i420ToRgb, rgbToI420 } from "../image/yuv.ts";
import { maxDiff } from "../../tests/fixtures/media.ts";
import { rgbToYuv444, y4mPlanesToRgb } from "../../tests/reference/y4m_rgb.ts";
import { frameToPlanes, planeSizes, planesToFrame, type Subsampling } from "./_yuv_planes.ts";

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Random limited-range planes: mostly in 16…235/240, with some out-of-range bytes. */
function planes(n: number, seed: number): Uint8Array {
  return random(n, seed).map((b, i) => (i % 7 === 0 ? b : 16 + (b * 219 >> 8)));
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

Deno.test("the reference decode is the BT.601 decode of yuv.ts for even 4:2:0", () => {
  const size = { width: 18, height: 10 };
  const i420 = random(18 * 10 * 3 / 2, 7);
  const expected = new Uint8Array(18 * 10 * 3);
  const actual = new Uint8Array(18 * 10 * 3);
  i420ToRgb(i420, expected, size);
  y4mPlanesToRgb(i420, actual, { ...size, subsampling: "420" });
  assert.deepEqual(actual, expected);
});

Deno.test("planesToFrame() into 4:4:4 is within 1 of the RGB decode for every layout", () => {
  const layouts: Subsampling[] = ["420", "422", "444", "mono"];
  for (const subsampling of layouts) {
    for (const range of ["limited", "full"] as const) {
      for (const [width, height] of [[18, 10], [17, 9], [1, 1], [2, 3]]) {
        const options = { width: width!, height: height!, subsampling, range };
        const input = planes(planeSizes(options).total, width! * 31 + height!);
        const expected = new Uint8Array(width! * height! * 3);
        y4mPlanesToRgb(input, expected, options);
        const frame = makeFrame(options, "444");
        planesToFrame(input, options, frame);
        assert.equal(frame.layout, "444");
        const rgb = new Uint8Array(expected.length);
        frameToRgb(frame, rgb);
        // Mono is exact; the rest re-quantises to full-range Y, Cb, Cr (full-range 4:4:4 planes
        // are copied as they are, and the two decodes round their float matrices differently).
        const tolerance = subsampling === "mono" ? 0 : 1;
        const diff = maxDiff(rgb, expected);
        assert.ok(diff <= tolerance, `${subsampling} ${range} ${width}x${height}: ${diff}`);
      }
    }
  }
});

Deno.test("planesToFrame() into 4:4:4 is within 1 of the RGB decode for every limited colour", () => {
  // Every (Y 16…235, Cb 16…240, Cr 16…240) as one pixel of a 4:4:4 picture: a direct
  // limited → full table per plane would put 1 % of these 2 levels off.
  const width = 225 * 225;
  const height = 220;
  const n = width * height;
  const input = new Uint8Array(3 * n);
  for (let y = 0, i = 0; y < height; y++) {
    for (let c = 0; c < width; c++, i++) {
      input[i] = 16 + y;
      input[n + i] = 16 + Math.floor(c / 225);
      input[2 * n + i] = 16 + (c % 225);
    }
  }
  const options = { width, height, subsampling: "444" as const };
  const expected = new Uint8Array(3 * n);
  y4mPlanesToRgb(input, expected, options);
  const frame = makeFrame(options, "444");
  planesToFrame(input, options, frame);
  const rgb = new Uint8Array(3 * n);
  frameToRgb(frame, rgb);
  assert.ok(maxDiff(rgb, expected) <= 1);
});

Deno.test("planesToFrame() into a 4:2:2 frame copies through the range tables", () => {
  const width = 6;
  const height = 3;
  for (const subsampling of ["420", "422", "444", "mono"] as const) {
    const options = { width, height, subsampling };
    const sizes = planeSizes(options);
    const input = planes(sizes.total, 5);
    const frame = makeFrame(options, "422");
    planesToFrame(input, options, frame);
    assert.equal(frame.layout, subsampling === "420" ? "420" : "422", subsampling);
    assert.deepEqual(frame.y, input.subarray(0, 18).map((b) => LUMA_TO_FULL[b]!));
    const c = chromaWidth(width, frame.layout) * chromaHeight(height, frame.layout);
    const u = frame.u.subarray(0, c);
    if (subsampling === "mono") {
      assert.ok(u.every((b) => b === 128));
    } else if (subsampling === "444") {
      const pairs = u.map((_, i) => (input[18 + 2 * i]! + input[19 + 2 * i]! + 1) >> 1);
      assert.deepEqual(u, pairs.map((b) => CHROMA_TO_FULL[b]!));
    } else {
      assert.deepEqual(u, input.subarray(18, 18 + c).map((b) => CHROMA_TO_FULL[b]!));
      assert.deepEqual(
        frame.v.subarray(0, c),
        input.subarray(18 + c, 18 + 2 * c).map((b) => CHROMA_TO_FULL[b]!),
      );
    }
  }
  // Full range is a copy.
  const options = { width, height, subsampling: "422" as const, range: "full" as const };
  const input = random(planeSizes(options).total, 9);
  const frame = makeFrame(options, "422");
  planesToFrame(input, options, frame);
  assert.deepEqual([...frame.y, ...frame.u, ...frame.v], [...input]);
});

Deno.test("frameToPlanes() 4:2:0 is within 1 of rgbToI420 on the same picture", () => {
  for (const [width, height] of [[18, 10], [64, 48], [2, 2]]) {
    const size = { width: width!, height: height! };
    const rgb = random(width! * height! * 3, width!);
    const expected = new Uint8Array(width! * height! * 3 / 2);
    rgbToI420(rgb, expected, size);
    const frame = makeFrame(size, "444");
    rgbToFrame(rgb, frame);
    const actual = new Uint8Array(expected.length);
    frameToPlanes(frame, actual, "420");
    assert.ok(maxDiff(actual, expected) <= 1, `${width}x${height}`);
  }
  // Flat colours come out exactly.
  for (const colour of [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]) {
    const rgb = new Uint8Array(4 * 4 * 3).map((_, i) => colour[i % 3]!);
    const expected = new Uint8Array(24);
    rgbToI420(rgb, expected, { width: 4, height: 4 });
    const frame = makeFrame({ width: 4, height: 4 }, "444");
    rgbToFrame(rgb, frame);
    const actual = new Uint8Array(24);
    frameToPlanes(frame, actual, "420");
    assert.deepEqual(actual, expected, `${colour}`);
  }
});

Deno.test("frameToPlanes() 4:4:4 is within 1 of the old RGB → 4:4:4 writer", () => {
  for (const [width, height] of [[5, 3], [16, 9]]) {
    const size = { width: width!, height: height! };
    const rgb = random(width! * height! * 3, 3 + width!);
    const expected = new Uint8Array(rgb.length);
    rgbToYuv444(rgb, expected, size);
    const frame = makeFrame(size, "444");
    rgbToFrame(rgb, frame);
    const actual = new Uint8Array(rgb.length);
    frameToPlanes(frame, actual, "444");
    assert.ok(maxDiff(actual, expected) <= 1, `${width}x${height}`);
  }
});

Deno.test("frameToPlanes() takes 4:2:2 and 4:2:0 frames", () => {
  const size = { width: 4, height: 2 };
  const frame = makeFrame(size, "422");
  frame.y.set(random(8, 1));
  frame.u.set([10, 20, 30, 40]);
  frame.v.set([250, 240, 230, 220]);
  const out = new Uint8Array(12);
  frameToPlanes(frame, out, "420");
  const limited = (a: number, b: number) => Math.round(128 + ((a + b) / 2 - 128) * 224 / 255);
  assert.deepEqual([...out.subarray(8)], [
    limited(10, 30),
    limited(20, 40),
    limited(250, 230),
    limited(240, 220),
  ]);
  frame.layout = "420";
  frameToPlanes(frame, out, "420");
  assert.deepEqual([...out.subarray(8)], [10, 20, 250, 240].map((b) => CHROMA_TO_LIMITED[b]!));
  const wide = new Uint8Array(24);
  frameToPlanes(frame, wide, "444");
  const u = [10, 10, 20, 20].map((b) => CHROMA_TO_LIMITED[b]!);
  assert.deepEqual([...wide.subarray(8, 16)], [...u, ...u]);
  assert.throws(() => frameToPlanes(makeFrame({ width: 3, height: 2 }, "444"), wide, "420"));
});
