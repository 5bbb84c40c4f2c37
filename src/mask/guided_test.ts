import assert from "node:assert/strict";
import { Grid } from "./grid.ts";
import { GuidedUpsampler, holdSteps } from "./guided.ts";
import { alphaLut, LUT_MAX, smoothstep, wrapLut } from "./remap.ts";

const W = 64, H = 32;

/** A frame dark left of `edge` and bright from it on, plus optional noise. */
function stepFrame(edge: number, noise = 0, seed = 1): Uint8Array {
  let s = seed;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const f = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const base = x >= edge ? 200 : 40;
      for (let c = 0; c < 3; c++) {
        const n = noise ? (rnd() + rnd() + rnd() + rnd() - 2) * noise * Math.sqrt(3) : 0;
        f[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + n)));
      }
    }
  }
  return f;
}

/**
 * A camera-like colour frame: a bluish background brightening to the right, a skin-toned person
 * from `edge` on, and independent noise of ± `noise` levels per channel.
 */
function colourFrame(edge: number, noise: number, seed = 1): Uint8Array {
  let s = seed;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const f = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const base = x >= edge ? [205, 160, 130] : [40 + x, 70 + y, 120];
      for (let c = 0; c < 3; c++) {
        const v = base[c]! + (rnd() - 0.5) * 2 * noise;
        f[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return f;
}

/** The full-range BT.601 luma plane of an RGB frame, as a camera's JPEG carries it. */
function lumaOf(rgb: Uint8Array): Uint8Array {
  const y = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < y.length; i++) {
    y[i] = (77 * rgb[3 * i]! + 150 * rgb[3 * i + 1]! + 29 * rgb[3 * i + 2]! + 128) >> 8;
  }
  return y;
}

/** The model's idea: a soft ramp 0 → 1 over cells 6 … 10 (output pixels ~26 … 42). */
function ramp(g: GuidedUpsampler): void {
  const { lowWidth, lowHeight } = g.grid;
  for (let j = 0; j < lowHeight; j++) {
    for (let i = 0; i < lowWidth; i++) {
      g.input[j * lowWidth + i] = Math.min(1, Math.max(0, (i - 6) / 4));
    }
  }
}

/** Where a row of alpha crosses 128, with sub-pixel interpolation. */
function crossing(alpha: Uint8Array, y: number): number {
  for (let x = 1; x < W; x++) {
    const a = alpha[y * W + x - 1]!, b = alpha[y * W + x]!;
    if (a < 128 && b >= 128) return x - 1 + (128 - a) / (b - a);
  }
  return NaN;
}

Deno.test("GuidedUpsampler moves the mask's edge onto the picture's edge", () => {
  const g = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), { radius: 2 });
  ramp(g);
  const alpha = new Uint8Array(W * H);
  for (const edge of [30, 35, 38]) {
    const frame = stepFrame(edge);
    g.setGuide(frame);
    g.solve();
    g.render(frame, alpha);
    for (const y of [0, 15, 31]) {
      const x = crossing(alpha, y);
      assert.ok(Math.abs(x - (edge - 0.5)) <= 1, `edge ${edge}, row ${y}: crossing at ${x}`);
    }
    // The step is where the picture's is: most of the transition happens in one pixel (the
    // residual tails are what the model's ramp says beyond the picture's edge).
    const jump = alpha[15 * W + edge]! - alpha[15 * W + edge - 1]!;
    assert.ok(jump >= 128, `edge ${edge}: a step of ${jump} at the edge`);
  }
  // With the default tightening the tails go: a 1-3 px band instead of the ramp's ~13.
  const tight = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), {
    radius: 2,
    lut: alphaLut({ tighten: [0.25, 0.75] }),
  });
  ramp(tight);
  const frame = stepFrame(35);
  tight.setGuide(frame);
  tight.solve();
  tight.render(frame, alpha);
  let band = 0;
  for (let x = 0; x < W; x++) {
    const a = alpha[15 * W + x]!;
    if (a > 25 && a < 230) band++;
  }
  assert.ok(band <= 3, `band of ${band} px`);
});

Deno.test("GuidedUpsampler keeps the smooth probability where the picture is flat", () => {
  const g = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), { radius: 1 });
  ramp(g);
  const frame = new Uint8Array(W * H * 3).fill(128);
  const alpha = new Uint8Array(W * H);
  g.setGuide(frame);
  g.solve();
  g.render(frame, alpha);
  // Monotone, from 0 to 255, and wide (a flat picture gives no edge to snap to).
  let band = 0;
  for (let x = 1; x < W; x++) {
    assert.ok(alpha[10 * W + x]! >= alpha[10 * W + x - 1]!);
    const a = alpha[10 * W + x]!;
    if (a > 25 && a < 230) band++;
  }
  assert.equal(alpha[10 * W]!, 0);
  assert.equal(alpha[10 * W + W - 1]!, 255);
  assert.ok(band >= 12, `band ${band}`);
});

