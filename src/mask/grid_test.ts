import assert from "node:assert/strict";
import { Grid, regionAxis, RegionSampler, upsampleAxis } from "./grid.ts";

Deno.test("upsampleAxis() puts pixel centres between cell centres and clamps the margins", () => {
  const { i0, i1, f } = upsampleAxis(8, { lowSize: 2, factor: 4 });
  assert.deepEqual([...i0], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...i1], [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...f], [0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1]);
  const one = upsampleAxis(3, { lowSize: 1, factor: 4 });
  assert.deepEqual([...one.i0, ...one.i1, ...one.f], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("Grid has ceil(size / factor) cells and rejects a bad factor", () => {
  const g = new Grid({ width: 1280, height: 720 }, 8);
  assert.equal(g.lowWidth, 160);
  assert.equal(g.lowHeight, 90);
  const odd = new Grid({ width: 10, height: 5 }, 4);
  assert.equal(odd.lowWidth, 3);
  assert.equal(odd.lowHeight, 2);
  assert.throws(() => new Grid({ width: 10, height: 10 }, 0), RangeError);
});

Deno.test("regionAxis() samples only inside the region (letterbox content)", () => {
  // A 4-pixel-wide content region starting at 2 of an 8-pixel map, shown at 8 output pixels as
  // 4 cells of 2: cell centres fall at 2.5, 3.5, 4.5, 5.5 → source positions 2.5 … 5.5 − 0.5.
  const { i0, i1, f } = regionAxis(4, { size: 8, factor: 2, start: 2, length: 4, srcSize: 8 });
  for (let i = 0; i < 4; i++) {
    assert.ok(i0[i]! >= 2 && i1[i]! <= 5, `cell ${i}: ${i0[i]} ${i1[i]}`);
    assert.ok(Math.abs(i0[i]! + f[i]! - (2 + i)) < 1e-6);
  }
});

Deno.test("RegionSampler reproduces a linear ramp exactly at the cell centres", () => {
  const src = new Float32Array(16 * 9);
  for (let y = 0; y < 9; y++) for (let x = 0; x < 16; x++) src[y * 16 + x] = x / 15;
  const grid = new Grid({ width: 64, height: 36 }, 4);
  const out = new Float32Array(grid.lowWidth * grid.lowHeight);
  new RegionSampler(grid, {
    map: { width: 16, height: 9 },
    region: { x: 0, y: 0, w: 16, h: 9 },
  }).sample(src, out);
  // 16 cells across 16 source pixels: cell i sits on source pixel i.
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(out[i]! - i / 15) < 1e-6, `cell ${i}`);
});
