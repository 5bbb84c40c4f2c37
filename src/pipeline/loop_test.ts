import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { readPng } from "../image/png.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter } from "../segment/segmenter.ts";
import { solidBackground } from "../background/still.ts";
import { type YuvFrame, yuyvToPlanar } from "../image/planar.ts";
import { rgbToYuyv } from "../image/yuv.ts";
import { runPipeline, yuvPathBlocker } from "./loop.ts";
import { MemorySink, MemorySource } from "./memory.ts";
import type { Background } from "./types.ts";

const SHARED = join(decodeURIComponent(new URL("../../..", import.meta.url).pathname), "shared");

function colour(rgb: [number, number, number], size: number): Background {
  const buf = new Uint8Array(size * 3);
  for (let i = 0; i < size; i++) buf.set(rgb, i * 3);
  return {
    description: "test colour",
    passthrough: false,
    render: () => buf,
    close: () => Promise.resolve(),
  };
}

async function photo(): Promise<{ width: number; height: number; data: Uint8Array }> {
  return readPng(await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")));
}

Deno.test("runPipeline() keeps the person and replaces the background (exact mode)", async () => {
  const img = await photo();
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const source = new MemorySource([img.data], { width: img.width, height: img.height, count: 3 });
  const sink = new MemorySink({ width: img.width, height: img.height });
  const stats = await runPipeline({
    source,
    sink,
    background: colour([0, 255, 0], img.width * img.height),
    segmenter: seg,
    mode: "exact",
  });
  assert.equal(sink.frames, 3);
  assert.equal(stats.totalModelRuns, 3);
  const px = (
    x: number,
    y: number,
  ) => [...sink.last.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
  const src = (
    x: number,
    y: number,
  ) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
  // Grace Hopper's face (centre, upper third) is kept; the top corners are background.
  const cx = Math.round(img.width / 2);
  const cy = Math.round(img.height * 0.35);
  assert.deepEqual(px(cx, cy), src(cx, cy));
  assert.deepEqual(px(5, 5), [0, 255, 0]);
  assert.deepEqual(px(img.width - 5, 5), [0, 255, 0]);
});

Deno.test("runPipeline() in live mode composes every frame while the model runs beside", async () => {
  const img = await photo();
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const source = new MemorySource([img.data], { width: img.width, height: img.height, count: 40 });
  const sink = new MemorySink({ width: 320, height: 180 });
  const stats = await runPipeline({
    source,
    sink,
    background: colour([0, 0, 255], 320 * 180),
    segmenter: seg,
    mode: "live",
    mirror: true,
  });
  assert.equal(sink.frames, 40);
  assert.ok(
    stats.totalModelRuns >= 1 && stats.totalModelRuns <= 40,
    `${stats.totalModelRuns} runs`,
  );
  // Output 320x180 is a centred 16:9 crop of the 512x600-ish portrait: corners are background.
  assert.deepEqual([...sink.last.subarray(0, 3)], [0, 0, 255]);
});

Deno.test("runPipeline() passes the camera through when the background is off", async () => {
  const img = await photo();
  const source = new MemorySource([img.data], { width: img.width, height: img.height, count: 2 });
  const sink = new MemorySink({ width: img.width, height: img.height });
  const off: Background = {
    description: "off",
    passthrough: true,
    render: (c) => c.frame,
    close: () => Promise.resolve(),
  };
  await runPipeline({ source, sink, background: off, segmenter: null, mode: "live" });
  assert.deepEqual(sink.last, img.data);
});

Deno.test("runPipeline() stops after the current frame when aborted", async () => {
  const img = await photo();
  const controller = new AbortController();
  const source = new MemorySource([img.data], {
    width: img.width,
    height: img.height,
    count: 1000,
  });
  const sink = new MemorySink({ width: img.width, height: img.height }, (_f, i) => {
    if (i === 4) controller.abort();
  });
  const off: Background = {
    description: "off",
    passthrough: true,
    render: (c) => c.frame,
    close: () => Promise.resolve(),
  };
  await runPipeline({
    source,
    sink,
    background: off,
    segmenter: null,
    mode: "live",
    signal: controller.signal,
  });
  assert.equal(sink.frames, 5);
});

/** The photo cut to an even width (YUYV needs pixel pairs). */
async function evenPhoto(): Promise<{ width: number; height: number; data: Uint8Array }> {
  const img = await photo();
  const width = img.width & ~1;
  const data = new Uint8Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++) {
    data.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  }
  return { width, height: img.height, data };
}

/** Share of bytes within `tol` of each other, and the mean difference. */
function agreement(a: Uint8Array, b: Uint8Array, tol: number): { within: number; mean: number } {
  let n = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d <= tol) n++;
    sum += d;
  }
  return { within: n / a.length, mean: sum / a.length };
}