Deno.test("GuidedUpsampler.render() and renderLuma() equal a·luma + b lifted bilinearly, pixel by pixel", () => {
  for (const plane of [false, true]) {
    for (const factor of [3, 4, 8]) {
      const grid = new Grid({ width: W, height: H }, factor);
      const g = new GuidedUpsampler(grid, { radius: 1 });
      let s = 3;
      const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
      for (let k = 0; k < g.input.length; k++) {
        g.input[k] = rnd() < 0.5 ? rnd() : k % 3 === 0 ? 1 : 0;
      }
      const bytes = plane ? W * H : W * H * 3;
      const frame = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
      const alpha = new Uint8Array(W * H);
      if (plane) g.setGuideLuma(frame);
      else g.setGuide(frame);
      g.solve();
      if (plane) g.renderLuma(frame, alpha);
      else g.render(frame, alpha);
      const { a, b } = g.coefficients;
      const { i0: x0, i1: x1, f: fx } = grid.cols;
      const { i0: y0, i1: y1, f: fy } = grid.rows;
      const lerp2 = (m: Float32Array, x: number, y: number): number => {
        const lw = grid.lowWidth;
        const top = m[y0[y]! * lw + x0[x]!]! * (1 - fx[x]!) + m[y0[y]! * lw + x1[x]!]! * fx[x]!;
        const bot = m[y1[y]! * lw + x0[x]!]! * (1 - fx[x]!) + m[y1[y]! * lw + x1[x]!]! * fx[x]!;
        return top * (1 - fy[y]!) + bot * fy[y]!;
      };
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = y * W + x, p = i * 3;
          const luma = plane
            ? frame[i]! / 255
            : (77 * frame[p]! + 150 * frame[p + 1]! + 29 * frame[p + 2]!) / (255 * 256);
          const q = Math.min(1, Math.max(0, lerp2(a, x, y) * luma + lerp2(b, x, y)));
          const expected = Math.round(Math.round(q * LUT_MAX) * 255 / LUT_MAX);
          assert.ok(
            Math.abs(alpha[i]! - expected) <= 1,
            `${plane ? "luma" : "RGB"}, factor ${factor} (${x}, ${y}): ${alpha[i]} vs ${expected}`,
          );
        }
      }
    }
  }
});

Deno.test("GuidedUpsampler's luma-plane methods give exactly the RGB results on a grey frame", () => {
  // R = G = B = Y: the plane carries all the frame's luma, so nothing may differ, not a bit.
  for (const factor of [3, 4, 8]) {
    const grid = new Grid({ width: W, height: H }, factor);
    const options = {
      radius: 1,
      lut: alphaLut({ tighten: [0.25, 0.75] }),
      wrapLut: wrapLut(0.3, 0.75),
      hold: 0.8,
    };
    const rgb = new GuidedUpsampler(grid, options), luma = new GuidedUpsampler(grid, options);
    ramp(rgb);
    ramp(luma);
    const a1 = new Uint8Array(W * H), w1 = new Uint8Array(W * H);
    const a2 = new Uint8Array(W * H), w2 = new Uint8Array(W * H);
    for (let t = 0; t < 3; t++) {
      const frame = stepFrame(33 + t, 10, t + 1);
      const y = new Uint8Array(W * H);
      for (let i = 0; i < y.length; i++) frame.fill(y[i] = frame[3 * i]!, 3 * i, 3 * i + 3);
      rgb.setGuide(frame);
      rgb.solve();
      rgb.render(frame, a1, w1);
      luma.setGuideLuma(y);
      luma.solve();
      luma.renderLuma(y, a2, w2);
      assert.deepEqual(luma.guide, rgb.guide, `factor ${factor}, frame ${t}: guide`);
      assert.deepEqual(a2, a1, `factor ${factor}, frame ${t}: alpha`);
      assert.deepEqual(w2, w1, `factor ${factor}, frame ${t}: wrap`);
    }
  }
});

