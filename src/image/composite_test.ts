import assert from "node:assert/strict";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { rng as mulberry32 } from "../../tests/fixtures/rng.ts";
import { composite } from "../../tests/reference/rgb_composite.ts";
import { compositeFrame, compositeYuyv, div255 } from "./composite.ts";
import { fillFrame, frameToRgb, packYuyv, rgbToFrame } from "./planar.ts";
import { readPng } from "./png.ts";
import { rgbToYuyv } from "./yuv.ts";

const W = 64, H = 48;
const REFERENCE = new URL("../../../shared/reference/images/", import.meta.url);

/** A picture with smooth colour areas and a sharp edge, as a frame and as the RGB it stands for. */
function picture(seed: number, layout: "444" | "422" = "422"): { frame: Frame; rgb: Uint8Array } {
  const rand = mulberry32(seed);
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const edge = x > W / 2 ? 70 : 0;
      // Moderate saturation: every pair's shared chroma stays inside the RGB gamut.
      const grey = 40 + x / 2 + y / 2 + edge;
      rgb[o] = grey + 30 * Math.sin(y / 7) + rand() * 8;
      rgb[o + 1] = grey + 20 * Math.cos(x / 9) + rand() * 8;
      rgb[o + 2] = grey - 25 * Math.sin(x / 11) + rand() * 8;
    }
  }
  const frame = makeFrame({ width: W, height: H }, layout);
  rgbToFrame(rgb, frame);
  // The RGB the planes stand for (chroma shared per pair), so both paths see the same picture.
  frameToRgb(frame, rgb);
  return { frame, rgb };
}

function softAlpha(seed: number, width = W, height = H, band = 6): Uint8Array {
  const rand = mulberry32(seed);
  const alpha = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = x - width / 3 - 4 * Math.sin(y / 5);
      alpha[y * width + x] = d < -band
        ? 255
        : d > band
        ? 0
        : Math.round(((band - d) / (2 * band)) * 255);
    }
  }
  for (let i = 0; i < 40; i++) alpha[Math.floor(rand() * alpha.length)] = Math.floor(rand() * 256);
  return alpha;
}

function noise(length: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  return Uint8Array.from({ length }, () => Math.floor(rand() * 256));
}

function maxAndMeanDiff(a: Uint8Array, b: Uint8Array): [number, number] {
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return [max, sum / a.length];
}

function toRgb(f: Frame): Uint8Array {
  const rgb = new Uint8Array(f.width * f.height * 3);
  frameToRgb(f, rgb);
  return rgb;
}

function frame444(rgb: Uint8Array, width: number, height: number): Frame {
  const f = makeFrame({ width, height }, "444");
  rgbToFrame(rgb, f);
  return f;
}

/** 512×512 crops of the shared photos, RGB. */
async function photos(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const name of ["mpl_grace_hopper", "skimage_astronaut", "skimage_camera"]) {
    const png = readPng(await Deno.readFile(new URL(`${name}.png`, REFERENCE)));
    const crop = new Uint8Array(512 * 512 * 3);
    for (let y = 0; y < 512; y++) {
      crop.set(png.data.subarray(y * png.width * 3, (y * png.width + 512) * 3), y * 512 * 3);
    }
    out.push(crop);
  }
  return out;
}

type Case = { wrap?: Uint8Array; despill?: "green" | "blue" };

function cases(n: number, seed: number): [string, Case][] {
  const wrap = noise(n, seed);
  for (let i = 0; i < n; i += 2) wrap[i] = 0; // half the pixels without wrap
  return [
    ["plain", {}],
    ["wrap", { wrap }],
    ["green", { despill: "green" }],
    ["wrap+blue", { wrap, despill: "blue" }],
  ];
}