const FAST_CASES: { mirror?: boolean; flip?: boolean; despill?: "green" }[] = [
  {},
  { mirror: true, flip: true },
  { despill: "green" },
];
for (const options of FAST_CASES) {
  const label = options.mirror ? " (mirrored and flipped)" : options.despill ? " (despill)" : "";
  Deno.test(`runPipeline() takes the YCbCr fast path and matches the RGB path${label}`, async () => {
    const img = await evenPhoto();
    const size = { width: img.width, height: img.height };
    using ort = OnnxRuntime.load();
    using seg = Segmenter.open(ort, await resolveModel("landscape"));
    const background = solidBackground([30, 200, 60], size);
    const base = { background, segmenter: seg, mode: "exact" as const, ...options };
    const fastSink = new MemorySink({ ...size, yuyv: true });
    const fastSource = new MemorySource([img.data], { ...size, count: 3, yuv: true });
    assert.equal(yuvPathBlocker({ ...base, source: fastSource, sink: fastSink }), null);
    await runPipeline({ ...base, source: fastSource, sink: fastSink });
    assert.equal(fastSink.yuyvFrames, 3);
    assert.equal(fastSink.frames, 0, "no RGB frame on the fast path");

    const rgbSink = new MemorySink({ ...size, yuyv: true });
    const rgbSource = new MemorySource([img.data], { ...size, count: 3, yuv: true });
    await runPipeline({ ...base, source: rgbSource, sink: rgbSink, path: "rgb" });
    assert.equal(rgbSink.frames, 3);
    const expected = new Uint8Array(img.width * img.height * 2);
    rgbToYuyv(rgbSink.last, expected, size);
    const { within, mean } = agreement(fastSink.lastYuyv, expected, 6);
    assert.ok(within > 0.995, `${(within * 100).toFixed(2)}% of bytes within ±6`);
    assert.ok(mean < 0.8, `mean difference ${mean}`);
    // The background really was replaced: the green is there.
    const green = new Uint8Array(4);
    rgbToYuyv(new Uint8Array([30, 200, 60, 30, 200, 60]), green, { width: 2, height: 1 });
    // The top-left is background (after a flip it is in the last row).
    const corner = options.flip ? (img.height - 1) * img.width * 2 : 0;
    assert.ok(Math.abs(fastSink.lastYuyv[corner]! - green[0]!) <= 2, "a top corner is background");
  });
}

Deno.test("runPipeline() passes a YUYV camera through the fast path losslessly (background off)", async () => {
  const img = await evenPhoto();
  const size = { width: img.width, height: img.height };
  const camera = new Uint8Array(img.width * img.height * 2);
  rgbToYuyv(img.data, camera, size);
  let left = 2;
  const source = {
    ...size,
    fps: 30,
    description: "yuyv camera",
    read: () => Promise.reject(new Error("the fast path reads planes")),
    readYuv: (into: YuvFrame) => {
      yuyvToPlanar(camera, into);
      return Promise.resolve(left-- > 0);
    },
    close: () => Promise.resolve(),
  };
  const sink = new MemorySink({ ...size, yuyv: true });
  await runPipeline({
    source,
    sink,
    background: {
      description: "off",
      passthrough: true,
      render: (c) => c.frame,
      close: () => Promise.resolve(),
    },
    segmenter: null,
    mode: "live",
  });
  assert.equal(sink.yuyvFrames, 2);
  assert.deepEqual(sink.lastYuyv, camera);
});

Deno.test("yuvPathBlocker() says why the fast path is not taken", () => {
  const size = { width: 64, height: 48 };
  const background = solidBackground([0, 0, 0], size);
  const base = { background, segmenter: null, mode: "live" as const };
  const yuvSource = new MemorySource([new Uint8Array(64 * 48 * 3)], { ...size, yuv: true });
  assert.equal(
    yuvPathBlocker({
      ...base,
      source: new MemorySource([], size),
      sink: new MemorySink({ ...size, yuyv: true }),
    }),
    "the source gives RGB",
  );
  assert.equal(
    yuvPathBlocker({ ...base, source: yuvSource, sink: new MemorySink(size) }),
    "the output takes RGB only",
  );
  assert.equal(
    yuvPathBlocker({
      ...base,
      source: yuvSource,
      sink: new MemorySink({ width: 33, height: 24, yuyv: true }),
    }),
    "a width is odd",
  );
});

Deno.test("runPipeline() crops and scales on the fast path as the RGB path does", async () => {
  const img = await evenPhoto();
  const size = { width: img.width, height: img.height };
  const out = { width: 320, height: 180 };
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const background = solidBackground([200, 40, 90], out);
  const base = { background, segmenter: seg, mode: "exact" as const };
  const fast = new MemorySink({ ...out, yuyv: true });
  await runPipeline({
    ...base,
    source: new MemorySource([img.data], { ...size, count: 2, yuv: true }),
    sink: fast,
  });
  assert.equal(fast.yuyvFrames, 2);
  const slow = new MemorySink({ ...out, yuyv: true });
  await runPipeline({
    ...base,
    source: new MemorySource([img.data], { ...size, count: 2, yuv: true }),
    sink: slow,
    path: "rgb",
  });
  const expected = new Uint8Array(320 * 180 * 2);
  rgbToYuyv(slow.last, expected, out);
  const { within, mean } = agreement(fast.lastYuyv, expected, 6);
  assert.ok(within > 0.99, `${(within * 100).toFixed(2)}% of bytes within ±6`);
  assert.ok(mean < 1, `mean difference ${mean}`);
});

Deno.test("runPipeline() in live mode skips model runs while the scene is still, not when it moves", async () => {
  const img = await evenPhoto();
  const size = { width: img.width, height: img.height };
  // The same photo shifted by 12 px: a person moving.
  const moved = new Uint8Array(img.data.length);
  moved.set(img.data.subarray(12 * 3));
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const run = async (frames: Uint8Array[], motion: false | { maxIntervalMs: number }) => {
    const sink = new MemorySink({ ...size, yuyv: true });
    const stats = await runPipeline({
      source: new MemorySource(frames, { ...size, count: 30, yuv: true }),
      sink,
      background: solidBackground([0, 0, 0], size),
      segmenter: seg,
      mode: "live",
      motion,
    });
    assert.equal(sink.yuyvFrames, 30);
    return stats.totalModelRuns;
  };
  const never = { maxIntervalMs: 1e9 };
  assert.equal(await run([img.data], never), 1, "a still scene: only the first frame's run");
  const moving = await run([img.data, moved], never);
  assert.ok(moving > 1, `a moving scene runs the model again (${moving} runs)`);
  const ungated = await run([img.data], false);
  assert.ok(ungated > 1, `without the gate the model runs whenever free (${ungated} runs)`);
});
