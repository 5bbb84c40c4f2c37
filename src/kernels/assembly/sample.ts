// The model's input from a camera frame in WebAssembly: `Segmenter.setInputFitted` of
// `src/segment/segmenter.ts` (bilinear samples of the luma and chroma planes, converted to RGB
// and normalised in one pass), operation for operation in float64 and stored in float32, so the
// same bits; the tests compare the two.

// @ts-ignore: decorator
@inline function f32at(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function i32at(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function byte(p: usize, i: i32): f64 {
  return <f64>load<u8>(p + <usize>i);
}

/**
 * Fills the model input `x` (NHWC RGB float32, `modelWidth` wide) inside the rectangle
 * (`rx`, `ry`, `rw`, `rh`) from the planes `Y`, `U`, `V` of a `width` × `height` frame whose
 * chroma planes are `cw` wide and `crows` high, through the tables of `setInputFitted`: luma
 * columns `lx`/`lw`, chroma columns `cx`/`cwt`, luma rows `ly`/`lh`, chroma rows `cy`/`cht`.
 * Each channel is `value × scale + offset`.
 */
export function fitInput(
  Y: usize, U: usize, V: usize, width: i32, height: i32, cw: i32, crows: i32,
  lx: usize, lw: usize, cx: usize, cwt: usize, ly: usize, lh: usize, cy: usize, cht: usize,
  x: usize, modelWidth: i32, rx: i32, ry: i32, rw: i32, rh: i32, scale: f64, offset: f64,
): void {
  const crR: f64 = 1.402, cbG: f64 = 0.344136, crG: f64 = 0.714136, cbB: f64 = 1.772;
  for (let j = 0; j < rh; j++) {
    const lj = i32at(ly, j);
    const y0 = lj * width, y1 = y0 + (lj + 1 < height ? width : 0);
    const fy = f32at(lh, j);
    const cj = i32at(cy, j);
    const c0 = cj * cw, c1 = c0 + (cj + 1 < crows ? cw : 0);
    const gy = f32at(cht, j);
    let o = <usize>(((ry + j) * modelWidth + rx) * 3) << 2;
    for (let i = 0; i < rw; i++) {
      const a = i32at(lx, i), b = a + (a + 1 < width ? 1 : 0), fx = f32at(lw, i);
      const ya0 = byte(Y, y0 + a), ya1 = byte(Y, y1 + a);
      const top = ya0 + (byte(Y, y0 + b) - ya0) * fx;
      const bottom = ya1 + (byte(Y, y1 + b) - ya1) * fx;
      const l = top + (bottom - top) * fy;
      const ca = i32at(cx, i), cb = ca + (ca + 1 < cw ? 1 : 0), gx = f32at(cwt, i);
      let u0 = byte(U, c0 + ca), u1 = byte(U, c1 + ca);
      let s0 = u0 + (byte(U, c0 + cb) - u0) * gx;
      let s1 = u1 + (byte(U, c1 + cb) - u1) * gx;
      const pb = s0 + (s1 - s0) * gy - 128;
      u0 = byte(V, c0 + ca);
      u1 = byte(V, c1 + ca);
      s0 = u0 + (byte(V, c0 + cb) - u0) * gx;
      s1 = u1 + (byte(V, c1 + cb) - u1) * gx;
      const pr = s0 + (s1 - s0) * gy - 128;
      let R = l + crR * pr;
      let G = l - cbG * pb - crG * pr;
      let B = l + cbB * pb;
      R = R < 0 ? 0 : R > 255 ? 255 : R;
      G = G < 0 ? 0 : G > 255 ? 255 : G;
      B = B < 0 ? 0 : B > 255 ? 255 : B;
      store<f32>(x + o, <f32>(R * scale + offset));
      store<f32>(x + o, <f32>(G * scale + offset), 4);
      store<f32>(x + o, <f32>(B * scale + offset), 8);
      o += 12;
    }
  }
}
