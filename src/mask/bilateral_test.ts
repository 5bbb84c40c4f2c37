import assert from "node:assert/strict";
import { BilateralUpsampler } from "./bilateral.ts";
import { Grid } from "./grid.ts";
import { alphaLut, LUT_MAX, smoothstep, wrapLut } from "./remap.ts";

const W = 48, H = 24;

/** Cells: a probability ramp over cells 4 … 8; the frame's luma: dark left of x = 26, bright right. */
function scene(grid: Grid): { guide: Float32Array; input: Float32Array; frame: Uint8Array } {
  const n = grid.lowWidth * grid.lowHeight;
  const input = new Float32Array(n);
  const guide = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = k % grid.lowWidth;
    input[k] = Math.min(1, Math.max(0, (i - 4) / 4));
    guide[k] = (i + 0.5) * grid.factor >= 26 ? 200 / 255 : 40 / 255;
  }
  const frame = new Uint8Array(W * H);
  for (let p = 0; p < W * H; p++) frame[p] = p % W >= 26 ? 200 : 40;
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

Deno.test("BilateralUpsampler.render() is the joint bilateral average, pixel by pixel", () => {
  // Each pixel: the probability of its 4×4 nearest cells (clamped), weighted by a Gaussian of the
  // distance (σ = 1 cell) and of the luma difference (σ = sigmaLuma), through the tables. Filled
  // quads hold the tables' ends, which the average rounds to as well.
  const grid = new Grid({ width: W, height: H }, 4);
  const lut = alphaLut({ tighten: [0.25, 0.75] }), wlut = wrapLut(0.3, 0.75);
  const sigma = 0.1;
  const up = new BilateralUpsampler(grid, { lut, wrapLut: wlut, sigmaLuma: sigma });
  const { guide, input } = scene(grid);
  let s = 11;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const y = Uint8Array.from({ length: W * H }, (_, p) => (p % W >= 26 ? 190 : 40) + rnd() * 25);
  const alpha = new Uint8Array(W * H), wrap = new Uint8Array(W * H);
  up.solve(guide, input);
  up.render(y, alpha, wrap);
  const { lowWidth: lw, lowHeight: lh, factor } = grid;
  const cellLuma = Array.from(guide, (g) => Math.round(g * 255));
  let soft = 0;
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const u = (px + 0.5) / factor - 0.5, v = (py + 0.5) / factor - 0.5;
      let sum = 0, total = 0;
      for (let cy = Math.floor(v) - 1; cy <= Math.floor(v) + 2; cy++) {
        for (let cx = Math.floor(u) - 1; cx <= Math.floor(u) + 2; cx++) {
          const k = Math.min(lh - 1, Math.max(0, cy)) * lw + Math.min(lw - 1, Math.max(0, cx));
          const d = y[py * W + px]! - cellLuma[k]!;
          const w = Math.exp(-((u - cx) ** 2) / 2) * Math.exp(-((v - cy) ** 2) / 2) *
            Math.exp(-(d * d) / (2 * (sigma * 255) ** 2));
          sum += w * input[k]!;
          total += w;
        }
      }
      const idx = Math.round((sum / total) * LUT_MAX);
      const near = [idx - 1, idx, idx + 1].filter((k) => k >= 0 && k <= LUT_MAX);
      const i = py * W + px;
      assert.ok(near.some((k) => lut[k] === alpha[i]), `(${px}, ${py}): alpha ${alpha[i]}`);
      assert.ok(near.some((k) => wlut[k] === wrap[i]), `(${px}, ${py}): wrap ${wrap[i]}`);
      if (alpha[i]! > 0 && alpha[i]! < 255) soft++;
    }
  }
  assert.ok(soft > 0, "a soft band to check");
});

Deno.test("BilateralUpsampler.render() takes each pixel's luma from the plane", () => {
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
    up.render(y, alpha);
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
