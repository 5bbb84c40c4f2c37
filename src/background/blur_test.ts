import assert from "node:assert/strict";
import { BackgroundError } from "./errors.ts";
import { blurPlan, boxRadii, DEFAULT_BLUR_STRENGTH, MaskAwareBlur } from "./blur.ts";
import { makeYuvFrame, planarToRgb, rgbToPlanar, type YuvFrame } from "../image/planar.ts";

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

/** `rgb` as a full-range 4:2:2 frame. */
function planar(rgb: Uint8Array, width = W, height = H): YuvFrame {
  const frame = makeYuvFrame(width, height);
  rgbToPlanar(rgb, frame);
  return frame;
}

/** A 4:2:2 frame as 4:2:0, as a camera's JPEG gives it: each chroma row the mean of two. */
function to420(frame: YuvFrame): YuvFrame {
  const { width, height } = frame;
  const out = makeYuvFrame(width, height);
  out.y.set(frame.y);
  const cw = width / 2;
  for (let row = 0; row < height; row += 2) {
    const next = Math.min(row + 1, height - 1);
    for (let c = 0; c < cw; c++) {
      out.u[(row >> 1) * cw + c] = (frame.u[row * cw + c]! + frame.u[next * cw + c]! + 1) >> 1;
      out.v[(row >> 1) * cw + c] = (frame.v[row * cw + c]! + frame.v[next * cw + c]! + 1) >> 1;
    }
  }
  out.chromaShift = 1;
  return out;
}

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
function compare(a: Uint8Array, b: Uint8Array, length: number): { max: number; mean: number } {
  let max = 0, sum = 0;
  for (let i = 0; i < length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / length };
}

Deno.test("MaskAwareBlur.renderYuv() is render() in YCbCr within ±2 on the same 4:2:2 or 4:2:0 picture", () => {
  // Reduced by 4 and by 8; and rows that are not whole words (322 / 4, 161 / 4).
  for (const [width, height, strength] of [[W, H, 12], [W, H, 40], [322, 182, 30]] as const) {
    const { rgb, mask } = colourScene(width, height);
    const camera = planar(rgb, width, height);
    for (const frame of [camera, to420(camera)]) {
      // render() gets the same picture: the RGB of these planes, chroma repeated per pixel pair.
      const same = new Uint8Array(width * height * 3);
      planarToRgb(frame, same);
      const blur = new MaskAwareBlur({ width, height, strength });
      const expected = planar(blur.render({ frame: same, mask, timeMs: 0 }), width, height);
      const out = blur.renderYuv({ frame, mask, timeMs: 0 });
      for (const plane of ["y", "u", "v"] as const) {
        const { max, mean } = compare(out[plane], expected[plane], expected[plane].length);
        const at = `${width}x${height} 4:2:${
          frame.chromaShift ? 0 : 2
        } strength ${strength} ${plane}`;
        assert.ok(max <= 2, `${at}: max difference ${max}`);
        assert.ok(mean < 0.35, `${at}: mean difference ${mean}`);
      }
    }
  }
});

