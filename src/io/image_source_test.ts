import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import { writePng } from "../image/png.ts";
import { frameOf, maxDiff, rgbOf, solidFrame, withTempDir } from "../../tests/fixtures/media.ts";
import { MediaFileError } from "./errors.ts";
import {
  ImageSequenceSource,
  ImageSource,
  isSequencePattern,
  listImageSequence,
  naturalCompare,
} from "./image_source.ts";

/** Writes a PNG whose first red value is `tag`, so frames can be told apart. */
async function writeTagged(
  path: string,
  tag: number,
  size = { width: 4, height: 3 },
): Promise<void> {
  const data = solidFrame(size.width, size.height, [tag, 10, 20]);
  await Deno.writeFile(path, writePng({ ...size, channels: 3, data }));
}

const timing = new FrameTiming();

/** The red value of each frame's first pixel, read into 4:4:4 frames (within 1 of the tag). */
async function readTags(source: ImageSequenceSource): Promise<number[]> {
  const frame = makeFrame(source.size, "444");
  const tags: number[] = [];
  while (await source.read(frame, timing)) tags.push(rgbOf(frame)[0]!);
  return tags;
}

async function assertSequenceError(spec: string, detail: string): Promise<void> {
  await assert.rejects(() => listImageSequence(spec), (e: unknown) => {
    assert.ok(e instanceof MediaFileError, String(e));
    assert.equal(e.message, `Cannot read image sequence ${JSON.stringify(spec)}: ${detail}`);
    return true;
  });
}

Deno.test("ImageSource yields one frame by default and `frames` copies when asked", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/still.png`;
    await writeTagged(path, 200);
    const size = { width: 4, height: 3 };
    const frame = makeFrame(size, "444");

    await using once = await ImageSource.open(path);
    assert.equal(once.fps, 0);
    assert.deepEqual(once.size, size);
    assert.equal(once.description, `${path} 4x3 image ×1`);
    const timed = new FrameTiming();
    assert.ok(await once.read(frame, timed));
    assert.ok(timed.decode >= 0);
    // The image is converted once to a frame: exactly rgbToFrame's, within 1 of it as RGB.
    assert.deepEqual(frame, frameOf(solidFrame(4, 3, [200, 10, 20]), size));
    assert.ok(maxDiff(rgbOf(frame), solidFrame(4, 3, [200, 10, 20])) <= 1);
    assert.equal(await once.read(frame, timing), false);

    await using three = await ImageSource.open(path, { frames: 3, fps: 10 });
    assert.equal(three.fps, 10);
    let count = 0;
    while (await three.read(frame, timing)) count++;
    assert.equal(count, 3);

    // A 4:2:2 frame gets the picture with its chroma in pairs, every time.
    await using twice = await ImageSource.open(path, { frames: 2 });
    const half = makeFrame(size, "422");
    const expected = frameOf(solidFrame(4, 3, [200, 10, 20]), size, "422");
    assert.ok(await twice.read(half, timing));
    assert.deepEqual(half, expected);
    half.y.fill(0);
    assert.ok(await twice.read(half, timing));
    assert.deepEqual(half, expected);
    await assert.rejects(() => twice.read(makeFrame({ width: 4, height: 4 }, "444"), timing));

    await assert.rejects(() => ImageSource.open(path, { frames: 0 }), /frames 0 is not/);
  });
});

Deno.test("ImageSource reads JPEGs", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/still.jpg`;
    using encoder = new JpegEncoder();
    const rgb = solidFrame(16, 8, [40, 160, 90]);
    await Deno.writeFile(path, encoder.encode(rgb, { width: 16, height: 8, quality: 95 }));
    await using still = await ImageSource.open(path);
    assert.deepEqual(still.size, { width: 16, height: 8 });
    const frame = makeFrame(still.size, "444");
    assert.ok(await still.read(frame, timing));
    // JPEG's own loss (3), plus 1 for the frame's RGB round trip.
    assert.ok(maxDiff(rgbOf(frame), rgb) <= 4);
  });
});

Deno.test("naturalCompare() and isSequencePattern()", () => {
  assert.deepEqual(
    ["img10.png", "img2.png", "img1.png", "a.png", "img02.png"].sort(naturalCompare),
    ["a.png", "img1.png", "img2.png", "img02.png", "img10.png"],
  );
  assert.ok(isSequencePattern("a/frame_%04d.png"));
  assert.ok(isSequencePattern("a/%d.png"));
  assert.ok(isSequencePattern("a/*.png"));
  assert.ok(isSequencePattern("a/shot_??.png"));
  assert.ok(!isSequencePattern("a/100%%.png"));
  assert.ok(!isSequencePattern("a/b.png"));
});

