import assert from "node:assert/strict";
import { DataType, GraphBuilder } from "../../src/convert/onnx.ts";
import { readPng } from "../../src/image/png.ts";
import { check, cString } from "./_check.ts";
import { loadOrtLibrary, ortLibraryCandidates } from "./_load.ts";
import {
  LibraryLoadError,
  loadedOrtLibraryPath,
  OnnxRuntime,
  OrtError,
  type Tensor,
} from "./mod.ts";

const W = new Float32Array([0.5, -2, 3]);
const B = new Float32Array([1, 0.25, -4]);

/** Y = X * W + B over [1, 3] floats. */
function affineModel(): Uint8Array {
  const g = new GraphBuilder();
  g.addInput("X", DataType.FLOAT, [1, 3]);
  const w = g.addInitializer("W", W, [1, 3]);
  const b = g.addInitializer("B", B, [1, 3]);
  g.addNode("Mul", ["X", w], ["XW"]);
  g.addNode("Add", ["XW", b], ["Y"]);
  g.addOutput("Y", DataType.FLOAT, [1, 3]);
  return g.encode();
}

/** F = float(U) * 0.5 over [1, 4] (a uint8 input), and S = I + 10 over [2] (an int64 input). */
function mixedModel(): Uint8Array {
  const g = new GraphBuilder();
  g.addInput("U", DataType.UINT8, [1, 4]);
  g.addInput("I", DataType.INT64, [2]);
  const half = g.addInitializer("half", new Float32Array([0.5]), [1]);
  const ten = g.addInitializer("ten", new BigInt64Array([10n]), [1]);
  g.addNode("Cast", ["U"], ["Uf"], { to: { i: DataType.FLOAT } });
  g.addNode("Mul", ["Uf", half], ["F"]);
  g.addNode("Add", ["I", ten], ["S"]);
  g.addOutput("F", DataType.FLOAT, [1, 4]);
  g.addOutput("S", DataType.INT64, [2]);
  return g.encode();
}

function expectedAffine(x: readonly number[]): number[] {
  return x.map((v, i) => Math.fround(Math.fround(v * W[i]!) + B[i]!));
}

