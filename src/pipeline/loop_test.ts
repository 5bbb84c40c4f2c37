import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { readPng } from "../image/png.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter } from "../segment/segmenter.ts";
import { runPipeline } from "./loop.ts";
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
