/**
 * Proves the reference TFLite evaluator: hand-computed single-op graphs, then whole models against
 * the outputs of Google's own MediaPipe runtime in ../shared/reference.
 */

import assert from "node:assert/strict";
import { decode } from "fast-png";
import { parseTflite } from "../../src/convert/tflite.ts";
import {
  type EvalModel,
  type EvalTensor,
  evaluateTflite,
  halfToFloat,
  type OptionReader,
} from "./tflite_eval.ts";

const SHARED = new URL("../../../shared/", import.meta.url);
const MEDIAPIPE = new URL("../../node_modules/@mediapipe/selfie_segmentation/", import.meta.url);

// ---------------------------------------------------------------------------------------------
// Tiny hand-built graphs

/** A fake options table: field position → value. */
function opts(fields: Record<number, number | boolean | number[]>): OptionReader {
  const num = (i: number, dflt = 0) => {
    const v = fields[i];
    return v === undefined ? dflt : Number(v);
  };
  return {
    i8: num,
    i32: num,
    f32: num,
    bool: (i, dflt = false) => (fields[i] === undefined ? dflt : Boolean(fields[i])),
    i32s: (i) => {
      const v = fields[i];
      return Array.isArray(v) ? v : null;
    },
  };
}

type TensorSpec = { shape: number[]; f32?: number[]; i32?: number[]; f16?: number[] };

function bytesOf(spec: TensorSpec): { type: number; data: Uint8Array | null } {
  if (spec.f32) return { type: 0, data: new Uint8Array(new Float32Array(spec.f32).buffer) };
  if (spec.i32) return { type: 2, data: new Uint8Array(new Int32Array(spec.i32).buffer) };
  if (spec.f16) return { type: 1, data: new Uint8Array(new Uint16Array(spec.f16).buffer) };
  return { type: 0, data: null };
}

/**
 * A one-operator graph: tensor 0 is the graph input, then the given extra inputs (constants or
 * -1 for "omitted"), and the last tensor is the output.
 */
function oneOp(
  op: string,
  inputShape: number[],
  extra: (TensorSpec | null)[],
  outputShape: number[],
  options: OptionReader | null,
  customOptions: Uint8Array | null = null,
  graphInputFirst = true,
): EvalModel {
  const tensors: EvalTensor[] = [{ name: "x", shape: inputShape, type: 0, data: null }];
  const extraIdx: number[] = [];
  for (const [i, s] of extra.entries()) {
    if (!s) {
      extraIdx.push(-1);
      continue;
    }
    extraIdx.push(tensors.length);
    tensors.push({ name: `c${i}`, shape: s.shape, ...bytesOf(s) });
  }
  const out = tensors.length;
  tensors.push({ name: "y", shape: outputShape, type: 0, data: null });
  const inputs = graphInputFirst ? [0, ...extraIdx] : [...extraIdx, 0];
  return {
    tensors,
    inputs: [0],
    outputs: [out],
    operators: [{ op, inputs, outputs: [out], options, customOptions }],
  };
}

function run(model: EvalModel, x: number[]): number[] {
  return Array.from(evaluateTflite(model, new Float32Array(x))[0]!);
}

function assertClose(actual: number[], expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tol,
      `at ${i}: ${actual[i]} vs ${expected[i]}\nactual   [${actual.join(", ")}]\n` +
        `expected [${expected.join(", ")}]`,
    );
  }
}

const range = (n: number, start = 0) => Array.from({ length: n }, (_, i) => start + i);
const ones = (n: number) => new Array<number>(n).fill(1);

Deno.test("CONV_2D SAME stride 2 on 3x3 pads one pixel on each side", () => {
  // Two output channels: all-ones 3x3, and 2 × the centre tap. Bias [0, 100].
  const w = [...ones(9), 0, 0, 0, 0, 2, 0, 0, 0, 0];
  const m = oneOp(
    "CONV_2D",
    [1, 3, 3, 1],
    [{ shape: [2, 3, 3, 1], f32: w }, { shape: [2], f32: [0, 100] }],
    [1, 2, 2, 2],
    opts({ 0: 0, 1: 2, 2: 2 }),
  );
  // Input 1..9; pads (1, 1): windows centred on (0,0), (0,2), (2,0), (2,2).
  assertClose(run(m, range(9, 1)), [12, 102, 16, 106, 24, 114, 28, 118]);
});

