import assert from "node:assert/strict";
import { JpegDecoder } from "../../ffi/turbojpeg/mod.ts";
import { makeFrame } from "../frame/frame.ts";
import type { OutputView } from "../pipeline/loop.ts";
import { Preview } from "./preview.ts";

function view(): OutputView {
  const camera = makeFrame({ width: 64, height: 32 }, "422");
  camera.y.fill(200);
  camera.u.fill(128);
  camera.v.fill(128);
  const yuyv = new Uint8Array(64 * 32 * 2);
  for (let i = 0; i < yuyv.length; i += 4) yuyv.set([81, 90, 81, 240], i); // limited-range red
  return {
    index: 0,
    yuyv,
    frame: null,
    camera,
    crop: { x: 0, y: 0, w: 64, h: 32 },
    alpha: new Uint8Array(64 * 32).fill(255),
    mirror: false,
    flip: false,
  };
}

Deno.test("Preview encodes nothing while nobody watches", () => {
  const preview = new Preview();
  const v = view();
  for (let i = 0; i < 100; i++) preview.tap(v);
  assert.equal(preview.encoded, 0);
  assert.equal(preview.watchers, 0);
  preview.close();
});

Deno.test("Preview answers a watcher with the next frame, each view once per frame", async () => {
  const watching: boolean[] = [];
  const preview = new Preview({ onWatch: (w) => watching.push(w) });
  const out = preview.next("output");
  const out2 = preview.next("output");
  const mask = preview.next("mask");
  assert.equal(preview.watchers, 3);
  preview.tap(view());
  const [a, b, m] = await Promise.all([out, out2, mask]);
  assert.equal(preview.encoded, 2, "output once, mask once");
  assert.equal(a, b);
  using decoder = new JpegDecoder();
  const rgb = new Uint8Array(64 * 32 * 3);
  decoder.decode(a!, rgb, { format: "rgb" });
  assert.ok(rgb[0]! > 200 && rgb[1]! < 40 && rgb[2]! < 40, `red: ${rgb.subarray(0, 3)}`);
  assert.equal(decoder.header(m!).width, 64);
  assert.deepEqual(watching, [true, false]);
  // After the frame nobody waits: the next frames cost nothing again.
  preview.tap(view());
  assert.equal(preview.encoded, 2);
  preview.close();
});

Deno.test("Preview gives the last picture (or null) when no frame comes in time", async () => {
  const preview = new Preview();
  assert.equal(await preview.next("camera", 10), null);
  const first = preview.next("camera");
  preview.tap(view());
  const jpeg = await first;
  assert.equal(await preview.next("camera", 10), jpeg);
  const aborted = new AbortController();
  const waiting = preview.next("camera", 10_000, aborted.signal);
  aborted.abort();
  assert.equal(await waiting, null);
  assert.equal(preview.watchers, 0);
  preview.close();
});
