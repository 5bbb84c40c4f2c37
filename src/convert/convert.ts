/**
 * TFLite → ONNX conversion with exact TFLite semantics.
 *
 * The ONNX model keeps the TFLite model's interface: one float32 input named `input` and outputs
 * named `output` (`output_1`, ... when there are several), all NHWC exactly as in the TFLite file.
 * Inside, every rank-4 activation is kept NCHW (ONNX's native layout) with one Transpose after
 * the input and one before each output; constants are permuted at conversion time.
 *
 * Exactness rules (see ../shared/TFLITE_FACTS.md): SAME padding puts the odd pixel at the end,
 * RESIZE_BILINEAR maps `half_pixel_centers` to `half_pixel` and `align_corners` to
 * `align_corners` (neither: `asymmetric`), FULLY_CONNECTED weights are `[out, in]`,
 * `Convolution2DTransposeBias` is an unflipped ConvTranspose, LOGISTIC is a true Sigmoid and fp16
 * weights behind DEQUANTIZE are folded into fp32 initializers.
 *
 * Every declared TFLite output shape is checked against the shape the op computes from its inputs
 * and options, so a corrupt file fails with a message instead of becoming a wrong model.
 *
 * @module
 */

import { type Attribute, DataType, GraphBuilder } from "./onnx.ts";
import { ConvertError } from "./errors.ts";
import {
  parseTflite,
  tensorTypeName,
  TfliteError,
  type TfliteModel,
  type TfliteOperator,
} from "./tflite.ts";
import { FlatBufferError, type Table } from "./flatbuffers.ts";
import { halfToFloat, permute } from "./tensor_data.ts";

export { CONVERTER_VERSION, ConvertError } from "./errors.ts";

/** One input or output of a converted model. */
export interface ConvertedIo {
  /** Name in the ONNX model (`input`, `output`, `output_1`, ...). */
  name: string;
  /** Name in the TFLite model. */
  tfliteName: string;
  /** Shape, NHWC for images, as in the TFLite model. */
  shape: number[];
}

/** The result of {@linkcode convertTflite}. */
export interface ConvertResult {
  /** The serialized ONNX model. */
  onnx: Uint8Array;
  /** The model's input. */
  input: ConvertedIo;
  /** The model's outputs, in TFLite order. */
  outputs: ConvertedIo[];
  /** How many times each TFLite op occurs. */
  opCounts: Record<string, number>;
}

/** Every TFLite op the converter handles (custom ops by their custom code). */
export const SUPPORTED_OPS: readonly string[] = [
  "ADD",
  "AVERAGE_POOL_2D",
  "CONCATENATION",
  "CONV_2D",
  "Convolution2DTransposeBias",
  "DEPTHWISE_CONV_2D",
  "DEQUANTIZE",
  "DIV",
  "FULLY_CONNECTED",
  "HARD_SWISH",
  "LOGISTIC",
  "MAX_POOL_2D",
  "MEAN",
  "MUL",
  "PAD",
  "RELU",
  "RELU6",
  "RELU_N1_TO_1",
  "RESHAPE",
  "RESIZE_BILINEAR",
  "SOFTMAX",
  "SUB",
  "TANH",
  "TRANSPOSE_CONV",
];

/**
 * Converts a TFLite model to ONNX.
 *
 * @param bytes the `.tflite` file
 * @returns the ONNX model and a description of its interface
 * @throws {TfliteError} when the file is not a valid TFLite model
 * @throws {ConvertError} when the model uses an op or feature that is not supported
 * @example
 * ```ts
 * const { onnx, input } = convertTflite(await Deno.readFile("selfie_segmentation.tflite"));
 * await Deno.writeFile("selfie.onnx", onnx); // input.shape is [1, 256, 256, 3]
 * ```
 */
export function convertTflite(bytes: Uint8Array): ConvertResult {
  const model = parseTflite(bytes);
  try {
    return new Converter(model).run();
  } catch (e) {
    // Option tables are read lazily, so a corrupt one is found here.
    if (e instanceof FlatBufferError) throw new TfliteError(`corrupt TFLite file: ${e.message}`);
    throw e;
  }
}

/** NHWC axis → NCHW axis. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1] as const;
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

/** TFLite `ActivationFunctionType`. */
const Act = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 } as const;
const ACT_NAMES = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"];

/** TFLite `Padding`. */
const SAME = 0;
const VALID = 1;

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Output size and [before, after] padding of one spatial axis, as TFLite computes them. */
function spatial(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: number,
): { out: number; before: number; after: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === SAME) {
    const out = Math.ceil(input / stride);
    const total = Math.max((out - 1) * stride + effective - input, 0);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  return { out: Math.ceil((input - effective + 1) / stride), before: 0, after: 0 };
}

class Converter {
  readonly #m: TfliteModel;
  readonly #g = new GraphBuilder();
  /** TFLite tensor index → ONNX value name (rank-4 activations in NCHW). */
  readonly #values = new Map<number, string>();
  /** TFLite tensor index → folded constant values (TFLite layout). */
  readonly #folded = new Map<number, Float32Array>();
  /** The op being converted, for messages. */
  #op: TfliteOperator | null = null;