Deno.test("CONV_2D SAME stride 2 on 4x4 puts the odd padding pixel at the end", () => {
  const m = oneOp(
    "CONV_2D",
    [1, 4, 4, 1],
    [{ shape: [1, 3, 3, 1], f32: ones(9) }, null],
    [1, 2, 2, 1],
    opts({ 0: 0, 1: 2, 2: 2 }),
  );
  // pad_total = 1 → (0, 1): windows rows/cols {0,1,2} and {2,3,(4)}.
  assertClose(run(m, range(16)), [45, 39, 66, 50]);
});

Deno.test("CONV_2D VALID with dilation 2, multiple input channels, fused RELU", () => {
  // 5x5x2 input: channel 0 = r*5+c, channel 1 = 1. Weights: ch0 ones, ch1 -100 at one tap.
  const x: number[] = [];
  for (let i = 0; i < 25; i++) x.push(i, 1);
  const w: number[] = [];
  for (let k = 0; k < 9; k++) w.push(1, k === 0 ? -100 : 0);
  const m = (act: number) =>
    oneOp(
      "CONV_2D",
      [1, 5, 5, 2],
      [{ shape: [1, 3, 3, 2], f32: w }],
      [1, 1, 1, 1],
      opts({ 0: 1, 1: 1, 2: 1, 3: act, 4: 2, 5: 2 }),
    );
  // Taps at rows/cols {0, 2, 4}: Σ(5r + c) = 90 + 18 = 108, minus 100.
  assertClose(run(m(0), x), [8]);
  const w2 = w.map((v) => (v === -100 ? -200 : v));
  const m2 = oneOp(
    "CONV_2D",
    [1, 5, 5, 2],
    [{ shape: [1, 3, 3, 2], f32: w2 }],
    [1, 1, 1, 1],
    opts({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 2 }),
  );
  assertClose(run(m2, x), [0]);
  assertClose(run(m(3), x), [6]); // RELU6
});

Deno.test("DEPTHWISE_CONV_2D with depth multiplier 2 orders outputs c*M + m", () => {
  const m = oneOp(
    "DEPTHWISE_CONV_2D",
    [1, 1, 1, 2],
    [{ shape: [1, 1, 1, 4], f32: [1, 2, 10, 20] }, { shape: [4], f32: [0, 0, 0, 1] }],
    [1, 1, 1, 4],
    opts({ 0: 1, 1: 1, 2: 1, 3: 2 }),
  );
  assertClose(run(m, [3, 5]), [3, 6, 50, 101]);
});

Deno.test("DEPTHWISE_CONV_2D SAME stride 2 3x3 on 4x4", () => {
  const m = oneOp(
    "DEPTHWISE_CONV_2D",
    [1, 4, 4, 1],
    [{ shape: [1, 3, 3, 1], f32: ones(9) }, { shape: [1], f32: [0] }],
    [1, 2, 2, 1],
    opts({ 0: 0, 1: 2, 2: 2, 3: 1 }),
  );
  assertClose(run(m, range(16)), [45, 39, 66, 50]);
});

Deno.test("RESIZE_BILINEAR 2→4: half_pixel_centers, align_corners and neither", () => {
  const resize = (alignCorners: boolean, halfPixel: boolean) =>
    oneOp(
      "RESIZE_BILINEAR",
      [1, 2, 2, 1],
      [{ shape: [2], i32: [4, 4] }],
      [1, 4, 4, 1],
      opts({ 2: alignCorners, 3: halfPixel }),
    );
  // Input [[0, 1], [2, 3]] is separable: out[y][x] = 2 f(y) + f(x).
  const grid = (f: number[]) => f.flatMap((fy) => f.map((fx) => 2 * fy + fx));
  // half-pixel: src = (i + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25; clamped at both ends.
  assertClose(run(resize(false, true), [0, 1, 2, 3]), grid([0, 0.25, 0.75, 1]));
  // align_corners: src = i/3.
  assertClose(run(resize(true, false), [0, 1, 2, 3]), grid([0, 1 / 3, 2 / 3, 1]));
  // neither: src = i/2 = 0, 0.5, 1, 1.5; the upper neighbour is clamped to the last pixel.
  assertClose(run(resize(false, false), [0, 1, 2, 3]), grid([0, 0.5, 1, 1]));
});

