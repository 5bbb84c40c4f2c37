import assert from "node:assert/strict";
import type { Frame } from "../frame/frame.ts";
import { frameToRgb } from "../image/planar.ts";
import { BackgroundError, type BackgroundErrorKind } from "./errors.ts";
import { openVideoBackground, parseRate, probeVideo } from "./video.ts";

/** A 1 s, 10 fps, 160x120 test pattern clip (a moving pattern and a frame counter), made by ffmpeg. */
async function withClip(fn: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_video_" });
  try {
    const path = `${dir}/clip.mp4`;
    const made = await new Deno.Command("ffmpeg", {
      args: [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=1",
        "-pix_fmt",
        "yuv420p",
        path,
      ],
    }).output();
    assert.ok(
      made.success,
      `ffmpeg could not make the test clip: ${new TextDecoder().decode(made.stderr)}`,
    );
    await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ctx = (timeMs: number) => ({ timeMs });
const SIZE = { width: 80, height: 60 };

/** The planes of a frame, copied. */
function snapshot(frame: Frame): Uint8Array {
  const out = new Uint8Array(frame.y.length + frame.u.length + frame.v.length);
  out.set(frame.y);
  out.set(frame.u, frame.y.length);
  out.set(frame.v, frame.y.length + frame.u.length);
  return out;
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

Deno.test("parseRate() reads ffprobe rates", () => {
  assert.equal(parseRate("25/1"), 25);
  assert.ok(Math.abs(parseRate("30000/1001") - 29.97) < 0.01);
  assert.equal(parseRate("0/0"), 0);
  assert.equal(parseRate("24"), 24);
  assert.equal(parseRate(undefined), 0);
});

Deno.test("probeVideo() reads size and frame rate", async () => {
  await withClip(async (path) => {
    assert.deepEqual(await probeVideo(path), { width: 160, height: 120, fps: 10 });
  });
});

Deno.test("VideoBackground plays the video at its frame rate and loops", async () => {
  await withClip(async (path) => {
    const video = await openVideoBackground(path, { size: SIZE, layout: "444" });
    try {
      assert.equal(video.description, `video ${path} 160x120 10 fps → cover 80x60 (ffmpeg)`);
      assert.equal(video.fps, 10);
      assert.equal(video.passthrough, false);
      assert.equal(video.still, false);
      await video.ready(0);
      const frame = video.render(ctx(0));
      assert.deepEqual([frame.width, frame.height, frame.layout], [80, 60, "444"]);
      const out = (): Uint8Array => snapshot(frame);
      const first = out();
      assert.ok(frame.y.some((v) => v > 0), "the first frame is not black");
      await video.ready(50);
      assert.equal(video.render(ctx(50)), frame, "the same frame every call");
      assert.deepEqual(out(), first, "50 ms in: still frame 0");
      await video.ready(500);
      video.render(ctx(500));
      const middle = out();
      assert.ok(
        meanDiff(middle, first) > 2,
        `frame 5 differs from frame 0 (${meanDiff(middle, first)})`,
      );
      // 1 s later the loop starts again: frame 10 is frame 0 again, frame 15 is frame 5.
      await video.ready(1000);
      video.render(ctx(1000));
      assert.ok(meanDiff(out(), first) < 0.5, `frame 10 = frame 0 (${meanDiff(out(), first)})`);
      await video.ready(1500);
      video.render(ctx(1500));
      assert.ok(meanDiff(out(), middle) < 0.5, `frame 15 = frame 5 (${meanDiff(out(), middle)})`);
      // render() never waits (it is synchronous: no promise to await): far ahead it shows the
      // newest decoded frame.
      const ahead = video.render(ctx(60_000));
      assert.ok(!(ahead instanceof Promise));
      assert.equal(ahead, frame);
      assert.equal(video.error, null);
    } finally {
      await video.close();
      await video.close();
    }
  });
});

Deno.test("VideoBackground draws in 4:2:2 the picture it draws in 4:4:4", async () => {
  // Both convert ffmpeg's rgb24 frames: 4:4:4 per pixel, 4:2:2 with each pair's chroma mean.
  await withClip(async (path) => {
    const full = await openVideoBackground(path, { size: SIZE, layout: "444" });
    const half = await openVideoBackground(path, { size: SIZE, layout: "422" });
    try {
      for (const t of [0, 500]) {
        await full.ready(t);
        await half.ready(t);
        const a = full.render(ctx(t)), b = half.render(ctx(t));
        assert.deepEqual([b.layout, b.u.length], ["422", 40 * 60]);
        assert.deepEqual(b.y, a.y, `${t} ms: luma`);
        const rgbA = new Uint8Array(80 * 60 * 3), rgbB = new Uint8Array(80 * 60 * 3);
        frameToRgb(a, rgbA);
        frameToRgb(b, rgbB);
        assert.ok(meanDiff(rgbA, rgbB) < 3, `${t} ms: ${meanDiff(rgbA, rgbB)}`);
      }
    } finally {
      await full.close();
      await half.close();
    }
  });
});

Deno.test("VideoBackground keeps up in real time without waiting", async () => {
  await withClip(async (path) => {
    const video = await openVideoBackground(path, { size: SIZE, layout: "422" });
    try {
      const seen = new Set<number>();
      // 1.5 s of a 30 fps pipeline on the pipeline's clock: the decoder is given the time it
      // would have between frames (ready), render() itself never waits.
      for (let t = 0; t < 1500; t += 33) {
        await video.ready(t);
        const out = video.render(ctx(t));
        seen.add(out.y.reduce((hash, v) => (Math.imul(hash, 31) + v) | 0, 0));
      }
      // A 10-frame loop at 10 fps: over 1.5 s every one of its frames shows.
      assert.equal(seen.size, 10, `${seen.size} different frames`);
    } finally {
      await video.close();
    }
  });
});

async function assertVideoError(
  run: () => Promise<unknown>,
  kind: BackgroundErrorKind,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof BackgroundError, String(e));
    assert.equal(e.kind, kind);
    assert.doesNotMatch(e.message, /\n/);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

Deno.test("openVideoBackground() says ffmpeg is missing, with the kind and the command", async () => {
  await withClip(async (path) => {
    const expected = `Cannot play video background ${
      JSON.stringify(path)
    }: ffmpeg is not installed`;
    await assertVideoError(
      () =>
        openVideoBackground(path, {
          size: SIZE,
          layout: "444",
          ffmpeg: "backscrub-missing-ffmpeg",
          ffprobe: "backscrub-missing-ffprobe",
        }),
      "ffmpeg-missing",
      expected,
    );
    // ffprobe there but not ffmpeg.
    await assertVideoError(
      () =>
        openVideoBackground(path, {
          size: SIZE,
          layout: "444",
          ffmpeg: "backscrub-missing-ffmpeg",
        }),
      "ffmpeg-missing",
      expected,
    );
    await assert.rejects(
      () => openVideoBackground(path, { size: SIZE, layout: "444", ffprobe: "no-ffprobe-here" }),
      (e: unknown) => e instanceof BackgroundError && e.command === "no-ffprobe-here",
    );
  });
});

Deno.test("openVideoBackground() reports a file that is not a video in one line", async () => {
  await withClip(async (_, dir) => {
    const bad = `${dir}/bad.mp4`;
    await Deno.writeTextFile(bad, "this is not a video\n".repeat(20));
    await assertVideoError(
      () => openVideoBackground(bad, { size: SIZE, layout: "444" }),
      "video",
      /^Cannot play video background ".*bad\.mp4": .+ \(is it a video file\?\)$/,
    );
  });
});
