import assert from "node:assert/strict";
import { JpegDecoder, JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { type ChromaLayout, type Frame, makeFrame } from "../frame/mod.ts";
import { i420ToRgb, nv12ToRgb, rgbToI420, rgbToNv12, rgbToYuyv, yuyvToRgb } from "../image/yuv.ts";
import {
  CHROMA_TO_FULL,
  convertFrame,
  frameToRgb,
  LUMA_TO_FULL,
  yuyvToFrame,
} from "../image/planar.ts";
import { FrameDecoder } from "./decode.ts";
import { DeviceError } from "./errors.ts";
import type { Negotiated } from "./capture.ts";
import { MemoryCapture } from "../../tests/fakes/memory_capture.ts";
import { colourBars } from "../../tests/fixtures/bars.ts";
import { decodeToRgb } from "../../tests/fixtures/decode_rgb.ts";

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

/**
 * The largest per-channel difference over every row, leaving out `margin` pixels either side of
 * the seven inner bar edges (where chroma subsampling and upsampling filters legitimately differ).
 */
function interiorError(a: Uint8Array, b: Uint8Array, width: number, height: number, margin = 4) {
  let worst = 0;
  const bar = width / 8;
  for (let x = 0; x < width; x++) {
    const k = Math.min(7, Math.max(1, Math.round((x + 0.5) / bar)));
    if (Math.abs(x + 0.5 - k * bar) < margin) continue;
    for (let y = 0; y < height; y++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      }
    }
  }
  return worst;
}

/** The mean absolute difference over every byte. */
function meanError(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
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

  // The virtual camera's 4:2:2 frames and a file's 4:4:4 ones see the same stream.
  for (const layout of ["422", "444"] as const) {
    const source = new MemoryCapture(frames, negotiated(width, height, PIX_FMT.MJPEG));
    const warnings: string[] = [];
    using decoder = new FrameDecoder(source.negotiated, {
      onWarning: (m) => warnings.push(m),
      layout,
    });
    const frame = makeFrame(decoder.size, layout);
    const rgb = new Uint8Array(width * height * 3);
    source.start();
    let decoded = 0;
    for (;;) {
      const captured = source.grab(0);
      if (captured === null) break;
      const ok = decoder.decode(captured.data, frame);
      source.release(captured);
      if (!ok) continue;
      decoded++;
      assert.equal(frame.layout, layout, "a 4:2:2 JPEG in a 4:2:2 or 4:4:4 frame");
      frameToRgb(frame, rgb);
      assert.ok(barError(rgb, bars, width, height) <= 6, "bars survive JPEG");
    }
    assert.equal(decoded, 4, layout);
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
  }
});

/** Limited-range 4:2:0 planes (I420 order) → the full-range `"420"` frame the decoder must give. */
function expected420(i420: Uint8Array, width: number, height: number): Frame {
  const frame = makeFrame({ width, height }, "420");
  const n = width * height;
  for (let i = 0; i < n; i++) frame.y[i] = LUMA_TO_FULL[i420[i]!]!;
  for (let c = 0; c < n / 4; c++) {
    frame.u[c] = CHROMA_TO_FULL[i420[n + c]!]!;
    frame.v[c] = CHROMA_TO_FULL[i420[n + n / 4 + c]!]!;
  }
  return frame;
}