Deno.test("compositeFrame() is the RGB composite of the frames' own RGB, stored as 4:4:4", async () => {
  // Photos under a soft wide edge, and noise under noise alpha, against rgbToFrame of the RGB
  // composite of frameToRgb's pixels. Where light wrap or despill apply, every pixel of the edge
  // band is exactly that (it goes through RGB); after frameToRgb that is the RGB composite within
  // the ±1 of storing a colour as YCbCr (measured: 1). The soft edge without either is blended in
  // YCbCr directly (in under half the time): within 1 per Y, Cb, Cr of it (the two roundings
  // differ), which frameToRgb turns into up to 2 in RGB (Cb's 1.772 to blue; measured: 2, on about
  // 1 % of the values). Interior and background pixels are copies.
  const [hopper, astronaut, camera] = await photos();
  const S = 512, n = S * S;
  const inputs: [string, Uint8Array, Uint8Array, Uint8Array][] = [
    ["hopper/astronaut", hopper!, astronaut!, softAlpha(1, S, S, 40)],
    ["astronaut/camera", astronaut!, camera!, softAlpha(2, S, S, 40)],
    ["noise", noise(n * 3, 3), noise(n * 3, 4), noise(n, 5)],
  ];
  for (const [name, camRgb, bgRgb, alpha] of inputs) {
    const cam = frame444(camRgb, S, S), bg = frame444(bgRgb, S, S);
    const camOwn = toRgb(cam), bgOwn = toRgb(bg);
    for (const [kind, options] of cases(n, 6)) {
      const expectedRgb = new Uint8Array(n * 3);
      composite(camOwn, bgOwn, alpha, expectedRgb, options);
      const expected = frame444(expectedRgb, S, S);
      const out = makeFrame({ width: S, height: S }, "444");
      compositeFrame(cam, bg, alpha, out, options);
      const got = toRgb(out);
      let soft = 0, softRgb = 0, rgb = 0;
      for (let i = 0; i < n; i++) {
        const a = alpha[i]!, w = options.wrap?.[i] ?? 0;
        if (a !== 0 && a !== 255 && w === 0 && !options.despill) {
          // The soft edge, blended in YCbCr.
          soft = Math.max(
            soft,
            Math.abs(out.y[i]! - expected.y[i]!),
            Math.abs(out.u[i]! - expected.u[i]!),
            Math.abs(out.v[i]! - expected.v[i]!),
          );
          for (let c = 3 * i; c < 3 * i + 3; c++) {
            softRgb = Math.max(softRgb, Math.abs(got[c]! - expectedRgb[c]!));
          }
          continue;
        }
        const want = a === 0 ? bg : a === 255 && w === 0 ? cam : expected;
        if (out.y[i] !== want.y[i] || out.u[i] !== want.u[i] || out.v[i] !== want.v[i]) {
          assert.fail(`${name} ${kind}: pixel ${i} (alpha ${a}, wrap ${w})`);
        }
        for (let c = 3 * i; c < 3 * i + 3; c++) {
          rgb = Math.max(rgb, Math.abs(got[c]! - expectedRgb[c]!));
        }
      }
      assert.ok(soft <= 1, `${name} ${kind}: the soft edge ${soft} off in YCbCr`);
      assert.ok(softRgb <= 2, `${name} ${kind}: the soft edge ${softRgb} off in RGB`);
      assert.ok(rgb <= 1, `${name} ${kind}: ${rgb} off the RGB composite of the frames' RGB`);
      if (kind === "plain") assert.equal(softRgb, 2, `${name}: the bound is tight`);
    }
  }
});

