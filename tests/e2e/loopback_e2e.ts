/**
 * The virtual camera on a real kernel: RGB colour bars → YUYV/I420/NV12 →
 * v4l2loopback → Camera → the decoder's planar frame → RGB within ±2 per
 * channel; MJPG frames (with corrupt ones) through the loopback into the
 * decoder; and the pipeline's device stages, CameraSource and LoopbackSink.
 *
 * Writer and reader live in this one process: each frame is written, then
 * grabbed with a timeout (the device is non-blocking).
 *
 * @module
 */

import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import {
  Camera,
  CameraSource,
  DeviceError,
  FrameDecoder,
  Loopback,
  LoopbackSink,
  type OutputFormat,
} from "../../src/device/mod.ts";
import { FrameTiming, makeFrame } from "../../src/frame/mod.ts";
import { frameToRgb, packYuyv } from "../../src/image/planar.ts";
import {
  i420ToRgb,
  nv12ToRgb,
  rgbToI420,
  rgbToNv12,
  rgbToYuyv,
  yuyvToRgb,
} from "../../src/image/yuv.ts";
import { decodeToRgb } from "../fixtures/decode_rgb.ts";
import {
  barInteriorError,
  CAPTURE,
  colourBars,
  LOOPBACK,
  since,
  stillVivid,
  vmTest,
} from "./_vm.ts";

const W = 320;
const H = 240;
const FRAMES = 8;

const CONVERT = {
  YUYV: { to: rgbToYuyv, from: yuyvToRgb, fourcc: "YUYV" },
  I420: { to: rgbToI420, from: i420ToRgb, fourcc: "YU12" },
  NV12: { to: rgbToNv12, from: nv12ToRgb, fourcc: "NV12" },
} as const;

for (const format of ["YUYV", "I420", "NV12"] as OutputFormat[]) {
  vmTest(
    `Loopback ${format}: colour bars survive RGB → loopback → Camera → planes within ±2`,
    () => {
      const t0 = performance.now();
      const { to, from, fourcc } = CONVERT[format];
      const bars = colourBars(W, H);
      using out = Loopback.open(LOOPBACK, { width: W, height: H, format, fps: 30 });
      assert.deepEqual(out.warnings, []);
      const n = out.negotiated;
      assert.deepEqual(
        [n.width, n.height, n.fourcc, n.fps, n.frameBytes],
        [W, H, fourcc, 30, format === "YUYV" ? W * H * 2 : W * H * 1.5],
      );
      // Declared BT.601 limited range; v4l2loopback 0.12.7 keeps these two
      // (and turns the colorspace into sRGB).
      assert.equal(n.colorimetry.ycbcrEnc, 1);
      assert.equal(n.colorimetry.quantization, 2);
      const yuv = new Uint8Array(n.frameBytes);
      to(bars, yuv, { width: W, height: H });
      // Frame i carries its number in the first luma byte, to check order and count.
      const stamp = (i: number): void => {
        yuv[0] = 16 + i;
      };
      // The writer's STREAMON (in Loopback.open) already shows the capture side.
      using camera = Camera.open(LOOPBACK);
      assert.deepEqual(camera.warnings, []);
      const c = camera.negotiated;
      assert.deepEqual([c.width, c.height, c.fourcc, c.sizeimage], [W, H, fourcc, n.frameBytes]);
      using decoder = new FrameDecoder(c);
      camera.start();
      const rgb = new Uint8Array(W * H * 3);
      const sequences: number[] = [];
      for (let i = 1; i <= FRAMES; i++) {
        stamp(i);
        out.write(yuv);
        const frame = camera.grab(3000);
        assert.ok(frame !== null, `frame ${i} arrives`);
        assert.equal(frame.data.length, n.frameBytes);
        assert.equal(frame.data[0], 16 + i, "frames arrive in order, none lost");
        assert.deepEqual(frame.data.subarray(1), yuv.subarray(1), "the loopback is lossless");
        sequences.push(frame.sequence);
        if (i === FRAMES) {
          const planes = decodeToRgb(decoder, frame.data, rgb);
          assert.ok(planes !== null);
          assert.equal(
            planes.layout,
            format === "YUYV" ? "422" : "420",
            "no conversion on the way",
          );
        }
        camera.release(frame);
      }
      assert.equal(out.frames, FRAMES);
      assert.equal(camera.stats.frames, FRAMES);
      assert.deepEqual(sequences, sequences.map((_, i) => sequences[0]! + i));
      // The frame decoded through the device equals the decode of what was written...
      const written = new Uint8Array(W * H * 3);
      assert.ok(decodeToRgb(decoder, yuv, written) !== null);
      assert.deepEqual(rgb, written);
      // ...is within 1 of src/image/yuv.ts's direct conversion away from the bar edges (measured 1:
      // the planes are full range, one rounding more; at an edge yuv.ts interpolates chroma, the
      // planes repeat it)...
      const direct = new Uint8Array(W * H * 3);
      from(yuv, direct, { width: W, height: H });
      const fromDirect = barInteriorError(rgb, direct, W, H, 2);
      assert.ok(fromDirect <= 1, `${fromDirect} off yuv.ts's conversion`);
      // ...and the bars are within ±2 of the RGB written (the stamped pixel aside; measured 1).
      rgb.set(bars.subarray(0, 6), 0);
      const error = barInteriorError(rgb, bars, W, H, 2);
      console.log(`  ${format}: ${FRAMES} frames, max error ${error} (${since(t0)})`);
      assert.ok(error <= 2, `max error ${error}`);
      // Once the writer stops, a reader gets no frame: the timeout returns null.
      const t1 = performance.now();
      assert.equal(camera.grab(300), null);
      assert.ok(performance.now() - t1 >= 250);
      assert.equal(camera.stats.timeouts, 1);
    },
  );
}

