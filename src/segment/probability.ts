/**
 * Turns a segmentation model's raw NHWC output into a person probability map, as the model's
 * manifest says (`probability`, `logit` or `softmax` with a person channel).
 *
 * @module
 */

import type { OutputKind } from "../models/manifest.ts";

/**
 * Writes the person probability of every pixel into `out`.
 *
 * @param raw the model output, NHWC `[1, H, W, channels]`
 * @param channels the number of output channels
 * @param kind what the output means
 * @param out H×W probabilities in [0, 1] (caller-owned, reused across frames)
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * personProbability(new Float32Array([0, 0]), 2, { kind: "softmax", person: 1 }, out); // 0.5
 * ```
 */
export function personProbability(
  raw: Float32Array,
  channels: number,
  kind: OutputKind,
  out: Float32Array,
): void {
  const n = out.length;
  if (raw.length !== n * channels) {
    throw new RangeError(`Model output has ${raw.length} values; expected ${n * channels}`);
  }
  switch (kind.kind) {
    case "probability":
      for (let i = 0; i < n; i++) {
        const p = raw[i]!;
        out[i] = p < 0 ? 0 : p > 1 ? 1 : p;
      }
      return;
    case "logit":
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-raw[i]!));
      return;
    case "softmax": {
      const person = kind.person;
      if (channels === 2) {
        // softmax(x)[1] = sigmoid(x1 - x0), without overflow for large logits.
        const other = 1 - person;
        for (let i = 0; i < n; i++) {
          out[i] = 1 / (1 + Math.exp(raw[2 * i + other]! - raw[2 * i + person]!));
        }
        return;
      }
      for (let i = 0, base = 0; i < n; i++, base += channels) {
        let max = -Infinity;
        for (let c = 0; c < channels; c++) max = Math.max(max, raw[base + c]!);
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += Math.exp(raw[base + c]! - max);
        out[i] = Math.exp(raw[base + person]! - max) / sum;
      }
      return;
    }
  }
}
