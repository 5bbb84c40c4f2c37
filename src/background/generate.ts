/**
 * Generates the bundled background pictures in `backgrounds/` (the project's own work, under the
 * project's licence): soft, muted, out-of-focus scenes that sit well behind a person. Every
 * picture is drawn from code with a seeded PRNG, so the files are reproducible bit for bit.
 *
 * ```sh
 * deno run -A src/background/generate.ts            # writes backgrounds/*.png (1920x1080)
 * deno run -A src/background/generate.ts /tmp/bg 1280 720
 * ```
 *
 * @module
 */

import { join } from "node:path";

/** A float RGB canvas (0 … 255 per channel, interleaved). */
export interface Canvas {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** width × height × 3 values. */
  data: Float32Array;
}

/** One bundled background. */
export interface GeneratedBackground {
  /** File name in `backgrounds/`. */
  file: string;
  /** One line for the README. */
  title: string;
  /** Draws it at a size (deterministic). */
  draw: (width: number, height: number) => Canvas;
}

type Rgb = readonly [number, number, number];

/** mulberry32: a small seeded PRNG giving numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function canvas(width: number, height: number): Canvas {
  return { width, height, data: new Float32Array(width * height * 3) };
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Fills every pixel with `f(u, v)`, where u, v run 0 … 1 across the picture. */
function shade(c: Canvas, f: (u: number, v: number) => Rgb): void {
  const { width, height, data } = c;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = f((x + 0.5) / width, (y + 0.5) / height);
      const o = (y * width + x) * 3;
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
    }
  }
}

/** Blends `colour` over the canvas with coverage `alpha(x, y)` inside a bounding box. */
function paint(
  c: Canvas,
  box: [number, number, number, number],
  colour: Rgb,
  alpha: (x: number, y: number) => number,
): void {
  const { width, height, data } = c;
  const x0 = Math.max(0, Math.floor(box[0])), x1 = Math.min(width, Math.ceil(box[2]));
  const y0 = Math.max(0, Math.floor(box[1])), y1 = Math.min(height, Math.ceil(box[3]));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const a = alpha(x + 0.5, y + 0.5);
      if (a <= 0) continue;
      const o = (y * width + x) * 3;
      data[o] = data[o]! + (colour[0] - data[o]!) * a;
      data[o + 1] = data[o + 1]! + (colour[1] - data[o + 1]!) * a;
      data[o + 2] = data[o + 2]! + (colour[2] - data[o + 2]!) * a;
    }
  }
}

/** A rectangle with rounded corners `r` and a soft edge `feather` (pixels). */
function rect(
  c: Canvas,
  box: [number, number, number, number],
  colour: Rgb,
  options: { r?: number; feather?: number; opacity?: number } = {},
): void {
  const r = options.r ?? 0, f = options.feather ?? 1, opacity = options.opacity ?? 1;
  const [l, t, rt, b] = box;
  const cx = (l + rt) / 2, cy = (t + b) / 2, hw = (rt - l) / 2 - r, hh = (b - t) / 2 - r;
  paint(c, [l - f, t - f, rt + f, b + f], colour, (x, y) => {
    const qx = Math.max(Math.abs(x - cx) - hw, 0), qy = Math.max(Math.abs(y - cy) - hh, 0);
    const d = Math.hypot(qx, qy) - r;
    return opacity * (1 - smoothstep(-f, f, d));
  });
}

/** An ellipse with a soft edge. */
function ellipse(
  c: Canvas,
  centre: [number, number],
  radii: [number, number],
  colour: Rgb,
  options: { feather?: number; opacity?: number } = {},
): void {
  const f = options.feather ?? 1, opacity = options.opacity ?? 1;
  const [cx, cy] = centre, [rx, ry] = radii;
  paint(c, [cx - rx - f, cy - ry - f, cx + rx + f, cy + ry + f], colour, (x, y) => {
    const d = (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
    return opacity * (1 - smoothstep(-f, f, d));
  });
}

/** Adds light (screen blend) in a soft disc: a bokeh highlight with a slightly brighter rim. */
function bokeh(
  c: Canvas,
  centre: [number, number],
  radius: number,
  colour: Rgb,
  strength: number,
): void {
  const { width, height, data } = c;
  const [cx, cy] = centre;
  const f = Math.max(1.5, radius * 0.06);
  const x0 = Math.max(0, Math.floor(cx - radius - f)),
    x1 = Math.min(width, Math.ceil(cx + radius + f));
  const y0 = Math.max(0, Math.floor(cy - radius - f)),
    y1 = Math.min(height, Math.ceil(cy + radius + f));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const cover = 1 - smoothstep(radius - f, radius + f, d);
      if (cover <= 0) continue;
      const rim = 0.82 + 0.28 * smoothstep(radius * 0.55, radius, d);
      const a = cover * rim * strength;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const base = data[o + k]! / 255, light = (colour[k]! / 255) * a;
        data[o + k] = 255 * (1 - (1 - base) * (1 - light));
      }
    }
  }
}

