import assert from "node:assert/strict";
import { makeYuvFrame } from "../image/planar.ts";
import { resampleYuv, YuvRegionMaps } from "./region.ts";

Deno.test("resampleYuv() crops luma and both chroma layouts to the same picture", () => {
  const src422 = makeYuvFrame(64, 48), src420 = makeYuvFrame(64, 48);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) src422.y[y * 64 + x] = src420.y[y * 64 + x] = x * 4;
    for (let c = 0; c < 32; c++) {
      src422.u[y * 32 + c] = 100 + (y >> 1) * 4; // constant over row pairs: 4:2:0 says the same
      src422.v[y * 32 + c] = 50 + c * 5;
    }
  }
  src420.chromaShift = 1;
  for (let r = 0; r < 24; r++) {
    for (let c = 0; c < 32; c++) {
      src420.u[r * 32 + c] = 100 + r * 4;
      src420.v[r * 32 + c] = 50 + c * 5;
    }
  }
  const rect = { x: 16, y: 8, w: 32, h: 24 };
  const maps = new YuvRegionMaps({ width: 64, height: 48 }, rect, { width: 64, height: 48 });
  const a = makeYuvFrame(64, 48), b = makeYuvFrame(64, 48);
  resampleYuv(src422, maps, a);
  resampleYuv(src420, maps, b);
  assert.equal(b.chromaShift, 0);
  // Luma: the crop of a ramp x·4 from x = 16 scaled 2×: about 64 + 2·x_out.
  assert.ok(Math.abs(a.y[10]! - (64 + 2 * 10 - 1)) <= 2, `luma ${a.y[10]}`);
  // Cb: from 100 + 4·(8/2) at the top of the crop; Cr: the column ramp scaled likewise.
  let worst = 0;
  for (let i = 0; i < a.u.length; i++) {
    worst = Math.max(worst, Math.abs(a.u[i]! - b.u[i]!), Math.abs(a.v[i]! - b.v[i]!));
  }
  assert.ok(worst <= 3, `4:2:0 and 4:2:2 differ by ${worst}`);
  assert.ok(Math.abs(a.v[5]! - (50 + 5 * (8 + 5 / 2 - 0.25))) <= 3, `Cr ${a.v[5]}`);
  assert.ok(a.u[40 * 32]! > a.u[0]! + 30, "Cb grows downwards");
});
