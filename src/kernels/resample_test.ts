import assert from "node:assert/strict";
import { assertSameBytes } from "../../tests/fixtures/pixels.ts";
import { rng } from "../../tests/fixtures/rng.ts";
import { type ChromaLayout, makeFrame } from "../frame/frame.ts";
import type { Rect, Size } from "../frame/geometry.ts";
import { FrameRegionMaps, resampleFrame } from "../frame/region.ts";
import { Kernels } from "./mod.ts";

/** Source size, crop, output size: enlargements (the SIMD path), reductions, edges, odd widths. */
const CASES: [Size, Rect, Size][] = [
  [{ width: 1280, height: 720 }, { x: 200.3, y: 100.7, w: 800.5, h: 450.28 }, {
    width: 1280,
    height: 720,
  }],
  [{ width: 1280, height: 720 }, { x: 0, y: 0, w: 1280, h: 720 }, { width: 1280, height: 720 }],
  [{ width: 1280, height: 720 }, { x: 480, y: 270, w: 320, h: 180 }, { width: 1280, height: 720 }],
  [{ width: 1920, height: 1080 }, { x: 0, y: 0, w: 1920, h: 1080 }, { width: 1280, height: 720 }],
  [{ width: 640, height: 480 }, { x: 0, y: 60, w: 640, h: 360 }, { width: 1280, height: 720 }],
  [{ width: 640, height: 480 }, { x: 0, y: 0, w: 640, h: 480 }, { width: 160, height: 120 }],
  [{ width: 1280, height: 720 }, { x: 799.9, y: 449.9, w: 480.1, h: 270.1 }, {
    width: 1282,
    height: 721,
  }],
  [{ width: 22, height: 9 }, { x: 0.5, y: 0.25, w: 13.7, h: 7.1 }, { width: 30, height: 5 }],
  [{ width: 18, height: 4 }, { x: 1, y: 1, w: 2, h: 2 }, { width: 6, height: 6 }],
];

Deno.test("Kernels.resampleFrame() gives resampleFrame()'s bytes: every layout, enlargements and reductions, arrays in and out of the memory", () => {
  const k = Kernels.shared();
  for (const [i, [size, crop, output]] of CASES.entries()) {
    for (const layout of ["444", "422", "420"] as ChromaLayout[]) {
      if (layout !== "444" && (size.width % 2 !== 0 || output.width % 2 !== 0)) continue;
      const rnd = rng(i * 7 + layout.length);
      const src = makeFrame(size, layout);
      for (const p of [src.y, src.u, src.v]) for (let j = 0; j < p.length; j++) p[j] = rnd() * 256;
      // Extremes, where the 16-bit sums are at their limits.
      src.y.fill(255, 0, Math.min(src.y.length, size.width * 2));
      const outLayout = layout === "444" ? "444" : "422";
      const want = makeFrame(output, outLayout);
      const maps = new FrameRegionMaps(size, crop, output);
      resampleFrame(src, maps, want);
      for (const inMemory of [true, false]) {
        const from = inMemory ? k.frame(size, layout) : src;
        if (inMemory) {
          from.y.set(src.y);
          from.u.set(src.u);
          from.v.set(src.v);
        }
        const got = inMemory ? k.frame(output, outLayout) : makeFrame(output, outLayout);
        k.resampleFrame(from, maps, got);
        const what = `case ${i} ${layout} ${inMemory ? "in" : "out of"} memory`;
        assert.equal(got.layout, outLayout, what);
        assertSameBytes(got.y, want.y, `${what} Y`);
        assertSameBytes(got.u, want.u, `${what} Cb`);
        assertSameBytes(got.v, want.v, `${what} Cr`);
        if (inMemory) {
          k.releaseFrame(from);
          k.releaseFrame(got);
        }
      }
    }
  }
});

Deno.test("Kernels.resampleFrame() follows a moving crop (FrameRegionMaps.update)", () => {
  const k = Kernels.shared();
  const size = { width: 320, height: 180 }, output = { width: 320, height: 180 };
  const src = k.frame(size, "422");
  const rnd = rng(5);
  for (const p of [src.y, src.u, src.v]) for (let j = 0; j < p.length; j++) p[j] = rnd() * 256;
  const maps = new FrameRegionMaps(size, { x: 0, y: 0, w: 320, h: 180 }, output);
  const got = k.frame(output, "422"), want = makeFrame(output, "422");
  for (let step = 0; step < 20; step++) {
    maps.update({ x: step * 3.3, y: step * 1.7, w: 320 - step * 6, h: 180 - step * 3.375 });
    resampleFrame(src, maps, want);
    k.resampleFrame(src, maps, got);
    assertSameBytes(got.y, want.y, `step ${step} Y`);
    assertSameBytes(got.u, want.u, `step ${step} Cb`);
  }
  k.releaseFrame(src);
  k.releaseFrame(got);
});

Deno.test("Kernels.resampleFrame() refuses what resampleFrame() refuses", () => {
  const k = Kernels.shared();
  const maps = new FrameRegionMaps({ width: 8, height: 8 }, { x: 0, y: 0, w: 8, h: 8 }, {
    width: 4,
    height: 4,
  });
  assert.throws(
    () =>
      k.resampleFrame(
        makeFrame({ width: 8, height: 8 }, "444"),
        maps,
        makeFrame({ width: 2, height: 2 }, "444"),
      ),
    RangeError,
  );
  assert.throws(
    () =>
      k.resampleFrame(
        makeFrame({ width: 8, height: 8 }, "422"),
        maps,
        makeFrame({ width: 4, height: 4 }, "444"),
      ),
    RangeError,
  );
});
