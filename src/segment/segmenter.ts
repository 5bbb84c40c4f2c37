/**
 * Runs a segmentation model on RGB pictures: fills the model input (bilinear resize with
 * half-pixel centres, then the manifest's normalisation), runs ONNX Runtime and turns the output
 * into a person probability map. Every buffer is made once, at open.
 *
 * @module
 */

import type { OnnxRuntime, PreparedRun, Session, Tensor } from "../../ffi/onnxruntime/mod.ts";
import { YCBCR_TO_RGB, type YuvFrame } from "../image/planar.ts";
import { resizeBilinear, sourceCoordinate } from "../image/resize.ts";
import { fitRect, type Rect } from "../pipeline/geometry.ts";
import { inferManifest, type ModelManifest, type OutputKind } from "../models/manifest.ts";
import { ModelError, type ResolvedModel } from "../models/resolve.ts";
import { personProbability } from "./probability.ts";

/** Options for {@linkcode Segmenter.open}. */
export interface SegmenterOptions {
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Overrides what the output means (for bare model files). */
  outputKind?: OutputKind;
  /** Overrides the input range (for bare model files). */
  range?: [number, number];
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Sampling tables of `Segmenter.setInputFittedYuv`, made for one frame size. */
interface YuvTables {
  width: number;
  height: number;
  chromaShift: number;
  rect: Rect;
  /** Per model column: luma x0, weight; chroma x0, weight. */
  lx: Int32Array;
  lw: Float32Array;
  cx: Int32Array;
  cwt: Float32Array;
  /** Per model row: luma y0, weight; chroma y0, weight. */
  ly: Int32Array;
  lh: Float32Array;
  cy: Int32Array;
  cht: Float32Array;
}

/** A loaded segmentation model with its buffers. */
export class Segmenter {
  /** The model's description (from its manifest, or inferred from its shapes). */
  readonly manifest: ModelManifest;
  /** The model input, NHWC RGB float32, already normalised. */
  readonly input: Float32Array<ArrayBuffer>;
  /** The raw model output, NHWC float32. */
  readonly output: Float32Array<ArrayBuffer>;
  /** The person probability, output height × width, row-major. */
  readonly probability: Float32Array;
  readonly #session: Session;
  readonly #tensors: Tensor<Float32Array<ArrayBuffer>>[];
  readonly #run: PreparedRun;
  readonly #scale: number;
  readonly #offset: number;
  /** Scratch for letterboxing: the fitted picture before it is placed (made once). */
  readonly #fitted: Float32Array;

  private constructor(
    manifest: ModelManifest,
    session: Session,
    tensors: Tensor<Float32Array<ArrayBuffer>>[],
    run: PreparedRun,
  ) {
    this.manifest = manifest;
    this.#session = session;
    this.#tensors = tensors;
    this.#run = run;
    this.input = tensors[0]!.data;
    this.output = tensors[1]!.data;
    this.probability = new Float32Array(manifest.output.width * manifest.output.height);
    const [lo, hi] = manifest.input.range;
    this.#scale = (hi - lo) / 255;
    this.#offset = lo;
    this.#fitted = new Float32Array(this.input.length);
  }

  /**
   * Loads a model.
   *
   * @param ort the runtime
   * @param model from `resolveModel()`
   * @param options threads and overrides
   * @returns the segmenter
   * @throws {ModelError} when the model does not have the shapes its manifest says
   * @example
   * ```ts
   * using ort = OnnxRuntime.load();
   * using seg = Segmenter.open(ort, await resolveModel("landscape"));
   * seg.setInput(rgb, 1280, 720);
   * seg.run(); // seg.probability is 256x144
   * ```
   */
  static open(ort: OnnxRuntime, model: ResolvedModel, options: SegmenterOptions = {}): Segmenter {
    using stack = new DisposableStack();
    const session = stack.use(
      ort.createSession(model.onnxPath, {
        intraOpThreads: options.threads ?? 1,
        interOpThreads: 1,
        spinning: false,
      }),
    );
    const [inInfo, ...moreIn] = session.inputs;
    const [outInfo] = session.outputs;
    if (!inInfo || moreIn.length > 0 || !outInfo) {
      throw new ModelError(
        `Model "${model.name}" has ${session.inputs.length} inputs and ${session.outputs.length} outputs; a segmentation model has one image input and one mask output`,
      );
    }
    if (inInfo.elementType !== "float32" || outInfo.elementType !== "float32") {
      throw new ModelError(`Model "${model.name}" does not take and give float32 tensors`);
    }
    let manifest = model.manifest;
    if (!manifest) {
      manifest = inferManifest(model.name, model.onnxPath, inInfo.shape, outInfo.shape, {
        ...(options.outputKind ? { output: options.outputKind } : {}),
        ...(options.range ? { range: options.range } : {}),
      });
    } else if (options.outputKind || options.range) {
      manifest = {
        ...manifest,
        input: { ...manifest.input, range: options.range ?? manifest.input.range },
        output: { ...manifest.output, ...options.outputKind } as ModelManifest["output"],
      };
    }
    const inShape = [1, manifest.input.height, manifest.input.width, 3];
    const outShape = [1, manifest.output.height, manifest.output.width, manifest.output.channels];
    if (!sameDims(inInfo.shape, inShape) || !sameDims(outInfo.shape, outShape)) {
      throw new ModelError(
        `Model "${model.name}" takes [${inInfo.shape}] and gives [${outInfo.shape}], but its manifest says [${inShape}] and [${outShape}]; convert it again ("deno task setup")`,
      );
    }
    const x = stack.use(
      ort.createTensor(new Float32Array(inShape.reduce((a, b) => a * b)), inShape),
    );
    const y = stack.use(
      ort.createTensor(new Float32Array(outShape.reduce((a, b) => a * b)), outShape),
    );
    const run = session.prepare({ inputs: { [inInfo.name]: x }, outputs: { [outInfo.name]: y } });
    const segmenter = new Segmenter(manifest, session, [x, y], run);
    stack.move();
    return segmenter;
  }

