import assert from "node:assert/strict";
import { halfToFloat, permute } from "./tensor_data.ts";

Deno.test("halfToFloat() decodes normals, subnormals, zeros and infinities", () => {
  const halves = [0x3c00, 0xc000, 0x3555, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7bff];
  const bytes = new Uint8Array(halves.flatMap((h) => [h & 0xff, h >> 8]));
  const f = halfToFloat(bytes);
  assert.deepEqual(
    [...f],
    [1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24), -0, Infinity, -Infinity, 65504],
  );
  assert.ok(Number.isNaN(halfToFloat(new Uint8Array([0x01, 0x7c]))[0]));
});

Deno.test("permute() moves NHWC data to NCHW like numpy.transpose", () => {
  // [1, 2, 2, 3] with value = h*100 + w*10 + c
  const shape = [1, 2, 2, 3];
  const data = new Float32Array(12);
  for (let h = 0; h < 2; h++) {
    for (let w = 0; w < 2; w++) {
      for (let c = 0; c < 3; c++) data[(h * 2 + w) * 3 + c] = h * 100 + w * 10 + c;
    }
  }
  const p = permute(data, shape, [0, 3, 1, 2]);
  assert.deepEqual(p.shape, [1, 3, 2, 2]);
  assert.deepEqual([...p.data], [0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112]);
  const back = permute(p.data, p.shape, [0, 2, 3, 1]);
  assert.deepEqual([...back.data], [...data]);
  assert.ok(permute(new Int32Array([1, 2, 3, 4]), [2, 2], [1, 0]).data instanceof Int32Array);
});