Deno.test("FrameDecoder unpacks YUYV, NV12 and YU12 to full-range planes, with padded rows", () => {
  const width = 64;
  const height = 8;
  const bars = colourBars(width, height);
  const i420 = new Uint8Array(width * height * 1.5);
  rgbToI420(bars, i420, { width, height });
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
    const name = code.toString(16);
    const packed = new Uint8Array(bytes);
    to(bars, packed, { width, height });
    // The frame it must give: YUYV unpacked by src/image/planar.ts; NV12 and YU12 as 4:2:0 planes
    // through the range tables (the same values: both carry the same 4:2:0 samples).
    let expected: Frame;
    if (code === PIX_FMT.YUYV) {
      expected = makeFrame({ width, height }, "422");
      yuyvToFrame(packed, expected);
    } else {
      expected = expected420(i420, width, height);
    }
    // Unpadded, into the virtual camera's 4:2:2 frame (4:2:0 comes back as such).
    const frame = makeFrame({ width, height }, "422");
    using plain = new FrameDecoder(negotiated(width, height, code));
    assert.equal(plain.decode(packed, frame), true);
    assert.deepEqual(frame, expected, name);
    // In RGB, as src/image/yuv.ts's direct conversion of the packed frame: within 1 two pixels
    // away from a bar edge (measured 1: the planes are full range, one rounding more). Nearer, the
    // two differ by design: frameToRgb repeats a chroma sample over its pair, yuv.ts interpolates
    // the odd pixel's (and rgbToYuyv's chroma filter reaches over the edge): up to 113 there.
    const direct = new Uint8Array(width * height * 3);
    from(packed, direct, { width, height });
    const rgb = new Uint8Array(width * height * 3);
    frameToRgb(frame, rgb);
    const off = interiorError(rgb, direct, width, height, 2);
    assert.ok(off <= 1, `${name}: as yuv.ts in RGB (${off})`);
    // Into a file's 4:4:4 frame: the same picture, converted once.
    const full = makeFrame({ width, height }, "444");
    assert.equal(plain.decode(packed, full), true);
    const want = makeFrame({ width, height }, "444");
    convertFrame(expected, want);
    assert.deepEqual(full, want, `${name} into 4:4:4`);
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
    const again = makeFrame({ width, height }, "422");
    withPad.decode(padded, again);
    assert.deepEqual(again, expected, `padded ${name}`);
    // A short frame (the camera's format changed under us: a browser set YU12 while backscrub
    // idled) is skipped and counted, never a crash; the frame keeps what it held.
    const skipped = plain.stats.skipped;
    const held = frame.y.slice();
    assert.equal(plain.decode(packed.subarray(1), frame), false);
    assert.equal(plain.stats.skipped, skipped + 1);
    assert.match(
      plain.stats.lastWarning!,
      /bytes, a 64x8 .* frame has \d+ \(the camera's format changed\?\)/,
    );
    assert.deepEqual(frame.y, held);
  }
});

