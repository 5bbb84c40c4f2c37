import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { i420ToRgb, nv12ToRgb, rgbToI420, rgbToNv12, rgbToYuyv, yuyvToRgb } from "../image/yuv.ts";
import { makeYuvFrame, planarToRgb } from "../image/planar.ts";
import { FrameDecoder } from "./decode.ts";
import { DeviceError } from "./errors.ts";
import { MemoryCapture, type Negotiated } from "./source.ts";
import { BARS, colourBars } from "../../tests/fixtures/bars.ts";

function negotiated(width: number, height: number, pixelformat: number): Negotiated {
  return {
    width,
    height,
    fourcc: "",
    pixelformat,
    fps: 30,
    bytesperline: pixelformat === PIX_FMT.YUYV
      ? width * 2
      : pixelformat === PIX_FMT.MJPEG
      ? 0
      : width,
    sizeimage: width * height * 2,
    colorimetry: { colorspace: 1, ycbcrEnc: 1, quantization: 2, xferFunc: 0 },
  };
}

/** The largest per-channel difference between bar centres of two pictures. */
function barError(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let worst = 0;
  const y = Math.floor(height / 2);
  for (let bar = 0; bar < 8; bar++) {
    const x = Math.floor(((bar + 0.5) * width) / 8);
    for (let c = 0; c < 3; c++) {
      const i = (y * width + x) * 3 + c;
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
  }
  return worst;
}

Deno.test("FrameDecoder skips corrupt MJPG frames from a MemoryCapture and the stream goes on", () => {
  const width = 128;
  const height = 64;
  const bars = colourBars(width, height);
  using encoder = new JpegEncoder();
  const good = encoder.encode(bars, { width, height, quality: 95, subsampling: "422" });
  const truncated = good.slice(0, Math.floor(good.length / 2));
  const garbage = new Uint8Array(good.length);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
  garbage.set([0xff, 0xd8], 0);
  garbage.set([0xff, 0xd9], garbage.length - 2);
  const noStart = good.slice(2);
  const wrongSize = encoder.encode(colourBars(64, 64), { width: 64, height: 64 });
  const padded = new Uint8Array(good.length + 100);
  padded.set(good); // UVC-style zero padding after the end marker
  const extraneous = new Uint8Array(good.length + 3);
  extraneous.set(good.subarray(0, good.length - 2));
  extraneous.set([1, 2, 3, 0xff, 0xd9], good.length - 2); // stray bytes before the end marker
  const damaged = good.slice();
  for (let i = 700; i < damaged.length - 2; i++) damaged[i] = (i * 31) & 0xff;
  const frames = [good, truncated, garbage, good, noStart, wrongSize, padded, damaged, extraneous];

  const source = new MemoryCapture(frames, negotiated(width, height, PIX_FMT.MJPEG));
  const warnings: string[] = [];
  using decoder = new FrameDecoder(source.negotiated, { onWarning: (m) => warnings.push(m) });
  const rgb = new Uint8Array(width * height * 3);
  source.start();
  let decoded = 0;
  for (;;) {
    const frame = source.grab(0);
    if (frame === null) break;
    const result = decoder.decode(frame.data, rgb);
    source.release(frame);
    if (result === null) continue;
    decoded++;
    assert.deepEqual(result, { width, height });
    assert.ok(barError(rgb, bars, width, height) <= 6, "bars survive JPEG");
  }
  assert.equal(decoded, 4);
  assert.deepEqual(
    { ...decoder.stats, lastWarning: null },
    { decoded: 4, skipped: 5, damaged: 1, lastWarning: null },
  );
  assert.equal(warnings.length, 6);
  assert.match(warnings[0]!, /^Skipped a corrupt MJPG frame: no JPEG end marker/);
  assert.match(warnings[2]!, /no JPEG start marker/);
  assert.match(warnings[3]!, /it is 64x64, the camera said 128x64/);
  assert.match(warnings[4]!, /^Skipped a corrupt MJPG frame: /);
  assert.match(
    warnings[5]!,
    /^Decoded a damaged MJPG frame: Corrupt JPEG data: \d+ extraneous bytes/,
  );
  assert.equal(decoder.stats.lastWarning, warnings[5]);
});

Deno.test("FrameDecoder decodes MJPG at 1/2, 1/4 and 1/8 size through DCT scaling", () => {
  const width = 128;
  const height = 64;
  const bars = colourBars(width, height);
  using encoder = new JpegEncoder();
  const jpeg = encoder.encode(bars, { width, height, quality: 95, subsampling: "444" });
  using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG));
  for (const scale of [2, 4, 8] as const) {
    const size = decoder.outputSize(scale);
    assert.deepEqual(size, { width: width / scale, height: height / scale });
    const out = new Uint8Array(size.width * size.height * 3);
    assert.deepEqual(decoder.decode(jpeg, out, { scale }), size);
    // Sample bar centres: the scaled picture keeps the bars.
    const y = size.height >> 1;
    for (let bar = 0; bar < 8; bar++) {
      const x = Math.floor(((bar + 0.5) * size.width) / 8);
      const got = Array.from(out.subarray((y * size.width + x) * 3, (y * size.width + x) * 3 + 3));
      got.forEach((v, c) => assert.ok(Math.abs(v - BARS[bar]![c]!) <= 12, `1/${scale} bar ${bar}`));
    }
  }
});

