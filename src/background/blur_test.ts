import assert from "node:assert/strict";
import { type ChromaLayout, type Frame, makeFrame } from "../frame/frame.ts";
import { convertFrame, frameToRgb, rgbToFrame } from "../image/planar.ts";
import { RgbMaskAwareBlur } from "../../tests/reference/rgb_blur.ts";
import { BackgroundError } from "./errors.ts";
import { blurPlan, boxRadii, DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "./blur.ts";

const W = 640, H = 360;
const LAYOUTS = ["444", "422"] as const;

/** `rgb` as a frame of `layout`. */
function frameOf(rgb: Uint8Array, width = W, height = H, layout: ChromaLayout = "444"): Frame {
  const frame = makeFrame({ width, height }, layout);
  rgbToFrame(rgb, frame);
  return frame;
}

/** A frame as RGB. */
function rgbOf(frame: Frame): Uint8Array {
  const rgb = new Uint8Array(frame.width * frame.height * 3);
  frameToRgb(frame, rgb);
  return rgb;
}

/** A 4:2:2 frame as 4:2:0 (each chroma row the mean of two), in a frame made 4:2:2 as a camera's. */
function to420(frame: Frame): Frame {
  const out = makeFrame(frame, "422");
  out.layout = "420";
  convertFrame(frame, out);
  return out;
}

function blurOf(width: number, height: number, layout: "444" | "422", strength?: number) {
  return new MaskAwareBlur({
    size: { width, height },
    layout,
    ...(strength === undefined ? {} : { strength }),
  });
}

/** A dark frame with a bright square (the "person"), and a mask that covers the square. */
function personFrame(): {
  rgb: Uint8Array;
  mask: Uint8Array;
  square: [number, number, number, number];
} {
  const rgb = new Uint8Array(W * H * 3).fill(20);
  const mask = new Uint8Array(W * H);
  const square: [number, number, number, number] = [240, 100, 400, 260]; // x0, y0, x1, y1
  for (let y = square[1]; y < square[3]; y++) {
    for (let x = square[0]; x < square[2]; x++) {
      rgb.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
      mask[y * W + x] = 255;
    }
  }
  return { rgb, mask, square };
}

/** Luma at (x, y): a grey picture's value. */
function luma(frame: Frame, x: number, y: number): number {
  return frame.y[y * frame.width + x]!;
}

/** Cb at (x, y), whatever the layout. */
function cb(frame: Frame, x: number, y: number): number {
  const half = frame.layout === "444" ? 0 : 1;
  return frame.u[(y >> (frame.layout === "420" ? 1 : 0)) * (frame.width >> half) + (x >> half)]!;
}

Deno.test("boxRadii() gives three boxes whose variances add up to sigma²", () => {
  for (const sigma of [1, 2.5, 3, 7, 20]) {
    const radii = boxRadii(sigma);
    const variance = radii.reduce((v, r) => v + ((2 * r + 1) ** 2 - 1) / 12, 0);
    assert.ok(
      Math.abs(Math.sqrt(variance) - sigma) < 0.35 * Math.max(1, sigma / 4),
      `σ ${sigma}: ${radii}`,
    );
    assert.ok(radii[2] - radii[0] <= 1);
  }
  assert.deepEqual(boxRadii(3), [2, 2, 3]);
});

Deno.test("blurPlan() scales sigma with the output and reduces by up to 8, at most σ/1.5", () => {
  assert.deepEqual(
    { ...blurPlan(12, { width: 1280, height: 720 }), radii: undefined },
    { sigma: 12, factor: 8, lowWidth: 160, lowHeight: 90, radii: undefined },
  );
  assert.equal(blurPlan(12, { width: 1920, height: 1080 }).sigma, 18);
  assert.equal(blurPlan(100, { width: 1920, height: 1080 }).factor, 8);
  assert.equal(blurPlan(1, { width: 1280, height: 720 }).factor, 2);
  assert.equal(blurPlan(8, { width: 1280, height: 720 }).factor, 4);
  assert.equal(blurPlan(12, { width: 1282, height: 722 }).lowWidth, 161);
});

Deno.test("blurPlan() rejects strengths outside 1 … 100 with the fix", () => {
  for (const strength of [0, 101, NaN, -3]) {
    assert.throws(() => blurPlan(strength, { width: 64, height: 64 }), (e: unknown) => {
      assert.ok(e instanceof BackgroundError);
      assert.equal(e.kind, "spec");
      assert.match(
        e.message,
        /^Cannot use blur strength .*: use a number from 1 to 100 \(e\.g\. blur:12\)$/,
      );
      return true;
    });
  }
});

Deno.test("MaskAwareBlur keeps the person out of the blurred background, in 4:4:4 and 4:2:2", () => {
  const { rgb, mask, square } = personFrame();
  for (const layout of LAYOUTS) {
    const frame = frameOf(rgb, W, H, layout);
    const blurred = blurOf(W, H, layout, 12).render({ frame, mask, timeMs: 0 });
    const smeared = blurOf(W, H, layout, 12).render({
      frame,
      mask: new Uint8Array(W * H),
      timeMs: 0,
    });
    const cy = (square[1] + square[3]) >> 1, cx = (square[0] + square[2]) >> 1;
    // Just outside each side of the square, where a plain blur is at its brightest.
    const outside: [number, number][] = [
      [square[0] - 3, cy],
      [square[2] + 2, cy],
      [cx, square[1] - 3],
      [cx, square[3] + 2],
    ];
    for (const [x, y] of outside) {
      const at = `${layout} (${x}, ${y})`;
      assert.ok(luma(blurred, x, y) <= 24, `mask-aware ${at} = ${luma(blurred, x, y)}`);
      assert.ok(luma(smeared, x, y) >= 70, `plain ${at} = ${luma(smeared, x, y)}`);
    }
    // Far from the person both are the background (grey: Y 20, no colour).
    for (const f of [blurred, smeared]) {
      assert.deepEqual([luma(f, 20, 20), cb(f, 20, 20), f.v[20 * f.width]], [20, 128, 128]);
    }
    // Deep inside a person larger than the blur there is no background at all: the result falls
    // back to a plain blur there instead of dividing by zero.
    assert.ok(luma(blurred, cx, cy) >= 240, `${layout} inside ${luma(blurred, cx, cy)}`);
  }
});

Deno.test("MaskAwareBlur keeps a coloured person's colour out too, from 4:4:4, 4:2:2 and 4:2:0", () => {
  // personFrame() with a blue person: neither its light nor its colour may leak out.
  const { rgb, mask, square } = personFrame();
  for (let i = 0; i < W * H; i++) if (mask[i]) rgb.set([40, 90, 250], i * 3);
  const cameras = [frameOf(rgb), frameOf(rgb, W, H, "422"), to420(frameOf(rgb, W, H, "422"))];
  for (const layout of LAYOUTS) {
    for (const camera of cameras) {
      const blurred = blurOf(W, H, layout, 12).render({ frame: camera, mask, timeMs: 0 });
      const smeared = blurOf(W, H, layout, 12).render({
        frame: camera,
        mask: new Uint8Array(W * H),
        timeMs: 0,
      });
      const cy = (square[1] + square[3]) >> 1, cx = (square[0] + square[2]) >> 1;
      const outside: [number, number][] = [
        [square[0] - 3, cy],
        [square[2] + 2, cy],
        [cx, square[1] - 3],
        [cx, square[3] + 2],
      ];
      const at = `${camera.layout} → ${layout}`;
      for (const [x, y] of outside) {
        assert.ok(luma(blurred, x, y) <= 24, `${at} aware Y (${x}, ${y}) ${luma(blurred, x, y)}`);
        assert.ok(cb(blurred, x, y) <= 131, `${at} aware Cb (${x}, ${y}) ${cb(blurred, x, y)}`);
        assert.ok(luma(smeared, x, y) >= 40, `${at} plain Y (${x}, ${y}) ${luma(smeared, x, y)}`);
        assert.ok(cb(smeared, x, y) >= 150, `${at} plain Cb (${x}, ${y}) ${cb(smeared, x, y)}`);
      }
      // Far from the person both are the background (grey 20: Y 20, Cb = Cr = 128).
      for (const f of [blurred, smeared]) {
        assert.deepEqual([luma(f, 20, 20), cb(f, 20, 20)], [20, 128], at);
      }
      // Deep inside the person: a plain blur of the person (Cb 216), no division by zero.
      assert.ok(cb(blurred, cx, cy) >= 210, `${at} inside Cb ${cb(blurred, cx, cy)}`);
    }
  }
});

Deno.test("MaskAwareBlur keeps a uniform frame uniform, edges included, at any width", () => {
  // Rows of whole words and not; odd sizes in 4:4:4 (4:2:2 needs an even width).
  const sizes = {
    "444": [[640, 360], [322, 181], [97, 55]],
    "422": [[640, 360], [644, 40], [322, 181], [98, 55]],
  } as const;
  for (const layout of LAYOUTS) {
    for (const [width, height] of sizes[layout]) {
      const rgb = new Uint8Array(width * height * 3);
      for (let i = 0; i < rgb.length; i += 3) rgb.set([37, 150, 222], i);
      const uniform = frameOf(rgb, width, height, layout);
      const blur = blurOf(width, height, layout, 30);
      const mask = new Uint8Array(width * height);
      const cameras = layout === "422" ? [uniform, to420(uniform)] : [uniform];
      for (const frame of cameras) {
        const out = blur.render({ frame, mask, timeMs: 0 });
        const cw = layout === "444" ? width : width / 2;
        assert.equal(out.layout, layout);
        assert.deepEqual(
          [out.width, out.height, out.y.length, out.u.length, out.v.length],
          [width, height, width * height, cw * height, cw * height],
        );
        const at = `${width}x${height} ${frame.layout} → ${layout}`;
        assert.ok(out.y.every((v) => v === uniform.y[0]), `${at}: Y`);
        assert.ok(out.u.every((v) => v === uniform.u[0]), `${at}: Cb`);
        assert.ok(out.v.every((v) => v === uniform.v[0]), `${at}: Cr`);
      }
    }
  }
});

Deno.test("MaskAwareBlur gets smoother as the strength grows", () => {
  // Stripes 24 px wide: their contrast after blurring falls as the blur widens.
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      rgb.fill(Math.floor(x / 24) % 2 ? 230 : 30, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  const frame = frameOf(rgb);
  const mask = new Uint8Array(W * H);
  let previous = Infinity;
  for (const strength of [2, 5, 10, 20, 40, 80]) {
    const out = blurOf(W, H, "444", strength).render({ frame, mask, timeMs: 0 });
    let variation = 0; // gradient energy along the middle row
    for (let x = 1; x < W; x++) variation += (luma(out, x, H / 2) - luma(out, x - 1, H / 2)) ** 2;
    assert.ok(variation < previous, `strength ${strength}: ${variation} ≥ ${previous}`);
    previous = variation;
  }
});

Deno.test("MaskAwareBlur.render() returns the same frame every time, in its layout", () => {
  const { rgb, mask } = personFrame();
  const blur = blurOf(W, H, "444");
  assert.equal(blur.strength, DEFAULT_BLUR_STRENGTH);
  assert.equal(blur.description, "blur 12 (mask-aware)");
  assert.equal(blur.passthrough, false);
  assert.equal(blur.still, false);
  assert.equal(blur.layout, "444");
  const frame = frameOf(rgb);
  const first = blur.render({ frame, mask, timeMs: 0 });
  assert.equal(blur.render({ frame, mask, timeMs: 33 }), first);
  const unaligned = blurOf(321, 200, "444");
  const f = makeFrame({ width: 321, height: 200 }, "444"), m = new Uint8Array(321 * 200);
  assert.equal(
    unaligned.render({ frame: f, mask: m, timeMs: 0 }),
    unaligned.render({ frame: f, mask: m, timeMs: 1 }),
  );
  assert.throws(() => blurOf(321, 200, "422"), RangeError, "even width");
});

/** A reference Gaussian blur in floats, normalised at the edges like the normalized convolution. */
function gaussian(frame: Uint8Array, width: number, height: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const kernel = Array.from(
    { length: 2 * r + 1 },
    (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)),
  );
  const pass = (src: Float64Array, horizontal: boolean): Float64Array => {
    const dst = new Float64Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0, weight = 0;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? x + k : x, yy = horizontal ? y : y + k;
            if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
            sum += src[(yy * width + xx) * 3 + c]! * kernel[k + r]!;
            weight += kernel[k + r]!;
          }
          dst[(y * width + x) * 3 + c] = sum / weight;
        }
      }
    }
    return dst;
  };
  return pass(pass(Float64Array.from(frame), true), false);
}