Deno.test("RESIZE_BILINEAR align_corners 1x1 → 3x3 replicates", () => {
  const m = oneOp(
    "RESIZE_BILINEAR",
    [1, 1, 1, 2],
    [{ shape: [2], i32: [3, 3] }],
    [1, 3, 3, 2],
    opts({ 2: true }),
  );
  assertClose(run(m, [7, -1]), range(9).flatMap(() => [7, -1]));
});

Deno.test("AVERAGE_POOL_2D excludes padding from the count; MAX_POOL_2D", () => {
  const pool = (op: string) =>
    oneOp(op, [1, 3, 3, 1], [], [1, 2, 2, 1], opts({ 0: 0, 1: 2, 2: 2, 3: 2, 4: 2 }));
  // SAME 2x2 stride 2 on 3x3: pad (0, 1). Windows {1,2,4,5} {3,6} {7,8} {9}.
  assertClose(run(pool("AVERAGE_POOL_2D"), range(9, 1)), [3, 4.5, 7.5, 9]);
  assertClose(run(pool("MAX_POOL_2D"), range(9, 1)), [5, 6, 8, 9]);
  // A global VALID average pool.
  const global = oneOp(
    "AVERAGE_POOL_2D",
    [1, 2, 3, 2],
    [],
    [1, 1, 1, 2],
    opts({ 0: 1, 1: 3, 2: 2, 3: 3, 4: 2 }),
  );
  assertClose(run(global, range(12)), [5, 6]);
});

Deno.test("Convolution2DTransposeBias: no flip, bias, output 2x input", () => {
  const co = new Uint8Array(new Int32Array([1, 2, 2]).buffer); // SAME, stride_w 2, stride_h 2
  // Weights [O=2, 2, 2, I=1]: channel 0 = [1, 10, 100, 1000], channel 1 = −channel 0.
  const w = [1, 10, 100, 1000, -1, -10, -100, -1000];
  const m = oneOp(
    "Convolution2DTransposeBias",
    [1, 2, 2, 1],
    [{ shape: [2, 2, 2, 1], f32: w }, { shape: [2], f32: [0.5, 0] }],
    [1, 4, 4, 2],
    null,
    co,
  );
  const y = run(m, [1, 2, 3, 4]);
  const expected: number[] = [];
  for (let oy = 0; oy < 4; oy++) {
    for (let ox = 0; ox < 4; ox++) {
      const v = [1, 2, 3, 4][(oy >> 1) * 2 + (ox >> 1)]!;
      const tap = [1, 10, 100, 1000][(oy & 1) * 2 + (ox & 1)]!;
      expected.push(v * tap + 0.5, -v * tap);
    }
  }
  assertClose(y, expected);
});

Deno.test("TRANSPOSE_CONV 3x3 stride 2 SAME: end-heavy padding, overlapping taps", () => {
  const m = oneOp(
    "TRANSPOSE_CONV",
    [1, 2, 2, 1],
    [{ shape: [4], i32: [1, 4, 4, 1] }, { shape: [1, 3, 3, 1], f32: ones(9) }],
    [1, 4, 4, 1],
    opts({ 0: 0, 1: 2, 2: 2 }),
    null,
    false,
  );
  assert.deepEqual(m.operators[0]!.inputs, [1, 2, 0]); // output_shape, weights, x
  // Output row y receives input rows {iy : 0 ≤ y − 2 iy < 3}: {0}, {0}, {0, 1}, {1}.
  const sets = [[0], [0], [0, 1], [1]];
  const x = [1, 2, 3, 4];
  const expected = sets.flatMap((ys) =>
    sets.map((xs) => ys.reduce((s, iy) => s + xs.reduce((t, ix) => t + x[iy * 2 + ix]!, 0), 0))
  );
  assertClose(run(m, x), expected);
});

Deno.test("ADD / SUB / MUL / DIV broadcast like numpy; fused activation", () => {
  const bin = (op: string, act = 0) =>
    oneOp(op, [2, 1], [{ shape: [3], f32: [10, 20, 30] }], [2, 3], opts({ 0: act }));
  assertClose(run(bin("ADD"), [1, 2]), [11, 21, 31, 12, 22, 32]);
  assertClose(run(bin("SUB"), [1, 2]), [-9, -19, -29, -8, -18, -28]);
  assertClose(run(bin("SUB", 1), [1, 2]), [0, 0, 0, 0, 0, 0]);
  assertClose(run(bin("MUL"), [1, 2]), [10, 20, 30, 20, 40, 60]);
  assertClose(run(bin("DIV"), [1, 2]), [0.1, 0.05, 1 / 30, 0.2, 0.1, 2 / 30], 1e-7);
  // Per-channel scale on NHWC, as in squeeze-and-excitation.
  const se = oneOp(
    "MUL",
    [1, 2, 2, 2],
    [{ shape: [1, 1, 1, 2], f32: [1, -1] }],
    [1, 2, 2, 2],
    opts({}),
  );
  assertClose(run(se, range(8)), [0, -1, 2, -3, 4, -5, 6, -7]);
});