vmTest("MJPG through the loopback: corrupt frames are skipped, the stream goes on", () => {
  const t0 = performance.now();
  const width = 160;
  const height = 120;
  using encoder = new JpegEncoder();
  const bars = colourBars(width, height);
  const good = encoder.encode(bars, { width, height, quality: 90, subsampling: "422" });
  const truncated = good.slice(0, good.length >> 1);
  const garbage = good.slice();
  for (let i = 700; i < garbage.length - 2; i++) garbage[i] = (i * 31) & 0xff;
  const headerOnly = good.slice(0, 200);
  headerOnly.set([0xff, 0xd9], 198);
  const sequence = [good, truncated, good, garbage, headerOnly, good, good];

  using out = Loopback.open(LOOPBACK, { width, height, format: "MJPG", fps: 15 });
  assert.equal(out.negotiated.fourcc, "MJPG");
  using camera = Camera.open(LOOPBACK, { format: "MJPG" });
  assert.equal(camera.negotiated.fourcc, "MJPG");
  const warnings: string[] = [];
  using decoder = new FrameDecoder(camera.negotiated, { onWarning: (m) => warnings.push(m) });
  camera.start();
  // A file's pipeline decodes the same frames into 4:4:4.
  using fileDecoder = new FrameDecoder(camera.negotiated, { layout: "444" });
  const full = new Uint8Array(width * height * 3);
  const full444 = new Uint8Array(width * height * 3);
  let decoded = 0;
  for (const jpeg of sequence) {
    out.write(jpeg);
    const frame = camera.grab(3000);
    assert.ok(frame !== null);
    assert.equal(frame.data.length, jpeg.length, "bytesused is the JPEG size");
    const planes = decodeToRgb(decoder, frame.data, full);
    const planes444 = decodeToRgb(fileDecoder, frame.data, full444, "444");
    assert.equal(planes === null, planes444 === null, "both skip the same frames");
    if (planes !== null) {
      decoded++;
      assert.equal(planes.layout, "422", "the JPEG's own 4:2:2 planes");
      assert.equal(planes444!.layout, "444");
      assert.ok(barInteriorError(full, bars, width, height, 4) <= 8, "bars survive JPEG");
      // 4:2:2 chroma repeated over each pair: the same RGB either way.
      assert.deepEqual(full444, full, "4:4:4 gives the 4:2:2 picture");
    }
    camera.release(frame);
  }
  assert.equal(decoded, 4);
  // Three corrupt frames skipped (plus nothing else): counted and explained.
  assert.equal(decoder.stats.skipped, 3);
  assert.equal(warnings.length, 3);
  for (const w of warnings) assert.match(w, /^Skipped a corrupt MJPG frame: /);
  console.log(
    `  MJPG: ${decoded} decoded, ${decoder.stats.skipped} skipped: ${warnings.join(" | ")} (${
      since(t0)
    })`,
  );
});

