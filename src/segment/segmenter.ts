/**
 * Runs a segmentation model on camera frames: fills the model input from a planar YCbCr
 * {@linkcode Frame} (letterboxed, bilinear with half-pixel centres, converted to RGB and
 * normalised as the manifest says, in one pass), runs ONNX Runtime and turns the output into a
 * person probability map. Every buffer is made once, at open; the model input lives in the
 * kernels' memory (`src/kernels/`), whose WebAssembly fills it (to the bit of the TypeScript
 * here, which runs with `kernels: null`). A model can be opened with ONNX
 * Runtime building its session on another thread ({@linkcode Segmenter.openAsync}), so that a
 * live model switch does not stall frames.
 *
 * @module
 */

import type {
  OnnxRuntime,
  PreparedRun,
  Session,
  SessionOptions,
  Tensor,
} from "../../ffi/onnxruntime/mod.ts";
import { chromaHeight, chromaWidth, type Frame } from "../frame/frame.ts";
import { fitRect, type Rect, type Size } from "../frame/geometry.ts";
import { YCBCR_TO_RGB } from "../image/planar.ts";
import { type Allocate, Kernels, PLAIN } from "../kernels/mod.ts";
import { resizeBilinear, sourceCoordinate } from "../image/resize.ts";
import { inferManifest, type ModelManifest, type OutputKind } from "../models/manifest.ts";
import { ModelError, type ResolvedModel } from "../models/resolve.ts";
import { personProbability } from "./probability.ts";

/** Options for {@linkcode Segmenter.open} and {@linkcode Segmenter.openAsync}. */
export interface SegmenterOptions {
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Overrides what the output means (for bare model files). */
  outputKind?: OutputKind;
  /** Overrides the input range (for bare model files). */
  range?: [number, number];
  /**
   * The kernels that fill the model input (default: the process's, `Kernels.shared()`); null:
   * the TypeScript.
   */
  kernels?: Kernels | null;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The session options every segmentation model runs with. */
function sessionOptions(options: SegmenterOptions): SessionOptions {
  return { intraOpThreads: options.threads ?? 1, interOpThreads: 1, spinning: false };
}

/**
 * Sampling tables of `Segmenter.setInputFitted`, made for one frame size: per model column the
 * left source column and its weight, per model row the top source row and its weight, on the
 * luma grid (also 4:4:4 chroma's) and on the half-size chroma grid.
 */
interface FitTables {
  width: number;
  height: number;
  rect: Rect;
  /** Luma columns: x0, weight. */
  lx: Int32Array;
  lw: Float32Array;
  /** Half-width chroma columns (4:2:2, 4:2:0): x0, weight. */
  cx: Int32Array;
  cw: Float32Array;
  /** Luma rows: y0, weight. */
  ly: Int32Array;
  lh: Float32Array;
  /** Half-height chroma rows (4:2:0): y0, weight. */
  cy: Int32Array;
  ch: Float32Array;
}

/** A loaded segmentation model with its buffers. */
export class Segmenter {
  /** The model's description (from its manifest, or inferred from its shapes). */
  readonly manifest: ModelManifest;
  /** The ONNX file the session was made from. */
  readonly path: string;
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
  readonly #kernels: Kernels | null;
  /** Sampling tables of {@linkcode setInputFitted}, made for one frame size. */
  #tables: FitTables | null = null;

  private constructor(
    path: string,
    manifest: ModelManifest,
    session: Session,
    tensors: Tensor<Float32Array<ArrayBuffer>>[],
    run: PreparedRun,
    kernels: Kernels | null,
  ) {
    this.#kernels = kernels;
    this.path = path;
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
  }

