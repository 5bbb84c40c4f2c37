import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import { rgbToFrame } from "../image/planar.ts";
import { readPng } from "../image/png.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter } from "../segment/segmenter.ts";
import { type Inference, LatestMask } from "./latest_mask.ts";

/**
 * A model whose runs finish when the test says so. A run's map is filled with the first luma
 * value of the frame it was given, so a map tells which frame it came from.
 */
class FakeModel implements Inference {
  readonly probability: Float32Array;
  /** The first luma value of every frame given, in order. */
  readonly inputs: number[] = [];
  #input = NaN;
  #pending: { value: number; resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(size = 4) {
    this.probability = new Float32Array(size);
  }

  setInputFitted(frame: Frame): void {
    this.#input = frame.y[0]!;
    this.inputs.push(this.#input);
  }

  runAsync(): Promise<void> {
    if (this.#pending) throw new Error("FakeModel: overlapping runs");
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#pending = { value: this.#input, resolve, reject };
    // As Segmenter does: the map is written when the run completes, not before.
    return promise.then(() => {
      this.probability.fill(this.#lastValue);
    });
  }

  #lastValue = NaN;

  /** Finishes the run in flight. */
  finish(): void {
    const p = this.#pending!;
    this.#pending = null;
    this.#lastValue = p.value;
    p.resolve();
  }

  /** Fails the run in flight. */
  fail(error: unknown): void {
    const p = this.#pending!;
    this.#pending = null;
    p.reject(error);
  }
}

/** A frame whose first luma value is `value`. */
function frame(value: number): Frame {
  const f = makeFrame({ width: 4, height: 2 }, "444");
  f.y.fill(value);
  return f;
}

/** Lets every queued promise callback run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

Deno.test("LatestMask.take() is false until the run settles, then true once", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const map = new Float32Array(4);
  const t = new FrameTiming();
  assert.equal(latest.busy, false);
  latest.submit(frame(7), t);
  assert.equal(latest.busy, true);
  assert.equal(latest.take(map, t), false);
  await flush();
  assert.equal(latest.take(map, t), false, "not finished yet");
  assert.equal(latest.runs, 0);
  model.finish();
  await flush();
  assert.equal(latest.busy, false);
  assert.equal(latest.runs, 1);
  assert.equal(latest.take(map, t), true);
  assert.deepEqual([...map], [7, 7, 7, 7]);
  map.fill(0);
  assert.equal(latest.take(map, t), false, "taken once");
  assert.deepEqual([...map], [0, 0, 0, 0], "a false take leaves the map alone");
});

Deno.test("LatestMask.take() gives only the newest finished map", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const map = new Float32Array(4);
  const t = new FrameTiming();
  latest.submit(frame(1), t);
  model.finish();
  await latest.settle();
  latest.submit(frame(2), t);
  model.finish();
  await latest.settle();
  assert.equal(latest.take(map, t), true);
  assert.deepEqual([...map], [2, 2, 2, 2], "run 1's map was superseded before it was taken");
  assert.equal(latest.take(map, t), false);
  // A finished map stays takeable while the next run is in flight (and is not overwritten by it).
  latest.submit(frame(3), t);
  model.finish();
  await latest.settle();
  latest.submit(frame(4), t);
  assert.equal(latest.take(map, t), true);
  assert.deepEqual([...map], [3, 3, 3, 3]);
  model.finish();
  await latest.settle();
  assert.equal(latest.take(map, t), true);
  assert.deepEqual([...map], [4, 4, 4, 4]);
  assert.equal(latest.runs, 4);
  assert.deepEqual(model.inputs, [1, 2, 3, 4]);
});

Deno.test("LatestMask.submit() throws while a run is in flight and leaves it alone", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const t = new FrameTiming();
  latest.submit(frame(1), t);
  assert.throws(() => latest.submit(frame(2), t), /still in flight/);
  assert.deepEqual(model.inputs, [1], "the input of the run in flight was not touched");
  model.finish();
  await latest.settle();
  latest.submit(frame(3), t);
  assert.deepEqual(model.inputs, [1, 3]);
});

Deno.test("LatestMask.submit() and take() return at once, without a promise", () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const t = new FrameTiming();
  // Nothing is ever finished here: both must return synchronously.
  const submitted: unknown = latest.submit(frame(1), t);
  assert.equal(submitted, undefined);
  assert.deepEqual(model.inputs, [1], "the input is filled before submit returns");
  const taken: unknown = latest.take(new Float32Array(4), t);
  assert.equal(taken, false);
  assert.equal(latest.busy, true);
});

Deno.test("LatestMask: a failed run surfaces through check() once", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const t = new FrameTiming();
  latest.check(); // nothing failed
  latest.submit(frame(1), t);
  const error = new Error("run failed");
  model.fail(error);
  await flush();
  assert.equal(latest.busy, false);
  assert.equal(latest.runs, 0);
  assert.equal(latest.take(new Float32Array(4), t), false);
  assert.throws(() => latest.check(), (e) => e === error);
  latest.check(); // once
  // The next run goes ahead.
  latest.submit(frame(2), t);
  model.finish();
  await latest.settle();
  assert.equal(latest.runs, 1);
});

Deno.test("LatestMask.settle() waits for the run in flight and rethrows its failure", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const t = new FrameTiming();
  await latest.settle(); // nothing in flight
  latest.submit(frame(1), t);
  let settled = false;
  const waiting = latest.settle().then(() => (settled = true));
  await flush();
  assert.equal(settled, false);
  model.finish();
  await waiting;
  assert.equal(settled, true);
  assert.equal(latest.take(new Float32Array(4), t), true);

  latest.submit(frame(2), t);
  const error = new Error("run failed");
  const failing = latest.settle();
  model.fail(error);
  await assert.rejects(failing, (e) => e === error);
  latest.check(); // already reported
});

Deno.test("LatestMask fills the frame's timing record", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const map = new Float32Array(4);
  const t = new FrameTiming();
  latest.submit(frame(1), t);
  assert.ok(Number.isFinite(t.prep) && t.prep >= 0, `prep ${t.prep}`);
  assert.equal(t.modelStarted, true);
  assert.ok(Number.isNaN(t.infer));
  assert.equal(t.modelTaken, false);

  t.reset();
  assert.equal(latest.take(map, t), false);
  assert.ok(Number.isNaN(t.infer), "no infer time without a new map");
  assert.equal(t.modelTaken, false);
  assert.ok(Number.isNaN(t.prep), "take does not start a run");

  await new Promise((r) => setTimeout(r, 20));
  model.finish();
  await latest.settle();
  t.reset();
  assert.equal(latest.take(map, t), true);
  assert.ok(t.infer >= 15 && t.infer < 5000, `infer ${t.infer} ms covers the run`);
  assert.equal(t.modelTaken, true);
  assert.equal(t.modelStarted, false);
});

Deno.test("LatestMask.take() refuses a map of another size", async () => {
  const model = new FakeModel(4);
  const latest = new LatestMask(model);
  latest.submit(frame(1), new FrameTiming());
  model.finish();
  await latest.settle();
  assert.throws(() => latest.take(new Float32Array(3), new FrameTiming()), RangeError);
  assert.equal(latest.take(new Float32Array(4), new FrameTiming()), true, "still there");
});

Deno.test("LatestMask.deliver() returns when idle and lets a settled run through", async () => {
  const model = new FakeModel();
  const latest = new LatestMask(model);
  const t = new FrameTiming();
  await latest.deliver(); // not busy: returns
  latest.submit(frame(5), t);
  model.finish();
  await latest.deliver();
  assert.equal(latest.busy, false);
  assert.equal(latest.take(new Float32Array(4), t), true);
});

const SHARED = join(decodeURIComponent(new URL("../../..", import.meta.url).pathname), "shared");

/** Delivers until the run in flight has settled (bounded, so a lost promise fails the test). */
async function deliverAll(latest: LatestMask): Promise<number> {
  const until = performance.now() + 20_000;
  let rounds = 0;
  while (latest.busy) {
    if (performance.now() > until) throw new Error("the model run was never delivered");
    await latest.deliver();
    rounds++;
  }
  return rounds;
}

Deno.test("LatestMask runs the real Segmenter beside the caller", async () => {
  const img = readPng(
    await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")),
  );
  const frame = makeFrame(img, "444");
  rgbToFrame(img.data, frame);
  using ort = OnnxRuntime.load();
  using landscape = Segmenter.open(ort, await resolveModel("landscape"));

  // The reference: the same input, run synchronously.
  const content = landscape.setInputFitted(frame);
  landscape.run();
  const expected = landscape.probability.slice();

  const latest = new LatestMask(landscape);
  const map = new Float32Array(expected.length);
  const t = new FrameTiming();
  latest.submit(frame, t);
  assert.equal(latest.busy, true);
  assert.equal(latest.take(map, t), false, "a real run takes longer than a call");
  assert.ok(t.prep >= 0 && t.modelStarted);
  // Only deliver() is awaited: it alone must let ONNX Runtime's promise settle.
  await deliverAll(latest);
  assert.equal(latest.take(map, t), true);
  assert.ok(t.infer > 0 && t.modelTaken, `infer ${t.infer}`);
  assert.deepEqual(map, expected, "the same map as a synchronous run");
  // It is a person mask: Grace Hopper's face (content centre, upper third) vs the top corners.
  const { width: mw } = landscape.manifest.output;
  const at = (x: number, y: number) => map[Math.floor(y) * mw + Math.floor(x)]!;
  assert.ok(at(content.x + content.w / 2, content.y + content.h * 0.35) > 0.8);
  assert.ok(at(content.x + 2, content.y + 2) < 0.2);
});
