import assert from "node:assert/strict";
import { parseTflite, TfliteError } from "./tflite.ts";
import { MODELS } from "../../tests/_models.ts";

Deno.test("parseTflite() reads the landscape model's graph", async () => {
  const m = parseTflite(await Deno.readFile(MODELS.landscape.tflite));
  assert.equal(m.version, 3);
  const input = m.tensors[m.inputs[0]!]!;
  const output = m.tensors[m.outputs[0]!]!;
  assert.deepEqual(input.shape, [1, 144, 256, 3]);
  assert.deepEqual(output.shape, [1, 144, 256, 1]);
  assert.equal(m.operators.length, 246);
  const custom = m.operators.filter((o) => o.custom);
  assert.deepEqual(custom.map((o) => o.op), ["Convolution2DTransposeBias"]);
  // Its 12-byte options: SAME (1), stride 2, 2.
  assert.deepEqual([...new Int32Array(custom[0]!.customOptions!.slice().buffer)], [1, 2, 2]);
  const fp16 = m.tensors.filter((t) => t.type === 1 && t.data);
  assert.ok(fp16.length > 100, "fp16 weights behind DEQUANTIZE");
  for (const t of fp16) assert.equal(t.data!.length, 2 * t.shape.reduce((a, b) => a * b, 1));
});

Deno.test("parseTflite() rejects files that are not TFLite with one clear message", () => {
  for (
    const [bytes, re] of [
      [new Uint8Array(3), /only 3 bytes/],
      [new TextEncoder().encode("GIF89a this is an image"), /not a TFLite model/],
      [new Uint8Array([12, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0xff, 0xff]), /corrupt TFLite file/],
    ] as const
  ) {
    assert.throws(
      () => parseTflite(bytes),
      (e: unknown) => e instanceof TfliteError && re.test(e.message),
    );
  }
});

Deno.test("parseTflite() reports a truncated model as corrupt", async () => {
  const full = await Deno.readFile(MODELS.landscape.tflite);
  assert.throws(
    () => parseTflite(full.subarray(0, 5000)),
    (e: unknown) =>
      e instanceof TfliteError && /corrupt TFLite file: .* points outside/.test(e.message),
  );
});
