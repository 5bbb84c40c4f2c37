import assert from "node:assert/strict";
import { autoFactor, describeMaskOptions, MaskPipeline, resolveMaskOptions } from "./pipeline.ts";

const MW = 32, MH = 18, W = 320, H = 180;

/** A disc: > 0 inside, in coordinates 0 … 1 across the picture. */
function disc(x: number, y: number): number {
  return 1 - Math.hypot(x - 0.5, (y - 0.5) * 0.8) / 0.3;
}

/** The model's view: a soft disc; the camera's: a sharp disc 3 px further right. */
function scene(): {
  map: Float32Array;
  frame: Uint8Array;
  inside: (x: number, y: number) => number;
} {
  const inside = disc;
  const map = new Float32Array(MW * MH);
  for (let y = 0; y < MH; y++) {
    for (let x = 0; x < MW; x++) {
      map[y * MW + x] = 1 / (1 + Math.exp(-40 * inside((x + 0.5) / MW, (y + 0.5) / MH)));
    }
  }
  const frame = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const person = inside((x + 0.5 - 3) / W, (y + 0.5) / H) > 0;
      frame.set(person ? [200, 160, 140] : [40, 60, 90], (y * W + x) * 3);
    }
  }
  return { map, frame, inside };
}

Deno.test("MaskPipeline gives a tight alpha on the camera's edge with the defaults", () => {
  const { map, frame, inside } = scene();
  const mask = new MaskPipeline({
    model: { width: MW, height: MH },
    region: { x: 0, y: 0, w: MW, h: MH },
    output: { width: W, height: H },
  });
  mask.ingest(map);
  const alpha = mask.render(frame);
  assert.equal(alpha, mask.alpha);
  assert.equal(alpha[Math.round(H * 0.5) * W + W / 2], 255);
  assert.equal(alpha[0], 0);
  // Every pixel more than 2 px from the camera's edge is fully person or background.
  const person = (x: number, y: number): boolean => inside((x + 0.5 - 3) / W, (y + 0.5) / H) > 0;
  let wrong = 0;
  for (let y = 2; y < H - 2; y++) {
    for (let x = 2; x < W - 2; x++) {
      let n = 0;
      for (let v = -2; v <= 2; v++) for (let u = -2; u <= 2; u++) if (person(x + u, y + v)) n++;
      const a = alpha[y * W + x]!;
      if ((n === 25 && a !== 255) || (n === 0 && a !== 0)) wrong++;
    }
  }
  assert.ok(wrong < W * H * 0.002, `${wrong} pixels off`);
  assert.ok(mask.wrap !== null && mask.wrap.length === W * H);
  assert.match(mask.timings.line(), /^temporal [\d.]+ guide [\d.]+ upsample [\d.]+$/);
});

Deno.test("MaskPipeline reads only the region of the map that shows the output", () => {
  // Left half of the map: person everywhere; right half: background. The output shows the left.
  const map = new Float32Array(MW * MH);
  for (let y = 0; y < MH; y++) for (let x = 0; x < MW / 2; x++) map[y * MW + x] = 1;
  for (const upsample of ["guided", "bilinear"] as const) {
    const mask = new MaskPipeline({
      model: { width: MW, height: MH },
      region: { x: 0, y: 0, w: MW / 2, h: MH },
      output: { width: W, height: H },
    }, { upsample });
    mask.ingest(map);
    const alpha = mask.render(new Uint8Array(W * H * 3).fill(90));
    assert.ok(alpha.every((v) => v === 255), upsample);
  }
});

Deno.test("MaskPipeline options: bilinear, no wrap, threshold; render() needs a map first", () => {
  const { map, frame } = scene();
  const size = { width: W, height: H };
  const region = { x: 0, y: 0, w: MW, h: MH };
  const hard = new MaskPipeline({ model: { width: MW, height: MH }, region, output: size }, {
    upsample: "bilinear",
    lightWrap: 0,
    threshold: 0.5,
  });
  assert.throws(() => hard.render(frame), /before any ingest/);
  hard.ingest(map);
  const alpha = hard.render(frame);
  assert.equal(hard.wrap, null);
  assert.ok(alpha.every((v) => v === 0 || v === 255));
  assert.ok(alpha.some((v) => v === 255));
});