Deno.test("FrameDecoder refuses formats it cannot read, without naming a flag", () => {
  assert.throws(
    () => new FrameDecoder(negotiated(16, 8, PIX_FMT.UYVY)),
    (e: unknown) =>
      e instanceof DeviceError && e.kind === "format" && e.purpose === "camera" &&
      e.message === "Cannot decode UYVY frames: backscrub reads YUYV, MJPG, JPEG, NV12 and YU12",
  );
  assert.throws(
    () => new FrameDecoder(negotiated(15, 8, PIX_FMT.YUYV)),
    (e: unknown) =>
      e instanceof DeviceError && e.kind === "size" && e.purpose === "camera" &&
      e.message === "Cannot decode 15x8 YUYV frames: the size must be even",
  );
  assert.throws(() => new FrameDecoder(negotiated(16, 7, PIX_FMT.NV12)), DeviceError);
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

Deno.test("FrameDecoder gives MJPG of every subsampling as libturbojpeg's own RGB decode does", () => {
  const width = 128;
  const height = 64;
  const bars = colourBars(width, height);
  using encoder = new JpegEncoder();
  using jpegDecoder = new JpegDecoder();
  const reference = new Uint8Array(width * height * 3);
  const rgb = new Uint8Array(width * height * 3);
  // The layout a 4:2:2 frame comes back in, per JPEG subsampling: 4:2:2 and 4:2:0 planes as they
  // are, the rest converted (4:4:4 by averaging pairs, 4:4:0, 4:1:1 and grey through RGB).
  const cases: ["422" | "420" | "444" | "440" | "411" | "gray", ChromaLayout][] = [
    ["422", "422"],
    ["420", "420"],
    ["444", "422"],
    ["440", "422"],
    ["411", "422"],
    ["gray", "422"],
  ];
  for (const [subsampling, comesBack] of cases) {
    const jpeg = encoder.encode(bars, { width, height, quality: 95, subsampling }).slice();
    // The oracle: libturbojpeg's RGB decode (its own upsampling and colour conversion).
    jpegDecoder.decode(jpeg, reference, { format: "rgb" });
    const rgb422 = new Uint8Array(width * height * 3);
    for (const layout of ["422", "444"] as const) {
      using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG), { layout });
      const frame = decodeToRgb(decoder, jpeg, rgb, layout);
      if (layout === "422") rgb422.set(rgb);
      else if (subsampling === "422" || subsampling === "420") {
        // A 4:2:2 or 4:2:0 JPEG in a 4:4:4 frame: chroma repeated, the very same RGB.
        assert.deepEqual(rgb, rgb422, `${subsampling}: 4:4:4 as 4:2:x`);
      }
      assert.ok(frame !== null, `${subsampling} into ${layout}`);
      assert.equal(frame.layout, layout === "444" ? "444" : comesBack, `${subsampling} layout`);
      const what = `${subsampling} into ${layout}`;
      // Every pixel not touching a bar edge: within 1 of libturbojpeg's RGB (rounding of the two
      // colour conversions; a 4:4:4 JPEG in a 4:2:2 frame is averaged over flat pairs: no loss).
      // Measured: 0 for 4:2:2, 4:2:0, 4:4:4 and grey, 1 for 4:4:0 and 4:1:1.
      const interior = interiorError(rgb, reference, width, height, 1);
      assert.ok(interior <= 1, `${what}: interiors ${interior}`);
      if (subsampling === "gray") {
        assert.deepEqual(rgb, reference, `${what}: grey is grey`);
        continue;
      }
      // At the edges the two differ by design: this decoder repeats each chroma sample over its
      // pair (the bars' edges fall between pairs, so the picture stays exact), libjpeg's fancy
      // upsampling blends in the neighbour's (up to 77 levels off the bars there). So the whole
      // picture is held against the bars that were encoded: within 2 everywhere (measured 1, and
      // 2 for 4:1:1), mean below 0.6 (0.17 … 0.52).
      const whole = interiorError(rgb, bars, width, height, 0);
      const mean = meanError(rgb, bars);
      assert.ok(
        whole <= 2 && mean < 0.6,
        `${what}: ${whole} / mean ${mean.toFixed(2)} off the bars`,
      );
    }
  }
  // YUYV: as src/image/yuv.ts's direct conversion, within 2 at the bar centres.
  const yuyv = new Uint8Array(width * height * 2);
  rgbToYuyv(bars, yuyv, { width, height });
  yuyvToRgb(yuyv, reference, { width, height });
  using raw = new FrameDecoder(negotiated(width, height, PIX_FMT.YUYV));
  assert.notEqual(decodeToRgb(raw, yuyv, rgb), null);
  assert.ok(barError(rgb, reference, width, height) <= 2, "YUYV: bars as yuyvToRgb gives");
});

Deno.test("FrameDecoder.decode() skips a corrupt MJPG frame, counts it, and checks the size", () => {
  const width = 64;
  const height = 32;
  using encoder = new JpegEncoder();
  const good = encoder.encode(colourBars(width, height), { width, height, subsampling: "422" })
    .slice();
  const warnings: string[] = [];
  using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG), {
    onWarning: (m) => warnings.push(m),
  });
  const frame = makeFrame(decoder.size, "422");
  assert.deepEqual(decoder.size, { width, height });
  assert.equal(decoder.decode(good.slice(0, good.length >> 1), frame), false);
  assert.equal(decoder.decode(good, frame), true);
  assert.deepEqual([decoder.stats.decoded, decoder.stats.skipped], [1, 1]);
  assert.match(warnings[0]!, /^Skipped a corrupt MJPG frame: no JPEG end marker/);
  assert.throws(
    () => decoder.decode(good, makeFrame({ width: 32, height: 32 }, "422")),
    /Cannot decode a 64x32 frame into a 32x32 frame/,
  );
});

