import assert from "node:assert/strict";
import { join } from "node:path";
import { type Frame, makeFrame } from "../frame/frame.ts";
import type { Size } from "../frame/geometry.ts";
import type { FrameSink, FrameSource } from "../frame/stages.ts";
import { frameToRgb, yuyvToFrame } from "../image/planar.ts";
import { readPng } from "../image/png.ts";
import { rgbToYuyv } from "../image/yuv.ts";
import { cliStageFactory } from "../cli/stage_factory.ts";
import { MemorySink, MemorySource, MemoryYuyvSink } from "../../tests/fakes/memory_stages.ts";
import { Pipeline, type PipelineOptions } from "./loop.ts";
import { defaultSettings, type Settings } from "./settings.ts";
import type { Stats } from "./stats.ts";

const SHARED = join(decodeURIComponent(new URL("../../..", import.meta.url).pathname), "shared");

const SETTINGS: Settings = defaultSettings({ background: "#00ff00" });

async function photo(even = false): Promise<{ width: number; height: number; data: Uint8Array }> {
  const img = readPng(
    await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")),
  );
  if (!even || img.width % 2 === 0) return img;
  const width = img.width & ~1;
  const data = new Uint8Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++) {
    data.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  }
  return { width, height: img.height, data };
}

/** Opens a pipeline on real stages (backgrounds, the model on ONNX Runtime), runs it, closes it. */
async function run(
  source: FrameSource,
  sink: FrameSink,
  settings: Partial<Settings>,
  extra: Partial<PipelineOptions> = {},
): Promise<Stats> {
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source,
    sink,
    factory,
    settings: { ...SETTINGS, ...settings },
    mode: "exact",
    ...extra,
  });
  return await pipeline.run();
}

function rgbAt(rgb: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 3;
  return [...rgb.subarray(i, i + 3)];
}

function near(a: number[], b: number[], tol: number): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tol);
}

Deno.test("Pipeline keeps the person and replaces the background (exact mode, a file's 4:4:4)", async () => {
  const img = await photo();
  const source = MemorySource.fromRgb([img.data], img, { count: 3 });
  const sink = new MemorySink(img);
  const stats = await run(source, sink, {});
  assert.equal(sink.count, 3);
  assert.equal(stats.totalModelRuns, 3);
  const out = sink.rgb();
  // Grace Hopper's face (centre, upper third) is kept; the top corners are background. 4:4:4
  // frames keep the photo's colours within ±1 (one RGB → YCbCr → RGB round trip).
  const cx = Math.round(img.width / 2);
  const cy = Math.round(img.height * 0.35);
  assert.ok(near(rgbAt(out, img.width, cx, cy), rgbAt(img.data, img.width, cx, cy), 1));
  assert.ok(near(rgbAt(out, img.width, 5, 5), [0, 255, 0], 1));
  assert.ok(near(rgbAt(out, img.width, img.width - 5, 5), [0, 255, 0], 1));
});

Deno.test("Pipeline in live mode composes every frame while the model runs beside", async () => {
  const img = await photo();
  const source = MemorySource.fromRgb([img.data], img, { count: 40 });
  const sink = new MemorySink({ width: 320, height: 180 }, { keep: 1 });
  const stats = await run(source, sink, { background: "#0000ff", mirror: true }, {
    mode: "live",
  });
  assert.equal(sink.count, 40);
  assert.ok(
    stats.totalModelRuns >= 1 && stats.totalModelRuns <= 40,
    `${stats.totalModelRuns} runs`,
  );
  // Output 320x180 is a centred 16:9 crop of the 512x600 portrait: corners are background.
  assert.ok(near(rgbAt(sink.rgb(), 320, 0, 0), [0, 0, 255], 1));
});

Deno.test("Pipeline passes the camera through when the background is off", async () => {
  const img = await photo();
  const source = MemorySource.fromRgb([img.data], img, { count: 2 });
  const sink = new MemorySink(img);
  const stats = await run(source, sink, { background: "off" }, { mode: "live" });
  assert.equal(stats.totalModelRuns, 0);
  assert.deepEqual(sink.last, source.frames[0], "the frame itself, unchanged");
});

Deno.test("Pipeline stops after the current frame when aborted", async () => {
  const img = await photo();
  const controller = new AbortController();
  const source = MemorySource.fromRgb([img.data], img, { count: 1000 });
  const sink = new MemorySink(img, {
    keep: 1,
    onFrame: (_f, i) => {
      if (i === 4) controller.abort();
    },
  });
  await run(source, sink, { background: "off" }, { mode: "live", signal: controller.signal });
  assert.equal(sink.count, 5);
});

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

