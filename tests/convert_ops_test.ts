/**
 * Every op the converter supports, one tiny model at a time: each model is written with the test
 * TFLite builder, converted, run with ONNX Runtime and compared with the independent reference
 * evaluator (or, for the ops it lacks, a result computed here). Seeded random inputs and weights;
 * odd and even sizes, non-square kernels, different strides per axis and non-commutative operand
 * orders so that layout and padding mistakes show.
 */

import assert from "node:assert/strict";
import { ConvertError, convertTflite, SUPPORTED_OPS } from "../src/convert/convert.ts";
import { parseTflite, TfliteError } from "../src/convert/tflite.ts";
import { OnnxRuntime } from "../ffi/onnxruntime/mod.ts";
import { evaluateTflite } from "./reference/tflite_eval.ts";
import {
  BuiltinOp as Op,
  type Options,
  TensorType,
  TfliteBuilder,
  toFloat16,
} from "./fixtures/tflite_builder.ts";
import { rng } from "./fixtures/rng.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

/** TFLite `Padding`. */
const SAME = 0;
const VALID = 1;
/** TFLite `ActivationFunctionType`. */
const Act = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 } as const;

type Shape4 = [number, number, number, number];

function randoms(r: () => number, n: number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Output size of a convolution or pool along one axis (tensorflow/lite/kernels/padding.h). */
function outSize(padding: number, input: number, k: number, stride: number, dil = 1): number {
  const effective = (k - 1) * dil + 1;
  return padding === SAME
    ? Math.floor((input + stride - 1) / stride)
    : Math.floor((input + stride - effective) / stride);
}

interface CheckOptions {
  /** Seed of the input values. */
  seed?: number;
  /** Range of the input values (default [-1, 1]). */
  range?: [number, number];
  /** The expected outputs; default: the reference evaluator's. */
  expected?: (input: Float32Array) => Float32Array[];
  /** Allowed difference, relative to max(1, |expected|). */
  tol?: number;
}

/**
 * Converts the model, runs it with ONNX Runtime on a seeded random input and compares every
 * output with the expected values. Returns the ONNX outputs.
 */
function check(b: TfliteBuilder, options: CheckOptions = {}): Float32Array[] {
  const bytes = b.build();
  const model = parseTflite(bytes);
  const inShape = model.tensors[model.inputs[0]!]!.shape;
  const [lo, hi] = options.range ?? [-1, 1];
  const input = randoms(rng(options.seed ?? 12345), size(inShape), lo, hi);
  const expected = options.expected
    ? options.expected(input)
    : evaluateTflite(model, input.slice());

  const converted = convertTflite(bytes);
  assert.deepEqual(converted.input.shape, inShape);
  using ort = OnnxRuntime.load();
  using session = ort.createSession(converted.onnx);
  using x = ort.createTensor(new Float32Array(input.length), inShape);
  const ys = converted.outputs.map((o) =>
    ort.createTensor(new Float32Array(size(o.shape)), o.shape)
  );
  try {
    const outputs = Object.fromEntries(converted.outputs.map((o, k) => [o.name, ys[k]!]));
    const run = session.prepare({ inputs: { input: x }, outputs });
    x.data.set(input);
    run.run();
    const actual = ys.map((y) => y.data.slice());
    assert.equal(actual.length, expected.length, "number of outputs");
    const tol = options.tol ?? 1e-5;
    for (const [k, want] of expected.entries()) {
      const got = actual[k]!;
      assert.deepEqual(converted.outputs[k]!.shape, model.tensors[model.outputs[k]!]!.shape);
      assert.equal(got.length, want.length, `output ${k} length`);
      let worst = 0;
      let at = -1;
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
        if (!(err <= worst)) [worst, at] = [err, i];
      }
      assert.ok(
        worst <= tol,
        `output ${k}: element ${at} is ${got[at]}, expected ${want[at]} (error ${worst})`,
      );
    }
    return actual;
  } finally {
    for (const y of ys) y[Symbol.dispose]();
  }
}

/** Asserts that converting the model throws `type` with a message matching every pattern. */
function assertConvertThrows(
  bytes: Uint8Array,
  type: typeof ConvertError | typeof TfliteError,
  ...patterns: (string | RegExp)[]
): string {
  let message = "";
  assert.throws(() => convertTflite(bytes), (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    message = e.message;
    for (const p of patterns) {
      assert.ok(
        typeof p === "string" ? message.includes(p) : p.test(message),
        `message ${JSON.stringify(message)} should match ${p}`,
      );
    }
    return true;
  });
  return message;
}

/** A model with one input `x` of `inShape` and one op writing output `y` of `outShape`. */
function single(
  code: number | string,
  inShape: readonly number[],
  outShape: readonly number[],
  options: Options | null = null,
  constants: (b: TfliteBuilder) => number[] = () => [],
  customOptions: Uint8Array | null = null,
): TfliteBuilder {
  const b = new TfliteBuilder();
  const x = b.input("x", inShape);
  const extra = constants(b);
  const y = b.output("y", outShape);
  return b.op(code, [x, ...extra], [y], options, customOptions);
}

// ---------------------------------------------------------------------------------------------
// CONV_2D

interface ConvCase {
  input: Shape4;
  /** [O, kh, kw, I]. */
  filter: Shape4;
  padding: number;
  stride?: [number, number];
  dilation?: [number, number];
  act?: number;
  bias?: boolean;
}

function convModel(c: ConvCase, seed: number): TfliteBuilder {
  const r = rng(seed);
  const [n, h, w] = c.input;
  const [o, kh, kw] = c.filter;
  const [sh, sw] = c.stride ?? [1, 1];
  const [dh, dw] = c.dilation ?? [1, 1];
  const out = [n, outSize(c.padding, h, kh, sh, dh), outSize(c.padding, w, kw, sw, dw), o];
  return single(
    Op.CONV_2D,
    c.input,
    out,
    {
      0: ["i8", c.padding],
      1: ["i32", sw],
      2: ["i32", sh],
      3: ["i8", c.act ?? Act.NONE],
      4: ["i32", dw],
      5: ["i32", dh],
    },
    (b) => [
      b.constant("w", c.filter, randoms(r, size(c.filter))),
      ...(c.bias === false ? [] : [b.constant("b", [o], randoms(r, o))]),
    ],
  );
}