Deno.test("FrameDecoder leaves a 4:4:4 frame as it was when a 4:2:2 JPEG turns out damaged", () => {
  const width = 64;
  const height = 32;
  using encoder = new JpegEncoder();
  const good = encoder.encode(colourBars(width, height), { width, height, subsampling: "422" })
    .slice();
  const damaged = good.slice();
  for (let i = 300; i < damaged.length - 2; i++) damaged[i] = (i * 31) & 0xff;
  using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG), { layout: "444" });
  const frame = makeFrame(decoder.size, "444");
  assert.equal(decoder.decode(good, frame), true);
  const before = structuredClone(frame);
  assert.equal(decoder.decode(damaged, frame), false, "libjpeg warns: skipped");
  assert.deepEqual(frame, before, "decoded into the scratch frame, not converted");
});

Deno.test("FrameDecoder.decode() puts the last good picture back into the frame after a corrupt JPEG", () => {
  const width = 96;
  const height = 64;
  using encoder = new JpegEncoder();
  const rgb = colourBars(width, height);
  // Each layout a frame is decoded straight into (no scratch frame to protect it).
  for (
    const [sub, layout] of [["422", "422"], ["420", "422"], ["444", "444"]] as const
  ) {
    const good = encoder.encode(rgb, { width, height, quality: 90, subsampling: sub }).slice();
    // Bits flipped across the entropy data (one in every 31st byte), as USB transfer errors do.
    let scan = 2;
    while (!(good[scan] === 0xff && good[scan + 1] === 0xda)) scan++;
    scan += 2 + (good[scan + 2]! << 8 | good[scan + 3]!);
    const flipped = good.slice();
    for (let i = scan + 5; i < flipped.length - 2; i += 31) flipped[i]! ^= 0x10;

    // What libturbojpeg does with the flipped JPEG: it warns, and writes garbage into the planes.
    using jpeg = new JpegDecoder();
    const planes = makeFrame({ width, height }, layout);
    const direct = jpeg.decodeToYuv(flipped, planes);
    assert.ok(direct.warning !== null, `${sub}: libjpeg warns about the flipped bits`);
    const reference = makeFrame({ width, height }, layout);
    jpeg.decodeToYuv(good, reference);
    assert.notDeepEqual(planes.y, reference.y, `${sub}: the damage reaches the planes`);

    const warnings: string[] = [];
    using decoder = new FrameDecoder(negotiated(width, height, PIX_FMT.MJPEG), {
      onWarning: (m, kind) => warnings.push(`${kind}: ${m}`),
      layout,
    });
    const frame = makeFrame(decoder.size, layout);
    assert.equal(decoder.decode(good, frame), true, sub);
    const before = structuredClone(frame);
    assert.equal(decoder.decode(flipped, frame), false, `${sub}: skipped`);
    assert.deepEqual(frame, before, `${sub}: the frame holds the good picture again`);
    assert.match(warnings.at(-1)!, /^skipped: Skipped a corrupt MJPG frame: /);
    assert.deepEqual([decoder.stats.decoded, decoder.stats.skipped], [1, 1]);
    // The next good frame decodes as usual; headers without data (libjpeg fills grey and warns)
    // are undone as well.
    assert.equal(decoder.decode(good, frame), true);
    const headersOnly = new Uint8Array(scan + 2);
    headersOnly.set(good.subarray(0, scan));
    headersOnly.set([0xff, 0xd9], scan);
    assert.equal(decoder.decode(headersOnly, frame), false);
    assert.deepEqual(frame, before, `${sub}: still the good picture`);
    assert.deepEqual([decoder.stats.decoded, decoder.stats.skipped], [2, 2]);
  }
});
