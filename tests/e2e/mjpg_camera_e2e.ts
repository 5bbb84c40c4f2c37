/**
 * A real MJPG camera on a real kernel. vivid has no MJPG, so a second v4l2loopback device
 * (`/dev/video11`, "MjpgCam", loaded by `scripts/test-e2e.sh`) plays the camera:
 *
 * - fed by this test with JPEG frames encoded by ffmpeg (not by our encoder: as a camera's, they
 *   come from another JPEG implementation), with corrupt frames injected one at a time — cut short,
 *   bits flipped, garbage without a start marker, garbage entropy data, headers only, a frame of
 *   another size — each followed by a second of silence, and one good frame padded with zeros as
 *   UVC cameras send them. backscrub (`-c /dev/video11 -f MJPG -b off` → the virtual camera
 *   `/dev/video10`) must skip and count every corrupt frame, say the first with its reason (the
 *   rest only as a count: a camera sending garbage must not flood the log), keep the padded one,
 *   say the count in its summary line, and keep streaming: every frame read back from the virtual
 *   camera is the good picture (byte-identical to the first, which matches the colour bars within
 *   JPEG's loss) — the last frame it repeats during each silence too, although libjpeg has written
 *   the corrupt one over it;
 * - fed by ffmpeg itself (`-f v4l2`, a moving test picture in MJPG) with its `noise` bitstream
 *   filter damaging every 10th frame: frames keep coming, the damaged ones that libjpeg can tell
 *   from good ones are skipped and counted, the warnings stay few, exit 0.
 *
 * Readers of a v4l2loopback device block when the writer stops: every read has a timeout.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { FrameDecoder, Loopback } from "../../src/device/mod.ts";
import { makeFrame } from "../../src/frame/mod.ts";
import { yuyvToRgb } from "../../src/image/yuv.ts";
import { runFfmpeg } from "../fixtures/media.ts";
import { rng } from "../fixtures/rng.ts";
import {
  Backscrub,
  barInteriorError,
  CAMERA_LOOPBACK,
  colourBars,
  LOOPBACK,
  openLoopbackReader,
  run,
  since,
  sleep,
  vmTest,
} from "./_vm.ts";

const W = 320;
const H = 180;
/** The fed camera's rate. */
const FPS = 15;
/** Start to banner: deno start (5-25 s under emulation), opening the devices. */
const START_MS = 90_000;
/** SIGTERM to exit. */
const EXIT_MS = 20_000;
/**
 * The camera's silence after each corrupt frame: backscrub sends the last frame again meanwhile
 * (from 200 ms on), which must be the good picture, not the corrupt one.
 */
const QUIET_MS = 1_000;
/** backscrub's limit: at most one line per kind of frame warning this often. */
const WARNING_INTERVAL_MS = 30_000;

const SKIPPED = /^backscrub: warning: Skipped a corrupt MJPG frame: (.*)$/gm;
const SUMMARY = /^backscrub: (\d+) frames in [\d.]+ s \([\d.]+ fps\), \d+ model runs(.*)$/m;
const CRASH = /^\s+at .*(:\d+:\d+\)?|\(native\))$|^error: |Uncaught|panicked/m;

/** The reasons backscrub gave for its skips so far. */
function skips(proc: Backscrub): string[] {
  return [...proc.stderr.matchAll(SKIPPED)].map((m) => m[1]!);
}