Deno.test("compositeFrame() stays within 3 (2 with despill alone) of today's RGB composite", async () => {
  // From the original RGB pictures: the frames' RGB are already ±1 off them (the 4:4:4 round
  // trip), the blend of those ±1 off the blend of the originals, and storing the result another
  // ±1. Measured on these inputs: 2 with despill alone (through RGB), 3 with light wrap (its
  // screen blend is steeper than 1 in the background), 3 plain (the soft edge is blended in
  // YCbCr directly, one level more than through RGB, in under half the time), 1 at every pixel
  // outside the edge band.
  const [hopper, astronaut] = await photos();
  const S = 512, n = S * S;
  const alpha = softAlpha(7, S, S, 40);
  const cam = frame444(hopper!, S, S), bg = frame444(astronaut!, S, S);
  const worst: Record<string, number> = {};
  for (const [kind, options] of cases(n, 8)) {
    const today = new Uint8Array(n * 3);
    composite(hopper!, astronaut!, alpha, today, options);
    const out = makeFrame({ width: S, height: S }, "444");
    compositeFrame(cam, bg, alpha, out, options);
    const got = toRgb(out);
    let edge = 0, rest = 0;
    for (let i = 0; i < n * 3; i++) {
      const d = Math.abs(got[i]! - today[i]!);
      const p = (i / 3) | 0;
      if (alpha[p] === 0 || (alpha[p] === 255 && (options.wrap?.[p] ?? 0) === 0)) {
        rest = Math.max(rest, d);
      } else edge = Math.max(edge, d);
    }
    worst[kind] = edge;
    assert.ok(rest <= 1, `${kind}: ${rest} off outside the edge band`);
    const bound = options.despill && !options.wrap ? 2 : 3;
    assert.ok(edge <= bound, `${kind}: ${edge} off in the edge band (bound ${bound})`);
  }
  assert.deepEqual(worst, { plain: 3, wrap: 3, green: 2, "wrap+blue": 3 }, "the bounds are tight");
});

Deno.test("compositeFrame() gives the same bytes four pixels at a time and one by one", () => {
  // Word runs need every array on a 4-byte boundary; planes offset by a byte, planes sharing one
  // buffer, and sizes that are not a multiple of 4 take the pixel path for some or all pixels.
  for (const [w, h] of [[64, 48], [37, 5], [3, 1]] as const) {
    const n = w * h;
    const cam = picture(21, "444"), bg = picture(22, "444");
    const crop = (f: Frame): Frame => {
      const g = makeFrame({ width: w, height: h }, "444");
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          g.y[y * w + x] = f.y[y * W + x]!;
          g.u[y * w + x] = f.u[y * W + x]!;
          g.v[y * w + x] = f.v[y * W + x]!;
        }
      }
      return g;
    };
    const c = crop(cam.frame), b = crop(bg.frame);
    // Whole runs of 0 and 255 (with and without wrap) between soft and random stretches.
    const alpha = new Uint8Array(n), wrap = new Uint8Array(n);
    const rand = mulberry32(w);
    for (let i = 0; i < n; i++) {
      const x = i % w;
      alpha[i] = x < w / 4 ? 0 : x < w / 2 ? 255 : x < (3 * w) / 4 ? Math.floor(rand() * 256) : 128;
      wrap[i] = x > w / 3 && x < w / 2 + 3 ? 90 : 0;
    }
    /** A copy of `a` at byte `offset` of a bigger buffer. */
    const at = (a: Uint8Array, offset: number): Uint8Array => {
      const copy = new Uint8Array(a.length + 8).subarray(offset, offset + a.length);
      copy.set(a);
      return copy;
    };
    /** The frame's planes in one buffer, each `offset` bytes after the last. */
    const shared = (f: Frame, offset: number): Frame => {
      const buf = new Uint8Array(offset + 3 * (n + offset));
      const plane = (k: number) =>
        buf.subarray(offset + k * (n + offset), offset + k * (n + offset) + n);
      const y = plane(0), u = plane(1), v = plane(2);
      y.set(f.y);
      u.set(f.u);
      v.set(f.v);
      return { width: w, height: h, y, u, v, layout: "444" };
    };
    for (const options of [{}, { wrap }, { wrap, despill: "green" as const }]) {
      const want = makeFrame({ width: w, height: h }, "444");
      compositeFrame(c, b, alpha, want, options);
      for (const offset of [1, 4, 5]) {
        const out = shared(makeFrame({ width: w, height: h }, "444"), offset);
        const o = options.wrap ? { ...options, wrap: at(wrap, offset) } : options;
        compositeFrame(shared(c, offset), shared(b, offset), at(alpha, offset), out, o);
        assert.deepEqual([out.y, out.u, out.v], [want.y, want.u, want.v], `${w}x${h} +${offset}`);
      }
      // In place, over the camera frame or the background.
      const overCam = shared(c, 4), overBg = shared(b, 4);
      compositeFrame(overCam, b, alpha, overCam, options);
      compositeFrame(c, overBg, alpha, overBg, options);
      assert.deepEqual([overCam.y, overCam.u, overCam.v], [want.y, want.u, want.v]);
      assert.deepEqual([overBg.y, overBg.u, overBg.v], [want.y, want.u, want.v]);
    }
  }
});

