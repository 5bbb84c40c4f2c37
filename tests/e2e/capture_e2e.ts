/**
 * Capture from vivid on a real kernel: frames match `v4l2-ctl --stream-mmap`
 * byte for byte, enumeration matches `v4l2-ctl --list-formats-ext`,
 * negotiation reports what the driver gives, and read() I/O works.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Camera, FrameDecoder, listDevices } from "../../src/device/mod.ts";
import type { Frame } from "../../src/frame/mod.ts";
import { decodeToRgb } from "../fixtures/decode_rgb.ts";
import { barInteriorError, CAPTURE, since, stillVivid, v4l2ctl, vmTest } from "./_vm.ts";

const W = 320;
const H = 180;

/** Captures `count` frames with v4l2-ctl and returns them. */
async function v4l2ctlFrames(format: string, count: number): Promise<Uint8Array[]> {
  const file = await Deno.makeTempFile({ suffix: ".raw" });
  try {
    await v4l2ctl(
      "-d",
      CAPTURE,
      `--set-fmt-video=width=${W},height=${H},pixelformat=${format}`,
      "--stream-mmap",
      `--stream-count=${count}`,
      `--stream-to=${file}`,
    );
    const bytes = await Deno.readFile(file);
    const size = bytes.length / count;
    assert.ok(Number.isInteger(size), "whole frames");
    return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  } finally {
    await Deno.remove(file);
  }
}

/** Grabs `count` frames with {@linkcode Camera}, copying each before release. */
function cameraFrames(camera: Camera, count: number): { data: Uint8Array; sequence: number }[] {
  camera.start();
  const frames: { data: Uint8Array; sequence: number }[] = [];
  while (frames.length < count) {
    const f = camera.grab(5000);
    assert.ok(f !== null, "a frame within 5 s");
    frames.push({ data: f.data.slice(), sequence: f.sequence });
    camera.release(f);
  }
  camera.stop();
  return frames;
}

vmTest("Camera captures vivid YUYV byte-identical to v4l2-ctl --stream-mmap", async () => {
  const t0 = performance.now();
  await stillVivid();
  const reference = await v4l2ctlFrames("YUYV", 3);
  // With OSD and movement off every frame is the same still picture.
  assert.deepEqual(reference[1], reference[0]);
  using camera = Camera.open(CAPTURE, { width: W, height: H, format: "YUYV", fps: 30 });
  assert.deepEqual(camera.warnings, []);
  assert.equal(camera.io, "mmap");
  const n = camera.negotiated;
  assert.deepEqual(
    { w: n.width, h: n.height, fourcc: n.fourcc, fps: n.fps, bpl: n.bytesperline },
    { w: W, h: H, fourcc: "YUYV", fps: 30, bpl: W * 2 },
  );
  const frames = cameraFrames(camera, 4);
  for (const [i, f] of frames.entries()) {
    assert.equal(f.data.length, W * H * 2);
    assert.deepEqual(f.data, reference[0], `frame ${i} equals v4l2-ctl's`);
    if (i > 0) assert.ok(f.sequence > frames[i - 1]!.sequence, "sequence increases");
  }
  assert.equal(camera.stats.frames, 4);
  console.log(`  4 frames identical to v4l2-ctl (${since(t0)})`);
});

vmTest("Camera read() I/O gives the same frames as streaming", async () => {
  await stillVivid();
  const reference = await v4l2ctlFrames("YUYV", 2);
  using camera = Camera.open(CAPTURE, { width: W, height: H, format: "YUYV", io: "read" });
  assert.equal(camera.io, "read");
  const frames = cameraFrames(camera, 3);
  for (const f of frames) assert.deepEqual(f.data, reference[0]);
});

vmTest("listDevices() enumerates vivid like v4l2-ctl --list-formats-ext", async () => {
  const text = await v4l2ctl("-d", CAPTURE, "--list-formats-ext");
  // Parse v4l2-ctl: [i]: 'FCC ' (...) / Size: Discrete WxH / Interval: Discrete Xs (F fps)
  const expected: { fourcc: string; sizes: string[] }[] = [];
  for (const line of text.split("\n")) {
    const fmt = /^\s*\[\d+\]: '([^']+)'/.exec(line);
    const size = /Size: Discrete (\d+x\d+)/.exec(line);
    const iv = /Interval: Discrete [\d.]+s \(([\d.]+) fps\)/.exec(line);
    if (fmt) expected.push({ fourcc: fmt[1]!, sizes: [] });
    else if (size) expected.at(-1)!.sizes.push(size[1]!);
    else if (iv) {
      const f = expected.at(-1)!;
      f.sizes[f.sizes.length - 1] += ` ${Number(iv[1])}`;
    }
  }
  const { devices, defaultCamera } = listDevices();
  assert.equal(defaultCamera, CAPTURE);
  const vivid = devices.find((d) => d.path === CAPTURE)!;
  assert.equal(vivid.kind, "capture");
  assert.equal(vivid.driver, "vivid");
  const ours = vivid.captureFormats.map((f) => ({
    fourcc: f.fourcc,
    sizes: Array.isArray(f.sizes)
      ? f.sizes.map((s) =>
        `${s.width}x${s.height}` + (Array.isArray(s.fps) ? s.fps.map((x) => ` ${x}`).join("") : "")
      )
      : [],
  }));
  assert.deepEqual(
    ours.map((f) => f.fourcc),
    expected.map((f) => f.fourcc),
    `listDevices() error: ${vivid.error}`,
  );
  assert.deepEqual(ours.map((f) => f.sizes), expected.map((f) => f.sizes));
  assert.deepEqual(
    ours.filter((f) => ["YUYV", "NV12", "YU12"].includes(f.fourcc)).map((f) => f.fourcc),
    ["YUYV", "YU12", "NV12"],
  );
  console.log(`  ${ours.length} formats, ${ours[0]!.sizes.length} sizes each, as v4l2-ctl`);
});

