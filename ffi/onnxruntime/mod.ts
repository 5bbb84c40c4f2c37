/**
 * ONNX Runtime through Deno FFI (layer 3 of 3): safe classes over the C API. No pointer leaves
 * this module.
 *
 * ```ts ignore
 * import { OnnxRuntime } from "./ffi/onnxruntime/mod.ts";
 *
 * using ort = OnnxRuntime.load();
 * using session = ort.createSession("model.onnx", { intraOpThreads: 2 });
 * // or, ORT building it on another thread: await ort.createSessionAsync("model.onnx", { … })
 * using x = ort.createTensor(new Float32Array(3), [1, 3]);
 * using y = ort.createTensor(new Float32Array(3), [1, 3]);
 * const step = session.prepare({ inputs: { X: x }, outputs: { Y: y } });
 * x.data.set([1, 2, 3]);
 * await step.runAsync(); // y.data now holds the result
 * ```
 *
 * @module
 */

import {
  addressOf,
  check,
  cString,
  OrtError,
  outPointer,
  pinnedCString,
  readPointer,
  readSize,
} from "./_check.ts";
import {
  embeddedOrt,
  type EmbeddedOrtManifest,
  extractEmbeddedOrt,
  loadedOrtLibraryPath,
  loadOrtLibrary,
  ORT_TELEMETRY_ENV,
  type OrtApi,
  type OrtLibrary,
  programRoot,
} from "./_load.ts";
import { LibraryLoadError, type LoadAttempt } from "../_library.ts";

export {
  embeddedOrt,
  type EmbeddedOrtManifest,
  extractEmbeddedOrt,
  LibraryLoadError,
  type LoadAttempt,
  loadedOrtLibraryPath,
  ORT_TELEMETRY_ENV,
  OrtError,
};

/** `OrtLoggingLevel` ORT_LOGGING_LEVEL_WARNING. */
const LOGGING_LEVEL_WARNING = 2;
/** `ExecutionMode` ORT_SEQUENTIAL. */
const ORT_SEQUENTIAL = 0;
/** `OrtAllocatorType` OrtArenaAllocator. */
const ORT_ARENA_ALLOCATOR = 1;
/** `OrtMemType` OrtMemTypeDefault. */
const ORT_MEM_TYPE_DEFAULT = 0;
/** The session config key that turns intra-op spinning off ("0") or on ("1"). */
const ALLOW_SPINNING_KEY = "session.intra_op.allow_spinning";

/** `GraphOptimizationLevel` values. */
const GRAPH_OPTIMIZATION = { disable: 0, basic: 1, extended: 2, all: 99 } as const;

/** A tensor element type, named like the typed arrays (`ONNXTensorElementDataType`). */
export type ElementType =
  | "float32"
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "int32"
  | "int64"
  | "string"
  | "bool"
  | "float16"
  | "float64"
  | "uint32"
  | "uint64"
  | "bfloat16"
  | "unknown";

/** `ONNXTensorElementDataType` values by name. */
const ELEMENT_TYPE_CODES: Readonly<Record<Exclude<ElementType, "unknown">, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

function elementTypeName(code: number): ElementType {
  for (const [name, value] of Object.entries(ELEMENT_TYPE_CODES)) {
    if (value === code) return name as ElementType;
  }
  return "unknown";
}

/** The typed arrays a {@linkcode Tensor} can wrap (over a plain, fixed-size `ArrayBuffer`). */
export type TensorData =
  | Float32Array<ArrayBuffer>
  | Float64Array<ArrayBuffer>
  | Uint8Array<ArrayBuffer>
  | Int8Array<ArrayBuffer>
  | Uint16Array<ArrayBuffer>
  | Int16Array<ArrayBuffer>
  | Int32Array<ArrayBuffer>
  | Uint32Array<ArrayBuffer>
  | BigInt64Array<ArrayBuffer>
  | BigUint64Array<ArrayBuffer>;

function tensorElementType(data: TensorData): Exclude<ElementType, "unknown"> {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof BigUint64Array) return "uint64";
  throw new TypeError(`Cannot create tensor: unsupported data type ${describe(data)}`);
}

