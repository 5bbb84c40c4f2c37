import assert from "node:assert/strict";
import { rng } from "../../tests/fixtures/rng.ts";
import {
  i420ToRgb,
  nv12ToRgb,
  rgbToI420,
  rgbToNv12,
  rgbToYuyv,
  yuvByteLength,
  type YuvFormat,
  type YuvOptions,
  yuyvTo420,
  yuyvToRgb,
} from "./yuv.ts";

// ---------------------------------------------------------------------------------------------
// References, written independently of the module: exact rational arithmetic for RGB → YUV,
// float64 for YUV → RGB, and the documented filters applied tap by tap with clamped indices.
// ---------------------------------------------------------------------------------------------

/** `n / d` rounded half up, exactly, for integers `n`, `d > 0` below 2^52. */
function roundExact(n: number, d: number): number {
  return Math.floor((2 * n + d) / (2 * d));
}

/**
 * BT.601 limited range of an RGB sum with total filter weight `weight`, exactly rounded:
 * `Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255` and so on, in thousandths.
 */
function exactYuv(r: number, g: number, b: number, weight = 1): [number, number, number] {
  const d = 255000 * weight;
  return [
    16 + roundExact(65481 * r + 128553 * g + 24966 * b, d),
    128 + roundExact(-37797 * r - 74203 * g + 112000 * b, d),
    128 + roundExact(112000 * r - 93786 * g - 18214 * b, d),
  ];
}

/** The same matrix as written in the brief, in float64, not rounded. */
function floatYuv(r: number, g: number, b: number): [number, number, number] {
  return [
    16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255,
    128 + (-37.797 * r - 74.203 * g + 112 * b) / 255,
    128 + (112 * r - 93.786 * g - 18.214 * b) / 255,
  ];
}

/** True when `16 + n / d`-style value `n / d` is exactly halfway between two integers. */
function isTie(n: number, d: number): boolean {
  return (2 * n) % d === 0 && (2 * n / d) % 2 !== 0;
}

interface Planes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** Splits a YUV frame into Y, U and V planes (U and V at chroma resolution). */
function planes(format: YuvFormat, frame: Uint8Array, { width, height }: YuvOptions): Planes {
  const luma = width * height;
  if (format === "yuyv") {
    const y = new Uint8Array(luma);
    const u = new Uint8Array(luma / 2);
    const v = new Uint8Array(luma / 2);
    for (let k = 0; k < luma / 2; k++) {
      y[2 * k] = frame[4 * k]!;
      u[k] = frame[4 * k + 1]!;
      y[2 * k + 1] = frame[4 * k + 2]!;
      v[k] = frame[4 * k + 3]!;
    }
    return { y, u, v };
  }
  const chroma = luma / 4;
  const y = frame.slice(0, luma);
  if (format === "i420") {
    return {
      y,
      u: frame.slice(luma, luma + chroma),
      v: frame.slice(luma + chroma, luma + 2 * chroma),
    };
  }
  const u = new Uint8Array(chroma);
  const v = new Uint8Array(chroma);
  for (let k = 0; k < chroma; k++) {
    u[k] = frame[luma + 2 * k]!;
    v[k] = frame[luma + 2 * k + 1]!;
  }
  return { y, u, v };
}

/** Builds a YUV frame from planes (the inverse of {@linkcode planes}). */
function frameOf(format: YuvFormat, p: Planes, size: YuvOptions): Uint8Array {
  const frame = new Uint8Array(yuvByteLength(format, size));
  const luma = size.width * size.height;
  if (format === "yuyv") {
    for (let k = 0; k < luma / 2; k++) {
      frame.set([p.y[2 * k]!, p.u[k]!, p.y[2 * k + 1]!, p.v[k]!], 4 * k);
    }
  } else if (format === "i420") {
    frame.set(p.y);
    frame.set(p.u, luma);
    frame.set(p.v, luma + luma / 4);
  } else {
    frame.set(p.y);
    for (let k = 0; k < luma / 4; k++) frame.set([p.u[k]!, p.v[k]!], luma + 2 * k);
  }
  return frame;
}