vmTest("Camera negotiation reports what vivid gives and warns like backscrub", () => {
  {
    // vivid's webcam input caps 1280x720 at 12.5 fps.
    using camera = Camera.open(CAPTURE, { width: 1280, height: 720, fps: 30, format: "YUYV" });
    assert.equal(camera.negotiated.fps, 12.5);
    assert.deepEqual(camera.warnings, [`Asked "${CAPTURE}" for 30 fps, it gives 12.5 fps`]);
  }
  {
    using camera = Camera.open(CAPTURE, { width: 1000, height: 500, format: "YUYV" });
    const { width, height } = camera.negotiated;
    assert.notDeepEqual([width, height], [1000, 500]);
    assert.deepEqual(camera.warnings, [
      `Asked "${CAPTURE}" for 1000x500, it gives ${width}x${height}`,
    ]);
  }
  {
    using camera = Camera.open(CAPTURE, { width: W, height: H, format: "MJPG" });
    assert.equal(camera.negotiated.fourcc, "YUYV");
    assert.equal(camera.warnings.length, 1);
    assert.match(
      camera.warnings[0]!,
      /does not offer MJPG \(it offers YUYV, UYVY, .*\); using YUYV$/,
    );
  }
  {
    // No format asked: YUYV first.
    using camera = Camera.open("video0", { width: W, height: H, fps: 25 });
    assert.equal(camera.negotiated.fourcc, "YUYV");
    assert.deepEqual(camera.warnings, []);
  }
});

vmTest("FrameDecoder reads vivid's NV12 and YU12 like its YUYV", async () => {
  await stillVivid();
  const decoded: Record<string, Uint8Array> = {};
  const planes: Record<string, Frame> = {};
  for (const format of ["YUYV", "NV12", "I420"]) {
    using camera = Camera.open(CAPTURE, { width: W, height: H, format });
    assert.deepEqual(camera.warnings, []);
    using decoder = new FrameDecoder(camera.negotiated);
    const [frame] = cameraFrames(camera, 1);
    const rgb = new Uint8Array(W * H * 3);
    const planar = decodeToRgb(decoder, frame!.data, rgb);
    assert.ok(planar !== null, `${format} decodes`);
    assert.equal(planar.layout, format === "YUYV" ? "422" : "420", "no conversion on the way");
    decoded[format] = rgb;
    planes[format] = planar;
  }
  // vivid renders one RGB picture into each format; only chroma siting differs at edges.
  const nv12 = barInteriorError(decoded.NV12!, decoded.YUYV!, W, H, 3);
  const i420 = barInteriorError(decoded.I420!, decoded.YUYV!, W, H, 3);
  console.log(`  NV12 vs YUYV: ${nv12}, YU12 vs YUYV: ${i420} (max per channel, bar interiors)`);
  assert.ok(nv12 <= 3 && i420 <= 3);
  // The same samples in two packings: the same planes.
  assert.deepEqual(planes.NV12, planes.I420);
  assert.deepEqual(decoded.NV12, decoded.I420);
});

vmTest("Camera.stop() empties held frames and start() works again", () => {
  using camera = Camera.open(CAPTURE, { width: W, height: H, format: "YUYV" });
  camera.start();
  const held = camera.grab(5000)!;
  assert.equal(held.data.length, W * H * 2);
  camera.stop();
  // The mapping is gone: the view is detached, not a dangling pointer.
  assert.equal(held.data.length, 0);
  camera.release(held); // a no-op now
  camera.start();
  const again = camera.grab(5000)!;
  assert.equal(again.data.length, W * H * 2);
  camera.release(again);
  // Holding every buffer is a caller bug with a clear message.
  const all = [];
  for (let i = 0; i < 4; i++) all.push(camera.grab(5000)!);
  assert.throws(() => camera.grab(100), /all 4 buffers are held \(release frames first\)/);
  all.forEach((f) => camera.release(f));
  camera.close();
  camera.close();
});
