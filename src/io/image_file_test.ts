import assert from "node:assert/strict";
import { JpegDecoder, JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { isJpeg, loadImage } from "./image_file.ts";
import { readPng, writePng } from "../image/png.ts";
import { ImageError } from "../image/types.ts";

const REFERENCE = new URL("../../../shared/reference/images/", import.meta.url);
const ASTRONAUT = new URL("skimage_astronaut.png", REFERENCE).pathname;

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_image_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertImageError(path: string, message: string): Promise<void> {
  await assert.rejects(() => loadImage(path), (e: unknown) => {
    assert.ok(e instanceof ImageError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("loadImage() reads a PNG file", async () => {
  const image = await loadImage(ASTRONAUT);
  assert.equal(image.width, 512);
  assert.equal(image.height, 512);
  assert.deepEqual(image.data, readPng(await Deno.readFile(ASTRONAUT)).data);
});

Deno.test("loadImage() reads JPEG files through libturbojpeg", async () => {
  const photo = await loadImage(ASTRONAUT);
  await withTempDir(async (dir) => {
    using encoder = new JpegEncoder();
    const jpeg = encoder.encode(photo.data, { width: 512, height: 512, quality: 95 });
    assert.ok(isJpeg(jpeg));
    const path = `${dir}/astronaut.jpg`;
    await Deno.writeFile(path, jpeg);

    const image = await loadImage(path);
    assert.equal(image.width, 512);
    assert.equal(image.height, 512);
    assert.equal(image.alpha, undefined);
    const error = meanAbsDiff(image.data, photo.data);
    assert.ok(error < 4, `mean abs error ${error}`);

    // A caller's decoder is used and left open.
    using decoder = new JpegDecoder();
    assert.deepEqual((await loadImage(path, decoder)).data, image.data);
    assert.equal(decoder.closed, false);

    // The magic bytes decide, not the name.
    const misnamed = `${dir}/really_a_jpeg.png`;
    await Deno.writeFile(misnamed, jpeg);
    assert.deepEqual((await loadImage(misnamed)).data, image.data);

    // A grayscale JPEG expands to RGB.
    const luma = new Uint8Array(64 * 32).map((_, i) => i % 256);
    const grayPath = `${dir}/gray.jpg`;
    await Deno.writeFile(grayPath, encoder.encode(luma, { width: 64, height: 32, format: "gray" }));
    const gray = await loadImage(grayPath);
    assert.equal(gray.data.length, 64 * 32 * 3);
    assert.equal(gray.data[300], gray.data[301]);

    // A truncated JPEG still loads (libjpeg-turbo only warns and fills the rest).
    const cut = `${dir}/cut.jpg`;
    await Deno.writeFile(cut, jpeg.subarray(0, jpeg.length / 2));
    const partial = await loadImage(cut);
    assert.equal(partial.width, 512);
    const top = 512 * 3 * 100;
    assert.ok(meanAbsDiff(partial.data.subarray(0, top), photo.data.subarray(0, top)) < 4);
  });
});

Deno.test("loadImage() keeps PNG alpha", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rgba.png`;
    await Deno.writeFile(
      path,
      writePng({
        width: 2,
        height: 1,
        channels: 4,
        data: new Uint8Array([1, 2, 3, 0, 4, 5, 6, 255]),
      }),
    );
    const image = await loadImage(path);
    assert.deepEqual([...image.data], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...image.alpha!], [0, 255]);
  });
});

Deno.test("loadImage() throws one-line ImageErrors naming the file", async () => {
  await withTempDir(async (dir) => {
    await assertImageError(
      `${dir}/missing.png`,
      `Cannot read image "${dir}/missing.png": no such file`,
    );
    await assertImageError(dir, `Cannot read image "${dir}": it is a directory`);

    const text = `${dir}/notes.png`;
    await Deno.writeTextFile(text, "hello, not an image\n");
    await assertImageError(text, `Cannot read image "${text}": not a PNG or JPEG file`);

    const empty = `${dir}/empty.jpg`;
    await Deno.writeFile(empty, new Uint8Array(0));
    await assertImageError(empty, `Cannot read image "${empty}": the file is empty`);

    const png = await Deno.readFile(ASTRONAUT);
    const truncated = `${dir}/truncated.png`;
    await Deno.writeFile(truncated, png.subarray(0, 5000));
    await assertImageError(
      truncated,
      `Cannot read image "${truncated}": corrupt PNG data (the file is truncated)`,
    );

    const badJpeg = `${dir}/bad.jpg`;
    const bytes = new Uint8Array(2000).map((_, i) => (i * 131) % 251);
    bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
    await Deno.writeFile(badJpeg, bytes);
    await assert.rejects(() => loadImage(badJpeg), (e: unknown) => {
      assert.ok(e instanceof ImageError, String(e));
      assert.match(
        e.message,
        new RegExp(`^Cannot read image "${badJpeg}": corrupt JPEG data \\(.+\\)$`),
      );
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  });
});

/** A real PNG whose header is rewritten to claim another size (its CRC fixed up). */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = writePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(90) });
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  view.setUint32(16, width);
  view.setUint32(20, height);
  let crc = ~0;
  for (const b of png.subarray(12, 29)) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  view.setUint32(29, ~crc >>> 0);
  return png;
}

Deno.test("loadImage() refuses a picture larger than 8192x8192 before decoding it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "huge.png",
        pngClaiming(20000, 20000),
        /the picture is 20000x20000 pixels: at most 8192x8192/,
      ],
      ["wide.png", pngClaiming(2147483647, 1), /the picture is 2147483647x1 pixels/],
      // Within the limit, but a few bytes of data for 8000x8000 pixels: cut short or lying.
      ["short.png", pngClaiming(8000, 8000), /too little picture data for 8000x8000 pixels/],
    ];
    using encoder = new JpegEncoder();
    const jpeg = encoder.encode(new Uint8Array(16 * 16 * 3), { width: 16, height: 16 });
    // SOF0's height and width (big-endian) after its marker, length and precision.
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    new DataView(jpeg.buffer).setUint16(sof + 5, 9000);
    new DataView(jpeg.buffer).setUint16(sof + 7, 9000);
    cases.push(["huge.jpg", jpeg, /the picture is 9000x9000 pixels: at most 8192x8192/]);
    for (const [name, bytes, pattern] of cases) {
      const path = `${dir}/${name}`;
      await Deno.writeFile(path, bytes);
      await assert.rejects(
        () => loadImage(path),
        (e: Error) =>
          e instanceof ImageError && pattern.test(e.message) && !e.message.includes("\n"),
        name,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
