import assert from "node:assert/strict";
import { BoxMean } from "../mask/box.ts";
import { Grid, RegionSampler } from "../mask/grid.ts";
import { GuidedUpsampler } from "../mask/guided.ts";
import { type MaskOptions, MaskPipeline } from "../mask/mask_pipeline.ts";
import { alphaLut, wrapLut } from "../mask/remap.ts";
import { TemporalFilter } from "../mask/temporal.ts";
import { assertSameBytes, assertSameFloats } from "../../tests/fixtures/pixels.ts";
import { rng as random } from "../../tests/fixtures/rng.ts";
import { Kernels } from "./mod.ts";

const kernels = Kernels.shared();
const WASM = { kernels };

/** A smooth random map in 0 … 1 with hard steps (like a person's probability). */
function probabilityMap(w: number, h: number, rnd: () => number): Float32Array {
  const cx = w * (0.3 + 0.4 * rnd()), cy = h * (0.3 + 0.4 * rnd()), r = Math.min(w, h) * 0.3;
  return Float32Array.from({ length: w * h }, (_, i) => {
    const d = Math.hypot((i % w) - cx, Math.floor(i / w) - cy) - r;
    const p = 1 / (1 + Math.exp(d / (0.5 + 2 * rnd())));
    return rnd() < 0.05 ? rnd() : p;
  });
}

/** A luma plane: a bright disc on a gradient, with noise. */
function lumaPlane(w: number, h: number, rnd: () => number, noise = 6): Uint8Array {
  const cx = w * 0.55, cy = h * 0.5, r = Math.min(w, h) * 0.33;
  const y = kernels.arena.bytes(w * h);
  for (let i = 0; i < w * h; i++) {
    const x = i % w, row = Math.floor(i / w);
    const base = Math.hypot(x - cx, row - cy) < r ? 190 : 40 + (x * 80) / w;
    y[i] = Math.max(0, Math.min(255, Math.round(base + (rnd() - 0.5) * 2 * noise)));
  }
  return y;
}

Deno.test("BoxMean on the kernels gives the bits of BoxMean in TypeScript, any size and radius", () => {
  const rnd = random(3);
  for (const [w, h] of [[1, 1], [1, 5], [6, 1], [13, 7], [40, 23], [160, 90], [161, 91]] as const) {
    const src = kernels.arena.float32(w * h).map(() => rnd());
    for (const r of [0, 1, 2, 5, 50]) {
      const want = new Float32Array(w * h), got = kernels.arena.float32(w * h);
      new BoxMean({ width: w, height: h }, r).apply(src, want);
      const box = new BoxMean({ width: w, height: h }, r, WASM);
      box.apply(src, got);
      assertSameFloats(got, want, `${w}x${h} r${r}`);
      box.release();
      kernels.release(got);
    }
    kernels.release(src);
  }
});

Deno.test("TemporalFilter on the kernels gives the bits of TemporalFilter in TypeScript", () => {
  const rnd = random(5);
  for (const strength of [0, 0.5, 0.8]) {
    const n = 257 * 3;
    const ts = new TemporalFilter(n, { strength }),
      wasm = new TemporalFilter(n, { strength }, WASM);
    for (let t = 0; t < 6; t++) {
      const p = probabilityMap(257, 3, rnd);
      ts.update(p);
      wasm.update(p);
      assertSameFloats(wasm.state, ts.state, `strength ${strength} step ${t}`);
    }
    wasm.release();
  }
});

Deno.test("RegionSampler on the kernels gives the bits of RegionSampler in TypeScript", () => {
  const rnd = random(9);
  for (
    const [out, factor, region] of [
      [{ width: 1280, height: 720 }, 8, { x: 0, y: 0, w: 256, h: 144 }],
      [{ width: 67, height: 35 }, 3, { x: 12.5, y: 3.25, w: 200.3, h: 120 }],
      [{ width: 640, height: 480 }, 5, { x: 32, y: 0, w: 192, h: 144 }],
    ] as const
  ) {
    const grid = new Grid(out, factor);
    const map = probabilityMap(256, 144, rnd);
    const source = { map: { width: 256, height: 144 }, region };
    const want = new Float32Array(grid.lowWidth * grid.lowHeight);
    const got = kernels.arena.float32(want.length);
    new RegionSampler(grid, source).sample(map, want);
    const wasm = new RegionSampler(grid, source, WASM);
    wasm.sample(map, got);
    assertSameFloats(got, want, `${out.width}x${out.height}`);
    wasm.release();
  }
});