vmTest(
  "Pipeline stages: vivid → CameraSource → LoopbackSink → CameraSource, event loop free",
  async () => {
    const t0 = performance.now();
    await stillVivid();
    const w = 320;
    const h = 180;
    const camera = CameraSource.open(CAPTURE, { width: w, height: h, fps: 25, format: "YUYV" });
    const sink = LoopbackSink.open(undefined, { width: w, height: h, fps: 25 });
    const back = CameraSource.open(LOOPBACK, { timeoutMs: 3000 });
    try {
      assert.equal(camera.description, `${CAPTURE} (vivid) ${w}x${h} YUYV 25 fps`);
      assert.equal(sink.description, `${LOOPBACK} ${w}x${h} YUYV 25 fps`);
      assert.deepEqual([sink.kind, sink.size, back.size], ["yuyv", { width: w, height: h }, {
        width: w,
        height: h,
      }]);
      const frame = makeFrame(camera.size, "422");
      const frameBack = makeFrame(back.size, "422");
      const timing = new FrameTiming();
      for (let i = 0; i < 5; i++) {
        timing.reset();
        assert.equal(await camera.read(frame, timing), true);
        assert.ok(timing.decode >= 0, "the source times its decode");
        assert.equal(frame.layout, "422");
        // The pipeline's passthrough: pack the planes into the sink's buffer, commit.
        packYuyv(frame, sink.yuyv);
        await sink.commit(timing);
        assert.ok(Number.isNaN(timing.convert), "a YUYV device takes the buffer as it is");
        assert.equal(await back.read(frameBack, timing), true);
      }
      const rgb = new Uint8Array(w * h * 3);
      const out = new Uint8Array(w * h * 3);
      frameToRgb(frame, rgb);
      frameToRgb(frameBack, out);
      // Waiting for a frame happens off the event loop: nothing is written now,
      // so the reader waits its whole timeout while timers keep firing.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const t1 = performance.now();
      const none = await back.camera.grabAsync(400);
      const waited = Math.round(performance.now() - t1);
      clearInterval(timer);
      assert.equal(none, null);
      assert.ok(waited >= 350, `waited ${waited} ms`);
      assert.ok(ticks >= 10, `timers ran during a ${waited} ms wait (${ticks} ticks)`);
      const error = barInteriorError(out, rgb, w, h, 3);
      console.log(
        `  5 frames vivid → loopback → back, max error ${error}; ${ticks} timer ticks ` +
          `during a ${waited} ms grabAsync (${since(t0)})`,
      );
      assert.ok(error <= 2);
      // The writer stops: the reader times out with a one-line error instead of hanging.
      const quick = CameraSource.open(LOOPBACK, { timeoutMs: 300 });
      assert.equal(
        await quick.read(frameBack, timing),
        true,
        "a new reader gets the last frame written",
      );
      await assert.rejects(() => quick.read(frameBack, timing), (e: unknown) => {
        assert.ok(e instanceof DeviceError && e.kind === "timeout", String(e));
        assert.equal(e.purpose, "camera");
        assert.match(e.message, /no usable frame for 300 ms/);
        return true;
      });
      await quick.close();
    } finally {
      await back.close();
      await sink.close();
      await camera.close();
    }
  },
);
