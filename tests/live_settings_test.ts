/**
 * Live settings: a running pipeline changes background, blur strength, mirror and model between
 * two frames; the frames right after each change show it, no frame is skipped or repeated, and a
 * change that fails keeps the old setting.
 *
 * The source plays numbered frames of a real photo from memory, one frame each time the test
 * releases one, so the test decides when frames pass while a change is being prepared. Every
 * frame carries its number in a small block of luma on the face (kept by the mask, and symmetric
 * about the centre so mirroring keeps it in place): the output's block says which input frame it
 * shows. Real backgrounds, the real model on ONNX Runtime, exact mode.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Frame, makeFrame } from "../src/frame/frame.ts";
import type { FrameSource } from "../src/frame/stages.ts";
import type { FrameTiming } from "../src/frame/timing.ts";
import { rgbToFrame } from "../src/image/planar.ts";
import { readPng } from "../src/image/png.ts";
import { Pipeline } from "../src/pipeline/loop.ts";
import {
  type Applied,
  defaultSettings,
  type Settings,
  SettingsError,
} from "../src/pipeline/settings.ts";
import { cliStageFactory } from "../src/cli/stage_factory.ts";
import { MemorySink } from "./fakes/memory_stages.ts";
import { SHARED } from "./_models.ts";

const FRAMES = 80;
/** The marker block: 4×4 pixels around the face's centre column. */
const MARK = { x: 0, y: 0, size: 4 };

/** Plays `FRAMES` numbered frames, each only once the test released it. */
class SteppedSource implements FrameSource {
  readonly size;
  readonly fps = 30;
  readonly description = "stepped memory source";
  readonly #frame: Frame;
  #index = 0;
  #allowed = 0;
  #wake: (() => void) | null = null;

  /**
   * @param frame the picture every frame shows
   * @param first the number of the first frame
   */
  constructor(frame: Frame, first = 0) {
    this.#frame = frame;
    this.#index = first;
    this.size = { width: frame.width, height: frame.height };
  }

  /** Lets one more frame through. */
  release(): void {
    this.#allowed++;
    this.#wake?.();
  }

  /** Lets every remaining frame through. */
  releaseAll(): void {
    this.#allowed = Infinity;
    this.#wake?.();
  }