Deno.test("listImageSequence() orders printf patterns by number and skips non-matches", async () => {
  await withTempDir(async (dir) => {
    for (const name of ["frame_0010.png", "frame_0002.png", "frame_0003.png", "frame_10000.png"]) {
      await writeTagged(`${dir}/${name}`, 1);
    }
    // Not what %04d prints: too few digits, a stray leading zero, another prefix.
    for (const name of ["frame_01.png", "frame_00011.png", "other_0001.png", "frame_0004.jpg"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    assert.deepEqual(await listImageSequence(`${dir}/frame_%04d.png`), [
      `${dir}/frame_0002.png`,
      `${dir}/frame_0003.png`,
      `${dir}/frame_0010.png`,
      `${dir}/frame_10000.png`,
    ]);
    assert.deepEqual(await listImageSequence(`${dir}/frame_%d.png`), [`${dir}/frame_10000.png`]);
    await Deno.writeTextFile(`${dir}/100%_7.png`, "x");
    assert.deepEqual(await listImageSequence(`${dir}/100%%_%d.png`), [`${dir}/100%_7.png`]);
  });
});

Deno.test("listImageSequence() reads wildcards and folders in natural order", async () => {
  await withTempDir(async (dir) => {
    for (const name of ["shot10.png", "shot2.png", "shot1.jpg", "notes.txt", ".hidden.png"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    await Deno.mkdir(`${dir}/sub.png`);
    assert.deepEqual(await listImageSequence(`${dir}/*.png`), [
      `${dir}/shot2.png`,
      `${dir}/shot10.png`,
    ]);
    assert.deepEqual(await listImageSequence(`${dir}/shot?.*`), [
      `${dir}/shot1.jpg`,
      `${dir}/shot2.png`,
    ]);
    assert.deepEqual(await listImageSequence(dir), [
      `${dir}/shot1.jpg`,
      `${dir}/shot2.png`,
      `${dir}/shot10.png`,
    ]);
  });
});

Deno.test("listImageSequence() fails in one line", async () => {
  await withTempDir(async (dir) => {
    await assertSequenceError(`${dir}/*.png`, "no file matches");
    await assertSequenceError(dir, "the folder has no PNG or JPEG files");
    await assertSequenceError(`${dir}/nope/%03d.png`, `no such folder "${dir}/nope"`);
    await assertSequenceError(
      `${dir}/*/a.png`,
      "only the file name may hold a pattern or wildcards",
    );
    await assertSequenceError(`${dir}/%d_%d.png`, "the pattern has more than one number (%d)");
  });
});

Deno.test("ImageSequenceSource yields the files in order and checks their size", async () => {
  await withTempDir(async (dir) => {
    for (const [i, n] of [3, 1, 2, 10].entries()) await writeTagged(`${dir}/f_${n}.png`, 10 + i);
    await using source = await ImageSequenceSource.open(`${dir}/f_%d.png`);
    assert.deepEqual(source.size, { width: 4, height: 3 });
    assert.equal(source.fps, 25);
    assert.equal(source.description, `${dir}/f_%d.png 4x3 4 images 25 fps`);
    const tags = await readTags(source);
    [11, 12, 10, 13].forEach((tag, i) => assert.ok(Math.abs(tags[i]! - tag) <= 1, `${tags}`));

    // Each file is converted once, into the frame's layout.
    await using again = await ImageSequenceSource.open(`${dir}/f_%d.png`);
    const half = makeFrame(again.size, "422");
    const timed = new FrameTiming();
    assert.ok(await again.read(half, timed));
    assert.ok(timed.decode >= 0);
    assert.deepEqual(half, frameOf(solidFrame(4, 3, [11, 10, 20]), again.size, "422"));

    await writeTagged(`${dir}/f_11.png`, 99, { width: 5, height: 3 });
    await using mixed = await ImageSequenceSource.open(dir, { fps: 12 });
    assert.equal(mixed.fps, 12);
    const frame = makeFrame(mixed.size, "444");
    for (let i = 0; i < 4; i++) assert.ok(await mixed.read(frame, timing));
    await assert.rejects(() => mixed.read(frame, timing), (e: unknown) => {
      assert.ok(e instanceof MediaFileError);
      assert.equal(e.kind, "invalid");
      assert.equal(
        e.message,
        `Cannot read image sequence ${JSON.stringify(dir)}: "${dir}/f_11.png" is 5x3, the first ` +
          "frame is 4x3 (all frames must have the same size)",
      );
      return true;
    });
  });
});