/** Reference encoder: the documented filters, tap by tap, with exact rounding. */
function referenceEncode(format: YuvFormat, rgb: Uint8Array, size: YuvOptions): Planes {
  const { width, height } = size;
  const at = (x: number, y: number, c: number): number => {
    const cx = Math.min(Math.max(x, 0), width - 1);
    return rgb[(y * width + cx) * 3 + c]!;
  };
  const y = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) {
      y[row * width + x] = exactYuv(at(x, row, 0), at(x, row, 1), at(x, row, 2))[0];
    }
  }
  const cw = width / 2;
  const ch = format === "yuyv" ? height : height / 2;
  const rows = format === "yuyv" ? 1 : 2;
  const u = new Uint8Array(cw * ch);
  const v = new Uint8Array(cw * ch);
  for (let j = 0; j < ch; j++) {
    for (let k = 0; k < cw; k++) {
      const sum = [0, 0, 0];
      for (let dy = 0; dy < rows; dy++) {
        for (const [dx, w] of [[-1, 1], [0, 2], [1, 1]] as const) {
          for (let c = 0; c < 3; c++) sum[c]! += w * at(2 * k + dx, j * rows + dy, c);
        }
      }
      const [, cb, cr] = exactYuv(sum[0]!, sum[1]!, sum[2]!, 4 * rows);
      u[j * cw + k] = cb;
      v[j * cw + k] = cr;
    }
  }
  return { y, u, v };
}

const K_Y = 255 / 219;
const K_C = 255 / 224;

/** Reference decoder: float64 inverse matrix, documented upsampling, Math.round, clamp. */
function referenceDecode(format: YuvFormat, p: Planes, { width, height }: YuvOptions): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const cw = width / 2;
  const clamp = (value: number): number => Math.min(255, Math.max(0, Math.round(value)));
  for (let row = 0; row < height; row++) {
    const crow = format === "yuyv" ? row : row >> 1;
    for (let x = 0; x < width; x++) {
      const k0 = x >> 1;
      const k1 = x % 2 === 0 ? k0 : Math.min(k0 + 1, cw - 1);
      const cb = (p.u[crow * cw + k0]! + p.u[crow * cw + k1]!) / 2 - 128;
      const cr = (p.v[crow * cw + k0]! + p.v[crow * cw + k1]!) / 2 - 128;
      const l = K_Y * (p.y[row * width + x]! - 16);
      const i = (row * width + x) * 3;
      rgb[i] = clamp(l + K_C * 1.402 * cr);
      rgb[i + 1] = clamp(
        l - K_C * (1.772 * 0.114 / 0.587) * cb - K_C * (1.402 * 0.299 / 0.587) * cr,
      );
      rgb[i + 2] = clamp(l + K_C * 1.772 * cb);
    }
  }
  return rgb;
}

const ENCODERS = { yuyv: rgbToYuyv, i420: rgbToI420, nv12: rgbToNv12 } as const;
const DECODERS = { yuyv: yuyvToRgb, i420: i420ToRgb, nv12: nv12ToRgb } as const;
const FORMATS = ["yuyv", "i420", "nv12"] as const;

function encode(format: YuvFormat, rgb: Uint8Array, size: YuvOptions): Planes {
  const frame = new Uint8Array(yuvByteLength(format, size));
  ENCODERS[format](rgb, frame, size);
  return planes(format, frame, size);
}

function roundTrip(format: YuvFormat, rgb: Uint8Array, size: YuvOptions): Uint8Array {
  const frame = new Uint8Array(yuvByteLength(format, size));
  ENCODERS[format](rgb, frame, size);
  const back = new Uint8Array(rgb.length);
  DECODERS[format](frame, back, size);
  return back;
}

/** First index where two planes differ, with context, or `undefined`. */
function firstDifference(actual: Uint8Array, expected: Uint8Array): string | undefined {
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) return `index ${i}: ${actual[i]} != ${expected[i]}`;
  }
  return undefined;
}

