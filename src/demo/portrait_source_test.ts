import assert from "node:assert/strict";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { coverRect } from "../frame/geometry.ts";
import { FrameRegionMaps, RegionMap, resampleFrame, resamplePlane } from "../frame/region.ts";
import { FrameTiming } from "../frame/timing.ts";
import { readPng } from "../image/png.ts";
import { frameOf, maxDiff, rgbOf, solidFrame } from "../../tests/fixtures/media.ts";
import { PortraitSource } from "./portrait_source.ts";

const PHOTO = readPng(await Deno.readFile(new URL("astronaut.png", import.meta.url)));
const SIZE = { width: 160, height: 90 };
const timing = new FrameTiming();

/** The crop of the first frame: the 16:9 cover crop, 10 % down (no zoom or sway yet). */
function firstCrop() {
  const base = coverRect(PHOTO.width, PHOTO.height, SIZE);
  return { ...base, y: (PHOTO.height - base.h) * 0.1 };
}

async function readAll(source: PortraitSource, layout: "444" | "422"): Promise<Frame[]> {
  const frame = makeFrame(source.size, layout);
  const frames: Frame[] = [];
  while (await source.read(frame, timing)) {
    frames.push({ ...frame, y: frame.y.slice(), u: frame.u.slice(), v: frame.v.slice() });
  }
  return frames;
}

Deno.test("PortraitSource draws the photo's moving crop as 4:4:4 frames", async () => {
  const source = new PortraitSource(PHOTO, { size: SIZE, frames: 5, fps: 25 });
  assert.deepEqual(source.size, SIZE);
  assert.equal(source.fps, 25);
  assert.equal(source.description, "portrait 512x512 → 160x90, 5 frames with gentle motion");
  const timed = new FrameTiming();
  const first = makeFrame(SIZE, "444");
  assert.ok(await source.read(first, timed));
  assert.ok(timed.decode >= 0);
  const frames = [first, ...await readAll(source, "444")];
  assert.equal(frames.length, 5);
  assert.equal(await source.read(first, timing), false);
  await source.close();

  // Frame 0 is the photo, converted once, resampled through the first crop's maps.
  const photo = frameOf(PHOTO.data, PHOTO);
  const expected = makeFrame(SIZE, "444");
  resampleFrame(photo, new FrameRegionMaps(PHOTO, firstCrop(), SIZE), expected);
  assert.deepEqual(frames[0], expected);
  // The camera moves: every frame differs from the one before.
  for (let i = 1; i < 5; i++) assert.notDeepEqual(frames[i]!.y, frames[i - 1]!.y);

  // The old RGB path (bilinear on RGB). Resampling in YCbCr rounds each plane once more than
  // the 4:4:4 round trip alone (±1), so the colours may differ by 2 (measured: 2).
  const map = new RegionMap(PHOTO, firstCrop(), SIZE);
  const rgb = new Uint8Array(SIZE.width * SIZE.height * 3);
  const plane = new Uint8Array(PHOTO.width * PHOTO.height);
  const out = new Uint8Array(SIZE.width * SIZE.height);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane.length; i++) plane[i] = PHOTO.data[i * 3 + c]!;
    resamplePlane(plane, PHOTO.width, map, out);
    for (let i = 0; i < out.length; i++) rgb[i * 3 + c] = out[i]!;
  }
  const diff = maxDiff(rgbOf(frames[0]!), rgb);
  assert.ok(diff <= 2, `max diff ${diff}`);
});

Deno.test("PortraitSource fills 4:2:2 frames, and a flat photo stays flat", async () => {
  const source = new PortraitSource(PHOTO, { size: SIZE, frames: 3 });
  const frames = await readAll(source, "422");
  assert.equal(frames.length, 3);
  assert.ok(frames.every((f) => f.layout === "422"));
  const photo = frameOf(PHOTO.data, PHOTO, "422");
  const expected = makeFrame(SIZE, "422");
  resampleFrame(photo, new FrameRegionMaps(PHOTO, firstCrop(), SIZE), expected);
  // The 4:2:2 photo is the 4:4:4 one with its chroma averaged in pairs (rgbToFrame averages
  // the RGB pairs instead): within a level.
  assert.deepEqual(frames[0]!.y, expected.y);
  assert.ok(maxDiff(frames[0]!.u, expected.u) <= 1);
  assert.ok(maxDiff(frames[0]!.v, expected.v) <= 1);

  const grey = { width: 64, height: 64, data: solidFrame(64, 64, [90, 160, 40]) };
  const flat = new PortraitSource(grey, { size: { width: 32, height: 18 }, frames: 2 });
  for (const frame of await readAll(flat, "444")) {
    assert.deepEqual(frame, frameOf(solidFrame(32, 18, [90, 160, 40]), { width: 32, height: 18 }));
  }
});