/** The planes of a 4:4:4 frame interleaved (Y, Cb, Cr per pixel). */
function interleave(frame: Frame): Uint8Array {
  const n = frame.width * frame.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out.set([frame.y[i]!, frame.u[i]!, frame.v[i]!], i * 3);
  return out;
}

Deno.test("MaskAwareBlur without a person is close to a true Gaussian blur, at any width", () => {
  // In 4:4:4 every plane is blurred at full resolution: compare each with the reference blur of
  // that plane (the blur is linear, so this is the same as blurring RGB).
  for (const [width, height] of [[320, 180], [322, 181], [250, 141]] as const) {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        rgb[o] = x < 160 ? 40 : 220; // a hard edge
        rgb[o + 1] = 128 + 100 * Math.sin(x / 9) * Math.cos(y / 13); // texture
        rgb[o + 2] = (x * 7 + y * 13) % 256; // ramps with jumps
      }
    }
    const frame = frameOf(rgb, width, height);
    for (const strength of [12, 40]) {
      const blur = blurOf(width, height, "444", strength);
      const out = interleave(
        blur.render({ frame, mask: new Uint8Array(width * height), timeMs: 0 }),
      );
      const reference = gaussian(interleave(frame), width, height, blur.plan.sigma);
      let sum = 0, max = 0;
      for (let i = 0; i < out.length; i++) {
        const d = Math.abs(out[i]! - reference[i]!);
        sum += d;
        max = Math.max(max, d);
      }
      const at = `${width}x${height} strength ${strength}`;
      assert.ok(sum / out.length < 2.5, `${at}: mean error ${sum / out.length}`);
      assert.ok(max < 28, `${at}: max error ${max}`);
    }
  }
});

