/**
 * Reads a TFLite model (a FlatBuffer with the schema of tensorflow/lite/schema/schema.fbs) into
 * plain objects: the main subgraph's tensors, constant data and operators with their options.
 *
 * Field numbers below are the positions of the fields in schema.fbs (a union takes two: its type
 * and its value).
 *
 * @module
 */

import { FlatBufferError, rootTable, type Table } from "./flatbuffers.ts";

/** A TFLite file that cannot be read: not TFLite, truncated, corrupt or inconsistent. */
export class TfliteError extends Error {
  /** @param message what is wrong with the file */
  constructor(message: string) {
    super(message);
    this.name = "TfliteError";
  }
}

/** TFLite `TensorType` values used by this project, and their names for messages. */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  INT8: 9,
} as const;

const TENSOR_TYPE_NAMES = [
  "FLOAT32",
  "FLOAT16",
  "INT32",
  "UINT8",
  "INT64",
  "STRING",
  "BOOL",
  "INT16",
  "COMPLEX64",
  "INT8",
  "FLOAT64",
];

/** The name of a TFLite tensor type, e.g. `tensorTypeName(1)` is `"FLOAT16"`. */
export function tensorTypeName(type: number): string {
  return TENSOR_TYPE_NAMES[type] ?? `type ${type}`;
}

/** Names of the TFLite builtin operators, indexed by `BuiltinOperator` value (schema.fbs). */
export const BUILTIN_NAMES: readonly string[] = [
  "ADD",
  "AVERAGE_POOL_2D",
  "CONCATENATION",
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "DEPTH_TO_SPACE",
  "DEQUANTIZE",
  "EMBEDDING_LOOKUP",
  "FLOOR",
  "FULLY_CONNECTED",
  "HASHTABLE_LOOKUP",
  "L2_NORMALIZATION",
  "L2_POOL_2D",
  "LOCAL_RESPONSE_NORMALIZATION",
  "LOGISTIC",
  "LSH_PROJECTION",
  "LSTM",
  "MAX_POOL_2D",
  "MUL",
  "RELU",
  "RELU_N1_TO_1",
  "RELU6",
  "RESHAPE",
  "RESIZE_BILINEAR",
  "RNN",
  "SOFTMAX",
  "SPACE_TO_DEPTH",
  "SVDF",
  "TANH",
  "CONCAT_EMBEDDINGS",
  "SKIP_GRAM",
  "CALL",
  "CUSTOM",
  "EMBEDDING_LOOKUP_SPARSE",
  "PAD",
  "UNIDIRECTIONAL_SEQUENCE_RNN",
  "GATHER",
  "BATCH_TO_SPACE_ND",
  "SPACE_TO_BATCH_ND",
  "TRANSPOSE",
  "MEAN",
  "SUB",
  "DIV",
  "SQUEEZE",
  "UNIDIRECTIONAL_SEQUENCE_LSTM",
  "STRIDED_SLICE",
  "BIDIRECTIONAL_SEQUENCE_RNN",
  "EXP",
  "TOPK_V2",
  "SPLIT",
  "LOG_SOFTMAX",
  "DELEGATE",
  "BIDIRECTIONAL_SEQUENCE_LSTM",
  "CAST",
  "PRELU",
  "MAXIMUM",
  "ARG_MAX",
  "MINIMUM",
  "LESS",
  "NEG",
  "PADV2",
  "GREATER",
  "GREATER_EQUAL",
  "LESS_EQUAL",
  "SELECT",
  "SLICE",
  "SIN",
  "TRANSPOSE_CONV",
  "SPARSE_TO_DENSE",
  "TILE",
  "EXPAND_DIMS",
  "EQUAL",
  "NOT_EQUAL",
  "LOG",
  "SUM",
  "SQRT",
  "RSQRT",
  "SHAPE",
  "POW",
  "ARG_MIN",
  "FAKE_QUANT",
  "REDUCE_PROD",
  "REDUCE_MAX",
  "PACK",
  "LOGICAL_OR",
  "ONE_HOT",
  "LOGICAL_AND",
  "LOGICAL_NOT",
  "UNPACK",
  "REDUCE_MIN",
  "FLOOR_DIV",
  "REDUCE_ANY",
  "SQUARE",
  "ZEROS_LIKE",
  "FILL",
  "FLOOR_MOD",
  "RANGE",
  "RESIZE_NEAREST_NEIGHBOR",
  "LEAKY_RELU",
  "SQUARED_DIFFERENCE",
  "MIRROR_PAD",
  "ABS",
  "SPLIT_V",
  "UNIQUE",
  "CEIL",
  "REVERSE_V2",
  "ADD_N",
  "GATHER_ND",
  "COS",
  "WHERE",
  "RANK",
  "ELU",
  "REVERSE_SEQUENCE",
  "MATRIX_DIAG",
  "QUANTIZE",
  "MATRIX_SET_DIAG",
  "ROUND",
  "HARD_SWISH",
];

/** One tensor of the subgraph. */
export interface TfliteTensor {
  /** Index in the subgraph's tensor list. */
  index: number;
  /** The tensor's name in the file (for messages). */
  name: string;
  /** Shape, NHWC for images. */
  shape: number[];
  /** `TensorType` value. */
  type: number;
  /** Constant contents (a view into the file), or null for activations. */
  data: Uint8Array | null;
}