Deno.test("FrameDecoder decodes YUYV, NV12 and YU12 like src/image/yuv.ts, with padded rows", () => {
  const width = 16;
  const height = 8;
  const bars = colourBars(width, height);
  const cases = [
    {
      code: PIX_FMT.YUYV,
      line: width * 2,
      bytes: width * height * 2,
      to: rgbToYuyv,
      from: yuyvToRgb,
    },
    {
      code: PIX_FMT.NV12,
      line: width,
      bytes: width * height * 1.5,
      to: rgbToNv12,
      from: nv12ToRgb,
    },
    {
      code: PIX_FMT.YUV420,
      line: width,
      bytes: width * height * 1.5,
      to: rgbToI420,
      from: i420ToRgb,
    },
  ];
  for (const { code, line, bytes, to, from } of cases) {
    const packed = new Uint8Array(bytes);
    to(bars, packed, { width, height });
    const expected = new Uint8Array(width * height * 3);
    from(packed, expected, { width, height });
    // Unpadded.
    const out = new Uint8Array(width * height * 3);
    using plain = new FrameDecoder(negotiated(width, height, code));
    assert.deepEqual(plain.decode(packed, out), { width, height });
    assert.deepEqual(out, expected);
    // Padded: every row (and chroma row) 8 bytes longer.
    const pad = 8;
    const stride = line + pad;
    let padded: Uint8Array;
    if (code === PIX_FMT.YUYV) {
      padded = new Uint8Array(stride * height);
      for (let y = 0; y < height; y++) {
        padded.set(packed.subarray(y * line, (y + 1) * line), y * stride);
      }
    } else if (code === PIX_FMT.NV12) {
      padded = new Uint8Array(stride * height * 1.5);
      for (let y = 0; y < height * 1.5; y++) {
        padded.set(packed.subarray(y * width, (y + 1) * width), y * stride);
      }
    } else {
      // YU12: Y rows with `stride`, chroma rows with `stride / 2`.
      padded = new Uint8Array(stride * height * 1.5);
      for (let y = 0; y < height; y++) {
        padded.set(packed.subarray(y * width, (y + 1) * width), y * stride);
      }
      const cw = width / 2;
      for (let row = 0; row < height; row++) {
        // Both chroma planes, height/2 rows each, in order.
        padded.set(
          packed.subarray(width * height + row * cw, width * height + (row + 1) * cw),
          stride * height + row * (stride / 2),
        );
      }
    }
    const format = { ...negotiated(width, height, code), bytesperline: stride };
    using withPad = new FrameDecoder(format);
    out.fill(0);
    withPad.decode(padded, out);
    assert.deepEqual(out, expected, `padded ${code.toString(16)}`);
  }
});

