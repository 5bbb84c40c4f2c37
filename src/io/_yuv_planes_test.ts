import assert from "node:assert/strict";
import { chromaHeight, chromaWidth, type Frame, makeFrame } from "../frame/frame.ts";
import {
  CHROMA_TO_FULL,
  CHROMA_TO_LIMITED,
  frameToRgb,
  LUMA_TO_FULL,
  LUMA_TO_LIMITED,
  rgbToFrame,
} from "../image/planar.ts";
import { i420ToRgb, rgbToI420 } from "../image/yuv.ts";
import { maxDiff } from "../../tests/fixtures/media.ts";
import { rgbToYuv444, y4mPlanesToRgb } from "../../tests/reference/y4m_rgb.ts";
import {
  frameToPlanes,
  type PlanarOptions,
  planeSizes,
  planesToFrame,
  type Subsampling,
} from "./_yuv_planes.ts";

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

/** Per-channel differences: the largest, and the share of values within 1. */
function compare(a: Uint8Array, b: Uint8Array): { max: number; within1: number } {
  let max = 0;
  let close = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    if (d <= 1) close++;
  }
  return { max, within1: close / a.length };
}

/** The RGB of a 4:4:4 frame read from `input`, and the old RGB decode of the same planes. */
function decodeBoth(input: Uint8Array, options: PlanarOptions): [Uint8Array, Uint8Array] {
  const expected = new Uint8Array(options.width * options.height * 3);
  y4mPlanesToRgb(input, expected, options);
  const frame = makeFrame(options, "444");
  planesToFrame(input, options, frame);
  assert.equal(frame.layout, "444");
  const rgb = new Uint8Array(expected.length);
  frameToRgb(frame, rgb);
  return [rgb, expected];
}

Deno.test("planesToFrame() into 4:4:4 is within 2 of the RGB decode for every layout", () => {
  const layouts: Subsampling[] = ["420", "422", "444", "mono"];
  for (const subsampling of layouts) {
    for (const range of ["limited", "full"] as const) {
      for (const [width, height] of [[18, 10], [17, 9], [1, 1], [2, 3], [641, 361]]) {
        const options = { width: width!, height: height!, subsampling, range };
        // Mostly in the limited range, 1 byte in 7 anything.
        const input = planes(planeSizes(options).total, width! * 31 + height!);
        const [rgb, expected] = decodeBoth(input, options);
        const { max, within1 } = compare(rgb, expected);
        const where = `${subsampling} ${range} ${width}x${height}: ${max}, ${within1}`;
        if (subsampling === "mono") {
          assert.equal(max, 0, where);
        } else if (range === "full") {
          // Y and even chroma copied, odd chroma the rounded mean: 100 % within 1 (measured).
          assert.ok(max <= 1, where);
        } else {
          // Limited: one rounding more than the old RGB decode (see the sweep below). Measured
          // on 641x361: 99.59 % of values within 1 for 4:2:0 and 4:2:2, 99.51 % for 4:4:4.
          assert.ok(max <= 2, where);
          if (width! > 100) assert.ok(within1 >= 0.99, where);
        }
      }
    }
  }
});

Deno.test("planesToFrame() into 4:4:4 is within 2 of the RGB decode for every limited colour", () => {
  // Every (Y 16…235, Cb 16…240, Cr 16…240) as one pixel of a 4:4:4 picture. The frame stores
  // full-range Y, Cb and Cr, each rounded from its limited value by a table, and frameToRgb
  // rounds again: one rounding more than the old decode straight to RGB, so some values are
  // 2 off. Measured: max 2; 99.68 % of the 33.4 million values within 1 (0.32 % 2 off, in 0.96 %
  // of the colours).
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
  const [rgb, expected] = decodeBoth(input, { width, height, subsampling: "444" });
  const { max, within1 } = compare(rgb, expected);
  assert.ok(max <= 2, `max ${max}`);
  assert.ok(within1 >= 0.99, `${within1} within 1`);
});

Deno.test("planesToFrame() into 4:4:4 sites 4:2:0 and 4:2:2 chroma as the old decode did", () => {
  // Pixel 2k: sample k; pixel 2k + 1: the mean of samples k and k + 1, rounded once (the last
  // repeats); a 4:2:0 chroma row serves two luma rows. Odd sizes and odd addresses included.
  for (const subsampling of ["420", "422"] as const) {
    for (const range of ["limited", "full"] as const) {
      for (const [width, height] of [[18, 10], [17, 9], [1, 1], [2, 3], [3, 2]]) {
        const options = { width: width!, height: height!, subsampling, range };
        const sizes = planeSizes(options);
        // In range (limited: out-of-range samples are redone through RGB, see below).
        const input = random(sizes.total, width! + 7 * height!).map((b) =>
          range === "full" ? b : 16 + (b * 220 >> 8)
        );
        const scale = (c: number) =>
          range === "full" ? c : Math.min(255, Math.max(0, 128 + (c - 128) * 255 / 224));
        const { chromaWidth: cw } = sizes;
        const expected = new Uint8Array(width! * height!);
        for (let row = 0, i = 0; row < height!; row++) {
          const c0 = sizes.luma + (subsampling === "420" ? row >> 1 : row) * cw;
          for (let x = 0; x < width!; x++, i++) {
            const k = x >> 1;
            const a = input[c0 + k]!;
            const b = input[c0 + Math.min(k + 1, cw - 1)]!;
            expected[i] = Math.round(scale((x & 1) === 0 ? a : (a + b) / 2));
          }
        }
        const frame = makeFrame(options, "444");
        planesToFrame(input, options, frame);
        const where = `${subsampling} ${range} ${width}x${height}`;
        assert.deepEqual(frame.u, expected, where);
        // The same at odd addresses (the byte-at-a-time path).
        const shifted = new Uint8Array(sizes.total + 1);
        shifted.set(input, 1);
        const odd = oddFrame(width!, height!);
        planesToFrame(shifted.subarray(1), options, odd);
        assert.deepEqual([odd.y, odd.u, odd.v], [frame.y, frame.u, frame.v], `${where} odd`);
      }
    }
  }
});

