import assert from "node:assert/strict";
import { BackgroundError } from "./errors.ts";
import { blurPlan, boxRadii, DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "./blur.ts";

const W = 640, H = 360;

/** A dark frame with a bright square (the "person"), and a mask that covers the square. */
function personFrame(): {
  frame: Uint8Array;
  mask: Uint8Array;
  square: [number, number, number, number];
} {
  const frame = new Uint8Array(W * H * 3).fill(20);
  const mask = new Uint8Array(W * H);
  const square: [number, number, number, number] = [240, 100, 400, 260]; // x0, y0, x1, y1
  for (let y = square[1]; y < square[3]; y++) {
    for (let x = square[0]; x < square[2]; x++) {
      frame.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
      mask[y * W + x] = 255;
    }
  }
  return { frame, mask, square };
}

function at(image: Uint8Array, x: number, y: number, width = W): number {
  return image[(y * width + x) * 3]!;
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
      assert.match(
        e.message,
        /^Cannot use blur strength .*: use a number from 1 to 100 \(e\.g\. blur:12\)$/,
      );
      return true;
    });
  }
});

Deno.test("MaskAwareBlur keeps the person out of the blurred background", () => {
  const { frame, mask, square } = personFrame();
  const aware = new MaskAwareBlur({ width: W, height: H, strength: 12 });
  const plain = new MaskAwareBlur({ width: W, height: H, strength: 12 });
  const blurred = aware.render({ frame, mask, timeMs: 0 });
  const smeared = plain.render({ frame, mask: new Uint8Array(W * H), timeMs: 0 });
  const cy = (square[1] + square[3]) >> 1, cx = (square[0] + square[2]) >> 1;
  // Just outside each side of the square, where a plain blur is at its brightest.
  const outside: [number, number][] = [
    [square[0] - 3, cy],
    [square[2] + 2, cy],
    [cx, square[1] - 3],
    [cx, square[3] + 2],
  ];
  for (const [x, y] of outside) {
    assert.ok(at(blurred, x, y) <= 24, `mask-aware (${x}, ${y}) = ${at(blurred, x, y)}`);
    assert.ok(at(smeared, x, y) >= 70, `plain (${x}, ${y}) = ${at(smeared, x, y)}`);
  }
  // Far from the person both are the background.
  assert.equal(at(blurred, 20, 20), 20);
  assert.equal(at(smeared, 20, 20), 20);
  // Deep inside a person larger than the blur there is no background at all: the result falls
  // back to a plain blur there instead of dividing by zero.
  assert.ok(at(blurred, cx, cy) >= 240, `inside ${at(blurred, cx, cy)}`);
});

Deno.test("MaskAwareBlur keeps a uniform frame uniform, edges included, at any width", () => {
  for (const [width, height] of [[640, 360], [322, 181], [97, 55]] as const) {
    const frame = new Uint8Array(width * height * 3);
    for (let i = 0; i < frame.length; i += 3) frame.set([37, 150, 222], i);
    const blur = new MaskAwareBlur({ width, height, strength: 30 });
    const out = blur.render({ frame, mask: new Uint8Array(width * height), timeMs: 0 });
    assert.equal(out.length, width * height * 3);
    for (let i = 0; i < out.length; i += 3) {
      assert.deepEqual(
        [out[i], out[i + 1], out[i + 2]],
        [37, 150, 222],
        `${width}x${height} at ${i / 3}`,
      );
    }
  }
});

Deno.test("MaskAwareBlur gets smoother as the strength grows", () => {
  // Stripes 24 px wide: their contrast after blurring falls as the blur widens.
  const frame = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      frame.fill(Math.floor(x / 24) % 2 ? 230 : 30, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  const mask = new Uint8Array(W * H);
  let previous = Infinity;
  for (const strength of [2, 5, 10, 20, 40, 80]) {
    const out = new MaskAwareBlur({ width: W, height: H, strength }).render({
      frame,
      mask,
      timeMs: 0,
    });
    let variation = 0; // gradient energy along the middle row
    for (let x = 1; x < W; x++) variation += (at(out, x, H / 2) - at(out, x - 1, H / 2)) ** 2;
    assert.ok(variation < previous, `strength ${strength}: ${variation} ≥ ${previous}`);
    previous = variation;
  }
});

Deno.test("MaskAwareBlur.render() returns the same buffer every frame", () => {
  const { frame, mask } = personFrame();
  const blur = new MaskAwareBlur({ width: W, height: H });
  assert.equal(blur.strength, DEFAULT_BLUR_STRENGTH);
  assert.equal(blur.description, "blur 12 (mask-aware)");
  assert.equal(blur.passthrough, false);
  const first = blur.render({ frame, mask, timeMs: 0 });
  const again = blur.render({ frame, mask, timeMs: 33 });
  assert.equal(again, first);
  const unaligned = new MaskAwareBlur({ width: 321, height: 200 });
  const f = new Uint8Array(321 * 200 * 3), m = new Uint8Array(321 * 200);
  assert.equal(
    unaligned.render({ frame: f, mask: m, timeMs: 0 }),
    unaligned.render({ frame: f, mask: m, timeMs: 1 }),
  );
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

Deno.test("MaskAwareBlur without a person is close to a true Gaussian blur, at any width", () => {
  for (const [width, height] of [[320, 180], [322, 181], [250, 141]] as const) {
    const frame = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        frame[o] = x < 160 ? 40 : 220; // a hard edge
        frame[o + 1] = 128 + 100 * Math.sin(x / 9) * Math.cos(y / 13); // texture
        frame[o + 2] = (x * 7 + y * 13) % 256; // ramps with jumps
      }
    }
    for (const strength of [12, 40]) {
      const blur = new MaskAwareBlur({ width, height, strength });
      const out = blur.render({ frame, mask: new Uint8Array(width * height), timeMs: 0 });
      const reference = gaussian(frame, width, height, blur.plan.sigma);
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
