/**
 * A plain reference evaluator of TFLite graphs, written directly from the TFLite reference kernels
 * (tensorflow/lite/kernels/internal/reference/*.h) and MediaPipe's `Convolution2DTransposeBias`.
 *
 * It exists as an independent ground truth for the TFLite → ONNX converter: it runs the TFLite
 * graph as it is (NHWC, float32 activations, float64 accumulation) and shares no code with the
 * converter beyond the file parser. It favours obviousness over speed; only the convolution loops
 * are arranged so that the largest model (DeepLab v3, 257×257) runs in a few seconds.
 *
 * @module
 */

/** The option accessors this evaluator reads (a subset of the FlatBuffer `Table`). */
export interface OptionReader {
  /** An 8-bit signed field (enums such as padding and fused activation). */
  i8(i: number, dflt?: number): number;
  /** A 32-bit signed field. */
  i32(i: number, dflt?: number): number;
  /** A bool field. */
  bool(i: number, dflt?: boolean): boolean;
  /** A 32-bit float field. */
  f32(i: number, dflt?: number): number;
  /** A vector of int32, or null when absent. */
  i32s(i: number): number[] | null;
}

/** A tensor of the graph (structurally a subset of the parser's `TfliteTensor`). */
export interface EvalTensor {
  /** Name, for messages. */
  name: string;
  /** Shape, NHWC for images. */
  shape: number[];
  /** TFLite `TensorType`: 0 FLOAT32, 1 FLOAT16, 2 INT32. */
  type: number;
  /** Little-endian constant contents, or null for activations. */
  data: Uint8Array | null;
}

/** An operator of the graph (structurally a subset of the parser's `TfliteOperator`). */
export interface EvalOperator {
  /** Builtin name, or the custom code. */
  op: string;
  /** Input tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  /** Output tensor indices. */
  outputs: number[];
  /** Builtin options table, if any. */
  options: OptionReader | null;
  /** Custom options bytes, if any. */
  customOptions: Uint8Array | null;
}

/** A TFLite graph; the parser's `TfliteModel` satisfies this interface. */
export interface EvalModel {
  /** All tensors. */
  tensors: EvalTensor[];
  /** Graph input tensor indices. */
  inputs: number[];
  /** Graph output tensor indices. */
  outputs: number[];
  /** Operators in execution order. */
  operators: EvalOperator[];
}

const FLOAT32 = 0;
const FLOAT16 = 1;
const INT32 = 2;

// ---------------------------------------------------------------------------------------------
// Tensor helpers

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** An NHWC (or OHWI) shape. */
type Shape4 = readonly [number, number, number, number];

