import assert from "node:assert/strict";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import {
  frameOf,
  maxDiff,
  readAllRgb,
  runFfmpeg,
  solidFrame,
  withTempDir,
} from "../../tests/fixtures/media.ts";
import { ffprobeFor } from "./_process.ts";
import { MediaFileError } from "./errors.ts";
import { ffmpegEncoderArgs, FfmpegSink, FfmpegSource, probeVideo } from "./ffmpeg.ts";

const W = 64;
const H = 48;
const SIZE = { width: W, height: H };
const timing = new FrameTiming();
const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [30, 30, 30], [
  200,
  120,
  40,
]] as const;

/** A 7-frame 5 fps H.264 test clip. */
async function makeClip(path: string, extra: string[] = []): Promise<void> {
  await runFfmpeg([
    ...["-f", "lavfi", "-i", `testsrc=size=${W}x${H}:rate=5`, "-frames", "7"],
    ...["-c:v", "libx264", "-pix_fmt", "yuv420p", ...extra, path],
  ]);
}

/** Every frame, read into 4:4:4 frames and converted to RGB, end to end. */
async function readAll(source: FfmpegSource): Promise<Uint8Array> {
  const frames = await readAllRgb(source);
  const length = source.size.width * source.size.height * 3;
  const all = new Uint8Array(frames.length * length);
  frames.forEach((f, i) => all.set(f, i * length));
  return all;
}

/** Every frame, read into copies of 4:4:4 frames. */
async function readFrames(source: FfmpegSource): Promise<Frame[]> {
  const frame = makeFrame(source.size, "444");
  const frames: Frame[] = [];
  while (await source.read(frame, timing)) {
    frames.push({ ...frame, y: frame.y.slice(), u: frame.u.slice(), v: frame.v.slice() });
  }
  return frames;
}

/** ffmpeg's own rgb24 frames, each converted to a 4:4:4 frame as the source converts them. */
function framesOf(rgb: Uint8Array, size: { width: number; height: number }): Frame[] {
  const length = size.width * size.height * 3;
  assert.equal(rgb.length % length, 0);
  return Array.from(
    { length: rgb.length / length },
    (_, i) => frameOf(rgb.subarray(i * length, (i + 1) * length), size),
  );
}

/** An executable shell script standing in for ffmpeg. */
async function fakeTool(path: string, script: string): Promise<string> {
  await Deno.writeTextFile(path, `#!/bin/sh\n${script}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

function assertError(e: unknown, message: string): true {
  assert.ok(e instanceof MediaFileError, String(e));
  assert.equal(e.message, message);
  return true;
}

Deno.test("ffprobeFor() finds ffprobe beside an explicit ffmpeg", () => {
  assert.equal(ffprobeFor({}), "ffprobe");
  assert.equal(ffprobeFor({ ffmpegPath: "ffmpeg" }), "ffprobe");
  assert.equal(ffprobeFor({ ffmpegPath: "/opt/bin/ffmpeg" }), "/opt/bin/ffprobe");
  assert.equal(ffprobeFor({ ffmpegPath: "/opt/bin/ffmpeg-6" }), "/opt/bin/ffprobe-6");
  assert.equal(ffprobeFor({ ffmpegPath: "/x/ffmpeg", ffprobePath: "/y/probe" }), "/y/probe");
});

Deno.test("probeVideo() reports size, rate, frame count and rotation", async () => {
  await withTempDir(async (dir) => {
    await makeClip(`${dir}/clip.mp4`);
    assert.deepEqual(await probeVideo(`${dir}/clip.mp4`), {
      width: W,
      height: H,
      fps: 5,
      frames: 7,
      codec: "h264",
      rotation: 0,
    });
    await runFfmpeg(["-i", `${dir}/clip.mp4`, "-c", "copy", `${dir}/clip.mkv`]);
    const mkv = await probeVideo(`${dir}/clip.mkv`);
    assert.equal(mkv.frames, undefined); // Matroska does not store a frame count
    assert.equal(mkv.fps, 5);
    await runFfmpeg([
      ...["-i", `${dir}/clip.mp4`, "-c", "copy", "-metadata:s:v", "rotate=90"],
      `${dir}/rotated.mp4`,
    ]);
    const rotated = await probeVideo(`${dir}/rotated.mp4`);
    assert.deepEqual([rotated.width, rotated.height, rotated.rotation], [H, W, 90]);
  });
});

Deno.test("probeVideo() fails in one line for missing, non-video and audio-only files", async () => {
  await withTempDir(async (dir) => {
    const action = (name: string) => `Cannot read video ${JSON.stringify(`${dir}/${name}`)}`;
    await assert.rejects(
      () => probeVideo(`${dir}/missing.mp4`),
      (e) => assertError(e, `${action("missing.mp4")}: no such file`),
    );
    await Deno.writeTextFile(`${dir}/text.mp4`, "not a video\n".repeat(100));
    await assert.rejects(
      () => probeVideo(`${dir}/text.mp4`),
      (e) =>
        assertError(
          e,
          `${action("text.mp4")}: not a video ffmpeg can read (Invalid data found when ` +
            "processing input)",
        ),
    );
    await runFfmpeg(["-f", "lavfi", "-i", "sine=duration=0.2", `${dir}/sound.wav`]);
    await assert.rejects(
      () => probeVideo(`${dir}/sound.wav`),
      (e) => assertError(e, `${action("sound.wav")}: it has no video stream`),
    );
  });
});

Deno.test("FfmpegSource yields exactly ffmpeg's own rgb24 frames, converted once", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/clip:1.mp4`; // a ":" must not be taken for a protocol
    await makeClip(path);
    await using source = await FfmpegSource.open(path);
    assert.deepEqual(source.size, SIZE);
    assert.equal(source.fps, 5);
    assert.equal(source.info.frames, 7);
    assert.equal(source.description, `${path} 64x48 h264 5 fps (ffmpeg)`);
    const ours = await readFrames(source);
    assert.equal(source.framesRead, 7);
    assert.equal(await source.read(makeFrame(SIZE, "444"), timing), false);
    const theirs = await runFfmpeg([
      ...["-i", `file:${path}`, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    ]);
    assert.equal(ours.length, 7);
    assert.deepEqual(ours, framesOf(theirs, SIZE));
  });
});