/** One running-sum box blur of radius `r` along rows (`step` 3) or columns, edges replicated. */
function boxPass(c: Canvas, r: number, horizontal: boolean, tmp: Float32Array): void {
  const { width, height, data } = c;
  const n = horizontal ? width : height, lines = horizontal ? height : width;
  const stride = horizontal ? 3 : width * 3, lineStep = horizontal ? width * 3 : 3;
  const w = 2 * r + 1;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    for (let k = 0; k < 3; k++) {
      const at = (i: number): number => data[base + Math.min(n - 1, Math.max(0, i)) * stride + k]!;
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += at(i);
      for (let i = 0; i < n; i++) {
        tmp[i] = sum / w;
        sum += at(i + r + 1) - at(i - r);
      }
      for (let i = 0; i < n; i++) data[base + i * stride + k] = tmp[i]!;
    }
  }
}

/** An almost-Gaussian blur of standard deviation `sigma` (three box blurs per axis). */
function blur(c: Canvas, sigma: number): void {
  if (sigma < 0.5) return;
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const tmp = new Float32Array(Math.max(c.width, c.height));
  for (const horizontal of [true, false]) {
    for (let pass = 0; pass < 3; pass++) boxPass(c, r, horizontal, tmp);
  }
}

/** Draws `layer` into a fresh transparent-black canvas, blurs it, and adds it (screen) onto `c`. */
function glowLayer(c: Canvas, sigma: number, draw: (layer: Canvas) => void): void {
  const layer = canvas(c.width, c.height);
  draw(layer);
  blur(layer, sigma);
  const { data } = c;
  for (let i = 0; i < data.length; i++) {
    data[i] = 255 - (255 - data[i]!) * (255 - layer.data[i]!) / 255;
  }
}

/** Darkens the corners gently. */
function vignette(c: Canvas, amount: number): void {
  const { width, height, data } = c;
  const aspect = width / height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = ((x + 0.5) / width - 0.5) * aspect, dy = (y + 0.5) / height - 0.5;
      const k = 1 - amount * smoothstep(0.35, 1.05, Math.hypot(dx, dy));
      const o = (y * width + x) * 3;
      data[o] = data[o]! * k;
      data[o + 1] = data[o + 1]! * k;
      data[o + 2] = data[o + 2]! * k;
    }
  }
}

/**
 * A seamless studio backdrop: muted slate blue, lit softly from the front, darker towards the
 * edges.
 *
 * @param width Picture width.
 * @param height Picture height.
 * @returns The picture.
 */
export function drawStudio(width: number, height: number): Canvas {
  const c = canvas(width, height);
  const aspect = width / height;
  const dark: Rgb = [34, 42, 52], light: Rgb = [128, 141, 152];
  shade(c, (u, v) => {
    const dx = (u - 0.5) * aspect, dy = (v - 0.4) * 1.15;
    const key = Math.exp(-(dx * dx + dy * dy) / (2 * 0.42 * 0.42));
    // The paper sweeps to the floor: a faint, slightly warmer band low down.
    const floor = smoothstep(0.72, 1.0, v) * 0.12;
    const base = mix(dark, light, Math.pow(key, 0.85));
    return mix(base, [base[0] * 0.85 + 10, base[1] * 0.85 + 6, base[2] * 0.85], floor);
  });
  vignette(c, 0.25);
  return c;
}

/**
 * Out-of-focus city lights: a dusky gradient with warm and cool bokeh discs in two depths.
 *
 * @param width Picture width.
 * @param height Picture height.
 * @returns The picture.
 */