/** Checks that a shape has rank 4 and returns it as a tuple. */
function dims4(shape: readonly number[], what: string): Shape4 {
  if (shape.length !== 4) throw new Error(`${what}: expected rank 4, got [${shape.join(",")}]`);
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Decodes an IEEE 754 half-precision float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeFloats(t: EvalTensor, data: Uint8Array): Float32Array {
  const n = sizeOf(t.shape);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(n);
  if (t.type === FLOAT32) {
    if (data.byteLength < 4 * n) throw new Error(`tensor "${t.name}" has too little data`);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (t.type === FLOAT16) {
    if (data.byteLength < 2 * n) throw new Error(`tensor "${t.name}" has too little data`);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    throw new Error(`tensor "${t.name}" has type ${t.type}, expected FLOAT32 or FLOAT16`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fused activations (TfLiteFusedActivation / ActivationFunctionType in schema.fbs)

type Act = (x: number) => number;

function fusedActivation(code: number, op: string): Act {
  switch (code) {
    case 0:
      return (x) => x;
    case 1: // RELU
      return (x) => (x < 0 ? 0 : x);
    case 2: // RELU_N1_TO_1
      return (x) => (x < -1 ? -1 : x > 1 ? 1 : x);
    case 3: // RELU6
      return (x) => (x < 0 ? 0 : x > 6 ? 6 : x);
    case 4: // TANH
      return Math.tanh;
    default:
      throw new Error(`${op}: unsupported fused activation function ${code}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Padding (tensorflow/lite/kernels/padding.h)

/** Output size of a convolution/pool along one axis (`ComputeOutSize`). */
function outSize(same: boolean, input: number, filter: number, stride: number, dil: number) {
  const effective = (filter - 1) * dil + 1;
  return same
    ? Math.floor((input + stride - 1) / stride)
    : Math.floor((input + stride - effective) / stride);
}

/** Padding before the first element (`ComputePaddingWithOffset`): the odd pixel goes at the end. */
function padBefore(stride: number, dil: number, input: number, filter: number, output: number) {
  const effective = (filter - 1) * dil + 1;
  const total = Math.max((output - 1) * stride + effective - input, 0);
  return Math.floor(total / 2);
}

// ---------------------------------------------------------------------------------------------
// Kernels. All image tensors are NHWC.

interface Conv2dParams {
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padT: number;
  padL: number;
  outH: number;
  outW: number;
  act: Act;
}

/** CONV_2D: out[n,y,x,o] = b[o] + Σ in[n, y·sh − pt + ky·dh, x·sw − pl + kx·dw, c] · w[o,ky,kx,c]. */
function conv2d(
  x: Float32Array,
  [N, H, W, C]: Shape4,
  w: Float32Array,
  [O, KH, KW, WC]: Shape4,
  bias: Float32Array | null,
  p: Conv2dParams,
): Float32Array {
  if (WC !== C) throw new Error(`CONV_2D: weights have ${WC} input channels, input has ${C}`);
  // Reorder the weights to [ky, kx, c, o] so the innermost loop runs over contiguous outputs.
  const wt = new Float32Array(KH * KW * C * O);
  for (let o = 0; o < O; o++) {
    for (let k = 0; k < KH * KW; k++) {
      for (let c = 0; c < C; c++) wt[(k * C + c) * O + o] = w[(o * KH * KW + k) * C + c]!;
    }
  }
  const out = new Float32Array(N * p.outH * p.outW * O);
  const acc = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < p.outH; oy++) {
      for (let ox = 0; ox < p.outW; ox++) {
        for (let o = 0; o < O; o++) acc[o] = bias ? bias[o]! : 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * p.strideH - p.padT + ky * p.dilH;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * p.strideW - p.padL + kx * p.dilW;
            if (ix < 0 || ix >= W) continue;
            const inBase = ((n * H + iy) * W + ix) * C;
            const wBase = (ky * KW + kx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = x[inBase + c]!;
              const wb = wBase + c * O;
              for (let o = 0; o < O; o++) acc[o]! += v * wt[wb + o]!;
            }
          }
        }
        const outBase = ((n * p.outH + oy) * p.outW + ox) * O;
        for (let o = 0; o < O; o++) out[outBase + o] = p.act(acc[o]!);
      }
    }
  }
  return out;
}

/**
 * DEPTHWISE_CONV_2D: output channel `c·M + m` convolves input channel `c` with weights
 * `[1, kh, kw, C·M]` at that channel.
 */
function depthwiseConv2d(
  x: Float32Array,
  [N, H, W, C]: Shape4,
  w: Float32Array,
  [W0, KH, KW, OC]: Shape4,
  bias: Float32Array | null,
  mult: number,
  p: Conv2dParams,
): Float32Array {
  if (W0 !== 1 || OC !== C * mult) {
    throw new Error(`DEPTHWISE_CONV_2D: weights [${W0},${KH},${KW},${OC}] for ${C}×${mult}`);
  }
  const out = new Float32Array(N * p.outH * p.outW * OC);
  const acc = new Float64Array(OC);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < p.outH; oy++) {
      for (let ox = 0; ox < p.outW; ox++) {
        for (let o = 0; o < OC; o++) acc[o] = bias ? bias[o]! : 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * p.strideH - p.padT + ky * p.dilH;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * p.strideW - p.padL + kx * p.dilW;
            if (ix < 0 || ix >= W) continue;
            const inBase = ((n * H + iy) * W + ix) * C;
            const wBase = (ky * KW + kx) * OC;
            for (let c = 0; c < C; c++) {
              const v = x[inBase + c]!;
              for (let m = 0; m < mult; m++) {
                const o = c * mult + m;
                acc[o]! += v * w[wBase + o]!;
              }
            }
          }
        }
        const outBase = ((n * p.outH + oy) * p.outW + ox) * OC;
        for (let o = 0; o < OC; o++) out[outBase + o] = p.act(acc[o]!);
      }
    }
  }
  return out;
}

/**
 * Transposed convolution as in TFLite's reference `TransposeConv` (and MediaPipe's copy of it):
 * every input pixel scatters `in · w[o, ky, kx, c]` to output `(iy·sh − pt + ky, ix·sw − pl + kx)`;
 * no kernel flip. Bias and activation are applied after the scatter.
 */
function transposeConv(
  x: Float32Array,
  [N, H, W, C]: Shape4,
  w: Float32Array,
  [O, KH, KW, WC]: Shape4,
  bias: Float32Array | null,
  [ON, OH, OW, OO]: Shape4,
  strideH: number,
  strideW: number,
  padT: number,
  padL: number,
  act: Act,
  op: string,
): Float32Array {
  if (WC !== C || OO !== O || ON !== N) {
    throw new Error(
      `${op}: input [${N},${H},${W},${C}], weights [${O},${KH},${KW},${WC}], ` +
        `output [${ON},${OH},${OW},${OO}] do not agree`,
    );
  }
  const acc = new Float64Array(N * OH * OW * O);
  for (let n = 0; n < N; n++) {
    for (let iy = 0; iy < H; iy++) {
      for (let ix = 0; ix < W; ix++) {
        const inBase = ((n * H + iy) * W + ix) * C;
        for (let ky = 0; ky < KH; ky++) {
          const oy = iy * strideH - padT + ky;
          if (oy < 0 || oy >= OH) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ox = ix * strideW - padL + kx;
            if (ox < 0 || ox >= OW) continue;
            const outBase = ((n * OH + oy) * OW + ox) * O;
            for (let o = 0; o < O; o++) {
              const wBase = ((o * KH + ky) * KW + kx) * C;
              let s = 0;
              for (let c = 0; c < C; c++) s += x[inBase + c]! * w[wBase + c]!;
              acc[outBase + o]! += s;
            }
          }
        }
      }
    }
  }
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = act(acc[i]! + (bias ? bias[i % O]! : 0));
  return out;
}

/** AVERAGE_POOL_2D / MAX_POOL_2D; the average counts only the window cells inside the image. */
function pool2d(
  kind: "avg" | "max",
  x: Float32Array,
  [N, H, W, C]: Shape4,
  fh: number,
  fw: number,
  p: Conv2dParams,
): Float32Array {
  const out = new Float32Array(N * p.outH * p.outW * C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = oy * p.strideH - p.padT;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(H, y0 + fh);
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = ox * p.strideW - p.padL;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(W, x0 + fw);
        const count = (yEnd - yStart) * (xEnd - xStart);
        for (let c = 0; c < C; c++) {
          let r = kind === "avg" ? 0 : -Infinity;
          for (let iy = yStart; iy < yEnd; iy++) {
            for (let ix = xStart; ix < xEnd; ix++) {
              const v = x[((n * H + iy) * W + ix) * C + c]!;
              r = kind === "avg" ? r + v : Math.max(r, v);
            }
          }
          if (kind === "avg") r /= count;
          out[((n * p.outH + oy) * p.outW + ox) * C + c] = p.act(r);
        }
      }
    }
  }
  return out;
}

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The numpy broadcast of two shapes. */
function broadcastShape(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a.join(",")}] and [${b.join(",")}] do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** ADD/SUB/MUL/DIV with numpy broadcasting and a fused activation. */
function binary(
  f: (a: number, b: number) => number,
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  outShape: number[],
  act: Act,
): Float32Array {
  const rank = outShape.length;
  // Strides of a and b in output coordinates: 0 along broadcast axes.
  const padded = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const aP = padded(aShape);
  const bP = padded(bShape);
  const aS = stridesOf(aP).map((s, i) => (aP[i] === 1 ? 0 : s));
  const bS = stridesOf(bP).map((s, i) => (bP[i] === 1 ? 0 : s));
  const out = new Float32Array(sizeOf(outShape));
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = act(f(a[ia]!, b[ib]!));
    // Advance the output coordinate like an odometer.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      ia += aS[d]!;
      ib += bS[d]!;
      if (idx[d]! < outShape[d]!) break;
      ia -= aS[d]! * outShape[d]!;
      ib -= bS[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** MEAN over the given axes. */
function mean(x: Float32Array, shape: number[], axes: number[]): Float32Array {
  const rank = shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const outFull = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const outStrides = stridesOf(outFull);
  const inStrides = stridesOf(shape);
  const sums = new Float64Array(sizeOf(outFull));
  let count = 1;
  for (const a of reduced) count *= shape[a]!;
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) {
      if (!reduced.has(d)) o += (Math.floor(i / inStrides[d]!) % shape[d]!) * outStrides[d]!;
    }
    sums[o]! += x[i]!;
  }
  const out = new Float32Array(sums.length);
  for (let i = 0; i < sums.length; i++) out[i] = sums[i]! / count;
  return out;
}

/**
 * RESIZE_BILINEAR as in reference_ops `ResizeBilinear` / `ComputeInterpolationValues`, including
 * its float32 coordinate arithmetic and the clamping of the lower bound at 0 and the upper bound
 * at size − 1 (so the edges replicate).
 */
function resizeBilinear(
  x: Float32Array,
  [N, H, W, C]: Shape4,
  outH: number,
  outW: number,
  alignCorners: boolean,
  halfPixel: boolean,
): Float32Array {
  const f = Math.fround;
  let scaleH = f(H / outH);
  let scaleW = f(W / outW);
  if (alignCorners && outH > 1) scaleH = f((H - 1) / (outH - 1));
  if (alignCorners && outW > 1) scaleW = f((W - 1) / (outW - 1));
  const coord = (v: number, scale: number, size: number) => {
    const s = halfPixel ? f(f(f(v + 0.5) * scale) - 0.5) : f(v * scale);
    const lo = Math.max(Math.floor(s), 0);
    const hi = Math.min(Math.ceil(s), size - 1);
    return { s, lo, hi };
  };
  const out = new Float32Array(N * outH * outW * C);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < outH; y++) {
      const { s: fy, lo: y0, hi: y1 } = coord(y, scaleH, H);
      const dy = fy - y0;
      for (let xx = 0; xx < outW; xx++) {
        const { s: fx, lo: x0, hi: x1 } = coord(xx, scaleW, W);
        const dx = fx - x0;
        const p00 = ((n * H + y0) * W + x0) * C;
        const p10 = ((n * H + y1) * W + x0) * C;
        const p01 = ((n * H + y0) * W + x1) * C;
        const p11 = ((n * H + y1) * W + x1) * C;
        const o = ((n * outH + y) * outW + xx) * C;
        for (let c = 0; c < C; c++) {
          out[o + c] = x[p00 + c]! * (1 - dy) * (1 - dx) +
            x[p10 + c]! * dy * (1 - dx) +
            x[p01 + c]! * (1 - dy) * dx +
            x[p11 + c]! * dy * dx;
        }
      }
    }
  }
  return out;
}

/** CONCATENATION along `axis` (negative counts from the end). */
function concat(parts: { data: Float32Array; shape: number[] }[], axis: number): Float32Array {
  const shape0 = parts[0]!.shape;
  const rank = shape0.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = sizeOf(shape0.slice(0, ax));
  const inner = sizeOf(shape0.slice(ax + 1));
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = p.shape[ax]! * inner;
      out.set(p.data.subarray(o * chunk, (o + 1) * chunk), offset);
      offset += chunk;
    }
  }
  return out;
}

/** SOFTMAX over the last axis: exp(β(x − max)) / Σ. */
function softmax(x: Float32Array, shape: number[], beta: number): Float32Array {
  const depth = shape[shape.length - 1]!;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += depth) {
    let max = -Infinity;
    for (let c = 0; c < depth; c++) max = Math.max(max, x[i + c]!);
    let sum = 0;
    for (let c = 0; c < depth; c++) sum += Math.exp(beta * (x[i + c]! - max));
    for (let c = 0; c < depth; c++) out[i + c] = Math.exp(beta * (x[i + c]! - max)) / sum;
  }
  return out;
}

function unary(x: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The interpreter

/**
 * Runs a TFLite graph on one input.
 *
 * @param model the parsed graph (`parseTflite(bytes)` or a hand-built {@linkcode EvalModel})
 * @param input the data of the graph's first input, NHWC float32
 * @returns the data of each graph output in order, shaped as the output tensors
 * @throws {Error} naming the operator when an op or a feature is unsupported
 */
export function evaluateTflite(model: EvalModel, input: Float32Array): Float32Array[] {
  const values = new Map<number, Float32Array>();
  const inputIndex = model.inputs[0]!;
  const inputTensor = model.tensors[inputIndex]!;
  if (input.length !== sizeOf(inputTensor.shape)) {
    throw new Error(
      `input has ${input.length} values, tensor "${inputTensor.name}" is [${inputTensor.shape}]`,
    );
  }
  values.set(inputIndex, input);

  const tensor = (i: number): EvalTensor => {
    const t = model.tensors[i];
    if (!t) throw new Error(`missing tensor ${i}`);
    return t;
  };
  const shapeOf = (i: number) => tensor(i).shape;
  const floats = (i: number): Float32Array => {
    const v = values.get(i);
    if (v) return v;
    const t = tensor(i);
    if (!t.data) throw new Error(`tensor "${t.name}" is read before it is computed`);
    const decoded = decodeFloats(t, t.data);
    values.set(i, decoded);
    return decoded;
  };
  const ints = (i: number): number[] => {
    const t = tensor(i);
    if (t.type !== INT32 || !t.data) throw new Error(`tensor "${t.name}" is not a constant int32`);
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return Array.from({ length: sizeOf(t.shape) }, (_, k) => view.getInt32(4 * k, true));
  };

  for (const [k, op] of model.operators.entries()) {
    const name = `operator ${k} (${op.op})`;
    const o = op.options;
    const opt = (): OptionReader => {
      if (!o) throw new Error(`${name} has no options`);
      return o;
    };
    const inShape = (j: number) => shapeOf(op.inputs[j]!);
    const in4 = (j: number) => dims4(inShape(j), `${name} input ${j}`);
    const inData = (j: number) => floats(op.inputs[j]!);
    const optionalIn = (j: number) => {
      const t = op.inputs[j];
      return t === undefined || t < 0 ? null : floats(t);
    };
    const outIndex = op.outputs[0]!;
    const declared = shapeOf(outIndex);
    let result: Float32Array;
    let shape: number[] = declared; // the shape the kernel computed, checked below

    const convParams = (
      padCode: number,
      sw: number,
      sh: number,
      kh: number,
      kw: number,
      dh: number,
      dw: number,
      act: number,
    ): Conv2dParams => {
      if (padCode !== 0 && padCode !== 1) throw new Error(`${name}: unknown padding ${padCode}`);
      const same = padCode === 0;
      const [, H, W] = in4(0);
      const outH = outSize(same, H, kh, sh, dh);
      const outW = outSize(same, W, kw, sw, dw);
      return {
        strideH: sh,
        strideW: sw,
        dilH: dh,
        dilW: dw,
        padT: same ? padBefore(sh, dh, H, kh, outH) : 0,
        padL: same ? padBefore(sw, dw, W, kw, outW) : 0,
        outH,
        outW,
        act: fusedActivation(act, name),
      };
    };

    switch (op.op) {
      case "CONV_2D": {
        const [O, KH, KW] = in4(1);
        const p = convParams(
          opt().i8(0),
          opt().i32(1),
          opt().i32(2),
          KH,
          KW,
          opt().i32(5, 1),
          opt().i32(4, 1),
          opt().i8(3),
        );
        result = conv2d(inData(0), in4(0), inData(1), in4(1), optionalIn(2), p);
        shape = [inShape(0)[0]!, p.outH, p.outW, O];
        break;
      }
      case "DEPTHWISE_CONV_2D": {
        const [, KH, KW, OC] = in4(1);
        const C = in4(0)[3];
        // depth_multiplier is redundant with the shapes; trust the shapes as TFLite does.
        const mult = OC / C;
        if (!Number.isInteger(mult)) throw new Error(`${name}: ${OC} outputs for ${C} inputs`);
        const p = convParams(
          opt().i8(0),
          opt().i32(1),
          opt().i32(2),
          KH,
          KW,
          opt().i32(6, 1),
          opt().i32(5, 1),
          opt().i8(4),
        );
        result = depthwiseConv2d(
          inData(0),
          in4(0),
          inData(1),
          in4(1),
          optionalIn(2),
          mult,
          p,
        );
        shape = [inShape(0)[0]!, p.outH, p.outW, OC];
        break;
      }
      case "Convolution2DTransposeBias": {
        // MediaPipe: custom options {padding (1 = SAME, 2 = VALID), stride_w, stride_h}.
        const co = op.customOptions;
        if (!co || co.byteLength < 12) throw new Error(`${name}: custom options missing`);
        const view = new DataView(co.buffer, co.byteOffset, co.byteLength);
        const padding = view.getInt32(0, true);
        const sw = view.getInt32(4, true);
        const sh = view.getInt32(8, true);
        const [N, H, W] = in4(0);
        const [O, KH, KW] = in4(1);
        // MediaPipe's Prepare: padding = max(0, k − (in − 1) % s − 1) for SAME, output
        // s·(in − 1) + k − padding, and padding/2 (floor) cut from the start.
        const padH = padding === 1 ? Math.max(0, KH - ((H - 1) % sh) - 1) : 0;
        const padW = padding === 1 ? Math.max(0, KW - ((W - 1) % sw) - 1) : 0;
        shape = [N, sh * (H - 1) + KH - padH, sw * (W - 1) + KW - padW, O];
        result = transposeConv(
          inData(0),
          in4(0),
          inData(1),
          in4(1),
          inData(2),
          dims4(shape, name),
          sh,
          sw,
          Math.floor(padH / 2),
          Math.floor(padW / 2),
          (v) => v,
          name,
        );
        break;
      }
      case "TRANSPOSE_CONV": {
        // Inputs: output_shape (int32), weights [O, kh, kw, I], input, optional bias.
        shape = ints(op.inputs[0]!);
        const [, KH, KW] = in4(1);
        const [, OH, OW] = dims4(shape, name);
        const padCode = opt().i8(0);
        const sw = opt().i32(1);
        const sh = opt().i32(2);
        const same = padCode === 0;
        // transpose_conv.cc: padding as for a forward conv from the output size.
        const padT = same ? padBefore(sh, 1, OH, KH, outSize(true, OH, KH, sh, 1)) : 0;
        const padL = same ? padBefore(sw, 1, OW, KW, outSize(true, OW, KW, sw, 1)) : 0;
        result = transposeConv(
          inData(2),
          in4(2),
          inData(1),
          in4(1),
          optionalIn(3),
          dims4(shape, name),
          sh,
          sw,
          padT,
          padL,
          fusedActivation(opt().i8(3), name),
          name,
        );
        break;
      }
      case "ADD":
      case "SUB":
      case "MUL":
      case "DIV": {
        const f = {
          ADD: (a: number, b: number) => a + b,
          SUB: (a: number, b: number) => a - b,
          MUL: (a: number, b: number) => a * b,
          DIV: (a: number, b: number) => a / b,
        }[op.op];
        shape = broadcastShape(inShape(0), inShape(1), name);
        const act = fusedActivation(o ? o.i8(0) : 0, name);
        result = binary(f, inData(0), inShape(0), inData(1), inShape(1), shape, act);
        break;
      }
      case "HARD_SWISH":
        result = unary(inData(0), (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6);
        shape = inShape(0);
        break;
      case "RELU":
        result = unary(inData(0), (v) => (v < 0 ? 0 : v));
        shape = inShape(0);
        break;
      case "RELU6":
        result = unary(inData(0), (v) => (v < 0 ? 0 : v > 6 ? 6 : v));
        shape = inShape(0);
        break;
      case "LOGISTIC":
        result = unary(inData(0), (v) => 1 / (1 + Math.exp(-v)));
        shape = inShape(0);
        break;
      case "TANH":
        result = unary(inData(0), Math.tanh);
        shape = inShape(0);
        break;
      case "AVERAGE_POOL_2D":
      case "MAX_POOL_2D": {
        const fw = opt().i32(3);
        const fh = opt().i32(4);
        const p = convParams(opt().i8(0), opt().i32(1), opt().i32(2), fh, fw, 1, 1, opt().i8(5));
        result = pool2d(op.op === "MAX_POOL_2D" ? "max" : "avg", inData(0), in4(0), fh, fw, p);
        const [N, , , C] = in4(0);
        shape = [N, p.outH, p.outW, C];
        break;
      }
      case "MEAN": {
        const axes = ints(op.inputs[1]!).map((a) => (a < 0 ? a + inShape(0).length : a));
        const keep = o ? o.bool(0) : false;
        result = mean(inData(0), inShape(0), axes);
        shape = keep
          ? inShape(0).map((d, i) => (axes.includes(i) ? 1 : d))
          : inShape(0).filter((_, i) => !axes.includes(i));
        break;
      }
      case "FULLY_CONNECTED": {
        if (o && o.i8(1) !== 0) throw new Error(`${name}: only DEFAULT weights_format`);
        const wShape = inShape(1);
        if (wShape.length !== 2) throw new Error(`${name}: weights [${wShape}] are not 2-D`);
        const [OUT, IN] = [wShape[0]!, wShape[1]!];
        const x = inData(0);
        const w = inData(1);
        const bias = optionalIn(2);
        const act = fusedActivation(o ? o.i8(0) : 0, name);
        const rows = x.length / IN;
        if (!Number.isInteger(rows)) throw new Error(`${name}: ${x.length} inputs, IN ${IN}`);
        result = new Float32Array(rows * OUT);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < OUT; j++) {
            let s = bias ? bias[j]! : 0;
            for (let i = 0; i < IN; i++) s += x[r * IN + i]! * w[j * IN + i]!;
            result[r * OUT + j] = act(s);
          }
        }
        // keep_num_dims keeps the input's leading dims; otherwise [rows, OUT].
        shape = o && o.bool(2) ? [...inShape(0).slice(0, -1), OUT] : [rows, OUT];
        break;
      }
      case "RESIZE_BILINEAR": {
        const [newH, newW] = ints(op.inputs[1]!) as [number, number];
        const alignCorners = o ? o.bool(2) : false;
        const halfPixel = o ? o.bool(3) : false;
        result = resizeBilinear(inData(0), in4(0), newH, newW, alignCorners, halfPixel);
        const [N, , , C] = in4(0);
        shape = [N, newH, newW, C];
        break;
      }
      case "CONCATENATION": {
        const axis = opt().i32(0);
        const parts = op.inputs.map((i) => ({ data: floats(i), shape: shapeOf(i) }));
        const rank = parts[0]!.shape.length;
        const ax = axis < 0 ? axis + rank : axis;
        result = unary(concat(parts, axis), fusedActivation(opt().i8(1), name));
        shape = parts[0]!.shape.map((d, i) =>
          i === ax ? parts.reduce((s, p) => s + p.shape[ax]!, 0) : d
        );
        break;
      }
      case "DEQUANTIZE": {
        const t = tensor(op.inputs[0]!);
        if (t.type !== FLOAT16) throw new Error(`${name}: only FLOAT16 → FLOAT32 is supported`);
        result = inData(0);
        shape = inShape(0);
        break;
      }
      case "RESHAPE": {
        result = inData(0);
        // The target comes from the shape input or the options; -1 is inferred.
        let target = op.inputs[1] !== undefined && op.inputs[1] >= 0
          ? ints(op.inputs[1])
          : (o?.i32s(0) ?? declared);
        const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        target = target.map((d) => (d === -1 ? result.length / known : d));
        shape = target;
        break;
      }
      case "SOFTMAX":
        result = softmax(inData(0), inShape(0), o ? o.f32(0, 1) : 1);
        shape = inShape(0);
        break;
      default:
        throw new Error(`${name}: unsupported TFLite operator ${op.op}`);
    }
    if (!sameShape(shape, declared) || result.length !== sizeOf(declared)) {
      throw new Error(
        `${name}: computed shape [${shape.join(",")}] (${result.length} values), ` +
          `but the output tensor "${tensor(outIndex).name}" is [${declared.join(",")}]`,
      );
    }
    values.set(outIndex, result);
  }

  return model.outputs.map((i) => {
    const v = values.get(i);
    if (!v) throw new Error(`graph output "${tensor(i).name}" was never computed`);
    return v;
  });
}