Deno.test("convertTflite() converts CONV_2D with SAME padding and stride 1 exactly", () => {
  check(convModel({ input: [1, 5, 5, 3], filter: [4, 3, 3, 3], padding: SAME }, 1));
  check(convModel({ input: [1, 4, 6, 2], filter: [3, 3, 2, 2], padding: SAME }, 2));
  check(convModel({ input: [1, 4, 4, 3], filter: [5, 1, 1, 3], padding: SAME }, 3));
});

Deno.test("convertTflite() converts CONV_2D with SAME padding and stride 2 exactly", () => {
  // Odd sizes pad evenly; even sizes put the odd padding pixel at the end.
  check(convModel({ input: [1, 5, 7, 3], filter: [4, 3, 3, 3], padding: SAME, stride: [2, 2] }, 4));
  check(convModel({ input: [1, 6, 4, 3], filter: [4, 3, 3, 3], padding: SAME, stride: [2, 2] }, 5));
  check(convModel({ input: [1, 6, 6, 2], filter: [3, 2, 4, 2], padding: SAME, stride: [2, 2] }, 6));
  // Different strides per axis catch a height/width swap.
  check(convModel({ input: [1, 6, 5, 2], filter: [3, 3, 3, 2], padding: SAME, stride: [2, 1] }, 7));
});

Deno.test("convertTflite() converts CONV_2D with VALID padding exactly", () => {
  check(convModel({ input: [1, 5, 6, 3], filter: [4, 3, 2, 3], padding: VALID }, 8));
  check(
    convModel({ input: [1, 7, 6, 2], filter: [3, 3, 3, 2], padding: VALID, stride: [2, 2] }, 9),
  );
});

Deno.test("convertTflite() converts CONV_2D with dilation 2 exactly", () => {
  check(
    convModel({ input: [1, 7, 6, 2], filter: [3, 3, 3, 2], padding: SAME, dilation: [2, 2] }, 10),
  );
  check(
    convModel({ input: [1, 7, 8, 2], filter: [3, 3, 3, 2], padding: VALID, dilation: [2, 1] }, 11),
  );
});

Deno.test("convertTflite() converts CONV_2D with fused RELU6, RELU, RELU_N1_TO_1 and TANH exactly", () => {
  for (const [k, act] of [Act.RELU6, Act.RELU, Act.RELU_N1_TO_1, Act.TANH].entries()) {
    const out = check(
      convModel({ input: [1, 4, 5, 3], filter: [4, 3, 3, 3], padding: SAME, act }, 20 + k),
      { range: [-4, 4] },
    );
    if (act === Act.RELU6) {
      // The input range makes the clipping happen at both ends.
      assert.ok(out[0]!.includes(6) && out[0]!.includes(0));
    }
  }
});

Deno.test("convertTflite() converts CONV_2D without bias exactly", () => {
  check(convModel({ input: [1, 5, 4, 3], filter: [2, 3, 3, 3], padding: SAME, bias: false }, 30));
  check(
    convModel({
      input: [1, 5, 4, 3],
      filter: [2, 2, 2, 3],
      padding: VALID,
      bias: false,
      stride: [2, 2],
    }, 31),
  );
});

// ---------------------------------------------------------------------------------------------
// DEPTHWISE_CONV_2D

interface DepthwiseCase {
  input: Shape4;
  kernel: [number, number];
  mult: number;
  padding: number;
  stride?: [number, number];
  dilation?: [number, number];
  act?: number;
  bias?: boolean;
}

function depthwiseModel(c: DepthwiseCase, seed: number): TfliteBuilder {
  const r = rng(seed);
  const [n, h, w, ch] = c.input;
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.stride ?? [1, 1];
  const [dh, dw] = c.dilation ?? [1, 1];
  const oc = ch * c.mult;
  const out = [n, outSize(c.padding, h, kh, sh, dh), outSize(c.padding, w, kw, sw, dw), oc];
  return single(
    Op.DEPTHWISE_CONV_2D,
    c.input,
    out,
    {
      0: ["i8", c.padding],
      1: ["i32", sw],
      2: ["i32", sh],
      3: ["i32", c.mult],
      4: ["i8", c.act ?? Act.NONE],
      5: ["i32", dw],
      6: ["i32", dh],
    },
    (b) => [
      b.constant("w", [1, kh, kw, oc], randoms(r, kh * kw * oc)),
      ...(c.bias === false ? [] : [b.constant("b", [oc], randoms(r, oc))]),
    ],
  );
}

Deno.test("convertTflite() converts DEPTHWISE_CONV_2D with depth_multiplier 1 and 2 exactly", () => {
  check(depthwiseModel({ input: [1, 5, 4, 3], kernel: [3, 3], mult: 1, padding: SAME }, 40));
  check(depthwiseModel({ input: [1, 5, 4, 3], kernel: [3, 2], mult: 2, padding: SAME }, 41));
  check(
    depthwiseModel(
      { input: [1, 5, 6, 2], kernel: [3, 3], mult: 2, padding: VALID, bias: false },
      42,
    ),
  );
});

Deno.test("convertTflite() converts DEPTHWISE_CONV_2D with SAME padding and stride 2 exactly", () => {
  check(
    depthwiseModel(
      { input: [1, 6, 6, 4], kernel: [3, 3], mult: 1, padding: SAME, stride: [2, 2] },
      43,
    ),
  );
  check(
    depthwiseModel(
      { input: [1, 5, 7, 2], kernel: [3, 3], mult: 2, padding: SAME, stride: [2, 2] },
      44,
    ),
  );
  check(
    depthwiseModel(
      {
        input: [1, 6, 5, 3],
        kernel: [5, 5],
        mult: 1,
        padding: SAME,
        stride: [1, 2],
        act: Act.RELU6,
      },
      45,
    ),
    { range: [-5, 5] },
  );
});

