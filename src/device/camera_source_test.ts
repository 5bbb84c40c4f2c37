import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { FrameTiming, makeFrame } from "../frame/mod.ts";
import { frameToRgb } from "../image/planar.ts";
import { rgbToYuyv } from "../image/yuv.ts";
import { CameraSource } from "./camera_source.ts";
import { DeviceError } from "./errors.ts";
import type { Negotiated } from "./capture.ts";
import { colourBars } from "../../tests/fixtures/bars.ts";
import { FakeCamera } from "../../tests/fakes/fake_camera.ts";

const W = 64;
const H = 32;

function negotiated(pixelformat: number, fourcc: string): Negotiated {
  return {
    width: W,
    height: H,
    fourcc,
    pixelformat,
    fps: 30,
    bytesperline: pixelformat === PIX_FMT.YUYV ? W * 2 : 0,
    sizeimage: W * H * 2,
    colorimetry: { colorspace: 1, ycbcrEnc: 1, quantization: 2, xferFunc: 0 },
  };
}

/** YUYV frames numbered in their first luma byte (16 + n: limited range), bars elsewhere. */
function yuyvFrames(count: number): Uint8Array[] {
  const base = new Uint8Array(W * H * 2);
  rgbToYuyv(colourBars(W, H), base, { width: W, height: H });
  return Array.from({ length: count }, (_, n) => {
    const f = base.slice();
    f[0] = 16 + n;
    return f;
  });
}

/** The frame number a YUYV frame carried, from the full-range luma the source gives. */
function numberOf(y0: number): number {
  return Math.round((y0 * 219) / 255);
}

Deno.test("CameraSource decodes into the caller's frame, sets timing.decode and skips corrupt frames", async () => {
  using encoder = new JpegEncoder();
  const bars = colourBars(W, H);
  const good = encoder.encode(bars, { width: W, height: H, quality: 95, subsampling: "420" });
  const corrupt = good.slice(0, good.length >> 1);
  const script = [good, corrupt, corrupt, good];
  const camera = new FakeCamera(
    negotiated(PIX_FMT.MJPEG, "MJPG"),
    (n) => script[n] ?? null,
    5,
  );
  const warnings: string[] = [];
  const source = CameraSource.wrap(camera, { onWarning: (m) => warnings.push(m), timeoutMs: 300 });
  assert.deepEqual(camera.log, ["start"]);
  assert.deepEqual([source.size, source.fps], [{ width: W, height: H }, 30]);
  assert.equal(source.description, "/dev/fake0 (fake) 64x32 MJPG 30 fps");
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  assert.equal(await source.read(frame, timing), true);
  assert.equal(frame.layout, "420", "a 4:2:0 JPEG comes back as 4:2:0 planes");
  assert.ok(timing.decode >= 0 && timing.decode < 100, `decode ${timing.decode}`);
  const rgb = new Uint8Array(W * H * 3);
  frameToRgb(frame, rgb);
  assert.ok(Math.abs(rgb[(H / 2 * W + 4) * 3]! - 255) <= 3, "white bar");
  timing.reset();
  // The next two are corrupt: skipped, counted, and the read goes on to the fourth.
  assert.equal(await source.read(frame, timing), true);
  assert.equal(camera.grabbed, 4);
  assert.equal(camera.held, 0, "every frame released");
  assert.equal(source.decodeStats.skipped, 2);
  assert.equal(warnings.length, 2);
  assert.ok(timing.decode >= 0, "set, skipped frames included");
  await source.close();
  assert.deepEqual(camera.log, ["start", "close"]);
});

Deno.test("CameraSource fills a 4:4:4 frame (a camera recorded to a file)", async () => {
  const frames = yuyvFrames(2);
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), (n) => frames[n] ?? null, 5);
  const source = CameraSource.wrap(camera, { layout: "444" });
  const frame = makeFrame(source.size, "444");
  assert.equal(await source.read(frame, new FrameTiming()), true);
  assert.equal(frame.layout, "444");
  assert.equal(numberOf(frame.y[0]!), 0);
  assert.equal(frame.u.length, W * H, "full-width chroma");
  await source.close();
});

Deno.test("CameraSource ends a stall with a one-line DeviceError that names no command", async () => {
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), () => null, 5);
  const source = CameraSource.wrap(camera, { timeoutMs: 120 });
  const t0 = performance.now();
  await assert.rejects(source.read(makeFrame(source.size, "422"), new FrameTiming()), (e) => {
    assert.ok(e instanceof DeviceError && e.kind === "timeout" && e.path === "/dev/fake0");
    assert.equal(e.purpose, "camera");
    // The facts only: the likely causes and what to do are the CLI's to say (kind, purpose).
    assert.equal(e.message, 'Cannot read from "/dev/fake0": no usable frame for 120 ms');
    return true;
  });
  assert.ok(performance.now() - t0 >= 110);
  await source.close();
});