Deno.test("compositeFrame() takes every colour to RGB and back as frameToRgb and rgbToFrame", () => {
  // The RGB path's own conversions, all 2^24 colours, one luma at a time: a camera colour with
  // wrap over black (which adds nothing) and no blend is rgbToFrame(frameToRgb(colour)); black
  // with full wrap over a background colour takes exactly that colour's RGB (screen of black).
  const S = 256, n = S * S, size = { width: S, height: S };
  const colours = makeFrame(size, "444"), black = makeFrame(size, "444");
  fillFrame(black, [0, 0, 0]);
  for (let i = 0; i < n; i++) {
    colours.u[i] = i >> 8;
    colours.v[i] = i & 255;
  }
  const opaque = new Uint8Array(n).fill(255);
  const faint = new Uint8Array(n).fill(1), full = opaque;
  const out = makeFrame(size, "444"), want = makeFrame(size, "444");
  const rgb = new Uint8Array(n * 3);
  for (let l = 0; l < 256; l++) {
    colours.y.fill(l);
    frameToRgb(colours, rgb);
    rgbToFrame(rgb, want);
    for (const [cam, bg, wrap] of [[colours, black, faint], [black, colours, full]] as const) {
      compositeFrame(cam, bg, opaque, out, { wrap });
      for (let i = 0; i < n; i++) {
        if (out.y[i] !== want.y[i] || out.u[i] !== want.u[i] || out.v[i] !== want.v[i]) {
          assert.fail(
            `Y ${l} Cb ${i >> 8} Cr ${i & 255} as the ${cam === colours ? "camera" : "background"}`,
          );
        }
      }
    }
  }
});

Deno.test("compositeFrame() keeps the person's interior and the background as they are", () => {
  const cam = frame444(new Uint8Array([30, 220, 40, 30, 220, 40]), 2, 1);
  const bg = frame444(new Uint8Array([250, 250, 250, 5, 6, 7]), 2, 1);
  const out = makeFrame({ width: 2, height: 1 }, "444");
  compositeFrame(cam, bg, new Uint8Array([255, 0]), out, {
    wrap: new Uint8Array([0, 200]),
    despill: "green",
  });
  assert.deepEqual([out.y[0], out.u[0], out.v[0]], [cam.y[0], cam.u[0], cam.v[0]]);
  assert.deepEqual([out.y[1], out.u[1], out.v[1]], [bg.y[1], bg.u[1], bg.v[1]]);
});

Deno.test("compositeFrame() light wrap screens the background's light onto the rim", () => {
  const cam = frame444(new Uint8Array(9).fill(100), 3, 1);
  const bg = frame444(new Uint8Array([200, 200, 200, 0, 0, 0, 255, 255, 255]), 3, 1);
  const out = makeFrame({ width: 3, height: 1 }, "444");
  compositeFrame(cam, bg, new Uint8Array([255, 255, 255]), out, {
    wrap: new Uint8Array([128, 255, 255]),
  });
  // 100 + (255 − 100) · (200 · 128 / 255) / 255 ≈ 161; a black background adds nothing; full
  // wrap of white is white. Grey stays grey: exact.
  assert.deepEqual([...toRgb(out)], [161, 161, 161, 100, 100, 100, 255, 255, 255]);
});

