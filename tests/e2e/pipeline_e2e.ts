/**
 * The live pipeline on a real kernel, as users run it: vivid → backscrub (a
 * child process, `deno run -A main.ts -c /dev/video0 -v /dev/video10 ...`) →
 * v4l2loopback → read back here (a second process) with the project's capture
 * code, compared in RGB with what vivid gives directly.
 *
 * vivid shows still test patterns (colour bars, colour squares) at 320x180:
 * no person, so a replaced background fills the whole frame; with `-b off` the
 * frame passes through, mirrored, flipped or cropped and scaled as asked.
 * Every run ends by a signal or `--frames`, must exit 0 with its summary line
 * and without a stack trace. Every read waits with a timeout: a loopback
 * reader blocks once the writer stops.
 *
 * @module
 */

import assert from "node:assert/strict";
import { coverScale } from "../../src/background/cover.ts";
import { Camera, FrameDecoder } from "../../src/device/mod.ts";
import { decodeToRgb } from "../fixtures/decode_rgb.ts";
import { loadImage } from "../../src/io/image_file.ts";
import { rgbToYuyv, yuyvToRgb } from "../../src/image/yuv.ts";
import {
  Backscrub,
  type BackscrubExit,
  CAPTURE,
  grabFrames,
  LOOPBACK,
  openLoopbackReader,
  PATTERN,
  ROOT,
  since,
  stillVivid,
  vmTest,
} from "./_vm.ts";

/** vivid's smallest webcam size, fast enough under emulation. */
const W = 320;
const H = 180;
const FPS = 30;
/** Start to banner, banner to first frame: deno start (5-25 s under TCG), model load. */
const START_MS = 90_000;
/** Per-frame wait once frames flow. */
const FRAME_MS = 5_000;
/** SIGTERM to exit: the current frame, a model run in flight, closing. */
const EXIT_MS = 20_000;

const SUMMARY = /^backscrub: (\d+) frames in ([\d.]+) s \(([\d.]+) fps\), (\d+) model runs(.*)$/m;

/** An RGB picture. */
interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The base arguments of every run: vivid at 320x180 → the loopback. */
function liveArgs(...extra: string[]): string[] {
  return ["-c", CAPTURE, "-v", LOOPBACK, "--cg", `${W}x${H}`, "--fps", String(FPS), ...extra];
}

/** YUYV → RGB with the project's converter. */
function toRgb(yuyv: Uint8Array, width: number, height: number): Rgb {
  const data = new Uint8Array(width * height * 3);
  yuyvToRgb(yuyv, data, { width, height });
  return { width, height, data };
}

/**
 * What vivid gives directly (this process, the Camera class), as RGB: the
 * reference for the pass-through runs. Three frames, the last two equal (the
 * pattern is still), so a frame queued before a pattern change is not used.
 */
function vividReference(): Rgb {
  using camera = Camera.open(CAPTURE, { width: W, height: H, format: "YUYV", fps: FPS });
  assert.deepEqual([camera.negotiated.width, camera.negotiated.height], [W, H]);
  using decoder = new FrameDecoder(camera.negotiated);
  camera.start();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const f = camera.grab(FRAME_MS);
    assert.ok(f !== null, "vivid gives a frame");
    frames.push(f.data.slice());
    camera.release(f);
  }
  camera.stop();
  assert.deepEqual(frames[2], frames[1], "vivid's picture is still");
  const data = new Uint8Array(W * H * 3);
  // Decoded as the loopback's frames are (withLiveRun): the project's decoder, then RGB.
  assert.ok(decodeToRgb(decoder, frames[2]!, data) !== null, "vivid's frame decodes");
  // And within 1 of yuv.ts's direct conversion away from colour edges (the planes repeat chroma
  // over each pair where yuyvToRgb interpolates the odd pixel's).
  const direct = toRgb(frames[2]!, W, H).data;
  assert.ok(
    flatError({ width: W, height: H, data }, { width: W, height: H, data: direct }).max <= 1,
  );
  return { width: W, height: H, data };
}

