/**
 * `deno task bench`: what the foundation costs per frame — ONNX Runtime Run for each bundled
 * model (one thread, as the live loop uses it, sync and nonblocking), the model-input fill from a
 * 1280x720 picture, the probability post-processing, and the TFLite → ONNX conversion itself.
 */

import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { convertTflite } from "../../src/convert/convert.ts";
import { resolveModel } from "../../src/models/resolve.ts";
import { Segmenter } from "../../src/segment/segmenter.ts";
import { MODELS } from "../_models.ts";

const ort = OnnxRuntime.load();
const picture = new Uint8Array(1280 * 720 * 3).map((_, i) => (i * 7919) % 251);

for (const name of ["landscape", "selfie"]) {
  const seg = Segmenter.open(ort, await resolveModel(name), { threads: 1 });
  seg.setInput(picture, 1280, 720);
  Deno.bench(
    `ORT Run ${name} (1 thread, sync)`,
    { group: "infer", baseline: name === "landscape" },
    () => {
      seg.run();
    },
  );
  Deno.bench(`ORT Run ${name} (1 thread, nonblocking)`, { group: "infer" }, async () => {
    await seg.runAsync();
  });
  Deno.bench(`fill ${name} input from 1280x720 RGB`, { group: "prep" }, () => {
    seg.setInput(picture, 1280, 720);
  });
}

const landscape = await Deno.readFile(MODELS.landscape.tflite);
Deno.bench("convert landscape TFLite → ONNX", { group: "convert" }, () => {
  convertTflite(landscape);
});
