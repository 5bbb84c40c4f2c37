/**
 * Model manifests: the JSON files in `models/` that describe a segmentation model as data
 * (input size, layout and normalisation; what the output means; where the model comes from).
 * No code branches on a model's name: everything model-specific is in its manifest.
 *
 * @module
 */

/** How the model's output becomes a person probability. */
export type OutputKind =
  /** One channel that already is the person probability (sigmoid inside the model). */
  | { kind: "probability" }
  /** One channel of person logits: probability = sigmoid(x). */
  | { kind: "logit" }
  /** N channels of class logits: probability = softmax(x)[person]. */
  | { kind: "softmax"; person: number };

/** A model manifest (`models/<name>.json`). */
export interface ModelManifest {
  /** Short name used on the command line (`--model landscape`). */
  name: string;
  /** One line for humans. */
  description: string;
  /** SPDX licence of the model. */
  license: string;
  /** Where the TFLite file comes from (absent for user-given models). */
  source?: { package: string; version: string; file: string; sha256: string };
  /** The converted ONNX file, relative to the manifest. */
  onnx: string;
  /** The input tensor: float32 NHWC RGB, `tensor = pixel / 255 * (hi - lo) + lo`. */
  input: {
    name: string;
    width: number;
    height: number;
    layout: "NHWC";
    channels: "RGB";
    range: [number, number];
  };
  /** The output tensor, NHWC float32. */
  output: {
    name: string;
    width: number;
    height: number;
    layout: "NHWC";
    channels: number;
  } & OutputKind;
}

/** A manifest that does not describe a usable model. */
export class ManifestError extends Error {
  /**
   * What is wrong: `"invalid"` (the manifest or model does not describe a usable model), or
   * `"ambiguous-output"` (a bare model whose output does not say which channel is the person).
   */
  readonly kind: "invalid" | "ambiguous-output";

