import assert from "node:assert/strict";
import { Grid } from "./grid.ts";
import { GuidedUpsampler, holdSteps } from "./guided.ts";
import { alphaLut, LUT_MAX, smoothstep, wrapLut } from "./remap.ts";

const W = 64, H = 32;

/** An RGB frame dark left of `edge` and bright from it on, plus optional noise per channel. */
function stepRgb(edge: number, noise = 0, seed = 1): Uint8Array {
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

/** The luma plane of {@linkcode stepRgb}'s frame. */
function stepFrame(edge: number, noise = 0, seed = 1): Uint8Array {
  return lumaOf(stepRgb(edge, noise, seed));
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
  const frame = new Uint8Array(W * H).fill(128);
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

Deno.test("GuidedUpsampler.render() equals a·luma + b lifted bilinearly, pixel by pixel", () => {
  // With the identity table within a level; with the tightening and light-wrap tables, each
  // pixel takes the tables' entry at the probability's index, or at one next to it (rounding).
  const tightLut = alphaLut({ tighten: [0.25, 0.75] });
  const wrapTable = wrapLut(0.3, 0.75);
  for (const tables of [false, true]) {
    for (const factor of [3, 4, 8]) {
      const grid = new Grid({ width: W, height: H }, factor);
      const g = new GuidedUpsampler(
        grid,
        tables ? { radius: 1, lut: tightLut, wrapLut: wrapTable } : { radius: 1 },
      );
      let s = 3;
      const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
      for (let k = 0; k < g.input.length; k++) {
        g.input[k] = rnd() < 0.5 ? rnd() : k % 3 === 0 ? 1 : 0;
      }
      const frame = Uint8Array.from({ length: W * H }, () => Math.floor(rnd() * 256));
      const alpha = new Uint8Array(W * H), wrap = new Uint8Array(W * H);
      g.setGuide(frame);
      g.solve();
      g.render(frame, alpha, wrap);
      const { a, b } = g.coefficients;
      const { i0: x0, i1: x1, f: fx } = grid.cols;
      const { i0: y0, i1: y1, f: fy } = grid.rows;
      const lerp2 = (m: Float32Array, x: number, y: number): number => {
        const lw = grid.lowWidth;
        const top = m[y0[y]! * lw + x0[x]!]! * (1 - fx[x]!) + m[y0[y]! * lw + x1[x]!]! * fx[x]!;
        const bot = m[y1[y]! * lw + x0[x]!]! * (1 - fx[x]!) + m[y1[y]! * lw + x1[x]!]! * fx[x]!;
        return top * (1 - fy[y]!) + bot * fy[y]!;
      };
      let soft = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = y * W + x;
          const q = Math.min(1, Math.max(0, lerp2(a, x, y) * (frame[i]! / 255) + lerp2(b, x, y)));
          const idx = Math.round(q * LUT_MAX);
          const what = `${tables ? "tables" : "identity"}, factor ${factor} (${x}, ${y})`;
          if (!tables) {
            const expected = Math.round(idx * 255 / LUT_MAX);
            assert.ok(Math.abs(alpha[i]! - expected) <= 1, `${what}: ${alpha[i]} vs ${expected}`);
            continue;
          }
          const near = [idx - 1, idx, idx + 1].filter((k) => k >= 0 && k <= LUT_MAX);
          assert.ok(near.some((k) => tightLut[k] === alpha[i]), `${what}: alpha ${alpha[i]}`);
          assert.ok(near.some((k) => wrapTable[k] === wrap[i]), `${what}: wrap ${wrap[i]}`);
          if (alpha[i]! > 0 && alpha[i]! < 255) soft++;
        }
      }
      if (tables) assert.ok(soft > 0, `factor ${factor}: a soft band to check`);
    }
  }
});

Deno.test("GuidedUpsampler.setGuide() takes the mean of 2×2 luma samples per cell", () => {
  let s = 9;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const y = Uint8Array.from({ length: W * H }, () => Math.floor(rnd() * 256));
  for (const factor of [3, 4, 5, 8]) {
    const grid = new Grid({ width: W, height: H }, factor);
    const g = new GuidedUpsampler(grid);
    g.setGuide(y);
    // A quarter and three quarters of the way across each cell, clamped to the last pixel.
    const at = (c: number, k: number, size: number): number =>
      Math.min(c * factor + Math.floor((k * factor) / 4), size - 1);
    for (let j = 0; j < grid.lowHeight; j++) {
      for (let i = 0; i < grid.lowWidth; i++) {
        let sum = 0;
        for (const v of [1, 3]) for (const u of [1, 3]) sum += y[at(j, v, H) * W + at(i, u, W)]!;
        const cell = g.guide[j * grid.lowWidth + i]!;
        assert.ok(
          Math.abs(cell - sum / (4 * 255)) < 1e-6,
          `factor ${factor} (${i}, ${j}): ${cell}`,
        );
      }
    }
  }
  // Plain lifting reads no guide.
  const plain = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), { plain: true });
  plain.setGuide(y);
  assert.ok(plain.guide.every((v) => v === 0));
});

Deno.test("GuidedUpsampler.render() moves the mask's edge onto a colour frame's luma edge", () => {
  const g = new GuidedUpsampler(new Grid({ width: W, height: H }, 4), { radius: 2 });
  ramp(g);
  const alpha = new Uint8Array(W * H);
  for (const edge of [30, 35, 38]) {
    const y = lumaOf(colourFrame(edge, 0));
    g.setGuide(y);
    g.solve();
    g.render(y, alpha);
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
