import assert from "node:assert/strict";
import { flattenAlpha, imageBackground, passthroughBackground, solidBackground } from "./still.ts";

const ctx = (width: number, height: number, timeMs = 0) => ({
  frame: new Uint8Array(width * height * 3).fill(7),
  mask: new Uint8Array(width * height),
  timeMs,
});

Deno.test("solidBackground() fills the output with the colour once", () => {
  const green = solidBackground([0, 255, 136], { width: 4, height: 3 });
  assert.equal(green.description, "colour #00ff88");
  assert.equal(green.passthrough, false);
  const out = green.render(ctx(4, 3));
  assert.equal(out.length, 36);
  for (let i = 0; i < out.length; i += 3) {
    assert.deepEqual([...out.subarray(i, i + 3)], [0, 255, 136]);
  }
  assert.equal(green.render(ctx(4, 3, 40)), out);
});

Deno.test("passthroughBackground() returns the camera frame", async () => {
  const off = passthroughBackground();
  assert.equal(off.passthrough, true);
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

Deno.test("imageBackground() scales once to cover and says how", () => {
  // 4x2 picture: left half red, right half blue; a 2x2 output shows the middle 2x2.
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) data.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  }
  const still = imageBackground({ width: 4, height: 2, data }, {
    width: 2,
    height: 2,
    path: "x.png",
  });
  assert.equal(still.description, "image x.png 4x2 → cover 2x2 (crops 2x2)");
  const out = still.render(ctx(2, 2));
  assert.deepEqual([...out], [255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
  assert.equal(still.render(ctx(2, 2, 1000)), out);
  const exact = imageBackground({ width: 4, height: 2, data }, {
    width: 8,
    height: 4,
    path: "x.png",
  });
  assert.equal(exact.description, "image x.png 4x2 → cover 8x4");
});
