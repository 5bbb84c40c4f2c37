import assert from "node:assert/strict";
import { writeGif } from "./_gif_writer.ts";
import { AnimatedBackground, gifBackground } from "./animation.ts";
import { BackgroundError } from "./errors.ts";
import { parseGif } from "./gif.ts";
import { makeYuvFrame } from "../image/planar.ts";

const ctx = (timeMs: number) => ({ frame: new Uint8Array(3), mask: new Uint8Array(1), timeMs });

Deno.test("AnimatedBackground shows each frame for its delay and loops", () => {
  const a: Uint8Array = new Uint8Array(3), b: Uint8Array = new Uint8Array(3);
  const c: Uint8Array = new Uint8Array(3);
  const anim = new AnimatedBackground([a, b, c], { delaysMs: [100, 50, 200], description: "x" });
  assert.equal(anim.durationMs, 350);
  // The loop starts at the first render (t = 1000 here).
  const seen = [1000, 1099, 1100, 1149, 1150, 1349, 1350, 1460, 1500, 1000 + 350 * 10 + 120]
    .map((t) => [a, b, c].indexOf(anim.render(ctx(t))));
  assert.deepEqual(seen, [0, 0, 1, 1, 2, 2, 0, 1, 2, 1]);
  // Going back in time (a reset clock) still gives a valid frame.
  assert.equal(anim.render(ctx(900)), c);
});

Deno.test("AnimatedBackground rejects mismatched delays", () => {
  assert.throws(() => new AnimatedBackground([], { delaysMs: [], description: "x" }), RangeError);
  assert.throws(
    () => new AnimatedBackground([new Uint8Array(3)], { delaysMs: [1, 2], description: "x" }),
    /Cannot animate 1 frames with 2 delays: give one delay per frame/,
  );
});

function twoFrameGif(): Uint8Array {
  // 4x2: frame 0 all red, frame 1 all blue; 200 ms then 100 ms.
  return writeGif({
    width: 4,
    height: 2,
    palette: new Uint8Array([255, 0, 0, 0, 0, 255]),
    frames: [
      { indices: new Uint8Array(8).fill(0), delayCs: 20 },
      { indices: new Uint8Array(8).fill(1), delayCs: 10 },
    ],
  });
}

Deno.test("gifBackground() cover-scales every frame once and loops at the GIF's delays", () => {
  const background = gifBackground(parseGif(twoFrameGif()), { width: 6, height: 6, path: "x.gif" });
  assert.equal(background.description, "GIF x.gif 2 frames 4x2 → cover 6x6, 0.3 s loop");
  const first = background.render(ctx(0));
  assert.equal(first.length, 6 * 6 * 3);
  assert.deepEqual([...first.subarray(0, 3)], [255, 0, 0]);
  assert.equal(background.render(ctx(199)), first);
  const second = background.render(ctx(200));
  assert.notEqual(second, first);
  assert.deepEqual([...second.subarray(0, 3)], [0, 0, 255]);
  assert.equal(background.render(ctx(300)), first);
  assert.equal(background.render(ctx(510)), second);
});

Deno.test("gifBackground() shows transparent pixels black", () => {
  const bytes = writeGif({
    width: 2,
    height: 1,
    palette: new Uint8Array([255, 255, 255, 0, 0, 0]),
    frames: [{ indices: new Uint8Array([0, 1]), transparentIndex: 0 }],
  });
  const out = gifBackground(parseGif(bytes), { width: 2, height: 1, path: "t.gif" }).render(ctx(0));
  assert.deepEqual([...out], [0, 0, 0, 0, 0, 0]);
});

Deno.test("gifBackground() refuses animations that need too much memory, saying how much", () => {
  assert.throws(
    () =>
      gifBackground(parseGif(twoFrameGif()), {
        width: 1920,
        height: 1080,
        path: "x.gif",
        maxBytes: 10 * 1024 * 1024,
      }),
    (e: unknown) => {
      assert.ok(e instanceof BackgroundError);
      assert.equal(
        e.message,
        'Cannot use GIF background "x.gif": 2 frames at 1920x1080 need 12 MB, more than the 10 MB allowed (shorten it, or convert it to a video: ffmpeg -i x.gif x.mp4)',
      );
      return true;
    },
  );
});

Deno.test("AnimatedBackground.renderYuv() gives the frame of the time in YCbCr, converted on change", () => {
  const background = gifBackground(parseGif(twoFrameGif()), { width: 6, height: 6, path: "x.gif" });
  const frame = makeYuvFrame(6, 6);
  const yuv = (t: number) => background.renderYuv({ frame, mask: new Uint8Array(36), timeMs: t });
  const red = yuv(0);
  assert.equal(red.chromaShift, 0);
  assert.deepEqual([red.y[0], red.u[0], red.v[0]], [76, 85, 255]); // pure red, JFIF
  assert.equal(yuv(199), red, "the same frame object");
  const blue = yuv(200);
  assert.deepEqual([blue.y[0], blue.u[0], blue.v[0]], [29, 255, 107]); // pure blue
  assert.deepEqual([yuv(300).y[0]], [76], "the loop comes back to red");
});