/**
 * A colourful camera-like picture: a red/green/blue gradient left of a sharp edge, a warm
 * vertical gradient right of it, and a blue-shirted person (head and shoulders, soft 3-pixel
 * edge) whose mask is the person's alpha.
 */
function colourScene(width = W, height = H): { rgb: Uint8Array; mask: Uint8Array } {
  const rgb = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const head = Math.hypot(x - width * 0.55, y - height * 0.32) / (height * 0.16);
      const body = Math.hypot((x - width * 0.55) / (width * 0.24), (y - height) / (height * 0.45));
      const inside = (1 - Math.min(head, body)) * height * 0.16; // pixels inside the outline
      const alpha = Math.max(0, Math.min(255, Math.round(((inside + 1.5) / 3) * 255)));
      mask[y * width + x] = alpha;
      if (alpha >= 128) rgb.set([30, 70, 200], o);
      else if (x < width * 0.3) {
        rgb.set([(255 * x) / (width * 0.3), (255 * y) / height, 255 - (255 * x) / width], o);
      } else rgb.set([235, 60 + (150 * y) / height, 40], o);
    }
  }
  return { rgb, mask };
}

/** Texture with jumps everywhere, and a mask of every level left of a solid person. */
function noiseScene(width: number, height: number): { rgb: Uint8Array; mask: Uint8Array } {
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7919) % 251);
  const mask = new Uint8Array(width * height).map((_, i) =>
    i % width > width / 2 ? 255 : (i * 13) % 256
  );
  return { rgb, mask };
}

