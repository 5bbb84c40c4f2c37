/**
 * `backscrub segment <image>`: runs a model on one photo and writes what it found — the person
 * probability at model resolution (`--prob-out`, float32 LE, H×W), an 8-bit mask at the photo's
 * size (`--mask-out`) and the photo with the background made transparent (`--cutout`).
 *
 * @module
 */

import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { writePng } from "../image/png.ts";
import { loadImage } from "../io/image_file.ts";
import { resizeBilinear } from "../image/resize.ts";
import { resolveModel } from "../models/resolve.ts";
import { Segmenter, type SegmenterOptions } from "../segment/segmenter.ts";

/** Options of the segment command. */
export interface SegmentOptions extends SegmenterOptions {
  /** `--model`: name or path. */
  model: string;
  /** `--ort-lib`. */
  ortLib?: string;
  /** `--prob-out`. */
  probOut?: string;
  /** `--mask-out`. */
  maskOut?: string;
  /** `--cutout`. */
  cutout?: string;
}

/**
 * Segments one image and writes the requested files.
 *
 * @param image the photo (PNG or JPEG)
 * @param options model, outputs and overrides
 * @returns a one-line summary for the terminal
 */
export async function segmentImage(image: string, options: SegmentOptions): Promise<string> {
  const picture = await loadImage(image);
  const model = await resolveModel(options.model);
  using ort = OnnxRuntime.load({ libraryPath: options.ortLib });
  using seg = Segmenter.open(ort, model, options);
  seg.setInput(picture.data, picture.width, picture.height);
  const t0 = performance.now();
  seg.run();
  const inferMs = performance.now() - t0;

  const { width: mw, height: mh } = seg.manifest.output;
  const written: string[] = [];
  if (options.probOut) {
    const p = seg.probability;
    await Deno.writeFile(options.probOut, new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    written.push(options.probOut);
  }
  const { width, height } = picture;
  const mask = new Float32Array(width * height);
  resizeBilinear(seg.probability, mask, {
    srcWidth: mw,
    srcHeight: mh,
    dstWidth: width,
    dstHeight: height,
    channels: 1,
  });
  const alpha = new Uint8Array(width * height);
  let covered = 0;
  for (let i = 0; i < alpha.length; i++) {
    alpha[i] = Math.round(Math.min(Math.max(mask[i]!, 0), 1) * 255);
    covered += mask[i]!;
  }
  if (options.maskOut) {
    await Deno.writeFile(options.maskOut, writePng({ width, height, channels: 1, data: alpha }));
    written.push(options.maskOut);
  }
  if (options.cutout) {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[4 * i] = picture.data[3 * i]!;
      rgba[4 * i + 1] = picture.data[3 * i + 1]!;
      rgba[4 * i + 2] = picture.data[3 * i + 2]!;
      rgba[4 * i + 3] = alpha[i]!;
    }
    await Deno.writeFile(options.cutout, writePng({ width, height, channels: 4, data: rgba }));
    written.push(options.cutout);
  }
  const share = (100 * covered / (width * height)).toFixed(1);
  return `${image} (${width}x${height}): model "${seg.manifest.name}" (${seg.manifest.input.width}x${seg.manifest.input.height}, ONNX Runtime ${ort.version}) finds a person on ${share}% of the picture in ${
    inferMs.toFixed(1)
  } ms${written.length ? `; wrote ${written.join(", ")}` : ""}`;
}