function assertPlanes(actual: Planes, expected: Planes, what: string): void {
  for (const name of ["y", "u", "v"] as const) {
    const diff = firstDifference(actual[name], expected[name]);
    assert.equal(diff, undefined, `${what}, ${name.toUpperCase()} plane: ${diff}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Colour bars
// ---------------------------------------------------------------------------------------------

const BAR_COLOURS = [
  [1, 1, 1], // white
  [1, 1, 0], // yellow
  [0, 1, 1], // cyan
  [0, 1, 0], // green
  [1, 0, 1], // magenta
  [1, 0, 0], // red
  [0, 0, 1], // blue
  [0, 0, 0], // black
] as const;

// BT.601 limited range, 8-bit, from the BT.601 / EBU tables.
const BARS_100 = [
  [235, 128, 128],
  [210, 16, 146],
  [170, 166, 16],
  [145, 54, 34],
  [106, 202, 222],
  [81, 90, 240],
  [41, 240, 110],
  [16, 128, 128],
];
// 8-bit level 191 (74.9%): the EBU 75% table except yellow Y 161, not 162 (162 is 0.75 exactly).
const BARS_75 = [
  [180, 128, 128],
  [161, 44, 142],
  [131, 156, 44],
  [112, 72, 58],
  [84, 184, 198],
  [65, 100, 212],
  [35, 212, 114],
  [16, 128, 128],
];

const BAR_WIDTH = 8;
const BARS_SIZE = { width: BAR_COLOURS.length * BAR_WIDTH, height: 8 };

function colourBars(level: number): Uint8Array {
  const { width, height } = BARS_SIZE;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgb.set(BAR_COLOURS[Math.floor(x / BAR_WIDTH)]!.map((c) => c * level), (y * width + x) * 3);
    }
  }
  return rgb;
}

/** Chroma columns whose [1, 2, 1] support (with the left-edge clamp) lies inside bar `bar`. */
function barChromaColumns(bar: number): number[] {
  const first = bar * BAR_WIDTH;
  const columns = [];
  for (let k = first / 2; 2 * k + 1 < first + BAR_WIDTH; k++) {
    if (2 * k - 1 >= first || k === 0) columns.push(k);
  }
  return columns;
}

for (const [level, table] of [[255, BARS_100], [191, BARS_75]] as const) {
  const percent = level === 255 ? 100 : 75;

  Deno.test(`BT.601 formula gives the ${percent}% colour bar table`, () => {
    BAR_COLOURS.forEach(([r, g, b], bar) => {
      const rgb = [r * level, g * level, b * level] as const;
      assert.deepEqual(exactYuv(...rgb), table[bar], `bar ${bar}, exact`);
      assert.deepEqual(floatYuv(...rgb).map(Math.round), table[bar], `bar ${bar}, float`);
    });
  });

  for (const format of FORMATS) {
    Deno.test(`${ENCODERS[format].name}() gives BT.601 values for ${percent}% colour bars`, () => {
      const { width, height } = BARS_SIZE;
      const p = encode(format, colourBars(level), BARS_SIZE);
      const cw = width / 2;
      const ch = format === "yuyv" ? height : height / 2;
      let checked = 0;
      table.forEach(([y, u, v], bar) => {
        for (let row = 0; row < height; row++) {
          for (let x = bar * BAR_WIDTH; x < (bar + 1) * BAR_WIDTH; x++) {
            assert.equal(p.y[row * width + x], y, `bar ${bar} Y at ${x},${row}`);
          }
        }
        for (let j = 0; j < ch; j++) {
          for (const k of barChromaColumns(bar)) {
            assert.equal(p.u[j * cw + k], u, `bar ${bar} Cb at ${k},${j}`);
            assert.equal(p.v[j * cw + k], v, `bar ${bar} Cr at ${k},${j}`);
            checked++;
          }
        }
      });
      // 3 interior chroma columns per bar (4 in the first), on every chroma row.
      assert.equal(checked, (3 * 8 + 1) * ch);
    });

    Deno.test(
      `${ENCODERS[format].name}() and ${
        DECODERS[format].name
      }() round-trip ${percent}% colour bars within 2`,
      () => {
        const rgb = colourBars(level);
        const back = roundTrip(format, rgb, BARS_SIZE);
        const { width, height } = BARS_SIZE;
        let worst = 0;
        for (let row = 0; row < height; row++) {
          for (let bar = 0; bar < BAR_COLOURS.length; bar++) {
            // Interior pixels: 2 pixels from each bar edge, where both chroma filters are flat.
            const start = bar === 0 ? 0 : bar * BAR_WIDTH + 2;
            const end = bar === BAR_COLOURS.length - 1 ? width : (bar + 1) * BAR_WIDTH - 2;
            for (let i = (row * width + start) * 3; i < (row * width + end) * 3; i++) {
              worst = Math.max(worst, Math.abs(back[i]! - rgb[i]!));
            }
          }
        }
        assert.ok(worst <= 2, `worst channel error ${worst}`);
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------------

Deno.test("BT.601 float formula rounds like the exact reference except at exact ties", () => {
  let ties = 0;
  for (let r = 0; r < 256; r++) {
    for (let g = 0; g < 256; g++) {
      for (let b = 0; b < 256; b++) {
        const n = 65481 * r + 128553 * g + 24966 * b;
        const exact = 16 + roundExact(n, 255000);
        if (isTie(n, 255000)) {
          ties++;
          continue;
        }
        if (Math.round(floatYuv(r, g, b)[0]) !== exact) assert.fail(`Y of ${r},${g},${b}`);
      }
    }
  }
  // The exact reference rounds these halves up; the float formula falls either side.
  assert.equal(ties, 194);
});

Deno.test("rgbToYuyv(), rgbToI420() and rgbToNv12() are correctly rounded for every colour", () => {
  // 256 frames of 256x256: R is the frame, G the row, B the column; every RGB colour once.
  // Y is checked for every colour; Cb, Cr for every filter window of these frames.
  const size = { width: 256, height: 256 };
  const rgb = new Uint8Array(256 * 256 * 3);
  for (let red = 0; red < 256; red++) {
    for (let i = 0; i < 256 * 256; i++) rgb.set([red, i >> 8, i & 255], i * 3);
    for (const format of FORMATS) {
      if (format !== "yuyv" && red % 15 !== 0) continue; // 4:2:0 on 18 frames, for speed
      assertPlanes(
        encode(format, rgb, size),
        referenceEncode(format, rgb, size),
        `${format}, red ${red}`,
      );
    }
  }
});

Deno.test("rgbToYuyv(), rgbToI420() and rgbToNv12() are correctly rounded on random pictures", () => {
  const random = rng(601);
  for (let n = 0; n < 40; n++) {
    const size = {
      width: 2 + 2 * Math.floor(random() * 20),
      height: 2 + 2 * Math.floor(random() * 10),
    };
    const rgb = new Uint8Array(size.width * size.height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(random() * 256);
    for (const format of FORMATS) {
      assertPlanes(
        encode(format, rgb, size),
        referenceEncode(format, rgb, size),
        `${format}, picture ${n} (${size.width}x${size.height})`,
      );
    }
  }
});

Deno.test("rgbToYuyv() chroma equals the float [1, 2, 1] / 4 filter on random colours", () => {
  // The exact reference against the plain float computation of the same filter.
  const random = rng(422);
  const size = { width: 4, height: 1 };
  for (let n = 0; n < 20000; n++) {
    const rgb = Uint8Array.from({ length: 12 }, () => Math.floor(random() * 256));
    const p = encode("yuyv", rgb, size);
    for (let x = 0; x < 4; x++) {
      const f = floatYuv(rgb[3 * x]!, rgb[3 * x + 1]!, rgb[3 * x + 2]!);
      assert.equal(p.y[x], Math.round(f[0]));
    }
    for (let k = 0; k < 2; k++) {
      const taps = [Math.max(2 * k - 1, 0), 2 * k, 2 * k + 1];
      const weights = [0.25, 0.5, 0.25];
      const c = [0, 0, 0];
      taps.forEach((x, t) => {
        for (let i = 0; i < 3; i++) c[i]! += weights[t]! * rgb[3 * x + i]!;
      });
      const f = floatYuv(c[0]!, c[1]!, c[2]!);
      assert.equal(p.u[k], Math.round(f[1]), `Cb ${k} of ${rgb}`);
      assert.equal(p.v[k], Math.round(f[2]), `Cr ${k} of ${rgb}`);
    }
  }
});

Deno.test("yuyvToRgb() is correctly rounded and clamped for every YCbCr triple", () => {
  // 256 frames of 512x256: the frame sets Y0 (Y1 is its mirror), the pair sets Cb, the row Cr;
  // odd pixels also cover every half-way chroma between neighbouring Cb values.
  const size = { width: 512, height: 256 };
  const yuyv = new Uint8Array(512 * 256 * 2);
  const rgb = new Uint8Array(512 * 256 * 3);
  for (let luma = 0; luma < 256; luma++) {
    for (let row = 0; row < 256; row++) {
      for (let k = 0; k < 256; k++) yuyv.set([luma, k, 255 - luma, row], (row * 256 + k) * 4);
    }
    yuyvToRgb(yuyv, rgb, size);
    const expected = referenceDecode("yuyv", planes("yuyv", yuyv, size), size);
    const diff = firstDifference(rgb, expected);
    assert.equal(diff, undefined, `Y ${luma}: ${diff}`);
  }
});

Deno.test("i420ToRgb() and nv12ToRgb() match the float reference on random frames", () => {
  const random = rng(420);
  for (let n = 0; n < 40; n++) {
    const size = {
      width: 2 + 2 * Math.floor(random() * 20),
      height: 2 + 2 * Math.floor(random() * 10),
    };
    const luma = size.width * size.height;
    const byte = (): number => Math.floor(random() * 256);
    const p = {
      y: Uint8Array.from({ length: luma }, byte),
      u: Uint8Array.from({ length: luma / 4 }, byte),
      v: Uint8Array.from({ length: luma / 4 }, byte),
    };
    const expected = referenceDecode("i420", p, size);
    for (const format of ["i420", "nv12"] as const) {
      const rgb = new Uint8Array(luma * 3);
      DECODERS[format](frameOf(format, p, size), rgb, size);
      const diff = firstDifference(rgb, expected);
      assert.equal(diff, undefined, `${format}, frame ${n}: ${diff}`);
    }
  }
});

Deno.test("yuyvToRgb() clamps out-of-gamut YCbCr to 0-255", () => {
  const rgb = new Uint8Array(6);
  yuyvToRgb(new Uint8Array([255, 240, 0, 16]), rgb, { width: 2, height: 1 });
  // Y 255: G = 278.3 − 43.9 + 91.1 and B = 278.3 + 225.9 clamp to 255.
  // Y 0: R = −18.6 − 178.8 clamps to 0.
  assert.deepEqual([...rgb], [100, 255, 255, 0, 29, 207]);
});

// ---------------------------------------------------------------------------------------------
// Chroma siting
// ---------------------------------------------------------------------------------------------

/** A black picture with red (255, 0, 0) where `lit(x, y)`. */
function redWhere(size: YuvOptions, lit: (x: number, y: number) => boolean): Uint8Array {
  const rgb = new Uint8Array(size.width * size.height * 3);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) if (lit(x, y)) rgb[(y * size.width + x) * 3] = 255;
  }
  return rgb;
}

/** Cb, Cr of red at filter weight `w` on black: 128 − 37.797 w, 128 + 112 w, rounded. */
function redChroma(w: number): [number, number] {
  return [Math.round(128 - 37.797 * w), Math.round(128 + 112 * w)];
}

Deno.test("rgbToYuyv() sites chroma on even pixels with a [1, 2, 1] / 4 filter", () => {
  const size = { width: 16, height: 1 };
  // column → weight of the red column in each of the 8 chroma samples
  const cases: [number, number[]][] = [
    [6, [0, 0, 0, 0.5, 0, 0, 0, 0]], // even: centre tap of sample 3 only
    [7, [0, 0, 0, 0.25, 0.25, 0, 0, 0]], // odd: outer taps of samples 3 and 4
    [0, [0.75, 0, 0, 0, 0, 0, 0, 0]], // left edge: pixel −1 is pixel 0, so [3, 1] / 4
    [1, [0.25, 0.25, 0, 0, 0, 0, 0, 0]],
    [15, [0, 0, 0, 0, 0, 0, 0, 0.25]], // right edge: no sample to the right of 14
  ];
  for (const [column, weights] of cases) {
    const p = encode("yuyv", redWhere(size, (x) => x === column), size);
    assert.deepEqual([...p.u], weights.map((w) => redChroma(w)[0]), `Cb, red at x=${column}`);
    assert.deepEqual([...p.v], weights.map((w) => redChroma(w)[1]), `Cr, red at x=${column}`);
  }
});

Deno.test("rgbToI420() and rgbToNv12() site chroma co-sited across, interstitial down", () => {
  const size = { width: 8, height: 8 };
  const cases: [string, (x: number, y: number) => boolean, (k: number, j: number) => number][] = [
    // A full-height column: horizontally the same [1, 2, 1] / 4 as YUYV, on every chroma row.
    ["column x=2", (x) => x === 2, (k) => (k === 1 ? 0.5 : 0)],
    ["column x=3", (x) => x === 3, (k) => (k === 1 || k === 2 ? 0.25 : 0)],
    // A full-width row: rows 2j and 2j + 1 are averaged, so an even or odd row gives 1/2 to j.
    ["row y=4", (_, y) => y === 4, (_, j) => (j === 2 ? 0.5 : 0)],
    ["row y=5", (_, y) => y === 5, (_, j) => (j === 2 ? 0.5 : 0)],
    // One pixel: [1, 2, 1] ⊗ [1, 1] / 8.
    ["pixel 4,3", (x, y) => x === 4 && y === 3, (k, j) => (k === 2 && j === 1 ? 0.25 : 0)],
    [
      "pixel 5,3",
      (x, y) => x === 5 && y === 3,
      (k, j) => ((k === 2 || k === 3) && j === 1 ? 0.125 : 0),
    ],
  ];
  for (const format of ["i420", "nv12"] as const) {
    for (const [name, lit, weight] of cases) {
      const p = encode(format, redWhere(size, lit), size);
      const expected = Array.from({ length: 16 }, (_, i) => redChroma(weight(i % 4, i >> 2)));
      assert.deepEqual([...p.u], expected.map((c) => c[0]), `${format} Cb, red ${name}`);
      assert.deepEqual([...p.v], expected.map((c) => c[1]), `${format} Cr, red ${name}`);
    }
  }
});

Deno.test("yuyvToRgb() gives odd pixels the average of the neighbouring chroma", () => {
  // Grey (Y 126, chroma 128) with one chroma pair, sample 2, at Cr 200.
  const size = { width: 8, height: 1 };
  const p = {
    y: new Uint8Array(8).fill(126),
    u: new Uint8Array(4).fill(128),
    v: new Uint8Array(4),
  };
  p.v.fill(128)[2] = 200;
  const rgb = new Uint8Array(8 * 3);
  yuyvToRgb(frameOf("yuyv", p, size), rgb, size);
  const red = (cr: number): number => Math.round(K_Y * 110 + K_C * 1.402 * (cr - 128));
  const grey = red(128);
  // x = 4 is co-sited with sample 2; x = 3 and x = 5 sit half-way to it.
  assert.deepEqual(
    [...rgb].filter((_, i) => i % 3 === 0),
    [grey, grey, grey, red(164), red(200), red(164), grey, grey],
  );
});

Deno.test("i420ToRgb() and nv12ToRgb() share a chroma row between its two luma rows", () => {
  const size = { width: 4, height: 6 };
  const p = {
    y: new Uint8Array(24).fill(126),
    u: new Uint8Array(6).fill(128),
    v: new Uint8Array(6).fill(128),
  };
  p.v[2] = 200; // chroma row 1, column 0: luma rows 2 and 3, columns 0 (and half of 1)
  const red = (cr: number): number => Math.round(K_Y * 110 + K_C * 1.402 * (cr - 128));
  const grey = red(128);
  for (const format of ["i420", "nv12"] as const) {
    const rgb = new Uint8Array(24 * 3);
    DECODERS[format](frameOf(format, p, size), rgb, size);
    const rows = Array.from({ length: 6 }, (_, y) => [0, 1, 2, 3].map((x) => rgb[(y * 4 + x) * 3]));
    const lit = [red(200), red(164), grey, grey];
    assert.deepEqual(rows, [[grey, grey, grey, grey], [grey, grey, grey, grey], lit, lit, [
      grey,
      grey,
      grey,
      grey,
    ], [grey, grey, grey, grey]], format);
  }
});

// ---------------------------------------------------------------------------------------------
// Round trip on a smooth picture
// ---------------------------------------------------------------------------------------------

/**
 * Round-trip bounds on smooth pictures, measured: worst and mean absolute channel error. Inside
 * a linear ramp the [1, 2, 1] encoder and the interpolating decoder cancel, leaving the 8-bit
 * rounding of both sides; the worst cases sit at the left edge (the clamped [3, 1] / 4 tap) and,
 * for 4:2:0, where the decoder repeats a chroma row for both luma rows half a row away from it,
 * which costs about half the vertical step of the colour.
 */
const GRADIENTS = [
  { slope: 1, size: 256, bound: { yuyv: [2, 0.4], i420: [2, 0.45], nv12: [2, 0.45] } },
  { slope: 4, size: 64, bound: { yuyv: [4, 0.4], i420: [5, 0.9], nv12: [5, 0.9] } },
] as const;

for (const { slope, size: n, bound } of GRADIENTS) {
  Deno.test(
    `rgbToYuyv(), rgbToI420(), rgbToNv12() round-trip a gradient of slope ${slope} within bounds`,
    () => {
      // R rises along x, G down y, B along the diagonal, by `slope` per pixel.
      const size = { width: n, height: n };
      const rgb = new Uint8Array(n * n * 3);
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          rgb.set([slope * x, slope * y, (slope * (x + y)) >> 1], (y * n + x) * 3);
        }
      }
      for (const format of FORMATS) {
        const back = roundTrip(format, rgb, size);
        let worst = 0;
        let sum = 0;
        for (let i = 0; i < rgb.length; i++) {
          const error = Math.abs(back[i]! - rgb[i]!);
          worst = Math.max(worst, error);
          sum += error;
        }
        const [worstBound, meanBound] = bound[format];
        assert.ok(worst <= worstBound, `${format}: worst channel error ${worst}`);
        assert.ok(sum / rgb.length <= meanBound, `${format}: mean error ${sum / rgb.length}`);
      }
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Sizes and errors
// ---------------------------------------------------------------------------------------------

Deno.test("yuvByteLength() gives the frame sizes of YUYV, I420 and NV12", () => {
  const size = { width: 1920, height: 1080 };
  assert.equal(yuvByteLength("yuyv", size), 1920 * 1080 * 2);
  assert.equal(yuvByteLength("i420", size), 1920 * 1080 * 3 / 2);
  assert.equal(yuvByteLength("nv12", size), 1920 * 1080 * 3 / 2);
  assert.equal(yuvByteLength("yuyv", { width: 2, height: 3 }), 12);
  assert.throws(() => yuvByteLength("nv12", { width: 2, height: 3 }), {
    name: "RangeError",
    message: "Cannot size a NV12 frame: height 3 is odd (NV12 needs an even height)",
  });
});

Deno.test("rgbToYuyv(), rgbToI420(), rgbToNv12() reject bad sizes with a RangeError", () => {
  const out = new Uint8Array(64).fill(7);
  assert.throws(() => rgbToYuyv(new Uint8Array(9), out, { width: 3, height: 1 }), {
    name: "RangeError",
    message: "Cannot convert RGB to YUYV: width 3 is odd (YUYV needs an even width)",
  });
  assert.throws(() => rgbToI420(new Uint8Array(18), out, { width: 2, height: 3 }), {
    name: "RangeError",
    message: "Cannot convert RGB to I420: height 3 is odd (I420 needs an even height)",
  });
  assert.throws(() => rgbToNv12(new Uint8Array(12), out, { width: 0, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert RGB to NV12: 0x2 is not a positive size",
  });
  assert.throws(() => rgbToNv12(new Uint8Array(12), out, { width: 2.5, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert RGB to NV12: 2.5x2 is not a positive size",
  });
  assert.throws(
    () => rgbToYuyv(new Uint8Array(4 * 2 * 3), new Uint8Array(15), { width: 4, height: 2 }),
    {
      name: "RangeError",
      message: "Cannot convert RGB to YUYV: the output has 15 bytes, 4x2 needs 16",
    },
  );
  assert.throws(() => rgbToI420(new Uint8Array(4 * 2 * 3 - 1), out, { width: 4, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert RGB to I420: the input has 23 bytes, 4x2 needs 24",
  });
  assert.ok(out.every((b) => b === 7), "nothing written on error");
});

Deno.test("yuyvToRgb(), i420ToRgb(), nv12ToRgb() reject bad sizes with a RangeError", () => {
  const rgb = new Uint8Array(64).fill(7);
  assert.throws(() => yuyvToRgb(new Uint8Array(15), rgb, { width: 4, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert YUYV to RGB: the input has 15 bytes, 4x2 needs 16",
  });
  assert.throws(() => i420ToRgb(new Uint8Array(12), new Uint8Array(23), { width: 4, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert I420 to RGB: the output has 23 bytes, 4x2 needs 24",
  });
  assert.throws(() => nv12ToRgb(new Uint8Array(12), rgb, { width: 5, height: 2 }), {
    name: "RangeError",
    message: "Cannot convert NV12 to RGB: width 5 is odd (NV12 needs an even width)",
  });
  assert.ok(rgb.every((b) => b === 7), "nothing written on error");
});

Deno.test("rgbToI420() and rgbToNv12() hold the same samples in their layouts", () => {
  const random = rng(12);
  const size = { width: 10, height: 6 };
  const rgb = Uint8Array.from({ length: 10 * 6 * 3 }, () => Math.floor(random() * 256));
  assertPlanes(encode("nv12", rgb, size), encode("i420", rgb, size), "NV12 vs I420");
  // Larger output buffers are fine; bytes past the frame are untouched.
  const big = new Uint8Array(yuvByteLength("i420", size) + 4).fill(9);
  rgbToI420(rgb, big, size);
  assert.deepEqual([...big.subarray(-4)], [9, 9, 9, 9]);
});

Deno.test("yuyvTo420() repacks YUYV as the I420 and NV12 that rgbToI420/rgbToNv12 give", () => {
  const width = 64, height = 32;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + (i >> 7) * 11) & 255;
  const yuyv = new Uint8Array(width * height * 2);
  rgbToYuyv(rgb, yuyv, { width, height });
  for (const format of ["i420", "nv12"] as const) {
    const expected = new Uint8Array(width * height * 3 / 2);
    (format === "i420" ? rgbToI420 : rgbToNv12)(rgb, expected, { width, height });
    const got = new Uint8Array(expected.length);
    yuyvTo420(yuyv, got, format, { width, height });
    assert.deepEqual(got.subarray(0, width * height), expected.subarray(0, width * height));
    let worst = 0;
    for (let i = width * height; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    }
    assert.ok(worst <= 1, `${format}: chroma within ±1 (${worst})`);
  }
  assert.throws(
    () => yuyvTo420(yuyv, new Uint8Array(10), "i420", { width, height }),
    /Cannot repack YUYV as I420/,
  );
});