  /**
   * @param message what is wrong
   * @param kind what kind of problem
   */
  constructor(message: string, kind: "invalid" | "ambiguous-output" = "invalid") {
    super(message);
    this.name = "ManifestError";
    this.kind = kind;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 8192;
}

/**
 * Checks that a parsed JSON value is a valid manifest.
 *
 * @param value the parsed JSON
 * @param where the file name, for messages
 * @returns the value typed as a manifest
 * @throws {ManifestError} naming the first field that is wrong
 */
export function validateManifest(value: unknown, where: string): ModelManifest {
  const fail = (what: string): never => {
    throw new ManifestError(`Invalid model manifest "${where}": ${what}`);
  };
  if (!isObject(value)) return fail("not a JSON object");
  for (const key of ["name", "description", "license", "onnx"]) {
    if (typeof value[key] !== "string" || value[key] === "") fail(`"${key}" must be a string`);
  }
  const input = value.input;
  if (!isObject(input)) return fail(`"input" must be an object`);
  if (typeof input.name !== "string") fail(`"input.name" must be a string`);
  if (!positiveInt(input.width) || !positiveInt(input.height)) {
    fail(`"input.width" and "input.height" must be positive integers`);
  }
  if (input.layout !== "NHWC") fail(`"input.layout" must be "NHWC"`);
  if (input.channels !== "RGB") fail(`"input.channels" must be "RGB"`);
  const range = input.range;
  if (
    !Array.isArray(range) || range.length !== 2 || typeof range[0] !== "number" ||
    typeof range[1] !== "number" || range[0] >= range[1]
  ) {
    fail(`"input.range" must be [low, high], e.g. [0, 1]`);
  }
  const output = value.output;
  if (!isObject(output)) return fail(`"output" must be an object`);
  if (typeof output.name !== "string") fail(`"output.name" must be a string`);
  if (!positiveInt(output.width) || !positiveInt(output.height) || !positiveInt(output.channels)) {
    fail(`"output.width", "output.height" and "output.channels" must be positive integers`);
  }
  if (output.layout !== "NHWC") fail(`"output.layout" must be "NHWC"`);
  const channels = output.channels as number;
  switch (output.kind) {
    case "probability":
    case "logit":
      if (channels !== 1) fail(`"output.kind" "${output.kind}" needs 1 channel`);
      break;
    case "softmax":
      if (
        typeof output.person !== "number" || !Number.isInteger(output.person) ||
        output.person < 0 || output.person >= channels
      ) {
        fail(`"output.person" must be a channel index below ${channels}`);
      }
      break;
    default:
      fail(`"output.kind" must be "probability", "logit" or "softmax"`);
  }
  if (value.source !== undefined) {
    const s = value.source;
    if (
      !isObject(s) || typeof s.package !== "string" || typeof s.version !== "string" ||
      typeof s.file !== "string" || typeof s.sha256 !== "string" ||
      !/^[0-9a-f]{64}$/.test(s.sha256)
    ) {
      fail(`"source" must have "package", "version", "file" and a hex "sha256"`);
    }
  }
  return value as unknown as ModelManifest;
}

/**
 * Reads and validates a manifest file.
 *
 * @param path the `.json` file
 * @returns the manifest
 * @throws {ManifestError} when the file is missing, not JSON or not a valid manifest
 */
export async function readManifest(path: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ManifestError(`Cannot read model manifest "${path}": ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`Invalid model manifest "${path}": ${(e as Error).message}`);
  }
  return validateManifest(json, path);
}

/** Options for {@linkcode inferManifest}. */
export interface InferOptions {
  /** Override the inferred output interpretation. */
  output?: OutputKind;
  /** Override the inferred input range. */
  range?: [number, number];
}

/**
 * Describes a bare model file from its tensor shapes, as backscrub's `-m` did: 1 output channel is
 * a probability, 2 channels are background/person logits, 21 channels are DeepLab's classes with
 * person = 15 and input in [-1, 1].
 *
 * @param name a name for messages
 * @param onnx the ONNX file name
 * @param input the NHWC input shape `[1, H, W, 3]`
 * @param output the NHWC output shape `[1, H, W, C]`
 * @param options overrides for what cannot be inferred
 * @returns a manifest for the model
 * @throws {ManifestError} when the shapes are not those of a segmentation model
 */
export function inferManifest(
  name: string,
  onnx: string,
  input: readonly number[],
  output: readonly number[],
  options: InferOptions = {},
): ModelManifest {
  if (input.length !== 4 || input[0] !== 1 || input[3] !== 3) {
    throw new ManifestError(
      `Model "${name}" takes [${input}]; expected one NHWC RGB image [1, height, width, 3]`,
    );
  }
  if (output.length !== 4 || output[0] !== 1) {
    throw new ManifestError(
      `Model "${name}" gives [${output}]; expected an NHWC map [1, height, width, channels]`,
    );
  }
  const channels = output[3]!;
  let kind: OutputKind;
  let range: [number, number] = [0, 1];
  if (options.output) kind = options.output;
  else if (channels === 1) kind = { kind: "probability" };
  else if (channels === 2) kind = { kind: "softmax", person: 1 };
  else if (channels === 21) {
    kind = { kind: "softmax", person: 15 };
    range = [-1, 1];
  } else {
    throw new ManifestError(
      `Model "${name}" has ${channels} output channels: which of them is the person is not known`,
      "ambiguous-output",
    );
  }
  const manifest = {
    name,
    description: `${name} (inferred from its shapes)`,
    license: "unknown",
    onnx,
    input: {
      name: "input",
      width: input[2]!,
      height: input[1]!,
      layout: "NHWC",
      channels: "RGB",
      range: options.range ?? range,
    },
    output: {
      name: "output",
      width: output[2]!,
      height: output[1]!,
      layout: "NHWC",
      channels,
      ...kind,
    },
  };
  return validateManifest(manifest, name);
}