/** Left-right mirror. */
function mirrored(img: Rgb): Rgb {
  const { width, height } = img;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      data.set(img.data.subarray(s, s + 3), (y * width + width - 1 - x) * 3);
    }
  }
  return { width, height, data };
}

/** Upside down. */
function flipped(img: Rgb): Rgb {
  const { width, height } = img;
  const row = width * 3;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < height; y++) {
    data.set(img.data.subarray(y * row, (y + 1) * row), (height - 1 - y) * row);
  }
  return { width, height, data };
}

/**
 * The `rect` part of `img` scaled to `width`×`height` by nearest neighbour:
 * independent of the product's bilinear resampler, and equal to it inside flat
 * areas (which is all {@linkcode flatError} looks at).
 */
function scaleNearest(
  img: Rgb,
  rect: { x: number; y: number; w: number; h: number },
  width: number,
  height: number,
): Rgb {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(rect.y + ((y + 0.5) * rect.h) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(rect.x + ((x + 0.5) * rect.w) / width));
      const s = (sy * img.width + sx) * 3;
      data.set(img.data.subarray(s, s + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** The centred part of `img` with the aspect of `width`×`height` (what `--vg` shows). */
function centredCrop(img: Rgb, width: number, height: number) {
  const scale = Math.max(width / img.width, height / img.height);
  const w = width / scale;
  const h = height / scale;
  return { x: (img.width - w) / 2, y: (img.height - h) / 2, w, h };
}

/**
 * The largest per-channel difference between `actual` and `expected` over the
 * pixels where `expected` is flat (every pixel within ±3 columns and ±1 row is
 * within 4 of it): edges are left out, since 4:2:2 chroma and resampling blur
 * them. Also says which share of the picture that was.
 */
function flatError(actual: Rgb, expected: Rgb): { max: number; flat: number; worstAt: string } {
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height]);
  const { width, height } = expected;
  const e = expected.data;
  const a = actual.data;
  let max = 0;
  let flat = 0;
  let worstAt = "";
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let isFlat = true;
      for (let dy = -1; dy <= 1 && isFlat; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -3; dx <= 3 && isFlat; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = (yy * width + xx) * 3;
          for (let c = 0; c < 3; c++) if (Math.abs(e[i + c]! - e[j + c]!) > 4) isFlat = false;
        }
      }
      if (!isFlat) continue;
      flat++;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a[i + c]! - e[i + c]!);
        if (d > max) {
          max = d;
          worstAt = `(${x},${y}) got ${a.subarray(i, i + 3).join(",")} want ${
            e.subarray(i, i + 3).join(",")
          }`;
        }
      }
    }
  }
  return { max, flat: flat / (width * height), worstAt };
}

/** The share of pixels whose channels are all within `tolerance` of `expected`'s. */
function shareWithin(
  actual: Rgb,
  expected: Uint8Array | [number, number, number],
  tolerance: number,
) {
  const a = actual.data;
  const n = actual.width * actual.height;
  let good = 0;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    let ok = true;
    for (let c = 0; c < 3; c++) {
      const want = expected.length === 3 ? expected[c]! : expected[i + c]!;
      if (Math.abs(a[i + c]! - want) > tolerance) ok = false;
    }
    if (ok) good++;
  }
  return good / n;
}

/** A line of stderr that is a stack frame or an uncaught error. */
const CRASH = /^\s+at .*(:\d+:\d+\)?|\(native\))$|^error: |Uncaught|panicked/m;

