/**
 * Fuzzing the TFLite → ONNX converter with a few thousand truncated and mutated real models.
 * Every case must end in a clear error (TfliteError / ConvertError, one line) or in a model that
 * ONNX Runtime accepts; anything else (a TypeError, a RangeError, a hang) fails the test with the
 * case's seed so that it can be replayed.
 */

import assert from "node:assert/strict";
import { ConvertError, convertTflite } from "../src/convert/convert.ts";
import { parseTflite, TfliteError } from "../src/convert/tflite.ts";
import { OnnxRuntime } from "../ffi/onnxruntime/mod.ts";
import { MODELS } from "./_models.ts";
import { rng } from "./fixtures/rng.ts";

/** Byte ranges of the file that are not constant tensor data: the FlatBuffer's structure. */
function structureBytes(file: Uint8Array): number[] {
  const model = parseTflite(file);
  const inData = new Uint8Array(file.length);
  for (const t of model.tensors) {
    if (t.data) {
      inData.fill(1, t.data.byteOffset - file.byteOffset, t.data.byteOffset + t.data.length);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < file.length; i++) if (!inData[i]) out.push(i);
  return out;
}

const SPECIAL = [0, 1, 2, 3, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x10000];

function mutate(file: Uint8Array, structure: number[], r: () => number): Uint8Array {
  const pick = (): number =>
    r() < 0.8 ? structure[Math.floor(r() * structure.length)]! : Math.floor(r() * file.length);
  const kind = Math.floor(r() * 6);
  switch (kind) {
    case 0: // truncate
      return file.slice(0, Math.floor(r() * file.length));
    case 1: { // flip a few bytes
      const out = file.slice();
      const n = 1 + Math.floor(r() * 8);
      for (let k = 0; k < n; k++) {
        const at = pick();
        out[at] = out[at]! ^ (1 << Math.floor(r() * 8));
      }
      return out;
    }
    case 2: { // overwrite an aligned 32-bit word with a special value
      const out = file.slice();
      const view = new DataView(out.buffer);
      const at = Math.min(pick() & ~3, out.length - 4);
      view.setUint32(at, SPECIAL[Math.floor(r() * SPECIAL.length)]!, true);
      return out;
    }
    case 3: { // random bytes
      const out = file.slice();
      const n = 1 + Math.floor(r() * 16);
      for (let k = 0; k < n; k++) out[pick()] = Math.floor(r() * 256);
      return out;
    }
    case 4: { // delete a chunk (shifts every offset after it)
      const at = pick();
      const end = Math.min(at + 1 + Math.floor(r() * 64), file.length);
      const out = new Uint8Array(file.length - (end - at));
      out.set(file.subarray(0, at));
      out.set(file.subarray(end), at);
      return out;
    }
    default: { // small integer nudges (shapes, strides, indices, enum values)
      const out = file.slice();
      const at = pick();
      out[at] = (out[at]! + (r() < 0.5 ? 1 : 255)) & 0xff;
      return out;
    }
  }
}

Deno.test("convertTflite() turns thousands of corrupt models into clear errors or valid models", async () => {
  using ort = OnnxRuntime.load();
  // BACKSCRUB_FUZZ_SCALE=10 runs ten times as many cases (with other seeds) for a longer hunt.
  const scale = Number(Deno.env.get("BACKSCRUB_FUZZ_SCALE") ?? "1");
  const sources = [
    { name: "landscape", file: await Deno.readFile(MODELS.landscape.tflite), cases: 1600 },
    {
      name: "segm_lite_v681",
      file: await Deno.readFile(MODELS.segm_lite_v681.tflite),
      cases: 1000,
    },
    { name: "bodypix", file: await Deno.readFile(MODELS.bodypix.tflite), cases: 400 },
  ];
  const tally = { cases: 0, errors: 0, models: 0 };
  const messages = new Set<string>();
  for (const src of sources) {
    const structure = structureBytes(src.file);
    for (let k = 0; k < src.cases * scale; k++) {
      const seed = (k + 1) * 2654435761 + src.file.length;
      const bytes = mutate(src.file, structure, rng(seed));
      tally.cases++;
      let onnx: Uint8Array;
      try {
        onnx = convertTflite(bytes).onnx;
      } catch (e) {
        if (!(e instanceof TfliteError || e instanceof ConvertError)) {
          throw new Error(`${src.name} case ${k} (seed ${seed}) crashed the converter: ${e}`, {
            cause: e,
          });
        }
        assert.ok(e.message.length > 0 && !e.message.includes("\n"), `one-line message: ${e}`);
        messages.add(e.message.replace(/[0-9]+/g, "N"));
        tally.errors++;
        continue;
      }
      // A model that converts must be one ONNX Runtime accepts.
      try {
        using _session = ort.createSession(onnx, { graphOptimization: "disable" });
      } catch (e) {
        throw new Error(
          `${src.name} case ${k} (seed ${seed}) converted to a model ONNX Runtime rejects: ${e}`,
        );
      }
      tally.models++;
    }
  }
  console.log(
    `fuzz: ${tally.cases} cases, ${tally.errors} clear errors (${messages.size} kinds), ${tally.models} valid models`,
  );
  assert.equal(tally.cases, tally.errors + tally.models);
  // The mutations must really reach the parser and the converter, not only one early check.
  assert.ok(tally.errors > 500 && tally.models > 100, JSON.stringify(tally));
  assert.ok(messages.size > 20, `only ${messages.size} kinds of error`);
});

Deno.test("convertTflite() names the problem for non-TFLite input", () => {
  assert.throws(() => convertTflite(new Uint8Array(0)), /only 0 bytes/);
  assert.throws(
    () => convertTflite(new TextEncoder().encode("<html>not a model</html>")),
    (e: unknown) => e instanceof TfliteError && /not a TFLite model/.test(e.message),
  );
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  assert.throws(() => convertTflite(png), /not a TFLite model/);
});