Deno.test("compositeFrame() despill limits the key colour on the edge only", () => {
  const camRgb = new Uint8Array([100, 200, 80, 100, 200, 80, 90, 60, 220]);
  const cam = frame444(camRgb, 3, 1), bg = frame444(new Uint8Array(9), 3, 1);
  const out = makeFrame({ width: 3, height: 1 }, "444");
  compositeFrame(cam, bg, new Uint8Array([255, 128, 128]), out, {
    wrap: new Uint8Array([0, 0, 0]),
    despill: "green",
  });
  const rgb = toRgb(out);
  // Within the ±1 of the 4:4:4 round trip of the RGB composite's [100, 200, 80], [50, 45, 40].
  assert.ok(maxAndMeanDiff(rgb.subarray(0, 3), camRgb.subarray(0, 3))[0] <= 1, "interior");
  assert.ok(maxAndMeanDiff(rgb.subarray(3, 6), new Uint8Array([50, 45, 40]))[0] <= 1, "green");
  compositeFrame(cam, bg, new Uint8Array([255, 128, 128]), out, { despill: "blue" });
  const blue = toRgb(out).subarray(6, 9);
  assert.ok(maxAndMeanDiff(blue, new Uint8Array([45, 30, 38]))[0] <= 1, `blue ${blue}`);
});

Deno.test("compositeFrame() may write over its camera frame", () => {
  const cam = picture(11, "444"), bg = picture(12, "444");
  const alpha = softAlpha(13);
  const out = makeFrame({ width: W, height: H }, "444");
  compositeFrame(cam.frame, bg.frame, alpha, out, { despill: "green" });
  compositeFrame(cam.frame, bg.frame, alpha, cam.frame, { despill: "green" });
  assert.deepEqual(cam.frame, out);
});

Deno.test("compositeFrame() rejects other layouts and sizes in one line", () => {
  const a = makeFrame({ width: 4, height: 2 }, "444");
  assert.throws(
    () => compositeFrame(a, makeFrame({ width: 4, height: 2 }, "422"), new Uint8Array(8), a),
    /Cannot composite: the background is 4x2 422, need 4x2 444/,
  );
  assert.throws(
    () => compositeFrame(a, a, new Uint8Array(7), a),
    /Cannot composite: 7 alpha values, need 8/,
  );
  assert.throws(
    () => compositeFrame(a, a, new Uint8Array(8), a, { wrap: new Uint8Array(2) }),
    /2 wrap weights/,
  );
  const short = { ...a, u: a.u.subarray(0, 6) };
  assert.throws(
    () => compositeFrame(a, short, new Uint8Array(8), a),
    /Cannot composite: the background's planes hold 8, 6 and 8, need 8/,
  );
});

Deno.test("compositeYuyv() equals the RGB composite converted to YUYV", () => {
  const cam = picture(1), bg = picture(2);
  const alpha = softAlpha(3);
  const rgbOut = new Uint8Array(W * H * 3);
  composite(cam.rgb, bg.rgb, alpha, rgbOut);
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(rgbOut, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  compositeYuyv(cam.frame, bg.frame, alpha, got, {});
  const [max, mean] = maxAndMeanDiff(got, expected);
  assert.ok(max <= 3, `max diff ${max}`);
  assert.ok(mean < 0.6, `mean diff ${mean}`);
  // Somewhere the person and the background really differ, so the test means something.
  assert.notDeepEqual(got.subarray(0, W * 2), got.subarray(W * 2 * (H - 1)));
  // A packed still background gives the same bytes.
  const bgPacked = new Uint32Array(W * H / 2);
  packYuyv(bg.frame, new Uint8Array(bgPacked.buffer));
  const fromPacked = new Uint8Array(W * H * 2);
  compositeYuyv(cam.frame, bg.frame, alpha, fromPacked, { bgPacked });
  assert.deepEqual(fromPacked, got);
});

Deno.test("compositeYuyv() light wrap lifts the rim towards the background like the RGB screen", () => {
  const cam = makeFrame({ width: W, height: H }, "422"),
    bg = makeFrame({ width: W, height: H }, "422");
  fillFrame(cam, [100, 100, 100]);
  fillFrame(bg, [250, 200, 40]);
  const alpha = new Uint8Array(W * H).fill(255);
  const wrap = new Uint8Array(W * H).fill(120);
  const rgbOut = new Uint8Array(W * H * 3);
  composite(toRgb(cam), toRgb(bg), alpha, rgbOut, { wrap });
  const expected = new Uint8Array(W * H * 2);
  rgbToYuyv(rgbOut, expected, { width: W, height: H });
  const got = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, got, { wrap });
  const [max] = maxAndMeanDiff(got, expected);
  assert.ok(max <= 2, `grey camera: wrap differs by ${max}`);
  const plain = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, plain, {});
  assert.ok(got[0]! > plain[0]! + 10, "the wrap brightens the rim");
});