  /**
   * Loads a model, ONNX Runtime building its session on the calling thread (tens of milliseconds
   * for the bundled models); {@linkcode Segmenter.openAsync} does the same without blocking.
   *
   * @example
   * ```ts ignore
   * using ort = OnnxRuntime.load();
   * using seg = Segmenter.open(ort, await resolveModel("landscape"));
   * const content = seg.setInputFitted(frame); // a 1280x720 Frame: { x: 0, y: 0, w: 256, h: 144 }
   * seg.run(); // seg.probability is 256x144
   * ```
   *
   * @param ort the runtime
   * @param model from `resolveModel()`
   * @param options threads and overrides
   * @returns the segmenter
   * @throws {ModelError} `mismatch` when the model does not have the shapes its manifest says,
   *   `invalid` when it is not a segmentation model (one float32 image in, one mask out)
   * @throws {OrtError} when ONNX Runtime cannot load the model
   */
  static open(ort: OnnxRuntime, model: ResolvedModel, options: SegmenterOptions = {}): Segmenter {
    const session = ort.createSession(model.onnxPath, sessionOptions(options));
    return Segmenter.#withSession(ort, model, session, options);
  }

  /**
   * As {@linkcode Segmenter.open}, with ONNX Runtime building the session on another thread: the
   * event loop keeps running meanwhile, so a live model switch keeps the frames coming.
   *
   * @example
   * ```ts ignore
   * using ort = OnnxRuntime.load();
   * using seg = await Segmenter.openAsync(ort, await resolveModel("selfie"));
   * ```
   *
   * @param ort the runtime
   * @param model from `resolveModel()`
   * @param options threads and overrides
   * @returns a promise of the segmenter
   * @throws {ModelError} (rejects) as {@linkcode Segmenter.open} throws
   * @throws {OrtError} (rejects) when ONNX Runtime cannot load the model
   */
  static async openAsync(
    ort: OnnxRuntime,
    model: ResolvedModel,
    options: SegmenterOptions = {},
  ): Promise<Segmenter> {
    const session = await ort.createSessionAsync(model.onnxPath, sessionOptions(options));
    return Segmenter.#withSession(ort, model, session, options);
  }