  constructor(model: TfliteModel) {
    this.#m = model;
  }

  run(): ConvertResult {
    const m = this.#m;
    if (m.inputs.length !== 1) {
      throw new ConvertError(`the model has ${m.inputs.length} inputs; only one is supported`);
    }
    const inputTensor = this.#tensor(m.inputs[0]!);
    if (inputTensor.type !== 0) {
      throw new ConvertError(
        `the model input "${inputTensor.name}" is ${
          tensorTypeName(inputTensor.type)
        }; only float32 models are supported (quantized models are not)`,
      );
    }
    const input: ConvertedIo = {
      name: "input",
      tfliteName: inputTensor.name,
      shape: [...inputTensor.shape],
    };
    this.#g.addInput("input", DataType.FLOAT, input.shape);
    if (input.shape.length === 4) {
      const nchw = this.#g.uniqueName("input_nchw");
      this.#g.addNode("Transpose", ["input"], [nchw], { perm: { ints: TO_NCHW } });
      this.#values.set(inputTensor.index, nchw);
    } else {
      this.#values.set(inputTensor.index, "input");
    }

    const opCounts: Record<string, number> = {};
    for (const op of m.operators) {
      this.#op = op;
      opCounts[op.op] = (opCounts[op.op] ?? 0) + 1;
      this.#convertOp(op);
    }
    this.#op = null;

    const outputs = m.outputs.map((index, k): ConvertedIo => {
      const t = this.#tensor(index);
      const name = k === 0 ? "output" : `output_${k}`;
      const value = this.#activation(index);
      if (t.shape.length === 4) {
        this.#g.addNode("Transpose", [value], [name], { perm: { ints: TO_NHWC } });
      } else {
        this.#g.addNode("Identity", [value], [name]);
      }
      this.#g.addOutput(name, DataType.FLOAT, t.shape);
      return { name, tfliteName: t.name, shape: [...t.shape] };
    });

    const onnx = this.#g.encode({
      docString: `Converted from TFLite by backscrub. Input "input" ${
        fmt(input.shape)
      } NHWC float32; outputs ${
        outputs.map((o) => `"${o.name}" ${fmt(o.shape)}`).join(", ")
      } NHWC.`,
      metadata: { source_format: "tflite", layout: "NHWC", tflite_description: m.description },
    });
    return { onnx, input, outputs, opCounts };
  }

  // ---- errors and tensors ----

  #fail(message: string): never {
    const op = this.#op;
    const where = op ? `operator ${op.index} (${op.op}): ` : "";
    throw new ConvertError(`${where}${message}`);
  }

  #tensor(index: number): TfliteModel["tensors"][number] {
    const t = this.#m.tensors[index];
    if (!t) this.#fail(`tensor ${index} does not exist`);
    return t;
  }

  #shape(index: number): number[] {
    return this.#tensor(index).shape;
  }

  #isConst(index: number): boolean {
    return this.#folded.has(index) || this.#tensor(index).data !== null;
  }

  /** The float32 values of a constant tensor (FLOAT32 data, FLOAT16 data or a folded DEQUANTIZE). */
  #constF32(index: number, what: string): Float32Array {
    const folded = this.#folded.get(index);
    if (folded) return folded;
    const t = this.#tensor(index);
    if (!t.data) this.#fail(`the ${what} "${t.name}" must be a constant`);
    const count = product(t.shape);
    let values: Float32Array;
    if (t.type === 0) {
      if (t.data.byteLength !== count * 4) this.#badData(t.name, t.data.byteLength, count * 4);
      values = new Float32Array(count);
      new Uint8Array(values.buffer).set(t.data);
    } else if (t.type === 1) {
      if (t.data.byteLength !== count * 2) this.#badData(t.name, t.data.byteLength, count * 2);
      values = halfToFloat(t.data);
    } else {
      this.#fail(
        `the ${what} "${t.name}" is ${tensorTypeName(t.type)}; expected float32 or float16`,
      );
    }
    this.#folded.set(index, values);
    return values;
  }

  /** The int32 values of a constant tensor (axes, sizes, shapes). */
  #constI32(index: number, what: string): Int32Array {
    const t = this.#tensor(index);
    if (!t.data) this.#fail(`the ${what} "${t.name}" must be a constant`);
    const count = product(t.shape);
    if (t.type === 2) {
      if (t.data.byteLength !== count * 4) this.#badData(t.name, t.data.byteLength, count * 4);
      const out = new Int32Array(count);
      new Uint8Array(out.buffer).set(t.data);
      return out;
    }
    if (t.type === 4) {
      if (t.data.byteLength !== count * 8) this.#badData(t.name, t.data.byteLength, count * 8);
      const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      return Int32Array.from({ length: count }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    }
    this.#fail(`the ${what} "${t.name}" is ${tensorTypeName(t.type)}; expected int32`);
  }

  #badData(name: string, got: number, want: number): never {
    this.#fail(`constant "${name}" holds ${got} bytes; its shape needs ${want}`);
  }

  /** The ONNX value of an operand: an activation, or a constant made into an initializer. */
  #activation(index: number): string {
    const existing = this.#values.get(index);
    if (existing) return existing;
    const t = this.#tensor(index);
    if (!this.#isConst(index)) {
      this.#fail(`input "${t.name}" is used before any operator produces it`);
    }
    let data = this.#constF32(index, "operand");
    let shape = t.shape;
    if (shape.length === 4) ({ data, shape } = permute(data, shape, TO_NCHW));
    const name = this.#g.addInitializer(t.name, data, shape);
    this.#values.set(index, name);
    return name;
  }

  /** Registers the ONNX value that will hold TFLite tensor `index`. */
  #define(index: number): string {
    const t = this.#tensor(index);
    if (this.#values.has(index) || this.#isConst(index)) {
      this.#fail(`output "${t.name}" is written twice`);
    }
    if (t.type !== 0) {
      this.#fail(
        `output "${t.name}" is ${tensorTypeName(t.type)}; only float32 activations are supported`,
      );
    }
    const name = this.#g.uniqueName(t.name.replace(/[^A-Za-z0-9_./:-]/g, "_"));
    this.#values.set(index, name);
    return name;
  }

  #int64(base: string, values: readonly number[]): string {
    return this.#g.addInitializer(base, BigInt64Array.from(values.map(BigInt)), [values.length]);
  }

  #scalar(base: string, value: number): string {
    return this.#g.addInitializer(base, new Float32Array([value]), []);
  }

  #node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Record<string, Attribute>,
  ): void {
    this.#g.addNode(opType, inputs, outputs, attrs);
  }

  /** A fresh intermediate value name. */
  #temp(base: string): string {
    return this.#g.uniqueName(base);
  }

  #checkOutput(index: number, expected: readonly number[]): void {
    const declared = this.#shape(index);
    if (!sameShape(declared, expected)) {
      this.#fail(
        `output shape ${fmt(declared)} does not match ${fmt(expected)} computed from its inputs`,
      );
    }
  }

  #arity(op: TfliteOperator, min: number, max = min): void {
    if (op.inputs.length < min || op.inputs.length > max) {
      this.#fail(
        `expected ${min === max ? min : `${min} to ${max}`} inputs, found ${op.inputs.length}`,
      );
    }
    if (op.outputs.length !== 1) this.#fail(`expected 1 output, found ${op.outputs.length}`);
  }

  #in(op: TfliteOperator, k: number): number {
    const i = op.inputs[k];
    if (i === undefined || i < 0) this.#fail(`input ${k} is missing`);
    return i;
  }

  #options(op: TfliteOperator): Table {
    if (!op.options) this.#fail("the operator has no options");
    return op.options;
  }

  #rank4(index: number, what: string): [number, number, number, number] {
    const s = this.#shape(index);
    if (s.length !== 4) this.#fail(`the ${what} must be rank 4 (NHWC), found ${fmt(s)}`);
    return s as [number, number, number, number];
  }

  /** Emits the op into a temporary and then the fused activation into `out`. */
  #withActivation(act: number, out: string, emit: (target: string) => void): void {
    if (act === Act.NONE) {
      emit(out);
      return;
    }
    const pre = this.#temp(`${out}_pre`);
    emit(pre);
    this.#emitActivation(act, pre, out);
  }

  #emitActivation(act: number, x: string, out: string): void {
    switch (act) {
      case Act.NONE:
        this.#node("Identity", [x], [out]);
        return;
      case Act.RELU:
        this.#node("Relu", [x], [out]);
        return;
      case Act.RELU6:
        this.#node("Clip", [x, this.#scalar("zero", 0), this.#scalar("six", 6)], [out]);
        return;
      case Act.RELU_N1_TO_1:
        this.#node("Clip", [x, this.#scalar("minus_one", -1), this.#scalar("one", 1)], [out]);
        return;
      case Act.TANH:
        this.#node("Tanh", [x], [out]);
        return;
      default:
        this.#fail(`unsupported fused activation ${ACT_NAMES[act] ?? act}`);
    }
  }

  // ---- ops ----

  #convertOp(op: TfliteOperator): void {
    switch (op.op) {
      case "CONV_2D":
        return this.#conv(op, false);
      case "DEPTHWISE_CONV_2D":
        return this.#conv(op, true);
      case "Convolution2DTransposeBias":
        return this.#transposeConvBias(op);
      case "TRANSPOSE_CONV":
        return this.#transposeConv(op);
      case "ADD":
        return this.#binary(op, "Add");
      case "SUB":
        return this.#binary(op, "Sub");
      case "MUL":
        return this.#binary(op, "Mul");
      case "DIV":
        return this.#binary(op, "Div");
      case "RELU":
        return this.#unary(op, (x, y) => this.#emitActivation(Act.RELU, x, y));
      case "RELU6":
        return this.#unary(op, (x, y) => this.#emitActivation(Act.RELU6, x, y));
      case "RELU_N1_TO_1":
        return this.#unary(op, (x, y) => this.#emitActivation(Act.RELU_N1_TO_1, x, y));
      case "TANH":
        return this.#unary(op, (x, y) => this.#node("Tanh", [x], [y]));
      case "LOGISTIC":
        return this.#unary(op, (x, y) => this.#node("Sigmoid", [x], [y]));
      case "HARD_SWISH":
        return this.#unary(op, (x, y) => this.#node("HardSwish", [x], [y]));
      case "AVERAGE_POOL_2D":
        return this.#pool(op, "AveragePool");
      case "MAX_POOL_2D":
        return this.#pool(op, "MaxPool");
      case "MEAN":
        return this.#mean(op);
      case "FULLY_CONNECTED":
        return this.#fullyConnected(op);
      case "RESIZE_BILINEAR":
        return this.#resizeBilinear(op);
      case "CONCATENATION":
        return this.#concat(op);
      case "DEQUANTIZE":
        return this.#dequantize(op);
      case "RESHAPE":
        return this.#reshape(op);
      case "SOFTMAX":
        return this.#softmax(op);
      case "PAD":
        return this.#pad(op);
      default:
        this.#fail(
          `unsupported ${op.custom ? "custom " : ""}TFLite operator "${op.op}" (supported: ${
            SUPPORTED_OPS.join(", ")
          })`,
        );
    }
  }

  #unary(op: TfliteOperator, emit: (x: string, y: string) => void): void {
    this.#arity(op, 1);
    const x = this.#in(op, 0);
    this.#checkOutput(op.outputs[0]!, this.#shape(x));
    const xv = this.#activation(x);
    emit(xv, this.#define(op.outputs[0]!));
  }

  #conv(op: TfliteOperator, depthwise: boolean): void {
    this.#arity(op, 2, 3);
    const o = this.#options(op);
    // Conv2DOptions: padding 0, stride_w 1, stride_h 2, act 3, dilation_w 4, dilation_h 5.
    // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, act 4,
    // dilation_w 5, dilation_h 6.
    const padding = o.i8(0);
    const sw = o.i32(1);
    const sh = o.i32(2);
    const act = depthwise ? o.i8(4) : o.i8(3);
    const dw = depthwise ? o.i32(5, 1) : o.i32(4, 1);
    const dh = depthwise ? o.i32(6, 1) : o.i32(5, 1);
    if (padding !== SAME && padding !== VALID) this.#fail(`unknown padding ${padding}`);
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1) {
      this.#fail(`invalid strides (${sw}, ${sh}) or dilations (${dw}, ${dh})`);
    }
    const x = this.#in(op, 0);
    const w = this.#in(op, 1);
    const [n, h, wd, c] = this.#rank4(x, "input");
    const ws = this.#rank4(w, "filter");
    const [wo, kh, kw, wi] = ws;
    let outC: number;
    let group: number;
    let perm: number[];
    if (depthwise) {
      if (wo !== 1) this.#fail(`depthwise filter ${fmt(ws)} must start with 1`);
      if (wi % c !== 0) this.#fail(`depthwise filter ${fmt(ws)} does not fit ${c} channels`);
      const mult = o.i32(3, 1);
      if (mult !== 0 && mult * c !== wi) {
        this.#fail(`depth_multiplier ${mult} with ${c} channels does not give ${wi}`);
      }
      outC = wi;
      group = c;
      perm = [3, 0, 1, 2]; // [1, kh, kw, C*M] → [C*M, 1, kh, kw]
    } else {
      if (wi !== c && (wi === 0 || c % wi !== 0)) {
        this.#fail(`filter ${fmt(ws)} does not fit an input with ${c} channels`);
      }
      outC = wo;
      group = c / wi;
      perm = [0, 3, 1, 2]; // [O, kh, kw, I] → [O, I, kh, kw]
    }
    const py = spatial(h, kh, sh, dh, padding);
    const px = spatial(wd, kw, sw, dw, padding);
    if (py.out < 1 || px.out < 1) this.#fail(`the filter ${fmt(ws)} is larger than the input`);
    this.#checkOutput(op.outputs[0]!, [n, py.out, px.out, outC]);

    const weights = permute(this.#constF32(w, "filter"), ws, perm);
    const inputs = [
      this.#activation(x),
      this.#g.addInitializer(this.#tensor(w).name, weights.data, weights.shape),
    ];
    const b = op.inputs[2];
    if (b !== undefined && b >= 0) inputs.push(this.#bias(b, outC));
    const y = this.#define(op.outputs[0]!);
    this.#withActivation(act, y, (target) =>
      this.#node("Conv", inputs, [target], {
        kernel_shape: { ints: [kh, kw] },
        strides: { ints: [sh, sw] },
        dilations: { ints: [dh, dw] },
        pads: { ints: [py.before, px.before, py.after, px.after] },
        group: { i: group },
      }));
  }

  #bias(index: number, channels: number): string {
    const shape = this.#shape(index);
    if (product(shape) !== channels || shape.length !== 1) {
      this.#fail(`bias shape ${fmt(shape)} does not match ${channels} output channels`);
    }
    const t = this.#tensor(index);
    return this.#g.addInitializer(t.name, this.#constF32(index, "bias"), [channels]);
  }

  /**
   * A ConvTranspose with TFLite's unflipped [O, kh, kw, I] filter. `pads` gives the padding of
   * each axis as [before, after] from the input size, kernel and stride (it differs between the
   * builtin op and MediaPipe's custom op); the output must be what that padding produces.
   */
  #emitTransposeConv(
    x: number,
    w: number,
    bias: number | undefined,
    out: number,
    stride: [number, number],
    pads: (input: number, kernel: number, stride: number, output: number) => [number, number],
    act: number,
    trailing: boolean,
  ): void {
    const [sh, sw] = stride;
    if (sw < 1 || sh < 1) this.#fail(`invalid strides (${sw}, ${sh})`);
    const [n, h, wd, c] = this.#rank4(x, "input");
    const ws = this.#rank4(w, "filter");
    const [o, kh, kw, i] = ws;
    if (i !== c) this.#fail(`filter ${fmt(ws)} does not fit an input with ${c} channels`);
    const [, oh, ow] = this.#rank4(out, "output");
    const [top, bottom] = pads(h, kh, sh, oh);
    const [left, right] = pads(wd, kw, sw, ow);
    // ONNX: out = stride * (in - 1) + output_padding + k - pad_begin - pad_end. TFLite's builtin
    // op may declare up to stride - 1 trailing rows/columns that no input reaches (bias only):
    // ONNX's output_padding adds exactly those.
    const extraY = oh - (sh * (h - 1) + kh - top - bottom);
    const extraX = ow - (sw * (wd - 1) + kw - left - right);
    const limit = (s: number): number => (trailing ? s - 1 : 0);
    if (extraY < 0 || extraX < 0 || extraY > limit(sh) || extraX > limit(sw)) {
      this.#fail(`output shape ${fmt(this.#shape(out))} cannot come from this transpose conv`);
    }
    this.#checkOutput(out, [n, oh, ow, o]);
    const weights = permute(this.#constF32(w, "filter"), ws, [3, 0, 1, 2]);
    const inputs = [
      this.#activation(x),
      this.#g.addInitializer(this.#tensor(w).name, weights.data, weights.shape),
    ];
    if (bias !== undefined && bias >= 0) inputs.push(this.#bias(bias, o));
    const y = this.#define(out);
    this.#withActivation(act, y, (target) =>
      this.#node("ConvTranspose", inputs, [target], {
        kernel_shape: { ints: [kh, kw] },
        strides: { ints: [sh, sw] },
        pads: { ints: [top, left, bottom, right] },
        ...(extraY || extraX ? { output_padding: { ints: [extraY, extraX] } } : {}),
      }));
  }

  #transposeConvBias(op: TfliteOperator): void {
    this.#arity(op, 3);
    const opts = op.customOptions;
    if (!opts || opts.byteLength < 12) {
      this.#fail(`expected 12 bytes of custom options, found ${opts?.byteLength ?? 0}`);
    }
    const view = new DataView(opts.buffer, opts.byteOffset, opts.byteLength);
    // MediaPipe TransposeConvParams: {padding (1 = SAME, 2 = VALID), stride_w, stride_h}.
    const padding = view.getInt32(0, true);
    if (padding !== 1 && padding !== 2) this.#fail(`unknown padding ${padding} in custom options`);
    // MediaPipe's kernel: SAME pads max(0, k - (in - 1) % s - 1) in all, the smaller half first;
    // the output is s * (in - 1) + k - pad.
    const pads = (input: number, k: number, s: number): [number, number] => {
      const total = padding === 1 ? Math.max(0, k - ((input - 1) % s) - 1) : 0;
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    this.#emitTransposeConv(
      this.#in(op, 0),
      this.#in(op, 1),
      this.#in(op, 2),
      op.outputs[0]!,
      [view.getInt32(8, true), view.getInt32(4, true)],
      pads,
      Act.NONE,
      false,
    );
  }

  #transposeConv(op: TfliteOperator): void {
    this.#arity(op, 3, 4);
    const o = this.#options(op);
    // TransposeConvOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3.
    const padding = o.i8(0);
    if (padding !== SAME && padding !== VALID) this.#fail(`unknown padding ${padding}`);
    const outShape = this.#constI32(this.#in(op, 0), "output shape");
    if (!sameShape([...outShape], this.#shape(op.outputs[0]!))) {
      this.#fail(`output_shape ${fmt([...outShape])} does not match the output tensor`);
    }
    // TFLite pads as for the forward convolution from the output back to the input.
    const pads = (input: number, k: number, s: number, output: number): [number, number] => {
      const p = spatial(output, k, s, 1, padding);
      if (p.out !== input) this.#fail(`output_shape ${fmt([...outShape])} does not fit the input`);
      return [p.before, p.after];
    };
    this.#emitTransposeConv(
      this.#in(op, 2),
      this.#in(op, 1),
      op.inputs[3],
      op.outputs[0]!,
      [o.i32(2), o.i32(1)],
      pads,
      o.i8(3),
      true,
    );
  }

  #binary(op: TfliteOperator, onnxOp: string): void {
    this.#arity(op, 2);
    const a = this.#in(op, 0);
    const b = this.#in(op, 1);
    const out = op.outputs[0]!;
    const shapes = [this.#shape(a), this.#shape(b)];
    const rank = Math.max(shapes[0]!.length, shapes[1]!.length);
    const expected: number[] = [];
    for (let k = 0; k < rank; k++) {
      const da = shapes[0]![shapes[0]!.length - rank + k] ?? 1;
      const db = shapes[1]![shapes[1]!.length - rank + k] ?? 1;
      if (da !== db && da !== 1 && db !== 1) {
        this.#fail(`cannot broadcast ${fmt(shapes[0]!)} with ${fmt(shapes[1]!)}`);
      }
      expected.push(Math.max(da, db));
    }
    this.#checkOutput(out, expected);
    const operands = [a, b].map((i) => this.#broadcastOperand(i, rank));
    // AddOptions / SubOptions / MulOptions / DivOptions: fused_activation_function 0.
    const act = op.options ? op.options.i8(0) : Act.NONE;
    const y = this.#define(out);
    this.#withActivation(act, y, (target) => this.#node(onnxOp, operands, [target]));
  }

  /** An operand of a broadcasting op whose result has rank `rank`, in the result's layout. */
  #broadcastOperand(index: number, rank: number): string {
    const shape = this.#shape(index);
    if (rank !== 4 || shape.length === 4) return this.#activation(index);
    // A lower-rank operand aligns with the trailing NHWC axes: make it [1.., dims] then NCHW.
    const nhwc = [...new Array<number>(4 - shape.length).fill(1), ...shape];
    const t = this.#tensor(index);
    if (this.#isConst(index)) {
      const p = permute(this.#constF32(index, "operand"), nhwc, TO_NCHW);
      return this.#g.addInitializer(t.name, p.data, p.shape);
    }
    return this.#fromNhwc(this.#reshape4(this.#activation(index), nhwc), 4);
  }

  #reshape4(x: string, shape: readonly number[]): string {
    const y = this.#temp(`${x}_reshaped`);
    this.#node("Reshape", [x, this.#int64("shape", shape)], [y]);
    return y;
  }

  /** Transposes an NHWC rank-4 value to NCHW (other ranks pass through). */
  #fromNhwc(x: string, rank: number): string {
    if (rank !== 4) return x;
    const y = this.#temp(`${x}_nchw`);
    this.#node("Transpose", [x], [y], { perm: { ints: TO_NCHW } });
    return y;
  }

  /** Transposes an NCHW rank-4 value back to NHWC (other ranks pass through). */
  #toNhwc(x: string, rank: number): string {
    if (rank !== 4) return x;
    const y = this.#temp(`${x}_nhwc`);
    this.#node("Transpose", [x], [y], { perm: { ints: TO_NHWC } });
    return y;
  }

  #pool(op: TfliteOperator, onnxOp: "AveragePool" | "MaxPool"): void {
    this.#arity(op, 1);
    const o = this.#options(op);
    // Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4, act 5.
    const padding = o.i8(0);
    const sw = o.i32(1);
    const sh = o.i32(2);
    const fw = o.i32(3);
    const fh = o.i32(4);
    if (padding !== SAME && padding !== VALID) this.#fail(`unknown padding ${padding}`);
    if (sw < 1 || sh < 1 || fw < 1 || fh < 1) {
      this.#fail(`invalid strides (${sw}, ${sh}) or filter (${fw}, ${fh})`);
    }
    const x = this.#in(op, 0);
    const [n, h, w, c] = this.#rank4(x, "input");
    const py = spatial(h, fh, sh, 1, padding);
    const px = spatial(w, fw, sw, 1, padding);
    if (py.out < 1 || px.out < 1) this.#fail(`the filter ${fw}x${fh} is larger than the input`);
    this.#checkOutput(op.outputs[0]!, [n, py.out, px.out, c]);
    const xv = this.#activation(x);
    const y = this.#define(op.outputs[0]!);
    const global = py.out === 1 && px.out === 1 && fh === h && fw === w;
    this.#withActivation(o.i8(5), y, (target) => {
      if (global) {
        this.#node(onnxOp === "AveragePool" ? "GlobalAveragePool" : "GlobalMaxPool", [xv], [
          target,
        ]);
        return;
      }
      const attrs: Record<string, Attribute> = {
        kernel_shape: { ints: [fh, fw] },
        strides: { ints: [sh, sw] },
        pads: { ints: [py.before, px.before, py.after, px.after] },
      };
      // TFLite averages over the valid (unpadded) pixels only.
      if (onnxOp === "AveragePool") attrs.count_include_pad = { i: 0 };
      this.#node(onnxOp, [xv], [target], attrs);
    });
  }

  #mean(op: TfliteOperator): void {
    this.#arity(op, 2);
    const x = this.#in(op, 0);
    const shape = this.#shape(x);
    const rank = shape.length;
    const axes = [...this.#constI32(this.#in(op, 1), "axes")].map((a) => {
      if (a < -rank || a >= rank) this.#fail(`axis ${a} is out of range for ${fmt(shape)}`);
      return a < 0 ? a + rank : a;
    });
    // ReducerOptions: keep_dims 0.
    const keep = op.options ? op.options.bool(0) : false;
    const kept = shape.map((d, k) => (axes.includes(k) ? 1 : d));
    const out = op.outputs[0]!;
    this.#checkOutput(out, keep ? kept : shape.filter((_, k) => !axes.includes(k)));
    const onnxAxes = rank === 4 ? axes.map((a) => NHWC_TO_NCHW_AXIS[a as 0 | 1 | 2 | 3]) : axes;
    const xv = this.#activation(x);
    const outRank = this.#shape(out).length;
    if (rank === 4 && outRank === 4 && axes.length === 2 && axes.includes(1) && axes.includes(2)) {
      // The spatial mean, as GlobalAveragePool: the same sum, and ORT keeps it in its blocked
      // (NCHWc) layout instead of reordering around a ReduceMean.
      this.#node("GlobalAveragePool", [xv], [this.#define(out)]);
      return;
    }
    if (outRank === rank) {
      this.#node("ReduceMean", [xv], [this.#define(out)], {
        axes: { ints: onnxAxes },
        keepdims: { i: 1 },
      });
      return;
    }
    const reduced = this.#temp("mean");
    this.#node("ReduceMean", [xv], [reduced], { axes: { ints: onnxAxes }, keepdims: { i: 1 } });
    const nhwc = this.#toNhwc(reduced, rank);
    this.#node("Reshape", [nhwc, this.#int64("shape", this.#shape(out))], [this.#define(out)]);
  }

  #fullyConnected(op: TfliteOperator): void {
    this.#arity(op, 2, 3);
    const o = this.#options(op);
    // FullyConnectedOptions: act 0, weights_format 1, keep_num_dims 2.
    if (o.i8(1) !== 0) this.#fail("shuffled weights are not supported");
    const x = this.#in(op, 0);
    const w = this.#in(op, 1);
    const ws = this.#shape(w);
    if (ws.length !== 2) this.#fail(`weights must be [out, in], found ${fmt(ws)}`);
    const [outF, inF] = ws as [number, number];
    const xs = this.#shape(x);
    const total = product(xs);
    if (total % inF !== 0) this.#fail(`input ${fmt(xs)} cannot be flattened to [-1, ${inF}]`);
    const batch = total / inF;
    const out = op.outputs[0]!;
    const expected = o.bool(2) ? [...xs.slice(0, -1), outF] : [batch, outF];
    const declared = this.#shape(out);
    // Keras-exported models often declare keep_num_dims output shapes without the flag.
    if (!sameShape(declared, expected) && product(declared) !== batch * outF) {
      this.#checkOutput(out, expected);
    }
    // Flatten as TFLite does, in NHWC order. For [N, 1, 1, C] NCHW and NHWC orders agree.
    let flat = this.#activation(x);
    if (xs.length === 4 && !(xs[1] === 1 && xs[2] === 1)) flat = this.#toNhwc(flat, 4);
    const flat2 = this.#temp("fc_in");
    this.#node("Reshape", [flat, this.#int64("shape", [batch, inF])], [flat2]);
    const weights = this.#g.addInitializer(this.#tensor(w).name, this.#constF32(w, "weights"), [
      outF,
      inF,
    ]);
    const inputs = [flat2, weights];
    const b = op.inputs[2];
    if (b !== undefined && b >= 0) inputs.push(this.#bias(b, outF));
    const gemmOut = this.#temp("fc");
    this.#withActivation(
      o.i8(0),
      gemmOut,
      (target) => this.#node("Gemm", inputs, [target], { transB: { i: 1 } }),
    );
    const y = this.#define(out);
    if (declared.length === 4) {
      const nchw = declared[1] === 1 && declared[2] === 1
        ? [declared[0]!, declared[3]!, 1, 1]
        : declared;
      const reshaped = nchw === declared ? this.#temp("fc_nhwc") : y;
      this.#node("Reshape", [gemmOut, this.#int64("shape", nchw)], [reshaped]);
      if (reshaped !== y) this.#node("Transpose", [reshaped], [y], { perm: { ints: TO_NCHW } });
    } else {
      this.#node("Reshape", [gemmOut, this.#int64("shape", declared)], [y]);
    }
  }

  #resizeBilinear(op: TfliteOperator): void {
    this.#arity(op, 2);
    const o = this.#options(op);
    // ResizeBilinearOptions: new_height 0, new_width 1 (deprecated), align_corners 2,
    // half_pixel_centers 3.
    const alignCorners = o.bool(2);
    const halfPixel = o.bool(3);
    if (alignCorners && halfPixel) this.#fail("align_corners and half_pixel_centers are both set");
    const x = this.#in(op, 0);
    const [n, , , c] = this.#rank4(x, "input");
    const size = this.#constI32(this.#in(op, 1), "size");
    if (size.length !== 2 || size[0]! < 1 || size[1]! < 1) {
      this.#fail(`size must be [height, width], found ${fmt([...size])}`);
    }
    const outShape = [n, size[0]!, size[1]!, c];
    this.#checkOutput(op.outputs[0]!, outShape);
    const mode = halfPixel ? "half_pixel" : alignCorners ? "align_corners" : "asymmetric";
    const xv = this.#activation(x);
    const sizes = this.#int64("sizes", [n, c, size[0]!, size[1]!]);
    this.#node("Resize", [xv, "", "", sizes], [this.#define(op.outputs[0]!)], {
      mode: { s: "linear" },
      coordinate_transformation_mode: { s: mode },
    });
  }

  #concat(op: TfliteOperator): void {
    if (op.inputs.length < 1 || op.outputs.length !== 1) this.#fail("expected inputs and 1 output");
    const o = this.#options(op);
    // ConcatenationOptions: axis 0, fused_activation_function 1.
    const first = this.#shape(this.#in(op, 0));
    const rank = first.length;
    let axis = o.i32(0);
    if (axis < -rank || axis >= rank) this.#fail(`axis ${axis} is out of range`);
    if (axis < 0) axis += rank;
    const expected = [...first];
    expected[axis] = 0;
    for (let k = 0; k < op.inputs.length; k++) {
      const s = this.#shape(this.#in(op, k));
      if (s.length !== rank || s.some((d, j) => j !== axis && d !== first[j])) {
        this.#fail(`input ${fmt(s)} cannot be concatenated with ${fmt(first)} on axis ${axis}`);
      }
      expected[axis]! += s[axis]!;
    }
    this.#checkOutput(op.outputs[0]!, expected);
    const inputs = op.inputs.map((i) => this.#activation(i));
    const onnxAxis = rank === 4 ? NHWC_TO_NCHW_AXIS[axis as 0 | 1 | 2 | 3] : axis;
    const y = this.#define(op.outputs[0]!);
    this.#withActivation(
      o.i8(1),
      y,
      (target) => this.#node("Concat", inputs, [target], { axis: { i: onnxAxis } }),
    );
  }

  #dequantize(op: TfliteOperator): void {
    this.#arity(op, 1);
    const x = this.#in(op, 0);
    const t = this.#tensor(x);
    if (!t.data || t.type !== 1) {
      this.#fail(
        `only constant float16 tensors can be dequantized ("${t.name}" is ${
          t.data ? tensorTypeName(t.type) : "not constant"
        })`,
      );
    }
    const out = op.outputs[0]!;
    this.#checkOutput(out, t.shape);
    if (this.#values.has(out) || this.#isConst(out)) this.#fail("the output is written twice");
    this.#folded.set(out, this.#constF32(x, "input"));
  }

  #reshape(op: TfliteOperator): void {
    this.#arity(op, 1, 2);
    const x = this.#in(op, 0);
    const out = op.outputs[0]!;
    const xs = this.#shape(x);
    const os = this.#shape(out);
    if (product(xs) !== product(os)) this.#fail(`cannot reshape ${fmt(xs)} to ${fmt(os)}`);
    if (this.#isConst(x)) {
      this.#folded.set(out, this.#constF32(x, "input"));
      return;
    }
    const nhwc = this.#toNhwc(this.#activation(x), xs.length);
    if (os.length === 4) {
      const reshaped = this.#temp("reshape");
      this.#node("Reshape", [nhwc, this.#int64("shape", os)], [reshaped]);
      this.#node("Transpose", [reshaped], [this.#define(out)], { perm: { ints: TO_NCHW } });
    } else {
      this.#node("Reshape", [nhwc, this.#int64("shape", os)], [this.#define(out)]);
    }
  }

  #softmax(op: TfliteOperator): void {
    this.#arity(op, 1);
    const x = this.#in(op, 0);
    const shape = this.#shape(x);
    this.#checkOutput(op.outputs[0]!, shape);
    // SoftmaxOptions: beta 0.
    const beta = op.options ? op.options.f32(0, 1) : 1;
    let xv = this.#activation(x);
    if (beta !== 1) {
      const scaled = this.#temp("softmax_in");
      this.#node("Mul", [xv, this.#scalar("beta", beta)], [scaled]);
      xv = scaled;
    }
    const axis = shape.length === 4 ? 1 : shape.length - 1;
    this.#node("Softmax", [xv], [this.#define(op.outputs[0]!)], { axis: { i: axis } });
  }

  #pad(op: TfliteOperator): void {
    this.#arity(op, 2);
    const x = this.#in(op, 0);
    const xs = this.#shape(x);
    const pads = this.#constI32(this.#in(op, 1), "paddings");
    if (pads.length !== 2 * xs.length || pads.some((p) => p < 0)) {
      this.#fail(`paddings ${fmt([...pads])} do not fit ${fmt(xs)}`);
    }
    this.#checkOutput(op.outputs[0]!, xs.map((d, k) => d + pads[2 * k]! + pads[2 * k + 1]!));
    const order = xs.length === 4 ? TO_NCHW : xs.map((_, k) => k);
    const begins = order.map((k) => pads[2 * k]!);
    const ends = order.map((k) => pads[2 * k + 1]!);
    this.#node("Pad", [this.#activation(x), this.#int64("pads", [...begins, ...ends])], [
      this.#define(op.outputs[0]!),
    ], { mode: { s: "constant" } });
  }
}