/** A model input or output as the model declares it. */
export interface ValueInfo {
  /** The graph name. */
  readonly name: string;
  /** The element type (`"unknown"` for a non-tensor value such as a sequence or a map). */
  readonly elementType: ElementType;
  /** The dimensions; `-1` for a dynamic (symbolic) one. */
  readonly shape: readonly number[];
}

/** Options for {@linkcode OnnxRuntime.load}. */
export interface LoadOptions {
  /** Path to `libonnxruntime.so.1` (the CLI's `--ort-lib`); tried before the usual places. */
  libraryPath?: string | undefined;
}

/** Options for {@linkcode OnnxRuntime.createSession}. */
export interface SessionOptions {
  /** Threads inside one operator (0 = ORT's default: one per core). Default 1. */
  intraOpThreads?: number;
  /** Threads across operators (0 = ORT's default). Default 1; execution is sequential. */
  interOpThreads?: number;
  /** Let idle intra-op threads spin (burns CPU between frames). Default false. */
  spinning?: boolean;
  /** Graph optimization level. Default `"all"`. */
  graphOptimization?: "all" | "extended" | "basic" | "disable";
}

/** The tensors a {@linkcode PreparedRun} reads and writes, by graph name. */
export interface RunBinding {
  /** Every model input, by name. */
  inputs: Readonly<Record<string, Tensor>>;
  /** The outputs wanted, by name: ORT writes into these tensors' arrays. */
  outputs: Readonly<Record<string, Tensor>>;
}

/**
 * A native object with a reference count: `close()` drops the owner's reference, and the object is
 * released when the last reference (an in-flight run, a session's hold on the env) goes.
 */
class Owned {
  #pointer: Deno.PointerObject | null;
  readonly #free: (pointer: Deno.PointerObject) => void;
  #refs = 1;
  #closed = false;