Deno.test("convertTflite() converts DEPTHWISE_CONV_2D with dilation exactly", () => {
  check(
    depthwiseModel({
      input: [1, 7, 7, 2],
      kernel: [3, 3],
      mult: 1,
      padding: SAME,
      dilation: [2, 2],
    }, 46),
  );
  check(
    depthwiseModel({
      input: [1, 7, 8, 2],
      kernel: [3, 3],
      mult: 2,
      padding: VALID,
      dilation: [1, 3],
    }, 47),
  );
});

// ---------------------------------------------------------------------------------------------
// TRANSPOSE_CONV and Convolution2DTransposeBias

interface TransposeCase {
  input: Shape4;
  /** [O, kh, kw, I]. */
  filter: Shape4;
  padding: number;
  stride: [number, number];
  out: [number, number];
  bias?: boolean;
  act?: number;
}

function transposeConvModel(c: TransposeCase, seed: number): TfliteBuilder {
  const r = rng(seed);
  const [o] = c.filter;
  const outShape = [c.input[0], c.out[0], c.out[1], o];
  const b = new TfliteBuilder();
  const shape = b.constant("output_shape", [4], new Int32Array(outShape));
  const w = b.constant("w", c.filter, randoms(r, size(c.filter)));
  const x = b.input("x", c.input);
  const inputs = [shape, w, x];
  if (c.bias) inputs.push(b.constant("b", [o], randoms(r, o)));
  const y = b.output("y", outShape);
  const options: Options = {
    0: ["i8", c.padding],
    1: ["i32", c.stride[1]],
    2: ["i32", c.stride[0]],
    ...(c.act === undefined ? {} : { 3: ["i8", c.act] as const }),
  };
  return b.op(Op.TRANSPOSE_CONV, inputs, [y], options);
}

Deno.test("convertTflite() converts TRANSPOSE_CONV with SAME padding and stride 2 exactly", () => {
  const base = { padding: SAME, stride: [2, 2] as [number, number] };
  check(
    transposeConvModel({ ...base, input: [1, 3, 4, 3], filter: [2, 3, 3, 3], out: [6, 8] }, 50),
  );
  // An odd output (ceil(5 / 2) = 3) pads differently.
  check(
    transposeConvModel({ ...base, input: [1, 3, 3, 2], filter: [3, 3, 3, 2], out: [5, 6] }, 51),
  );
  check(
    transposeConvModel({
      ...base,
      input: [1, 3, 2, 2],
      filter: [3, 4, 2, 2],
      out: [6, 4],
      bias: true,
    }, 52),
  );
  check(
    transposeConvModel({
      ...base,
      input: [1, 2, 3, 2],
      filter: [2, 2, 2, 2],
      out: [4, 6],
      bias: true,
    }, 53),
  );
});

Deno.test("convertTflite() converts TRANSPOSE_CONV whose output has trailing bias-only rows", () => {
  // TFLite accepts an output up to stride - 1 larger than the scatter reaches; the extra rows and
  // columns hold the bias alone (ONNX output_padding).
  const stride: [number, number] = [2, 2];
  check(
    transposeConvModel(
      {
        padding: VALID,
        stride,
        input: [1, 3, 3, 2],
        filter: [2, 3, 3, 2],
        out: [8, 8],
        bias: true,
      },
      60,
    ),
  );
  check(
    transposeConvModel(
      { padding: SAME, stride, input: [1, 3, 3, 2], filter: [2, 1, 1, 2], out: [6, 6], bias: true },
      61,
    ),
  );
});

Deno.test("convertTflite() converts TRANSPOSE_CONV with VALID padding exactly", () => {
  const base = { padding: VALID, stride: [2, 2] as [number, number] };
  check(
    transposeConvModel({ ...base, input: [1, 3, 4, 3], filter: [2, 3, 3, 3], out: [7, 9] }, 54),
  );
  check(
    transposeConvModel({
      ...base,
      input: [1, 3, 2, 2],
      filter: [3, 2, 2, 2],
      out: [6, 4],
      bias: true,
    }, 55),
  );
  check(
    transposeConvModel(
      { padding: VALID, stride: [1, 2], input: [1, 3, 3, 2], filter: [2, 3, 3, 2], out: [5, 7] },
      56,
    ),
  );
});

Deno.test("convertTflite() converts TRANSPOSE_CONV with a bias and a fused activation exactly", () => {
  check(
    transposeConvModel(
      {
        padding: SAME,
        stride: [2, 2],
        input: [1, 3, 3, 3],
        filter: [4, 3, 3, 3],
        out: [6, 6],
        bias: true,
        act: Act.RELU,
      },
      57,
    ),
  );
});

function transposeBiasModel(
  input: Shape4,
  filter: Shape4,
  padding: 1 | 2,
  stride: [number, number],
  seed: number,
): TfliteBuilder {
  const r = rng(seed);
  const [n, h, w] = input;
  const [o, kh, kw] = filter;
  const [sh, sw] = stride;
  // MediaPipe's transpose_conv_bias.cc: SAME removes max(0, k - (in - 1) % s - 1) pixels.
  const pad = (
    i: number,
    k: number,
    s: number,
  ) => (padding === 1 ? Math.max(0, k - ((i - 1) % s) - 1) : 0);
  const out = [n, sh * (h - 1) + kh - pad(h, kh, sh), sw * (w - 1) + kw - pad(w, kw, sw), o];
  const custom = new Uint8Array(new Int32Array([padding, sw, sh]).buffer);
  return single(
    "Convolution2DTransposeBias",
    input,
    out,
    null,
    (b) => [b.constant("w", filter, randoms(r, size(filter))), b.constant("b", [o], randoms(r, o))],
    custom,
  );
}