/** Checks a run ended well: status 0, the summary line, no stack trace. */
function assertCleanExit(
  exit: BackscrubExit,
  run: Backscrub,
  frames: number | null,
  bySignal: boolean,
): RegExpExecArray {
  const context = `\n${run.describe()}`;
  assert.equal(exit.signal, null, `ended by ${exit.signal}, not by itself${context}`);
  assert.equal(exit.code, 0, `exit status${context}`);
  assert.doesNotMatch(exit.stderr, CRASH, `no stack trace on stderr${context}`);
  const summary = SUMMARY.exec(exit.stdout);
  assert.ok(summary, `the summary line${context}`);
  if (frames !== null) assert.equal(Number(summary[1]), frames, `frame count${context}`);
  else assert.ok(Number(summary[1]) > 0, `frames were sent${context}`);
  assert.equal(summary[5]!.includes("stopped by signal"), bySignal, `how it stopped${context}`);
  // The banner came first and names the devices.
  assert.match(
    exit.stdout,
    new RegExp(`^backscrub: capture {4}${CAPTURE} \\(vivid\\) ${W}x${H}`, "m"),
  );
  assert.match(exit.stdout, new RegExp(`^backscrub: output {5}${LOOPBACK} `, "m"));
  assert.match(
    exit.stdout,
    /^backscrub: frames {5}YCbCr 4:2:2, composited straight into YUYV$/m,
    `the frames line${context}`,
  );
  return summary;
}

/**
 * Starts backscrub, waits for its banner, opens the loopback for reading and
 * grabs `count` frames; the caller stops the process. The frames and the
 * reader's negotiated format are handed to `check`.
 */
async function withLiveRun(
  args: string[],
  count: number,
  check: (frames: Rgb[], reader: Camera) => void | Promise<void>,
  stop: Deno.Signal = "SIGTERM",
): Promise<{ exit: BackscrubExit; run: Backscrub }> {
  const t0 = performance.now();
  await using run = Backscrub.spawn(args);
  await run.waitForStdout(/^backscrub: options .*$/m, START_MS);
  const banner = performance.now();
  {
    using reader = await openLoopbackReader(run, 30_000);
    const n = reader.negotiated;
    // The first frame waits for the first model run; later ones flow.
    const first = await grabFrames(reader, 1, START_MS);
    const rest = await grabFrames(reader, count - 1, FRAME_MS);
    // Whatever the virtual camera's format (YUYV, I420, NV12), decoded by the project's decoder.
    using decoder = new FrameDecoder(n);
    const frames = [...first, ...rest].map((f) => {
      const data = new Uint8Array(n.width * n.height * 3);
      assert.notEqual(decodeToRgb(decoder, f.data, data), null, "a frame of the loopback decodes");
      return { width: n.width, height: n.height, data };
    });
    await check(frames, reader);
  }
  run.kill(stop);
  const exit = await run.wait(EXIT_MS);
  console.log(
    `  ${args.slice(8).join(" ")}: banner after ${
      Math.round(banner - t0)
    } ms, ${count} frames read, ` +
      `${stop} → exit ${exit.code} (${since(t0)}); ${SUMMARY.exec(exit.stdout)?.[0]}`,
  );
  return { exit, run };
}

vmTest(
  "live pipeline: -b off passes vivid's frames through within ±2 (and exits 0 on SIGINT)",
  async () => {
    await stillVivid(PATTERN.bars75);
    const reference = vividReference();
    const { exit, run } = await withLiveRun(liveArgs("-b", "off"), 5, (frames, reader) => {
      const n = reader.negotiated;
      assert.deepEqual([n.width, n.height, n.fourcc], [W, H, "YUYV"]);
      for (const [i, frame] of frames.entries()) {
        const e = flatError(frame, reference);
        if (i === frames.length - 1) {
          console.log(`  off: max error ${e.max}, ${(e.flat * 100).toFixed(1)}% flat`);
        }
        assert.ok(e.flat > 0.8, `most of the bars are flat (${e.flat})`);
        assert.ok(e.max <= 2, `frame ${i}: max error ${e.max} at ${e.worstAt}`);
      }
    }, "SIGINT");
    const summary = assertCleanExit(exit, run, null, true);
    assert.equal(summary[4], "0", "no model runs with -b off");
    assert.match(exit.stdout, /^backscrub: model {6}none \(background off\)$/m);
  },
);