/** One operator of the subgraph. */
export interface TfliteOperator {
  /** Position in execution order. */
  index: number;
  /** Builtin name (e.g. `"CONV_2D"`) or, for custom ops, the custom code. */
  op: string;
  /** Whether `op` is a custom code. */
  custom: boolean;
  /** Input tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  /** Output tensor indices. */
  outputs: number[];
  /** The builtin options table, if any. */
  options: Table | null;
  /** Raw custom options bytes, if any. */
  customOptions: Uint8Array | null;
}

/** The main subgraph of a TFLite model. */
export interface TfliteModel {
  /** Schema version (3 for current files). */
  version: number;
  /** Model description string, if any. */
  description: string;
  /** All tensors. */
  tensors: TfliteTensor[];
  /** Graph input tensor indices. */
  inputs: number[];
  /** Graph output tensor indices. */
  outputs: number[];
  /** Operators in execution order. */
  operators: TfliteOperator[];
}

/**
 * Parses a TFLite file.
 *
 * @param bytes the whole `.tflite` file
 * @returns the main subgraph with constant data as views into `bytes`
 * @throws {TfliteError} when the file is not a valid TFLite model
 * @example
 * ```ts
 * const model = parseTflite(await Deno.readFile("selfie_segmentation.tflite"));
 * console.log(model.operators.map((o) => o.op));
 * ```
 */
export function parseTflite(bytes: Uint8Array): TfliteModel {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof FlatBufferError) throw new TfliteError(`corrupt TFLite file: ${e.message}`);
    if (e instanceof RangeError) throw new TfliteError(`corrupt TFLite file: ${e.message}`);
    throw e;
  }
}

function parse(bytes: Uint8Array): TfliteModel {
  if (bytes.byteLength < 8) {
    throw new TfliteError(`not a TFLite model: the file is only ${bytes.byteLength} bytes`);
  }
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== "TFL3") {
    throw new TfliteError(
      `not a TFLite model: expected the identifier "TFL3" at byte 4 (is this really a .tflite file?)`,
    );
  }
  const model = rootTable(bytes, "TFL3");
  const version = model.u32(0);
  if (version !== 3) throw new TfliteError(`unsupported TFLite schema version ${version}`);

  const codes = model.tables(1).map((c, i) => {
    const deprecated = c.i8(0);
    const builtin = Math.max(deprecated, c.i32(3));
    if (builtin === 32) {
      const custom = c.string(1);
      if (!custom) throw new TfliteError(`operator code ${i} is CUSTOM but has no custom code`);
      return { op: custom, custom: true };
    }
    return { op: BUILTIN_NAMES[builtin] ?? `BUILTIN_${builtin}`, custom: false };
  });

  const bufferTables = model.tables(4);
  const subgraphs = model.tables(2);
  const sg = subgraphs[0];
  if (!sg) throw new TfliteError("the model has no subgraph");
  if (subgraphs.length > 1) {
    throw new TfliteError(
      `the model has ${subgraphs.length} subgraphs; only single-graph models are supported`,
    );
  }

  const tensors = sg.tables(0).map((t, index): TfliteTensor => {
    const name = t.string(3) ?? `tensor_${index}`;
    const shape = t.i32s(0) ?? [];
    for (const d of shape) {
      if (d <= 0 || d > 1 << 20) {
        throw new TfliteError(`tensor "${name}" has an invalid shape [${shape.join(", ")}]`);
      }
    }
    const type = t.i8(1);
    const bufIndex = t.u32(2);
    let data: Uint8Array | null = null;
    if (bufIndex !== 0) {
      const b = bufferTables[bufIndex];
      if (!b) throw new TfliteError(`tensor "${name}" refers to missing buffer ${bufIndex}`);
      data = bufferData(bytes, b, name);
    }
    return { index, name, shape, type, data };
  });

  const checkTensor = (i: number, where: string, optional: boolean): number => {
    if (i === -1 && optional) return i;
    if (!Number.isInteger(i) || i < 0 || i >= tensors.length) {
      throw new TfliteError(`${where} refers to tensor ${i}, but the model has ${tensors.length}`);
    }
    return i;
  };

  const inputs = (sg.i32s(1) ?? []).map((i) => checkTensor(i, "the graph input", false));
  const outputs = (sg.i32s(2) ?? []).map((i) => checkTensor(i, "the graph output", false));
  if (inputs.length === 0) throw new TfliteError("the model has no inputs");
  if (outputs.length === 0) throw new TfliteError("the model has no outputs");

  const operators = sg.tables(3).map((o, index): TfliteOperator => {
    const codeIndex = o.u32(0);
    const code = codes[codeIndex];
    if (!code) throw new TfliteError(`operator ${index} uses missing operator code ${codeIndex}`);
    const where = `operator ${index} (${code.op})`;
    return {
      index,
      op: code.op,
      custom: code.custom,
      inputs: (o.i32s(1) ?? []).map((i) => checkTensor(i, `${where} input`, true)),
      outputs: (o.i32s(2) ?? []).map((i) => checkTensor(i, `${where} output`, false)),
      options: o.table(4),
      customOptions: o.bytes(5),
    };
  });

  return {
    version,
    description: model.string(3) ?? "",
    tensors,
    inputs,
    outputs,
    operators,
  };
}

function bufferData(file: Uint8Array, b: Table, name: string): Uint8Array | null {
  const inline = b.bytes(0);
  if (inline && inline.length > 0) return inline;
  // Large models keep buffer contents after the FlatBuffer: offset/size fields (schema.fbs).
  const offset = b.u64(1);
  const size = b.u64(2);
  if (offset > 1) {
    if (offset + size > file.byteLength) {
      throw new TfliteError(`tensor "${name}" has data outside the file`);
    }
    return file.subarray(offset, offset + size);
  }
  return null;
}
