import assert from "node:assert/strict";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { frameToRgb } from "../image/planar.ts";
import { flattenAlpha, imageBackground, passthroughBackground, solidBackground } from "./still.ts";

const ctx = (width: number, height: number, timeMs = 0) => ({
  frame: makeFrame({ width, height }, "444"),
  mask: new Uint8Array(width * height),
  timeMs,
});

function rgbOf(frame: Frame): number[] {
  const rgb = new Uint8Array(frame.width * frame.height * 3);
  frameToRgb(frame, rgb);
  return [...rgb];
}

/** Every value of `actual` within ±1 of `expected` (RGB → 4:4:4 → RGB). */
function near(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1, `${what}[${i}]: ${v}`));
}

Deno.test("solidBackground() fills a frame of the output size and layout with the colour, once", () => {
  for (const layout of ["444", "422"] as const) {
    const green = solidBackground([0, 255, 136], { size: { width: 4, height: 3 }, layout });
    assert.equal(green.description, "colour #00ff88");
    assert.equal(green.passthrough, false);
    assert.equal(green.still, true);
    const out = green.render(ctx(4, 3));
    assert.deepEqual([out.width, out.height, out.layout], [4, 3, layout]);
    assert.equal(out.u.length, layout === "444" ? 12 : 6);
    // One colour: every plane uniform, and the colour within ±1 (JFIF YCbCr is not exact).
    for (const plane of [out.y, out.u, out.v]) assert.ok(plane.every((v) => v === plane[0]));
    near(rgbOf(out), Array.from({ length: 12 }, () => [0, 255, 136]).flat(), layout);
    assert.equal(green.render(ctx(4, 3, 40)), out);
  }
});

Deno.test("passthroughBackground() returns the camera frame", async () => {
  const off = passthroughBackground();
  assert.equal(off.passthrough, true);
  assert.equal(off.still, false);
  const c = ctx(2, 2);
  assert.equal(off.render(c), c.frame);
  await off.close();
  await off.close();
});

Deno.test("flattenAlpha() composites over black", () => {
  const image = {
    width: 2,
    height: 1,
    data: new Uint8Array([200, 100, 50, 10, 20, 30]),
    alpha: new Uint8Array([128, 255]),
  };
  assert.deepEqual([...flattenAlpha(image).data], [100, 50, 25, 10, 20, 30]);
  const opaque = { width: 1, height: 1, data: new Uint8Array([1, 2, 3]) };
  assert.equal(flattenAlpha(opaque), opaque);
});

Deno.test("imageBackground() scales once to cover, converts once, and says how", () => {
  // 4x2 picture: left half red, right half blue; a 2x2 output shows the middle 2x2.
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) data.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  }
  const still = imageBackground({ width: 4, height: 2, data }, {
    size: { width: 2, height: 2 },
    layout: "444",
    path: "x.png",
  });
  assert.equal(still.description, "image x.png 4x2 → cover 2x2 (crops 2x2)");
  assert.equal(still.still, true);
  const out = still.render(ctx(2, 2));
  assert.equal(out.layout, "444");
  near(rgbOf(out), [255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255], "4:4:4");
  assert.equal(still.render(ctx(2, 2, 1000)), out);
  // 4:2:2: luma per pixel (red 76, blue 29), chroma shared by the pair.
  const half = imageBackground({ width: 4, height: 2, data }, {
    size: { width: 2, height: 2 },
    layout: "422",
    path: "x.png",
  }).render(ctx(2, 2));
  assert.deepEqual([half.layout, [...half.y], half.u.length], ["422", [76, 29, 76, 29], 2]);
  const exact = imageBackground({ width: 4, height: 2, data }, {
    size: { width: 8, height: 4 },
    layout: "444",
    path: "x.png",
  });
  assert.equal(exact.description, "image x.png 4x2 → cover 8x4");
});
