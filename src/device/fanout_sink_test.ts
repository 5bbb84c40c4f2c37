/**
 * {@linkcode FanoutSink} and {@linkcode anyReaders} with stand-in sinks and readers (the real
 * PipeWire camera beside them: `pipewire_sink_test.ts`, `tests/pipewire_camera_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { FrameTiming, type PackedSink, type Size } from "../frame/mod.ts";
import { FanoutSink } from "./fanout_sink.ts";
import { anyReaders, type Readers } from "./readers.ts";

/** A sink that keeps what it was sent; `convert` ms are reported as its repack. */
class KeepSink implements PackedSink {
  readonly kind = "yuyv" as const;
  readonly size: Size = { width: 2, height: 1 };
  readonly yuyv: Uint8Array;
  readonly got: number[][] = [];
  closed = false;
  constructor(readonly description: string, readonly convert: number, yuyv?: Uint8Array) {
    this.yuyv = yuyv ?? new Uint8Array(4);
  }
  commit(timing: FrameTiming): Promise<void> {
    this.got.push([...this.yuyv]);
    if (this.convert > 0) timing.convert = this.convert;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

Deno.test("FanoutSink sends the first sink's frame to each, shared or copied; repacks add up", async () => {
  const first = new KeepSink("a", 0);
  const shared = new KeepSink("b", 2, first.yuyv);
  const own = new KeepSink("c", 3);
  const sink = new FanoutSink([first, shared, own]);
  assert.equal(sink.yuyv, first.yuyv);
  assert.equal(sink.description, "a + b + c");
  sink.yuyv.set([1, 2, 3, 4]);
  const timing = new FrameTiming();
  await sink.commit(timing);
  for (const k of [first, shared, own]) assert.deepEqual(k.got, [[1, 2, 3, 4]], k.description);
  assert.equal(timing.convert, 5);
  timing.reset();
  await new FanoutSink([first]).commit(timing);
  assert.ok(Number.isNaN(timing.convert), "no repack, no convert time");
  await sink.close();
  assert.ok(first.closed && shared.closed && own.closed);
});

Deno.test("FanoutSink refuses sinks of different sizes", () => {
  const big = new KeepSink("big", 0);
  (big as { size: Size }).size = { width: 4, height: 1 };
  assert.throws(() => new FanoutSink([new KeepSink("a", 0), big]), /the sizes differ/);
});

/** Readers set by hand. */
class ManualReaders implements Readers {
  readers = 0;
  unreadSince: number | null = 0;
  #wake: (() => void)[] = [];
  set(n: number, at: number): void {
    this.readers = n;
    this.unreadSince = n > 0 ? null : at;
    if (n > 0) { for (const w of this.#wake.splice(0)) w(); }
  }
  waitForReader(signal?: AbortSignal): Promise<boolean> {
    if (this.readers > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#wake.push(() => resolve(true));
      signal?.addEventListener("abort", () => resolve(false));
    });
  }
}

Deno.test("anyReaders() is read while any output is, unread since the last one lost its readers", async () => {
  const a = new ManualReaders();
  const b = new ManualReaders();
  const both = anyReaders([a, b]);
  a.set(0, 10);
  b.set(0, 20);
  assert.equal(both.readers, 0);
  assert.equal(both.unreadSince, 20);
  b.set(1, 0);
  assert.equal(both.readers, 1);
  assert.equal(both.unreadSince, null);
  b.set(0, 30);
  const wait = both.waitForReader();
  a.set(2, 0);
  assert.equal(await wait, true);
  a.set(0, 40);
  const stop = new AbortController();
  const aborted = both.waitForReader(stop.signal);
  stop.abort();
  assert.equal(await aborted, false);
  assert.equal(anyReaders([a]), a);
});
