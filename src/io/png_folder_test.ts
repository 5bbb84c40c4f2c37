import assert from "node:assert/strict";
import { readPng } from "../image/png.ts";
import { withTempDir } from "./_testing.ts";
import { MediaFileError } from "./errors.ts";
import { PngFolderWriter, pngFrameName } from "./png_folder.ts";

Deno.test("PngFolderWriter writes numbered RGB PNGs with the exact pixels", async () => {
  await withTempDir(async (dir) => {
    const folder = `${dir}/new/frames/`;
    const out = await PngFolderWriter.open(folder, { width: 7, height: 5 });
    assert.equal(out.folder, `${dir}/new/frames`);
    const frames = [0, 1, 2].map((f) =>
      new Uint8Array(7 * 5 * 3).map((_, i) => (i * 31 + f) % 256)
    );
    for (const frame of frames) await out.write(frame);
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
      assert.deepEqual(png.data, frame);
    }
    await assert.rejects(() => out.write(frames[0]!), /: the sink is closed$/);
  });
});

Deno.test("PngFolderWriter.open() fails in one line when the path is a file", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/taken`;
    await Deno.writeTextFile(file, "x");
    await assert.rejects(
      () => PngFolderWriter.open(file, { width: 2, height: 2 }),
      new MediaFileError(
        `Cannot write PNG frames to ${JSON.stringify(file)}`,
        "it is a file, not a folder",
      ),
    );
  });
});
