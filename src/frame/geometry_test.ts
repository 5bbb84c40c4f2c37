import assert from "node:assert/strict";
import { coverRect, fitRect } from "./geometry.ts";

Deno.test("fitRect() letterboxes 4:3 into the 16:9 model input without stretching", () => {
  assert.deepEqual(fitRect(640, 480, { width: 256, height: 144 }), { x: 32, y: 0, w: 192, h: 144 });
  assert.deepEqual(fitRect(1280, 720, { width: 256, height: 144 }), { x: 0, y: 0, w: 256, h: 144 });
  assert.deepEqual(fitRect(720, 1280, { width: 256, height: 256 }), {
    x: 56,
    y: 0,
    w: 144,
    h: 256,
  });
});

Deno.test("coverRect() crops the centre to the output's aspect", () => {
  assert.deepEqual(coverRect(640, 480, { width: 1280, height: 720 }), {
    x: 0,
    y: 60,
    w: 640,
    h: 360,
  });
  assert.deepEqual(coverRect(640, 480, { width: 320, height: 240 }), {
    x: 0,
    y: 0,
    w: 640,
    h: 480,
  });
});