Deno.test("FfmpegSource fills a 4:2:2 frame and times the conversion", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/clip.mp4`;
    await makeClip(path);
    await using source = await FfmpegSource.open(path);
    const frame = makeFrame(SIZE, "422");
    const timed = new FrameTiming();
    assert.ok(await source.read(frame, timed));
    assert.ok(timed.decode >= 0);
    const theirs = await runFfmpeg([
      "-i",
      path,
      "-frames:v",
      "1",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-",
    ]);
    assert.deepEqual(frame, frameOf(theirs, SIZE, "422"));
    await assert.rejects(
      () => source.read(makeFrame({ width: W, height: W }, "422"), timing),
      RangeError,
    );
  });
});

Deno.test("FfmpegSource applies a rotation and reports the rotated size", async () => {
  await withTempDir(async (dir) => {
    await makeClip(`${dir}/clip.mp4`);
    await runFfmpeg([
      ...["-i", `${dir}/clip.mp4`, "-c", "copy", "-metadata:s:v", "rotate=90"],
      `${dir}/rotated.mp4`,
    ]);
    await using source = await FfmpegSource.open(`${dir}/rotated.mp4`);
    assert.deepEqual(source.size, { width: H, height: W });
    const ours = await readFrames(source);
    assert.equal(ours.length, 7);
    const theirs = await runFfmpeg(
      ["-i", `${dir}/rotated.mp4`, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    );
    assert.deepEqual(ours, framesOf(theirs, source.size));
  });
});

Deno.test("FfmpegSource.close() stops ffmpeg early and is idempotent", async () => {
  await withTempDir(async (dir) => {
    await runFfmpeg([
      ...["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-frames", "300"],
      ...["-c:v", "libx264", "-preset", "ultrafast", `${dir}/long.mkv`],
    ]);
    const source = await FfmpegSource.open(`${dir}/long.mkv`);
    const frame = makeFrame(source.size, "444");
    assert.ok(await source.read(frame, timing));
    await source.close();
    await source.close();
    await assert.rejects(() => source.read(frame, timing), /: it is closed$/);
  });
});

Deno.test("FfmpegSource reports ffmpeg's failure with its last stderr line", async () => {
  await withTempDir(async (dir) => {
    await makeClip(`${dir}/clip.mp4`);
    const ffmpegPath = await fakeTool(
      `${dir}/ffmpeg`,
      'head -c 100 /dev/zero\necho "[h264 @ 0x1] noise" >&2\necho "Decoding failed here" >&2\nexit 1',
    );
    await using source = await FfmpegSource.open(`${dir}/clip.mp4`, {
      ffmpegPath,
      ffprobePath: "ffprobe",
    });
    await assert.rejects(
      () => source.read(makeFrame(SIZE, "444"), timing),
      (e) =>
        assertError(
          e,
          `Cannot read video ${JSON.stringify(`${dir}/clip.mp4`)}: ffmpeg failed (Decoding ` +
            "failed here)",
        ) && (e as MediaFileError).kind === "tool-failed",
    );
  });
});

Deno.test("FfmpegSource warns when the video ends inside a frame", async () => {
  await withTempDir(async (dir) => {
    await makeClip(`${dir}/clip.mp4`);
    const frameBytes = W * H * 3;
    const ffmpegPath = await fakeTool(`${dir}/ffmpeg`, `head -c ${frameBytes + 100} /dev/zero`);
    const warnings: string[] = [];
    await using source = await FfmpegSource.open(`${dir}/clip.mp4`, {
      ffmpegPath,
      ffprobePath: "ffprobe",
      warn: (m) => warnings.push(m),
    });
    assert.equal((await readAll(source)).length, frameBytes);
    assert.deepEqual(warnings, [
      `Stopped reading ${JSON.stringify(`${dir}/clip.mp4`)} after 1 frames: the video ends ` +
      `inside frame 2 (100 of ${frameBytes} bytes)`,
    ]);
  });
});

Deno.test("ffmpeg is missing: one line and a kind, for the source and the sink", async () => {
  await withTempDir(async (dir) => {
    const missing = (e: unknown, message: string): true => {
      assertError(e, message);
      assert.equal((e as MediaFileError).kind, "missing-tool");
      assert.equal((e as MediaFileError).tool, "ffmpeg"); // ffprobe comes with it
      return true;
    };
    const path = `${dir}/x.mp4`;
    await Deno.writeTextFile(path, "whatever");
    await assert.rejects(
      () => FfmpegSource.open(path, { ffmpegPath: "/nonexistent/ffmpeg" }),
      (e) => missing(e, `Cannot read video ${JSON.stringify(path)}: ffmpeg is not installed`),
    );
    await makeClip(path);
    await assert.rejects(
      () => FfmpegSource.open(path, { ffmpegPath: "/nonexistent/ffmpeg", ffprobePath: "ffprobe" }),
      (e) => missing(e, `Cannot read video ${JSON.stringify(path)}: ffmpeg is not installed`),
    );
    const out = `${dir}/out.mp4`;
    await assert.rejects(
      () => FfmpegSink.open(out, { size: SIZE, fps: 5, ffmpegPath: "/nonexistent/ffmpeg" }),
      (e) => missing(e, `Cannot write video ${JSON.stringify(out)}: ffmpeg is not installed`),
    );
  });
});

Deno.test("ffmpegEncoderArgs() picks the codec by extension", () => {
  const size = { size: { width: 640, height: 480 }, fps: 29.97 };
  assert.equal(
    ffmpegEncoderArgs("out.mp4", size).join(" "),
    "-hide_banner -loglevel error -y -f rawvideo -pix_fmt yuv444p -color_range tv " +
      "-colorspace smpte170m -s 640x480 -r 30000/1001 -i - " +
      "-an -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -colorspace smpte170m " +
      "-color_range tv -movflags +faststart file:out.mp4",
  );
  assert.ok(ffmpegEncoderArgs("OUT.MKV", size).includes("libx264"));
  assert.ok(!ffmpegEncoderArgs("out.mkv", size).includes("-movflags"));
  const webm = ffmpegEncoderArgs("out.webm", { ...size, crf: 40 }).join(" ");
  assert.match(webm, /-c:v libvpx-vp9 -crf 40 -b:v 0 /);
});

Deno.test("FfmpegSink writes an mp4 that decodes back to the frames", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.mp4`;
    const sink = await FfmpegSink.open(path, { size: SIZE, fps: 10 });
    assert.equal(sink.kind, "planar");
    assert.equal(sink.description, `${path} 64x48 libx264 crf 18 10 fps (ffmpeg)`);
    const timed = new FrameTiming();
    for (const colour of COLOURS) await sink.write(frameOf(solidFrame(W, H, colour), SIZE), timed);
    assert.ok(timed.convert >= 0);
    await sink.close();
    await sink.close();
    assert.equal(sink.framesWritten, COLOURS.length);

    const info = await probeVideo(path);
    assert.deepEqual(info, {
      width: W,
      height: H,
      fps: 10,
      frames: COLOURS.length,
      codec: "h264",
      rotation: 0,
    });
    const rgb = await runFfmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    assert.equal(rgb.length, COLOURS.length * W * H * 3);
    COLOURS.forEach((colour, i) => {
      const frame = rgb.subarray(i * W * H * 3, (i + 1) * W * H * 3);
      const diff = maxDiff(frame, solidFrame(W, H, colour));
      assert.ok(diff <= 6, `frame ${i} ${colour}: max diff ${diff}`);
    });
  });
});