Deno.test("FrameDecoder scales raw frames down by resizing the full decode", () => {
  const width = 64;
  const height = 16;
  const yuyv = new Uint8Array(width * height * 2);
  rgbToYuyv(colourBars(width, height), yuyv, { width, height });
  using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.YUYV));
  const out = new Uint8Array(16 * 4 * 3);
  assert.deepEqual(decoder.decode(yuyv, out, { scale: 4 }), { width: 16, height: 4 });
  // Bar 3 (green) covers output columns 6 and 7.
  const px = Array.from(out.subarray((2 * 16 + 7) * 3, (2 * 16 + 7) * 3 + 3));
  px.forEach((v, c) => assert.ok(Math.abs(v - BARS[3]![c]!) <= 2, `channel ${c}: ${v}`));
});

Deno.test("FrameDecoder refuses formats it cannot read, with the fix", () => {
  assert.throws(
    () => new FrameDecoder(negotiated(16, 8, PIX_FMT.UYVY)),
    (e: unknown) =>
      e instanceof DeviceError && e.kind === "format" &&
      e.message.startsWith("Cannot decode UYVY frames: backscrub reads YUYV, MJPG"),
  );
  assert.throws(() => new FrameDecoder(negotiated(15, 8, PIX_FMT.YUYV)), DeviceError);
});

Deno.test("MemoryCapture hands out one frame at a time and loops when asked", () => {
  const a = new Uint8Array([1]);
  const b = new Uint8Array([2]);
  const source = new MemoryCapture([a, b], negotiated(2, 2, PIX_FMT.YUYV), { loop: true });
  assert.equal(source.grab(0), null, "not started");
  source.start();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const f = source.grab(0)!;
    assert.throws(() => source.grab(0), /release the previous one first/);
    seen.push(f.data[0]!, f.sequence);
    source.release(f);
  }
  assert.deepEqual(seen, [1, 0, 2, 1, 1, 2, 2, 3, 1, 4]);
});

Deno.test("FrameDecoder.decodeYuv() gives MJPG (4:2:2, 4:2:0, 4:4:4) and YUYV as the RGB decode does", () => {
  const width = 128;
  const height = 64;
  const bars = colourBars(width, height);
  using encoder = new JpegEncoder();
  const rgb = new Uint8Array(width * height * 3);
  const back = new Uint8Array(width * height * 3);
  const planes = makeYuvFrame(width, height);
  for (const subsampling of ["422", "420", "444"] as const) {
    const jpeg = encoder.encode(bars, { width, height, quality: 95, subsampling }).slice();
    using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG));
    assert.notEqual(decoder.decode(jpeg, rgb), null);
    assert.equal(decoder.decodeYuv(jpeg, planes), true);
    assert.equal(planes.chromaShift, subsampling === "420" ? 1 : 0, subsampling);
    planarToRgb(planes, back);
    assert.ok(barError(back, rgb, width, height) <= 3, `${subsampling}: bars as decode() gives`);
    assert.ok(barError(back, bars, width, height) <= 6, `${subsampling}: bars survive`);
  }
  const yuyv = new Uint8Array(width * height * 2);
  rgbToYuyv(bars, yuyv, { width, height });
  using raw = new FrameDecoder(negotiated(width, height, PIX_FMT.YUYV));
  raw.decode(yuyv, rgb);
  assert.equal(raw.decodeYuv(yuyv, planes), true);
  planarToRgb(planes, back);
  assert.ok(barError(back, rgb, width, height) <= 2, "YUYV: bars as decode() gives");
});

Deno.test("FrameDecoder.decodeYuv() skips a corrupt MJPG frame and counts it", () => {
  const width = 64;
  const height = 32;
  using encoder = new JpegEncoder();
  const good = encoder.encode(colourBars(width, height), { width, height, subsampling: "422" })
    .slice();
  const warnings: string[] = [];
  using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG), {
    onWarning: (m) => warnings.push(m),
  });
  const planes = makeYuvFrame(width, height);
  assert.equal(decoder.decodeYuv(good.slice(0, good.length >> 1), planes), false);
  assert.equal(decoder.decodeYuv(good, planes), true);
  assert.deepEqual([decoder.stats.decoded, decoder.stats.skipped], [1, 1]);
  assert.match(warnings[0]!, /^Skipped a corrupt MJPG frame: no JPEG end marker/);
  assert.throws(() => decoder.decodeYuv(good, makeYuvFrame(32, 32)), /Cannot decode a 64x32 frame/);
});