/** A JPEG of `rgb` encoded by ffmpeg's MJPEG encoder, 4:2:2 as UVC cameras send. */
async function ffmpegJpeg(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "mjpg-camera-" });
  try {
    await Deno.writeFile(`${dir}/in.rgb`, rgb);
    // deno-fmt-ignore
    const args = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`,
      "-i", `${dir}/in.rgb`, "-frames:v", "1", "-c:v", "mjpeg", "-pix_fmt", "yuvj422p",
      "-q:v", "2", "-f", "mjpeg", "-"];
    const jpeg = await runFfmpeg(args);
    assert.deepEqual([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)], [0xff, 0xd8, 0xff, 0xd9]);
    return jpeg;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Where the entropy-coded data of a baseline JPEG starts (after the SOS header). */
function scanStart(jpeg: Uint8Array): number {
  for (let i = 2; i + 3 < jpeg.length; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) return i + 2 + (jpeg[i + 2]! << 8 | jpeg[i + 3]!);
  }
  throw new Error("no SOS marker in the JPEG");
}

/** One frame to inject, what backscrub should make of it, and why. */
interface Injected {
  name: string;
  data: Uint8Array;
  /** The reason the skip warning gives, or null for a frame that must be kept. */
  reason: RegExp | null;
}

/** The corrupt frames (and one good frame with UVC padding) made from a good `jpeg`. */
async function injections(jpeg: Uint8Array): Promise<Injected[]> {
  const random = rng(14);
  const scan = scanStart(jpeg);
  // Bits flipped across the entropy data (one bit in every 61st byte): USB transfer errors.
  const flipped = jpeg.slice();
  for (let i = scan + 7; i < jpeg.length - 2; i += 61) flipped[i]! ^= 0x10;
  // The headers kept, the scan's data replaced by noise (no 0xFF: no markers in it).
  const noisy = jpeg.slice();
  for (let i = scan; i < jpeg.length - 2; i++) noisy[i] = Math.floor(random() * 255);
  const headersOnly = new Uint8Array(scan + 2);
  headersOnly.set(jpeg.subarray(0, scan));
  headersOnly.set([0xff, 0xd9], scan);
  const garbage = Uint8Array.from({ length: jpeg.length }, () => Math.floor(random() * 256));
  garbage[0] = 0x12;
  const padded = new Uint8Array(jpeg.length + 4096);
  padded.set(jpeg);
  return [
    {
      name: "cut short",
      data: jpeg.slice(0, Math.floor(jpeg.length * 0.6)),
      reason: /^no JPEG end marker \(truncated, \d+ bytes\)$/,
    },
    { name: "bits flipped", data: flipped, reason: /./ },
    { name: "no start marker", data: garbage, reason: /^no JPEG start marker \(\d+ bytes\)$/ },
    { name: "noise for data", data: noisy, reason: /./ },
    { name: "headers only", data: headersOnly, reason: /./ },
    {
      name: "another size",
      data: await ffmpegJpeg(colourBars(160, 120), 160, 120),
      reason: /^it is 160x120, the camera said 320x180$/,
    },
    { name: "good, zero-padded (UVC)", data: padded, reason: null },
  ];
}

vmTest(
  "MJPG camera (v4l2loopback fed JPEGs): corrupt frames are skipped and counted, the output stays right",
  async () => {
    const t0 = performance.now();
    const bars = colourBars(W, H);
    const good = await ffmpegJpeg(bars, W, H);
    const injected = await injections(good);
    // What the product's decoder makes of each (its unit tests cover why): the frames backscrub
    // must skip are exactly the ones given a reason.
    {
      using decoder = new FrameDecoder({
        width: W,
        height: H,
        pixelformat: PIX_FMT.MJPEG,
        bytesperline: 0,
      });
      const frame = makeFrame({ width: W, height: H }, "422");
      assert.ok(decoder.decode(good, frame), "the good frame decodes");
      const goodY = frame.y.slice();
      for (const i of injected) {
        assert.equal(decoder.decode(i.data, frame), i.reason === null, `${i.name} is judged right`);
        assert.ok(
          equalBytes(frame.y, goodY),
          `${i.name}: the frame holds the good picture after it`,
        );
      }
    }

    // The camera: this process writes a JPEG every 1/15 s, the queued one or the good one; after
    // a queued corrupt one it writes nothing for QUIET_MS.
    using camera = Loopback.open(CAMERA_LOOPBACK, {
      width: W,
      height: H,
      format: "MJPG",
      fps: FPS,
    });
    assert.equal(camera.negotiated.fourcc, "MJPG");
    const queue: Injected[] = [];
    let quietUntil = 0;
    let writeError: unknown = null;
    const feed = (): void => {
      if (performance.now() < quietUntil) return;
      try {
        const next = queue.shift();
        camera.write(next?.data ?? good);
        if (next?.reason) quietUntil = performance.now() + QUIET_MS;
      } catch (error) {
        writeError ??= error;
      }
    };
    feed();
    const timer = setInterval(feed, 1000 / FPS);
    try {
      await using proc = Backscrub.spawn([
        ...["-c", CAMERA_LOOPBACK, "-f", "MJPG", "--cg", `${W}x${H}`],
        ...["-v", LOOPBACK, "-b", "off"],
      ]);
      await proc.waitForStdout(/^backscrub: options .*$/m, START_MS);
      assert.match(
        proc.stdout,
        new RegExp(
          `^backscrub: capture {4}${CAMERA_LOOPBACK} \\(MjpgCam\\) ${W}x${H} MJPG 15 fps$`,
          "m",
        ),
      );
      const banner = performance.now();

      // The reader: every frame of the virtual camera, compared with the first.
      let first: Uint8Array | null = null;
      let read = 0;
      let differing = 0;
      let firstDiff = "";
      let longestGapMs = 0;
      let reading = true;
      const reader = await openLoopbackReader(proc, 30_000);
      const readLoop = (async () => {
        let last = performance.now();
        while (reading) {
          const frame = await reader.grabAsync(3_000);
          const now = performance.now();
          if (frame === null) {
            throw new Error(`No frame for 3 s after ${read}:\n${proc.describe()}`);
          }
          if (read > 0) longestGapMs = Math.max(longestGapMs, now - last);
          last = now;
          if (first === null) first = frame.data.slice();
          else if (!equalBytes(frame.data, first)) {
            if (differing++ === 0) firstDiff = `frame ${read} at ${since(t0)}`;
          }
          read++;
          reader.release(frame);
        }
      })();
      try {
        // Steady state first: a few frames through.
        const steady = performance.now() + 20_000;
        while (read < 10) {
          if (performance.now() > steady) throw new Error(`only ${read} frames in 20 s`);
          await sleep(100);
        }
        // One at a time, each between good frames and followed by a silence (the corrupt frame
        // is the camera's newest until the silence ends: backscrub takes it, and only then the
        // good ones again).
        const log: string[] = [];
        for (const i of injected) {
          const before = { read, differing };
          queue.push(i);
          await sleep(QUIET_MS + 600);
          const got = read - before.read;
          log.push(`${i.name}: ${got} frames read, ${differing - before.differing} differ`);
          // The silence is filled: the last frame sent again at the camera's rate.
          assert.ok(got >= 5, `${i.name}: only ${got} frames in ${QUIET_MS + 600} ms`);
        }
        const readBefore = read;
        await sleep(1_000);
        assert.ok(read > readBefore + 5, "frames still flow after the corrupt ones");
        reading = false;
        await readLoop;
        console.log(`  ${log.join("; ")}`);
      } finally {
        reading = false;
        await readLoop.catch(() => {});
        reader.close();
      }

      // The picture: the first frame is the bars (within JPEG's loss), and no other differs.
      const rgb = new Uint8Array(W * H * 3);
      yuyvToRgb(first!, rgb, { width: W, height: H });
      const error = barInteriorError(rgb, bars, W, H, 4);
      assert.ok(error <= 10, `the virtual camera shows the bars: max error ${error}`);
      assert.equal(
        differing,
        0,
        `${differing} of ${read} frames differ from the first (${firstDiff})`,
      );

      proc.kill("SIGTERM");
      const exit = await proc.wait(EXIT_MS);
      assert.equal(exit.code, 0, proc.describe());
      assert.doesNotMatch(exit.stderr, CRASH, proc.describe());
      const corrupt = injected.filter((i) => i.reason !== null).length;
      const summary = SUMMARY.exec(exit.stdout);
      assert.ok(summary, proc.describe());
      assert.match(
        summary[2]!,
        new RegExp(`^, ${corrupt} corrupt frames skipped(, camera paused .*)?, stopped by signal$`),
      );
      // The first skip is said at once with its reason; the others, within the warning interval,
      // only counted (a summary line would come once the interval is over).
      const said = skips(proc);
      const firstSkip = injected.find((i) => i.reason !== null)!;
      assert.ok(said.length >= 1, `the first skip is said:\n${proc.describe()}`);
      assert.match(said[0]!, firstSkip.reason!, firstSkip.name);
      const elapsed = performance.now() - banner;
      assert.ok(
        said.length <= 1 + Math.floor(elapsed / WARNING_INTERVAL_MS),
        `${said.length} warning lines in ${Math.round(elapsed)} ms: ${said.join(" | ")}`,
      );
      assert.equal(writeError, null, `the camera took every frame (${writeError})`);
      console.log(
        `  ${read} frames read, all equal, bars within ${error}, longest gap ` +
          `${Math.round(longestGapMs)} ms; banner after ${Math.round(banner - t0)} ms (${
            since(t0)
          })\n  ${summary[0]}`,
      );
    } finally {
      clearInterval(timer);
    }
  },
);

vmTest(
  "MJPG camera fed by ffmpeg (-f v4l2) with every 10th frame damaged: skipped, counted, exit 0",
  async () => {
    const t0 = performance.now();
    // A moving picture, MJPG 4:2:2 at 15 fps, in real time; the noise filter rewrites one byte in
    // every 50 of every 10th frame (headers included: any kind of damage).
    // deno-fmt-ignore
    const ffmpeg = new Deno.Command("ffmpeg", {
      args: ["-hide_banner", "-loglevel", "error", "-nostdin", "-re",
        "-f", "lavfi", "-i", `testsrc2=size=${W}x${H}:rate=${FPS}`,
        "-c:v", "mjpeg", "-pix_fmt", "yuvj422p", "-q:v", "4",
        "-bsf:v", "noise=amount=if(eq(mod(n\\,10)\\,5)\\,50\\,0)",
        "-f", "v4l2", CAMERA_LOOPBACK],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const ffmpegStarted = performance.now();
    try {
      // The capture side appears once ffmpeg writes.
      const deadline = performance.now() + 60_000;
      for (;;) {
        const r = await run("v4l2-ctl", ["-d", CAMERA_LOOPBACK, "--get-fmt-video"]);
        if (r.code === 0 && /Pixel Format\s*: 'MJPG'/.test(r.stdout)) break;
        if (performance.now() > deadline) throw new Error(`ffmpeg did not feed ${CAMERA_LOOPBACK}`);
        await sleep(250);
      }
      await using proc = Backscrub.spawn([
        ...["-c", CAMERA_LOOPBACK, "-f", "MJPG", "--cg", `${W}x${H}`, "-v", LOOPBACK, "-b", "off"],
      ]);
      await proc.waitForStdout(/^backscrub: options .*$/m, START_MS);
      let frames = 0;
      let longestGapMs = 0;
      {
        using reader = await openLoopbackReader(proc, 30_000);
        let last = performance.now();
        const end = performance.now() + 12_000;
        while (performance.now() < end) {
          const frame = await reader.grabAsync(3_000);
          if (frame === null) {
            throw new Error(`No frame for 3 s after ${frames}:\n${proc.describe()}`);
          }
          const now = performance.now();
          if (frames > 0) longestGapMs = Math.max(longestGapMs, now - last);
          last = now;
          frames++;
          reader.release(frame);
        }
      }
      proc.kill("SIGTERM");
      const exit = await proc.wait(EXIT_MS);
      assert.equal(exit.code, 0, proc.describe());
      assert.doesNotMatch(exit.stderr, CRASH, proc.describe());
      const summary = SUMMARY.exec(exit.stdout);
      assert.ok(summary, proc.describe());
      const skipped = Number(/, (\d+) corrupt frames skipped/.exec(summary[2]!)?.[1] ?? 0);
      // ffmpeg damaged one frame in ten of those it sent while backscrub read them.
      const sent = Number(summary[1]!) + skipped;
      assert.ok(skipped >= 1, `some damaged frames were skipped:\n${proc.describe()}`);
      // Besides the damaged tenth, a loaded machine may hand a frame over cut (ffmpeg's write
      // and the reader race): a few more skips, never a large share.
      assert.ok(skipped <= Math.ceil(sent / 5), `${skipped} skipped of ${sent}: too many`);
      // The first at once, the rest as a count at most once per interval (none is over yet).
      const lines = skips(proc).length;
      assert.ok(lines >= 1 && lines <= 2, `${lines} warning lines for ${skipped} skipped frames`);
      assert.ok(frames >= 12 * FPS * 0.5, `${frames} frames read in 12 s`);
      console.log(
        `  ffmpeg → ${CAMERA_LOOPBACK} → backscrub: ${frames} frames read in 12 s, longest gap ${
          Math.round(longestGapMs)
        } ms; reasons: ${
          [...new Set(skips(proc).map((s) => s.replace(/\d+/g, "N")))].join(" | ")
        }` +
          ` (${since(t0)}, ffmpeg up ${Math.round(performance.now() - ffmpegStarted)} ms)\n  ${
            summary[0]
          }`,
      );
    } finally {
      try {
        ffmpeg.kill("SIGTERM");
      } catch { /* ended */ }
      const status = await ffmpeg.output();
      const err = new TextDecoder().decode(status.stderr).trim();
      if (err !== "") console.log(`  ffmpeg: ${err.split("\n").slice(-3).join(" | ")}`);
    }
  },
);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
