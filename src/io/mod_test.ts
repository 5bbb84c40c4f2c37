import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import { writePng } from "../image/png.ts";
import { frameOf, rgbOf, runFfmpeg, solidFrame, withTempDir } from "../../tests/fixtures/media.ts";
import {
  FfmpegSink,
  FfmpegSource,
  ImageSequenceSource,
  ImageSource,
  isFileSpec,
  MediaFileError,
  openFileSink,
  openFileSource,
  PngFolderWriter,
  Y4mReader,
  Y4mWriter,
} from "./mod.ts";

Deno.test("isFileSpec() tells files from V4L2 devices", () => {
  for (
    const device of ["/dev/video0", "/dev/video12", "video0", "video3", "0", "/dev/v4l/by-id/x"]
  ) {
    assert.equal(isFileSpec(device), false, device);
  }
  for (
    const file of ["in.mp4", "./video0", "video0.y4m", "shots/%04d.png", "frames/", "rtsp://x/y"]
  ) {
    assert.equal(isFileSpec(file), true, file);
  }
  assert.equal(isFileSpec(""), false);
});

Deno.test("openFileSource() and openFileSink() dispatch by form", async () => {
  await withTempDir(async (dir) => {
    const png = writePng({ width: 4, height: 2, channels: 3, data: solidFrame(4, 2, [9, 9, 9]) });
    await Deno.mkdir(`${dir}/shots`);
    for (const n of [1, 2, 3]) await Deno.writeFile(`${dir}/shots/s_${n}.png`, png);
    await runFfmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=32x16:rate=5",
      "-frames",
      "2",
      "-pix_fmt",
      "yuv420p",
      `${dir}/a.y4m`,
    ]);
    await runFfmpeg(["-i", `${dir}/a.y4m`, "-c:v", "libx264", `${dir}/a.mp4`]);

    const sources: [string, unknown][] = [
      [`${dir}/shots/s_1.png`, ImageSource],
      [`${dir}/shots/s_%d.png`, ImageSequenceSource],
      [`${dir}/shots/*.png`, ImageSequenceSource],
      [`${dir}/shots`, ImageSequenceSource],
      [`${dir}/a.y4m`, Y4mReader],
      [`${dir}/a.mp4`, FfmpegSource],
    ];
    for (const [spec, kind] of sources) {
      await using source = await openFileSource(spec, { fps: 12 });
      assert.ok(source instanceof (kind as typeof ImageSource), spec);
    }
    await using still = await openFileSource(`${dir}/shots/s_1.png`, { frames: 4, fps: 12 });
    assert.equal(still.fps, 12);
    assert.equal((still as ImageSource).frames, 4);

    const size = { size: { width: 32, height: 16 }, fps: 5 };
    const frame = frameOf(solidFrame(32, 16, [1, 2, 3]), size.size);
    const sinks: [string, unknown][] = [
      [`${dir}/out/`, PngFolderWriter],
      [`${dir}/shots`, PngFolderWriter],
      [`${dir}/b.y4m`, Y4mWriter],
      [`${dir}/b.MP4`, FfmpegSink],
      [`${dir}/b.webm`, FfmpegSink],
    ];
    for (const [spec, kind] of sinks) {
      await using sink = await openFileSink(spec, size);
      assert.ok(sink instanceof (kind as typeof PngFolderWriter), spec);
      await sink.write(frame, new FrameTiming());
    }
    await assert.rejects(() => openFileSink(`${dir}/b.avi`, size), (e: unknown) => {
      assert.ok(e instanceof MediaFileError);
      assert.equal(e.kind, "unsupported");
      assert.equal(
        e.message,
        `Cannot write "${dir}/b.avi": unknown output type (use a .y4m, .mp4, .mov, .mkv or ` +
          '.webm file, or a folder ending in "/")',
      );
      return true;
    });
  });
});

Deno.test("files in, files out: sequence → y4m → mp4 → PNG folder keeps every frame", async () => {
  await withTempDir(async (dir) => {
    const colours = [[250, 10, 10], [10, 250, 10], [10, 10, 250], [128, 128, 128]];
    await Deno.mkdir(`${dir}/in`);
    for (const [i, c] of colours.entries()) {
      const data = solidFrame(32, 16, c);
      await Deno.writeFile(
        `${dir}/in/${i}.png`,
        writePng({ width: 32, height: 16, channels: 3, data }),
      );
    }
    const pump = async (from: string, to: string): Promise<number> => {
      await using source = await openFileSource(from, { fps: 10 });
      await using sink = await openFileSink(to, { size: source.size, fps: source.fps || 10 });
      const frame = makeFrame(source.size, "444");
      const timing = new FrameTiming();
      let n = 0;
      while (await source.read(frame, timing)) {
        await sink.write(frame, timing);
        n++;
      }
      await sink.close();
      return n;
    };
    assert.equal(await pump(`${dir}/in`, `${dir}/a.y4m`), 4);
    assert.equal(await pump(`${dir}/a.y4m`, `${dir}/b.mp4`), 4);
    assert.equal(await pump(`${dir}/b.mp4`, `${dir}/out/`), 4);
    await using back = await openFileSource(`${dir}/out/frame_%06d.png`);
    const frame = makeFrame(back.size, "444");
    const timing = new FrameTiming();
    for (const c of colours) {
      assert.ok(await back.read(frame, timing));
      const rgb = rgbOf(frame);
      for (let k = 0; k < 3; k++) {
        assert.ok(Math.abs(rgb[k]! - c[k]!) <= 8, `${rgb.subarray(0, 3)} vs ${c}`);
      }
    }
    assert.equal(await back.read(frame, timing), false);
  });
});