  async read(into: Frame, _timing: FrameTiming): Promise<boolean> {
    if (this.#index >= FRAMES) return false;
    while (this.#index >= this.#allowed) await new Promise<void>((r) => (this.#wake = r));
    this.#wake = null;
    into.y.set(this.#frame.y);
    into.u.set(this.#frame.u);
    into.v.set(this.#frame.v);
    stamp(into, this.#index++);
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes the frame number into the marker block's luma. */
function stamp(frame: Frame, n: number): void {
  for (let y = 0; y < MARK.size; y++) {
    frame.y.fill(
      40 + 2 * n,
      (MARK.y + y) * frame.width + MARK.x,
      (MARK.y + y) * frame.width + MARK.x + MARK.size,
    );
  }
}

/** The frame number an output frame shows (from its marker block's mean luma). */
function numberOf(frame: Frame): number {
  let sum = 0;
  for (let y = 0; y < MARK.size; y++) {
    for (let x = 0; x < MARK.size; x++) sum += frame.y[(MARK.y + y) * frame.width + MARK.x + x]!;
  }
  return Math.round((sum / (MARK.size * MARK.size) - 40) / 2);
}

function pixel(frame: Frame, x: number, y: number): [number, number, number] {
  const i = y * frame.width + x;
  return [frame.y[i]!, frame.u[i]!, frame.v[i]!];
}

/** Mean absolute luma difference of two frames over the top band (background). */
function bandDiff(a: Frame, b: Frame, mirrorB = false): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < 60; y++) {
    for (let x = 0; x < a.width; x++) {
      const bx = mirrorB ? a.width - 1 - x : x;
      sum += Math.abs(a.y[y * a.width + x]! - b.y[y * a.width + bx]!);
      n++;
    }
  }
  return sum / n;
}

async function photo(): Promise<Frame> {
  const img = readPng(
    await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")),
  );
  const frame = makeFrame(img, "444");
  rgbToFrame(img.data, frame);
  MARK.x = img.width / 2 - MARK.size / 2;
  MARK.y = Math.round(img.height * 0.35);
  return frame;
}

const START: Settings = defaultSettings({ background: "#00ff00" });

Deno.test("a running pipeline changes background, blur, mirror and model between two frames", async () => {
  const frame = await photo();
  const source = new SteppedSource(frame);
  const sink = new MemorySink(source.size);
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source,
    sink,
    factory,
    settings: START,
    mode: "exact",
  });
  const running = pipeline.run();

  /** Releases frames one at a time until the change is made; returns what it applied. */
  const change = async (c: Partial<Settings>): Promise<Applied> => {
    let settled = false;
    const p = pipeline.change(c);
    p.then(() => (settled = true), () => (settled = true));
    while (!settled) {
      const before = sink.count;
      source.release();
      while (sink.count === before && !settled) await new Promise((r) => setTimeout(r, 1));
    }
    const applied = await p;
    // Two more frames with it.
    for (let i = 0; i < 2; i++) {
      const before = sink.count;
      source.release();
      while (sink.count === before) await new Promise((r) => setTimeout(r, 1));
    }
    return applied;
  };

  for (let i = 0; i < 3; i++) source.release();
  const blue = await change({ background: "#0000ff" });
  const blur5 = await change({ background: "blur:5" });
  const blur40 = await change({ background: "blur:40" });
  const mirrored = await change({ mirror: true });
  await assert.rejects(
    change({ background: "no-such-background.png" }),
    (e: unknown) =>
      e instanceof SettingsError && e.setting === "background" && !e.message.includes("\n"),
  );
  const failedAt = sink.count;
  const selfie = await change({ model: "selfie" });
  const hard = await change({ threshold: 0.5, mask: { smoothing: 0 } });
  source.releaseAll();
  const stats = await running;

  // Every input frame written once, in order: none skipped, none repeated.
  assert.equal(stats.totalFrames, FRAMES);
  assert.equal(sink.count, FRAMES);
  assert.deepEqual(sink.frames.map(numberOf), [...Array(FRAMES).keys()]);

  // Each change shows from its frame on, and not before.
  const f = sink.frames;
  const corner = (k: number) => pixel(f[k]!, 5, 5);
  const green = corner(0);
  assert.ok(green[0] > 100 && green[1] < 100 && green[2] < 100, `green: ${green}`);
  assert.deepEqual(blue.changed, ["background"]);
  assert.deepEqual(corner(blue.frame - 1), green);
  const b = corner(blue.frame);
  assert.ok(b[1] > 200 && b[0] < 60, `blue from frame ${blue.frame}: ${b}`);
  assert.match(blue.lines[0]!, /^background: /);

  // Blur: the background is the camera's, blurred; stronger blur strays further from it.
  assert.deepEqual(corner(blur5.frame - 1), b);
  const raw = makeFrame(frame, "444");
  raw.y.set(frame.y);
  const d5 = bandDiff(f[blur5.frame]!, raw);
  const d40 = bandDiff(f[blur40.frame]!, raw);
  assert.ok(d5 > 0.5 && d5 < 30, `blur 5 differs from the camera by ${d5}`);
  assert.ok(d40 > d5 * 1.3, `blur 40 (${d40}) blurs more than blur 5 (${d5})`);
  // Until the change, blur 5 (the mask-aware blur follows the mask's tiny frame-to-frame
  // changes); from it, blur 40.
  assert.ok(bandDiff(f[blur40.frame - 1]!, f[blur5.frame]!) < 0.2, "blur 5 until blur 40");
  assert.ok(bandDiff(f[blur40.frame]!, f[blur40.frame - 1]!) > 1, "blur 40 from its frame");

  // Mirror: the frame from the change on is the one before, mirrored.
  assert.ok(bandDiff(f[mirrored.frame]!, f[mirrored.frame - 1]!, true) < 1.5);
  assert.ok(bandDiff(f[mirrored.frame]!, f[mirrored.frame - 1]!) > 5);
  assert.equal(pipeline.settings.mirror, true);

  // The failed change kept the old background: the frames after it match the ones before.
  assert.ok(bandDiff(f[failedAt]!, f[failedAt - 1]!) < 0.2, "still blur 40, mirrored");
  assert.equal(pipeline.settings.background, "blur:40");

  // The model: from its frame on, the output is the new model's, exactly what a pipeline
  // opened with the new settings makes of that frame.
  assert.equal(pipeline.model?.manifest.name, "selfie");
  const after = { ...START, background: "blur:40", mirror: true, model: "selfie" };
  const one = new SteppedSource(frame, selfie.frame);
  const oneSink = new MemorySink(one.size);
  {
    await using fresh = await Pipeline.open({
      source: one,
      sink: oneSink,
      factory,
      settings: after,
      mode: "exact",
      maxFrames: 1,
    });
    one.releaseAll();
    await fresh.run();
  }
  const switched = f[selfie.frame]!;
  // Threshold and mask options on the same model: a hard mask from then on.
  assert.deepEqual(hard.changed, ["threshold", "mask"]);
  assert.ok(hard.frame > selfie.frame);
  assert.ok(pipeline.mask!.alpha.every((a) => a === 0 || a === 255), "a hard mask");
  assert.deepEqual(switched, oneSink.frames[0], "the switched frame is the new model's, exactly");
});

Deno.test("Pipeline.change() refuses bad values and a frame rate for a file, changing nothing", async () => {
  const frame = await photo();
  const source = new SteppedSource(frame);
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source,
    sink: new MemorySink(source.size),
    factory,
    settings: START,
    mode: "exact",
  });
  await assert.rejects(pipeline.change({ threshold: 2 }), /^SettingsError: Invalid threshold/);
  await assert.rejects(
    pipeline.change({ fps: 15 }),
    /Cannot change the frame rate of a file/,
  );
  await assert.rejects(
    pipeline.change({ nonsense: 1 } as Partial<Settings>),
    /Unknown setting "nonsense"/,
  );
  assert.deepEqual(pipeline.settings, { ...START, mask: {} });
  const same = await pipeline.change({ mirror: false });
  assert.deepEqual(same.changed, []);
  const off = await pipeline.change({ background: "off" });
  assert.deepEqual(off.changed, ["background"]);
  assert.equal(pipeline.model, null, "no model while the background is off");
  assert.equal(off.frame, 0, "applied at once while the pipeline is not running");
});