  /**
   * Fills the model input from an 8-bit RGB picture: copied when it has the model's size,
   * otherwise resized with bilinear interpolation (half-pixel centres, aspect not kept).
   *
   * @param rgb interleaved RGB, `width * height * 3` bytes
   * @param width the picture's width
   * @param height the picture's height
   */
  setInput(rgb: Uint8Array, width: number, height: number): void {
    const { width: w, height: h } = this.manifest.input;
    const x = this.input;
    if (width === w && height === h) {
      for (let i = 0; i < x.length; i++) x[i] = rgb[i]! * this.#scale + this.#offset;
      return;
    }
    resizeBilinear(rgb, x, {
      srcWidth: width,
      srcHeight: height,
      dstWidth: w,
      dstHeight: h,
      channels: 3,
    });
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * this.#scale + this.#offset;
  }

  /**
   * Fills the model input with the whole picture, its aspect kept: fitted inside the model's
   * input and centred, the rest black (as MediaPipe letterboxes). Never a stretch, and nothing
   * of the picture is cut off.
   *
   * @param rgb interleaved RGB, `width * height * 3` bytes
   * @param width the picture's width
   * @param height the picture's height
   * @returns where the picture lies in {@linkcode Segmenter.probability} (output pixels)
   */
  setInputFitted(rgb: Uint8Array, width: number, height: number): Rect {
    const { width: w, height: h } = this.manifest.input;
    const r = fitRect(width, height, { width: w, height: h });
    const x = this.input;
    x.fill(this.#offset);
    const fitted = this.#fitted.subarray(0, r.w * r.h * 3);
    resizeBilinear(rgb, fitted, {
      srcWidth: width,
      srcHeight: height,
      dstWidth: r.w,
      dstHeight: r.h,
      channels: 3,
    });
    const scale = this.#scale;
    const offset = this.#offset;
    for (let y = 0; y < r.h; y++) {
      let o = ((r.y + y) * w + r.x) * 3;
      let i = y * r.w * 3;
      for (let k = 0; k < r.w * 3; k++) x[o++] = fitted[i++]! * scale + offset;
    }
    return this.#inOutput(r);
  }

  /** A rectangle of the model input in the pixels of its output (the probability map). */
  #inOutput(r: Rect): Rect {
    const sx = this.manifest.output.width / this.manifest.input.width;
    const sy = this.manifest.output.height / this.manifest.input.height;
    return { x: r.x * sx, y: r.y * sy, w: r.w * sx, h: r.h * sy };
  }

  /** Sampling tables of {@linkcode setInputFittedYuv}, made for one frame size. */
  #yuvTables: YuvTables | null = null;

