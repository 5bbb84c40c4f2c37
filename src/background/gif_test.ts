import assert from "node:assert/strict";
import { writeGif } from "./_gif_writer.ts";
import { decodeGif, GifError, isGif, parseGif } from "./gif.ts";

const RED = [255, 0, 0, 255],
  GREEN = [0, 255, 0, 255],
  BLUE = [0, 0, 255, 255],
  CLEAR = [0, 0, 0, 0];
// Global palette: 0 black, 1 red, 2 green, 3 blue.
const PALETTE = new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);

function pixel(rgba: Uint8Array, x: number, y: number, width = 8): number[] {
  return [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
}

function inSquare(x: number, y: number): boolean {
  return x >= 2 && x < 6 && y >= 2 && y < 6;
}

/** Five frames that exercise keep / background / previous disposal, transparency, interlacing. */
function animation(): Uint8Array {
  return writeGif({
    width: 8,
    height: 8,
    palette: PALETTE,
    loopCount: 0,
    frames: [
      { indices: new Uint8Array(64).fill(1), delayCs: 10 },
      {
        x: 2,
        y: 2,
        width: 4,
        height: 4,
        indices: new Uint8Array(16).map((_, i) => i === 5 ? 3 : 2), // (3, 3) is transparent
        transparentIndex: 3,
        disposal: 2,
        delayCs: 25,
      },
      { width: 2, height: 2, indices: new Uint8Array(4).fill(3), disposal: 3, delayCs: 0 },
      { x: 7, y: 7, width: 1, height: 1, indices: new Uint8Array([2]), delayCs: 1 },
      {
        indices: new Uint8Array(64).map((_, i) => (i >> 3) % 4),
        palette: new Uint8Array([0, 0, 0, 255, 255, 255, 128, 128, 128, 255, 255, 0]),
        interlaced: true,
        delayCs: 3,
      },
    ],
  });
}

Deno.test("isGif() checks the signature", () => {
  assert.ok(isGif(new TextEncoder().encode("GIF89a")));
  assert.ok(isGif(new TextEncoder().encode("GIF87a....")));
  assert.ok(!isGif(new TextEncoder().encode("GIF88a")));
  assert.ok(!isGif(new Uint8Array([0x89, 0x50, 0x4e, 0x47])));
});

Deno.test("decodeGif() reads the classic 1x1 transparent GIF", () => {
  const base64 = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const gif = decodeGif(bytes);
  assert.equal(gif.width, 1);
  assert.equal(gif.height, 1);
  assert.equal(gif.loopCount, null);
  assert.equal(gif.frames.length, 1);
  assert.deepEqual([...gif.frames[0]!.rgba], CLEAR);
  assert.equal(gif.frames[0]!.delayMs, 100);
});

Deno.test("parseGif() reads frame timing, rectangles and the loop count without decoding", () => {
  const gif = parseGif(animation());
  assert.equal(gif.width, 8);
  assert.equal(gif.loopCount, 0);
  // 10 cs, 25 cs, then 0 and 1 cs mean 100 ms as in browsers, 3 cs.
  assert.deepEqual(gif.frames.map((f) => f.delayMs), [100, 250, 100, 100, 30]);
  assert.deepEqual(gif.frames.map((f) => f.disposal), [
    "keep",
    "background",
    "previous",
    "keep",
    "keep",
  ]);
  assert.deepEqual([
    gif.frames[1]!.x,
    gif.frames[1]!.y,
    gif.frames[1]!.width,
    gif.frames[1]!.height,
  ], [2, 2, 4, 4]);
  assert.equal(gif.frames[1]!.transparentIndex, 3);
  assert.equal(gif.frames[4]!.interlaced, true);
});

Deno.test("decodeGif() composes frames with transparency and every disposal method", () => {
  const { frames } = decodeGif(animation());
  assert.equal(frames.length, 5);
  const [f0, f1, f2, f3, f4] = frames.map((f) => f.rgba) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const at = `(${x}, ${y})`;
      assert.deepEqual(pixel(f0, x, y), RED, at);
      // Frame 1: a green square over the red, with a transparent hole at (3, 3).
      assert.deepEqual(pixel(f1, x, y), inSquare(x, y) && !(x === 3 && y === 3) ? GREEN : RED, at);
      // Frame 2: frame 1's square is cleared ("background"), a blue 2x2 is drawn at the origin.
      const cleared = inSquare(x, y) ? CLEAR : RED;
      assert.deepEqual(pixel(f2, x, y), x < 2 && y < 2 ? BLUE : cleared, at);
      // Frame 3: the blue is undone ("previous"), one green pixel at (7, 7).
      assert.deepEqual(pixel(f3, x, y), x === 7 && y === 7 ? GREEN : cleared, at);
      // Frame 4: interlaced rows back in order, with its own palette.
      const local = [[0, 0, 0], [255, 255, 255], [128, 128, 128], [255, 255, 0]][y % 4]!;
      assert.deepEqual(pixel(f4, x, y), [...local, 255], at);
    }
  }
});

