import assert from "node:assert/strict";
import { makeFrame } from "../../src/frame/frame.ts";
import { FrameTiming } from "../../src/frame/timing.ts";
import { packYuyv } from "../../src/image/planar.ts";
import { copyFrame, MemorySink, MemorySource, MemoryYuyvSink } from "./memory_stages.ts";

const t = new FrameTiming();

/** A 4×2 RGB picture of distinct colours. */
function picture(seed: number): Uint8Array {
  return Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37 + seed * 11) % 256);
}

Deno.test("MemorySource plays RGB pictures converted once, looping, then ends", async () => {
  const a = picture(1), b = picture(2);
  const source = MemorySource.fromRgb([a, b], { width: 4, height: 2 }, { count: 3 });
  assert.deepEqual(source.size, { width: 4, height: 2 });
  assert.equal(source.fps, 30);
  assert.match(source.description, /memory 4x2 444, 3 frames/);
  a.fill(0); // converted at construction: later changes do not show
  const frame = makeFrame(source.size, "444");
  const sink = new MemorySink(source.size);
  for (let i = 0; i < 3; i++) {
    assert.equal(await source.read(frame, t), true);
    await sink.write(frame, t);
  }
  assert.equal(await source.read(frame, t), false);
  assert.equal(source.given, 3);
  assert.equal(sink.count, 3);
  const expected = [picture(1), picture(2), picture(1)];
  for (let i = 0; i < 3; i++) {
    const rgb = sink.rgb(sink.frames[i]!);
    const worst = rgb.reduce((m, v, k) => Math.max(m, Math.abs(v - expected[i]![k]!)), 0);
    assert.ok(worst <= 1, `frame ${i}: RGB → 4:4:4 → RGB is within ±1, got ${worst}`);
  }
});

Deno.test("MemorySource fills the frame in its own layout", async () => {
  const size = { width: 4, height: 2 };
  const rgb = picture(3);
  const s444 = MemorySource.fromRgb([rgb], size, { count: 2 });
  const f422 = makeFrame(size, "422");
  assert.equal(await s444.read(f422, t), true);
  assert.equal(f422.layout, "422");
  const src = s444.frames[0]!;
  // Pair means of the 4:4:4 chroma, as convertFrame makes them.
  assert.deepEqual(f422.y, src.y);
  assert.equal(f422.u[0], Math.floor((src.u[0]! + src.u[1]! + 1) / 2));
  assert.equal(f422.v[1], Math.floor((src.v[2]! + src.v[3]! + 1) / 2));

  // A 4:2:0 frame comes back 4:2:0 in a frame made 4:2:2, as a camera's JPEG does, and 4:2:2
  // again when the next one is 4:2:2.
  const f420 = makeFrame(size, "420");
  f420.y.fill(50);
  f420.u.fill(60);
  f420.v.fill(70);
  const g422 = makeFrame(size, "422");
  g422.u.fill(90);
  const mixed = new MemorySource([f420, g422]);
  const into = makeFrame(size, "422");
  await mixed.read(into, t);
  assert.equal(into.layout, "420");
  assert.deepEqual([...into.y], Array(8).fill(50));
  assert.deepEqual([...into.u.subarray(0, 2)], [60, 60]);
  await mixed.read(into, t);
  assert.equal(into.layout, "422");
  assert.deepEqual([...into.u], [90, 90, 90, 90]);

  // Into 4:4:4: converted (chroma repeated).
  const wide = makeFrame(size, "444");
  await new MemorySource([f420]).read(wide, t);
  assert.equal(wide.layout, "444");
  assert.deepEqual([...wide.u], Array(8).fill(60));
});

Deno.test("MemorySource refuses frames of different sizes and a wrong-sized target", async () => {
  assert.throws(() => new MemorySource([]), RangeError);
  assert.throws(
    () =>
      new MemorySource([
        makeFrame({ width: 2, height: 2 }, "444"),
        makeFrame({ width: 4, height: 2 }, "444"),
      ]),
    RangeError,
  );
  assert.throws(
    () => MemorySource.fromRgb([new Uint8Array(5)], { width: 2, height: 1 }),
    RangeError,
  );
  const source = new MemorySource([makeFrame({ width: 2, height: 2 }, "444")]);
  await assert.rejects(() => source.read(makeFrame({ width: 4, height: 2 }, "444"), t), RangeError);
});

Deno.test("MemorySink keeps copies, the newest `keep`, and checks the contract", async () => {
  const size = { width: 2, height: 1 };
  const seen: number[] = [];
  const sink = new MemorySink(size, { keep: 2, onFrame: (f, i) => seen.push(f.y[0]! * 10 + i) });
  assert.throws(() => sink.last, RangeError);
  const frame = makeFrame(size, "444");
  for (const v of [1, 2, 3]) {
    frame.y.fill(v);
    await sink.write(frame, t);
  }
  frame.y.fill(9); // copies, not references
  assert.equal(sink.count, 3);
  assert.deepEqual(sink.frames.map((f) => f.y[0]), [2, 3]);
  assert.equal(sink.last.y[0], 3);
  assert.deepEqual(seen, [10, 21, 32]);
  await assert.rejects(() => sink.write(makeFrame(size, "422"), t), /takes 444/);
  await assert.rejects(() => sink.write(makeFrame({ width: 2, height: 2 }, "444"), t), RangeError);
  assert.equal(sink.kind, "planar");
  await sink.close();
  assert.equal(sink.closed, true);
});

Deno.test("MemoryYuyvSink keeps copies of what was committed", async () => {
  const size = { width: 2, height: 1 };
  const sink = new MemoryYuyvSink(size);
  assert.equal(sink.kind, "yuyv");
  assert.equal(sink.yuyv.length, 4);
  const frame = makeFrame(size, "422");
  frame.y.set([0, 255]);
  packYuyv(frame, sink.yuyv);
  await sink.commit(t);
  sink.yuyv.fill(0);
  await sink.commit(t);
  assert.equal(sink.count, 2);
  assert.deepEqual([...sink.frames[0]!], [16, 128, 235, 128]);
  assert.deepEqual([...sink.last], [0, 0, 0, 0]);
  const back = sink.frame(sink.frames[0]!);
  assert.deepEqual([...back.y], [0, 255]);
  assert.equal(back.layout, "422");
  assert.throws(() => new MemoryYuyvSink({ width: 3, height: 1 }), RangeError);
});

Deno.test("copyFrame() copies planes and layout", () => {
  const f = makeFrame({ width: 2, height: 2 }, "420");
  f.y.fill(7);
  f.u.fill(8);
  const c = copyFrame(f);
  f.y.fill(0);
  assert.equal(c.layout, "420");
  assert.deepEqual([...c.y], [7, 7, 7, 7]);
  assert.equal(c.u[0], 8);
});
