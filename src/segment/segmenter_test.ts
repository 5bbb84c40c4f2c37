import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { letterboxRgb } from "../../tests/reference/rgb_letterbox.ts";
import { type ChromaLayout, type Frame, makeFrame } from "../frame/frame.ts";
import { fillFrame, frameToRgb, rgbToFrame } from "../image/planar.ts";
import { readPng } from "../image/png.ts";
import { ModelError, resolveModel } from "../models/resolve.ts";
import { Segmenter } from "./segmenter.ts";

const SHARED = join(decodeURIComponent(new URL("../../..", import.meta.url).pathname), "shared");

/** The photo (512x600, cut to an even width) as interleaved RGB. */
async function photo(): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const img = readPng(
    await Deno.readFile(join(SHARED, "reference", "images", "mpl_grace_hopper.png")),
  );
  const width = img.width & ~1;
  const rgb = new Uint8Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++) {
    rgb.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  }
  return { rgb, width, height: img.height };
}

/** The photo as a frame of `layout`; a `"420"` one in a frame made `"422"`, as a camera's. */
function frameOf(rgb: Uint8Array, width: number, height: number, layout: ChromaLayout): Frame {
  const frame = makeFrame({ width, height }, layout === "420" ? "422" : layout);
  frame.layout = layout;
  rgbToFrame(rgb, frame);
  return frame;
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

Deno.test("Segmenter.setInputFitted() gives the model the RGB letterbox of the frame, in every layout", async () => {
  const { rgb, width, height } = await photo();
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const input = { width: seg.manifest.input.width, height: seg.manifest.input.height };
  const reference = new Float32Array(seg.input.length);
  const pictured = new Uint8Array(rgb.length);
  // The differences allowed, in levels: with chroma at full resolution only the reference's
  // rounding to whole levels (measured: mean 0.1, max 0.7); subsampled chroma is interpolated
  // here but repeated in the reference's RGB, which shows at colour edges (mean 0.2, max 21).
  const limits = { "444": [0.2, 1], "422": [0.4, 40], "420": [0.5, 40] } as const;
  for (const layout of ["444", "422", "420"] as const) {
    const frame = frameOf(rgb, width, height, layout);
    frameToRgb(frame, pictured); // the picture the planes stand for
    const box = letterboxRgb(pictured, frame, input, seg.manifest.input.range, reference);
    seg.setInput(new Uint8Array(input.width * input.height * 3), input.width, input.height);
    const rect = seg.setInputFitted(frame);
    // Landscape's output has its input's size: the rectangles are in the same pixels.
    assert.deepEqual(rect, box, layout);
    assert.deepEqual(seg.contentRect(frame), rect, layout);
    // One level of the 0 … 255 input is 1/255 of the model's [0, 1] range.
    const [lo, hi] = seg.manifest.input.range;
    const level = (hi - lo) / 255;
    let max = 0, sum = 0;
    for (let i = 0; i < reference.length; i++) {
      const d = Math.abs(seg.input[i]! - reference[i]!) / level;
      max = Math.max(max, d);
      sum += d;
    }
    const mean = sum / reference.length;
    assert.ok(mean < limits[layout][0], `${layout}: mean diff ${mean} levels`);
    assert.ok(max < limits[layout][1], `${layout}: max diff ${max} levels`);
    seg.run();
    const planar = seg.probability.slice();
    seg.input.set(reference);
    seg.run();
    const overlap = iou(planar, seg.probability);
    assert.ok(overlap > 0.99, `${layout}: IoU ${overlap}`);
  }
});

Deno.test("Segmenter.contentRect() is where setInputFitted() puts the picture; the bars stay black", async () => {
  using ort = OnnxRuntime.load();
  using seg = Segmenter.open(ort, await resolveModel("landscape"));
  const { width: mw, height: mh } = seg.manifest.input;
  const [lo, hi] = seg.manifest.input.range;
  const cases = [
    [{ width: 1280, height: 720 }, { x: 0, y: 0, w: 256, h: 144 }],
    [{ width: 640, height: 480 }, { x: 32, y: 0, w: 192, h: 144 }],
    [{ width: 720, height: 1280 }, { x: 87, y: 0, w: 81, h: 144 }],
    [{ width: 1920, height: 400 }, { x: 0, y: 45, w: 256, h: 53 }],
  ] as const;
  for (const [size, expected] of cases) {
    seg.input.fill(0.5);
    const before = seg.input.slice();
    const rect = seg.contentRect(size);
    assert.deepEqual(seg.input, before, "contentRect() touches nothing");
    assert.deepEqual(rect, expected, `${size.width}x${size.height}`);
    for (const layout of ["444", "422"] as const) {
      const frame = makeFrame(size, layout);
      fillFrame(frame, [255, 255, 255]);
      assert.deepEqual(seg.setInputFitted(frame), rect, `${size.width}x${size.height} ${layout}`);
      for (let y = 0; y < mh; y++) {
        for (let x = 0; x < mw; x++) {
          const inside = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
          for (let c = 0; c < 3; c++) {
            const v = seg.input[(y * mw + x) * 3 + c]!;
            assert.ok(
              Math.abs(v - (inside ? hi : lo)) < 1e-6,
              `${size.width}x${size.height} ${layout} (${x}, ${y}): ${v}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("Segmenter.openAsync() opens what Segmenter.open() opens", async () => {
  const { rgb, width, height } = await photo();
  const frame = frameOf(rgb, width, height, "422");
  const model = await resolveModel("landscape");
  using ort = OnnxRuntime.load();
  using sync = Segmenter.open(ort, model);
  using seg = await Segmenter.openAsync(ort, model, { threads: 1 });
  assert.deepEqual(seg.manifest, sync.manifest);
  assert.deepEqual(seg.setInputFitted(frame), sync.setInputFitted(frame));
  sync.run();
  await seg.runAsync();
  assert.deepEqual(seg.probability, sync.probability);
  assert.ok(seg.probability.some((p) => p > 0.9), "a person found");

  // A manifest that does not fit the model: the same error both ways, facts only.
  const wrong = { ...model, manifest: { ...model.manifest!, input: { ...model.manifest!.input } } };
  wrong.manifest.input.width = 128;
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof ModelError);
    assert.equal(e.kind, "mismatch");
    assert.equal(
      e.message,
      'Model "landscape" takes [1,144,256,3] and gives [1,144,256,1], but its manifest says [1,144,128,3] and [1,144,256,1]',
    );
    return true;
  };
  assert.throws(() => Segmenter.open(ort, wrong), check);
  await assert.rejects(Segmenter.openAsync(ort, wrong), check);
});