  constructor(pointer: Deno.PointerObject, free: (pointer: Deno.PointerObject) => void) {
    this.#pointer = pointer;
    this.#free = free;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get pointer(): Deno.PointerObject {
    if (this.#pointer === null) throw new Error("Cannot use a released ONNX Runtime object");
    return this.#pointer;
  }

  retain(): void {
    this.#refs++;
  }

  release(): void {
    if (--this.#refs > 0 || this.#pointer === null) return;
    const pointer = this.#pointer;
    this.#pointer = null;
    this.#free(pointer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.release();
  }
}

/** Backstop for sessions and tensors that were never closed. */
const finalizer = new FinalizationRegistry<Owned>((owned) => owned.close());

/** What sessions and tensors need from their runtime. */
interface RuntimeParts {
  readonly api: OrtApi;
  readonly env: Owned;
  readonly memoryInfo: Owned;
  readonly allocator: Deno.PointerObject;
}

let current: OnnxRuntime | undefined;

/**
 * The loaded library and the process-wide `OrtEnv`. Make sessions and tensors from it.
 *
 * @example
 * ```ts ignore
 * using ort = OnnxRuntime.load({ libraryPath: "/opt/ort/libonnxruntime.so.1" });
 * console.log(ort.version, ort.libraryPath);
 * ```
 */
export class OnnxRuntime {
  readonly #library: OrtLibrary;
  readonly #env: Owned;
  readonly #memoryInfo: Owned;
  readonly #allocator: Deno.PointerObject;

  private constructor(library: OrtLibrary) {
    const api = library.api;
    using onError = new DisposableStack();
    const out = outPointer();
    check(
      api,
      api.CreateEnv.call(LOGGING_LEVEL_WARNING, cString("backscrub"), out),
      "Cannot create ONNX Runtime environment",
    );
    const env = new Owned(readPointer(out, "OrtEnv"), (p) => api.ReleaseEnv.call(p));
    onError.defer(() => env.close());
    // The second guard after ORT_DISABLE_TELEMETRY (set before the library was opened).
    check(
      api,
      api.DisableTelemetryEvents.call(env.pointer),
      "Cannot turn off ONNX Runtime telemetry",
    );
    check(
      api,
      api.CreateCpuMemoryInfo.call(ORT_ARENA_ALLOCATOR, ORT_MEM_TYPE_DEFAULT, out),
      "Cannot create ONNX Runtime CPU memory info",
    );
    const memoryInfo = new Owned(
      readPointer(out, "OrtMemoryInfo"),
      (p) => api.ReleaseMemoryInfo.call(p),
    );
    onError.defer(() => memoryInfo.close());
    check(
      api,
      api.GetAllocatorWithDefaultOptions.call(out),
      "Cannot get the ONNX Runtime default allocator",
    );
    this.#allocator = readPointer(out, "OrtAllocator");
    this.#library = library;
    this.#env = env;
    this.#memoryInfo = memoryInfo;
    onError.move();
  }

  /**
   * Loads the library (once per process) and creates the `OrtEnv` (log level WARNING, log id
   * `"backscrub"`). While a runtime is open, later calls return it.
   *
   * The library is looked up in order: `options.libraryPath`, `$BACKSCRUB_ORT_LIB`, next to the
   * executable, the system loader (`libonnxruntime.so.1`), then the `onnxruntime-node` npm package
   * under the current directory and under the project root.
   *
   * @param options an explicit library path
   * @returns the open runtime
   * @throws {LibraryLoadError} when no library loads (the message lists every path tried)
   * @throws {OrtError} when the environment cannot be created
   */
  static load(options: LoadOptions = {}): OnnxRuntime {
    const library = loadOrtLibrary(options);
    if (current !== undefined && !current.closed) return current;
    current = new OnnxRuntime(library);
    return current;
  }

  /** The ONNX Runtime version, e.g. `"1.30.0"`. */
  get version(): string {
    return this.#library.version;
  }

  /** ORT's build description (git commit, build type) when the library has it (ORT >= 1.15). */
  get buildInfo(): string | undefined {
    return this.#library.buildInfo;
  }

  /**
   * Whether ONNX Runtime's telemetry is off in this process: `ORT_DISABLE_TELEMETRY=1` was in the
   * environment when the library was opened (it latches it then) and `DisableTelemetryEvents`
   * succeeded on the environment (the constructor throws otherwise).
   */
  get telemetryOff(): boolean {
    try {
      return Deno.env.get(ORT_TELEMETRY_ENV) === "1";
    } catch {
      return false;
    }
  }

  /** The library path (or soname) that was loaded. */
  get libraryPath(): string {
    return this.#library.path;
  }

  /** Whether {@linkcode OnnxRuntime.close} was called. */
  get closed(): boolean {
    return this.#env.closed;
  }

  /**
   * Creates an inference session from a model file or from the model's bytes, on the calling
   * thread (ORT parses and optimises the graph meanwhile: milliseconds to a second). See
   * {@linkcode OnnxRuntime.createSessionAsync} for the same on another thread.
   *
   * A file inside the program's own tree (the bundled models; in a compiled executable that tree
   * is embedded and only Deno can read it) is read by Deno and handed to ORT as bytes; any other
   * path is opened by ORT itself.
   *
   * @param model a path to an `.onnx` file, or its contents
   * @param options threads, spinning, optimization level
   * @returns the session; close it when done
   * @throws {OrtError} when ORT rejects the model (e.g. `ORT_INVALID_PROTOBUF`) or the options
   */
  createSession(model: string | Uint8Array, options: SessionOptions = {}): Session {
    const parts = this.#parts("create ONNX Runtime session");
    const { api, env } = parts;
    using request = new SessionRequest(api, model, options);
    const bytes = request.path === null
      ? request.bytes
      : embeddedModelBytes(model as string, request.context);
    const out = outPointer();
    const status = bytes === null
      ? api.CreateSession.call(env.pointer, cString(model as string), request.options, out)
      : api.CreateSessionFromArray.call(
        env.pointer,
        bytes as Uint8Array<ArrayBuffer>,
        BigInt(bytes.byteLength),
        request.options,
        out,
      );
    check(api, status, request.context);
    return new Session(parts, request.label, readPointer(out, "OrtSession"));
  }

  /**
   * As {@linkcode OnnxRuntime.createSession}, with ORT's part (parsing and optimising the graph)
   * on another thread (`CreateSession` declared `nonblocking`): the event loop keeps running,
   * so a live model switch does not stall frames. The model's bytes are copied first (a caller's
   * array may change or be transferred while ORT reads); a bundled model file is read
   * asynchronously.
   *
   * @example
   * ```ts ignore
   * using ort = OnnxRuntime.load();
   * using session = await ort.createSessionAsync("model.onnx", { intraOpThreads: 1 });
   * ```
   *
   * @param model a path to an `.onnx` file, or its contents
   * @param options threads, spinning, optimization level
   * @returns a promise of the session; close it when done
   * @throws {OrtError} (rejects) when ORT rejects the model or the options
   */
  async createSessionAsync(
    model: string | Uint8Array,
    options: SessionOptions = {},
  ): Promise<Session> {
    const parts = this.#parts("create ONNX Runtime session");
    const { api, env } = parts;
    // The session holds the env once made; until then this call does, so that a close() of the
    // runtime meanwhile cannot release the env under ORT's thread.
    env.retain();
    // Every buffer ORT's thread reads or writes: in own fixed-size ArrayBuffers (outside V8's
    // moving heap), referenced from `creating` until the call settles.
    const pending: { bytes?: Uint8Array; path?: Uint8Array; out?: BigUint64Array } = {};
    creating.add(pending);
    try {
      using request = new SessionRequest(api, model, options);
      let bytes: Uint8Array<ArrayBuffer> | null = null;
      if (request.path === null) bytes = pinnedCopy(request.bytes!);
      else if (isEmbedded(request.path)) bytes = await readModelFile(request.path, request.context);
      const path = request.path === null ? null : pinnedCString(request.path);
      const out = new BigUint64Array(new ArrayBuffer(8));
      Object.assign(pending, { bytes, path, out });
      const status = await (bytes === null
        ? api.CreateSessionNonblocking.call(env.pointer, path!, request.options, out)
        : api.CreateSessionFromArrayNonblocking.call(
          env.pointer,
          bytes,
          BigInt(bytes.byteLength),
          request.options,
          out,
        ));
      check(api, status, request.context);
      return new Session(parts, request.label, readPointer(out, "OrtSession"));
    } finally {
      creating.delete(pending);
      env.release();
    }
  }

  /**
   * Wraps a typed array as a tensor, without copying: ORT reads and writes `data` in place. The
   * tensor keeps `data` referenced; make it once and reuse it every frame.
   *
   * @param data the elements, row-major, over a plain fixed-size `ArrayBuffer`
   * @param shape the dimensions; their product must equal `data.length`
   * @returns the tensor; close it when done
   */
  createTensor<T extends TensorData>(data: T, shape: readonly number[]): Tensor<T> {
    return new Tensor(this.#parts("create tensor"), data, shape);
  }

  /**
   * Releases the memory info and drops the runtime's hold on the `OrtEnv`; the env itself is
   * released last, once every session made from it is closed. Idempotent.
   */
  close(): void {
    if (this.#env.closed) return;
    this.#memoryInfo.close();
    this.#env.close();
    if (current === this) current = undefined;
  }

  /** Same as {@linkcode OnnxRuntime.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #parts(action: string): RuntimeParts {
    if (this.#env.closed) throw new Error(`Cannot ${action}: the ONNX Runtime is closed`);
    return {
      api: this.#library.api,
      env: this.#env,
      memoryInfo: this.#memoryInfo,
      allocator: this.#allocator,
    };
  }
}

/** Reads a tensor's handle (set by the class's static block). */
let tensorOwned: (tensor: Tensor) => Owned;
/** Whether a value is a real {@linkcode Tensor} (set by the class's static block). */
let isTensor: (value: unknown) => value is Tensor;

/**
 * A tensor over a caller-owned typed array (an `OrtValue` made once by
 * `CreateTensorWithDataAsOrtValue`). Create with {@linkcode OnnxRuntime.createTensor}.
 */
class Tensor<T extends TensorData = TensorData> {
  /** The elements, shared with ORT: write inputs here, read outputs here. */
  readonly data: T;
  /** The dimensions. */
  readonly shape: readonly number[];
  /** The element type, from the typed array. */
  readonly elementType: Exclude<ElementType, "unknown">;
  readonly #owned: Owned;

  static {
    tensorOwned = (tensor) => tensor.#owned;
    isTensor = (value) => typeof value === "object" && value !== null && #owned in value;
  }

  /** Internal: use {@linkcode OnnxRuntime.createTensor}. */
  constructor(parts: RuntimeParts, data: T, shape: readonly number[]) {
    const { api } = parts;
    const elementType = tensorElementType(data);
    const context = `Cannot create ${elementType} tensor of shape [${shape.join(", ")}]`;
    // Reading `.buffer` also moves a small typed array out of the V8 heap, so its address is stable.
    const buffer: ArrayBufferLike = data.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.resizable) {
      throw new TypeError(`${context}: the data must be over a plain fixed-size ArrayBuffer`);
    }
    let count = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new RangeError(`${context}: dimension ${d} is not a non-negative integer`);
      }
      count *= d;
    }
    if (count !== data.length) {
      throw new RangeError(`${context}: it has ${count} elements but the data has ${data.length}`);
    }
    const dims = BigInt64Array.from(shape, (d) => BigInt(d));
    const out = outPointer();
    check(
      api,
      api.CreateTensorWithDataAsOrtValue.call(
        parts.memoryInfo.pointer,
        data,
        BigInt(data.byteLength),
        dims,
        BigInt(dims.length),
        ELEMENT_TYPE_CODES[elementType],
        out,
      ),
      context,
    );
    this.#owned = new Owned(readPointer(out, "OrtValue"), (p) => api.ReleaseValue.call(p));
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.elementType = elementType;
    finalizer.register(this, this.#owned, this);
  }

  /** Whether {@linkcode Tensor.close} was called. */
  get closed(): boolean {
    return this.#owned.closed;
  }

  /** Releases the `OrtValue` (after an in-flight run that uses it settles). Idempotent. */
  close(): void {
    finalizer.unregister(this);
    this.#owned.close();
  }

  /** Same as {@linkcode Tensor.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

export type { Tensor };

/**
 * An inference session (`OrtSession`). Create with {@linkcode OnnxRuntime.createSession}.
 */
class Session {
  /** The model inputs, in graph order. */
  readonly inputs: readonly ValueInfo[];
  /** The model outputs, in graph order. */
  readonly outputs: readonly ValueInfo[];
  /** How errors name the model: `"x.onnx"` or `(1234-byte model)`. */
  readonly label: string;
  readonly #api: OrtApi;
  readonly #owned: Owned;

  /**
   * Internal: use {@linkcode OnnxRuntime.createSession}. Takes over `session` (released here if
   * reading its inputs and outputs fails).
   */
  constructor(parts: RuntimeParts, label: string, session: Deno.PointerObject) {
    const { api, env } = parts;
    this.label = label;
    const context = `Cannot create ONNX Runtime session from ${label}`;
    using onError = new DisposableStack();
    env.retain();
    const owned = new Owned(session, (p) => {
      api.ReleaseSession.call(p);
      env.release();
    });
    onError.defer(() => owned.close());

    this.inputs = readValueInfos(api, session, parts.allocator, "input", context);
    this.outputs = readValueInfos(api, session, parts.allocator, "output", context);
    this.#api = api;
    this.#owned = owned;
    finalizer.register(this, owned, this);
    onError.move();
  }

  /** Whether {@linkcode Session.close} was called. */
  get closed(): boolean {
    return this.#owned.closed;
  }

  /**
   * Binds tensors to the model's inputs and outputs once, for many runs. Builds the C arrays of
   * names and values once; each run then allocates nothing beyond its promise.
   *
   * @param binding every input, and the outputs wanted, by graph name
   * @returns the prepared run
   * @throws {Error} when a name, element type or static dimension does not match the model
   */
  prepare(binding: RunBinding): PreparedRun {
    const context = `Cannot prepare a run of ONNX Runtime session ${this.label}`;
    if (this.#owned.closed) throw new Error(`${context}: the session is closed`);
    const inputs = bindTensors(binding.inputs, this.inputs, "input", context);
    const outputs = bindTensors(binding.outputs, this.outputs, "output", context);
    const declared = new Set(Object.keys(binding.inputs));
    const missing = this.inputs.filter((i) => !declared.has(i.name)).map((i) => `"${i.name}"`);
    if (missing.length > 0) throw new Error(`${context}: missing input ${missing.join(", ")}`);
    if (outputs.length === 0) throw new Error(`${context}: no output requested`);
    return new PreparedRun(this.#api, this.#owned, this.label, inputs, outputs);
  }

  /** Releases the session (after in-flight runs settle). Idempotent. */
  close(): void {
    finalizer.unregister(this);
    this.#owned.close();
  }

  /** Same as {@linkcode Session.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

export type { Session };

/**
 * The session options of one session being made (`OrtSessionOptions`, released on dispose), and
 * how errors name the model.
 */
class SessionRequest {
  /** `"x.onnx"` or `(1234-byte model)`. */
  readonly label: string;
  /** The start of every error message. */
  readonly context: string;
  /** The model's path, or null for bytes. */
  readonly path: string | null;
  /** The model's bytes, or null for a path. */
  readonly bytes: Uint8Array | null;
  /** The native options. */
  readonly options: Deno.PointerObject;
  readonly #api: OrtApi;

  constructor(api: OrtApi, model: string | Uint8Array, options: SessionOptions) {
    this.label = typeof model === "string" ? `"${model}"` : `(${model.byteLength}-byte model)`;
    const context = `Cannot create ONNX Runtime session from ${this.label}`;
    this.context = context;
    this.path = typeof model === "string" ? model : null;
    this.bytes = typeof model === "string" ? null : model;
    this.#api = api;
    // Checked before anything native is made.
    const intra = threadCount(options.intraOpThreads, "intraOpThreads", context);
    const inter = threadCount(options.interOpThreads, "interOpThreads", context);
    const level = GRAPH_OPTIMIZATION[options.graphOptimization ?? "all"];
    if (level === undefined) {
      throw new RangeError(`${context}: unknown graphOptimization "${options.graphOptimization}"`);
    }
    using onError = new DisposableStack();
    const out = outPointer();
    check(api, api.CreateSessionOptions.call(out), context);
    const sessionOptions = readPointer(out, "OrtSessionOptions");
    onError.defer(() => api.ReleaseSessionOptions.call(sessionOptions));
    check(api, api.SetIntraOpNumThreads.call(sessionOptions, intra), context);
    check(api, api.SetInterOpNumThreads.call(sessionOptions, inter), context);
    check(api, api.SetSessionExecutionMode.call(sessionOptions, ORT_SEQUENTIAL), context);
    check(api, api.SetSessionGraphOptimizationLevel.call(sessionOptions, level), context);
    check(
      api,
      api.AddSessionConfigEntry.call(
        sessionOptions,
        cString(ALLOW_SPINNING_KEY),
        cString(options.spinning ? "1" : "0"),
      ),
      context,
    );
    this.options = sessionOptions;
    onError.move();
  }

  /** Releases the options (ORT copies what it needs into the session). */
  [Symbol.dispose](): void {
    this.#api.ReleaseSessionOptions.call(this.options);
  }
}

/** The buffers of in-flight {@linkcode OnnxRuntime.createSessionAsync} calls, kept referenced. */
const creating = new Set<object>();

/**
 * Whether a model file lies inside the program's own tree (read by Deno, which sees into a
 * compiled executable) rather than elsewhere (ORT opens it, with any external data).
 */
function isEmbedded(path: string): boolean {
  const root = programRoot();
  return root !== null && path.startsWith(root);
}

/** The bytes of a model file inside the program's tree, or null for a file elsewhere. */
function embeddedModelBytes(path: string, context: string): Uint8Array | null {
  if (!isEmbedded(path)) return null;
  try {
    return Deno.readFileSync(path);
  } catch (error) {
    // ORT_NO_SUCHFILE (3), as ORT itself reports an unreadable model file.
    throw new OrtError(context, 3, (error as Error).message);
  }
}

/** Reads a model file inside the program's tree without blocking, into its own buffer. */
async function readModelFile(path: string, context: string): Promise<Uint8Array<ArrayBuffer>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new OrtError(context, 3, (error as Error).message);
  }
  // Reading `.buffer` also moves a small array out of V8's heap, so its address is stable.
  const buffer: ArrayBufferLike = bytes.buffer;
  return buffer instanceof ArrayBuffer && !buffer.resizable
    ? bytes as Uint8Array<ArrayBuffer>
    : pinnedCopy(bytes);
}

/** A copy of `bytes` in its own fixed-size `ArrayBuffer` (outside V8's moving heap). */
function pinnedCopy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}

/** The strong references of in-flight async runs: their arrays must outlive the native call. */
const inFlight = new Set<PreparedRun>();

/**
 * Tensors bound to a session, ready to run many times. Create with {@linkcode Session.prepare}.
 * Runs on one prepared run never overlap; do not touch the tensors' arrays while
 * {@linkcode PreparedRun.runAsync} is pending.
 */
class PreparedRun {
  readonly #api: OrtApi;
  readonly #label: string;
  readonly #context: string;
  /** The session, then every tensor: checked open before each run, held during async runs. */
  readonly #owners: Owned[];
  readonly #ownerNames: string[];
  /** Kept referenced: their arrays are the memory ORT reads and writes. */
  readonly #tensors: Tensor[];
  /** The pinned C strings the name arrays point at. */
  readonly #names: Uint8Array<ArrayBuffer>[];
  readonly #inputNames: BigUint64Array<ArrayBuffer>;
  readonly #inputValues: BigUint64Array<ArrayBuffer>;
  readonly #outputNames: BigUint64Array<ArrayBuffer>;
  readonly #outputValues: BigUint64Array<ArrayBuffer>;
  readonly #inputCount: bigint;
  readonly #outputCount: bigint;
  #running = false;

  /** Internal: use {@linkcode Session.prepare}. */
  constructor(
    api: OrtApi,
    session: Owned,
    label: string,
    inputs: readonly [string, Tensor][],
    outputs: readonly [string, Tensor][],
  ) {
    this.#api = api;
    this.#label = label;
    this.#context = `Cannot run ONNX Runtime session ${label}`;
    this.#tensors = [...inputs, ...outputs].map(([, t]) => t);
    this.#owners = [session, ...this.#tensors.map(tensorOwned)];
    this.#ownerNames = ["the session", ...[...inputs, ...outputs].map(([n]) => `tensor "${n}"`)];
    this.#names = [];
    const pointerArray = (
      entries: readonly [string, Tensor][],
    ): [BigUint64Array<ArrayBuffer>, BigUint64Array<ArrayBuffer>] => {
      const names = new BigUint64Array(new ArrayBuffer(8 * entries.length));
      const values = new BigUint64Array(new ArrayBuffer(8 * entries.length));
      entries.forEach(([name, tensor], i) => {
        const bytes = pinnedCString(name);
        this.#names.push(bytes);
        names[i] = addressOf(bytes);
        values[i] = Deno.UnsafePointer.value(tensorOwned(tensor).pointer);
      });
      return [names, values];
    };
    [this.#inputNames, this.#inputValues] = pointerArray(inputs);
    [this.#outputNames, this.#outputValues] = pointerArray(outputs);
    this.#inputCount = BigInt(inputs.length);
    this.#outputCount = BigInt(outputs.length);
  }

  /** Whether a {@linkcode PreparedRun.runAsync} is pending. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Runs the model on the calling thread; the outputs' arrays hold the results on return.
   *
   * @throws {OrtError} when ORT fails
   * @throws {Error} when a run is pending, or the session or a tensor is closed
   */
  run(): void {
    this.#checkReady();
    const api = this.#api;
    const status = api.Run.call(
      this.#owners[0]!.pointer,
      null,
      this.#inputNames,
      this.#inputValues,
      this.#inputCount,
      this.#outputNames,
      this.#outputCount,
      this.#outputValues,
    );
    check(api, status, this.#context);
  }

  /**
   * Runs the model on another thread (`Run` declared `nonblocking`). Until the promise settles,
   * do not write the inputs' arrays nor read the outputs' arrays; closing the session or a tensor
   * meanwhile is safe (the release waits for the run).
   *
   * @returns a promise that resolves when the outputs' arrays hold the results
   * @throws {OrtError} (rejects) when ORT fails
   * @throws {Error} (rejects) when a run is pending, or the session or a tensor is closed
   */
  async runAsync(): Promise<void> {
    this.#checkReady();
    const owners = this.#owners;
    this.#running = true;
    for (const owner of owners) owner.retain();
    inFlight.add(this);
    try {
      const status = await this.#api.RunNonblocking.call(
        owners[0]!.pointer,
        null,
        this.#inputNames,
        this.#inputValues,
        this.#inputCount,
        this.#outputNames,
        this.#outputCount,
        this.#outputValues,
      );
      check(this.#api, status, this.#context);
    } finally {
      inFlight.delete(this);
      for (const owner of owners) owner.release();
      this.#running = false;
    }
  }

  #checkReady(): void {
    if (this.#running) {
      throw new Error(
        `${this.#context}: a runAsync() of this prepared run is still pending (await it first)`,
      );
    }
    const owners = this.#owners;
    for (let i = 0; i < owners.length; i++) {
      if (owners[i]!.closed) {
        throw new Error(`${this.#context}: ${this.#ownerNames[i]} is closed`);
      }
    }
  }

  /** The session's label, e.g. `"model.onnx"`. */
  get label(): string {
    return this.#label;
  }
}

export type { PreparedRun };

function bindTensors(
  tensors: Readonly<Record<string, Tensor>>,
  declared: readonly ValueInfo[],
  kind: "input" | "output",
  context: string,
): [string, Tensor][] {
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    const info = declared.find((v) => v.name === name);
    if (info === undefined) {
      const names = declared.map((v) => `"${v.name}"`).join(", ");
      throw new Error(`${context}: the model has no ${kind} "${name}" (its ${kind}s: ${names})`);
    }
    if (!isTensor(tensor)) {
      throw new TypeError(`${context}: ${kind} "${name}" is not a Tensor (${describe(tensor)})`);
    }
    if (tensor.closed) throw new Error(`${context}: the tensor for ${kind} "${name}" is closed`);
    if (tensor.elementType !== info.elementType) {
      throw new TypeError(
        `${context}: ${kind} "${name}" is ${info.elementType} but the tensor is ${tensor.elementType}`,
      );
    }
    const fits = tensor.shape.length === info.shape.length &&
      info.shape.every((d, i) => d < 0 || d === tensor.shape[i]);
    if (!fits) {
      throw new RangeError(
        `${context}: ${kind} "${name}" has shape [${info.shape.join(", ")}] ` +
          `but the tensor has [${tensor.shape.join(", ")}]`,
      );
    }
  }
  return entries;
}

function readValueInfos(
  api: OrtApi,
  session: Deno.PointerObject,
  allocator: Deno.PointerObject,
  kind: "input" | "output",
  context: string,
): ValueInfo[] {
  const fns = kind === "input"
    ? [api.SessionGetInputCount, api.SessionGetInputName, api.SessionGetInputTypeInfo] as const
    : [api.SessionGetOutputCount, api.SessionGetOutputName, api.SessionGetOutputTypeInfo] as const;
  const [getCount, getName, getTypeInfo] = fns;
  const out = outPointer();
  check(api, getCount.call(session, out), context);
  const count = readSize(out);
  const infos: ValueInfo[] = [];
  for (let i = 0; i < count; i++) {
    check(api, getName.call(session, BigInt(i), allocator, out), context);
    const namePointer = readPointer(out, `${kind} ${i} name`);
    const name = Deno.UnsafePointerView.getCString(namePointer);
    check(api, api.AllocatorFree.call(allocator, namePointer), context);
    check(api, getTypeInfo.call(session, BigInt(i), out), context);
    const typeInfo = readPointer(out, `${kind} "${name}" type info`);
    try {
      infos.push({ name, ...readTensorInfo(api, typeInfo, context) });
    } finally {
      api.ReleaseTypeInfo.call(typeInfo);
    }
  }
  return infos;
}

function readTensorInfo(
  api: OrtApi,
  typeInfo: Deno.PointerObject,
  context: string,
): { elementType: ElementType; shape: readonly number[] } {
  const out = outPointer();
  check(api, api.CastTypeInfoToTensorInfo.call(typeInfo, out), context);
  // Owned by the type info: not released here.
  const info = Deno.UnsafePointer.create(out[0] ?? 0n);
  if (info === null) return { elementType: "unknown", shape: Object.freeze([]) };
  const code = new Int32Array(1); // ONNXTensorElementDataType (a C enum: int)
  check(api, api.GetTensorElementType.call(info, code), context);
  check(api, api.GetDimensionsCount.call(info, out), context);
  const dims = new BigInt64Array(readSize(out));
  if (dims.length > 0) check(api, api.GetDimensions.call(info, dims, BigInt(dims.length)), context);
  return {
    elementType: elementTypeName(code[0] ?? 0),
    shape: Object.freeze(Array.from(dims, (d) => Number(d))),
  };
}

function threadCount(value: number | undefined, option: string, context: string): number {
  const n = value ?? 1;
  if (!Number.isInteger(n) || n < 0 || n > 1024) {
    throw new RangeError(`${context}: ${option} must be an integer from 0 to 1024, got ${value}`);
  }
  return n;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return value.constructor?.name ?? "object";
}