export function drawBokeh(width: number, height: number): Canvas {
  const c = canvas(width, height);
  const s = height / 1080;
  const aspect = width / height;
  shade(c, (u, v) => {
    const top: Rgb = [20, 26, 40], bottom: Rgb = [38, 30, 42];
    const base = mix(top, bottom, smoothstep(0, 1, v));
    const warm = Math.exp(-(((u - 0.15) * aspect) ** 2 + (v - 0.85) ** 2) / 0.18) * 0.5;
    const cool = Math.exp(-(((u - 0.85) * aspect) ** 2 + (v - 0.2) ** 2) / 0.22) * 0.45;
    return [
      base[0] + 40 * warm + 6 * cool,
      base[1] + 22 * warm + 22 * cool,
      base[2] + 10 * warm + 34 * cool,
    ];
  });
  const palette: Rgb[] = [
    [255, 186, 112], // amber
    [250, 214, 150], // soft gold
    [255, 160, 120], // peach
    [120, 196, 190], // teal
    [150, 176, 230], // dusk blue
    [236, 170, 182], // dusty rose
  ];
  const rng = random(0x5eed_b0ce);
  const place = (): [number, number] => {
    // Mostly along a gently curving band of "street lights", some anywhere.
    const u = rng();
    const band = 0.42 + 0.18 * Math.sin(u * Math.PI * 1.6 + 0.6) + (rng() - 0.5) * 0.34;
    const v = rng() < 0.8 ? band : rng();
    return [u * width, v * height];
  };
  const pick = (): Rgb => palette[Math.floor(rng() * palette.length)]!;
  glowLayer(c, 10 * s, (layer) => {
    for (let i = 0; i < 46; i++) {
      bokeh(layer, place(), (70 + rng() * 80) * s, pick(), 0.16 + rng() * 0.16);
    }
  });
  glowLayer(c, 3 * s, (layer) => {
    for (let i = 0; i < 48; i++) {
      bokeh(layer, place(), (28 + rng() * 44) * s, pick(), 0.2 + rng() * 0.22);
    }
  });
  glowLayer(c, 1.5 * s, (layer) => {
    for (let i = 0; i < 26; i++) {
      bokeh(layer, place(), (12 + rng() * 18) * s, pick(), 0.3 + rng() * 0.3);
    }
  });
  vignette(c, 0.3);
  return c;
}

/**
 * A calm office corner out of focus: a warm wall lit by a window on the left, a shelf with books
 * and a plant on the right, a lamp glow; all softly blurred as by a wide-open lens.
 *
 * @param width Picture width.
 * @param height Picture height.
 * @returns The picture.
 */
