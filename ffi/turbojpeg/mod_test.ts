import assert from "node:assert/strict";
import {
  JpegDecoder,
  JpegEncoder,
  JpegError,
  type JpegScale,
  scaledSize,
  turbojpegInfo,
} from "./mod.ts";

/** A synthetic RGB picture: smooth gradients plus flat colour blocks. */
function synthetic(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const blocks: [number, number, number][] = [[230, 30, 30], [30, 200, 40], [40, 60, 220], [
    240,
    220,
    40,
  ]];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const bx = Math.floor((x * 4) / width);
      if (y > height / 2 && y < (height * 3) / 4 && (x % (width / 4)) > 8) {
        const [r, g, b] = blocks[bx]!;
        rgb[i] = r;
        rgb[i + 1] = g;
        rgb[i + 2] = b;
      } else {
        rgb[i] = Math.round((x * 255) / (width - 1));
        rgb[i + 1] = Math.round((y * 255) / (height - 1));
        rgb[i + 2] = Math.round(((x + y) * 255) / (width + height - 2));
      }
    }
  }
  return rgb;
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Averages scale×scale blocks (partial blocks at the right/bottom edges too). */
function boxDownsample(src: Uint8Array, width: number, height: number, scale: number): Uint8Array {
  const w = Math.ceil(width / scale);
  const h = Math.ceil(height / scale);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let yy = y * scale; yy < Math.min(height, (y + 1) * scale); yy++) {
          for (let xx = x * scale; xx < Math.min(width, (x + 1) * scale); xx++) {
            sum += src[(yy * width + xx) * 3 + c]!;
            n++;
          }
        }
        out[(y * w + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

function luma(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(
      0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!,
    );
  }
  return out;
}

const W = 203;
const H = 151;
const RGB = synthetic(W, H);

function encodeSample(quality = 95): Uint8Array {
  using encoder = new JpegEncoder();
  return encoder.encode(RGB, { width: W, height: H, quality });
}

Deno.test("turbojpegInfo() reports the loaded library and its scaling factors", () => {
  const info = turbojpegInfo();
  assert.match(info.path, /turbojpeg/);
  assert.equal(info.hasErrorCodes, true);
  for (const denom of [2, 4, 8]) {
    assert.ok(info.scalingFactors.some(([n, d]) => n === 1 && d === denom), `1/${denom}`);
  }
});

Deno.test("JpegEncoder.encode() and JpegDecoder.decode() round-trip at quality 95", () => {
  const jpeg = encodeSample(95);
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  using decoder = new JpegDecoder();
  const out = new Uint8Array(W * H * 3);
  const result = decoder.decode(jpeg, out);
  assert.deepEqual(result, { width: W, height: H, warning: null });
  const error = meanAbsDiff(out, RGB);
  assert.ok(error < 3, `mean abs error ${error}`);
  // 4:4:4 keeps sharp colour edges better still.
  using encoder = new JpegEncoder();
  const jpeg444 = encoder.encode(RGB, { width: W, height: H, quality: 95, subsampling: "444" });
  decoder.decode(jpeg444, out);
  assert.ok(meanAbsDiff(out, RGB) < error);
});

Deno.test("JpegDecoder.header() reads size, subsampling and colour space", () => {
  using encoder = new JpegEncoder();
  using decoder = new JpegDecoder();
  for (const subsampling of ["444", "422", "420", "440", "411"] as const) {
    const jpeg = encoder.encode(RGB, { width: W, height: H, subsampling });
    assert.deepEqual(decoder.header(jpeg), {
      width: W,
      height: H,
      subsampling,
      colorspace: "ycbcr",
    });
  }
  const gray = encoder.encode(luma(RGB), { width: W, height: H, format: "gray" });
  assert.deepEqual(decoder.header(gray), {
    width: W,
    height: H,
    subsampling: "gray",
    colorspace: "gray",
  });
});

Deno.test("JpegDecoder.decode() scales by 1/2, 1/4 and 1/8 with rounded-up sizes", () => {
  const jpeg = encodeSample(95);
  using decoder = new JpegDecoder();
  for (const scale of [2, 4, 8] as JpegScale[]) {
    const size = scaledSize(decoder.header(jpeg), scale);
    assert.deepEqual(size, { width: Math.ceil(W / scale), height: Math.ceil(H / scale) });
    const out = new Uint8Array(size.width * size.height * 3);
    const result = decoder.decode(jpeg, out, { scale });
    assert.deepEqual(result, { ...size, warning: null });
    const error = meanAbsDiff(out, boxDownsample(RGB, W, H, scale));
    assert.ok(error < 8, `scale 1/${scale}: mean abs diff ${error}`);
    // The fast path gives nearly the same picture.
    decoder.decode(jpeg, out, { scale, fast: true });
    assert.ok(meanAbsDiff(out, boxDownsample(RGB, W, H, scale)) < 8);
  }
});

Deno.test("scaledSize() rounds up like TJSCALED and rejects other scales", () => {
  assert.deepEqual(scaledSize({ width: 641, height: 480 }, 4), { width: 161, height: 120 });
  assert.deepEqual(scaledSize({ width: 7, height: 9 }, 8), { width: 1, height: 2 });
  assert.throws(() => scaledSize({ width: 8, height: 8 }, 3 as JpegScale), RangeError);
});

Deno.test("JpegDecoder.decode() writes gray, rgba and bgr layouts", () => {
  const jpeg = encodeSample(95);
  using decoder = new JpegDecoder();
  const gray = new Uint8Array(W * H);
  assert.equal(decoder.decode(jpeg, gray, { format: "gray" }).warning, null);
  assert.ok(meanAbsDiff(gray, luma(RGB)) < 3);

  const rgba = new Uint8Array(W * H * 4);
  const rgb = new Uint8Array(W * H * 3);
  const bgr = new Uint8Array(W * H * 3);
  decoder.decode(jpeg, rgba, { format: "rgba" });
  decoder.decode(jpeg, rgb);
  decoder.decode(jpeg, bgr, { format: "bgr" });
  for (let i = 0; i < W * H; i++) {
    assert.equal(rgba[i * 4 + 3], 255);
    assert.equal(rgba[i * 4], rgb[i * 3]);
    assert.equal(bgr[i * 3], rgb[i * 3 + 2]);
  }

  using encoder = new JpegEncoder();
  const grayJpeg = encoder.encode(luma(RGB), { width: W, height: H, format: "gray" });
  decoder.decode(grayJpeg, gray, { format: "gray" });
  assert.ok(meanAbsDiff(gray, luma(RGB)) < 2);
  // A grayscale JPEG expands to equal R, G and B.
  decoder.decode(grayJpeg, rgb);
  assert.equal(rgb[300], rgb[301]);
  assert.equal(rgb[301], rgb[302]);
});

Deno.test("JpegDecoder.decode() returns a warning for a truncated JPEG and keeps working", () => {
  const jpeg = encodeSample(95);
  using decoder = new JpegDecoder();
  const out = new Uint8Array(W * H * 3).fill(7);
  const result = decoder.decode(jpeg.subarray(0, Math.floor(jpeg.length / 2)), out);
  assert.equal(result.warning, "Premature end of JPEG file");
  assert.deepEqual([result.width, result.height], [W, H]);
  // The top rows were decoded before the data ran out.
  assert.ok(meanAbsDiff(out.subarray(0, W * 3 * 10), RGB.subarray(0, W * 3 * 10)) < 3);
  // The next good frame has no stale warning.
  assert.equal(decoder.decode(jpeg, out).warning, null);

  // Cut before the frame header: nothing can be decoded.
  let caught: unknown;
  try {
    decoder.decode(jpeg.subarray(0, 20), out);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof JpegError && caught.fatal, String(caught));
  assert.equal(
    caught.message,
    "Cannot decode JPEG: no frame header (the data is truncated or holds only tables)",
  );
  assert.equal(decoder.decode(jpeg, out).warning, null);
});

Deno.test("JpegDecoder.decode() throws a fatal JpegError for random bytes", () => {
  const noise = new Uint8Array(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  noise[0] = 0x12; // never FF D8
  using decoder = new JpegDecoder();
  const out = new Uint8Array(W * H * 3);
  for (const data of [noise, new Uint8Array(0)]) {
    let caught: unknown;
    try {
      decoder.decode(data, out);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof JpegError, String(caught));
    assert.equal(caught.fatal, true);
    assert.equal(caught.name, "JpegError");
    assert.match(caught.message, /^Cannot decode JPEG: (Not a JPEG file|the data is empty)/);
  }
  assert.throws(
    () => decoder.header(noise),
    /^JpegError: Cannot read JPEG header: Not a JPEG file/,
  );
  // The handle survives fatal errors.
  assert.equal(decoder.decode(encodeSample(), out).warning, null);
});

Deno.test("JpegDecoder.decode() rejects a too small output buffer", () => {
  using decoder = new JpegDecoder();
  assert.throws(
    () => decoder.decode(encodeSample(), new Uint8Array(10)),
    /Cannot decode a 203x151 rgb picture into 10 bytes: it needs 91959 bytes/,
  );
});

Deno.test("JpegDecoder.decodeToYuv() fills Y, U and V planes", () => {
  const jpeg = encodeSample(95);
  using decoder = new JpegDecoder();
  for (const scale of [1, 2] as JpegScale[]) {
    const layout = decoder.yuvLayout(jpeg, scale);
    assert.equal(layout.subsampling, "420");
    const [yp, up, vp] = layout.planes;
    assert.ok(yp && up && vp);
    assert.equal(up.width, yp.width / 2);
    const y = new Uint8Array(yp.width * yp.height);
    const u = new Uint8Array(up.width * up.height);
    const v = new Uint8Array(vp.width * vp.height);
    const result = decoder.decodeToYuv(jpeg, { y, u, v }, { scale });
    assert.equal(result.warning, null);
    const gray = new Uint8Array(layout.width * layout.height);
    decoder.decode(jpeg, gray, { format: "gray", scale });
    let diff = 0;
    for (let row = 0; row < layout.height; row++) {
      for (let col = 0; col < layout.width; col++) {
        diff += Math.abs(y[row * yp.width + col]! - gray[row * layout.width + col]!);
      }
    }
    assert.ok(diff / gray.length < 1, `Y differs from gray decode by ${diff / gray.length}`);
    // Inside the blue block Cb is high; inside the red block Cr is high.
    const at = (plane: Uint8Array, stride: number, x: number, y: number): number =>
      plane[Math.floor(y / scale / 2) * stride + Math.floor(x / scale / 2)]!;
    assert.ok(at(u, up.width, 121, 93) > 170, "Cb in the blue block");
    assert.ok(at(v, vp.width, 20, 93) > 170, "Cr in the red block");
  }
  assert.throws(
    () => decoder.decodeToYuv(jpeg, { y: new Uint8Array(5) }),
    /Cannot decode JPEG to YUV: plane Y needs/,
  );
});

Deno.test("JpegEncoder.encode() reuses its buffer across sizes", () => {
  using encoder = new JpegEncoder();
  const big = encoder.encode(RGB, { width: W, height: H, quality: 80 });
  const small = encoder.encode(RGB.subarray(0, 16 * 16 * 3), { width: 16, height: 16 });
  const bigAgain = encoder.encode(RGB, { width: W, height: H, quality: 80 });
  assert.deepEqual(bigAgain, big);
  using decoder = new JpegDecoder();
  assert.equal(decoder.header(small).width, 16);
  // The returned arrays are copies, not views of the reused buffer.
  assert.notEqual(big.buffer, bigAgain.buffer);
});

Deno.test("JpegEncoder.encode() validates its options", () => {
  using encoder = new JpegEncoder();
  assert.throws(() => encoder.encode(RGB, { width: W, height: H, quality: 0 }), RangeError);
  assert.throws(() => encoder.encode(RGB, { width: 0, height: H }), RangeError);
  assert.throws(() => encoder.encode(RGB, { width: W * 2, height: H }), /it needs/);
  assert.throws(
    () => encoder.encode(RGB, { width: W, height: H, format: "gray", subsampling: "420" }),
    /use "gray"/,
  );
});

Deno.test("close() is idempotent and later calls fail clearly", () => {
  const decoder = new JpegDecoder();
  const encoder = new JpegEncoder();
  decoder.close();
  decoder.close();
  encoder.close();
  encoder[Symbol.dispose]();
  assert.equal(decoder.closed, true);
  assert.throws(
    () => decoder.header(encodeSample()),
    /Cannot read JPEG header: the TurboJPEG decompressor is closed/,
  );
  assert.throws(
    () => encoder.encode(RGB, { width: W, height: H }),
    /Cannot encode JPEG: the TurboJPEG compressor is closed/,
  );
});

Deno.test("loading names the bad BACKSCRUB_TURBOJPEG_LIB path, and where it came from", async () => {
  const code = `
    import { JpegDecoder } from ${JSON.stringify(new URL("./mod.ts", import.meta.url).href)};
    try { new JpegDecoder(); } catch (e) {
      console.log(e.name + ": " + e.message);
      console.log(JSON.stringify({ library: e.library, kind: e.kind, named: e.named, attempts: e.attempts }));
    }
  `;
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-lock", code],
    env: { BACKSCRUB_TURBOJPEG_LIB: "/nonexistent/libturbojpeg.so.0" },
  }).output();
  assert.ok(success);
  const [line, json] = new TextDecoder().decode(stdout).trim().split("\n");
  // Facts only: the command line adds the fix (src/cli/explain.ts).
  assert.equal(
    line,
    'LibraryLoadError: Cannot load libjpeg-turbo (tried "/nonexistent/libturbojpeg.so.0" ' +
      "(No such file or directory))",
  );
  assert.deepEqual(JSON.parse(json!), {
    library: "turbojpeg",
    kind: "not-found",
    named: "env",
    attempts: [{
      path: "/nonexistent/libturbojpeg.so.0",
      via: "env",
      failure: "not-found",
      reason: "No such file or directory",
      errno: 2,
    }],
  });
});

