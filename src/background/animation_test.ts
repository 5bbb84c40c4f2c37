import assert from "node:assert/strict";
import { writeGif } from "./_gif_writer.ts";
import { AnimatedBackground, gifBackground } from "./animation.ts";
import { BackgroundError } from "./errors.ts";
import { parseGif } from "./gif.ts";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { frameToRgb } from "../image/planar.ts";

const ctx = (timeMs: number) => ({
  frame: makeFrame({ width: 1, height: 1 }, "444"),
  mask: new Uint8Array(1),
  timeMs,
});
const one = (): Frame => makeFrame({ width: 1, height: 1 }, "444");

/** The first pixel as RGB. */
function firstRgb(frame: Frame): number[] {
  const rgb = new Uint8Array(frame.width * frame.height * 3);
  frameToRgb(frame, rgb);
  return [...rgb.subarray(0, 3)];
}

Deno.test("AnimatedBackground shows each frame for its delay and loops", () => {
  const a = one(), b = one(), c = one();
  const anim = new AnimatedBackground([a, b, c], { delaysMs: [100, 50, 200], description: "x" });
  assert.equal(anim.durationMs, 350);
  assert.equal(anim.still, false);
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
    () => new AnimatedBackground([one()], { delaysMs: [1, 2], description: "x" }),
    /Cannot animate 1 frames with 2 delays: give one delay per frame/,
  );
  assert.equal(new AnimatedBackground([one()], { delaysMs: [1], description: "x" }).still, true);
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

Deno.test("gifBackground() converts every frame once and loops at the GIF's delays", () => {
  for (const layout of ["444", "422"] as const) {
    const background = gifBackground(parseGif(twoFrameGif()), {
      size: { width: 6, height: 6 },
      layout,
      path: "x.gif",
    });
    assert.equal(background.description, "GIF x.gif 2 frames 4x2 → cover 6x6, 0.3 s loop");
    assert.equal(background.still, false);
    const first = background.render(ctx(0));
    assert.deepEqual([first.width, first.height, first.layout], [6, 6, layout]);
    assert.equal(first.u.length, layout === "444" ? 36 : 18);
    assert.deepEqual([first.y[0], first.u[0], first.v[0]], [76, 85, 255]); // pure red, JFIF
    assert.equal(background.render(ctx(199)), first, "the same frame object");
    const second = background.render(ctx(200));
    assert.notEqual(second, first);
    assert.deepEqual([second.y[0], second.u[0], second.v[0]], [29, 255, 107]); // pure blue
    assert.equal(background.render(ctx(300)), first, "the loop comes back to red");
    assert.equal(background.render(ctx(510)), second);
  }
});

Deno.test("gifBackground() shows transparent pixels black", () => {
  const bytes = writeGif({
    width: 2,
    height: 1,
    palette: new Uint8Array([255, 255, 255, 0, 0, 0]),
    frames: [{ indices: new Uint8Array([0, 1]), transparentIndex: 0 }],
  });
  const out = gifBackground(parseGif(bytes), {
    size: { width: 2, height: 1 },
    layout: "444",
    path: "t.gif",
  }).render(ctx(0));
  assert.deepEqual([...out.y, ...out.u, ...out.v], [0, 0, 128, 128, 128, 128]);
  assert.deepEqual(firstRgb(out), [0, 0, 0]);
});

Deno.test("gifBackground() refuses animations that need too much memory, saying how much", () => {
  // 4:4:4 takes 3 bytes a pixel, 4:2:2 two.
  for (const [layout, need] of [["444", 12], ["422", 8]] as const) {
    assert.throws(
      () =>
        gifBackground(parseGif(twoFrameGif()), {
          size: { width: 1920, height: 1080 },
          layout,
          path: "x.gif",
          maxBytes: 5 * 1024 * 1024,
        }),
      (e: unknown) => {
        assert.ok(e instanceof BackgroundError);
        assert.equal(e.kind, "too-large");
        assert.equal(e.path, "x.gif");
        assert.equal(
          e.message,
          `Cannot use GIF background "x.gif": 2 frames at 1920x1080 need ${need} MB, more than the 5 MB allowed (shorten it, or convert it to a video)`,
        );
        return true;
      },
    );
  }
});