Deno.test("FfmpegSink writes .mkv, .mov and .webm too", async () => {
  await withTempDir(async (dir) => {
    for (const [ext, codec] of [["mkv", "h264"], ["mov", "h264"], ["webm", "vp9"]]) {
      const path = `${dir}/out.${ext}`;
      await using sink = await FfmpegSink.open(path, { size: SIZE, fps: 25 });
      for (const colour of COLOURS.slice(0, 3)) {
        await sink.write(frameOf(solidFrame(W, H, colour), SIZE), timing);
      }
      await sink.close();
      await using back = await FfmpegSource.open(path);
      assert.equal(back.info.codec, codec);
      assert.equal(back.fps, 25);
      const rgb = await readAll(back);
      assert.equal(rgb.length, 3 * W * H * 3, ext);
      const first = rgb.subarray(0, W * H * 3);
      assert.ok(maxDiff(first, solidFrame(W, H, COLOURS[0])) <= 12, `${ext}: red`);
    }
  });
});

Deno.test("FfmpegSink.open() rejects what it cannot write in one line", async () => {
  await withTempDir(async (dir) => {
    const action = (path: string) => `Cannot write video ${JSON.stringify(path)}`;
    const eight = { width: 8, height: 8 };
    const cases: [string, { size: { width: number; height: number }; fps: number }, string][] = [
      [`${dir}/a.avi`, { size: eight, fps: 5 }, "unknown video type (use .mp4, .mov, .mkv, .webm)"],
      [
        `${dir}/a.mp4`,
        { size: { width: 7, height: 8 }, fps: 5 },
        "7x8 has an odd side (yuv420p video needs even sizes; write a .y4m)",
      ],
      [`${dir}/a.mp4`, { size: eight, fps: 0 }, "frame rate 0 is not a positive number"],
      [`${dir}/no/a.mp4`, { size: eight, fps: 5 }, "its folder does not exist"],
      [dir + "/", { size: eight, fps: 5 }, "unknown video type (use .mp4, .mov, .mkv, .webm)"],
    ];
    for (const [path, options, detail] of cases) {
      await assert.rejects(
        () => FfmpegSink.open(path, options),
        (e) => assertError(e, `${action(path)}: ${detail}`),
      );
    }
    await Deno.mkdir(`${dir}/folder.mp4`);
    await assert.rejects(
      () => FfmpegSink.open(`${dir}/folder.mp4`, { size: { width: 8, height: 8 }, fps: 5 }),
      (e) => assertError(e, `${action(`${dir}/folder.mp4`)}: it is a folder`),
    );
  });
});