/** A 4:4:4 frame whose planes start at odd addresses. */
function oddFrame(width: number, height: number): Frame {
  const n = width * height;
  const plane = () => new Uint8Array(n + 1).subarray(1);
  return { width, height, y: plane(), u: plane(), v: plane(), layout: "444" };
}

Deno.test("planesToFrame() into 4:4:4 decodes out-of-range samples as the old decode did", () => {
  // Y outside 16…235 or chroma outside 16…240 (ffmpeg's 4:2:0 overshoots at sharp colour edges,
  // cameras record below black): a table would clamp each plane, the old decode clamped R, G
  // and B; the pixels using such a sample are redone its way, so they are within 1 of it.
  for (const subsampling of ["420", "422", "444"] as const) {
    for (const [width, height] of [[64, 48], [17, 9], [1, 1]]) {
      const options = { width: width!, height: height!, subsampling };
      const sizes = planeSizes(options);
      // Runs of in-range and out-of-range samples of every length, in every plane.
      const input = random(sizes.total, 11 * width! + height!).map((b, i) =>
        (i * 7 >> 5) % 3 === 0 ? b : 16 + (b * 220 >> 8)
      );
      const [rgb, expected] = decodeBoth(input, options);
      const { max, within1 } = compare(rgb, expected);
      const where = `${subsampling} ${width}x${height}`;
      assert.ok(max <= 2 && within1 > 0.99, `${where}: ${max}`);
      // The pixels using an out-of-range sample: within 1.
      const { chromaWidth: cw, luma: n, chroma: c } = sizes;
      const out = (i: number, hi: number) => input[i]! < 16 || input[i]! > hi;
      for (let row = 0, p = 0; row < height!; row++) {
        const c0 = n + (subsampling === "420" ? row >> 1 : row) * cw;
        for (let x = 0; x < width!; x++, p++) {
          const k = subsampling === "444" ? x : x >> 1;
          const k2 = subsampling !== "444" && (x & 1) === 1 ? Math.min(k + 1, cw - 1) : k;
          const uses = out(p, 235) || [k, k2].some((j) => out(c0 + j, 240) || out(c0 + j + c, 240));
          if (!uses) continue;
          for (let ch = 0; ch < 3; ch++) {
            const d = Math.abs(rgb[3 * p + ch]! - expected[3 * p + ch]!);
            assert.ok(d <= 1, `${where} pixel ${x},${row}: ${d}`);
          }
        }
      }
    }
    // Y 10, Cb 250, Cr 250: the old decode gives (188, 0, 239), tables alone (178, 0, 225).
    const options = { width: 2, height: 2, subsampling };
    const input = new Uint8Array(planeSizes(options).total).fill(250);
    input.fill(10, 0, 4);
    const [rgb, expected] = decodeBoth(input, options);
    assert.ok(maxDiff(rgb, expected) <= 1, `${subsampling}: ${rgb} vs ${expected}`);
  }
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
      // The mean of each pair, rounded once.
      const pairs = [...u].map((_, i) => (input[18 + 2 * i]! + input[19 + 2 * i]!) / 2);
      assert.deepEqual([...u], pairs.map((c) => Math.round(128 + (c - 128) * 255 / 224)));
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

Deno.test("frameToPlanes() 4:2:0 rounds each filtered chroma sample once", () => {
  // 128 + (mean − 128) · 224 / 255 rounded, the mean being the [1, 2, 1] ⊗ [1, 1] / 8 filter
  // (4:4:4 frames, column −1 is column 0) or of two rows (4:2:2 frames). Odd addresses too.
  const limited = (mean: number) => Math.floor(128 + (mean - 128) * 224 / 255 + 0.5);
  for (const [width, height] of [[18, 10], [2, 2], [64, 48]]) {
    const size = { width: width!, height: height! };
    const cw = width! / 2;
    for (const layout of ["444", "422"] as const) {
      const frame = makeFrame(size, layout);
      frame.y.set(random(frame.y.length, 2));
      frame.u.set(random(frame.u.length, 3));
      frame.v.set(random(frame.v.length, 4));
      const expected = new Uint8Array(width! * height! * 3 / 2);
      for (let i = 0; i < width! * height!; i++) expected[i] = LUMA_TO_LIMITED[frame.y[i]!]!;
      for (
        const [plane, base] of [[frame.u, width! * height!], [
          frame.v,
          width! * height! * 5 / 4,
        ]] as const
      ) {
        for (let j = 0, o = base; j < height! / 2; j++) {
          for (let k = 0; k < cw; k++, o++) {
            if (layout === "422") {
              expected[o] = limited((plane[2 * j * cw + k]! + plane[(2 * j + 1) * cw + k]!) / 2);
            } else {
              const at = (row: number, x: number) => plane[row * width! + Math.max(x, 0)]!;
              const col = (x: number) => at(2 * j, x) + at(2 * j + 1, x);
              expected[o] = limited((col(2 * k - 1) + 2 * col(2 * k) + col(2 * k + 1)) / 8);
            }
          }
        }
      }
      const actual = new Uint8Array(expected.length + 1).subarray(1);
      frameToPlanes(frame, actual, "420");
      assert.deepEqual(actual, expected, `${layout} ${width}x${height}`);
      const aligned = new Uint8Array(expected.length);
      frameToPlanes(frame, aligned, "420");
      assert.deepEqual(aligned, expected, `${layout} ${width}x${height} aligned`);
    }
  }
});