Deno.test("compositeYuyv() takes 4:2:0 camera chroma row by row pair", () => {
  const cam = makeFrame({ width: 4, height: 2 }, "422"),
    bg = makeFrame({ width: 4, height: 2 }, "422");
  cam.layout = "420";
  cam.u.set([10, 20]); // one chroma row for both picture rows
  cam.v.set([30, 40]);
  const out = new Uint8Array(16);
  compositeYuyv(cam, bg, new Uint8Array(8).fill(255), out, {});
  const lc = (c: number) => Math.round(128 + ((c - 128) * 224) / 255);
  assert.deepEqual([out[1], out[5], out[9], out[13]], [lc(10), lc(20), lc(10), lc(20)]);
  assert.deepEqual([out[3], out[7], out[11], out[15]], [lc(30), lc(40), lc(30), lc(40)]);
});

Deno.test("compositeYuyv() rejects mismatched sizes and layouts in one line", () => {
  const f = (w: number, layout: "444" | "422" = "422") =>
    makeFrame({ width: w, height: 2 }, layout);
  assert.throws(
    () => compositeYuyv(f(4), f(6), new Uint8Array(8), new Uint8Array(16), {}),
    /Cannot composite: the background is 6x2 422/,
  );
  assert.throws(
    () => compositeYuyv(f(4, "444"), f(4), new Uint8Array(8), new Uint8Array(16), {}),
    /the camera frame is 444/,
  );
});

Deno.test("compositeYuyv() despills the edge band as the RGB composite does", () => {
  // A person with a green cast on a green screen; a soft edge down the middle.
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) rgb.set([120, 190, 110], i * 3);
  const cam = makeFrame({ width: W, height: H }, "422"),
    bg = makeFrame({ width: W, height: H }, "422");
  rgbToFrame(rgb, cam);
  frameToRgb(cam, rgb);
  fillFrame(bg, [40, 60, 200]);
  const bgRgb = toRgb(bg);
  // A soft edge (12 px) that wanders, without softAlpha's lone spikes.
  const alpha = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = x - W / 3 - 4 * Math.sin(y / 5);
      alpha[y * W + x] = d < -6 ? 255 : d > 6 ? 0 : Math.round(((6 - d) / 12) * 255);
    }
  }
  for (const despill of ["green", "blue"] as const) {
    const rgbOut = new Uint8Array(W * H * 3);
    composite(rgb, bgRgb, alpha, rgbOut, { despill });
    const expected = new Uint8Array(W * H * 2);
    rgbToYuyv(rgbOut, expected, { width: W, height: H });
    const got = new Uint8Array(W * H * 2);
    compositeYuyv(cam, bg, alpha, got, { despill });
    // Luma per pixel as in RGB; where the band starts, the pair's chroma mixes a despilled and a
    // plain pixel half and half, rgbToYuyv's co-sited [1, 2, 1] filter otherwise: a quarter of
    // the despill's chroma change (~37 levels here), so ≤ 10.
    const [max, mean] = maxAndMeanDiff(got, expected);
    assert.ok(max <= 10 && mean < 0.5, `${despill}: max ${max}, mean ${mean}`);
  }
  const plain = new Uint8Array(W * H * 2), green = new Uint8Array(W * H * 2);
  compositeYuyv(cam, bg, alpha, plain, {});
  compositeYuyv(cam, bg, alpha, green, { despill: "green" });
  const [changed] = maxAndMeanDiff(plain, green);
  assert.ok(changed >= 10, `despill changes the green edge (${changed})`);
});

Deno.test("div255() is round(x / 255) over its whole range", () => {
  for (let x = 0; x <= 65025; x++) assert.equal(div255(x), Math.round(x / 255));
});