Deno.test("CameraSource repeats the last frame while the camera is silent, then fails at the stall limit", async () => {
  const frames = yuyvFrames(2);
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), (n) => frames[n] ?? null, 5);
  const source = CameraSource.wrap(camera, { repeatAfterMs: 40, timeoutMs: 250 });
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  await source.read(frame, timing);
  await source.read(frame, timing);
  assert.equal(numberOf(frame.y[0]!), 1);
  const before = structuredClone(frame);
  timing.reset();
  const t0 = performance.now();
  assert.equal(await source.read(frame, timing), true);
  const waited = performance.now() - t0;
  assert.ok(waited >= 35 && waited < 200, `repeated after ${waited} ms`);
  assert.equal(source.repeated, 1);
  assert.deepEqual(frame, before, "the caller's frame is left as it was");
  assert.equal(timing.decode, 0, "nothing decoded");
  // Repeats go on until the stall limit, counted from the camera's last frame.
  let repeats = 0;
  await assert.rejects(async () => {
    for (;;) {
      await source.read(frame, timing);
      repeats++;
    }
  }, (e) => e instanceof DeviceError && e.kind === "timeout");
  assert.ok(repeats >= 2, `${repeats} more repeats before the stall limit`);
  await source.close();
});

Deno.test("CameraSource paces to maxFps, and setMaxFps() changes the pace between reads", async () => {
  const frames = yuyvFrames(200);
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), (n) => frames[n] ?? null, 5, {
    dropLate: true,
  });
  const source = CameraSource.wrap(camera, { maxFps: 25 });
  assert.equal(source.maxFps, 25);
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  /** The times between `count` reads (the first one's from the previous read). */
  const gaps = async (count: number): Promise<number[]> => {
    const out: number[] = [];
    let last = performance.now();
    let number = -1;
    for (let i = 0; i < count; i++) {
      await source.read(frame, timing);
      const now = performance.now();
      out.push(now - last);
      last = now;
      const n = numberOf(frame.y[0]!);
      assert.ok(n > number, "a new frame every read");
      number = n;
    }
    return out.slice(1);
  };
  const show = (g: number[]): string => g.map((ms) => ms.toFixed(1)).join(", ");
  // A camera at 200 fps, limited to 25: 40 ms apart (37 with the slack for jitter).
  const slow = await gaps(5);
  assert.ok(slow.every((ms) => ms >= 36), `at 25 fps: ${show(slow)} ms`);
  // Faster: 100 fps, 10 ms apart (7 with the slack).
  source.setMaxFps(100);
  const fast = await gaps(5);
  assert.ok(fast.every((ms) => ms >= 6), `at 100 fps: ${show(fast)} ms`);
  assert.ok(fast.reduce((a, b) => a + b) < slow.reduce((a, b) => a + b), "faster than at 25");
  // No limit: as the camera gives them (5 ms apart).
  source.setMaxFps(null);
  assert.equal(source.maxFps, null);
  const all = await gaps(5);
  assert.ok(all.reduce((a, b) => a + b) < fast.reduce((a, b) => a + b), `no limit: ${show(all)}`);
  source.setMaxFps(100);
  for (const bad of [0, -5, NaN, Infinity]) {
    assert.throws(() => source.setMaxFps(bad), RangeError, String(bad));
  }
  assert.equal(source.maxFps, 100, "a refused value leaves the limit as it was");
  await source.close();
  assert.throws(
    () =>
      CameraSource.wrap(new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), () => null, 5), {
        maxFps: 0,
      }),
    RangeError,
  );
});

Deno.test("CameraSource pause() stops the camera; resume() starts it and the stall counts from then", async () => {
  const frames = yuyvFrames(100);
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), (n) => frames[n] ?? null, 5);
  const source = CameraSource.wrap(camera, { timeoutMs: 200, repeatAfterMs: 20 });
  const frame = makeFrame(source.size, "422");
  await source.read(frame, new FrameTiming());
  source.pause();
  assert.equal(camera.streaming, false);
  await new Promise((r) => setTimeout(r, 250)); // longer than the stall limit
  source.resume();
  source.resume(); // idempotent while streaming
  assert.deepEqual(camera.log, ["start", "stop", "start"]);
  // Nothing is repeated after a resume: the first read waits for a new frame.
  assert.equal(await source.read(frame, new FrameTiming()), true);
  assert.equal(source.repeated, 0);
  assert.equal(numberOf(frame.y[0]!), 0, "frame 0 of the new start");
  await source.close();
});

Deno.test("CameraSource refuses a format it cannot decode and closes the camera", () => {
  const camera = new FakeCamera(negotiated(PIX_FMT.UYVY, "UYVY"), () => null, 5);
  assert.throws(
    () => CameraSource.wrap(camera),
    (e) => e instanceof DeviceError && e.kind === "format",
  );
  assert.deepEqual(camera.log, ["close"]);
});
