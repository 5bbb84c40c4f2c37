import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { assertSameFloats } from "../../tests/fixtures/pixels.ts";
import { rng } from "../../tests/fixtures/rng.ts";
import { type ChromaLayout, makeFrame } from "../frame/frame.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter } from "../segment/segmenter.ts";
import { Kernels } from "./mod.ts";

Deno.test("Segmenter.setInputFitted() on the kernels gives the bits of the TypeScript, any layout and size", async () => {
  using ort = OnnxRuntime.load();
  const kernels = Kernels.shared();
  const rnd = rng(17);
  for (const name of ["landscape", "selfie"]) {
    const model = await resolveModel(name);
    using ts = Segmenter.open(ort, model, { kernels: null });
    using wasm = Segmenter.open(ort, model);
    for (
      const [width, height, layout] of [
        [1280, 720, "422"],
        [1920, 1080, "420"],
        [641, 479, "444"],
        [642, 481, "420"],
        [6, 4, "422"],
        [3, 7, "444"],
      ] as [number, number, ChromaLayout][]
    ) {
      for (const inMemory of [true, false]) {
        const make = layout === "420" ? "422" : layout;
        const frame = inMemory
          ? kernels.frame({ width, height }, make)
          : makeFrame({ width, height }, make);
        frame.layout = layout;
        for (const p of [frame.y, frame.u, frame.v]) {
          for (let i = 0; i < p.length; i++) p[i] = (rnd() * 256) | 0;
        }
        ts.setInputFitted(frame);
        wasm.setInputFitted(frame);
        assertSameFloats(wasm.input, ts.input, `${name} ${width}x${height} ${layout}`);
        if (inMemory) kernels.releaseFrame(frame);
      }
    }
  }
});