/** The same input through the virtual camera's path (4:2:2 → YUYV) and a file's (4:4:4). */
async function bothPaths(
  out: Size,
  settings: Partial<Settings>,
): Promise<{ yuyv: Uint8Array; expected: Uint8Array; width: number; height: number }> {
  const img = await photo(true);
  const camera = MemorySource.fromRgb([img.data], img, { count: 3, layout: "422" });
  const yuyvSink = new MemoryYuyvSink(out);
  await run(camera, yuyvSink, settings);
  assert.equal(yuyvSink.count, 3);
  const file = MemorySource.fromRgb([img.data], img, { count: 3 });
  const planar = new MemorySink(out);
  await run(file, planar, settings);
  const expected = new Uint8Array(out.width * out.height * 2);
  rgbToYuyv(planar.rgb(), expected, out);
  return { yuyv: yuyvSink.last, expected, ...out };
}

const CASES: Partial<Settings>[] = [
  { background: "#1ec83c" },
  { background: "#1ec83c", mirror: true, flip: true },
  { background: "#1ec83c", despill: "green" },
];
for (const settings of CASES) {
  const label = settings.mirror ? " (mirrored and flipped)" : settings.despill ? " (despill)" : "";
  Deno.test(`the virtual camera's YUYV path agrees with a file's 4:4:4 path${label}`, async () => {
    const img = await photo(true);
    const { yuyv, expected } = await bothPaths(img, settings);
    const { within, mean } = agreement(yuyv, expected, 6);
    assert.ok(within > 0.995, `${(within * 100).toFixed(2)}% of bytes within ±6`);
    assert.ok(mean < 0.8, `mean difference ${mean}`);
    // The background really was replaced: the green is there (after a flip in the last row).
    const green = new Uint8Array(4);
    rgbToYuyv(new Uint8Array([30, 200, 60, 30, 200, 60]), green, { width: 2, height: 1 });
    const corner = settings.flip ? (img.height - 1) * img.width * 2 : 0;
    assert.ok(Math.abs(yuyv[corner]! - green[0]!) <= 2, "a top corner is background");
  });
}

Deno.test("the YUYV path crops and scales (--vg) as the file path does", async () => {
  const { yuyv, expected } = await bothPaths({ width: 320, height: 180 }, {
    background: "#c8285a",
  });
  const { within, mean } = agreement(yuyv, expected, 6);
  assert.ok(within > 0.99, `${(within * 100).toFixed(2)}% of bytes within ±6`);
  assert.ok(mean < 1, `mean difference ${mean}`);
});

Deno.test("Pipeline passes a YUYV camera to the virtual camera losslessly (background off)", async () => {
  const img = await photo(true);
  const camera = new Uint8Array(img.width * img.height * 2);
  rgbToYuyv(img.data, camera, img);
  let left = 2;
  const source: FrameSource = {
    size: img,
    fps: 30,
    description: "yuyv camera",
    read: (into: Frame) => {
      yuyvToFrame(camera, into);
      return Promise.resolve(left-- > 0);
    },
    close: () => Promise.resolve(),
  };
  const sink = new MemoryYuyvSink(img);
  await run(source, sink, { background: "off" }, { mode: "live" });
  assert.equal(sink.count, 2);
  assert.deepEqual(sink.last, camera);
});

Deno.test("Pipeline feeds the virtual camera from an odd-width file (4:4:4 read, 4:2:2 after the crop)", async () => {
  const full = await photo();
  // The photo less one column: 511 pixels wide.
  const width = full.width - 1 + (full.width % 2);
  const data = new Uint8Array(width * full.height * 3);
  for (let y = 0; y < full.height; y++) {
    data.set(full.data.subarray(y * full.width * 3, (y * full.width + width) * 3), y * width * 3);
  }
  const img = { width, height: full.height, data };
  assert.equal(img.width % 2, 1, "the picture is odd");
  const source = MemorySource.fromRgb([img.data], img, { count: 2 });
  const out = { width: img.width - 1, height: img.height };
  const sink = new MemoryYuyvSink(out);
  await run(source, sink, { background: "#0000ff" });
  assert.equal(sink.count, 2);
  const frame = makeFrame(out, "422");
  yuyvToFrame(sink.last, frame);
  const rgb = new Uint8Array(out.width * out.height * 3);
  frameToRgb(frame, rgb);
  assert.ok(near(rgbAt(rgb, out.width, 4, 4), [0, 0, 255], 3));
});

Deno.test("Pipeline in live mode skips model runs while the scene is still, not when it moves", async () => {
  const img = await photo(true);
  // The same photo shifted by 12 px: a person moving.
  const moved = new Uint8Array(img.data.length);
  moved.set(img.data.subarray(12 * 3));
  const count = async (pictures: Uint8Array[], motion: false | { maxIntervalMs: number }) => {
    const sink = new MemoryYuyvSink(img, { keep: 1 });
    const stats = await run(
      MemorySource.fromRgb(pictures, img, { count: 30, layout: "422" }),
      sink,
      { background: "#000000" },
      { mode: "live", motion },
    );
    assert.equal(sink.count, 30);
    return stats.totalModelRuns;
  };
  const never = { maxIntervalMs: 1e9 };
  assert.equal(await count([img.data], never), 1, "a still scene: only the first frame's run");
  const moving = await count([img.data, moved], never);
  assert.ok(moving > 1, `a moving scene runs the model again (${moving} runs)`);
  const ungated = await count([img.data], false);
  assert.ok(ungated > 1, `without the gate the model runs whenever free (${ungated} runs)`);
});

