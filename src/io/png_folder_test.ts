import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import { readPng } from "../image/png.ts";
import { frameOf, maxDiff, rgbOf, withTempDir } from "../../tests/fixtures/media.ts";
import { MediaFileError } from "./errors.ts";
import { PngFolderWriter, pngFrameName } from "./png_folder.ts";

Deno.test("PngFolderWriter writes numbered RGB PNGs of the frames", async () => {
  await withTempDir(async (dir) => {
    const folder = `${dir}/new/frames/`;
    const size = { width: 7, height: 5 };
    const out = await PngFolderWriter.open(folder, { size });
    assert.equal(out.folder, `${dir}/new/frames`);
    assert.equal(out.kind, "planar");
    const pictures = [0, 1, 2].map((f) =>
      new Uint8Array(7 * 5 * 3).map((_, i) => (i * 31 + f) % 256)
    );
    const frames = pictures.map((rgb) => frameOf(rgb, size));
    const timing = new FrameTiming();
    for (const frame of frames) await out.write(frame, timing);
    assert.ok(timing.convert >= 0);
    await out.close();
    await out.close();
    assert.equal(out.framesWritten, 3);

    const names = [];
    for await (const entry of Deno.readDir(`${dir}/new/frames`)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["frame_000001.png", "frame_000002.png", "frame_000003.png"]);
    for (const [i, frame] of frames.entries()) {
      const png = readPng(await Deno.readFile(`${dir}/new/frames/${pngFrameName(i + 1)}`));
      assert.equal(png.width, 7);
      assert.equal(png.height, 5);
      assert.equal(png.alpha, undefined);
      // Exactly the frame's RGB (lossless PNG); the RGB picture it was made from survives the
      // 4:4:4 round trip within 1.
      assert.deepEqual(png.data, rgbOf(frame));
      assert.ok(maxDiff(png.data, pictures[i]!) <= 1);
    }
    await assert.rejects(() => out.write(frames[0]!, timing), /: the sink is closed$/);
  });
});

Deno.test("PngFolderWriter takes 4:2:2 frames and checks the size", async () => {
  await withTempDir(async (dir) => {
    const size = { width: 4, height: 2 };
    await using out = await PngFolderWriter.open(dir, { size });
    const frame = makeFrame(size, "422");
    frame.y.set([0, 50, 100, 150, 200, 250, 255, 10]);
    frame.u.set([90, 200, 128, 128]);
    frame.v.set([240, 20, 128, 128]);
    await out.write(frame, new FrameTiming());
    const png = readPng(await Deno.readFile(`${dir}/${pngFrameName(1)}`));
    assert.deepEqual(png.data, rgbOf(frame));
    await assert.rejects(
      () => out.write(makeFrame({ width: 2, height: 2 }, "444"), new FrameTiming()),
      RangeError,
    );
  });
});

Deno.test("PngFolderWriter.open() fails in one line when the path is a file", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/taken`;
    await Deno.writeTextFile(file, "x");
    await assert.rejects(
      () => PngFolderWriter.open(file, { size: { width: 2, height: 2 } }),
      new MediaFileError(
        `Cannot write PNG frames to ${JSON.stringify(file)}`,
        "it is a file, not a folder",
        { kind: "invalid" },
      ),
    );
  });
});
