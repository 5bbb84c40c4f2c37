import assert from "node:assert/strict";
import { BoxMean } from "./box.ts";

function bruteForce(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++) {
        for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) {
          sum += src[v * w + u]!;
          n++;
        }
      }
      out[y * w + x] = sum / n;
    }
  }
  return out;
}

Deno.test("BoxMean matches a brute-force clipped-window mean for any radius", () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const [w, h] of [[13, 7], [1, 5], [6, 1], [40, 23]] as const) {
    const src = Float32Array.from({ length: w * h }, rnd);
    for (const r of [0, 1, 2, 5, 50]) {
      const out = new Float32Array(w * h);
      new BoxMean({ width: w, height: h }, r).apply(src, out);
      const expected = bruteForce(src, w, h, r);
      for (let i = 0; i < out.length; i++) {
        assert.ok(Math.abs(out[i]! - expected[i]!) < 1e-5, `${w}x${h} r${r} at ${i}`);
      }
    }
  }
});

Deno.test("BoxMean keeps a constant map constant (edges are not darkened)", () => {
  const out = new Float32Array(9 * 5);
  new BoxMean({ width: 9, height: 5 }, 3).apply(new Float32Array(9 * 5).fill(0.75), out);
  for (const v of out) assert.ok(Math.abs(v - 0.75) < 1e-6);
});
