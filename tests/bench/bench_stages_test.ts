import assert from "node:assert/strict";
import { makeFrame } from "../../src/frame/frame.ts";
import { FrameTiming } from "../../src/frame/timing.ts";
import { frameToRgb } from "../../src/image/planar.ts";
import type { RgbImage } from "../../src/image/types.ts";
import { BenchSource, encodeFrames, makeRgbFrames, NullSink } from "./bench_stages.ts";

/** A smooth 90×70 picture (odd width: only the frames made from it need even sizes). */
function picture(): RgbImage {
  const width = 90, height = 70;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[o++] = 40 + x * 2;
      data[o++] = 30 + y * 2;
      data[o++] = 120 + ((x + y) >> 1);
    }
  }
  return { width, height, data };
}

/** The mean absolute difference of two byte arrays. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

const SIZE = { width: 32, height: 24 };

Deno.test("makeRgbFrames() makes frames of the size that differ from one to the next", () => {
  const frames = makeRgbFrames(picture(), SIZE, 3);
  assert.equal(frames.length, 3);
  for (const f of frames) assert.equal(f.length, 32 * 24 * 3);
  assert.ok(meanDiff(frames[0]!, frames[1]!) > 0.5, "the crop moves");
  // Cover-scaled: the frame's centre shows the picture's centre colour (x 45, y 35).
  const c = ((12 * 32) + 16) * 3;
  assert.ok(Math.abs(frames[0]![c]! - 130) <= 6, `red ${frames[0]![c]}`);
  assert.ok(Math.abs(frames[0]![c + 1]! - 100) <= 6, `green ${frames[0]![c + 1]}`);
});

for (const input of ["yuyv", "mjpg"] as const) {
  Deno.test(`BenchSource decodes ${input} frames with the real decoder and times it`, async () => {
    const rgb = makeRgbFrames(picture(), SIZE, 2);
    const encoded = encodeFrames(rgb, SIZE, input);
    const source = new BenchSource(encoded, SIZE, input, 3);
    try {
      assert.deepEqual(source.size, SIZE);
      const frame = makeFrame(SIZE, "422");
      const t = new FrameTiming();
      const back = new Uint8Array(rgb[0]!.length);
      for (let i = 0; i < 3; i++) {
        t.reset();
        assert.equal(await source.read(frame, t), true);
        assert.ok(t.decode >= 0, `decode ${t.decode}`);
        assert.equal(frame.layout, "422", "both formats come 4:2:2");
        frameToRgb(frame, back);
        const diff = meanDiff(back, rgb[i % 2]!);
        assert.ok(diff < 3, `frame ${i} decodes to its picture (mean diff ${diff})`);
      }
      assert.equal(await source.read(frame, t), false);
    } finally {
      await source.close();
    }
  });
}

Deno.test("BenchSource fills 4:4:4 frames when made for them", async () => {
  const rgb = makeRgbFrames(picture(), SIZE, 1);
  const source = new BenchSource(encodeFrames(rgb, SIZE, "mjpg"), SIZE, "mjpg", 1, {
    layout: "444",
  });
  try {
    const frame = makeFrame(SIZE, "444");
    assert.equal(await source.read(frame, new FrameTiming()), true);
    assert.equal(frame.layout, "444");
  } finally {
    await source.close();
  }
});

Deno.test("BenchSource paces frames like a camera when asked", async () => {
  const encoded = encodeFrames(makeRgbFrames(picture(), SIZE, 1), SIZE, "yuyv");
  const source = new BenchSource(encoded, SIZE, "yuyv", 4, { paceFps: 50 });
  const frame = makeFrame(SIZE, "422");
  const t0 = performance.now();
  while (await source.read(frame, new FrameTiming()));
  const ms = performance.now() - t0;
  await source.close();
  assert.ok(ms >= 55, `4 frames at 50 fps take 3 intervals, got ${ms.toFixed(1)} ms`);
});

Deno.test("NullSink takes YUYV and counts", async () => {
  const sink = new NullSink(SIZE);
  assert.equal(sink.kind, "yuyv");
  assert.equal(sink.yuyv.length, 32 * 24 * 2);
  await sink.commit(new FrameTiming());
  await sink.commit(new FrameTiming());
  assert.equal(sink.frames, 2);
  assert.throws(() => new NullSink({ width: 3, height: 2 }), RangeError);
  await sink.close();
});