Deno.test("elementwise activations", () => {
  const x = [-4, -1, 0, 1, 4, 7];
  const u = (op: string) => run(oneOp(op, [6], [], [6], null), x);
  assertClose(u("HARD_SWISH"), [0, -1 / 3, 0, 2 / 3, 4, 7], 1e-6);
  assertClose(u("RELU"), [0, 0, 0, 1, 4, 7]);
  assertClose(u("RELU6"), [0, 0, 0, 1, 4, 6]);
  assertClose(u("LOGISTIC"), x.map((v) => 1 / (1 + Math.exp(-v))), 1e-7);
  assertClose(u("TANH"), x.map(Math.tanh), 1e-7);
});

Deno.test("MEAN, FULLY_CONNECTED, CONCATENATION, RESHAPE, SOFTMAX", () => {
  const meanKeep = oneOp(
    "MEAN",
    [1, 2, 2, 2],
    [{ shape: [2], i32: [1, 2] }],
    [1, 1, 1, 2],
    opts({ 0: true }),
  );
  assertClose(run(meanKeep, range(8)), [3, 4]);
  const meanDrop = oneOp("MEAN", [1, 2, 2, 2], [{ shape: [1], i32: [-1] }], [1, 2, 2], opts({}));
  assertClose(run(meanDrop, range(8)), [0.5, 2.5, 4.5, 6.5]);

  // Weights [out=3, in=2], not symmetric: a transposed weight would not fit.
  const fc = oneOp(
    "FULLY_CONNECTED",
    [1, 1, 1, 2],
    [{ shape: [3, 2], f32: [1, 0, 3, 4, 5, 6] }, { shape: [3], f32: [0, 0, -1] }],
    [1, 1, 1, 3],
    opts({ 2: true }),
  );
  assertClose(run(fc, [1, 2]), [1, 11, 16]);
  const fcFlat = oneOp(
    "FULLY_CONNECTED",
    [2, 2],
    [{ shape: [1, 2], f32: [1, 1] }, null],
    [2, 1],
    opts({ 0: 1 }),
  );
  assertClose(run(fcFlat, [1, 2, -5, 1]), [3, 0]);

  const cat = oneOp(
    "CONCATENATION",
    [1, 2, 1, 2],
    [{ shape: [1, 2, 1, 1], f32: [9, 8] }],
    [1, 2, 1, 3],
    opts({ 0: -1 }),
  );
  assertClose(run(cat, [0, 1, 2, 3]), [0, 1, 9, 2, 3, 8]);
  const cat1 = oneOp(
    "CONCATENATION",
    [1, 2, 1, 2],
    [{ shape: [1, 1, 1, 2], f32: [9, 8] }],
    [1, 3, 1, 2],
    opts({ 0: 1 }),
  );
  assertClose(run(cat1, [0, 1, 2, 3]), [0, 1, 2, 3, 9, 8]);

  const reshape = oneOp("RESHAPE", [1, 2, 3], [{ shape: [2], i32: [3, -1] }], [3, 2], opts({}));
  assertClose(run(reshape, range(6)), range(6));

  const sm = oneOp("SOFTMAX", [2, 2], [], [2, 2], opts({ 0: 1 }));
  const e = 1 / (1 + Math.exp(-1));
  assertClose(run(sm, [0, 1, 5, 5]), [1 - e, e, 0.5, 0.5], 1e-7);
});

Deno.test("FLOAT16 constants and DEQUANTIZE", () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0xfc00), -Infinity);
  // y = x + dequantize(c) with c an fp16 constant.
  const m: EvalModel = {
    tensors: [
      { name: "x", shape: [2], type: 0, data: null },
      {
        name: "c16",
        shape: [2],
        type: 1,
        data: new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer),
      },
      { name: "c", shape: [2], type: 0, data: null },
      { name: "y", shape: [2], type: 0, data: null },
    ],
    inputs: [0],
    outputs: [3],
    operators: [
      { op: "DEQUANTIZE", inputs: [1], outputs: [2], options: null, customOptions: null },
      { op: "ADD", inputs: [0, 2], outputs: [3], options: opts({}), customOptions: null },
    ],
  };
  assertClose(run(m, [10, 10]), [11, 8]);
});

