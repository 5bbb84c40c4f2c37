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

Deno.test("CameraSource paces to maxFps on the frames' own clock, evenly; setMaxFps() changes it between reads", async () => {
  // A 30 fps camera (timestamps 33.3 ms apart) played fast: the limit is decided on the
  // timestamps, so which frames are kept is exact, not a matter of timers.
  const frames = yuyvFrames(200);
  const camera = new FakeCamera(negotiated(PIX_FMT.YUYV, "YUYV"), (n) => frames[n] ?? null, 1, {
    stampMs: 1000 / 30,
  });
  const source = CameraSource.wrap(camera, { maxFps: 10 });
  assert.equal(source.maxFps, 10);
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  const kept = async (count: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      await source.read(frame, timing);
      out.push(numberOf(frame.y[0]!));
    }
    return out;
  };
  // 10 of 30 fps: every third frame, exactly (it was 6.3-7.3 fps with uneven gaps).
  assert.deepEqual(await kept(10), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  // 15: every other frame.
  source.setMaxFps(15);
  const fifteen = await kept(10);
  assert.deepEqual(fifteen.slice(1).map((n, i) => n - fifteen[i]!), Array(9).fill(2));
  // 25 of 30: 25 frames in every 30, never two dropped in a row.
  source.setMaxFps(25);
  const first = numberOf(frame.y[0]!);
  const twentyFive = await kept(50);
  const span = twentyFive.at(-1)! - first;
  assert.ok(
    Math.abs(50 / (span / 30) - 25) <= 25 * 0.05,
    `${50} frames over ${span} camera frames`,
  );
  assert.ok(twentyFive.every((n, i) => n - (twentyFive[i - 1] ?? first) <= 2), "even");
  // No limit: every frame.
  source.setMaxFps(null);
  assert.equal(source.maxFps, null);
  const all = await kept(5);
  assert.deepEqual(all.slice(1).map((n, i) => n - all[i]!), [1, 1, 1, 1]);
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