Deno.test("a file run is reproducible byte for byte", async () => {
  const img = await photo();
  const once = async () => {
    const sink = new MemorySink(img);
    await run(MemorySource.fromRgb([img.data], img, { count: 3 }), sink, {
      background: "blur:20",
    });
    return sink.frames;
  };
  assert.deepEqual(await once(), await once());
});

Deno.test("Pipeline in live mode takes new mask options mid-run from the newest model output", async () => {
  const img = await photo(true);
  // A moving scene: the mask is drawn on frames without a new model output too.
  const moved = new Uint8Array(img.data.length);
  moved.set(img.data.subarray(12 * 3));
  using factory = cliStageFactory({});
  const sink = new MemoryYuyvSink(img, { keep: 1 });
  await using pipeline = await Pipeline.open({
    source: MemorySource.fromRgb([img.data, moved], img, { count: 40, layout: "422" }),
    sink,
    factory,
    settings: SETTINGS,
    mode: "live",
    motion: false,
    onFrame: (_t, stats) => {
      if (stats.totalFrames === 5) changes.push(pipeline.change({ threshold: 0.5 }));
    },
  });
  const changes: ReturnType<Pipeline["change"]>[] = [];
  await pipeline.run();
  assert.equal(sink.count, 40);
  assert.equal(changes.length, 1);
  const a = await changes[0]!;
  assert.deepEqual(a.changed, ["threshold"]);
  assert.ok(a.frame >= 5 && a.frame < 40, `applied at frame ${a.frame}`);
  assert.ok(pipeline.mask!.alpha.every((v) => v === 0 || v === 255), "a hard mask");
});

Deno.test("Pipeline privacy sends the background alone, a plain colour over blur, and back", async () => {
  const img = await photo(true);
  const source = MemorySource.fromRgb([img.data], img, { count: 1000 });
  const sink = new MemoryYuyvSink(img, { keep: 1 });
  const controller = new AbortController();
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source,
    sink,
    factory,
    settings: { ...SETTINGS, background: "#0000ff" },
    mode: "live",
    signal: controller.signal,
  });
  const running = pipeline.run();
  const centre = (): number[] => {
    const frame = makeFrame(img, "422");
    yuyvToFrame(sink.last!, frame);
    const rgb = new Uint8Array(img.width * img.height * 3);
    frameToRgb(frame, rgb);
    return rgbAt(rgb, img.width, img.width >> 1, Math.round(img.height * 0.35));
  };
  const face = rgbAt(img.data, img.width, img.width >> 1, Math.round(img.height * 0.35));
  const after = async (change: Partial<Settings>): Promise<void> => {
    const applied = await pipeline.change(change);
    while (sink.count <= applied.frame + 1) await new Promise((r) => setTimeout(r, 5));
  };
  await after({ mirror: false });
  assert.ok(near(centre(), face, 8), `the face is shown: ${centre()} vs ${face}`);
  await after({ privacy: true });
  assert.ok(near(centre(), [0, 0, 255], 3), `privacy: the background only: ${centre()}`);
  await after({ background: "blur:40" });
  // #2b2f36 (PRIVACY_COLOUR): a blurred person is still a person.
  assert.ok(near(centre(), [0x2b, 0x2f, 0x36], 3), `privacy over blur: the veil: ${centre()}`);
  await after({ privacy: false });
  assert.ok(near(centre(), face, 8), `privacy off: the face again: ${centre()}`);
  controller.abort();
  await running;
});

Deno.test("Pipeline shows each composed frame to onOutput, and samples figures for onSample", async () => {
  const img = await photo(true);
  const source = MemorySource.fromRgb([img.data], img, { count: 6 });
  const sink = new MemoryYuyvSink(img, { keep: 1 });
  const seen: number[] = [];
  let same = true;
  await run(source, sink, { background: "#00ff00", mirror: true }, {
    onOutput: (view) => {
      seen.push(view.index);
      same &&= view.yuyv === sink.yuyv && view.frame === null && view.mirror &&
        view.camera.width === img.width && view.alpha.length === img.width * img.height;
    },
  });
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.ok(same, "the views are the sink's buffer, the camera frame and the mask");
});

Deno.test("Pipeline renders a new mask at once on a still scene (the motion gate resting)", async () => {
  const img = await photo(true);
  const sink = new MemoryYuyvSink(img, { keep: 1 });
  const controller = new AbortController();
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source: MemorySource.fromRgb([img.data], img, { count: 1000 }),
    sink,
    factory,
    settings: SETTINGS,
    mode: "live",
    signal: controller.signal,
  });
  const running = pipeline.run();
  const applied = await pipeline.change({ threshold: 0.5 });
  while (sink.count <= applied.frame + 2) await new Promise((r) => setTimeout(r, 5));
  const person = pipeline.mask!.alpha.filter((v) => v === 255).length;
  assert.ok(person > img.width * img.height / 10, `the person is in the new mask: ${person} px`);
  controller.abort();
  await running;
});
