import assert from "node:assert/strict";
import { alphaLut, LUT_MAX, smoothstep, WRAP_END, wrapLut } from "./remap.ts";

Deno.test("smoothstep() is 0 below, 1 above and an S-curve between", () => {
  assert.equal(smoothstep(0.25, 0.75, 0.1), 0);
  assert.equal(smoothstep(0.25, 0.75, 0.9), 1);
  assert.equal(smoothstep(0.25, 0.75, 0.5), 0.5);
  assert.ok(smoothstep(0.25, 0.75, 0.3) < 0.1);
});

Deno.test("alphaLut() keeps the probability soft unless asked, and thresholds last", () => {
  const soft = alphaLut();
  assert.equal(soft[0], 0);
  assert.equal(soft[LUT_MAX], 255);
  assert.equal(soft[Math.round(LUT_MAX * 0.2)], Math.round(255 * 0.2));
  const tight = alphaLut({ tighten: [0.25, 0.75] });
  for (let i = 1; i <= LUT_MAX; i++) assert.ok(tight[i]! >= tight[i - 1]!);
  assert.equal(tight[Math.floor(LUT_MAX * 0.24)], 0);
  assert.equal(tight[Math.ceil(LUT_MAX * 0.76)], 255);
  // The threshold cuts the tightened alpha: 0.6 of alpha is reached at p ≈ 0.54.
  const cut = alphaLut({ tighten: [0.25, 0.75], threshold: 0.6 });
  assert.ok(cut.every((v) => v === 0 || v === 255));
  const first = cut.indexOf(255) / LUT_MAX;
  assert.ok(first > 0.53 && first < 0.56, `${first}`);
});

Deno.test("wrapLut() covers the soft edge and the rim, not the interior", () => {
  const lut = wrapLut(0.4, 0.75);
  assert.equal(lut[0], Math.round(0.4 * 255));
  assert.equal(lut[Math.round(0.75 * LUT_MAX)], Math.round(0.4 * 255));
  assert.equal(lut[Math.ceil(WRAP_END * LUT_MAX)], 0);
  assert.equal(lut[LUT_MAX], 0);
  const middle = lut[Math.round(((0.75 + WRAP_END) / 2) * LUT_MAX)]!;
  assert.ok(middle > 40 && middle < 62, `${middle}`);
  assert.ok(wrapLut(0, 0.75).every((v) => v === 0));
});