Deno.test("MaskAwareBlur.renderYuv() matches render() of the full-resolution RGB", () => {
  // The camera's planes hold one Cb, Cr per pixel pair (and per two rows in 4:2:0): where such a
  // block straddles the person's outline its chroma mixes both, which render() of the original
  // RGB never sees. So luma is within ±2 everywhere, chroma away from the outline, and close on
  // average where the background shows (inside the person it is hidden, and arbitrary).
  const { rgb, mask } = colourScene();
  const blur = new MaskAwareBlur({ width: W, height: H });
  const expected = planar(blur.render({ frame: rgb, mask, timeMs: 0 }));
  const near = nearMask(mask, Math.ceil(3 * blur.plan.sigma));
  for (const frame of [planar(rgb), to420(planar(rgb))]) {
    const out = blur.renderYuv({ frame, mask, timeMs: 0 });
    const at = `4:2:${frame.chromaShift ? 0 : 2}`;
    const luma = compare(out.y, expected.y, W * H);
    assert.ok(luma.max <= 2 && luma.mean < 0.3, `${at} y: ${JSON.stringify(luma)}`);
    for (const plane of ["u", "v"] as const) {
      let far = 0, shown = 0, sum = 0, count = 0;
      for (let y = 0, i = 0; y < H; y++) {
        for (let x = y * W; x < (y + 1) * W; x += 2, i++) {
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

Deno.test("MaskAwareBlur.renderYuv() keeps the person out of the blurred background", () => {
  // personFrame() with a blue person: neither its light nor its colour may leak out.
  const { frame, mask, square } = personFrame();
  for (let i = 0; i < W * H; i++) if (mask[i]) frame.set([40, 90, 250], i * 3);
  const background = planar(new Uint8Array(6).fill(20), 2, 1);
  for (const camera of [planar(frame), to420(planar(frame))]) {
    const aware = new MaskAwareBlur({ width: W, height: H, strength: 12 });
    const plain = new MaskAwareBlur({ width: W, height: H, strength: 12 });
    const blurred = aware.renderYuv({ frame: camera, mask, timeMs: 0 });
    const smeared = plain.renderYuv({ frame: camera, mask: new Uint8Array(W * H), timeMs: 0 });
    const cy = (square[1] + square[3]) >> 1, cx = (square[0] + square[2]) >> 1;
    const outside: [number, number][] = [
      [square[0] - 3, cy],
      [square[2] + 2, cy],
      [cx, square[1] - 3],
      [cx, square[3] + 2],
    ];
    const luma = (f: YuvFrame, x: number, y: number): number => f.y[y * W + x]!;
    const cb = (f: YuvFrame, x: number, y: number): number => f.u[y * (W / 2) + (x >> 1)]!;
    const at = `4:2:${camera.chromaShift ? 0 : 2}`;
    for (const [x, y] of outside) {
      assert.ok(luma(blurred, x, y) <= 24, `${at} aware Y (${x}, ${y}) = ${luma(blurred, x, y)}`);
      assert.ok(cb(blurred, x, y) <= 131, `${at} aware Cb (${x}, ${y}) = ${cb(blurred, x, y)}`);
      assert.ok(luma(smeared, x, y) >= 40, `${at} plain Y (${x}, ${y}) = ${luma(smeared, x, y)}`);
      assert.ok(cb(smeared, x, y) >= 150, `${at} plain Cb (${x}, ${y}) = ${cb(smeared, x, y)}`);
    }
    // Far from the person both are the background (grey 20: Y 20, Cb = Cr = 128).
    for (const f of [blurred, smeared]) {
      assert.deepEqual([f.y[20 * W + 20], f.u[20 * (W / 2) + 10], f.v[20 * (W / 2) + 10]], [
        background.y[0],
        background.u[0],
        background.v[0],
      ]);
    }
    // Deep inside the person: a plain blur of the person (Cb 216), no division by zero.
    assert.ok(cb(blurred, cx, cy) >= 210, `${at} inside Cb ${cb(blurred, cx, cy)}`);
  }
});

Deno.test("MaskAwareBlur.renderYuv() gives one 4:2:2 frame of the output size, uniform kept", () => {
  // Luma and chroma rows in whole words, luma only, neither, neither.
  for (const [width, height] of [[640, 360], [644, 40], [322, 181], [98, 55]] as const) {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb.set([37, 150, 222], i);
    const uniform = planar(rgb, width, height);
    const blur = new MaskAwareBlur({ width, height, strength: 30 });
    const mask = new Uint8Array(width * height);
    const first = blur.renderYuv({ frame: uniform, mask, timeMs: 0 });
    const out = blur.renderYuv({ frame: to420(uniform), mask, timeMs: 33 });
    assert.equal(out, first);
    assert.equal(out.chromaShift, 0);
    assert.deepEqual(
      [out.width, out.height, out.y.length, out.u.length, out.v.length],
      [width, height, width * height, (width / 2) * height, (width / 2) * height],
    );
    const at = `${width}x${height}`;
    assert.ok(out.y.every((v) => v === uniform.y[0]), `${at}: Y`);
    assert.ok(out.u.every((v) => v === uniform.u[0]), `${at}: Cb`);
    assert.ok(out.v.every((v) => v === uniform.v[0]), `${at}: Cr`);
  }
});

Deno.test("MaskAwareBlur.render() and renderYuv() on one instance do not disturb each other", () => {
  const { rgb, mask } = colourScene();
  const camera = planar(rgb);
  const rgbOnly = new MaskAwareBlur({ width: W, height: H });
  const yuvOnly = new MaskAwareBlur({ width: W, height: H });
  const both = new MaskAwareBlur({ width: W, height: H });
  const expectedRgb = rgbOnly.render({ frame: rgb, mask, timeMs: 0 });
  const expectedYuv = yuvOnly.renderYuv({ frame: camera, mask, timeMs: 0 });
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(both.render({ frame: rgb, mask, timeMs: i }), expectedRgb);
    const out = both.renderYuv({ frame: camera, mask, timeMs: i });
    assert.deepEqual([out.y, out.u, out.v], [expectedYuv.y, expectedYuv.u, expectedYuv.v]);
  }
});

Deno.test("MaskAwareBlur.renderYuv() rejects a frame of another size", () => {
  const blur = new MaskAwareBlur({ width: W, height: H });
  assert.throws(
    () => blur.renderYuv({ frame: makeYuvFrame(320, 180), mask: new Uint8Array(W * H), timeMs: 0 }),
    RangeError,
    "Cannot blur a 320x180 frame: this blur is made for 640x360",
  );
});