  /**
   * {@linkcode setInputFitted} from a full-range planar YCbCr frame (the fast path): the same
   * letterbox and bilinear sampling (half-pixel centres) on the luma plane and on the chroma
   * planes at their own sites, converted to RGB (JFIF) and normalised in the same pass. No RGB
   * frame is made.
   *
   * @param frame the camera frame, 4:2:2 or 4:2:0
   * @returns where the picture lies in {@linkcode Segmenter.probability} (output pixels)
   */
  setInputFittedYuv(frame: YuvFrame): Rect {
    const { width, height, chromaShift, y: Y, u: U, v: V } = frame;
    const t = this.#tablesFor(width, height, chromaShift);
    const r = t.rect;
    const w = this.manifest.input.width;
    const x = this.input;
    const scale = this.#scale;
    const offset = this.#offset;
    // Only the letterbox bars need the fill; the picture overwrites the rest.
    if (r.w < w || r.h < this.manifest.input.height) x.fill(offset);
    const cw = width >> 1;
    const crows = (height + (1 << chromaShift) - 1) >> chromaShift;
    const { lx, lw, cx, cwt, ly, lh, cy, cht } = t;
    const { crR, cbG, crG, cbB } = YCBCR_TO_RGB;
    for (let j = 0; j < r.h; j++) {
      const y0 = ly[j]! * width, y1 = y0 + (ly[j]! + 1 < height ? width : 0);
      const fy = lh[j]!;
      const c0 = cy[j]! * cw, c1 = c0 + (cy[j]! + 1 < crows ? cw : 0);
      const gy = cht[j]!;
      let o = ((r.y + j) * w + r.x) * 3;
      for (let i = 0; i < r.w; i++) {
        const a = lx[i]!, b = a + (a + 1 < width ? 1 : 0), fx = lw[i]!;
        const top = Y[y0 + a]! + (Y[y0 + b]! - Y[y0 + a]!) * fx;
        const bottom = Y[y1 + a]! + (Y[y1 + b]! - Y[y1 + a]!) * fx;
        const l = top + (bottom - top) * fy;
        const ca = cx[i]!, cb = ca + (ca + 1 < cw ? 1 : 0), gx = cwt[i]!;
        let s0 = U[c0 + ca]! + (U[c0 + cb]! - U[c0 + ca]!) * gx;
        let s1 = U[c1 + ca]! + (U[c1 + cb]! - U[c1 + ca]!) * gx;
        const pb = s0 + (s1 - s0) * gy - 128;
        s0 = V[c0 + ca]! + (V[c0 + cb]! - V[c0 + ca]!) * gx;
        s1 = V[c1 + ca]! + (V[c1 + cb]! - V[c1 + ca]!) * gx;
        const pr = s0 + (s1 - s0) * gy - 128;
        let R = l + crR * pr;
        let G = l - cbG * pb - crG * pr;
        let B = l + cbB * pb;
        R = R < 0 ? 0 : R > 255 ? 255 : R;
        G = G < 0 ? 0 : G > 255 ? 255 : G;
        B = B < 0 ? 0 : B > 255 ? 255 : B;
        x[o++] = R * scale + offset;
        x[o++] = G * scale + offset;
        x[o++] = B * scale + offset;
      }
    }
    return this.#inOutput(r);
  }

  #tablesFor(width: number, height: number, chromaShift: number): YuvTables {
    const cached = this.#yuvTables;
    if (
      cached && cached.width === width && cached.height === height &&
      cached.chromaShift === chromaShift
    ) {
      return cached;
    }
    const { width: w, height: h } = this.manifest.input;
    const rect = fitRect(width, height, { width: w, height: h });
    // Bilinear with half-pixel centres, clamped at the edges, as resizeBilinear samples; a plane
    // subsampled by `sub` is the same grid scaled by 1/sub (chroma sites are centred).
    const table = (n: number, src: number, sub: number): [Int32Array, Float32Array] => {
      const idx = new Int32Array(n), wt = new Float32Array(n);
      for (let d = 0; d < n; d++) {
        const s = sourceCoordinate(d, src / n / sub, Math.ceil(src / sub));
        idx[d] = Math.floor(s);
        wt[d] = s - idx[d]!;
      }
      return [idx, wt];
    };
    const [lx, lw] = table(rect.w, width, 1);
    const [cx, cwt] = table(rect.w, width, 2);
    const [ly, lh] = table(rect.h, height, 1);
    const [cy, cht] = table(rect.h, height, 1 << chromaShift);
    const t = { width, height, chromaShift, rect, lx, lw, cx, cwt, ly, lh, cy, cht };
    this.#yuvTables = t;
    return t;
  }

  /** Runs the model on the current input and updates {@linkcode Segmenter.probability}. */
  run(): void {
    this.#run.run();
    this.#postprocess();
  }

  /** Like {@linkcode Segmenter.run}, on ONNX Runtime's thread; the buffers are busy until it settles. */
  async runAsync(): Promise<void> {
    await this.#run.runAsync();
    this.#postprocess();
  }

  #postprocess(): void {
    personProbability(
      this.output,
      this.manifest.output.channels,
      this.manifest.output,
      this.probability,
    );
  }

  /** Releases the session and tensors. Idempotent. */
  close(): void {
    this.#session.close();
    for (const t of this.#tensors) t.close();
  }

  /** Same as {@linkcode Segmenter.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