/** 1 where a pixel is within `r` pixels (horizontally and vertically) of a masked one. */
function nearMask(mask: Uint8Array, r: number, width = W, height = H): Uint8Array {
  const across = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        across.fill(1, y * width + Math.max(0, x - r), y * width + Math.min(width, x + r + 1));
      }
    }
  }
  const near = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!across[y * width + x]) continue;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
        near[yy * width + x] = 1;
      }
    }
  }
  return near;
}

/** Largest and mean absolute difference of two planes, over `length` bytes. */
function compare(a: Uint8Array, b: Uint8Array, length = a.length): { max: number; mean: number } {
  let max = 0, sum = 0;
  for (let i = 0; i < length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / length };
}

Deno.test("MaskAwareBlur in 4:4:4 is the old RGB blur of the same picture within ±2 in YCbCr, ±4 in RGB", () => {
  // tests/reference/rgb_blur.ts is the RGB render() this blur had before frames became YCbCr.
  // The blur is linear, so blurring Y, Cb, Cr equals blurring R, G, B and converting, except
  // for rounding: the reduced grid is rounded to whole levels in YCbCr instead of RGB, and the
  // two bilinear passes round again. Measured when this path was written: YCbCr planes within
  // 2 (mean ≤ 0.58, worst at f = 2), RGB within 4 (mean ≤ 0.77; Cb's error × 1.772 in blue).
  const cases = [[640, 360, 12], [640, 360, 40], [321, 181, 30], [97, 55, 5], [98, 55, 1]];
  for (const scene of [colourScene, noiseScene]) {
    for (const [width, height, strength] of cases as [number, number, number][]) {
      const { rgb, mask } = scene(width, height);
      const frame = frameOf(rgb, width, height);
      const same = rgbOf(frame); // the picture the 4:4:4 frame holds
      const reference = new RgbMaskAwareBlur({ width, height, strength }).render(same, mask);
      const out = blurOf(width, height, "444", strength).render({ frame, mask, timeMs: 0 });
      const at = `${scene.name} ${width}x${height} strength ${strength}`;
      const inRgb = compare(rgbOf(out), reference);
      assert.ok(inRgb.max <= 4 && inRgb.mean < 0.8, `${at} RGB: ${JSON.stringify(inRgb)}`);
      const expected = frameOf(reference, width, height);
      for (const plane of ["y", "u", "v"] as const) {
        const d = compare(out[plane], expected[plane]);
        assert.ok(d.max <= 2 && d.mean < 0.65, `${at} ${plane}: ${JSON.stringify(d)}`);
      }
    }
  }
});

