import assert from "node:assert/strict";
import { BilateralUpsampler } from "./bilateral.ts";
import { Grid } from "./grid.ts";
import { alphaLut, smoothstep, wrapLut } from "./remap.ts";

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

Deno.test("BilateralUpsampler.renderLuma() equals render() on a colour frame whose luma is the plane", () => {
  // The same luma, (77 R + 150 G + 29 B + 128) >> 8, so the same alpha and wrap weights exactly.
  const grid = new Grid({ width: W, height: H }, 4);
  const options = { lut: alphaLut({ tighten: [0.25, 0.75] }), wrapLut: wrapLut(0.3, 0.75) };
  const rgb = new BilateralUpsampler(grid, options), luma = new BilateralUpsampler(grid, options);
  const { guide, input } = scene(grid);
  let s = 11;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const frame = new Uint8Array(W * H * 3);
  const y = new Uint8Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const base = p % W >= 26 ? [230, 190, 170] : [20, 45, 90];
    for (let c = 0; c < 3; c++) frame[p * 3 + c] = base[c]! + Math.floor(rnd() * 25);
    y[p] = (77 * frame[p * 3]! + 150 * frame[p * 3 + 1]! + 29 * frame[p * 3 + 2]! + 128) >> 8;
  }
  const a1 = new Uint8Array(W * H), w1 = new Uint8Array(W * H);
  const a2 = new Uint8Array(W * H), w2 = new Uint8Array(W * H);
  rgb.solve(guide, input);
  rgb.render(frame, a1, w1);
  luma.solve(guide, input);
  luma.renderLuma(y, a2, w2);
  assert.deepEqual(a2, a1);
  assert.deepEqual(w2, w1);
  assert.ok(a1.some((v) => v > 0 && v < 255) && w1.some((v) => v > 0), "a soft band to compare");
});

Deno.test("BilateralUpsampler.renderLuma() takes each pixel's luma from the plane", () => {
  // The cells say the picture's edge is at x = 26; the plane puts it 6 px either side (as far
  // as the 4×4 cells reach): pixels look dark or bright by the plane and take the probability
  // of the dark (low) or bright (high) cells accordingly.
  const grid = new Grid({ width: W, height: H }, 4);
  const up = new BilateralUpsampler(grid, {});
  const { guide, input } = scene(grid);
  up.solve(guide, input);
  const alpha = new Uint8Array(W * H);
  const row = 12 * W;
  for (const edge of [20, 23, 26, 29]) {
    const y = new Uint8Array(W * H);
    for (let p = 0; p < W * H; p++) y[p] = p % W >= edge ? 200 : 40;
    up.renderLuma(y, alpha);
    let jump = 1;
    for (let x = 2; x < W; x++) {
      if (alpha[row + x]! - alpha[row + x - 1]! > alpha[row + jump]! - alpha[row + jump - 1]!) {
        jump = x;
      }
    }
    assert.equal(jump, edge, `edge ${edge}: the steepest step at ${jump}`);
    assert.ok(alpha[row + edge]! - alpha[row + edge - 1]! >= 60, `edge ${edge}`);
  }
});
