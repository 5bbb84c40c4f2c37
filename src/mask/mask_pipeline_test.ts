import assert from "node:assert/strict";
import {
  autoFactor,
  describeMaskOptions,
  MaskPipeline,
  resolveMaskOptions,
} from "./mask_pipeline.ts";

const MW = 32, MH = 18, W = 320, H = 180;

/** A disc: > 0 inside, in coordinates 0 … 1 across the picture. */
function disc(x: number, y: number): number {
  return 1 - Math.hypot(x - 0.5, (y - 0.5) * 0.8) / 0.3;
}

/** The full-range BT.601 luma plane of an RGB frame, as a camera's JPEG carries it. */
function lumaOf(rgb: Uint8Array): Uint8Array {
  const y = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < y.length; i++) {
    y[i] = (77 * rgb[3 * i]! + 150 * rgb[3 * i + 1]! + 29 * rgb[3 * i + 2]! + 128) >> 8;
  }
  return y;
}

/** The model's view: a soft disc; the camera's: a sharp disc 3 px further right (its luma). */
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
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const person = inside((x + 0.5 - 3) / W, (y + 0.5) / H) > 0;
      rgb.set(person ? [200, 160, 140] : [40, 60, 90], (y * W + x) * 3);
    }
  }
  return { map, frame: lumaOf(rgb), inside };
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
    const alpha = mask.render(new Uint8Array(W * H).fill(90));
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
  const alpha = mask.render(new Uint8Array(W * H));
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

Deno.test("MaskPipeline keeps the alpha on the camera's edge through a noisy colour frame's luma", () => {
  // Guided and bilateral: every pixel more than 2 px from the camera's edge is fully person or
  // background, frame after frame, whatever the noise. Bilinear: the plane is not read at all.
  const { map, inside } = scene();
  const person = (x: number, y: number): boolean => inside((x + 0.5 - 3) / W, (y + 0.5) / H) > 0;
  const certain = new Int8Array(W * H).fill(-1); // 1: person, 0: background, -1: near the edge
  for (let y = 2; y < H - 2; y++) {
    for (let x = 2; x < W - 2; x++) {
      let n = 0;
      for (let v = -2; v <= 2; v++) for (let u = -2; u <= 2; u++) if (person(x + u, y + v)) n++;
      if (n === 25 || n === 0) certain[y * W + x] = n === 25 ? 1 : 0;
    }
  }
  const geometry = {
    model: { width: MW, height: MH },
    region: { x: 0, y: 0, w: MW, h: MH },
    output: { width: W, height: H },
  };
  const flat = new MaskPipeline(geometry, { upsample: "bilinear" });
  for (const upsample of ["guided", "bilateral", "bilinear"] as const) {
    const mask = new MaskPipeline(geometry, { upsample });
    for (const noise of [4, 8, 12]) {
      mask.ingest(map);
      const alpha = mask.render(lumaOf(colourScene(3, noise)));
      assert.equal(alpha, mask.alpha);
      if (upsample === "bilinear") {
        flat.ingest(map);
        assert.deepEqual(alpha, flat.render(new Uint8Array(W * H).fill(128)), `noise ${noise}`);
        assert.deepEqual(mask.wrap, flat.wrap, `noise ${noise}: wrap`);
        continue;
      }
      let wrong = 0;
      for (let i = 0; i < W * H; i++) {
        const c = certain[i]!;
        if ((c === 1 && alpha[i] !== 255) || (c === 0 && alpha[i] !== 0)) wrong++;
      }
      assert.ok(wrong < W * H * 0.002, `${upsample}, noise ${noise}: ${wrong} pixels off`);
      assert.ok(alpha.includes(0) && alpha.includes(255), `${upsample}: person and background`);
      assert.ok(mask.wrap!.some((v) => v > 0), `${upsample}: light-wrap weights`);
    }
    assert.match(mask.timings.line(), /^temporal [\d.]+ guide [\d.]+ upsample [\d.]+$/);
  }
});

Deno.test("MaskPipeline.render() puts the mask's edge on the luma plane's edge", () => {
  const { map } = scene();
  for (const upsample of ["guided", "bilateral"] as const) {
    for (const shift of [-4, 0, 4]) {
      const mask = new MaskPipeline({
        model: { width: MW, height: MH },
        region: { x: 0, y: 0, w: MW, h: MH },
        output: { width: W, height: H },
      }, { upsample });
      assert.throws(() => mask.render(new Uint8Array(W * H)), /render\(\) before any ingest/);
      mask.ingest(map);
      const rgb = colourScene(shift, 0);
      assert.throws(() => mask.render(rgb), /the output size \(57600 bytes\)/);
      const alpha = mask.render(lumaOf(rgb));
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