Deno.test("convertTflite() converts Convolution2DTransposeBias with kernel 2 and 3 and stride 2 exactly", () => {
  check(transposeBiasModel([1, 3, 4, 3], [2, 2, 2, 3], 1, [2, 2], 60));
  check(transposeBiasModel([1, 3, 4, 3], [2, 3, 3, 3], 1, [2, 2], 61));
  check(transposeBiasModel([1, 4, 3, 2], [3, 4, 4, 2], 1, [2, 2], 62));
  check(transposeBiasModel([1, 3, 4, 3], [2, 2, 2, 3], 2, [2, 2], 63));
  check(transposeBiasModel([1, 3, 3, 2], [3, 3, 3, 2], 2, [2, 2], 64));
  check(transposeBiasModel([1, 3, 4, 2], [3, 3, 2, 2], 1, [2, 1], 65));
});

// ---------------------------------------------------------------------------------------------
// ADD / SUB / MUL / DIV

const BINARY = [
  ["ADD", Op.ADD],
  ["SUB", Op.SUB],
  ["MUL", Op.MUL],
  ["DIV", Op.DIV],
] as const;

/**
 * `x op c` (or `c op x` when `constFirst`) with a constant `c` of `cShape`; divisors are kept
 * away from zero.
 */
function binaryConstModel(
  code: number,
  xShape: readonly number[],
  cShape: readonly number[],
  seed: number,
  { constFirst = false, act = Act.NONE as number } = {},
): TfliteBuilder {
  const r = rng(seed);
  const values = code === Op.DIV
    ? randoms(r, size(cShape), 0.5, 2).map((v, i) => (i % 2 ? -v : v))
    : randoms(r, size(cShape));
  const b = new TfliteBuilder();
  const x = b.input("x", xShape);
  const c = b.constant("c", cShape, values);
  const rank = Math.max(xShape.length, cShape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const outShape = pad(xShape).map((d, k) => Math.max(d, pad(cShape)[k]!));
  const y = b.output("y", outShape);
  return b.op(code, constFirst ? [c, x] : [x, c], [y], { 0: ["i8", act] });
}

for (const [name, code] of BINARY) {
  Deno.test(`convertTflite() converts ${name} with a [1, 1, 1, C] constant exactly`, () => {
    check(binaryConstModel(code, [1, 3, 4, 5], [1, 1, 1, 5], 70 + code));
    check(binaryConstModel(code, [1, 3, 4, 5], [1, 1, 1, 5], 71 + code, { constFirst: true }), {
      range: [0.5, 2],
    });
  });

  Deno.test(`convertTflite() converts ${name} with a constant [C] vector exactly`, () => {
    check(binaryConstModel(code, [1, 3, 4, 5], [5], 72 + code));
    check(binaryConstModel(code, [1, 3, 4, 5], [5], 73 + code, { constFirst: true }), {
      range: [0.5, 2],
    });
  });

  Deno.test(`convertTflite() converts ${name} with rank-4 and rank-2 constants exactly`, () => {
    check(binaryConstModel(code, [1, 3, 4, 5], [1, 3, 4, 5], 74 + code));
    check(binaryConstModel(code, [1, 3, 4, 2], [1, 3, 1, 2], 75 + code, { constFirst: true }), {
      range: [0.5, 2],
    });
    check(binaryConstModel(code, [1, 3, 4, 2], [1, 1, 4, 1], 76 + code));
    check(binaryConstModel(code, [1, 3, 4, 2], [4, 2], 77 + code));
    // The constant is the larger operand: the input broadcasts.
    check(binaryConstModel(code, [1, 1, 1, 3], [1, 2, 4, 3], 78 + code), { range: [0.5, 2] });
  });

  Deno.test(`convertTflite() converts ${name} with fused activations exactly`, () => {
    for (const act of [Act.RELU, Act.RELU6, Act.RELU_N1_TO_1, Act.TANH]) {
      check(binaryConstModel(code, [1, 2, 3, 4], [1, 1, 1, 4], 79 + code + act, { act }), {
        range: code === Op.DIV ? [-8, 8] : [-4, 4],
      });
    }
  });
}

Deno.test("convertTflite() converts ADD, SUB, MUL and DIV of two activations with broadcasting exactly", () => {
  for (const [, code] of BINARY) {
    // y = x op mean(x) with the mean as [1, 1, 1, C], as [C] and as [W, C] (a lower-rank
    // activation aligned with the trailing axes).
    const means = [
      { axes: [1, 2], keep: true, shape: [1, 1, 1, 3] },
      { axes: [0, 1, 2], keep: false, shape: [3] },
      { axes: [0, 1], keep: false, shape: [4, 3] },
    ];
    for (const [k, mean] of means.entries()) {
      const b = new TfliteBuilder();
      const x = b.input("x", [1, 3, 4, 3]);
      const axes = b.constant("axes", [mean.axes.length], new Int32Array(mean.axes));
      const m = b.tensor("m", mean.shape);
      const y = b.output("y", [1, 3, 4, 3]);
      b.op(Op.MEAN, [x, axes], [m], { 0: ["bool", mean.keep] });
      b.op(code, k % 2 ? [m, x] : [x, m], [y], { 0: ["i8", Act.NONE] });
      check(b, { range: [0.5, 2] });
    }
    // Same-shape activations: x op tanh(x).
    const b = new TfliteBuilder();
    const x = b.input("x", [1, 2, 3, 2]);
    const t = b.tensor("t", [1, 2, 3, 2]);
    const y = b.output("y", [1, 2, 3, 2]);
    b.op(Op.TANH, [x], [t]).op(code, [t, x], [y], { 0: ["i8", Act.NONE] });
    check(b, { range: [0.5, 2] });
  }
});

Deno.test("convertTflite() converts ADD, SUB, MUL and DIV on rank-2 inputs exactly", () => {
  check(binaryConstModel(Op.ADD, [1, 6], [6], 90));
  check(binaryConstModel(Op.SUB, [2, 6], [1, 6], 91, { constFirst: true }));
  // A rank-2 input against a rank-4 constant gives a rank-4 result.
  check(binaryConstModel(Op.MUL, [4, 2], [1, 3, 4, 2], 92));
  check(binaryConstModel(Op.DIV, [4, 1], [1, 3, 4, 2], 93, { constFirst: true }), {
    range: [0.5, 2],
  });
});

// ---------------------------------------------------------------------------------------------
// Unary activations

Deno.test("convertTflite() converts HARD_SWISH exactly", () => {
  check(single(Op.HARD_SWISH, [1, 4, 5, 3], [1, 4, 5, 3]), { range: [-5, 5] });
});

Deno.test("convertTflite() converts RELU and RELU6 exactly", () => {
  check(single(Op.RELU, [1, 4, 5, 3], [1, 4, 5, 3]), { range: [-3, 3] });
  const out = check(single(Op.RELU6, [1, 4, 5, 3], [1, 4, 5, 3]), { range: [-8, 8] });
  assert.ok(out[0]!.includes(6) && out[0]!.includes(0));
});

Deno.test("convertTflite() converts RELU_N1_TO_1 exactly", () => {
  // The reference evaluator lacks this op: clamp to [-1, 1] here.
  const out = check(single(Op.RELU_N1_TO_1, [1, 3, 4, 2], [1, 3, 4, 2]), {
    range: [-3, 3],
    expected: (x) => [x.map((v) => Math.min(1, Math.max(-1, v)))],
  });
  assert.ok(out[0]!.includes(1) && out[0]!.includes(-1));
});

Deno.test("convertTflite() converts TANH and LOGISTIC exactly", () => {
  check(single(Op.TANH, [1, 3, 4, 2], [1, 3, 4, 2]), { range: [-4, 4] });
  check(single(Op.LOGISTIC, [1, 3, 4, 2], [1, 3, 4, 2]), { range: [-10, 10] });
  check(single(Op.LOGISTIC, [1, 7], [1, 7]), { range: [-10, 10] });
});

// ---------------------------------------------------------------------------------------------
// Pools and MEAN

function poolModel(
  code: number,
  input: Shape4,
  filter: [number, number],
  stride: [number, number],
  padding: number,
  act: number = Act.NONE,
): TfliteBuilder {
  const [n, h, w, c] = input;
  const [fh, fw] = filter;
  const [sh, sw] = stride;
  const out = [n, outSize(padding, h, fh, sh), outSize(padding, w, fw, sw), c];
  return single(code, input, out, {
    0: ["i8", padding],
    1: ["i32", sw],
    2: ["i32", sh],
    3: ["i32", fw],
    4: ["i32", fh],
    5: ["i8", act],
  });
}

Deno.test("convertTflite() converts AVERAGE_POOL_2D with SAME padding and partial windows exactly", () => {
  // The padded cells are not counted: positive inputs make a wrong count visible at the edges.
  const range: [number, number] = [1, 2];
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 4, 5, 3], [3, 3], [1, 1], SAME), { range });
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 5, 5, 2], [3, 3], [2, 2], SAME), { range });
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 6, 4, 2], [2, 3], [2, 2], SAME), { range });
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 6, 7, 2], [3, 2], [2, 1], SAME, Act.RELU6), {
    range: [-8, 8],
  });
});

