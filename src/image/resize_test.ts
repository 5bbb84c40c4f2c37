import assert from "node:assert/strict";
import { resizeBilinear } from "./resize.ts";

function resize(
  src: number[],
  [srcWidth, srcHeight]: [number, number],
  [dstWidth, dstHeight]: [number, number],
  channels = 1,
): number[] {
  const dst = new Float32Array(dstWidth * dstHeight * channels);
  resizeBilinear(new Float32Array(src), dst, {
    srcWidth,
    srcHeight,
    dstWidth,
    dstHeight,
    channels,
  });
  return [...dst];
}

Deno.test("resizeBilinear() upsamples 2x2 to 4x4 with half-pixel centres", () => {
  // Source x for dst 0..3: -0.25 → 0 (clamped), 0.25, 0.75, 1.25 → 1 (clamped).
  assert.deepEqual(resize([0, 10, 20, 30], [2, 2], [4, 4]), [
    0,
    2.5,
    7.5,
    10,
    5,
    7.5,
    12.5,
    15,
    15,
    17.5,
    22.5,
    25,
    20,
    22.5,
    27.5,
    30,
  ]);
});

Deno.test("resizeBilinear() is the identity when the sizes are equal", () => {
  const src = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 53) % 256);
  const dst = new Uint8Array(src.length);
  resizeBilinear(src, dst, { srcWidth: 5, srcHeight: 3, dstWidth: 5, dstHeight: 3, channels: 3 });
  assert.deepEqual(dst, src);
  const f = Float32Array.from(src, (v) => v / 7);
  const g = new Float32Array(f.length);
  resizeBilinear(f, g, { srcWidth: 5, srcHeight: 3, dstWidth: 5, dstHeight: 3, channels: 3 });
  assert.deepEqual(g, f);
});

Deno.test("resizeBilinear() clamps to the edge pixels", () => {
  // A single pixel stretches to a flat picture.
  assert.deepEqual(resize([7, 8, 9], [1, 1], [3, 2], 3), [
    7,
    8,
    9,
    7,
    8,
    9,
    7,
    8,
    9,
    7,
    8,
    9,
    7,
    8,
    9,
    7,
    8,
    9,
  ]);
  // The outermost destination pixels copy the edge (no blend with zeros).
  assert.deepEqual(resize([100, 200], [2, 1], [4, 1]), [100, 125, 175, 200]);
  assert.deepEqual(resize([100, 200], [1, 2], [1, 4]), [100, 125, 175, 200]);
});

Deno.test("resizeBilinear() halves by averaging pixel pairs (no antialiasing beyond that)", () => {
  // Source x for dst 0, 1: 0.5, 2.5.
  assert.deepEqual(resize([0, 10, 20, 30], [4, 1], [2, 1]), [5, 25]);
  // Shrinking 4x just samples between two source pixels: 1.5 and 5.5.
  assert.deepEqual(resize([0, 10, 20, 30, 40, 50, 60, 70], [8, 1], [2, 1]), [15, 55]);
});

Deno.test("resizeBilinear() keeps channels apart", () => {
  // Pixels (0, 100) and (20, 0); weights 0, 0.25, 0.75, 1.
  assert.deepEqual(resize([0, 100, 20, 0], [2, 1], [4, 1], 2), [0, 100, 5, 75, 15, 25, 20, 0]);
});

Deno.test("resizeBilinear() matches a direct formula for odd ratios", () => {
  const [sw, sh, dw, dh] = [5, 3, 7, 4];
  const src = Array.from({ length: sw * sh }, (_, i) => (i * 17) % 31);
  const got = resize(src, [sw, sh], [dw, dh]);
  const at = (x: number, y: number): number => src[y * sw + x]!;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(Math.max((x + 0.5) * (sw / dw) - 0.5, 0), sw - 1);
      const sy = Math.min(Math.max((y + 0.5) * (sh / dh) - 0.5, 0), sh - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, sw - 1);
      const y1 = Math.min(y0 + 1, sh - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const want = at(x0, y0) * (1 - fx) * (1 - fy) + at(x1, y0) * fx * (1 - fy) +
        at(x0, y1) * (1 - fx) * fy + at(x1, y1) * fx * fy;
      assert.ok(
        Math.abs(got[y * dw + x]! - want) < 1e-4,
        `(${x}, ${y}) ${got[y * dw + x]} vs ${want}`,
      );
    }
  }
});

Deno.test("resizeBilinear() rounds and clamps when writing bytes", () => {
  const dst = new Uint8Array(4);
  resizeBilinear(new Uint8Array([0, 10]), dst, {
    srcWidth: 2,
    srcHeight: 1,
    dstWidth: 4,
    dstHeight: 1,
    channels: 1,
  });
  assert.deepEqual([...dst], [0, 3, 8, 10]);
  const out = new Uint8Array(2);
  resizeBilinear(new Float32Array([-5, 300]), out, {
    srcWidth: 2,
    srcHeight: 1,
    dstWidth: 2,
    dstHeight: 1,
    channels: 1,
  });
  assert.deepEqual([...out], [0, 255]);
});

Deno.test("resizeBilinear() rejects bad sizes and short buffers", () => {
  const options = { srcWidth: 2, srcHeight: 2, dstWidth: 3, dstHeight: 3, channels: 3 };
  assert.throws(
    () => resizeBilinear(new Uint8Array(11), new Uint8Array(27), options),
    /Cannot resize: the source has 11 values, 2x2x3 needs 12/,
  );
  assert.throws(
    () => resizeBilinear(new Uint8Array(12), new Uint8Array(26), options),
    /Cannot resize: the destination has 26 values, 3x3x3 needs 27/,
  );
  assert.throws(
    () => resizeBilinear(new Uint8Array(12), new Uint8Array(27), { ...options, dstWidth: 0 }),
    /destination size 0x3 is not a positive size/,
  );
});