Deno.test("MaskAwareBlur draws the same luma in 4:4:4 and 4:2:2, and chroma of pairs alike", () => {
  // One luma path for both layouts. Chroma: 4:2:2 interpolates at the centre of each pixel pair,
  // 4:4:4 at each pixel; for a picture whose chroma is the same across each pair the two agree
  // within a level or two on the pair's mean when the reduction is by 4 or 8 (by 2, the pair's
  // centre is a node of the reduced grid and its two pixels straddle it: their mean takes 1/8 of
  // each neighbour, up to 1/8 of a sharp edge's contrast).
  for (
    const [width, height, strength] of [[640, 360, 12], [322, 182, 30], [98, 56, 80]] as const
  ) {
    const { rgb, mask } = colourScene(width, height);
    const camera = frameOf(rgb, width, height, "422");
    const full = makeFrame({ width, height }, "444");
    convertFrame(camera, full); // chroma repeated over each pair
    const wide = blurOf(width, height, "444", strength).render({ frame: full, mask, timeMs: 0 });
    const halfBlur = blurOf(width, height, "422", strength);
    assert.ok(halfBlur.plan.factor >= 4, `${width}x${height}: reduced by ${halfBlur.plan.factor}`);
    const half = halfBlur.render({ frame: camera, mask, timeMs: 0 });
    assert.deepEqual(wide.y, half.y, `${width}x${height}: luma`);
    const pairs = makeFrame({ width, height }, "422");
    convertFrame(wide, pairs);
    for (const plane of ["u", "v"] as const) {
      const d = compare(pairs[plane], half[plane]);
      assert.ok(d.max <= 2 && d.mean < 0.3, `${width}x${height} ${plane}: ${JSON.stringify(d)}`);
    }
  }
});