export function drawOffice(width: number, height: number): Canvas {
  const c = canvas(width, height);
  const W = width, H = height, s = height / 1080;
  const rng = random(0x0ff1ce);
  shade(c, (u, v) => {
    const lit = Math.exp(-(((u - 0.12) * 1.5) ** 2) / 0.25);
    const wall = mix([168, 160, 150], [222, 216, 206], lit);
    return mix(wall, [wall[0] * 0.9, wall[1] * 0.9, wall[2] * 0.9], smoothstep(0.3, 1, v) * 0.5);
  });
  // Floor and skirting board.
  rect(c, [-10, H * 0.86, W + 10, H + 10], [140, 116, 94], { feather: 2 });
  rect(c, [-10, H * 0.845, W + 10, H * 0.865], [226, 222, 214], { feather: 2 });
  // Window: frame, glass, mullions.
  const wx0 = W * 0.03, wx1 = W * 0.29, wy0 = H * 0.08, wy1 = H * 0.7;
  rect(c, [wx0 - 14 * s, wy0 - 14 * s, wx1 + 14 * s, wy1 + 14 * s], [232, 230, 226], { r: 4 * s });
  rect(c, [wx0, wy0, wx1, wy1], [238, 244, 246], { feather: 2 });
  rect(c, [wx0, wy0 + (wy1 - wy0) * 0.62, wx1, wy1], [206, 220, 206], {
    feather: 30 * s,
    opacity: 0.6,
  });
  rect(c, [(wx0 + wx1) / 2 - 6 * s, wy0, (wx0 + wx1) / 2 + 6 * s, wy1], [214, 212, 208]);
  rect(c, [wx0, wy0 + (wy1 - wy0) * 0.45 - 6 * s, wx1, wy0 + (wy1 - wy0) * 0.45 + 6 * s], [
    214,
    212,
    208,
  ]);
  // Sheer curtain at the window's edge.
  rect(c, [wx1 + 10 * s, wy0 - 40 * s, wx1 + 90 * s, H * 0.84], [236, 232, 224], {
    feather: 8 * s,
    opacity: 0.8,
  });
  // A shelf with books and a vase, right, high up.
  const sx0 = W * 0.66, sx1 = W * 0.94, sy = H * 0.34;
  const books: Rgb[] = [
    [118, 138, 118], // sage
    [176, 110, 84], // terracotta
    [62, 78, 104], // navy
    [206, 170, 96], // mustard
    [228, 220, 200], // cream
    [96, 118, 140], // slate
  ];
  let x = sx0 + 24 * s;
  while (x < sx1 - 170 * s) {
    const bw = (18 + rng() * 22) * s, bh = (100 + rng() * 50) * s;
    rect(c, [x, sy - bh, x + bw, sy], books[Math.floor(rng() * books.length)]!, { r: 2 * s });
    x += bw + 2 * s;
  }
  ellipse(c, [sx1 - 90 * s, sy - 60 * s], [38 * s, 60 * s], [196, 160, 132], { feather: 2 * s });
  rect(c, [sx0, sy, sx1, sy + 22 * s], [150, 120, 92], { r: 3 * s });
  rect(c, [sx0, sy + 22 * s, sx1, sy + 40 * s], [0, 0, 0], { feather: 10 * s, opacity: 0.1 });
  // A low sideboard under it.
  const bx0 = W * 0.64, bx1 = W * 0.86, by0 = H * 0.62, by1 = H * 0.85;
  rect(c, [bx0, by0, bx1, by1], [158, 128, 100], { r: 4 * s });
  rect(c, [bx0, by0, bx1, by0 + 16 * s], [176, 146, 116], { r: 4 * s });
  rect(c, [(bx0 + bx1) / 2 - 2 * s, by0 + 30 * s, (bx0 + bx1) / 2 + 2 * s, by1 - 20 * s], [
    120,
    96,
    76,
  ]);
  rect(c, [bx0 + 60 * s, by0 - 60 * s, bx0 + 150 * s, by0], [92, 96, 100], { r: 6 * s }); // books lying
  // A table lamp on it.
  const lx = bx0 + (bx1 - bx0) * 0.72;
  rect(c, [lx - 5 * s, by0 - 120 * s, lx + 5 * s, by0], [120, 110, 96]);
  rect(c, [lx - 40 * s, by0 - 12 * s, lx + 40 * s, by0], [120, 110, 96], { r: 6 * s });
  rect(c, [lx - 70 * s, by0 - 230 * s, lx + 70 * s, by0 - 110 * s], [240, 226, 198], { r: 10 * s });
  // A plant in a pot on the floor, far right.
  const px = W * 0.93, py = H * 0.86;
  rect(c, [px - 60 * s, py - 130 * s, px + 60 * s, py], [206, 198, 186], { r: 14 * s });
  for (let i = 0; i < 30; i++) {
    const a = -Math.PI / 2 + (rng() - 0.5) * 2.2;
    const len = (100 + rng() * 200) * s;
    const cx = px + Math.cos(a) * len * 0.6, cy = py - 130 * s + Math.sin(a) * len;
    const leaf: Rgb = rng() < 0.5 ? [70, 100, 70] : [98, 130, 88];
    ellipse(c, [cx, cy], [(24 + rng() * 26) * s, (50 + rng() * 36) * s], leaf, { feather: 2 * s });
  }
  // A framed print left of centre, high up: an abstract landscape in muted bands.
  const fx0 = W * 0.35, fx1 = W * 0.47, fy0 = H * 0.13, fy1 = H * 0.35;
  rect(c, [fx0, fy0, fx1, fy1], [74, 70, 66], { r: 2 * s });
  const m = 12 * s, ih = fy1 - fy0 - 2 * m;
  rect(c, [fx0 + m, fy0 + m, fx1 - m, fy1 - m], [200, 210, 214]);
  rect(c, [fx0 + m, fy0 + m + ih * 0.55, fx1 - m, fy1 - m], [168, 178, 150]);
  rect(c, [fx0 + m, fy0 + m + ih * 0.78, fx1 - m, fy1 - m], [206, 184, 150]);
  ellipse(c, [fx0 + (fx1 - fx0) * 0.68, fy0 + m + ih * 0.3], [22 * s, 22 * s], [232, 200, 160]);
  blur(c, 14 * s);
  // Window light spilling into the room, the lamp's warm glow.
  glowLayer(c, 60 * s, (layer) => {
    ellipse(layer, [W * 0.16, H * 0.42], [320 * s, 380 * s], [36, 36, 32], { feather: 140 * s });
    ellipse(layer, [lx, by0 - 170 * s], [150 * s, 150 * s], [96, 70, 30], { feather: 90 * s });
  });
  vignette(c, 0.22);
  return c;
}