Deno.test("FfmpegSink reports ffmpeg's failure from write() or close()", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.mp4`;
    const early = await fakeTool(
      `${dir}/ffmpeg_early`,
      'head -c 10 >/dev/null\necho "[vost#0:0 @ 0x1] noise" >&2\necho "Unknown encoder \'libx264\'" >&2\nexit 1',
    );
    const sink = await FfmpegSink.open(path, { size: SIZE, fps: 5, ffmpegPath: early });
    const frame = frameOf(solidFrame(W, H, [1, 2, 3]), SIZE);
    const message = `Cannot write video ${
      JSON.stringify(path)
    }: ffmpeg failed (Unknown encoder 'libx264')`;
    await assert.rejects(async () => {
      // The pipe holds some frames before the write that breaks it.
      for (let i = 0; i < 100; i++) await sink.write(frame, timing);
    }, (e) => assertError(e, message) && (e as MediaFileError).kind === "tool-failed");
    await assert.rejects(() => sink.write(frame, timing), (e) => assertError(e, message));
    await sink.close(); // the failure was reported already

    const late = await fakeTool(
      `${dir}/ffmpeg_late`,
      'cat >/dev/null\necho "Conversion failed!" >&2\nexit 1',
    );
    const sink2 = await FfmpegSink.open(path, { size: SIZE, fps: 5, ffmpegPath: late });
    await sink2.write(frame, timing);
    await assert.rejects(
      () => sink2.close(),
      (e) =>
        assertError(
          e,
          `Cannot write video ${JSON.stringify(path)}: ffmpeg failed (Conversion failed!)`,
        ),
    );

    const silent = await fakeTool(`${dir}/ffmpeg_silent`, "cat >/dev/null\nexit 3");
    const sink3 = await FfmpegSink.open(path, { size: SIZE, fps: 5, ffmpegPath: silent });
    await assert.rejects(
      () => sink3.close(),
      (e) =>
        assertError(e, `Cannot write video ${JSON.stringify(path)}: ffmpeg exited with code 3`),
    );
  });
});
