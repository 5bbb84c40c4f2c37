/**
 * Builds ONNX models (protobuf) with `protobufjs`.
 *
 * The message definitions are the subset of onnx/onnx.proto that a converted model uses, given as
 * a protobufjs JSON descriptor (field numbers as in onnx.proto), so no `.proto` file or code
 * generation step is needed. {@linkcode decodeOnnx} reads a model back for tests and tools.
 *
 * @module
 */

import protobuf from "protobufjs";

/** ONNX `TensorProto.DataType` values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
} as const;

/** An ONNX node attribute, tagged by its protobuf field. */
export type Attribute =
  | { f: number }
  | { i: number }
  | { s: string }
  | { floats: number[] }
  | { ints: number[] };

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            opsetImport: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
            producerName: { type: "string", id: 2 },
            producerVersion: { type: "string", id: 3 },
            domain: { type: "string", id: 4 },
            modelVersion: { type: "int64", id: 5 },
            docString: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
            metadataProps: { rule: "repeated", type: "StringStringEntryProto", id: 14 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: "string", id: 1 }, value: { type: "string", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            docString: { type: "string", id: 10 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
            valueInfo: { rule: "repeated", type: "ValueInfoProto", id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            domain: { type: "string", id: 7 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
            docString: { type: "string", id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            type: { type: "int32", id: 20 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            floats: { rule: "repeated", type: "float", id: 7 },
            ints: { rule: "repeated", type: "int64", id: 8 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            dataType: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            rawData: { type: "bytes", id: 9 },
            floatData: { rule: "repeated", type: "float", id: 4 },
            int64Data: { rule: "repeated", type: "int64", id: 7 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } },
        },
        TypeProto: {
          fields: { tensorType: { type: "TypeProtoTensor", id: 1 } },
        },
        TypeProtoTensor: {
          fields: {
            elemType: { type: "int32", id: 1 },
            shape: { type: "TensorShapeProto", id: 2 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
        },
        Dimension: {
          fields: { dimValue: { type: "int64", id: 1 }, dimParam: { type: "string", id: 2 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const ModelProto = root.lookupType("onnx.ModelProto");

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { f: 1, i: 2, s: 3, floats: 6, ints: 7 } as const;

interface NodeSpec {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Record<string, unknown>[];
}

interface TensorSpec {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

interface ValueSpec {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: { dimValue: number }[] } } };
}

/** Options for {@linkcode GraphBuilder.encode}. */
export interface EncodeOptions {
  /** Model doc string. */
  docString?: string;
  /** Key/value metadata stored in the model. */
  metadata?: Record<string, string>;
}

/** Collects nodes, initializers, inputs and outputs, then encodes an ONNX model. */
export class GraphBuilder {
  /** The default-domain opset version the model declares. */
  static readonly OPSET = 14;
  /** IR version matching {@linkcode GraphBuilder.OPSET} (ONNX 1.9). */
  static readonly IR_VERSION = 7;

  readonly #nodes: NodeSpec[] = [];
  readonly #initializers: TensorSpec[] = [];
  readonly #inputs: ValueSpec[] = [];
  readonly #outputs: ValueSpec[] = [];
  readonly #names = new Set<string>();

  /**
   * Returns a name not used yet, derived from `base`.
   *
   * @param base a readable stem, e.g. the TFLite tensor name
   */
  uniqueName(base: string): string {
    const stem = base.length > 0 ? base : "t";
    let name = stem;
    for (let k = 1; this.#names.has(name); k++) name = `${stem}_${k}`;
    this.#names.add(name);
    return name;
  }

  /** Declares a graph input of a float or integer tensor type. */
  addInput(name: string, elemType: number, dims: readonly number[]): void {
    this.#names.add(name);
    this.#inputs.push(valueInfo(name, elemType, dims));
  }

  /** Declares a graph output. */
  addOutput(name: string, elemType: number, dims: readonly number[]): void {
    this.#outputs.push(valueInfo(name, elemType, dims));
  }

  /**
   * Adds a constant.
   *
   * @param base a name stem
   * @param data the values, row-major
   * @param dims the shape
   * @returns the initializer's unique name
   */
  addInitializer(
    base: string,
    data: Float32Array | BigInt64Array | Int32Array,
    dims: readonly number[],
  ): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(`Initializer "${base}" has ${data.length} values for shape [${dims}]`);
    }
    const dataType = data instanceof Float32Array
      ? DataType.FLOAT
      : data instanceof BigInt64Array
      ? DataType.INT64
      : DataType.INT32;
    const name = this.uniqueName(base);
    this.#initializers.push({
      name,
      dims: [...dims],
      dataType,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /**
   * Adds a node (in execution order).
   *
   * @param opType the ONNX operator, e.g. `"Conv"`
   * @param inputs input value names (`""` for an omitted optional input)
   * @param outputs output value names
   * @param attrs attributes by name
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Record<string, Attribute> = {},
  ): void {
    const attribute = Object.entries(attrs).map(([name, a]) => {
      const key = Object.keys(a)[0] as keyof typeof ATTR_TYPE;
      const value = (a as Record<string, unknown>)[key];
      return {
        name,
        type: ATTR_TYPE[key],
        [key]: key === "s" ? new TextEncoder().encode(value as string) : value,
      };
    });
    this.#nodes.push({
      input: [...inputs],
      output: [...outputs],
      name: `${opType}_${this.#nodes.length}`,
      opType,
      attribute,
    });
  }

  /** Number of nodes added so far. */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /**
   * Encodes the model.
   *
   * @param options doc string and metadata
   * @returns the serialized ModelProto
   */
  encode(options: EncodeOptions = {}): Uint8Array {
    const message = ModelProto.fromObject({
      irVersion: GraphBuilder.IR_VERSION,
      opsetImport: [{ domain: "", version: GraphBuilder.OPSET }],
      producerName: "backscrub",
      producerVersion: "tflite2onnx",
      docString: options.docString ?? "",
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({
        key,
        value,
      })),
      graph: {
        name: "backscrub",
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return ModelProto.encode(message).finish();
  }
}

function valueInfo(name: string, elemType: number, dims: readonly number[]): ValueSpec {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

/** A decoded ONNX model, as plain objects (int64 fields as numbers). */
export interface DecodedModel {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  docString?: string;
  metadataProps?: { key: string; value: string }[];
  graph?: {
    node?: { opType: string; input?: string[]; output?: string[] }[];
    initializer?: { name: string; dims?: number[]; dataType: number }[];
    input?: { name: string }[];
    output?: { name: string }[];
  };
}

/**
 * Decodes an ONNX model (for tests and `--model` metadata).
 *
 * @param bytes the serialized ModelProto
 * @returns its fields as plain objects
 */
export function decodeOnnx(bytes: Uint8Array): DecodedModel {
  const message = ModelProto.decode(bytes);
  return ModelProto.toObject(message, { longs: Number, defaults: false }) as DecodedModel;
}
