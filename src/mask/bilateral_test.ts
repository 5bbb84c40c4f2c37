import assert from "node:assert/strict";
import { BilateralUpsampler } from "./bilateral.ts";
import { Grid } from "./grid.ts";
import { alphaLut, smoothstep } from "./remap.ts";

const W = 48, H = 24;

/** Cells: a probability ramp over cells 4 … 8; the frame: dark left of x = 26, bright right. */
function scene(grid: Grid): { guide: Float32Array; input: Float32Array; frame: Uint8Array } {
  const n = grid.lowWidth * grid.lowHeight;
  const input = new Float32Array(n);
  const guide = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = k % grid.lowWidth;
    input[k] = Math.min(1, Math.max(0, (i - 4) / 4));
    guide[k] = (i + 0.5) * grid.factor >= 26 ? 200 / 255 : 40 / 255;
  }
  const frame = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) frame.fill(p % W >= 26 ? 200 : 40, p * 3, p * 3 + 3);
  return { guide, input, frame };
}

Deno.test("BilateralUpsampler takes each pixel's probability from the cells that look like it", () => {
  const grid = new Grid({ width: W, height: H }, 4);
  const up = new BilateralUpsampler(grid, {});
  const { guide, input, frame } = scene(grid);
  up.solve(guide, input);
  const alpha = new Uint8Array(W * H);
  up.render(frame, alpha);
  // Across the picture's edge the alpha jumps: the dark side averages dark (low) cells only.
  const row = 12 * W;
  assert.ok(alpha[row + 26]! - alpha[row + 25]! >= 100, `${alpha[row + 25]} → ${alpha[row + 26]}`);
  assert.equal(alpha[row], 0);
  assert.equal(alpha[row + W - 1], 255);
});

Deno.test("BilateralUpsampler fills only quads whose every pixel is certain", () => {
  const grid = new Grid({ width: W, height: H }, 4);
  const tight = new BilateralUpsampler(grid, { lut: alphaLut({ tighten: [0.25, 0.75] }) });
  const plain = new BilateralUpsampler(grid, {});
  const { guide, input, frame } = scene(grid);
  const a = new Uint8Array(W * H), b = new Uint8Array(W * H);
  tight.solve(guide, input);
  tight.render(frame, a);
  plain.solve(guide, input);
  plain.render(frame, b);
  for (let i = 0; i < a.length; i++) {
    const expected = Math.round(255 * smoothstep(0.25, 0.75, b[i]! / 255));
    assert.ok(Math.abs(a[i]! - expected) <= 4, `pixel ${i}: ${a[i]} vs ${expected}`);
  }
});