for (const format of ["I420", "NV12"] as const) {
  vmTest(
    `live pipeline: -b off --out-format ${format}: the fast path repacks vivid's frames within ±2`,
    async () => {
      await stillVivid(PATTERN.bars75);
      const reference = vividReference();
      const { exit, run } = await withLiveRun(
        liveArgs("-b", "off", "--out-format", format),
        3,
        (frames, reader) => {
          assert.equal(reader.negotiated.fourcc, format === "I420" ? "YU12" : "NV12");
          for (const [i, frame] of frames.entries()) {
            const e = flatError(frame, reference);
            if (i === 0) console.log(`  ${format}: max error ${e.max}`);
            assert.ok(e.max <= 2, `frame ${i}: max error ${e.max} at ${e.worstAt}`);
          }
        },
      );
      assertCleanExit(exit, run, null, true);
      assert.match(exit.stdout, /^backscrub: frames {5}YCbCr 4:2:2/m);
    },
  );
}

vmTest(
  "live pipeline: --out-format MJPG: JPEG frames (Firefox's full rate) decode to vivid's picture within ±6",
  async () => {
    await stillVivid(PATTERN.bars75);
    const reference = vividReference();
    const { exit, run } = await withLiveRun(
      liveArgs("-b", "off", "--out-format", "MJPG"),
      3,
      (frames, reader) => {
        assert.equal(reader.negotiated.fourcc, "MJPG");
        for (const [i, frame] of frames.entries()) {
          const e = flatError(frame, reference);
          if (i === 0) console.log(`  MJPG: max error ${e.max} on flat areas`);
          // JPEG at quality 90 on colour bars: a few levels off inside the flat bars.
          assert.ok(e.max <= 6, `frame ${i}: max error ${e.max} at ${e.worstAt}`);
        }
      },
    );
    assertCleanExit(exit, run, null, true);
    assert.match(exit.stdout, /^backscrub: output {5}.* MJPG/m);
  },
);

for (
  const { flag, name, transform } of [
    { flag: "-H", name: "mirrored", transform: mirrored },
    { flag: "-V", name: "flipped", transform: flipped },
  ]
) {
  vmTest(`live pipeline: -b off ${flag}: the frames come back ${name}`, async () => {
    await stillVivid(PATTERN.squares);
    const reference = vividReference();
    const expected = transform(reference);
    // The pattern must not look the same transformed, or this proves nothing.
    assert.ok(flatError(expected, reference).max > 100, `vivid's squares are not symmetric`);
    const { exit, run } = await withLiveRun(liveArgs("-b", "off", flag), 3, (frames) => {
      for (const [i, frame] of frames.entries()) {
        const e = flatError(frame, expected);
        if (i === 0) {
          console.log(`  ${flag}: max error ${e.max}, ${(e.flat * 100).toFixed(1)}% flat`);
        }
        assert.ok(e.flat > 0.7, `most of the squares are flat (${e.flat})`);
        assert.ok(e.max <= 2, `frame ${i}: max error ${e.max} at ${e.worstAt}`);
      }
    });
    assertCleanExit(exit, run, null, true);
    assert.match(exit.stdout, new RegExp(`^backscrub: options .*\\b${name}\\b`, "m"));
  });
}

vmTest(
  "live pipeline: -b off --vg 160x120: the centred 4:3 crop of the 16:9 frame, scaled",
  async () => {
    await stillVivid(PATTERN.squares);
    const reference = vividReference();
    const ow = 160;
    const oh = 120;
    const crop = centredCrop(reference, ow, oh);
    assert.deepEqual(crop, { x: 40, y: 0, w: 240, h: 180 });
    const expected = scaleNearest(reference, crop, ow, oh);
    // The whole frame squeezed to 4:3 would look different: the check can tell.
    const squeezed = scaleNearest(reference, { x: 0, y: 0, w: W, h: H }, ow, oh);
    assert.ok(flatError(squeezed, expected).max > 100, "a squeezed frame would fail");
    const { exit, run } = await withLiveRun(
      liveArgs("-b", "off", "--vg", `${ow}x${oh}`),
      3,
      (frames, reader) => {
        const n = reader.negotiated;
        assert.deepEqual([n.width, n.height, n.fourcc, n.sizeimage], [ow, oh, "YUYV", ow * oh * 2]);
        for (const [i, frame] of frames.entries()) {
          const e = flatError(frame, expected);
          if (i === 0) {
            console.log(
              `  --vg: max error ${e.max}, ${(e.flat * 100).toFixed(1)}% flat`,
            );
          }
          assert.ok(e.flat > 0.6, `most of the squares are flat (${e.flat})`);
          assert.ok(e.max <= 3, `frame ${i}: max error ${e.max} at ${e.worstAt}`);
        }
      },
    );
    assertCleanExit(exit, run, null, true);
    assert.match(
      exit.stdout,
      new RegExp(`^backscrub: output {5}${LOOPBACK} ${ow}x${oh} YUYV`, "m"),
    );
  },
);

