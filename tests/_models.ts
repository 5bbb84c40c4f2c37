/**
 * Test fixtures: the TFLite models and reference data the tests use. The MediaPipe models come
 * from the npm package (installed by `deno task setup`); the others from `../shared/models`
 * (never committed).
 */

import { join, resolve } from "node:path";

/** The project root. */
export const ROOT: string = resolve(decodeURIComponent(new URL("..", import.meta.url).pathname));
/** The shared data folder beside the project. */
export const SHARED: string = resolve(ROOT, "..", "shared");
const MP = join(ROOT, "node_modules", "@mediapipe", "selfie_segmentation");

/** A test model: its TFLite file and, for the reference models, the input size. */
export interface TestModel {
  tflite: string;
  width: number;
  height: number;
  /** Folder name under ../shared/reference/out, for models with a reference. */
  reference?: string;
}

/** The six models the converter must handle. */
export const MODELS = {
  selfie: {
    tflite: join(MP, "selfie_segmentation.tflite"),
    width: 256,
    height: 256,
    reference: "selfie_segmentation",
  },
  landscape: {
    tflite: join(MP, "selfie_segmentation_landscape.tflite"),
    width: 256,
    height: 144,
    reference: "selfie_segmentation_landscape",
  },
  segm_full_v679: {
    tflite: join(SHARED, "models", "segm_full_v679.tflite"),
    width: 256,
    height: 144,
    reference: "segm_full_v679",
  },
  segm_lite_v681: {
    tflite: join(SHARED, "models", "segm_lite_v681.tflite"),
    width: 160,
    height: 96,
    reference: "segm_lite_v681",
  },
  deeplab: {
    tflite: join(SHARED, "models", "deeplabv3_257_mv_gpu.tflite"),
    width: 257,
    height: 257,
  },
  bodypix: {
    tflite: join(SHARED, "models", "body-pix-float-050-8.tflite"),
    width: 257,
    height: 257,
  },
} as const satisfies Record<string, TestModel>;

/** The reference photos (names of ../shared/reference/images/*.png without extension). */
export const REFERENCE_IMAGES = ["skimage_astronaut", "mpl_grace_hopper", "skimage_camera"];