Deno.test("GuidedUpsampler.renderLuma() matches render() within a level on a colour frame's luma", () => {
  // The plane rounds each pixel's luma to a whole level (RGB gives 1/256ths), which moves the
  // probability by |a| / 2 levels: within one. The tightening table's slope (up to 3 at its
  // middle) stretches that to at most 3 on a few pixels of the edge band.
  const tight = alphaLut({ tighten: [0.25, 0.75] });
  for (const [lut, most] of [[undefined, 1], [tight, 3]] as const) {
    const options = { radius: 2, wrapLut: wrapLut(0.3, 0.75), ...(lut ? { lut } : {}) };
    for (const edge of [30, 35, 38]) {
      const grid = new Grid({ width: W, height: H }, 4);
      const rgb = new GuidedUpsampler(grid, options), luma = new GuidedUpsampler(grid, options);
      ramp(rgb);
      ramp(luma);
      const frame = colourFrame(edge, 12, edge);
      const y = lumaOf(frame);
      const a1 = new Uint8Array(W * H), w1 = new Uint8Array(W * H);
      const a2 = new Uint8Array(W * H), w2 = new Uint8Array(W * H);
      rgb.setGuide(frame);
      rgb.solve();
      rgb.render(frame, a1, w1);
      luma.setGuideLuma(y);
      luma.solve();
      luma.renderLuma(y, a2, w2);
      // Each cell's mean luma moves by half a level at most.
      for (let k = 0; k < rgb.guide.length; k++) {
        assert.ok(Math.abs(luma.guide[k]! - rgb.guide[k]!) <= 0.5 / 255, `cell ${k}`);
      }
      const what = `${lut ? "tightened" : "identity"}, edge ${edge}`;
      for (let i = 0; i < W * H; i++) {
        assert.ok(Math.abs(a2[i]! - a1[i]!) <= most, `${what}, pixel ${i}: ${a2[i]} vs ${a1[i]}`);
        assert.ok(Math.abs(w2[i]! - w1[i]!) <= 1, `${what}, pixel ${i}: ${w2[i]} vs ${w1[i]}`);
      }
      assert.ok(a1.some((v) => v > 0 && v < 255), "a soft band to compare");
    }
  }
});

Deno.test("GuidedUpsampler.renderLuma() moves the mask's edge onto the luma plane's edge", () => {
  const g = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), { radius: 2 });
  ramp(g);
  const alpha = new Uint8Array(W * H);
  for (const edge of [30, 35, 38]) {
    const y = lumaOf(colourFrame(edge, 0));
    g.setGuideLuma(y);
    g.solve();
    g.renderLuma(y, alpha);
    for (const row of [0, 15, 31]) {
      const x = crossing(alpha, row);
      assert.ok(Math.abs(x - (edge - 0.5)) <= 1, `edge ${edge}, row ${row}: crossing at ${x}`);
    }
    const jump = alpha[15 * W + edge]! - alpha[15 * W + edge - 1]!;
    assert.ok(jump >= 128, `edge ${edge}: a step of ${jump} at the edge`);
  }
});

Deno.test("GuidedUpsampler fills only quads whose every pixel is certain", () => {
  // The same filter with the tightening table vs. the identity table tightened afterwards.
  const grid = new Grid({ width: W, height: H }, 4);
  const lut = alphaLut({ tighten: [0.25, 0.75] });
  const tight = new GuidedUpsampler(grid, { radius: 2, lut });
  const plain = new GuidedUpsampler(grid, { radius: 2 });
  ramp(tight);
  ramp(plain);
  const frame = stepFrame(33, 6);
  const a = new Uint8Array(W * H), b = new Uint8Array(W * H);
  for (const [g, out] of [[tight, a], [plain, b]] as const) {
    g.setGuide(frame);
    g.solve();
    g.render(frame, out);
  }
  for (let i = 0; i < a.length; i++) {
    const expected = Math.round(255 * smoothstep(0.25, 0.75, b[i]! / 255));
    assert.ok(Math.abs(a[i]! - expected) <= 4, `pixel ${i}: ${a[i]} vs ${expected}`);
  }
});

Deno.test("GuidedUpsampler's hold calms camera noise but follows a moved edge at once", () => {
  const mean = (hold: number): { flicker: number; after: number } => {
    const g = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), {
      radius: 2,
      lut: alphaLut({ tighten: [0.25, 0.75] }),
      hold,
    });
    ramp(g);
    const alpha = new Uint8Array(W * H);
    const prev = new Uint8Array(W * H);
    let sum = 0;
    for (let t = 0; t < 12; t++) {
      const frame = stepFrame(33, 8, t + 1);
      g.setGuide(frame);
      g.solve();
      g.render(frame, alpha);
      if (t >= 2) { for (let i = 0; i < alpha.length; i++) sum += Math.abs(alpha[i]! - prev[i]!); }
      prev.set(alpha);
    }
    // The picture's edge jumps by 6 px: one frame later the mask's edge is there.
    const frame = stepFrame(39);
    g.setGuide(frame);
    g.solve();
    g.render(frame, alpha);
    return { flicker: sum / 10 / alpha.length, after: crossing(alpha, 15) };
  };
  const free = mean(0);
  const held = mean(0.8);
  assert.ok(held.flicker < 0.5 * free.flicker, `${held.flicker} vs ${free.flicker}`);
  assert.ok(Math.abs(held.after - 38.5) <= 1, `crossing at ${held.after}`);
});

Deno.test("holdSteps() moves part of the way for small changes and all the way for large", () => {
  const steps = holdSteps(0.75, [16, 64]);
  assert.equal(steps[255 + 8], 2); // 8 × 0.25
  assert.equal(steps[255 - 8], -2);
  assert.equal(steps[255 + 100], 100);
  assert.equal(steps[255 + 40], Math.round(40 * (0.25 + 0.75 * 0.5)));
  assert.equal(steps[255], 0);
});
