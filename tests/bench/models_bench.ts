/**
 * `deno task bench:stages`: what the foundation costs per frame — ONNX Runtime Run for each
 * bundled model (one thread, as the live loop uses it, sync and nonblocking), the model-input
 * fill from a 1280x720 frame (4:2:2 as a camera gives it, 4:4:4 as a file does), the session's
 * creation (what a live model switch waits for, off the main thread), and the TFLite → ONNX
 * conversion itself.
 */

import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { convertTflite } from "../../src/convert/convert.ts";
import { makeFrame } from "../../src/frame/frame.ts";
import { rgbToFrame } from "../../src/image/planar.ts";
import { resolveModel } from "../../src/models/resolve.ts";
import { Segmenter } from "../../src/segment/segmenter.ts";
import { MODELS } from "../_models.ts";

const ort = OnnxRuntime.load();
const size = { width: 1280, height: 720 };
const picture = new Uint8Array(size.width * size.height * 3).map((_, i) => (i * 7919) % 251);
const camera = makeFrame(size, "422");
rgbToFrame(picture, camera);
const file = makeFrame(size, "444");
rgbToFrame(picture, file);

for (const name of ["landscape", "selfie"]) {
  const model = await resolveModel(name);
  const seg = Segmenter.open(ort, model, { threads: 1 });
  seg.setInputFitted(camera);
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
  Deno.bench(`fill ${name} input from a 1280x720 4:2:2 frame`, { group: "prep" }, () => {
    seg.setInputFitted(camera);
  });
  Deno.bench(`fill ${name} input from a 1280x720 4:4:4 frame`, { group: "prep" }, () => {
    seg.setInputFitted(file);
  });
  Deno.bench(`open ${name} (sync)`, { group: "open", baseline: name === "landscape" }, () => {
    Segmenter.open(ort, model, { threads: 1 }).close();
  });
  Deno.bench(`open ${name} (on ORT's thread)`, { group: "open" }, async () => {
    (await Segmenter.openAsync(ort, model, { threads: 1 })).close();
  });
}

const landscape = await Deno.readFile(MODELS.landscape.tflite);
Deno.bench("convert landscape TFLite → ONNX", { group: "convert" }, () => {
  convertTflite(landscape);
});