Deno.test("an unsupported op throws an error naming it; a wrong declared shape is caught", () => {
  assert.throws(
    () => run(oneOp("SQUARED_DIFFERENCE", [1], [], [1], null), [1]),
    /SQUARED_DIFFERENCE/,
  );
  assert.throws(() => run(oneOp("RELU", [2], [], [3], null), [1, 2]), /computed shape/);
});

// ---------------------------------------------------------------------------------------------
// Whole models against MediaPipe

const IMAGES = ["skimage_astronaut", "mpl_grace_hopper", "skimage_camera"];

/** Reads a reference input PNG as the model input: pixel / 255, RGB, NHWC. */
async function loadInput(size: string, image: string): Promise<Float32Array> {
  const png = decode(await Deno.readFile(new URL(`reference/inputs/${size}/${image}.png`, SHARED)));
  assert.equal(png.depth, 8);
  const n = png.width * png.height;
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) x[i * 3 + c] = png.data[i * png.channels + c]! / 255;
  }
  return x;
}

async function readF32(url: URL): Promise<Float32Array> {
  const bytes = await Deno.readFile(url);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from(
    { length: bytes.byteLength / 4 },
    (_, i) => view.getFloat32(4 * i, true),
  );
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

function iou(a: Float32Array, b: Float32Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const pa = a[i]! > 0.5;
    const pb = b[i]! > 0.5;
    if (pa && pb) inter++;
    if (pa || pb) union++;
  }
  return union === 0 ? 1 : inter / union;
}

const MODELS = [
  {
    name: "selfie_segmentation",
    file: new URL("selfie_segmentation.tflite", MEDIAPIPE),
    size: "256x256",
    shape: [1, 256, 256, 1],
  },
  {
    name: "selfie_segmentation_landscape",
    file: new URL("selfie_segmentation_landscape.tflite", MEDIAPIPE),
    size: "256x144",
    shape: [1, 144, 256, 1],
  },
  {
    name: "segm_full_v679",
    file: new URL("models/segm_full_v679.tflite", SHARED),
    size: "256x144",
    shape: [1, 144, 256, 2],
  },
  {
    name: "segm_lite_v681",
    file: new URL("models/segm_lite_v681.tflite", SHARED),
    size: "160x96",
    shape: [1, 96, 160, 2],
  },
];

for (const spec of MODELS) {
  Deno.test(`${spec.name} matches MediaPipe on the reference photos`, async () => {
    const model = parseTflite(await Deno.readFile(spec.file));
    assert.equal(model.outputs.length, 1);
    assert.deepEqual(model.tensors[model.outputs[0]!]!.shape, spec.shape);
    const channels = spec.shape[3]!;
    for (const image of IMAGES) {
      const x = await loadInput(spec.size, image);
      const t0 = performance.now();
      const [y] = evaluateTflite(model, x);
      const ms = performance.now() - t0;
      let prob = y!;
      let rawDiff = NaN;
      if (channels === 2) {
        const raw = await readF32(new URL(`reference/out/${spec.name}/${image}.raw.f32`, SHARED));
        rawDiff = meanAbsDiff(y!, raw);
        assert.ok(rawDiff <= 1e-4, `${spec.name}/${image}: raw logits differ by ${rawDiff}`);
        // Person probability: softmax(...)[1] = sigmoid(l1 − l0).
        prob = new Float32Array(y!.length / 2);
        for (let i = 0; i < prob.length; i++) {
          prob[i] = 1 / (1 + Math.exp(y![2 * i]! - y![2 * i + 1]!));
        }
      }
      const ref = await readF32(new URL(`reference/out/${spec.name}/${image}.f32`, SHARED));
      const mad = meanAbsDiff(prob, ref);
      const j = iou(prob, ref);
      console.log(
        `  ${spec.name}/${image}: ${ms.toFixed(0)} ms, mean |Δp| ${mad.toExponential(2)}, ` +
          `IoU ${j.toFixed(5)}` +
          (channels === 2 ? `, mean |Δlogit| ${rawDiff.toExponential(2)}` : ""),
      );
      assert.ok(mad <= 1e-4, `${spec.name}/${image}: mean abs diff ${mad}`);
      assert.ok(j >= 0.999, `${spec.name}/${image}: IoU ${j}`);
    }
  });
}