Deno.test("convertTflite() converts AVERAGE_POOL_2D with VALID padding exactly", () => {
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 4, 6, 3], [2, 2], [2, 2], VALID));
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 5, 6, 2], [3, 2], [1, 2], VALID));
});

Deno.test("convertTflite() converts a global AVERAGE_POOL_2D exactly", () => {
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 4, 5, 3], [4, 5], [1, 1], VALID));
  check(poolModel(Op.AVERAGE_POOL_2D, [1, 3, 3, 4], [3, 3], [3, 3], VALID));
});

Deno.test("convertTflite() converts MAX_POOL_2D exactly", () => {
  // All-negative inputs: a padded zero must never win.
  check(poolModel(Op.MAX_POOL_2D, [1, 5, 6, 3], [3, 3], [2, 2], SAME), { range: [-2, -1] });
  check(poolModel(Op.MAX_POOL_2D, [1, 4, 6, 2], [2, 3], [2, 1], SAME));
  check(poolModel(Op.MAX_POOL_2D, [1, 4, 6, 2], [2, 2], [2, 2], VALID));
  check(poolModel(Op.MAX_POOL_2D, [1, 3, 4, 2], [3, 4], [1, 1], VALID));
});

function meanModel(
  input: readonly number[],
  axes: number[],
  keep: boolean,
  out: readonly number[],
): TfliteBuilder {
  return single(
    Op.MEAN,
    input,
    out,
    { 0: ["bool", keep] },
    (b) => [b.constant("axes", [axes.length], new Int32Array(axes))],
  );
}

Deno.test("convertTflite() converts MEAN over axes [1, 2], [1] and [2] exactly", () => {
  check(meanModel([1, 3, 4, 5], [1, 2], true, [1, 1, 1, 5]));
  check(meanModel([1, 3, 4, 5], [1, 2], false, [1, 5]));
  check(meanModel([1, 3, 4, 5], [2], true, [1, 3, 1, 5]));
  // A rank-3 result that keeps both a spatial axis and the channels: NHWC order matters.
  check(meanModel([1, 3, 4, 5], [1], false, [1, 4, 5]));
  check(meanModel([1, 3, 4, 5], [2], false, [1, 3, 5]));
});

Deno.test("convertTflite() converts MEAN over axis -1 exactly", () => {
  check(meanModel([1, 3, 4, 5], [-1], false, [1, 3, 4]));
  check(meanModel([1, 3, 4, 5], [-1], true, [1, 3, 4, 1]));
  check(meanModel([2, 6], [-1], true, [2, 1]));
});

// ---------------------------------------------------------------------------------------------
// FULLY_CONNECTED

function fcModel(
  input: readonly number[],
  outF: number,
  inF: number,
  out: readonly number[],
  seed: number,
  { bias = true, keep = false, act = Act.NONE as number } = {},
): TfliteBuilder {
  const r = rng(seed);
  return single(
    Op.FULLY_CONNECTED,
    input,
    out,
    { 0: ["i8", act], 1: ["i8", 0], 2: ["bool", keep] },
    (b) => [
      b.constant("w", [outF, inF], randoms(r, outF * inF)),
      ...(bias ? [b.constant("b", [outF], randoms(r, outF))] : []),
    ],
  );
}

