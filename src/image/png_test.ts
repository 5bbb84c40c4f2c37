import assert from "node:assert/strict";
import { encode } from "fast-png";
import { isPng, readPng, writePng } from "./png.ts";
import { ImageError } from "./types.ts";

const REFERENCE = new URL("../../../shared/reference/images/", import.meta.url);

// --- A minimal PNG writer, independent of fast-png, for every variant -------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

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

async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface RawPng {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Samples per pixel, row-major, unpacked (values at `depth` bits). */
  samples: number[];
  palette?: number[][];
  trns?: number[];
}

/** Packs samples into filter-0 scanlines and builds the file. */
async function makePng(png: RawPng): Promise<Uint8Array> {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[png.colorType];
  const rowBits = png.width * channels * png.depth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = new Uint8Array((rowBytes + 1) * png.height);
  for (let y = 0; y < png.height; y++) {
    const row = y * (rowBytes + 1) + 1;
    for (let i = 0; i < png.width * channels; i++) {
      const v = png.samples[y * png.width * channels + i]!;
      if (png.depth === 16) {
        raw[row + i * 2] = v >> 8;
        raw[row + i * 2 + 1] = v & 0xff;
      } else {
        const bit = i * png.depth;
        raw[row + (bit >> 3)] = raw[row + (bit >> 3)]! | (v << (8 - png.depth - (bit & 7)));
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, png.width);
  view.setUint32(4, png.height);
  ihdr[8] = png.depth;
  ihdr[9] = png.colorType;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
  ];
  if (png.palette) parts.push(chunk("PLTE", new Uint8Array(png.palette.flat())));
  if (png.trns) {
    const bytes = png.colorType === 3
      ? new Uint8Array(png.trns)
      : new Uint8Array(png.trns.flatMap((v) => [v >> 8, v & 0xff]));
    parts.push(chunk("tRNS", bytes));
  }
  parts.push(chunk("IDAT", await zlib(raw)), chunk("IEND", new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function gray(values: number[]): number[] {
  return values.flatMap((v) => [v, v, v]);
}

// --- Tests -------------------------------------------------------------------

Deno.test("readPng() reads the reference RGB photos", async () => {
  for (
    const [name, width, height] of [
      ["mpl_grace_hopper.png", 512, 600],
      ["skimage_astronaut.png", 512, 512],
      ["skimage_camera.png", 512, 512],
    ] as const
  ) {
    const bytes = await Deno.readFile(new URL(name, REFERENCE));
    assert.ok(isPng(bytes));
    const image = readPng(bytes);
    assert.equal(image.width, width);
    assert.equal(image.height, height);
    assert.equal(image.data.length, width * height * 3);
    assert.equal(image.alpha, undefined);
    // Re-encoding is lossless.
    const again = readPng(writePng({ width, height, channels: 3, data: image.data }));
    assert.deepEqual(again.data, image.data);
  }
});

Deno.test("readPng() expands 1, 2, 4, 8 and 16-bit grayscale", async () => {
  const width = 5; // rows end mid-byte for the packed depths
  const cases: [RawPng["depth"], number[], number[]][] = [
    [1, [0, 1, 1, 0, 1, 1, 0, 0, 1, 0], [0, 255, 255, 0, 255, 255, 0, 0, 255, 0]],
    [2, [0, 1, 2, 3, 0, 3, 2, 1, 0, 3], [0, 85, 170, 255, 0, 255, 170, 85, 0, 255]],
    [4, [0, 1, 7, 15, 8, 15, 0, 3, 9, 14], [0, 17, 119, 255, 136, 255, 0, 51, 153, 238]],
    [8, [0, 1, 127, 255, 200, 3, 4, 5, 6, 7], [0, 1, 127, 255, 200, 3, 4, 5, 6, 7]],
    [16, [0, 65535, 128, 129, 32896, 257, 0, 0, 0, 1], [0, 255, 0, 1, 128, 1, 0, 0, 0, 0]],
  ];
  for (const [depth, samples, expected] of cases) {
    const image = readPng(await makePng({ width, height: 2, depth, colorType: 0, samples }));
    assert.equal(image.width, width);
    assert.deepEqual([...image.data], gray(expected), `depth ${depth}`);
    assert.equal(image.alpha, undefined);
  }
});

Deno.test("readPng() converts gray+alpha, RGB, RGBA and 16-bit colour", async () => {
  const ga = readPng(
    await makePng({ width: 2, height: 1, depth: 8, colorType: 4, samples: [10, 255, 20, 0] }),
  );
  assert.deepEqual([...ga.data], [10, 10, 10, 20, 20, 20]);
  assert.deepEqual([...ga.alpha!], [255, 0]);

  const ga16 = readPng(
    await makePng({
      width: 1,
      height: 1,
      depth: 16,
      colorType: 4,
      samples: [65535, 32896],
    }),
  );
  assert.deepEqual([...ga16.data], [255, 255, 255]);
  assert.deepEqual([...ga16.alpha!], [128]);

  const rgb16 = readPng(
    await makePng({
      width: 2,
      height: 1,
      depth: 16,
      colorType: 2,
      samples: [65535, 0, 257, 0x1234, 0xabcd, 0xff00],
    }),
  );
  assert.deepEqual([...rgb16.data], [255, 0, 1, 0x12, 0xab, 0xfe]);
  assert.equal(rgb16.alpha, undefined);

  const rgba = readPng(
    await makePng({
      width: 2,
      height: 1,
      depth: 8,
      colorType: 6,
      samples: [1, 2, 3, 4, 5, 6, 7, 8],
    }),
  );
  assert.deepEqual([...rgba.data], [1, 2, 3, 5, 6, 7]);
  assert.deepEqual([...rgba.alpha!], [4, 8]);

  const rgba16 = readPng(
    await makePng({
      width: 1,
      height: 1,
      depth: 16,
      colorType: 6,
      samples: [0xffff, 0x8000, 0, 0x0101],
    }),
  );
  assert.deepEqual([...rgba16.data], [255, 128, 0]);
  assert.deepEqual([...rgba16.alpha!], [1]);
});

Deno.test("readPng() resolves palettes at 1, 2, 4 and 8 bits, with tRNS alpha", async () => {
  const palette = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]];
  for (const depth of [1, 2, 4, 8] as const) {
    const max = Math.min(palette.length, 1 << depth);
    const samples = Array.from({ length: 6 }, (_, i) => i % max);
    const image = readPng(
      await makePng({ width: 3, height: 2, depth, colorType: 3, samples, palette }),
    );
    assert.deepEqual([...image.data], samples.flatMap((i) => palette[i]!), `depth ${depth}`);
    assert.equal(image.alpha, undefined);
  }
  const withAlpha = readPng(
    await makePng({
      width: 3,
      height: 1,
      depth: 8,
      colorType: 3,
      samples: [0, 1, 2],
      palette: palette.slice(0, 3),
      trns: [0, 128], // entries past the tRNS list are opaque
    }),
  );
  assert.deepEqual([...withAlpha.data], [255, 0, 0, 0, 255, 0, 0, 0, 255]);
  assert.deepEqual([...withAlpha.alpha!], [0, 128, 255]);
});

Deno.test("readPng() turns a gray or RGB tRNS colour key into alpha", async () => {
  const grayKey = readPng(
    await makePng({ width: 3, height: 1, depth: 4, colorType: 0, samples: [3, 5, 3], trns: [3] }),
  );
  assert.deepEqual([...grayKey.data], gray([51, 85, 51]));
  assert.deepEqual([...grayKey.alpha!], [0, 255, 0]);

  // (fast-png 8 misreads an RGB key as per-pixel values and rejects it on
  // pictures of fewer than 3 pixels, so this one has 4.)
  const rgbKey = readPng(
    await makePng({
      width: 2,
      height: 2,
      depth: 16,
      colorType: 2,
      samples: [1, 2, 3, 1, 2, 4, 1, 2, 3, 0, 0, 0],
      trns: [1, 2, 3],
    }),
  );
  assert.deepEqual([...rgbKey.alpha!], [0, 255, 0, 255]);
});

Deno.test("readPng() throws ImageError for corrupt, truncated and unsupported data", async () => {
  const good = await Deno.readFile(new URL("skimage_camera.png", REFERENCE));
  const flipped = good.slice();
  flipped[1000] = flipped[1000]! ^ 0xff;
  const interlaced = await makePng({
    width: 2,
    height: 1,
    depth: 1,
    colorType: 0,
    samples: [0, 1],
  });
  interlaced[28] = 1; // Adam7 flag in IHDR
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([1, 2, 3]), /^Cannot decode PNG: wrong PNG signature$/],
    [good.subarray(0, 20), /^Cannot decode PNG: the file is truncated$/],
    [
      good.subarray(0, good.length / 2),
      /^Cannot decode PNG: the file is truncated$/,
    ],
    [flipped, /^Cannot decode PNG: CRC mismatch for chunk IDAT/],
    [interlaced, /^Cannot decode PNG: interlaced 1-bit PNGs are not supported/],
    [
      await makePng({
        width: 2,
        height: 1,
        depth: 8,
        colorType: 3,
        samples: [0, 5],
        palette: [[1, 2, 3]],
      }),
      /^Cannot decode PNG: palette index 5 is out of range \(the palette has 1 colours\)$/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => readPng(bytes), (e: unknown) => {
      assert.ok(e instanceof ImageError, String(e));
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("writePng() round-trips gray, RGB and RGBA through readPng()", () => {
  const px = [0, 50, 100, 150, 200, 250];
  const g = readPng(writePng({ width: 3, height: 2, channels: 1, data: new Uint8Array(px) }));
  assert.deepEqual([...g.data], gray(px));

  const rgba = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const back = readPng(writePng({ width: 1, height: 2, channels: 4, data: rgba }));
  assert.deepEqual([...back.data], [1, 2, 3, 5, 6, 7]);
  assert.deepEqual([...back.alpha!], [4, 8]);

  assert.throws(
    () => writePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }),
    /Cannot encode a 2x2x3 PNG from 5 bytes: it needs 12/,
  );
});

Deno.test("readPng() reads 8 and 16-bit Adam7-interlaced files", () => {
  const width = 13;
  const height = 11;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 256);
  const png = encode({ width, height, channels: 3, depth: 8, data: rgb }, { interlace: "Adam7" });
  assert.equal(png[28], 1);
  assert.deepEqual(readPng(png).data, rgb);
  const wide = new Uint16Array(width * height).map((_, i) => i * 400);
  const png16 = encode({ width, height, channels: 1, depth: 16, data: wide }, {
    interlace: "Adam7",
  });
  assert.deepEqual([...readPng(png16).data], gray([...wide].map((v) => Math.round(v / 257))));
});
