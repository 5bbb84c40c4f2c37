import assert from "node:assert/strict";
import { assertSameBytes } from "../../tests/fixtures/pixels.ts";
import { rng } from "../../tests/fixtures/rng.ts";
import { spanRows, wordPlane } from "../background/_blur_kernels.ts";
import { Kernels } from "./mod.ts";

Deno.test("Kernels.blurSpan() writes the words of spanRows(), any stride, rows and weights", () => {
  const k = Kernels.shared();
  const rnd = rng(23);
  // Reduced rows as the blur makes them: two bytes per word in the low byte of each 16-bit lane.
  const lanes = (n: number): Int32Array => {
    const a = k.arena.int32(n);
    for (let i = 0; i < n; i++) a[i] = ((rnd() * 256) | 0) | (((rnd() * 256) | 0) << 16);
    return a;
  };
  let cases = 0;
  for (const stride of [1, 3, 4, 5, 17, 160, 321]) {
    for (const [rows, step] of [[4, 64], [8, 32], [12, 21], [3, 85], [1, 0], [16, 16]] as const) {
      const height = rows + 3;
      const te = lanes(stride), be = lanes(stride), to = lanes(stride), bo = lanes(stride);
      const k0 = (rnd() * 256) | 0;
      const y = (rnd() * 3) | 0;
      const want = new Uint8Array(stride * 4 * height);
      const plane = wordPlane(want, {
        rowBytes: stride * 4,
        stride,
        even: [te, be],
        odd: [to, bo],
      });
      spanRows(plane, y, rows, 0, 1, k0, step);
      const got = k.arena.int32(stride * height);
      k.blurSpan(got, { stride, base: y * stride, te, be, to, bo, k0, step, rows });
      assertSameBytes(
        new Uint8Array(got.buffer, got.byteOffset, got.byteLength),
        want,
        `${stride}/${rows}`,
      );
      k.release(te, be, to, bo, got);
      cases++;
    }
  }
  assert.equal(cases, 42);
});

Deno.test("Kernels.blurSpan() refuses rows past the plane's end", () => {
  const k = Kernels.shared();
  const words = k.arena.int32(8), row = k.arena.int32(4);
  const span = { stride: 4, base: 4, te: row, be: row, to: row, bo: row, k0: 0, step: 0, rows: 2 };
  assert.throws(() => k.blurSpan(words, span), RangeError);
  assert.throws(() => k.blurSpan(new Int32Array(8), { ...span, rows: 1 }), RangeError);
});