Deno.test("decodeGif() decodes long LZW streams (12-bit codes, table resets)", () => {
  const width = 300, height = 200;
  const palette = new Uint8Array(768).map((_, i) => (i * 37) & 255);
  let seed = 1;
  const indices = new Uint8Array(width * height).map((_, i) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return i % 7 < 3 ? seed >>> 24 : (i >> 3) & 255;
  });
  const gif = decodeGif(writeGif({ width, height, palette, frames: [{ indices }] }));
  const rgba = gif.frames[0]!.rgba;
  for (let i = 0; i < indices.length; i++) {
    const c = indices[i]!;
    if (rgba[i * 4] !== palette[c * 3] || rgba[i * 4 + 2] !== palette[c * 3 + 2]) {
      assert.fail(`pixel ${i}: ${[...rgba.subarray(i * 4, i * 4 + 3)]} is not colour ${c}`);
    }
  }
});

Deno.test("decodeGif() matches ffmpeg on a GIF made by ffmpeg", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_gif_" });
  try {
    const path = `${dir}/testsrc.gif`;
    const make = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.5", path],
    }).output();
    assert.ok(make.success, new TextDecoder().decode(make.stderr));
    const gif = decodeGif(await Deno.readFile(path));
    assert.equal(gif.frames.length, 5);
    assert.deepEqual(gif.frames.map((f) => f.delayMs), [100, 100, 100, 100, 100]);
    const raw = await new Deno.Command("ffmpeg", {
      args: [
        "-v",
        "error",
        "-i",
        path,
        "-fps_mode",
        "passthrough",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgba",
        "-",
      ],
    }).output();
    const size = 64 * 48 * 4;
    assert.equal(raw.stdout.length, 5 * size);
    gif.frames.forEach((frame, i) =>
      assert.deepEqual(frame.rgba, raw.stdout.subarray(i * size, (i + 1) * size))
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseGif() and decodeGif() reject broken files with a GifError", () => {
  const bytes = animation();
  const cases: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode("PNG or something"), /^Cannot decode GIF: wrong GIF signature$/],
    [bytes.subarray(0, 20), /^Cannot decode GIF: the file is truncated$/],
    [bytes.subarray(0, 40), /^Cannot decode GIF: the file is truncated$/],
    [
      // 1x1, 2-colour global table, an image whose first code after the clear is 7 (> clear).
      new Uint8Array([
        ...new TextEncoder().encode("GIF89a"),
        1,
        0,
        1,
        0,
        0x80,
        0,
        0,
        0,
        0,
        0,
        255,
        255,
        255,
        0x2c,
        0,
        0,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
        2,
        1,
        0x3c,
        0,
        0x3b,
      ]),
      /^Cannot decode GIF: invalid LZW code 7 after a clear code$/,
    ],
    [
      new Uint8Array([
        ...new TextEncoder().encode("GIF89a"),
        1,
        0,
        1,
        0,
        0,
        0,
        0,
        0x2c,
        0,
        0,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
      ]),
      /^Cannot decode GIF: frame 0 has no colour table$/,
    ],
    [
      new Uint8Array([...new TextEncoder().encode("GIF89a"), 1, 0, 1, 0, 0, 0, 0, 0x3b]),
      /^Cannot decode GIF: it has no frames$/,
    ],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => decodeGif(data), (e: unknown) => {
      assert.ok(e instanceof GifError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("parseGif() refuses a GIF claiming more than 8192x8192 before decoding it", () => {
  const base64 = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  new DataView(bytes.buffer).setUint16(6, 20000, true);
  assert.throws(
    () => decodeGif(bytes),
    (e: Error) => e instanceof GifError && /20000x1 pixels: at most 8192x8192/.test(e.message),
  );
});