Deno.test("convertTflite() converts FULLY_CONNECTED on a [1, 1, 1, C] input exactly", () => {
  // Non-square [out, in] weights catch a transposition.
  check(fcModel([1, 1, 1, 6], 4, 6, [1, 4], 100));
  check(fcModel([1, 1, 1, 6], 4, 6, [1, 4], 101, { bias: false }));
  check(fcModel([1, 1, 1, 6], 7, 6, [1, 1, 1, 7], 102, { keep: true }));
  check(fcModel([1, 5], 3, 5, [1, 3], 103, { act: Act.RELU }), { range: [-3, 3] });
});

Deno.test("convertTflite() converts FULLY_CONNECTED on a flattened [1, H, W, C] input exactly", () => {
  // The flattening follows NHWC order.
  check(fcModel([1, 2, 3, 4], 5, 24, [1, 5], 104));
  check(fcModel([1, 2, 3, 4], 5, 24, [1, 5], 105, { bias: false, act: Act.RELU6 }), {
    range: [-3, 3],
  });
});

Deno.test("convertTflite() converts FULLY_CONNECTED with keep_num_dims exactly", () => {
  check(fcModel([1, 2, 3, 4], 5, 4, [1, 2, 3, 5], 106, { keep: true }));
  // Without keep_num_dims the rows are the flattened leading dims.
  check(fcModel([1, 2, 3, 4], 5, 4, [6, 5], 107));
  check(fcModel([1, 2, 3, 4], 3, 8, [3, 3], 108, { bias: false }));
});

// ---------------------------------------------------------------------------------------------
// RESIZE_BILINEAR

function resizeModel(
  input: Shape4,
  size: [number, number],
  alignCorners: boolean,
  halfPixel: boolean,
): TfliteBuilder {
  return single(
    Op.RESIZE_BILINEAR,
    input,
    [input[0], size[0], size[1], input[3]],
    { 2: ["bool", alignCorners], 3: ["bool", halfPixel] },
    (b) => [b.constant("size", [2], new Int32Array(size))],
  );
}

for (
  const [mode, alignCorners, halfPixel] of [
    ["half_pixel_centers", false, true],
    ["align_corners", true, false],
    ["neither flag", false, false],
  ] as const
) {
  Deno.test(`convertTflite() converts RESIZE_BILINEAR with ${mode} exactly`, () => {
    check(resizeModel([1, 3, 4, 2], [6, 8], alignCorners, halfPixel)); // upsample ×2
    check(resizeModel([1, 3, 4, 2], [7, 5], alignCorners, halfPixel)); // uneven upsample
    check(resizeModel([1, 6, 7, 2], [3, 2], alignCorners, halfPixel)); // downsample
    check(resizeModel([1, 5, 4, 3], [2, 9], alignCorners, halfPixel)); // down and up
    check(resizeModel([1, 1, 1, 3], [3, 4], alignCorners, halfPixel)); // 1×1 input
    check(resizeModel([1, 4, 5, 2], [1, 1], alignCorners, halfPixel)); // 1×1 output
  });
}

// ---------------------------------------------------------------------------------------------
// CONCATENATION

function concatModel(
  xShape: Shape4,
  cShape: Shape4,
  axis: number,
  seed: number,
  act: number = Act.NONE,
): TfliteBuilder {
  const r = rng(seed);
  const ax = axis < 0 ? axis + 4 : axis;
  // Two activations (x, tanh(x)) and a constant: [x, c, tanh(x)].
  const out = xShape.map((d, k) => (k === ax ? 2 * d + cShape[k]! : d));
  const b = new TfliteBuilder();
  const x = b.input("x", xShape);
  const t = b.tensor("t", xShape);
  const c = b.constant("c", cShape, randoms(r, size(cShape), -3, 3));
  const y = b.output("y", out);
  b.op(Op.TANH, [x], [t]);
  return b.op(Op.CONCATENATION, [x, c, t], [y], { 0: ["i32", axis], 1: ["i8", act] });
}

Deno.test("convertTflite() converts CONCATENATION on axis 3 and -1 exactly", () => {
  check(concatModel([1, 3, 4, 2], [1, 3, 4, 3], 3, 110), { range: [-3, 3] });
  check(concatModel([1, 3, 4, 2], [1, 3, 4, 1], -1, 111, Act.RELU), { range: [-3, 3] });
});

Deno.test("convertTflite() converts CONCATENATION on axis 1 and 2 of NHWC exactly", () => {
  check(concatModel([1, 3, 4, 2], [1, 2, 4, 2], 1, 112), { range: [-3, 3] });
  check(concatModel([1, 3, 4, 2], [1, 3, 1, 2], 2, 113), { range: [-3, 3] });
  check(concatModel([1, 3, 4, 2], [1, 3, 2, 2], -2, 114, Act.RELU_N1_TO_1), { range: [-3, 3] });
});

// ---------------------------------------------------------------------------------------------
// DEQUANTIZE

Deno.test("convertTflite() converts DEQUANTIZE of float16 weights feeding a CONV_2D exactly", () => {
  const r = rng(120);
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 5, 4, 3]);
  const w16 = b.constant("w_fp16", [4, 3, 3, 3], toFloat16(randoms(r, 4 * 27)));
  const b16 = b.constant("b_fp16", [4], toFloat16(randoms(r, 4)));
  const w = b.tensor("w", [4, 3, 3, 3]);
  const bias = b.tensor("b", [4]);
  const c16 = b.constant("c_fp16", [4], toFloat16(randoms(r, 4)));
  const c = b.tensor("c", [4]);
  const conv = b.tensor("conv", [1, 3, 2, 4]);
  const y = b.output("y", [1, 3, 2, 4]);
  b.op(Op.DEQUANTIZE, [w16], [w]).op(Op.DEQUANTIZE, [b16], [bias]).op(Op.DEQUANTIZE, [c16], [c]);
  b.op(Op.CONV_2D, [x, w, bias], [conv], { 0: ["i8", SAME], 1: ["i32", 2], 2: ["i32", 2] });
  b.op(Op.MUL, [conv, c], [y], { 0: ["i8", Act.NONE] });
  check(b);
});