Deno.test("GuidedUpsampler on the kernels gives the bits of GuidedUpsampler in TypeScript, frame after frame", () => {
  const rnd = random(21);
  const cases: [
    number,
    number,
    number,
    Partial<{ hold: number; wrap: boolean; plain: boolean; radius: number }>,
  ][] = [
    [1280, 720, 8, { hold: 0.8, wrap: true }],
    [67, 35, 4, { hold: 0.8, wrap: true, radius: 2 }],
    [64, 32, 4, {}],
    [33, 17, 3, { plain: true, wrap: true }],
    [9, 5, 8, { hold: 0.5 }],
    [640, 480, 5, { wrap: true }],
  ];
  for (const [width, height, factor, o] of cases) {
    const grid = new Grid({ width, height }, factor);
    const options = {
      lut: alphaLut({ tighten: [0.25, 0.75] }),
      wrapLut: o.wrap ? wrapLut(0.3, 0.75) : null,
      hold: o.hold ?? 0,
      plain: o.plain ?? false,
      radius: o.radius ?? 1,
    };
    const ts = new GuidedUpsampler(grid, options);
    const wasm = new GuidedUpsampler(grid, options, WASM);
    const n = width * height;
    const alphaTs = new Uint8Array(n), alphaWasm = kernels.arena.bytes(n);
    const wrapTs = new Uint8Array(n), wrapWasm = kernels.arena.bytes(n);
    for (let frame = 0; frame < 4; frame++) {
      const p = probabilityMap(grid.lowWidth, grid.lowHeight, rnd);
      ts.input.set(p);
      wasm.input.set(p);
      const y = lumaPlane(width, height, rnd);
      ts.setGuide(y);
      wasm.setGuide(y);
      assertSameFloats(wasm.guide, ts.guide, "guide");
      ts.solve();
      wasm.solve();
      assertSameFloats(wasm.coefficients.a, ts.coefficients.a, "a");
      assertSameFloats(wasm.coefficients.b, ts.coefficients.b, "b");
      ts.render(y, alphaTs, wrapTs);
      wasm.render(y, alphaWasm, wrapWasm);
      const what = `${width}x${height}/${factor} ${JSON.stringify(o)} frame ${frame}`;
      assertSameBytes(alphaWasm, alphaTs, `${what} alpha`);
      assertSameBytes(wrapWasm, wrapTs, `${what} wrap`);
      kernels.release(y);
    }
    wasm.release();
    kernels.release(alphaWasm, wrapWasm);
  }
});

Deno.test("MaskPipeline on the kernels gives the alpha and wrap of MaskPipeline in TypeScript", () => {
  const rnd = random(33);
  const geometry = {
    model: { width: 256, height: 144 },
    region: { x: 0, y: 0, w: 256, h: 144 },
    output: { width: 1280, height: 720 },
  };
  for (
    const options of [
      {},
      { upsample: "bilinear" },
      { threshold: 0.5, lightWrap: 0 },
      { smoothing: 0, hold: 0, tighten: null },
      { upsample: "bilateral" },
    ] as MaskOptions[]
  ) {
    const ts = new MaskPipeline(geometry, options, { kernels: null });
    const wasm = new MaskPipeline(geometry, options);
    for (let frame = 0; frame < 3; frame++) {
      const map = probabilityMap(256, 144, rnd);
      ts.ingest(map);
      wasm.ingest(map);
      const y = lumaPlane(1280, 720, rnd);
      const want = ts.render(y), got = wasm.render(y);
      assertSameBytes(got, want, `${JSON.stringify(options)} frame ${frame} alpha`);
      if (ts.wrap) assertSameBytes(wasm.wrap!, ts.wrap, `${JSON.stringify(options)} wrap`);
      kernels.release(y);
    }
    wasm.release();
  }
});

Deno.test("GuidedUpsampler on the kernels refuses a short alpha (it would write past it)", () => {
  const g = new GuidedUpsampler(new Grid({ width: 16, height: 8 }, 4), {}, WASM);
  g.input.fill(1);
  const y = kernels.arena.bytes(16 * 8);
  g.setGuide(y);
  g.solve();
  assert.throws(() => g.render(y, kernels.arena.bytes(16 * 8 - 1)), RangeError);
  g.release();
});