/** The bundled backgrounds, in the order the README lists them. */
export const GENERATED_BACKGROUNDS: readonly GeneratedBackground[] = [
  {
    file: "studio.png",
    title: "seamless studio backdrop, muted slate blue, soft front light",
    draw: drawStudio,
  },
  {
    file: "bokeh.png",
    title: "out-of-focus city lights, warm and cool bokeh on a dusky gradient",
    draw: drawBokeh,
  },
  {
    file: "office.png",
    title: "calm office corner out of focus: window light, shelf with books, plant",
    draw: drawOffice,
  },
];

/** 8x8 Bayer matrix, for ordered dithering (no banding in smooth gradients). */
const BAYER = [
  0,
  32,
  8,
  40,
  2,
  34,
  10,
  42,
  48,
  16,
  56,
  24,
  50,
  18,
  58,
  26,
  12,
  44,
  4,
  36,
  14,
  46,
  6,
  38,
  60,
  28,
  52,
  20,
  62,
  30,
  54,
  22,
  3,
  35,
  11,
  43,
  1,
  33,
  9,
  41,
  51,
  19,
  59,
  27,
  49,
  17,
  57,
  25,
  15,
  47,
  7,
  39,
  13,
  45,
  5,
  37,
  63,
  31,
  55,
  23,
  61,
  29,
  53,
  21,
];

/**
 * Rounds a float canvas to 8-bit RGB with ordered dithering.
 *
 * @example
 * ```ts
 * import { drawStudio, toRgb8 } from "./generate.ts";
 * const rgb = toRgb8(drawStudio(64, 36));
 * console.log(rgb.length); // 6912
 * ```
 *
 * @param c The canvas.
 * @returns width × height × 3 bytes.
 */
export function toRgb8(c: Canvas): Uint8Array {
  const { width, height, data } = c;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = (BAYER[(y & 7) * 8 + (x & 7)]! + 0.5) / 64 - 0.5;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = Math.round(data[o + k]! + d);
        out[o + k] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/**
 * Encodes 8-bit RGB as a PNG with per-row filters (the smallest of None, Sub, Up, Average,
 * Paeth by the usual sum-of-magnitudes rule), which smooth pictures need to stay small.
 *
 * @example
 * ```ts
 * import { encodePng } from "./generate.ts";
 * const png = await encodePng(new Uint8Array(2 * 2 * 3), { width: 2, height: 2 });
 * ```
 *
 * @param rgb width × height × 3 bytes.
 * @param size The picture size.
 * @returns The PNG file.
 */
export async function encodePng(
  rgb: Uint8Array,
  size: { width: number; height: number },
): Promise<Uint8Array> {
  const { width, height } = size;
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    let bestScore = Infinity, bestType = 0;
    for (let type = 0; type < 5; type++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 3 ? row[i - 3]! : 0, b = up[i]!, c = i >= 3 ? up[i - 3]! : 0;
        let predictor = 0;
        if (type === 1) predictor = a;
        else if (type === 2) predictor = b;
        else if (type === 3) predictor = (a + b) >> 1;
        else if (type === 4) {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (row[i]! - predictor) & 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        bestType = type;
        best.set(candidate);
      }
    }
    raw[y * (stride + 1)] = bestType;
    raw.set(best, y * (stride + 1) + 1);
  }
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  const idat = new Uint8Array(await new Response(stream).arrayBuffer());
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filters, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Draws and writes every bundled background.
 *
 * @example
 * ```ts
 * import { generateBackgrounds } from "./generate.ts";
 * await generateBackgrounds("/tmp/backgrounds", { width: 640, height: 360 });
 * ```
 *
 * @param dir The folder to write into (made if missing).
 * @param options Picture size (default 1920x1080).
 * @returns The files written and their sizes in bytes.
 */
export async function generateBackgrounds(
  dir: string,
  options: { width?: number; height?: number } = {},
): Promise<{ path: string; bytes: number }[]> {
  const width = options.width ?? 1920, height = options.height ?? 1080;
  await Deno.mkdir(dir, { recursive: true });
  const written = [];
  for (const background of GENERATED_BACKGROUNDS) {
    const png = await encodePng(toRgb8(background.draw(width, height)), { width, height });
    const path = join(dir, background.file);
    await Deno.writeFile(path, png);
    written.push({ path, bytes: png.length });
  }
  return written;
}

if (import.meta.main) {
  const root = new URL("../../backgrounds/", import.meta.url).pathname;
  const [dir = root, w = "1920", h = "1080"] = Deno.args;
  for (const { path, bytes } of await generateBackgrounds(dir, { width: +w, height: +h })) {
    console.log(`${path} ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
