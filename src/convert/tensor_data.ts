/**
 * Constant tensor helpers for the converter: fp16 decoding and axis permutation of row-major data.
 *
 * @module
 */

/**
 * Decodes IEEE 754 half-precision values (little-endian) to float32.
 *
 * @param bytes 2 bytes per value
 * @returns the values as float32
 * @example
 * ```ts
 * halfToFloat(new Uint8Array([0x00, 0x3c])); // Float32Array [1]
 * ```
 */
export function halfToFloat(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/**
 * Permutes the axes of a row-major tensor, like numpy's `transpose(perm)`.
 *
 * @param data the values
 * @param shape the shape of `data`
 * @param perm output axis k is input axis `perm[k]`
 * @returns the permuted values (a new array) and their shape
 * @example
 * ```ts
 * // NHWC [1,1,2,3] → NCHW [1,3,1,2]
 * permute(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3], [0, 3, 1, 2]).data;
 * // Float32Array [1, 4, 2, 5, 3, 6]
 * ```
 */
export function permute<T extends Float32Array | Int32Array>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): { data: T; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= shape[k]!;
  }
  const strides = perm.map((p) => inStrides[p]!);
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k]! * strides[k]!;
    out[o] = data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return { data: out, shape: outShape };
}
