import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { makeYuvFrame, planarToRgb, rgbToPlanar, type YuvFrame } from "../image/planar.ts";
import { readPng } from "../image/png.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter } from "./segmenter.ts";

const SHARED = join(decodeURIComponent(new URL("../../..", import.meta.url).pathname), "shared");

async function photoFrame(): Promise<{ yuv: YuvFrame; rgb: Uint8Array }> {
  const img = readPng(
    await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")),
  );
  const width = img.width & ~1;
  const rgb = new Uint8Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++) {
    rgb.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  }
  const yuv = makeYuvFrame(width, img.height);
  rgbToPlanar(rgb, yuv);
  planarToRgb(yuv, rgb); // the picture the planes stand for
  return { yuv, rgb };
}

/** The 4:2:0 version of a 4:2:2 frame (chroma rows averaged in pairs). */
function to420(f: YuvFrame): YuvFrame {
  const out = makeYuvFrame(f.width, f.height);
  const cw = f.width / 2;
  for (let r = 0; r < Math.ceil(f.height / 2); r++) {
    for (let c = 0; c < cw; c++) {
      const a = r * 2 * cw + c, b = Math.min(r * 2 + 1, f.height - 1) * cw + c;
      out.u[r * cw + c] = (f.u[a]! + f.u[b]! + 1) >> 1;
      out.v[r * cw + c] = (f.v[a]! + f.v[b]! + 1) >> 1;
    }
  }
  out.y.set(f.y);
  out.chromaShift = 1;
  return out;
}

function iou(a: Float32Array, b: Float32Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! > 0.5, y = b[i]! > 0.5;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return inter / union;
}

Deno.test("Segmenter.setInputFittedYuv() gives the model what setInputFitted() gives it from RGB", async () => {
  const { yuv, rgb } = await photoFrame();
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const rectRgb = seg.setInputFitted(rgb, yuv.width, yuv.height);
  const fromRgb = seg.input.slice();
  seg.run();
  const probRgb = seg.probability.slice();
  for (const frame of [yuv, to420(yuv)]) {
    const rect = seg.setInputFittedYuv(frame);
    assert.deepEqual(rect, rectRgb);
    // One level of the 0 … 255 input is 2/255 of the model's [-1, 1] range.
    const level = 2 / 255;
    let max = 0, sum = 0;
    for (let i = 0; i < fromRgb.length; i++) {
      const d = Math.abs(seg.input[i]! - fromRgb[i]!) / level;
      max = Math.max(max, d);
      sum += d;
    }
    const mean = sum / fromRgb.length;
    assert.ok(mean < (frame.chromaShift ? 1.5 : 0.6), `mean diff ${mean} levels`);
    assert.ok(max < 40, `max diff ${max} levels`);
    seg.run();
    const overlap = iou(seg.probability, probRgb);
    assert.ok(overlap > 0.99, `IoU ${overlap}`);
  }
});