async function withModelFile<T>(bytes: Uint8Array, fn: (path: string) => T): Promise<Awaited<T>> {
  const path = await Deno.makeTempFile({ suffix: ".onnx" });
  try {
    await Deno.writeFile(path, bytes);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Deterministic junk (an LCG), so a failure reproduces. */
function junk(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let s = 12345;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    bytes[i] = s >>> 24;
  }
  return bytes;
}

Deno.test("check() turns an OrtStatus into an OrtError and releases it", () => {
  const { api } = loadOrtLibrary();
  check(api, null, "Cannot do nothing"); // NULL = success
  const status = api.CreateStatus.call(2, cString("bad thing happened"));
  assert.notEqual(status, null);
  assert.equal(api.GetErrorCode.call(status), 2);
  assert.equal(
    Deno.UnsafePointerView.getCString(api.GetErrorMessage.call(status)!),
    "bad thing happened",
  );
  assert.throws(() => check(api, status, 'Cannot test "x"'), {
    name: "OrtError",
    code: 2,
    message: 'Cannot test "x": bad thing happened',
  });
  const utf8 = api.CreateStatus.call(7, cString("protobuf é"));
  assert.throws(() => check(api, utf8, 'Cannot test "x"'), (e: unknown) => {
    assert.ok(e instanceof OrtError);
    assert.equal(e.code, 7);
    assert.equal(e.codeName, "ORT_INVALID_PROTOBUF");
    assert.equal(e.ortMessage, "protobuf é");
    assert.equal(e.message, 'Cannot test "x": protobuf é');
    return true;
  });
});

Deno.test("OnnxRuntime.load() reports version, build info and library path", () => {
  using ort = OnnxRuntime.load();
  assert.match(ort.version, /^1\.\d+\.\d+/);
  const minor = Number(ort.version.split(".")[1]);
  if (minor >= 15) assert.match(ort.buildInfo ?? "", /^ORT Build Info/);
  else assert.equal(ort.buildInfo, undefined);
  assert.equal(ort.libraryPath, loadedOrtLibraryPath());
  assert.match(ort.libraryPath, /libonnxruntime\.so/);
  assert.equal(OnnxRuntime.load(), ort, "a second load() returns the open runtime");
  assert.equal(OnnxRuntime.load({ libraryPath: ort.libraryPath }), ort);
  assert.throws(
    () => OnnxRuntime.load({ libraryPath: "/elsewhere/libonnxruntime.so.1" }),
    (e: unknown) => {
      assert.ok(e instanceof LibraryLoadError);
      assert.equal(e.kind, "conflict");
      assert.match(e.message, /already loaded from/);
      return true;
    },
  );
});

Deno.test("OnnxRuntime.createSession() reads inputs and outputs from a file and from bytes", async () => {
  using ort = OnnxRuntime.load();
  const bytes = mixedModel();
  const expected = {
    inputs: [
      { name: "U", elementType: "uint8", shape: [1, 4] },
      { name: "I", elementType: "int64", shape: [2] },
    ],
    outputs: [
      { name: "F", elementType: "float32", shape: [1, 4] },
      { name: "S", elementType: "int64", shape: [2] },
    ],
  };
  await withModelFile(bytes, (path) => {
    using session = ort.createSession(path);
    assert.deepEqual({ inputs: session.inputs, outputs: session.outputs }, expected);
    assert.equal(session.label, `"${path}"`);
  });
  using fromBytes = ort.createSession(bytes);
  assert.deepEqual({ inputs: fromBytes.inputs, outputs: fromBytes.outputs }, expected);
  assert.equal(fromBytes.label, `(${bytes.byteLength}-byte model)`);
});

Deno.test("PreparedRun.run() writes the outputs into the caller's arrays", () => {
  using ort = OnnxRuntime.load();
  using session = ort.createSession(affineModel());
  // A view at a byte offset checks that the tensor points at the view, not the buffer start.
  const backing = new Float32Array(8);
  using x = ort.createTensor(backing.subarray(2, 5), [1, 3]);
  using y = ort.createTensor(new Float32Array(3), [1, 3]);
  const step = session.prepare({ inputs: { X: x }, outputs: { Y: y } });
  for (const input of [[1, 2, 3], [-1.5, 0, 10]]) {
    x.data.set(input);
    step.run();
    assert.deepEqual(Array.from(y.data), expectedAffine(input));
  }
  assert.deepEqual(Array.from(backing.subarray(0, 2)), [0, 0]);
});

Deno.test("PreparedRun.runAsync() runs on another thread and refuses to overlap", async () => {
  using ort = OnnxRuntime.load();
  using session = ort.createSession(affineModel());
  using x = ort.createTensor(new Float32Array([4, 5, 6]), [1, 3]);
  using y = ort.createTensor(new Float32Array(3), [1, 3]);
  const step = session.prepare({ inputs: { X: x }, outputs: { Y: y } });
  const pending = step.runAsync();
  assert.equal(step.running, true);
  // Both checks happen before anything awaits, so the first run is still pending.
  assert.throws(() => step.run(), /still pending/);
  const second = step.runAsync();
  await assert.rejects(second, /still pending \(await it first\)/);
  await pending;
  assert.equal(step.running, false);
  assert.deepEqual(Array.from(y.data), expectedAffine([4, 5, 6]));
  // Two prepared runs over different tensors may overlap.
  using y2 = ort.createTensor(new Float32Array(3), [1, 3]);
  const other = session.prepare({ inputs: { X: x }, outputs: { Y: y2 } });
  await Promise.all([step.runAsync(), other.runAsync()]);
  assert.deepEqual(Array.from(y2.data), Array.from(y.data));
});

Deno.test("PreparedRun runs uint8 and int64 tensors", async () => {
  using ort = OnnxRuntime.load();
  using session = ort.createSession(mixedModel());
  using u = ort.createTensor(new Uint8Array([0, 1, 128, 255]), [1, 4]);
  using i = ort.createTensor(new BigInt64Array([-3n, 1n << 40n]), [2]);
  using f = ort.createTensor(new Float32Array(4), [1, 4]);
  using s = ort.createTensor(new BigInt64Array(2), [2]);
  const step = session.prepare({ inputs: { U: u, I: i }, outputs: { F: f, S: s } });
  await step.runAsync();
  assert.deepEqual(Array.from(f.data), [0, 0.5, 64, 127.5]);
  assert.deepEqual(Array.from(s.data), [7n, (1n << 40n) + 10n]);
  // A subset of outputs is fine.
  f.data.fill(0);
  session.prepare({ inputs: { U: u, I: i }, outputs: { F: f } }).run();
  assert.deepEqual(Array.from(f.data), [0, 0.5, 64, 127.5]);
});

Deno.test("OnnxRuntime.createSession() applies thread, spinning and optimization options", () => {
  using ort = OnnxRuntime.load();
  const bytes = affineModel();
  const variants = [
    { intraOpThreads: 2, interOpThreads: 2, spinning: true, graphOptimization: "all" },
    { intraOpThreads: 0, interOpThreads: 0, graphOptimization: "extended" },
    { intraOpThreads: 1, graphOptimization: "basic" },
    { graphOptimization: "disable" },
  ] as const;
  for (const options of variants) {
    using session = ort.createSession(bytes, options);
    using x = ort.createTensor(new Float32Array([1, 1, 1]), [1, 3]);
    using y = ort.createTensor(new Float32Array(3), [1, 3]);
    session.prepare({ inputs: { X: x }, outputs: { Y: y } }).run();
    assert.deepEqual(Array.from(y.data), expectedAffine([1, 1, 1]), JSON.stringify(options));
  }
  assert.throws(() => ort.createSession(bytes, { intraOpThreads: -1 }), {
    name: "RangeError",
    message: /intraOpThreads must be an integer from 0 to 1024, got -1/,
  });
  assert.throws(() => ort.createSession(bytes, { interOpThreads: 1.5 }), /interOpThreads/);
});

Deno.test("OnnxRuntime.createSession() gives an OrtError for a broken or missing model", async () => {
  using ort = OnnxRuntime.load();
  const bytes = junk(256);
  assert.throws(() => ort.createSession(bytes), (e: unknown) => {
    assert.ok(e instanceof OrtError);
    assert.notEqual(e.code, 0);
    assert.ok(e.ortMessage.length > 0);
    assert.ok(
      e.message.startsWith("Cannot create ONNX Runtime session from (256-byte model): "),
      e.message,
    );
    return true;
  });
  await withModelFile(bytes, (path) => {
    assert.throws(() => ort.createSession(path), (e: unknown) => {
      assert.ok(e instanceof OrtError);
      assert.ok(e.message.startsWith(`Cannot create ONNX Runtime session from "${path}": `));
      return true;
    });
  });
  const missing = "/nonexistent/backscrub/model.onnx";
  assert.throws(() => ort.createSession(missing), (e: unknown) => {
    assert.ok(e instanceof OrtError);
    assert.equal(e.codeName, "ORT_NO_SUCHFILE");
    assert.ok(e.message.startsWith(`Cannot create ONNX Runtime session from "${missing}": `));
    return true;
  });
});

/** A bundled segmentation model (made by `deno task setup`): big enough to take ORT a while. */
const LANDSCAPE = decodeURIComponent(
  new URL("../../models/landscape.onnx", import.meta.url).pathname,
);
/** A photo at that model's input size (256x144). */
const PHOTO = decodeURIComponent(
  new URL("../../../shared/reference/inputs/256x144/mpl_grace_hopper.png", import.meta.url)
    .pathname,
);

Deno.test("OnnxRuntime.createSessionAsync() makes the session createSession() makes", async () => {
  using ort = OnnxRuntime.load();
  const bytes = mixedModel();
  await withModelFile(bytes, async (path) => {
    using sync = ort.createSession(path);
    using session = await ort.createSessionAsync(path);
    assert.deepEqual(
      { inputs: session.inputs, outputs: session.outputs, label: session.label },
      { inputs: sync.inputs, outputs: sync.outputs, label: sync.label },
    );
  });
  // The bytes are copied before the call returns: changing them afterwards changes nothing.
  const affine = affineModel();
  const original = affine.slice();
  const pending = ort.createSessionAsync(affine, { intraOpThreads: 1, graphOptimization: "basic" });
  affine.fill(0);
  using session = await pending;
  assert.equal(session.label, `(${original.byteLength}-byte model)`);
  using x = ort.createTensor(new Float32Array([1, -2, 3]), [1, 3]);
  using y = ort.createTensor(new Float32Array(3), [1, 3]);
  await session.prepare({ inputs: { X: x }, outputs: { Y: y } }).runAsync();
  assert.deepEqual(Array.from(y.data), expectedAffine([1, -2, 3]));
});

Deno.test("OnnxRuntime.createSessionAsync() keeps the event loop running while ORT builds", async () => {
  using ort = OnnxRuntime.load();
  // Bytes, so that the native call is the only thing awaited (a bundled file is read
  // asynchronously first). Timers scheduled before the call: a blocking call would settle its
  // promise (a microtask) before any of them could fire; on ORT's own thread they fire while the
  // session is built.
  const model = await Deno.readFile(LANDSCAPE);
  let ticks = 0;
  let settled = false;
  const tick = (): void => {
    if (settled) return;
    ticks++;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const pending = ort.createSessionAsync(model, { intraOpThreads: 1 });
  using session = await pending.finally(() => settled = true);
  assert.ok(ticks >= 1, `${ticks} timer ticks while the session was made`);

  // A real model: the same output as a session made on the main thread.
  using sync = ort.createSession(LANDSCAPE, { intraOpThreads: 1 });
  assert.deepEqual(session.inputs, sync.inputs);
  assert.deepEqual(session.outputs, sync.outputs);
  const [input] = session.inputs, [output] = session.outputs;
  const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  // A reference photo at the model's size, in the model's [-1, 1] range.
  const photo = readPng(await Deno.readFile(PHOTO));
  const data = Float32Array.from(photo.data, (v) => v / 127.5 - 1);
  using x = ort.createTensor(data, input!.shape);
  using y1 = ort.createTensor(new Float32Array(count(output!.shape)), output!.shape);
  using y2 = ort.createTensor(new Float32Array(count(output!.shape)), output!.shape);
  await session.prepare({ inputs: { [input!.name]: x }, outputs: { [output!.name]: y1 } })
    .runAsync();
  sync.prepare({ inputs: { [input!.name]: x }, outputs: { [output!.name]: y2 } }).run();
  assert.deepEqual(y1.data, y2.data);
  assert.ok(y1.data.some((v) => v > 0.9) && y1.data.some((v) => v < 0.1), "a person found");
});

Deno.test("OnnxRuntime.createSessionAsync() rejects as createSession() throws", async () => {
  using ort = OnnxRuntime.load();
  const bytes = junk(256);
  let expected: unknown;
  try {
    ort.createSession(bytes);
  } catch (e) {
    expected = e;
  }
  assert.ok(expected instanceof OrtError);
  await assert.rejects(ort.createSessionAsync(bytes), (e: unknown) => {
    assert.ok(e instanceof OrtError);
    assert.equal(e.message, expected.message);
    assert.equal(e.code, expected.code);
    return true;
  });
  const missing = "/nonexistent/backscrub/model.onnx";
  await assert.rejects(ort.createSessionAsync(missing), (e: unknown) => {
    assert.ok(e instanceof OrtError);
    assert.equal(e.codeName, "ORT_NO_SUCHFILE");
    assert.ok(e.message.startsWith(`Cannot create ONNX Runtime session from "${missing}": `));
    return true;
  });
  await assert.rejects(ort.createSessionAsync(affineModel(), { intraOpThreads: -1 }), {
    name: "RangeError",
    message: /intraOpThreads must be an integer from 0 to 1024, got -1/,
  });
});

Deno.test("OnnxRuntime.createSessionAsync() survives the runtime closing meanwhile", async () => {
  const ort = OnnxRuntime.load();
  const pending = ort.createSessionAsync(affineModel());
  ort.close();
  await assert.rejects(ort.createSessionAsync(affineModel()), /the ONNX Runtime is closed/);
  // The env stays until the session made from it is closed.
  using session = await pending;
  using x = OnnxRuntime.load().createTensor(new Float32Array([1, 2, 3]), [1, 3]);
  using y = OnnxRuntime.load().createTensor(new Float32Array(3), [1, 3]);
  session.prepare({ inputs: { X: x }, outputs: { Y: y } }).run();
  assert.deepEqual(Array.from(y.data), expectedAffine([1, 2, 3]));
  // A bundled model file is read first, asynchronously: closing during the read is safe too.
  const again = OnnxRuntime.load();
  const fromFile = again.createSessionAsync(LANDSCAPE);
  again.close();
  using landscape = await fromFile;
  assert.deepEqual(landscape.inputs.map((i) => i.shape), [[1, 144, 256, 3]]);
  OnnxRuntime.load().close();
});

Deno.test("Session.prepare() checks names, element types and shapes", () => {
  using ort = OnnxRuntime.load();
  using session = ort.createSession(affineModel());
  using x = ort.createTensor(new Float32Array(3), [1, 3]);
  using y = ort.createTensor(new Float32Array(3), [1, 3]);
  using wrongType = ort.createTensor(new Uint8Array(3), [1, 3]);
  using wrongShape = ort.createTensor(new Float32Array(3), [3, 1]);
  const prepare = (inputs: Record<string, Tensor>, outputs: Record<string, Tensor>) => () =>
    session.prepare({ inputs, outputs });
  assert.throws(prepare({ Z: x }, { Y: y }), /has no input "Z" \(its inputs: "X"\)/);
  assert.throws(prepare({}, { Y: y }), /missing input "X"/);
  assert.throws(prepare({ X: x }, {}), /no output requested/);
  assert.throws(
    prepare({ X: wrongType }, { Y: y }),
    /input "X" is float32 but the tensor is uint8/,
  );
  assert.throws(
    prepare({ X: x }, { Y: wrongShape }),
    /has shape \[1, 3\] but the tensor has \[3, 1\]/,
  );
  assert.throws(
    prepare({ X: {} as Tensor }, { Y: y }),
    /input "X" is not a Tensor \(Object\)/,
  );
});

Deno.test("OnnxRuntime.createTensor() checks its data and shape", () => {
  using ort = OnnxRuntime.load();
  assert.throws(() => ort.createTensor(new Float32Array(6), [2, 2]), {
    name: "RangeError",
    message: "Cannot create float32 tensor of shape [2, 2]: it has 4 elements but the data has 6",
  });
  assert.throws(() => ort.createTensor(new Float32Array(1), [1.5]), /not a non-negative integer/);
  const resizable = new Float32Array(new ArrayBuffer(16, { maxByteLength: 32 }));
  assert.throws(
    () => ort.createTensor(resizable as Float32Array<ArrayBuffer>, [4]),
    /plain fixed-size ArrayBuffer/,
  );
  using t = ort.createTensor(new Int32Array([1, 2]), [2]);
  assert.equal(t.elementType, "int32");
  assert.deepEqual(t.shape, [2]);
});

Deno.test("close() is idempotent and a closed object cannot run", async () => {
  const ort = OnnxRuntime.load();
  const session = ort.createSession(affineModel());
  const x = ort.createTensor(new Float32Array([1, 2, 3]), [1, 3]);
  const y = ort.createTensor(new Float32Array(3), [1, 3]);
  const step = session.prepare({ inputs: { X: x }, outputs: { Y: y } });

  // Closing during an async run defers the release until the run settles.
  const pending = step.runAsync();
  x.close();
  session.close();
  ort.close();
  await pending;
  assert.deepEqual(Array.from(y.data), expectedAffine([1, 2, 3]));

  assert.throws(() => step.run(), /the session is closed/);
  assert.throws(
    () => session.prepare({ inputs: { X: x }, outputs: { Y: y } }),
    /session is closed/,
  );
  assert.throws(() => ort.createSession(affineModel()), /the ONNX Runtime is closed/);
  for (const closable of [x, y, session, ort]) {
    closable.close();
    closable.close();
    assert.equal(closable.closed, true);
  }

  // A new runtime can be loaded after the old one closed.
  using again = OnnxRuntime.load();
  assert.notEqual(again, ort);
  using s2 = again.createSession(affineModel());
  using x2 = again.createTensor(new Float32Array([1, 2, 3]), [1, 3]);
  using y2 = again.createTensor(new Float32Array(3), [1, 3]);
  const step2 = s2.prepare({ inputs: { X: x2 }, outputs: { Y: y2 } });
  x2.close();
  assert.throws(() => step2.run(), /tensor "X" is closed/);
});

Deno.test("ortLibraryCandidates() looks in the documented order", () => {
  const previous = Deno.env.get("BACKSCRUB_ORT_LIB");
  Deno.env.set("BACKSCRUB_ORT_LIB", "/from/env/libonnxruntime.so.1");
  try {
    // A library the user names is the only one tried: the flag first, then the variable.
    assert.deepEqual(
      ortLibraryCandidates({ libraryPath: "/explicit/libonnxruntime.so.1" }).map((c) => c.path),
      ["/explicit/libonnxruntime.so.1"],
    );
    assert.deepEqual(ortLibraryCandidates().map((c) => c.path), ["/from/env/libonnxruntime.so.1"]);
    Deno.env.delete("BACKSCRUB_ORT_LIB");
    const paths = ortLibraryCandidates().map((c) => c.path);
    const exeDir = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
    const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
    const npm = `node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/libonnxruntime.so.1`;
    const root = new URL("../../", import.meta.url).pathname;
    const expected = [
      `${exeDir}/libonnxruntime.so.1`,
      "libonnxruntime.so.1",
      "libonnxruntime.so",
      `${Deno.cwd()}/${npm}`,
      `${root}${npm}`,
    ];
    assert.deepEqual(paths, [...new Set(expected)]);
  } finally {
    if (previous === undefined) Deno.env.delete("BACKSCRUB_ORT_LIB");
    else Deno.env.set("BACKSCRUB_ORT_LIB", previous);
  }
});