// The 4:2:2 golden digests: today's 4:2:2 output is byte for byte the output of the YCbCr path
// before issue 12 (`renderYuv()`), recorded from it for these inputs (planes built directly, no
// conversion involved), 4:2:2 and 4:2:0 cameras, with a person and without.
/** Deterministic planes for the 4:2:2 golden digests: texture, edges, colour ramps, a soft person. */
function goldenInput(width: number, height: number, seed: number): {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  mask: Uint8Array;
} {
  const cw = width >> 1;
  const y = new Uint8Array(width * height);
  const u = new Uint8Array(cw * height);
  const v = new Uint8Array(cw * height);
  const mask = new Uint8Array(width * height);
  let h = seed * 2654435761 >>> 0;
  const noise = (): number => {
    h = (Math.imul(h ^ (h >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return h & 31;
  };
  for (let r = 0; r < height; r++) {
    for (let x = 0; x < width; x++) {
      const edge = x < width * 0.4 ? 30 : 200;
      y[r * width + x] = Math.min(255, edge + ((x * 7 + r * 13) % 40) + noise());
      const d = Math.hypot(
        (x - width * 0.55) / (width * 0.2),
        (r - height * 0.75) / (height * 0.5),
      );
      mask[r * width + x] = Math.max(0, Math.min(255, Math.round((1.05 - d) * 1200)));
    }
    for (let c = 0; c < cw; c++) {
      u[r * cw + c] = (c * 255 / cw + noise()) & 255;
      v[r * cw + c] = r < height / 2 ? 60 + noise() : 220 - noise();
    }
  }
  return { y, u, v, mask };
}

/** The cases: width, height, strength, seed. */
const GOLDEN_CASES = [
  [640, 360, 12, 1],
  [640, 360, 40, 2],
  [322, 182, 30, 3],
  [98, 55, 5, 4],
  [644, 40, 3, 5],
  [1280, 720, 12, 6],
] as const;

/** FNV-1a over the three planes, as 8 hex digits. */
function digest(...planes: Uint8Array[]): string {
  let h = 0x811c9dc5;
  for (const p of planes) {
    for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i]!, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
const GOLDEN_DIGESTS: Readonly<Record<string, string>> = {
  "640x360 s12 4:2:2 person": "a6ddbf49",
  "640x360 s12 4:2:2 none": "d1677867",
  "640x360 s12 4:2:0 person": "a5b5aeb3",
  "640x360 s12 4:2:0 none": "4483174d",
  "640x360 s40 4:2:2 person": "07756ba9",
  "640x360 s40 4:2:2 none": "6a7638d9",
  "640x360 s40 4:2:0 person": "8053b341",
  "640x360 s40 4:2:0 none": "1c1d3865",
  "322x182 s30 4:2:2 person": "ea3d3c2f",
  "322x182 s30 4:2:2 none": "cc3f36a5",
  "322x182 s30 4:2:0 person": "9366242f",
  "322x182 s30 4:2:0 none": "c0442ca9",
  "98x55 s5 4:2:2 person": "75164b05",
  "98x55 s5 4:2:2 none": "316b20ad",
  "98x55 s5 4:2:0 person": "65ebb99d",
  "98x55 s5 4:2:0 none": "ebf35026",
  "644x40 s3 4:2:2 person": "1e436ffa",
  "644x40 s3 4:2:2 none": "fc2d79bc",
  "644x40 s3 4:2:0 person": "82fd0172",
  "644x40 s3 4:2:0 none": "4e4f4f0c",
  "1280x720 s12 4:2:2 person": "8332647d",
  "1280x720 s12 4:2:2 none": "f246eecd",
  "1280x720 s12 4:2:0 person": "84be3d81",
  "1280x720 s12 4:2:0 none": "d05848cd",
};

Deno.test("MaskAwareBlur in 4:2:2 draws byte for byte what the YCbCr path drew before", () => {
  let checked = 0;
  for (const [width, height, strength, seed] of GOLDEN_CASES) {
    const input = goldenInput(width, height, seed);
    const blur = blurOf(width, height, "422", strength);
    for (const layout of ["422", "420"] as const) {
      for (const person of [true, false]) {
        const frame = makeFrame({ width, height }, "422");
        frame.y.set(input.y);
        frame.u.set(input.u);
        frame.v.set(input.v);
        frame.layout = layout;
        const mask = person ? input.mask : new Uint8Array(width * height);
        const out = blur.render({ frame, mask, timeMs: 0 });
        const key = `${width}x${height} s${strength} 4:2:${layout === "420" ? 0 : 2} ${
          person ? "person" : "none"
        }`;
        assert.equal(digest(out.y, out.u, out.v), GOLDEN_DIGESTS[key], key);
        checked++;
      }
    }
  }
  assert.equal(checked, Object.keys(GOLDEN_DIGESTS).length);
});

Deno.test("MaskAwareBlur in 4:2:2 is the old RGB blur within ±2 on the same 4:2:2 or 4:2:0 picture", () => {
  // Reduced by 4 and by 8; and rows that are not whole words (322 / 4, 161 / 4).
  for (const [width, height, strength] of [[W, H, 12], [W, H, 40], [322, 182, 30]] as const) {
    const { rgb, mask } = colourScene(width, height);
    const camera = frameOf(rgb, width, height, "422");
    for (const frame of [camera, to420(camera)]) {
      // The reference gets the same picture: the RGB of these planes, chroma repeated.
      const reference = new RgbMaskAwareBlur({ width, height, strength });
      const expected = frameOf(reference.render(rgbOf(frame), mask), width, height, "422");
      const out = blurOf(width, height, "422", strength).render({ frame, mask, timeMs: 0 });
      for (const plane of ["y", "u", "v"] as const) {
        const { max, mean } = compare(out[plane], expected[plane]);
        const at = `${width}x${height} ${frame.layout} strength ${strength} ${plane}`;
        assert.ok(max <= 2, `${at}: max difference ${max}`);
        assert.ok(mean < 0.35, `${at}: mean difference ${mean}`);
      }
    }
  }
});

Deno.test("MaskAwareBlur in 4:2:2 matches the old RGB blur of the full-resolution picture", () => {
  // The camera's planes hold one Cb, Cr per pixel pair (and per two rows in 4:2:0): where such a
  // block straddles the person's outline its chroma mixes both, which the RGB blur of the
  // original picture never sees. So luma is within ±2 everywhere, chroma away from the outline,
  // and close on average where the background shows (inside the person it is hidden, arbitrary).
  const { rgb, mask } = colourScene();
  const reference = new RgbMaskAwareBlur({ width: W, height: H });
  const expected = frameOf(reference.render(rgb, mask), W, H, "422");
  const near = nearMask(mask, Math.ceil(3 * reference.plan.sigma));
  const camera = frameOf(rgb, W, H, "422");
  for (const frame of [camera, to420(camera)]) {
    const out = blurOf(W, H, "422").render({ frame, mask, timeMs: 0 });
    const at = frame.layout;
    const y = compare(out.y, expected.y);
    assert.ok(y.max <= 2 && y.mean < 0.3, `${at} y: ${JSON.stringify(y)}`);
    for (const plane of ["u", "v"] as const) {
      let far = 0, shown = 0, sum = 0, count = 0;
      for (let row = 0, i = 0; row < H; row++) {
        for (let x = row * W; x < (row + 1) * W; x += 2, i++) {
          const d = Math.abs(out[plane][i]! - expected[plane][i]!);
          if (!near[x] && !near[x + 1]) far = Math.max(far, d);
          if (mask[x]! < 255 || mask[x + 1]! < 255) {
            shown = Math.max(shown, d);
            sum += d;
            count++;
          }
        }
      }
      assert.ok(far <= 2, `${at} ${plane}: max difference ${far} away from the person`);
      assert.ok(shown <= 16, `${at} ${plane}: max difference ${shown} where the background shows`);
      assert.ok(sum / count < 0.75, `${at} ${plane}: mean difference ${sum / count}`);
    }
  }
});

Deno.test("MaskAwareBlur keeps no state from one frame to the next, whatever the camera's layout", () => {
  const { rgb, mask } = colourScene();
  const camera = frameOf(rgb, W, H, "422");
  const other = to420(frameOf(noiseScene(W, H).rgb, W, H, "422"));
  const blur = blurOf(W, H, "422");
  const first = blur.render({ frame: camera, mask, timeMs: 0 });
  const expected = [first.y.slice(), first.u.slice(), first.v.slice()];
  blur.render({ frame: other, mask: new Uint8Array(W * H), timeMs: 1 });
  const again = blur.render({ frame: camera, mask, timeMs: 2 });
  assert.deepEqual([again.y, again.u, again.v], expected);
});

Deno.test("MaskAwareBlur.render() rejects a frame of another size", () => {
  const blur = blurOf(W, H, "444");
  assert.throws(
    () =>
      blur.render({
        frame: makeFrame({ width: 320, height: 180 }, "444"),
        mask: new Uint8Array(W * H),
        timeMs: 0,
      }),
    RangeError,
    "Cannot blur a 320x180 frame: this blur is made for 640x360",
  );
});