vmTest(
  "live pipeline: -b #00c000: no person in the bars, so the whole frame is the colour; SIGTERM mid-run exits 0",
  async () => {
    await stillVivid(PATTERN.bars75);
    const green: [number, number, number] = [0, 0xc0, 0];
    const { exit, run } = await withLiveRun(liveArgs("-b", "#00c000"), 8, (frames, reader) => {
      const n = reader.negotiated;
      assert.deepEqual([n.width, n.height, n.fourcc], [W, H, "YUYV"]);
      for (const [i, frame] of frames.entries()) {
        const share = shareWithin(frame, green, 3);
        if (i === frames.length - 1) {
          console.log(`  #00c000: ${(share * 100).toFixed(2)}% of pixels within ±3 of the colour`);
        }
        assert.ok(share >= 0.99, `frame ${i}: only ${(share * 100).toFixed(2)}% within ±3`);
      }
    });
    const summary = assertCleanExit(exit, run, null, true);
    assert.ok(Number(summary[4]) >= 1, "the model ran");
    assert.match(exit.stdout, /^backscrub: background colour #00c000$/m);
    assert.match(exit.stdout, /^backscrub: model {6}landscape /m);
  },
);

/** Mean RGB of `img` over the pixels whose centres lie in the rectangle. */
function meanOf(img: Rgb, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.ceil(y0 - 0.5); y + 0.5 < y1; y++) {
    for (let x = Math.ceil(x0 - 0.5); x + 0.5 < x1; x++) {
      const i = (y * img.width + x) * 3;
      for (let c = 0; c < 3; c++) sum[c]! += img.data[i + c]!;
      n++;
    }
  }
  return sum.map((s) => s / n);
}