  /** Checks a new session against the manifest and binds its tensors; closes it on failure. */
  static #withSession(
    ort: OnnxRuntime,
    model: ResolvedModel,
    opened: Session,
    options: SegmenterOptions,
  ): Segmenter {
    using stack = new DisposableStack();
    const session = stack.use(opened);
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
        `Model "${model.name}" takes [${inInfo.shape}] and gives [${outInfo.shape}], but its manifest says [${inShape}] and [${outShape}]`,
        { kind: "mismatch" },
      );
    }
    const kernels = options.kernels === undefined ? Kernels.shared() : options.kernels;
    const data = (kernels?.arena ?? PLAIN).float32(inShape.reduce((a, b) => a * b));
    const x = stack.use(ort.createTensor(data as Float32Array<ArrayBuffer>, inShape));
    const y = stack.use(
      ort.createTensor(new Float32Array(outShape.reduce((a, b) => a * b)), outShape),
    );
    const run = session.prepare({ inputs: { [inInfo.name]: x }, outputs: { [outInfo.name]: y } });
    const segmenter = new Segmenter(model.onnxPath, manifest, session, [x, y], run, kernels);
    stack.move();
    return segmenter;
  }

  /**
   * Fills the model input from an 8-bit RGB picture (a photo for the `segment` command, a
   * reference input): copied when it has the model's size, otherwise resized with bilinear
   * interpolation (half-pixel centres, aspect not kept). Live frames go through
   * {@linkcode setInputFitted}.
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
   * Where a picture of `size` lands in {@linkcode Segmenter.probability} when
   * {@linkcode setInputFitted} fills the model input from it: the letterbox's content, in the
   * pixels of the model's output. Pure: the caller can lay out its mask before the first run.
   *
   * @example
   * ```ts ignore
   * seg.contentRect({ width: 640, height: 480 }); // landscape: { x: 32, y: 0, w: 192, h: 144 }
   * ```
   *
   * @param size the picture's size
   * @returns the rectangle, in output pixels (fractional when the output is smaller than the input)
   */
  contentRect(size: Size): Rect {
    return this.#inOutput(fitRect(size.width, size.height, this.manifest.input));
  }

  /** A rectangle of the model input in the pixels of its output (the probability map). */
  #inOutput(r: Rect): Rect {
    const sx = this.manifest.output.width / this.manifest.input.width;
    const sy = this.manifest.output.height / this.manifest.input.height;
    return { x: r.x * sx, y: r.y * sy, w: r.w * sx, h: r.h * sy };
  }

  /**
   * Fills the model input with the whole frame, its aspect kept: fitted inside the model's input
   * and centred, the rest black (as MediaPipe letterboxes). Never a stretch, and nothing of the
   * frame is cut off. Bilinear sampling (half-pixel centres) of the luma plane, and of the chroma
   * planes at their own sites (centred on the luma samples they cover), converted to RGB (JFIF)
   * and normalised in the same pass: no RGB frame is made. The sampling tables are made on the
   * first frame of a size and serve every layout (a camera may switch between 4:2:2 and 4:2:0
   * from one frame to the next).
   *
   * @example
   * ```ts ignore
   * const frame = makeFrame({ width: 1280, height: 720 }, "422");
   * seg.setInputFitted(frame); // = seg.contentRect(frame)
   * ```
   *
   * @param frame the camera frame, any layout
   * @returns where the frame lies in {@linkcode Segmenter.probability} (output pixels): the same
   *   as {@linkcode contentRect} of its size
   */
  setInputFitted(frame: Frame): Rect {
    const { width, height, layout, y: Y, u: U, v: V } = frame;
    const t = this.#tablesFor(width, height);
    const r = t.rect;
    const w = this.manifest.input.width;
    const x = this.input;
    const scale = this.#scale;
    const offset = this.#offset;
    // Only the letterbox bars need the fill; the picture overwrites the rest.
    if (r.w < w || r.h < this.manifest.input.height) x.fill(offset);
    const cw = chromaWidth(width, layout);
    const crows = chromaHeight(height, layout);
    const { lx, lw, ly, lh } = t;
    const cx = layout === "444" ? lx : t.cx, cwt = layout === "444" ? lw : t.cw;
    const cy = layout === "420" ? t.cy : ly, cht = layout === "420" ? t.ch : lh;
    if (this.#kernels !== null) {
      const scale = this.#scale, offset = this.#offset, modelWidth = w, rect = r;
      this.#kernels.fitInput(frame, x, {
        rect,
        modelWidth,
        lx,
        lw,
        cx,
        cw: cwt,
        ly,
        lh,
        cy,
        ch: cht,
        scale,
        offset,
      });
      return this.#inOutput(r);
    }
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

  #tablesFor(width: number, height: number): FitTables {
    const cached = this.#tables;
    if (cached && cached.width === width && cached.height === height) return cached;
    const rect = fitRect(width, height, this.manifest.input);
    // Bilinear with half-pixel centres, clamped at the edges, as resizeBilinear samples; a plane
    // subsampled by `sub` is the same grid scaled by 1/sub (chroma sites are centred).
    const alloc: Allocate = this.#kernels?.arena ?? PLAIN;
    const table = (n: number, src: number, sub: number): [Int32Array, Float32Array] => {
      const idx = alloc.int32(n), wt = alloc.float32(n);
      for (let d = 0; d < n; d++) {
        const s = sourceCoordinate(d, src / n / sub, Math.ceil(src / sub));
        idx[d] = Math.floor(s);
        wt[d] = s - idx[d]!;
      }
      return [idx, wt];
    };
    const [lx, lw] = table(rect.w, width, 1);
    const [cx, cw] = table(rect.w, width, 2);
    const [ly, lh] = table(rect.h, height, 1);
    const [cy, ch] = table(rect.h, height, 2);
    const t = { width, height, rect, lx, lw, cx, cw, ly, lh, cy, ch };
    if (cached) this.#kernels?.release(cached.lx, cached.lw, cached.cx, cached.cw);
    if (cached) this.#kernels?.release(cached.ly, cached.lh, cached.cy, cached.ch);
    this.#tables = t;
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
    const k = this.#kernels, t = this.#tables;
    this.#tables = null;
    if (k === null) return;
    k.release(this.input);
    if (t) k.release(t.lx, t.lw, t.cx, t.cw, t.ly, t.lh, t.cy, t.ch);
  }

  /** Same as {@linkcode Segmenter.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