Deno.test("MaskPipeline with bilinear lifting is the plain soft upsampling", () => {
  const map = new Float32Array(MW * MH);
  for (let y = 0; y < MH; y++) for (let x = 0; x < MW; x++) map[y * MW + x] = x / (MW - 1);
  const mask = new MaskPipeline({
    model: { width: MW, height: MH },
    region: { x: 0, y: 0, w: MW, h: MH },
    output: { width: W, height: H },
  }, { upsample: "bilinear", tighten: null, smoothing: 0, hold: 0 });
  mask.ingest(map);
  const alpha = mask.render(new Uint8Array(W * H * 3));
  // A ramp stays a ramp: within a level of x / (W − 1) stretched to the map's cell centres.
  for (const x of [0, 40, 160, 250, 319]) {
    const u = Math.min(MW - 1, Math.max(0, (x + 0.5) * MW / W - 0.5));
    assert.ok(
      Math.abs(alpha[90 * W + x]! - (255 * u) / (MW - 1)) <= 1.5,
      `x ${x}: ${alpha[90 * W + x]}`,
    );
  }
});

Deno.test("MaskPipeline with joint bilateral upsampling also snaps to the camera's edge", () => {
  const { map, frame } = scene();
  const mask = new MaskPipeline({
    model: { width: MW, height: MH },
    region: { x: 0, y: 0, w: MW, h: MH },
    output: { width: W, height: H },
  }, { upsample: "bilateral" });
  mask.ingest(map);
  const alpha = mask.render(frame);
  const y = Math.round(H / 2);
  // The camera's disc spans x ≈ 67 … 259 on the middle row (the model's is 3 px further left).
  let first = 0;
  while (alpha[y * W + first]! < 128) first++;
  assert.ok(Math.abs(first - 67) <= 2, `left edge at ${first}`);
});

/**
 * A camera-like colour frame of the scene (the camera's disc `shift` px right of the model's): a
 * skin-toned person on a background with a colour gradient, noise of ± `noise` per channel; or
 * the same in grey (R = G = B).
 */
function colourScene(shift: number, noise: number, grey = false): Uint8Array {
  let s = 5;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const frame = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const person = disc((x + 0.5 - shift) / W, (y + 0.5) / H) > 0;
      const c = person ? [200, 160, 140] : [40 + x / 4, 60, 90 + y / 4];
      const n = (rnd() - 0.5) * 2 * noise;
      for (let k = 0; k < 3; k++) {
        frame[(y * W + x) * 3 + k] = Math.max(
          0,
          Math.min(255, Math.round((grey ? c[0]! : c[k]!) + n)),
        );
      }
    }
  }
  return frame;
}

/** The full-range BT.601 luma plane of an RGB frame, as a camera's JPEG carries it. */
function lumaOf(rgb: Uint8Array): Uint8Array {
  const y = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < y.length; i++) {
    y[i] = (77 * rgb[3 * i]! + 150 * rgb[3 * i + 1]! + 29 * rgb[3 * i + 2]! + 128) >> 8;
  }
  return y;
}

const MODES = ["guided", "bilateral", "bilinear"] as const;

/** Two pipelines alike, one fed RGB and one the luma plane, over three frames. */
function bothWays(
  upsample: typeof MODES[number],
  frames: Uint8Array[],
): { rgb: MaskPipeline; luma: MaskPipeline; worst: { alpha: number; wrap: number } } {
  const { map } = scene();
  const geometry = {
    model: { width: MW, height: MH },
    region: { x: 0, y: 0, w: MW, h: MH },
    output: { width: W, height: H },
  };
  const rgb = new MaskPipeline(geometry, { upsample });
  const luma = new MaskPipeline(geometry, { upsample });
  const worst = { alpha: 0, wrap: 0 };
  for (const frame of frames) {
    rgb.ingest(map);
    luma.ingest(map);
    const a = rgb.render(frame);
    const b = luma.renderLuma(lumaOf(frame));
    assert.equal(b, luma.alpha);
    for (let i = 0; i < W * H; i++) {
      worst.alpha = Math.max(worst.alpha, Math.abs(a[i]! - b[i]!));
      worst.wrap = Math.max(worst.wrap, Math.abs(rgb.wrap![i]! - luma.wrap![i]!));
    }
  }
  return { rgb, luma, worst };
}

