/**
 * The converted models, run by ONNX Runtime through our binding, against ground truth:
 * - the four models with MediaPipe references (../shared/reference): mean absolute difference of
 *   the person probability ≤ 1e-4 and IoU at 0.5 ≥ 0.999 on every reference photo, and the same
 *   output from a model opened on ONNX Runtime's thread (`Segmenter.openAsync`);
 * - DeepLab v3 and BodyPix, which have no published reference: their raw outputs against the
 *   independent TypeScript evaluation of the same TFLite graph (tests/reference/tflite_eval.ts,
 *   itself checked against MediaPipe's outputs in tflite_eval_test.ts).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../ffi/onnxruntime/mod.ts";
import { convertTflite } from "../src/convert/convert.ts";
import { parseTflite } from "../src/convert/tflite.ts";
import { readPng } from "../src/image/png.ts";
import { resizeBilinear } from "../src/image/resize.ts";
import type { OutputKind } from "../src/models/manifest.ts";
import { Segmenter } from "../src/segment/segmenter.ts";
import { evaluateTflite } from "./reference/tflite_eval.ts";
import { MODELS, REFERENCE_IMAGES, SHARED, type TestModel } from "./_models.ts";

async function convertToTemp(model: TestModel): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".onnx" });
  await Deno.writeFile(path, convertTflite(await Deno.readFile(model.tflite)).onnx);
  return path;
}

async function readF32(path: string): Promise<Float32Array> {
  const bytes = await Deno.readFile(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function compare(a: Float32Array, b: Float32Array): { mad: number; iou: number } {
  assert.equal(a.length, b.length);
  let sum = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    sum += Math.abs(a[i]! - b[i]!);
    const pa = a[i]! > 0.5;
    const pb = b[i]! > 0.5;
    if (pa && pb) inter++;
    if (pa || pb) union++;
  }
  return { mad: sum / a.length, iou: union === 0 ? 1 : inter / union };
}

for (const key of ["selfie", "landscape", "segm_full_v679", "segm_lite_v681"] as const) {
  const model: TestModel = MODELS[key];
  Deno.test(`converted ${key} matches MediaPipe's reference on every photo`, async () => {
    using ort = OnnxRuntime.load();
    const onnxPath = await convertToTemp(model);
    try {
      using seg = Segmenter.open(ort, { name: key, onnxPath, manifest: null });
      using opened = await Segmenter.openAsync(ort, { name: key, onnxPath, manifest: null });
      assert.deepEqual(opened.manifest, seg.manifest);
      for (const image of REFERENCE_IMAGES) {
        const dir = join(SHARED, "reference");
        const png = readPng(
          await Deno.readFile(
            join(dir, "inputs", `${model.width}x${model.height}`, `${image}.png`),
          ),
        );
        assert.equal(png.width, model.width);
        seg.setInput(png.data, png.width, png.height);
        seg.run();
        const ref = await readF32(join(dir, "out", model.reference!, `${image}.f32`));
        const { mad, iou } = compare(seg.probability, ref);
        console.log(
          `${key} ${image}: mean abs diff ${mad.toExponential(2)}, IoU ${iou.toFixed(5)}`,
        );
        assert.ok(mad <= 1e-4, `${key} ${image}: mean abs diff ${mad}`);
        assert.ok(iou >= 0.999, `${key} ${image}: IoU ${iou}`);
        // Async (nonblocking) Run gives the same answer, as does the session made asynchronously.
        const sync = seg.probability.slice();
        await seg.runAsync();
        assert.deepEqual(seg.probability, sync);
        opened.setInput(png.data, png.width, png.height);
        await opened.runAsync();
        assert.deepEqual(opened.probability, sync);
      }
    } finally {
      await Deno.remove(onnxPath);
    }
  });
}

const NO_REFERENCE: { key: "deeplab" | "bodypix"; kind: OutputKind; range: [number, number] }[] = [
  { key: "deeplab", kind: { kind: "softmax", person: 15 }, range: [-1, 1] },
  { key: "bodypix", kind: { kind: "logit" }, range: [-1, 1] },
];

for (const { key, kind, range } of NO_REFERENCE) {
  const model: TestModel = MODELS[key];
  Deno.test(`converted ${key} matches the TypeScript evaluation of its TFLite graph`, async () => {
    using ort = OnnxRuntime.load();
    const onnxPath = await convertToTemp(model);
    try {
      using seg = Segmenter.open(ort, { name: key, onnxPath, manifest: null }, {
        outputKind: kind,
        range,
      });
      const photo = readPng(
        await Deno.readFile(join(SHARED, "reference", "images", "skimage_astronaut.png")),
      );
      const small = new Uint8Array(model.width * model.height * 3);
      resizeBilinear(photo.data, small, {
        srcWidth: photo.width,
        srcHeight: photo.height,
        dstWidth: model.width,
        dstHeight: model.height,
        channels: 3,
      });
      seg.setInput(small, model.width, model.height);
      seg.run();
      const t0 = performance.now();
      const [expected] = evaluateTflite(parseTflite(await Deno.readFile(model.tflite)), seg.input);
      const ms = performance.now() - t0;
      assert.ok(expected);
      assert.equal(seg.output.length, expected.length);
      let maxDiff = 0;
      let sumDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < expected.length; i++) {
        const d = Math.abs(seg.output[i]! - expected[i]!);
        sumDiff += d;
        maxDiff = Math.max(maxDiff, d);
        maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
      }
      const mad = sumDiff / expected.length;
      console.log(
        `${key}: raw output mean abs diff ${mad.toExponential(2)}, max ${
          maxDiff.toExponential(2)
        } (values up to ${maxAbs.toFixed(1)}; evaluator ${ms.toFixed(0)} ms)`,
      );
      assert.ok(maxAbs > 1, "a non-trivial output");
      assert.ok(mad <= 1e-5 * maxAbs, `mean abs diff ${mad}`);
      assert.ok(maxDiff <= 1e-3 * maxAbs, `max abs diff ${maxDiff}`);
      // And the person is found: a good share of the photo's centre.
      const { width: w, height: h } = seg.manifest.output;
      let person = 0;
      let centre = 0;
      for (let y = Math.floor(h / 3); y < (2 * h) / 3; y++) {
        for (let x = Math.floor(w / 3); x < (2 * w) / 3; x++, centre++) {
          if (seg.probability[y * w + x]! > 0.5) person++;
        }
      }
      assert.ok(person / centre > 0.5, `${key}: person in ${person}/${centre} of the centre`);
    } finally {
      await Deno.remove(onnxPath);
    }
  });
}