Deno.test("toFloat16() rounds to the nearest half-precision value", () => {
  const halves = new Uint16Array(
    toFloat16([0, -0, 1, -2, 65504, 1e6, 2 ** -24, 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11])
      .buffer,
  );
  assert.deepEqual(
    [...halves],
    [0, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x3c00, 0x3c02],
  );
});

// ---------------------------------------------------------------------------------------------
// RESHAPE

Deno.test("convertTflite() converts RESHAPE in NHWC order exactly", () => {
  const r = rng(130);
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 2, 2, 3]);
  const flat = b.tensor("flat", [1, 12]);
  const shape = b.constant("shape", [4], new Int32Array([1, 3, 2, 2]));
  const back = b.tensor("back", [1, 3, 2, 2]);
  // A non-uniform constant makes the values' positions matter after the reshape.
  const c = b.constant("c", [1, 3, 2, 2], randoms(r, 12, -5, 5));
  const y = b.output("y", [1, 3, 2, 2]);
  b.op(Op.RESHAPE, [x], [flat], { 0: ["i32s", [1, 12]] });
  b.op(Op.RESHAPE, [flat, shape], [back], { 0: ["i32s", [1, 3, 2, 2]] });
  b.op(Op.ADD, [back, c], [y], { 0: ["i8", Act.NONE] });
  check(b);
});

Deno.test("convertTflite() converts RESHAPE between rank-4 shapes and to rank 3 exactly", () => {
  // [1, 2, 3, 4] → [1, 4, 3, 2] feeding a CONV_2D (so the NCHW inside must be right).
  const r = rng(131);
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 2, 3, 4]);
  const shape = b.constant("shape", [4], new Int32Array([1, 4, 3, 2]));
  const reshaped = b.tensor("reshaped", [1, 4, 3, 2]);
  const w = b.constant("w", [3, 2, 2, 2], randoms(r, 24));
  const y = b.output("y", [1, 4, 3, 3]);
  b.op(Op.RESHAPE, [x, shape], [reshaped], { 0: ["i32s", [1, 4, 3, 2]] });
  b.op(Op.CONV_2D, [reshaped, w], [y], {
    0: ["i8", SAME],
    1: ["i32", 1],
    2: ["i32", 1],
  });
  check(b);
  // [1, 2, 3, 4] → [1, 6, 4] (the shape given by a -1).
  const b2 = single(
    Op.RESHAPE,
    [1, 2, 3, 4],
    [1, 6, 4],
    { 0: ["i32s", [1, -1, 4]] },
    (b) => [b.constant("shape", [3], new Int32Array([1, -1, 4]))],
  );
  check(b2);
});

// ---------------------------------------------------------------------------------------------
// SOFTMAX

Deno.test("convertTflite() converts SOFTMAX with beta 1 and 0.5 exactly", () => {
  for (const beta of [1, 0.5]) {
    check(single(Op.SOFTMAX, [1, 3, 4, 5], [1, 3, 4, 5], { 0: ["f32", beta] }), { range: [-4, 4] });
    check(single(Op.SOFTMAX, [2, 6], [2, 6], { 0: ["f32", beta] }), { range: [-4, 4] });
  }
  // Checked by hand too: softmax over the channels of [1, 1, 1, 3].
  check(single(Op.SOFTMAX, [1, 1, 1, 3], [1, 1, 1, 3], { 0: ["f32", 0.5] }), {
    expected: (x) => {
      const e = [...x].map((v) => Math.exp(0.5 * v));
      const s = e.reduce((a, b) => a + b, 0);
      return [Float32Array.from(e, (v) => v / s)];
    },
  });
});

// ---------------------------------------------------------------------------------------------
// PAD

/** Zero padding computed here (the evaluator lacks PAD). */
function padExpected(x: Float32Array, shape: readonly number[], pads: number[][]): Float32Array {
  const out = shape.map((d, k) => d + pads[k]![0]! + pads[k]![1]!);
  const result = new Float32Array(size(out));
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let k = 0; k < shape.length; k++) o = o * out[k]! + idx[k]! + pads[k]![0]!;
    result[o] = x[i]!;
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return result;
}

Deno.test("convertTflite() converts PAD exactly", () => {
  const cases: [number[], number[][]][] = [
    [[1, 3, 4, 2], [[0, 0], [1, 2], [0, 1], [1, 0]]],
    [[1, 2, 2, 3], [[0, 0], [0, 0], [2, 2], [0, 0]]],
    [[2, 3], [[1, 0], [0, 2]]],
  ];
  for (const [shape, pads] of cases) {
    const out = shape.map((d, k) => d + pads[k]![0]! + pads[k]![1]!);
    const b = single(
      Op.PAD,
      shape,
      out,
      null,
      (b) => [b.constant("paddings", [shape.length, 2], new Int32Array(pads.flat()))],
    );
    check(b, { expected: (x) => [padExpected(x, shape, pads)] });
  }
});

// ---------------------------------------------------------------------------------------------
// A small multi-op graph with two outputs