Deno.test("MaskPipeline.renderLuma() gives exactly render()'s alpha and wrap weights on a grey frame", () => {
  const frames = [1, 2, 3].map((t) => colourScene(3 + t, 12, true));
  for (const upsample of MODES) {
    const { luma, worst } = bothWays(upsample, frames);
    assert.deepEqual(worst, { alpha: 0, wrap: 0 }, upsample);
    assert.match(luma.timings.line(), /^temporal [\d.]+ guide [\d.]+ upsample [\d.]+$/);
  }
});

Deno.test("MaskPipeline.renderLuma() matches render() within a level on a colour frame's luma", () => {
  // The plane's luma is rounded to whole levels (the RGB path keeps 1/256ths). The bilateral
  // filter's cell luma is rounded too, which may move a pixel's probability by a step of the
  // steep light-wrap table: 2 levels of wrap weight there.
  const frames = [1, 2, 3].map((t) => colourScene(3, 4 * t));
  for (const upsample of MODES) {
    const { worst } = bothWays(upsample, frames);
    assert.ok(worst.alpha <= 1, `${upsample}: alpha off by ${worst.alpha}`);
    assert.ok(worst.wrap <= (upsample === "bilateral" ? 2 : 1), `${upsample}: wrap ${worst.wrap}`);
  }
});

Deno.test("MaskPipeline.renderLuma() puts the mask's edge on the luma plane's edge", () => {
  const { map } = scene();
  for (const upsample of ["guided", "bilateral"] as const) {
    for (const shift of [-4, 0, 4]) {
      const mask = new MaskPipeline({
        model: { width: MW, height: MH },
        region: { x: 0, y: 0, w: MW, h: MH },
        output: { width: W, height: H },
      }, { upsample });
      assert.throws(
        () => mask.renderLuma(new Uint8Array(W * H)),
        /renderLuma\(\) before any ingest/,
      );
      mask.ingest(map);
      const rgb = colourScene(shift, 0);
      assert.throws(() => mask.renderLuma(rgb), /the output size \(57600 bytes\)/);
      const alpha = mask.renderLuma(lumaOf(rgb));
      // On the middle row the camera's disc spans x = 64 … 255, moved by the shift.
      const row = (H / 2) * W;
      let first = 0;
      while (alpha[row + first]! < 128) first++;
      let last = W - 1;
      while (alpha[row + last]! < 128) last--;
      assert.ok(
        Math.abs(first - (64 + shift)) <= 1,
        `${upsample}, ${shift}: left edge at ${first}`,
      );
      assert.ok(
        Math.abs(last - (255 + shift)) <= 1,
        `${upsample}, ${shift}: right edge at ${last}`,
      );
    }
  }
});

Deno.test("autoFactor() makes cells of 1.6 model pixels; describeMaskOptions() names the choices", () => {
  assert.equal(autoFactor(1280, 256), 8);
  assert.equal(autoFactor(1920, 256), 12);
  assert.equal(autoFactor(640, 256), 4);
  assert.equal(autoFactor(1280, 160), 13);
  assert.equal(autoFactor(100, 256), 1);
  assert.equal(
    describeMaskOptions(resolveMaskOptions()),
    "guided filter (auto cells, r1, eps 0.0025), smoothing 0.8, tighten 0.25-0.75, light wrap 0.3, soft",
  );
  assert.equal(
    describeMaskOptions(
      resolveMaskOptions({ upsample: "bilinear", smoothing: 0, hold: 0, tighten: null }),
    ),
    "bilinear, no smoothing, no tightening, light wrap 0.3, soft",
  );
});
