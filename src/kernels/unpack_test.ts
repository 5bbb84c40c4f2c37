import assert from "node:assert/strict";
import { assertSameBytes } from "../../tests/fixtures/pixels.ts";
import { rng } from "../../tests/fixtures/rng.ts";
import { makeFrame } from "../frame/frame.ts";
import { CHROMA_TO_FULL, LUMA_TO_FULL, yuyvToFrame } from "../image/planar.ts";
import { Kernels } from "./mod.ts";

Deno.test("Kernels.yuyvToFrame() gives the planes of yuyvToFrame(): every byte value, any width", () => {
  const k = Kernels.shared();
  const sizes: [number, number][] = [[512, 1], [2, 1], [6, 3], [16, 2], [18, 5], [30, 7], [
    1282,
    3,
  ]];
  for (const [width, height] of sizes) {
    const rnd = rng(width);
    const n = width * height;
    // The first: every byte value in every position of a pair, in the SIMD steps.
    const yuyv = width === 512
      ? new Uint8Array(n * 2).map((_, i) => ((i >> 2) + (i & 3) * 64) & 255)
      : new Uint8Array(n * 2).map(() => (rnd() * 256) | 0);
    const want = makeFrame({ width, height }, "422");
    yuyvToFrame(yuyv, want);
    for (const inMemory of [true, false]) {
      const data = inMemory ? k.arena.bytes(n * 2) : yuyv;
      data.set(yuyv);
      const got = inMemory
        ? k.frame({ width, height }, "422")
        : makeFrame({ width, height }, "422");
      got.layout = "420";
      k.yuyvToFrame(data, got);
      assert.equal(got.layout, "422");
      assertSameBytes(got.y, want.y, `${width}x${height} Y`);
      assertSameBytes(got.u, want.u, `${width}x${height} Cb`);
      assertSameBytes(got.v, want.v, `${width}x${height} Cr`);
      if (inMemory) {
        k.releaseFrame(got);
        k.release(data);
      }
    }
  }
  // The kernel's formulas are the tables, every byte value.
  for (let i = 0; i < 256; i++) {
    const l = (4770 * i - 74348) >> 12, c = (4663 * i - 70508) >> 12;
    assert.equal(Math.max(0, Math.min(255, l)), LUMA_TO_FULL[i]);
    assert.equal(Math.max(0, Math.min(255, c)), CHROMA_TO_FULL[i]);
  }
});

Deno.test("Kernels.yuyvToFrame() refuses short data and a 444 frame", () => {
  const k = Kernels.shared();
  const size = { width: 2, height: 2 };
  assert.throws(() => k.yuyvToFrame(new Uint8Array(7), k.frame(size, "422")), RangeError);
  assert.throws(() => k.yuyvToFrame(new Uint8Array(8), k.frame(size, "444")), RangeError);
});