vmTest(
  "live pipeline acceptance: 300 frames vivid → backscrub -b backgrounds/studio.png → loopback, read back",
  async () => {
    const t0 = performance.now();
    await stillVivid(PATTERN.bars75);
    const image = await loadImage(`${ROOT}backgrounds/studio.png`);
    // The background as it should arrive: cover-scaled (the product's scaler),
    // then through YUYV and back like every frame.
    const covered = new Uint8Array(W * H * 3);
    coverScale(image, covered, { width: W, height: H });
    const yuyv = new Uint8Array(W * H * 2);
    rgbToYuyv(covered, yuyv, { width: W, height: H });
    const expected = toRgb(yuyv, W, H);
    // And independently of that scaler: the mean colour of 4x3 regions of the
    // output equals the mean of the image area they show (centred crop).
    const crop = centredCrop(image, W, H);
    const regions: { x0: number; y0: number; x1: number; y1: number; want: number[] }[] = [];
    for (let ry = 0; ry < 3; ry++) {
      for (let rx = 0; rx < 4; rx++) {
        const [x0, x1, y0, y1] = [rx * W / 4, (rx + 1) * W / 4, ry * H / 3, (ry + 1) * H / 3];
        const sx = crop.w / W;
        const sy = crop.h / H;
        const want = meanOf(
          image,
          crop.x + x0 * sx,
          crop.y + y0 * sy,
          crop.x + x1 * sx,
          crop.y + y1 * sy,
        );
        regions.push({ x0, y0, x1, y1, want });
      }
    }
    const spread = Math.max(...regions.map((r) => r.want[2]!)) -
      Math.min(...regions.map((r) => r.want[2]!));
    assert.ok(spread > 30, `the regions differ (blue spread ${spread.toFixed(0)})`);
    const prepared = performance.now();

    const args = liveArgs("-b", "backgrounds/studio.png", "--frames", "300");
    await using run = Backscrub.spawn(args);
    await run.waitForStdout(/^backscrub: options .*$/m, START_MS);
    const banner = performance.now();
    let received = 0;
    let checked = 0;
    let firstAt = 0;
    let worstRegion = 0;
    let worstShare = 1;
    let dropped = 0;
    let endWait = 0;
    {
      using reader = await openLoopbackReader(run, 30_000);
      const n = reader.negotiated;
      assert.deepEqual(
        [n.width, n.height, n.fourcc, n.bytesperline, n.sizeimage],
        [W, H, "YUYV", W * 2, W * H * 2],
      );
      let lastSequence = -1;
      for (;;) {
        // The first frame waits for the first model run; once the writer has
        // ended (--frames 300) the reader would block: short timeouts then.
        const timeout = received === 0 ? START_MS : run.exited ? 500 : FRAME_MS;
        const frame = await reader.grabAsync(timeout);
        if (frame === null) {
          if (!run.exited) {
            throw new Error(`No frame for ${timeout} ms after ${received}:\n${run.describe()}`);
          }
          // The writer is gone and the device stays open: a read must not
          // hang but time out, again and again.
          const t = performance.now();
          assert.equal(await reader.grabAsync(300), null, "no frame once the writer is gone");
          endWait = performance.now() - t;
          assert.ok(endWait >= 250 && endWait < 2300, `a 300 ms read took ${endWait} ms`);
          assert.ok(reader.stats.timeouts >= 2);
          break;
        }
        received++;
        if (received === 1) firstAt = performance.now();
        assert.equal(frame.data.length, W * H * 2);
        assert.ok(frame.sequence > lastSequence, "sequence numbers increase");
        if (lastSequence >= 0) dropped += frame.sequence - lastSequence - 1;
        lastSequence = frame.sequence;
        // Check every 25th frame (and the first) in full; converting them all
        // would slow this reader down under emulation.
        if (received % 25 === 1) {
          const rgb = toRgb(frame.data, W, H);
          const share = shareWithin(rgb, expected.data, 3);
          worstShare = Math.min(worstShare, share);
          assert.ok(share >= 0.99, `frame ${received}: ${(share * 100).toFixed(2)}% within ±3`);
          for (const r of regions) {
            const got = meanOf(rgb, r.x0, r.y0, r.x1, r.y1);
            const d = Math.max(...got.map((g, c) => Math.abs(g - r.want[c]!)));
            worstRegion = Math.max(worstRegion, d);
            assert.ok(
              d <= 4,
              `frame ${received}, region (${r.x0},${r.y0}): mean ${got.map(Math.round)} ` +
                `want ${r.want.map(Math.round)}`,
            );
          }
          checked++;
        }
        reader.release(frame);
      }
    }
    const exit = await run.wait(EXIT_MS);
    const summary = assertCleanExit(exit, run, 300, false);
    assert.match(
      exit.stdout,
      /^backscrub: background image \S*backgrounds\/studio\.png 1920x1080 → cover 320x180$/m,
    );
    // A camera into a YUYV virtual camera: 4:2:2 planes composited straight into YUYV.
    assert.match(exit.stdout, /^backscrub: frames {5}YCbCr 4:2:2/m);
    const seconds = (performance.now() - firstAt) / 1000;
    console.log(
      `  studio.png: ${received} of 300 frames read (${dropped} skipped by sequence) in ` +
        `${seconds.toFixed(1)} s, ${checked} checked: ≥${(worstShare * 100).toFixed(2)}% ` +
        `within ±3, region means within ${worstRegion.toFixed(1)}; setup ` +
        `${Math.round(prepared - t0)} ms, banner after ${Math.round(banner - prepared)} ms; ` +
        `after the writer ended a 300 ms read timed out in ${Math.round(endWait)} ms ` +
        `(${since(t0)})\n  ${summary[0]}`,
    );
    // The reader opens after the banner, so it may miss the first frames, and
    // under emulation it may fall behind; but it must see most of the run.
    assert.ok(received >= 240 && received <= 300, `${received} frames read`);
  },
);
