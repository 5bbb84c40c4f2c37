import assert from "node:assert/strict";
import { blend, composite, flipHorizontal, flipVertical } from "./rgb_composite.ts";

function pixels(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => (s = (s * 16807) % 2147483647) & 255);
}

Deno.test("composite() without light wrap or despill is blend()", () => {
  const fg = pixels(300, 1), bg = pixels(300, 2), alpha = pixels(100, 3);
  alpha[0] = 0;
  alpha[1] = 255;
  const a = new Uint8Array(300), b = new Uint8Array(300);
  blend(fg, bg, alpha, a);
  composite(fg, bg, alpha, b);
  assert.deepEqual(b, a);
  composite(fg, bg, alpha, b, { wrap: null, despill: null });
  assert.deepEqual(b, a);
});

Deno.test("composite() leaves the person's interior and the background exact", () => {
  const fg = new Uint8Array([30, 220, 40, 30, 220, 40]);
  const bg = new Uint8Array([250, 250, 250, 5, 6, 7]);
  const out = new Uint8Array(6);
  composite(fg, bg, new Uint8Array([255, 0]), out, {
    wrap: new Uint8Array([0, 200]),
    despill: "green",
  });
  assert.deepEqual([...out], [30, 220, 40, 5, 6, 7]);
});

Deno.test("composite() light wrap screens the background's light onto the rim", () => {
  const fg = new Uint8Array([100, 100, 100, 100, 100, 100, 100, 100, 100]);
  const bg = new Uint8Array([200, 200, 200, 0, 0, 0, 255, 255, 255]);
  const out = new Uint8Array(9);
  composite(fg, bg, new Uint8Array([255, 255, 255]), out, {
    wrap: new Uint8Array([128, 255, 255]),
  });
  // 100 + (255 − 100) · (200 · 128 / 255) / 255 ≈ 161; a black background adds nothing; full
  // wrap of white is white.
  assert.deepEqual([...out], [161, 161, 161, 100, 100, 100, 255, 255, 255]);
  // Never darker than the camera where the person is opaque.
  const many = pixels(3000, 9), back = pixels(3000, 10), wrap = pixels(1000, 11);
  const o = new Uint8Array(3000);
  composite(many, back, new Uint8Array(1000).fill(255), o, { wrap });
  for (let i = 0; i < o.length; i++) assert.ok(o[i]! >= many[i]!);
});

Deno.test("composite() despill limits the key colour on the edge only", () => {
  const fg = new Uint8Array([100, 200, 80, 100, 200, 80, 90, 60, 220]);
  const bg = new Uint8Array(9);
  const out = new Uint8Array(9);
  composite(fg, bg, new Uint8Array([255, 128, 128]), out, {
    wrap: new Uint8Array([0, 0, 0]),
    despill: "green",
  });
  assert.deepEqual([...out.subarray(0, 3)], [100, 200, 80]); // interior: untouched
  assert.deepEqual([...out.subarray(3, 6)], [50, 45, 40]); // g → (100 + 80) / 2, then half
  composite(fg, bg, new Uint8Array([255, 128, 128]), out, { despill: "blue" });
  assert.deepEqual([...out.subarray(6, 9)], [45, 30, 38]); // b → (90 + 60) / 2, then half
});

Deno.test("composite() rejects buffers that are too small", () => {
  assert.throws(
    () =>
      composite(new Uint8Array(3), new Uint8Array(6), new Uint8Array(2), new Uint8Array(6), {
        despill: "green",
      }),
    RangeError,
  );
});

Deno.test("blend() mixes by alpha in fixed point with exact ends and rounding", () => {
  const fg = new Uint8Array([200, 100, 0, 200, 100, 0, 200, 100, 0]);
  const bg = new Uint8Array([0, 50, 255, 0, 50, 255, 0, 50, 255]);
  const out = new Uint8Array(9);
  blend(fg, bg, new Uint8Array([0, 255, 51]), out);
  assert.deepEqual([...out.subarray(0, 6)], [0, 50, 255, 200, 100, 0]);
  assert.deepEqual([...out.subarray(6)], [40, 60, 204]); // a = 0.2
});

Deno.test("flipHorizontal() and flipVertical() mirror in place", () => {
  const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i);
  flipHorizontal(rgb, 3, 2);
  assert.deepEqual([...rgb.subarray(0, 9)], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
  flipVertical(rgb, 3, 2, new Uint8Array(9));
  assert.deepEqual([...rgb.subarray(9)], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
});