Deno.test("JpegDecoder.decode() survives every truncation and bit flips", () => {
  const jpeg = encodeSample(90);
  using decoder = new JpegDecoder();
  const out = new Uint8Array(W * H * 3);
  let warnings = 0;
  let fatals = 0;
  const check = (data: Uint8Array): void => {
    try {
      const result = decoder.decode(data, out);
      if (result.warning !== null) warnings++;
    } catch (e) {
      assert.ok(e instanceof JpegError && e.fatal, String(e));
      assert.match(e.message, /^Cannot decode JPEG: \S/);
      fatals++;
      // A fatal error never poisons the handle for the next good frame.
      assert.equal(decoder.decode(jpeg, out).warning, null, `after: ${e.message}`);
    }
  };
  for (let cut = 0; cut < jpeg.length; cut += 37) check(jpeg.subarray(0, cut));
  for (let i = 2; i < jpeg.length; i += 53) {
    const damaged = jpeg.slice();
    damaged[i] = damaged[i]! ^ 0x5a;
    check(damaged);
  }
  assert.ok(warnings > 0 && fatals > 0, `${warnings} warnings, ${fatals} fatal errors`);
  assert.equal(decoder.decode(jpeg, out).warning, null);
});

Deno.test("JpegEncoder.encodeYuv() compresses 4:2:2 planes that decode back to them", () => {
  const width = 64, height = 48;
  const y = new Uint8Array(width * height).map((_, i) => (i % width) * 4);
  const u = new Uint8Array((width / 2) * height).fill(90);
  const v = new Uint8Array((width / 2) * height).fill(200);
  using encoder = new JpegEncoder();
  const jpeg = encoder.encodeYuv({ y, u, v }, { width, height, subsampling: "422", quality: 95 });
  using decoder = new JpegDecoder();
  const header = decoder.header(jpeg);
  assert.deepEqual([header.width, header.height, header.subsampling], [width, height, "422"]);
  const layout = decoder.yuvLayout(jpeg);
  const [yp, up] = layout.planes;
  const y2 = new Uint8Array(yp!.width * yp!.height);
  const u2 = new Uint8Array(up!.width * up!.height);
  const v2 = new Uint8Array(up!.width * up!.height);
  decoder.decodeToYuv(jpeg, { y: y2, u: u2, v: v2 });
  let worst = 0;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      worst = Math.max(worst, Math.abs(y2[row * yp!.width + col]! - y[row * width + col]!));
    }
  }
  assert.ok(worst <= 4, `luma within 4 at quality 95: ${worst}`);
  assert.ok(Math.abs(u2[10]! - 90) <= 2 && Math.abs(v2[10]! - 200) <= 2, "chroma kept");
  // The answer is a view of the encoder's buffer: the next encode reuses it.
  const again = encoder.encodeYuv({ y, u, v }, { width, height, subsampling: "422" });
  assert.equal(again.buffer, jpeg.buffer);
  assert.throws(
    () => encoder.encodeYuv({ y, u: u.subarray(1), v }, { width, height, subsampling: "422" }),
    /plane U needs/,
  );
});