Deno.test("convertTflite() converts a graph with several ops and two outputs exactly", () => {
  const r = rng(140);
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 6, 5, 3]);
  const w = b.constant("w", [4, 3, 3, 3], randoms(r, 108));
  const bias = b.constant("b", [4], randoms(r, 4));
  const conv = b.tensor("conv", [1, 3, 3, 4]);
  const hs = b.tensor("hs", [1, 3, 3, 4]);
  const dw = b.constant("dw", [1, 3, 3, 4], randoms(r, 36));
  const dconv = b.tensor("dconv", [1, 3, 3, 4]);
  const pooled = b.output("pooled", [1, 1, 1, 4]);
  const up = b.output("up", [1, 6, 6, 4]);
  const size6 = b.constant("size", [2], new Int32Array([6, 6]));
  b.op(Op.CONV_2D, [x, w, bias], [conv], { 0: ["i8", SAME], 1: ["i32", 2], 2: ["i32", 2] });
  b.op(Op.HARD_SWISH, [conv], [hs]);
  b.op(Op.DEPTHWISE_CONV_2D, [hs, dw], [dconv], {
    0: ["i8", SAME],
    1: ["i32", 1],
    2: ["i32", 1],
    3: ["i32", 1],
    4: ["i8", Act.RELU],
  });
  b.op(Op.AVERAGE_POOL_2D, [dconv], [pooled], {
    0: ["i8", VALID],
    1: ["i32", 1],
    2: ["i32", 1],
    3: ["i32", 3],
    4: ["i32", 3],
  });
  b.op(Op.RESIZE_BILINEAR, [dconv, size6], [up], { 3: ["bool", true] });
  check(b, { range: [-2, 2] });
});

// ---------------------------------------------------------------------------------------------
// Errors

Deno.test("convertTflite() names an unsupported builtin op and lists the supported ones", () => {
  for (const [name, code] of [["SQUEEZE", Op.SQUEEZE], ["GATHER", Op.GATHER]] as const) {
    const b = single(code, [1, 1, 1, 4], [4], null, (b) => [
      b.constant("indices", [1], new Int32Array([0])),
    ]);
    const message = assertConvertThrows(b.build(), ConvertError, `"${name}"`, "unsupported");
    for (const op of SUPPORTED_OPS) assert.ok(message.includes(op), `${message} lists ${op}`);
  }
});

Deno.test("convertTflite() names an unknown custom op", () => {
  const b = single("MyMysteryOp", [1, 2, 2, 3], [1, 2, 2, 3], null, () => [], new Uint8Array(4));
  assertConvertThrows(b.build(), ConvertError, `"MyMysteryOp"`, "custom");
});

Deno.test("convertTflite() rejects a quantized INT8 input", () => {
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 2, 2, 3], TensorType.INT8);
  const y = b.output("y", [1, 2, 2, 3], TensorType.INT8);
  b.op(Op.RELU, [x], [y]);
  assertConvertThrows(b.build(), ConvertError, "INT8", "quantized");
});

Deno.test("convertTflite() rejects a declared output shape that the op does not produce", () => {
  const r = rng(150);
  // Stride 2 gives [1, 2, 2, 8], not [1, 4, 4, 8].
  const conv = single(
    Op.CONV_2D,
    [1, 4, 4, 3],
    [1, 4, 4, 8],
    { 0: ["i8", SAME], 1: ["i32", 2], 2: ["i32", 2] },
    (b) => [b.constant("w", [8, 3, 3, 3], randoms(r, 216))],
  );
  assertConvertThrows(
    conv.build(),
    ConvertError,
    "CONV_2D",
    "shape",
    "[1, 4, 4, 8]",
    "[1, 2, 2, 8]",
  );
  const pool = single(Op.MAX_POOL_2D, [1, 4, 4, 3], [1, 4, 4, 3], {
    0: ["i8", VALID],
    1: ["i32", 2],
    2: ["i32", 2],
    3: ["i32", 2],
    4: ["i32", 2],
  });
  assertConvertThrows(pool.build(), ConvertError, "MAX_POOL_2D", "shape", "[1, 2, 2, 3]");
  const add = binaryConstModel(Op.ADD, [1, 3, 4, 5], [5], 151);
  const bad = new TfliteBuilder();
  const x = bad.input("x", [1, 3, 4, 5]);
  const c = bad.constant("c", [5], randoms(r, 5));
  const y = bad.output("y", [1, 3, 4, 1]);
  bad.op(Op.ADD, [x, c], [y], { 0: ["i8", Act.NONE] });
  convertTflite(add.build()); // the well-formed one converts
  assertConvertThrows(bad.build(), ConvertError, "ADD", "shape", "[1, 3, 4, 1]");
});

Deno.test("convertTflite() rejects a tensor index out of range with a TfliteError", () => {
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 2, 2, 3]);
  const y = b.output("y", [1, 2, 2, 3]);
  b.op(Op.RELU, [x], [y + 5]);
  assertConvertThrows(b.build(), TfliteError, "tensor 6");
  const b2 = new TfliteBuilder();
  b2.input("x", [1, 2, 2, 3]);
  b2.markOutputs(42);
  assertConvertThrows(b2.build(), TfliteError, "tensor 42");
});

Deno.test("the TFLite builder writes files the parser reads back", () => {
  const b = new TfliteBuilder();
  const x = b.input("x", [1, 2, 2, 3]);
  const w = b.constant("w", [2, 1, 1, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
  const y = b.output("y", [1, 2, 2, 2]);
  b.op(Op.CONV_2D, [x, w, -1], [y], { 0: ["i8", VALID], 1: ["i32", 1], 2: ["i32", 1] });
  b.op("Custom", [y], [y], null, new Uint8Array([1, 2, 3]));
  const bytes = b.build();
  assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), "TFL3");
  const m = parseTflite(bytes);
  assert.equal(m.version, 3);
  assert.deepEqual(m.tensors.map((t) => [t.name, t.shape, t.type]), [
    ["x", [1, 2, 2, 3], 0],
    ["w", [2, 1, 1, 3], 0],
    ["y", [1, 2, 2, 2], 0],
  ]);
  assert.deepEqual([...new Float32Array(m.tensors[1]!.data!.slice().buffer)], [1, 2, 3, 4, 5, 6]);
  assert.equal(m.tensors[0]!.data, null);
  assert.deepEqual(m.operators.map((o) => [o.op, o.custom, o.inputs, o.outputs]), [
    ["CONV_2D", false, [0, 1, -1], [2]],
    ["Custom", true, [2], [2]],
  ]);
  assert.equal(m.operators[0]!.options!.i32(1), 1);
  assert.deepEqual([...m.operators[1]!.customOptions!], [1, 2, 3]);
});