/** Bilinear resize (half-pixel centres, edge clamp) of 8-bit RGB(A) to float RGB. */
function resizeRgb(
  data: ArrayLike<number>,
  w: number,
  h: number,
  channels: number,
  ow: number,
  oh: number,
): Float32Array {
  const out = new Float32Array(ow * oh * 3);
  const src = (o: number, n: number, size: number) => {
    const s = Math.min(Math.max((o + 0.5) * (size / n) - 0.5, 0), size - 1);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, size - 1), f: s - i0 };
  };
  for (let y = 0; y < oh; y++) {
    const sy = src(y, oh, h);
    for (let x = 0; x < ow; x++) {
      const sx = src(x, ow, w);
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => data[(yy * w + xx) * channels + c]!;
        const top = p(sy.i0, sx.i0) * (1 - sx.f) + p(sy.i0, sx.i1) * sx.f;
        const bottom = p(sy.i1, sx.i0) * (1 - sx.f) + p(sy.i1, sx.i1) * sx.f;
        out[(y * ow + x) * 3 + c] = top * (1 - sy.f) + bottom * sy.f;
      }
    }
  }
  return out;
}

async function astronaut257(): Promise<Float32Array> {
  const png = decode(
    await Deno.readFile(new URL("reference/images/skimage_astronaut.png", SHARED)),
  );
  const rgb = resizeRgb(png.data, png.width, png.height, png.channels, 257, 257);
  return rgb.map((v) => v / 127.5 - 1); // [-1, 1]
}

Deno.test("DeepLab v3 (257x257): finite 21-class logits, person in the centre of the astronaut", async () => {
  const model = parseTflite(
    await Deno.readFile(new URL("models/deeplabv3_257_mv_gpu.tflite", SHARED)),
  );
  assert.deepEqual(model.tensors[model.outputs[0]!]!.shape, [1, 257, 257, 21]);
  const x = await astronaut257();
  const t0 = performance.now();
  const [y] = evaluateTflite(model, x);
  const ms = performance.now() - t0;
  assert.equal(y!.length, 257 * 257 * 21);
  assert.ok(y!.every(Number.isFinite), "non-finite output");
  // Argmax class over the central third of the image.
  let person = 0;
  let total = 0;
  for (let r = 86; r < 171; r++) {
    for (let c = 86; c < 171; c++) {
      const base = (r * 257 + c) * 21;
      let best = 0;
      for (let k = 1; k < 21; k++) if (y![base + k]! > y![base + best]!) best = k;
      if (best === 15) person++;
      total++;
    }
  }
  const share = person / total;
  console.log(
    `  deeplabv3: ${ms.toFixed(0)} ms, person (class 15) share in the centre ${share.toFixed(3)}`,
  );
  assert.ok(share >= 0.5, `only ${share} of the centre is class 15`);
});

Deno.test("BodyPix (257x257): finite output of the declared shape", async () => {
  const model = parseTflite(
    await Deno.readFile(new URL("models/body-pix-float-050-8.tflite", SHARED)),
  );
  const x = await astronaut257();
  const t0 = performance.now();
  const ys = evaluateTflite(model, x);
  const ms = performance.now() - t0;
  assert.equal(ys.length, model.outputs.length);
  for (const [i, y] of ys.entries()) {
    const shape = model.tensors[model.outputs[i]!]!.shape;
    assert.equal(y.length, shape.reduce((a, b) => a * b, 1));
    assert.ok(y.every(Number.isFinite), `output ${i} has non-finite values`);
  }
  // The segmentation logits should mark a good part of the astronaut's centre as person.
  const seg = ys[0]!;
  let pos = 0;
  for (let r = 11; r < 22; r++) for (let c = 11; c < 22; c++) if (seg[r * 33 + c]! > 0) pos++;
  console.log(
    `  bodypix: ${ms.toFixed(0)} ms, outputs ${
      ys.map((_, i) => `[${model.tensors[model.outputs[i]!]!.shape}]`).join(" ")
    }, ` +
      `centre person share ${(pos / 121).toFixed(3)}`,
  );
});
